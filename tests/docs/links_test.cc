// The documentation stands on its own: every relative link in README.md and
// docs/*.md resolves to a file or folder inside the repository, and no
// document points at a file the repository does not contain.
//
// Links are Markdown inline links `[text](target)`; targets with a scheme
// (https:, mailto:) and pure fragments (#section) are not files and are
// skipped. A fragment after a file (FORMATS.md#bundle) is dropped before the
// file is checked.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Link {
  size_t line = 0;
  std::string target;
};

// Inline link targets outside code spans and fenced code blocks.
std::vector<Link> LinksIn(const std::string& text) {
  std::vector<Link> links;
  std::istringstream in(text);
  std::string line;
  size_t number = 0;
  bool fenced = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("```", 0) == 0) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    bool code = false;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '`') code = !code;
      if (code || line[i] != ']' || i + 1 >= line.size() || line[i + 1] != '(') continue;
      const size_t close = line.find(')', i + 2);
      if (close == std::string::npos) continue;
      links.push_back({number, line.substr(i + 2, close - i - 2)});
      i = close;
    }
  }
  return links;
}

bool IsExternal(const std::string& target) {
  return target.empty() || target[0] == '#' || target.find("://") != std::string::npos ||
         target.rfind("mailto:", 0) == 0;
}

std::string Slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<fs::path> Documents(const fs::path& root) {
  std::vector<fs::path> docs = {root / "README.md"};
  for (const auto& e : fs::directory_iterator(root / "docs")) {
    if (e.path().extension() == ".md") docs.push_back(e.path());
  }
  return docs;
}

}  // namespace

TEST_CASE("docs: the link extractor finds inline links and skips code") {
  const auto links = LinksIn(
      "See [a](FORMATS.md#bundle) and [b](https://c2sp.org/x).\n"
      "`[not](code.md)`\n"
      "```\n[not](fenced.md)\n```\n"
      "[c](../README.md)\n");
  REQUIRE(links.size() == 3);
  CHECK(links[0].target == "FORMATS.md#bundle");
  CHECK(IsExternal(links[1].target));
  CHECK(links[2].line == 6);
  CHECK(links[2].target == "../README.md");
}

TEST_CASE("docs: every relative link in README.md and docs/*.md resolves inside the repository") {
  const fs::path root = fs::canonical(CANDOR_SOURCE_DIR);
  size_t checked = 0;
  for (const fs::path& doc : Documents(root)) {
    for (const Link& link : LinksIn(Slurp(doc))) {
      if (IsExternal(link.target)) continue;
      std::string file = link.target.substr(0, link.target.find('#'));
      const fs::path resolved = (doc.parent_path() / file).lexically_normal();
      const std::string where =
          fs::relative(doc, root).string() + ":" + std::to_string(link.line) + " -> " + link.target;
      CAPTURE(where);
      CHECK(fs::exists(resolved));
      const std::string rel = fs::relative(resolved, root).string();
      CHECK_FALSE(rel.starts_with(".."));
      ++checked;
    }
  }
  CHECK(checked > 20);  // the README and docs do link to each other
}

TEST_CASE("docs: no document names a design file the repository does not contain") {
  const fs::path root = fs::canonical(CANDOR_SOURCE_DIR);
  for (const fs::path& doc : Documents(root)) {
    const std::string text = Slurp(doc);
    for (const std::string outside : {"DESIGN.md", "notes/HTTP_API.md", "docs/API.md", "../shared"}) {
      const std::string where = fs::relative(doc, root).string() + " names " + outside;
      CAPTURE(where);
      CHECK(text.find(outside) == std::string::npos);
    }
  }
}
