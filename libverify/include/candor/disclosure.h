// Disclosures: typed, machine-readable claims a vendor makes about what a
// release does to the device ("blocks third-party cartridges from
// 2026-09-13", "uploads crash and usage data to metrics.acme.example").
//
// A disclosure is (kind, value, optional effective date). The kind comes from
// a closed vocabulary (DisclosureVocabulary(), documented in docs/FORMATS.md
// "Disclosure vocabulary"), each with its own value syntax, or is a
// vendor-specific kind "x-<vendor-domain>/<name>" whose value follows the
// generic rules only. Everything is validated strictly so that a disclosure has
// exactly one accepted spelling inside a signed manifest.
//
// Generic value rules (every kind): 1..kMaxDisclosureValueSize bytes of valid
// UTF-8; no code point of General_Category Cc, Cf, Zl, Zp, no Zs or
// White_Space but U+0020, no Default_Ignorable_Code_Point (zero-width,
// bidirectional, TAG characters, variation selectors, Hangul fillers), no
// noncharacter, no U+2800 (tables generated from the Unicode Character
// Database, see docs/FORMATS.md); at least one visible character (not only
// spaces and combining marks); no leading, trailing or doubled space; and the
// value never contains "effective=" (which keeps both the manifest line and
// the CLI syntax unambiguous).
//
// Thread-safety: pure functions over values; the vocabulary is static const data.
#ifndef CANDOR_DISCLOSURE_H_
#define CANDOR_DISCLOSURE_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candor/date.h"
#include "candor/status.h"

namespace candor {

inline constexpr size_t kMaxDisclosureValueSize = 256;  // bytes
inline constexpr size_t kMaxDisclosureKindSize = 128;   // bytes, vendor kinds included
inline constexpr size_t kMaxDisclosures = 64;           // per release

struct Disclosure {
  std::string kind;
  std::string value;
  std::optional<Date> effective;  // absent: effective as soon as installed

  friend bool operator==(const Disclosure&, const Disclosure&) = default;
};

// How a kind is to be read by auditors.
enum class Restrictive {
  kNever,          // informational (end of support, security fixes)
  kAlways,         // every disclosure of this kind limits the owner
  kUnlessNeutral,  // restrictive unless the value is the kind's neutral value
};

// What one disclosure of a kind means over a product's releases
// (docs/FORMATS.md "State and event kinds"; candor/disclosure_state.h).
enum class DisclosureMeaning {
  // A state of the device (consumables, telemetry, end of support, ...): it
  // persists from release to release until a later release of the product
  // restates the kind with other values; lifting is an explicit value.
  kState,
  // Something this release does once (fixes CVEs, removes a feature): it
  // belongs to this release only and is never "removed" by a later one.
  kEvent,
};

// One row of the documented vocabulary.
struct DisclosureKindInfo {
  std::string_view kind;          // e.g. "consumables.third-party"
  std::string_view title;         // short label for people, e.g. "Third-party consumables"
  std::string_view value_syntax;  // human summary of the accepted values
  std::string_view summary;       // one-line meaning, for people
  Restrictive restrictive;
  std::string_view neutral_value;  // for kUnlessNeutral, e.g. "allowed"; else empty
  bool effective_allowed;          // may carry an `effective` date
  // Single-valued kinds describe one state of the device: at most one
  // disclosure per (kind, effective date) in a release. Others may repeat.
  bool single_valued;
  DisclosureMeaning meaning;
};

// The closed vocabulary, in canonical (byte-wise) kind order.
std::span<const DisclosureKindInfo> DisclosureVocabulary();

// The vocabulary row for `kind`, or nullptr (unknown or vendor-specific kind).
const DisclosureKindInfo* FindDisclosureKind(std::string_view kind);

// True if `kind` is syntactically a vendor-specific kind:
// "x-" <vendor-domain> "/" <name>, where <vendor-domain> passes
// IsValidVendorDomain and <name> is 1..64 of [a-z0-9.-], starting and ending
// with [a-z0-9]; kind at most kMaxDisclosureKindSize bytes.
bool IsVendorKind(std::string_view kind);
// The <vendor-domain> part of a vendor kind. REQUIRES: IsVendorKind(kind).
std::string_view VendorKindDomain(std::string_view kind);

// A lower-case DNS name: 2..127 labels separated by '.', each 1..63 of
// [a-z0-9-] not starting or ending with '-', at most 253 bytes in total.
// Used for the manifest's vendor, vendor kinds and telemetry destinations.
bool IsValidVendorDomain(std::string_view name);

// Generic value rules (see the header comment).
Status ValidateDisclosureValue(std::string_view value);

// Checks one disclosure: known or vendor kind, generic and per-kind value
// rules, and `effective` (a valid date, only on kinds that allow it).
// kMalformed with a message naming the problem.
Status ValidateDisclosure(const Disclosure& d);

// The manifest line without its final newline:
//   "disclose <kind> <value>" [" effective=YYYY-MM-DD"]
// REQUIRES: ValidateDisclosure(d).ok().
std::string FormatDisclosureLine(const Disclosure& d);
// Strict inverse of FormatDisclosureLine (input without "\n"); validates.
Result<Disclosure> ParseDisclosureLine(std::string_view line);

// Canonical order: byte-wise order of FormatDisclosureLine. Equivalent
// disclosures compare equal, so strict ascent also excludes duplicates.
bool DisclosureLess(const Disclosure& a, const Disclosure& b);
void SortDisclosures(std::vector<Disclosure>& list);

// The one contradiction rule (docs/FORMATS.md "Contradictions"), judged at
// reference time `at` (Unix seconds, clamped to [0, kMaxUnixSeconds]): no two
// values of one vocabulary kind that cannot be true at once. Two values hold
// at the same time when they share an effective date or when both hold on the
// day of `at` (undated, or effective on or before that day). At the same
// time, a single-valued kind may have only one value, and an exclusive value
// (`telemetry none`, `remote-disable none`, `security-fix unassigned`) no
// other value of its kind. kMalformed naming the pair. Each disclosure must
// already be valid (ValidateDisclosure). ValidateDisclosureList applies it at
// the manifest's `issued`; the log applies it again at its own clock when it
// admits an entry, since `issued` is the vendor's claim.
Status CheckDisclosuresConsistentAt(std::span<const Disclosure> list, int64_t at);

// Checks a release's disclosure list: each valid, at most kMaxDisclosures,
// strictly ascending in canonical order, vendor kinds only in the namespace
// "x-<vendor>/", and CheckDisclosuresConsistentAt(list, issued).
Status ValidateDisclosureList(std::span<const Disclosure> list, std::string_view vendor,
                              int64_t issued);

// CLI syntax: "KIND=VALUE[,effective=YYYY-MM-DD]", e.g.
// "consumables.third-party=blocked,effective=2026-09-13". Validates.
Result<Disclosure> ParseDisclosureArg(std::string_view arg);
// REQUIRES: ValidateDisclosure(d).ok().
std::string FormatDisclosureArg(const Disclosure& d);

// The kind's meaning: the vocabulary row's, and kState for vendor-specific
// kinds (a vendor kind describes the device until the vendor restates it).
DisclosureMeaning MeaningOf(std::string_view kind);

// True if auditors should highlight this disclosure: the kind's Restrictive
// rule applied to the value. Vendor-specific kinds count as restrictive, since
// nobody but the vendor can say what they mean.
bool IsRestrictive(const Disclosure& d);

// One line for people, e.g.
// "Third-party consumables: blocked (effective 2026-09-13)".
std::string DescribeDisclosure(const Disclosure& d);

}  // namespace candor

#endif  // CANDOR_DISCLOSURE_H_
