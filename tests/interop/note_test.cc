// Interop of Candor's signed notes, checkpoints and cosignatures with Go's
// golang.org/x/mod/sumdb/note (tests/interop/go/note.go), both directions.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/cosignature.h"
#include "candor/note.h"
#include "candor/signer.h"
#include "interop/go_runner.h"

namespace candor {
namespace {

using testing::RunGo;

constexpr std::string_view kText = "Candor interop note\nsecond line — with UTF-8: ключ\n";

TEST_CASE("Candor-generated key signs; Go verifies (note.Open)") {
  auto k = GenerateKey("candor.example/vendor");
  REQUIRE(k.ok());
  const SignerKey* signers[] = {&k->first};
  auto msg = SignNote(kText, signers);
  REQUIRE(msg.ok());
  auto r = RunGo({"note-verify", FormatVerifierKey(k->second)}, *msg);
  REQUIRE(r.exit_code == 0);
  char id[16];
  std::snprintf(id, sizeof id, "%08x", k->second.key_id);
  CHECK(r.out == std::string(kText) + "signed-by candor.example/vendor " + id + "\n");

  // Go refuses it with a tampered text and with another key.
  std::string tampered = *msg;
  tampered[0] = 'c';
  CHECK(RunGo({"note-verify", FormatVerifierKey(k->second)}, tampered).exit_code == 1);
  auto other = GenerateKey("candor.example/vendor");
  REQUIRE(other.ok());
  CHECK(RunGo({"note-verify", FormatVerifierKey(other->second)}, *msg).exit_code == 1);
}

TEST_CASE("Go-generated keys load in Candor; signatures verify both ways") {
  auto gen = RunGo({"note-genkey", "go.example/log"}, "");
  REQUIRE(gen.exit_code == 0);
  const size_t nl = gen.out.find('\n');
  REQUIRE(nl != std::string::npos);
  const std::string skey = gen.out.substr(0, nl);
  const std::string vkey = gen.out.substr(nl + 1, gen.out.size() - nl - 2);
  auto sk = ParseSignerKey(skey);
  REQUIRE(sk.ok());
  auto vk = ParseVerifierKey(vkey);
  REQUIRE(vk.ok());
  CHECK(PublicKeyOf(*sk) == *vk);
  CHECK(FormatSignerKey(*sk) == skey);
  CHECK(FormatVerifierKey(*vk) == vkey);

  // Go signs, Candor verifies; and the two signers produce identical bytes.
  auto go_signed = RunGo({"note-sign", skey}, std::string(kText));
  REQUIRE(go_signed.exit_code == 0);
  const VerifierKey keys[] = {*vk};
  auto v = VerifyNote(go_signed.out, keys);
  REQUIRE(v.ok());
  CHECK(v->text == kText);
  const SignerKey* signers[] = {&*sk};
  auto candor_signed = SignNote(kText, signers);
  REQUIRE(candor_signed.ok());
  CHECK(*candor_signed == go_signed.out);
  // Candor signs with the Go key, Go verifies.
  CHECK(RunGo({"note-verify", vkey}, *candor_signed).exit_code == 0);
}

TEST_CASE("Candor-formatted private keys load in Go (note.NewSigner)") {
  auto k = GenerateKey("candor.example/ci");
  REQUIRE(k.ok());
  auto go_signed = RunGo({"note-sign", FormatSignerKey(k->first)}, std::string(kText));
  REQUIRE(go_signed.exit_code == 0);
  const SignerKey* signers[] = {&k->first};
  CHECK(SignNote(kText, signers).value() == go_signed.out);
}

TEST_CASE("Checkpoints signed by Candor verify in Go, and vice versa") {
  auto log = GenerateKey("log.candor.example/firmware");
  REQUIRE(log.ok());
  const Checkpoint cp{
      "log.candor.example/firmware",
      123456789,
      ParseCheckpointBody("x\n0\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")->root_hash,
      {"ext"}};
  const std::string body = FormatCheckpointBody(cp);
  const SignerKey* signers[] = {&log->first};
  auto note = SignNote(body, signers);
  REQUIRE(note.ok());
  auto r = RunGo({"checkpoint-verify", FormatVerifierKey(log->second)}, *note);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "log.candor.example/firmware 123456789 " + HexEncode(cp.root_hash) + " 1\n");

  auto go_signed = RunGo({"note-sign", FormatSignerKey(log->first)}, body);
  REQUIRE(go_signed.exit_code == 0);
  auto verified = VerifyCheckpoint(go_signed.out, log->second);
  REQUIRE(verified.ok());
  CHECK(verified->checkpoint == cp);
}

TEST_CASE("Cosignatures: Candor's verify in an independent Go implementation, and back") {
  auto log = GenerateKey("log.candor.example/firmware");
  auto w1 = GenerateKey("witness.example/w1", kKeyTypeCosignatureV1);
  auto w2 = GenerateKey("witness.example/w2", kKeyTypeCosignatureV1);
  REQUIRE(log.ok());
  REQUIRE(w1.ok());
  REQUIRE(w2.ok());
  const std::string body =
      "log.candor.example/firmware\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  const SignerKey* signers[] = {&log->first};
  auto note = SignNote(body, signers);
  REQUIRE(note.ok());
  auto cosig = Cosign(w1->first, body, 1764115200);
  REQUIRE(cosig.ok());
  const std::string cosigned = *note + FormatSignatureLine(*cosig);

  // Go: x/mod's note.Open framing + crypto/ed25519 + the spec's message format.
  auto r = RunGo({"cosig-verify", FormatVerifierKey(w1->second)}, cosigned);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "1764115200\n");
  CHECK(RunGo({"cosig-verify", FormatVerifierKey(w2->second)}, cosigned).exit_code == 1);
  // The log's plain Ed25519 note verification still works with a cosignature present.
  CHECK(RunGo({"note-verify", FormatVerifierKey(log->second)}, cosigned).exit_code == 0);

  // Go adds w2's cosignature; Candor verifies both.
  auto go = RunGo({"cosig-sign", FormatSignerKey(w2->first), "1764115300"}, cosigned);
  REQUIRE(go.exit_code == 0);
  auto cp = VerifyCheckpoint(go.out, log->second);
  REQUIRE(cp.ok());
  const VerifierKey witnesses[] = {w1->second, w2->second};
  auto got = VerifyCosignatures(*cp, witnesses);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 2);
  CHECK((*got)[0].timestamp == 1764115200u);
  CHECK((*got)[1].timestamp == 1764115300u);
  // Byte-identical to Candor's own cosignature (Ed25519 is deterministic).
  auto mine = Cosign(w2->first, body, 1764115300);
  REQUIRE(mine.ok());
  CHECK(go.out == cosigned + FormatSignatureLine(*mine));
}

TEST_CASE("Go and Candor agree on accepting or refusing mutated notes") {
  auto k = GenerateKey("agree.example");
  REQUIRE(k.ok());
  const SignerKey* signers[] = {&k->first};
  const std::string good = SignNote(kText, signers).value();
  const std::string sig_line = good.substr(kText.size() + 1);
  struct Case {
    std::string name, msg;
    bool candor_accepts, go_accepts;  // they differ only where documented
  };
  std::vector<Case> cases = {
      {"good", good, true, true},
      {"no blank line", std::string(kText) + sig_line, false, false},
      {"missing final newline", good.substr(0, good.size() - 1), false, false},
      {"trailing garbage", good + "x", false, false},
      {"control character", "\x01" + good, false, false},
      {"invalid UTF-8", "\xff" + good, false, false},
      {"hyphen for em dash", std::string(kText) + "\n-" + sig_line.substr(3), false, false},
      {"unknown extra signer", good + "— other.example AAAAAQE=\n", true, true},
      {"17 unknown signers", good, true, true},
      // Divergence (documented in note.h): Go drops a duplicated signature
      // line; Candor refuses the note (fail closed, one canonical form).
      {"duplicated signature", good + sig_line, false, true},
  };
  for (int i = 0; i < 17; ++i) {
    cases[8].msg += "— w" + std::to_string(i) + ".example AAAAAQE=\n";
  }
  // Truncations and single-byte changes of the signature line.
  for (size_t cut : {size_t{1}, size_t{5}, size_t{40}}) {
    cases.push_back({"truncated by " + std::to_string(cut),
                     good.substr(0, good.size() - 1 - cut) + "\n", false, false});
  }
  const VerifierKey keys[] = {k->second};
  for (const auto& c : cases) {
    const bool candor = VerifyNote(c.msg, keys).ok();
    const bool go = RunGo({"note-verify", FormatVerifierKey(k->second)}, c.msg).exit_code == 0;
    CHECK_MESSAGE(candor == c.candor_accepts, c.name);
    CHECK_MESSAGE(go == c.go_accepts, c.name);
  }
}

}  // namespace
}  // namespace candor
