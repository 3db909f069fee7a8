// Observations in `candor audit show` (docs/AUDIT.md "Observations"): those
// about a release, each finding marked against the product's disclosures
// (audit::MarkFindings), as text and as JSON. Third-party claims: the text
// says so, and a target that failed its check in this mirror is shown loudly.
#include <optional>
#include <ostream>

#include "audit.h"
#include "candor/date.h"
#include "candor/disclosure.h"
#include "describe.h"

namespace candor::cli {
namespace {

void PrintObservationBody(std::ostream& out, const ShownObservation& s, const char* indent) {
  const audit::ObservationRow& o = s.row;
  out << indent << "observer:      " << o.observer << "\n";
  out << indent << "observer key:  " << o.observer_key << "\n";
  out << indent << "observed:      " << FormatUtcTime(o.observed) << " (the observer's claim)\n";
  out << indent << "logged by:     " << FormatUtcTime(o.logged) << " (first seen by this mirror)\n";
  out << indent << "findings:      " << (o.findings.empty() ? "none" : "") << "\n";
  for (const audit::FindingMark& m : s.marks) {
    out << indent << "  "
        << (s.unjudged       ? "  unjudged      "
            : m.contradicted ? "! contradicted  "
                             : "  confirmed     ")
        << DescribeDisclosure(m.finding);
    if (m.contradicted) {
      std::string stated;
      for (const Disclosure& d : m.disclosed) {
        stated += (stated.empty() ? "" : "; ") + FormatDisclosureLine(d).substr(9);
      }
      out << " (disclosed: " << (stated.empty() ? "nothing" : stated) << ")";
    }
    out << "\n";
  }
  out << indent << "evidence:      sha256 " << o.evidence_sha256 << "\n";
  out << indent << "summary:       " << o.summary << "\n";
}

}  // namespace

Result<ShownObservation> JudgeObservation(ReadMirror& m, audit::ObservationRow o) {
  ShownObservation s;
  std::optional<audit::ReleaseRow> release;
  if (o.target_error.empty()) {
    CANDOR_ASSIGN_OR_RETURN(release, m.mirror->index().ByIndex(o.release_index, m.state.size));
  }
  if (release) {
    CANDOR_ASSIGN_OR_RETURN(auto product,
                            m.mirror->index().ForProduct(release->vendor, o.product, m.state.size));
    s.marks = audit::MarkFindings(o, product);
  } else {
    // No release to judge against: the findings as claimed.
    for (const Disclosure& f : o.findings) {
      audit::FindingMark mark;
      mark.finding = f;
      s.marks.push_back(std::move(mark));
    }
    s.unjudged = true;
  }
  s.row = std::move(o);
  return s;
}

Result<std::vector<ShownObservation>> ObservationsAbout(ReadMirror& m, const audit::ReleaseRow& r) {
  CANDOR_ASSIGN_OR_RETURN(auto rows,
                          m.mirror->index().ObservationsAbout(r.log_index, m.state.size));
  std::vector<ShownObservation> out;
  for (audit::ObservationRow& o : rows) {
    CANDOR_ASSIGN_OR_RETURN(ShownObservation s, JudgeObservation(m, std::move(o)));
    out.push_back(std::move(s));
  }
  return out;
}

void PrintObservations(std::ostream& out, const std::vector<ShownObservation>& list) {
  out << "observations:  "
      << (list.empty() ? "none"
                       : std::to_string(list.size()) + " (third-party claims, not the vendor's)")
      << "\n";
  for (const ShownObservation& s : list) {
    out << "  #" << s.row.log_index;
    if (!s.row.target_error.empty()) {
      out << "  TARGET INVALID in this mirror (observation-target-invalid): " << s.row.target_error;
    }
    out << "\n";
    PrintObservationBody(out, s, "    ");
  }
}

void PrintObservation(std::ostream& out, const ShownObservation& s) {
  const audit::ObservationRow& o = s.row;
  out << "observation:   log index " << o.log_index
      << " (a third-party claim about a release, not the vendor's)\n";
  out << "about:         release #" << o.release_index << " of " << o.product << ", leaf hash "
      << o.release_leaf << "\n";
  out << "target:        "
      << (o.target_error.empty()
              ? "holds in this mirror"
              : "INVALID in this mirror (observation-target-invalid): " + o.target_error)
      << "\n";
  PrintObservationBody(out, s, "");
  out << "leaf hash:     " << o.leaf_hex << "\n";
}

void WriteObservationJson(const ShownObservation& s, JsonWriter& json) {
  const audit::ObservationRow& o = s.row;
  json.BeginObject();
  json.Key("type");
  json.String("observation");
  json.Key("log_index");
  json.Uint(o.log_index);
  json.Key("observer");
  json.String(o.observer);
  json.Key("observer_key");
  json.String(o.observer_key);
  json.Key("release_index");
  json.Uint(o.release_index);
  json.Key("release_leaf");
  json.String(o.release_leaf);
  json.Key("product");
  json.String(o.product);
  json.Key("observed");
  json.String(FormatUtcTime(o.observed));
  json.Key("logged");
  json.String(FormatUtcTime(o.logged));
  json.Key("target");
  json.String(o.target_error.empty() ? "valid" : "invalid");
  if (!o.target_error.empty()) {
    json.Key("target_error");
    json.String(o.target_error);
  }
  json.Key("findings");
  json.BeginArray();
  for (const audit::FindingMark& m : s.marks) {
    json.BeginObject();
    json.Key("finding");
    WriteDisclosureJson(m.finding, json);
    json.Key("status");
    json.String(s.unjudged ? "unjudged" : m.contradicted ? "contradicted" : "confirmed");
    json.Key("disclosed");
    json.BeginArray();
    for (const Disclosure& d : m.disclosed) WriteDisclosureJson(d, json);
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.Key("evidence_sha256");
  json.String(o.evidence_sha256);
  json.Key("summary");
  json.String(o.summary);
  json.Key("leaf_hash");
  json.String(o.leaf_hex);
  json.EndObject();
}

}  // namespace candor::cli
