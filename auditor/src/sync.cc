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
#include "candor/checkpoint.h"
#include "candor/checkpoint_trust.h"
#include "candor/cosignature.h"
#include "candor/entry_bundle.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "candor/tile_reader.h"

namespace candor::audit {
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

SyncResult Sync(Mirror& mirror, const SyncOptions& o) {
  SyncResult r;
  auto t0 = std::chrono::steady_clock::now();
  auto now = [&o] { return o.now ? o.now() : static_cast<int64_t>(std::time(nullptr)); };
  auto done = [&](Status s) {
    r.status = std::move(s);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  };
#define SYNC_TRY(expr)               \
  do {                               \
    ::candor::Status st_ = (expr);   \
    if (!st_.ok()) return done(st_); \
  } while (0)

  auto src_or = OpenLogSource(o.log, o.http);
  if (!src_or.ok()) return done(src_or.status());
  std::unique_ptr<LogSource> src = std::move(src_or).value();
  AuditIndex& index = mirror.index();

  auto state_or = mirror.State();
  if (!state_or.ok()) return done(state_or.status());
  MirrorState state = std::move(state_or).value();
  const uint64_t old = state.size;
  r.old_size = r.new_size = old;

  auto note_or = src->FetchCheckpoint();
  if (!note_or.ok()) return done(note_or.status().WithContext("fetching checkpoint"));
  const std::string note = std::move(note_or).value();
  const int64_t now_signed = now();
  const uint64_t now_unix = now_signed > 0 ? static_cast<uint64_t>(now_signed) : 0;
  auto sc_or = VerifyLogCheckpoint(note, o.log_key, o.policy ? &*o.policy : nullptr, now_unix);
  if (!sc_or.ok()) return done(sc_or.status());
  const Checkpoint cp = sc_or->signed_checkpoint.checkpoint;
  const uint64_t n = cp.size;
  r.checkpoint_size = n;
  // When the entries this checkpoint adds were first seen logged: the
  // witnesses' quorum time, or this auditor's clock when it is earlier or
  // there are no witnesses (docs/AUDIT.md "Index": releases.logged).
  int64_t logged_time = now_signed;
  if (sc_or->quorum && sc_or->quorum->quorum_time && *sc_or->quorum->quorum_time < now_unix) {
    logged_time = static_cast<int64_t>(*sc_or->quorum->quorum_time);  // < now_unix <= INT64_MAX
  }
  // max-checkpoint-age, checked after the comparison with the mirror: a
  // contradiction, or an older view than the mirror's, is reported with its
  // evidence even when the checkpoint is also too old.
  auto check_age = [&]() -> Status {
    if (!o.policy || !sc_or->quorum || !o.policy->max_checkpoint_age_seconds) return Status::Ok();
    // A clock behind the witness time of the checkpoint the mirror already
    // verified has been set back: every old checkpoint would look fresh. That
    // time is the one stored when it was accepted (future-dated cosignatures
    // not counted, capped at the clock then), never recomputed: recomputed
    // with every cosignature, one far-future timestamp that was rightly
    // ignored would become a floor no clock reaches, freezing the auditor.
    if (state.witnessed_at > 0) {
      CANDOR_RETURN_IF_ERROR(
          CheckClockNotBehind(static_cast<uint64_t>(state.witnessed_at), now_unix));
    }
    return CheckCheckpointAge(*o.policy, *sc_or->quorum, now_unix);
  };

  Evidence ev;
  ev.time = now_signed;
  ev.origin = cp.origin;
  ev.source_a = "mirror " + mirror.dir() + " (last verified checkpoint)";
  ev.source_b = src->Describe() + "/checkpoint";
  ev.checkpoint_a = state.checkpoint;
  ev.checkpoint_b = note;
  auto write_evidence = [&](Evidence e, Status st) {
    auto path = WriteEvidence(mirror.private_dir(), e);
    if (!path.ok()) return done(path.status().WithContext("writing evidence"));
    r.outcome = "evidence";
    r.evidence_path = *path;
    return done(Status(st.code(), st.message() + " (evidence: " + *path + ")"));
  };

  if (!state.checkpoint.empty()) {
    auto prev = VerifyCheckpoint(state.checkpoint, o.log_key);
    if (!prev.ok()) {
      return done(
          prev.status().WithContext("the mirror's checkpoint does not verify with this log key"));
    }
    if (n == old) {
      if (!HashEqual(cp.root_hash, state.root)) {
        ev.kind = "split-view";
        ev.reason = "two checkpoints of size " + std::to_string(n) + " with different roots";
        return write_evidence(ev, Status::Inconsistent(ev.reason));
      }
      // The same checkpoint again must still be fresh: a log that stops
      // publishing (or hides newer entries) keeps serving exactly this.
      SYNC_TRY(check_age());
      r.outcome = "up-to-date";
      return done(Status::Ok());
    }
    if (n < old) {
      auto proof = ProveConsistency(n, old, mirror.Reader(old));
      if (!proof.ok()) return done(proof.status().WithContext("consistency proof from the mirror"));
      Status st = VerifyConsistency(n, old, *proof, cp.root_hash, state.root);
      // A = the smaller checkpoint served now, B = the mirror's; the proof
      // goes from A's size to B's.
      ev.proof_from = n;
      ev.proof_to = old;
      ev.proof = *proof;
      std::swap(ev.checkpoint_a, ev.checkpoint_b);
      std::swap(ev.source_a, ev.source_b);
      if (!st.ok()) {
        ev.kind = "split-view";
        ev.reason = "the log's checkpoint (size " + std::to_string(n) +
                    ") is not a prefix of the mirror's verified tree (size " + std::to_string(old) +
                    "): " + st.message();
        return write_evidence(ev, Status::Inconsistent(ev.reason));
      }
      // An honest prefix, but an older view than the log already showed this
      // auditor: refused as devices refuse it (a log, or whoever sits between
      // it and the auditor, could otherwise freeze the auditor on the past and
      // hide every newer entry). Both signed views go into the evidence.
      ev.kind = "stale-view";
      ev.reason = "stale checkpoint: tree size " + std::to_string(n) +
                  " < the mirror's verified size " + std::to_string(old);
      ev.details.push_back("the proof verifies: checkpoint A is a prefix of B, served after B");
      return write_evidence(ev, Status::PolicyUnsatisfied(ev.reason));
    }
    auto proof = ProveConsistency(old, n, MakeTileNodeReader(MakeSourceTileFetcher(src.get()), n));
    if (!proof.ok())
      return done(proof.status().WithContext("consistency proof from the log's tiles"));
    Status st = VerifyConsistency(old, n, *proof, state.root, cp.root_hash);
    if (!st.ok()) {
      ev.kind = "inconsistent";
      ev.reason = "the log's checkpoint (size " + std::to_string(n) +
                  ") does not extend the mirror's verified tree (size " + std::to_string(old) +
                  "): " + st.message();
      ev.proof_from = old;
      ev.proof_to = n;
      ev.proof = *proof;
      ev.details.push_back("proof built from the log's tiles at size " + std::to_string(n));
      return write_evidence(ev, Status::Inconsistent(ev.reason));
    }
  }
  SYNC_TRY(check_age());

  // The tree's right edge: resume an interrupted sync if it is usable.
  TreeBuilder builder;
  uint64_t start = old;
  {
    auto prog = index.GetProgress();
    if (!prog.ok()) return done(prog.status());
    bool resumed = false;
    if (*prog && (*prog)->size > old && (*prog)->size <= n) {
      auto levels = DecodeEdge((*prog)->edge);
      if (levels.ok()) {
        auto b = TreeBuilder::FromEdge((*prog)->size, std::move(levels).value());
        if (b.ok()) {
          builder = std::move(b).value();
          start = builder.size();
          r.resumed_from = start;
          resumed = true;
        }
      }
    }
    if (!resumed) {
      auto levels = DecodeEdge(state.edge);
      if (!levels.ok()) return done(levels.status().WithContext("mirror state"));
      auto b = TreeBuilder::FromEdge(old, std::move(levels).value());
      if (!b.ok()) return done(b.status().WithContext("mirror state"));
      builder = std::move(b).value();
      if (!HashEqual(builder.Root(), state.root)) {
        return done(
            Status::Mismatch("mirror state is corrupt: its tree edge does not give its root"));
      }
    }
  }
  SYNC_TRY(index.Begin());
  SYNC_TRY(index.DeleteFrom(start));

  auto fail_in_txn = [&](Status st) {
    (void)index.Rollback();
    return done(std::move(st));
  };

  std::vector<Hash> expected_tile0;  // the level-0 tile that came with the current bundle
  std::string tile_problem;
  TreeBuilder::FullTileFn on_full = [&](const TileId& t, std::span<const Hash> hashes) -> Status {
    std::vector<Hash> got;
    if (t.level == 0) {
      got = expected_tile0;
    } else {
      auto f = src->FetchTile(t);
      if (!f.ok()) return f.status();
      got = std::move(f).value();
      r.bytes_downloaded += 32 * got.size();
    }
    Bytes want = FormatTile(hashes);
    if (FormatTile(got) != want) {
      tile_problem = TilePath(t);
      return Status::Mismatch("tile " + TilePath(t) +
                              " differs from the tree recomputed from entries");
    }
    return mirror.WriteFile(TilePath(t), want);
  };

  const unsigned threads =
      o.verify_threads ? o.verify_threads : std::max(1u, std::thread::hardware_concurrency());
  const uint64_t total = n - start;
  if (n > start) {
    BundlePipeline::Options po;
    po.first_bundle = start / kTileWidth;
    po.end_bundle = (n + kTileWidth - 1) / kTileWidth;
    po.tree_size = n;
    po.first_entry = start;
    po.window = std::max<size_t>(1, o.prefetch);
    po.workers = threads;
    auto psrc = OpenLogSource(o.log, o.http);
    if (!psrc.ok()) return fail_in_txn(psrc.status());
    BundlePipeline pipeline(std::move(psrc).value(), po);
    size_t bundles_done = 0;
    for (uint64_t bi = po.first_bundle; bi < po.end_bundle; ++bi) {
      VerifiedBundle vb = pipeline.Next();
      if (!vb.status.ok()) return fail_in_txn(vb.status);
      const uint16_t width = vb.width;
      r.bytes_downloaded += vb.bundle.size() + 32 * vb.tile0.size();
      expected_tile0 = std::move(vb.tile0);
      const uint64_t base = bi * kTileWidth;
      for (size_t j = 0; j < width; ++j) {
        uint64_t g = base + j;
        if (g < start) {
          std::span<const Hash> known = builder.LevelHashes(0);
          if (j >= known.size() || !HashEqual(known[j], vb.leaves[j])) {
            return fail_in_txn(Status::Mismatch("entry " + std::to_string(g) +
                                                " differs from the one verified before"));
          }
          continue;
        }
        const Result<ReleaseEntry>& pe = *vb.parsed[j];
        if (pe.ok()) {
          Status st = index.AddRelease(g, vb.leaves[j], *pe, logged_time);
          if (!st.ok()) return fail_in_txn(st);
        } else {
          ++r.invalid_entries;
          Status st = index.AddInvalid(g, pe.status().ToString());
          if (!st.ok()) return fail_in_txn(st);
        }
        Status st = builder.Append(vb.leaves[j], on_full);
        if (!st.ok()) {
          if (!tile_problem.empty()) {
            (void)index.Rollback();
            Evidence e = ev;
            e.kind = "tile-mismatch";
            e.reason = st.message();
            e.checkpoint_a = note;
            e.checkpoint_b.clear();
            e.source_a = src->Describe() + "/checkpoint";
            e.source_b.clear();
            e.details.push_back("tile " + tile_problem + " served by " + src->Describe());
            return write_evidence(e, st);
          }
          return fail_in_txn(st);
        }
        ++r.entries_verified;
      }
      // The bundle as a log of size n serves it.
      if (vb.was_full && width < kTileWidth) {
        auto ser = SerializeEntryBundle(vb.entries);
        if (!ser.ok()) return fail_in_txn(ser.status());
        vb.bundle = std::move(ser).value();
      }
      Status wst = mirror.WriteFile(EntryBundlePath(bi, width), vb.bundle);
      if (!wst.ok()) return fail_in_txn(wst);
      if (o.on_progress) o.on_progress(builder.size() - start, total);
      ++bundles_done;
      bool stop_now = o.stop_after_bundles != 0 && bundles_done == o.stop_after_bundles;
      if ((bundles_done % std::max<size_t>(1, o.commit_bundles) == 0 || stop_now) &&
          bi + 1 < po.end_bundle) {
        SYNC_TRY(mirror.SyncAll());
        SYNC_TRY(index.SetProgress({builder.size(), EncodeEdge(builder.Edge())}));
        SYNC_TRY(index.Commit());
        if (stop_now) return done(Status::Unavailable("sync interrupted (test hook)"));
        SYNC_TRY(index.Begin());
      }
    }
  }

  // Partial tiles at the new size, then the root.
  for (const TreeBuilder::Partial& p : builder.Partials()) {
    auto got = src->FetchTile(p.tile);
    if (!got.ok()) return fail_in_txn(got.status().WithContext("fetching " + TilePath(p.tile)));
    r.bytes_downloaded += 32 * got->size();
    Bytes want = FormatTile(p.hashes);
    if (FormatTile(*got) != want) {
      (void)index.Rollback();
      Evidence e = ev;
      e.kind = "tile-mismatch";
      e.reason = "tile " + TilePath(p.tile) + " differs from the tree recomputed from entries";
      e.checkpoint_a = note;
      e.checkpoint_b.clear();
      e.source_a = src->Describe() + "/checkpoint";
      e.source_b.clear();
      return write_evidence(e, Status::Mismatch(e.reason));
    }
    Status st = mirror.WriteFile(TilePath(p.tile), want);
    if (!st.ok()) return fail_in_txn(st);
  }
  Hash root = builder.Root();
  if (!HashEqual(root, cp.root_hash)) {
    (void)index.Rollback();
    Evidence e = ev;
    e.kind = "root-mismatch";
    e.reason = "the entries and tiles served for size " + std::to_string(n) + " hash to " +
               Base64Encode(root) + ", not to the signed root";
    e.checkpoint_a = note;
    e.checkpoint_b = state.checkpoint;
    e.source_a = src->Describe() + "/checkpoint";
    e.source_b = state.checkpoint.empty() ? "" : "mirror (last verified checkpoint)";
    return write_evidence(e, Status::Mismatch(e.reason));
  }
  SYNC_TRY(mirror.SyncAll());
  // The clock floor for the next sync: when this checkpoint was witnessed,
  // as this auditor saw it (0 without a quorum to take a time from).
  const int64_t witnessed_at = sc_or->quorum && sc_or->quorum->quorum_time ? logged_time : 0;
  SYNC_TRY(index.SetState({n, root, note, EncodeEdge(builder.Edge()), witnessed_at}));
  SYNC_TRY(index.Commit());
  SYNC_TRY(mirror.WriteFile("checkpoint", AsBytes(note)));
  SYNC_TRY(mirror.WriteFile(".candor-audit/checkpoint", AsBytes(note)));
  SYNC_TRY(mirror.SyncAll());
  r.new_size = n;
  r.outcome = n == old ? "up-to-date" : "synced";
  return done(Status::Ok());
#undef SYNC_TRY
}

}  // namespace candor::audit
