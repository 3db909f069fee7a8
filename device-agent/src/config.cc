#include "candor/agent/config.h"

#include <fmt/format.h>

#include "candor/fs/read_file.h"

namespace candor::agent {
namespace {

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

Result<AgentConfig> ParseAgentConfig(std::string_view text) {
  AgentConfig config;
  if (!text.empty() && text.back() != '\n')
    return Status::Malformed("config: missing final newline");
  bool seen_policy = false, seen_root = false, seen_product = false, seen_state = false,
       seen_cmd = false, seen_target = false;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++line_no;
    auto err = [&](std::string_view what) {
      return Status::Malformed(fmt::format("config line {}: {}", line_no, what));
    };
    if (HasControl(line)) return err("control character");
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty() || f[0][0] == '#') continue;
    std::string_view key = f[0];
    auto one_path = [&](bool& seen, std::string& out) -> Status {
      if (seen) return err(fmt::format("duplicate {}", key));
      seen = true;
      if (f.size() != 2) return err(fmt::format("{} takes exactly one value", key));
      if (f[1][0] != '/') return err(fmt::format("{} must be an absolute path", key));
      out = std::string(f[1]);
      return Status::Ok();
    };
    if (key == "policy") {
      CANDOR_RETURN_IF_ERROR(one_path(seen_policy, config.policy_path));
    } else if (key == "trust-root") {
      CANDOR_RETURN_IF_ERROR(one_path(seen_root, config.trust_root_path));
    } else if (key == "state-dir") {
      CANDOR_RETURN_IF_ERROR(one_path(seen_state, config.state_dir));
    } else if (key == "flash-target") {
      CANDOR_RETURN_IF_ERROR(one_path(seen_target, config.flash_target));
    } else if (key == "product") {
      if (seen_product) return err("duplicate product");
      seen_product = true;
      if (f.size() != 2) return err("product takes exactly one value");
      config.product = std::string(f[1]);
    } else if (key == "refuse-disclosure") {
      // The rest of the line: a value may hold single spaces
      // ("telemetry=crash to metrics.acme.example").
      std::string_view rule =
          line.substr(static_cast<size_t>(key.data() - line.data()) + key.size());
      while (!rule.empty() && (rule.front() == ' ' || rule.front() == '\t')) rule.remove_prefix(1);
      while (!rule.empty() && (rule.back() == ' ' || rule.back() == '\t')) rule.remove_suffix(1);
      if (rule.empty()) return err("refuse-disclosure needs KIND[=VALUE]");
      Result<DisclosureRule> parsed = ParseDisclosureRule(rule);
      if (!parsed.ok()) return err("refuse-disclosure: " + parsed.status().message());
      config.refused_disclosures.push_back(std::move(parsed).value());
    } else if (key == "flash-command") {
      if (seen_cmd) return err("duplicate flash-command");
      seen_cmd = true;
      if (f.size() < 2) return err("flash-command needs a program");
      if (f[1][0] != '/') return err("flash-command program must be an absolute path");
      for (size_t i = 1; i < f.size(); ++i) config.flash_command.emplace_back(f[i]);
    } else {
      return err(fmt::format("unknown directive '{}'", key));
    }
  }
  if (seen_cmd && seen_target)
    return Status::Malformed("config: both flash-command and flash-target");
  if (seen_policy && seen_root) return Status::Malformed("config: both policy and trust-root");
  return config;
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(std::string text, fs::ReadFile(path, kMaxConfigSize));
  Result<AgentConfig> config = ParseAgentConfig(text);
  if (!config.ok()) return config.status().WithContext(path);
  return config;
}

Status CheckComplete(const AgentConfig& config, bool need_flash) {
  if (config.policy_path.empty() && config.trust_root_path.empty()) {
    return Status::InvalidArgument("no policy configured (nor a trust-root)");
  }
  // A --policy flag must not quietly replace a configured root (or the
  // reverse): which anchor is in effect is never a guess.
  if (!config.policy_path.empty() && !config.trust_root_path.empty()) {
    return Status::InvalidArgument("both policy and trust-root configured");
  }
  if (config.product.empty()) return Status::InvalidArgument("no product configured");
  if (config.state_dir.empty()) return Status::InvalidArgument("no state-dir configured");
  if (!config.flash_command.empty() && !config.flash_target.empty()) {
    return Status::InvalidArgument("both flash-command and flash-target configured");
  }
  if (need_flash && config.flash_command.empty() && config.flash_target.empty()) {
    return Status::InvalidArgument("no flash-command or flash-target configured");
  }
  return Status::Ok();
}

}  // namespace candor::agent
