// The state file: canonical round trip, strict parsing, atomic commits.
#include "candor/agent/state.h"

#include <doctest/doctest.h>

#include "agent_fixture.h"
#include "candor/sha256.h"

namespace candor::agent {
namespace {

DeviceState Sample(const testing::World& w) {
  DeviceState s;
  s.checkpoint = SeenCheckpoint{testing::kOrigin, 1, w.tree.Root(1), w.GoodCheckpoint(1)};
  InstalledRelease a;
  a.rollback = 17;
  a.version = "2.3.1";
  a.log_index = 0;
  a.leaf_hash = w.tree.leaves[0];
  a.image_sha256[5] = 9;
  a.image_size = 123456;
  a.installed_at = testing::kNow;
  a.entry = w.entries[0];
  s.products["printer-x1"] = a;
  a.rollback = 3;
  a.version = "0.1";
  s.products["printer-x2"] = a;
  return s;
}

// Re-seals a hand-edited body with a valid checksum, to test the field rules
// behind the checksum.
std::string Seal(std::string body) {
  return body + "checksum " + HexEncode(Sha256Digest(body)) + "\n";
}
std::string Unseal(const std::string& text) { return text.substr(0, text.rfind("checksum ")); }

TEST_CASE("state: canonical round trip") {
  testing::World w;
  w.Append(w.MakeRelease("2.3.1", 17).entry);
  DeviceState s = Sample(w);
  std::string text = FormatState(s);
  auto back = ParseState(text);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(*back == s);
  CHECK(FormatState(*back) == text);
  CHECK(back->RollbackFor("printer-x1") == 17);
  CHECK(back->RollbackFor("printer-x3") == 0);

  DeviceState empty;
  CHECK(FormatState(empty).starts_with("candor-agent-state v1\nchecksum "));
  CHECK(*ParseState(FormatState(empty)) == empty);
}

TEST_CASE("state: every truncation and every bit flip is refused") {
  testing::World w;
  w.Append(w.MakeRelease("2.3.1", 17).entry);
  std::string text = FormatState(Sample(w));
  for (size_t n = 0; n < text.size(); ++n) {
    CAPTURE(n);
    CHECK(ParseState(text.substr(0, n)).status().code() == Code::kMalformed);
  }
  for (size_t i = 0; i < text.size(); i += 7) {
    std::string t = text;
    t[i] ^= 0x04;
    CAPTURE(i);
    CHECK_FALSE(ParseState(t).ok());
  }
  CHECK_FALSE(ParseState(text + "\n").ok());
  CHECK_FALSE(ParseState(text + text).ok());
}

TEST_CASE("state: field rules behind the checksum") {
  testing::World w;
  w.Append(w.MakeRelease("2.3.1", 17).entry);
  const std::string body = Unseal(FormatState(Sample(w)));
  REQUIRE(ParseState(Seal(body)).ok());
  struct Case {
    const char* name;
    std::string from, to;
  } cases[] = {
      {"unknown header", "state v1", "state v2"},
      {"non-canonical number", "rollback 17\n", "rollback 017\n"},
      {"negative number", "rollback 17\n", "rollback -17\n"},
      {"unknown field", "version 2.3.1\n", "version 2.3.1\ncolour blue\n"},
      {"missing field", "log-index 0\n", ""},
      {"field out of order", "rollback 17\nversion 2.3.1\n", "version 2.3.1\nrollback 17\n"},
      {"products out of order", "product printer-x1\n", "product printer-x9\n"},
      {"empty value", "version 2.3.1\n", "version \n"},
      {"bad hex digest", "image-sha256 0000000000", "image-sha256 000000000G"},
      {"bad base64", "entry ", "entry !"},
      {"checkpoint summary disagrees with its note", "checkpoint-size 1\n", "checkpoint-size 2\n"},
      {"tab in value", "version 2.3.1\n", "version 2.3\t1\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::string t = body;
    size_t at = t.find(c.from);
    REQUIRE(at != std::string::npos);
    t.replace(at, c.from.size(), c.to);
    auto got = ParseState(Seal(t));
    CHECK(got.status().code() == Code::kMalformed);
  }
}

TEST_CASE("state: LoadState / CommitState") {
  testing::World w;
  w.Append(w.MakeRelease("2.3.1", 17).entry);
  testing::Device d(w);
  REQUIRE(::mkdir(d.state_dir.c_str(), 0700) == 0);
  auto none = LoadState(d.state_dir);
  REQUIRE(none.ok());
  CHECK(*none == DeviceState{});
  DeviceState s = Sample(w);
  REQUIRE(CommitState(d.state_dir, s).ok());
  CHECK(*LoadState(d.state_dir) == s);
  CHECK(testing::ReadFileOr(d.state_dir + "/state.tmp") == "<absent>");
  testing::WriteFile(d.state_dir + "/state", "garbage\n");
  CHECK(LoadState(d.state_dir).status().code() == Code::kMalformed);
  CHECK(CommitState("/nonexistent/dir", s).code() == Code::kIo);
}

}  // namespace
}  // namespace candor::agent
