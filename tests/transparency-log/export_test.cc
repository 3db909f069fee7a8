// ExportTiles / `candor-log export`: a store's tree as static files,
// incrementally, checked before its checkpoint is replaced, and verified by
// Go's sumdb/tlog (an independent implementation) after every export.
#include "candor/log/export.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"
#include "candor/fs/read_file.h"
#include "candor/layout.h"
#include "candor/log/log_server.h"
#include "candor/log/open_store.h"
#include "candor/log/publisher.h"
#include "candor/log/sequencer.h"
#include "candor/merkle.h"
#include "candor/signing_key.h"
#include "log_test_util.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace candor {
namespace {

using testing::CommandResult;
using testing::ReadLogKey;
using testing::RunCommand;
using testing::TempDir;


// Appends raw entries `from` .. `to`-1 through the sequencer and publishes a
// checkpoint, as candor-log does; the store is opened and closed each time.
void GrowTo(const std::string& dir, uint64_t from, uint64_t to, const std::string& salt = "") {
  auto opened = OpenLogStore(dir, "");
  REQUIRE(opened.ok());
  auto seq = Sequencer::Open(opened->store.get());
  REQUIRE(seq.ok());
  std::vector<std::future<Result<AddOutcome>>> futs;
  for (uint64_t i = from; i < to; ++i) {
    AdmittedEntry e;
    std::string s = "export-" + salt + std::to_string(i) + std::string(i % 40, '.');
    e.entry.assign(s.begin(), s.end());
    e.leaf = LeafHash(e.entry);
    futs.push_back((*seq)->Add(std::move(e)));
  }
  for (auto& f : futs) REQUIRE(f.get().ok());
  auto key = ReadPrivateKeyFile(dir + "/log.key");
  REQUIRE(key.ok());
  Publisher pub(opened->store.get(), seq->get(), *key, Cosigner(), PublisherOptions{});
  REQUIRE(pub.PublishNow().ok());
}

Result<ExportOutcome> Export(const std::string& dir, const std::string& out) {
  auto opened = OpenLogStore(dir, "");
  REQUIRE(opened.ok());
  ExportOptions options;
  options.log_key = ReadLogKey(dir);
  options.chunk_files = 7;  // several durable chunks even for small trees
  return ExportTiles(*opened->store, out, options);
}

void CheckGoVerifies(const std::string& out, const VerifierKey& key, uint64_t size) {
  CommandResult go = RunCommand({CANDOR_GO_HELPER, "tiles", out, FormatVerifierKey(key)});
  CHECK_MESSAGE(go.exit_code == 0, go.output);
  CHECK(go.output == "ok " + std::to_string(size) + "\n");
}

TEST_CASE("export writes exactly the changed tiles, checkpoint last, and Go verifies each step") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/log", out = tmp.path() + "/static";
  REQUIRE(InitLog(dir, "log.example/export").ok());
  const VerifierKey key = ReadLogKey(dir);
  // Sizes chosen to cross tile, bundle and level-1 boundaries.
  uint64_t size = 0;
  for (uint64_t next : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{700},
                        uint64_t{66000}, uint64_t{66000}}) {
    CAPTURE(next);
    if (next > size) GrowTo(dir, size, next);
    auto outcome = Export(dir, out);
    REQUIRE_MESSAGE(outcome.ok(), outcome.status().ToString());
    CHECK(outcome->from_size == size);
    CHECK(outcome->to_size == next);
    const uint64_t want = next == size && size > 0
                              ? 0
                              : NewTiles(size, next).size() + NewEntryBundles(size, next).size();
    CHECK(outcome->files == want);
    size = next;
    CheckGoVerifies(out, key, size);
    auto served = fs::ReadFileBytes(out + "/checkpoint", kMaxNoteSize);
    auto stored = fs::ReadFileBytes(dir + "/checkpoint", kMaxNoteSize);
    REQUIRE(served.ok());
    CHECK(*served == *stored);
  }
  // The partial tiles of earlier exported sizes stay (clients holding an
  // older checkpoint read them).
  CHECK(fs::ReadFileBytes(out + "/tile/0/000.p/1", 1 << 20).ok());
  CHECK(fs::ReadFileBytes(out + "/tile/0/002.p/188", 1 << 20).ok());
}

TEST_CASE("export refuses another log, a shorter store and a forked tree; the checkpoint stays") {
  TempDir tmp;
  const std::string a = tmp.path() + "/a", b = tmp.path() + "/b", c = tmp.path() + "/c";
  const std::string out = tmp.path() + "/static";
  REQUIRE(InitLog(a, "log.example/a").ok());
  REQUIRE(InitLog(b, "log.example/b").ok());
  GrowTo(a, 0, 300);
  GrowTo(b, 0, 300);
  REQUIRE(Export(a, out).ok());
  auto before = fs::ReadFileBytes(out + "/checkpoint", kMaxNoteSize);
  REQUIRE(before.ok());
  struct Case {
    std::string name;
    std::string dir;
    Code code;
  };
  // c: the same origin and key as a (a copy of its key files), another tree.
  REQUIRE(fs::MakeDirectories(c).ok());
  for (const char* f : {"/log.key", "/log.pub", "/config", "/vendors"}) {
    auto data = fs::ReadFileBytes(a + f, 1 << 20);
    REQUIRE(data.ok());
    REQUIRE(fs::WriteFileAtomically(c + f, *data, {.mode = 0600}).ok());
  }
  {
    auto key = ReadPrivateKeyFile(c + "/log.key");
    REQUIRE(key.ok());
    auto opened = OpenLogStore(c, "");
    REQUIRE(opened.ok());
    auto head = opened->store->Head();
    REQUIRE(head.ok());
    auto note = Publisher::SignCheckpoint(*key, *head);
    REQUIRE(note.ok());
    REQUIRE(opened->store->WriteCheckpoint(*note).ok());
  }
  GrowTo(c, 0, 400, "other");  // other entries: at 300 its root differs from a's
  TempDir short_dir;
  const std::string s = short_dir.path() + "/s";
  REQUIRE(fs::MakeDirectories(s).ok());
  for (const char* f : {"/log.key", "/log.pub", "/config", "/vendors"}) {
    auto data = fs::ReadFileBytes(a + f, 1 << 20);
    REQUIRE(data.ok());
    REQUIRE(fs::WriteFileAtomically(s + f, *data, {.mode = 0600}).ok());
  }
  {
    auto key = ReadPrivateKeyFile(s + "/log.key");
    REQUIRE(key.ok());
    auto opened = OpenLogStore(s, "");
    REQUIRE(opened.ok());
    auto note = Publisher::SignCheckpoint(*key, *opened->store->Head());
    REQUIRE(note.ok());
    REQUIRE(opened->store->WriteCheckpoint(*note).ok());
  }
  GrowTo(s, 0, 100);
  const Case cases[] = {
      {"another log's origin", b, Code::kUntrustedKey},
      {"a tree that forks the exported one", c, Code::kInconsistent},
      {"a store behind the export", s, Code::kInconsistent},
  };
  for (const Case& k : cases) {
    CAPTURE(k.name);
    auto opened = OpenLogStore(k.dir, "");
    REQUIRE(opened.ok());
    ExportOptions options;
    options.log_key = ReadLogKey(a);
    auto outcome = ExportTiles(*opened->store, out, options);
    REQUIRE(!outcome.ok());
    CHECK(outcome.status().code() == k.code);
    auto after = fs::ReadFileBytes(out + "/checkpoint", kMaxNoteSize);
    REQUIRE(after.ok());
    CHECK(*after == *before);
  }
  // Without a key only the origins are compared.
  auto opened = OpenLogStore(b, "");
  REQUIRE(opened.ok());
  auto outcome = ExportTiles(*opened->store, out);
  REQUIRE(!outcome.ok());
  CHECK(outcome.status().code() == Code::kMismatch);
}

TEST_CASE("export refuses a store whose tiles or bundles are damaged, writing no checkpoint") {
  // Each file of a 66 000-entry tree, one byte flipped in the store: a full
  // and a partial level-0 tile, a full level-1 tile, the top partial tile, a
  // full and a partial bundle.
  // One log, each file damaged in turn and then restored.
  TempDir tmp;
  const std::string dir = tmp.path() + "/log";
  REQUIRE(InitLog(dir, "log.example/export").ok());
  GrowTo(dir, 0, 66000);
  for (const char* path : {"tile/0/001", "tile/0/257.p/208", "tile/1/000", "tile/2/000.p/1",
                           "tile/entries/003", "tile/entries/257.p/208"}) {
    CAPTURE(path);
    const std::string out = tmp.path() + "/static-" + std::to_string(std::hash<std::string>{}(path));
    auto data = fs::ReadFileBytes(dir + "/" + path, 1 << 20);
    REQUIRE(data.ok());
    const Bytes good = *data;
    (*data)[data->size() - 1] ^= 1;
    REQUIRE(fs::WriteFileAtomically(dir + "/" + path, *data).ok());
    auto outcome = Export(dir, out);
    REQUIRE(!outcome.ok());
    CHECK(outcome.status().code() == Code::kInconsistent);
    CHECK(fs::ReadFileBytes(out + "/checkpoint", kMaxNoteSize).status().code() ==
          Code::kNotFound);
    REQUIRE(fs::WriteFileAtomically(dir + "/" + path, good).ok());
  }
  // Restored, the same store exports.
  CHECK(Export(dir, tmp.path() + "/static").ok());
}

TEST_CASE("candor-log export: one-line errors, --json, and a second run writes nothing") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/log", out = tmp.path() + "/static";
  REQUIRE(InitLog(dir, "log.example/export").ok());
  GrowTo(dir, 0, 1000);
  CommandResult first =
      RunCommand({CANDOR_LOG_BINARY, "export", "--from", dir, "--dir", out, "--json"});
  CHECK_MESSAGE(first.exit_code == 0, first.output);
  CHECK(first.output.find("\"from_size\":0,\"to_size\":1000,") != std::string::npos);
  CommandResult again =
      RunCommand({CANDOR_LOG_BINARY, "export", "--from", dir, "--dir", out, "--json"});
  CHECK(again.exit_code == 0);
  CHECK(again.output == "{\"from_size\":1000,\"to_size\":1000,\"files\":0,\"bytes\":0}\n");
  CommandResult neither = RunCommand({CANDOR_LOG_BINARY, "export", "--dir", out});
  CHECK(neither.exit_code != 0);
  CHECK(neither.output.find("exactly one of --storage, --from") != std::string::npos);
  CommandResult bad = RunCommand(
      {CANDOR_LOG_BINARY, "export", "--storage", "mysql://x", "--dir", out});
  CHECK(bad.exit_code != 0);
  CHECK(bad.output.find('\n') == bad.output.size() - 1);  // one line
}

// A front-end's directory of a log on PostgreSQL says so in its config
// (open_store.h); read leniently (blanks, CRLF), matched exactly otherwise.
TEST_CASE("OpenLogStore refuses a directory whose config says its log is on PostgreSQL") {
  const struct {
    const char* config;
    bool postgres;
  } cases[] = {
      {"origin log.example/x\n", false},
      {"origin log.example/x\nstorage postgres\n", true},
      {"origin log.example/x\r\n  storage postgres \t\r\n", true},
      {"storage postgres", true},
      {"storage postgresql\n", false},
      {"# storage postgres\n", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.config);
    TempDir tmp;
    REQUIRE(fs::WriteFileAtomically(tmp.path() + "/config", AsBytes(c.config)).ok());
    Result<bool> configured = ConfiguredForPostgres(tmp.path());
    REQUIRE(configured.ok());
    CHECK(*configured == c.postgres);
    auto opened = OpenLogStore(tmp.path(), "");
    CHECK(opened.ok() != c.postgres);
    if (c.postgres) {
      CHECK(opened.status().code() == Code::kInvalidArgument);
      CHECK(!std::filesystem::exists(tmp.path() + "/state"));
    }
  }
  TempDir none;
  Result<bool> missing = ConfiguredForPostgres(none.path());  // no config: a data directory
  REQUIRE(missing.ok());
  CHECK_FALSE(*missing);
}

}  // namespace
}  // namespace candor
