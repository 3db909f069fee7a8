// docs/EXIT_CODES.md is the published face of the one mapping from a Code to
// an exit status and an HTTP status (libverify/src/status.cc). Scripts branch
// on that table, so it must say what the code does: every Code is in exactly
// one row, and each row's exit and HTTP columns are what ExitCodeFor and
// HttpStatusFor return. A code added without its row, or a mapping changed
// without the table, fails here.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "candor/status.h"

namespace candor {
namespace {

std::string ReadDoc() {
  std::ifstream in(std::string(CANDOR_SOURCE_DIR) + "/docs/EXIT_CODES.md");
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Row {
  int exit = -1;
  std::vector<std::string> names;  // the backquoted CodeNames in column 2
  std::vector<int> http;           // column 3, "403" or "400 / 413"
};

// The table rows: "| <exit> | `a`, `b` | <http> / <http> | meaning | line |".
std::vector<Row> ParseRows(const std::string& doc) {
  std::vector<Row> rows;
  std::istringstream lines(doc);
  std::string line;
  const std::regex row_re(R"(^\| (\d+) \| ([^|]*) \| ([^|]*) \|)");
  const std::regex name_re("`([a-z-]+)`");
  const std::regex num_re(R"(\d+)");
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, row_re)) continue;
    Row row;
    row.exit = std::stoi(m[1].str());
    const std::string names = m[2].str(), http = m[3].str();
    for (std::sregex_iterator it(names.begin(), names.end(), name_re), end; it != end; ++it) {
      row.names.push_back((*it)[1].str());
    }
    for (std::sregex_iterator it(http.begin(), http.end(), num_re), end; it != end; ++it) {
      row.http.push_back(std::stoi(it->str()));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST_CASE("docs/EXIT_CODES.md lists every Code with the exit and HTTP status the code maps it to") {
  const std::vector<Row> rows = ParseRows(ReadDoc());
  REQUIRE(rows.size() >= 10);

  std::map<std::string, int> rows_naming;
  for (const Row& row : rows) {
    INFO("exit " << row.exit);
    // Column 3 lists one status per name, in the names' order (none for the
    // usage-error row, which no Code produces).
    REQUIRE(row.http.size() == row.names.size());
    for (size_t i = 0; i < row.names.size(); ++i) {
      const std::string& name = row.names[i];
      INFO("code " << name);
      ++rows_naming[name];
      std::optional<Code> code = name == "ok" ? std::optional<Code>(Code::kOk) : CodeFromName(name);
      REQUIRE_MESSAGE(code.has_value(), "the table names a code that does not exist");
      CHECK(ExitCodeFor(*code) == row.exit);
      CHECK(HttpStatusFor(*code) == row.http[i]);
    }
  }

  // Every code, from kOk to the last one CodeName knows, has exactly one row.
  for (int i = static_cast<int>(Code::kOk);; ++i) {
    const std::string name(CodeName(static_cast<Code>(i)));
    if (name == "unknown") break;
    INFO("code " << name);
    CHECK(rows_naming[name] == 1);
  }
}

}  // namespace
}  // namespace candor
