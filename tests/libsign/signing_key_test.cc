// The signer interface (candor/signing_key.h): the in-memory key backend, the
// verify-before-return defence against a backend that lies, OpenSigner's
// choices, and the ssh-agent wire parsers (candor/ssh_agent.h) on hostile
// input. The real PKCS#11 and ssh-agent backends are tested against SoftHSM2
// and OpenSSH's agent in tests/cli/signers_test.cc.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "candor/cosignature.h"
#include "candor/pkcs11_signer.h"
#include "candor/signing_key.h"
#include "candor/ssh_agent.h"
#include "support/temp_dir.h"

namespace candor {
namespace {

SignerKey NewKey(std::string_view name, uint8_t type = kKeyTypeEd25519) {
  auto pair = GenerateKey(name, type);
  REQUIRE(pair.ok());
  return pair->first;
}

// A backend that answers with what the test says instead of a signature of
// the message by its key.
class LyingSigner final : public Signer {
 public:
  enum class Lie { kFlippedBit, kOtherKey, kOtherMessage, kShort, kEmpty };
  LyingSigner(SignerKey key, Lie lie)
      : key_(std::move(key)), pub_(PublicKeyOf(key_)), lie_(lie), other_(NewKey(key_.name)) {}
  const VerifierKey& public_key() const override { return pub_; }

 protected:
  Result<Bytes> SignUnverified(ByteView message) const override {
    switch (lie_) {
      case Lie::kFlippedBit: {
        Bytes sig = SignEd25519(key_, message);
        sig[63] ^= 0x80;
        return sig;
      }
      case Lie::kOtherKey:
        return SignEd25519(other_, message);
      case Lie::kOtherMessage:
        return SignEd25519(key_, AsBytes("something else\n"));
      case Lie::kShort: {
        Bytes sig = SignEd25519(key_, message);
        sig.pop_back();
        return sig;
      }
      case Lie::kEmpty:
        return Bytes{};
    }
    return Bytes{};
  }

 private:
  SignerKey key_;
  VerifierKey pub_;
  Lie lie_;
  SignerKey other_;
};

TEST_CASE("a key signer signs notes exactly as the SignerKey functions do") {
  const SignerKey a = NewKey("a.example"), b = NewKey("b.example");
  auto sa = MakeKeySigner(a), sb = MakeKeySigner(b);
  CHECK(sa->public_key() == PublicKeyOf(a));
  const Signer* signers[] = {sa.get(), sb.get()};
  const SignerKey* keys[] = {&a, &b};
  auto via_signer = SignNote("hello\n", signers);
  auto via_keys = SignNote("hello\n", keys);
  REQUIRE(via_signer.ok());
  REQUIRE(via_keys.ok());
  CHECK(*via_signer == *via_keys);  // Ed25519 is deterministic
  const VerifierKey known[] = {PublicKeyOf(a), PublicKeyOf(b)};
  auto note = VerifyNote(*via_signer, known);
  REQUIRE(note.ok());
  CHECK(note->signatures.size() == 2);

  const Signer* one[] = {sa.get()};
  auto added = AddSignatures(*SignNote("hello\n", std::span<const Signer* const>(one)),
                             std::span<const Signer* const>(signers).subspan(1));
  REQUIRE(added.ok());
  CHECK(*added == *via_signer);
  CHECK(AddSignatures(*via_signer, one).status().code() == Code::kConflict);
  const Signer* twice[] = {sa.get(), sa.get()};
  CHECK(SignNote("hello\n", twice).status().code() == Code::kInvalidArgument);

  auto w = MakeKeySigner(NewKey("w.example", kKeyTypeCosignatureV1));
  const Signer* witness[] = {w.get()};
  CHECK(SignNote("hello\n", witness).status().code() == Code::kInvalidArgument);
  auto cosig = Cosign(*w, "origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", 1700000000);
  REQUIRE(cosig.ok());
  CHECK(VerifyCosignature(w->public_key(),
                          "origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", *cosig)
            .ok());
  CHECK(Cosign(*sa, "origin\n", 1).status().code() == Code::kInvalidArgument);
}

TEST_CASE("a backend's wrong signature never leaves Signer::Sign (attack: lying token/agent)") {
  using Lie = LyingSigner::Lie;
  for (Lie lie : {Lie::kFlippedBit, Lie::kOtherKey, Lie::kOtherMessage, Lie::kShort, Lie::kEmpty}) {
    CAPTURE(static_cast<int>(lie));
    LyingSigner liar(NewKey("vendor.example"), lie);
    CHECK(liar.Sign(AsBytes("text\n")).status().code() == Code::kBadSignature);
    const Signer* signers[] = {&liar};
    auto note = SignNote("text\n", signers);
    CHECK(note.status().code() == Code::kBadSignature);
    CHECK(note.status().message().find("does not verify") != std::string::npos);

    LyingSigner witness(NewKey("w.example", kKeyTypeCosignatureV1), lie);
    CHECK(Cosign(witness, "origin\n", 1).status().code() == Code::kBadSignature);
  }
}

TEST_CASE("OpenSigner: file keys by type; DescribeKeySpec hides a URI's query") {
  testing::TempDir dir;
  const SignerKey note_key = NewKey("v.example"), witness_key = NewKey("w.example", 4);
  REQUIRE(WritePrivateKeyFile(dir / "v.key", note_key).ok());
  REQUIRE(WritePrivateKeyFile(dir / "w.key", witness_key).ok());
  auto v = OpenSigner(dir / "v.key");
  REQUIRE(v.ok());
  CHECK((*v)->public_key() == PublicKeyOf(note_key));
  auto w = OpenSigner(dir / "w.key", {.key_type = kKeyTypeCosignatureV1});
  REQUIRE(w.ok());
  CHECK((*w)->public_key() == PublicKeyOf(witness_key));
  auto wrong = OpenSigner(dir / "w.key", {.role = "vendor key"});
  CHECK(wrong.status().code() == Code::kInvalidArgument);
  CHECK(wrong.status().message().find("not a vendor key") != std::string::npos);
  CHECK(OpenSigner(dir / "v.key", {.key_type = kKeyTypeCosignatureV1}).status().code() ==
        Code::kInvalidArgument);
  CHECK(OpenSigner(dir / "absent.key").status().code() == Code::kNotFound);

  CHECK(DescribeKeySpec("pkcs11:token=t;object=o?module-path=/m.so&pin-value=1234") ==
        "pkcs11:token=t;object=o");
  CHECK(DescribeKeySpec("ssh-agent:/k.pub") == "ssh-agent:/k.pub");
  CHECK(DescribeKeySpec("/k.key") == "/k.key");
}

TEST_CASE("OpenSigner refuses a PIN in a PKCS#11 URI and an unparsable URI before any module") {
  auto pin = OpenSigner("pkcs11:token=t?module-path=/nonexistent.so&pin-value=1234");
  CHECK(pin.status().code() == Code::kInvalidArgument);
  CHECK(pin.status().message().find("pin-value is refused") != std::string::npos);
  CHECK(pin.status().message().find("1234") == std::string::npos);
  CHECK(OpenSigner("pkcs11:token=%zz").status().code() == Code::kMalformed);
  CHECK(OpenSigner("pkcs11:token=t?module-path=/nonexistent.so").status().code() ==
        Code::kNotFound);
  CHECK(GeneratePkcs11Key("pkcs11:token=t;object=other?module-path=/nonexistent.so", "name", 1)
            .status()
            .code() == Code::kInvalidArgument);
}

Bytes Wire(std::initializer_list<std::string_view> strings, std::optional<uint32_t> count = {}) {
  Bytes out;
  if (count) AppendU32BE(out, *count);
  for (std::string_view s : strings) {
    AppendU32BE(out, static_cast<uint32_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  }
  return out;
}

std::string Str(const Bytes& b) { return std::string(AsChars(b)); }

TEST_CASE("ssh-agent wire parsers refuse malformed answers") {
  const std::array<uint8_t, 32> pk{1, 2, 3};
  const std::string blob = Str(SshEd25519KeyBlob(pk));
  auto ids = ParseSshAgentIdentities(Wire({blob, "comment", blob, ""}, 2));
  REQUIRE(ids.ok());
  CHECK(ids->size() == 2);
  CHECK(ids->at(0).comment == "comment");
  CHECK(ids->at(1).key_blob == SshEd25519KeyBlob(pk));

  struct Case {
    const char* name;
    Bytes body;
  };
  Bytes truncated = Wire({blob, "comment"}, 1);
  truncated.pop_back();
  Bytes trailing = Wire({blob, "c"}, 1);
  trailing.push_back(0);
  const Case bad_ids[] = {
      {"empty", {}},
      {"count beyond the body", Wire({blob, "c"}, 1000000)},
      {"truncated", truncated},
      {"trailing bytes", trailing},
      {"string longer than the body", Bytes{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff}},
  };
  for (const Case& c : bad_ids) {
    CAPTURE(c.name);
    CHECK(ParseSshAgentIdentities(c.body).status().code() == Code::kMalformed);
  }

  const std::string sig(64, 's');
  auto good = ParseSshAgentEd25519Signature(Wire({Str(Wire({"ssh-ed25519", sig}))}));
  REQUIRE(good.ok());
  CHECK(Str(*good) == sig);
  const Case bad_sigs[] = {
      {"rsa signature", Wire({Str(Wire({"rsa-sha2-256", sig}))})},
      {"short signature", Wire({Str(Wire({"ssh-ed25519", sig.substr(1)}))})},
      {"trailing in blob", Wire({Str(Wire({"ssh-ed25519", sig, "x"}))})},
      {"trailing after blob", Wire({Str(Wire({"ssh-ed25519", sig})), "x"})},
      {"empty", {}},
  };
  for (const Case& c : bad_sigs) {
    CAPTURE(c.name);
    CHECK(ParseSshAgentEd25519Signature(c.body).status().code() == Code::kMalformed);
  }
}

TEST_CASE("OpenSSH public key lines: Ed25519 only") {
  const std::array<uint8_t, 32> pk{9, 8, 7};
  const std::string line = "ssh-ed25519 " + Base64Encode(SshEd25519KeyBlob(pk)) + " someone@host\n";
  auto parsed = ParseSshEd25519PublicKey(line);
  REQUIRE(parsed.ok());
  CHECK(*parsed == pk);
  CHECK(ParseSshEd25519PublicKey("ecdsa-sha2-nistp256 AAAA x").status().code() ==
        Code::kInvalidArgument);
  CHECK(ParseSshEd25519PublicKey("ssh-rsa AAAA x").status().code() == Code::kInvalidArgument);
  CHECK(ParseSshEd25519PublicKey("garbage").status().code() == Code::kMalformed);
  CHECK(ParseSshEd25519PublicKey("ssh-ed25519 !!!").status().code() == Code::kMalformed);
  // The blob says another type than the line.
  const std::string mixed = "ssh-ed25519 " + Base64Encode(Wire({"ssh-rsa", "k"})) + " x";
  CHECK(ParseSshEd25519PublicKey(mixed).status().code() == Code::kMalformed);
}

TEST_CASE("ssh-agent: no SSH_AUTH_SOCK, or nothing listening, is a clear error") {
  testing::TempDir dir;
  const VerifierKey pub = PublicKeyOf(NewKey("acme.example"));
  { std::ofstream(dir / "v.pub") << FormatVerifierKey(pub) << "\n"; }
  const char* old = std::getenv("SSH_AUTH_SOCK");
  const std::string saved = old ? old : "";
  ::unsetenv("SSH_AUTH_SOCK");
  CHECK(OpenSigner("ssh-agent:" + (dir / "v.pub")).status().code() == Code::kInvalidArgument);
  ::setenv("SSH_AUTH_SOCK", (dir / "nothing.sock").c_str(), 1);
  CHECK(OpenSigner("ssh-agent:" + (dir / "v.pub")).status().code() == Code::kUnavailable);
  CHECK(OpenSigner("ssh-agent:" + (dir / "v.pub"), {.key_type = kKeyTypeCosignatureV1})
            .status()
            .code() == Code::kInvalidArgument);
  CHECK(OpenSigner("ssh-agent:" + (dir / "absent.pub")).status().code() == Code::kNotFound);
  if (old) {
    ::setenv("SSH_AUTH_SOCK", saved.c_str(), 1);
  } else {
    ::unsetenv("SSH_AUTH_SOCK");
  }
}

}  // namespace
}  // namespace candor
