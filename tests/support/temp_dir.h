// Test support: a fresh, empty directory under $TMPDIR (or /tmp) for one test,
// removed with everything in it when the object goes, unless
// CANDOR_KEEP_TEST_DIRS is set (for debugging a failed test).
//
// Thread-safety: owned by one thread; path() may be read from any thread.
#ifndef CANDOR_TESTS_SUPPORT_TEMP_DIR_H_
#define CANDOR_TESTS_SUPPORT_TEMP_DIR_H_

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace candor::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "candor-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    if (std::getenv("CANDOR_KEEP_TEST_DIRS") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string operator/(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace candor::testing

#endif  // CANDOR_TESTS_SUPPORT_TEMP_DIR_H_
