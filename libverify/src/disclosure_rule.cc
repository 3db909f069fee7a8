// Owner refusal rules (candor/disclosure_rule.h, docs/AGENT.md "Refusing
// disclosures").
#include "candor/disclosure_rule.h"

namespace candor {

Result<DisclosureRule> ParseDisclosureRule(std::string_view text) {
  DisclosureRule rule;
  const size_t eq = text.find('=');
  rule.kind = std::string(text.substr(0, eq));
  if (FindDisclosureKind(rule.kind) == nullptr && !IsVendorKind(rule.kind)) {
    return Status::Malformed("unknown disclosure kind '" + rule.kind + "'");
  }
  if (eq == std::string_view::npos) return rule;
  rule.value = std::string(text.substr(eq + 1));
  Status valid = ValidateDisclosure(Disclosure{rule.kind, *rule.value, std::nullopt});
  if (!valid.ok()) return valid;
  return rule;
}

std::string FormatDisclosureRule(const DisclosureRule& rule) {
  return rule.value ? rule.kind + "=" + *rule.value : rule.kind;
}

bool DisclosureRuleMatches(const DisclosureRule& rule, const Disclosure& d) {
  if (d.kind != rule.kind) return false;
  if (rule.value) return d.value == *rule.value;
  const DisclosureKindInfo* info = FindDisclosureKind(d.kind);
  return info == nullptr || info->neutral_value.empty() || d.value != info->neutral_value;
}

Status CheckOwnerRules(std::span<const DisclosureRule> rules,
                       std::span<const Disclosure> disclosures, std::string_view version) {
  for (const Disclosure& d : disclosures) {
    for (const DisclosureRule& rule : rules) {
      if (!DisclosureRuleMatches(rule, d)) continue;
      return Status::OwnerRefused("the owner refuses " + FormatDisclosureRule(rule) + ": release " +
                                  std::string(version) + " discloses " + DescribeDisclosure(d));
    }
  }
  return Status::Ok();
}

}  // namespace candor
