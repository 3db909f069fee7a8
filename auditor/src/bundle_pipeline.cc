#include "candor/audit/bundle_pipeline.h"

#include "candor/entry_bundle.h"
#include "candor/layout.h"
#include "candor/merkle.h"

namespace candor::audit {

BundlePipeline::BundlePipeline(std::unique_ptr<LogSource> source, const Options& options)
    : source_(std::move(source)),
      o_(options),
      slots_(std::max<size_t>(1, options.window)),
      next_out_(options.first_bundle),
      fetched_end_(options.first_bundle),
      next_verify_(options.first_bundle) {
  threads_.emplace_back([this] { FetchLoop(); });
  for (unsigned i = 0; i < std::max(1u, o_.workers); ++i) {
    threads_.emplace_back([this] { WorkLoop(); });
  }
}

BundlePipeline::~BundlePipeline() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void BundlePipeline::FetchLoop() {
  for (uint64_t b = o_.first_bundle; b < o_.end_bundle; ++b) {
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stop_ || SlotOf(b).state == SlotState::kFree; });
      if (stop_) break;
    }
    // Downloaded outside the lock into a local, then moved into the slot.
    VerifiedBundle v;
    v.index = b;
    v.width = EntryBundleWidthInTree(b, o_.tree_size);
    auto data = source_->FetchBundle(EntryBundleId{b, v.width}, &v.was_full);
    if (!data.ok()) {
      v.status = data.status().WithContext("fetching bundle");
    } else {
      v.bundle = std::move(data).value();
      if (v.width == kTileWidth) {
        auto t = source_->FetchTile(TileId{0, b, kTileWidth});
        if (!t.ok()) {
          v.status = t.status().WithContext("fetching bundle");
        } else {
          v.tile0 = std::move(t).value();
        }
      }
    }
    const bool failed = !v.status.ok();
    {
      std::lock_guard<std::mutex> l(mu_);
      Slot& s = SlotOf(b);
      s.b = std::move(v);
      s.state = SlotState::kFetched;
      fetched_end_ = b + 1;
    }
    cv_.notify_all();
    if (failed) break;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    fetch_done_ = true;
  }
  cv_.notify_all();
}

void BundlePipeline::WorkLoop() {
  VerifierKeyCache keys;
  for (;;) {
    VerifiedBundle v;
    uint64_t b;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stop_ || next_verify_ < fetched_end_ || fetch_done_; });
      if (stop_ || next_verify_ >= fetched_end_) return;  // stopped, or nothing left
      b = next_verify_++;
      Slot& s = SlotOf(b);
      s.state = SlotState::kBusy;
      v = std::move(s.b);
    }
    if (v.status.ok()) Verify(v, keys);
    {
      std::lock_guard<std::mutex> l(mu_);
      Slot& s = SlotOf(b);
      s.b = std::move(v);
      s.state = SlotState::kReady;
    }
    cv_.notify_all();
  }
}

void BundlePipeline::Verify(VerifiedBundle& v, VerifierKeyCache& keys) const {
  const uint16_t width = v.width;
  auto entries = ParseEntryBundle(v.bundle, v.was_full ? kTileWidth : width);
  if (!entries.ok()) {
    v.status = entries.status().WithContext(EntryBundlePath(v.index, width));
    return;
  }
  v.entries = std::move(entries).value();
  v.entries.resize(width);  // a full bundle served for a partial one: its prefix
  v.leaves.resize(width);
  v.parsed.resize(width);
  v.roots.resize(width);
  v.observations.resize(width);
  const uint64_t base = v.index * kTileWidth;
  for (size_t j = 0; j < width; ++j) {
    v.leaves[j] = LeafHash(v.entries[j]);
    if (base + j < o_.first_entry) continue;
    if (IsTrustRootEntry(v.entries[j])) {
      auto root = ParseSignedTrustRoot(AsChars(v.entries[j]));
      // The invalid-entry reason says which entry type failed.
      v.roots[j] = root.ok() ? std::move(root) : root.status().WithContext("trust root");
    } else if (IsObservationEntry(v.entries[j])) {
      auto o = OpenObservation(AsChars(v.entries[j]));
      v.observations[j] = o.ok() ? std::move(o) : o.status().WithContext("observation");
    } else {
      v.parsed[j] = ParseReleaseEntry(v.entries[j], &keys);
    }
  }
}

VerifiedBundle BundlePipeline::Next() {
  std::unique_lock<std::mutex> l(mu_);
  Slot& s = SlotOf(next_out_);
  cv_.wait(l, [&] { return s.state == SlotState::kReady; });
  VerifiedBundle v = std::move(s.b);
  s.b = VerifiedBundle();
  s.state = SlotState::kFree;
  ++next_out_;
  l.unlock();
  cv_.notify_all();
  return v;
}

}  // namespace candor::audit
