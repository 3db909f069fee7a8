// AuditIndex storage format: hashes and vendor keys round trip, the vendor key
// id cache follows rollbacks, other formats are refused, opening never writes.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include "audit_test_util.h"
#include "candor/audit/index.h"
#include "candor/release.h"

namespace candor {
namespace {

using namespace audittest;
using audit::AuditIndex;

ReleaseEntry Parsed(const Bytes& e) {
  auto p = ParseReleaseEntry(e);
  REQUIRE(p.ok());
  return *p;
}

// Runs SQL on a second connection to the same file.
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err ? err : "";  // copied: err is freed below
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

TEST_CASE("index: leaf and image hashes, vendor keys and u64 rollback counters round trip") {
  TempDir t;
  auto idx = AuditIndex::Open(t / "index.db").value();
  SignerKey acme = TestKey("acme.example", 1), zeta = TestKey("zeta.example", 2);
  ReleaseSpec a, z, big;
  z.product = "router-1";
  big.version = "9";
  big.rollback = 18446744073709551615ull;
  const std::vector<std::pair<const SignerKey*, ReleaseSpec>> specs = {
      {&acme, a}, {&zeta, z}, {&acme, big}, {&zeta, z}};
  std::vector<Bytes> entries;
  REQUIRE(idx->Begin().ok());
  for (size_t i = 0; i < specs.size(); ++i) {
    entries.push_back(MakeRelease(*specs[i].first, specs[i].second));
    REQUIRE(idx->AddRelease(i, LeafHash(entries[i]), Parsed(entries[i]),
                            1764115200 + static_cast<int64_t>(i))
                .ok());
  }
  REQUIRE(idx->Commit().ok());
  auto rows = idx->Releases({}, specs.size()).value();
  REQUIRE(rows.size() == specs.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(i);
    const ReleaseEntry e = Parsed(entries[i]);
    CHECK(rows[i].leaf_hex == HexEncode(LeafHash(entries[i])));
    CHECK(rows[i].image_sha256 == HexEncode(e.manifest.image_sha256));
    CHECK(rows[i].vendor_key == FormatVerifierKey(PublicKeyOf(*specs[i].first)));
    CHECK(rows[i].rollback == specs[i].second.rollback);
    CHECK(rows[i].logged == 1764115200 + static_cast<int64_t>(i));  // first-seen time
  }
  // Each key text is stored once.
  idx.reset();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((t / "index.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM vendor_keys", -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(sqlite3_column_int64(s, 0) == 2);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST_CASE("index: a vendor key added by a rolled-back transaction is not reused") {
  TempDir t;
  auto idx = AuditIndex::Open(t / "index.db").value();
  SignerKey k1 = TestKey("one.example", 1), k2 = TestKey("two.example", 2);
  Bytes e1 = MakeRelease(k1, {}), e2 = MakeRelease(k2, {});
  // k1 gets an id, which the rollback discards...
  REQUIRE(idx->Begin().ok());
  REQUIRE(idx->AddRelease(0, LeafHash(e1), Parsed(e1), 0).ok());
  REQUIRE(idx->Rollback().ok());
  // ...and SQLite hands the same id to k2. A stale cache would then file k1's
  // next release under k2.
  REQUIRE(idx->Begin().ok());
  REQUIRE(idx->AddRelease(0, LeafHash(e2), Parsed(e2), 0).ok());
  REQUIRE(idx->AddRelease(1, LeafHash(e1), Parsed(e1), 0).ok());
  REQUIRE(idx->Commit().ok());
  auto rows = idx->Releases({}, 2).value();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].vendor_key == FormatVerifierKey(PublicKeyOf(k2)));
  CHECK(rows[1].vendor_key == FormatVerifierKey(PublicKeyOf(k1)));
}

TEST_CASE("index: databases of another format are refused with a clear error") {
  struct Case {
    const char* name;
    const char* sql;
    const char* message;
  };
  const Case cases[] = {
      {"format 1 (hex text hashes, no user_version)",
       "CREATE TABLE releases(log_index INTEGER PRIMARY KEY, leaf TEXT NOT NULL)",
       "has format 1, this candor reads format 7; sync into a new directory"},
      // Format 2 had no releases.logged (first-seen time): not derivable later.
      {"format 2 (no first-seen time)",
       "CREATE TABLE releases(log_index INTEGER PRIMARY KEY); PRAGMA user_version = 2",
       "has format 2, this candor reads format 7; sync into a new directory"},
      {"a newer format", "PRAGMA user_version = 8", "written by a newer candor"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    TempDir t;
    RawExec(t / "index.db", c.sql);
    auto idx = AuditIndex::Open(t / "index.db");
    REQUIRE(!idx.ok());
    CHECK(idx.status().code() == Code::kMalformed);
    CHECK(idx.status().message().find(c.message) != std::string::npos);
  }
}

// Format 4 only added trust_roots. A format-3 index is upgraded in place unless
// it holds invalid entries: format 3 filed trust roots there.
TEST_CASE("index: format 3 is upgraded to 7 unless it holds invalid entries") {
  struct Case {
    const char* name;
    const char* sql;  // run on the format-3 index
    bool upgraded;
  };
  const Case cases[] = {
      {"no invalid entry", "", true},
      {"an invalid entry", "INSERT INTO invalid VALUES(4, 'not a release entry')", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    TempDir t;
    {
      auto idx = AuditIndex::Open(t / "index.db");
      REQUIRE(idx.ok());
      REQUIRE((*idx)->Begin().ok());
      REQUIRE((*idx)
                  ->AddRelease(0, Hash{}, Parsed(MakeRelease(TestKey("acme.example", 40), {})), 0)
                  .ok());
      REQUIRE((*idx)->Commit().ok());
    }
    // Format 3 is format 7 without trust_roots, releases_image, release_signers
    // and observations.
    RawExec(t / "index.db", std::string("DROP TABLE trust_roots; DROP INDEX releases_image; "
                                        "DROP TABLE release_signers; DROP TABLE observations; "
                                        "PRAGMA user_version = 3; ") +
                                c.sql);
    auto idx = AuditIndex::Open(t / "index.db");
    REQUIRE(idx.ok() == c.upgraded);
    if (!c.upgraded) {
      CHECK(idx.status().code() == Code::kMalformed);
      CHECK(idx.status().message().find("has format 3 and invalid entries") != std::string::npos);
      continue;
    }
    CHECK((*idx)->Releases({}, 10)->size() == 1);
    CHECK((*idx)->TrustRoots(10)->empty());
    idx = AuditIndex::Open(t / "index.db");  // now format 7: opens as is
    REQUIRE(idx.ok());
  }
}

// The image index: releases by image SHA-256, below the verified size only.
// Format 5 added it; a format-4 index gets it in place, rows kept.
TEST_CASE("index: releases by image SHA-256 (format 5), a format-4 index upgraded in place") {
  TempDir t;
  const SignerKey acme = TestKey("acme.example", 40), globex = TestKey("globex.example", 41);
  ReleaseSpec shared;  // same image bytes and version: the same image hash
  shared.image = "shared";
  ReleaseSpec other = shared;
  other.image = "other";
  ReleaseSpec g = shared;
  g.product = "thermostat-t1";
  const Bytes e0 = MakeRelease(acme, shared), e1 = MakeRelease(acme, other),
              e2 = MakeRelease(globex, g);
  const ReleaseEntry p0 = Parsed(e0), p1 = Parsed(e1), p2 = Parsed(e2);
  REQUIRE(p0.manifest.image_sha256 == p2.manifest.image_sha256);
  {
    auto idx = AuditIndex::Open(t / "index.db");
    REQUIRE(idx.ok());
    REQUIRE((*idx)->Begin().ok());
    REQUIRE((*idx)->AddRelease(0, LeafHash(e0), p0, 7).ok());
    REQUIRE((*idx)->AddRelease(1, LeafHash(e1), p1, 7).ok());
    REQUIRE((*idx)->AddRelease(2, LeafHash(e2), p2, 7).ok());
    REQUIRE((*idx)->Commit().ok());
  }
  RawExec(t / "index.db",
          "DROP INDEX releases_image; DROP TABLE release_signers; DROP TABLE observations; "
          "PRAGMA user_version = 4");
  auto idx = AuditIndex::Open(t / "index.db");
  REQUIRE(idx.ok());
  auto both = (*idx)->ByImage(p0.manifest.image_sha256, 3);
  REQUIRE(both.ok());
  REQUIRE(both->size() == 2);
  CHECK((*both)[0].log_index == 0);
  CHECK((*both)[0].vendor == "acme.example");
  CHECK((*both)[1].log_index == 2);
  CHECK((*both)[1].vendor == "globex.example");
  CHECK((*both)[1].products == std::vector<std::string>{"thermostat-t1"});
  CHECK((*both)[1].image_sha256 == HexEncode(p0.manifest.image_sha256));
  // Rows at or above the verified size are not answers.
  CHECK((*idx)->ByImage(p0.manifest.image_sha256, 2)->size() == 1);
  CHECK((*idx)->ByImage(p1.manifest.image_sha256, 3)->size() == 1);
  CHECK((*idx)->ByImage(Hash{}, 3)->empty());
  // The upgrade stamped format 7 and built the index: SQLite uses it.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((t / "index.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "EXPLAIN QUERY PLAN SELECT log_index FROM releases WHERE "
                             "image_sha256 = x'00'",
                             -1, &s, nullptr) == SQLITE_OK);
  std::string plan;
  while (sqlite3_step(s) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
  }
  sqlite3_finalize(s);
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(sqlite3_column_int(s, 0) == 7);
  sqlite3_finalize(s);
  sqlite3_close(db);
  CHECK_MESSAGE(plan.find("USING") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("releases_image") != std::string::npos, plan);
}

// Format 7 added observations: a format-6 index is upgraded in place unless
// it holds invalid entries, which an older sync filed observations as.
TEST_CASE("index: format 6 is upgraded to 7 unless it holds invalid entries") {
  for (const bool invalid : {false, true}) {
    CAPTURE(invalid);
    TempDir t;
    {
      auto idx = AuditIndex::Open(t / "index.db");
      REQUIRE(idx.ok());
      REQUIRE((*idx)->Begin().ok());
      REQUIRE((*idx)
                  ->AddRelease(0, Hash{}, Parsed(MakeRelease(TestKey("acme.example", 40), {})), 0)
                  .ok());
      if (invalid) REQUIRE((*idx)->AddInvalid(1, "not a release entry").ok());
      REQUIRE((*idx)->Commit().ok());
    }
    RawExec(t / "index.db", "DROP TABLE observations; PRAGMA user_version = 6");
    auto idx = AuditIndex::Open(t / "index.db");
    REQUIRE(idx.ok() == !invalid);
    if (invalid) {
      CHECK(idx.status().code() == Code::kMalformed);
      CHECK(idx.status().message().find("has format 6 and invalid entries, which may be "
                                        "observations") != std::string::npos);
      continue;
    }
    CHECK((*idx)->Releases({}, 10)->size() == 1);
    CHECK((*idx)->Observations(10)->empty());
    CHECK((*idx)->ObservationsAbout(0, 10)->empty());
  }
}

TEST_CASE("index: opening an existing index does not write (readers during a sync)") {
  TempDir t;
  { REQUIRE(AuditIndex::Open(t / "index.db").ok()); }
  // Another connection holds the write lock, as a running sync does.
  sqlite3* writer = nullptr;
  REQUIRE(sqlite3_open((t / "index.db").c_str(), &writer) == SQLITE_OK);
  REQUIRE(sqlite3_exec(writer, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  auto reader = AuditIndex::Open(t / "index.db");
  CHECK(reader.ok());
  if (reader.ok()) CHECK((*reader)->Releases({}, 10)->empty());
  sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
}

}  // namespace
}  // namespace candor
