#include "candor/audit/evidence.h"

#include <sys/stat.h>

#include "candor/bytes.h"
#include "candor/date.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"

namespace candor::audit {
namespace {

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

std::string FormatEvidence(const Evidence& e) {
  std::string out = "candor.dev/audit-evidence/v1\n";
  out += "kind " + OneLine(e.kind) + "\n";
  out += "time " + FormatUtcTime(e.time) + "\n";
  out += "log " + OneLine(e.origin) + "\n";
  out += "reason " + OneLine(e.reason) + "\n";
  if (!e.source_a.empty()) out += "source-a " + OneLine(e.source_a) + "\n";
  if (!e.source_b.empty()) out += "source-b " + OneLine(e.source_b) + "\n";
  if (e.proof_from && e.proof_to) {
    out += "proof-from " + std::to_string(*e.proof_from) + "\n";
    out += "proof-to " + std::to_string(*e.proof_to) + "\n";
    for (const Hash& h : e.proof) out += "proof " + Base64Encode(h) + "\n";
  }
  for (const std::string& d : e.details) out += "detail " + OneLine(d) + "\n";
  out += "checkpoint-a " + std::to_string(e.checkpoint_a.size()) + "\n" + e.checkpoint_a;
  if (!e.checkpoint_b.empty()) {
    out += "checkpoint-b " + std::to_string(e.checkpoint_b.size()) + "\n" + e.checkpoint_b;
  }
  return out;
}

Result<Evidence> ParseEvidence(std::string_view in) {
  Evidence e;
  std::string_view line;
  if (!ConsumeLine(in, line) || line != "candor.dev/audit-evidence/v1") {
    return Status::Malformed("not an evidence file");
  }
  while (ConsumeLine(in, line)) {
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return Status::Malformed("evidence: bad line");
    std::string_view key = line.substr(0, sp), val = line.substr(sp + 1);
    if (key == "kind") {
      e.kind = val;
    } else if (key == "time") {
      CANDOR_ASSIGN_OR_RETURN(e.time, ParseUtcTime(val));
    } else if (key == "log") {
      e.origin = val;
    } else if (key == "reason") {
      e.reason = val;
    } else if (key == "source-a") {
      e.source_a = val;
    } else if (key == "source-b") {
      e.source_b = val;
    } else if (key == "proof-from") {
      CANDOR_ASSIGN_OR_RETURN(uint64_t v, ParseDecimalU64(val));
      e.proof_from = v;
    } else if (key == "proof-to") {
      CANDOR_ASSIGN_OR_RETURN(uint64_t v, ParseDecimalU64(val));
      e.proof_to = v;
    } else if (key == "proof") {
      CANDOR_ASSIGN_OR_RETURN(Hash h, Base64DecodeHash(val));
      e.proof.push_back(h);
    } else if (key == "detail") {
      e.details.emplace_back(val);
    } else if (key == "checkpoint-a" || key == "checkpoint-b") {
      CANDOR_ASSIGN_OR_RETURN(uint64_t n, ParseDecimalU64(val));
      if (n > in.size()) return Status::Malformed("evidence: truncated checkpoint");
      (key == "checkpoint-a" ? e.checkpoint_a : e.checkpoint_b) = std::string(in.substr(0, n));
      in.remove_prefix(n);
    } else {
      return Status::Malformed("evidence: unknown line " + std::string(key));
    }
  }
  if (!in.empty()) return Status::Malformed("evidence: trailing bytes");
  if (e.checkpoint_a.empty()) return Status::Malformed("evidence: no checkpoint");
  return e;
}

Result<std::string> WriteEvidence(const std::string& dir, const Evidence& e) {
  CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(dir));
  std::string stamp = FormatUtcTime(e.time);
  for (char& c : stamp) {
    if (c == ':') c = '-';
  }
  std::string base = dir + "/evidence-" + stamp + "-" + e.kind;
  std::string path = base + ".txt";
  struct stat st;
  for (int i = 2; ::stat(path.c_str(), &st) == 0; ++i)
    path = base + "-" + std::to_string(i) + ".txt";
  CANDOR_RETURN_IF_ERROR(fs::WriteFileAtomically(path, AsBytes(FormatEvidence(e))));
  return path;
}

}  // namespace candor::audit
