// ProofWaiters (see proof_waiters.h).
#include "candor/log/proof_waiters.h"

#include <algorithm>
#include <iterator>

namespace candor {

using Clock = std::chrono::steady_clock;

ProofWaiters::ProofWaiters(Publisher* publisher, size_t max_waiters)
    : publisher_(publisher), max_waiters_(max_waiters) {
  thread_ = std::thread([this] { Run(); });
}

ProofWaiters::~ProofWaiters() { Stop(); }

bool ProofWaiters::Wait(uint64_t index, Clock::time_point deadline, Callback done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || waiters_.size() >= max_waiters_) return false;
    waiters_.push_back(Waiter{index, deadline, std::move(done)});
  }
  cv_.notify_one();
  return true;
}

void ProofWaiters::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<Waiter> rest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rest.swap(waiters_);
  }
  auto latest = publisher_->Latest();
  for (auto& w : rest) w.done(latest);
}

void ProofWaiters::Run() {
  while (true) {
    uint64_t lowest = 0;
    Clock::time_point wake;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !waiters_.empty(); });
      if (stopping_) return;
      lowest = waiters_.front().index;
      wake = waiters_.front().deadline;
      for (const Waiter& w : waiters_) {
        lowest = std::min(lowest, w.index);
        wake = std::min(wake, w.deadline);
      }
    }
    // Re-check at least every 200 ms: a waiter added meanwhile may have a
    // lower index or an earlier deadline than those waited for here.
    wake = std::min(wake, Clock::now() + std::chrono::milliseconds(200));
    auto latest = publisher_->WaitCovering(lowest, wake);
    std::vector<Waiter> ready;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      auto now = Clock::now();
      auto is_ready = [&](const Waiter& w) {
        return (latest && latest->size > w.index) || w.deadline <= now;
      };
      auto split = std::stable_partition(waiters_.begin(), waiters_.end(),
                                         [&](const Waiter& w) { return !is_ready(w); });
      std::move(split, waiters_.end(), std::back_inserter(ready));
      waiters_.erase(split, waiters_.end());
    }
    for (auto& w : ready) w.done(latest);
  }
}

}  // namespace candor
