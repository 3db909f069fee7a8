// The witness cosigning through a key that is not a file: OpenSSH's ssh-agent
// started by the test holds the Ed25519 key, and every cosignature/v1 line the
// witness answers verifies under its vkey (docs/SIGNING.md). Skips only when
// openssh-client is absent and CANDOR_REQUIRE_HSM is not 1.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "candor/cosignature.h"
#include "candor/signing_key.h"
#include "candor/ssh_agent.h"
#include "candor/witness/witness.h"
#include "candor/witness_protocol.h"
#include "support/signer_fixtures.h"
#include "support/witness_test_util.h"

namespace candor {
namespace {

constexpr uint64_t kNow = 1700000000;
const std::string kOrigin = "example.com/log";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST_CASE("witness: cosigns with a cosignature/v1 key held by ssh-agent") {
  testing::TempDir dir;
  testing::SshAgent agent(dir.path());
  CANDOR_SKIP_UNLESS(agent);
  REQUIRE(testing::SshAgent::MakeKey(dir / "w", "ed25519"));
  REQUIRE(agent.Add(dir / "w"));
  auto pk = ParseSshEd25519PublicKey(ReadAll(dir / "w.pub"));
  REQUIRE(pk.ok());
  const VerifierKey vkey = MakeVerifierKey("witness.test/w1", kKeyTypeCosignatureV1, *pk);
  std::ofstream(dir / "w1.vkey") << FormatVerifierKey(vkey) << "\n";

  auto signer = OpenSigner("ssh-agent:" + (dir / "w1.vkey"), {.key_type = kKeyTypeCosignatureV1});
  REQUIRE_MESSAGE(signer.ok(), signer.status().ToString());
  auto log_key = testing::NewKey(kOrigin, kKeyTypeEd25519);
  testing::TestLog log{kOrigin, log_key.first, 20};
  ::mkdir((dir / "state").c_str(), 0700);
  WitnessOptions options;
  options.clock = [] { return kNow; };
  auto w = Witness::Create(std::move(signer).value(), {{kOrigin, {log_key.second}}}, dir / "state",
                           options);
  REQUIRE(w.ok());
  CHECK((*w)->public_key() == vkey);

  for (auto [old_size, size] : {std::pair<uint64_t, uint64_t>{0, 5}, {5, 12}}) {
    AddCheckpointRequest r;
    r.old_size = old_size;
    if (old_size != 0) r.proof = log.Proof(old_size, size);
    r.checkpoint = log.SignedCheckpoint(size);
    AddCheckpointResult result = (*w)->AddCheckpoint(r);
    REQUIRE_MESSAGE(result.status.ok(), result.status.ToString());
    auto lines = ParseCosignatureLines(result.cosignatures);
    REQUIRE(lines.ok());
    REQUIRE(lines->size() == 1);
    auto ts = VerifyCosignature(vkey, log.Body(size), (*lines)[0]);
    REQUIRE_MESSAGE(ts.ok(), ts.status().ToString());
    CHECK(*ts == kNow);
  }
}

}  // namespace
}  // namespace candor
