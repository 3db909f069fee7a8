// Runs the Go interop helper (tests/interop/go, built from Debian's
// golang.org/x/mod) as a child process: arguments, stdin, exit code, stdout.
//
// Thread-safety: one call at a time per test (uses a temp file for stdin).
#ifndef CANDOR_TESTS_INTEROP_GO_RUNNER_H_
#define CANDOR_TESTS_INTEROP_GO_RUNNER_H_

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace candor::testing {

struct GoResult {
  int exit_code = -1;
  std::string out;
};

// REQUIRES: no argument contains a single quote (they are quoted for the shell).
inline GoResult RunGo(const std::vector<std::string>& args, const std::string& input) {
  char in_path[] = "/tmp/candor-go-interop-XXXXXX";
  const int fd = mkstemp(in_path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, input.data(), input.size()) == static_cast<ssize_t>(input.size()));
  close(fd);
  std::string cmd = "'" + std::string(CANDOR_GO_HELPER) + "'";
  for (const auto& a : args) {
    REQUIRE(a.find('\'') == std::string::npos);
    cmd += " '" + a + "'";
  }
  cmd += std::string(" < '") + in_path + "' 2>/dev/null";
  GoResult r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  unlink(in_path);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace candor::testing

#endif  // CANDOR_TESTS_INTEROP_GO_RUNNER_H_
