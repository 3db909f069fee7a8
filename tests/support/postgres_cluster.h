// Test support: real PostgreSQL clusters made by the test itself (Debian's
// postgresql server binaries: initdb, pg_ctl, pg_basebackup), each in its own
// temporary directory and listening on 127.0.0.1 only, trust authentication
// for the local test user `candor`. A primary can be given a streaming
// replication standby (asynchronous or synchronous); a standby can be
// promoted; any server can be killed with SIGKILL, as a crash.
//
// PostgreSQL refuses to run as root, so under root (CI) the clusters belong
// to the `postgres` system user the Debian package creates, and every server
// command runs through runuser(1).
//
// Usage:
//   auto primary = PostgresCluster::Primary();     // initdb + start
//   CANDOR_SKIP_UNLESS_POSTGRES(*primary);         // or fails: CANDOR_REQUIRE_POSTGRES=1
//   auto standby = primary->AddStandby(/*synchronous=*/true);
//   PQconnectdb(primary->ConnectionString().c_str()) ...
//   primary->Kill9(); standby->Promote();
//
// Thread-safety: owned by one thread. The destructor stops the server (fast
// shutdown, then SIGKILL) and removes the directory.
#ifndef CANDOR_TESTS_SUPPORT_POSTGRES_CLUSTER_H_
#define CANDOR_TESTS_SUPPORT_POSTGRES_CLUSTER_H_

#include <memory>
#include <string>
#include <vector>

namespace candor::testing {

// True when CANDOR_REQUIRE_POSTGRES=1: a missing server is then a failure.
bool PostgresRequired();

class PostgresCluster {
 public:
  // initdb (database `candor`, owner `candor`, trust on 127.0.0.1), then
  // starts it on a free port. Never null: check available().
  static std::unique_ptr<PostgresCluster> Primary();
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  bool available() const { return available_; }
  // Why not available (one line), for the skip message.
  const std::string& why() const { return why_; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // A libpq connection string (keyword form) for this server.
  std::string ConnectionString() const;
  // The same as a URI, as `candor-log --storage postgres://...` takes it.
  std::string Uri() const;

  // pg_basebackup of this running server into a new cluster that streams
  // from it (-R), started on a free port. With `synchronous`, this server is
  // configured to wait for it at commit (synchronous_standby_names) and
  // reloaded, so a commit acknowledged here is on the standby too. Check
  // available() on the result.
  std::unique_ptr<PostgresCluster> AddStandby(bool synchronous);

  bool Start();
  // pg_ctl stop -m fast.
  bool Stop();
  // SIGKILL to the postmaster (a crash: no shutdown checkpoint); waits until
  // the port is closed.
  void Kill9();
  // pg_ctl promote -w: a standby becomes a primary.
  bool Promote();
  // Runs one SQL statement with psql; the output (unaligned, tuples only), or
  // "" with *ok false.
  std::string Sql(const std::string& statement, bool* ok = nullptr) const;
  // The server log (for a failing test's message).
  std::string Log() const;

 private:
  PostgresCluster() = default;
  bool Run(const std::vector<std::string>& argv, std::string* output = nullptr) const;

  std::string bin_;   // /usr/lib/postgresql/<version>/bin
  std::string dir_;   // the cluster's own temporary directory
  std::string data_;  // dir_/data
  int port_ = 0;
  bool as_postgres_ = false;  // run server commands as the postgres user
  bool available_ = false;
  std::string why_;
};

}  // namespace candor::testing

// In a test inside namespace candor: returns (skips) when the cluster is not
// available, or fails when CANDOR_REQUIRE_POSTGRES=1.
#define CANDOR_SKIP_UNLESS_POSTGRES(cluster)                                                    \
  if (!(cluster).available()) {                                                                 \
    if (testing::PostgresRequired()) FAIL("CANDOR_REQUIRE_POSTGRES=1 but " << (cluster).why()); \
    MESSAGE("SKIP: " << (cluster).why());                                                       \
    return;                                                                                     \
  }

#endif  // CANDOR_TESTS_SUPPORT_POSTGRES_CLUSTER_H_
