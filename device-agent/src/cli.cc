#include "candor/agent/cli.h"

#include <ctime>
#include <map>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "candor/agent/agent.h"
#include "candor/agent/config.h"
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
  status   [--json]
           installed release(s), their disclosures and log index, last checkpoints

--consistency-proof FILE is the consistency proof file shipped with the bundle
(default: <bundle>.consistency if it exists); a checkpoint larger than the last
one seen from its log is refused without a proof from that size (exit 15).

options:
  --config FILE        configuration file (default /etc/candor/agent.conf)
  --policy FILE        trust policy (overrides the config's `policy`)
  --product ID         this device's product id (overrides `product`)
  --state-dir DIR      device state directory (overrides `state-dir`)
  --flash-target PATH  copy images to this file/partition (overrides the backend)
  --now SECONDS        the device clock as Unix seconds (default: system clock)
  -h, --help           show this help
  --version            show the version

Every refusal prints one line "refused: <reason>" and exits with the code of
its reason class (docs/EXIT_CODES.md); usage errors exit 1.
)";

struct Parsed {
  std::string command;
  std::map<std::string, std::string> opts;
  bool json = false;
  bool help = false;
  bool version = false;
};

// Options that take a value, and which commands accept them ("" = global).
const std::map<std::string_view, std::string_view>& ValueOptions() {
  static const auto* m = new std::map<std::string_view, std::string_view>{
      {"--config", ""},    {"--policy", ""},       {"--product", ""},
      {"--state-dir", ""}, {"--flash-target", ""}, {"--now", ""},
      {"--image", "vi"},   {"--bundle", "vi"},     {"--consistency-proof", "vi"},
  };
  return *m;
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
      if (p.opts.contains(name)) return fmt::format("{} given twice", name);
      p.opts[name] = *value;
      continue;
    }
    if (a.starts_with("-") && a.size() > 1) return fmt::format("unknown option {}", a);
    if (!p.command.empty()) return fmt::format("unexpected argument '{}'", a);
    p.command = std::string(a);
  }
  if (p.help || p.version) return std::nullopt;
  if (p.command.empty()) return "no command given";
  if (p.command != "verify" && p.command != "install" && p.command != "status") {
    return fmt::format("unknown command '{}'", p.command);
  }
  const bool image_cmd = p.command != "status";
  for (const auto& [name, _] : p.opts) {
    if (ValueOptions().at(name) == "vi" && !image_cmd) {
      return fmt::format("{} is not an option of {}", name, p.command);
    }
  }
  if (p.json && image_cmd) return fmt::format("--json is not an option of {}", p.command);
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

void PrintRelease(std::FILE* out, std::string_view verb, std::string_view product,
                  const VerifiedRelease& v) {
  const Manifest& m = v.release.manifest;
  std::string cosigners;
  for (const std::string& w : v.cosigned_by) cosigners += (cosigners.empty() ? "" : ", ") + w;
  fmt::print(out, "{}: {} {} {} (rollback {}), log index {}, checkpoint {} size {}{}\n", verb,
             m.vendor, product, m.version, m.rollback, v.log_index, v.checkpoint.origin,
             v.checkpoint.size, cosigners.empty() ? "" : ", cosigned by " + cosigners);
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
  if (p.opts.contains("--product")) config.product = p.opts["--product"];
  if (p.opts.contains("--state-dir")) config.state_dir = p.opts["--state-dir"];
  if (p.opts.contains("--flash-target")) {
    config.flash_target = p.opts["--flash-target"];
    config.flash_command.clear();
  }

  if (p.command == "status") {
    if (config.state_dir.empty()) {
      return Fail(err, "error", Status::InvalidArgument("no state-dir configured"));
    }
    Result<DeviceState> state = ReadStatus(config.state_dir);
    if (!state.ok()) return Fail(err, "error", state.status());
    fmt::print(out, "{}", p.json ? FormatStatusJson(*state) : FormatStatusText(*state));
    return 0;
  }

  const bool install = p.command == "install";
  if (Status s = CheckComplete(config, install); !s.ok()) return Fail(err, "error", s);
  Result<AgentContext> ctx = LoadContext(config);
  if (!ctx.ok()) return Fail(err, "error", ctx.status());
  if (std::string w = QuorumSplitViewWarning(ctx->policy); !w.empty()) fmt::print(err, "{}\n", w);

  ImageRequest req;
  req.image_path = p.opts["--image"];
  req.bundle_path = p.opts["--bundle"];
  if (p.opts.contains("--consistency-proof")) {
    req.consistency_proof_path = p.opts["--consistency-proof"];
  }
  req.now_unix = p.opts.contains("--now") ? *ParseDecimalU64(p.opts["--now"])
                                          : static_cast<uint64_t>(std::time(nullptr));

  Result<VerifiedRelease> v = install ? InstallImage(*ctx, req) : VerifyImage(*ctx, req);
  if (!v.ok()) return Fail(err, PrefixFor(v.status().code()), v.status());
  PrintRelease(out, install ? "installed" : "verified", ctx->product, *v);
  return 0;
}

}  // namespace candor::agent
