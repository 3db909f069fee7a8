// The `candor` command-line tool: the command entry points and the context
// they run in.
//
// Each command parses its own arguments (Boost.Program_options) and returns an
// Outcome: a Status plus how the program edge should report it. Commands do not
// throw on purpose; argument-parser exceptions are caught in main
// (tools/candor_main.cc), which is the only place that maps a Status to an
// exit code (candor::ExitCodeFor).
//
// Thread-safety: commands run on the main thread; nothing here is shared.
#ifndef CANDOR_CLI_CLI_H_
#define CANDOR_CLI_CLI_H_

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "candor/options.h"
#include "candor/status.h"

namespace candor::cli {

// Where a command writes. `out` is for results (a script may parse it),
// `err` for progress and diagnostics.
struct Context {
  std::ostream& out;
  std::ostream& err;
  bool err_is_tty = false;  // progress bars only on an interactive stderr
};

struct Outcome {
  Status status;
  // How main prints a failure: "<prefix>: <message>". `candor verify` uses
  // "refused" so that a device-style refusal is one recognisable line.
  std::string prefix = "error";
  // True when the command already printed its failure itself.
  bool reported = false;
  // A command-line usage error (unknown option, missing required option or
  // argument): exit code kExitUsage instead of ExitCodeFor(status.code()),
  // as for candor-log, candor-witness and candor-agent.
  bool usage = false;

  Outcome() = default;
  Outcome(Status s) : status(std::move(s)) {}  // NOLINT: implicit by design
};

// Exit code of command-line usage errors, shared with candor-log and
// candor-witness (candor/options.h).
inline constexpr int kExitUsage = ::candor::kExitUsage;

// An Outcome for a usage error with message `msg`.
inline Outcome UsageError(Status status) {
  Outcome o(std::move(status));
  o.usage = true;
  o.prefix = std::string(::candor::kUsageErrorPrefix);
  return o;
}

using Args = std::vector<std::string>;  // the arguments after the command name(s)

Outcome RunKeygen(const Args& args, Context& ctx);
Outcome RunReleaseCreate(const Args& args, Context& ctx);
Outcome RunReleaseShow(const Args& args, Context& ctx);
Outcome RunReleaseSign(const Args& args, Context& ctx);
Outcome RunPublish(const Args& args, Context& ctx);
Outcome RunVerify(const Args& args, Context& ctx);
// `candor trust create|sign|show`: trust roots, offline (trust.cc).
Outcome RunTrustCreate(const Args& args, Context& ctx);
Outcome RunTrustSign(const Args& args, Context& ctx);
Outcome RunTrustShow(const Args& args, Context& ctx);
// `candor observe create|publish|show`: observations (observe.cc;
// publish is `candor publish` for observations only, publish.cc).
Outcome RunObserveCreate(const Args& args, Context& ctx);
Outcome RunObservePublish(const Args& args, Context& ctx);
Outcome RunObserveShow(const Args& args, Context& ctx);
// `candor bundle refresh`: a bundle's proofs renewed from the log's tiles
// (bundle_refresh.h).
Outcome RunBundleRefresh(const Args& args, Context& ctx);
// `candor audit <sync|list|show|diff|flags|watch|gossip>`: the auditor's
// command-line face (audit.h, docs/AUDIT.md).
Outcome RunAudit(const Args& args, Context& ctx);

// The top-level usage text.
std::string Usage();

}  // namespace candor::cli

#endif  // CANDOR_CLI_CLI_H_
