// A NodeReader backed by C2SP tlog-tiles: computes complete-subtree hashes
// from the tiles of one tree size. Shared by the device, the auditor and the
// log server (which passes a fetcher reading its own storage).
//
// The one partial-tile rule (c2sp.org/tlog-tiles "Partial Tiles": a log may
// delete a partial tile once the full tile exists), used by every reader of
// tiles and entry bundles (device, auditor, log server; the same rule as
// Tessera's fetcher fallback):
//   1. ask for the resource at the width the tree of the reader's size gives it;
//   2. only if that is kNotFound and the width is partial (< 256), ask for the
//      full resource and use its first `width` elements (a tile grows by
//      extension, so every version is a prefix of the full one);
//   3. a full request is never served by a partial resource, a wider partial
//      is never asked for, and any other error is returned as is.
// FetchPartialOrFull is that rule over bytes; FetchTile applies it to Merkle
// tiles and checks lengths exactly (kMalformed: a full tile must be 8192 bytes
// even when only its prefix is used).
//
// For each batch the node reader locates every node (candor/layout.h
// LocateNode), fetches each distinct tile once with FetchTile and hashes the
// needed run of the tile's hashes.
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
#include <span>
#include <vector>

#include "candor/bytes.h"
#include "candor/layout.h"
#include "candor/merkle.h"
#include "candor/status.h"

namespace candor {

// Returns the raw bytes stored at exactly TilePath(tile), or an error
// (kNotFound if absent). Applies no fallback of its own: FetchTile does.
using TileFetcher = std::function<Result<Bytes>(const TileId&)>;

// Returns the raw bytes of a tile or entry bundle of the given width (1..256),
// kNotFound if absent.
using WidthFetcher = std::function<Result<Bytes>(uint16_t width)>;

// Bytes fetched under the partial-tile rule, and the width they were fetched
// at: `width` as asked, or kTileWidth after the fallback (the caller takes the
// prefix; for entry bundles that needs parsing, see ParseEntryBundle).
struct PartialOrFull {
  Bytes data;
  uint16_t width = 0;
};

// Steps 1-3 of the rule above. REQUIRES: 1 <= width <= 256. When the partial
// is kNotFound and the full fetch fails too, returns the full fetch's error
// (kNotFound: neither exists; anything else: why the full one could not be
// read).
Result<PartialOrFull> FetchPartialOrFull(const WidthFetcher& fetch, uint16_t width);

// The tile.width hashes of `tile` under the rule above: kMalformed (with the
// path) unless the bytes fetched are exactly 32 * the width fetched;
// kInvalidArgument unless 1 <= tile.width <= 256.
Result<std::vector<Hash>> FetchTile(const TileFetcher& fetch, const TileId& tile);

// A reader for nodes of the tree of `tree_size` leaves. Requests for nodes
// that do not exist in that tree fail with kInvalidArgument; tiles of the
// wrong length fail with kMalformed.
NodeReader MakeTileNodeReader(TileFetcher fetch, uint64_t tree_size);

// The same nodes of the tree of `tree_size` leaves, read from the tiles of the
// larger tree of `tiles_size` leaves: a node's hash never changes once its
// subtree is complete, so the tiles of any later tree serve it. For a server
// that answers for sizes it never stored tiles at (candor-log's
// /candor/v1/consistency?to=N for any N up to its published size).
// REQUIRES: tree_size <= tiles_size.
NodeReader MakeTileNodeReader(TileFetcher fetch, uint64_t tree_size, uint64_t tiles_size);

// The Merkle tree hash of a run of 2^k consecutive hashes (a perfect binary
// tree). REQUIRES: hashes.size() is a power of two, 1..256.
Hash PerfectSubtreeHash(std::span<const Hash> hashes);

// Splits tile bytes into hashes. kMalformed unless data.size() == 32 * width;
// kInvalidArgument unless 1 <= width <= 256.
Result<std::vector<Hash>> ParseTile(ByteView data, uint16_t width);

// The bytes of a tile: its hashes, concatenated (32 * hashes.size() bytes).
// ParseTile(FormatTile(h), h.size()) == h for 1..256 hashes.
Bytes FormatTile(std::span<const Hash> hashes);

}  // namespace candor

#endif  // CANDOR_TILE_READER_H_
