// RFC 6962 / RFC 9162 Merkle tree hashing, proof verification and proof
// generation from stored complete-subtree hashes.
//
// Hashing (RFC 9162 §2.1.1): leaf = SHA-256(0x00 || entry),
// node = SHA-256(0x01 || left || right), empty tree = SHA-256("").
//
// Verification (RFC 9162 §2.1.3.2, §2.1.4.2) fails closed: the proof length
// is checked against the length the sizes imply BEFORE any hashing, roots are
// compared in constant time. Codes: kMalformed for impossible inputs (wrong
// proof length, index >= size, old_size > new_size), kNotIncluded /
// kInconsistent when the hashes do not lead to the given root(s).
//
// Generation: the layout module computes a ProofPlan (which complete subtrees
// make up each proof element); BuildProof reads them through a NodeReader and
// folds. The reader may be backed by memory, a database or tiles
// (candor/tile_reader.h). Proofs built from untrusted storage are only as good
// as that storage: a client verifies them against a signed root.
//
// Thread-safety: pure functions; BuildProof/TreeHash call the reader on the
// calling thread only.
#ifndef CANDOR_MERKLE_H_
#define CANDOR_MERKLE_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "candor/bytes.h"
#include "candor/layout.h"
#include "candor/status.h"

namespace candor {

// SHA-256(0x00 || entry).
Hash LeafHash(ByteView entry);
// SHA-256(0x01 || l || r).
Hash NodeHash(const Hash& l, const Hash& r);
// SHA-256("") = e3b0c442...b855: the root of the empty tree.
Hash EmptyTreeHash();

// MTH of the leaves whose leaf hashes are given (RFC 9162 §2.1.1), computed in
// O(n) time and O(log n) memory. For tests and small trees.
Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes);

// RFC 9162 §2.1.3.2. OK iff `proof` is the inclusion proof of the leaf with
// hash `leaf` at `index` in the tree of `size` leaves whose root is `root`.
// kMalformed if index >= size or proof.size() != InclusionProofLength(index,
// size); kNotIncluded if the recomputed root differs.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf, std::span<const Hash> proof,
                       const Hash& root);

// RFC 9162 §2.1.4.2. OK iff `proof` shows the tree (old_size, old_root) is a
// prefix of (new_size, new_root).
// - old_size > new_size, or proof.size() != ConsistencyProofLength(old_size,
//   new_size): kMalformed.
// - old_size == new_size: proof must be empty and the roots equal.
// - old_size == 0: proof must be empty and old_root must be EmptyTreeHash()
//   (every tree extends the empty tree; for new_size == 0 both roots must be).
// - otherwise the RFC algorithm; kInconsistent if either root differs.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, std::span<const Hash> proof,
                         const Hash& old_root, const Hash& new_root);

// Reads complete-subtree hashes: returns exactly one hash per requested node,
// in request order (a mismatch in count is treated as kInternal). Nodes may
// repeat. Batched so that a tile-backed reader fetches each tile once.
using NodeReader = std::function<Result<std::vector<Hash>>(std::span<const NodeId>)>;

// Reads all nodes of `plan` in one call and folds each element (see
// ProofPlan). Propagates the reader's errors.
Result<std::vector<Hash>> BuildProof(const ProofPlan& plan, const NodeReader& reader);

// Root hash of the tree of `size` leaves (EmptyTreeHash() for 0) from the
// complete subtrees RangeNodes(0, size).
Result<Hash> TreeHash(uint64_t size, const NodeReader& reader);

// Convenience: plan + build.
Result<std::vector<Hash>> ProveInclusion(uint64_t index, uint64_t size, const NodeReader& reader);
Result<std::vector<Hash>> ProveConsistency(uint64_t old_size, uint64_t new_size,
                                           const NodeReader& reader);

// How a consistency prover is passed in (the one type for "prove consistency
// from m to n"): returns the RFC 9162 proof from the tree of `old_size` leaves
// to the tree of `new_size` leaves, typically ProveConsistency over a
// NodeReader. The log hands one to its witness client; tests pass an
// in-memory tree's.
using ConsistencyProofFn =
    std::function<Result<std::vector<Hash>>(uint64_t old_size, uint64_t new_size)>;

}  // namespace candor

#endif  // CANDOR_MERKLE_H_
