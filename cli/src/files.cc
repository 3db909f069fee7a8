#include "files.h"

#include <sys/stat.h>

#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "candor/fs/atomic_write.h"
#include "candor/sha256.h"
#include "cli.h"

namespace candor::cli {

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Result<std::unique_ptr<Signer>> OpenReleaseSigner(const std::string& key_spec) {
  Result<std::unique_ptr<Signer>> key = OpenSigner(key_spec, {.role = "vendor key"});
  if (!key.ok()) return key.status().WithContext("vendor key " + DescribeKeySpec(key_spec));
  return key;
}

Status WriteFileAtomic(const std::string& path, std::string_view contents, bool force,
                       unsigned mode) {
  auto exists = [&] {
    return Status::Conflict(fmt::format("{} already exists (use --force to replace it)", path));
  };
  // Fail before writing anything; link(2) below closes the race.
  if (!force && PathExists(path)) return exists();
  Status s = fs::WriteFileAtomically(path, contents,
                                     {.mode = mode, .no_clobber = !force, .unique_temp = true});
  if (s.code() == Code::kConflict) return exists();
  return s;
}

Result<TrustPolicy> ReadTrustPolicyFile(const std::string& path, std::ostream& err) {
  CANDOR_ASSIGN_OR_RETURN(std::string text, fs::ReadFile(path, kMaxPolicySize));
  Result<TrustPolicy> policy = ParseTrustPolicy(text);
  if (!policy.ok()) return policy.status().WithContext("trust policy");
  if (std::string w = QuorumSplitViewWarning(*policy); !w.empty()) err << w << "\n";
  return policy;
}

Progress::Progress(std::ostream& err, std::string label, uint64_t total, bool enabled)
    : err_(err), label_(std::move(label)), total_(total), enabled_(enabled && total > 0) {}

Progress::Progress(std::ostream& err, std::string label, uint64_t total, bool enabled,
                   std::string unit)
    : err_(err),
      label_(std::move(label)),
      total_(total),
      enabled_(enabled && total > 0),
      unit_(std::move(unit)) {}

Progress::~Progress() {
  if (enabled_ && last_percent_ >= 0) {
    err_ << "\n";
    err_.flush();
  }
}

void Progress::Add(uint64_t n) {
  done_ += n;
  if (enabled_) Draw();
}

void Progress::Draw() {
  uint64_t shown = done_ > total_ ? total_ : done_;
  int percent = static_cast<int>(shown * 100 / total_);
  if (percent == last_percent_) return;  // redraw at most 101 times
  last_percent_ = percent;
  constexpr int kWidth = 30;
  int filled = percent * kWidth / 100;
  const bool bytes = unit_.empty();
  err_ << fmt::format("\r{} [{}{}] {:3d}% {}/{} {}", label_, std::string(filled, '#'),
                      std::string(kWidth - filled, ' '), percent, bytes ? shown >> 20 : shown,
                      bytes ? total_ >> 20 : total_, bytes ? "MiB" : unit_);
  err_.flush();
}

Status HashFile(const std::string& path, std::string_view what, Context& ctx, Hash& digest,
                uint64_t& size) {
  CANDOR_ASSIGN_OR_RETURN(ImageFile file, OpenImageFile(path));
  Progress progress(ctx.err, fmt::format("hashing {}", path), file.size(),
                    ctx.err_is_tty && file.size() >= kProgressThreshold);
  std::vector<uint8_t> buf(kImageChunkSize);
  Sha256 sha;
  uint64_t total = 0;
  for (;;) {
    CANDOR_ASSIGN_OR_RETURN(size_t n, file.Read(buf));
    if (n == 0) break;
    sha.Update(ByteView(buf.data(), n));
    total += n;
    progress.Add(n);
  }
  if (total == 0) return Status::InvalidArgument(fmt::format("{} {} is empty", what, path));
  digest = sha.Final();
  size = total;
  return Status::Ok();
}

}  // namespace candor::cli
