// Real hardware-key backends for tests (docs/SIGNING.md): a SoftHSM2 token in
// a temporary directory (its own softhsm2.conf through SOFTHSM2_CONF) and
// OpenSSH's own ssh-agent on a socket in a temporary directory, started by
// the test and killed (by its pid) at the end.
//
// When softhsm2 or openssh-client is not installed the tests skip, unless
// CANDOR_REQUIRE_HSM=1 (CI, .ci/run): then a missing tool fails the test.
//
// Thread-safety: fixtures set process environment variables; use from the
// test's main thread only.
#ifndef CANDOR_TESTS_SUPPORT_SIGNER_FIXTURES_H_
#define CANDOR_TESTS_SUPPORT_SIGNER_FIXTURES_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

namespace candor::testing {

inline constexpr const char* kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";

// True when a missing backend tool must fail the test instead of skipping it.
inline bool HsmRequired() {
  const char* env = std::getenv("CANDOR_REQUIRE_HSM");
  return env != nullptr && std::string(env) == "1";
}

inline bool OnPath(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= p.size();) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    if (::access((p.substr(start, end - start) + "/" + tool).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

// Runs a shell command line; its exit status (-1 if it did not exit).
inline int Shell(const std::string& command) {
  int st = std::system(command.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// A SoftHSM2 token store in `dir`. available() is false (with why()) when
// SoftHSM is not installed.
class SoftHsm {
 public:
  explicit SoftHsm(const std::string& dir) : dir_(dir) {
    if (::access(kSoftHsmModule, R_OK) != 0 || !OnPath("softhsm2-util")) {
      why_ = "softhsm2 is not installed (module or softhsm2-util missing)";
      return;
    }
    std::filesystem::create_directories(dir_ + "/tokens");
    std::ofstream(dir_ + "/softhsm2.conf")
        << "directories.tokendir = " << dir_ << "/tokens\nobjectstore.backend = file\n"
        << "log.level = ERROR\nslots.removable = false\n";
    ::setenv("SOFTHSM2_CONF", (dir_ + "/softhsm2.conf").c_str(), 1);
    available_ = true;
  }

  bool available() const { return available_; }
  const std::string& why() const { return why_; }

  bool InitToken(const std::string& label, const std::string& pin) {
    return Shell("softhsm2-util --init-token --free --label '" + label + "' --pin '" + pin +
                 "' --so-pin 87654321 >/dev/null 2>&1") == 0;
  }

  // Imports a PKCS#8 PEM private key (e.g. from openssl genpkey) onto a token.
  bool Import(const std::string& token, const std::string& pin, const std::string& pem,
              const std::string& label, const std::string& id_hex) {
    return Shell("softhsm2-util --import '" + pem + "' --token '" + token + "' --label '" + label +
                 "' --id " + id_hex + " --pin '" + pin + "' >/dev/null 2>&1") == 0;
  }

 private:
  std::string dir_;
  bool available_ = false;
  std::string why_;
};

// OpenSSH's ssh-agent in the foreground (-D) on DIR/agent.sock; SSH_AUTH_SOCK
// is set to it while the fixture lives.
class SshAgent {
 public:
  explicit SshAgent(const std::string& dir) : socket_(dir + "/agent.sock") {
    if (!OnPath("ssh-agent") || !OnPath("ssh-add") || !OnPath("ssh-keygen")) {
      why_ = "openssh-client is not installed (ssh-agent, ssh-add or ssh-keygen missing)";
      return;
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      int null_fd = ::open("/dev/null", O_RDWR);
      if (null_fd >= 0) {
        ::dup2(null_fd, 1);
        ::dup2(null_fd, 2);
      }
      ::execlp("ssh-agent", "ssh-agent", "-D", "-a", socket_.c_str(), nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !std::filesystem::exists(socket_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!std::filesystem::exists(socket_)) {
      why_ = "ssh-agent did not create its socket";
      return;
    }
    ::setenv("SSH_AUTH_SOCK", socket_.c_str(), 1);
    available_ = true;
  }
  ~SshAgent() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
    ::unsetenv("SSH_AUTH_SOCK");
  }
  SshAgent(const SshAgent&) = delete;
  SshAgent& operator=(const SshAgent&) = delete;

  bool available() const { return available_; }
  const std::string& why() const { return why_; }
  const std::string& socket() const { return socket_; }

  // ssh-keygen -t TYPE -C COMMENT into PATH (no passphrase); true on success.
  static bool MakeKey(const std::string& path, const std::string& type,
                      const std::string& comment = "test") {
    return Shell("ssh-keygen -q -t " + type + " -N '' -C '" + comment + "' -f '" + path +
                 "' >/dev/null 2>&1") == 0;
  }
  // The fingerprint OpenSSH prints for PATH.pub ("SHA256:..."); "" on failure.
  static std::string Fingerprint(const std::string& path) {
    if (Shell("ssh-keygen -l -E sha256 -f '" + path + ".pub' > '" + path + ".fp' 2>/dev/null") !=
        0) {
      return "";
    }
    std::string bits, fp;
    std::ifstream(path + ".fp") >> bits >> fp;
    return fp;
  }
  bool Add(const std::string& key_path) {
    return Shell("ssh-add -q '" + key_path + "' >/dev/null 2>&1") == 0;
  }

 private:
  std::string socket_;
  pid_t pid_ = -1;
  bool available_ = false;
  std::string why_;
};

}  // namespace candor::testing

// In a test inside namespace candor: returns (skips) when `fixture` is not
// available, or fails when CANDOR_REQUIRE_HSM=1.
#define CANDOR_SKIP_UNLESS(fixture)                                                   \
  if (!(fixture).available()) {                                                       \
    if (testing::HsmRequired()) FAIL("CANDOR_REQUIRE_HSM=1 but " << (fixture).why()); \
    MESSAGE("SKIP: " << (fixture).why());                                             \
    return;                                                                           \
  }

#endif  // CANDOR_TESTS_SUPPORT_SIGNER_FIXTURES_H_
