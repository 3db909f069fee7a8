#include "candor/agent/cli.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "candor/agent/agent.h"
#include "candor/agent/config.h"
#include "candor/agent/report.h"
#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/status.h"

namespace candor::agent {
namespace {

constexpr std::string_view kUsage =
    R"(usage: candor-agent [options] <command> [command options]

Verifies firmware images against a trust policy and a transparency-log proof
bundle, offline, and flashes only images whose release is provably logged.

commands:
  verify   --image FILE --bundle FILE [--consistency-proof FILE]
           dry run: all checks of install, nothing flashed, state unchanged
  install  --image FILE --bundle FILE [--consistency-proof FILE]
           verify, flash the verified bytes, then commit the device state
  trust-update --root FILE --bundle FILE [--consistency-proof FILE] [--root ...]
           rotate the device's trust root: one --root/--bundle group per
           version, in version order (n+1, n+2, ...); each is verified
           against the previous one, all are committed at once or none
  status   [--json]
           installed release(s), their disclosures and log index, the
           disclosures in effect and the countdown to each pending
           activation, last checkpoints, the trust root in effect
  report   [--json]
           the device report for auditors (`candor audit gossip`): the last
           seen signed checkpoint of each log and the installed releases

--consistency-proof FILE is the consistency proof file shipped with the bundle
(default: <bundle>.consistency if it exists); a checkpoint larger than the last
one seen from its log is refused without a proof from that size (exit 15).

options:
  --config FILE        configuration file (default /etc/candor/agent.conf)
  --policy FILE        trust policy (overrides the config's `policy`)
  --trust-root FILE    provisioned trust root (overrides `trust-root`; a device
                       has a policy or a trust root, never both)
  --product ID         this device's product id (overrides `product`)
  --state-dir DIR      device state directory (overrides `state-dir`)
  --flash-target PATH  copy images to this file/partition (overrides the backend)
  --now SECONDS        the device clock as Unix seconds (default: system clock)
  -h, --help           show this help
  --version            show the version

Every refusal prints one line "refused: <reason>" and exits with the code of
its reason class (docs/EXIT_CODES.md); usage errors exit 1. A release carrying
a disclosure the owner refuses (config `refuse-disclosure KIND[=VALUE]`) is
refused with exit 18.
)";

struct Parsed {
  std::string command;
  std::map<std::string, std::string> opts;
  // trust-update's --root groups, in the order given.
  std::vector<TrustRootStep> steps;
  // Every --root, --bundle and --consistency-proof in order, for the groups.
  std::vector<std::pair<std::string, std::string>> grouped;
  bool json = false;
  bool help = false;
  bool version = false;
};

// Options that take a value, and which commands accept them ("" = global;
// else the commands' letters: v verify, i install, t trust-update).
const std::map<std::string_view, std::string_view>& ValueOptions() {
  static const auto* m = new std::map<std::string_view, std::string_view>{
      {"--config", ""},     {"--policy", ""},
      {"--trust-root", ""}, {"--product", ""},
      {"--state-dir", ""},  {"--flash-target", ""},
      {"--now", ""},        {"--image", "vi"},
      {"--bundle", "vit"},  {"--consistency-proof", "vit"},
      {"--root", "t"},
  };
  return *m;
}

// trust-update repeats these, one of each per --root group.
bool IsGroupOption(std::string_view name) {
  return name == "--root" || name == "--bundle" || name == "--consistency-proof";
}

char CommandLetter(std::string_view command) {
  if (command == "verify") return 'v';
  if (command == "install") return 'i';
  if (command == "trust-update") return 't';
  return 's';
}

// trust-update's groups: each --root starts one, its --bundle (required) and
// --consistency-proof (optional) follow it before the next --root.
std::optional<std::string> GroupSteps(Parsed& p) {
  for (const auto& [name, value] : p.grouped) {
    if (name == "--root") {
      p.steps.push_back(TrustRootStep{value, "", std::nullopt});
      continue;
    }
    if (p.steps.empty()) return fmt::format("{} before the first --root", name);
    TrustRootStep& step = p.steps.back();
    if (name == "--bundle") {
      if (!step.bundle_path.empty())
        return fmt::format("two --bundle for --root {}", step.root_path);
      step.bundle_path = value;
    } else {
      if (step.consistency_proof_path) {
        return fmt::format("two --consistency-proof for --root {}", step.root_path);
      }
      step.consistency_proof_path = value;
    }
  }
  if (p.steps.empty()) return "trust-update needs --root and --bundle";
  for (const TrustRootStep& step : p.steps) {
    if (step.bundle_path.empty()) return fmt::format("--root {} needs a --bundle", step.root_path);
  }
  return std::nullopt;
}

std::optional<std::string> ParseArgs(const std::vector<std::string>& args, Parsed& p) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-h" || a == "--help") {
      p.help = true;
      continue;
    }
    if (a == "--version") {
      p.version = true;
      continue;
    }
    if (a == "--json") {
      p.json = true;
      continue;
    }
    if (a.starts_with("--")) {
      std::string name(a);
      std::optional<std::string> value;
      if (size_t eq = a.find('='); eq != std::string_view::npos) {
        name = std::string(a.substr(0, eq));
        value = std::string(a.substr(eq + 1));
      }
      if (!ValueOptions().contains(name)) return fmt::format("unknown option {}", name);
      if (!value) {
        if (i + 1 >= args.size()) return fmt::format("{} needs a value", name);
        value = args[++i];
      }
      if (value->empty()) return fmt::format("{} needs a non-empty value", name);
      // Group options may repeat in trust-update only: checked once the
      // command is known.
      if (IsGroupOption(name)) {
        p.grouped.emplace_back(name, *value);
      } else if (p.opts.contains(name)) {
        return fmt::format("{} given twice", name);
      }
      if (!p.opts.contains(name)) p.opts[name] = *value;
      continue;
    }
    if (a.starts_with("-") && a.size() > 1) return fmt::format("unknown option {}", a);
    if (!p.command.empty()) return fmt::format("unexpected argument '{}'", a);
    p.command = std::string(a);
  }
  if (p.help || p.version) return std::nullopt;
  if (p.command.empty()) return "no command given";
  if (p.command != "verify" && p.command != "install" && p.command != "status" &&
      p.command != "report" && p.command != "trust-update") {
    return fmt::format("unknown command '{}'", p.command);
  }
  const char letter = CommandLetter(p.command);
  for (const auto& [name, _] : p.opts) {
    std::string_view commands = ValueOptions().at(name);
    if (!commands.empty() && commands.find(letter) == std::string_view::npos) {
      return fmt::format("{} is not an option of {}", name, p.command);
    }
  }
  if (p.json && p.command != "status" && p.command != "report") {
    return fmt::format("--json is not an option of {}", p.command);
  }
  if (p.command == "trust-update") {
    if (std::optional<std::string> bad = GroupSteps(p)) return bad;
  } else {
    for (const auto& option : p.grouped) {
      const std::string& name = option.first;
      if (std::count_if(p.grouped.begin(), p.grouped.end(),
                        [&name](const auto& g) { return g.first == name; }) > 1) {
        return fmt::format("{} given twice", name);
      }
    }
  }
  const bool image_cmd = letter == 'v' || letter == 'i';
  if (image_cmd && (!p.opts.contains("--image") || !p.opts.contains("--bundle"))) {
    return fmt::format("{} needs --image and --bundle", p.command);
  }
  if (p.opts.contains("--now") && !ParseDecimalU64(p.opts["--now"]).ok()) {
    return "--now needs a decimal number of seconds";
  }
  return std::nullopt;
}

int Fail(std::FILE* err, std::string_view prefix, const Status& s) {
  // One line, whatever the message holds.
  std::string msg = s.message();
  for (char& c : msg) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  fmt::print(err, "{}: {}\n", prefix, msg);
  return ExitCodeFor(s.code());
}

// Verification refusals say "refused"; operational failures (I/O, a busy
// state dir, a missing file, a failed flash) say "error".
std::string_view PrefixFor(Code code) {
  switch (code) {
    case Code::kIo:
    case Code::kConflict:
    case Code::kNotFound:
    case Code::kInvalidArgument:
    case Code::kUnavailable:
    case Code::kRateLimited:
    case Code::kInternal:
      return "error";
    default:
      return "refused";
  }
}

std::string Cosigners(const std::vector<std::string>& cosigned_by) {
  std::string cosigners;
  for (const std::string& w : cosigned_by) cosigners += (cosigners.empty() ? "" : ", ") + w;
  return cosigners.empty() ? "" : ", cosigned by " + cosigners;
}

// One line per applied version of trust-update.
void PrintTrustRoot(std::FILE* out, const VerifiedTrustRoot& v) {
  const TrustRoot& r = v.root.root;
  fmt::print(
      out,
      "trust root updated: {} version {} (expires {}), log index {}, checkpoint {} size {}{}\n",
      r.domain, r.version, FormatUtcTime(r.expires_unix), v.log_index, v.checkpoint.origin,
      v.checkpoint.size, Cosigners(v.cosigned_by));
}

void PrintRelease(std::FILE* out, std::string_view verb, std::string_view product,
                  const VerifiedRelease& v) {
  const Manifest& m = v.release.manifest;
  fmt::print(out, "{}: {} {} {} (rollback {}), log index {}, checkpoint {} size {}{}\n", verb,
             m.vendor, product, m.version, m.rollback, v.log_index, v.checkpoint.origin,
             v.checkpoint.size, Cosigners(v.cosigned_by));
  for (const Disclosure& d : m.disclosures) {
    fmt::print(out, "  disclosure{}: {}\n", IsRestrictive(d) ? " (restrictive)" : "",
               DescribeDisclosure(d));
  }
}

}  // namespace

int RunAgentCli(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  Parsed p;
  if (std::optional<std::string> usage = ParseArgs(args, p)) {
    fmt::print(err, "usage error: {} (see candor-agent --help)\n", *usage);
    return kExitUsage;
  }
  if (p.help) {
    fmt::print(out, "{}", kUsage);
    return 0;
  }
  if (p.version) {
    fmt::print(out, "candor-agent 0.1.0\n");
    return 0;
  }

  AgentConfig config;
  if (p.opts.contains("--config")) {
    Result<AgentConfig> c = LoadAgentConfig(p.opts["--config"]);
    if (!c.ok()) return Fail(err, "error", c.status().WithContext("config"));
    config = std::move(c).value();
  } else {
    Result<AgentConfig> c = LoadAgentConfig(kDefaultConfigPath);
    if (c.ok()) {
      config = std::move(c).value();
    } else if (c.status().code() != Code::kNotFound) {
      return Fail(err, "error", c.status().WithContext("config"));
    }
  }
  if (p.opts.contains("--policy")) config.policy_path = p.opts["--policy"];
  if (p.opts.contains("--trust-root")) config.trust_root_path = p.opts["--trust-root"];
  if (p.opts.contains("--product")) config.product = p.opts["--product"];
  if (p.opts.contains("--state-dir")) config.state_dir = p.opts["--state-dir"];
  if (p.opts.contains("--flash-target")) {
    config.flash_target = p.opts["--flash-target"];
    config.flash_command.clear();
  }

  const uint64_t now = p.opts.contains("--now") ? *ParseDecimalU64(p.opts["--now"])
                                                : static_cast<uint64_t>(std::time(nullptr));
  if (p.command == "status" || p.command == "report") {
    if (config.state_dir.empty()) {
      return Fail(err, "error", Status::InvalidArgument("no state-dir configured"));
    }
    // Both read the state as it is, without the state-dir lock (ReadStatus):
    // commits replace the file atomically, so a reader sees the old or the
    // new state and never holds up an install.
    Result<DeviceState> state = ReadStatus(config.state_dir);
    if (!state.ok()) return Fail(err, "error", state.status());
    if (p.command == "report") {
      if (p.json) {
        fmt::print(out, "{}", FormatReportJson(*state));
        return 0;
      }
      Result<std::string> text = FormatReportText(*state);
      if (!text.ok()) return Fail(err, "error", text.status());
      fmt::print(out, "{}", *text);
      return 0;
    }
    // Shows the root the state holds, else the provisioned one: status is for
    // looking, so it shows a state root even on a misconfigured device (which
    // install and trust-update refuse: RootInEffect).
    std::optional<SignedTrustRoot> root;
    if (!state->trust_root.empty()) {
      Result<SignedTrustRoot> stored = ParseSignedTrustRoot(state->trust_root);
      if (!stored.ok()) return Fail(err, "error", stored.status());
      root = std::move(stored).value();
    } else if (!config.trust_root_path.empty()) {
      Result<SignedTrustRoot> provisioned = LoadProvisionedRoot(config.trust_root_path);
      if (!provisioned.ok()) return Fail(err, "error", provisioned.status());
      root = std::move(provisioned).value();
    }
    const TrustRoot* shown = root ? &root->root : nullptr;
    fmt::print(
        out, "{}",
        p.json ? FormatStatusJson(*state, shown, now) : FormatStatusText(*state, shown, now));
    return 0;
  }

  const bool install = p.command == "install";
  if (Status s = CheckComplete(config, install); !s.ok()) return Fail(err, "error", s);
  Result<AgentContext> ctx = LoadContext(config);
  if (!ctx.ok()) return Fail(err, "error", ctx.status());
  // The warning is about the policy in effect: with a trust root, the one the
  // state holds once a trust-update was committed, not the provisioned one.
  // (A state that cannot be read or does not fit the configuration is the
  // command's error to report; then the provisioned root's policy is named.)
  std::optional<SignedTrustRoot> in_effect = ctx->trust_root;
  if (ctx->trust_root) {
    if (Result<DeviceState> state = ReadStatus(ctx->state_dir); state.ok()) {
      if (auto root = RootInEffect(ctx->trust_root, *state); root.ok()) in_effect = *root;
    }
  }
  if (std::string w = QuorumSplitViewWarning(PolicyOf(*ctx, in_effect)); !w.empty()) {
    fmt::print(err, "{}\n", w);
  }

  if (p.command == "trust-update") {
    Result<std::vector<VerifiedTrustRoot>> applied =
        UpdateTrustRoot(*ctx, TrustUpdateRequest{p.steps, now});
    if (!applied.ok()) return Fail(err, PrefixFor(applied.status().code()), applied.status());
    for (const VerifiedTrustRoot& v : *applied) PrintTrustRoot(out, v);
    return 0;
  }

  ImageRequest req;
  req.image_path = p.opts["--image"];
  req.bundle_path = p.opts["--bundle"];
  if (p.opts.contains("--consistency-proof")) {
    req.consistency_proof_path = p.opts["--consistency-proof"];
  }
  req.now_unix = now;

  Result<VerifiedRelease> v = install ? InstallImage(*ctx, req) : VerifyImage(*ctx, req);
  if (!v.ok()) return Fail(err, PrefixFor(v.status().code()), v.status());
  PrintRelease(out, install ? "installed" : "verified", ctx->product, *v);
  return 0;
}

}  // namespace candor::agent
