// Command-line option parsing for the tools that link Boost.Program_options
// (candor, candor-log, candor-witness): one thin wrapper, so that every tool
// spells options in full (no abbreviations or guessing: "--dat" is refused,
// never taken as "--data-dir"), turns the parser's exceptions into Status
// values, and reports a usage error in one format with one exit code.
//
// Thread-safety: functions are reentrant.
#ifndef CANDOR_OPTIONS_H_
#define CANDOR_OPTIONS_H_

#include <boost/program_options.hpp>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "candor/status.h"

namespace candor {

// Exit code of a command-line usage error (unknown or missing option, bad
// argument). ExitCodeFor leaves 1 free for it (docs/EXIT_CODES.md).
inline constexpr int kExitUsage = 1;

// The start of a usage-error line: "usage error: <message>".
inline constexpr std::string_view kUsageErrorPrefix = "usage error";

// Parses `args` (the arguments after the command name) against `desc`, plus
// positional arguments if `positional` is not null, into `vm`, and runs
// notify(). Unix style without guessing: an option must be spelled in full.
// Returns kInvalidArgument with the parser's message (e.g. "unrecognised
// option '--foo'") on any error; `vm` may then hold a partial parse.
Status ParseOptions(const std::vector<std::string>& args,
                    const boost::program_options::options_description& desc,
                    const boost::program_options::positional_options_description* positional,
                    boost::program_options::variables_map& vm);

// Writes "usage error: <message>\n", then `usage` (verbatim, may be empty),
// to `err`. Returns kExitUsage, for `return ReportUsageError(...)`.
int ReportUsageError(std::ostream& err, std::string_view message, std::string_view usage = {});

// Adds `--ca-file FILE` to `desc`, stored in `*path`: the one definition of
// the option of every command that fetches an https:// URL (candor publish,
// candor audit sync/watch, candor-log serve's witness client, ...). The file
// holds PEM CA certificates trusted in addition to the system store
// (HttpClientOptions::ca_file, candor/http/http_client.h); there is no option
// that turns certificate verification off.
void AddCaFileOption(boost::program_options::options_description& desc, std::string* path);

}  // namespace candor

#endif  // CANDOR_OPTIONS_H_
