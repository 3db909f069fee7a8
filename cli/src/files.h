// File helpers for the CLI: bounded reads, atomic no-clobber writes, and a
// streaming reader for firmware images (64 KiB chunks, constant memory).
//
// Atomic writes go to a temporary file in the destination directory, are
// fsync'ed, then put in place with link(2) (which fails if the destination
// exists, so a concurrent writer cannot be clobbered) or, with `force`,
// rename(2); finally the directory is fsync'ed. A reader therefore sees either
// no file, the old file, or the complete new one, never a partial write.
//
// Thread-safety: functions are thread-safe; an ImageFile is used by one thread.
#ifndef CANDOR_CLI_FILES_H_
#define CANDOR_CLI_FILES_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "candor/status.h"

namespace candor::cli {

inline constexpr size_t kImageChunkSize = 64 * 1024;

// Reads a whole file of at most `max_size` bytes. kNotFound if it does not
// exist, kTooLarge if bigger, kIo on other errors. Messages name the path.
Result<std::string> ReadFileLimited(const std::string& path, size_t max_size);

// Writes `contents` to `path` atomically (see the header comment) with `mode`.
// kConflict if `path` exists and !force; kIo otherwise on failure.
Status WriteFileAtomic(const std::string& path, std::string_view contents, bool force,
                       unsigned mode = 0644);

// True if something (file, link, directory) exists at `path`.
bool PathExists(const std::string& path);

// An opened regular file read sequentially in chunks.
class ImageFile {
 public:
  static Result<ImageFile> Open(const std::string& path);
  ImageFile(ImageFile&& other) noexcept;
  ImageFile& operator=(ImageFile&& other) noexcept;
  ImageFile(const ImageFile&) = delete;
  ImageFile& operator=(const ImageFile&) = delete;
  ~ImageFile();

  uint64_t size() const { return size_; }  // at open time
  const std::string& path() const { return path_; }

  // Reads up to buf.size() bytes; 0 at end of file. kIo on error. Retries EINTR.
  Result<size_t> Read(std::span<uint8_t> buf);

 private:
  ImageFile(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_;
};

// A progress indicator on stderr for long reads: "\r<label>  42% 120/283 MiB".
// Silent unless enabled (an interactive stderr and a large enough total).
class Progress {
 public:
  Progress(std::ostream& err, std::string label, uint64_t total, bool enabled);
  ~Progress();  // finishes the line if anything was drawn
  void Add(uint64_t n);

 private:
  void Draw();
  std::ostream& err_;
  std::string label_;
  uint64_t total_;
  uint64_t done_ = 0;
  bool enabled_;
  int last_percent_ = -1;
};

// Images at least this big get a progress bar on an interactive stderr.
inline constexpr uint64_t kProgressThreshold = 8u << 20;

}  // namespace candor::cli

#endif  // CANDOR_CLI_FILES_H_
