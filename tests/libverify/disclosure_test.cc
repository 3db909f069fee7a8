#include "candor/disclosure.h"

#include "candor/date.h"

#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace candor {
namespace {

// 2026-03-01T12:00:00Z: the release issue time list rules compare dates with.
constexpr int64_t kIssued = 1772366400;

Disclosure D(std::string kind, std::string value, std::optional<Date> eff = std::nullopt) {
  return Disclosure{std::move(kind), std::move(value), eff};
}

TEST_CASE("per-kind value rules") {
  struct Case {
    const char* kind;
    const char* value;
    bool ok;
  };
  const Case cases[] = {
      {"consumables.third-party", "allowed", true},
      {"consumables.third-party", "warned", true},
      {"consumables.third-party", "degraded", true},
      {"consumables.third-party", "blocked", true},
      {"consumables.third-party", "Blocked", false},
      {"consumables.third-party", "blocked ", false},
      {"consumables.third-party", "maybe", false},
      {"repair.parts-pairing", "blocked", true},
      {"repair.parts-pairing", "none", false},
      {"telemetry", "none", true},
      {"telemetry", "crash to metrics.acme.example", true},
      {"telemetry", "crash,usage to metrics.acme.example", true},
      {"telemetry", "usage,crash to metrics.acme.example", false},  // not ascending
      {"telemetry", "crash,crash to metrics.acme.example", false},  // duplicate
      {"telemetry", "crash to Metrics.acme.example", false},
      {"telemetry", "crash to localhost", false},  // one label
      {"telemetry", "crash", false},
      {"telemetry", "Crash to a.example", false},
      {"telemetry", ",crash to a.example", false},
      {"telemetry", "crash, usage to a.example", false},
      {"remote-disable", "none", true},
      {"remote-disable", "vendor", true},
      {"remote-disable", "vendor-and-partners", true},
      {"remote-disable", "anyone", false},
      {"connectivity-required", "activation", true},
      {"connectivity-required", "periodic", true},
      {"connectivity-required", "always", true},
      {"connectivity-required", "sometimes", false},
      {"region-lock", "US", true},
      {"region-lock", "CA,US", true},
      {"region-lock", "US,CA", false},
      {"region-lock", "us", false},
      {"region-lock", "USA", false},
      {"region-lock", "CA,,US", false},
      {"region-lock", "CA,US,", false},
      {"end-of-support", "2031-12-31", true},
      {"end-of-support", "2031-02-29", false},
      {"end-of-support", "2032-02-29", true},
      {"end-of-support", "soon", false},
      {"security-fix", "unassigned", true},
      {"security-fix", "CVE-2026-0001", true},
      {"security-fix", "CVE-2026-0001,CVE-2026-10020", true},
      {"security-fix", "CVE-2025-99999,CVE-2026-0001", true},
      {"security-fix", "CVE-2026-10020,CVE-2026-0001", false},  // numeric order
      {"security-fix", "CVE-2026-0001,CVE-2026-0001", false},
      {"security-fix", "CVE-2026-001", false},
      {"security-fix", "CVE-2026-01234", false},  // leading zero beyond 4 digits
      {"security-fix", "CVE-26-0001", false},
      {"security-fix", "cve-2026-0001", false},
      {"security-fix", "CVE-1998-0001", false},
      {"feature-removal", "Wi-Fi Direct printing", true},
      {"feature-removal", "Scan to e-mail (SMTP)", true},
      {"feature-removal", "Impression recto-verso", true},
      {"subscription-required", "Remote printing from the app", true},
      {"account-required", "Initial setup", true},
      {"performance-limit", "print speed halved after 500 pages/month", true},
      {"x-acme.example/ink-region-check", "EU cartridges only", true},
      {"x-acme.example/a", "b", true},
      {"x-acme.example/a.b-c", "b", true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.kind);
    CAPTURE(c.value);
    const Status s = ValidateDisclosure(D(c.kind, c.value));
    CHECK(s.ok() == c.ok);
    if (!s.ok()) CHECK(s.code() == Code::kMalformed);
  }
}

TEST_CASE("kinds: unknown and vendor-specific") {
  const char* bad_kinds[] = {"",
                             "ads",
                             "Telemetry",
                             "telemetry ",
                             "x-",
                             "x-acme.example",
                             "x-acme.example/",
                             "x-acme/ink",
                             "x-ACME.example/ink",
                             "x-acme.example/Ink",
                             "x-acme.example/-ink",
                             "x-acme.example/ink-",
                             "x-acme.example/ink/more",
                             "x-acme.example/ink_check",
                             "x-.example/ink",
                             "x--acme.example/ink",
                             "x-acme-.example/ink",
                             "y-acme.example/ink"};
  for (const char* k : bad_kinds) {
    CAPTURE(k);
    CHECK(ValidateDisclosure(D(k, "v")).code() == Code::kMalformed);
  }
  CHECK(IsVendorKind("x-acme.example/ink"));
  CHECK(VendorKindDomain("x-sub.acme.example/ink") == "sub.acme.example");
  const std::string long_name = "x-acme.example/" + std::string(64, 'a');
  CHECK(IsVendorKind(long_name));
  CHECK(!IsVendorKind(long_name + "a"));
  const std::string long_kind = "x-" + std::string(60, 'a') + "." + std::string(60, 'b') + "/a";
  CHECK(long_kind.size() <= kMaxDisclosureKindSize);
  CHECK(IsVendorKind(long_kind));
  CHECK(!IsVendorKind(long_kind + std::string(kMaxDisclosureKindSize, 'c')));
}

TEST_CASE("generic value rules") {
  const std::string ok_values[] = {"a", std::string(kMaxDisclosureValueSize, 'v'),
                                   "caf\xc3\xa9",                // é
                                   "\xe6\x97\xa5\xe6\x9c\xac",   // 日本
                                   "\xf0\x9f\x96\xa8 printer"};  // U+1F5A8
  for (const std::string& v : ok_values) {
    CAPTURE(v);
    CHECK(ValidateDisclosureValue(v).ok());
  }
  const std::string bad_values[] = {
      "",
      std::string(kMaxDisclosureValueSize + 1, 'v'),
      " lead",
      "trail ",
      "two  spaces",
      "tab\there",
      "new\nline",
      "cr\rhere",
      std::string("nul\0x", 5),
      "del\x7f",
      "c1 \xc2\x85",            // U+0085 NEL
      "nbsp\xc2\xa0x",          // U+00A0
      "soft\xc2\xadhyphen",     // U+00AD
      "zw\xe2\x80\x8bsp",       // U+200B
      "rlm\xe2\x80\x8f",        // U+200F
      "ls\xe2\x80\xa8x",        // U+2028
      "rlo\xe2\x80\xae",        // U+202E
      "iso\xe2\x81\xa6x",       // U+2066
      "bom\xef\xbb\xbf",        // U+FEFF
      "nonchar\xef\xbf\xbe",    // U+FFFE
      "ideo\xe3\x80\x80space",  // U+3000
      "latin1 \xe9",            // not UTF-8
      "overlong \xc0\xaf",
      "surrogate \xed\xa0\x80",
      "too big \xf4\x90\x80\x80",  // > U+10FFFF
      "truncated \xe2\x80",
      "has effective=2026-01-01",
      "effective=",
  };
  for (const std::string& v : bad_values) {
    CAPTURE(v);
    CHECK(ValidateDisclosureValue(v).code() == Code::kMalformed);
    CHECK(ValidateDisclosure(D("feature-removal", v)).code() == Code::kMalformed);
  }
}

TEST_CASE("effective dates") {
  CHECK(ValidateDisclosure(D("consumables.third-party", "blocked", Date{2026, 9, 13})).ok());
  CHECK(!ValidateDisclosure(D("consumables.third-party", "blocked", Date{2026, 2, 29})).ok());
  CHECK(!ValidateDisclosure(D("consumables.third-party", "blocked", Date{1969, 12, 31})).ok());
  CHECK(!ValidateDisclosure(D("consumables.third-party", "blocked", Date{2026, 0, 1})).ok());
  // Kinds whose value is itself a point in time or a fact take no effective date.
  CHECK(!ValidateDisclosure(D("end-of-support", "2031-12-31", Date{2026, 1, 1})).ok());
  CHECK(!ValidateDisclosure(D("security-fix", "unassigned", Date{2026, 1, 1})).ok());
  CHECK(ValidateDisclosure(D("x-acme.example/a", "b", Date{2026, 1, 1})).ok());
}

TEST_CASE("manifest line and CLI syntax round-trip") {
  const Disclosure samples[] = {
      D("consumables.third-party", "blocked", Date{2026, 9, 13}),
      D("consumables.third-party", "warned"),
      D("telemetry", "crash,usage to metrics.acme.example"),
      D("feature-removal", "Scan to e-mail, SMTP", Date{2027, 1, 1}),
      D("x-acme.example/ink-region-check", "EU only, A=B"),
  };
  for (const Disclosure& d : samples) {
    CAPTURE(d.kind);
    REQUIRE(ValidateDisclosure(d).ok());
    const std::string line = FormatDisclosureLine(d);
    auto parsed_line = ParseDisclosureLine(line);
    REQUIRE_MESSAGE(parsed_line.ok(), parsed_line.status().ToString());
    CHECK(*parsed_line == d);
    const std::string arg = FormatDisclosureArg(d);
    auto parsed_arg = ParseDisclosureArg(arg);
    REQUIRE_MESSAGE(parsed_arg.ok(), parsed_arg.status().ToString());
    CHECK(*parsed_arg == d);
  }
  CHECK(FormatDisclosureLine(samples[0]) ==
        "disclose consumables.third-party blocked effective=2026-09-13");
  CHECK(FormatDisclosureArg(samples[0]) == "consumables.third-party=blocked,effective=2026-09-13");

  auto a = ParseDisclosureArg("consumables.third-party=blocked,effective=2026-09-13");
  REQUIRE(a.ok());
  CHECK(a->kind == "consumables.third-party");
  CHECK(a->value == "blocked");
  CHECK(a->effective == Date{2026, 9, 13});
  auto b = ParseDisclosureArg("remote-disable=none");
  REQUIRE(b.ok());
  CHECK(!b->effective.has_value());

  for (const char* bad :
       {"", "=blocked", "consumables.third-party",
        "consumables.third-party=", "consumables.third-party=blocked,effective=2026-9-13",
        "consumables.third-party=blocked,effective=2026-02-30",
        "consumables.third-party=blocked, effective=2026-09-13",
        "consumables.third-party=blocked;effective=2026-09-13",
        "consumables.third-party=blocked,effective=2026-09-13,x",
        "consumables.third-party=effective=2026-09-13",
        "consumables.third-party=blocked,effective=2026-09-13,effective=2026-09-14", "nope=blocked",
        "end-of-support=2031-12-31,effective=2026-01-01"}) {
    CAPTURE(bad);
    auto r = ParseDisclosureArg(bad);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kMalformed);
  }
  for (const char* bad :
       {"", "disclose", "disclose telemetry", "disclose telemetry ", "disclose  telemetry none",
        "disclose telemetry none ", "disclose telemetry none effective=2026-01-01 ",
        "disclose telemetry none  effective=2026-01-01",
        "disclose telemetry none effective=2026-1-01", "disclose telemetry effective=2026-01-01",
        "Disclose telemetry none", "disclose: telemetry none"}) {
    CAPTURE(bad);
    CHECK(ParseDisclosureLine(bad).status().code() == Code::kMalformed);
  }
}

TEST_CASE("canonical order and list rules") {
  std::vector<Disclosure> list = {
      D("telemetry", "none"),
      D("consumables.third-party", "warned"),
      D("consumables.third-party", "blocked", Date{2026, 9, 13}),
      D("x-acme.example/b", "1"),
      D("end-of-support", "2031-12-31"),
  };
  CHECK(ValidateDisclosureList(list, "acme.example", kIssued).code() ==
        Code::kMalformed);  // unsorted
  SortDisclosures(list);
  CHECK(ValidateDisclosureList(list, "acme.example", kIssued).ok());
  CHECK(list[0] == D("consumables.third-party", "blocked", Date{2026, 9, 13}));
  CHECK(list[1] == D("consumables.third-party", "warned"));
  CHECK(list.back().kind == "x-acme.example/b");
  for (size_t i = 1; i < list.size(); ++i) {
    CHECK(DisclosureLess(list[i - 1], list[i]));
    CHECK(!DisclosureLess(list[i], list[i - 1]));
  }
  CHECK(ValidateDisclosureList({}, "acme.example", kIssued).ok());

  // Vendor kinds only in the manifest vendor's own namespace.
  CHECK(ValidateDisclosureList(list, "other.example", kIssued).code() == Code::kMalformed);

  // Duplicates.
  std::vector<Disclosure> dup = {D("feature-removal", "a"), D("feature-removal", "a")};
  CHECK(ValidateDisclosureList(dup, "acme.example", kIssued).code() == Code::kMalformed);
  // Repeatable kinds may repeat with different values.
  std::vector<Disclosure> rep = {D("feature-removal", "a"), D("feature-removal", "b"),
                                 D("telemetry", "crash to a.example"),
                                 D("telemetry", "usage to b.example")};
  CHECK(ValidateDisclosureList(rep, "acme.example", kIssued).ok());
  // Single-valued kinds: one state per effective date.
  std::vector<Disclosure> conflict = {D("consumables.third-party", "allowed"),
                                      D("consumables.third-party", "blocked")};
  CHECK(ValidateDisclosureList(conflict, "acme.example", kIssued).code() == Code::kMalformed);
  std::vector<Disclosure> conflict_dated = {D("remote-disable", "none", Date{2027, 1, 1}),
                                            D("remote-disable", "vendor", Date{2027, 1, 1})};
  CHECK(ValidateDisclosureList(conflict_dated, "acme.example", kIssued).code() == Code::kMalformed);
  std::vector<Disclosure> staged = {D("remote-disable", "none"),
                                    D("remote-disable", "vendor", Date{2027, 1, 1})};
  SortDisclosures(staged);
  CHECK(ValidateDisclosureList(staged, "acme.example", kIssued).ok());

  // At most kMaxDisclosures.
  std::vector<Disclosure> many;
  for (size_t i = 0; i <= kMaxDisclosures; ++i) {
    many.push_back(D("feature-removal", "f" + std::to_string(1000 + i)));
  }
  CHECK(
      ValidateDisclosureList(std::span(many).first(kMaxDisclosures), "acme.example", kIssued).ok());
  CHECK(ValidateDisclosureList(many, "acme.example", kIssued).code() == Code::kMalformed);
}

TEST_CASE("restrictiveness and descriptions") {
  struct Case {
    Disclosure d;
    bool restrictive;
  };
  const Case cases[] = {
      {D("consumables.third-party", "allowed"), false},
      {D("consumables.third-party", "warned"), true},
      {D("consumables.third-party", "blocked", Date{2026, 9, 13}), true},
      {D("repair.parts-pairing", "allowed"), false},
      {D("repair.parts-pairing", "degraded"), true},
      {D("telemetry", "none"), false},
      {D("telemetry", "crash to a.example"), true},
      {D("remote-disable", "none"), false},
      {D("remote-disable", "vendor"), true},
      {D("feature-removal", "x"), true},
      {D("subscription-required", "x"), true},
      {D("account-required", "x"), true},
      {D("connectivity-required", "activation"), true},
      {D("region-lock", "US"), true},
      {D("performance-limit", "x"), true},
      {D("end-of-support", "2031-12-31"), false},
      {D("security-fix", "unassigned"), false},
      {D("x-acme.example/a", "b"), true},
  };
  std::set<std::string> kinds_covered;
  for (const Case& c : cases) {
    CAPTURE(c.d.kind);
    CAPTURE(c.d.value);
    CHECK(IsRestrictive(c.d) == c.restrictive);
    kinds_covered.insert(c.d.kind);
  }
  for (const DisclosureKindInfo& info : DisclosureVocabulary()) {
    CHECK_MESSAGE(kinds_covered.count(std::string(info.kind)) == 1, info.kind);
  }
  CHECK(DescribeDisclosure(D("consumables.third-party", "blocked", Date{2026, 9, 13})) ==
        "Third-party consumables: blocked (effective 2026-09-13)");
  CHECK(DescribeDisclosure(D("security-fix", "CVE-2026-0001")) == "Security fix: CVE-2026-0001");
  CHECK(DescribeDisclosure(D("x-acme.example/ink-check", "on")) ==
        "Vendor-specific (acme.example) ink-check: on");
}

TEST_CASE("vocabulary table is sorted, self-consistent and documented") {
  const auto vocab = DisclosureVocabulary();
  REQUIRE(vocab.size() >= 12);
  for (size_t i = 0; i < vocab.size(); ++i) {
    const DisclosureKindInfo& k = vocab[i];
    CAPTURE(k.kind);
    if (i > 0) CHECK(vocab[i - 1].kind < k.kind);
    CHECK(FindDisclosureKind(k.kind) == &k);
    CHECK(!k.title.empty());
    CHECK(!k.summary.empty());
    CHECK(!k.value_syntax.empty());
    CHECK(!IsVendorKind(k.kind));
    if (k.restrictive == Restrictive::kUnlessNeutral) {
      CHECK(ValidateDisclosure(D(std::string(k.kind), std::string(k.neutral_value))).ok());
    } else {
      CHECK(k.neutral_value.empty());
    }
  }
  CHECK(FindDisclosureKind("nope") == nullptr);
  CHECK(FindDisclosureKind("x-acme.example/a") == nullptr);

  // docs/FORMATS.md "Disclosure vocabulary" has one row per kind with the same
  // restrictive / effective / single-valued / meaning columns.
  std::ifstream in(std::string(CANDOR_SOURCE_DIR) + "/docs/FORMATS.md");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const size_t section = doc.find("\n## Disclosure vocabulary\n");
  REQUIRE(section != std::string::npos);
  const size_t section_end = doc.find("\n## ", section + 1);
  std::istringstream lines(doc.substr(section, section_end - section));
  std::string line;
  size_t rows = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    // Split on " | " (cells never contain it; "\|" is an escaped pipe).
    std::vector<std::string> cells;
    size_t pos = 2;
    while (true) {
      const size_t next = line.find(" | ", pos);
      if (next == std::string::npos) break;
      cells.push_back(line.substr(pos, next - pos));
      pos = next + 3;
    }
    cells.push_back(line.substr(pos, line.size() - pos - 2));
    REQUIRE(cells.size() == 7);
    const std::string kind = cells[0].substr(1, cells[0].size() - 2);
    CAPTURE(kind);
    if (kind == "x-<vendor>/<name>") continue;
    const DisclosureKindInfo* info = FindDisclosureKind(kind);
    REQUIRE_MESSAGE(info != nullptr, "documented kind missing from the code");
    std::string restrictive;
    switch (info->restrictive) {
      case Restrictive::kAlways:
        restrictive = "yes";
        break;
      case Restrictive::kNever:
        restrictive = "no";
        break;
      case Restrictive::kUnlessNeutral:
        restrictive = "unless `" + std::string(info->neutral_value) + "`";
        break;
    }
    CHECK(cells[3] == restrictive);
    CHECK(cells[4] == (info->effective_allowed ? "yes" : "no"));
    CHECK(cells[5] == (info->single_valued ? "yes" : "no"));
    CHECK(cells[6] == (info->meaning == DisclosureMeaning::kEvent ? "event" : "state"));
    ++rows;
  }
  CHECK(rows == vocab.size());
}

TEST_CASE("disclosures that cannot be true at once are refused") {
  struct Case {
    const char* name;
    std::vector<Disclosure> list;
    bool ok;
  };
  const Date past{2025, 1, 1}, issue_day{2026, 3, 1}, next_day{2026, 3, 2}, future{2027, 1, 1};
  const Case cases[] = {
      // Single-valued kinds: one state at a time.
      {"allowed now, blocked since a past date",
       {D("consumables.third-party", "allowed"), D("consumables.third-party", "blocked", past)},
       false},
      {"allowed now, blocked from the issue day",
       {D("consumables.third-party", "allowed"),
        D("consumables.third-party", "blocked", issue_day)},
       false},
      {"allowed now, blocked from the day after issue",
       {D("consumables.third-party", "allowed"), D("consumables.third-party", "blocked", next_day)},
       true},
      {"two past dates: both hold at issue",
       {D("repair.parts-pairing", "warned", past), D("repair.parts-pairing", "blocked", issue_day)},
       false},
      {"past then future: a timeline",
       {D("repair.parts-pairing", "warned", past), D("repair.parts-pairing", "blocked", future)},
       true},
      {"same value twice, undated and past",
       {D("connectivity-required", "always"), D("connectivity-required", "always", past)},
       false},
      {"region lock now and since a past date",
       {D("region-lock", "DE"), D("region-lock", "FR", past)},
       false},
      {"remote-disable none now, vendor from a future date",
       {D("remote-disable", "none"), D("remote-disable", "vendor", future)},
       true},
      // Exclusive values of a repeatable kind.
      {"telemetry none next to a destination",
       {D("telemetry", "crash to metrics.acme.example"), D("telemetry", "none")},
       false},
      {"telemetry none next to a destination since a past date",
       {D("telemetry", "crash to metrics.acme.example", past), D("telemetry", "none")},
       false},
      {"telemetry none on the date a destination starts",
       {D("telemetry", "crash to metrics.acme.example", future), D("telemetry", "none", future)},
       false},
      {"telemetry none now, a destination from a future date",
       {D("telemetry", "crash to metrics.acme.example", future), D("telemetry", "none")},
       true},
      {"two destinations",
       {D("telemetry", "crash to a.acme.example"), D("telemetry", "usage to b.acme.example")},
       true},
      // Repeatable kinds without an exclusive value.
      {"two removed features, one since a past date",
       {D("feature-removal", "fax", past), D("feature-removal", "scan")},
       true},
      {"different kinds never contradict",
       {D("remote-disable", "none"), D("telemetry", "crash to a.acme.example")},
       true},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    std::vector<Disclosure> list = c.list;
    SortDisclosures(list);
    const Status s = ValidateDisclosureList(list, "acme.example", kIssued);
    CHECK_MESSAGE(s.ok() == c.ok, s.ToString());
    if (!c.ok) CHECK(s.code() == Code::kMalformed);
  }
}

TEST_CASE("CheckDisclosuresConsistentAt: one rule, any reference date") {
  auto list = [](std::initializer_list<std::string_view> args) {
    std::vector<Disclosure> out;
    for (std::string_view a : args) out.push_back(ParseDisclosureArg(a).value());
    SortDisclosures(out);
    return out;
  };
  auto at = [](std::string_view t) { return ParseUtcTime(t).value(); };
  struct Case {
    std::string name;
    std::vector<Disclosure> list;
    std::string when;
    bool ok;
  };
  const Case cases[] = {
      {"timeline, before the change", list({"consumables.third-party=allowed",
                                            "consumables.third-party=blocked,effective=2025-01-01"}),
       "2024-12-31T23:59:59Z", true},
      {"timeline, on the change day", list({"consumables.third-party=allowed",
                                            "consumables.third-party=blocked,effective=2025-01-01"}),
       "2025-01-01T00:00:00Z", false},
      {"timeline, long after", list({"consumables.third-party=allowed",
                                     "consumables.third-party=blocked,effective=2025-01-01"}),
       "2026-12-04T00:00:00Z", false},
      {"exclusive none, destination later", list({"telemetry=none",
                                                  "telemetry=crash to m.acme.example,effective=2025-01-01"}),
       "2024-06-01T00:00:00Z", true},
      {"exclusive none, destination past", list({"telemetry=none",
                                                 "telemetry=crash to m.acme.example,effective=2025-01-01"}),
       "2025-06-01T00:00:00Z", false},
      {"repeatable values", list({"telemetry=crash to m.acme.example",
                                  "telemetry=usage to s.acme.example,effective=2025-01-01"}),
       "2025-06-01T00:00:00Z", true},
      {"other kinds do not interact", list({"consumables.third-party=allowed",
                                            "repair.parts-pairing=blocked,effective=2025-01-01"}),
       "2025-06-01T00:00:00Z", true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Status s = CheckDisclosuresConsistentAt(c.list, at(c.when));
    CHECK(s.ok() == c.ok);
    if (!c.ok) CHECK(s.code() == Code::kMalformed);
    // ValidateDisclosureList is the same rule at `issued`.
    CHECK(ValidateDisclosureList(c.list, "acme.example", at(c.when)).ok() == c.ok);
  }
}

}  // namespace
}  // namespace candor
