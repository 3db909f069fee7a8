// PgConnection (see pg_connection.h).
#include "candor/log/pg_connection.h"

#include <libpq-fe.h>

#include <cstring>

namespace candor {
namespace {

// Type OIDs (PostgreSQL's pg_type.dat; fixed since forever).
constexpr uint32_t kByteaOid = 17;
constexpr uint32_t kInt8Oid = 20;
constexpr uint32_t kTextOid = 25;
constexpr uint32_t kByteaArrayOid = 1001;
constexpr uint32_t kTextArrayOid = 1009;
constexpr uint32_t kInt8ArrayOid = 1016;

void PutU32(std::string& out, uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 4);
}

void PutU64(std::string& out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v >> 32));
  PutU32(out, static_cast<uint32_t>(v));
}

uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// The binary array format (array_send in arrayfuncs.c): ndim, has-nulls flag,
// element type, then per dimension its length and lower bound (1), then per
// element its length and bytes. An empty array has no dimensions.
std::string ArrayHeader(uint32_t element_type, size_t n) {
  std::string out;
  PutU32(out, n == 0 ? 0 : 1);
  PutU32(out, 0);
  PutU32(out, element_type);
  if (n != 0) {
    PutU32(out, static_cast<uint32_t>(n));
    PutU32(out, 1);
  }
  return out;
}

// SQLSTATEs that mean "this connection cannot serve us": class 08
// (connection exception), 57P01-57P05 (admin shutdown, crash shutdown,
// cannot connect now, ...), 53300 (too many connections) and 25006 (a read
// only transaction: we reached a standby, as after a failover without
// target_session_attrs=read-write).
bool ConnectionLevel(const std::string& state) {
  return state.starts_with("08") || state.starts_with("57P") || state == "53300" ||
         state == "25006";
}

}  // namespace

PgParam PgParam::Int8(int64_t v) {
  PgParam p{kInt8Oid, {}, false};
  PutU64(p.data, static_cast<uint64_t>(v));
  return p;
}

PgParam PgParam::Bytea(ByteView v) {
  return PgParam{kByteaOid, std::string(reinterpret_cast<const char*>(v.data()), v.size()), false};
}

PgParam PgParam::Text(std::string_view v) { return PgParam{kTextOid, std::string(v), false}; }

PgParam PgParam::Int8Array(const std::vector<int64_t>& v) {
  PgParam p{kInt8ArrayOid, ArrayHeader(kInt8Oid, v.size()), false};
  p.data.reserve(p.data.size() + v.size() * 12);
  for (int64_t x : v) {
    PutU32(p.data, 8);
    PutU64(p.data, static_cast<uint64_t>(x));
  }
  return p;
}

PgParam PgParam::ByteaArray(const std::vector<ByteView>& v) {
  PgParam p{kByteaArrayOid, ArrayHeader(kByteaOid, v.size()), false};
  size_t total = p.data.size();
  for (ByteView x : v) total += 4 + x.size();
  p.data.reserve(total);
  for (ByteView x : v) {
    PutU32(p.data, static_cast<uint32_t>(x.size()));
    p.data.append(reinterpret_cast<const char*>(x.data()), x.size());
  }
  return p;
}

PgParam PgParam::TextArray(const std::vector<std::string_view>& v) {
  PgParam p{kTextArrayOid, ArrayHeader(kTextOid, v.size()), false};
  for (std::string_view x : v) {
    PutU32(p.data, static_cast<uint32_t>(x.size()));
    p.data.append(x);
  }
  return p;
}

void PgResult::Clear::operator()(pg_result* r) const { PQclear(r); }

int PgResult::rows() const { return r_ ? PQntuples(r_.get()) : 0; }
int PgResult::columns() const { return r_ ? PQnfields(r_.get()) : 0; }
bool PgResult::IsNull(int row, int column) const { return PQgetisnull(r_.get(), row, column) != 0; }

std::string_view PgResult::Text(int row, int column) const {
  return std::string_view(PQgetvalue(r_.get(), row, column),
                          static_cast<size_t>(PQgetlength(r_.get(), row, column)));
}

ByteView PgResult::Bytes(int row, int column) const {
  return ByteView(reinterpret_cast<const uint8_t*>(PQgetvalue(r_.get(), row, column)),
                  static_cast<size_t>(PQgetlength(r_.get(), row, column)));
}

Result<int64_t> PgResult::Int8(int row, int column) const {
  if (IsNull(row, column) || PQgetlength(r_.get(), row, column) != 8) {
    return Status::Internal("the database sent no bigint in column " + std::to_string(column));
  }
  return static_cast<int64_t>(GetU64(PQgetvalue(r_.get(), row, column)));
}

Result<bool> PgResult::Bool(int row, int column) const {
  if (IsNull(row, column) || PQgetlength(r_.get(), row, column) != 1) {
    return Status::Internal("the database sent no boolean in column " + std::to_string(column));
  }
  return PQgetvalue(r_.get(), row, column)[0] != 0;
}

Result<Hash> PgResult::HashAt(int row, int column) const {
  ByteView b = Bytes(row, column);
  Hash h{};
  if (IsNull(row, column) || b.size() != h.size()) {
    return Status::Internal("the database holds a hash of " + std::to_string(b.size()) + " bytes");
  }
  std::memcpy(h.data(), b.data(), h.size());
  return h;
}

std::string FirstLine(std::string_view message) {
  const size_t nl = message.find('\n');
  if (nl != std::string_view::npos) message = message.substr(0, nl);
  while (!message.empty() && (message.back() == ' ' || message.back() == '\r')) {
    message.remove_suffix(1);
  }
  return std::string(message);
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo,
                                                            int connect_timeout_s,
                                                            int64_t statement_timeout_ms) {
  // libpq's parse errors quote the offending part of the string, which may be
  // the password: a string that does not parse is refused without detail.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (parse_error != nullptr) PQfreemem(parse_error);
  if (parsed == nullptr) {
    return Status::InvalidArgument("postgres: the connection string does not parse");
  }
  PQconninfoFree(parsed);
  // With expand_dbname, `dbname` is the whole connection string and its
  // keywords override the ones before it: our connect_timeout is a default
  // the string may change.
  const std::string timeout = std::to_string(connect_timeout_s);
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "candor-log", conninfo.c_str(), nullptr};
  pg_conn* c = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (c == nullptr) return Status::Unavailable("postgres: out of memory connecting");
  std::unique_ptr<PgConnection> conn(new PgConnection(c));
  if (PQstatus(c) != CONNECTION_OK) {
    return Status::Unavailable("postgres: " + FirstLine(PQerrorMessage(c)));
  }
  PQsetNoticeReceiver(c, &PgConnection::OnNotice, conn.get());
  if (statement_timeout_ms > 0) {
    CANDOR_RETURN_IF_ERROR(
        conn->ExecScript("SET statement_timeout = " + std::to_string(statement_timeout_ms)));
  }
  return conn;
}

PgConnection::~PgConnection() { PQfinish(c_); }

void PgConnection::OnNotice(void* self, const pg_result* notice) {
  // syncrep.c's warnings when a backend stops waiting for the standby:
  // "canceling wait for synchronous replication due to user request" (or
  // "... and terminating connection due to administrator command"), with
  // the detail "The transaction has already committed locally, but might not
  // have been replicated to the standby." Matched on the English text: a
  // server with another lc_messages is not recognized (docs/LOG.md).
  const char* primary = PQresultErrorField(notice, PG_DIAG_MESSAGE_PRIMARY);
  if (primary != nullptr && std::strstr(primary, "synchronous replication") != nullptr) {
    static_cast<PgConnection*>(self)->sync_rep_warning_ = FirstLine(primary);
  }
}

Status PgConnection::Failure(pg_result* r, std::string_view what) {
  sqlstate_.clear();
  std::string message;
  if (r != nullptr) {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state != nullptr) sqlstate_ = state;
    const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    message = primary != nullptr ? FirstLine(primary) : FirstLine(PQresultErrorMessage(r));
  }
  if (message.empty()) message = FirstLine(PQerrorMessage(c_));
  if (r != nullptr) PQclear(r);
  message = "postgres: " + std::string(what) + ": " + message;
  if (PQstatus(c_) != CONNECTION_OK || ConnectionLevel(sqlstate_)) {
    broken_ = true;
    return Status::Unavailable(std::move(message));
  }
  if (sqlstate_ == "P0001") return Status::Internal(std::move(message));
  return Status::Io(std::move(message));
}

Result<PgResult> PgConnection::Exec(const std::string& sql, const std::vector<PgParam>& params) {
  std::vector<unsigned> types(params.size());
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size(), 1);
  for (size_t i = 0; i < params.size(); ++i) {
    types[i] = params[i].type;
    values[i] = params[i].null ? nullptr : params[i].data.data();
    lengths[i] = static_cast<int>(params[i].data.size());
  }
  sync_rep_warning_.clear();
  pg_result* r = nullptr;
  if (params.empty()) {
    r = PQexecParams(c_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, /*resultFormat=*/1);
  } else {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      const std::string name = "c" + std::to_string(prepared_.size());
      pg_result* p = PQprepare(c_, name.c_str(), sql.c_str(), static_cast<int>(params.size()),
                               types.data());
      if (p == nullptr || PQresultStatus(p) != PGRES_COMMAND_OK) {
        return Failure(p, sql.substr(0, sql.find_first_of(" (")));
      }
      PQclear(p);
      it = prepared_.emplace(sql, name).first;
    }
    r = PQexecPrepared(c_, it->second.c_str(), static_cast<int>(params.size()), values.data(),
                       lengths.data(), formats.data(), /*resultFormat=*/1);
  }
  const ExecStatusType s = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r);
  if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
    // The statement's first word names it in the message ("SELECT", ...).
    return Failure(r, sql.substr(0, sql.find_first_of(" (")));
  }
  if (!sync_rep_warning_.empty()) {
    PQclear(r);
    return Status::Unavailable("postgres: committed on the primary only (" + sync_rep_warning_ +
                               ")");
  }
  return PgResult(r);
}

Status PgConnection::ExecScript(const std::string& sql) {
  pg_result* r = PQexec(c_, sql.c_str());
  // PQexec returns the last statement's result; an error stops the script.
  const ExecStatusType s = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r);
  if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) return Failure(r, "script");
  PQclear(r);
  return Status::Ok();
}

std::string RedactConninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    // The string itself may hold the password: say nothing of it.
    if (error != nullptr) PQfreemem(error);
    return "(an unparsable PostgreSQL connection string)";
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::strcmp(o->keyword, "password") == 0) continue;
    std::string value = o->val;
    bool quote = value.empty();
    std::string quoted;
    for (char ch : value) {
      if (ch == ' ' || ch == '\'' || ch == '\\') quote = true;
      if (ch == '\'' || ch == '\\') quoted.push_back('\\');
      quoted.push_back(ch);
    }
    if (!out.empty()) out += ' ';
    out += std::string(o->keyword) + "=" + (quote ? "'" + quoted + "'" : quoted);
  }
  PQconninfoFree(options);
  return out;
}

}  // namespace candor
