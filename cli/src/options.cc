#include "options.h"

#include <ostream>

#include <fmt/format.h>

namespace candor::cli {

Status ParseArgs(const Args& args, const po::options_description& desc,
                 const po::positional_options_description* positional, po::variables_map& vm) {
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    if (positional != nullptr) parser.positional(*positional);
    // No abbreviations or guessing: an option is spelled in full.
    parser.style(po::command_line_style::unix_style & ~po::command_line_style::allow_guessing);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Status::InvalidArgument(e.what());
  }
  return Status::Ok();
}

void PrintCommandHelp(Context& ctx, std::string_view synopsis,
                      const po::options_description& desc) {
  ctx.out << "usage: candor " << synopsis << "\n\n" << desc << "\n";
}

Status Require(const po::variables_map& vm, std::string_view name) {
  if (vm.count(std::string(name)) == 0) {
    return Status::InvalidArgument(fmt::format("missing --{}", name));
  }
  return Status::Ok();
}

}  // namespace candor::cli
