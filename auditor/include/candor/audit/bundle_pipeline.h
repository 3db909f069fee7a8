// BundlePipeline: the CPU-heavy half of `candor audit sync` (candor/audit/sync.h)
// run in parallel, delivered in log order. One thread downloads entry bundles
// (and, for each full bundle, its level-0 tile) over its own LogSource; a pool
// of worker threads takes the downloaded bundles, one whole bundle per task,
// and for each: parses the bundle strictly (ParseEntryBundle), computes every
// leaf hash, and parses every new entry by its type: a release entry with its
// vendor signature check (ParseReleaseEntry), a trust root (IsTrustRootEntry)
// with ParseSignedTrustRoot (its rotation rule needs the earlier roots of its
// domain, so the caller checks it in log order), an observation
// (IsObservationEntry) with OpenObservation (its target check needs the entry
// at an earlier index, so the caller makes it in log order). Next() hands the results to the caller
// strictly in bundle order, so the caller keeps the single-threaded, order-dependent work (tree
// recomputation and tile comparison, index rows, mirror files, commits) while downloading and
// signature checks of later bundles go on meanwhile.
//
// Nothing here trusts or decides anything: every result, including a failed
// download or a malformed bundle (as `status`), is delivered for the caller to
// check. Memory is bounded: at most `window` bundles are between download and
// Next() at any time, whatever the log size.
//
// Thread-safety: Next() is called from one thread. The destructor stops the
// threads (a worker finishes the bundle it is on) and joins them.
#ifndef CANDOR_AUDIT_BUNDLE_PIPELINE_H_
#define CANDOR_AUDIT_BUNDLE_PIPELINE_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "candor/audit/source.h"
#include "candor/bytes.h"
#include "candor/observation.h"
#include "candor/release.h"
#include "candor/status.h"
#include "candor/trust_root.h"
#include "candor/verifier_key_cache.h"

namespace candor::audit {

// One entry bundle of the tree of `tree_size`, downloaded and checked.
struct VerifiedBundle {
  uint64_t index = 0;  // bundle N (entries 256N ..)
  uint16_t width = 0;  // entries the tree of tree_size has in this bundle
  // Not OK if the download failed or the bundle is malformed (with context);
  // the other fields are then unspecified.
  Status status;
  Bytes bundle;                // the bytes as served
  bool was_full = false;       // the full bundle was served for a partial one
  std::vector<Hash> tile0;     // the level-0 tile served, when width == 256
  std::vector<Bytes> entries;  // exactly `width` entries
  std::vector<Hash> leaves;    // RFC 6962 leaf hash of each entry
  // ParseReleaseEntry of each release entry at index >= first_entry; nullopt
  // below, and for trust roots.
  std::vector<std::optional<Result<ReleaseEntry>>> parsed;
  // ParseSignedTrustRoot of each trust root entry at index >= first_entry;
  // nullopt for release entries and below.
  std::vector<std::optional<Result<SignedTrustRoot>>> roots;
  // OpenObservation of each observation entry at index >= first_entry
  // (signature verified); nullopt for the other entries and below.
  std::vector<std::optional<Result<SignedObservation>>> observations;
};

class BundlePipeline {
 public:
  struct Options {
    uint64_t first_bundle = 0;
    uint64_t end_bundle = 0;   // exclusive
    uint64_t tree_size = 0;    // the checkpoint's size: gives each bundle's width
    uint64_t first_entry = 0;  // entries below are hashed but not parsed
    size_t window = 16;        // >= 1: bundles in flight
    unsigned workers = 1;      // >= 1
  };
  // REQUIRES: first_bundle < end_bundle, end_bundle <= ceil(tree_size / 256).
  BundlePipeline(std::unique_ptr<LogSource> source, const Options& options);
  ~BundlePipeline();
  BundlePipeline(const BundlePipeline&) = delete;
  BundlePipeline& operator=(const BundlePipeline&) = delete;

  // The next bundle in order, blocking until it is ready. REQUIRES: called at
  // most end_bundle - first_bundle times, and not again after a bundle with a
  // failed status.
  VerifiedBundle Next();

 private:
  enum class SlotState { kFree, kFetched, kBusy, kReady };
  struct Slot {
    SlotState state = SlotState::kFree;
    VerifiedBundle b;
  };

  void FetchLoop();
  void WorkLoop();
  // `keys`: the calling worker's own vendor key memo.
  void Verify(VerifiedBundle& b, VerifierKeyCache& keys) const;
  Slot& SlotOf(uint64_t bundle) { return slots_[(bundle - o_.first_bundle) % slots_.size()]; }

  std::unique_ptr<LogSource> source_;
  const Options o_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Slot> slots_;  // ring of `window` slots, guarded by mu_
  uint64_t next_out_;        // next bundle Next() returns
  uint64_t fetched_end_;     // bundles [first, fetched_end_) are downloaded
  uint64_t next_verify_;     // next downloaded bundle a worker takes
  bool fetch_done_ = false;  // the downloader has stopped (end or failure)
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_BUNDLE_PIPELINE_H_
