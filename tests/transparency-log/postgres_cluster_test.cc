// The PostgreSQL clusters the log's storage tests run on (tests/support/
// postgres_cluster.h): a primary with a synchronous streaming standby keeps
// every acknowledged commit through a crash of the primary and a promotion,
// which is the guarantee the log's durability under failover rests on
// (docs/LOG.md). Skips without a PostgreSQL server unless
// CANDOR_REQUIRE_POSTGRES=1.
#include "support/postgres_cluster.h"

#include <doctest/doctest.h>

#include <string>

namespace candor {
namespace {

TEST_CASE(
    "postgres: a synchronous standby holds every acknowledged commit after the primary dies") {
  auto primary = testing::PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*primary);
  auto standby = primary->AddStandby(/*synchronous=*/true);
  REQUIRE_MESSAGE(standby->available(), standby->why() << "\n" << primary->Log());

  bool ok = false;
  primary->Sql("CREATE TABLE acked (n bigint PRIMARY KEY)", &ok);
  REQUIRE(ok);
  // Each INSERT returns only once its commit is on the standby too.
  for (int i = 0; i < 50; ++i) {
    primary->Sql("INSERT INTO acked VALUES (" + std::to_string(i) + ")", &ok);
    REQUIRE(ok);
  }
  // Hot standby: readable, and not writable, while it follows.
  CHECK(standby->Sql("SELECT pg_is_in_recovery()") == "t\n");
  standby->Sql("INSERT INTO acked VALUES (1000)", &ok);
  CHECK_FALSE(ok);

  primary->Kill9();
  CHECK(primary->Sql("SELECT 1").empty());  // gone
  REQUIRE(standby->Promote());
  CHECK(standby->Sql("SELECT pg_is_in_recovery()") == "f\n");
  CHECK(standby->Sql("SELECT count(*), min(n), max(n) FROM acked") == "50|0|49\n");
  // The promoted standby takes writes.
  standby->Sql("INSERT INTO acked VALUES (50)", &ok);
  CHECK(ok);
}

TEST_CASE("postgres: a primary restarted after SIGKILL recovers every committed row") {
  auto primary = testing::PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*primary);
  bool ok = false;
  primary->Sql("CREATE TABLE t (n bigint)", &ok);
  REQUIRE(ok);
  primary->Sql("INSERT INTO t SELECT generate_series(1, 1000)", &ok);
  REQUIRE(ok);
  primary->Kill9();
  REQUIRE_MESSAGE(primary->Start(), primary->Log());
  CHECK(primary->Sql("SELECT count(*) FROM t") == "1000\n");
}

}  // namespace
}  // namespace candor
