// Observations (candor/observation.h): ParseObservationText and
// ParseSignedObservation on arbitrary bytes, then the signature, the target
// check against the fixture log and findings against the fixture release.
// Properties: a parsed observation is canonical (FormatObservationText
// reproduces its text byte for byte) and keeps the documented limits (at most
// 16 findings, vocabulary kinds, no effective date, strictly ascending;
// summary 1..280 bytes); a signed one has exactly one signature line, by its
// observer key; the target check answers only its documented codes, and
// `ok` only for the fixture release at its index with its leaf hash and one
// of its products; contradictions are a subsequence of the findings.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "candor/merkle.h"
#include "candor/observation.h"
#include "candor/release.h"
#include "fuzz_util.h"

using namespace candor;

namespace {

void CheckInvariants(const Observation& o, std::string_view text) {
  CANDOR_FUZZ_CHECK(o.findings.size() <= kMaxFindings);
  for (size_t i = 0; i < o.findings.size(); ++i) {
    CANDOR_FUZZ_CHECK(FindDisclosureKind(o.findings[i].kind) != nullptr);
    CANDOR_FUZZ_CHECK(!o.findings[i].effective);
    if (i > 0) CANDOR_FUZZ_CHECK(DisclosureLess(o.findings[i - 1], o.findings[i]));
  }
  CANDOR_FUZZ_CHECK(!o.summary.empty() && o.summary.size() <= kMaxSummarySize);
  CANDOR_FUZZ_CHECK(o.observer_key.type == kKeyTypeEd25519);
  auto formatted = FormatObservationText(o);
  CANDOR_FUZZ_CHECK(formatted.ok() && *formatted == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = fuzz::AsText(data, size);
  const fuzz::FixtureData& f = fuzz::Fixture();
  std::optional<Observation> parsed;
  if (auto text = ParseObservationText(input); text.ok()) {
    CheckInvariants(*text, input);
    parsed = *text;
  }
  auto signed_form = ParseSignedObservation(input);
  if (signed_form.ok()) {
    auto note = ParseNote(signed_form->note);
    CANDOR_FUZZ_CHECK(note.ok() && note->signatures.size() == 1);
    CANDOR_FUZZ_CHECK(note->signatures[0].name == signed_form->observation.observer_key.name);
    CheckInvariants(signed_form->observation, note->text);
    const Status verified = VerifyObservationSignature(*signed_form);
    CANDOR_FUZZ_CHECK(verified.ok() || verified.code() == Code::kBadSignature);
    CANDOR_FUZZ_CHECK(OpenObservation(input).ok() == verified.ok());
    parsed = signed_form->observation;
  }
  if (!parsed) return 0;

  // Against the fixture log: the entry the log holds at the index (if any).
  const Observation& o = *parsed;
  std::optional<ByteView> entry;
  if (o.release_index < f.entries.size()) entry = ByteView(f.entries[o.release_index]);
  const Status target = CheckObservationTarget(o, f.log_key.verifier.name, entry);
  const Code c = target.code();
  CANDOR_FUZZ_CHECK(c == Code::kOk || c == Code::kMismatch || c == Code::kNotFound ||
                    c == Code::kConflict);
  if (target.ok()) {
    CANDOR_FUZZ_CHECK(o.release_index == f.release_index);
    CANDOR_FUZZ_CHECK(o.release_leaf == LeafHash(f.release_entry));
    auto release = ParseReleaseEntry(f.release_entry);
    CANDOR_FUZZ_CHECK(release.ok());
    const auto& products = release->manifest.products;
    CANDOR_FUZZ_CHECK(std::find(products.begin(), products.end(), o.product) != products.end());
  }
  // The same observation moved to the fixture release is about it.
  Observation moved = o;
  moved.log_origin = f.log_key.verifier.name;
  moved.release_index = f.release_index;
  moved.release_leaf = LeafHash(f.release_entry);
  moved.product = f.product;
  CANDOR_FUZZ_CHECK(
      CheckObservationTarget(moved, f.log_key.verifier.name, ByteView(f.release_entry)).ok());

  auto release = ParseReleaseEntry(f.release_entry);
  CANDOR_FUZZ_CHECK(release.ok());
  size_t next = 0;
  for (const FindingContradiction& fc :
       ObservationContradictions(o, release->manifest.disclosures)) {
    while (next < o.findings.size() && !(o.findings[next] == fc.finding)) ++next;
    CANDOR_FUZZ_CHECK(next < o.findings.size());
    ++next;
    for (const Disclosure& d : fc.disclosed) CANDOR_FUZZ_CHECK(d.kind == fc.finding.kind);
  }
  return 0;
}
