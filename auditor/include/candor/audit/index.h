// AuditIndex: the mirror's local SQLite database (MIRROR/.candor-audit/index.db)
// holding (1) the auditor's commit point: the verified tree state and the
// progress of an interrupted sync, and (2) an index of every release and trust
// root in the log, for list/show/diff/flags/trust.
//
// Tables (docs/AUDIT.md "Index"; format 7, PRAGMA user_version):
//   state(size, root, checkpoint, edge)   one row: the last verified checkpoint
//   progress(size, edge)                  at most one row: a sync in progress
//   vendor_keys(id PK, vkey)              each vendor key's text form, once
//   releases(log_index PK, leaf, vendor, vendor_key -> vendor_keys.id,
//            version, rollback, image_sha256, image_size, issued, logged,
//            changelog)
//                                         (the signed manifest is read back
//                                         from the mirror's entry bundles)
//   products(log_index, product)          one row per product of a release
//   disclosures(log_index, seq, kind, value, effective)  one row each
//   invalid(log_index PK, reason)         entries that failed ParseReleaseEntry
//                                         or ParseSignedTrustRoot
//   trust_roots(log_index PK, leaf, domain, version, expires, root_threshold,
//               root_keys, policy, note, logged, follows, chain_flag,
//               chain_error)             one row per trust root entry
//   releases_image                        the one secondary index: releases by
//                                         image_sha256 (find), since format 5
//   observations(log_index PK, leaf, observer, observer_key, release_index,
//                release_leaf, product, observed, findings, evidence,
//                summary, logged, target_error)
//                                         one row per observation entry,
//                                         since format 7, with
//                                         observations_release (by
//                                         release_index: `show`)
// Index rows and the progress row are committed in one transaction after the
// mirror's files are durable (syncfs), so after a crash the index covers
// exactly [0, progress or state size). Readers only look at rows below the
// verified state size.
//
// Thread-safety: one connection; use from one thread.
#ifndef CANDOR_AUDIT_INDEX_H_
#define CANDOR_AUDIT_INDEX_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "candor/bytes.h"
#include "candor/disclosure.h"
#include "candor/release.h"
#include "candor/status.h"
#include "candor/trust_root.h"

struct sqlite3;
struct sqlite3_stmt;

namespace candor::audit {

struct MirrorState {
  uint64_t size = 0;
  Hash root{};
  std::string checkpoint;  // the signed checkpoint note that was verified
  Bytes edge;              // EncodeEdge() of the tree builder at `size`
  // When `checkpoint` was accepted: its quorum time (future-dated
  // cosignatures not counted), capped at the auditor's clock then; 0 without a
  // policy. A clock behind it has been set back (CheckClockNotBehind).
  int64_t witnessed_at = 0;
};

struct Progress {
  uint64_t size = 0;
  Bytes edge;
};

// One release as the index holds it.
struct ReleaseRow {
  uint64_t log_index = 0;
  std::string leaf_hex;
  std::string vendor;
  std::string vendor_key;  // vkey text
  // The signer list (vkey texts, vendor_key first; docs/FORMATS.md "Signer
  // list") and those of its keys whose signatures are on the entry, in list
  // order. A single-signer release: {vendor_key} both. Filled with the
  // products and disclosures.
  std::vector<std::string> signers;
  std::vector<std::string> signed_by;
  std::vector<std::string> products;
  std::string version;
  uint64_t rollback = 0;
  std::string image_sha256;  // hex
  uint64_t image_size = 0;
  int64_t issued = 0;  // the vendor's claim (manifest)
  // Unix seconds by which the auditor saw the entry logged: the quorum time of
  // the first checkpoint it verified that includes the entry, or its own clock
  // then (whichever is earlier; its clock alone without a witness policy).
  int64_t logged = 0;
  std::string changelog;
  std::string manifest;  // the signed manifest note (not stored: see ReadMirrorEntry)
  std::vector<Disclosure> disclosures;
};

// One trust root entry as the index holds it (docs/AUDIT.md "Trust roots").
struct TrustRootRow {
  uint64_t log_index = 0;
  std::string leaf_hex;
  std::string domain;
  uint64_t version = 0;
  int64_t expires = 0;
  uint64_t root_threshold = 0;
  std::vector<std::string> root_keys;  // vkey text, in the root's order
  std::string policy;                  // the canonical policy lines
  std::string note;                    // the signed note (= the log entry)
  int64_t logged = 0;                  // as ReleaseRow::logged
  // Whether the root's signatures follow the rotation rule from the chain's
  // head at the time it was logged (audit/trust_history.h CheckRootChain);
  // otherwise which chain flag it raises and why.
  bool follows = false;
  std::string chain_flag;
  std::string chain_error;
};

// One observation entry as the index holds it (docs/AUDIT.md "Observations"):
// what the observer signed, and the mirror's own target check.
struct ObservationRow {
  uint64_t log_index = 0;
  std::string leaf_hex;
  std::string observer;
  std::string observer_key;  // vkey text
  uint64_t release_index = 0;
  std::string release_leaf;  // hex
  std::string product;
  int64_t observed = 0;  // Unix seconds
  std::vector<Disclosure> findings;
  std::string evidence_sha256;  // hex
  std::string summary;
  int64_t logged = 0;  // as ReleaseRow::logged
  // CheckObservationTarget against the mirror's own entry at release_index,
  // as it was when the observation was indexed: "" when it holds, else the
  // failure (Status::ToString), which `observation-target-invalid` reports.
  std::string target_error;
};

struct InvalidRow {
  uint64_t log_index = 0;
  std::string reason;
};

struct ReleaseFilter {
  std::vector<std::string> vendors;   // any of (empty: all)
  std::vector<std::string> products;  // any of (empty: all)
  uint64_t min_index = 0;             // log_index >= min_index
  bool with_text = true;              // load changelog and manifest
};

class AuditIndex {
 public:
  // Opens or creates the database at `path`.
  static Result<std::unique_ptr<AuditIndex>> Open(const std::string& path);
  ~AuditIndex();
  AuditIndex(const AuditIndex&) = delete;
  AuditIndex& operator=(const AuditIndex&) = delete;

  Result<std::optional<MirrorState>> State();
  Result<std::optional<Progress>> GetProgress();

  // Write transaction. Everything between Begin and Commit is one atomic unit.
  Status Begin();
  Status Commit();
  Status Rollback();
  Status SetState(const MirrorState& s);  // also clears progress
  Status SetProgress(const Progress& p);
  // Deletes index rows with log_index >= from (left by an abandoned sync).
  Status DeleteFrom(uint64_t from);
  // `logged`: see ReleaseRow::logged.
  Status AddRelease(uint64_t log_index, const Hash& leaf, const ReleaseEntry& e, int64_t logged);
  Status AddInvalid(uint64_t log_index, const std::string& reason);
  // `row`: every field set by the caller (sync), `leaf` its leaf hash.
  Status AddTrustRoot(const TrustRootRow& row, const Hash& leaf);
  // `row`: every field set by the caller (sync), `leaf` its leaf hash.
  Status AddObservation(const ObservationRow& row, const Hash& leaf);

  // Releases with log_index < `below` matching `f`, ordered by log_index.
  Result<std::vector<ReleaseRow>> Releases(const ReleaseFilter& f, uint64_t below);
  Result<std::optional<ReleaseRow>> ByIndex(uint64_t log_index, uint64_t below);
  // Releases with log_index < `below` whose image SHA-256 is `image_sha256`
  // (log order; without changelogs). An index lookup (releases_image).
  Result<std::vector<ReleaseRow>> ByImage(const Hash& image_sha256, uint64_t below);
  // All releases naming this vendor and product (log order).
  Result<std::vector<ReleaseRow>> ForProduct(const std::string& vendor, const std::string& product,
                                             uint64_t below);
  Result<std::vector<InvalidRow>> Invalid(uint64_t below);
  // Trust roots with log_index < `below`, in log order; only `domain`'s when
  // it is not empty. Sees the rows of the open transaction.
  Result<std::vector<TrustRootRow>> TrustRoots(uint64_t below, const std::string& domain = "");
  Result<std::optional<TrustRootRow>> TrustRootByIndex(uint64_t log_index, uint64_t below);
  // Observations with log_index < `below`, in log order: all of them, or
  // those about the release at `release_index` (an index lookup).
  Result<std::vector<ObservationRow>> Observations(uint64_t below);
  Result<std::vector<ObservationRow>> ObservationsAbout(uint64_t release_index, uint64_t below);
  Result<std::optional<ObservationRow>> ObservationByIndex(uint64_t log_index, uint64_t below);

 private:
  AuditIndex() = default;
  Status Exec(const char* sql);
  Result<sqlite3_stmt*> Stmt(const char* sql);
  enum class Setup { kNone, kCreate, kMigrate };
  Result<Setup> CheckFormat(const std::string& path);
  Status CheckNoInvalid(const std::string& path);
  Result<std::vector<ObservationRow>> ReadObservations(sqlite3_stmt* s);
  Status FillDetails(ReleaseRow& r, bool with_text);
  Result<std::vector<ReleaseRow>> ReadRows(sqlite3_stmt* s, bool with_text);
  // The vendor_keys id of `key`, inserted if new (inside the caller's
  // transaction).
  Result<int64_t> VendorKeyId(const VerifierKey& key);
  sqlite3* db_ = nullptr;
  std::vector<std::pair<const char*, sqlite3_stmt*>> cache_;
  // Recently used vendor keys and their ids, newest first: a log's releases
  // come from few vendors, and formatting a key costs a base64 pass. Cleared
  // by Rollback().
  static constexpr size_t kKeyCacheSize = 16;
  std::vector<std::pair<VerifierKey, int64_t>> key_ids_;
};

// Serialises a tree right edge (the partial hashes of each tile level).
Bytes EncodeEdge(const std::vector<std::vector<Hash>>& levels);
Result<std::vector<std::vector<Hash>>> DecodeEdge(ByteView data);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_INDEX_H_
