#include "candor/audit/index.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>

#include "candor/date.h"
#include "candor/note.h"

namespace candor::audit {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS state(id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL,
  root BLOB NOT NULL, checkpoint TEXT NOT NULL, edge BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS progress(id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL,
  edge BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS releases(log_index INTEGER PRIMARY KEY, leaf TEXT NOT NULL,
  vendor TEXT NOT NULL, vendor_key TEXT NOT NULL, version TEXT NOT NULL, rollback TEXT NOT NULL,
  image_sha256 TEXT NOT NULL, image_size INTEGER NOT NULL, issued INTEGER NOT NULL,
  changelog TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS releases_vendor ON releases(vendor, log_index);
CREATE TABLE IF NOT EXISTS products(log_index INTEGER NOT NULL, product TEXT NOT NULL,
  PRIMARY KEY(product, log_index)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS products_index ON products(log_index);
CREATE TABLE IF NOT EXISTS disclosures(log_index INTEGER NOT NULL, seq INTEGER NOT NULL,
  kind TEXT NOT NULL, value TEXT NOT NULL, effective TEXT,
  PRIMARY KEY(log_index, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS invalid(log_index INTEGER PRIMARY KEY, reason TEXT NOT NULL);
)sql";

std::string Col(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(s, i)) : "";
}

Bytes ColBlob(sqlite3_stmt* s, int i) {
  const uint8_t* p = static_cast<const uint8_t*>(sqlite3_column_blob(s, i));
  int n = sqlite3_column_bytes(s, i);
  return p ? Bytes(p, p + n) : Bytes();
}

void BindText(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// REQUIRES: `v` stays alive and unchanged until the statement is stepped
// (SQLITE_STATIC: SQLite reads the caller's buffer instead of copying it).
void BindStatic(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

// Rollback counters are u64; SQLite integers are signed 64-bit, so the index
// stores them as 20-digit zero-padded text, which also sorts correctly.
std::string PadU64(uint64_t v) {
  std::string s = std::to_string(v);
  return std::string(20 - s.size(), '0') + s;
}

uint64_t UnpadU64(const std::string& s) {
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

}  // namespace

Bytes EncodeEdge(const std::vector<std::vector<Hash>>& levels) {
  Bytes out;
  out.push_back(static_cast<uint8_t>(levels.size()));
  for (const auto& l : levels) {
    AppendU16BE(out, static_cast<uint16_t>(l.size()));
    for (const Hash& h : l) out.insert(out.end(), h.begin(), h.end());
  }
  return out;
}

Result<std::vector<std::vector<Hash>>> DecodeEdge(ByteView data) {
  std::vector<std::vector<Hash>> levels;
  if (data.empty()) return Status::Malformed("empty edge");
  size_t n = data[0], off = 1;
  if (n > 8) return Status::Malformed("edge: too many levels");
  for (size_t k = 0; k < n; ++k) {
    if (data.size() - off < 2) return Status::Malformed("edge: truncated");
    size_t c = (size_t{data[off]} << 8) | data[off + 1];
    off += 2;
    if (c >= 256 || data.size() - off < c * 32) return Status::Malformed("edge: bad level");
    std::vector<Hash> l(c);
    for (size_t j = 0; j < c; ++j) std::memcpy(l[j].data(), data.data() + off + 32 * j, 32);
    off += c * 32;
    levels.push_back(std::move(l));
  }
  if (off != data.size()) return Status::Malformed("edge: trailing bytes");
  return levels;
}

Result<std::unique_ptr<AuditIndex>> AuditIndex::Open(const std::string& path) {
  std::unique_ptr<AuditIndex> idx(new AuditIndex());
  if (sqlite3_open_v2(path.c_str(), &idx->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    return Status::Io("cannot open index " + path + ": " +
                      (idx->db_ ? sqlite3_errmsg(idx->db_) : "out of memory"));
  }
  sqlite3_busy_timeout(idx->db_, 10000);
  CANDOR_RETURN_IF_ERROR(idx->Exec("PRAGMA journal_mode=WAL"));
  CANDOR_RETURN_IF_ERROR(idx->Exec("PRAGMA synchronous=FULL"));
  CANDOR_RETURN_IF_ERROR(idx->Exec(kSchema));
  return idx;
}

AuditIndex::~AuditIndex() {
  for (auto& [sql, st] : cache_) sqlite3_finalize(st);
  if (db_) sqlite3_close(db_);
}

Status AuditIndex::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::Io("index: " + msg);
  }
  return Status::Ok();
}

Result<sqlite3_stmt*> AuditIndex::Stmt(const char* sql) {
  for (auto& [s, st] : cache_) {
    if (s == sql) {
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      return st;
    }
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) {
    return Status::Internal(std::string("index: prepare: ") + sqlite3_errmsg(db_));
  }
  cache_.emplace_back(sql, st);
  return st;
}

Status AuditIndex::Begin() { return Exec("BEGIN IMMEDIATE"); }
Status AuditIndex::Commit() { return Exec("COMMIT"); }
Status AuditIndex::Rollback() { return Exec("ROLLBACK"); }

Result<std::optional<MirrorState>> AuditIndex::State() {
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s,
                          Stmt("SELECT size, root, checkpoint, edge FROM state WHERE id = 1"));
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<MirrorState>();
  if (rc != SQLITE_ROW) return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  MirrorState m;
  m.size = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
  Bytes root = ColBlob(s, 1);
  if (root.size() != 32) return Status::Malformed("index: bad root in state");
  std::memcpy(m.root.data(), root.data(), 32);
  m.checkpoint = Col(s, 2);
  m.edge = ColBlob(s, 3);
  return std::optional<MirrorState>(std::move(m));
}

Result<std::optional<Progress>> AuditIndex::GetProgress() {
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt("SELECT size, edge FROM progress WHERE id = 1"));
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<Progress>();
  if (rc != SQLITE_ROW) return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  Progress p;
  p.size = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
  p.edge = ColBlob(s, 1);
  return std::optional<Progress>(std::move(p));
}

Status AuditIndex::SetState(const MirrorState& m) {
  CANDOR_ASSIGN_OR_RETURN(
      sqlite3_stmt * s,
      Stmt("INSERT OR REPLACE INTO state(id, size, root, checkpoint, edge) VALUES(1, ?, ?, ?, ?)"));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(m.size));
  sqlite3_bind_blob(s, 2, m.root.data(), 32, SQLITE_TRANSIENT);
  BindText(s, 3, m.checkpoint);
  sqlite3_bind_blob(s, 4, m.edge.data(), static_cast<int>(m.edge.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(s) != SQLITE_DONE)
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  return Exec("DELETE FROM progress");
}

Status AuditIndex::SetProgress(const Progress& p) {
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s,
                          Stmt("INSERT OR REPLACE INTO progress(id, size, edge) VALUES(1, ?, ?)"));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(p.size));
  sqlite3_bind_blob(s, 2, p.edge.data(), static_cast<int>(p.edge.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(s) != SQLITE_DONE)
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  return Status::Ok();
}

Status AuditIndex::DeleteFrom(uint64_t from) {
  for (const char* sql :
       {"DELETE FROM releases WHERE log_index >= ?", "DELETE FROM products WHERE log_index >= ?",
        "DELETE FROM disclosures WHERE log_index >= ?",
        "DELETE FROM invalid WHERE log_index >= ?"}) {
    CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql));
    sqlite3_bind_int64(s, 1, static_cast<int64_t>(from));
    if (sqlite3_step(s) != SQLITE_DONE) {
      return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
    }
  }
  return Status::Ok();
}

Status AuditIndex::AddRelease(uint64_t log_index, const Hash& leaf, const ReleaseEntry& e) {
  const Manifest& m = e.manifest;
  CANDOR_ASSIGN_OR_RETURN(
      sqlite3_stmt * s,
      Stmt("INSERT INTO releases(log_index, leaf, vendor, vendor_key, version, rollback, "
           "image_sha256, image_size, issued, changelog) "
           "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  if (last_key_text_.empty() || !(m.vendor_key == last_key_)) {
    last_key_ = m.vendor_key;
    last_key_text_ = FormatVerifierKey(m.vendor_key);
  }
  // Bound without copies (BindStatic): every string outlives the step below.
  const std::string leaf_hex = HexEncode(leaf);
  const std::string rollback = PadU64(m.rollback);
  const std::string image_hex = HexEncode(m.image_sha256);
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(log_index));
  BindStatic(s, 2, leaf_hex);
  BindStatic(s, 3, m.vendor);
  BindStatic(s, 4, last_key_text_);
  BindStatic(s, 5, m.version);
  BindStatic(s, 6, rollback);
  BindStatic(s, 7, image_hex);
  sqlite3_bind_int64(s, 8, static_cast<int64_t>(m.image_size));
  sqlite3_bind_int64(s, 9, m.issued);
  BindStatic(s, 10, e.changelog);
  if (sqlite3_step(s) != SQLITE_DONE)
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  for (const std::string& p : m.products) {
    CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * ps,
                            Stmt("INSERT INTO products(log_index, product) VALUES(?, ?)"));
    sqlite3_bind_int64(ps, 1, static_cast<int64_t>(log_index));
    BindStatic(ps, 2, p);
    if (sqlite3_step(ps) != SQLITE_DONE) {
      return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
    }
  }
  int seq = 0;
  for (const Disclosure& d : m.disclosures) {
    CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * ds,
                            Stmt("INSERT INTO disclosures(log_index, seq, kind, value, effective) "
                                 "VALUES(?, ?, ?, ?, ?)"));
    sqlite3_bind_int64(ds, 1, static_cast<int64_t>(log_index));
    sqlite3_bind_int(ds, 2, seq++);
    BindStatic(ds, 3, d.kind);
    BindStatic(ds, 4, d.value);
    std::string effective;
    if (d.effective) {
      effective = FormatDate(*d.effective);
      BindStatic(ds, 5, effective);
    } else {
      sqlite3_bind_null(ds, 5);
    }
    if (sqlite3_step(ds) != SQLITE_DONE) {
      return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
    }
  }
  return Status::Ok();
}

Status AuditIndex::AddInvalid(uint64_t log_index, const std::string& reason) {
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s,
                          Stmt("INSERT OR REPLACE INTO invalid(log_index, reason) VALUES(?, ?)"));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(log_index));
  BindText(s, 2, reason);
  if (sqlite3_step(s) != SQLITE_DONE)
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  return Status::Ok();
}

Status AuditIndex::FillDetails(ReleaseRow& r, bool /*with_text*/) {
  CANDOR_ASSIGN_OR_RETURN(
      sqlite3_stmt * ps, Stmt("SELECT product FROM products WHERE log_index = ? ORDER BY product"));
  sqlite3_bind_int64(ps, 1, static_cast<int64_t>(r.log_index));
  while (sqlite3_step(ps) == SQLITE_ROW) r.products.push_back(Col(ps, 0));
  CANDOR_ASSIGN_OR_RETURN(
      sqlite3_stmt * ds,
      Stmt("SELECT kind, value, effective FROM disclosures WHERE log_index = ? ORDER BY seq"));
  sqlite3_bind_int64(ds, 1, static_cast<int64_t>(r.log_index));
  while (sqlite3_step(ds) == SQLITE_ROW) {
    Disclosure d;
    d.kind = Col(ds, 0);
    d.value = Col(ds, 1);
    if (sqlite3_column_type(ds, 2) != SQLITE_NULL) {
      auto date = ParseDate(Col(ds, 2));
      if (!date.ok()) return Status::Malformed("index: bad effective date");
      d.effective = *date;
    }
    r.disclosures.push_back(std::move(d));
  }
  return Status::Ok();
}

namespace {
constexpr const char* kSelectRelease =
    "SELECT log_index, leaf, vendor, vendor_key, version, rollback, image_sha256, image_size, "
    "issued, changelog FROM releases ";

ReleaseRow ReadRow(sqlite3_stmt* s, bool with_text) {
  ReleaseRow r;
  r.log_index = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
  r.leaf_hex = Col(s, 1);
  r.vendor = Col(s, 2);
  r.vendor_key = Col(s, 3);
  r.version = Col(s, 4);
  r.rollback = UnpadU64(Col(s, 5));
  r.image_sha256 = Col(s, 6);
  r.image_size = static_cast<uint64_t>(sqlite3_column_int64(s, 7));
  r.issued = sqlite3_column_int64(s, 8);
  if (with_text) {
    r.changelog = Col(s, 9);
  }
  return r;
}
}  // namespace

Result<std::vector<ReleaseRow>> AuditIndex::Releases(const ReleaseFilter& f, uint64_t below) {
  // Filters are applied in C++ over a log-ordered scan, except the index range:
  // simple and fast enough for an auditor's mirror.
  static const std::string sql =
      std::string(kSelectRelease) + "WHERE log_index >= ? AND log_index < ? ORDER BY log_index";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(f.min_index));
  sqlite3_bind_int64(s, 2, static_cast<int64_t>(below));
  std::vector<ReleaseRow> rows;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    ReleaseRow r = ReadRow(s, f.with_text);
    if (!f.vendors.empty() &&
        std::find(f.vendors.begin(), f.vendors.end(), r.vendor) == f.vendors.end()) {
      continue;
    }
    rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  std::vector<ReleaseRow> out;
  for (ReleaseRow& r : rows) {
    CANDOR_RETURN_IF_ERROR(FillDetails(r, f.with_text));
    if (!f.products.empty()) {
      bool any = false;
      for (const auto& p : r.products) {
        any = any || std::find(f.products.begin(), f.products.end(), p) != f.products.end();
      }
      if (!any) continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<ReleaseRow>> AuditIndex::ByIndex(uint64_t log_index, uint64_t below) {
  if (log_index >= below) return std::optional<ReleaseRow>();
  static const std::string sql = std::string(kSelectRelease) + "WHERE log_index = ?";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(log_index));
  if (sqlite3_step(s) != SQLITE_ROW) return std::optional<ReleaseRow>();
  ReleaseRow r = ReadRow(s, true);
  CANDOR_RETURN_IF_ERROR(FillDetails(r, true));
  return std::optional<ReleaseRow>(std::move(r));
}

Result<std::vector<ReleaseRow>> AuditIndex::ForProduct(const std::string& vendor,
                                                       const std::string& product, uint64_t below) {
  static const std::string sql =
      "SELECT r.log_index, r.leaf, r.vendor, r.vendor_key, r.version, r.rollback, "
      "r.image_sha256, r.image_size, r.issued, r.changelog FROM products p "
      "JOIN releases r ON r.log_index = p.log_index "
      "WHERE p.product = ? AND r.vendor = ? AND r.log_index < ? ORDER BY r.log_index";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  BindText(s, 1, product);
  BindText(s, 2, vendor);
  sqlite3_bind_int64(s, 3, static_cast<int64_t>(below));
  std::vector<ReleaseRow> rows;
  while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(ReadRow(s, true));
  for (ReleaseRow& r : rows) CANDOR_RETURN_IF_ERROR(FillDetails(r, true));
  return rows;
}

Result<std::vector<InvalidRow>> AuditIndex::Invalid(uint64_t below) {
  CANDOR_ASSIGN_OR_RETURN(
      sqlite3_stmt * s,
      Stmt("SELECT log_index, reason FROM invalid WHERE log_index < ? ORDER BY log_index"));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(below));
  std::vector<InvalidRow> out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    out.push_back({static_cast<uint64_t>(sqlite3_column_int64(s, 0)), Col(s, 1)});
  }
  return out;
}

}  // namespace candor::audit
