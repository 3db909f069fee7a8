// `candor audit <subcommand>`: dispatches to the subcommands (audit.h,
// docs/AUDIT.md).
#include <string>

#include "audit.h"
#include "cli.h"

namespace candor::cli {
namespace {

constexpr const char* kAuditUsage =
    "usage: candor audit <command> [options]\n"
    "  sync    --log URL|DIR --log-key LOG.pub [--policy FILE] --dir MIRROR [--ca-file FILE]\n"
    "          [--json]\n"
    "  list    --dir MIRROR [--vendor V]... [--product P]... [--json]\n"
    "  show    --dir MIRROR INDEX|VENDOR/PRODUCT/VERSION [--json]\n"
    "  diff    --dir MIRROR VENDOR/PRODUCT [FROM TO] [--json]\n"
    "  flags   --dir MIRROR [--vendor V]... [--product P]... [--json]\n"
    "  watch   --log URL --log-key LOG.pub [--policy FILE] --dir MIRROR [--ca-file FILE]\n"
    "          [--vendor V]... [--product P]... [--interval S] [--webhook URL] [--atom FILE]\n"
    "          [--once] [--json]\n"
    "  gossip  --dir MIRROR [--log-key LOG.pub] CHECKPOINT|REPORT|DIR... [--json]\n"
    "  trust   --dir MIRROR [--domain D] [--json]\n"
    "  find    --dir MIRROR --image-sha256 HEX [--json]\n"
    "  export  --dir MIRROR --format csv|json [--vendor V]... [--product P]... [--out FILE]\n"
    "          [--force]\n"
    "See docs/AUDIT.md.\n";

}  // namespace

Outcome RunAudit(const Args& args, Context& ctx) {
  if (args.empty()) {
    ctx.err << kAuditUsage;
    return UsageError(Status::InvalidArgument("missing audit subcommand"));
  }
  const std::string& sub = args[0];
  if (sub == "help" || sub == "--help" || sub == "-h") {
    ctx.out << kAuditUsage;
    return Status::Ok();
  }
  Args rest(args.begin() + 1, args.end());
  if (sub == "sync") return RunAuditSync(rest, ctx);
  if (sub == "list") return RunAuditList(rest, ctx);
  if (sub == "show") return RunAuditShow(rest, ctx);
  if (sub == "diff") return RunAuditDiff(rest, ctx);
  if (sub == "flags") return RunAuditFlags(rest, ctx);
  if (sub == "watch") return RunAuditWatch(rest, ctx);
  if (sub == "gossip") return RunAuditGossip(rest, ctx);
  if (sub == "trust") return RunAuditTrust(rest, ctx);
  if (sub == "find") return RunAuditFind(rest, ctx);
  if (sub == "export") return RunAuditExport(rest, ctx);
  return UsageError(Status::InvalidArgument(
      "unknown subcommand 'audit " + sub +
      "' (expected sync, list, show, diff, flags, watch, gossip, trust, find or export)"));
}

}  // namespace candor::cli
