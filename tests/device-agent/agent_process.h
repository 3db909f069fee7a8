// Test-only: runs the real candor-agent binary (CANDOR_AGENT_BIN) for a
// scratch device (agent_fixture.h), capturing its exit code, stdout and
// stderr, with the policy's split-view warning lines set apart.
//
// Thread-safety: single-threaded test use (fork + execv).
#ifndef CANDOR_TESTS_DEVICE_AGENT_AGENT_PROCESS_H_
#define CANDOR_TESTS_DEVICE_AGENT_AGENT_PROCESS_H_

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "agent_fixture.h"

namespace candor::agent::testing {

struct Run {
  int code = -1;
  std::string out, err;
  std::string warnings;  // "warning: ..." lines, taken out of err
};

// Moves "warning: " lines (the policy's split-view warning) out of `r.err`.
inline Run SplitWarnings(Run r) {
  std::string rest;
  size_t start = 0;
  while (start < r.err.size()) {
    size_t end = r.err.find('\n', start);
    end = end == std::string::npos ? r.err.size() : end + 1;
    const std::string line = r.err.substr(start, end - start);
    (line.starts_with("warning: ") ? r.warnings : rest) += line;
    start = end;
  }
  r.err = rest;
  return r;
}

inline Run RunAgent(const Device& d, std::vector<std::string> args) {
  const std::string out_path = d.Path("stdout"), err_path = d.Path("stderr");
  args.insert(args.begin(), CANDOR_AGENT_BIN);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return SplitWarnings(Run{WEXITSTATUS(status), ReadFileOr(out_path), ReadFileOr(err_path), {}});
}

}  // namespace candor::agent::testing

#endif  // CANDOR_TESTS_DEVICE_AGENT_AGENT_PROCESS_H_
