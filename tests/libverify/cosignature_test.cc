#include "candor/cosignature.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "note_test_util.h"

namespace candor {
namespace {

using testutil::TestKey;

// The c2sp.org/tlog-cosignature example: a checkpoint with a cosignature.
constexpr std::string_view kSpecBody =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr std::string_view kSpecWitnessLine =
    "— witness.example.com/w1 "
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+"
    "mbIUBkBIfZ+qnA==\n";
constexpr std::string_view kSpecLogLine =
    "— example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

TEST_CASE("Spec example: timestamped_signature layout and the signed message") {
  const std::string note =
      std::string(kSpecBody) + "\n" + std::string(kSpecLogLine) + std::string(kSpecWitnessLine);
  auto parsed = ParseNote(note);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->signatures.size() == 2);
  const NoteSignature& w = parsed->signatures[1];
  CHECK(w.name == "witness.example.com/w1");
  CHECK(w.key_id == 0x8d66cf3fu);
  REQUIRE(w.signature.size() == kCosignatureV1Size);
  // The spec's signed-message example uses "time 1679315147": the signature's
  // first 8 bytes are that timestamp, big-endian.
  CHECK(ReadU64BE(w.signature.data()) == 1679315147u);
  CHECK(CosignedMessage(1679315147, kSpecBody) ==
        "cosignature/v1\n"
        "time 1679315147\n"
        "example.com/behind-the-sofa\n"
        "20852163\n"
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
  CHECK(CosignedMessage(0, "b\n") == "cosignature/v1\ntime 0\nb\n");
}

const std::string kBody = "example.com/log\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

TEST_CASE("VerifyCosignature") {
  TestKey w = TestKey::Make("witness.example/w1", 11, kKeyTypeCosignatureV1);
  NoteSignature sig = w.Cosig(kBody, 1700000000);
  auto ts = VerifyCosignature(w.vkey, kBody, sig);
  REQUIRE(ts.ok());
  CHECK(*ts == 1700000000u);
  CHECK(VerifyCosignature(w.vkey, kBody, w.Cosig(kBody, kMaxCosignatureTimestamp)).ok());

  struct Case {
    std::string name;
    NoteSignature sig;
    std::string body;
    Code code;
  };
  NoteSignature ts_changed = sig;
  ts_changed.signature[7] ^= 1;
  NoteSignature ed_changed = sig;
  ed_changed.signature[40] ^= 1;
  NoteSignature short_sig = sig;
  short_sig.signature.pop_back();
  NoteSignature long_sig = sig;
  long_sig.signature.push_back(0);
  NoteSignature wrong_id = sig;
  wrong_id.key_id ^= 1;
  NoteSignature wrong_name = sig;
  wrong_name.name = "witness.example/w2";
  NoteSignature plain_ed25519 = sig;  // an Ed25519 note signature over the body, no timestamp
  plain_ed25519.signature = w.SignRaw(kBody);
  const std::vector<Case> cases = {
      {"other body", sig, "example.com/log\n43\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
       Code::kBadSignature},
      {"timestamp changed", ts_changed, kBody, Code::kBadSignature},
      {"signature changed", ed_changed, kBody, Code::kBadSignature},
      {"71 bytes", short_sig, kBody, Code::kMalformed},
      {"73 bytes", long_sig, kBody, Code::kMalformed},
      {"plain Ed25519 signature", plain_ed25519, kBody, Code::kMalformed},
      {"timestamp 2^63", w.Cosig(kBody, uint64_t{1} << 63), kBody, Code::kMalformed},
      {"key ID", wrong_id, kBody, Code::kMismatch},
      {"name", wrong_name, kBody, Code::kMismatch},
  };
  for (const auto& c : cases) {
    auto r = VerifyCosignature(w.vkey, c.body, c.sig);
    CHECK_MESSAGE(!r.ok(), c.name);
    if (!r.ok()) CHECK_MESSAGE(r.status().code() == c.code, c.name);
  }
  // Signed by another key.
  TestKey other = TestKey::Make("witness.example/w1", 12, kKeyTypeCosignatureV1);
  NoteSignature forged = other.Cosig(kBody, 1700000000);
  forged.key_id = w.vkey.key_id;
  CHECK(VerifyCosignature(w.vkey, kBody, forged).status().code() == Code::kBadSignature);
  // A type 0x01 key is not a witness key.
  VerifierKey ed = w.vkey;
  ed.type = kKeyTypeEd25519;
  CHECK(VerifyCosignature(ed, kBody, sig).status().code() == Code::kInvalidArgument);
}

SignedCheckpoint MakeCheckpoint(std::vector<NoteSignature> sigs) {
  SignedCheckpoint cp;
  cp.checkpoint = ParseCheckpointBody(kBody).value();
  cp.body = kBody;
  cp.signatures = std::move(sigs);
  return cp;
}

TEST_CASE("VerifyCosignatures collects valid cosignatures from listed witnesses") {
  TestKey log = TestKey::Make("example.com/log", 1);
  TestKey w1 = TestKey::Make("witness.example/w1", 21, kKeyTypeCosignatureV1);
  TestKey w2 = TestKey::Make("witness.example/w2", 22, kKeyTypeCosignatureV1);
  TestKey w3 = TestKey::Make("witness.example/w3", 23, kKeyTypeCosignatureV1);
  TestKey unlisted = TestKey::Make("witness.example/w4", 24, kKeyTypeCosignatureV1);

  // End to end from a note: log signature + cosignatures, through VerifyCheckpoint.
  const std::string note =
      kBody + "\n" + log.SigLine(kBody) + FormatSignatureLine(w2.Cosig(kBody, 200)) +
      FormatSignatureLine(unlisted.Cosig(kBody, 400)) + FormatSignatureLine(w1.Cosig(kBody, 100));
  auto cp = VerifyCheckpoint(note, log.vkey);
  REQUIRE(cp.ok());
  const VerifierKey witnesses[] = {w1.vkey, w2.vkey, w3.vkey, w1.vkey};
  auto got = VerifyCosignatures(*cp, witnesses);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 2);  // w3 did not sign; w1 listed twice counts once
  CHECK((*got)[0].witness == w1.vkey);
  CHECK((*got)[0].timestamp == 100u);
  CHECK((*got)[1].witness == w2.vkey);
  CHECK((*got)[1].timestamp == 200u);

  // No witness signed: OK and empty (quorum is the policy's job).
  const VerifierKey only_w3[] = {w3.vkey};
  auto none = VerifyCosignatures(*cp, only_w3);
  REQUIRE(none.ok());
  CHECK(none->empty());

  // A bad cosignature from a listed witness fails the whole checkpoint.
  NoteSignature bad =
      w3.Cosig("example.com/log\n41\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", 300);
  auto with_bad = MakeCheckpoint({w1.Cosig(kBody, 100), bad});
  auto r = VerifyCosignatures(with_bad, witnesses);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == Code::kBadSignature);

  // The same witness twice on one checkpoint is refused.
  auto twice = MakeCheckpoint({w1.Cosig(kBody, 100), w1.Cosig(kBody, 101)});
  r = VerifyCosignatures(twice, witnesses);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == Code::kMalformed);
  // ... and a note carrying it does not even parse.
  const std::string dup_note = kBody + "\n" + log.SigLine(kBody) +
                               FormatSignatureLine(w1.Cosig(kBody, 100)) +
                               FormatSignatureLine(w1.Cosig(kBody, 101));
  CHECK(VerifyCheckpoint(dup_note, log.vkey).status().code() == Code::kMalformed);

  // Witness keys must be cosignature/v1 keys.
  const VerifierKey wrong_type[] = {log.vkey};
  CHECK(VerifyCosignatures(*cp, wrong_type).status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace candor
