// Agent configuration parsing (config.h).
#include "candor/agent/config.h"

#include <doctest/doctest.h>

namespace candor::agent {
namespace {

TEST_CASE("config: a complete file") {
  auto c = ParseAgentConfig(
      "# candor-agent\n"
      "\n"
      "policy /etc/candor/policy\n"
      "product\tprinter-x1\n"
      "  state-dir   /var/lib/candor-agent  \n"
      "flash-command /usr/sbin/fw-update --slot b\n");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->policy_path == "/etc/candor/policy");
  CHECK(c->product == "printer-x1");
  CHECK(c->state_dir == "/var/lib/candor-agent");
  CHECK(c->flash_command == std::vector<std::string>{"/usr/sbin/fw-update", "--slot", "b"});
  CHECK(c->flash_target.empty());
  CHECK(CheckComplete(*c, true).ok());
}

TEST_CASE("config: refusals") {
  const char* bad[] = {
      "policy relative/path\n",
      "policy /a /b\n",
      "policy\n",
      "policy /a\npolicy /b\n",
      "product a b\n",
      "colour blue\n",
      "flash-command fw-update\n",
      "flash-command /bin/a\nflash-target /dev/b\n",
      "flash-target /dev/b\nflash-target /dev/c\n",
      "product x1",      // no final newline
      "product x1\r\n",  // control character
      "state-dir /var/\x01x\n",
  };
  for (const char* text : bad) {
    CAPTURE(text);
    CHECK(ParseAgentConfig(text).status().code() == Code::kMalformed);
  }
}

TEST_CASE("config: CheckComplete names what is missing") {
  AgentConfig c;
  CHECK(CheckComplete(c, false).message() == "no policy configured (nor a trust-root)");
  c.policy_path = "/p";
  CHECK(CheckComplete(c, false).message() == "no product configured");
  c.product = "x";
  CHECK(CheckComplete(c, false).message() == "no state-dir configured");
  c.state_dir = "/s";
  CHECK(CheckComplete(c, false).ok());
  CHECK(CheckComplete(c, true).code() == Code::kInvalidArgument);
  c.flash_target = "/dev/x";
  CHECK(CheckComplete(c, true).ok());
  c.flash_command = {"/bin/true"};
  CHECK(CheckComplete(c, true).code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace candor::agent
