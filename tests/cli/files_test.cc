// The CLI's progress indicator (cli/src/files.h): silent unless enabled, one
// redraw per percent, in MiB for reads and in files for many inputs.
#include "files.h"

#include <doctest/doctest.h>

#include <sstream>

namespace candor::cli {
namespace {

TEST_CASE("Progress: files and MiB units, silent when disabled") {
  {
    std::ostringstream err;
    {
      Progress p(err, "gossip", 2, true, "files");
      p.Add(1);
      p.Add(1);
    }
    CHECK(err.str() ==
          "\rgossip [###############               ]  50% 1/2 files"
          "\rgossip [##############################] 100% 2/2 files\n");
  }
  {
    std::ostringstream err;
    {
      Progress p(err, "hashing", uint64_t{4} << 20, true);
      p.Add(uint64_t{4} << 20);
    }
    CHECK(err.str() == "\rhashing [##############################] 100% 4/4 MiB\n");
  }
  {
    std::ostringstream err;
    {
      Progress p(err, "gossip", 3, false, "files");
      p.Add(3);
    }
    CHECK(err.str().empty());
  }
}

}  // namespace
}  // namespace candor::cli
