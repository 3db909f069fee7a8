// The state file: canonical round trip, strict parsing, atomic commits.
#include "candor/agent/state.h"

#include <doctest/doctest.h>

#include "agent_fixture.h"
#include "candor/checkpoint.h"
#include "candor/sha256.h"

namespace candor::agent {
namespace {

DeviceState Sample(const testing::World& w) {
  DeviceState s;
  s.checkpoints[testing::kOrigin] =
      SeenCheckpoint{testing::kOrigin, 1, w.tree.Root(1), w.GoodCheckpoint(1), testing::kNow - 60};
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
// `body` with its first `from` replaced by `to`, resealed.
std::string Edited(std::string body, const std::string& from, const std::string& to) {
  size_t at = body.find(from);
  REQUIRE(at != std::string::npos);
  body.replace(at, from.size(), to);
  return Seal(body);
}

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
  CHECK(FormatState(empty).starts_with("candor-agent-state v2\nchecksum "));
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
      {"unknown header", "state v2", "state v4"},
      {"quorum time not canonical", "checkpoint-quorum-time 1", "checkpoint-quorum-time 01"},
      {"quorum time above 2^64-1", "checkpoint-quorum-time 1789999940",
       "checkpoint-quorum-time 18446744073709551616"},
      {"rollback above 2^64-1", "rollback 17\n", "rollback 18446744073709551616\n"},
      {"rollback with 21 digits", "rollback 17\n", "rollback 100000000000000000000\n"},
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
    CHECK(ParseState(Edited(body, c.from, c.to)).status().code() == Code::kMalformed);
  }
}

TEST_CASE("state: rollback counters and sizes over the full u64 range round-trip") {
  // One range everywhere: whatever a manifest may carry (u64), the state must
  // store and read back, or the device bricks itself on its next install.
  testing::World w;
  w.Append(w.MakeRelease("2.3.1", 17).entry);
  for (uint64_t v : {uint64_t{0}, uint64_t{INT64_MAX}, uint64_t{INT64_MAX} + 1, UINT64_MAX}) {
    CAPTURE(v);
    DeviceState s = Sample(w);
    s.products["printer-x1"].rollback = v;
    s.products["printer-x1"].image_size = v;
    s.products["printer-x1"].installed_at = v;
    s.checkpoints.begin()->second.quorum_time = v;
    const std::string text = FormatState(s);
    CHECK(text.find("rollback " + std::to_string(v) + "\n") != std::string::npos);
    auto back = ParseState(text);
    REQUIRE_MESSAGE(back.ok(), back.status().ToString());
    CHECK(*back == s);
    CHECK(back->RollbackFor("printer-x1") == v);
  }
}

TEST_CASE("state: one last-seen checkpoint per log, in ascending order of origin") {
  testing::World w;
  w.Append(w.MakeRelease("2.3.1", 17).entry);
  DeviceState s = Sample(w);
  // A second log (its note is only parsed here, not verified).
  const std::string other_origin = "a-first.example/log";
  std::string body = FormatCheckpointBody(Checkpoint{other_origin, 5, w.tree.Root(1), {}});
  testing::Keys other = testing::MakeKey(other_origin);
  s.checkpoints[other_origin] = SeenCheckpoint{other_origin, 5, w.tree.Root(1),
                                               testing::World::SignBody(body, other), std::nullopt};
  const std::string text = FormatState(s);
  CHECK(text.find("checkpoint-origin a-first.example/log\n") <
        text.find("checkpoint-origin log.candor.example/firmware\n"));
  auto back = ParseState(text);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(*back == s);
  CHECK(back->checkpoints.size() == 2);

  // Swapped blocks (descending) are refused, as is one origin twice.
  std::string body_text = Unseal(text);
  const size_t a = body_text.find("checkpoint-origin a-first");
  const size_t b = body_text.find("checkpoint-origin log.candor");
  const size_t p = body_text.find("product ");
  std::string first = body_text.substr(a, b - a), second = body_text.substr(b, p - b);
  std::string swapped = body_text.substr(0, a) + second + first + body_text.substr(p);
  CHECK(ParseState(Seal(swapped)).status().code() == Code::kMalformed);
  std::string twice = body_text.substr(0, a) + second + second + body_text.substr(p);
  CHECK(ParseState(Seal(twice)).status().code() == Code::kMalformed);
}

TEST_CASE("state: a v1 file is read, its counters kept, and rewritten as v2") {
  testing::World w;
  w.Append(w.MakeRelease("2.3.1", 17).entry);
  DeviceState s = Sample(w);
  s.checkpoints.begin()->second.quorum_time.reset();  // v1 had no quorum time
  s.products["printer-x1"].rollback = uint64_t{1} << 63;
  std::string v1 = Unseal(FormatState(s));
  REQUIRE(v1.starts_with("candor-agent-state v2\n"));
  v1.replace(0, 21, "candor-agent-state v1");
  auto back = ParseState(Seal(v1));
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(*back == s);
  CHECK(back->RollbackFor("printer-x1") == uint64_t{1} << 63);
  CHECK(FormatState(*back).starts_with("candor-agent-state v2\n"));

  // v1 never had a quorum time line nor a second checkpoint.
  std::string with_time = Unseal(FormatState(Sample(w)));
  with_time.replace(0, 21, "candor-agent-state v1");
  CHECK(ParseState(Seal(with_time)).status().code() == Code::kMalformed);
}

TEST_CASE("state: v3 holds the trust root, written only when there is one") {
  testing::World w;
  w.Append(w.MakeRelease("2.3.1", 17).entry);
  testing::Keys key = testing::MakeKey("root-a.example");
  const std::string root = testing::World::SignRoot(w.Root(1, {&key}, 1), {&key});
  DeviceState s = Sample(w);
  s.trust_root = root;
  const std::string text = FormatState(s);
  CHECK(text.starts_with("candor-agent-state v3\ntrust-root " + Base64Encode(AsBytes(root)) +
                         "\ncheckpoint-origin "));
  auto back = ParseState(text);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(*back == s);
  CHECK(FormatState(*back) == text);
  // Without a root the file stays v2, which agents before v3 read.
  s.trust_root.clear();
  CHECK(FormatState(s).starts_with("candor-agent-state v2\ncheckpoint-origin "));

  const std::string v3 = Unseal(text);
  const std::string root_line = "trust-root " + Base64Encode(AsBytes(root)) + "\n";
  struct Case {
    const char* name;
    std::string from, to;
  } cases[] = {
      {"v3 without its trust-root line", root_line, ""},
      {"a trust-root line in v2", "state v3", "state v2"},
      {"a trust root that does not parse", root_line,
       "trust-root " + Base64Encode(AsBytes(root.substr(0, root.size() / 2))) + "\n"},
      {"a release entry as the trust root", root_line,
       "trust-root " + Base64Encode(w.entries[0]) + "\n"},
      {"an empty trust-root", root_line, "trust-root \n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CHECK(ParseState(Edited(v3, c.from, c.to)).status().code() == Code::kMalformed);
  }
  // The trust-root line after the checkpoints (its fixed place is first).
  std::string moved = v3;
  moved.erase(moved.find(root_line), root_line.size());
  CHECK(ParseState(Edited(moved, "product ", root_line + "product ")).status().code() ==
        Code::kMalformed);
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
