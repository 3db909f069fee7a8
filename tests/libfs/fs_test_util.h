// Helpers for the candor_fs tests: whole-file reads and directory listings
// with the C++ library, independent of the code under test.
#ifndef CANDOR_TESTS_LIBFS_FS_TEST_UTIL_H_
#define CANDOR_TESTS_LIBFS_FS_TEST_UTIL_H_

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace candor::fs::testing {

using candor::testing::TempDir;

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<absent>";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void Spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// File names in `dir`, sorted.
inline std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline unsigned ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0xffffffff;
  return static_cast<unsigned>(st.st_mode & 07777);
}

// Sets the process umask for one scope (tests run on one thread).
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t old_;
};

}  // namespace candor::fs::testing

#endif  // CANDOR_TESTS_LIBFS_FS_TEST_UTIL_H_
