// The owner's choices and the device's disclosures (docs/AGENT.md "Refusing
// disclosures", "status"): `refuse-disclosure` refuses before flashing, and
// the state carries the product's disclosures in effect from release to
// release (candor/disclosure_state.h).
#include <doctest/doctest.h>

#include "agent_fixture.h"
#include "candor/agent/agent.h"
#include "candor/agent/config.h"

namespace candor::agent {
namespace {

using testing::Device;
using testing::kNow;
using testing::Release;
using testing::World;

Disclosure Disc(std::string_view arg) { return ParseDisclosureArg(arg).value(); }

// 1.0 without disclosures, then 1.1 blocking third-party cartridges from
// 2026-12-01 (kNow is 2026-09-21), 1.2 lifting the block.
struct Story {
  World w;
  Release r10 = w.MakeRelease("1.0", 10);
  Release r11 = w.MakeRelease("1.1", 11, 100000, nullptr, {testing::kProduct},
                              {Disc("consumables.third-party=blocked,effective=2026-12-01")});
  Release r12 = w.MakeRelease("1.2", 12, 100000, nullptr, {testing::kProduct},
                              {Disc("consumables.third-party=allowed")});
  uint64_t i10 = w.Append(r10.entry);
  uint64_t i11 = w.Append(r11.entry);
  uint64_t i12 = w.Append(r12.entry);
};

TEST_CASE("refuse-disclosure: the release is refused before flashing, slot and state untouched") {
  struct Case {
    const char* rule;
    bool refused;
  };
  const Case cases[] = {
      {"consumables.third-party", true},
      {"consumables.third-party=blocked", true},  // delayed disclosures count
      {"consumables.third-party=warned", false},
      {"telemetry", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.rule);
    Story s;
    Device d(s.w);
    REQUIRE(d.Install(s.r10.image, s.w.GoodBundle(s.i10)).ok());
    const std::string state_before = d.StateBytes();
    d.ctx.refused_disclosures = {ParseDisclosureRule(c.rule).value()};
    const std::string bundle = s.w.GoodBundle(s.i11);
    // The dry run says the same as install.
    auto dry = VerifyImage(d.ctx, d.Request(s.r11.image, bundle));
    auto got = d.Install(s.r11.image, bundle);
    CHECK(got.ok() == !c.refused);
    CHECK(dry.ok() == !c.refused);
    if (!c.refused) {
      CHECK(d.TargetBytes() == s.r11.image);
      continue;
    }
    CHECK(got.status().code() == Code::kOwnerRefused);
    CHECK(ExitCodeFor(got.status().code()) == 18);
    CHECK(got.status().message() ==
          std::string("the owner refuses ") + c.rule +
              ": release 1.1 discloses Third-party consumables: blocked (effective 2026-12-01)");
    CHECK(d.TargetBytes() == s.r10.image);
    CHECK(d.StateBytes() == state_before);
  }
}

TEST_CASE("refuse-disclosure: the release that lifts the restriction installs") {
  Story s;
  Device d(s.w);
  d.ctx.refused_disclosures = {ParseDisclosureRule("consumables.third-party").value()};
  REQUIRE(d.Install(s.r10.image, s.w.GoodBundle(s.i10)).ok());
  auto lifted = d.Install(s.r12.image, s.w.GoodBundle(s.i12));
  REQUIRE_MESSAGE(lifted.ok(), lifted.status().ToString());
  CHECK(d.TargetBytes() == s.r12.image);
}

TEST_CASE("status: disclosures in effect carried across releases, and the countdown") {
  World w;
  Device d(w);
  Release r1 =
      w.MakeRelease("1.0", 1, 1000, nullptr, {testing::kProduct},
                    {Disc("consumables.third-party=allowed"),
                     Disc("consumables.third-party=blocked,effective=2026-12-01"),
                     Disc("end-of-support=2031-12-31"), Disc("security-fix=CVE-2026-0001")});
  // 1.1 restates the end of support only: the block is still in effect.
  Release r2 = w.MakeRelease("1.1", 2, 1000, nullptr, {testing::kProduct},
                             {Disc("end-of-support=2032-12-31")});
  const uint64_t i1 = w.Append(r1.entry);
  const uint64_t i2 = w.Append(r2.entry);
  REQUIRE(d.Install(r1.image, w.GoodBundle(i1)).ok());
  REQUIRE(d.Install(r2.image, w.GoodBundle(i2)).ok());
  auto state = ReadStatus(d.state_dir);
  REQUIRE(state.ok());
  const InstalledRelease& rel = state->products.at(testing::kProduct);
  REQUIRE(rel.in_effect.size() == 3);
  CHECK(d.StateBytes().starts_with("candor-agent-state v4\n"));
  CHECK(ParseState(FormatState(*state)).value() == *state);

  const std::string text = FormatStatusText(*state, nullptr, kNow);
  CAPTURE(text);
  CHECK(text.find("  in effect: Third-party consumables: allowed (stated by 1.0)\n") !=
        std::string::npos);
  CHECK(text.find("  in effect: End of support: 2032-12-31 (stated by 1.1)\n") !=
        std::string::npos);
  CHECK(text.find("  pending (restrictive): Third-party consumables: blocked (effective "
                  "2026-12-01), in 71 day(s) (stated by 1.0)\n") != std::string::npos);
  // Events are the release's own: 1.0's CVE fix is not "in effect" on 1.1.
  CHECK(text.find("CVE-2026-0001") == std::string::npos);
  // On the day, the block holds and "allowed" no longer does.
  const std::string on_the_day = FormatStatusText(*state, nullptr, kNow + 71 * 86400);
  CHECK(on_the_day.find("  in effect (restrictive): Third-party consumables: blocked (effective "
                        "2026-12-01) (stated by 1.0)\n") != std::string::npos);
  CHECK(on_the_day.find("consumables: allowed") == std::string::npos);
  CHECK(on_the_day.find("pending") == std::string::npos);

  const std::string json = FormatStatusJson(*state, nullptr, kNow);
  CAPTURE(json);
  CHECK(json.find("\"pending\":[{\"kind\":\"consumables.third-party\",\"value\":\"blocked\","
                  "\"effective\":\"2026-12-01\",\"restrictive\":true,") != std::string::npos);
  CHECK(json.find("\"stated_by\":\"1.0\",\"days_left\":71}]") != std::string::npos);
  CHECK(json.find("\"in_effect\":[{\"kind\":\"consumables.third-party\",\"value\":\"allowed\"") !=
        std::string::npos);
}

TEST_CASE("state: v4 in-effect lines are strict; older states derive them from the entry") {
  World w;
  Device d(w);
  Release r1 = w.MakeRelease("1.0", 1, 1000, nullptr, {testing::kProduct},
                             {Disc("telemetry=crash to t.acme.example")});
  REQUIRE(d.Install(r1.image, w.GoodBundle(w.Append(r1.entry))).ok());
  DeviceState state = ReadStatus(d.state_dir).value();
  InstalledRelease& rel = state.products.at(testing::kProduct);
  REQUIRE(rel.in_effect.size() == 1);
  // An older state (no in-effect lines) reads as the installed release's states.
  DeviceState old = state;
  old.products.at(testing::kProduct).in_effect.clear();
  const std::string v2 = FormatState(old);
  CHECK(v2.starts_with("candor-agent-state v2\n"));
  const DeviceState back = ParseState(v2).value();
  CHECK(EffectiveDisclosures(back.products.at(testing::kProduct)).in_effect == rel.in_effect);
  // Tampered or non-canonical lines are refused.
  const std::string good = FormatState(state);
  auto with_body = [](std::string body) {
    body = body.substr(0, body.rfind("checksum "));
    return body + "checksum " + HexEncode(Sha256Digest(body)) + "\n";
  };
  const std::string line = "in-effect 1.0 telemetry crash to t.acme.example\n";
  REQUIRE(good.find(line) != std::string::npos);
  for (const std::string& bad :
       {std::string("in-effect 1.0 telemetry crash  to t.acme.example\n"),
        std::string("in-effect 1.0 nonsense yes\n"), std::string("in-effect 1.0\n"), line + line}) {
    CAPTURE(bad);
    std::string text = good;
    text.replace(text.find(line), line.size(), bad);
    CHECK(ParseState(with_body(text)).status().code() == Code::kMalformed);
  }
  std::string no_lines = good;
  no_lines.replace(no_lines.find(line), line.size(), "");
  CHECK(ParseState(with_body(no_lines)).status().code() == Code::kMalformed);
}

TEST_CASE("config: refuse-disclosure lines; bad ones name their line") {
  auto c = ParseAgentConfig(
      "policy /etc/candor/policy\n"
      "refuse-disclosure consumables.third-party\n"
      "refuse-disclosure\ttelemetry=crash to metrics.acme.example  \n"
      "refuse-disclosure x-acme.example/ink-check\n");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  REQUIRE(c->refused_disclosures.size() == 3);
  CHECK(FormatDisclosureRule(c->refused_disclosures[1]) ==
        "telemetry=crash to metrics.acme.example");
  struct Bad {
    const char* text;
    const char* message;
  };
  const Bad bad[] = {
      {"product x\nrefuse-disclosure consumable.third-party\n",
       "config line 2: refuse-disclosure: unknown disclosure kind 'consumable.third-party'"},
      {"# owner\n\nrefuse-disclosure\n", "config line 3: refuse-disclosure needs KIND[=VALUE]"},
      {"refuse-disclosure consumables.third-party=maybe\n", "config line 1: refuse-disclosure: "},
      {"refuse-disclosure region-lock=de\n", "config line 1: refuse-disclosure: "},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.text);
    auto r = ParseAgentConfig(b.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kMalformed);
    CHECK(r.status().message().starts_with(b.message));
  }
}

}  // namespace
}  // namespace candor::agent
