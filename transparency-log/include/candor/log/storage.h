// TileStorage: the log's data directory, which IS the c2sp.org/tlog-tiles
// layout on disk, so that nginx or a CDN can serve it unchanged:
//
//   DATA/checkpoint                  latest published (cosigned) checkpoint
//   DATA/tile/<L>/<N>[.p/<W>]        Merkle tiles
//   DATA/tile/entries/<N>[.p/<W>]    entry bundles
//
// Private state lives beside it and is never served: DATA/log.key,
// DATA/log.pub, DATA/config, DATA/vendors, DATA/state/ (index database, lock).
// See docs/LOG.md.
//
// Durability: WriteFiles stages every file of a batch as "<path>.tmp"
// (candor/fs/atomic_write.h StagedFile), fsyncs it, renames it into place and finally fsyncs every
// directory touched, so that when it returns OK all files are durable and a reader (this server or
// nginx) never sees a half-written tile. A crash in the middle leaves either old or new complete
// files plus maybe stray "*.tmp" files, which the strict path parser never serves.
//
// Thread-safety: reads are safe concurrently with each other and with
// WriteFiles (files are replaced atomically). WriteFiles and WriteCheckpoint
// must be called from one thread at a time.
#ifndef CANDOR_LOG_STORAGE_H_
#define CANDOR_LOG_STORAGE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "candor/bytes.h"
#include "candor/layout.h"
#include "candor/status.h"

namespace candor {

// One file of a batch: path relative to the data directory, and its contents.
struct StorageFile {
  std::string path;
  Bytes data;
};

// The largest file the log reads back to serve: a full entry bundle holds 256
// entries of under 64 KiB each, so 64 MiB bounds every file the log wrote.
inline constexpr size_t kMaxServedFileSize = size_t{64} << 20;

class TileStorage {
 public:
  // REQUIRES: `dir` exists. Does not create or lock anything.
  explicit TileStorage(std::string dir);

  const std::string& dir() const { return dir_; }

  // Durably writes all files (see the header comment). Creates directories as
  // needed. kIo on failure (some files may have been replaced).
  Status WriteFiles(const std::vector<StorageFile>& files);

  // Reads a tile / entry bundle with exactly this width. kNotFound if absent.
  // No fallback: readers apply the one partial-tile rule of
  // candor/tile_reader.h (FetchTile, FetchPartialOrFull) on top.
  Result<Bytes> ReadTile(const TileId& tile) const;
  Result<Bytes> ReadEntryBundle(const EntryBundleId& bundle) const;

  // DATA/checkpoint, written atomically (tmp, fsync, rename, fsync dir).
  Status WriteCheckpoint(std::string_view note);
  // kNotFound if the log never published one.
  Result<std::string> ReadCheckpoint() const;
  // Bytes available to this process on the data directory's file system.
  Result<uint64_t> FreeBytes() const;

  // Reads any file under the data directory (relative path). kNotFound if absent
  // or not a regular file, kTooLarge beyond kMaxServedFileSize.
  Result<Bytes> ReadRelative(const std::string& relative_path) const;

 private:
  std::string dir_;
};

}  // namespace candor

#endif  // CANDOR_LOG_STORAGE_H_
