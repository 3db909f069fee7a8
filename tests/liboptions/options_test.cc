// ParseOptions (candor/options.h): options are spelled in full (an
// abbreviation is refused, not guessed), unknown options are refused, good
// command lines parse; ReportUsageError's one line format and exit code.
#include "candor/options.h"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

namespace po = boost::program_options;

namespace candor {
namespace {

struct Parsed {
  Status status;
  std::string data_dir;
  std::string dir;
  std::vector<std::string> files;
};

// A description like candor-log's: --data-dir, --dir (a prefix of --data-dir
// only by guessing), --json, and positional FILE arguments.
Parsed Parse(const std::vector<std::string>& args) {
  Parsed p;
  po::options_description desc("test");
  bool json = false;
  desc.add_options()("data-dir", po::value(&p.data_dir), "data directory")(
      "dir", po::value(&p.dir), "a directory")("json", po::bool_switch(&json), "JSON")(
      "file", po::value(&p.files)->composing(), "input file");
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  p.status = ParseOptions(args, desc, &pos, vm);
  return p;
}

TEST_CASE("ParseOptions refuses abbreviations and unknown options") {
  struct Case {
    std::vector<std::string> args;
    std::string message;  // part of the parser's message
  };
  const std::vector<Case> cases = {
      {{"--dat", "x"}, "--dat"},           // abbreviation of --data-dir
      {{"--data", "x"}, "--data"},         // longer abbreviation, still refused
      {{"--js"}, "--js"},                  // abbreviation of a switch
      {{"--bogus", "x"}, "--bogus"},       // unknown
      {{"--data-dirs", "x"}, "data-dirs"},  // longer than any option
      {{"--data-dir"}, "data-dir"},        // missing value
  };
  for (const Case& c : cases) {
    Parsed p = Parse(c.args);
    CAPTURE(c.args[0]);
    CHECK(p.status.code() == Code::kInvalidArgument);
    CHECK(p.status.message().find(c.message) != std::string::npos);
  }
}

TEST_CASE("ParseOptions parses good command lines") {
  Parsed p = Parse({"--data-dir", "/d", "--dir=/e", "a.pub", "--json", "b.pub"});
  REQUIRE(p.status.ok());
  CHECK(p.data_dir == "/d");
  CHECK(p.dir == "/e");
  CHECK(p.files == std::vector<std::string>{"a.pub", "b.pub"});

  Parsed empty = Parse({});
  CHECK(empty.status.ok());
  CHECK(empty.files.empty());
}

TEST_CASE("ReportUsageError: one line, then the usage, exit 1") {
  std::ostringstream err;
  CHECK(ReportUsageError(err, "missing --dir", "usage: tool --dir DIR\n") == 1);
  CHECK(err.str() == "usage error: missing --dir\nusage: tool --dir DIR\n");
  std::ostringstream bare;
  CHECK(ReportUsageError(bare, "unknown command x") == kExitUsage);
  CHECK(bare.str() == "usage error: unknown command x\n");
}

}  // namespace
}  // namespace candor
