// tlog-tiles paths: ParseTilePath / TilePath and ParseEntryBundlePath /
// EntryBundlePath (untrusted URL paths on the log server).
// Properties: parse succeeds iff the input is the canonical path of the
// result (format(parse(x)) == x), with level <= 63 and 1 <= width <= 256; a
// path is never both a tile and an entry bundle.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "candor/layout.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto tile = ParseTilePath(text);
  if (tile.ok()) {
    CANDOR_FUZZ_CHECK(tile->level <= kMaxTileLevel);
    CANDOR_FUZZ_CHECK(tile->width >= 1 && tile->width <= kTileWidth);
    CANDOR_FUZZ_CHECK(TilePath(*tile) == text);
  }
  auto bundle = ParseEntryBundlePath(text);
  if (bundle.ok()) {
    CANDOR_FUZZ_CHECK(bundle->width >= 1 && bundle->width <= kTileWidth);
    CANDOR_FUZZ_CHECK(EntryBundlePath(*bundle) == text);
  }
  CANDOR_FUZZ_CHECK(!(tile.ok() && bundle.ok()));

  // Any uint64 index has a path that parses back to it.
  if (size >= 8) {
    uint64_t index;
    std::memcpy(&index, data, 8);
    const uint16_t width = static_cast<uint16_t>(size > 8 ? data[8] % 256 + 1 : 256);
    auto back = ParseEntryBundlePath(EntryBundlePath(index, width));
    CANDOR_FUZZ_CHECK(back.ok() && back->index == index && back->width == width);
    const TileId id{static_cast<uint8_t>(size % 64), index, width};
    auto t = ParseTilePath(TilePath(id));
    CANDOR_FUZZ_CHECK(t.ok() && *t == id);
  }
  return 0;
}
