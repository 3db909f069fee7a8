// A NodeReader backed by C2SP tlog-tiles: computes complete-subtree hashes
// from the tiles of one tree size. Shared by the device, the auditor and the
// log server (which passes a fetcher reading its own storage).
//
// For each batch the reader locates every node (candor/layout.h LocateNode),
// fetches each distinct tile once, checks it is exactly 32 * width bytes and
// hashes the needed run of the tile's hashes. If a partial tile is NotFound
// (tlog-tiles lets logs delete partial tiles once the full tile exists) it
// falls back to the full tile and uses its prefix.
//
// The hashes are as trustworthy as the tiles: verify anything derived from
// them (proofs, roots) against a signed checkpoint of `tree_size`.
//
// Thread-safety: the returned reader holds no mutable state beyond `fetch`; it
// is as thread-safe as `fetch` is.
#ifndef CANDOR_TILE_READER_H_
#define CANDOR_TILE_READER_H_

#include <cstdint>
#include <functional>

#include "candor/bytes.h"
#include "candor/layout.h"
#include "candor/merkle.h"
#include "candor/status.h"

namespace candor {

// Returns the raw bytes of a tile (32 * tile.width bytes), or an error
// (kNotFound if absent).
using TileFetcher = std::function<Result<Bytes>(const TileId&)>;

// A reader for nodes of the tree of `tree_size` leaves. Requests for nodes
// that do not exist in that tree fail with kInvalidArgument; tiles of the
// wrong length fail with kMalformed.
NodeReader MakeTileNodeReader(TileFetcher fetch, uint64_t tree_size);

// The Merkle tree hash of a run of 2^k consecutive hashes (a perfect binary
// tree). REQUIRES: hashes.size() is a power of two, 1..256.
Hash PerfectSubtreeHash(std::span<const Hash> hashes);

// Splits tile bytes into hashes. kMalformed unless data.size() == 32 * width.
Result<std::vector<Hash>> ParseTile(ByteView data, uint16_t width);

}  // namespace candor

#endif  // CANDOR_TILE_READER_H_
