#include "candor/checkpoint.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "note_test_util.h"

namespace candor {
namespace {

using testutil::TestKey;

// The c2sp.org/tlog-checkpoint example.
constexpr std::string_view kSpecBody =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr std::string_view kSpecNote =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "— example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

TEST_CASE("ParseCheckpointBody: the tlog-checkpoint spec example") {
  auto cp = ParseCheckpointBody(kSpecBody);
  REQUIRE(cp.ok());
  CHECK(cp->origin == "example.com/behind-the-sofa");
  CHECK(cp->size == 20852163u);
  CHECK(HexEncode(cp->root_hash) ==
        "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
  CHECK(cp->extensions.empty());
  CHECK(FormatCheckpointBody(*cp) == kSpecBody);

  auto signed_cp = ParseSignedCheckpointUnverified(kSpecNote);
  REQUIRE(signed_cp.ok());
  CHECK(signed_cp->checkpoint == *cp);
  CHECK(signed_cp->body == kSpecBody);
  CHECK(signed_cp->note == kSpecNote);
  REQUIRE(signed_cp->signatures.size() == 1);
  CHECK(signed_cp->signatures[0].key_id == 0x033de0aeu);
}

TEST_CASE("Checkpoint bodies with extension lines and the empty tree") {
  const std::string body =
      "log.example/x\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\n— ext two\n";
  auto cp = ParseCheckpointBody(body);
  REQUIRE(cp.ok());
  CHECK(cp->size == 0);
  CHECK(cp->extensions == std::vector<std::string>{"ext one", "— ext two"});
  CHECK(FormatCheckpointBody(*cp) == body);
  Checkpoint big{"o", (uint64_t{1} << 63) - 1, Hash{}, {}};
  auto back = ParseCheckpointBody(FormatCheckpointBody(big));
  REQUIRE(back.ok());
  CHECK(*back == big);
}

TEST_CASE("ParseCheckpointBody refuses malformed bodies") {
  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  const std::string_view bad[] = {
      "",
      "origin\n",
      "origin\n5\n",
      "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",  // no final newline
      "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",      // empty origin
      "origin\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
      "origin\n+5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
      "origin\n-5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
      "origin\n5 \nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
      "origin\n\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
      "origin\n0x5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
      "origin\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
      "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",         // non-canonical
      "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",          // unpadded
      "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",             // short hash
      "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n",         // hash too long
      "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",       // empty extension
      "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\next\n",  // empty extension
      "origin\r\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
      "ori\tgin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
      "ori\xffgin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
  };
  for (std::string_view b : bad) {
    auto r = ParseCheckpointBody(b);
    CHECK_MESSAGE(!r.ok(), b);
    if (!r.ok()) CHECK_MESSAGE(r.status().code() == Code::kMalformed, b);
  }
}

struct Fixture {
  TestKey log = TestKey::Make("example.com/log", 1);
  std::string body = "example.com/log\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  std::string Signed(const TestKey& k) const { return body + "\n" + k.SigLine(body); }
};

TEST_CASE("VerifyCheckpoint accepts a checkpoint signed by the log key") {
  Fixture f;
  TestKey witness = TestKey::Make("witness.example/w", 2, kKeyTypeCosignatureV1);
  const std::string note = f.Signed(f.log) + FormatSignatureLine(witness.Cosig(f.body, 1234)) +
                           FormatSignatureLine(NoteSignature{"someone.else", 7, Bytes(64, 9)});
  auto cp = VerifyCheckpoint(note, f.log.vkey);
  REQUIRE(cp.ok());
  CHECK(cp->checkpoint.origin == "example.com/log");
  CHECK(cp->checkpoint.size == 42u);
  CHECK(cp->body == f.body);
  CHECK(cp->note == note);
  CHECK(cp->signatures.size() == 3);  // cosignatures kept for VerifyCosignatures
}

TEST_CASE("VerifyCheckpoint refusals") {
  Fixture f;
  const std::string good = f.Signed(f.log);
  {  // other key with the same name: its ID differs, so the log's signature is absent.
    TestKey other = TestKey::Make("example.com/log", 3);
    auto r = VerifyCheckpoint(f.Signed(other), f.log.vkey);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kUntrustedKey);
  }
  {  // tampered size
    std::string note = good;
    note.replace(note.find("\n42\n"), 4, "\n43\n");
    auto r = VerifyCheckpoint(note, f.log.vkey);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kBadSignature);
  }
  {  // wrong public key under the right name and ID
    VerifierKey wrong = f.log.vkey;
    wrong.public_key = TestKey::Make("x", 4).vkey.public_key;
    auto r = VerifyCheckpoint(good, wrong);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kBadSignature);
  }
  {  // origin differs from the key name
    TestKey k = TestKey::Make("example.com/other-name", 5);
    auto r = VerifyCheckpoint(f.Signed(k), k.vkey);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kMismatch);
    // ... which a policy naming that origin explicitly accepts (SHOULD, not MUST).
    CHECK(VerifyCheckpoint(f.Signed(k), k.vkey, "example.com/log").ok());
    CHECK(VerifyCheckpoint(good, f.log.vkey, "example.com/log2").status().code() ==
          Code::kMismatch);
  }
  {  // log key must be Ed25519
    VerifierKey cosig_key = f.log.vkey;
    cosig_key.type = kKeyTypeCosignatureV1;
    CHECK(VerifyCheckpoint(good, cosig_key).status().code() == Code::kInvalidArgument);
  }
  {  // signed, but the body is not a checkpoint
    Fixture g;
    g.body = "example.com/log\n42\n";
    auto r = VerifyCheckpoint(g.Signed(g.log), g.log.vkey);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kMalformed);
  }
  {  // trailing garbage after the signature block
    auto r = VerifyCheckpoint(good + "x", f.log.vkey);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kMalformed);
  }
  {  // duplicated log signature
    auto r = VerifyCheckpoint(good + f.log.SigLine(f.body), f.log.vkey);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kMalformed);
  }
}

TEST_CASE("VerifyCheckpoint with several keys for one log (rotation)") {
  Fixture f;
  TestKey next = TestKey::Make("example.com/log", 6);
  const VerifierKey both[] = {f.log.vkey, next.vkey};
  const std::string old_only = f.Signed(f.log);
  const std::string both_signed = old_only + next.SigLine(f.body);
  CHECK(VerifyCheckpoint(old_only, both, "example.com/log").ok());
  CHECK(VerifyCheckpoint(f.Signed(next), both, "example.com/log").ok());
  auto cp = VerifyCheckpoint(both_signed, both, "example.com/log");
  REQUIRE(cp.ok());
  CHECK(cp->signatures.size() == 2);
  // One bad signature among the trusted keys fails the checkpoint.
  std::string bad = both_signed;
  bad.replace(bad.size() - 10, 4, "AAAA");
  CHECK(VerifyCheckpoint(bad, both, "example.com/log").status().code() == Code::kBadSignature);
  CHECK(VerifyCheckpoint(old_only, std::span<const VerifierKey>(), "example.com/log")
            .status()
            .code() == Code::kInvalidArgument);
}

TEST_CASE("tlog-witness spec example: two log signatures, cosignature response lines") {
  // add-checkpoint request example: the same origin signed by two keys (same
  // name, different key IDs: not duplicates).
  const std::string note = std::string(kSpecNote) +
                           "— example.com/behind-the-sofa "
                           "opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/"
                           "V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";
  auto cp = ParseSignedCheckpointUnverified(note);
  REQUIRE(cp.ok());
  REQUIRE(cp->signatures.size() == 2);
  CHECK(cp->signatures[0].key_id == 0x033de0aeu);
  CHECK(cp->signatures[1].key_id == 0xa292ea05u);
  // Response example, concatenated to the checkpoint as the spec suggests.
  const std::string response =
      "— witness.example/w1 "
      "CMp+6LWBU0anHGH5aNDTJkH/"
      "gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==\n"
      "— witness.example/w1 "
      "I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO+DlkL0+"
      "UfzuOBMh9ChdMkP1vi/lCAsmlw==\n"
      "— witness.example/w2 "
      "AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/"
      "kWl7oJlqU3rXXvpysAdyP3wQ==\n";
  auto with_cosigs = ParseNote(note + response);
  REQUIRE(with_cosigs.ok());
  REQUIRE(with_cosigs->signatures.size() == 5);
  CHECK(with_cosigs->signatures[2].key_id == 0x08ca7ee8u);
  CHECK(with_cosigs->signatures[3].key_id == 0x23bac4a6u);
  CHECK(with_cosigs->signatures[4].key_id == 0x016ba2f1u);
  CHECK(with_cosigs->signatures[4].signature.size() == 72);
}

}  // namespace
}  // namespace candor
