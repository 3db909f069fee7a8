// Disclosure vocabulary and strict validation (docs/FORMATS.md "Disclosure
// vocabulary"). The table below is the single source of truth; the doc table
// mirrors it and tests/libverify/disclosure_test.cc checks that they agree.
#include "candor/disclosure.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>

#include "text_class.h"

namespace candor {
namespace {

constexpr std::string_view kEffectivePrefix = "effective=";
constexpr std::string_view kLinePrefix = "disclose ";
// " effective=YYYY-MM-DD" and ",effective=YYYY-MM-DD".
constexpr size_t kEffectiveSuffixSize = 1 + 10 + 10;

enum class ValueRule {
  kText,          // generic rules only
  kAccess,        // allowed | warned | degraded | blocked
  kTelemetry,     // none | <category>[,<category>...] to <domain>
  kRemote,        // none | vendor | vendor-and-partners
  kConnectivity,  // activation | periodic | always
  kRegions,       // ISO 3166-1 alpha-2 list
  kDate,          // YYYY-MM-DD
  kCves,          // unassigned | CVE list
};

struct KindRow {
  DisclosureKindInfo info;
  ValueRule rule;
  // A value that states the absence of every other value of the kind ("no
  // telemetry"): it cannot hold at the same time as any other value of the
  // kind, even of a kind that may otherwise repeat. Empty: none.
  std::string_view exclusive_value = {};
};

constexpr std::string_view kAccessSyntax = "allowed | warned | degraded | blocked";

// Sorted by kind, byte-wise.
constexpr std::array<KindRow, 12> kVocabulary = {{
    {{"account-required", "Account required", "free text: what now requires a vendor account",
      "Using the named function requires signing in to a vendor account.", Restrictive::kAlways, "",
      true, false, DisclosureMeaning::kState},
     ValueRule::kText},
    {{"connectivity-required", "Connectivity required", "activation | periodic | always",
      "The device needs network access to the vendor: once to activate, to check in "
      "periodically, or always.",
      Restrictive::kAlways, "", true, true, DisclosureMeaning::kState},
     ValueRule::kConnectivity},
    {{"consumables.third-party", "Third-party consumables", kAccessSyntax,
      "How the device treats consumables (ink, toner, cartridges, filters, pods) not made by "
      "the vendor.",
      Restrictive::kUnlessNeutral, "allowed", true, true, DisclosureMeaning::kState},
     ValueRule::kAccess},
    {{"end-of-support", "End of support", "YYYY-MM-DD",
      "The last day the vendor commits to ship security updates for these products.",
      Restrictive::kNever, "", false, true, DisclosureMeaning::kState},
     ValueRule::kDate},
    {{"feature-removal", "Feature removal", "free text: the feature removed",
      "The release removes or disables a feature the device had.", Restrictive::kAlways, "", true,
      false, DisclosureMeaning::kEvent},
     ValueRule::kText},
    {{"performance-limit", "Performance limit", "free text: what is limited and when",
      "The release throttles or caps performance (speed, battery, output) under stated "
      "conditions.",
      Restrictive::kAlways, "", true, false, DisclosureMeaning::kState},
     ValueRule::kText},
    {{"region-lock", "Region lock",
      "comma-separated ISO 3166-1 alpha-2 codes, upper case, ascending, unique",
      "The device (or its consumables) works only in the listed regions.", Restrictive::kAlways, "",
      true, true, DisclosureMeaning::kState},
     ValueRule::kRegions},
    {{"remote-disable", "Remote disable", "none | vendor | vendor-and-partners",
      "Who can disable the device or its functions remotely.", Restrictive::kUnlessNeutral, "none",
      true, true, DisclosureMeaning::kState},
     ValueRule::kRemote,
     "none"},
    {{"repair.parts-pairing", "Parts pairing", kAccessSyntax,
      "How the device treats replacement parts not paired to it by the vendor "
      "(serialisation).",
      Restrictive::kUnlessNeutral, "allowed", true, true, DisclosureMeaning::kState},
     ValueRule::kAccess},
    {{"security-fix", "Security fix",
      "unassigned | comma-separated CVE-YYYY-NNNN ids, ascending, unique",
      "The release fixes the listed vulnerabilities.", Restrictive::kNever, "", false, true,
      DisclosureMeaning::kEvent},
     ValueRule::kCves,
     "unassigned"},
    {{"subscription-required", "Subscription required",
      "free text: what now requires a paid subscription",
      "Using the named function requires a paid subscription.", Restrictive::kAlways, "", true,
      false, DisclosureMeaning::kState},
     ValueRule::kText},
    {{"telemetry", "Telemetry", "none | <category>[,<category>...] to <domain>",
      "What data the device sends and where; categories are [a-z0-9-] tokens, ascending, "
      "unique (e.g. crash, usage, location, identifiers, content).",
      Restrictive::kUnlessNeutral, "none", true, false, DisclosureMeaning::kState},
     ValueRule::kTelemetry,
     "none"},
}};

const KindRow* FindRow(std::string_view kind) {
  auto it = std::lower_bound(kVocabulary.begin(), kVocabulary.end(), kind,
                             [](const KindRow& r, std::string_view k) { return r.info.kind < k; });
  if (it == kVocabulary.end() || it->info.kind != kind) return nullptr;
  return &*it;
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool OneOf(std::string_view v, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), v) != options.end();
}

// Splits on ',' and checks each item with `item_ok` and strict ascent under `less`.
template <typename ItemOk, typename Less>
bool IsSortedList(std::string_view v, ItemOk item_ok, Less less) {
  std::string_view prev;
  bool first = true;
  while (true) {
    const size_t comma = v.find(',');
    const std::string_view item = v.substr(0, comma);
    if (!item_ok(item)) return false;
    if (!first && !less(prev, item)) return false;
    prev = item;
    first = false;
    if (comma == std::string_view::npos) return true;
    v.remove_prefix(comma + 1);
  }
}

bool IsCategory(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; });
}

bool IsRegion(std::string_view s) {
  return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

// "CVE-" YYYY "-" digits: 4 digits, or more without a leading zero.
bool ParseCve(std::string_view s, uint32_t* year, uint64_t* number) {
  if (s.size() < 13 || s.substr(0, 4) != "CVE-" || s[8] != '-') return false;
  const std::string_view y = s.substr(4, 4), n = s.substr(9);
  if (n.size() > 19 || (n.size() > 4 && n[0] == '0')) return false;
  uint32_t yv = 0;
  for (char c : y) {
    if (c < '0' || c > '9') return false;
    yv = yv * 10 + static_cast<uint32_t>(c - '0');
  }
  uint64_t nv = 0;
  for (char c : n) {
    if (c < '0' || c > '9') return false;
    nv = nv * 10 + static_cast<uint64_t>(c - '0');
  }
  if (yv < 1999) return false;
  *year = yv;
  *number = nv;
  return true;
}

bool CveLess(std::string_view a, std::string_view b) {
  uint32_t ya = 0, yb = 0;
  uint64_t na = 0, nb = 0;
  ParseCve(a, &ya, &na);
  ParseCve(b, &yb, &nb);
  return ya != yb ? ya < yb : na < nb;
}

Status CheckRule(ValueRule rule, std::string_view v) {
  switch (rule) {
    case ValueRule::kText:
      return Status::Ok();
    case ValueRule::kAccess:
      if (OneOf(v, {"allowed", "warned", "degraded", "blocked"})) return Status::Ok();
      return Status::Malformed("value must be allowed, warned, degraded or blocked");
    case ValueRule::kRemote:
      if (OneOf(v, {"none", "vendor", "vendor-and-partners"})) return Status::Ok();
      return Status::Malformed("value must be none, vendor or vendor-and-partners");
    case ValueRule::kConnectivity:
      if (OneOf(v, {"activation", "periodic", "always"})) return Status::Ok();
      return Status::Malformed("value must be activation, periodic or always");
    case ValueRule::kTelemetry: {
      if (v == "none") return Status::Ok();
      const size_t to = v.find(" to ");
      if (to == std::string_view::npos ||
          !IsSortedList(v.substr(0, to), IsCategory, std::less<std::string_view>()) ||
          !IsValidVendorDomain(v.substr(to + 4))) {
        return Status::Malformed(
            "telemetry value must be none or <categories, ascending> to <lower-case domain>");
      }
      return Status::Ok();
    }
    case ValueRule::kRegions:
      if (IsSortedList(v, IsRegion, std::less<std::string_view>())) return Status::Ok();
      return Status::Malformed(
          "region-lock value must be ascending, unique ISO 3166-1 alpha-2 codes");
    case ValueRule::kDate:
      return ParseDate(v).status();
    case ValueRule::kCves: {
      if (v == "unassigned") return Status::Ok();
      auto is_cve = [](std::string_view s) {
        uint32_t y = 0;
        uint64_t n = 0;
        return ParseCve(s, &y, &n);
      };
      if (IsSortedList(v, is_cve, CveLess)) return Status::Ok();
      return Status::Malformed(
          "security-fix value must be unassigned or ascending, unique CVE-YYYY-NNNN ids");
    }
  }
  return Status::Internal("unhandled value rule");
}

}  // namespace

std::span<const DisclosureKindInfo> DisclosureVocabulary() {
  static const std::array<DisclosureKindInfo, kVocabulary.size()> infos = [] {
    std::array<DisclosureKindInfo, kVocabulary.size()> out{};
    for (size_t i = 0; i < kVocabulary.size(); ++i) out[i] = kVocabulary[i].info;
    return out;
  }();
  return infos;
}

const DisclosureKindInfo* FindDisclosureKind(std::string_view kind) {
  const KindRow* row = FindRow(kind);
  if (row == nullptr) return nullptr;
  return &DisclosureVocabulary()[static_cast<size_t>(row - kVocabulary.data())];
}

bool IsValidVendorDomain(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t labels = 0;
  while (true) {
    const size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!IsLowerAlnum(c) && c != '-') return false;
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  return labels >= 2;
}

bool IsVendorKind(std::string_view kind) {
  if (kind.size() > kMaxDisclosureKindSize || kind.substr(0, 2) != "x-") return false;
  const size_t slash = kind.find('/');
  if (slash == std::string_view::npos) return false;
  if (!IsValidVendorDomain(kind.substr(2, slash - 2))) return false;
  const std::string_view name = kind.substr(slash + 1);
  if (name.empty() || name.size() > 64 || !IsLowerAlnum(name.front()) ||
      !IsLowerAlnum(name.back())) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsLowerAlnum(c) || c == '-' || c == '.'; });
}

std::string_view VendorKindDomain(std::string_view kind) {
  const size_t slash = kind.find('/');
  return kind.substr(2, slash - 2);
}

Status ValidateDisclosureValue(std::string_view value) {
  if (value.empty()) return Status::Malformed("disclosure value is empty");
  if (value.size() > kMaxDisclosureValueSize) {
    return Status::Malformed("disclosure value is longer than 256 bytes");
  }
  if (value.front() == ' ' || value.back() == ' ' || value.find("  ") != std::string_view::npos) {
    return Status::Malformed("disclosure value has a leading, trailing or doubled space");
  }
  if (value.find(kEffectivePrefix) != std::string_view::npos) {
    return Status::Malformed("disclosure value must not contain \"effective=\"");
  }
  // The generic text class (text_class.h): no control, formatting, default
  // ignorable or non-ASCII space code point, and something visible.
  return internal::CheckVisibleText(value, "disclosure value", /*multiline=*/false);
}

Status ValidateDisclosure(const Disclosure& d) {
  const KindRow* row = FindRow(d.kind);
  if (row == nullptr && !IsVendorKind(d.kind)) {
    if (d.kind.substr(0, 2) == "x-") {
      return Status::Malformed("bad vendor disclosure kind (want x-<domain>/<name>)");
    }
    return Status::Malformed("unknown disclosure kind");
  }
  Status s = ValidateDisclosureValue(d.value);
  if (s.ok() && row != nullptr) s = CheckRule(row->rule, d.value);
  if (!s.ok()) return Status::Malformed(d.kind + ": " + s.message());
  if (d.effective.has_value()) {
    if (row != nullptr && !row->info.effective_allowed) {
      return Status::Malformed(d.kind + ": this kind takes no effective date");
    }
    if (!IsValidDate(*d.effective)) return Status::Malformed(d.kind + ": bad effective date");
  }
  return Status::Ok();
}

std::string FormatDisclosureLine(const Disclosure& d) {
  std::string out;
  out.reserve(kLinePrefix.size() + d.kind.size() + 1 + d.value.size() + kEffectiveSuffixSize);
  out.append(kLinePrefix).append(d.kind).append(" ").append(d.value);
  if (d.effective.has_value())
    out.append(" ").append(kEffectivePrefix).append(FormatDate(*d.effective));
  return out;
}

Result<Disclosure> ParseDisclosureLine(std::string_view line) {
  const std::string_view original = line;
  if (line.substr(0, kLinePrefix.size()) != kLinePrefix) {
    return Status::Malformed("not a disclose line");
  }
  line.remove_prefix(kLinePrefix.size());
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0)
    return Status::Malformed("disclose line lacks a value");
  Disclosure d;
  d.kind = std::string(line.substr(0, sp));
  std::string_view rest = line.substr(sp + 1);
  if (rest.size() > kEffectiveSuffixSize &&
      rest.substr(rest.size() - kEffectiveSuffixSize, 1 + kEffectivePrefix.size()) ==
          " effective=") {
    CANDOR_ASSIGN_OR_RETURN(Date date, ParseDate(rest.substr(rest.size() - 10)));
    d.effective = date;
    rest.remove_suffix(kEffectiveSuffixSize);
  }
  d.value = std::string(rest);
  CANDOR_RETURN_IF_ERROR(ValidateDisclosure(d));
  // Defence in depth: the accepted spelling is the one we would write.
  if (FormatDisclosureLine(d) != original) return Status::Malformed("non-canonical disclose line");
  return d;
}

bool DisclosureLess(const Disclosure& a, const Disclosure& b) {
  return FormatDisclosureLine(a) < FormatDisclosureLine(b);
}

void SortDisclosures(std::vector<Disclosure>& list) {
  std::sort(list.begin(), list.end(), DisclosureLess);
}

namespace {

// True if `d` already holds on day `at_day`: it has no effective date ("on
// install", and no install precedes the reference day), or its date is on or
// before that day.
bool InEffectBy(const Disclosure& d, int64_t at_day) {
  return !d.effective.has_value() || DaysSinceEpoch(*d.effective) <= at_day;
}

// Disclosures a, b of one vocabulary kind that cannot both be true. Two
// values of one kind hold at the same time when they share an effective date,
// or when both already hold on the reference day (an undated value next to
// one effective on an earlier date: from that day on, both would describe the
// device). A single-valued kind has one state at a time, so two such values
// contradict each other; an exclusive value ("telemetry none") contradicts
// any other value of its kind holding at the same time.
bool Contradict(const KindRow& row, const Disclosure& a, const Disclosure& b, int64_t at_day) {
  const bool same_time =
      a.effective == b.effective || (InEffectBy(a, at_day) && InEffectBy(b, at_day));
  if (!same_time) return false;
  if (row.info.single_valued) return true;
  return !row.exclusive_value.empty() &&
         (a.value == row.exclusive_value || b.value == row.exclusive_value);
}

}  // namespace

Status CheckDisclosuresConsistentAt(std::span<const Disclosure> list, int64_t at) {
  const int64_t clamped = std::clamp<int64_t>(at, 0, kMaxUnixSeconds);
  const int64_t at_day = clamped / 86400;
  for (size_t i = 0; i < list.size(); ++i) {
    const KindRow* row = FindRow(list[i].kind);
    if (row == nullptr) continue;
    for (size_t j = 0; j < i; ++j) {
      if (list[j].kind != list[i].kind || !Contradict(*row, list[j], list[i], at_day)) continue;
      if (list[j].effective == list[i].effective) {
        return Status::Malformed(list[i].kind +
                                 ": contradictory values for the same effective date (" +
                                 list[j].value + ", " + list[i].value + ")");
      }
      return Status::Malformed(list[i].kind + ": contradictory values both in effect on " +
                               FormatUtcTime(clamped).substr(0, 10) + " (" + list[j].value + ", " +
                               list[i].value +
                               "): a value effective on or before that day holds from it on, "
                               "as does an undated one");
    }
  }
  return Status::Ok();
}

Status ValidateDisclosureList(std::span<const Disclosure> list, std::string_view vendor,
                              int64_t issued) {
  if (list.size() > kMaxDisclosures) return Status::Malformed("more than 64 disclosures");
  for (size_t i = 0; i < list.size(); ++i) {
    const Disclosure& d = list[i];
    CANDOR_RETURN_IF_ERROR(ValidateDisclosure(d));
    if (IsVendorKind(d.kind) && VendorKindDomain(d.kind) != vendor) {
      return Status::Malformed(d.kind + ": vendor kinds must use the namespace x-" +
                               std::string(vendor) + "/");
    }
    if (i > 0 && !DisclosureLess(list[i - 1], d)) {
      return Status::Malformed("disclosures are duplicated or not in canonical order");
    }
  }
  // At the issue day (no device installs the release before it is issued).
  // The log also applies this rule at its own date when it admits the entry,
  // since `issued` is the vendor's claim (docs/LOG.md "Accepting entries").
  return CheckDisclosuresConsistentAt(list, issued);
}

Result<Disclosure> ParseDisclosureArg(std::string_view arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::Malformed("disclosure must be KIND=VALUE[,effective=YYYY-MM-DD]");
  }
  Disclosure d;
  d.kind = std::string(arg.substr(0, eq));
  std::string_view rest = arg.substr(eq + 1);
  if (rest.size() > kEffectiveSuffixSize &&
      rest.substr(rest.size() - kEffectiveSuffixSize, 1 + kEffectivePrefix.size()) ==
          ",effective=") {
    CANDOR_ASSIGN_OR_RETURN(Date date, ParseDate(rest.substr(rest.size() - 10)));
    d.effective = date;
    rest.remove_suffix(kEffectiveSuffixSize);
  }
  d.value = std::string(rest);
  CANDOR_RETURN_IF_ERROR(ValidateDisclosure(d));
  return d;
}

std::string FormatDisclosureArg(const Disclosure& d) {
  std::string out = d.kind + "=" + d.value;
  if (d.effective.has_value()) out += ",effective=" + FormatDate(*d.effective);
  return out;
}

DisclosureMeaning MeaningOf(std::string_view kind) {
  const DisclosureKindInfo* info = FindDisclosureKind(kind);
  return info == nullptr ? DisclosureMeaning::kState : info->meaning;
}

bool IsRestrictive(const Disclosure& d) {
  const DisclosureKindInfo* info = FindDisclosureKind(d.kind);
  if (info == nullptr) return true;  // vendor-specific or unknown: highlight
  switch (info->restrictive) {
    case Restrictive::kNever:
      return false;
    case Restrictive::kAlways:
      return true;
    case Restrictive::kUnlessNeutral:
      return d.value != info->neutral_value;
  }
  return true;
}

std::string DescribeDisclosure(const Disclosure& d) {
  const DisclosureKindInfo* info = FindDisclosureKind(d.kind);
  std::string out;
  if (info != nullptr) {
    out.append(info->title);
  } else if (IsVendorKind(d.kind)) {
    out.append("Vendor-specific (").append(VendorKindDomain(d.kind)).append(") ");
    out.append(d.kind.substr(d.kind.find('/') + 1));
  } else {
    out.append("Unknown kind ").append(d.kind);
  }
  out.append(": ").append(d.value);
  if (d.effective.has_value())
    out.append(" (effective ").append(FormatDate(*d.effective)).append(")");
  return out;
}

}  // namespace candor
