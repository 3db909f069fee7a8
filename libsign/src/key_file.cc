// Private key files: created 0600 without clobbering and durably (candor_fs);
// read only when not accessible to group or others. The key text is wiped from
// every buffer this file owns.
#include <sodium.h>

#include <string>

#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/fs/sequential_file.h"
#include "candor/note.h"
#include "candor/signer.h"

namespace candor {

Status WritePrivateKeyFile(const std::string& path, const SignerKey& key) {
  std::string text = FormatSignerKey(key);
  text.push_back('\n');  // fits the capacity FormatSignerKey reserved: no copy left behind
  // A unique temporary: two keygens racing for one path must not share it.
  Status st = fs::WriteFileAtomically(path, text,
                                      {.mode = 0600, .no_clobber = true, .unique_temp = true});
  sodium_memzero(text.data(), text.size());
  if (st.code() == Code::kConflict) {
    return Status::Conflict("refusing to overwrite existing key file " + path);
  }
  return st;
}

Result<SignerKey> ReadPrivateKeyFile(const std::string& path) {
  auto file = fs::SequentialFile::Open(path, {.follow_symlinks = false});
  if (!file.ok()) {
    if (file.status().code() == Code::kNotFound) return Status::NotFound("no key file " + path);
    return file.status().WithContext("key file");
  }
  if ((file->mode() & 077) != 0) {
    return Status::PolicyUnsatisfied("key file " + path +
                                     " is accessible to group or others (chmod 600 it)");
  }
  if (file->size() > kMaxKeyFileSize) return Status::TooLarge("key file " + path + " is too large");
  // One buffer, never reallocated, wiped below: no stray copy of the key.
  std::string buf(kMaxKeyFileSize + 1, '\0');
  Result<size_t> len = file->ReadFull(std::span<char>(buf));
  Status st = len.status();
  if (st.ok() && *len > kMaxKeyFileSize) st = Status::TooLarge("key file " + path + " is too large");
  std::string_view text(buf.data(), st.ok() ? *len : 0);
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  Result<SignerKey> key = st.ok() ? ParseSignerKey(text) : Result<SignerKey>(st);
  sodium_memzero(buf.data(), buf.size());
  if (!key.ok()) return key.status().WithContext("key file " + path);
  return key;
}

Result<VerifierKey> ReadVerifierKeyFile(const std::string& path, std::string_view what) {
  const std::string named = std::string(what) + " " + path;
  auto data = fs::ReadFileBytes(path, kMaxVerifierKeyFileSize);
  if (!data.ok()) return data.status().WithContext("reading " + named);
  std::string text(AsChars(*data));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  auto key = ParseVerifierKey(text);
  if (!key.ok()) return key.status().WithContext(named);
  if (key->type != kKeyTypeEd25519) {
    return Status::InvalidArgument(std::string(what) + " must be Ed25519 (" + path + ")");
  }
  return key;
}

}  // namespace candor
