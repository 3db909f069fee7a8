// c2sp.org/tlog-proof@v1, §Format.
#include "candor/tlog_proof.h"

#include <string>

namespace candor {

Result<TlogProof> ParseTlogProof(std::string_view text) {
  TlogProof proof;
  std::string_view rest = text;
  std::string_view line;

  if (!ConsumeLine(rest, line) || line != kTlogProofHeader) {
    return Status::Malformed("tlog-proof: first line must be c2sp.org/tlog-proof@v1");
  }
  if (!ConsumeLine(rest, line)) return Status::Malformed("tlog-proof: truncated before index");
  if (line.starts_with("extra ")) {
    auto extra = Base64Decode(line.substr(6));
    if (!extra.ok()) return extra.status().WithContext("tlog-proof: extra");
    proof.extra = std::move(extra).value();
    if (!ConsumeLine(rest, line)) return Status::Malformed("tlog-proof: truncated before index");
  }
  if (!line.starts_with("index ")) return Status::Malformed("tlog-proof: missing index line");
  auto index = ParseDecimalU64(line.substr(6));
  if (!index.ok()) return index.status().WithContext("tlog-proof: index");
  proof.index = *index;

  // Inclusion proof hashes up to the empty line.
  for (;;) {
    if (!ConsumeLine(rest, line)) return Status::Malformed("tlog-proof: missing blank line");
    if (line.empty()) break;
    if (proof.inclusion_proof.size() == kMaxProofHashes) {
      return Status::Malformed("tlog-proof: more than 63 proof hashes");
    }
    auto hash = Base64DecodeHash(line);
    if (!hash.ok()) return hash.status().WithContext("tlog-proof: proof hash");
    proof.inclusion_proof.push_back(*hash);
  }
  if (rest.empty()) return Status::Malformed("tlog-proof: missing checkpoint");
  // The checkpoint is the verbatim remainder; its own parser (ParseNote via
  // VerifyCheckpoint) rejects anything trailing its signature lines.
  proof.checkpoint = std::string(rest);
  return proof;
}

std::string FormatTlogProof(const TlogProof& proof) {
  std::string out(kTlogProofHeader);
  out += '\n';
  if (proof.extra) {
    out += "extra ";
    out += Base64Encode(*proof.extra);
    out += '\n';
  }
  out += "index ";
  out += std::to_string(proof.index);
  out += '\n';
  for (const Hash& h : proof.inclusion_proof) {
    out += Base64Encode(h);
    out += '\n';
  }
  out += '\n';
  out += proof.checkpoint;
  return out;
}

}  // namespace candor
