#include "candor/options.h"

#include <ostream>

namespace candor {

namespace po = boost::program_options;

Status ParseOptions(const std::vector<std::string>& args, const po::options_description& desc,
                    const po::positional_options_description* positional, po::variables_map& vm) {
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    if (positional != nullptr) parser.positional(*positional);
    // No abbreviations or guessing: "--dat" must not silently mean
    // "--data-dir" today and become ambiguous when an option is added.
    parser.style(po::command_line_style::unix_style & ~po::command_line_style::allow_guessing);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Status::InvalidArgument(e.what());
  }
  return Status::Ok();
}

void AddCaFileOption(po::options_description& desc, std::string* path) {
  desc.add_options()("ca-file", po::value(path),
                     "PEM file of extra CA certificates for https:// servers (a private CA), "
                     "trusted in addition to the system store");
}

int ReportUsageError(std::ostream& err, std::string_view message, std::string_view usage) {
  err << kUsageErrorPrefix << ": " << message << "\n" << usage;
  err.flush();
  return kExitUsage;
}

}  // namespace candor
