// Process-level tests of `candor verify`: the device's offline verification.
// Bundles are built in-process for a one-entry log (no server needed); the
// end-to-end test covers bundles from a real log.
#include <doctest/doctest.h>

#include "candor/consistency_proof.h"
#include "candor/signer.h"
#include "cli/cli_test_util.h"

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::FirstLine;
using clitest::ReadFile;
using clitest::TempDir;
using clitest::WriteFile;

constexpr uint64_t kCosignTime = 1772366400;  // 2026-03-01T12:00:00Z

struct Setup {
  TempDir dir;
  SignerKey log_key;
  SignerKey witness_key;
  VerifierKey vendor_pub;

  Setup() {
    auto lk = GenerateKey("log.example/firmware");
    auto wk = GenerateKey("witness.example/w1", kKeyTypeCosignatureV1);
    REQUIRE(lk.ok());
    REQUIRE(wk.ok());
    log_key = lk->first;
    witness_key = wk->first;
    REQUIRE(Candor(dir, {"keygen", "--name", "acme.example", "--out", dir / "vendor"}).exit_code ==
            0);
    vendor_pub = clitest::ReadPub(dir / "vendor.pub");
    clitest::WriteImage(dir / "fw.bin", 300000);
    WriteFile(dir / "CHANGELOG.md", "# 2.4.1\n- blocks third-party cartridges\n");
    auto r = Candor(
        dir, {"release", "create", "--key", dir / "vendor.key", "--product", "printer-x",
              "--version", "2.4.1", "--rollback", "17", "--image", dir / "fw.bin", "--changelog",
              dir / "CHANGELOG.md", "--disclose",
              "consumables.third-party=blocked,effective=2026-09-13", "--out", dir / "r.entry"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    WritePolicy(FormatVerifierKey(vendor_pub));
    WriteFile(dir / "fw.bundle", clitest::MakeSingleEntryBundle(ReadFile(dir / "r.entry"), log_key,
                                                                {&witness_key}, kCosignTime));
  }

  void WritePolicy(const std::string& vendor_vkey, const std::string& extra = "") {
    WriteFile(dir / "trust.policy",
              "log " + FormatVerifierKey(PublicKeyOf(log_key)) + "\nwitness w1 " +
                  FormatVerifierKey(PublicKeyOf(witness_key)) + "\nquorum w1\nvendor " +
                  vendor_vkey + " printer-x\n" + extra);
  }

  clitest::Run Verify(std::vector<std::string> extra = {},
                      const std::string& bundle = "fw.bundle") {
    std::vector<std::string> args = {"verify",
                                     "--policy",
                                     dir / "trust.policy",
                                     "--image",
                                     dir / "fw.bin",
                                     "--bundle",
                                     dir / bundle,
                                     "--product",
                                     "printer-x",
                                     "--now",
                                     std::to_string(kCosignTime + 60)};
    args.insert(args.end(), extra.begin(), extra.end());
    return Candor(dir, args);
  }
};

TEST_CASE("verify accepts a logged, cosigned release and prints its disclosures") {
  Setup s;
  auto r = s.Verify();
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(FirstLine(r.out) == "accepted: printer-x 2.4.1 by acme.example (rollback 17)");
  CHECK(Contains(r.out, "logged at index 0 in log.example/firmware (tree size 1)"));
  CHECK(Contains(r.out, "cosigned by w1"));
  CHECK(Contains(r.out, "! Third-party consumables: blocked (effective 2026-09-13)"));
  CHECK(r.err.empty());
  // `quorum w1`: one colluding witness can split it, so one warning line.
  CHECK(r.warnings.starts_with("warning: policy quorum 'w1' cannot stop a split view"));
  CHECK(r.warnings.find('\n') == r.warnings.size() - 1);

  // The stored rollback counter may equal the release's.
  CHECK(s.Verify({"--min-rollback", "17"}).exit_code == 0);
}

TEST_CASE("verify refuses with one line and the reason's exit code") {
  struct Case {
    std::string name;
    Code code;
    std::string reason;  // expected in the refusal line
  };
  const Case cases[] = {
      {"tampered image", Code::kMismatch, ""},
      {"wrong product", Code::kMismatch, ""},
      {"rollback", Code::kRollback, ""},
      {"untrusted vendor", Code::kUntrustedKey, ""},
      {"not logged (entry is not the leaf)", Code::kNotIncluded, ""},
      {"no witness cosignature", Code::kPolicyUnsatisfied, ""},
      {"stale checkpoint", Code::kPolicyUnsatisfied, ""},
      {"forged log signature", Code::kUntrustedKey, ""},
      {"garbage bundle", Code::kMalformed, ""},
      {"missing bundle", Code::kNotFound, ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Setup s;
    std::vector<std::string> extra;
    std::string bundle = "fw.bundle";
    if (c.name == "tampered image") {
      std::string img = ReadFile(s.dir / "fw.bin");
      img[12345] ^= 0x40;
      WriteFile(s.dir / "fw.bin", img);
    } else if (c.name == "wrong product") {
      s.WritePolicy(FormatVerifierKey(s.vendor_pub) + " printer-y");
      // The policy now also trusts the vendor for printer-y; the image is not for it.
      auto r = Candor(s.dir, {"verify", "--policy", s.dir / "trust.policy", "--image",
                              s.dir / "fw.bin", "--bundle", s.dir / "fw.bundle", "--product",
                              "printer-y", "--now", std::to_string(kCosignTime + 60)});
      CHECK(r.exit_code == ExitCodeFor(c.code));
      CHECK(r.out.empty());
      CHECK(FirstLine(r.err).starts_with("refused: "));
      continue;
    } else if (c.name == "rollback") {
      extra = {"--min-rollback", "18"};
    } else if (c.name == "untrusted vendor") {
      auto other = GenerateKey("acme.example");
      REQUIRE(other.ok());
      s.WritePolicy(FormatVerifierKey(other->second));
    } else if (c.name == "not logged (entry is not the leaf)") {
      // A checkpoint over a different tree: the entry's inclusion fails.
      auto bundle_text = ReadFile(s.dir / "fw.bundle");
      std::string other_entry = ReadFile(s.dir / "r.entry");
      other_entry.back() = other_entry.back() == 'x' ? 'y' : 'x';
      Bundle b = ParseBundle(bundle_text).value();
      std::string other_bundle =
          clitest::MakeSingleEntryBundle(other_entry, s.log_key, {&s.witness_key}, kCosignTime);
      Bundle ob = ParseBundle(other_bundle).value();
      b.checkpoint_note = ob.checkpoint_note;
      WriteFile(s.dir / "nl.bundle", FormatBundle(b));
      bundle = "nl.bundle";
    } else if (c.name == "no witness cosignature") {
      WriteFile(s.dir / "nw.bundle",
                clitest::MakeSingleEntryBundle(ReadFile(s.dir / "r.entry"), s.log_key, {}, 0));
      bundle = "nw.bundle";
    } else if (c.name == "stale checkpoint") {
      s.WritePolicy(FormatVerifierKey(s.vendor_pub), "max-checkpoint-age 30\n");
    } else if (c.name == "forged log signature") {
      auto impostor = GenerateKey("log.example/firmware");
      REQUIRE(impostor.ok());
      WriteFile(s.dir / "f.bundle",
                clitest::MakeSingleEntryBundle(ReadFile(s.dir / "r.entry"), impostor->first,
                                               {&s.witness_key}, kCosignTime));
      bundle = "f.bundle";
    } else if (c.name == "garbage bundle") {
      WriteFile(s.dir / "g.bundle", "c2sp.org/tlog-proof@v1\ngarbage\n");
      bundle = "g.bundle";
    } else if (c.name == "missing bundle") {
      bundle = "absent.bundle";
    }
    auto r = s.Verify(extra, bundle);
    CHECK(r.exit_code == ExitCodeFor(c.code));
    CHECK(r.out.empty());
    CHECK_MESSAGE(FirstLine(r.err).starts_with("refused: "), r.err);
    CHECK(r.err.find('\n') == r.err.size() - 1);  // exactly one line
  }
}

// A trust root (candor trust create) carrying the Setup's policy, with root
// keys r1 and r2, threshold `threshold`, signed by r1 only.
void WriteTrustRoot(const Setup& s, const std::string& threshold) {
  for (const char* k : {"r1", "r2"}) {
    if (clitest::Exists(s.dir / (std::string(k) + ".key"))) continue;
    REQUIRE(
        Candor(s.dir, {"keygen", "--name", std::string(k) + ".acme.example", "--out", s.dir / k})
            .exit_code == 0);
  }
  auto r = clitest::CreateTrustRoot(s.dir, {s.dir / "r1.pub", s.dir / "r2.pub"}, threshold,
                                    s.dir / "trust.policy", s.dir / "r1.key", s.dir / "1.root");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE("verify --trust-root: the root's policy, if self-signed and not expired") {
  constexpr uint64_t kExpires = 4070908800;  // 2099-01-01T00:00:00Z
  struct Case {
    const char* name;
    std::string threshold;
    uint64_t now;
    int exit_code;
  } cases[] = {
      {"self-signed, current", "1", kCosignTime + 60, 0},
      {"one second before expiry", "1", kExpires - 1, 0},
      {"expired", "1", kExpires, ExitCodeFor(Code::kExpired)},
      {"short of its own threshold", "2", kCosignTime + 60, ExitCodeFor(Code::kBadSignature)},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Setup s;
    WriteTrustRoot(s, c.threshold);
    auto r = Candor(
        s.dir, {"verify", "--trust-root", s.dir / "1.root", "--image", s.dir / "fw.bin", "--bundle",
                s.dir / "fw.bundle", "--product", "printer-x", "--now", std::to_string(c.now)});
    CHECK_MESSAGE(r.exit_code == c.exit_code, r.err);
    if (c.exit_code == 0) {
      CHECK(FirstLine(r.out) == "accepted: printer-x 2.4.1 by acme.example (rollback 17)");
    } else {
      CHECK(r.out.empty());
      CHECK_MESSAGE(FirstLine(r.err).starts_with("refused: "), r.err);
      CHECK(r.err.find('\n') == r.err.size() - 1);
    }
  }
  // Exactly one of --policy and --trust-root.
  Setup s;
  WriteTrustRoot(s, "1");
  for (const std::vector<std::string>& trust :
       {std::vector<std::string>{},
        {"--policy", s.dir / "trust.policy", "--trust-root", s.dir / "1.root"}}) {
    std::vector<std::string> args = {"verify",   "--image",           s.dir / "fw.bin",
                                     "--bundle", s.dir / "fw.bundle", "--product",
                                     "printer-x"};
    args.insert(args.end(), trust.begin(), trust.end());
    auto r = Candor(s.dir, args);
    CHECK(r.exit_code == 1);
    CHECK(Contains(r.err, "exactly one of --policy and --trust-root"));
  }
  // A release entry is not a trust root.
  auto wrong =
      Candor(s.dir, {"verify", "--trust-root", s.dir / "r.entry", "--image", s.dir / "fw.bin",
                     "--bundle", s.dir / "fw.bundle", "--product", "printer-x"});
  CHECK(wrong.exit_code == ExitCodeFor(Code::kMalformed));
}

TEST_CASE("verify usage errors are not refusals") {
  Setup s;
  auto r = Candor(s.dir, {"verify", "--policy", s.dir / "trust.policy"});
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.err, "error: missing --image"));
  auto half = s.Verify({"--state-size", "1"});
  CHECK(half.exit_code == 1);
  auto bad_root = s.Verify({"--state-size", "1", "--state-root", "not base64"});
  CHECK(bad_root.exit_code == ExitCodeFor(Code::kInvalidArgument));
}

TEST_CASE("verify checks the device's last-seen tree") {
  Setup s;
  Bundle b = ParseBundle(ReadFile(s.dir / "fw.bundle")).value();
  Hash root = LeafHash(b.entry);
  // Same size, same root: accepted.
  auto same = s.Verify({"--state-size", "1", "--state-root", Base64Encode(root)});
  CHECK_MESSAGE(same.exit_code == 0, same.err);
  // Same size, different root: a fork.
  root[0] ^= 1;
  auto fork = s.Verify({"--state-size", "1", "--state-root", Base64Encode(root)});
  CHECK(fork.exit_code != 0);
  CHECK(FirstLine(fork.err).starts_with("refused: "));
  // The device has seen a bigger tree: the bundle's checkpoint is older.
  auto older = s.Verify({"--state-size", "5", "--state-root", Base64Encode(root)});
  CHECK(older.exit_code != 0);
  CHECK(FirstLine(older.err).starts_with("refused: "));
}

TEST_CASE("verify reads the consistency proof file strictly") {
  Setup s;
  Bundle b = ParseBundle(ReadFile(s.dir / "fw.bundle")).value();
  const std::string root = Base64Encode(LeafHash(b.entry));
  struct Case {
    const char* name;
    std::string text;
    int exit_code;
  } cases[] = {
      // The pre-v1 format (bare hash lines) is not a proof file.
      {"bare hash lines", Base64Encode(LeafHash(b.entry)) + "\n", ExitCodeFor(Code::kMalformed)},
      {"garbage", "garbage\n", ExitCodeFor(Code::kMalformed)},
      {"too large", std::string(kMaxConsistencyProofFileSize + 1, 'x'),
       ExitCodeFor(Code::kTooLarge)},
      // Well formed, for another size: at equal size no proof is needed.
      {"unused block",
       "candor-consistency-proof v1\norigin log.example/firmware\nfrom 1 to 2\n" +
           Base64Encode(LeafHash(b.entry)) + "\n",
       0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    WriteFile(s.dir / "proof", c.text);
    auto r = s.Verify(
        {"--state-size", "1", "--state-root", root, "--consistency-proof", s.dir / "proof"});
    CHECK_MESSAGE(r.exit_code == c.exit_code, r.err);
    if (c.exit_code != 0) CHECK(FirstLine(r.err).starts_with("refused: "));
  }
}

}  // namespace
}  // namespace candor
