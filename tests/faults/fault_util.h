// Fault-injection test support: child processes with extra environment
// variables (LD_PRELOAD of the failing-fsync shim), small tmpfs mounts for
// "disk full", a ballast file that fills them, /proc RSS, raw HTTP over a
// socket, and the cycle count of the long run (CANDOR_FAULT_CYCLES).
//
// Thread-safety: a FaultProcess or Tmpfs is owned by one thread; the free
// functions are thread-safe.
#ifndef CANDOR_TESTS_FAULTS_FAULT_UTIL_H_
#define CANDOR_TESTS_FAULTS_FAULT_UTIL_H_

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace candor::faults {

// Cycles of each fault loop: CANDOR_FAULT_CYCLES, else `short_run` (the
// normal suite). The documented long run is CANDOR_FAULT_CYCLES=200.
inline int FaultCycles(int short_run) {
  const char* env = std::getenv("CANDOR_FAULT_CYCLES");
  if (env == nullptr) return short_run;
  int n = std::atoi(env);
  return n > 0 ? n : short_run;
}

// True when a missing capability (mount) must fail the test instead of
// skipping that part.
inline bool FaultsRequired() {
  const char* env = std::getenv("CANDOR_REQUIRE_FAULTS");
  return env != nullptr && std::string(env) == "1";
}

inline std::string ReadFileOr(const std::string& path, const std::string& fallback = "") {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fallback;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteFileOrDie(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(out.good());
}

// The last `n` bytes of a file (server logs in failure messages).
inline std::string Tail(const std::string& path, size_t n = 2000) {
  std::string s = ReadFileOr(path);
  return s.size() > n ? s.substr(s.size() - n) : s;
}

// Environment for children of sanitized test builds that get LD_PRELOAD: ASan
// insists on coming first in the library list unless told otherwise.
inline std::map<std::string, std::string> ShimEnv(const std::string& shim) {
  std::map<std::string, std::string> env;
  env["LD_PRELOAD"] = shim;
  const char* asan = std::getenv("ASAN_OPTIONS");
  env["ASAN_OPTIONS"] =
      std::string(asan ? asan : "") + (asan && *asan ? ":" : "") + "verify_asan_link_order=0";
  return env;
}

// A child process (fork + execve) with extra environment variables; output to
// `log_path` (appended). The destructor SIGKILLs a child still running.
class FaultProcess {
 public:
  FaultProcess(std::vector<std::string> argv, std::map<std::string, std::string> env,
               std::string log_path)
      : argv_(std::move(argv)), env_(std::move(env)), log_path_(std::move(log_path)) {}
  ~FaultProcess() {
    if (pid_ > 0) Kill(SIGKILL);
  }
  FaultProcess(const FaultProcess&) = delete;
  FaultProcess& operator=(const FaultProcess&) = delete;

  bool Start() {
    std::vector<std::string> envs;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv = *e;
      std::string key = kv.substr(0, kv.find('='));
      if (env_.count(key) == 0) envs.push_back(kv);
    }
    for (const auto& [k, v] : env_) envs.push_back(k + "=" + v);
    std::vector<char*> argp, envp;
    for (auto& a : argv_) argp.push_back(a.data());
    argp.push_back(nullptr);
    for (auto& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
      int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(fd);
      }
      ::execve(argp[0], argp.data(), envp.data());
      ::_exit(127);
    }
    pid_ = pid;
    return true;
  }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  int Kill(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }
  // Whether the child has exited by itself (reaps it).
  bool Exited(int* status = nullptr) {
    if (pid_ <= 0) return true;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      if (status) *status = st;
      return true;
    }
    return false;
  }

 private:
  std::vector<std::string> argv_;
  std::map<std::string, std::string> env_;
  std::string log_path_;
  pid_t pid_ = -1;
};

inline size_t FillDiskImpl(const std::string& path);

// A tmpfs of `size` mounted on a fresh directory `path` (unmounted, lazily, by
// the destructor). ok() is false if mounting is not permitted; error() says why.
class Tmpfs {
 public:
  Tmpfs(const std::string& path, const std::string& size) : path_(path) {
    ::mkdir(path.c_str(), 0755);
    std::string opts = "size=" + size + ",mode=0755";
    if (::mount("tmpfs", path.c_str(), "tmpfs", 0, opts.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::string("mount -t tmpfs -o ") + opts + " " + path + ": " + std::strerror(errno);
    }
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;
  // Changes the size limit of the mounted tmpfs (mount -o remount,size=...).
  bool Resize(uint64_t bytes) {
    std::string opts = "size=" + std::to_string(bytes) + ",mode=0755";
    return ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, opts.c_str()) == 0;
  }
  // Bytes in use (statvfs).
  uint64_t Used() const {
    struct statvfs v {};
    if (::statvfs(path_.c_str(), &v) != 0) return 0;
    return (static_cast<uint64_t>(v.f_blocks) - v.f_bfree) * v.f_frsize;
  }
  // Makes the file system (nearly) full: shrinks the limit to what is used
  // plus a little, then fills the rest with `ballast`. Undo with Unfill().
  void Fill(const std::string& ballast) {
    Resize(Used() + (256 << 10));
    FillDiskImpl(ballast);
  }
  void Unfill(const std::string& ballast, uint64_t size) {
    ::unlink(ballast.c_str());
    Resize(size);
  }
  bool ok() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string error_;
  bool mounted_ = false;
};

// Fills the file system holding `path` (a new file) until ENOSPC. Returns the
// bytes written. Remove the file to free the space again.
inline size_t FillDiskImpl(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  std::string chunk(64 << 10, 'B');
  size_t total = 0;
  for (size_t step : {size_t{64} << 10, size_t{4096}, size_t{1}}) {
    while (true) {
      ssize_t n = ::write(fd, chunk.data(), step);
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  return total;
}

// VmRSS of a process in KiB (0 if unreadable).
inline long RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

// Number of threads of a process (0 if unreadable).
inline long ThreadCount(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atol(line.c_str() + 8);
  }
  return 0;
}

// A connected TCP socket to 127.0.0.1:port, or -1.
inline int Connect(int port, int recv_timeout_ms = 5000) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{recv_timeout_ms / 1000, (recv_timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool SendAll(int fd, std::string_view data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads until EOF, timeout or `max` bytes.
inline std::string RecvAll(int fd, size_t max = 1 << 20) {
  std::string out;
  char buf[4096];
  while (out.size() < max) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Sends raw bytes and returns whatever the server answers until it closes the
// connection or `timeout_ms` passes. (No half-close: cpp-httplib drops a
// request whose client has shut down its sending side.)
// Stops at the end of the first complete response (headers + Content-Length
// body): the servers keep connections alive after a 400.
inline std::string RawExchange(int port, std::string_view request, int timeout_ms = 5000) {
  int fd = Connect(port, timeout_ms);
  if (fd < 0) return "";
  SendAll(fd, request);
  std::string out;
  char buf[4096];
  while (out.size() < (1u << 20)) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    size_t end = out.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    std::string head = out.substr(0, end);
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t cl = head.find("\r\ncontent-length:");
    size_t body = cl == std::string::npos ? 0 : std::strtoul(head.c_str() + cl + 17, nullptr, 10);
    if (out.size() >= end + 4 + body) break;
  }
  ::close(fd);
  return out;
}

// The HTTP status of a response, or 0 if there is none.
inline int StatusOf(const std::string& response) {
  // "HTTP/1.1 200 OK"
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  return std::atoi(response.c_str() + 9);
}

}  // namespace candor::faults

#endif  // CANDOR_TESTS_FAULTS_FAULT_UTIL_H_
