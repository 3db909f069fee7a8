// candor-agent-fixture: test/bench-only tool that makes a complete, valid
// device setup for an existing image file, with throwaway keys:
//
//   candor-agent-fixture IMAGE OUTDIR [NOW]
//
// writes OUTDIR/policy (log, 2 witnesses, quorum 2, vendor for printer-x1,
// max-checkpoint-age 86400), OUTDIR/bundle (release at index 3 of a 5-entry
// log, checkpoint cosigned at NOW-60) and OUTDIR/agent.conf (state-dir
// OUTDIR/state, flash-target OUTDIR/flash.bin). The image is hashed streaming.
// Used by bench/agent_verify.sh. Links libsign: never installed on devices.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/merkle.h"
#include "candor/policy.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signer.h"

namespace {

using namespace candor;

int Die(const std::string& what) {
  std::fprintf(stderr, "candor-agent-fixture: %s\n", what.c_str());
  return 1;
}

bool Write(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  return out.good();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) return Die("usage: candor-agent-fixture IMAGE OUTDIR [NOW]");
  const std::string image = argv[1], dir = argv[2];
  uint64_t now = static_cast<uint64_t>(std::time(nullptr));
  if (argc == 4) {
    auto n = ParseDecimalU64(argv[3]);
    if (!n.ok()) return Die("bad NOW");
    now = *n;
  }

  FILE* f = std::fopen(image.c_str(), "rb");
  if (f == nullptr) return Die("cannot open " + image);
  Sha256 sha;
  uint64_t size = 0;
  std::vector<uint8_t> buf(1 << 16);
  for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;) {
    sha.Update(ByteView(buf.data(), n));
    size += n;
  }
  std::fclose(f);

  const std::string origin = "log.candor.example/bench";
  auto log = GenerateKey(origin);
  auto w1 = GenerateKey("witness-one.example", kKeyTypeCosignatureV1);
  auto w2 = GenerateKey("witness-two.example", kKeyTypeCosignatureV1);
  auto vendor = GenerateKey("acme.example/firmware");
  if (!log.ok() || !w1.ok() || !w2.ok() || !vendor.ok()) return Die("key generation failed");

  ManifestFields fields;
  fields.products = {"printer-x1"};
  fields.version = "1.0.0";
  fields.rollback = 1;
  fields.image_sha256 = sha.Final();
  fields.image_size = size;
  fields.issued = static_cast<int64_t>(now) - 3600;
  auto entry = CreateReleaseEntry(fields, "Benchmark release.\n", vendor->first);
  if (!entry.ok()) return Die(entry.status().ToString());

  std::vector<Bytes> entries;
  for (int i = 0; i < 5; ++i) {
    std::string s = "filler " + std::to_string(i);
    entries.emplace_back(s.begin(), s.end());
  }
  const uint64_t index = 3;
  entries[index] = *entry;
  std::vector<Hash> leaves;
  for (const Bytes& e : entries) leaves.push_back(LeafHash(e));
  NodeReader reader = [&](std::span<const NodeId> ids) -> Result<std::vector<Hash>> {
    std::vector<Hash> out;
    for (const NodeId& id : ids) {
      out.push_back(RootFromLeafHashes(
          std::span<const Hash>(leaves).subspan(id.index << id.level, uint64_t{1} << id.level)));
    }
    return out;
  };
  auto proof = ProveInclusion(index, leaves.size(), reader);
  if (!proof.ok()) return Die(proof.status().ToString());

  std::string body =
      FormatCheckpointBody(Checkpoint{origin, leaves.size(), RootFromLeafHashes(leaves), {}});
  const SignerKey* signers[] = {&log->first};
  auto note = SignNote(body, signers);
  if (!note.ok()) return Die(note.status().ToString());
  std::string checkpoint = *note;
  for (const auto* w : {&*w1, &*w2}) {
    auto sig = Cosign(w->first, body, now - 60);
    if (!sig.ok()) return Die(sig.status().ToString());
    checkpoint += FormatSignatureLine(*sig);
  }

  Bundle bundle{*entry, index, *proof, checkpoint};
  std::string policy =
      "log " + FormatVerifierKey(log->second) + "\n" + "witness w1 " +
      FormatVerifierKey(w1->second) + "\n" + "witness w2 " + FormatVerifierKey(w2->second) + "\n" +
      "group both all w1 w2\nquorum both\n" + "vendor " + FormatVerifierKey(vendor->second) +
      " printer-x1\n" + "max-checkpoint-age 86400\n";
  if (!ParseTrustPolicy(policy).ok()) return Die("generated policy does not parse");
  std::string config = "policy " + dir + "/policy\nproduct printer-x1\nstate-dir " + dir +
                       "/state\nflash-target " + dir + "/flash.bin\n";
  if (!Write(dir + "/policy", policy) || !Write(dir + "/bundle", FormatBundle(bundle)) ||
      !Write(dir + "/agent.conf", config)) {
    return Die("cannot write to " + dir);
  }
  return 0;
}
