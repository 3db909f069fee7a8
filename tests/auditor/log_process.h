// Process-level helpers of the `candor audit` integration tests: the `candor`
// binary, and a real candor-log process on 127.0.0.1 (init, vendors, serve,
// POST /add, wait for a checkpoint). A log can be created from a copy of
// another's data directory before either serves: the same key, origin and
// vendors, so the two become a split view (a fork signed by the real key) as
// soon as they take different entries.
//
// Thread-safety: tests run single-threaded.
#ifndef CANDOR_TESTS_AUDITOR_LOG_PROCESS_H_
#define CANDOR_TESTS_AUDITOR_LOG_PROCESS_H_

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audit_test_util.h"
#include "candor/checkpoint.h"
#include "candor/http/http_client.h"
#include "support/subprocess.h"

#if defined(CANDOR_LOG_BINARY) && defined(CANDOR_CLI_BINARY)

namespace candor::audittest {

inline bool Contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

// Runs the `candor` binary; stdout only in `output`.
inline testing::CommandResult Candor(std::vector<std::string> args) {
  args.insert(args.begin(), CANDOR_CLI_BINARY);
  return testing::RunCommand(args, /*merge_stderr=*/false);
}

struct Log {
  TempDir tmp;
  int port = testing::PickFreePort();
  std::unique_ptr<testing::Subprocess> proc;
  std::string dir() const { return tmp / "data"; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

  // A new log (origin log.example/audit-it) accepting `vendors`, serving
  // unless told otherwise.
  explicit Log(const std::vector<SignerKey>& vendors, bool serve = true) {
    testing::CommandResult init = testing::RunCommand(
        {CANDOR_LOG_BINARY, "init", "--dir", dir(), "--origin", "log.example/audit-it"});
    REQUIRE_MESSAGE(init.exit_code == 0, init.output);
    for (const SignerKey& v : vendors) {
      std::string pub =
          tmp / (v.name.substr(0, v.name.find('/')) + std::to_string(v.key_id) + ".pub");
      WriteText(pub, FormatVerifierKey(PublicKeyOf(v)) + "\n");
      testing::CommandResult add =
          testing::RunCommand({CANDOR_LOG_BINARY, "vendors", "add", "--dir", dir(), pub});
      REQUIRE_MESSAGE(add.exit_code == 0, add.output);
    }
    if (serve) Serve();
  }
  // A log on a copy of `fork.original`'s data directory, not serving yet.
  // REQUIRES: the original does not serve yet (its files are at rest).
  struct ForkOf {
    const Log& original;
  };
  explicit Log(ForkOf fork) {
    const Log& original = fork.original;
    REQUIRE(original.proc == nullptr);
    std::error_code ec;
    std::filesystem::copy(original.dir(), dir(), std::filesystem::copy_options::recursive, ec);
    REQUIRE_MESSAGE(!ec, ec.message());
  }
  void Serve() {
    proc = std::make_unique<testing::Subprocess>(
        std::vector<std::string>{CANDOR_LOG_BINARY, "serve", "--dir", dir(), "--listen",
                                 "127.0.0.1:" + std::to_string(port), "--checkpoint-interval",
                                 "0.1", "--rate", "0"},
        tmp / "server.log");
    REQUIRE(proc->Start());
    REQUIRE(testing::WaitForHttp(port, "/checkpoint"));
  }
  uint64_t Add(const Bytes& entry) {
    auto c = HttpClient::Create(url());
    REQUIRE(c.ok());
    auto r = (*c)->Post("add", AsChars(entry));
    REQUIRE(r.ok());
    REQUIRE_MESSAGE(r->status == 200, r->body);
    return ParseDecimalU64(r->body.substr(0, r->body.size() - 1)).value();
  }
  // Waits until the published checkpoint covers `size` entries.
  void WaitFor(uint64_t size) {
    auto c = HttpClient::Create(url());
    for (int i = 0; i < 200; ++i) {
      auto r = (*c)->Get("checkpoint");
      if (r.ok() && r->status == 200) {
        auto cp = ParseSignedCheckpointUnverified(r->body);
        if (cp.ok() && cp->checkpoint.size >= size) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("checkpoint never reached size " << size);
  }
};

}  // namespace candor::audittest

#endif  // defined(CANDOR_LOG_BINARY) && defined(CANDOR_CLI_BINARY)

#endif  // CANDOR_TESTS_AUDITOR_LOG_PROCESS_H_
