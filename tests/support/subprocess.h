// Test support: start a server binary as a child process on 127.0.0.1 with a
// free port, wait until it answers HTTP, and stop it (SIGTERM, then SIGKILL).
//
// Usage:
//   auto port = PickFreePort();
//   Subprocess p({CANDOR_LOG_BINARY, "serve", "--dir", dir, "--listen",
//                 "127.0.0.1:" + std::to_string(port)});
//   REQUIRE(p.Start());
//   REQUIRE(WaitForHttp(port, "/checkpoint"));
//   ...
//   p.Kill(SIGKILL);   // or p.Stop() (SIGTERM, wait, then SIGKILL)
//
// stdout/stderr of the child go to `log_path` when given (else inherited).
// Thread-safety: a Subprocess is owned by one thread. The destructor stops the
// child if it is still running, so a failing REQUIRE never leaks a server.
#ifndef CANDOR_TESTS_SUPPORT_SUBPROCESS_H_
#define CANDOR_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace candor::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it,
// close). Racy by nature; callers retry on a bind failure if they care.
int PickFreePort();

class Subprocess {
 public:
  explicit Subprocess(std::vector<std::string> argv, std::string log_path = "");
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // fork + execv. Returns false if the fork failed or the process already runs.
  bool Start();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Sends `signal` and reaps the child. Returns its wait status.
  int Kill(int signal);
  // SIGTERM, waits up to `grace`, then SIGKILL. Returns the wait status.
  int Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // Waits for the child to exit by itself (up to `timeout`); the wait status,
  // or nullopt on timeout (the child keeps running).
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  std::vector<std::string> argv_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// Starts `argv` plus "--listen 127.0.0.1:<free port>" (a Candor server), and
// waits until it answers GET `probe`; retries a port race up to 5 times.
// The running process with *port set, or null if it never answered.
std::unique_ptr<Subprocess> ServeOnFreePort(std::vector<std::string> argv,
                                            const std::string& log_path, const std::string& probe,
                                            int* port);

// Polls GET http://127.0.0.1:<port><path> until any HTTP response arrives or
// `timeout` elapses. True if the server answered.
bool WaitForHttp(int port, const std::string& path = "/",
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// Polls the file at `path` (a server's output) until it contains `text` or
// `timeout` elapses. True if it did.
bool WaitForFileText(const std::string& path, const std::string& text,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// Runs a command to completion, capturing stdout (+stderr when `merge_stderr`).
// Returns the exit code (-1 if it did not exit normally) and the output.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunCommand(const std::vector<std::string>& argv, bool merge_stderr = true);

}  // namespace candor::testing

#endif  // CANDOR_TESTS_SUPPORT_SUBPROCESS_H_
