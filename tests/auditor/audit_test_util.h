// Test helpers for `candor audit`: release entries from test vendor keys,
// signed trust roots (the log's second entry type) from test root keys, and
// log directories built directly through the log's storage API (so a test can
// create what a real log refuses: equivocation, a fork with the same key).
//
// Thread-safety: tests run single-threaded.
#ifndef CANDOR_TESTS_CLI_AUDIT_TEST_UTIL_H_
#define CANDOR_TESTS_CLI_AUDIT_TEST_UTIL_H_

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"
#include "candor/fs/read_file.h"
#include "candor/log/publisher.h"
#include "candor/log/right_edge.h"
#include "candor/log/storage.h"
#include "candor/merkle.h"
#include "candor/policy.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signer.h"
#include "candor/trust_root.h"
#include "support/temp_dir.h"

namespace candor::audittest {

using testing::TempDir;  // support/temp_dir.h

// Deterministic Ed25519 key from a one-byte seed.
inline SignerKey TestKey(const std::string& name, uint8_t seed) {
  SignerKey k;
  k.name = name;
  k.type = kKeyTypeEd25519;
  for (size_t i = 0; i < 32; ++i) k.seed[i] = static_cast<uint8_t>(seed + i);
  VerifierKey v = PublicKeyOf(k);
  k.key_id = KeyId(name, kKeyTypeEd25519, v.public_key);
  return k;
}

struct ReleaseSpec {
  std::string product = "inkjet-x100";
  std::string version = "1.0";
  uint64_t rollback = 1;
  std::string issued = "2026-01-01T00:00:00Z";
  std::vector<std::string> disclosures;  // CLI syntax KIND=VALUE[,effective=...]
  std::string changelog = "Maintenance release.\n";
  std::string image = "image";
  // The image bytes are `image` + version (each version its own image), or
  // `image` alone (the same bytes under several versions: image-reuse).
  bool image_per_version = true;
};

inline Bytes MakeRelease(const SignerKey& vendor, const ReleaseSpec& s) {
  ManifestFields f;
  f.products = {s.product};
  f.version = s.version;
  f.rollback = s.rollback;
  const std::string bytes = s.image_per_version ? s.image + s.version : s.image;
  f.image_sha256 = Sha256Digest(AsBytes(bytes));
  f.image_size = bytes.size();
  f.issued = ParseUtcTime(s.issued).value();
  for (const auto& d : s.disclosures) f.disclosures.push_back(ParseDisclosureArg(d).value());
  auto e = CreateReleaseEntry(f, s.changelog, vendor);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  return *e;
}

// A trust root (docs/FORMATS.md "Trust root"). `policy` may be in any valid
// spelling: it is put in canonical form.
struct RootSpec {
  std::string domain = "acme.example/printers";
  uint64_t version = 1;
  std::string expires = "2027-01-01T00:00:00Z";
  size_t threshold = 1;
  std::vector<const SignerKey*> keys;     // the root keys
  std::vector<const SignerKey*> signers;  // who signs the note
  std::string policy;
};

inline TrustRoot MakeTrustRootValue(const RootSpec& s) {
  TrustRoot r;
  r.domain = s.domain;
  r.version = s.version;
  r.expires_unix = ParseUtcTime(s.expires).value();
  r.root_threshold = s.threshold;
  for (const SignerKey* k : s.keys) r.root_keys.push_back(PublicKeyOf(*k));
  std::sort(r.root_keys.begin(), r.root_keys.end(), [](const VerifierKey& a, const VerifierKey& b) {
    return FormatVerifierKey(a) < FormatVerifierKey(b);
  });
  auto policy = ParseTrustPolicy(s.policy);
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  r.policy = *policy;
  r.policy_text = FormatTrustPolicy(r.policy);
  return r;
}

// The signed note, which is also the log entry.
inline std::string MakeTrustRoot(const RootSpec& s) {
  const std::string text = FormatTrustRootText(MakeTrustRootValue(s));
  auto note = SignNote(text, s.signers);
  REQUIRE_MESSAGE(note.ok(), note.status().ToString());
  return *note;
}

// A log directory in the tlog-tiles layout written through TileStorage and
// RightEdge, with checkpoints signed by `log_key` (no server, no index).
class DirectLog {
 public:
  DirectLog(std::string dir, SignerKey log_key) : storage_(dir), key_(std::move(log_key)) {
    REQUIRE(fs::MakeDirectories(dir).ok());
  }
  // Appends entries, writes tiles/bundles and a new checkpoint.
  void Append(const std::vector<Bytes>& entries) {
    for (const Bytes& e : entries) edge_.Append(e, LeafHash(e));
    REQUIRE(storage_.WriteFiles(edge_.TakeFiles()).ok());
    Publish();
  }
  void Publish() {
    auto cp = Publisher::SignCheckpoint(key_, TreeHead{edge_.size(), edge_.Root()});
    REQUIRE(cp.ok());
    note_ = *cp;
    REQUIRE(storage_.WriteCheckpoint(note_).ok());
  }
  const std::string& checkpoint() const { return note_; }
  uint64_t size() const { return edge_.size(); }
  const std::string& dir() const { return storage_.dir(); }

 private:
  TileStorage storage_;
  SignerKey key_;
  RightEdge edge_;
  std::string note_;
};

inline void WriteText(const std::string& path, const std::string& text) {
  REQUIRE(fs::WriteFileAtomically(path, AsBytes(text)).ok());
}

inline std::string ReadText(const std::string& path) {
  auto b = fs::ReadFileBytes(path, size_t{64} << 20);
  REQUIRE_MESSAGE(b.ok(), path);
  return std::string(AsChars(*b));
}

}  // namespace candor::audittest

#endif  // CANDOR_TESTS_CLI_AUDIT_TEST_UTIL_H_
