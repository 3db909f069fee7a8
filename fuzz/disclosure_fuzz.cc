// Disclosures: the input is tried as one manifest line (ParseDisclosureLine),
// as a CLI argument (ParseDisclosureArg), as a vendor kind / domain, and, split
// on "\n", as a disclosure list (ValidateDisclosureList), as an owner's
// refusal rule (ParseDisclosureRule), and the list through the state model
// (ApplyReleaseDisclosures).
// Properties: format(parse(x)) == x for both syntaxes; line and argument
// forms convert into each other; a valid list is strictly ascending and is
// what SortDisclosures makes of its reverse.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "candor/disclosure.h"
#include "candor/disclosure_rule.h"
#include "candor/disclosure_state.h"
#include "fuzz_util.h"

using namespace candor;

namespace {

// 2026-03-01T12:00:00Z: the issue time the list rules compare effective dates with.
constexpr int64_t kFuzzIssued = 1772366400;

void CheckDisclosure(const Disclosure& d) {
  CANDOR_FUZZ_CHECK(ValidateDisclosure(d).ok());
  const std::string line = FormatDisclosureLine(d);
  auto from_line = ParseDisclosureLine(line);
  CANDOR_FUZZ_CHECK(from_line.ok() && *from_line == d);
  const std::string arg = FormatDisclosureArg(d);
  auto from_arg = ParseDisclosureArg(arg);
  CANDOR_FUZZ_CHECK(from_arg.ok() && *from_arg == d);
  (void)IsRestrictive(d);
  CANDOR_FUZZ_CHECK(!DescribeDisclosure(d).empty());
  if (IsVendorKind(d.kind)) CANDOR_FUZZ_CHECK(IsValidVendorDomain(VendorKindDomain(d.kind)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);

  auto line = ParseDisclosureLine(text);
  if (line.ok()) {
    CANDOR_FUZZ_CHECK(FormatDisclosureLine(*line) == text);
    CheckDisclosure(*line);
  }
  auto arg = ParseDisclosureArg(text);
  if (arg.ok()) {
    CANDOR_FUZZ_CHECK(FormatDisclosureArg(*arg) == text);
    CheckDisclosure(*arg);
  }
  if (IsVendorKind(text)) CANDOR_FUZZ_CHECK(IsValidVendorDomain(VendorKindDomain(text)));
  if (IsValidVendorDomain(text)) CANDOR_FUZZ_CHECK(text.size() <= 253);
  (void)ValidateDisclosureValue(text);
  // An owner's rule: round trip, and a rule with a value matches exactly the
  // disclosure it names.
  auto rule = ParseDisclosureRule(text);
  if (rule.ok()) {
    CANDOR_FUZZ_CHECK(FormatDisclosureRule(*rule) == text);
    if (rule->value) {
      const Disclosure named{rule->kind, *rule->value, std::nullopt};
      CANDOR_FUZZ_CHECK(ValidateDisclosure(named).ok() && DisclosureRuleMatches(*rule, named));
      const DisclosureRule one[] = {*rule};
      CANDOR_FUZZ_CHECK(CheckOwnerRules(one, std::span(&named, 1), "1").code() ==
                        Code::kOwnerRefused);
    }
  }

  // As a list: one manifest line per "\n"-separated piece.
  std::vector<Disclosure> list;
  size_t start = 0;
  while (start < text.size() && list.size() <= kMaxDisclosures + 1) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    auto d = ParseDisclosureLine(text.substr(start, nl - start));
    if (!d.ok()) return 0;
    list.push_back(*d);
    start = nl + 1;
  }
  if (list.empty() || !ValidateDisclosureList(list, "acme.example", kFuzzIssued).ok()) return 0;
  CANDOR_FUZZ_CHECK(list.size() <= kMaxDisclosures);
  for (size_t i = 1; i < list.size(); ++i) {
    CANDOR_FUZZ_CHECK(DisclosureLess(list[i - 1], list[i]));
    CANDOR_FUZZ_CHECK(!DisclosureLess(list[i], list[i - 1]));
  }
  std::vector<Disclosure> reversed(list.rbegin(), list.rend());
  SortDisclosures(reversed);
  CANDOR_FUZZ_CHECK(reversed == list);
  // The state model: applying the list twice changes no state and drops
  // nothing; every state it states is in effect, no event is.
  const DisclosureTransition first = ApplyReleaseDisclosures({}, list, "1");
  const DisclosureTransition again = ApplyReleaseDisclosures(first.after, list, "2");
  CANDOR_FUZZ_CHECK(first.dropped.empty() && again.dropped.empty());
  CANDOR_FUZZ_CHECK(first.after.in_effect.size() + first.events.size() == list.size());
  CANDOR_FUZZ_CHECK(again.after.in_effect.size() == first.after.in_effect.size());
  for (const InEffect& e : first.after.in_effect) {
    CANDOR_FUZZ_CHECK(MeaningOf(e.disclosure.kind) == DisclosureMeaning::kState);
  }
  return 0;
}
