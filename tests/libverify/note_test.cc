#include "candor/note.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "candor/ed25519.h"
#include "note_test_util.h"

namespace candor {
namespace {

using testutil::TestKey;

// From Go's golang.org/x/mod/sumdb/note tests (note_test.go / example_test.go).
constexpr std::string_view kPeterVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kEnochVkey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr std::string_view kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kPeterSig =
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr std::string_view kEnochSig =
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

std::string Msg(std::string_view text, std::string_view sigs) {
  return std::string(text) + "\n" + std::string(sigs);
}

VerifierKey Peter() { return ParseVerifierKey(kPeterVkey).value(); }
VerifierKey Enoch() { return ParseVerifierKey(kEnochVkey).value(); }

TEST_CASE("KeyId and verifier keys match Go's PeterNeumann example") {
  auto peter = ParseVerifierKey(kPeterVkey);
  REQUIRE(peter.ok());
  CHECK(peter->name == "PeterNeumann");
  CHECK(peter->key_id == 0xc74f20a3u);
  CHECK(peter->type == kKeyTypeEd25519);
  CHECK(KeyId("PeterNeumann", kKeyTypeEd25519, peter->public_key) == 0xc74f20a3u);
  CHECK(FormatVerifierKey(*peter) == kPeterVkey);
  auto enoch = ParseVerifierKey(kEnochVkey);
  REQUIRE(enoch.ok());
  CHECK(enoch->key_id == 0xaf0cfe78u);
  CHECK(FormatVerifierKey(*enoch) == kEnochVkey);
  // The same key material under type 0x04 has a different key ID (domain separation).
  CHECK(KeyId("PeterNeumann", kKeyTypeCosignatureV1, peter->public_key) != peter->key_id);
}

TEST_CASE("ParseVerifierKey refuses every substring and every single-byte mangling (as Go)") {
  std::string b(kPeterVkey);
  int refused = 0, tried = 0;
  for (size_t i = 0; i <= b.size(); ++i) {
    for (size_t j = i + 1; j <= b.size(); ++j) {
      if (i == 0 && j == b.size()) continue;
      ++tried;
      auto r = ParseVerifierKey(std::string_view(b).substr(i, j - i));
      if (!r.ok() && r.status().code() == Code::kMalformed) ++refused;
    }
  }
  CHECK(refused == tried);
  for (size_t i = 0; i < b.size(); ++i) {
    b[i]++;
    auto r = ParseVerifierKey(b);
    CHECK_MESSAGE(!r.ok(), b);
    b[i]--;
  }
}

TEST_CASE("ParseVerifierKey refuses malformed keys") {
  const std::string_view bad[] = {
      // Go's: wrong length key with adjusted key ID; unknown algorithm with adjusted ID.
      "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
      "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // upper-case hex
      "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // 7 digits
      "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // wrong ID
      "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n",
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX",  // non-canonical
      "PeterNeumann+c74f20a3+",
      "PeterNeumann+c74f20a3",
      "",
      "Peter\xffNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
  };
  for (std::string_view k : bad) {
    auto r = ParseVerifierKey(k);
    CHECK_MESSAGE(!r.ok(), k);
    if (!r.ok()) CHECK(r.status().code() == Code::kMalformed);
  }
}

TEST_CASE("IsValidKeyName follows the spec: non-empty, UTF-8, no Unicode space, no plus") {
  struct Case {
    std::string_view name;
    bool ok;
  };
  const Case cases[] = {
      {"example.com/log42", true},
      {"PeterNeumann", true},
      {"ключ/журнал", true},
      {"a—b", true},
      {"", false},
      {"a b", false},
      {"a+b", false},
      {"a\tb", false},
      {"a\nb", false},
      {"a\xC2\xA0"
       "b",
       false},  // U+00A0 no-break space
      {"a\xE3\x80\x80"
       "b",
       false},  // U+3000 ideographic space
      {"a\xE2\x80\x89"
       "b",
       false},  // U+2009 thin space
      {"a\xE2\x80\xA8"
       "b",
       false},  // U+2028 line separator
      {"a\xC2\x85"
       "b",
       false},  // U+0085 next line
      {"a\xff"
       "b",
       false},
      {"a\xC0\xAF", false},      // overlong '/'
      {"a\xED\xA0\x80", false},  // surrogate
      {"a\x01"
       "b",
       false},
  };
  for (const auto& c : cases) CHECK_MESSAGE(IsValidKeyName(c.name) == c.ok, c.name);
}

TEST_CASE("ParseNote and FormatNote round-trip Go's signed note") {
  const std::string msg = Msg(kText, std::string(kPeterSig) + std::string(kEnochSig));
  auto note = ParseNote(msg);
  REQUIRE(note.ok());
  CHECK(note->text == kText);
  REQUIRE(note->signatures.size() == 2);
  CHECK(note->signatures[0].name == "PeterNeumann");
  CHECK(note->signatures[0].key_id == 0xc74f20a3u);
  CHECK(note->signatures[0].signature.size() == 64);
  CHECK(note->signatures[1].name == "EnochRoot");
  CHECK(note->signatures[1].key_id == 0xaf0cfe78u);
  auto formatted = FormatNote(*note);
  REQUIRE(formatted.ok());
  CHECK(*formatted == msg);
}

TEST_CASE("ParseNote: the signed-note spec example, whose text contains a blank line") {
  const std::string msg =
      "Ognuno sta solo sul cuor della terra\n"
      "trafitto da un raggio di sole:\n"
      "\n"
      "ed è subito sera.\n"
      "\n"
      "— quasimodo.example/salvatore "
      "NnugSzTjtVAewIS+Z/iJhUPeFDkO/"
      "5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
  auto note = ParseNote(msg);
  REQUIRE(note.ok());
  CHECK(note->text ==
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito "
        "sera.\n");
  REQUIRE(note->signatures.size() == 1);
  CHECK(note->signatures[0].name == "quasimodo.example/salvatore");
  CHECK(note->signatures[0].key_id == 0x367ba04bu);
  // Its key is not published: verifying with any other key is "untrusted".
  const VerifierKey keys[] = {Peter()};
  auto v = VerifyNote(msg, keys);
  REQUIRE(!v.ok());
  CHECK(v.status().code() == Code::kUntrustedKey);
}

TEST_CASE("VerifyNote: known keys verify, unknown keys are ignored") {
  const std::string msg = Msg(kText, std::string(kPeterSig) + std::string(kEnochSig));
  {
    const VerifierKey keys[] = {Peter()};
    auto v = VerifyNote(msg, keys);
    REQUIRE(v.ok());
    CHECK(v->text == kText);
    REQUIRE(v->verified.size() == 1);
    CHECK(v->verified[0].key == Peter());
    CHECK(!v->verified[0].timestamp.has_value());
    CHECK(v->signatures.size() == 2);
  }
  {
    const VerifierKey keys[] = {Enoch(), Peter()};
    auto v = VerifyNote(msg, keys);
    REQUIRE(v.ok());
    REQUIRE(v->verified.size() == 2);
    CHECK(v->verified[0].key.name == "PeterNeumann");  // message order
    CHECK(v->verified[1].key.name == "EnochRoot");
  }
  {
    auto v = VerifyNote(msg, {});
    REQUIRE(!v.ok());
    CHECK(v.status().code() == Code::kUntrustedKey);
  }
  {
    // Same name, other key ID; same ID, other name: both unknown, so ignored.
    VerifierKey other_id = Peter();
    other_id.key_id ^= 1;
    VerifierKey other_name = Peter();
    other_name.name = "CarmenSandiego";
    const VerifierKey keys[] = {other_id, other_name};
    auto v = VerifyNote(msg, keys);
    REQUIRE(!v.ok());
    CHECK(v.status().code() == Code::kUntrustedKey);
  }
}

TEST_CASE("VerifyNote: a failing signature from a known key rejects the whole note") {
  const VerifierKey keys[] = {Peter()};
  // Go's test: insert "ABCD" into the base64 of Peter's signature.
  std::string tampered(kPeterSig);
  tampered.insert(60, "ABCD");
  auto v = VerifyNote(Msg(kText, tampered), keys);
  REQUIRE(!v.ok());
  CHECK(v.status().code() == Code::kBadSignature);

  // Right signature, other text.
  std::string text(kText);
  text[0] = 'i';
  v = VerifyNote(Msg(text, kPeterSig), keys);
  REQUIRE(!v.ok());
  CHECK(v.status().code() == Code::kBadSignature);

  // One good signature does not excuse a bad one from another known key.
  std::string enoch_bad(kEnochSig);
  enoch_bad.insert(60, "ABCD");
  const VerifierKey both[] = {Peter(), Enoch()};
  v = VerifyNote(Msg(kText, std::string(kPeterSig) + enoch_bad), both);
  REQUIRE(!v.ok());
  CHECK(v.status().code() == Code::kBadSignature);
  // ... but a bad signature from an unknown key is ignored.
  v = VerifyNote(Msg(kText, std::string(kPeterSig) + enoch_bad), keys);
  CHECK(v.ok());

  // Wrong key material under the right (name, ID): verification fails.
  VerifierKey wrong = Peter();
  wrong.public_key = Enoch().public_key;
  const VerifierKey wrong_keys[] = {wrong};
  v = VerifyNote(Msg(kText, kPeterSig), wrong_keys);
  REQUIRE(!v.ok());
  CHECK(v.status().code() == Code::kBadSignature);
}

TEST_CASE("VerifyNote: ambiguous known keys, listed-twice keys") {
  VerifierKey fake = Peter();
  fake.public_key = Enoch().public_key;
  const VerifierKey ambiguous[] = {Peter(), fake};
  CHECK(VerifyNote(Msg(kText, kPeterSig), ambiguous).status().code() == Code::kInvalidArgument);
  const VerifierKey twice[] = {Peter(), Peter()};
  auto v = VerifyNote(Msg(kText, kPeterSig), twice);
  REQUIRE(v.ok());
  CHECK(v->verified.size() == 1);
}

TEST_CASE("The LAST blank line separates text and signatures") {
  // A blank line between two signature lines makes the first one part of the text.
  const std::string msg = Msg(kText, std::string(kPeterSig) + "\n" + std::string(kEnochSig));
  auto note = ParseNote(msg);
  REQUIRE(note.ok());
  CHECK(note->text == std::string(kText) + "\n" + std::string(kPeterSig));
  REQUIRE(note->signatures.size() == 1);
  CHECK(note->signatures[0].name == "EnochRoot");
  const VerifierKey keys[] = {Peter(), Enoch()};
  CHECK(VerifyNote(msg, keys).status().code() == Code::kBadSignature);  // Enoch signed other text
}

TEST_CASE("ParseNote refuses malformed notes with the right code") {
  const std::string peter(kPeterSig);
  std::string truncated_b64 = peter;
  truncated_b64.erase(truncated_b64.size() - 3, 2);  // "M=" gone: length % 4 != 0
  std::string noncanonical = peter;  // last base64 char before '=' changed: trailing bits set
  noncanonical[noncanonical.size() - 3] = 'N';
  std::string bad_b64 = peter;
  bad_b64[20] = '!';
  struct Case {
    std::string name, msg;
    Code code;
  };
  const std::vector<Case> cases = {
      {"empty", "", Code::kMalformed},
      {"text only", std::string(kText), Code::kMalformed},
      {"no signature after blank line", std::string(kText) + "\n", Code::kMalformed},
      {"missing final newline", Msg(kText, peter.substr(0, peter.size() - 1)), Code::kMalformed},
      {"missing blank line", std::string(kText) + peter, Code::kMalformed},
      {"control char \\x01", "\x01" + Msg(kText, peter), Code::kMalformed},
      {"tab", "a\tb\n\n" + peter, Code::kMalformed},
      {"carriage return", "ab\r\n\n" + peter, Code::kMalformed},
      {"CRLF signature line", Msg(kText, peter.substr(0, peter.size() - 1) + "\r\n"),
       Code::kMalformed},
      {"NUL", std::string("a\0b\n\n", 5) + peter, Code::kMalformed},
      {"invalid UTF-8 \\xff", "\xff" + Msg(kText, peter), Code::kMalformed},
      {"overlong UTF-8", "\xC0\x80\n\n" + peter, Code::kMalformed},
      {"surrogate", "\xED\xA0\x80\n\n" + peter, Code::kMalformed},
      {"truncated UTF-8", std::string(kText) + "\xE2\x80\n\n" + peter, Code::kMalformed},
      {"name with space",
       Msg(kText,
           "— Bad Name "
           "x08go/ZJkuBS9UG/"
           "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"),
       Code::kMalformed},
      {"unexpected line", Msg(kText, peter + "Unexpected line.\n"), Code::kMalformed},
      {"trailing garbage", Msg(kText, peter + "garbage"), Code::kMalformed},
      {"truncated base64", Msg(kText, truncated_b64), Code::kMalformed},
      {"non-canonical base64", Msg(kText, noncanonical), Code::kMalformed},
      {"invalid base64", Msg(kText, bad_b64), Code::kMalformed},
      {"hyphen instead of em dash", Msg(kText, "-" + peter.substr(3)), Code::kMalformed},
      {"en dash", Msg(kText, "\xE2\x80\x93" + peter.substr(3)), Code::kMalformed},
      {"em dash without space", Msg(kText, "\xE2\x80\x94" + peter.substr(4)), Code::kMalformed},
      {"two spaces after dash", Msg(kText, "\xE2\x80\x94 " + peter.substr(3)), Code::kMalformed},
      {"no signature", Msg(kText, "— PeterNeumann\n"), Code::kMalformed},
      {"empty signature", Msg(kText, "— PeterNeumann \n"), Code::kMalformed},
      {"signature shorter than 5 bytes", Msg(kText, "— PeterNeumann AAAAAA==\n"), Code::kMalformed},
      {"trailing space", Msg(kText, peter.substr(0, peter.size() - 1) + " \n"), Code::kMalformed},
      {"duplicated signature", Msg(kText, peter + peter), Code::kMalformed},
      {"duplicated (name, ID) with other bytes",
       Msg(kText, peter + "— PeterNeumann x08go/ZJkuBS\n"), Code::kMalformed},
      {"oversized", Msg(std::string(kMaxNoteSize, 'a') + "\n", peter), Code::kTooLarge},
  };
  for (const auto& c : cases) {
    auto r = ParseNote(c.msg);
    CHECK_MESSAGE(!r.ok(), c.name);
    if (!r.ok()) CHECK_MESSAGE(r.status().code() == c.code, c.name);
    // VerifyNote parses first: same refusal.
    const VerifierKey keys[] = {Peter()};
    auto v = VerifyNote(c.msg, keys);
    CHECK_MESSAGE(!v.ok(), c.name);
    if (!v.ok()) CHECK_MESSAGE(v.status().code() == c.code, c.name);
  }
}

// n distinct signature lines from keys "w<i>" (random bytes: unknown signers).
std::string UnknownSigs(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    NoteSignature sig{"witness.example/w" + std::to_string(i), static_cast<uint32_t>(i),
                      Bytes(64, static_cast<uint8_t>(i))};
    out += FormatSignatureLine(sig);
  }
  return out;
}

TEST_CASE("Signature count: more than 16 accepted, up to kMaxNoteSignatures, then TooLarge") {
  const VerifierKey keys[] = {Peter()};
  for (size_t unknown : {size_t{16}, size_t{17}, size_t{40}, kMaxNoteSignatures - 1}) {
    auto v = VerifyNote(Msg(kText, UnknownSigs(unknown) + std::string(kPeterSig)), keys);
    CHECK_MESSAGE(v.ok(), unknown);
    if (v.ok()) CHECK(v->signatures.size() == unknown + 1);
  }
  auto v = VerifyNote(Msg(kText, UnknownSigs(kMaxNoteSignatures) + std::string(kPeterSig)), keys);
  REQUIRE(!v.ok());
  CHECK(v.status().code() == Code::kTooLarge);

  // 20 distinct known keys, all verified.
  std::vector<VerifierKey> known;
  std::string sigs;
  for (uint8_t i = 0; i < 20; ++i) {
    TestKey k = TestKey::Make("signer.example/" + std::to_string(i), i);
    known.push_back(k.vkey);
    sigs += k.SigLine(kText);
  }
  v = VerifyNote(Msg(kText, sigs), known);
  REQUIRE(v.ok());
  CHECK(v->verified.size() == 20);
}

TEST_CASE("VerifyNote verifies cosignature/v1 keys over the cosigned message") {
  TestKey w = TestKey::Make("witness.example/w1", 7, kKeyTypeCosignatureV1);
  const std::string body = "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  const std::string msg = Msg(body, FormatSignatureLine(w.Cosig(body, 1700000000)));
  const VerifierKey keys[] = {w.vkey};
  auto v = VerifyNote(msg, keys);
  REQUIRE(v.ok());
  REQUIRE(v->verified.size() == 1);
  REQUIRE(v->verified[0].timestamp.has_value());
  CHECK(*v->verified[0].timestamp == 1700000000u);
  // The same signature read as a plain Ed25519 note signature does not verify.
  VerifierKey as_ed = w.vkey;
  as_ed.type = kKeyTypeEd25519;
  const VerifierKey ed_keys[] = {as_ed};
  auto bad = VerifyNote(msg, ed_keys);
  REQUIRE(!bad.ok());
  CHECK(bad.status().code() == Code::kBadSignature);
}

TEST_CASE("ValidateNoteText and FormatNote refuse what ParseNote would refuse") {
  CHECK(ValidateNoteText("a\n").ok());
  CHECK(ValidateNoteText("\n").ok());
  CHECK(ValidateNoteText("a\n\nb\n").ok());
  CHECK(ValidateNoteText("").code() == Code::kMalformed);
  CHECK(ValidateNoteText("a").code() == Code::kMalformed);
  CHECK(ValidateNoteText("a\tb\n").code() == Code::kMalformed);
  CHECK(ValidateNoteText("\xff\n").code() == Code::kMalformed);
  CHECK(ValidateNoteText(std::string(kMaxNoteSize, '\n') + "\n").code() == Code::kTooLarge);

  Note n;
  n.text = std::string(kText);
  CHECK(FormatNote(n).status().code() == Code::kMalformed);  // no signatures
  n.signatures.push_back(NoteSignature{"a b", 1, Bytes(64)});
  CHECK(FormatNote(n).status().code() == Code::kMalformed);
  n.signatures[0].name = "ab";
  n.signatures.push_back(n.signatures[0]);
  CHECK(FormatNote(n).status().code() == Code::kMalformed);  // duplicate
  n.signatures.pop_back();
  n.signatures[0].signature.clear();
  CHECK(FormatNote(n).status().code() == Code::kMalformed);  // empty signature
  n.signatures[0].signature = Bytes(64, 1);
  auto ok = FormatNote(n);
  REQUIRE(ok.ok());
  auto back = ParseNote(*ok);
  REQUIRE(back.ok());
  CHECK(back->signatures == n.signatures);
  // A text ending in a blank line survives the round trip (split at the LAST blank line).
  n.text = "a\n\n";
  ok = FormatNote(n);
  REQUIRE(ok.ok());
  back = ParseNote(*ok);
  REQUIRE(back.ok());
  CHECK(back->text == "a\n\n");
}

TEST_CASE("Ed25519Verify checks lengths before crypto") {
  TestKey k = TestKey::Make("k", 1);
  Bytes sig = k.SignRaw("hi");
  CHECK(Ed25519Verify(k.vkey.public_key, AsBytes(std::string_view("hi")), sig));
  CHECK(!Ed25519Verify(k.vkey.public_key, AsBytes(std::string_view("ho")), sig));
  CHECK(
      !Ed25519Verify(ByteView(k.vkey.public_key).first(31), AsBytes(std::string_view("hi")), sig));
  CHECK(
      !Ed25519Verify(k.vkey.public_key, AsBytes(std::string_view("hi")), ByteView(sig).first(63)));
  sig[0] ^= 1;
  CHECK(!Ed25519Verify(k.vkey.public_key, AsBytes(std::string_view("hi")), sig));
}

}  // namespace
}  // namespace candor
