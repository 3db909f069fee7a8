// candor-agent configuration: where the trust policy and the device state
// live, which product this device is, and how to flash an image.
//
// File format (docs/AGENT.md "Configuration"), one directive per line, fields
// separated by one or more spaces or tabs, `#` starts a comment line, blank
// lines are ignored. Strict: unknown directives, duplicates, missing or extra
// fields, relative paths and control characters are refused (kMalformed, with
// the line number).
//
//   policy <absolute path>            trust policy (candor/policy.h format)
//   trust-root <absolute path>        or: the trust root provisioned at
//                                     manufacture (candor/trust_root.h)
//   product <id>                      this device's product id
//   state-dir <absolute path>         persistent state (created 0700)
//   flash-command <argv0> [<arg>...]  run with the image path appended; exit 0 = flashed
//   flash-target <absolute path>      file or partition the image is copied to
//   refuse-disclosure KIND[=VALUE]    the owner refuses any release carrying a
//                                     matching disclosure (candor/disclosure_rule.h);
//                                     any number; an unknown kind or a value
//                                     the kind does not allow is refused
//
// Exactly one of policy and trust-root (a device anchored by a root must not
// also be configured with a policy that could bypass it: CheckComplete).
// At most one of flash-command and flash-target. Command-line flags override
// individual directives (see candor/agent/cli.h).
//
// Thread-safety: values and pure functions.
#ifndef CANDOR_AGENT_CONFIG_H_
#define CANDOR_AGENT_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

#include "candor/disclosure_rule.h"
#include "candor/status.h"

namespace candor::agent {

inline constexpr size_t kMaxConfigSize = 64 * 1024;

struct AgentConfig {
  std::string policy_path;
  std::string trust_root_path;  // exclusive with policy_path
  std::string product;
  std::string state_dir;
  std::vector<std::string> flash_command;  // empty: none
  std::string flash_target;                // empty: none
  // The owner's refusals, in file order. Local policy: never sent anywhere
  // (not in `candor-agent report` either).
  std::vector<DisclosureRule> refused_disclosures;
};

Result<AgentConfig> ParseAgentConfig(std::string_view text);
// Reads and parses a config file (at most kMaxConfigSize bytes).
Result<AgentConfig> LoadAgentConfig(const std::string& path);

// kInvalidArgument naming the first missing setting: policy or trust-root
// (never both), product and state-dir always; a flash backend too when
// `need_flash`; and never both backends.
Status CheckComplete(const AgentConfig& config, bool need_flash);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_CONFIG_H_
