#include "candor/witness/witness_store.h"

#include "candor/signing_key.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <string>
#include <utility>

#include "candor/bytes.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"
#include "candor/fs/read_file.h"
#include "candor/sha256.h"
#include "candor/signer.h"

namespace candor {
namespace {

constexpr std::string_view kLogsHeader =
    "# candor-witness logs: one \"log <origin> <vkey>\" per line (see docs/WITNESS.md).\n"
    "# Changes take effect when candor-witness serve restarts.\n";
// State files hold one checkpoint note; requests are capped at 64 KiB, so this
// is generous and bounds what a corrupted file can make us allocate.
constexpr size_t kMaxStateFileSize = 1 << 20;

// The entry for `origin` in `logs`, appended (with no keys) if absent.
// The pointer is valid until `logs` next grows.
WitnessedLog* FindOrAddLog(std::vector<WitnessedLog>& logs, std::string_view origin) {
  for (auto& l : logs) {
    if (l.origin == origin) return &l;
  }
  logs.push_back(WitnessedLog{std::string(origin), {}});
  return &logs.back();
}

// Reads a whole state or configuration file. nullopt if it does not exist.
Result<std::optional<std::string>> ReadSmallFile(const std::string& path, size_t limit) {
  auto text = fs::ReadFile(path, limit, {.follow_symlinks = false});
  if (text.ok()) return std::optional<std::string>(std::move(text).value());
  if (text.status().code() == Code::kNotFound) return std::optional<std::string>();
  return text.status();
}

}  // namespace

Status ValidateWitnessOrigin(std::string_view origin) {
  if (origin.empty()) return Status::InvalidArgument("empty origin");
  if (origin.find_first_of(" \t") != std::string_view::npos) {
    return Status::InvalidArgument("origin must not contain spaces or tabs");
  }
  // An origin is valid iff it can be the first line of a checkpoint.
  std::string body(origin);
  body += "\n0\n";
  body += Base64Encode(Sha256Digest(std::string_view()));
  body += '\n';
  if (!ParseCheckpointBody(body).ok()) {
    return Status::InvalidArgument("origin is not a valid checkpoint origin line");
  }
  return Status::Ok();
}

Result<std::vector<WitnessedLog>> ParseWitnessLogs(std::string_view text) {
  std::vector<WitnessedLog> logs;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return Status::Malformed("logs.conf: line " + std::to_string(line_no) +
                               " has no final newline");
    }
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    auto bad = [&](std::string_view why) {
      return Status::Malformed("logs.conf: line " + std::to_string(line_no) + ": " +
                               std::string(why));
    };
    if (!line.starts_with("log ")) return bad("expected \"log <origin> <vkey>\"");
    line.remove_prefix(4);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return bad("expected \"log <origin> <vkey>\"");
    std::string_view origin = line.substr(0, sp);
    std::string_view vkey = line.substr(sp + 1);
    if (!ValidateWitnessOrigin(origin).ok()) return bad("invalid origin");
    auto key = ParseVerifierKey(vkey);
    if (!key.ok()) return bad("invalid vkey: " + key.status().message());
    if (key->type != kKeyTypeEd25519) return bad("a log key must be an Ed25519 (0x01) vkey");
    WitnessedLog* entry = FindOrAddLog(logs, origin);
    for (const auto& k : entry->keys) {
      if (k == *key) return bad("duplicate log key");
    }
    entry->keys.push_back(*key);
  }
  return logs;
}

std::string FormatWitnessLogs(const std::vector<WitnessedLog>& logs) {
  std::string out(kLogsHeader);
  for (const auto& log : logs) {
    for (const auto& key : log.keys) {
      out += "log " + log.origin + " " + FormatVerifierKey(key) + "\n";
    }
  }
  return out;
}

std::string WitnessKeyPath(const std::string& dir) { return dir + "/witness.key"; }
std::string WitnessPublicKeyPath(const std::string& dir) { return dir + "/witness.pub"; }
std::string WitnessLogsPath(const std::string& dir) { return dir + "/logs.conf"; }
std::string WitnessStateDir(const std::string& dir) { return dir + "/state"; }
std::string WitnessLockPath(const std::string& dir) { return dir + "/lock"; }

Result<VerifierKey> InitWitnessDir(const std::string& dir, std::string_view name,
                                   const std::string& key_spec) {
  struct stat st;
  for (const std::string& p : {WitnessKeyPath(dir), WitnessPublicKeyPath(dir)}) {
    if (::lstat(p.c_str(), &st) == 0) {
      return Status::Conflict(p + " already exists; refusing to overwrite a key");
    }
  }
  VerifierKey vkey;
  if (!key_spec.empty()) {
    // Opened (and so checked) before anything is written.
    auto signer = OpenSigner(key_spec, {.key_type = kKeyTypeCosignatureV1, .role = "witness key"});
    if (!signer.ok()) return signer.status().WithContext(DescribeKeySpec(key_spec));
    vkey = (*signer)->public_key();
    if (vkey.name != name) {
      return Status::InvalidArgument("the witness key is named " + vkey.name + ", not " +
                                     std::string(name));
    }
    CANDOR_RETURN_IF_ERROR(fs::MakeDirectory(dir, 0700));
  } else {
    CANDOR_RETURN_IF_ERROR(fs::MakeDirectory(dir, 0700));
    auto pair = GenerateKey(name, kKeyTypeCosignatureV1);
    if (!pair.ok()) return pair.status();
    vkey = pair->second;
    CANDOR_RETURN_IF_ERROR(WritePrivateKeyFile(WitnessKeyPath(dir), pair->first));
  }
  CANDOR_RETURN_IF_ERROR(
      fs::WriteFileAtomically(WitnessPublicKeyPath(dir), FormatVerifierKey(vkey) + "\n"));
  if (::lstat(WitnessLogsPath(dir).c_str(), &st) != 0) {
    CANDOR_RETURN_IF_ERROR(fs::WriteFileAtomically(WitnessLogsPath(dir), kLogsHeader));
  }
  CANDOR_RETURN_IF_ERROR(fs::MakeDirectory(WitnessStateDir(dir), 0700));
  CANDOR_RETURN_IF_ERROR(fs::SyncDirectory(dir));
  return vkey;
}

Result<std::vector<WitnessedLog>> ReadWitnessLogs(const std::string& dir) {
  auto text = ReadSmallFile(WitnessLogsPath(dir), kMaxStateFileSize);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::vector<WitnessedLog>();
  return ParseWitnessLogs(**text);
}

Result<bool> AddWitnessLog(const std::string& dir, std::string_view origin,
                           const VerifierKey& key) {
  CANDOR_RETURN_IF_ERROR(ValidateWitnessOrigin(origin));
  if (key.type != kKeyTypeEd25519) {
    return Status::InvalidArgument("a log key must be an Ed25519 (type 0x01) vkey");
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<WitnessedLog> logs, ReadWitnessLogs(dir));
  WitnessedLog* entry = FindOrAddLog(logs, origin);
  for (const auto& k : entry->keys) {
    if (k == key) return false;
  }
  entry->keys.push_back(key);
  CANDOR_RETURN_IF_ERROR(fs::WriteFileAtomically(WitnessLogsPath(dir), FormatWitnessLogs(logs)));
  return true;
}

WitnessStateStore::WitnessStateStore(std::string state_dir) : state_dir_(std::move(state_dir)) {}

Status WitnessStateStore::CheckWritable() const {
  struct stat st {};
  if (::stat(state_dir_.c_str(), &st) != 0 || ::access(state_dir_.c_str(), W_OK | X_OK) != 0) {
    return Status::Io("state store " + state_dir_ + " is not writable: " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) return Status::Io("state store " + state_dir_ + " is not a directory");
  return Status::Ok();
}

std::string WitnessStateStore::PathFor(std::string_view origin) const {
  return state_dir_ + "/" + HexEncode(Sha256Digest(origin));
}

Result<std::optional<WitnessLogState>> WitnessStateStore::Load(std::string_view origin) const {
  const std::string path = PathFor(origin);
  auto text = ReadSmallFile(path, kMaxStateFileSize);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::optional<WitnessLogState>();
  auto parsed = ParseSignedCheckpointUnverified(**text);
  if (!parsed.ok()) {
    return Status::Malformed("corrupt witness state " + path + ": " + parsed.status().message());
  }
  if (parsed->checkpoint.origin != origin) {
    return Status::Malformed("witness state " + path + " names another origin");
  }
  return std::optional<WitnessLogState>(
      WitnessLogState{std::move(parsed->checkpoint), std::move(**text)});
}

Status WitnessStateStore::Save(const WitnessLogState& state) const {
  return fs::WriteFileAtomically(PathFor(state.checkpoint.origin), state.note, {.mode = 0600});
}

}  // namespace candor
