#include "fuzz_util.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/disclosure.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"

namespace candor {
namespace fuzz {
namespace {

[[noreturn]] void FixtureFailed(const char* what, const Status& st) {
  std::fprintf(stderr, "fuzz fixture: %s: %s\n", what, st.ToString().c_str());
  std::abort();
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) FixtureFailed(what, r.status());
  return std::move(r).value();
}

FixtureData Build() {
  FixtureData f;
  f.log_key = MakeFixedKey("log.fuzz.example", kKeyTypeEd25519, 0x11);
  f.witness1 = MakeFixedKey("w1.fuzz.example", kKeyTypeCosignatureV1, 0x21);
  f.witness2 = MakeFixedKey("w2.fuzz.example", kKeyTypeCosignatureV1, 0x22);
  f.vendor_key = MakeFixedKey("acme.example/firmware", kKeyTypeEd25519, 0x31);
  f.product = "acme-printer-x1";

  const std::string image = "ACME printer firmware 2.0.0 (fuzz fixture)\n";
  f.image = Bytes(image.begin(), image.end());

  ManifestFields fields;
  fields.vendor = "acme.example";
  fields.products = {f.product, "acme-printer-x2"};
  fields.version = "2.0.0";
  fields.rollback = 7;
  fields.image_sha256 = Sha256Digest(f.image);
  fields.image_size = f.image.size();
  fields.issued = 1788220800;  // 2026-09-01T00:00:00Z
  fields.disclosures = {
      Must(ParseDisclosureArg("consumables.third-party=blocked,effective=2026-09-13"), "arg"),
      Must(ParseDisclosureArg("telemetry=crash,usage to metrics.acme.example"), "arg"),
      Must(ParseDisclosureArg("x-acme.example/cartridge-chip=v2 required"), "arg"),
  };
  const std::string changelog =
      "2.0.0\n\n- Improved print quality.\n- Cartridges must carry a v2 chip from 2026-09-13.\n";
  f.release_entry = Must(CreateReleaseEntry(fields, changelog, f.vendor_key.signer), "entry");

  // A small log: two unrelated entries around the release.
  const std::string other1 = "not a release: first entry of the fuzz log";
  const std::string other2 = "not a release either";
  f.entries = {Bytes(other1.begin(), other1.end()), f.release_entry,
               Bytes(other2.begin(), other2.end())};
  f.release_index = 1;
  std::vector<Hash> leaves;
  for (const Bytes& e : f.entries) leaves.push_back(LeafHash(e));

  Checkpoint cp;
  cp.origin = f.log_key.verifier.name;
  cp.size = leaves.size();
  cp.root_hash = RootFromLeafHashes(leaves);
  f.checkpoint_body = FormatCheckpointBody(cp);
  const SignerKey* log_signer[] = {&f.log_key.signer};
  std::string note = Must(SignNote(f.checkpoint_body, log_signer), "sign checkpoint");
  f.cosign_time = 1788300000;
  f.now_unix = f.cosign_time + 600;
  NoteSignature c1 = Must(Cosign(f.witness1.signer, f.checkpoint_body, f.cosign_time), "cosign");
  NoteSignature c2 =
      Must(Cosign(f.witness2.signer, f.checkpoint_body, f.cosign_time + 5), "cosign");
  note += FormatSignatureLine(c1);
  note += FormatSignatureLine(c2);
  f.checkpoint_note = note;

  NodeReader reader = MemoryNodeReader(&leaves);
  Bundle bundle;
  bundle.entry = f.release_entry;
  bundle.index = f.release_index;
  bundle.inclusion_proof = Must(ProveInclusion(f.release_index, cp.size, reader), "prove");
  bundle.checkpoint_note = f.checkpoint_note;
  f.bundle = FormatBundle(bundle);

  f.policy_text = "# fuzz fixture policy\nlog " + FormatVerifierKey(f.log_key.verifier) +
                  "\nwitness W1 " + FormatVerifierKey(f.witness1.verifier) + "\nwitness W2 " +
                  FormatVerifierKey(f.witness2.verifier) +
                  "\ngroup witnesses any W1 W2\nquorum witnesses\nvendor " +
                  FormatVerifierKey(f.vendor_key.verifier) + " " + f.product +
                  "\nmax-checkpoint-age 86400\n";
  f.policy = Must(ParseTrustPolicy(f.policy_text), "policy");
  return f;
}

}  // namespace

FixedKey MakeFixedKey(std::string_view name, uint8_t type, uint8_t seed_byte) {
  if (sodium_init() < 0) std::abort();
  FixedKey k;
  k.signer.name = std::string(name);
  k.signer.type = type;
  k.signer.seed.fill(seed_byte);
  VerifierKey vk = PublicKeyOf(k.signer);
  k.signer.key_id = KeyId(name, type, vk.public_key);
  vk.key_id = k.signer.key_id;
  k.verifier = vk;
  return k;
}

NodeReader MemoryNodeReader(const std::vector<Hash>* leaf_hashes) {
  return [leaf_hashes](std::span<const NodeId> nodes) -> Result<std::vector<Hash>> {
    std::vector<Hash> out;
    out.reserve(nodes.size());
    for (const NodeId& n : nodes) {
      if (n.level >= 63) return Status::InvalidArgument("node level too large");
      const uint64_t width = uint64_t{1} << n.level;
      if (n.index > (leaf_hashes->size() / width)) return Status::InvalidArgument("no node");
      const uint64_t begin = n.index * width;
      if (begin + width > leaf_hashes->size()) return Status::InvalidArgument("no node");
      out.push_back(RootFromLeafHashes(
          std::span<const Hash>(leaf_hashes->data() + begin, static_cast<size_t>(width))));
    }
    return out;
  };
}

const FixtureData& Fixture() {
  static const FixtureData* fixture = new FixtureData(Build());
  return *fixture;
}

}  // namespace fuzz
}  // namespace candor
