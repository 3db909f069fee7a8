// Test-only fixtures for the device agent: in-process keys (log, witnesses,
// vendors), a small in-memory log with RFC 6962 proofs, signed and cosigned
// checkpoints, bundles, signed trust roots, and a scratch "device" (state dir
// + flash target, optionally provisioned with a trust root).
//
// Thread-safety: single-threaded test use.
#ifndef CANDOR_TESTS_DEVICE_AGENT_AGENT_FIXTURE_H_
#define CANDOR_TESTS_DEVICE_AGENT_AGENT_FIXTURE_H_

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "candor/agent/agent.h"
#include "candor/agent/state.h"
#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/consistency_proof.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signer.h"
#include "candor/trust_root.h"

namespace candor::agent::testing {

inline constexpr uint64_t kNow = 1790000000;  // 2026-09-21
inline constexpr const char* kProduct = "printer-x1";
inline constexpr const char* kOrigin = "log.candor.example/firmware";
inline constexpr const char* kDomain = "printer.acme.example";

inline std::string ReadFileOr(const std::string& path, const std::string& fallback = "<absent>") {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fallback;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(out.good());
}

struct Keys {
  SignerKey sk;
  VerifierKey vk;
};

inline Keys MakeKey(std::string_view name, uint8_t type = kKeyTypeEd25519) {
  auto k = GenerateKey(name, type);
  REQUIRE(k.ok());
  return Keys{k->first, k->second};
}

// A list of leaf hashes with RFC 6962 proofs computed through merkle.h.
struct MemoryTree {
  std::vector<Hash> leaves;

  NodeReader Reader() const {
    return [this](std::span<const NodeId> ids) -> Result<std::vector<Hash>> {
      std::vector<Hash> out;
      for (const NodeId& id : ids) {
        uint64_t first = id.index << id.level, n = uint64_t{1} << id.level;
        if (first + n > leaves.size()) return Status::NotFound("node outside tree");
        out.push_back(RootFromLeafHashes(std::span<const Hash>(leaves).subspan(first, n)));
      }
      return out;
    };
  }
  Hash Root(uint64_t size) const {
    return RootFromLeafHashes(std::span<const Hash>(leaves).first(size));
  }
  std::vector<Hash> Inclusion(uint64_t index, uint64_t size) const {
    auto p = ProveInclusion(index, size, Reader());
    REQUIRE(p.ok());
    return *p;
  }
  std::vector<Hash> Consistency(uint64_t old_size, uint64_t new_size) const {
    auto p = ProveConsistency(old_size, new_size, Reader());
    REQUIRE(p.ok());
    return *p;
  }
};

struct Release {
  std::string image;
  Bytes entry;
};

class World {
 public:
  std::string origin = kOrigin;  // the log's origin (a second log: another World)
  Keys log = MakeKey(kOrigin);
  Keys w1 = MakeKey("witness-one.example", kKeyTypeCosignatureV1);
  Keys w2 = MakeKey("witness-two.example", kKeyTypeCosignatureV1);
  Keys w3 = MakeKey("witness-three.example", kKeyTypeCosignatureV1);
  Keys vendor = MakeKey("acme.example/firmware");
  Keys other_vendor = MakeKey("acme.example/scanners");  // trusted for scanner-s2 only
  Keys evil_vendor = MakeKey("evil.example/firmware");   // not in the policy
  MemoryTree tree;
  std::vector<Bytes> entries;

  // quorum: 2 of {w1, w2, w3}; checkpoints at most one day old.
  std::string PolicyText() const {
    return "# test policy\n"
           "log " +
           FormatVerifierKey(log.vk) +
           "\n"
           "witness w1 " +
           FormatVerifierKey(w1.vk) +
           "\n"
           "witness w2 " +
           FormatVerifierKey(w2.vk) +
           "\n"
           "witness w3 " +
           FormatVerifierKey(w3.vk) +
           "\n"
           "group witnesses 2 w1 w2 w3\n"
           "quorum witnesses\n"
           "vendor " +
           FormatVerifierKey(vendor.vk) +
           " printer-x1 printer-x2\n"
           "vendor " +
           FormatVerifierKey(other_vendor.vk) +
           " scanner-s2\n"
           "max-checkpoint-age 86400\n";
  }
  TrustPolicy Policy() const {
    auto p = ParseTrustPolicy(PolicyText());
    REQUIRE(p.ok());
    return *p;
  }

  static std::string Image(uint64_t seed, size_t size) {
    std::string s(size, '\0');
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < size; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      s[i] = static_cast<char>(x);
    }
    return s;
  }

  Release MakeRelease(std::string version, uint64_t rollback, size_t image_size = 100000,
                      const Keys* key = nullptr, std::vector<std::string> products = {kProduct},
                      std::vector<Disclosure> disclosures = {}) const {
    if (key == nullptr) key = &vendor;
    Release r;
    r.image = Image(rollback * 1000 + version.size(), image_size);
    ManifestFields f;
    f.products = std::move(products);
    f.version = std::move(version);
    f.rollback = rollback;
    f.image_sha256 = Sha256Digest(r.image);
    f.image_size = r.image.size();
    f.issued = static_cast<int64_t>(kNow) - 3600;
    f.disclosures = std::move(disclosures);
    auto e = CreateReleaseEntry(f, "Changelog for " + f.version + "\n", key->sk);
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    r.entry = *e;
    return r;
  }

  uint64_t Append(const Bytes& entry) {
    entries.push_back(entry);
    tree.leaves.push_back(LeafHash(entry));
    return entries.size() - 1;
  }
  // Appends `n` unrelated filler entries.
  void AppendFiller(int n) {
    for (int i = 0; i < n; ++i) {
      std::string s = "filler " + std::to_string(entries.size());
      Append(Bytes(s.begin(), s.end()));
    }
  }

  // The checkpoint body of the tree's first `size` leaves.
  std::string Body(uint64_t size) const {
    return FormatCheckpointBody(Checkpoint{origin, size, tree.Root(size), {}});
  }

  static std::string SignBody(std::string_view body, const Keys& log_key) {
    const SignerKey* signers[] = {&log_key.sk};
    auto note = SignNote(body, signers);
    REQUIRE(note.ok());
    return *note;
  }
  static std::string AddCosig(std::string note, std::string_view body, const Keys& witness,
                              uint64_t time) {
    auto sig = Cosign(witness.sk, body, time);
    REQUIRE(sig.ok());
    return note + FormatSignatureLine(*sig);
  }

  // Log-signed checkpoint of size `size`, cosigned by `witnesses` at `time`.
  std::string CheckpointNote(uint64_t size, const std::vector<const Keys*>& witnesses,
                             uint64_t time = kNow - 60) const {
    std::string body = Body(size);
    std::string note = SignBody(body, log);
    for (const Keys* w : witnesses) note = AddCosig(note, body, *w, time);
    return note;
  }
  std::string GoodCheckpoint(uint64_t size) const { return CheckpointNote(size, {&w1, &w2}); }

  std::string BundleText(uint64_t index, uint64_t size, const std::string& checkpoint_note) const {
    Bundle b;
    b.entry = entries[index];
    b.index = index;
    b.inclusion_proof = tree.Inclusion(index, size);
    b.checkpoint_note = checkpoint_note;
    return FormatBundle(b);
  }
  std::string GoodBundle(uint64_t index) const {
    return BundleText(index, entries.size(), GoodCheckpoint(entries.size()));
  }

  // A trust root of kDomain over `policy_text` (default: PolicyText()) with
  // `keys` as its root keys, expiring a year after kNow unless told.
  TrustRoot Root(uint64_t version, const std::vector<const Keys*>& keys, size_t threshold,
                 std::string policy_text = "",
                 int64_t expires = static_cast<int64_t>(kNow) + 365 * 86400) const {
    TrustRoot r;
    r.domain = kDomain;
    r.version = version;
    r.expires_unix = expires;
    r.root_threshold = threshold;
    for (const Keys* k : keys) r.root_keys.push_back(k->vk);
    auto policy = ParseTrustPolicy(policy_text.empty() ? PolicyText() : policy_text);
    REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
    r.policy = *policy;
    return r;
  }
  // The signed note of `root` (FormatTrustRootText), signed by `signers`.
  static std::string SignRoot(const TrustRoot& root, const std::vector<const Keys*>& signers) {
    std::vector<const SignerKey*> sks;
    for (const Keys* k : signers) sks.push_back(&k->sk);
    auto note = SignNote(FormatTrustRootText(root), sks);
    REQUIRE_MESSAGE(note.ok(), note.status().ToString());
    return *note;
  }
  // Appends a root note as a log entry; its index.
  uint64_t AppendNote(std::string_view note) { return Append(Bytes(note.begin(), note.end())); }

  // A second log with its own key and origin, trusting the same witnesses and
  // vendors, and an empty tree. Its checkpoints verify under PolicyText() of
  // the first world with SecondLogLine() added.
  World SecondLog(std::string second_origin) const {
    World b = *this;
    b.origin = std::move(second_origin);
    b.log = MakeKey(b.origin);
    b.entries.clear();
    b.tree.leaves.clear();
    return b;
  }
  std::string PolicyWithLog(const World& second) const {
    std::string text = PolicyText();
    const std::string first_log = "log " + FormatVerifierKey(log.vk) + "\n";
    const size_t at = text.find(first_log);
    REQUIRE(at != std::string::npos);
    text.insert(at + first_log.size(), "log " + FormatVerifierKey(second.log.vk) + "\n");
    return text;
  }
};

// A consistency proof file (candor/consistency_proof.h) with one block.
inline std::string ProofFileText(uint64_t from, uint64_t to, const std::vector<Hash>& proof,
                                 std::string origin = kOrigin) {
  ConsistencyProofFile file;
  file.origin = std::move(origin);
  file.blocks.push_back(ConsistencyProofBlock{from, to, proof});
  return FormatConsistencyProofFile(file);
}

// The consistency proof file an update server would ship with a bundle at
// tree size `to`: a block from each size in `froms` (ascending).
inline std::string ProofFile(const World& w, std::vector<uint64_t> froms, uint64_t to) {
  ConsistencyProofFile file;
  file.origin = w.origin;
  for (uint64_t from : froms) {
    file.blocks.push_back(ConsistencyProofBlock{from, to, w.tree.Consistency(from, to)});
  }
  return FormatConsistencyProofFile(file);
}

// A scratch device: a temp dir with state/, a flash target holding old
// firmware, and files for the image, bundle and policy.
class Device {
 public:
  explicit Device(const World& world) {
    char tmpl[] = "/tmp/candor-agent-test.XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    root = tmpl;
    state_dir = root + "/state";
    target = root + "/flash.bin";
    WriteFile(target, "OLD FIRMWARE\n");
    WriteFile(root + "/policy", world.PolicyText());
    ctx.policy = world.Policy();
    ctx.product = kProduct;
    ctx.state_dir = state_dir;
    ctx.flash.target = target;
  }
  ~Device() { std::filesystem::remove_all(root); }
  Device(const Device&) = delete;

  std::string Path(const std::string& name) const { return root + "/" + name; }

  ImageRequest Request(std::string_view image, std::string_view bundle,
                       std::optional<std::string> proof = std::nullopt, uint64_t now = kNow) {
    WriteFile(Path("image.bin"), image);
    WriteFile(Path("bundle.txt"), bundle);
    ImageRequest r;
    r.image_path = Path("image.bin");
    r.bundle_path = Path("bundle.txt");
    if (proof) {
      WriteFile(Path("proof.txt"), *proof);
      r.consistency_proof_path = Path("proof.txt");
    }
    r.now_unix = now;
    return r;
  }

  Result<VerifiedRelease> Install(std::string_view image, std::string_view bundle,
                                  std::optional<std::string> proof = std::nullopt,
                                  uint64_t now = kNow) {
    return InstallImage(ctx, Request(image, bundle, std::move(proof), now));
  }

  // Configures the device with `note` as its provisioned trust root (the
  // file `root.provisioned`), as LoadContext does for `trust-root`.
  void ProvisionRoot(std::string_view note) {
    WriteFile(Path("root.provisioned"), note);
    auto provisioned = LoadProvisionedRoot(Path("root.provisioned"));
    REQUIRE_MESSAGE(provisioned.ok(), provisioned.status().ToString());
    ctx.trust_root = *provisioned;
  }

  // trust-update with one (root note, bundle) pair per version, written to
  // files `<n>.root` and `<n>.root.bundle`; `proof` (if any) is given to the
  // first step only.
  Result<std::vector<VerifiedTrustRoot>> TrustUpdate(
      const std::vector<std::pair<std::string, std::string>>& roots,
      std::optional<std::string> proof = std::nullopt, uint64_t now = kNow) {
    TrustUpdateRequest req;
    req.now_unix = now;
    for (size_t i = 0; i < roots.size(); ++i) {
      TrustRootStep step;
      step.root_path = Path(std::to_string(i) + ".root");
      step.bundle_path = step.root_path + ".bundle";
      WriteFile(step.root_path, roots[i].first);
      WriteFile(step.bundle_path, roots[i].second);
      if (i == 0 && proof) {
        WriteFile(Path("root-proof.txt"), *proof);
        step.consistency_proof_path = Path("root-proof.txt");
      }
      req.steps.push_back(std::move(step));
    }
    return UpdateTrustRoot(ctx, req);
  }

  std::string StateBytes() const { return ReadFileOr(state_dir + "/state"); }
  std::string TargetBytes() const { return ReadFileOr(target); }

  std::string root, state_dir, target;
  AgentContext ctx;
};

}  // namespace candor::agent::testing

#endif  // CANDOR_TESTS_DEVICE_AGENT_AGENT_FIXTURE_H_
