#include "candor/witness/witness_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "candor/bytes.h"
#include "candor/sha256.h"
#include "candor/signer.h"

namespace candor {
namespace {

constexpr std::string_view kLogsHeader =
    "# candor-witness logs: one \"log <origin> <vkey>\" per line (see docs/WITNESS.md).\n"
    "# Changes take effect when candor-witness serve restarts.\n";
// State files hold one checkpoint note; requests are capped at 64 KiB, so this
// is generous and bounds what a corrupted file can make us allocate.
constexpr size_t kMaxStateFileSize = 1 << 20;

std::string Errno(std::string_view what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Io(Errno("open directory", dir));
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) return Status::Io(Errno("fsync directory", dir));
  return Status::Ok();
}

// Reads a whole file. nullopt if it does not exist.
Result<std::optional<std::string>> ReadSmallFile(const std::string& path, size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Status::Io(Errno("open", path));
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = Status::Io(Errno("read", path));
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > limit) {
      ::close(fd);
      return Status::TooLarge(path + " is larger than " + std::to_string(limit) + " bytes");
    }
  }
  ::close(fd);
  return std::optional<std::string>(std::move(out));
}

Status MakeDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return Status::Ok();
  if (errno != EEXIST) return Status::Io(Errno("mkdir", dir));
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Io(dir + " exists and is not a directory");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateWitnessOrigin(std::string_view origin) {
  if (origin.empty()) return Status::InvalidArgument("empty origin");
  if (origin.find_first_of(" \t") != std::string_view::npos) {
    return Status::InvalidArgument("origin must not contain spaces or tabs");
  }
  // An origin is valid iff it can be the first line of a checkpoint.
  std::string body(origin);
  body += "\n0\n";
  body += Base64Encode(Sha256Digest(std::string_view()));
  body += '\n';
  if (!ParseCheckpointBody(body).ok()) {
    return Status::InvalidArgument("origin is not a valid checkpoint origin line");
  }
  return Status::Ok();
}

Result<std::vector<WitnessedLog>> ParseWitnessLogs(std::string_view text) {
  std::vector<WitnessedLog> logs;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return Status::Malformed("logs.conf: line " + std::to_string(line_no) +
                               " has no final newline");
    }
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    auto bad = [&](std::string_view why) {
      return Status::Malformed("logs.conf: line " + std::to_string(line_no) + ": " +
                               std::string(why));
    };
    if (!line.starts_with("log ")) return bad("expected \"log <origin> <vkey>\"");
    line.remove_prefix(4);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return bad("expected \"log <origin> <vkey>\"");
    std::string_view origin = line.substr(0, sp);
    std::string_view vkey = line.substr(sp + 1);
    if (!ValidateWitnessOrigin(origin).ok()) return bad("invalid origin");
    auto key = ParseVerifierKey(vkey);
    if (!key.ok()) return bad("invalid vkey: " + key.status().message());
    if (key->type != kKeyTypeEd25519) return bad("a log key must be an Ed25519 (0x01) vkey");
    WitnessedLog* entry = nullptr;
    for (auto& l : logs) {
      if (l.origin == origin) entry = &l;
    }
    if (entry == nullptr) {
      logs.push_back(WitnessedLog{std::string(origin), {}});
      entry = &logs.back();
    }
    for (const auto& k : entry->keys) {
      if (k == *key) return bad("duplicate log key");
    }
    entry->keys.push_back(*key);
  }
  return logs;
}

std::string FormatWitnessLogs(const std::vector<WitnessedLog>& logs) {
  std::string out(kLogsHeader);
  for (const auto& log : logs) {
    for (const auto& key : log.keys) {
      out += "log " + log.origin + " " + FormatVerifierKey(key) + "\n";
    }
  }
  return out;
}

std::string WitnessKeyPath(const std::string& dir) { return dir + "/witness.key"; }
std::string WitnessPublicKeyPath(const std::string& dir) { return dir + "/witness.pub"; }
std::string WitnessLogsPath(const std::string& dir) { return dir + "/logs.conf"; }
std::string WitnessStateDir(const std::string& dir) { return dir + "/state"; }
std::string WitnessLockPath(const std::string& dir) { return dir + "/lock"; }

Status WriteFileAtomically(const std::string& path, std::string_view contents, int mode) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Status::Io(Errno("create", tmp));
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = Status::Io(Errno("write", tmp));
      ::close(fd);
      ::unlink(tmp.c_str());
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status st = Status::Io(Errno("fsync", tmp));
    ::close(fd);
    ::unlink(tmp.c_str());
    return st;
  }
  if (::close(fd) != 0) {
    Status st = Status::Io(Errno("close", tmp));
    ::unlink(tmp.c_str());
    return st;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = Status::Io(Errno("rename", tmp));
    ::unlink(tmp.c_str());
    return st;
  }
  // Without this the rename itself may be lost in a power failure.
  return FsyncDir(ParentDir(path));
}

Result<VerifierKey> InitWitnessDir(const std::string& dir, std::string_view name) {
  CANDOR_RETURN_IF_ERROR(MakeDir(dir));
  struct stat st;
  if (::lstat(WitnessKeyPath(dir).c_str(), &st) == 0) {
    return Status::Conflict(WitnessKeyPath(dir) + " already exists; refusing to overwrite a key");
  }
  auto pair = GenerateKey(name, kKeyTypeCosignatureV1);
  if (!pair.ok()) return pair.status();
  const SignerKey& signer = pair->first;
  const VerifierKey& vkey = pair->second;
  CANDOR_RETURN_IF_ERROR(WritePrivateKeyFile(WitnessKeyPath(dir), signer));
  CANDOR_RETURN_IF_ERROR(
      WriteFileAtomically(WitnessPublicKeyPath(dir), FormatVerifierKey(vkey) + "\n", 0644));
  if (::lstat(WitnessLogsPath(dir).c_str(), &st) != 0) {
    CANDOR_RETURN_IF_ERROR(WriteFileAtomically(WitnessLogsPath(dir), kLogsHeader, 0644));
  }
  CANDOR_RETURN_IF_ERROR(MakeDir(WitnessStateDir(dir)));
  CANDOR_RETURN_IF_ERROR(FsyncDir(dir));
  return vkey;
}

Result<std::vector<WitnessedLog>> ReadWitnessLogs(const std::string& dir) {
  auto text = ReadSmallFile(WitnessLogsPath(dir), kMaxStateFileSize);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::vector<WitnessedLog>();
  return ParseWitnessLogs(**text);
}

Result<bool> AddWitnessLog(const std::string& dir, std::string_view origin,
                           const VerifierKey& key) {
  CANDOR_RETURN_IF_ERROR(ValidateWitnessOrigin(origin));
  if (key.type != kKeyTypeEd25519) {
    return Status::InvalidArgument("a log key must be an Ed25519 (type 0x01) vkey");
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<WitnessedLog> logs, ReadWitnessLogs(dir));
  WitnessedLog* entry = nullptr;
  for (auto& l : logs) {
    if (l.origin == origin) entry = &l;
  }
  if (entry == nullptr) {
    logs.push_back(WitnessedLog{std::string(origin), {}});
    entry = &logs.back();
  }
  for (const auto& k : entry->keys) {
    if (k == key) return false;
  }
  entry->keys.push_back(key);
  CANDOR_RETURN_IF_ERROR(WriteFileAtomically(WitnessLogsPath(dir), FormatWitnessLogs(logs), 0644));
  return true;
}

WitnessStateStore::WitnessStateStore(std::string state_dir) : state_dir_(std::move(state_dir)) {}

std::string WitnessStateStore::PathFor(std::string_view origin) const {
  return state_dir_ + "/" + HexEncode(Sha256Digest(origin));
}

Result<std::optional<WitnessLogState>> WitnessStateStore::Load(std::string_view origin) const {
  const std::string path = PathFor(origin);
  auto text = ReadSmallFile(path, kMaxStateFileSize);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::optional<WitnessLogState>();
  auto parsed = ParseSignedCheckpointUnverified(**text);
  if (!parsed.ok()) {
    return Status::Malformed("corrupt witness state " + path + ": " + parsed.status().message());
  }
  if (parsed->checkpoint.origin != origin) {
    return Status::Malformed("witness state " + path + " names another origin");
  }
  return std::optional<WitnessLogState>(
      WitnessLogState{std::move(parsed->checkpoint), std::move(**text)});
}

Status WitnessStateStore::Save(const WitnessLogState& state) const {
  return WriteFileAtomically(PathFor(state.checkpoint.origin), state.note, 0600);
}

}  // namespace candor
