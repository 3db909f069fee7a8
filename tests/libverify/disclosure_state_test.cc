// The state/event model of disclosures (candor/disclosure_state.h) and the
// owner's refusal rules (candor/disclosure_rule.h).
#include "candor/disclosure_state.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "candor/disclosure_rule.h"

namespace candor {
namespace {

Date Day(const char* text) { return ParseDate(text).value(); }

// "kind=value[,effective=...]" lists, in canonical order.
std::vector<Disclosure> List(std::vector<const char*> args) {
  std::vector<Disclosure> out;
  for (const char* a : args) out.push_back(ParseDisclosureArg(a).value());
  SortDisclosures(out);
  return out;
}

std::vector<std::string> Args(const std::vector<InEffect>& es) {
  std::vector<std::string> out;
  for (const InEffect& e : es) out.push_back(FormatDisclosureArg(e.disclosure) + "@" + e.version);
  return out;
}

std::vector<std::string> Args(const std::vector<Disclosure>& ds) {
  std::vector<std::string> out;
  for (const Disclosure& d : ds) out.push_back(FormatDisclosureArg(d));
  return out;
}

TEST_CASE("every vocabulary kind is a state or an event; events are fixes and removals") {
  for (const DisclosureKindInfo& k : DisclosureVocabulary()) {
    CAPTURE(k.kind);
    const bool event = k.kind == "security-fix" || k.kind == "feature-removal";
    CHECK((k.meaning == DisclosureMeaning::kEvent) == event);
    CHECK(MeaningOf(k.kind) == k.meaning);
  }
  CHECK(MeaningOf("x-acme.example/ink-check") == DisclosureMeaning::kState);
}

TEST_CASE("one release after another: states persist, events do not") {
  struct Case {
    const char* name;
    std::vector<const char*> first, second;
    std::vector<std::string> in_effect;  // after the second release
    std::vector<std::string> events;     // of the second release
    std::vector<std::string> dropped;    // by the second release
  };
  const Case cases[] = {
      {"an event not repeated is not removed, and not carried",
       {"security-fix=CVE-2026-0001"},
       {},
       {},
       {},
       {}},
      {"a new event is the release's own",
       {"security-fix=CVE-2026-0001"},
       {"security-fix=CVE-2026-0002"},
       {},
       {"security-fix=CVE-2026-0002"},
       {}},
      {"a restriction lifted explicitly",
       {"consumables.third-party=blocked"},
       {"consumables.third-party=allowed"},
       {"consumables.third-party=allowed@2"},
       {},
       {}},
      {"a restriction silently dropped stays in effect and is reported",
       {"consumables.third-party=blocked,effective=2026-09-13"},
       {"end-of-support=2031-12-31"},
       {"consumables.third-party=blocked,effective=2026-09-13@1", "end-of-support=2031-12-31@2"},
       {},
       {"consumables.third-party=blocked,effective=2026-09-13@1"}},
      {"a non-restrictive state not restated is carried, not dropped",
       {"end-of-support=2031-12-31", "telemetry=none"},
       {},
       {"end-of-support=2031-12-31@1", "telemetry=none@1"},
       {},
       {}},
      {"restating a kind replaces all its values, a pending block included",
       {"consumables.third-party=allowed", "consumables.third-party=blocked,effective=2026-09-13",
        "telemetry=crash to a.example", "telemetry=usage to b.example"},
       {"consumables.third-party=warned", "telemetry=crash to a.example"},
       {"consumables.third-party=warned@2", "telemetry=crash to a.example@2"},
       {},
       {}},
      {"a vendor kind is a state",
       {"x-acme.example/ink-check=on"},
       {"feature-removal=scan to email"},
       {"x-acme.example/ink-check=on@1"},
       {"feature-removal=scan to email"},
       {"x-acme.example/ink-check=on@1"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const std::vector<Disclosure> first = List(c.first), second = List(c.second);
    DisclosureTransition t1 = ApplyReleaseDisclosures({}, first, "1");
    CHECK(t1.dropped.empty());
    DisclosureTransition t2 = ApplyReleaseDisclosures(t1.after, second, "2");
    CHECK(Args(t2.after.in_effect) == c.in_effect);
    CHECK(Args(t2.events) == c.events);
    CHECK(Args(t2.dropped) == c.dropped);
    CHECK(t2.after.last_version == "2");
  }
}

TEST_CASE("a dropped state is reported once, by the release right after the one stating it") {
  DisclosureState s =
      ApplyReleaseDisclosures({}, List({"repair.parts-pairing=blocked"}), "1").after;
  DisclosureTransition t2 = ApplyReleaseDisclosures(s, {}, "2");
  CHECK(t2.dropped.size() == 1);
  DisclosureTransition t3 = ApplyReleaseDisclosures(t2.after, {}, "3");
  CHECK(t3.dropped.empty());
  CHECK(Args(t3.after.in_effect) == std::vector<std::string>{"repair.parts-pairing=blocked@1"});
}

TEST_CASE("the carried state is bounded") {
  DisclosureState s;
  for (size_t i = 0; i < kMaxInEffect + 10; ++i) {
    s.in_effect.push_back(
        {Disclosure{"x-acme.example/k" + std::to_string(i), "on", std::nullopt}, "0"});
  }
  DisclosureTransition t = ApplyReleaseDisclosures(s, List({"telemetry=none"}), "1");
  // The release's own state first, then carried ones up to the bound.
  CHECK(t.after.in_effect.size() == kMaxInEffect);
  const std::vector<std::string> kept = Args(t.after.in_effect);
  CHECK(std::find(kept.begin(), kept.end(), "telemetry=none@1") != kept.end());
}

TEST_CASE("what holds on a day, and what is pending") {
  const DisclosureState s =
      ApplyReleaseDisclosures(
          {},
          List({"consumables.third-party=allowed",
                "consumables.third-party=blocked,effective=2026-09-13", "telemetry=none",
                "telemetry=crash to a.example,effective=2026-10-01", "end-of-support=2031-12-31"}),
          "1")
          .after;
  struct Case {
    const char* day;
    std::vector<std::string> holding, pending;
  };
  const Case cases[] = {
      {"2026-09-12",
       {"consumables.third-party=allowed@1", "end-of-support=2031-12-31@1", "telemetry=none@1"},
       {"consumables.third-party=blocked,effective=2026-09-13@1",
        "telemetry=crash to a.example,effective=2026-10-01@1"}},
      // Activation on the day itself.
      {"2026-09-13",
       {"consumables.third-party=blocked,effective=2026-09-13@1", "end-of-support=2031-12-31@1",
        "telemetry=none@1"},
       {"telemetry=crash to a.example,effective=2026-10-01@1"}},
      {"2026-10-01",
       {"consumables.third-party=blocked,effective=2026-09-13@1", "end-of-support=2031-12-31@1",
        "telemetry=crash to a.example,effective=2026-10-01@1"},
       {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.day);
    CHECK(Args(HoldingOn(s, Day(c.day))) == c.holding);
    CHECK(Args(PendingAfter(s, Day(c.day))) == c.pending);
  }
}

TEST_CASE("owner rules: parse, bad input, matching") {
  struct ParseCase {
    const char* text;
    bool ok;
  };
  const ParseCase parse[] = {
      {"consumables.third-party", true},
      {"consumables.third-party=blocked", true},
      {"telemetry=crash to metrics.acme.example", true},
      {"x-acme.example/ink-check", true},
      {"x-acme.example/ink-check=on", true},
      {"consumable.third-party", false},  // unknown kind
      {"", false},
      {"=blocked", false},
      {"consumables.third-party=maybe", false},  // not a value of the kind
      {"consumables.third-party=", false},
      {"region-lock=de", false},
  };
  for (const ParseCase& c : parse) {
    CAPTURE(c.text);
    Result<DisclosureRule> r = ParseDisclosureRule(c.text);
    CHECK(r.ok() == c.ok);
    if (r.ok()) CHECK(FormatDisclosureRule(*r) == c.text);
    if (!r.ok()) CHECK(r.status().code() == Code::kMalformed);
  }
  CHECK(ParseDisclosureRule("consumable.third-party")
            .status()
            .message()
            .find("unknown disclosure kind 'consumable.third-party'") != std::string::npos);

  struct MatchCase {
    const char* rule;
    const char* disclosure;
    bool match;
  };
  const MatchCase match[] = {
      {"consumables.third-party", "consumables.third-party=blocked", true},
      {"consumables.third-party", "consumables.third-party=blocked,effective=2030-01-01", true},
      {"consumables.third-party", "consumables.third-party=warned", true},
      // Refusing a restriction never refuses the release that lifts it.
      {"consumables.third-party", "consumables.third-party=allowed", false},
      {"consumables.third-party=blocked", "consumables.third-party=warned", false},
      {"consumables.third-party=blocked", "consumables.third-party=blocked,effective=2030-01-01",
       true},
      {"consumables.third-party", "repair.parts-pairing=blocked", false},
      {"account-required", "account-required=remote printing", true},
      {"telemetry", "telemetry=none", false},
      {"telemetry", "telemetry=crash to a.example", true},
  };
  for (const MatchCase& c : match) {
    CAPTURE(c.rule);
    CAPTURE(c.disclosure);
    const DisclosureRule rule = ParseDisclosureRule(c.rule).value();
    CHECK(DisclosureRuleMatches(rule, ParseDisclosureArg(c.disclosure).value()) == c.match);
  }

  const std::vector<DisclosureRule> rules = {
      ParseDisclosureRule("telemetry").value(),
      ParseDisclosureRule("consumables.third-party").value()};
  CHECK(CheckOwnerRules(rules, List({"consumables.third-party=allowed", "telemetry=none"}), "2.4.0")
            .ok());
  Status refused = CheckOwnerRules(
      rules, List({"consumables.third-party=blocked,effective=2026-09-13"}), "2.4.1");
  CHECK(refused.code() == Code::kOwnerRefused);
  CHECK(refused.message() ==
        "the owner refuses consumables.third-party: release 2.4.1 discloses Third-party "
        "consumables: blocked (effective 2026-09-13)");
  CHECK(ExitCodeFor(Code::kOwnerRefused) == 18);
  CHECK(CodeFromName("owner-refused") == Code::kOwnerRefused);
}

}  // namespace
}  // namespace candor
