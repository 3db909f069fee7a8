// ProofWaiters: the long-polls of `GET /candor/v1/proof?...&wait=S`, parked
// without a thread each. One thread waits on the publisher for the lowest
// index any client waits for and, after each publication or deadline, calls
// back every waiter whose index the published checkpoint now covers or whose
// deadline has passed.
//
// Bounded: at most `max_waiters` at once; Wait() refuses more (the route
// answers 503 with Retry-After), so long-polls cannot pile up memory.
//
// Thread-safety: Wait and Stop may be called from any thread. Callbacks run on
// the waiter thread (or in Stop), once each.
#ifndef CANDOR_LOG_PROOF_WAITERS_H_
#define CANDOR_LOG_PROOF_WAITERS_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "candor/log/publisher.h"

namespace candor {

class ProofWaiters {
 public:
  // The latest published checkpoint (may not cover the index: deadline or stop).
  using Callback = std::function<void(std::shared_ptr<const PublishedCheckpoint>)>;

  // REQUIRES: publisher outlives this object and is stopped after it.
  ProofWaiters(Publisher* publisher, size_t max_waiters);
  ~ProofWaiters();  // Stop()

  // Calls `done` once a published checkpoint covers `index` (size > index),
  // at `deadline`, or at Stop(). False (done not called) when full.
  bool Wait(uint64_t index, std::chrono::steady_clock::time_point deadline, Callback done);

  // Calls every pending callback with the latest checkpoint, joins the thread.
  void Stop();

 private:
  struct Waiter {
    uint64_t index;
    std::chrono::steady_clock::time_point deadline;
    Callback done;
  };
  void Run();

  Publisher* publisher_;
  size_t max_waiters_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Waiter> waiters_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace candor

#endif  // CANDOR_LOG_PROOF_WAITERS_H_
