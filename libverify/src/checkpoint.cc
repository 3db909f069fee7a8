// Checkpoints (c2sp.org/tlog-checkpoint §"Note text" and §Signatures).
#include "candor/checkpoint.h"

#include <utility>

namespace candor {

Result<Checkpoint> ParseCheckpointBody(std::string_view text) {
  CANDOR_RETURN_IF_ERROR(ValidateNoteText(text).WithContext("checkpoint"));
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');  // found: the text ends in '\n'
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) return Status::Malformed("checkpoint: fewer than three lines");
  for (std::string_view line : lines) {
    if (line.empty()) return Status::Malformed("checkpoint: empty line");
  }
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  auto size = ParseDecimalU64(lines[1]);
  if (!size.ok()) return size.status().WithContext("checkpoint tree size");
  cp.size = *size;
  auto root = Base64DecodeHash(lines[2]);
  if (!root.ok()) return root.status().WithContext("checkpoint root hash");
  cp.root_hash = *root;
  for (size_t i = 3; i < lines.size(); ++i) cp.extensions.emplace_back(lines[i]);
  return cp;
}

std::string FormatCheckpointBody(const Checkpoint& cp) {
  std::string out = cp.origin;
  out += '\n';
  out += std::to_string(cp.size);
  out += '\n';
  out += Base64Encode(cp.root_hash);
  out += '\n';
  for (const auto& ext : cp.extensions) {
    out += ext;
    out += '\n';
  }
  return out;
}

Result<SignedCheckpoint> ParseSignedCheckpointUnverified(std::string_view note) {
  CANDOR_ASSIGN_OR_RETURN(Note parsed, ParseNote(note));
  CANDOR_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpointBody(parsed.text));
  SignedCheckpoint out;
  out.checkpoint = std::move(cp);
  out.body = std::move(parsed.text);
  out.note = std::string(note);
  out.signatures = std::move(parsed.signatures);
  return out;
}

Result<SignedCheckpoint> VerifyCheckpoint(std::string_view note,
                                          std::span<const VerifierKey> log_keys,
                                          std::string_view expected_origin) {
  if (log_keys.empty()) return Status::InvalidArgument("checkpoint: no log key");
  for (const auto& key : log_keys) {
    if (key.type != kKeyTypeEd25519) {
      return Status::InvalidArgument("checkpoint: log key must be an Ed25519 (0x01) key");
    }
  }
  // Signature first: the text is ignored until a trusted key vouches for it.
  auto verified = VerifyNote(note, log_keys);
  if (!verified.ok()) return verified.status().WithContext("checkpoint");
  CANDOR_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpointBody(verified->text));
  if (cp.origin != expected_origin) {
    return Status::Mismatch("checkpoint origin \"" + cp.origin + "\" is not the expected \"" +
                            std::string(expected_origin) + "\"");
  }
  SignedCheckpoint out;
  out.checkpoint = std::move(cp);
  out.body = std::move(verified->text);
  out.note = std::string(note);
  out.signatures = std::move(verified->signatures);
  return out;
}

Result<SignedCheckpoint> VerifyCheckpoint(std::string_view note, const VerifierKey& log_key,
                                          std::string_view expected_origin) {
  return VerifyCheckpoint(note, std::span<const VerifierKey>(&log_key, 1), expected_origin);
}

Result<SignedCheckpoint> VerifyCheckpoint(std::string_view note, const VerifierKey& log_key) {
  return VerifyCheckpoint(note, log_key, log_key.name);
}

}  // namespace candor
