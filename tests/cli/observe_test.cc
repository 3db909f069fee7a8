// `candor observe create|publish|show` end to end with the real candor-log
// and candor-witness on 127.0.0.1: a release and a trust root are published,
// an observer creates an observation from the release's bundle and publishes
// it (its index follows theirs), and the log's refusals arrive as the exit
// code of the log's named code, with nothing written.
#include <doctest/doctest.h>

#include <memory>

#include "candor/bundle.h"
#include "candor/merkle.h"
#include "candor/observation.h"
#include "candor/options.h"
#include "candor/sha256.h"
#include "candor/status.h"
#include "cli/cli_test_util.h"
#include "cli/json_parse.h"
#include "support/subprocess.h"

#if defined(CANDOR_LOG_BINARY) && defined(CANDOR_WITNESS_BINARY)

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::Exists;
using clitest::FirstLine;
using clitest::ReadFile;
using clitest::Run;
using clitest::TempDir;
using clitest::Trim;
using clitest::WriteFile;
using testing::Subprocess;

const std::string kLog = CANDOR_LOG_BINARY;
const std::string kWitness = CANDOR_WITNESS_BINARY;
const std::string kOrigin = "log.example/firmware";

// A log cosigned by one witness, a vendor (acme.example) and an observer
// (lab.example) registered with it, a root key (root1.acme.example)
// registered too, and the devices' trust policy.
struct Servers {
  TempDir dir;
  std::unique_ptr<Subprocess> witness;
  std::unique_ptr<Subprocess> log;
  std::string url;

  Run Tool(const std::vector<std::string>& args) { return clitest::RunProcess(args, dir.path()); }

  Servers() {
    REQUIRE(Tool({kLog, "init", "--dir", dir / "log", "--origin", kOrigin}).exit_code == 0);
    const std::string log_vkey = Trim(ReadFile(dir / "log/log.pub"));
    Run w = Tool({kWitness, "init", "--dir", dir / "witness", "--name", "witness.example/w1"});
    REQUIRE_MESSAGE(w.exit_code == 0, w.err);
    const std::string witness_vkey = FirstLine(w.out);
    REQUIRE(Tool({kWitness, "logs", "add", "--dir", dir / "witness", "--origin", kOrigin, "--key",
                  log_vkey})
                .exit_code == 0);
    int witness_port = 0;
    witness = testing::ServeOnFreePort({kWitness, "serve", "--dir", dir / "witness"},
                                       dir / "witness.out", "/", &witness_port);
    REQUIRE_MESSAGE(witness != nullptr, ReadFile(dir / "witness.out"));
    for (const std::string name :
         {"acme.example", "lab.example", "root1.acme.example", "rogue.example"}) {
      const std::string prefix = dir / name.substr(0, name.find('.'));
      REQUIRE(Candor(dir, {"keygen", "--name", name, "--out", prefix}).exit_code == 0);
      if (name != "rogue.example") {
        REQUIRE(Tool({kLog, "vendors", "add", "--dir", dir / "log", prefix + ".pub"}).exit_code ==
                0);
      }
    }
    const std::string witness_line = "witness w1 " + witness_vkey +
                                     " http://127.0.0.1:" + std::to_string(witness_port) +
                                     "\nquorum w1\n";
    WriteFile(dir / "log.policy", "log " + log_vkey + "\n" + witness_line);
    int log_port = 0;
    log = testing::ServeOnFreePort({kLog, "serve", "--dir", dir / "log", "--policy",
                                    dir / "log.policy", "--checkpoint-interval", "0.2"},
                                   dir / "log.out", "/checkpoint", &log_port);
    REQUIRE_MESSAGE(log != nullptr, ReadFile(dir / "log.out"));
    url = "http://127.0.0.1:" + std::to_string(log_port);
    WriteFile(dir / "trust.policy", "log " + log_vkey + "\n" + witness_line +
                                        "max-checkpoint-age 3600\nvendor " +
                                        Trim(ReadFile(dir / "acme.pub")) + " printer-x1\n");
  }

  Run Publish(const std::vector<std::string>& command, const std::string& entry,
              const std::string& out) {
    std::vector<std::string> args = command;
    args.insert(args.end(), {"--log", url, "--policy", dir / "trust.policy", dir / entry, "--out",
                             dir / out, "--timeout", "60"});
    return Candor(dir, args);
  }
};

TEST_CASE("observe: create from a release bundle, show, publish; the log's refusals") {
  Servers s;
  TempDir& dir = s.dir;
  // Index 0: release 2.4.2 of printer-x1.
  clitest::WriteImage(dir / "fw.bin", 4096);
  WriteFile(dir / "CHANGELOG.md", "# 2.4.2\n");
  Run rel = Candor(dir, {"release", "create", "--key", dir / "acme.key", "--product", "printer-x1",
                         "--version", "2.4.2", "--rollback", "1", "--image", dir / "fw.bin",
                         "--changelog", dir / "CHANGELOG.md", "--out", dir / "2.4.2.entry"});
  REQUIRE_MESSAGE(rel.exit_code == 0, rel.err);
  Run pub = s.Publish({"publish"}, "2.4.2.entry", "2.4.2.bundle");
  REQUIRE_MESSAGE(pub.exit_code == 0, pub.err);
  // Index 1: a trust root.
  Run root = clitest::CreateTrustRoot(dir, {dir / "root1.pub"}, "1", dir / "trust.policy",
                                      dir / "root1.key", dir / "1.root");
  REQUIRE_MESSAGE(root.exit_code == 0, root.err);
  Run root_pub = s.Publish({"publish"}, "1.root", "1.root.bundle");
  REQUIRE_MESSAGE(root_pub.exit_code == 0, root_pub.err);
  REQUIRE(Contains(root_pub.out, "at index 1 of"));

  // The observer holds the release's bundle.
  WriteFile(dir / "video.mp4", "a video of the printer refusing a cartridge");
  const std::vector<std::string> create = {
      "observe",    "create",
      "--key",      dir / "lab.key",
      "--finding",  "consumables.third-party=blocked",
      "--summary",  "2.4.2 still rejects third-party cartridges on a printer-x1 bought 2026-11",
      "--observed", "2026-12-01T10:00:00Z"};
  auto create_with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = create;
    args.insert(args.end(), extra.begin(), extra.end());
    return Candor(dir, args);
  };
  Run made = create_with({"--release-bundle", dir / "2.4.2.bundle", "--evidence", dir / "video.mp4",
                          "--out", dir / "o.observation"});
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
  CHECK(Contains(made.out, "observation by lab.example of " + kOrigin + " index 0 (printer-x1)"));
  auto opened = OpenObservation(ReadFile(dir / "o.observation"));
  REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
  const Observation& o = opened->observation;
  auto release_bundle = ParseBundle(ReadFile(dir / "2.4.2.bundle"));
  REQUIRE(release_bundle.ok());
  CHECK(o.log_origin == kOrigin);
  CHECK(o.release_index == 0);
  CHECK(HashEqual(o.release_leaf, LeafHash(release_bundle->entry)));
  CHECK(o.product == "printer-x1");  // the release's only product
  CHECK(HashEqual(o.evidence_sha256,
                  Sha256Digest(std::string_view("a video of the printer refusing a cartridge"))));
  // No overwrite without --force.
  Run again = create_with({"--release-bundle", dir / "2.4.2.bundle", "--evidence",
                           dir / "video.mp4", "--out", dir / "o.observation"});
  CHECK(again.exit_code == ExitCodeFor(Code::kConflict));

  // show, human and JSON.
  Run show = Candor(dir, {"observe", "show", dir / "o.observation"});
  REQUIRE_MESSAGE(show.exit_code == 0, show.err);
  CHECK(Contains(show.out, "signature verified"));
  CHECK(Contains(show.out, "consumables.third-party blocked"));
  Run json = Candor(dir, {"observe", "show", "--json", dir / "o.observation"});
  REQUIRE_MESSAGE(json.exit_code == 0, json.err);
  auto doc = clitest::JsonParser::Parse(json.out);
  REQUIRE(doc);
  for (const char* key : {"release_index", "observed", "product", "findings", "signature"}) {
    REQUIRE_MESSAGE(doc->Get(key) != nullptr, key);
  }
  CHECK(doc->Get("release_index")->text == "0");
  CHECK(doc->Get("observed")->text == "2026-12-01T10:00:00Z");
  CHECK(doc->Get("product")->text == "printer-x1");
  CHECK(doc->Get("signature")->text == "valid");
  REQUIRE(doc->Get("findings")->items.size() == 1);
  CHECK(doc->Get("findings")->items[0].Get("value")->text == "blocked");

  // publish: the observation follows the release and the root, at index 2;
  // its bundle carries the observation bytes as the entry.
  Run obs_pub = s.Publish({"observe", "publish"}, "o.observation", "o.bundle");
  REQUIRE_MESSAGE(obs_pub.exit_code == 0, obs_pub.err);
  CHECK(Contains(obs_pub.out,
                 "published: observation by lab.example of index 0 at index 2 of " + kOrigin));
  auto obs_bundle = ParseBundle(ReadFile(dir / "o.bundle"));
  REQUIRE(obs_bundle.ok());
  CHECK(obs_bundle->index == 2);
  CHECK(AsChars(obs_bundle->entry) == ReadFile(dir / "o.observation"));
  // A replay is its index; `candor publish` takes observations too.
  Run replay = s.Publish({"publish"}, "o.observation", "o-again.bundle");
  REQUIRE_MESSAGE(replay.exit_code == 0, replay.err);
  CHECK(Contains(replay.out, "at index 2 of"));
  // `observe publish` publishes observations only.
  Run not_obs = s.Publish({"observe", "publish"}, "2.4.2.entry", "nope.bundle");
  CHECK(not_obs.exit_code == ExitCodeFor(Code::kInvalidArgument));
  CHECK(!Exists(dir / "nope.bundle"));

  // From the root's bundle, create refuses at once (not a release).
  Run from_root = create_with({"--release-bundle", dir / "1.root.bundle", "--product", "printer-x1",
                               "--evidence", dir / "video.mp4", "--out", dir / "x.observation"});
  CHECK(from_root.exit_code == ExitCodeFor(Code::kMismatch));
  CHECK(Contains(from_root.err, "is not a release"));
  CHECK(!Exists(dir / "x.observation"));

  // The log's refusals, each an observation created by naming the target.
  auto root_bundle = ParseBundle(ReadFile(dir / "1.root.bundle"));
  REQUIRE(root_bundle.ok());
  const std::string release_leaf = HexEncode(LeafHash(release_bundle->entry));
  const std::string root_leaf = HexEncode(LeafHash(root_bundle->entry));
  const std::string zero_leaf(64, '0');
  struct Case {
    const char* name;
    std::string key;  // the observer key's file
    std::string origin, index, leaf, product;
    Code code;
    const char* reason;  // in the log's one-line refusal
  } cases[] = {
      {"about a trust root", "lab.key", kOrigin, "1", root_leaf, "printer-x1", Code::kMismatch,
       "is not a release"},
      {"another leaf hash at the index", "lab.key", kOrigin, "0", zero_leaf, "printer-x1",
       Code::kConflict, "(another view of the log?)"},
      {"an unregistered observer key", "rogue.key", kOrigin, "0", release_leaf, "printer-x1",
       Code::kUntrustedKey, "observer key rogue.example is not registered"},
      {"an index beyond the log", "lab.key", kOrigin, "99", release_leaf, "printer-x1",
       Code::kNotFound, "no entry at index 99"},
      {"another log", "lab.key", "other.example/log", "0", release_leaf, "printer-x1",
       Code::kMismatch, "about log other.example/log"},
      {"a product the release is not for", "lab.key", kOrigin, "0", release_leaf, "printer-x2",
       Code::kMismatch, "is not for product printer-x2"},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    std::vector<std::string> args = {"observe",
                                     "create",
                                     "--key",
                                     dir / c.key,
                                     "--log-origin",
                                     c.origin,
                                     "--release-index",
                                     c.index,
                                     "--release-leaf",
                                     c.leaf,
                                     "--product",
                                     c.product,
                                     "--evidence-sha256",
                                     std::string(64, 'a'),
                                     "--summary",
                                     "Seen.",
                                     "--out",
                                     dir / "c.observation",
                                     "--force"};
    Run c_made = Candor(dir, args);
    REQUIRE_MESSAGE(c_made.exit_code == 0, c_made.err);
    Run refused = s.Publish({"observe", "publish"}, "c.observation", "c.bundle");
    CHECK_MESSAGE(refused.exit_code == ExitCodeFor(c.code), refused.err);
    CHECK_MESSAGE(Contains(refused.err, c.reason), refused.err);
    CHECK(refused.err.find('\n') == refused.err.size() - 1);  // one line
    CHECK(!Exists(dir / "c.bundle"));
  }
}

TEST_CASE("observe create: usage and input refusals write nothing") {
  TempDir dir;
  REQUIRE(Candor(dir, {"keygen", "--name", "lab.example", "--out", dir / "lab"}).exit_code == 0);
  const std::string leaf(64, 'b');
  const std::vector<std::string> base = {"observe",   "create", "--key", dir / "lab.key",
                                         "--summary", "Seen.",  "--out", dir / "o.observation"};
  struct Case {
    const char* name;
    std::vector<std::string> extra;
    int exit_code;
  } cases[] = {
      {"no target", {"--evidence-sha256", leaf, "--product", "p1"}, kExitUsage},
      {"bundle and named target",
       {"--release-bundle", dir / "x", "--log-origin", "l", "--product", "p1", "--evidence-sha256",
        leaf},
       kExitUsage},
      {"no evidence",
       {"--log-origin", "log.example/x", "--release-index", "0", "--release-leaf", leaf,
        "--product", "p1"},
       ExitCodeFor(Code::kInvalidArgument)},
      {"a finding outside the vocabulary",
       {"--log-origin", "log.example/x", "--release-index", "0", "--release-leaf", leaf,
        "--product", "p1", "--evidence-sha256", leaf, "--finding", "x-lab.example/a=b"},
       ExitCodeFor(Code::kInvalidArgument)},
      {"a finding with an effective date",
       {"--log-origin", "log.example/x", "--release-index", "0", "--release-leaf", leaf,
        "--product", "p1", "--evidence-sha256", leaf, "--finding",
        "consumables.third-party=blocked,effective=2026-01-01"},
       ExitCodeFor(Code::kInvalidArgument)},
      {"a short leaf",
       {"--log-origin", "log.example/x", "--release-index", "0", "--release-leaf", "abcd",
        "--product", "p1", "--evidence-sha256", leaf},
       ExitCodeFor(Code::kInvalidArgument)},
      {"a bad product id",
       {"--log-origin", "log.example/x", "--release-index", "0", "--release-leaf", leaf,
        "--product", "Not A Product", "--evidence-sha256", leaf},
       ExitCodeFor(Code::kMalformed)},
      {"a missing bundle file",
       {"--release-bundle", dir / "none.bundle", "--evidence-sha256", leaf},
       ExitCodeFor(Code::kNotFound)},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    std::vector<std::string> args = base;
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    Run r = Candor(dir, args);
    CHECK_MESSAGE(r.exit_code == c.exit_code, r.err);
    CHECK(r.err.find('\n') == r.err.size() - 1);
    CHECK(!Exists(dir / "o.observation"));
  }
  // A tampered observation is refused by show.
  Run ok =
      Candor(dir, {"observe", "create", "--key", dir / "lab.key", "--summary", "Seen.", "--out",
                   dir / "o.observation", "--log-origin", "log.example/x", "--release-index", "0",
                   "--release-leaf", leaf, "--product", "p1", "--evidence-sha256", leaf});
  REQUIRE_MESSAGE(ok.exit_code == 0, ok.err);
  std::string text = ReadFile(dir / "o.observation");
  text.replace(text.find("summary Seen."), 13, "summary Seem.");
  WriteFile(dir / "t.observation", text);
  CHECK(Candor(dir, {"observe", "show", dir / "t.observation"}).exit_code ==
        ExitCodeFor(Code::kBadSignature));
}

}  // namespace
}  // namespace candor

#endif  // CANDOR_LOG_BINARY && CANDOR_WITNESS_BINARY
