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
  std::unique_ptr<testing::Subprocess> log;
  int log_port = 0;
  for (int attempt = 0; attempt < 5 && !log; ++attempt) {
    log_port = testing::PickFreePort();
    log = std::make_unique<testing::Subprocess>(
        std::vector<std::string>{CANDOR_LOG_BINARY, "serve", "--dir", log_dir,
                                 "--checkpoint-interval", "0.2", "--listen",
                                 "127.0.0.1:" + std::to_string(log_port)},
        dir / "log.out");
    REQUIRE(log->Start());
    if (!testing::WaitForHttp(log_port, "/checkpoint")) log.reset();
  }
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

}  // namespace
}  // namespace candor

#endif
