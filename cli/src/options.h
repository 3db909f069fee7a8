// Argument parsing shared by the commands: a thin wrapper over
// Boost.Program_options that turns its exceptions into Status values
// (kInvalidArgument), so that command code stays exception-free.
//
// Thread-safety: functions are reentrant.
#ifndef CANDOR_CLI_OPTIONS_H_
#define CANDOR_CLI_OPTIONS_H_

#include <boost/program_options.hpp>
#include <string>
#include <string_view>

#include "candor/options.h"
#include "candor/status.h"
#include "cli.h"

namespace candor::cli {

namespace po = boost::program_options;

// candor::ParseOptions (candor/options.h, the one parser of candor, candor-log
// and candor-witness: no abbreviations) for the commands' Args. Adds no
// options itself. kInvalidArgument with the parser's message on any error.
Status ParseArgs(const Args& args, const po::options_description& desc,
                 const po::positional_options_description* positional, po::variables_map& vm);

// Prints "usage: candor <synopsis>\n\n<desc>" to ctx.out.
void PrintCommandHelp(Context& ctx, std::string_view synopsis, const po::options_description& desc);

// Strict unsigned decimal for a numeric option: digits only, no sign, no
// leading zero (except "0"), at most 2^64-1. Boost's lexical_cast would
// accept "-1" as 2^64-1, so numbers are taken as strings and parsed here.
// kInvalidArgument "--<name>: ..." otherwise.
Result<uint64_t> ParseU64Option(std::string_view name, std::string_view text);

// The option's value parsed with ParseU64Option, or `fallback` if absent.
Result<uint64_t> GetU64(const po::variables_map& vm, std::string_view name, uint64_t fallback);

// Requires that option `name` was given: kInvalidArgument "missing --name".
Status Require(const po::variables_map& vm, std::string_view name);

}  // namespace candor::cli

// Returns a usage-error Outcome from the enclosing command if `expr` (a
// Status) is not OK. For ParseArgs and Require.
#define CANDOR_CLI_USAGE_IF_ERROR(expr)                                  \
  do {                                                                   \
    ::candor::Status candor_usage_status_ = (expr);                      \
    if (!candor_usage_status_.ok()) {                                    \
      return ::candor::cli::UsageError(std::move(candor_usage_status_)); \
    }                                                                    \
  } while (0)

#endif  // CANDOR_CLI_OPTIONS_H_
