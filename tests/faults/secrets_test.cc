// Secrets handling of the real candor-log and candor-witness: private key
// files are created mode 0600; the servers refuse to start with a key file
// readable or writable by group or others, or a symlinked one; the key
// material never appears in anything the programs print (init, serve, list,
// refusals).
//
// candor-agent holds no private key (its trust policy has public keys only),
// so it has nothing to check here.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "candor/log/storage.h"
#include "faults/fault_util.h"
#include "support/subprocess.h"
#include "transparency-log/log_test_util.h"

namespace candor {
namespace {

using faults::FaultProcess;
using testing::RunCommand;
using testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// The base64 of (type || seed) from a PRIVATE+KEY+... file: what must never leak.
std::string SecretOf(const std::string& key_file) {
  std::string text = faults::ReadFileOr(key_file);
  REQUIRE(text.rfind("PRIVATE+KEY+", 0) == 0);
  // PRIVATE+KEY+<name>+<8 hex>+<base64>: names contain no '+', base64 may.
  size_t name_end = text.find('+', 12);
  REQUIRE(name_end != std::string::npos);
  std::string b64 = text.substr(name_end + 10);
  while (!b64.empty() && b64.back() == '\n') b64.pop_back();
  REQUIRE(b64.size() == 44);
  return b64;
}

void CheckNoSecret(const std::string& output, const std::string& secret) {
  CHECK(output.find("PRIVATE+KEY") == std::string::npos);
  CHECK(output.find(secret) == std::string::npos);
  CHECK(output.find(secret.substr(4, 24)) == std::string::npos);  // no partial copy either
}

// Starts `argv` and returns its output after it exits or after `ms` (then SIGTERM).
std::string RunServerBriefly(const std::vector<std::string>& argv, const std::string& out, int ms,
                             int* exit_status) {
  ::unlink(out.c_str());
  FaultProcess p(argv, {}, out);
  REQUIRE(p.Start());
  *exit_status = -1;
  for (int i = 0; i < ms / 10; ++i) {
    int st = 0;
    if (p.Exited(&st)) {
      *exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      return faults::ReadFileOr(out);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  p.Kill(SIGTERM);
  return faults::ReadFileOr(out);
}

TEST_CASE("secrets: candor-log key file is 0600, never printed, refused when exposed") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/data";
  auto init = RunCommand({CANDOR_LOG_BINARY, "init", "--dir", dir, "--origin", "log.example/s"});
  REQUIRE_MESSAGE(init.exit_code == 0, init.output);
  const std::string key = dir + "/log.key";
  CHECK(ModeOf(key) == 0600);
  const std::string secret = SecretOf(key);
  CheckNoSecret(init.output, secret);
  CheckNoSecret(faults::ReadFileOr(dir + "/log.pub"), secret);
  CheckNoSecret(RunCommand({CANDOR_LOG_BINARY, "vendors", "list", "--dir", dir}).output, secret);

  const std::string out = tmp.path() + "/serve.out";
  auto serve = [&] {
    int port = testing::PickFreePort();
    int status = 0;
    std::string text = RunServerBriefly(
        {CANDOR_LOG_BINARY, "serve", "--dir", dir, "--listen", "127.0.0.1:" + std::to_string(port)},
        out, 3000, &status);
    return std::make_pair(status, text);
  };
  // Serving normally (then SIGTERM): nothing secret printed.
  auto [ok_status, ok_text] = serve();
  CHECK(ok_status == -1);  // still running after 3 s: started fine
  CheckNoSecret(ok_text, secret);

  for (mode_t bad : {mode_t{0640}, mode_t{0604}, mode_t{0660}, mode_t{0644}, mode_t{0602}}) {
    CAPTURE(bad);
    REQUIRE(::chmod(key.c_str(), bad) == 0);
    auto [status, text] = serve();
    CHECK(status > 0);  // refused to start
    CHECK(text.find("chmod 600") != std::string::npos);
    CheckNoSecret(text, secret);
  }
  REQUIRE(::chmod(key.c_str(), 0600) == 0);
  // A symlinked key file is refused too (O_NOFOLLOW).
  REQUIRE(::rename(key.c_str(), (tmp.path() + "/real.key").c_str()) == 0);
  REQUIRE(::symlink((tmp.path() + "/real.key").c_str(), key.c_str()) == 0);
  auto [link_status, link_text] = serve();
  CHECK(link_status > 0);
  CheckNoSecret(link_text, secret);
}

TEST_CASE("secrets: candor-witness key file is 0600, never printed, refused when exposed") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/w";
  auto init = RunCommand({CANDOR_WITNESS_BINARY, "init", "--dir", dir, "--name", "witness.test/s"});
  REQUIRE_MESSAGE(init.exit_code == 0, init.output);
  std::string key;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && faults::ReadFileOr(e.path().string()).rfind("PRIVATE+KEY+", 0) == 0)
      key = e.path();
  }
  REQUIRE(!key.empty());
  CHECK(ModeOf(key) == 0600);
  const std::string secret = SecretOf(key);
  CheckNoSecret(init.output, secret);
  CheckNoSecret(RunCommand({CANDOR_WITNESS_BINARY, "logs", "list", "--dir", dir}).output, secret);

  const std::string out = tmp.path() + "/serve.out";
  auto serve = [&] {
    int port = testing::PickFreePort();
    int status = 0;
    std::string text = RunServerBriefly({CANDOR_WITNESS_BINARY, "serve", "--dir", dir, "--listen",
                                         "127.0.0.1:" + std::to_string(port)},
                                        out, 3000, &status);
    return std::make_pair(status, text);
  };
  auto [ok_status, ok_text] = serve();
  CHECK(ok_status == -1);
  CheckNoSecret(ok_text, secret);
  for (mode_t bad : {mode_t{0640}, mode_t{0604}, mode_t{0644}}) {
    CAPTURE(bad);
    REQUIRE(::chmod(key.c_str(), bad) == 0);
    auto [status, text] = serve();
    CHECK(status > 0);
    CHECK(text.find("chmod 600") != std::string::npos);
    CheckNoSecret(text, secret);
  }
}

}  // namespace
}  // namespace candor
