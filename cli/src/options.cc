#include "options.h"

#include <cstdint>
#include <ostream>

#include <fmt/format.h>

#include "candor/bytes.h"
#include "candor/options.h"

namespace candor::cli {

Status ParseArgs(const Args& args, const po::options_description& desc,
                 const po::positional_options_description* positional, po::variables_map& vm) {
  return ParseOptions(args, desc, positional, vm);
}

void PrintCommandHelp(Context& ctx, std::string_view synopsis,
                      const po::options_description& desc) {
  ctx.out << "usage: candor " << synopsis << "\n\n" << desc << "\n";
}

Result<uint64_t> ParseU64Option(std::string_view name, std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        fmt::format("--{}: '{}' is not an unsigned decimal number", name, text));
  };
  // The one canonical u64 codec (candor/bytes.h), so the CLI accepts exactly
  // the range manifests, the log and the agent's state accept.
  if (text.size() <= 20 && !text.empty() &&
      text.find_first_not_of("0123456789") == std::string_view::npos &&
      !(text.size() > 1 && text[0] == '0')) {
    Result<uint64_t> v = ParseDecimalU64Full(text);
    if (!v.ok()) return Status::InvalidArgument(fmt::format("--{}: {} is too large", name, text));
    return *v;
  }
  return bad();
}

Result<uint64_t> GetU64(const po::variables_map& vm, std::string_view name, uint64_t fallback) {
  std::string key(name);
  if (vm.count(key) == 0) return fallback;
  return ParseU64Option(name, vm[key].as<std::string>());
}

Status Require(const po::variables_map& vm, std::string_view name) {
  if (vm.count(std::string(name)) == 0) {
    return Status::InvalidArgument(fmt::format("missing --{}", name));
  }
  return Status::Ok();
}

}  // namespace candor::cli
