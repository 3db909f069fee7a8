// PgConnection: one libpq connection (RAII over PGconn and PGresult) for the
// PostgreSQL log store (pg_store.h), with errors as one-line Status values:
//   - kUnavailable: the server is unreachable, refused us (authentication,
//     a missing database, too many connections), shut down, or is a standby
//     that takes no writes. The connection is then broken() and the owner
//     drops it, so that the next call connects again (and libpq's multi-host
//     strings then find the promoted primary).
//   - kInternal: a plpgsql RAISE (a broken REQUIRES: of the store).
//   - kIo: any other error the server reports.
//   - kUnavailable too when a write's COMMIT stopped waiting for the
//     synchronous standby (cancelled by an administrator, or the backend
//     asked to stop): PostgreSQL then reports success with only a WARNING,
//     though the transaction is on the primary alone; Exec turns that
//     warning into the error it is for the log (durability unknown).
// Messages are the first line of libpq's (a password is never in them).
//
// Parameters travel in binary (PgParam): int8, bytea, text and their
// one-dimensional arrays, so that a batch of 8192 entries is one
// PQexecParams with no escaping or hex encoding. Results come back in
// binary too (PgResult's accessors decode them).
//
// Thread-safety: a PgConnection is used by one thread at a time (libpq's
// rule); the caller's mutex guards it.
#ifndef CANDOR_LOG_PG_CONNECTION_H_
#define CANDOR_LOG_PG_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/status.h"

// libpq's opaque handles (libpq-fe.h), declared here so that this header does
// not need libpq's include directory (candor_log links libpq PRIVATE).
struct pg_conn;
struct pg_result;

namespace candor {

// One parameter of a statement, already in PostgreSQL's binary format.
struct PgParam {
  uint32_t type = 0;  // the parameter's type OID
  std::string data;   // its binary representation
  bool null = false;

  static PgParam Int8(int64_t v);
  static PgParam Bytea(ByteView v);
  static PgParam Text(std::string_view v);
  static PgParam Int8Array(const std::vector<int64_t>& v);
  static PgParam ByteaArray(const std::vector<ByteView>& v);
  static PgParam TextArray(const std::vector<std::string_view>& v);
};

// A query's rows, in binary format. Accessors REQUIRE row < rows() and
// column < columns(); they check the value's size (kInternal if the server
// sent another type than the query names).
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* r) : r_(r) {}

  int rows() const;
  int columns() const;
  bool IsNull(int row, int column) const;
  std::string_view Text(int row, int column) const;
  ByteView Bytes(int row, int column) const;
  Result<int64_t> Int8(int row, int column) const;
  Result<bool> Bool(int row, int column) const;
  Result<Hash> HashAt(int row, int column) const;

 private:
  struct Clear {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Clear> r_;
};

class PgConnection {
 public:
  // Connects (blocking, bounded by connect_timeout). `conninfo` is a libpq
  // connection string, keyword form or URI, multi-host included;
  // `connect_timeout_s` applies unless the string sets its own.
  // `statement_timeout_ms` > 0 bounds every statement of the session.
  // kUnavailable with libpq's first line when it fails.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo,
                                                       int connect_timeout_s,
                                                       int64_t statement_timeout_ms);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // One statement, one round trip (autocommit unless a transaction is open).
  Result<PgResult> Exec(const std::string& sql, const std::vector<PgParam>& params = {});
  // Several statements in one simple-protocol round trip (DDL); they run as
  // one implicit transaction. No parameters, no rows.
  Status ExecScript(const std::string& sql);

  // True once the connection is unusable (see kUnavailable above): drop it.
  bool broken() const { return broken_; }
  // The SQLSTATE of the last failed statement ("" if none).
  const std::string& last_sqlstate() const { return sqlstate_; }

 private:
  explicit PgConnection(pg_conn* c) : c_(c) {}
  Status Failure(pg_result* r, std::string_view what);
  static void OnNotice(void* self, const pg_result* notice);

  pg_conn* c_;
  bool broken_ = false;
  std::string sqlstate_;
  // The synchronous-replication warning of the current statement, if any.
  std::string sync_rep_warning_;
  // Statements with parameters are prepared once per connection, by their
  // text (the name is "c<n>"): the server parses and plans each once, not at
  // every call, which halves the cost of the index lookups admission makes
  // per submission (docs/PERFORMANCE.md "The log on PostgreSQL").
  std::unordered_map<std::string, std::string> prepared_;
};

// `conninfo` with any password removed, in keyword form, for messages and
// Describe(): "host=db1,db2 port=5432,5432 dbname=candor user=log".
std::string RedactConninfo(const std::string& conninfo);

// The first line of a libpq message, trimmed.
std::string FirstLine(std::string_view message);

}  // namespace candor

#endif  // CANDOR_LOG_PG_CONNECTION_H_
