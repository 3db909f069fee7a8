// Unit tests of the CLI's JSON writer (cli/src/json.h), checked with the
// strict test parser. Its strings go through candor::AppendJsonString (tested
// in detail in tests/libverify/json_string_test.cc); the cases below check
// that the CLI's parser accepts its output.
#include "json.h"

#include <doctest/doctest.h>

#include <cmath>

#include "cli/json_parse.h"

namespace candor::cli {
namespace {

using clitest::Json;
using clitest::JsonParser;

TEST_CASE("AppendJsonString escapes per RFC 8259 and keeps the output valid UTF-8") {
  struct Case {
    std::string in;
    std::string want;  // the literal, with quotes
  };
  const Case cases[] = {
      {"", "\"\""},
      {"plain", "\"plain\""},
      {"a\"b\\c", "\"a\\\"b\\\\c\""},
      {"l1\nl2\r\t\b\f", "\"l1\\nl2\\r\\t\\b\\f\""},
      {std::string("nul\0x", 5), "\"nul\\u0000x\""},
      {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
      {"Déjà ∑ ✓ \xf0\x9f\x96\xa8", "\"Déjà ∑ ✓ \xf0\x9f\x96\xa8\""},
      {"bad \xff byte", "\"bad \xef\xbf\xbd byte\""},
      {"overlong \xc0\xaf", "\"overlong \xef\xbf\xbd\xef\xbf\xbd\""},
      {"surrogate \xed\xa0\x80", "\"surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
      {"truncated \xe2\x88", "\"truncated \xef\xbf\xbd\xef\xbf\xbd\""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    std::string out;
    AppendJsonString(out, c.in);
    CHECK(out == c.want);
    auto parsed = JsonParser::Parse(out);
    REQUIRE(parsed.has_value());
    CHECK(parsed->type == Json::kString);
  }
}

TEST_CASE("JsonWriter produces documents the strict parser accepts") {
  JsonWriter w;
  w.BeginObject();
  w.Key("name");
  w.String("x\"y");
  w.Key("n");
  w.Uint(18446744073709551615u);
  w.Key("empty_list");
  w.BeginArray();
  w.EndArray();
  w.Key("empty_object");
  w.BeginObject();
  w.EndObject();
  w.Key("list");
  w.BeginArray();
  w.Bool(true);
  w.Null();
  w.BeginObject();
  w.Key("k");
  w.Bool(false);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  std::string doc = w.Finish();
  CHECK(doc.back() == '\n');
  auto parsed = JsonParser::Parse(doc);
  REQUIRE_MESSAGE(parsed.has_value(), doc);
  CHECK(parsed->Get("name")->text == "x\"y");
  CHECK(parsed->Get("n")->text == "18446744073709551615");
  CHECK(parsed->Get("empty_list")->items.empty());
  CHECK(parsed->Get("empty_object")->type == Json::kObject);
  const Json* list = parsed->Get("list");
  REQUIRE(list->items.size() == 3);
  CHECK(list->items[0].boolean);
  CHECK(list->items[1].type == Json::kNull);
  CHECK(list->items[2].Get("k")->type == Json::kBool);
}

TEST_CASE("the test parser itself rejects invalid JSON") {
  for (const char* bad : {"", "{", "{\"a\":1,}", "[1 2]", "\"\\x\"", "01", "{\"a\" 1}",
                          "\"unterminated", "[1] x", "\"\x01\""}) {
    CAPTURE(bad);
    CHECK(!JsonParser::Parse(bad).has_value());
  }
}

// The compact style (`candor audit`) writes the same document on one line:
// the strict parser reads both alike.
TEST_CASE("JsonWriter compact style: one line, same document; Fixed numbers") {
  auto write = [](JsonWriter::Style style) {
    JsonWriter w(style);
    w.BeginObject();
    w.Key("a");
    w.BeginArray();
    w.Uint(1);
    w.String("x y");
    w.EndArray();
    w.Key("seconds");
    w.Fixed(1.23456, 3);
    w.Key("rate");
    w.Fixed(41.6, 0);
    w.Key("nan");
    w.Fixed(std::nan(""), 2);
    w.EndObject();
    return w.Finish();
  };
  const std::string compact = write(JsonWriter::Style::kCompact);
  CHECK(compact == "{\"a\":[1,\"x y\"],\"seconds\":1.235,\"rate\":42,\"nan\":null}\n");
  auto c = JsonParser::Parse(compact);
  auto p = JsonParser::Parse(write(JsonWriter::Style::kPretty));
  REQUIRE(c.has_value());
  REQUIRE(p.has_value());
  CHECK(p->Get("seconds")->text == "1.235");
  CHECK(p->Get("rate")->text == "42");
  CHECK(p->Get("nan")->type == Json::kNull);
  CHECK(p->Get("a")->items.size() == 2);
}

}  // namespace
}  // namespace candor::cli
