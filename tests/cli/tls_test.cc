// `candor publish` and `candor audit sync|watch` over HTTPS: real candor-log
// behind real nginx terminating TLS with the shipped configuration
// (examples/nginx/candor-tls.conf), certificates made with the openssl CLI
// (tests/support/tls_nginx.h). A valid chain with --ca-file works; the
// private CA without --ca-file, and an expired certificate, are refused with
// one line and exit 17 (`tls`), nothing written; plain http is refused for a
// host that is not loopback.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "support/subprocess.h"
#include "support/tls_nginx.h"

#ifdef CANDOR_LOG_BINARY

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::Exists;
using clitest::ReadFile;
using clitest::TempDir;
using clitest::WriteFile;

bool OneLine(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

TEST_CASE("publish and audit sync over HTTPS through nginx; certificate failures exit 17") {
  TempDir dir;
  auto run = [&](const std::vector<std::string>& args) {
    return clitest::RunProcess(args, dir.path());
  };
  clitest::MakeVendorRelease(dir);
  const std::string log_dir = dir / "log";
  REQUIRE(run({CANDOR_LOG_BINARY, "init", "--dir", log_dir, "--origin", "log.example/firmware"})
              .exit_code == 0);
  REQUIRE(
      run({CANDOR_LOG_BINARY, "vendors", "add", "--dir", log_dir, dir / "vendor.pub"}).exit_code ==
      0);
  int log_port = 0;
  auto log = testing::ServeOnFreePort(
      {CANDOR_LOG_BINARY, "serve", "--dir", log_dir, "--checkpoint-interval", "0.2"},
      dir / "log.out", "/checkpoint", &log_port);
  REQUIRE_MESSAGE(log != nullptr, ReadFile(dir / "log.out"));

  testing::TestPki pki(dir / "pki");
  REQUIRE(pki.ok());
  testing::TlsNginx good(dir / "nginx-good", pki, "good", log_port);
  REQUIRE_MESSAGE(good.Start(), good.ErrorLog());
  testing::TlsNginx expired(dir / "nginx-expired", pki, "expired", log_port);
  REQUIRE_MESSAGE(expired.Start(), expired.ErrorLog());
  const std::string log_pub = log_dir + "/log.pub";

  // Without --ca-file the private CA is unknown: exit 17, one line, no bundle.
  auto refused = Candor(dir, {"publish", "--log", good.url(), "--log-key", log_pub, dir / "r.entry",
                              "--out", dir / "fw.bundle", "--timeout", "10"});
  CHECK_MESSAGE(refused.exit_code == 17, refused.err);
  CHECK(OneLine(refused.err));
  CHECK_MESSAGE(Contains(refused.err, "unable to get local issuer certificate"), refused.err);
  CHECK(!Exists(dir / "fw.bundle"));

  // With it, publish works over HTTPS (POST /add, then the long-poll proof).
  auto published =
      Candor(dir, {"publish", "--log", good.url(), "--log-key", log_pub, dir / "r.entry", "--out",
                   dir / "fw.bundle", "--timeout", "30", "--ca-file", pki.ca()});
  REQUIRE_MESSAGE(published.exit_code == 0, published.err);
  CHECK(Exists(dir / "fw.bundle"));

  // audit sync over HTTPS.
  auto synced = Candor(dir, {"audit", "sync", "--log", good.url(), "--log-key", log_pub, "--dir",
                             dir / "mirror", "--ca-file", pki.ca()});
  CHECK_MESSAGE(synced.exit_code == 0, synced.err);
  CHECK_MESSAGE(Contains(synced.out, "synced 0 -> 1"), synced.out);

  // An expired certificate: exit 17 naming the reason; the mirror gets nothing.
  auto stale = Candor(dir, {"audit", "sync", "--log", expired.url(), "--log-key", log_pub, "--dir",
                            dir / "mirror2", "--ca-file", pki.ca()});
  CHECK_MESSAGE(stale.exit_code == 17, stale.err);
  CHECK(OneLine(stale.err));
  CHECK_MESSAGE(Contains(stale.err, "certificate has expired"), stale.err);
  CHECK(!Exists(dir / "mirror2/checkpoint"));
  auto watch = Candor(dir, {"audit", "watch", "--once", "--log", expired.url(), "--log-key",
                            log_pub, "--dir", dir / "mirror3", "--ca-file", pki.ca()});
  CHECK_MESSAGE(watch.exit_code == 17, watch.err);

  // Plain HTTP: still fine to the loopback log itself, refused elsewhere.
  auto plain =
      Candor(dir, {"audit", "sync", "--log", "http://127.0.0.1:" + std::to_string(log_port),
                   "--log-key", log_pub, "--dir", dir / "mirror4"});
  CHECK_MESSAGE(plain.exit_code == 0, plain.err);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"audit", "sync", "--log", "http://log.example.com", "--log-key", log_pub, "--dir",
            dir / "mirror5"},
           {"publish", "--log", "http://10.1.2.3:8080", "--log-key", log_pub, dir / "r.entry",
            "--out", dir / "fw2.bundle"},
           {"audit", "watch", "--once", "--log", good.url(), "--log-key", log_pub, "--dir",
            dir / "mirror6", "--ca-file", pki.ca(), "--webhook", "http://hooks.example/x"}}) {
    CAPTURE(args[0] + " " + args[1]);
    auto r = Candor(dir, args);
    CHECK(r.exit_code != 0);
    CHECK_MESSAGE(Contains(r.err, "use https://"), r.err);
  }
  CHECK(!Exists(dir / "fw2.bundle"));
}

#ifdef CANDOR_WITNESS_BINARY
TEST_CASE("candor-log's witness client over HTTPS: nginx in front of candor-witness, --ca-file") {
  TempDir dir;
  auto run = [&](const std::vector<std::string>& args) {
    return clitest::RunProcess(args, dir.path());
  };
  clitest::MakeVendorRelease(dir);
  const std::string origin = "log.example/firmware";
  const std::string log_dir = dir / "log";
  REQUIRE(run({CANDOR_LOG_BINARY, "init", "--dir", log_dir, "--origin", origin}).exit_code == 0);
  REQUIRE(
      run({CANDOR_LOG_BINARY, "vendors", "add", "--dir", log_dir, dir / "vendor.pub"}).exit_code ==
      0);
  std::string log_vkey = ReadFile(log_dir + "/log.pub");
  log_vkey.pop_back();
  auto w = run(
      {CANDOR_WITNESS_BINARY, "init", "--dir", dir / "witness", "--name", "witness.example/w1"});
  REQUIRE_MESSAGE(w.exit_code == 0, w.err);
  const std::string witness_vkey = w.out.substr(0, w.out.find('\n'));
  REQUIRE(run({CANDOR_WITNESS_BINARY, "logs", "add", "--dir", dir / "witness", "--origin", origin,
               "--key", log_vkey})
              .exit_code == 0);
  int witness_port = 0;
  auto witness =
      testing::ServeOnFreePort({CANDOR_WITNESS_BINARY, "serve", "--dir", dir / "witness"},
                               dir / "witness.out", "/", &witness_port);
  REQUIRE_MESSAGE(witness != nullptr, ReadFile(dir / "witness.out"));

  // nginx fronts the witness with the file's witness server block.
  testing::TestPki pki(dir / "pki");
  REQUIRE(pki.ok());
  testing::TlsNginx nginx(dir / "nginx", pki, "good", testing::PickFreePort());
  nginx.set_witness_upstream(witness_port);
  REQUIRE_MESSAGE(nginx.Start(), nginx.ErrorLog());
  WriteFile(dir / "log.policy", "log " + log_vkey + "\nwitness w1 " + witness_vkey + " " +
                                    nginx.witness_url() + "\nquorum w1\n");
  const std::string vendor = ReadFile(dir / "vendor.pub");
  WriteFile(dir / "device.policy", "log " + log_vkey + "\nwitness w1 " + witness_vkey +
                                       "\nquorum w1\nvendor " +
                                       vendor.substr(0, vendor.size() - 1) + " p1\n");
  auto publish = [&](int log_port, const std::string& out) {
    return Candor(dir,
                  {"publish", "--log", "http://127.0.0.1:" + std::to_string(log_port), "--policy",
                   dir / "device.policy", dir / "r.entry", "--out", dir / out, "--timeout", "30"});
  };

  SUBCASE("with --ca-file the log gets its cosignature over HTTPS") {
    int log_port = 0;
    auto log = testing::ServeOnFreePort(
        {CANDOR_LOG_BINARY, "serve", "--dir", log_dir, "--policy", dir / "log.policy",
         "--checkpoint-interval", "0.2", "--ca-file", pki.ca()},
        dir / "log.out", "/checkpoint", &log_port);
    REQUIRE_MESSAGE(log != nullptr, ReadFile(dir / "log.out"));
    auto r = publish(log_port, "fw.bundle");
    CHECK_MESSAGE(r.exit_code == 0, r.err << ReadFile(dir / "log.out"));
  }
  SUBCASE("without it the private CA is refused: no quorum, nothing published") {
    int log_port = 0;
    auto log = testing::ServeOnFreePort({CANDOR_LOG_BINARY, "serve", "--dir", log_dir, "--policy",
                                         dir / "log.policy", "--checkpoint-interval", "0.2"},
                                        dir / "log.out", "/checkpoint", &log_port);
    REQUIRE_MESSAGE(log != nullptr, ReadFile(dir / "log.out"));
    auto r = publish(log_port, "fw.bundle");
    CHECK_MESSAGE(r.exit_code == ExitCodeFor(Code::kPolicyUnsatisfied), r.err);
    CHECK(!Exists(dir / "fw.bundle"));
    // The log says why: the witness's certificate did not verify.
    CHECK_MESSAGE(Contains(ReadFile(dir / "log.out"), "w1: tls:"), ReadFile(dir / "log.out"));
  }
}
#endif

}  // namespace
}  // namespace candor

#endif
