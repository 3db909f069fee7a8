// SequentialFile: a regular file opened for reading front to back, in chunks
// of the caller's size (constant memory for firmware images), or into one
// caller-owned buffer (key files, which the caller wipes afterwards).
//
// Thread-safety: one thread at a time per SequentialFile; move-only owner of
// its file descriptor.
#ifndef CANDOR_FS_SEQUENTIAL_FILE_H_
#define CANDOR_FS_SEQUENTIAL_FILE_H_

#include <cstdint>
#include <span>
#include <string>

#include "candor/status.h"

namespace candor::fs {

struct OpenOptions {
  // false: O_NOFOLLOW, a symbolic link at `path` is refused (kIo).
  bool follow_symlinks = true;
  // Tell the kernel the file is read once front to back (posix_fadvise).
  bool sequential_hint = false;
  // What a path that exists but is not a regular file is refused with. The
  // log answers 404 (kNotFound) for anything it does not serve as a file.
  Code not_regular = Code::kIo;
};

class SequentialFile {
 public:
  // Opens `path`. kNotFound if it does not exist (ENOENT, ENOTDIR), the
  // options' `not_regular` code if it is not a regular file, kIo otherwise.
  // Every message names the path.
  static Result<SequentialFile> Open(const std::string& path, const OpenOptions& options = {});

  SequentialFile(SequentialFile&& other) noexcept;
  SequentialFile& operator=(SequentialFile&& other) noexcept;
  SequentialFile(const SequentialFile&) = delete;
  SequentialFile& operator=(const SequentialFile&) = delete;
  ~SequentialFile();

  uint64_t size() const { return size_; }  // at open time
  unsigned mode() const { return mode_; }  // st_mode at open time
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

  // Reads up to buf.size() bytes; 0 at end of file. Retries EINTR. kIo on error.
  Result<size_t> Read(std::span<uint8_t> buf);
  Result<size_t> Read(std::span<char> buf);

  // Reads until `buf` is full or end of file; returns the bytes read.
  Result<size_t> ReadFull(std::span<char> buf);

 private:
  SequentialFile(int fd, uint64_t size, unsigned mode, std::string path)
      : fd_(fd), size_(size), mode_(mode), path_(std::move(path)) {}
  int fd_ = -1;
  uint64_t size_ = 0;
  unsigned mode_ = 0;
  std::string path_;
};

}  // namespace candor::fs

#endif  // CANDOR_FS_SEQUENTIAL_FILE_H_
