#include "candor/audit/index.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>

#include "candor/date.h"
#include "candor/note.h"

namespace candor::audit {
namespace {

// Format 3 (PRAGMA user_version): hashes as 32-byte BLOBs, vendor keys in their
// own table, no secondary index the commands do not use. Every entry of a sync
// writes a releases row and its products rows, so a lean row is most of what
// indexing costs (docs/PERFORMANCE.md "candor audit"). Format 3 added
// releases.logged (when the auditor first saw the entry logged), which format
// 2 cannot supply after the fact: a format-2 index is refused with the re-sync
// advice below. Format 4 added trust_roots (the log's second entry type); a
// format-3 index is upgraded in place when it holds no invalid entry, since a
// format-3 sync recorded a trust root as an invalid entry (CheckNoInvalid).
// Format 5 added releases_image, the one secondary index: `candor audit find`
// answers "which release is this image?" without scanning the log. Format 6
// added release_signers (k-of-n releases, docs/FORMATS.md "Signer list"):
// rows only for a release whose signer list has more than its vendor key, so
// a single-signer release costs nothing more to index. A format-4 index is
// upgraded in place: the B-tree is built from the rows it has, and the signer
// table starts empty, since no log accepted a release with a signer list
// before format 6 (format 5 was never released). Format 7 added observations
// (the log's third entry type, docs/AUDIT.md "Observations"): a format-4 or -6
// index is upgraded in place like a format-3 one, only when it holds no
// invalid entry, since an older sync filed each observation as an invalid
// entry (CheckNoInvalid).
constexpr int kFormat = 7;
constexpr const char* kObservationsTable = R"sql(
CREATE TABLE IF NOT EXISTS observations(log_index INTEGER PRIMARY KEY, leaf BLOB NOT NULL,
  observer TEXT NOT NULL, observer_key TEXT NOT NULL, release_index INTEGER NOT NULL,
  release_leaf BLOB NOT NULL, product TEXT NOT NULL, observed INTEGER NOT NULL,
  findings TEXT NOT NULL, evidence BLOB NOT NULL, summary TEXT NOT NULL,
  logged INTEGER NOT NULL, target_error TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS observations_release ON observations(release_index);
)sql";
constexpr const char* kImageIndex =
    "CREATE INDEX IF NOT EXISTS releases_image ON releases(image_sha256);";
constexpr const char* kReleaseSignersTable = R"sql(
CREATE TABLE IF NOT EXISTS release_signers(log_index INTEGER NOT NULL, seq INTEGER NOT NULL,
  vendor_key INTEGER NOT NULL, signed INTEGER NOT NULL,
  PRIMARY KEY(log_index, seq)) WITHOUT ROWID;
)sql";
constexpr const char* kTrustRootsTable = R"sql(
CREATE TABLE IF NOT EXISTS trust_roots(log_index INTEGER PRIMARY KEY, leaf BLOB NOT NULL,
  domain TEXT NOT NULL, version INTEGER NOT NULL, expires INTEGER NOT NULL,
  root_threshold INTEGER NOT NULL, root_keys TEXT NOT NULL, policy TEXT NOT NULL,
  note TEXT NOT NULL, logged INTEGER NOT NULL, follows INTEGER NOT NULL,
  chain_flag TEXT NOT NULL, chain_error TEXT NOT NULL);
)sql";
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS state(id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL,
  root BLOB NOT NULL, checkpoint TEXT NOT NULL, edge BLOB NOT NULL,
  witnessed_at INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS progress(id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL,
  edge BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS vendor_keys(id INTEGER PRIMARY KEY, vkey TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS releases(log_index INTEGER PRIMARY KEY, leaf BLOB NOT NULL,
  vendor TEXT NOT NULL, vendor_key INTEGER NOT NULL, version TEXT NOT NULL,
  rollback INTEGER NOT NULL, image_sha256 BLOB NOT NULL, image_size INTEGER NOT NULL,
  issued INTEGER NOT NULL, logged INTEGER NOT NULL, changelog TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS products(log_index INTEGER NOT NULL, product TEXT NOT NULL,
  PRIMARY KEY(product, log_index)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS disclosures(log_index INTEGER NOT NULL, seq INTEGER NOT NULL,
  kind TEXT NOT NULL, value TEXT NOT NULL, effective TEXT,
  PRIMARY KEY(log_index, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS invalid(log_index INTEGER PRIMARY KEY, reason TEXT NOT NULL);
)sql";

// The root_keys column: one vkey per "\n"-terminated line (AddTrustRoot).
std::vector<std::string> KeyLines(std::string_view text) {
  std::vector<std::string> out;
  std::string_view line;
  while (ConsumeLine(text, line)) out.emplace_back(line);
  return out;
}

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

// A hash column: exactly 32 bytes, else the row is damaged.
bool ColHash(sqlite3_stmt* s, int i, Hash& out) {
  if (sqlite3_column_type(s, i) != SQLITE_BLOB || sqlite3_column_bytes(s, i) != 32) return false;
  std::memcpy(out.data(), sqlite3_column_blob(s, i), 32);
  return true;
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
    size_t c = ReadU16BE(data.data() + off);
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
  CANDOR_ASSIGN_OR_RETURN(const Setup setup, idx->CheckFormat(path));
  if (setup != Setup::kNone) {
    // Created (or upgraded) and stamped atomically. An index of the current
    // format is not written on open, so readers can open it while a sync holds
    // the write lock.
    CANDOR_RETURN_IF_ERROR(idx->Exec("BEGIN IMMEDIATE"));
    Status st = setup == Setup::kCreate ? idx->Exec(kSchema) : idx->CheckNoInvalid(path);
    if (st.ok()) st = idx->Exec(kTrustRootsTable);
    if (st.ok()) st = idx->Exec(kImageIndex);
    if (st.ok()) st = idx->Exec(kReleaseSignersTable);
    if (st.ok()) st = idx->Exec(kObservationsTable);
    if (st.ok()) st = idx->Exec(("PRAGMA user_version = " + std::to_string(kFormat)).c_str());
    if (st.ok()) st = idx->Commit();
    if (!st.ok()) {
      (void)idx->Exec("ROLLBACK");
      return st;
    }
  }
  return idx;
}

// kCreate for a new, empty database, kMigrate for formats 3, 4 and 6 (only
// new tables, each refused when it holds an invalid entry). A database of
// another format is refused, never reinterpreted: its rows would be read
// wrongly (format 1 kept hashes as hex text).
Result<AuditIndex::Setup> AuditIndex::CheckFormat(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt("PRAGMA user_version"));
  if (sqlite3_step(s) != SQLITE_ROW)
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  const int64_t format = sqlite3_column_int64(s, 0);
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * t,
                          Stmt("SELECT count(*) FROM sqlite_master WHERE name = 'releases'"));
  if (sqlite3_step(t) != SQLITE_ROW)
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  const bool populated = sqlite3_column_int64(t, 0) != 0;
  if (format == kFormat) return Setup::kNone;
  if (format == 0 && !populated) return Setup::kCreate;
  if (format == 3 || format == 4 || format == 6) return Setup::kMigrate;
  return Status::Malformed(
      "index " + path + " has format " + std::to_string(format == 0 ? 1 : format) +
      ", this candor reads format " + std::to_string(kFormat) +
      (format < kFormat ? "; sync into a new directory (the old mirror can serve as the log: "
                          "candor audit sync --log OLD_MIRROR ...)"
                        : "; it was written by a newer candor"));
}

// An upgrade inside the caller's transaction only adds tables. A format-3
// sync filed each trust root entry under `invalid` ("not a release entry"),
// and a sync before format 7 each observation; such an index cannot be
// upgraded without re-reading those entries, so it is refused with the
// re-sync advice.
Status AuditIndex::CheckNoInvalid(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * f, Stmt("PRAGMA user_version"));
  if (sqlite3_step(f) != SQLITE_ROW)
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  const int64_t format = sqlite3_column_int64(f, 0);
  sqlite3_reset(f);
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt("SELECT count(*) FROM invalid"));
  if (sqlite3_step(s) != SQLITE_ROW)
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  const int64_t invalid = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if (invalid != 0) {
    return Status::Malformed(
        "index " + path + " has format " + std::to_string(format) +
        " and invalid entries, which may be " +
        (format == 3 ? "trust roots or observations" : "observations") + " that format " +
        std::to_string(format) +
        " could not index; sync into a new directory (the old "
        "mirror can serve as the log: candor audit sync --log OLD_MIRROR ...)");
  }
  return Status::Ok();
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
Status AuditIndex::Commit() {
  Status st = Exec("COMMIT");
  if (!st.ok()) key_ids_.clear();  // the transaction may be gone with its new ids
  return st;
}
Status AuditIndex::Rollback() {
  key_ids_.clear();  // ids inserted by the rolled-back transaction are gone
  return Exec("ROLLBACK");
}

Result<std::optional<MirrorState>> AuditIndex::State() {
  CANDOR_ASSIGN_OR_RETURN(
      sqlite3_stmt * s,
      Stmt("SELECT size, root, checkpoint, edge, witnessed_at FROM state WHERE id = 1"));
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
  m.witnessed_at = sqlite3_column_int64(s, 4);
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
      Stmt("INSERT OR REPLACE INTO state(id, size, root, checkpoint, edge, witnessed_at) "
           "VALUES(1, ?, ?, ?, ?, ?)"));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(m.size));
  sqlite3_bind_blob(s, 2, m.root.data(), 32, SQLITE_TRANSIENT);
  BindText(s, 3, m.checkpoint);
  sqlite3_bind_blob(s, 4, m.edge.data(), static_cast<int>(m.edge.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 5, m.witnessed_at);
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
  // products is keyed (product, log_index), so deleting by log_index scans it:
  // done only when an abandoned sync did leave rows (rare), not on every sync.
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * q,
                          Stmt("SELECT 1 FROM releases WHERE log_index >= ? LIMIT 1"));
  sqlite3_bind_int64(q, 1, static_cast<int64_t>(from));
  int rc = sqlite3_step(q);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  }
  const bool releases_left = rc == SQLITE_ROW;
  sqlite3_reset(q);
  std::vector<const char*> deletes = {
      "DELETE FROM releases WHERE log_index >= ?", "DELETE FROM disclosures WHERE log_index >= ?",
      "DELETE FROM invalid WHERE log_index >= ?", "DELETE FROM trust_roots WHERE log_index >= ?",
      "DELETE FROM observations WHERE log_index >= ?"};
  if (releases_left) deletes.push_back("DELETE FROM products WHERE log_index >= ?");
  for (const char* sql : deletes) {
    CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql));
    sqlite3_bind_int64(s, 1, static_cast<int64_t>(from));
    if (sqlite3_step(s) != SQLITE_DONE) {
      return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
    }
  }
  return Status::Ok();
}

Result<int64_t> AuditIndex::VendorKeyId(const VerifierKey& key) {
  for (const auto& [k, id] : key_ids_) {
    if (k == key) return id;
  }
  const std::string text = FormatVerifierKey(key);
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt("SELECT id FROM vendor_keys WHERE vkey = ?"));
  BindStatic(s, 1, text);
  int64_t id;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    id = sqlite3_column_int64(s, 0);
  } else if (rc == SQLITE_DONE) {
    CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * ins, Stmt("INSERT INTO vendor_keys(vkey) VALUES(?)"));
    BindStatic(ins, 1, text);
    if (sqlite3_step(ins) != SQLITE_DONE) {
      return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
    }
    id = sqlite3_last_insert_rowid(db_);
  } else {
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  }
  // A log's releases come from few vendors; a small list, newest first.
  if (key_ids_.size() == kKeyCacheSize) key_ids_.pop_back();
  key_ids_.insert(key_ids_.begin(), {key, id});
  return id;
}

Status AuditIndex::AddRelease(uint64_t log_index, const Hash& leaf, const ReleaseEntry& e,
                              int64_t logged) {
  const Manifest& m = e.manifest;
  CANDOR_ASSIGN_OR_RETURN(const int64_t key_id, VendorKeyId(m.vendor_key));
  CANDOR_ASSIGN_OR_RETURN(
      sqlite3_stmt * s,
      Stmt("INSERT INTO releases(log_index, leaf, vendor, vendor_key, version, rollback, "
           "image_sha256, image_size, issued, logged, changelog) "
           "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  // Bound without copies (SQLITE_STATIC): every buffer outlives the step below.
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(log_index));
  sqlite3_bind_blob(s, 2, leaf.data(), 32, SQLITE_STATIC);
  BindStatic(s, 3, m.vendor);
  sqlite3_bind_int64(s, 4, key_id);
  BindStatic(s, 5, m.version);
  // u64 in SQLite's signed 64-bit integer: stored two's complement, read back
  // as u64 (the index never compares rollback counters in SQL).
  sqlite3_bind_int64(s, 6, static_cast<int64_t>(m.rollback));
  sqlite3_bind_blob(s, 7, m.image_sha256.data(), 32, SQLITE_STATIC);
  sqlite3_bind_int64(s, 8, static_cast<int64_t>(m.image_size));
  sqlite3_bind_int64(s, 9, m.issued);
  sqlite3_bind_int64(s, 10, logged);
  BindStatic(s, 11, e.changelog);
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
  if (!m.cosigners.empty()) {
    int seq = 0;
    for (const VerifierKey& k : SignerList(m)) {
      CANDOR_ASSIGN_OR_RETURN(const int64_t signer_id, VendorKeyId(k));
      CANDOR_ASSIGN_OR_RETURN(
          sqlite3_stmt * ss, Stmt("INSERT INTO release_signers(log_index, seq, vendor_key, signed) "
                                  "VALUES(?, ?, ?, ?)"));
      sqlite3_bind_int64(ss, 1, static_cast<int64_t>(log_index));
      sqlite3_bind_int(ss, 2, seq++);
      sqlite3_bind_int64(ss, 3, signer_id);
      sqlite3_bind_int(
          ss, 4, std::find(e.signed_by.begin(), e.signed_by.end(), k) != e.signed_by.end() ? 1 : 0);
      if (sqlite3_step(ss) != SQLITE_DONE) {
        return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
      }
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

Status AuditIndex::AddTrustRoot(const TrustRootRow& r, const Hash& leaf) {
  CANDOR_ASSIGN_OR_RETURN(
      sqlite3_stmt * s,
      Stmt("INSERT INTO trust_roots(log_index, leaf, domain, version, expires, root_threshold, "
           "root_keys, policy, note, logged, follows, chain_flag, chain_error) "
           "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  std::string keys;
  for (const std::string& k : r.root_keys) keys += k + "\n";
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(r.log_index));
  sqlite3_bind_blob(s, 2, leaf.data(), 32, SQLITE_STATIC);
  BindStatic(s, 3, r.domain);
  // A version is at most 2^63-1 (docs/FORMATS.md "Trust root"): fits int64.
  sqlite3_bind_int64(s, 4, static_cast<int64_t>(r.version));
  sqlite3_bind_int64(s, 5, r.expires);
  sqlite3_bind_int64(s, 6, static_cast<int64_t>(r.root_threshold));
  BindStatic(s, 7, keys);
  BindStatic(s, 8, r.policy);
  BindStatic(s, 9, r.note);
  sqlite3_bind_int64(s, 10, r.logged);
  sqlite3_bind_int(s, 11, r.follows ? 1 : 0);
  BindStatic(s, 12, r.chain_flag);
  BindStatic(s, 13, r.chain_error);
  if (sqlite3_step(s) != SQLITE_DONE)
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  return Status::Ok();
}

Status AuditIndex::AddObservation(const ObservationRow& r, const Hash& leaf) {
  auto release_leaf = HexDecodeHash(r.release_leaf);
  auto evidence = HexDecodeHash(r.evidence_sha256);
  if (!release_leaf.ok() || !evidence.ok()) {
    return Status::Internal("index: observation " + std::to_string(r.log_index) + ": bad hash");
  }
  CANDOR_ASSIGN_OR_RETURN(
      sqlite3_stmt * s,
      Stmt("INSERT INTO observations(log_index, leaf, observer, observer_key, release_index, "
           "release_leaf, product, observed, findings, evidence, summary, logged, target_error) "
           "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  // The findings column: one canonical disclosure line each, "\n"-terminated.
  std::string findings;
  for (const Disclosure& d : r.findings) findings += FormatDisclosureLine(d) + "\n";
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(r.log_index));
  sqlite3_bind_blob(s, 2, leaf.data(), 32, SQLITE_STATIC);
  BindStatic(s, 3, r.observer);
  BindStatic(s, 4, r.observer_key);
  // An index the log admitted is below its size: fits int64.
  sqlite3_bind_int64(s, 5, static_cast<int64_t>(r.release_index));
  sqlite3_bind_blob(s, 6, release_leaf->data(), 32, SQLITE_STATIC);
  BindStatic(s, 7, r.product);
  sqlite3_bind_int64(s, 8, r.observed);
  BindStatic(s, 9, findings);
  sqlite3_bind_blob(s, 10, evidence->data(), 32, SQLITE_STATIC);
  BindStatic(s, 11, r.summary);
  sqlite3_bind_int64(s, 12, r.logged);
  BindStatic(s, 13, r.target_error);
  if (sqlite3_step(s) != SQLITE_DONE)
    return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  return Status::Ok();
}

Status AuditIndex::FillDetails(ReleaseRow& r, bool /*with_text*/) {
  // The signer list: its rows, or (none: a single-signer release) the
  // vendor key alone, which signed.
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * ss,
                          Stmt("SELECT k.vkey, s.signed FROM release_signers s JOIN vendor_keys k "
                               "ON k.id = s.vendor_key WHERE s.log_index = ? ORDER BY s.seq"));
  sqlite3_bind_int64(ss, 1, static_cast<int64_t>(r.log_index));
  while (sqlite3_step(ss) == SQLITE_ROW) {
    r.signers.push_back(Col(ss, 0));
    if (sqlite3_column_int(ss, 1) != 0) r.signed_by.push_back(Col(ss, 0));
  }
  if (r.signers.empty()) {
    r.signers = {r.vendor_key};
    r.signed_by = {r.vendor_key};
  }
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
    "SELECT r.log_index, r.leaf, r.vendor, k.vkey, r.version, r.rollback, r.image_sha256, "
    "r.image_size, r.issued, r.logged, r.changelog FROM releases r JOIN vendor_keys k ON k.id = "
    "r.vendor_key ";

Result<ReleaseRow> ReadRow(sqlite3_stmt* s, bool with_text) {
  ReleaseRow r;
  r.log_index = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
  Hash leaf, image;
  if (!ColHash(s, 1, leaf) || !ColHash(s, 6, image)) {
    return Status::Malformed("index: bad hash in release " + std::to_string(r.log_index));
  }
  r.leaf_hex = HexEncode(leaf);
  r.vendor = Col(s, 2);
  r.vendor_key = Col(s, 3);
  r.version = Col(s, 4);
  r.rollback = static_cast<uint64_t>(sqlite3_column_int64(s, 5));
  r.image_sha256 = HexEncode(image);
  r.image_size = static_cast<uint64_t>(sqlite3_column_int64(s, 7));
  r.issued = sqlite3_column_int64(s, 8);
  r.logged = sqlite3_column_int64(s, 9);
  if (with_text) {
    r.changelog = Col(s, 10);
  }
  return r;
}
}  // namespace

Result<std::vector<ReleaseRow>> AuditIndex::Releases(const ReleaseFilter& f, uint64_t below) {
  // Filters are applied in C++ over a log-ordered scan, except the index range:
  // simple and fast enough for an auditor's mirror.
  static const std::string sql = std::string(kSelectRelease) +
                                 "WHERE r.log_index >= ? AND r.log_index < ? ORDER BY r.log_index";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(f.min_index));
  sqlite3_bind_int64(s, 2, static_cast<int64_t>(below));
  std::vector<ReleaseRow> rows;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    CANDOR_ASSIGN_OR_RETURN(ReleaseRow r, ReadRow(s, f.with_text));
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

// Every row of `s` (a kSelectRelease query, bound), then their products and
// disclosures: after the scan, since FillDetails steps other statements.
Result<std::vector<ReleaseRow>> AuditIndex::ReadRows(sqlite3_stmt* s, bool with_text) {
  std::vector<ReleaseRow> rows;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    CANDOR_ASSIGN_OR_RETURN(ReleaseRow r, ReadRow(s, with_text));
    rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  for (ReleaseRow& r : rows) CANDOR_RETURN_IF_ERROR(FillDetails(r, with_text));
  return rows;
}

Result<std::vector<ReleaseRow>> AuditIndex::ByImage(const Hash& image_sha256, uint64_t below) {
  // releases_image turns this into a B-tree lookup (format 5).
  static const std::string sql =
      std::string(kSelectRelease) +
      "WHERE r.image_sha256 = ? AND r.log_index < ? ORDER BY r.log_index";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  sqlite3_bind_blob(s, 1, image_sha256.data(), 32, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, static_cast<int64_t>(below));
  return ReadRows(s, false);
}

Result<std::optional<ReleaseRow>> AuditIndex::ByIndex(uint64_t log_index, uint64_t below) {
  if (log_index >= below) return std::optional<ReleaseRow>();
  static const std::string sql = std::string(kSelectRelease) + "WHERE r.log_index = ?";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(log_index));
  if (sqlite3_step(s) != SQLITE_ROW) return std::optional<ReleaseRow>();
  CANDOR_ASSIGN_OR_RETURN(ReleaseRow r, ReadRow(s, true));
  CANDOR_RETURN_IF_ERROR(FillDetails(r, true));
  return std::optional<ReleaseRow>(std::move(r));
}

Result<std::vector<ReleaseRow>> AuditIndex::ForProduct(const std::string& vendor,
                                                       const std::string& product, uint64_t below) {
  static const std::string sql =
      "SELECT r.log_index, r.leaf, r.vendor, k.vkey, r.version, r.rollback, "
      "r.image_sha256, r.image_size, r.issued, r.logged, r.changelog FROM products p "
      "JOIN releases r ON r.log_index = p.log_index JOIN vendor_keys k ON k.id = r.vendor_key "
      "WHERE p.product = ? AND r.vendor = ? AND r.log_index < ? ORDER BY r.log_index";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  BindText(s, 1, product);
  BindText(s, 2, vendor);
  sqlite3_bind_int64(s, 3, static_cast<int64_t>(below));
  return ReadRows(s, true);
}

namespace {
constexpr const char* kSelectTrustRoot =
    "SELECT log_index, leaf, domain, version, expires, root_threshold, root_keys, policy, note, "
    "logged, follows, chain_flag, chain_error FROM trust_roots ";

Result<TrustRootRow> ReadTrustRoot(sqlite3_stmt* s) {
  TrustRootRow r;
  r.log_index = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
  Hash leaf;
  if (!ColHash(s, 1, leaf)) {
    return Status::Malformed("index: bad hash in trust root " + std::to_string(r.log_index));
  }
  r.leaf_hex = HexEncode(leaf);
  r.domain = Col(s, 2);
  r.version = static_cast<uint64_t>(sqlite3_column_int64(s, 3));
  r.expires = sqlite3_column_int64(s, 4);
  r.root_threshold = static_cast<uint64_t>(sqlite3_column_int64(s, 5));
  r.root_keys = KeyLines(Col(s, 6));
  r.policy = Col(s, 7);
  r.note = Col(s, 8);
  r.logged = sqlite3_column_int64(s, 9);
  r.follows = sqlite3_column_int(s, 10) != 0;
  r.chain_flag = Col(s, 11);
  r.chain_error = Col(s, 12);
  return r;
}
}  // namespace

Result<std::vector<TrustRootRow>> AuditIndex::TrustRoots(uint64_t below,
                                                         const std::string& domain) {
  static const std::string sql =
      std::string(kSelectTrustRoot) +
      "WHERE log_index < ? AND (? = '' OR domain = ?) ORDER BY log_index";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(below));
  BindText(s, 2, domain);
  BindText(s, 3, domain);
  std::vector<TrustRootRow> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    CANDOR_ASSIGN_OR_RETURN(TrustRootRow r, ReadTrustRoot(s));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  return out;
}

Result<std::optional<TrustRootRow>> AuditIndex::TrustRootByIndex(uint64_t log_index,
                                                                 uint64_t below) {
  if (log_index >= below) return std::optional<TrustRootRow>();
  static const std::string sql = std::string(kSelectTrustRoot) + "WHERE log_index = ?";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(log_index));
  if (sqlite3_step(s) != SQLITE_ROW) return std::optional<TrustRootRow>();
  CANDOR_ASSIGN_OR_RETURN(TrustRootRow r, ReadTrustRoot(s));
  return std::optional<TrustRootRow>(std::move(r));
}

namespace {
constexpr const char* kSelectObservation =
    "SELECT log_index, leaf, observer, observer_key, release_index, release_leaf, product, "
    "observed, findings, evidence, summary, logged, target_error FROM observations ";

Result<ObservationRow> ReadObservation(sqlite3_stmt* s) {
  ObservationRow r;
  r.log_index = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
  Hash leaf, release_leaf, evidence;
  if (!ColHash(s, 1, leaf) || !ColHash(s, 5, release_leaf) || !ColHash(s, 9, evidence)) {
    return Status::Malformed("index: bad hash in observation " + std::to_string(r.log_index));
  }
  r.leaf_hex = HexEncode(leaf);
  r.observer = Col(s, 2);
  r.observer_key = Col(s, 3);
  r.release_index = static_cast<uint64_t>(sqlite3_column_int64(s, 4));
  r.release_leaf = HexEncode(release_leaf);
  r.product = Col(s, 6);
  r.observed = sqlite3_column_int64(s, 7);
  for (const std::string& line : KeyLines(Col(s, 8))) {
    auto d = ParseDisclosureLine(line);
    if (!d.ok()) {
      return Status::Malformed("index: bad finding in observation " + std::to_string(r.log_index));
    }
    r.findings.push_back(std::move(d).value());
  }
  r.evidence_sha256 = HexEncode(evidence);
  r.summary = Col(s, 10);
  r.logged = sqlite3_column_int64(s, 11);
  r.target_error = Col(s, 12);
  return r;
}
}  // namespace

Result<std::vector<ObservationRow>> AuditIndex::ReadObservations(sqlite3_stmt* s) {
  std::vector<ObservationRow> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    CANDOR_ASSIGN_OR_RETURN(ObservationRow r, ReadObservation(s));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return Status::Io(std::string("index: ") + sqlite3_errmsg(db_));
  return out;
}

Result<std::vector<ObservationRow>> AuditIndex::Observations(uint64_t below) {
  static const std::string sql =
      std::string(kSelectObservation) + "WHERE log_index < ? ORDER BY log_index";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(below));
  return ReadObservations(s);
}

Result<std::vector<ObservationRow>> AuditIndex::ObservationsAbout(uint64_t release_index,
                                                                  uint64_t below) {
  // observations_release turns this into a B-tree lookup (format 7).
  static const std::string sql = std::string(kSelectObservation) +
                                 "WHERE release_index = ? AND log_index < ? ORDER BY log_index";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(release_index));
  sqlite3_bind_int64(s, 2, static_cast<int64_t>(below));
  return ReadObservations(s);
}

Result<std::optional<ObservationRow>> AuditIndex::ObservationByIndex(uint64_t log_index,
                                                                     uint64_t below) {
  if (log_index >= below) return std::optional<ObservationRow>();
  static const std::string sql = std::string(kSelectObservation) + "WHERE log_index = ?";
  CANDOR_ASSIGN_OR_RETURN(sqlite3_stmt * s, Stmt(sql.c_str()));
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(log_index));
  CANDOR_ASSIGN_OR_RETURN(std::vector<ObservationRow> rows, ReadObservations(s));
  if (rows.empty()) return std::optional<ObservationRow>();
  return std::optional<ObservationRow>(std::move(rows[0]));
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
