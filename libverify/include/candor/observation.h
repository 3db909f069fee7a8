// Observations: a researcher's or an owner's signed counter-claim about a
// logged release, itself a transparency-log entry (docs/FORMATS.md
// "Observation", docs/AUDIT.md "Observations").
//
// An observation is a c2sp.org/signed-note whose text is, in exactly this
// order, every line ending in "\n":
//
//   candor.dev/observation/v1
//   observer <domain>                 who observes (lower-case DNS name)
//   observer-key <vkey>               the one key that signs, named like the observer
//   log <origin>                      the log whose entry it is about
//   release-index <n>                 the release's index in that log
//   release-leaf <hex>                its RFC 6962 leaf hash, SHA-256(0x00 || entry)
//   product <id>                      the product the observer examined
//   observed <YYYY-MM-DDTHH:MM:SSZ>   when
//   finding <kind> <value>            0..kMaxFindings lines, the disclosure vocabulary
//   evidence-sha256 <hex>             SHA-256 of the evidence (video, capture, report)
//   summary <text>                    one line for people, 1..kMaxSummarySize bytes
//
// signed by `observer-key` alone (exactly one signature line). The same bytes
// are its log entry: the log's third entry type, told apart by its first line
// (IsObservationEntry).
//
// Why index *and* leaf hash: the index says which entry, the leaf hash pins
// its bytes, so an observation cannot be moved onto another release, and a
// log that answers with another entry at that index contradicts a signed
// statement (CheckObservationTarget: kConflict, the evidence of a split view).
//
// Findings use the closed disclosure vocabulary (no vendor-specific kinds: an
// observer cannot define a vendor's kind) and no `effective` date (an
// observation is dated by `observed`), so an auditor can set each finding
// against what the release discloses (ObservationContradictions).
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_OBSERVATION_H_
#define CANDOR_OBSERVATION_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/disclosure.h"
#include "candor/manifest.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor {

inline constexpr std::string_view kObservationMagic = "candor.dev/observation/v1\n";
// The whole signed note (= the log entry).
inline constexpr size_t kMaxObservationSize = 8192;
inline constexpr size_t kMaxFindings = 16;
inline constexpr size_t kMaxSummarySize = 280;
inline constexpr size_t kMaxLogOriginSize = 255;

struct Observation {
  std::string observer;      // IsValidVendorDomain
  VerifierKey observer_key;  // Ed25519, named `observer` or `observer/...`
  std::string log_origin;    // 1..255 bytes of printable ASCII without space
  uint64_t release_index = 0;
  Hash release_leaf{};
  std::string product;   // IsValidProductId
  int64_t observed = 0;  // Unix seconds
  // Vocabulary kinds only, no effective date, strictly ascending in the
  // canonical disclosure order (so no duplicate), consistent with one another
  // (CheckDisclosuresConsistentAt: one device cannot be seen to do two
  // contradicting things at once).
  std::vector<Disclosure> findings;
  Hash evidence_sha256{};
  // One line, 1..kMaxSummarySize bytes, the visible-text class, no leading,
  // trailing or doubled space (docs/FORMATS.md "Disclosure vocabulary").
  std::string summary;

  friend bool operator==(const Observation&, const Observation&) = default;
};

// Every rule of the header comment on the fields. kMalformed naming the field.
Status ValidateObservation(const Observation& o);

// The canonical text (what the observer signs). ValidateObservation first.
Result<std::string> FormatObservationText(const Observation& o);

// Strict inverse of FormatObservationText, failing closed at the first
// deviation in line order: kTooLarge over kMaxObservationSize, kMalformed
// with the line number otherwise.
Result<Observation> ParseObservationText(std::string_view text);

// An observation as it travels: the signed note bytes (= the log entry) and
// what they say.
struct SignedObservation {
  Observation observation;
  std::string note;
};

// Size (kTooLarge), the magic line, ParseNote, ParseObservationText, and
// exactly one signature line, by `observer-key` (name and key ID; kMalformed
// for a second line, kBadSignature when the one line is another key's). The
// signature is NOT verified: the log checks the key's registration and rate
// limit first (admission.h), then VerifyObservationSignature.
Result<SignedObservation> ParseSignedObservation(std::string_view note);

// The one signature line verifies under `observer-key` (kBadSignature).
Status VerifyObservationSignature(const SignedObservation& o);

// ParseSignedObservation, then VerifyObservationSignature: for readers
// (auditors, the CLI) that judge the key afterwards.
Result<SignedObservation> OpenObservation(std::string_view note);

// True when `entry` starts with kObservationMagic (the log's and the
// auditor's dispatch between entry types; nothing is validated).
bool IsObservationEntry(ByteView entry);

// Whether an observation may be about the entry a log holds: the one check
// of the log (admission) and of auditors. `log_origin` is the log's origin;
// `entry` is the entry at o.release_index, nullopt if the log holds no entry
// there (its size is at most the index).
//   - another log's origin: kMismatch;
//   - no entry at the index: kNotFound;
//   - the entry's leaf hash is not release-leaf: kConflict (the observer saw
//     other bytes at that index: a possible split view, worth reporting);
//   - the entry is not a release entry (a trust root, an observation): kMismatch;
//   - the release does not name the observed product: kMismatch.
// The release entry is parsed and verified whole (ParseReleaseEntry).
Status CheckObservationTarget(const Observation& o, std::string_view log_origin,
                              std::optional<ByteView> entry);

// One finding set against what the device was told of the same kind.
struct FindingContradiction {
  Disclosure finding;
  // The disclosures of that kind that hold on the observed day (undated, or
  // effective on or before it); empty when nothing of the kind is disclosed.
  std::vector<Disclosure> disclosed;
};

// The findings that `disclosed` (what the release, or the product's state
// after it, says: the caller's choice) does not state on the observed day:
//   - disclosures of the kind hold that day and none has the finding's
//     value ("allowed" disclosed, "blocked" observed);
//   - nothing of the kind holds that day and the finding is restrictive
//     (IsRestrictive): an undisclosed restriction. A neutral finding about an
//     undisclosed kind ("allowed") agrees with silence.
// Pure bookkeeping over disclosures the caller has verified.
std::vector<FindingContradiction> ObservationContradictions(const Observation& o,
                                                            std::span<const Disclosure> disclosed);

}  // namespace candor

#endif  // CANDOR_OBSERVATION_H_
