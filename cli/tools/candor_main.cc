// `candor`: the Candor command-line tool. This file is the program edge: it
// dispatches to a command, catches any exception, and maps the command's
// Status to the process exit code (candor::ExitCodeFor, docs/CLI.md).
#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli.h"

namespace {

using candor::cli::Args;
using candor::cli::Context;
using candor::cli::Outcome;

Outcome Dispatch(const std::vector<std::string>& argv, Context& ctx) {
  using candor::cli::UsageError;
  if (argv.empty()) {
    return UsageError(candor::Status::InvalidArgument("missing command (try 'candor help')"));
  }
  const std::string& cmd = argv[0];
  Args rest(argv.begin() + 1, argv.end());
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    ctx.out << candor::cli::Usage();
    return candor::Status::Ok();
  }
  if (cmd == "--version" || cmd == "version") {
    ctx.out << "candor 0.1.0\n";
    return candor::Status::Ok();
  }
  if (cmd == "keygen") return candor::cli::RunKeygen(rest, ctx);
  if (cmd == "publish") return candor::cli::RunPublish(rest, ctx);
  if (cmd == "verify") return candor::cli::RunVerify(rest, ctx);
  if (cmd == "audit") return candor::cli::RunAudit(rest, ctx);
  if (cmd == "release") {
    if (rest.empty()) {
      return UsageError(
          candor::Status::InvalidArgument("missing subcommand: release create|sign|show"));
    }
    std::string sub = rest[0];
    Args sub_args(rest.begin() + 1, rest.end());
    if (sub == "create") return candor::cli::RunReleaseCreate(sub_args, ctx);
    if (sub == "show") return candor::cli::RunReleaseShow(sub_args, ctx);
    if (sub == "sign") return candor::cli::RunReleaseSign(sub_args, ctx);
    return UsageError(candor::Status::InvalidArgument("unknown subcommand 'release " + sub +
                                                      "' (expected create, sign or show)"));
  }
  if (cmd == "bundle") {
    if (rest.empty()) {
      return UsageError(candor::Status::InvalidArgument("missing subcommand: bundle refresh"));
    }
    std::string sub = rest[0];
    Args sub_args(rest.begin() + 1, rest.end());
    if (sub == "refresh") return candor::cli::RunBundleRefresh(sub_args, ctx);
    return UsageError(candor::Status::InvalidArgument("unknown subcommand 'bundle " + sub +
                                                      "' (expected refresh)"));
  }
  if (cmd == "trust") {
    if (rest.empty()) {
      return UsageError(
          candor::Status::InvalidArgument("missing subcommand: trust create|sign|show"));
    }
    std::string sub = rest[0];
    Args sub_args(rest.begin() + 1, rest.end());
    if (sub == "create") return candor::cli::RunTrustCreate(sub_args, ctx);
    if (sub == "sign") return candor::cli::RunTrustSign(sub_args, ctx);
    if (sub == "show") return candor::cli::RunTrustShow(sub_args, ctx);
    return UsageError(candor::Status::InvalidArgument("unknown subcommand 'trust " + sub +
                                                      "' (expected create, sign or show)"));
  }
  if (cmd == "observe") {
    if (rest.empty()) {
      return UsageError(
          candor::Status::InvalidArgument("missing subcommand: observe create|publish|show"));
    }
    std::string sub = rest[0];
    Args sub_args(rest.begin() + 1, rest.end());
    if (sub == "create") return candor::cli::RunObserveCreate(sub_args, ctx);
    if (sub == "publish") return candor::cli::RunObservePublish(sub_args, ctx);
    if (sub == "show") return candor::cli::RunObserveShow(sub_args, ctx);
    return UsageError(candor::Status::InvalidArgument("unknown subcommand 'observe " + sub +
                                                      "' (expected create, publish or show)"));
  }
  return UsageError(
      candor::Status::InvalidArgument("unknown command '" + cmd + "' (try 'candor help')"));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Context ctx{std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1};
  try {
    Outcome outcome = Dispatch(args, ctx);
    std::cout.flush();
    if (outcome.status.ok()) return 0;
    if (!outcome.reported) {
      std::cerr << outcome.prefix << ": " << outcome.status.message() << "\n";
    }
    if (outcome.usage) return candor::cli::kExitUsage;
    return candor::ExitCodeFor(outcome.status.code());
  } catch (const std::exception& e) {
    std::cerr << "error: internal: " << e.what() << "\n";
    return candor::ExitCodeFor(candor::Code::kInternal);
  } catch (...) {
    std::cerr << "error: internal: unknown exception\n";
    return candor::ExitCodeFor(candor::Code::kInternal);
  }
}
