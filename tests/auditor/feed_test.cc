// Unit tests of `candor audit watch` event output (auditor/src/feed.cc):
// webhook/stdout JSON events stay valid JSON whatever the release fields hold
// (strings go through candor/json_string.h).
#include "candor/audit/feed.h"

#include <doctest/doctest.h>

#include "cli/json_parse.h"

namespace candor::audit {
namespace {

using clitest::Json;
using clitest::JsonParser;

TEST_CASE("EventJson: exact output and valid JSON for awkward field values") {
  FeedEvent e;
  e.type = "flag";
  e.flag = "restrictive-change";
  e.log_index = 42;
  e.vendor = "acme\xff";
  e.product = "printer\"x1\\";
  e.version = "1.0\b\f";
  e.title = "t\r\n\t\x01\x7f";
  e.summary = "Déjà \xed\xa0\x80 \xf0\x9f\x96\xa8";
  const std::string want =
      "{\"type\":\"flag\",\"flag\":\"restrictive-change\",\"log\":\"log.example/x\","
      "\"log_index\":42,\"vendor\":\"acme\xef\xbf\xbd\",\"product\":\"printer\\\"x1\\\\\","
      "\"version\":\"1.0\\b\\f\",\"title\":\"t\\r\\n\\t\\u0001\\u007f\","
      "\"summary\":\"Déjà \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x96\xa8\"}";
  std::string got = EventJson(e, "log.example/x");
  CHECK(got == want);
  auto parsed = JsonParser::Parse(got);
  REQUIRE_MESSAGE(parsed.has_value(), got);
  CHECK(parsed->Get("product")->text == "printer\"x1\\");
  CHECK(parsed->Get("version")->text == "1.0\b\f");
  CHECK(parsed->Get("title")->text == "t\r\n\t\x01\x7f");

  e.type = "release";
  e.flag.clear();
  auto release = JsonParser::Parse(EventJson(e, "o"));
  REQUIRE(release.has_value());
  CHECK(release->Get("flag") == nullptr);
  CHECK(release->Get("type")->text == "release");
}

}  // namespace
}  // namespace candor::audit
