// Test helpers for process-level tests of the `candor` binary: temporary
// directories, running a command with stdout and stderr captured separately,
// small file helpers, and building a valid bundle without a log server (a
// one-entry tree signed by a test log key and cosigned by a test witness).
//
// Thread-safety: tests run single-threaded.
#ifndef CANDOR_TESTS_CLI_CLI_TEST_UTIL_H_
#define CANDOR_TESTS_CLI_CLI_TEST_UTIL_H_

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/merkle.h"
#include "candor/note.h"
#include "candor/signer.h"
#include "support/temp_dir.h"

namespace candor::clitest {

// The binary under test; $CANDOR_CLI_BINARY overrides the built one (e.g. to
// run these tests against a sanitizer build of `candor`).
inline const std::string kCandor = std::getenv("CANDOR_CLI_BINARY") != nullptr
                                       ? std::getenv("CANDOR_CLI_BINARY")
                                       : CANDOR_CLI_BINARY;

using testing::TempDir;  // support/temp_dir.h

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  REQUIRE(out.good());
}

// `s` without its trailing newlines (a key line read from a .pub file or stdout).
inline std::string Trim(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

inline bool Exists(const std::string& path) { return std::filesystem::exists(path); }

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;       // stderr without "warning: " lines
  std::string warnings;  // the "warning: " lines (e.g. a policy's split-view warning)
};

// Runs argv[0] with argv, stdin from /dev/null, capturing stdout and stderr.
inline Run RunProcess(const std::vector<std::string>& argv, const std::string& scratch_dir) {
  Run r;
  std::string out_path = scratch_dir + "/.stdout";
  std::string err_path = scratch_dir + "/.stderr";
  std::vector<std::string> copy = argv;
  std::vector<char*> args;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out_path);
  const std::string err = ReadFile(err_path);
  for (size_t start = 0; start < err.size();) {
    size_t end = err.find('\n', start);
    end = end == std::string::npos ? err.size() : end + 1;
    (err.compare(start, 9, "warning: ") == 0 ? r.warnings : r.err) +=
        err.substr(start, end - start);
    start = end;
  }
  ::unlink(out_path.c_str());
  ::unlink(err_path.c_str());
  return r;
}

// Runs `candor <args...>` in `dir` (paths in args are absolute or made so by callers).
inline Run Candor(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), kCandor);
  return RunProcess(args, dir.path());
}

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

// Writes `size` deterministic pseudo-random bytes.
inline void WriteImage(const std::string& path, size_t size, uint32_t seed = 1) {
  std::string data(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : data) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  WriteFile(path, data);
}

// A vendor key (dir/vendor.key, .pub, name acme.example) and a release entry
// of product p1 version 1.0 (dir/r.entry) made with the real commands.
inline void MakeVendorRelease(const TempDir& dir) {
  REQUIRE(Candor(dir, {"keygen", "--name", "acme.example", "--out", dir / "vendor"}).exit_code ==
          0);
  WriteImage(dir / "fw.bin", 4096);
  WriteFile(dir / "CHANGELOG.md", "# 1.0\n");
  REQUIRE(Candor(dir, {"release", "create", "--key", dir / "vendor.key", "--product", "p1",
                       "--version", "1.0", "--rollback", "1", "--image", dir / "fw.bin",
                       "--changelog", dir / "CHANGELOG.md", "--out", dir / "r.entry"})
              .exit_code == 0);
}

// Reads the verifier key line from a .pub file.
inline VerifierKey ReadPub(const std::string& path) {
  std::string text = ReadFile(path);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  auto k = ParseVerifierKey(text);
  REQUIRE(k.ok());
  return *k;
}

// `candor trust create` in `dir`: version 1 of domain acme.example/printers,
// expiring 2099-01-01, with the root keys `roots` (.pub paths) and
// `threshold`, carrying `policy`, first signed by `key`, written to `out`
// (replaced if it exists).
inline Run CreateTrustRoot(const TempDir& dir, const std::vector<std::string>& roots,
                           const std::string& threshold, const std::string& policy,
                           const std::string& key, const std::string& out) {
  std::vector<std::string> args = {"trust", "create", "--domain", "acme.example/printers"};
  args.insert(args.end(), {"--version", "1", "--expires", "2099-01-01T00:00:00Z"});
  args.insert(args.end(), {"--root-threshold", threshold, "--policy", policy, "--key", key});
  for (const std::string& r : roots) args.insert(args.end(), {"--root", r});
  args.insert(args.end(), {"--out", out, "--force"});
  return Candor(dir, args);
}

// Turns a release entry into a bundle for a one-entry log: index 0, empty
// inclusion proof, checkpoint signed by `log_key`, cosigned by each witness
// at `cosign_time`. Lets verify tests run without a log server.
inline std::string MakeSingleEntryBundle(const std::string& entry, const SignerKey& log_key,
                                         const std::vector<const SignerKey*>& witnesses,
                                         uint64_t cosign_time) {
  Bytes entry_bytes(entry.begin(), entry.end());
  Checkpoint cp;
  cp.origin = log_key.name;
  cp.size = 1;
  cp.root_hash = LeafHash(entry_bytes);
  std::string body = FormatCheckpointBody(cp);
  const SignerKey* signers[] = {&log_key};
  auto note = SignNote(body, signers);
  REQUIRE(note.ok());
  std::string signed_note = *note;
  for (const SignerKey* w : witnesses) {
    auto sig = Cosign(*w, body, cosign_time);
    REQUIRE(sig.ok());
    signed_note += FormatSignatureLine(*sig);
  }
  Bundle b;
  b.entry = entry_bytes;
  b.index = 0;
  b.checkpoint_note = signed_note;
  return FormatBundle(b);
}

}  // namespace candor::clitest

#endif  // CANDOR_TESTS_CLI_CLI_TEST_UTIL_H_
