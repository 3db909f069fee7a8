// ssh-agent signers: an Ed25519 key held by an ssh-agent (OpenSSH's, or the
// agents of YubiKey / TKey tools), used as Sigsum does. The wire protocol is
// draft-miller-ssh-agent (§3 framing, §4.4 requesting keys, §4.5 signing):
// framing only; the cryptography is the agent's. For an ssh-ed25519 key the
// agent's signature is a plain RFC 8032 Ed25519 signature over exactly the
// bytes sent (RFC 8709 §6), so it is a valid signed-note signature of the
// note text when the text is what we send.
//
// Key spec: ssh-agent:VKEY-FILE, the C2SP verifier key written by
// `candor keygen --from-ssh-pubkey` (it names the key and its type), or
// ssh-agent:SHA256:<fingerprint>, the OpenSSH fingerprint `ssh-add -l` prints
// (unpadded base64 of SHA-256 over the key blob): the key's name is then the
// identity's comment, its type the caller's. The agent is $SSH_AUTH_SOCK.
//
// Thread-safety: Sign opens its own connection to the agent per call; the
// signer is immutable after opening and safe to share.
#ifndef CANDOR_SSH_AGENT_H_
#define CANDOR_SSH_AGENT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/signing_key.h"

namespace candor {

// The key spec prefix that selects this backend in OpenSigner.
inline constexpr std::string_view kSshAgentScheme = "ssh-agent:";

// After kSshAgentScheme: selects the agent identity by its OpenSSH fingerprint.
inline constexpr std::string_view kSshFingerprintPrefix = "SHA256:";

// Agent messages are bounded (an identities answer with many keys fits easily).
inline constexpr size_t kMaxSshAgentMessage = 256 * 1024;

struct SshAgentIdentity {
  Bytes key_blob;  // SSH wire public key (RFC 4253 §6.6)
  std::string comment;
};

// The SSH wire public key blob of an Ed25519 key: string "ssh-ed25519", string key.
Bytes SshEd25519KeyBlob(const std::array<uint8_t, 32>& public_key);

// Parses the body of an SSH_AGENT_IDENTITIES_ANSWER (after the type byte).
// kMalformed on truncation, trailing bytes or an implausible count.
Result<std::vector<SshAgentIdentity>> ParseSshAgentIdentities(ByteView body);

// Parses the body of an SSH_AGENT_SIGN_RESPONSE (after the type byte) for an
// ssh-ed25519 signature and returns its 64 raw bytes. kMalformed otherwise.
Result<Bytes> ParseSshAgentEd25519Signature(ByteView body);

// Parses an OpenSSH public key line ("ssh-ed25519 BASE64 [comment]", as in
// id_ed25519.pub). kInvalidArgument for another key type (RSA, ECDSA, ...),
// kMalformed for a line that does not parse.
Result<std::array<uint8_t, 32>> ParseSshEd25519PublicKey(std::string_view line);

// Opens the signer for `vkey_path`: reads the verifier key, connects to
// $SSH_AUTH_SOCK and checks the agent holds that Ed25519 key. Errors:
// kInvalidArgument when SSH_AUTH_SOCK is unset; kUnavailable when the agent
// cannot be reached; kNotFound when it does not hold the key; kMalformed for
// a bad vkey file or agent answer; and `key_type` must be the vkey's type
// (kInvalidArgument). When `vkey_path` is "SHA256:<fingerprint>" the agent
// identity with that fingerprint is used instead: kMalformed for a fingerprint
// that is not 43 base64 characters, kNotFound when no identity matches,
// kInvalidArgument when it is not Ed25519 or its comment is not a key name.
// REQUIRES: key_type is kKeyTypeEd25519 or kKeyTypeCosignatureV1.
Result<std::unique_ptr<Signer>> OpenSshAgentSigner(std::string_view vkey_path, uint8_t key_type);

}  // namespace candor

#endif  // CANDOR_SSH_AGENT_H_
