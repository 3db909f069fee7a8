#include "candor/fs/read_file.h"

#include <algorithm>

namespace candor::fs {
namespace {

Status TooLarge(const std::string& path, size_t max_size) {
  return Status::TooLarge(path + ": larger than the limit of " + std::to_string(max_size) +
                          " bytes");
}

// Reads into `out` (std::string or std::vector<uint8_t>): sized from fstat,
// grown in chunks only up to max_size + 1 should the file grow meanwhile.
template <typename Buffer>
Result<Buffer> ReadInto(const std::string& path, size_t max_size, const OpenOptions& options) {
  CANDOR_ASSIGN_OR_RETURN(SequentialFile file, SequentialFile::Open(path, options));
  if (file.size() > max_size) return TooLarge(path, max_size);
  Buffer out;
  out.resize(static_cast<size_t>(file.size()));
  size_t len = 0;
  constexpr size_t kChunk = 16384;
  for (;;) {
    if (len == out.size()) {
      if (out.size() > max_size) return TooLarge(path, max_size);  // grew while read
      out.resize(std::min(out.size() + kChunk, max_size + 1));
    }
    CANDOR_ASSIGN_OR_RETURN(
        size_t n, file.Read(std::span<char>(reinterpret_cast<char*>(out.data()) + len,
                                            out.size() - len)));
    if (n == 0) break;
    len += n;
  }
  if (len > max_size) return TooLarge(path, max_size);
  out.resize(len);
  return out;
}

}  // namespace

Result<std::string> ReadFile(const std::string& path, size_t max_size,
                             const OpenOptions& options) {
  return ReadInto<std::string>(path, max_size, options);
}

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, size_t max_size,
                                           const OpenOptions& options) {
  return ReadInto<std::vector<uint8_t>>(path, max_size, options);
}

}  // namespace candor::fs
