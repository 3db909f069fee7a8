// ssh-agent signers (candor/ssh_agent.h): draft-miller-ssh-agent framing over
// the agent's Unix socket, RFC 4253 §6.6 / RFC 8709 key and signature blobs.
#include "candor/ssh_agent.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "candor/fs/read_file.h"
#include "candor/note.h"
#include "candor/sha256.h"

namespace candor {
namespace {

// draft-miller-ssh-agent §5.1 message numbers.
constexpr uint8_t kAgentFailure = 5;
constexpr uint8_t kRequestIdentities = 11;
constexpr uint8_t kIdentitiesAnswer = 12;
constexpr uint8_t kSignRequest = 13;
constexpr uint8_t kSignResponse = 14;
constexpr std::string_view kEd25519 = "ssh-ed25519";
// A hardware-backed agent may wait for a touch; long enough for a person.
constexpr int kAgentTimeoutSeconds = 120;

// Reads SSH wire types (RFC 4251 §5) from a bounded buffer.
struct WireReader {
  ByteView in;
  size_t pos = 0;
  bool U32(uint32_t& v) {
    if (in.size() - pos < 4) return false;
    v = ReadU32BE(in.data() + pos);
    pos += 4;
    return true;
  }
  bool String(ByteView& s) {
    uint32_t n = 0;
    if (!U32(n) || in.size() - pos < n) return false;
    s = in.subspan(pos, n);
    pos += n;
    return true;
  }
  bool Done() const { return pos == in.size(); }
};

void AppendString(Bytes& out, ByteView s) {
  AppendU32BE(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

bool Equals(ByteView a, std::string_view b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

// One connection to the agent; closed on destruction.
class AgentConnection {
 public:
  ~AgentConnection() {
    if (fd_ >= 0) ::close(fd_);
  }

  static Result<std::unique_ptr<AgentConnection>> Connect() {
    const char* sock = std::getenv("SSH_AUTH_SOCK");
    if (sock == nullptr || *sock == '\0') {
      return Status::InvalidArgument("ssh-agent: SSH_AUTH_SOCK is not set (start ssh-agent)");
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (std::strlen(sock) >= sizeof addr.sun_path) {
      return Status::InvalidArgument("ssh-agent: SSH_AUTH_SOCK path is too long");
    }
    std::strcpy(addr.sun_path, sock);
    std::unique_ptr<AgentConnection> c(new AgentConnection());
    c->fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd_ < 0) return Status::Io(std::string("ssh-agent: socket: ") + std::strerror(errno));
    timeval tv{kAgentTimeoutSeconds, 0};
    ::setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(c->fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return Status::Unavailable(std::string("ssh-agent: cannot connect to ") + sock + ": " +
                                 std::strerror(errno));
    }
    return c;
  }

  // Sends one request (type + body) and returns the answer's type and body.
  Result<std::pair<uint8_t, Bytes>> Call(uint8_t type, ByteView body) {
    Bytes msg;
    AppendU32BE(msg, static_cast<uint32_t>(body.size() + 1));
    msg.push_back(type);
    msg.insert(msg.end(), body.begin(), body.end());
    CANDOR_RETURN_IF_ERROR(WriteAll(msg));
    uint8_t len_buf[4];
    CANDOR_RETURN_IF_ERROR(ReadAll(len_buf, sizeof len_buf));
    const uint32_t len = ReadU32BE(len_buf);
    if (len == 0 || len > kMaxSshAgentMessage) {
      return Status::Malformed("ssh-agent: answer length " + std::to_string(len) +
                               " is out of bounds");
    }
    Bytes answer(len);
    CANDOR_RETURN_IF_ERROR(ReadAll(answer.data(), answer.size()));
    const uint8_t answer_type = answer[0];
    answer.erase(answer.begin());
    return std::pair<uint8_t, Bytes>(answer_type, std::move(answer));
  }

 private:
  AgentConnection() = default;

  Status WriteAll(ByteView data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        return Status::Unavailable(std::string("ssh-agent: send: ") + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  Status ReadAll(uint8_t* buf, size_t size) {
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::recv(fd_, buf + done, size - done, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return Status::Unavailable(std::string("ssh-agent: recv: ") + std::strerror(errno));
      if (n == 0) return Status::Unavailable("ssh-agent: the agent closed the connection");
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  int fd_ = -1;
};

class SshAgentSigner final : public Signer {
 public:
  explicit SshAgentSigner(VerifierKey pub)
      : public_key_(std::move(pub)), blob_(SshEd25519KeyBlob(public_key_.public_key)) {}
  const VerifierKey& public_key() const override { return public_key_; }

 protected:
  Result<Bytes> SignUnverified(ByteView message) const override {
    CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<AgentConnection> c, AgentConnection::Connect());
    Bytes req;
    AppendString(req, blob_);
    AppendString(req, message);
    AppendU32BE(req, 0);  // flags: none apply to ssh-ed25519 (§4.5.1)
    CANDOR_ASSIGN_OR_RETURN(auto answer, c->Call(kSignRequest, req));
    if (answer.first == kAgentFailure) {
      return Status::Unavailable("ssh-agent: the agent refused to sign with " + public_key_.name);
    }
    if (answer.first != kSignResponse) {
      return Status::Malformed("ssh-agent: unexpected answer type " + std::to_string(answer.first));
    }
    return ParseSshAgentEd25519Signature(answer.second);
  }

 private:
  VerifierKey public_key_;
  Bytes blob_;
};

// The 32-byte key of an ssh-ed25519 wire public key blob; kMalformed otherwise.
Result<std::array<uint8_t, 32>> Ed25519FromKeyBlob(ByteView blob) {
  WireReader r{blob};
  ByteView algo, key;
  if (!r.String(algo) || !r.String(key) || !r.Done() || !Equals(algo, kEd25519) ||
      key.size() != 32) {
    return Status::Malformed("malformed ssh-ed25519 public key blob");
  }
  std::array<uint8_t, 32> pk{};
  std::copy(key.begin(), key.end(), pk.begin());
  return pk;
}

// The identities the agent at $SSH_AUTH_SOCK holds (draft-miller-ssh-agent §4.4).
Result<std::vector<SshAgentIdentity>> AgentIdentities() {
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<AgentConnection> c, AgentConnection::Connect());
  CANDOR_ASSIGN_OR_RETURN(auto answer, c->Call(kRequestIdentities, {}));
  if (answer.first != kIdentitiesAnswer) {
    return Status::Malformed("ssh-agent: unexpected answer type " + std::to_string(answer.first) +
                             " to the identities request");
  }
  return ParseSshAgentIdentities(answer.second);
}

// ssh-agent:SHA256:<fingerprint>: the agent identity whose OpenSSH
// fingerprint (SHA-256 of its key blob, unpadded base64, as `ssh-add -l`
// prints it) matches; its comment is the key name, as no vkey file names it.
Result<std::unique_ptr<Signer>> OpenSshAgentSignerByFingerprint(std::string_view fingerprint,
                                                                uint8_t key_type) {
  const std::string_view b64 = fingerprint.substr(kSshFingerprintPrefix.size());
  // 32 bytes are 43 base64 characters; OpenSSH leaves out the one '='.
  Result<Hash> want = Status::Malformed("not 43 characters");
  if (b64.size() == 43) want = Base64DecodeHash(std::string(b64) + "=");
  if (!want.ok()) {
    // Not echoed: it may hold anything, and errors are one line.
    return Status::Malformed(
        "ssh-agent: malformed key fingerprint (expected SHA256: and 43 base64 characters, as "
        "ssh-add -l prints)");
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<SshAgentIdentity> ids, AgentIdentities());
  for (const SshAgentIdentity& id : ids) {
    if (!HashEqual(Sha256Digest(id.key_blob), *want)) continue;
    Result<std::array<uint8_t, 32>> pk = Ed25519FromKeyBlob(id.key_blob);
    if (!pk.ok()) {
      return Status::InvalidArgument("ssh-agent: the key " + std::string(fingerprint) +
                                     " is not ssh-ed25519 (only Ed25519 keys sign notes)");
    }
    if (!IsValidKeyName(id.comment)) {
      return Status::InvalidArgument(
          "ssh-agent: the comment of the key " + std::string(fingerprint) +
          " is not a key name (ssh-keygen -C NAME); use ssh-agent:VKEY-FILE from candor keygen "
          "--from-ssh-pubkey");
    }
    return std::unique_ptr<Signer>(new SshAgentSigner(MakeVerifierKey(id.comment, key_type, *pk)));
  }
  return Status::NotFound("ssh-agent: the agent at $SSH_AUTH_SOCK holds no key " +
                          std::string(fingerprint) + " (" + std::to_string(ids.size()) +
                          " keys loaded; ssh-add it)");
}

}  // namespace

Bytes SshEd25519KeyBlob(const std::array<uint8_t, 32>& public_key) {
  Bytes blob;
  AppendString(blob, AsBytes(kEd25519));
  AppendString(blob, public_key);
  return blob;
}

Result<std::vector<SshAgentIdentity>> ParseSshAgentIdentities(ByteView body) {
  WireReader r{body};
  uint32_t count = 0;
  if (!r.U32(count)) return Status::Malformed("ssh-agent: truncated identities answer");
  // Each identity takes at least two 4-byte lengths.
  if (count > body.size() / 8) return Status::Malformed("ssh-agent: implausible identity count");
  std::vector<SshAgentIdentity> ids;
  for (uint32_t i = 0; i < count; ++i) {
    ByteView blob, comment;
    if (!r.String(blob) || !r.String(comment)) {
      return Status::Malformed("ssh-agent: truncated identities answer");
    }
    ids.push_back({Bytes(blob.begin(), blob.end()), std::string(AsChars(comment))});
  }
  if (!r.Done()) return Status::Malformed("ssh-agent: trailing bytes in identities answer");
  return ids;
}

Result<Bytes> ParseSshAgentEd25519Signature(ByteView body) {
  WireReader outer{body};
  ByteView sig_blob;
  if (!outer.String(sig_blob) || !outer.Done()) {
    return Status::Malformed("ssh-agent: malformed sign response");
  }
  WireReader r{sig_blob};
  ByteView algo, sig;
  if (!r.String(algo) || !r.String(sig) || !r.Done()) {
    return Status::Malformed("ssh-agent: malformed signature blob");
  }
  if (!Equals(algo, kEd25519)) {
    return Status::Malformed("ssh-agent: signature is " + std::string(AsChars(algo)) +
                             ", not ssh-ed25519");
  }
  if (sig.size() != 64) return Status::Malformed("ssh-agent: Ed25519 signature is not 64 bytes");
  return Bytes(sig.begin(), sig.end());
}

Result<std::array<uint8_t, 32>> ParseSshEd25519PublicKey(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return Status::Malformed("not an OpenSSH public key line");
  const std::string_view type = line.substr(0, sp);
  if (type != kEd25519) {
    return Status::InvalidArgument("the SSH key is " + std::string(type) +
                                   ", not ssh-ed25519 (only Ed25519 keys sign notes)");
  }
  std::string_view b64 = line.substr(sp + 1);
  b64 = b64.substr(0, b64.find(' '));
  CANDOR_ASSIGN_OR_RETURN(Bytes blob, Base64Decode(b64));
  return Ed25519FromKeyBlob(blob);
}

Result<std::unique_ptr<Signer>> OpenSshAgentSigner(std::string_view vkey_path, uint8_t key_type) {
  if (vkey_path.starts_with(kSshFingerprintPrefix)) {
    return OpenSshAgentSignerByFingerprint(vkey_path, key_type);
  }
  const std::string path(vkey_path);
  Result<std::string> text = fs::ReadFile(path, kMaxVerifierKeyFileSize);
  if (!text.ok()) return text.status().WithContext("ssh-agent verifier key");
  std::string_view line(*text);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
  Result<VerifierKey> pub = ParseVerifierKey(line);
  if (!pub.ok()) return pub.status().WithContext("ssh-agent verifier key " + path);
  if (pub->type != key_type) {
    return Status::InvalidArgument("ssh-agent verifier key " + path + " has type " +
                                   std::to_string(pub->type) + ", expected " +
                                   std::to_string(key_type));
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<SshAgentIdentity> ids, AgentIdentities());
  const Bytes want = SshEd25519KeyBlob(pub->public_key);
  for (const SshAgentIdentity& id : ids) {
    if (id.key_blob == want) return std::unique_ptr<Signer>(new SshAgentSigner(*pub));
  }
  return Status::NotFound("ssh-agent: the agent at $SSH_AUTH_SOCK does not hold the Ed25519 key " +
                          pub->name + " (" + std::to_string(ids.size()) +
                          " keys loaded; ssh-add it)");
}

}  // namespace candor
