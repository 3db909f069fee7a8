// `candor audit <sync|list|show|diff|flags|watch|gossip>`: the command-line
// front end of the auditor (docs/AUDIT.md). Called by the `candor` dispatcher
// with the arguments after "audit".
//
// Thread-safety: runs on the main thread.
#ifndef CANDOR_CLI_AUDIT_COMMAND_H_
#define CANDOR_CLI_AUDIT_COMMAND_H_

#include "cli.h"

namespace candor::audit {

cli::Outcome RunAudit(const cli::Args& args, cli::Context& ctx);

}  // namespace candor::audit

#endif  // CANDOR_CLI_AUDIT_COMMAND_H_
