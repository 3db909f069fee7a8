#include "candor/agent/image.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "candor/fs/errno_text.h"
#include "candor/fs/sequential_file.h"
#include "candor/fs/write_all.h"

namespace candor::agent {
namespace {
constexpr std::string_view kStagePrefix = "image.";
constexpr std::string_view kStageSuffix = ".stage";
}  // namespace

StagedImage::StagedImage(StagedImage&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), size_(other.size_) {
  other.fd_ = -1;
  other.path_.clear();
}

StagedImage::~StagedImage() {
  if (fd_ >= 0) ::close(fd_);
  if (!path_.empty()) ::unlink(path_.c_str());
}

Result<ImageSource> ImageSource::Open(const std::string& path) {
  // One image is read once front to back: tell the kernel (readahead).
  CANDOR_ASSIGN_OR_RETURN(fs::SequentialFile file,
                          fs::SequentialFile::Open(path, {.sequential_hint = true}));
  return ImageSource(std::move(file));
}

ImageSource::ImageSource(ImageSource&& other) noexcept
    : file_(std::move(other.file_)),
      stage_fd_(other.stage_fd_),
      stage_path_(std::move(other.stage_path_)),
      staged_(other.staged_),
      stage_error_(other.stage_error_) {
  other.stage_fd_ = -1;
  other.stage_path_.clear();
}

ImageSource::~ImageSource() {
  if (stage_fd_ >= 0) ::close(stage_fd_);
  if (!stage_path_.empty()) ::unlink(stage_path_.c_str());
}

ImageReader ImageSource::Reader() {
  return [this](std::span<uint8_t> buf) { return Read(buf); };
}

Result<size_t> ImageSource::Read(std::span<uint8_t> buf) {
  CANDOR_ASSIGN_OR_RETURN(const size_t n, file_.Read(buf));
  if (stage_fd_ >= 0 && n > 0) {
    // These exact bytes are what the caller (Verify) hashes next: staging
    // them here, before returning, is what makes verified == flashed.
    Status s = fs::WriteAll(stage_fd_, AsChars(buf.first(n)), "staging image");
    if (!s.ok()) {
      stage_error_ = s;
      return s;
    }
    staged_ += n;
  }
  return n;
}

Status ImageSource::StageInto(const std::string& staging_dir) {
  if (stage_fd_ >= 0) return Status::Internal("StageInto called twice");
  std::string tmpl =
      staging_dir + "/" + std::string(kStagePrefix) + "XXXXXX" + std::string(kStageSuffix);
  int fd = ::mkostemps(tmpl.data(), static_cast<int>(kStageSuffix.size()), O_CLOEXEC);
  if (fd < 0) return fs::IoError("creating staging file in " + staging_dir, "", errno);
  stage_fd_ = fd;
  stage_path_ = tmpl;
  return Status::Ok();
}

Result<StagedImage> ImageSource::TakeStaged() {
  if (stage_fd_ < 0) return Status::Internal("image was not staged");
  if (!stage_error_.ok()) return stage_error_;
  // Read-only for the flash command; we keep our fd for flash-target.
  if (::fchmod(stage_fd_, 0400) != 0) return fs::IoError("chmod staging file", "", errno);
  StagedImage out(stage_fd_, std::move(stage_path_), staged_);
  stage_fd_ = -1;
  stage_path_.clear();
  return out;
}

void RemoveStaleStaging(const std::string& staging_dir) {
  DIR* d = ::opendir(staging_dir.c_str());
  if (d == nullptr) return;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name.size() > kStagePrefix.size() + kStageSuffix.size() && name.starts_with(kStagePrefix) &&
        name.ends_with(kStageSuffix)) {
      ::unlinkat(::dirfd(d), e->d_name, 0);
    }
  }
  ::closedir(d);
}

}  // namespace candor::agent
