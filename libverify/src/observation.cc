// Observations: canonical form, strict parsing, the one check against the
// log's entry, and findings against disclosures (candor/observation.h,
// docs/FORMATS.md "Observation").
#include "candor/observation.h"

#include <algorithm>

#include "candor/date.h"
#include "candor/ed25519.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "text_class.h"

namespace candor {
namespace {

constexpr std::string_view kHeader = "candor.dev/observation/v1";
constexpr std::string_view kFinding = "finding ";

Status LineError(size_t line_no, std::string_view what) {
  return Status::Malformed("observation line " + std::to_string(line_no) + ": " +
                           std::string(what));
}

// "<keyword> <value>": the value (may contain spaces: the caller's rule
// decides), or nullopt when the line is not that field.
std::optional<std::string_view> Field(std::string_view line, std::string_view keyword) {
  if (line.size() <= keyword.size() + 1 || !line.starts_with(keyword) ||
      line[keyword.size()] != ' ') {
    return std::nullopt;
  }
  return line.substr(keyword.size() + 1);
}

bool IsValidLogOrigin(std::string_view origin) {
  if (origin.empty() || origin.size() > kMaxLogOriginSize) return false;
  return std::all_of(origin.begin(), origin.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string FindingLine(const Disclosure& d) {
  return std::string(kFinding) + d.kind + " " + d.value;
}

Status ValidateFinding(const Disclosure& d) {
  if (FindDisclosureKind(d.kind) == nullptr) {
    return Status::Malformed(
        "finding kind " + d.kind +
        " is not in the disclosure vocabulary (vendor kinds are the vendor's)");
  }
  if (d.effective) return Status::Malformed("a finding has no effective date (see observed)");
  return ValidateDisclosure(d).WithContext("finding");
}

Status ValidateSummary(std::string_view summary) {
  if (summary.empty() || summary.size() > kMaxSummarySize) {
    return Status::Malformed("summary must be 1.." + std::to_string(kMaxSummarySize) + " bytes");
  }
  if (summary.front() == ' ' || summary.back() == ' ' ||
      summary.find("  ") != std::string_view::npos) {
    return Status::Malformed("summary has a leading, trailing or doubled space");
  }
  return internal::CheckVisibleText(summary, "summary", /*multiline=*/false);
}

// Day number of a Unix time (floor), for comparing with effective dates.
int64_t DayOf(int64_t unix_seconds) { return unix_seconds / 86400; }

}  // namespace

// The rules across fields, and those of the observer key that parsing a
// verifier key does not make: what ParseObservationText checks once every
// line has passed its own rule.
Status CheckAcrossFields(const Observation& o) {
  const VerifierKey& k = o.observer_key;
  if (k.type != kKeyTypeEd25519) return Status::Malformed("observer key is not an Ed25519 key");
  if (k.name != o.observer && !k.name.starts_with(o.observer + "/")) {
    return Status::Malformed(
        "observer key name must be the observer or start with \"<observer>/\"");
  }
  CANDOR_RETURN_IF_ERROR(internal::CheckVisibleText(k.name, "observer key name", false));
  // One device, one day: two findings that cannot both be true are refused
  // as the same rule refuses them in a release.
  return CheckDisclosuresConsistentAt(o.findings, o.observed).WithContext("findings");
}

// Every rule: each field's own (which ParseObservationText checks line by
// line) and those across fields.
Status ValidateObservation(const Observation& o) {
  if (!IsValidVendorDomain(o.observer)) {
    return Status::Malformed("observer must be a lower-case DNS name");
  }
  const VerifierKey& k = o.observer_key;
  if (!IsValidKeyName(k.name) || k.key_id != KeyId(k.name, k.type, k.public_key)) {
    return Status::Malformed("observer key name or key ID is invalid");
  }
  if (!IsValidLogOrigin(o.log_origin)) {
    return Status::Malformed("log origin must be 1..255 bytes of printable ASCII without space");
  }
  if (!IsValidProductId(o.product)) return Status::Malformed("product id is invalid");
  if (o.observed < 0 || o.observed > kMaxUnixSeconds) {
    return Status::Malformed("observed time is out of range");
  }
  if (o.findings.size() > kMaxFindings) {
    return Status::Malformed("more than " + std::to_string(kMaxFindings) + " findings");
  }
  for (size_t i = 0; i < o.findings.size(); ++i) {
    CANDOR_RETURN_IF_ERROR(ValidateFinding(o.findings[i]));
    if (i > 0 && !DisclosureLess(o.findings[i - 1], o.findings[i])) {
      return Status::Malformed(
          "findings must be strictly ascending (canonical order, no duplicate)");
    }
  }
  CANDOR_RETURN_IF_ERROR(ValidateSummary(o.summary));
  return CheckAcrossFields(o);
}

Result<std::string> FormatObservationText(const Observation& o) {
  CANDOR_RETURN_IF_ERROR(ValidateObservation(o));
  std::string out(kObservationMagic);
  out += "observer " + o.observer + "\n";
  out += "observer-key " + FormatVerifierKey(o.observer_key) + "\n";
  out += "log " + o.log_origin + "\n";
  out += "release-index " + FormatDecimal(o.release_index) + "\n";
  out += "release-leaf " + HexEncode(o.release_leaf) + "\n";
  out += "product " + o.product + "\n";
  out += "observed " + FormatUtcTime(o.observed) + "\n";
  for (const Disclosure& d : o.findings) out += FindingLine(d) + "\n";
  out += "evidence-sha256 " + HexEncode(o.evidence_sha256) + "\n";
  out += "summary " + o.summary + "\n";
  if (out.size() > kMaxObservationSize) return Status::TooLarge("observation exceeds 8192 bytes");
  return out;
}

// One pass in the order of docs/FORMATS.md "Observation", failing closed at
// the first deviation from the one canonical spelling.
Result<Observation> ParseObservationText(std::string_view text) {
  if (text.size() > kMaxObservationSize) return Status::TooLarge("observation exceeds 8192 bytes");
  std::string_view rest = text, line;
  size_t line_no = 0;
  auto next = [&]() {
    if (!ConsumeLine(rest, line)) return false;
    line_no++;
    return true;
  };
  if (!next() || line != kHeader) {
    return Status::Malformed("not an observation (first line must be " + std::string(kHeader) +
                             ")");
  }
  Observation o;
  auto field = [&](std::string_view keyword) -> Result<std::string_view> {
    if (!next()) return Status::Malformed("observation is truncated");
    auto value = Field(line, keyword);
    if (!value) return LineError(line_no, "expected: " + std::string(keyword) + " <value>");
    return *value;
  };

  CANDOR_ASSIGN_OR_RETURN(std::string_view observer, field("observer"));
  if (!IsValidVendorDomain(observer)) {
    return LineError(line_no, "observer must be a lower-case DNS name");
  }
  o.observer = std::string(observer);

  CANDOR_ASSIGN_OR_RETURN(std::string_view vkey, field("observer-key"));
  auto key = ParseVerifierKey(vkey);
  if (!key.ok()) return LineError(line_no, key.status().message());
  // The one spelling: ParseVerifierKey takes what FormatVerifierKey writes.
  if (FormatVerifierKey(*key) != vkey) return LineError(line_no, "observer key is not canonical");
  o.observer_key = *key;

  CANDOR_ASSIGN_OR_RETURN(std::string_view origin, field("log"));
  if (!IsValidLogOrigin(origin)) {
    return LineError(line_no, "log origin must be 1..255 bytes of printable ASCII without space");
  }
  o.log_origin = std::string(origin);

  CANDOR_ASSIGN_OR_RETURN(std::string_view index, field("release-index"));
  auto index_value = ParseDecimalU64Full(index);
  if (!index_value.ok()) return LineError(line_no, "expected: release-index <canonical decimal>");
  o.release_index = *index_value;

  CANDOR_ASSIGN_OR_RETURN(std::string_view leaf, field("release-leaf"));
  auto leaf_hash = HexDecodeHash(leaf);
  if (!leaf_hash.ok())
    return LineError(line_no, "expected: release-leaf <64 lower-case hex digits>");
  o.release_leaf = *leaf_hash;

  CANDOR_ASSIGN_OR_RETURN(std::string_view product, field("product"));
  if (!IsValidProductId(product)) return LineError(line_no, "product id is invalid");
  o.product = std::string(product);

  CANDOR_ASSIGN_OR_RETURN(std::string_view observed, field("observed"));
  auto observed_value = ParseUtcTime(observed);
  if (!observed_value.ok()) return LineError(line_no, "expected: observed <YYYY-MM-DDTHH:MM:SSZ>");
  o.observed = *observed_value;

  for (;;) {
    std::string_view before = rest;
    if (!next()) return Status::Malformed("observation is truncated");
    if (!line.starts_with(kFinding)) {
      rest = before;  // the evidence line
      line_no--;
      break;
    }
    if (o.findings.size() == kMaxFindings) {
      return LineError(line_no, "more than " + std::to_string(kMaxFindings) + " findings");
    }
    // "finding <kind> <value>" is "disclose <kind> <value>" under another
    // keyword: the disclosure line's parser, with its value rules.
    auto d = ParseDisclosureLine("disclose " + std::string(line.substr(kFinding.size())));
    if (!d.ok()) return LineError(line_no, d.status().message());
    Status valid = ValidateFinding(*d);
    if (!valid.ok()) return LineError(line_no, valid.message());
    if (!o.findings.empty() && !DisclosureLess(o.findings.back(), *d)) {
      return LineError(line_no, "findings must be strictly ascending (canonical order)");
    }
    o.findings.push_back(std::move(d).value());
  }

  CANDOR_ASSIGN_OR_RETURN(std::string_view evidence, field("evidence-sha256"));
  auto evidence_hash = HexDecodeHash(evidence);
  if (!evidence_hash.ok()) {
    return LineError(line_no, "expected: evidence-sha256 <64 lower-case hex digits>");
  }
  o.evidence_sha256 = *evidence_hash;

  CANDOR_ASSIGN_OR_RETURN(std::string_view summary, field("summary"));
  Status summary_ok = ValidateSummary(summary);
  if (!summary_ok.ok()) return LineError(line_no, summary_ok.message());
  o.summary = std::string(summary);

  if (!rest.empty()) return LineError(line_no + 1, "nothing may follow the summary");
  // Each line passed its own rule above (ParseVerifierKey checks the key's
  // name and ID); what is left are the rules across fields. The text is
  // canonical by construction.
  CANDOR_RETURN_IF_ERROR(CheckAcrossFields(o));
  return o;
}

Result<SignedObservation> ParseSignedObservation(std::string_view note) {
  if (note.size() > kMaxObservationSize) return Status::TooLarge("observation exceeds 8192 bytes");
  if (!note.starts_with(kObservationMagic)) {
    return Status::Malformed("not an observation (first line must be " + std::string(kHeader) +
                             ")");
  }
  CANDOR_ASSIGN_OR_RETURN(Note parsed, ParseNote(note));
  CANDOR_ASSIGN_OR_RETURN(Observation o, ParseObservationText(parsed.text));
  // Exactly one signature, the observer key's: one encoding per statement,
  // so the log's duplicate check sees a replay as one.
  if (parsed.signatures.size() != 1) {
    return Status::Malformed("an observation carries exactly one signature line (" +
                             std::to_string(parsed.signatures.size()) + " found)");
  }
  const NoteSignature& sig = parsed.signatures.front();
  if (sig.name != o.observer_key.name || sig.key_id != o.observer_key.key_id) {
    return Status::BadSignature("the observation is not signed by its observer-key " +
                                o.observer_key.name);
  }
  SignedObservation out;
  out.observation = std::move(o);
  out.note = std::string(note);
  return out;
}

Status VerifyObservationSignature(const SignedObservation& o) {
  const VerifierKey keys[] = {o.observation.observer_key};
  auto verified = VerifyNote(o.note, keys);
  if (!verified.ok()) {
    return Status::BadSignature("observation signature by " + o.observation.observer_key.name +
                                " does not verify");
  }
  return Status::Ok();
}

Result<SignedObservation> OpenObservation(std::string_view note) {
  CANDOR_ASSIGN_OR_RETURN(SignedObservation o, ParseSignedObservation(note));
  CANDOR_RETURN_IF_ERROR(VerifyObservationSignature(o));
  return o;
}

bool IsObservationEntry(ByteView entry) { return AsChars(entry).starts_with(kObservationMagic); }

Status CheckObservationTarget(const Observation& o, std::string_view log_origin,
                              std::optional<ByteView> entry) {
  const std::string at = "index " + FormatDecimal(o.release_index);
  if (o.log_origin != log_origin) {
    return Status::Mismatch("the observation is about log " + o.log_origin + ", not " +
                            std::string(log_origin));
  }
  if (!entry) return Status::NotFound("the log holds no entry at " + at);
  const Hash leaf = LeafHash(*entry);
  if (!HashEqual(leaf, o.release_leaf)) {
    return Status::Conflict("the entry at " + at + " has leaf hash " + HexEncode(leaf) +
                            ", the observation names " + HexEncode(o.release_leaf) +
                            " (another view of the log?)");
  }
  if (!AsChars(*entry).starts_with(kReleaseEntryMagic)) {
    return Status::Mismatch("the entry at " + at + " is not a release");
  }
  auto release = ParseReleaseEntry(*entry);
  if (!release.ok()) return release.status().WithContext("the release at " + at);
  const auto& products = release->manifest.products;
  if (!std::binary_search(products.begin(), products.end(), o.product)) {
    return Status::Mismatch("the release at " + at + " is not for product " + o.product);
  }
  return Status::Ok();
}

std::vector<FindingContradiction> ObservationContradictions(const Observation& o,
                                                            std::span<const Disclosure> disclosed) {
  const int64_t day = DayOf(o.observed);
  std::vector<FindingContradiction> out;
  for (const Disclosure& finding : o.findings) {
    FindingContradiction c;
    c.finding = finding;
    // What holds that day: every value of the kind in effect by then; of a
    // single-valued kind, only the latest (a timeline "warned now, blocked
    // from 2026-09-13" says "blocked" on any later day).
    const DisclosureKindInfo* info = FindDisclosureKind(finding.kind);
    const bool single = info != nullptr && info->single_valued;
    int64_t latest = -1;  // undated: from install, before any date
    for (const Disclosure& d : disclosed) {
      if (d.kind != finding.kind) continue;
      const int64_t from = d.effective ? DaysSinceEpoch(*d.effective) : -1;
      if (from > day) continue;  // not yet in effect
      if (single && from < latest) continue;
      if (single && from > latest) c.disclosed.clear();
      latest = std::max(latest, from);
      c.disclosed.push_back(d);
    }
    const bool stated = std::any_of(c.disclosed.begin(), c.disclosed.end(),
                                    [&](const Disclosure& d) { return d.value == finding.value; });
    if (stated) continue;
    if (c.disclosed.empty() && !IsRestrictive(finding)) continue;  // silence agrees
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace candor
