// `candor bundle refresh` (cli/src/bundle_refresh.h) against a real log: a
// candor-log cosigned by a candor-witness on 127.0.0.1, grown after a release,
// read (a) as its data directory and (b) through a plain static file server
// (Debian's python3 -m http.server) serving a copy of its tiles. The real
// candor-agent must accept the refreshed bundle from a device state at the
// old checkpoint (with the companion consistency file) and refuse the stale
// one. Each bad input (older checkpoint, another origin, a fork of the log,
// a tampered or missing tile, an untrusted checkpoint, an existing --out) is
// one clear error with nothing written. Also the tile cache and the progress
// line the command uses.
#include <doctest/doctest.h>

#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>

#include "bundle_refresh.h"
#include "candor/audit/evidence.h"
#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/layout.h"
#include "candor/merkle.h"
#include "candor/signer.h"
#include "candor/status.h"
#include "cli/cli_test_util.h"
#include "cli/json_parse.h"
#include "files.h"
#include "support/subprocess.h"

#if defined(CANDOR_LOG_BINARY) && defined(CANDOR_WITNESS_BINARY) && defined(CANDOR_AGENT_BINARY)

namespace candor {
namespace {

namespace stdfs = std::filesystem;
using clitest::Candor;
using clitest::Contains;
using clitest::FirstLine;
using clitest::ReadFile;
using clitest::Run;
using clitest::TempDir;
using clitest::Trim;
using clitest::WriteFile;
using testing::Subprocess;

const std::string kLog = CANDOR_LOG_BINARY;
const std::string kWitness = CANDOR_WITNESS_BINARY;
const std::string kAgent = CANDOR_AGENT_BINARY;
const std::string kPython = "/usr/bin/python3";
const std::string kOrigin = "log.example/firmware";

// Starts `argv` + `port_args(port)` on a free port until `probe` answers.
std::unique_ptr<Subprocess> Serve(const std::vector<std::string>& argv,
                                  const std::function<std::vector<std::string>(int)>& port_args,
                                  const std::string& out, const std::string& probe, int* port) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    *port = testing::PickFreePort();
    REQUIRE(*port > 0);
    auto args = argv;
    for (const std::string& a : port_args(*port)) args.push_back(a);
    auto p = std::make_unique<Subprocess>(args, out);
    REQUIRE(p->Start());
    if (testing::WaitForHttp(*port, probe, std::chrono::milliseconds(5000))) return p;
    p->Stop();
  }
  return nullptr;
}

std::vector<std::string> ListenOn(int port) {
  return {"--listen", "127.0.0.1:" + std::to_string(port)};
}

// A static copy of what a CDN would hold: checkpoint and tiles only.
void CopyTiles(const std::string& log_dir, const std::string& to) {
  stdfs::create_directories(to);
  stdfs::copy_file(log_dir + "/checkpoint", to + "/checkpoint");
  stdfs::copy(log_dir + "/tile", to + "/tile", stdfs::copy_options::recursive);
}

// The level-0 tile of the tree of 5 leaves (the log also keeps the older,
// narrower partial tiles, which no reader of size 5 asks for).
std::string LevelZeroTile(const std::string& dir) {
  return dir + "/" + TilePath(TileId{.level = 0, .index = 0, .width = 5});
}

uint64_t Now() { return static_cast<uint64_t>(std::time(nullptr)); }

TEST_CASE("bundle refresh: from tiles alone, accepted by the device; bad input refused") {
  TempDir dir;
  auto run = [&](const std::vector<std::string>& args) {
    return clitest::RunProcess(args, dir.path());
  };

  // The log, a witness, and a vendor registered with the log.
  Run init = run({kLog, "init", "--dir", dir / "log", "--origin", kOrigin});
  REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  const std::string log_vkey = Trim(ReadFile(dir / "log/log.pub"));
  Run w = run({kWitness, "init", "--dir", dir / "witness", "--name", "witness.example/w1"});
  REQUIRE_MESSAGE(w.exit_code == 0, w.err);
  const std::string witness_vkey = FirstLine(w.out);
  REQUIRE(run({kWitness, "logs", "add", "--dir", dir / "witness", "--origin", kOrigin, "--key",
               log_vkey})
              .exit_code == 0);
  int witness_port = 0;
  auto witness = Serve({kWitness, "serve", "--dir", dir / "witness"}, ListenOn, dir / "witness.out",
                       "/", &witness_port);
  REQUIRE_MESSAGE(witness != nullptr, ReadFile(dir / "witness.out"));
  Run keygen = Candor(dir, {"keygen", "--name", "acme.example", "--out", dir / "vendor"});
  REQUIRE_MESSAGE(keygen.exit_code == 0, keygen.err);
  const std::string vendor_vkey = Trim(keygen.out);
  REQUIRE(run({kLog, "vendors", "add", "--dir", dir / "log", dir / "vendor.pub"}).exit_code == 0);
  // The same log before its first entry: the seed of a fork (same key, same
  // origin) that diverges below.
  stdfs::copy(dir / "log", dir / "fork", stdfs::copy_options::recursive);

  WriteFile(dir / "log.policy", "log " + log_vkey + "\nwitness w1 " + witness_vkey +
                                    " http://127.0.0.1:" + std::to_string(witness_port) +
                                    "\nquorum w1\n");
  int log_port = 0;
  auto log = Serve({kLog, "serve", "--dir", dir / "log", "--policy", dir / "log.policy",
                    "--checkpoint-interval", "0.2"},
                   ListenOn, dir / "log.out", "/checkpoint", &log_port);
  REQUIRE_MESSAGE(log != nullptr, ReadFile(dir / "log.out"));
  const std::string url = "http://127.0.0.1:" + std::to_string(log_port);

  // The device's policy: witnessed, at most an hour old.
  const std::string vendor_line = "vendor " + vendor_vkey + " printer-x\n";
  WriteFile(dir / "trust.policy", "log " + log_vkey + "\nwitness w1 " + witness_vkey +
                                      "\nquorum w1\nmax-checkpoint-age 3600\n" + vendor_line);

  auto publish = [&](const std::string& version, const std::string& log_url,
                     const std::string& policy) {
    clitest::WriteImage(dir / ("fw-" + version + ".bin"), 4096, std::stoi(version.substr(0, 1)));
    WriteFile(dir / "CHANGELOG.md", "# " + version + "\n");
    Run c = Candor(dir, {"release", "create", "--key", dir / "vendor.key", "--product", "printer-x",
                         "--version", version, "--rollback", version.substr(0, 1), "--image",
                         dir / ("fw-" + version + ".bin"), "--changelog", dir / "CHANGELOG.md",
                         "--out", dir / (version + ".entry"), "--force"});
    REQUIRE_MESSAGE(c.exit_code == 0, c.err);
    Run p =
        Candor(dir, {"publish", "--log", log_url, "--policy", policy, dir / (version + ".entry"),
                     "--out", dir / (version + ".bundle"), "--timeout", "60", "--force"});
    REQUIRE_MESSAGE(p.exit_code == 0, p.err);
  };

  // Release 1, then a snapshot of the log's tiles at that size, then growth.
  publish("1.0.0", url, dir / "trust.policy");
  CopyTiles(dir / "log", dir / "snapshot-1");
  for (const std::string v : {"2.0.0", "3.0.0", "4.0.0", "5.0.0"}) {
    publish(v, url, dir / "trust.policy");
  }

  // The device's bundle of release 1, as a device offline for two days holds
  // it: the same checkpoint, cosigned two days ago (re-cosigned here with the
  // witness's key so that the test needs no clock but the real one).
  const uint64_t then = Now() - 2 * 86400;
  {
    auto bundle = ParseBundle(ReadFile(dir / "1.0.0.bundle"));
    REQUIRE(bundle.ok());
    auto cp = ParseSignedCheckpointUnverified(bundle->checkpoint_note);
    REQUIRE(cp.ok());
    std::string note = cp->body + "\n";
    for (const NoteSignature& sig : cp->signatures) {
      if (sig.name == kOrigin) note += FormatSignatureLine(sig);
    }
    auto wkey = ParseSignerKey(Trim(ReadFile(dir / "witness/witness.key")));
    REQUIRE(wkey.ok());
    auto cosig = Cosign(*wkey, cp->body, then);
    REQUIRE(cosig.ok());
    note += FormatSignatureLine(*cosig);
    bundle->checkpoint_note = note;
    WriteFile(dir / "old.bundle", FormatBundle(*bundle));
  }

  // The device installed release 1 back then: its last seen tree is size 1.
  WriteFile(dir / "slot", "");
  auto agent = [&](const std::string& cmd, const std::string& bundle, uint64_t now,
                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {kAgent,
                                     "--policy",
                                     dir / "trust.policy",
                                     "--product",
                                     "printer-x",
                                     "--state-dir",
                                     dir / "device",
                                     "--now",
                                     std::to_string(now),
                                     cmd,
                                     "--image",
                                     dir / "fw-1.0.0.bin",
                                     "--bundle",
                                     bundle};
    if (cmd == "install") args.insert(args.end(), {"--flash-target", dir / "slot"});
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  };
  Run installed = agent("install", dir / "old.bundle", then + 60);
  REQUIRE_MESSAGE(installed.exit_code == 0, installed.err);
  // Today the device refuses its own bundle: too old.
  Run stale = agent("verify", dir / "old.bundle", Now());
  CHECK(stale.exit_code == ExitCodeFor(Code::kPolicyUnsatisfied));
  CHECK(Contains(stale.err, "too old"));

  auto refresh = [&](const std::string& log_location, std::vector<std::string> extra) {
    std::vector<std::string> args = {"bundle",     "refresh",  "--log",
                                     log_location, "--policy", dir / "trust.policy"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Candor(dir, args);
  };
  const std::string old_entry = ReadFile(dir / "old.bundle");

  SUBCASE("from the log's directory and from a static file server") {
    // (a) The log's data directory.
    Run a = refresh(dir / "log", {dir / "old.bundle", "--out", dir / "a.bundle",
                                  "--consistency-out", dir / "a.bundle.consistency", "--json"});
    REQUIRE_MESSAGE(a.exit_code == 0, a.err);
    auto json = clitest::JsonParser::Parse(a.out);
    REQUIRE(json.has_value());
    auto field = [&](const char* key) {
      const clitest::Json* v = json->Get(key);
      REQUIRE_MESSAGE(v != nullptr, key);
      return v->text;
    };
    CHECK(field("in") == dir / "old.bundle");
    CHECK(field("out") == dir / "a.bundle");
    CHECK(field("index") == "0");
    CHECK(field("old_size") == "1");
    CHECK(field("new_size") == "5");
    CHECK(field("consistency") == dir / "a.bundle.consistency");
    auto fresh = ParseBundle(ReadFile(dir / "a.bundle"));
    auto before = ParseBundle(old_entry);
    REQUIRE(fresh.ok());
    REQUIRE(before.ok());
    CHECK(fresh->entry == before->entry);  // byte for byte
    CHECK(fresh->index == before->index);

    // Without --consistency-out the command says what devices will miss.
    Run n = refresh(dir / "log", {dir / "old.bundle", "--out", dir / "n.bundle"});
    CHECK_MESSAGE(n.exit_code == 0, n.err);
    CHECK(Contains(n.err, "need a consistency proof"));

    // The device accepts it today, with the companion (its default name).
    Run ok = agent("verify", dir / "a.bundle", Now());
    CHECK_MESSAGE(ok.exit_code == 0, ok.err);
    CHECK(FirstLine(ok.out).starts_with("verified: "));
    CHECK(Contains(ok.out, "size 5"));
    // Without the companion it cannot tell an extension from a branch.
    stdfs::copy_file(dir / "a.bundle", dir / "alone.bundle");
    Run alone = agent("verify", dir / "alone.bundle", Now());
    CHECK(alone.exit_code == ExitCodeFor(Code::kConsistencyRequired));

    // (b) A plain static file server holding a copy of the tiles.
    CopyTiles(dir / "log", dir / "static");
    int http_port = 0;
    auto server = Serve(
        {kPython, "-m", "http.server", "--directory", dir / "static"},
        [](int port) {
          return std::vector<std::string>{"--bind", "127.0.0.1", std::to_string(port)};
        },
        dir / "http.out", "/checkpoint", &http_port);
    REQUIRE_MESSAGE(server != nullptr, ReadFile(dir / "http.out"));
    Run b = refresh("http://127.0.0.1:" + std::to_string(http_port),
                    {dir / "old.bundle", "--out", dir / "b.bundle", "--consistency-out",
                     dir / "b.bundle.consistency", "--previous-bundle", dir / "3.0.0.bundle"});
    REQUIRE_MESSAGE(b.exit_code == 0, b.err);
    CHECK(Contains(b.out, "refreshed: "));
    CHECK(Contains(b.out, "consistency proofs from tree size(s) 1, 3 written to"));
    Run ok_b = agent("verify", dir / "b.bundle", Now());
    CHECK_MESSAGE(ok_b.exit_code == 0, ok_b.err);
  }

  SUBCASE("many bundles into a directory, one JSON object each") {
    Run r = refresh(dir / "log", {dir / "old.bundle", dir / "2.0.0.bundle", dir / "3.0.0.bundle",
                                  dir / "5.0.0.bundle", "--out-dir", dir / "out", "--json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.err.empty());  // no progress off a TTY
    size_t lines = 0;
    for (size_t at = 0; (at = r.out.find('\n', at)) != std::string::npos; ++at) ++lines;
    CHECK(lines == 4);
    CHECK(clitest::Exists(dir / "out/2.0.0.bundle"));
    CHECK(clitest::Exists(dir / "out/3.0.0.bundle.consistency"));
    // Already at the log's size: a fresh bundle, and no proof to carry.
    CHECK(clitest::Exists(dir / "out/5.0.0.bundle"));
    CHECK_FALSE(clitest::Exists(dir / "out/5.0.0.bundle.consistency"));
    CHECK(Contains(r.out, "\"new_size\":5,\"consistency\":null"));
    // The agent finds the companion by its default name.
    Run ok = agent("verify", dir / "out/old.bundle", Now());
    CHECK_MESSAGE(ok.exit_code == 0, ok.err);
    // Replaced with --force, a bundle that needs no proof loses a companion
    // left from an earlier run (the agent would read proofs for another
    // checkpoint by that default name).
    clitest::WriteFile(dir / "out/5.0.0.bundle.consistency",
                       clitest::ReadFile(dir / "out/3.0.0.bundle.consistency"));
    Run again = refresh(dir / "log", {dir / "5.0.0.bundle", "--out-dir", dir / "out", "--force"});
    REQUIRE_MESSAGE(again.exit_code == 0, again.err);
    CHECK_FALSE(clitest::Exists(dir / "out/5.0.0.bundle.consistency"));
    CHECK(clitest::Exists(dir / "out/5.0.0.bundle"));
  }

  SUBCASE("bad input: one clear error, nothing written") {
    // A fork: the log's pre-release copy, same key and origin, served
    // unwitnessed, takes another entry first.
    WriteFile(dir / "fork.policy", "log " + log_vkey + "\nquorum none\n" + vendor_line);
    {
      int fork_port = 0;
      auto fork = Serve({kLog, "serve", "--dir", dir / "fork", "--checkpoint-interval", "0.2"},
                        ListenOn, dir / "fork.out", "/checkpoint", &fork_port);
      REQUIRE_MESSAGE(fork != nullptr, ReadFile(dir / "fork.out"));
      publish("6.6.6", "http://127.0.0.1:" + std::to_string(fork_port), dir / "fork.policy");
      publish("7.0.0", "http://127.0.0.1:" + std::to_string(fork_port), dir / "fork.policy");
    }
    // A copy whose level-0 tile has one byte flipped, one missing it.
    CopyTiles(dir / "log", dir / "tampered");
    {
      const std::string tile = LevelZeroTile(dir / "tampered");
      std::string bytes = ReadFile(tile);
      bytes[40] = static_cast<char>(bytes[40] ^ 1);
      WriteFile(tile, bytes);
    }
    CopyTiles(dir / "log", dir / "missing");
    stdfs::remove(LevelZeroTile(dir / "missing"));
    // Checkpoints over the real tree signed by keys the policy does not
    // trust for it: an impostor of the origin, and another origin.
    auto body = ParseSignedCheckpointUnverified(ReadFile(dir / "log/checkpoint"));
    REQUIRE(body.ok());
    for (const std::string& origin : {kOrigin, std::string("other.example/log")}) {
      const std::string name = origin == kOrigin ? "impostor" : "other";
      auto key = GenerateKey(origin);
      REQUIRE(key.ok());
      Checkpoint cp = body->checkpoint;
      cp.origin = origin;
      const SignerKey* signers[] = {&key->first};
      auto note = SignNote(FormatCheckpointBody(cp), signers);
      REQUIRE(note.ok());
      CopyTiles(dir / "log", dir / name);
      WriteFile(dir / (name + "/checkpoint"), *note);
    }
    // A quorum the log's checkpoint does not meet.
    auto w2 = GenerateKey("witness.example/w2", kKeyTypeCosignatureV1);
    REQUIRE(w2.ok());
    WriteFile(dir / "two.policy", "log " + log_vkey + "\nwitness w1 " + witness_vkey +
                                      "\nwitness w2 " + FormatVerifierKey(w2->second) +
                                      "\ngroup both 2 w1 w2\nquorum both\n" + vendor_line);
    WriteFile(dir / "taken.bundle", "keep");

    struct Case {
      const char* name;
      std::string log;
      std::string policy;
      std::string bundle;
      std::string out;
      Code code;
      const char* says;
    } cases[] = {
        {"checkpoint older than the bundle's", dir / "snapshot-1", dir / "trust.policy",
         dir / "3.0.0.bundle", dir / "x.bundle", Code::kPolicyUnsatisfied, "older than the bundle"},
        {"another origin", dir / "other", dir / "trust.policy", dir / "old.bundle",
         dir / "x.bundle", Code::kMismatch, "serves log other.example/log"},
        {"a fork of the log", dir / "fork", dir / "fork.policy", dir / "old.bundle",
         dir / "x.bundle", Code::kInconsistent, "forked"},
        {"a tampered tile", dir / "tampered", dir / "trust.policy", dir / "old.bundle",
         dir / "x.bundle", Code::kMismatch, "do not hash to"},
        {"a missing tile", dir / "missing", dir / "trust.policy", dir / "old.bundle",
         dir / "x.bundle", Code::kNotFound, "tile"},
        {"checkpoint signed by another key", dir / "impostor", dir / "trust.policy",
         dir / "old.bundle", dir / "x.bundle", Code::kUntrustedKey, "checkpoint"},
        {"witness quorum unmet", dir / "log", dir / "two.policy", dir / "old.bundle",
         dir / "x.bundle", Code::kPolicyUnsatisfied, "quorum"},
        {"--out exists", dir / "log", dir / "trust.policy", dir / "old.bundle",
         dir / "taken.bundle", Code::kConflict, "already exists"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      Run r = Candor(dir, {"bundle", "refresh", "--log", c.log, "--policy", c.policy, c.bundle,
                           "--out", c.out, "--consistency-out", dir / "x.consistency"});
      CHECK(r.exit_code == ExitCodeFor(c.code));
      CHECK_MESSAGE(Contains(r.err, c.says), r.err);
      CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
      CHECK_FALSE(clitest::Exists(dir / "x.bundle"));
      CHECK_FALSE(clitest::Exists(dir / "x.consistency"));
    }
    CHECK(ReadFile(dir / "taken.bundle") == "keep");

    // The fork again, keeping the evidence: both signed checkpoints and the
    // proof the fork's tiles give, which does not verify.
    Run f = Candor(
        dir, {"bundle", "refresh", "--log", dir / "fork", "--policy", dir / "fork.policy",
              dir / "old.bundle", "--out", dir / "x.bundle", "--evidence-dir", dir / "evidence"});
    CHECK(f.exit_code == ExitCodeFor(Code::kInconsistent));
    CHECK_FALSE(clitest::Exists(dir / "x.bundle"));
    const std::string marker = "(evidence: ";
    const size_t at = f.err.find(marker);
    REQUIRE_MESSAGE(at != std::string::npos, f.err);
    const std::string path =
        f.err.substr(at + marker.size(), f.err.find(')', at) - at - marker.size());
    auto ev = audit::ParseEvidence(ReadFile(path));
    REQUIRE_MESSAGE(ev.ok(), ev.status().ToString());
    CHECK(ev->kind == "inconsistent");
    CHECK(ev->origin == kOrigin);
    CHECK(ev->checkpoint_a == ParseBundle(ReadFile(dir / "old.bundle"))->checkpoint_note);
    CHECK(ev->checkpoint_b == ReadFile(dir / "fork/checkpoint"));
    REQUIRE(ev->proof_from.has_value());
    CHECK(*ev->proof_from == 1);
    auto a = ParseSignedCheckpointUnverified(ev->checkpoint_a);
    auto b = ParseSignedCheckpointUnverified(ev->checkpoint_b);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK_FALSE(VerifyConsistency(a->checkpoint.size, b->checkpoint.size, ev->proof,
                                  a->checkpoint.root_hash, b->checkpoint.root_hash)
                    .ok());
  }

  log->Stop();
  witness->Stop();
}

}  // namespace
}  // namespace candor

#endif  // CANDOR_LOG_BINARY && CANDOR_WITNESS_BINARY && CANDOR_AGENT_BINARY

namespace candor::cli {
namespace {

using clitest::Contains;

TEST_CASE("bundle refresh: contradictory options are usage errors, before any work") {
  clitest::TempDir dir;
  const std::vector<std::string> base = {"bundle",      "refresh",  "--log",
                                         dir / "nolog", "--policy", dir / "nopolicy"};
  struct Case {
    const char* name;
    std::vector<std::string> args;
    const char* says;
  } cases[] = {
      {"no output", {"a.bundle"}, "give --out or --out-dir"},
      {"both outputs", {"a.bundle", "--out", "x", "--out-dir", "d"}, "give --out or --out-dir"},
      {"--out with two bundles", {"a.bundle", "b.bundle", "--out", "x"}, "--out takes one bundle"},
      {"--out-dir with --consistency-out",
       {"a.bundle", "--out-dir", "d", "--consistency-out", "c"},
       "--consistency-out is for --out"},
      {"--previous-bundle without a companion",
       {"a.bundle", "--out", "x", "--previous-bundle", "p"},
       "--previous-bundle needs --consistency-out"},
      {"no bundle", {"--out", "x"}, "missing OLD.bundle"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::vector<std::string> args = base;
    args.insert(args.end(), c.args.begin(), c.args.end());
    clitest::Run r = clitest::Candor(dir, args);
    CHECK(r.exit_code == kExitUsage);
    CHECK_MESSAGE(Contains(r.err, c.says), r.err);
  }
}

TEST_CASE("bundle refresh: the tile cache fetches each tile once, within its bound") {
  int calls = 0;
  TileFetcher inner = [&calls](const TileId& t) -> Result<Bytes> {
    ++calls;
    if (t.index == 99) return Status::NotFound("absent");
    return Bytes(32 * t.width, static_cast<uint8_t>(t.index));
  };
  TileFetcher cached = MakeCachingTileFetcher(inner, 2);
  struct Step {
    uint64_t index;
    int calls_after;
  } steps[] = {
      {1, 1},  {1, 1},   // kept
      {2, 2},  {2, 2},   // kept: two tiles fit
      {3, 3},            // the cache was full: emptied, then 3 kept
      {1, 4},            // 1 was dropped with the rest
      {99, 5}, {99, 6},  // errors are never kept
  };
  for (const Step& s : steps) {
    CAPTURE(s.index);
    Result<Bytes> got = cached(TileId{.level = 0, .index = s.index, .width = 4});
    CHECK(got.ok() == (s.index != 99));
    if (got.ok()) CHECK((*got)[0] == s.index);
    CHECK(calls == s.calls_after);
  }
}

TEST_CASE("progress counts bundles on an interactive stderr, and nothing otherwise") {
  struct Case {
    bool enabled;
    const char* shows;
  } cases[] = {{true, "refresh ["}, {false, ""}};
  for (const Case& c : cases) {
    std::ostringstream err;
    {
      Progress p(err, "refresh", 3, c.enabled, "bundles");
      p.Add(1);
      p.Add(2);
    }
    if (c.enabled) {
      CHECK(Contains(err.str(), "1/3 bundles"));
      CHECK(Contains(err.str(), "100% 3/3 bundles\n"));
    } else {
      CHECK(err.str().empty());
    }
  }
}

}  // namespace
}  // namespace candor::cli
