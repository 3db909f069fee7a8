// The candor-agent command line, hand-parsed (the agent links no Boost).
//
//   candor-agent [global options] verify  --image FILE --bundle FILE [--consistency-proof FILE]
//   candor-agent [global options] install --image FILE --bundle FILE [--consistency-proof FILE]
//   candor-agent [global options] trust-update --root FILE --bundle FILE
//                [--consistency-proof FILE] [--root FILE --bundle FILE ...]
//   candor-agent [global options] status [--json]
//   candor-agent [global options] report [--json]
//   candor-agent --help | --version
//
// Global options (also accepted after the command): --config FILE (default
// /etc/candor/agent.conf; when not given and that file is absent, flags
// alone configure the agent), --policy FILE, --trust-root FILE, --product ID, --state-dir DIR,
// --flash-target PATH (replaces a configured flash-command), --now UNIX-SECONDS
// (the device clock, for devices without an RTC and for tests). Options take
// "--opt VALUE" or "--opt=VALUE".
//
// Output: results on `out`; every failure is ONE line on `err`
// ("refused: <reason>" when verification refuses the image or the device
// state; "error: <reason>" for operational failures: I/O, flash, missing
// files, a busy state dir, configuration) and the exit code is ExitCodeFor(code)
// (docs/EXIT_CODES.md); usage errors exit 1.
//
// Thread-safety: RunAgentCli touches only its arguments and the file system.
#ifndef CANDOR_AGENT_CLI_H_
#define CANDOR_AGENT_CLI_H_

#include <cstdio>
#include <string>
#include <vector>

namespace candor::agent {

inline constexpr const char* kDefaultConfigPath = "/etc/candor/agent.conf";
inline constexpr int kExitUsage = 1;

// `args` excludes argv[0]. Returns the process exit code.
int RunAgentCli(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_CLI_H_
