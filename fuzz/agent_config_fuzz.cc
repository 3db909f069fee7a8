// The device agent's configuration file (candor/agent/config.h
// ParseAgentConfig).
// Properties: paths that parsed are absolute; at most one flash backend.
#include <cstddef>
#include <cstdint>

#include "candor/agent/config.h"
#include "fuzz_util.h"

using namespace candor;
using namespace candor::agent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto config = ParseAgentConfig(fuzz::AsText(data, size));
  if (!config.ok()) return 0;
  for (const std::string* path :
       {&config->policy_path, &config->state_dir, &config->flash_target}) {
    CANDOR_FUZZ_CHECK(path->empty() || (*path)[0] == '/');
  }
  CANDOR_FUZZ_CHECK(config->flash_command.empty() || config->flash_target.empty());
  (void)CheckComplete(*config, true);
  return 0;
}
