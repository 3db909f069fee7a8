// BundlePipeline: bundles come out in log order with every entry checked,
// whatever the number of workers and the window; failures (a malformed bundle,
// a missing one, a bad entry) are delivered at their place in the order; an
// early stop does not hang.
#include <doctest/doctest.h>

#include "audit_test_util.h"
#include "candor/audit/bundle_pipeline.h"
#include "candor/audit/source.h"
#include "candor/entry_bundle.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/merkle.h"

namespace candor {
namespace {

using namespace audittest;
using audit::BundlePipeline;
using audit::VerifiedBundle;

const SignerKey& LogKey() {
  static const SignerKey k = TestKey("log.example/pipeline-test", 9);
  return k;
}
const SignerKey& Vendor() {
  static const SignerKey k = TestKey("acme.example", 41);
  return k;
}

std::vector<Bytes> Releases(size_t first, size_t count) {
  std::vector<Bytes> out;
  for (size_t i = first; i < first + count; ++i) {
    ReleaseSpec s;
    s.version = "1." + std::to_string(i);
    s.rollback = i + 1;
    out.push_back(MakeRelease(Vendor(), s));
  }
  return out;
}

std::unique_ptr<BundlePipeline> Open(const std::string& dir, BundlePipeline::Options o) {
  auto src = audit::OpenLogSource(dir);
  REQUIRE(src.ok());
  return std::make_unique<BundlePipeline>(std::move(src).value(), o);
}

TEST_CASE("BundlePipeline: in order, every entry hashed and parsed, any workers and window") {
  TempDir t;
  DirectLog log(t / "log", LogKey());
  std::vector<Bytes> entries = Releases(0, 1100);  // 4 full bundles and a partial one of 76
  const std::string junk = "not a release";
  entries[300] = Bytes(junk.begin(), junk.end());
  // The second entry type: a trust root (301) and a malformed one (302).
  const SignerKey ra = TestKey("root-a.acme.example", 21);
  RootSpec rs;
  rs.keys = {&ra};
  rs.signers = {&ra};
  rs.policy = "log " + FormatVerifierKey(PublicKeyOf(LogKey())) + "\nquorum none\n";
  const std::string root_note = MakeTrustRoot(rs);
  const std::string bad_root = std::string(kTrustRootMagic) + "garbage\n";
  entries[301] = Bytes(root_note.begin(), root_note.end());
  entries[302] = Bytes(bad_root.begin(), bad_root.end());
  log.Append(entries);
  struct Case {
    unsigned workers;
    size_t window;
    uint64_t first_entry;
  };
  for (const Case& c : std::vector<Case>{{1, 1, 0}, {2, 2, 0}, {3, 16, 0}, {4, 3, 700}}) {
    CAPTURE(c.workers);
    CAPTURE(c.window);
    BundlePipeline::Options o;
    o.first_bundle = c.first_entry / 256;
    o.end_bundle = 5;
    o.tree_size = 1100;
    o.first_entry = c.first_entry;
    o.window = c.window;
    o.workers = c.workers;
    auto p = Open(log.dir(), o);
    for (uint64_t b = o.first_bundle; b < 5; ++b) {
      VerifiedBundle v = p->Next();
      REQUIRE_MESSAGE(v.status.ok(), v.status.ToString());
      CHECK(v.index == b);
      const size_t width = b < 4 ? 256 : 76;
      REQUIRE(v.width == width);
      REQUIRE(v.entries.size() == width);
      REQUIRE(v.leaves.size() == width);
      REQUIRE(v.parsed.size() == width);
      REQUIRE(v.roots.size() == width);
      CHECK(v.tile0.size() == (b < 4 ? 256 : 0));
      for (size_t j = 0; j < width; ++j) {
        const uint64_t g = b * 256 + j;
        CHECK(v.entries[j] == entries[g]);
        CHECK(v.leaves[j] == LeafHash(entries[g]));
        if (g < c.first_entry) {
          CHECK(!v.parsed[j].has_value());
          CHECK(!v.roots[j].has_value());
        } else if (g == 301 || g == 302) {
          CHECK(!v.parsed[j].has_value());
          REQUIRE(v.roots[j].has_value());
          CHECK(v.roots[j]->ok() == (g == 301));
        } else {
          CHECK(!v.roots[j].has_value());
          REQUIRE(v.parsed[j].has_value());
          CHECK(v.parsed[j]->ok() == (g != 300));
        }
      }
    }
  }
}

TEST_CASE("BundlePipeline: a malformed or missing bundle is delivered at its place") {
  TempDir t;
  DirectLog log(t / "log", LogKey());
  log.Append(Releases(0, 1024));
  BundlePipeline::Options o;
  o.end_bundle = 4;
  o.tree_size = 1024;
  o.window = 4;
  o.workers = 2;
  SUBCASE("trailing bytes in bundle 2") {
    Bytes b = fs::ReadFileBytes(t / "log/tile/entries/002", size_t{64} << 20).value();
    b.push_back(0);
    REQUIRE(fs::WriteFileAtomically(t / "log/tile/entries/002", b).ok());
    auto p = Open(log.dir(), o);
    CHECK(p->Next().status.ok());
    CHECK(p->Next().status.ok());
    VerifiedBundle v = p->Next();
    CHECK(v.index == 2);
    CHECK(v.status.code() == Code::kMalformed);
    CHECK(v.status.message().find("tile/entries/002") != std::string::npos);
  }
  SUBCASE("bundle 1 missing: the downloader stops there") {
    std::filesystem::remove(t / "log/tile/entries/001");
    auto p = Open(log.dir(), o);
    CHECK(p->Next().status.ok());
    VerifiedBundle v = p->Next();
    CHECK(v.index == 1);
    CHECK(v.status.code() == Code::kNotFound);
  }
  SUBCASE("stopped early with work in flight") {
    auto p = Open(log.dir(), o);
    CHECK(p->Next().status.ok());
    p.reset();  // joins the downloader and the workers
    CHECK(p == nullptr);
  }
}

}  // namespace
}  // namespace candor
