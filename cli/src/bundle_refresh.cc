// Proofs for a refreshed bundle, computed from tiles and verified against the
// signed roots; see bundle_refresh.h.
#include "bundle_refresh.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <utility>

#include "candor/bundle.h"
#include "candor/checkpoint_trust.h"
#include "candor/merkle.h"

namespace candor::cli {

namespace {

std::string Describe(const Checkpoint& cp) {
  return fmt::format("{} size {} root {}", cp.origin, cp.size, Base64Encode(cp.root_hash));
}

}  // namespace

TileFetcher MakeCachingTileFetcher(TileFetcher inner, size_t max_tiles) {
  auto cache = std::make_shared<std::map<TileId, Bytes>>();
  return [inner = std::move(inner), cache, max_tiles](const TileId& tile) -> Result<Bytes> {
    if (auto it = cache->find(tile); it != cache->end()) return it->second;
    CANDOR_ASSIGN_OR_RETURN(Bytes data, inner(tile));
    if (cache->size() >= max_tiles) cache->clear();
    cache->emplace(tile, data);
    return data;
  };
}

Result<RefreshCheckpoint> FetchRefreshCheckpoint(audit::LogSource& source, const TileFetcher& fetch,
                                                 const std::string& origin,
                                                 const TrustPolicy& policy, uint64_t now_unix) {
  const std::string where = source.Describe();
  Result<std::string> note = source.FetchCheckpoint();
  if (!note.ok()) return note.status().WithContext("checkpoint of " + where);
  // The origin alone, unverified, for a clear error when --log names another
  // log; nothing else is read before the signatures verify.
  Result<SignedCheckpoint> unverified = ParseSignedCheckpointUnverified(*note);
  if (!unverified.ok()) return unverified.status().WithContext("checkpoint of " + where);
  if (unverified->checkpoint.origin != origin) {
    return Status::Mismatch(fmt::format("{} serves log {}, the bundle is from {}", where,
                                        unverified->checkpoint.origin, origin));
  }
  // The one checkpoint-trust check (log key by origin, witness quorum, age).
  CANDOR_ASSIGN_OR_RETURN(const PolicyLog* log, PolicyLogFor(*note, policy));
  Result<TrustedCheckpoint> trusted = VerifyTrustedCheckpoint(*note, log->key, policy, now_unix);
  if (!trusted.ok()) return trusted.status().WithContext("checkpoint of " + where);
  const Checkpoint& cp = trusted->signed_checkpoint.checkpoint;
  // The tiles must be the tree the log signed: a copy with a changed hash
  // (or a partial tile from another tree) fails here, before any proof.
  Result<Hash> root = TreeHash(cp.size, MakeTileNodeReader(fetch, cp.size));
  if (!root.ok()) return root.status().WithContext("tiles of " + where);
  if (!HashEqual(*root, cp.root_hash)) {
    return Status::Mismatch(fmt::format("the tiles at {} do not hash to its checkpoint's root ({})",
                                        where, Describe(cp)));
  }
  return RefreshCheckpoint{std::move(note).value(), cp, std::move(trusted->cosigned_by)};
}

Result<RefreshedBundle> RefreshBundle(const LoadedBundle& old,
                                      const std::vector<Checkpoint>& previous,
                                      const RefreshCheckpoint& target, const TileFetcher& fetch,
                                      std::ostream& err) {
  const Checkpoint& from = old.checkpoint;
  const Checkpoint& to = target.checkpoint;
  const Bundle& b = old.bundle;
  const Hash leaf = LeafHash(b.entry);
  Status was_valid = VerifyInclusion(b.index, from.size, leaf, b.inclusion_proof, from.root_hash);
  if (!was_valid.ok()) return was_valid.WithContext("the bundle's own inclusion proof");
  if (from.origin != to.origin) {
    return Status::Mismatch(
        fmt::format("the bundle is from log {}, the checkpoint from {}", from.origin, to.origin));
  }
  if (to.size < from.size) {
    return Status::PolicyUnsatisfied(fmt::format(
        "the log's checkpoint (size {}) is older than the bundle's (size {}): a device that holds "
        "the bundle refuses it as stale; refresh from an up-to-date copy of the log",
        to.size, from.size));
  }
  const NodeReader reader = MakeTileNodeReader(fetch, to.size);
  // Consistency from the bundle's tree (what a device that installed it last
  // saw) and from each earlier bundle's tree, each verified against both
  // signed roots.
  std::vector<Checkpoint> sizes = previous;
  sizes.push_back(from);
  ConsistencyProofFn prove = [&](uint64_t m, uint64_t n) -> Result<std::vector<Hash>> {
    if (n != to.size) return Status::Internal("consistency proof to another size than the target");
    return ProveConsistency(m, n, reader);
  };
  Result<std::optional<ConsistencyProofFile>> companion =
      MakeConsistencyProofFile(sizes, to, prove, err);
  if (!companion.ok()) {
    if (companion.status().code() != Code::kInconsistent) return companion.status();
    return companion.status().WithContext("the log forked away from the bundle's checkpoint");
  }
  // The same entry at the same index, under the new root.
  Result<std::vector<Hash>> inclusion = ProveInclusion(b.index, to.size, reader);
  if (!inclusion.ok()) return inclusion.status().WithContext("inclusion proof from tiles");
  Status included = VerifyInclusion(b.index, to.size, leaf, *inclusion, to.root_hash);
  if (!included.ok()) {
    return Status::Mismatch(fmt::format(
        "the tiles do not hash to the checkpoint: the inclusion proof of entry {} computed from "
        "them does not verify ({})",
        b.index, included.message()));
  }
  Bundle fresh;
  fresh.entry = b.entry;
  fresh.index = b.index;
  fresh.inclusion_proof = std::move(inclusion).value();
  fresh.checkpoint_note = target.note;
  RefreshedBundle out;
  out.bundle_text = FormatBundle(fresh);
  Result<Bundle> reparsed = ParseBundle(out.bundle_text);
  if (!reparsed.ok() || !(*reparsed == fresh)) {
    return Status::Internal("formatted bundle does not parse back");
  }
  out.companion = std::move(companion).value();
  return out;
}

std::optional<audit::Evidence> ForkEvidence(const LoadedBundle& old,
                                            const RefreshCheckpoint& target,
                                            const TileFetcher& fetch, std::string source_a,
                                            std::string source_b, int64_t now_unix) {
  const Checkpoint& a = old.checkpoint;
  const Checkpoint& b = target.checkpoint;
  if (a.origin != b.origin || a.size > b.size) return std::nullopt;
  audit::Evidence ev;
  ev.time = now_unix;
  ev.origin = b.origin;
  ev.source_a = std::move(source_a);
  ev.source_b = std::move(source_b);
  ev.checkpoint_a = old.bundle.checkpoint_note;
  ev.checkpoint_b = target.note;
  if (a.size == b.size) {
    if (HashEqual(a.root_hash, b.root_hash)) return std::nullopt;
    ev.kind = "split-view";
    ev.reason = fmt::format("two checkpoints of size {} with different roots", a.size);
    return ev;
  }
  Result<std::vector<Hash>> proof =
      ProveConsistency(a.size, b.size, MakeTileNodeReader(fetch, b.size));
  if (!proof.ok()) return std::nullopt;  // no proof to show, no claim to make
  Status st = VerifyConsistency(a.size, b.size, *proof, a.root_hash, b.root_hash);
  if (st.ok()) return std::nullopt;
  ev.kind = "inconsistent";
  ev.reason = fmt::format("checkpoint of size {} does not extend the bundle's of size {}: {}",
                          b.size, a.size, st.message());
  ev.proof_from = a.size;
  ev.proof_to = b.size;
  ev.proof = std::move(proof).value();
  ev.details.push_back("proof computed from the tiles at " + ev.source_b +
                       ", which hash to checkpoint B's root");
  return ev;
}

}  // namespace candor::cli
