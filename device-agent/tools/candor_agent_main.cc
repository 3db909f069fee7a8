// candor-agent: the device agent binary. All logic is in candor_agent
// (candor/agent/cli.h) so that tests can drive it in-process too.
#include <cstdio>
#include <string>
#include <vector>

#include "candor/agent/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  int rc = candor::agent::RunAgentCli(args, stdout, stderr);
  std::fflush(stdout);
  return rc;
}
