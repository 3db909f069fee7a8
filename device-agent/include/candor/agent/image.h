// Reading the firmware image so that the bytes verified are the bytes flashed.
//
// The TOCTOU problem: checking a file by path and then flashing it by path
// lets anyone who can write or rename the file swap it in between. Holding one
// open fd defeats renames but not in-place writes by another process that can
// write the same inode. So `install` stages the image: while Verify() streams
// the image through ImageSource's reader, every chunk it hashes is also written
// to a private staging file in the state dir (mode 0600, in a 0700 directory
// only the agent writes). Verify hashes exactly the bytes we staged, and the
// flash reads only the staged copy; the caller's file is read once and never
// again. The cost is one extra write of the image to the state dir's file
// system (documented in docs/AGENT.md); the flash step re-hashes the staged
// copy as it streams it out, as defence in depth against storage faults.
// `verify` (dry run) reads the image once and stages nothing.
//
// Memory: a fixed buffer (kImageChunkSize) whatever the image size.
//
// Thread-safety: one ImageSource / StagedImage per thread.
#ifndef CANDOR_AGENT_IMAGE_H_
#define CANDOR_AGENT_IMAGE_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "candor/bytes.h"
#include "candor/fs/sequential_file.h"
#include "candor/status.h"
#include "candor/verify.h"

namespace candor::agent {

inline constexpr size_t kImageChunkSize = 64 * 1024;

// A file holding `size` image bytes, with its fd. Move-only; closes (and for a
// staged copy, unlinks) on destruction.
class StagedImage {
 public:
  StagedImage(StagedImage&& other) noexcept;
  StagedImage& operator=(StagedImage&&) = delete;
  StagedImage(const StagedImage&) = delete;
  ~StagedImage();

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }  // what a flash command is given
  uint64_t size() const { return size_; }

 private:
  friend class ImageSource;
  StagedImage(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  int fd_ = -1;
  std::string path_;
  uint64_t size_ = 0;
};

// The caller's image, opened once as an fs::SequentialFile (symbolic links to
// images are fine: the open descriptor pins the inode). Regular files only.
class ImageSource {
 public:
  // kNotFound / kIo (also for a path that is not a regular file).
  static Result<ImageSource> Open(const std::string& path);
  ImageSource(ImageSource&& other) noexcept;
  ImageSource& operator=(ImageSource&&) = delete;
  ImageSource(const ImageSource&) = delete;
  ~ImageSource();

  // A reader that streams the image (for the dry run).
  ImageReader Reader();

  // Starts staging into a fresh private file in `staging_dir`: after this, the
  // Reader() also appends every chunk it returns to that file.
  // REQUIRES: called before Reader() is used, at most once.
  Status StageInto(const std::string& staging_dir);
  // Finishes staging (after Verify consumed the whole image) and hands over
  // the staged copy. kInternal if not staging, kIo on write errors seen.
  Result<StagedImage> TakeStaged();

 private:
  explicit ImageSource(fs::SequentialFile file) : file_(std::move(file)) {}
  Result<size_t> Read(std::span<uint8_t> buf);
  fs::SequentialFile file_;
  int stage_fd_ = -1;
  std::string stage_path_;
  uint64_t staged_ = 0;
  Status stage_error_;
};

// Removes staging files left behind by a crash ("<dir>/image.*.stage").
void RemoveStaleStaging(const std::string& staging_dir);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_IMAGE_H_
