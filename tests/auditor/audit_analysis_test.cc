// Release index (SQLite), disclosure diffs and every flag, each planted once.
#include <doctest/doctest.h>

#include <cctype>
#include <set>

#include "audit_test_util.h"
#include "candor/audit/analysis.h"
#include "candor/audit/index.h"
#include "candor/release.h"

namespace candor {
namespace {

using namespace audittest;
using audit::AuditIndex;
using audit::ReleaseRow;

Disclosure D(const std::string& arg) { return ParseDisclosureArg(arg).value(); }

// Logs the releases into a fresh index and returns its rows (log order).
struct Fixture {
  TempDir t;
  std::unique_ptr<AuditIndex> idx = AuditIndex::Open(t / "index.db").value();
  uint64_t next = 0;
  // `logged`: when the auditor first saw it logged (default: the issue time).
  uint64_t Add(const SignerKey& vendor, const ReleaseSpec& s, std::string logged = "") {
    Bytes e = MakeRelease(vendor, s);
    auto parsed = ParseReleaseEntry(e);
    REQUIRE(parsed.ok());
    REQUIRE(idx->Begin().ok());
    const int64_t logged_at = ParseUtcTime(logged.empty() ? s.issued : logged).value();
    REQUIRE(idx->AddRelease(next, LeafHash(e), *parsed, logged_at).ok());
    REQUIRE(idx->Commit().ok());
    return next++;
  }
  std::vector<ReleaseRow> Rows() { return idx->Releases({}, next).value(); }
  std::vector<audit::Flag> Flags() {
    return audit::ComputeFlags(Rows(), idx->Invalid(next).value());
  }
};

bool Has(const std::vector<audit::Flag>& flags, const std::string& kind, uint64_t index) {
  for (const auto& f : flags) {
    if (f.kind == kind && f.log_index == index) return true;
  }
  return false;
}

size_t Count(const std::vector<audit::Flag>& flags, const std::string& kind) {
  size_t n = 0;
  for (const auto& f : flags) n += f.kind == kind ? 1 : 0;
  return n;
}

TEST_CASE("index: releases, products, disclosures round trip; filters; the verified bound") {
  Fixture fx;
  SignerKey acme = TestKey("acme.example", 1), zeta = TestKey("zeta.example/fw", 2);
  ReleaseSpec s;
  s.disclosures = {"consumables.third-party=blocked,effective=2026-09-13",
                   "telemetry=crash to t.acme.example"};
  s.changelog = "Cartridges: non-ACME refused from September.\n";
  fx.Add(acme, s);
  ReleaseSpec z;
  z.product = "router-1";
  fx.Add(zeta, z);
  auto rows = fx.Rows();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].vendor == "acme.example");
  CHECK(rows[0].products == std::vector<std::string>{"inkjet-x100"});
  REQUIRE(rows[0].disclosures.size() == 2);
  CHECK(rows[0].disclosures[0] == D("consumables.third-party=blocked,effective=2026-09-13"));
  CHECK(rows[0].changelog == s.changelog);
  CHECK(rows[0].rollback == 1);
  CHECK(rows[1].vendor == "zeta.example");
  audit::ReleaseFilter f;
  f.vendors = {"zeta.example"};
  CHECK(fx.idx->Releases(f, 2)->size() == 1);
  f = {};
  f.products = {"inkjet-x100"};
  CHECK(fx.idx->Releases(f, 2)->size() == 1);
  // Rows at or beyond the verified size are invisible.
  CHECK(fx.idx->Releases({}, 1)->size() == 1);
  CHECK(!fx.idx->ByIndex(1, 1)->has_value());
  CHECK(fx.idx->ByIndex(1, 2)->has_value());
  CHECK(fx.idx->ForProduct("acme.example", "inkjet-x100", 2)->size() == 1);
  // DeleteFrom drops rows of an abandoned sync.
  REQUIRE(fx.idx->Begin().ok());
  REQUIRE(fx.idx->DeleteFrom(1).ok());
  REQUIRE(fx.idx->Commit().ok());
  CHECK(fx.idx->Releases({}, 2)->size() == 1);
  // ...including its products rows: a new release at the same index must not
  // inherit them.
  ReleaseSpec z2;
  z2.product = "switch-2";
  fx.next = 1;
  fx.Add(zeta, z2);
  CHECK(fx.idx->ForProduct("zeta.example", "router-1", 2)->empty());
  CHECK(fx.idx->ForProduct("zeta.example", "switch-2", 2)->size() == 1);
  // u64 rollback counters survive (stored as two's complement int64).
  ReleaseSpec big;
  big.version = "9";
  big.rollback = 18446744073709551615ull;
  fx.next = 5;
  fx.Add(acme, big);
  CHECK((*fx.idx->ByIndex(5, 6))->rollback == 18446744073709551615ull);
}

TEST_CASE("diff: added, removed, changed (single-valued kinds by effective date)") {
  std::vector<Disclosure> a = {D("consumables.third-party=warned"), D("feature-removal=fax"),
                               D("telemetry=crash to t.example")};
  std::vector<Disclosure> b = {D("consumables.third-party=blocked"),
                               D("consumables.third-party=blocked,effective=2027-01-01"),
                               D("telemetry=crash to t.example")};
  const DisclosureState from = ApplyReleaseDisclosures({}, a, "1").after;
  auto c = audit::DiffDisclosures(from, ApplyReleaseDisclosures(from, b, "2"));
  std::multiset<std::string> kinds;
  for (const auto& x : c) kinds.insert(x.change);
  // feature-removal is an event: not repeating it removes nothing.
  CHECK(kinds == std::multiset<std::string>{"added", "changed"});
  for (const auto& x : c) {
    if (x.change == "changed") {
      CHECK(x.from->value == "warned");
      CHECK(x.to->value == "blocked");
      CHECK(!x.to->effective);
    }
    if (x.change == "added") CHECK(x.to->effective.has_value());
  }
  // The same states restated: no change (the event of `a` is `a`'s own).
  std::vector<Disclosure> states = {D("consumables.third-party=warned"),
                                    D("telemetry=crash to t.example")};
  CHECK(audit::DiffDisclosures(from, ApplyReleaseDisclosures(from, states, "2")).empty());
  // Version order: rollback counter, then log index.
  std::vector<ReleaseRow> rows(3);
  rows[0].rollback = 5, rows[0].log_index = 1;
  rows[1].rollback = 2, rows[1].log_index = 9;
  rows[2].rollback = 5, rows[2].log_index = 0;
  audit::SortByVersionOrder(rows);
  CHECK(rows[0].log_index == 9);
  CHECK(rows[1].log_index == 0);
  CHECK(rows[2].log_index == 1);
}

TEST_CASE("changelog mentions: whole words and the kind's terms, case-insensitive, UTF-8") {
  struct Case {
    const char* changelog;
    const char* disclosure;
    bool mentioned;
  };
  const Case cases[] = {
      {"Non-ACME cartridges are now refused.", "consumables.third-party=blocked", false},
      {"Third-party consumables are blocked.", "consumables.third-party=blocked", true},
      {"Third-party cartridges are now blocked.", "consumables.third-party=blocked", true},
      {"Third party ink now refused.", "consumables.third-party=blocked", true},  // the name
      {"See CONSUMABLES.THIRD-PARTY.", "consumables.third-party=blocked", true},  // the kind
      {"Cartridges are now blocked.", "consumables.third-party=blocked", false},  // value word
      {"Third. Party apps load faster.", "consumables.third-party=blocked", false},
      {"We now collect usage TELEMETRY.", "telemetry=usage to t.example", true},
      {"We now collect USAGE statistics.", "telemetry=usage to t.example", false},  // a category
      {"Usage statistics now go to T.EXAMPLE.", "telemetry=usage to t.example", true},  // dest.
      {"Improved example pages.", "telemetry=usage to t.example", false},
      {"Bug fixes.", "remote-disable=vendor", false},
      {"The vendor can now switch it off (remote-disable).", "remote-disable=vendor", true},
      {"News from the vendor and partners.", "remote-disable=vendor-and-partners", false},
      {"Remote disable by the vendor and partners.", "remote-disable=vendor-and-partners", true},
      // Substrings are not mentions.
      {"Clock accuracy improvements.", "region-lock=DE", false},
      {"Unlocked new colours.", "region-lock=DE", false},
      {"Blocked-call filtering improved.", "region-lock=DE", false},
      {"Added a REGION LOCK for Germany.", "region-lock=DE", true},
      {"Region-lock: DE only.", "region-lock=DE", true},
      {"Region \u2013 lock for DE.", "region-lock=DE", true},       // an en dash run
      {"New region. Lock screen added.", "region-lock=DE", false},  // not one phrase
      {"Now sold in DE, FR.", "region-lock=DE,FR", false},          // region codes alone
      {"Subscriptions page redesigned.", "subscription-required=cloud scanning", false},
      {"Cloud scanning now needs a plan.", "subscription-required=cloud scanning", true},
      {"Subscription required for cloud features.", "subscription-required=remote printing",
       true},  // the title
      // One word of a value is not a mention (adversarial review, issue 12).
      {"Improved print quality.", "subscription-required=remote print from the app", false},
      {"Remote print is faster in the app.", "subscription-required=remote print from the app",
       false},
      {"Remote print from the app needs a plan.", "subscription-required=remote print from the app",
       true},
      {"Improved the app.", "account-required=the app", false},  // no significant word
      {"Accounts are faster.", "account-required=remote printing", false},
      {"Remote printing now needs a vendor account.", "account-required=remote printing", true},
      {"The printer now needs connectivity: always.", "connectivity-required=always", false},
      {"Connectivity required: always online.", "connectivity-required=always", true},
      {"Always-on display mode.", "connectivity-required=periodic", false},
      {"Always-on display mode.", "connectivity-required=always", false},
      {"Speed improvements.", "performance-limit=slower printing above 40 pages", false},
      {"Printing above 40 pages is slower now.", "performance-limit=slower printing above 40 pages",
       false},
      {"Slower printing above 40 pages.", "performance-limit=slower printing above 40 pages", true},
      {"Repairs are easier.", "repair.parts-pairing=blocked", false},
      {"Parts pairing is now enforced.", "repair.parts-pairing=warned", true},
      {"Fixes CVE-2026-0002.", "security-fix=CVE-2026-0001,CVE-2026-0002", true},
      {"Fixes 2026 issues.", "security-fix=CVE-2026-0001", false},
      {"Supported until 2027-01-01.", "end-of-support=2027-01-01", false},  // a date alone
      {"End of support: 2027-01-01.", "end-of-support=2027-01-01", true},
      // Vendor kinds: the name after the '/' counts only if it is distinctive
      // (adversarial review, issue 12: "/a" was mentioned by every changelog).
      {"Improved a lot of things.", "x-acme.example/a=EU only", false},
      {"A fix for the app.", "x-acme.example/fix=EU only", false},
      {"The fix is in.", "x-acme.example/the=EU only", false},
      {"Firmware update.", "x-acme.example/update=EU only", false},  // a stop word
      {"A fix for the app.", "x-acme.example/a-fix=EU only", false},
      {"Acme: a new example.", "x-acme.example/a=EU only", false},
      {"Now EU only.", "x-acme.example/ink-check=EU only", false},
      {"See x-acme.example/a for details.", "x-acme.example/a=EU only", true},  // the kind
      {"Adds an EU ink-check.", "x-acme.example/ink-check=EU only", true},
      {"Ink check added.", "x-acme.example/ink-check=EU only", true},
      {"Check your ink.", "x-acme.example/ink-check=EU only", false},
      {"Inkcheck now on.", "x-acme.example/inkcheck=EU only", true},
      {"Cartridges work in the EU only now.",
       "x-acme.example/a=cartridges work in the EU region only", false},
      {"Cartridges work in the EU region only.",
       "x-acme.example/a=cartridges work in the EU region only", true},
      // UTF-8: words are whole code-point runs, case folding beyond ASCII,
      // Unicode punctuation and spaces separate words.
      {"Fernzugriffsänderungen.", "feature-removal=Fernzugriff entfernt", false},
      {"FERNZUGRIFF wurde entfernt.", "feature-removal=Fernzugriff entfernt", false},
      {"FERNZUGRIFF ENTFERNT.", "feature-removal=Fernzugriff entfernt", true},
      {"ÜBER-Modus.", "feature-removal=über modus", true},
      {"Überall schneller.", "feature-removal=über modus", false},
      {"Der über\u2014Modus ist weg.", "feature-removal=über modus", true},  // an em dash
      {"Der Modus-über-ist weg.", "feature-removal=modus über", true},
      {"Der Modus\u2014über\u2014ist weg.", "feature-removal=über", false},  // one word
      {"Funktion\u00a0ÉTÉ supprimée.", "feature-removal=été mode", false},
      {"ÉCRAN supprimé.", "feature-removal=écran tactile", false},
      {"ÉCRAN\u00a0TACTILE supprimé.", "feature-removal=écran tactile", true},
      {"Écran. Tactile amélioré.", "feature-removal=écran tactile", false},
      {"«Écrans» mis à jour.", "feature-removal=écran tactile", false},
      {"Удалён ПУЛЬТ.", "feature-removal=пульт управления", false},
      {"Удалён ПУЛЬТ УПРАВЛЕНИЯ.", "feature-removal=пульт управления", true},
  };
  for (const Case& c : cases) {
    const std::string changelog = c.changelog, disclosure = c.disclosure;
    CAPTURE(changelog);
    CAPTURE(disclosure);
    CHECK(audit::ChangelogMentions(c.changelog, D(c.disclosure)) == c.mentioned);
  }
}

// The words of `text`: runs of ASCII letters and digits, or of non-ASCII bytes.
std::vector<std::string> SimpleWords(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : std::string(text) + " ") {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80) {
      cur.push_back(ch);
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  return out;
}

TEST_CASE("changelog mentions: no single word of a kind's name, title or value suffices") {
  // Every vocabulary kind with values of every syntax, and vendor kinds whose
  // name after the '/' is short or a common word. The only one-word mentions
  // are a one-word kind itself ("telemetry") and a distinctive vendor name.
  std::vector<Disclosure> ds;
  for (const DisclosureKindInfo& info : DisclosureVocabulary()) {
    for (const char* v : {"blocked", "vendor-and-partners", "always", "DE,FR",
                          "crash,usage to metrics.acme.example", "remote print from the app",
                          "2027-01-01", "CVE-2026-0001", "none"}) {
      Disclosure d{std::string(info.kind), v, std::nullopt};
      if (ValidateDisclosure(d).ok()) ds.push_back(d);
    }
  }
  for (const char* kind :
       {"x-acme.example/a", "x-acme.example/fix", "x-acme.example/the", "x-acme.example/this",
        "x-acme.example/update", "x-acme.example/a-fix", "x-acme.example/new.bug-fixes"}) {
    ds.push_back(D(std::string(kind) + "=remote print from the app"));
  }
  size_t checked = 0;
  for (const Disclosure& d : ds) {
    CAPTURE(FormatDisclosureArg(d));
    std::string text = d.kind + " " + d.value;
    if (const DisclosureKindInfo* info = FindDisclosureKind(d.kind)) {
      text += " " + std::string(info->title);
    }
    for (const std::string& w : SimpleWords(text)) {
      std::string lower = w;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (lower == d.kind) continue;
      CAPTURE(w);
      CHECK(!audit::ChangelogMentions("Improved " + w + " handling.", d));
      ++checked;
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("changelog mentions: the value of every free-text kind counts as a whole phrase") {
  for (const DisclosureKindInfo& info : DisclosureVocabulary()) {
    if (!info.value_syntax.starts_with("free text")) continue;
    CAPTURE(info.kind);
    const Disclosure d = D(std::string(info.kind) + "=remote print from the app");
    CHECK(audit::ChangelogMentions("Remote print from the app: changed.", d));
    CHECK(!audit::ChangelogMentions("Remote print: changed.", d));
  }
}

TEST_CASE("flags: changelog-silent when the changelog shares only a generic word") {
  // The adversarial review's examples (issue 12): one word of the value, and
  // a vendor kind whose name after the '/' is a single letter.
  struct Case {
    const char* disclosure;
    const char* changelog;
    bool silent;
  };
  const Case cases[] = {
      {"subscription-required=remote print from the app", "Improved print quality.\n", true},
      {"subscription-required=remote print from the app",
       "Remote print from the app now needs a subscription.\n", false},
      {"x-acme.example/a=EU only", "Improved a lot of things.\n", true},
      {"x-acme.example/fix=EU only", "A fix for the app.\n", true},
      {"x-acme.example/the=EU only", "The usual fixes.\n", true},
      {"consumables.third-party=blocked", "Third-party cartridges are now blocked.\n", false},
  };
  for (const Case& c : cases) {
    const std::string changelog = c.changelog, disclosure = c.disclosure;
    CAPTURE(disclosure);
    CAPTURE(changelog);
    Fixture fx;
    const SignerKey acme = TestKey("acme.example", 1);
    ReleaseSpec s;
    fx.Add(acme, s);
    s.version = "1.1";
    s.rollback = 2;
    s.disclosures = {c.disclosure};
    s.changelog = c.changelog;
    const uint64_t i = fx.Add(acme, s);
    CHECK(Has(fx.Flags(), "changelog-silent", i) == c.silent);
  }
}

// A valid value of `kind` that IsRestrictive, found among samples covering
// every value syntax of the vocabulary; empty if none fits (a new syntax).
std::string RestrictiveValue(std::string_view kind) {
  for (const char* v : {"blocked", "vendor", "always", "DE,FR", "crash to t.example",
                        "remote printing", "2027-01-01", "CVE-2026-0001"}) {
    Disclosure d{std::string(kind), v, std::nullopt};
    if (ValidateDisclosure(d).ok() && IsRestrictive(d)) return v;
  }
  return "";
}

TEST_CASE("flags: every restrictive kind of the vocabulary raises its flag, documented") {
  const std::string docs = ReadText(std::string(CANDOR_SOURCE_DIR) + "/docs/AUDIT.md");
  size_t restrictive_kinds = 0;
  for (const DisclosureKindInfo& info : DisclosureVocabulary()) {
    CAPTURE(info.kind);
    if (info.restrictive == Restrictive::kNever) continue;
    ++restrictive_kinds;
    const std::string value = RestrictiveValue(info.kind);
    REQUIRE_MESSAGE(!value.empty(), "add a restrictive sample value for this kind");
    Fixture fx;
    ReleaseSpec s;
    s.disclosures = {std::string(info.kind) + "=" + value};
    const uint64_t i = fx.Add(TestKey("acme.example", 1), s);
    const std::string flag = audit::RestrictionFlag(info.kind);
    CHECK(Has(fx.Flags(), flag, i));
    CHECK(docs.find("| `" + flag + "` |") != std::string::npos);
    // The neutral value raises no restriction flag.
    if (info.restrictive == Restrictive::kUnlessNeutral) {
      Fixture fn;
      ReleaseSpec n;
      n.disclosures = {std::string(info.kind) + "=" + std::string(info.neutral_value)};
      const uint64_t j = fn.Add(TestKey("acme.example", 1), n);
      CHECK(!Has(fn.Flags(), flag, j));
    }
  }
  CHECK(restrictive_kinds >= 10);
  // Vendor-specific kinds: nobody but the vendor knows what they mean.
  Fixture fx;
  ReleaseSpec s;
  s.disclosures = {"x-acme.example/ink-check=EU only"};
  CHECK(Has(fx.Flags(), "vendor-specific", fx.Add(TestKey("acme.example", 1), s)));
  CHECK(docs.find("| `vendor-specific` |") != std::string::npos);
}

TEST_CASE("flags: delayed activation counts from when the release was logged, not claimed") {
  struct Case {
    const char* name;
    const char* issued;     // the vendor's claim
    const char* logged;     // first seen logged by the auditor
    const char* effective;  // of a consumables block
    bool flagged;
  };
  const Case cases[] = {
      {"honest: effective after issue and logging", "2026-03-01T12:00:00Z", "2026-03-01T13:00:00Z",
       "2026-09-13", true},
      {"a vendor-chosen future issue date after the effective date", "2027-01-01T00:00:00Z",
       "2026-03-01T13:00:00Z", "2026-09-13", true},
      {"issued the same day as effective, logged months before", "2026-09-13T00:00:00Z",
       "2026-03-01T13:00:00Z", "2026-09-13", true},
      {"effective on the day it was logged and issued", "2026-03-01T00:00:00Z",
       "2026-03-01T23:00:00Z", "2026-03-01", false},
      {"effective before both", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z", "2026-02-01",
       false},
      {"issued earlier than logged (signed before submission)", "2026-03-01T00:00:00Z",
       "2026-04-01T00:00:00Z", "2026-03-15", true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Fixture fx;
    ReleaseSpec s;
    s.issued = c.issued;
    s.disclosures = {std::string("consumables.third-party=blocked,effective=") + c.effective};
    const uint64_t i = fx.Add(TestKey("acme.example", 1), s, c.logged);
    CHECK(Has(fx.Flags(), "delayed-activation", i) == c.flagged);
  }
}

TEST_CASE("flags: every planted case is found, and a clean history raises none") {
  Fixture fx;
  SignerKey acme = TestKey("acme.example", 1), acme2 = TestKey("acme.example/ci", 3);
  ReleaseSpec s;
  s.changelog = "Initial release.\n";
  uint64_t i0 = fx.Add(acme, s);  // first key
  s.version = "1.1";
  s.rollback = 2;
  s.changelog = "Bug fixes.\n";
  uint64_t clean = fx.Add(acme, s);
  // Delayed activation of a consumables block, mentioned in the changelog.
  s.version = "2.0";
  s.rollback = 3;
  s.issued = "2026-03-01T12:00:00Z";
  s.disclosures = {"consumables.third-party=blocked,effective=2026-09-13"};
  s.changelog = "Third-party cartridges will be blocked from September.\n";
  uint64_t delayed = fx.Add(acme, s);
  // Telemetry expansion + remote disable + feature removal, changelog silent.
  s.version = "2.1";
  s.rollback = 4;
  s.disclosures.push_back("telemetry=crash,usage to metrics.acme.example");
  s.disclosures.push_back("remote-disable=vendor");
  s.disclosures.push_back("feature-removal=scan to email");
  s.disclosures.push_back("repair.parts-pairing=blocked");
  s.changelog = "Performance improvements.\n";
  uint64_t silent = fx.Add(acme, s);
  // Rollback counter reused by another version, then going down.
  s.version = "2.2";
  s.changelog = "Performance improvements again.\n";
  uint64_t reuse = fx.Add(acme, s);
  s.version = "2.3";
  s.rollback = 2;
  uint64_t down = fx.Add(acme, s);
  // Equivocation: version 2.3 again with a different image.
  s.image = "other image";
  s.rollback = 5;
  uint64_t equiv = fx.Add(acme, s);
  // A new vendor key for the same vendor.
  s.version = "3.0";
  s.rollback = 6;
  s.image = "image";
  uint64_t newkey = fx.Add(acme2, s);
  // A vendor-specific disclosure.
  s.version = "3.1";
  s.rollback = 7;
  s.disclosures.push_back("x-acme.example/ink-check=EU only");
  s.changelog = "Adds an EU ink-check.\n";
  uint64_t xkind = fx.Add(acme2, s);

  auto flags = fx.Flags();
  CHECK(Has(flags, "first-vendor-key", i0));
  for (const auto& f : flags) CHECK(f.log_index != clean);
  CHECK(Has(flags, "delayed-activation", delayed));
  CHECK(Has(flags, "consumables-restriction", delayed));
  CHECK(!Has(flags, "changelog-silent", delayed));  // mentions "third-party"
  CHECK(Has(flags, "telemetry-expansion", silent));
  CHECK(Has(flags, "remote-disable", silent));
  CHECK(Has(flags, "feature-removal", silent));
  CHECK(Has(flags, "repair-restriction", silent));
  CHECK(Has(flags, "changelog-silent", silent));
  CHECK(Has(flags, "rollback-reuse", reuse));
  CHECK(!Has(flags, "rollback-decrease", reuse));
  CHECK(Has(flags, "rollback-decrease", down));
  CHECK(Has(flags, "equivocation", equiv));
  CHECK(Count(flags, "equivocation") == 1);
  CHECK(Has(flags, "new-vendor-key", newkey));
  CHECK(Count(flags, "new-vendor-key") == 1);
  CHECK(Count(flags, "first-vendor-key") == 1);
  CHECK(Has(flags, "vendor-specific", xkind));
  CHECK(!Has(flags, "changelog-silent", xkind));     // "ink-check" is mentioned
  CHECK(!Has(flags, "telemetry-expansion", reuse));  // unchanged telemetry
  // Invalid entries recorded by sync become flags too.
  REQUIRE(fx.idx->AddInvalid(fx.next, "bad-signature: planted").ok());
  fx.next++;
  CHECK(Has(fx.Flags(), "invalid-entry", fx.next - 1));
}

// The disclosure model (docs/FORMATS.md "State and event kinds") as the
// flags see it: two releases of one product, the flags of the second.
TEST_CASE("flags: states persist, events do not; dropped, reused, shortened") {
  struct Case {
    const char* name;
    std::vector<std::string> first, second;
    const char* second_changelog;
    bool same_image;
    std::vector<std::string> raised;  // flags of the second release (among those below)
  };
  const std::vector<std::string> watched = {"changelog-silent", "disclosure-dropped", "image-reuse",
                                            "support-shortened"};
  const Case cases[] = {
      {"a security fix not repeated is not removed: no changelog-silent",
       {"security-fix=CVE-2026-0001"},
       {},
       "Maintenance release.\n",
       false,
       {}},
      {"a new security fix the changelog does not name is silent",
       {},
       {"security-fix=CVE-2026-0002"},
       "Maintenance release.\n",
       false,
       {"changelog-silent"}},
      {"a restriction lifted explicitly, and said so",
       {"consumables.third-party=blocked"},
       {"consumables.third-party=allowed"},
       "Third-party cartridges are allowed again.\n",
       false,
       {}},
      {"a restriction silently dropped",
       {"consumables.third-party=blocked,effective=2026-09-13"},
       {},
       "Stability improvements.\n",
       false,
       {"disclosure-dropped"}},
      {"a non-restrictive state not restated is not dropped",
       {"end-of-support=2031-12-31"},
       {},
       "Stability improvements.\n",
       false,
       {}},
      {"the same image under a new version, its disclosure dropped",
       {"consumables.third-party=blocked,effective=2026-09-13"},
       {},
       "Stability improvements.\n",
       true,
       {"disclosure-dropped", "image-reuse"}},
      {"the same image with the same disclosures is a re-release, not a trick",
       {"telemetry=none"},
       {"telemetry=none"},
       "Rebuilt.\n",
       true,
       {}},
      {"end of support moved earlier",
       {"end-of-support=2031-12-31"},
       {"end-of-support=2027-12-31"},
       "End of support is now 2027-12-31.\n",
       false,
       {"support-shortened"}},
      {"end of support moved later",
       {"end-of-support=2027-12-31"},
       {"end-of-support=2031-12-31"},
       "End of support extended.\n",
       false,
       {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Fixture fx;
    const SignerKey acme = TestKey("acme.example", 1);
    ReleaseSpec s;
    s.image_per_version = !c.same_image;
    s.disclosures = c.first;
    s.changelog = "Fixes CVE-2026-0001. Third-party cartridges blocked. End of support.\n";
    fx.Add(acme, s);
    s.version = "1.1";
    s.rollback = 2;
    s.disclosures = c.second;
    s.changelog = c.second_changelog;
    const uint64_t i = fx.Add(acme, s);
    const auto flags = fx.Flags();
    for (const std::string& kind : watched) {
      CAPTURE(kind);
      const bool want = std::find(c.raised.begin(), c.raised.end(), kind) != c.raised.end();
      CHECK(Has(flags, kind, i) == want);
    }
  }
}

TEST_CASE("flags: disclosure-dropped once, and the carried state is what later releases diff") {
  Fixture fx;
  const SignerKey acme = TestKey("acme.example", 1);
  ReleaseSpec s;
  s.disclosures = {"repair.parts-pairing=blocked"};
  s.changelog = "Parts pairing blocked.\n";
  fx.Add(acme, s);
  s.version = "1.1";
  s.rollback = 2;
  s.disclosures = {};
  s.changelog = "Bug fixes.\n";
  const uint64_t dropped = fx.Add(acme, s);
  s.version = "1.2";
  s.rollback = 3;
  const uint64_t again = fx.Add(acme, s);
  // Lifting it later is a change the changelog must mention.
  s.version = "1.3";
  s.rollback = 4;
  s.disclosures = {"repair.parts-pairing=allowed"};
  const uint64_t lifted = fx.Add(acme, s);
  const auto flags = fx.Flags();
  CHECK(Has(flags, "disclosure-dropped", dropped));
  CHECK(Count(flags, "disclosure-dropped") == 1);
  CHECK(!Has(flags, "changelog-silent", again));
  CHECK(Has(flags, "changelog-silent", lifted));
}

TEST_CASE("the disclosure-model flags are documented with an example") {
  const std::string docs = ReadText(std::string(CANDOR_SOURCE_DIR) + "/docs/AUDIT.md");
  const size_t examples = docs.find("### Examples of the disclosure-model flags");
  REQUIRE(examples != std::string::npos);
  for (const char* flag :
       {"disclosure-dropped", "image-reuse", "support-shortened", "activation"}) {
    CAPTURE(flag);
    CHECK(docs.find("| `" + std::string(flag) + "` |") != std::string::npos);
    CHECK(docs.find("- `" + std::string(flag) + "`:", examples) != std::string::npos);
  }
}

TEST_CASE("activation flags: on the day, once per window") {
  Fixture fx;
  ReleaseSpec s;
  s.issued = "2026-03-01T12:00:00Z";
  s.disclosures = {"consumables.third-party=blocked,effective=2026-09-13",
                   "telemetry=crash to t.acme.example,effective=2026-10-01"};
  s.changelog = "Third-party cartridges blocked from September; telemetry from October.\n";
  const uint64_t i = fx.Add(TestKey("acme.example", 1), s);
  auto day = [](const char* d) { return ParseDate(d).value(); };
  struct Case {
    std::optional<Date> after;
    Date through;
    std::vector<std::string> dates;
  };
  const Case cases[] = {
      {std::nullopt, day("2026-09-12"), {}},
      {day("2026-09-12"), day("2026-09-13"), {"2026-09-13"}},                // fires on the day
      {day("2026-09-13"), day("2026-09-14"), {}},                            // and once
      {day("2026-09-12"), day("2026-10-05"), {"2026-09-13", "2026-10-01"}},  // missed days
      {std::nullopt, day("2027-01-01"), {"2026-09-13", "2026-10-01"}},
  };
  for (const Case& c : cases) {
    CAPTURE(FormatDate(c.through));
    std::vector<std::string> got;
    for (const audit::Flag& f : audit::ActivationFlags(fx.Rows(), c.after, c.through)) {
      CHECK(f.kind == "activation");
      CHECK(f.log_index == i);
      got.push_back(f.date);
    }
    CHECK(got == c.dates);
  }
}

}  // namespace
}  // namespace candor
