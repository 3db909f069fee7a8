#include "candor/witness_protocol.h"

#include <string>

namespace candor {
namespace {

constexpr std::string_view kOldPrefix = "old ";

}  // namespace

Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body) {
  if (body.size() > kMaxAddCheckpointBodySize) {
    return Status::TooLarge("add-checkpoint body exceeds " +
                            std::to_string(kMaxAddCheckpointBodySize) + " bytes");
  }
  AddCheckpointRequest req;
  std::string_view rest = body;
  std::string_view line;
  if (!ConsumeLine(rest, line) || !line.starts_with(kOldPrefix)) {
    return Status::Malformed("add-checkpoint: missing \"old <size>\" line");
  }
  auto old_size = ParseDecimalU64(line.substr(kOldPrefix.size()));
  if (!old_size.ok()) return Status::Malformed("add-checkpoint: bad old size");
  req.old_size = *old_size;

  for (;;) {
    if (!ConsumeLine(rest, line)) {
      return Status::Malformed("add-checkpoint: missing empty line before the checkpoint");
    }
    if (line.empty()) break;
    if (req.proof.size() == kMaxWitnessProofLines) {
      return Status::Malformed("add-checkpoint: more than 63 consistency proof lines");
    }
    auto hash = Base64DecodeHash(line);
    if (!hash.ok()) return Status::Malformed("add-checkpoint: bad consistency proof line");
    req.proof.push_back(*hash);
  }
  if (rest.empty()) return Status::Malformed("add-checkpoint: missing checkpoint");
  // "Each line MUST terminate in a newline character", the checkpoint's too.
  if (rest.back() != '\n') return Status::Malformed("add-checkpoint: no final newline");
  req.checkpoint = std::string(rest);
  return req;
}

std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request) {
  std::string out;
  out.reserve(32 + request.proof.size() * 45 + request.checkpoint.size());
  out += kOldPrefix;
  out += std::to_string(request.old_size);
  out += '\n';
  for (const Hash& h : request.proof) {
    out += Base64Encode(h);
    out += '\n';
  }
  out += '\n';
  out += request.checkpoint;
  return out;
}

std::string FormatTlogSize(uint64_t size) { return std::to_string(size) + "\n"; }

Result<uint64_t> ParseTlogSize(std::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return Status::Malformed("tree size body must end in a newline");
  }
  auto size = ParseDecimalU64(body.substr(0, body.size() - 1));
  if (!size.ok()) return Status::Malformed("tree size body is not a canonical decimal");
  return *size;
}

Result<std::vector<NoteSignature>> ParseCosignatureLines(std::string_view body) {
  if (body.empty()) return Status::Malformed("empty cosignature response");
  if (body.size() > kMaxAddCheckpointResponseSize) {
    return Status::TooLarge("cosignature response too large");
  }
  if (body.front() == '\n' || body.find("\n\n") != std::string_view::npos) {
    return Status::Malformed("blank line in cosignature response");
  }
  // Reuse the strict signed-note parser for the signature block: a dummy text,
  // the blank separator, then the response lines.
  static constexpr std::string_view kDummyText = "witness-response\n";
  std::string note(kDummyText);
  note += '\n';
  note += body;
  auto parsed = ParseNote(note);
  if (!parsed.ok()) {
    return Status::Malformed("bad cosignature response: " + parsed.status().message());
  }
  size_t lines = 0;
  for (char c : body) lines += (c == '\n');
  if (parsed->text != kDummyText || parsed->signatures.size() != lines) {
    return Status::Malformed("cosignature response holds something other than signature lines");
  }
  return std::move(parsed->signatures);
}

}  // namespace candor
