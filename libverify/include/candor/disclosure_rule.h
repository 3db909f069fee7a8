// An owner's refusal rule, `KIND[=VALUE]` (docs/AGENT.md "Refusing
// disclosures"): the device refuses any release carrying a matching
// disclosure, delayed ones included. Verify() applies the rules as its last
// step (candor/verify.h), so the owner's choice is one more reason class of
// the one decision, Code::kOwnerRefused.
//
// Matching: the kind is equal, and
//   - with VALUE: the value is byte-for-byte VALUE;
//   - without: the value is anything but the kind's neutral value (the value
//     that lifts the restriction, e.g. `allowed`), so refusing a restriction
//     never refuses the release that lifts it.
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_DISCLOSURE_RULE_H_
#define CANDOR_DISCLOSURE_RULE_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "candor/disclosure.h"
#include "candor/status.h"

namespace candor {

struct DisclosureRule {
  std::string kind;
  std::optional<std::string> value;

  friend bool operator==(const DisclosureRule&, const DisclosureRule&) = default;
};

// "KIND" or "KIND=VALUE": KIND a vocabulary or vendor-specific kind (else
// kMalformed "unknown disclosure kind"), VALUE valid for the kind
// (ValidateDisclosure without a date).
Result<DisclosureRule> ParseDisclosureRule(std::string_view text);
std::string FormatDisclosureRule(const DisclosureRule& rule);

bool DisclosureRuleMatches(const DisclosureRule& rule, const Disclosure& d);

// kOwnerRefused naming the first disclosure of `disclosures` (canonical
// order) that a rule matches and the rule; Ok if none does.
Status CheckOwnerRules(std::span<const DisclosureRule> rules,
                       std::span<const Disclosure> disclosures, std::string_view version);

}  // namespace candor

#endif  // CANDOR_DISCLOSURE_RULE_H_
