#include "candor/signer.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/cosignature.h"
#include "candor/ed25519.h"
#include "candor/note.h"
#include "support/temp_dir.h"

namespace candor {
namespace {

using testing::TempDir;

Bytes Hex(std::string_view h) { return HexDecode(h).value(); }

// RFC 8032 §7.1 test vectors (secret key = 32-byte seed).
struct Rfc8032Vector {
  const char* id;
  const char* secret;
  const char* pub;
  std::string message;  // hex
  const char* signature;
};

const std::vector<Rfc8032Vector>& Rfc8032Vectors() {
  static const std::vector<Rfc8032Vector> v = {
      {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
       "f9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0"
       "f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
      {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
       "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
       "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f76098"
       "4dc6594a7c15e9716ed28dc027beceea1ec40a"},
      {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
       "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
       "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e"
       "9f77b1e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a"
       "1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550e"
       "e3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da9"
       "03401aa62100ab5d1a36553e06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefef"
       "d75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83"
       "f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532e"
       "d8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6"
       "079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c65adb7553878ad575f9"
       "fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b0707e0"
       "917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe80"
       "8b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2"
       "af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb751fb73e666c6c655ad"
       "e8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c"
       "4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310f"
       "dc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7"
       "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939"
       "ae49e488acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308a"
       "a342721aac0943bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f25"
       "6656168e6c496afc5fb93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba7"
       "7c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412"
       "c091c6315cf4fde7cb68606937380db2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86ab"
       "a41c0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
       "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c4"
       "36d94b5e8fcd4f681e30a6ac00a9704a188a03"},
      {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
       "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3"
       "feebbd454d4423643ce80e2a9ac94fa54ca49f",
       "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c664"
       "31e0303dca179c138ac17ad9bef1177331a704"},
  };
  return v;
}

TEST_CASE("RFC 8032 §7.1 Ed25519 test vectors through SignEd25519 / Ed25519Verify") {
  for (const auto& v : Rfc8032Vectors()) {
    INFO(v.id);
    SignerKey key;
    key.name = "rfc8032.example";
    const Bytes seed = Hex(v.secret);
    REQUIRE(seed.size() == 32);
    std::copy(seed.begin(), seed.end(), key.seed.begin());
    const Bytes msg = Hex(v.message);
    const VerifierKey pub = PublicKeyOf(key);
    CHECK(HexEncode(pub.public_key) == v.pub);
    const Bytes sig = SignEd25519(key, msg);
    CHECK(HexEncode(sig) == v.signature);
    CHECK(Ed25519Verify(Hex(v.pub), msg, Hex(v.signature)));
    Bytes flipped = Hex(v.signature);
    flipped[10] ^= 0x40;
    CHECK(!Ed25519Verify(Hex(v.pub), msg, flipped));
    Bytes other_msg = msg;
    other_msg.push_back(0);
    CHECK(!Ed25519Verify(Hex(v.pub), other_msg, Hex(v.signature)));
  }
  CHECK(Rfc8032Vectors()[3].message.size() == 2 * 1023);
}

// Go's golang.org/x/mod/sumdb/note example key and signed note.
constexpr std::string_view kPeterSkey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kPeterVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kPeterSigned =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

TEST_CASE("Go's PeterNeumann private key parses and signs exactly as Go does") {
  auto key = ParseSignerKey(kPeterSkey);
  REQUIRE(key.ok());
  CHECK(key->name == "PeterNeumann");
  CHECK(key->key_id == 0xc74f20a3u);
  CHECK(key->type == kKeyTypeEd25519);
  CHECK(FormatSignerKey(*key) == kPeterSkey);
  CHECK(FormatVerifierKey(PublicKeyOf(*key)) == kPeterVkey);
  const SignerKey* signers[] = {&*key};
  auto signed_note = SignNote(kText, signers);
  REQUIRE(signed_note.ok());
  CHECK(*signed_note == kPeterSigned);  // Ed25519 is deterministic
}

TEST_CASE("ParseSignerKey refuses every substring and every single-byte mangling (as Go)") {
  std::string b(kPeterSkey);
  int tried = 0, refused = 0;
  for (size_t i = 0; i <= b.size(); ++i) {
    for (size_t j = i + 1; j <= b.size(); ++j) {
      if (i == 0 && j == b.size()) continue;
      ++tried;
      if (!ParseSignerKey(std::string_view(b).substr(i, j - i)).ok()) ++refused;
    }
  }
  CHECK(refused == tried);
  for (size_t i = 0; i < b.size(); ++i) {
    b[i]++;
    CHECK_MESSAGE(!ParseSignerKey(b).ok(), b);
    b[i]--;
  }
  const std::string_view bad[] = {
      "private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
      "PRIVATE+KEY+PeterNeumann+C74F20A3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz\n",
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  // type 2
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDE=",  // 32 B
      "PRIVATE+KEY+PeterNeumann+c74f20a3+",
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // a public key
  };
  for (std::string_view k : bad) {
    auto r = ParseSignerKey(k);
    CHECK_MESSAGE(!r.ok(), k);
    if (!r.ok()) CHECK(r.status().code() == Code::kMalformed);
  }
}

TEST_CASE("GenerateKey") {
  auto a = GenerateKey("vendor.example/acme");
  REQUIRE(a.ok());
  auto b = GenerateKey("vendor.example/acme");
  REQUIRE(b.ok());
  CHECK(a->first.seed != b->first.seed);
  CHECK(a->second == PublicKeyOf(a->first));
  CHECK(a->second.key_id == KeyId("vendor.example/acme", kKeyTypeEd25519, a->second.public_key));
  auto reparsed = ParseVerifierKey(FormatVerifierKey(a->second));
  REQUIRE(reparsed.ok());
  CHECK(*reparsed == a->second);
  auto sk = ParseSignerKey(FormatSignerKey(a->first));
  REQUIRE(sk.ok());
  CHECK(sk->seed == a->first.seed);

  auto w = GenerateKey("witness.example/w", kKeyTypeCosignatureV1);
  REQUIRE(w.ok());
  CHECK(w->second.type == kKeyTypeCosignatureV1);
  CHECK(ParseSignerKey(FormatSignerKey(w->first)).ok());
  CHECK(ParseVerifierKey(FormatVerifierKey(w->second)).ok());

  CHECK(GenerateKey("bad name").status().code() == Code::kInvalidArgument);
  CHECK(GenerateKey("").status().code() == Code::kInvalidArgument);
  CHECK(GenerateKey("a+b").status().code() == Code::kInvalidArgument);
  CHECK(GenerateKey("ok", 0x02).status().code() == Code::kInvalidArgument);
}

TEST_CASE("SignNote with many signers; the verifier accepts more than 16 signatures") {
  std::vector<SignerKey> keys;
  std::vector<VerifierKey> vkeys;
  for (int i = 0; i < 20; ++i) {
    auto k = GenerateKey("signer.example/" + std::to_string(i));
    REQUIRE(k.ok());
    keys.push_back(k->first);
    vkeys.push_back(k->second);
  }
  std::vector<const SignerKey*> signers;
  for (const auto& k : keys) signers.push_back(&k);
  auto note = SignNote(kText, signers);
  REQUIRE(note.ok());
  auto v = VerifyNote(*note, vkeys);
  REQUIRE(v.ok());
  CHECK(v->verified.size() == 20);
  CHECK(v->text == kText);

  CHECK(SignNote("no newline", signers).status().code() == Code::kMalformed);
  CHECK(SignNote("tab\there\n", signers).status().code() == Code::kMalformed);
  CHECK(SignNote(kText, {}).status().code() == Code::kInvalidArgument);
  const SignerKey* twice[] = {&keys[0], &keys[0]};
  CHECK(SignNote(kText, twice).status().code() == Code::kInvalidArgument);
  auto w = GenerateKey("witness.example/w", kKeyTypeCosignatureV1);
  REQUIRE(w.ok());
  const SignerKey* cosigner[] = {&w->first};
  CHECK(SignNote(kText, cosigner).status().code() == Code::kInvalidArgument);
}

TEST_CASE("AddSignatures appends to an existing note") {
  auto peter = ParseSignerKey(kPeterSkey);
  REQUIRE(peter.ok());
  auto other = GenerateKey("other.example");
  REQUIRE(other.ok());
  const SignerKey* add[] = {&other->first};
  auto both = AddSignatures(kPeterSigned, add);
  REQUIRE(both.ok());
  CHECK(both->substr(0, kPeterSigned.size()) == kPeterSigned);
  const VerifierKey vkeys[] = {PublicKeyOf(*peter), other->second};
  auto v = VerifyNote(*both, vkeys);
  REQUIRE(v.ok());
  CHECK(v->verified.size() == 2);
  const SignerKey* again[] = {&*peter};
  CHECK(AddSignatures(kPeterSigned, again).status().code() == Code::kConflict);
  CHECK(AddSignatures(std::string(kPeterSigned) + "x", add).status().code() == Code::kMalformed);
}

TEST_CASE("Cosign produces cosignature/v1 signatures that libverify accepts") {
  auto log = GenerateKey("example.com/log");
  auto w = GenerateKey("witness.example/w1", kKeyTypeCosignatureV1);
  REQUIRE(log.ok());
  REQUIRE(w.ok());
  const std::string body = "example.com/log\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  const SignerKey* log_signer[] = {&log->first};
  auto note = SignNote(body, log_signer);
  REQUIRE(note.ok());
  auto cosig = Cosign(w->first, body, 1764115200);
  REQUIRE(cosig.ok());
  CHECK(cosig->signature.size() == kCosignatureV1Size);
  CHECK(ReadU64BE(cosig->signature.data()) == 1764115200u);
  auto ts = VerifyCosignature(w->second, body, *cosig);
  REQUIRE(ts.ok());
  CHECK(*ts == 1764115200u);

  const std::string cosigned = *note + FormatSignatureLine(*cosig);
  auto cp = VerifyCheckpoint(cosigned, log->second);
  REQUIRE(cp.ok());
  const VerifierKey witnesses[] = {w->second};
  auto got = VerifyCosignatures(*cp, witnesses);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 1);
  CHECK((*got)[0].timestamp == 1764115200u);

  CHECK(Cosign(log->first, body, 1).status().code() == Code::kInvalidArgument);
  CHECK(Cosign(w->first, body, uint64_t{1} << 63).status().code() == Code::kInvalidArgument);
  CHECK(Cosign(w->first, "no newline", 1).status().code() == Code::kInvalidArgument);
}

TEST_CASE("Private key files: 0600, no overwrite, refuse readable-by-others") {
  TempDir dir;
  auto k = GenerateKey("vendor.example/acme");
  REQUIRE(k.ok());
  const std::string path = dir / "vendor.key";
  REQUIRE(WritePrivateKeyFile(path, k->first).ok());
  struct stat sb;
  REQUIRE(stat(path.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  auto back = ReadPrivateKeyFile(path);
  REQUIRE(back.ok());
  CHECK(back->seed == k->first.seed);
  CHECK(back->name == k->first.name);
  CHECK(back->key_id == k->first.key_id);
  {
    std::ifstream in(path);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(content == FormatSignerKey(k->first) + "\n");
  }

  CHECK(WritePrivateKeyFile(path, k->first).code() == Code::kConflict);

  REQUIRE(chmod(path.c_str(), 0640) == 0);
  CHECK(ReadPrivateKeyFile(path).status().code() == Code::kPolicyUnsatisfied);
  REQUIRE(chmod(path.c_str(), 0604) == 0);
  CHECK(ReadPrivateKeyFile(path).status().code() == Code::kPolicyUnsatisfied);
  REQUIRE(chmod(path.c_str(), 0400) == 0);
  CHECK(ReadPrivateKeyFile(path).ok());

  CHECK(ReadPrivateKeyFile(dir / "absent").status().code() == Code::kNotFound);
  CHECK(ReadPrivateKeyFile(dir.path()).status().code() == Code::kIo);

  const std::string link = dir / "link.key";
  REQUIRE(symlink(path.c_str(), link.c_str()) == 0);
  CHECK(!ReadPrivateKeyFile(link).ok());  // O_NOFOLLOW
  CHECK(WritePrivateKeyFile(link, k->first).code() == Code::kConflict);

  auto write_file = [&](const std::string& name, const std::string& content) {
    const std::string p = dir / name;
    std::ofstream(p) << content;
    REQUIRE(chmod(p.c_str(), 0600) == 0);
    return p;
  };
  CHECK(ReadPrivateKeyFile(write_file("big.key", std::string(5000, 'A'))).status().code() ==
        Code::kTooLarge);
  CHECK(ReadPrivateKeyFile(write_file("garbage.key", "hello\n")).status().code() ==
        Code::kMalformed);
  CHECK(ReadPrivateKeyFile(write_file("two-newlines.key", FormatSignerKey(k->first) + "\n\n"))
            .status()
            .code() == Code::kMalformed);
  CHECK(ReadPrivateKeyFile(write_file("no-newline.key", FormatSignerKey(k->first))).ok());
  CHECK(WritePrivateKeyFile(dir / "no-such-dir/k", k->first).code() == Code::kIo);
}

}  // namespace
}  // namespace candor
