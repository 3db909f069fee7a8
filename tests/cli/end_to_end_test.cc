// End to end with the real servers on 127.0.0.1: candor keygen, candor-log
// init / vendors add / serve (with a candor-witness cosigning, when built and
// supported by the log), candor release create, candor publish, candor verify,
// including the device's refusals (unlogged release, rollback, equivocation).
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <memory>

#include "candor/consistency_proof.h"
#include "candor/http/http_client.h"
#include "cli/cli_test_util.h"
#include "support/subprocess.h"

#ifdef CANDOR_LOG_BINARY

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::FirstLine;
using clitest::ReadFile;
using clitest::Run;
using clitest::TempDir;
using clitest::Trim;
using clitest::WriteFile;
using testing::Subprocess;

const std::string kLog = CANDOR_LOG_BINARY;
#ifdef CANDOR_WITNESS_BINARY
const std::string kWitness = CANDOR_WITNESS_BINARY;
#else
const std::string kWitness;
#endif
const std::string kOrigin = "log.example/firmware";

// "new device state: tree size N root R" from a verify output.
std::pair<std::string, std::string> NewState(const std::string& out) {
  const std::string marker = "new device state: tree size ";
  size_t at = out.find(marker);
  REQUIRE(at != std::string::npos);
  size_t start = at + marker.size();
  size_t sp = out.find(' ', start);
  std::string size = out.substr(start, sp - start);
  size_t root_at = out.find("root ", sp) + 5;
  std::string root = out.substr(root_at, out.find('\n', root_at) - root_at);
  return {size, root};
}

TEST_CASE("end to end: keygen, log, witness, release create, publish, verify") {
  TempDir dir;
  auto run = [&](const std::vector<std::string>& args) {
    return clitest::RunProcess(args, dir.path());
  };

  // The log.
  Run init = run({kLog, "init", "--dir", dir / "log", "--origin", kOrigin});
  REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  const std::string log_vkey = Trim(ReadFile(dir / "log/log.pub"));

  // A witness, when available.
  std::unique_ptr<Subprocess> witness;
  std::string witness_vkey;
  int witness_port = 0;
  if (!kWitness.empty()) {
    Run w = run({kWitness, "init", "--dir", dir / "witness", "--name", "witness.example/w1"});
    REQUIRE_MESSAGE(w.exit_code == 0, w.err);
    witness_vkey = FirstLine(w.out);
    REQUIRE(run({kWitness, "logs", "add", "--dir", dir / "witness", "--origin", kOrigin, "--key",
                 log_vkey})
                .exit_code == 0);
    witness = testing::ServeOnFreePort({kWitness, "serve", "--dir", dir / "witness"},
                                       dir / "witness.out", "/", &witness_port);
    REQUIRE_MESSAGE(witness != nullptr, ReadFile(dir / "witness.out"));
  }

  // The vendor registers its key with the log operator.
  Run keygen = Candor(dir, {"keygen", "--name", "acme.example", "--out", dir / "vendor"});
  REQUIRE_MESSAGE(keygen.exit_code == 0, keygen.err);
  const std::string vendor_vkey = Trim(keygen.out);
  REQUIRE(run({kLog, "vendors", "add", "--dir", dir / "log", dir / "vendor.pub"}).exit_code == 0);
  // So do the holders of the trust root's root keys (published below).
  for (const std::string k : {"root1", "root2"}) {
    REQUIRE(Candor(dir, {"keygen", "--name", k + ".acme.example", "--out", dir / k}).exit_code ==
            0);
    REQUIRE(run({kLog, "vendors", "add", "--dir", dir / "log", dir / (k + ".pub")}).exit_code == 0);
  }

  // Serve the log, cosigned by the witness when the log supports it.
  int log_port = 0;
  std::unique_ptr<Subprocess> log;
  bool witnessed = false;
  if (witness) {
    WriteFile(dir / "log.policy", "log " + log_vkey + "\nwitness w1 " + witness_vkey +
                                      " http://127.0.0.1:" + std::to_string(witness_port) +
                                      "\nquorum w1\n");
    log = testing::ServeOnFreePort({kLog, "serve", "--dir", dir / "log", "--policy",
                                    dir / "log.policy", "--checkpoint-interval", "0.2"},
                                   dir / "log.out", "/checkpoint", &log_port);
    witnessed = log != nullptr;
    if (!witnessed) {
      std::string why = FirstLine(ReadFile(dir / "log.out"));
      MESSAGE("candor-log could not serve with a witness policy; continuing without: " << why);
    }
  }
  if (!log) {
    log = testing::ServeOnFreePort(
        {kLog, "serve", "--dir", dir / "log", "--checkpoint-interval", "0.2"}, dir / "log.out",
        "/checkpoint", &log_port);
  }
  REQUIRE_MESSAGE(log != nullptr, ReadFile(dir / "log.out"));
  const std::string url = "http://127.0.0.1:" + std::to_string(log_port);

  // The device's trust policy.
  std::string policy = "log " + log_vkey + "\n";
  if (witnessed) {
    policy += "witness w1 " + witness_vkey + "\nquorum w1\nmax-checkpoint-age 3600\n";
  } else {
    policy += "quorum none\n";
  }
  policy += "vendor " + vendor_vkey + " printer-x\n";
  WriteFile(dir / "trust.policy", policy);

  auto create = [&](const std::string& version, const std::string& rollback,
                    const std::string& image, const std::string& out,
                    std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "release",   "create",    "--key",       dir / "vendor.key",   "--product",
        "printer-x", "--version", version,       "--rollback",         rollback,
        "--image",   dir / image, "--changelog", dir / "CHANGELOG.md", "--out",
        dir / out};
    args.insert(args.end(), extra.begin(), extra.end());
    Run r = Candor(dir, args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  };
  auto verify = [&](const std::string& image, const std::string& bundle,
                    std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"verify",     "--policy",  dir / "trust.policy",
                                     "--image",    dir / image, "--bundle",
                                     dir / bundle, "--product", "printer-x"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Candor(dir, args);
  };

  // 2.4.0: create, publish, verify.
  clitest::WriteImage(dir / "fw-2.4.0.bin", 700000, 1);
  WriteFile(dir / "CHANGELOG.md", "# 2.4.0\n- colour profiles\n");
  create("2.4.0", "1", "fw-2.4.0.bin", "2.4.0.entry");
  Run pub = Candor(dir, {"publish", "--log", url, "--policy", dir / "trust.policy",
                         dir / "2.4.0.entry", "--out", dir / "2.4.0.bundle", "--timeout", "60"});
  REQUIRE_MESSAGE(pub.exit_code == 0, (pub.err + ReadFile(dir / "log.out")));
  CHECK(Contains(pub.out, "at index 0 of " + kOrigin));
  if (witnessed) CHECK(Contains(pub.out, "cosigned by w1"));
  Run ok = verify("fw-2.4.0.bin", "2.4.0.bundle");
  REQUIRE_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(FirstLine(ok.out) == "accepted: printer-x 2.4.0 by acme.example (rollback 1)");
  auto state = NewState(ok.out);

  // 2.4.1 discloses the cartridge block. Before it is logged the device has
  // no valid bundle: the old bundle does not describe this image.
  clitest::WriteImage(dir / "fw-2.4.1.bin", 700000, 2);
  WriteFile(dir / "CHANGELOG.md", "# 2.4.1\n- cartridge authentication\n");
  create("2.4.1", "2", "fw-2.4.1.bin", "2.4.1.entry",
         {"--disclose", "consumables.third-party=blocked,effective=2026-09-13"});
  Run early = verify("fw-2.4.1.bin", "2.4.0.bundle", {"--min-rollback", "1"});
  CHECK(early.exit_code == ExitCodeFor(Code::kMismatch));
  CHECK(FirstLine(early.err).starts_with("refused: "));

  // Published with the consistency proof file for devices that installed 2.4.0.
  pub = Candor(dir, {"publish", "--log", url, "--log-key", dir / "log/log.pub", "--policy",
                     dir / "trust.policy", dir / "2.4.1.entry", "--out", dir / "2.4.1.bundle",
                     "--timeout", "60", "--previous-bundle", dir / "2.4.0.bundle",
                     "--consistency-out", dir / "2.4.1.bundle.consistency"});
  REQUIRE_MESSAGE(pub.exit_code == 0, pub.err);
  CHECK(Contains(pub.out, "at index 1 of " + kOrigin));
  CHECK(Contains(pub.out, "consistency proofs from tree size(s) 1 written to"));
  const std::string proof_file = ReadFile(dir / "2.4.1.bundle.consistency");
  auto parsed_file = ParseConsistencyProofFile(proof_file);
  REQUIRE_MESSAGE(parsed_file.ok(), parsed_file.status().ToString());
  CHECK(parsed_file->origin == kOrigin);

  // A device at the 2.4.0 tree without the proof: refused with its own code.
  std::vector<std::string> seen = {"--min-rollback", "1",         "--state-size", state.first,
                                   "--state-root",   state.second};
  Run unproven = verify("fw-2.4.1.bin", "2.4.1.bundle", seen);
  CHECK(unproven.exit_code == ExitCodeFor(Code::kConsistencyRequired));
  CHECK(FirstLine(unproven.err).starts_with("refused: consistency proof required"));
  // With it, accepted.
  std::vector<std::string> with_proof = seen;
  with_proof.push_back("--consistency-proof");
  with_proof.push_back(dir / "2.4.1.bundle.consistency");
  Run ok2 = verify("fw-2.4.1.bin", "2.4.1.bundle", with_proof);
  REQUIRE_MESSAGE(ok2.exit_code == 0, ok2.err);
  CHECK(Contains(ok2.out, "! Third-party consumables: blocked (effective 2026-09-13)"));
  auto state2 = NewState(ok2.out);
  CHECK(state2.first == "2");

  // The log's endpoint answers the same hashes (hash lines) the file carries.
  auto http = HttpClient::Create(url);
  REQUIRE(http.ok());
  auto cons = (*http)->Get("candor/v1/consistency?from=" + state.first + "&to=" + state2.first);
  REQUIRE(cons.ok());
  REQUIRE_MESSAGE(cons->status == 200, cons->body);
  REQUIRE(parsed_file->Find(1) != nullptr);
  CHECK(cons->body == FormatProofHashLines(parsed_file->Find(1)->hashes));
  // A bad proof is a fork.
  ConsistencyProofFile bad = *parsed_file;
  bad.blocks[0].hashes[0][0] ^= 1;
  WriteFile(dir / "2.4.1.bundle.consistency", FormatConsistencyProofFile(bad));
  Run fork = verify("fw-2.4.1.bin", "2.4.1.bundle", with_proof);
  CHECK(fork.exit_code == ExitCodeFor(Code::kInconsistent));
  CHECK(FirstLine(fork.err).starts_with("refused: "));

  // The device has installed 2.4.1: 2.4.0 is now a rollback.
  Run back = verify("fw-2.4.0.bin", "2.4.0.bundle", {"--min-rollback", "2"});
  CHECK(back.exit_code == ExitCodeFor(Code::kRollback));

  // A silent 2.4.1 (same version, disclosure omitted) is signed but cannot be
  // logged: the log reports equivocation with the existing index.
  clitest::WriteImage(dir / "fw-silent.bin", 700000, 3);
  create("2.4.1", "2", "fw-silent.bin", "silent.entry");
  Run silent = Candor(dir, {"publish", "--log", url, "--policy", dir / "trust.policy",
                            dir / "silent.entry", "--out", dir / "silent.bundle"});
  CHECK(silent.exit_code == ExitCodeFor(Code::kConflict));
  CHECK_MESSAGE(Contains(silent.err, "already logged at index 1"), silent.err);
  CHECK(!clitest::Exists(dir / "silent.bundle"));
  // ...and without a bundle from the log the device refuses it.
  Run unlogged = verify("fw-silent.bin", "2.4.1.bundle", {"--min-rollback", "2"});
  CHECK(unlogged.exit_code == ExitCodeFor(Code::kMismatch));

  // Re-publishing the identical entry is idempotent (same index).
  Run again = Candor(dir, {"publish", "--log", url, "--policy", dir / "trust.policy",
                           dir / "2.4.0.entry", "--out", dir / "2.4.0-again.bundle"});
  CHECK_MESSAGE(again.exit_code == 0, again.err);
  CHECK(Contains(again.out, "at index 0 of"));

  // An unregistered vendor is refused by the log.
  REQUIRE(Candor(dir, {"keygen", "--name", "rogue.example", "--out", dir / "rogue"}).exit_code ==
          0);
  Run rogue_create =
      Candor(dir, {"release", "create", "--key", dir / "rogue.key", "--product", "printer-x",
                   "--version", "9.9", "--rollback", "99", "--image", dir / "fw-silent.bin",
                   "--changelog", dir / "CHANGELOG.md", "--out", dir / "rogue.entry"});
  REQUIRE(rogue_create.exit_code == 0);
  Run rogue = Candor(dir, {"publish", "--log", url, "--log-key", dir / "log/log.pub",
                           dir / "rogue.entry", "--out", dir / "rogue.bundle"});
  CHECK(rogue.exit_code == ExitCodeFor(Code::kUntrustedKey));
  CHECK(Contains(rogue.err, "HTTP 403"));

  // A trust root carrying the device policy: its root keys are registered
  // with the log like vendor keys (above), it is published like a release (the same
  // bundle format, the root note as the entry), and a device holding it
  // verifies firmware under its policy.
  auto create_root = [&](const std::string& threshold, const std::string& out) {
    Run r = clitest::CreateTrustRoot(dir, {dir / "root1.pub", dir / "root2.pub"}, threshold,
                                     dir / "trust.policy", dir / "root1.key", dir / out);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  };
  auto publish_root = [&](const std::string& root, const std::string& out) {
    return Candor(dir, {"publish", "--log", url, "--policy", dir / "trust.policy", dir / root,
                        "--out", dir / out, "--timeout", "60"});
  };
  create_root("2", "1.root");
  Run unsigned_root = publish_root("1.root", "1.root.bundle");  // 1 of 2 root signatures
  CHECK(unsigned_root.exit_code == ExitCodeFor(Code::kBadSignature));
  CHECK(!clitest::Exists(dir / "1.root.bundle"));
  REQUIRE(Candor(dir, {"trust", "sign", "--key", dir / "root2.key", dir / "1.root"}).exit_code ==
          0);
  Run root_pub = publish_root("1.root", "1.root.bundle");
  REQUIRE_MESSAGE(root_pub.exit_code == 0, root_pub.err);
  CHECK(Contains(root_pub.out,
                 "published: trust root acme.example/printers version 1 at index 2 of " + kOrigin));
  auto root_bundle = ParseBundle(ReadFile(dir / "1.root.bundle"));
  REQUIRE(root_bundle.ok());
  CHECK(AsChars(root_bundle->entry) == ReadFile(dir / "1.root"));
  CHECK(root_bundle->index == 2);
  // Published again: the same index. Another root for the same domain and
  // version: equivocation.
  Run root_again = publish_root("1.root", "1.root-again.bundle");
  CHECK_MESSAGE(root_again.exit_code == 0, root_again.err);
  CHECK(Contains(root_again.out, "at index 2 of"));
  create_root("1", "other.root");
  Run other_root = publish_root("other.root", "other.root.bundle");
  CHECK(other_root.exit_code == ExitCodeFor(Code::kConflict));
  CHECK_MESSAGE(Contains(other_root.err, "already logged at index 2"), other_root.err);
  CHECK(!clitest::Exists(dir / "other.root.bundle"));
  // The device holding the root accepts 2.4.1 under the root's policy.
  Run under_root = Candor(
      dir, {"verify", "--trust-root", dir / "1.root", "--image", dir / "fw-2.4.1.bin", "--bundle",
            dir / "2.4.1.bundle", "--product", "printer-x", "--min-rollback", "2"});
  CHECK_MESSAGE(under_root.exit_code == 0, under_root.err);
  CHECK(FirstLine(under_root.out) == "accepted: printer-x 2.4.1 by acme.example (rollback 2)");

  // Clean shutdown.
  int status = log->Stop();
  CHECK(WIFEXITED(status));
  if (witness) witness->Stop();
}

}  // namespace
}  // namespace candor

#endif  // CANDOR_LOG_BINARY
