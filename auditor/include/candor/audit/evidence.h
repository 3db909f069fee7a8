// Evidence files: what `candor audit sync` and `candor audit gossip` write when
// a log contradicts itself, so that a third party can check the claim with
// nothing but the log's public key (docs/AUDIT.md "Evidence files").
//
// Format (UTF-8 text, LF line endings):
//
//   candor.dev/audit-evidence/v1
//   kind <split-view|inconsistent|root-mismatch|tile-mismatch>
//   time <YYYY-MM-DDTHH:MM:SSZ>
//   log <origin>
//   reason <one line>
//   source-a <where checkpoint A came from>
//   source-b <where checkpoint B came from>
//   proof-from <old size>            (when a consistency proof is included)
//   proof-to <new size>
//   proof <base64 hash>              (zero or more, RFC 9162 consistency proof)
//   detail <free text line>          (zero or more)
//   checkpoint-a <byte length>
//   <checkpoint A: the signed note, verbatim>
//   checkpoint-b <byte length>       (absent when only one checkpoint is involved)
//   <checkpoint B, verbatim>
//
// Both checkpoints carry the log's signature, so the file alone shows that the
// log signed two trees that cannot both be views of one append-only log.
//
// Thread-safety: pure functions, plus one file write.
#ifndef CANDOR_AUDIT_EVIDENCE_H_
#define CANDOR_AUDIT_EVIDENCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "candor/bytes.h"
#include "candor/status.h"

namespace candor::audit {

struct Evidence {
  std::string kind;
  int64_t time = 0;  // unix seconds
  std::string origin;
  std::string reason;
  std::string source_a, source_b;
  std::optional<uint64_t> proof_from, proof_to;
  std::vector<Hash> proof;
  std::vector<std::string> details;
  std::string checkpoint_a;
  std::string checkpoint_b;  // may be empty
};

std::string FormatEvidence(const Evidence& e);
Result<Evidence> ParseEvidence(std::string_view text);
// Writes DIR/evidence-<time>-<kind>[-N].txt atomically; returns the path.
Result<std::string> WriteEvidence(const std::string& dir, const Evidence& e);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_EVIDENCE_H_
