// Test helpers for the witness tests: an in-memory log that can fork, signed
// checkpoints, consistency proofs, and temporary directories.
//
// TestLog(origin, key, size, fork_tag, fork_at): leaves i < fork_at are
// "entry <i>", leaves i >= fork_at are "<fork_tag> entry <i>". Two TestLogs
// with the same origin and key but different tags are two forks of one log
// that agree on their first fork_at leaves: a split view.
//
// Thread-safety: a TestLog is immutable after construction; const methods are
// safe to call from several threads.
#ifndef CANDOR_TESTS_SUPPORT_WITNESS_TEST_UTIL_H_
#define CANDOR_TESTS_SUPPORT_WITNESS_TEST_UTIL_H_

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "candor/bytes.h"
#include "candor/checkpoint.h"
#include "candor/layout.h"
#include "candor/log/witness_client.h"
#include "candor/merkle.h"
#include "candor/note.h"
#include "candor/signer.h"
#include "support/temp_dir.h"

namespace candor {
namespace testing {

class TestLog {
 public:
  TestLog(std::string origin, SignerKey key, uint64_t size, std::string fork_tag = "",
          uint64_t fork_at = UINT64_MAX)
      : origin_(std::move(origin)), key_(std::move(key)) {
    levels_.emplace_back();
    for (uint64_t i = 0; i < size; ++i) {
      std::string entry = "entry " + std::to_string(i);
      if (i >= fork_at) entry = fork_tag + " " + entry;
      levels_[0].push_back(LeafHash(AsBytes(entry)));
    }
    while (levels_.back().size() >= 2) {
      const std::vector<Hash>& below = levels_.back();
      std::vector<Hash> up;
      for (size_t i = 0; i + 1 < below.size(); i += 2) {
        up.push_back(NodeHash(below[i], below[i + 1]));
      }
      levels_.push_back(std::move(up));
    }
  }

  const std::string& origin() const { return origin_; }
  uint64_t size() const { return levels_[0].size(); }
  VerifierKey public_key() const { return PublicKeyOf(key_); }

  NodeReader Reader() const {
    return [this](std::span<const NodeId> nodes) -> Result<std::vector<Hash>> {
      std::vector<Hash> out;
      for (const NodeId& n : nodes) {
        if (n.level >= levels_.size() || n.index >= levels_[n.level].size()) {
          return Status::NotFound("node not in the test tree");
        }
        out.push_back(levels_[n.level][n.index]);
      }
      return out;
    };
  }

  Hash Root(uint64_t n) const { return Must(TreeHash(n, Reader())); }
  std::vector<Hash> Proof(uint64_t old_size, uint64_t new_size) const {
    return Must(ProveConsistency(old_size, new_size, Reader()));
  }
  ConsistencyProofFn Prover() const {
    return [this](uint64_t old_size, uint64_t new_size) {
      return ProveConsistency(old_size, new_size, Reader());
    };
  }
  std::string Body(uint64_t n) const {
    return FormatCheckpointBody(Checkpoint{origin_, n, Root(n), {}});
  }
  // The checkpoint of size n signed by this log's key.
  std::string SignedCheckpoint(uint64_t n) const {
    const SignerKey* signers[] = {&key_};
    return Must(SignNote(Body(n), signers));
  }

  template <typename T>
  static T Must(Result<T> r) {
    if (!r.ok()) throw std::runtime_error("test helper: " + r.status().ToString());
    return std::move(r).value();
  }

 private:
  std::string origin_;
  SignerKey key_;
  std::vector<std::vector<Hash>> levels_;
};

inline std::pair<SignerKey, VerifierKey> NewKey(const std::string& name, uint8_t type) {
  return TestLog::Must(GenerateKey(name, type));
}

}  // namespace testing
}  // namespace candor

#endif  // CANDOR_TESTS_SUPPORT_WITNESS_TEST_UTIL_H_
