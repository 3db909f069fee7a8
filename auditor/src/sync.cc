#include "candor/audit/sync.h"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <thread>

#include "candor/audit/bundle_pipeline.h"
#include "candor/audit/evidence.h"
#include "candor/audit/source.h"
#include "candor/audit/tree.h"
#include "candor/audit/trust_history.h"
#include "candor/checkpoint.h"
#include "candor/checkpoint_trust.h"
#include "candor/cosignature.h"
#include "candor/entry_bundle.h"
#include "candor/merkle.h"
#include "candor/observation.h"
#include "candor/release.h"
#include "candor/tile_reader.h"
#include "candor/trust_root.h"
#include "prefix_check.h"

namespace candor::audit {

std::string_view ToString(SyncOutcome outcome) {
  switch (outcome) {
    case SyncOutcome::kSynced:
      return "synced";
    case SyncOutcome::kUpToDate:
      return "up-to-date";
    case SyncOutcome::kEvidence:
      return "evidence";
    case SyncOutcome::kFailed:
      break;
  }
  return "error";
}

Result<LogCheckpoint> VerifyLogCheckpoint(std::string_view note, const VerifierKey& log_key,
                                          const TrustPolicy* policy, uint64_t now_unix) {
  LogCheckpoint out;
  if (policy == nullptr) {
    auto sc = VerifyCheckpoint(note, log_key);
    if (!sc.ok()) return sc.status().WithContext("checkpoint");
    out.signed_checkpoint = std::move(sc).value();
    return out;
  }
  // The same trust as a device's (candor/checkpoint_trust.h): signature,
  // cosignatures not dated in the future, quorum.
  CANDOR_ASSIGN_OR_RETURN(TrustedCheckpoint t,
                          VerifyCheckpointQuorum(note, log_key, *policy, now_unix));
  out.signed_checkpoint = std::move(t.signed_checkpoint);
  out.quorum = t.quorum;
  return out;
}

namespace {

// One Sync: the steps of sync.h in order, over the state they share. Each
// step returns a Status and the first failure ends the run; Run() then rolls
// back an index transaction left open. A step that finds a contradiction
// writes evidence (Contradiction) and fails with its status.
class SyncRun {
 public:
  SyncRun(Mirror& mirror, const SyncOptions& o) : mirror_(mirror), index_(mirror.index()), o_(o) {}
  SyncResult Run();

 private:
  Status Steps();
  Status OpenSource();         // the log and the mirror's verified state
  Status FetchCheckpoint();    // 1: the log's checkpoint, verified
  Status CompareWithMirror();  // 2: against the mirror's verified tree
  Status CheckExtendsMirror();
  Status CheckAge();  // 2b: max-checkpoint-age
  Status Resume();    // the tree's right edge
  Status Ingest();    // 3: bundles, entries and full tiles
  Status IngestBundle(uint64_t bi, VerifiedBundle& vb);
  Status IngestEntry(uint64_t g, size_t j, const VerifiedBundle& vb);
  Status IndexTrustRoot(uint64_t g, const Hash& leaf, const SignedTrustRoot& root);
  Status IndexObservation(uint64_t g, const VerifiedBundle& vb, const SignedObservation& o);
  Status CheckFullTile(const TileId& t, std::span<const Hash> hashes);
  Status CheckPartialTiles();  // 3: partial tiles at the new size
  Status Finish();             // 3: the root, then the state, committed last
  Status Begin();
  Status CommitProgress();
  Evidence TileEvidence(std::string reason) const;
  Status Contradiction(const Evidence& e, const Status& st);

  Mirror& mirror_;
  AuditIndex& index_;
  const SyncOptions& o_;
  SyncResult r_;
  bool in_txn_ = false;
  std::unique_ptr<LogSource> src_;
  MirrorState state_;
  uint64_t old_ = 0;  // the mirror's verified size
  std::string note_;  // the log's checkpoint, as served
  LogCheckpoint lc_;
  Checkpoint cp_;
  uint64_t n_ = 0;  // its size
  int64_t now_signed_ = 0;
  uint64_t now_unix_ = 0;
  int64_t logged_time_ = 0;
  bool already_verified_ = false;  // the mirror's own checkpoint again
  Evidence ev_;                    // the two checkpoints, for any evidence
  TreeBuilder builder_;
  uint64_t start_ = 0;                // the first entry to index
  std::vector<Hash> expected_tile0_;  // the level-0 tile that came with the current bundle
  std::string tile_problem_;
};

SyncResult SyncRun::Run() {
  auto t0 = std::chrono::steady_clock::now();
  Status st = Steps();
  if (!st.ok() && in_txn_) (void)index_.Rollback();
  r_.status = std::move(st);
  r_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r_;
}

Status SyncRun::Steps() {
  CANDOR_RETURN_IF_ERROR(OpenSource());
  CANDOR_RETURN_IF_ERROR(FetchCheckpoint());
  CANDOR_RETURN_IF_ERROR(CompareWithMirror());
  // The same checkpoint again must still be fresh: a log that stops
  // publishing (or hides newer entries) keeps serving exactly this.
  CANDOR_RETURN_IF_ERROR(CheckAge());
  if (already_verified_) {
    r_.outcome = SyncOutcome::kUpToDate;
    return Status::Ok();
  }
  CANDOR_RETURN_IF_ERROR(Resume());
  CANDOR_RETURN_IF_ERROR(Ingest());
  CANDOR_RETURN_IF_ERROR(CheckPartialTiles());
  return Finish();
}

Status SyncRun::OpenSource() {
  CANDOR_ASSIGN_OR_RETURN(src_, OpenLogSource(o_.log, o_.http));
  CANDOR_ASSIGN_OR_RETURN(state_, mirror_.State());
  old_ = state_.size;
  r_.old_size = r_.new_size = old_;
  return Status::Ok();
}

Status SyncRun::FetchCheckpoint() {
  auto note_or = src_->FetchCheckpoint();
  if (!note_or.ok()) return note_or.status().WithContext("fetching checkpoint");
  note_ = std::move(note_or).value();
  now_signed_ = o_.now ? o_.now() : static_cast<int64_t>(std::time(nullptr));
  now_unix_ = now_signed_ > 0 ? static_cast<uint64_t>(now_signed_) : 0;
  CANDOR_ASSIGN_OR_RETURN(
      lc_, VerifyLogCheckpoint(note_, o_.log_key, o_.policy ? &*o_.policy : nullptr, now_unix_));
  cp_ = lc_.signed_checkpoint.checkpoint;
  n_ = cp_.size;
  r_.checkpoint_size = n_;
  // When the entries this checkpoint adds were first seen logged: the
  // witnesses' quorum time, or this auditor's clock when it is earlier or
  // there are no witnesses (docs/AUDIT.md "Index": releases.logged).
  logged_time_ = now_signed_;
  if (lc_.quorum && lc_.quorum->quorum_time && *lc_.quorum->quorum_time < now_unix_) {
    logged_time_ = static_cast<int64_t>(*lc_.quorum->quorum_time);  // < now_unix <= INT64_MAX
  }
  ev_.time = now_signed_;
  ev_.origin = cp_.origin;
  ev_.source_a = "mirror " + mirror_.dir() + " (last verified checkpoint)";
  ev_.source_b = src_->Describe() + "/checkpoint";
  ev_.checkpoint_a = state_.checkpoint;
  ev_.checkpoint_b = note_;
  return Status::Ok();
}

Status SyncRun::CompareWithMirror() {
  if (state_.checkpoint.empty()) return Status::Ok();
  auto prev = VerifyCheckpoint(state_.checkpoint, o_.log_key);
  if (!prev.ok()) {
    return prev.status().WithContext("the mirror's checkpoint does not verify with this log key");
  }
  if (n_ > old_) return CheckExtendsMirror();
  auto pc = CheckPrefixOfMirror(mirror_, state_, cp_);
  if (!pc.ok()) return pc.status().WithContext("consistency proof from the mirror");
  Evidence ev = ev_;
  if (n_ == old_) {
    if (pc->consistent) {
      already_verified_ = true;
      return Status::Ok();
    }
    ev.kind = "split-view";
    ev.reason = "two checkpoints of size " + std::to_string(n_) + " with different roots";
    return Contradiction(ev, Status::Inconsistent(ev.reason));
  }
  // A = the smaller checkpoint served now, B = the mirror's; the proof goes
  // from A's size to B's.
  ev.proof_from = n_;
  ev.proof_to = old_;
  ev.proof = std::move(pc->proof);
  std::swap(ev.checkpoint_a, ev.checkpoint_b);
  std::swap(ev.source_a, ev.source_b);
  if (!pc->consistent) {
    ev.kind = "split-view";
    ev.reason = "the log's checkpoint (size " + std::to_string(n_) +
                ") is not a prefix of the mirror's verified tree (size " + std::to_string(old_) +
                "): " + pc->mismatch.message();
    return Contradiction(ev, Status::Inconsistent(ev.reason));
  }
  // An honest prefix, but an older view than the log already showed this
  // auditor: refused as devices refuse it (a log, or whoever sits between it
  // and the auditor, could otherwise freeze the auditor on the past and hide
  // every newer entry). Both signed views go into the evidence.
  ev.kind = "stale-view";
  ev.reason = "stale checkpoint: tree size " + std::to_string(n_) +
              " < the mirror's verified size " + std::to_string(old_);
  ev.details.push_back("the proof verifies: checkpoint A is a prefix of B, served after B");
  return Contradiction(ev, Status::PolicyUnsatisfied(ev.reason));
}

// REQUIRES: n_ > old_ and the mirror has a verified checkpoint.
Status SyncRun::CheckExtendsMirror() {
  auto proof =
      ProveConsistency(old_, n_, MakeTileNodeReader(MakeSourceTileFetcher(src_.get()), n_));
  if (!proof.ok()) return proof.status().WithContext("consistency proof from the log's tiles");
  Status st = VerifyConsistency(old_, n_, *proof, state_.root, cp_.root_hash);
  if (st.ok()) return Status::Ok();
  Evidence ev = ev_;
  ev.kind = "inconsistent";
  ev.reason = "the log's checkpoint (size " + std::to_string(n_) +
              ") does not extend the mirror's verified tree (size " + std::to_string(old_) +
              "): " + st.message();
  ev.proof_from = old_;
  ev.proof_to = n_;
  ev.proof = *proof;
  ev.details.push_back("proof built from the log's tiles at size " + std::to_string(n_));
  return Contradiction(ev, Status::Inconsistent(ev.reason));
}

// Checked after the comparison with the mirror: a contradiction, or an older
// view than the mirror's, is reported with its evidence even when the
// checkpoint is also too old.
Status SyncRun::CheckAge() {
  if (!o_.policy || !lc_.quorum || !o_.policy->max_checkpoint_age_seconds) return Status::Ok();
  // A clock behind the witness time of the checkpoint the mirror already
  // verified has been set back: every old checkpoint would look fresh. That
  // time is the one stored when it was accepted (future-dated cosignatures
  // not counted, capped at the clock then), never recomputed: recomputed
  // with every cosignature, one far-future timestamp that was rightly
  // ignored would become a floor no clock reaches, freezing the auditor.
  if (state_.witnessed_at > 0) {
    CANDOR_RETURN_IF_ERROR(
        CheckClockNotBehind(static_cast<uint64_t>(state_.witnessed_at), now_unix_));
  }
  return CheckCheckpointAge(*o_.policy, *lc_.quorum, now_unix_);
}

// The tree's right edge: an interrupted sync's progress if it is usable,
// else the mirror's verified state.
Status SyncRun::Resume() {
  start_ = old_;
  CANDOR_ASSIGN_OR_RETURN(auto prog, index_.GetProgress());
  if (prog && prog->size > old_ && prog->size <= n_) {
    auto levels = DecodeEdge(prog->edge);
    if (levels.ok()) {
      auto b = TreeBuilder::FromEdge(prog->size, std::move(levels).value());
      if (b.ok()) {
        builder_ = std::move(b).value();
        start_ = builder_.size();
        r_.resumed_from = start_;
        return Status::Ok();
      }
    }
  }
  auto levels = DecodeEdge(state_.edge);
  if (!levels.ok()) return levels.status().WithContext("mirror state");
  auto b = TreeBuilder::FromEdge(old_, std::move(levels).value());
  if (!b.ok()) return b.status().WithContext("mirror state");
  builder_ = std::move(b).value();
  if (!HashEqual(builder_.Root(), state_.root)) {
    return Status::Mismatch("mirror state is corrupt: its tree edge does not give its root");
  }
  return Status::Ok();
}

Status SyncRun::Begin() {
  CANDOR_RETURN_IF_ERROR(index_.Begin());
  in_txn_ = true;
  return Status::Ok();
}

// Durable progress: the files first, then the index rows and the tree's
// right edge in one commit.
Status SyncRun::CommitProgress() {
  CANDOR_RETURN_IF_ERROR(mirror_.SyncAll());
  CANDOR_RETURN_IF_ERROR(index_.SetProgress({builder_.size(), EncodeEdge(builder_.Edge())}));
  CANDOR_RETURN_IF_ERROR(index_.Commit());
  in_txn_ = false;
  return Status::Ok();
}

Status SyncRun::Ingest() {
  CANDOR_RETURN_IF_ERROR(Begin());
  CANDOR_RETURN_IF_ERROR(index_.DeleteFrom(start_));
  if (n_ <= start_) return Status::Ok();
  const unsigned threads =
      o_.verify_threads ? o_.verify_threads : std::max(1u, std::thread::hardware_concurrency());
  const uint64_t total = n_ - start_;
  BundlePipeline::Options po;
  po.first_bundle = start_ / kTileWidth;
  po.end_bundle = (n_ + kTileWidth - 1) / kTileWidth;
  po.tree_size = n_;
  po.first_entry = start_;
  po.window = std::max<size_t>(1, o_.prefetch);
  po.workers = threads;
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<LogSource> psrc, OpenLogSource(o_.log, o_.http));
  BundlePipeline pipeline(std::move(psrc), po);
  size_t bundles_done = 0;
  for (uint64_t bi = po.first_bundle; bi < po.end_bundle; ++bi) {
    VerifiedBundle vb = pipeline.Next();
    CANDOR_RETURN_IF_ERROR(vb.status);
    CANDOR_RETURN_IF_ERROR(IngestBundle(bi, vb));
    if (o_.on_progress) o_.on_progress(builder_.size() - start_, total);
    ++bundles_done;
    bool stop_now = o_.stop_after_bundles != 0 && bundles_done == o_.stop_after_bundles;
    if ((bundles_done % std::max<size_t>(1, o_.commit_bundles) == 0 || stop_now) &&
        bi + 1 < po.end_bundle) {
      CANDOR_RETURN_IF_ERROR(CommitProgress());
      if (stop_now) return Status::Unavailable("sync interrupted (test hook)");
      CANDOR_RETURN_IF_ERROR(Begin());
    }
  }
  return Status::Ok();
}

Status SyncRun::IngestBundle(uint64_t bi, VerifiedBundle& vb) {
  const uint16_t width = vb.width;
  r_.bytes_downloaded += vb.bundle.size() + 32 * vb.tile0.size();
  expected_tile0_ = std::move(vb.tile0);
  const uint64_t base = bi * kTileWidth;
  for (size_t j = 0; j < width; ++j) {
    CANDOR_RETURN_IF_ERROR(IngestEntry(base + j, j, vb));
  }
  // The bundle as a log of size n serves it.
  if (vb.was_full && width < kTileWidth) {
    CANDOR_ASSIGN_OR_RETURN(vb.bundle, SerializeEntryBundle(vb.entries));
  }
  return mirror_.WriteFile(EntryBundlePath(bi, width), vb.bundle);
}

// Entry `g`, the `j`th of its bundle: indexed and appended to the tree, or,
// before start_ (a bundle resumed mid-way), compared with the one verified
// before.
Status SyncRun::IngestEntry(uint64_t g, size_t j, const VerifiedBundle& vb) {
  if (g < start_) {
    std::span<const Hash> known = builder_.LevelHashes(0);
    if (j >= known.size() || !HashEqual(known[j], vb.leaves[j])) {
      return Status::Mismatch("entry " + std::to_string(g) +
                              " differs from the one verified before");
    }
    return Status::Ok();
  }
  if (vb.roots[j]) {
    const Result<SignedTrustRoot>& root = *vb.roots[j];
    if (root.ok()) {
      ++r_.trust_roots;
      CANDOR_RETURN_IF_ERROR(IndexTrustRoot(g, vb.leaves[j], *root));
    } else {
      ++r_.invalid_entries;
      CANDOR_RETURN_IF_ERROR(index_.AddInvalid(g, root.status().ToString()));
    }
  } else if (vb.observations[j]) {
    const Result<SignedObservation>& o = *vb.observations[j];
    if (o.ok()) {
      CANDOR_RETURN_IF_ERROR(IndexObservation(g, vb, *o));
    } else {
      ++r_.invalid_entries;
      CANDOR_RETURN_IF_ERROR(index_.AddInvalid(g, o.status().ToString()));
    }
  } else if (const Result<ReleaseEntry>& pe = *vb.parsed[j]; pe.ok()) {
    CANDOR_RETURN_IF_ERROR(index_.AddRelease(g, vb.leaves[j], *pe, logged_time_));
  } else {
    ++r_.invalid_entries;
    CANDOR_RETURN_IF_ERROR(index_.AddInvalid(g, pe.status().ToString()));
  }
  Status st = builder_.Append(vb.leaves[j], [this](const TileId& t, std::span<const Hash> hashes) {
    return CheckFullTile(t, hashes);
  });
  if (!st.ok()) {
    if (tile_problem_.empty()) return st;
    Evidence e = TileEvidence(st.message());
    e.details.push_back("tile " + tile_problem_ + " served by " + src_->Describe());
    return Contradiction(e, st);
  }
  ++r_.entries_verified;
  return Status::Ok();
}

// A trust root: indexed with whether it follows its domain's chain, checked
// against the roots of its domain indexed before it (this transaction's rows
// included), in log order.
Status SyncRun::IndexTrustRoot(uint64_t g, const Hash& leaf, const SignedTrustRoot& root) {
  const TrustRoot& t = root.root;
  CANDOR_ASSIGN_OR_RETURN(std::vector<TrustRootRow> earlier, index_.TrustRoots(g, t.domain));
  std::optional<TrustRoot> head_root;
  if (const TrustRootRow* head = ChainHead(earlier)) {
    auto parsed = ParseSignedTrustRoot(head->note);
    if (!parsed.ok())
      return parsed.status().WithContext("index: trust root " + std::to_string(head->log_index));
    head_root = std::move(parsed->root);
  }
  const ChainCheck check = CheckRootChain(head_root ? &*head_root : nullptr, root);
  TrustRootRow row;
  row.log_index = g;
  row.domain = t.domain;
  row.version = t.version;
  row.expires = t.expires_unix;
  row.root_threshold = t.root_threshold;
  for (const VerifierKey& k : t.root_keys) row.root_keys.push_back(FormatVerifierKey(k));
  row.policy = t.policy_text;
  row.note = root.note;
  row.logged = logged_time_;
  row.follows = check.follows;
  row.chain_flag = check.flag;
  row.chain_error = check.message;
  return index_.AddTrustRoot(row, leaf);
}

// An observation at `g` (in bundle `vb`): indexed with the one target check
// (CheckObservationTarget) against the entry this mirror holds at its release
// index: an earlier entry of the same bundle, or one of the mirror's own
// earlier bundles (written by this sync or verified before; all full, since
// the bundle of `g` is the first that can be partial). A failed check is
// indexed too: the log admitted an observation whose target this mirror does
// not see, which `observation-target-invalid` reports.
Status SyncRun::IndexObservation(uint64_t g, const VerifiedBundle& vb,
                                 const SignedObservation& so) {
  const Observation& o = so.observation;
  const uint64_t base = vb.index * kTileWidth;
  std::optional<Bytes> stored;
  std::optional<ByteView> entry;
  if (o.release_index < g) {
    if (o.release_index >= base) {
      entry = ByteView(vb.entries[o.release_index - base]);
    } else {
      CANDOR_ASSIGN_OR_RETURN(stored, mirror_.ReadEntry(o.release_index, base));
      entry = ByteView(*stored);
    }
  }
  const Status target = CheckObservationTarget(o, cp_.origin, entry);
  ObservationRow row;
  row.log_index = g;
  row.observer = o.observer;
  row.observer_key = FormatVerifierKey(o.observer_key);
  row.release_index = o.release_index;
  row.release_leaf = HexEncode(o.release_leaf);
  row.product = o.product;
  row.observed = o.observed;
  row.findings = o.findings;
  row.evidence_sha256 = HexEncode(o.evidence_sha256);
  row.summary = o.summary;
  row.logged = logged_time_;
  row.target_error = target.ok() ? "" : target.ToString();
  return index_.AddObservation(row, vb.leaves[g - base]);
}

// A tile the recomputed tree completed must equal the log's (level 0: the
// one that came with the bundle) before it goes into the mirror.
Status SyncRun::CheckFullTile(const TileId& t, std::span<const Hash> hashes) {
  std::vector<Hash> got;
  if (t.level == 0) {
    got = expected_tile0_;
  } else {
    CANDOR_ASSIGN_OR_RETURN(got, src_->FetchTile(t));
    r_.bytes_downloaded += 32 * got.size();
  }
  Bytes want = FormatTile(hashes);
  if (FormatTile(got) != want) {
    tile_problem_ = TilePath(t);
    return Status::Mismatch("tile " + TilePath(t) +
                            " differs from the tree recomputed from entries");
  }
  return mirror_.WriteFile(TilePath(t), want);
}

Status SyncRun::CheckPartialTiles() {
  for (const TreeBuilder::Partial& p : builder_.Partials()) {
    auto got = src_->FetchTile(p.tile);
    if (!got.ok()) return got.status().WithContext("fetching " + TilePath(p.tile));
    r_.bytes_downloaded += 32 * got->size();
    Bytes want = FormatTile(p.hashes);
    if (FormatTile(*got) != want) {
      Evidence e = TileEvidence("tile " + TilePath(p.tile) +
                                " differs from the tree recomputed from entries");
      return Contradiction(e, Status::Mismatch(e.reason));
    }
    CANDOR_RETURN_IF_ERROR(mirror_.WriteFile(TilePath(p.tile), want));
  }
  return Status::Ok();
}

// The recomputed root must be the signed one; only then does the verified
// state advance (committed last, after the files are durable).
Status SyncRun::Finish() {
  Hash root = builder_.Root();
  if (!HashEqual(root, cp_.root_hash)) {
    Evidence e = ev_;
    e.kind = "root-mismatch";
    e.reason = "the entries and tiles served for size " + std::to_string(n_) + " hash to " +
               Base64Encode(root) + ", not to the signed root";
    e.checkpoint_a = note_;
    e.checkpoint_b = state_.checkpoint;
    e.source_a = src_->Describe() + "/checkpoint";
    e.source_b = state_.checkpoint.empty() ? "" : "mirror (last verified checkpoint)";
    return Contradiction(e, Status::Mismatch(e.reason));
  }
  CANDOR_RETURN_IF_ERROR(mirror_.SyncAll());
  // The clock floor for the next sync: when this checkpoint was witnessed,
  // as this auditor saw it (0 without a quorum to take a time from).
  const int64_t witnessed_at = lc_.quorum && lc_.quorum->quorum_time ? logged_time_ : 0;
  CANDOR_RETURN_IF_ERROR(
      index_.SetState({n_, root, note_, EncodeEdge(builder_.Edge()), witnessed_at}));
  CANDOR_RETURN_IF_ERROR(index_.Commit());
  in_txn_ = false;
  CANDOR_RETURN_IF_ERROR(mirror_.WriteFile("checkpoint", AsBytes(note_)));
  CANDOR_RETURN_IF_ERROR(mirror_.WriteFile(".candor-audit/checkpoint", AsBytes(note_)));
  CANDOR_RETURN_IF_ERROR(mirror_.SyncAll());
  r_.new_size = n_;
  r_.outcome = n_ == old_ ? SyncOutcome::kUpToDate : SyncOutcome::kSynced;
  return Status::Ok();
}

// Evidence against the log's checkpoint alone: its tiles contradict it.
Evidence SyncRun::TileEvidence(std::string reason) const {
  Evidence e = ev_;
  e.kind = "tile-mismatch";
  e.reason = std::move(reason);
  e.checkpoint_a = note_;
  e.checkpoint_b.clear();
  e.source_a = src_->Describe() + "/checkpoint";
  e.source_b.clear();
  return e;
}

// Writes `e` and returns `st` naming the evidence file (or the write's error).
Status SyncRun::Contradiction(const Evidence& e, const Status& st) {
  auto path = WriteEvidence(mirror_.private_dir(), e);
  if (!path.ok()) return path.status().WithContext("writing evidence");
  r_.outcome = SyncOutcome::kEvidence;
  r_.evidence_path = *path;
  return Status(st.code(), st.message() + " (evidence: " + *path + ")");
}

}  // namespace

SyncResult Sync(Mirror& mirror, const SyncOptions& o) { return SyncRun(mirror, o).Run(); }

}  // namespace candor::audit
