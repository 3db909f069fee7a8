// The documentation stands on its own: every relative link in README.md and
// docs/*.md resolves to a file or folder inside the repository, and no
// document points at a file the repository does not contain.
//
// Links are Markdown inline links `[text](target)`; targets with a scheme
// (https:, mailto:) and pure fragments (#section) are not files and are
// skipped. A fragment after a file (FORMATS.md#bundle) is dropped before the
// file is checked.
#include <doctest/doctest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
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

// Every Markdown file a document names outside fenced code blocks (where
// example commands name the user's own files): in prose and code spans
// (`FORMATS.md`, docs/AGENT.md, "see SECURITY.md"), not only in links: a name that resolves
// from the document's folder or the repository root, or is the name of a
// Markdown file somewhere in the repository. A pointer to a brief or an API
// page kept elsewhere fails here.
std::vector<std::string> MarkdownNamesIn(const std::string& markdown) {
  std::string text;  // the document without its fenced code blocks
  {
    std::istringstream in(markdown);
    std::string line;
    bool fenced = false;
    while (std::getline(in, line)) {
      if (line.rfind("```", 0) == 0) fenced = !fenced;
      if (!fenced) text += line + "\n";
    }
  }
  std::vector<std::string> names;
  auto is_name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '/' ||
           c == '.';
  };
  for (size_t at = text.find(".md"); at != std::string::npos; at = text.find(".md", at + 3)) {
    if (at + 3 < text.size() && std::isalnum(static_cast<unsigned char>(text[at + 3]))) continue;
    size_t begin = at;
    while (begin > 0 && is_name_char(text[begin - 1])) --begin;
    std::string name = text.substr(begin, at + 3 - begin);
    while (name.starts_with("./")) name.erase(0, 2);
    if (name.size() > 3 && name.find("://") == std::string::npos) names.push_back(name);
  }
  return names;
}

TEST_CASE("docs: the prose scanner finds Markdown names") {
  const auto names = MarkdownNamesIn(
      "see FORMATS.md, docs/AGENT.md and `x.mdx` or (../README.md).\n```\nfw --changelog "
      "docs/LOG.md\n```\n");
  REQUIRE(names.size() == 3);
  CHECK(names[0] == "FORMATS.md");
  CHECK(names[1] == "docs/AGENT.md");
  CHECK(names[2] == "../README.md");
}

TEST_CASE("docs: every Markdown file the docs name exists in the repository") {
  const fs::path root = fs::canonical(CANDOR_SOURCE_DIR);
  std::set<std::string> basenames;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(e.path(), root).string();
    if (rel.starts_with(".git") || rel.starts_with("build") ||
        rel.find("node_modules") != std::string::npos)
      continue;
    if (e.path().extension() == ".md") basenames.insert(e.path().filename().string());
  }
  size_t checked = 0;
  for (const fs::path& doc : Documents(root)) {
    for (const std::string& name : MarkdownNamesIn(Slurp(doc))) {
      const std::string where = fs::relative(doc, root).string() + " names " + name;
      CAPTURE(where);
      const bool found = fs::exists(doc.parent_path() / name) || fs::exists(root / name) ||
                         (name.find('/') == std::string::npos && basenames.contains(name));
      CHECK(found);
      ++checked;
    }
  }
  CHECK(checked > 20);
}

// A merge that left its conflict markers in a document compiles and links
// fine: only reading it shows the two versions. (docs/LOG.md once did.)
TEST_CASE("docs: no document holds a merge conflict marker") {
  const fs::path root = fs::canonical(CANDOR_SOURCE_DIR);
  size_t documents = 0;
  for (const fs::path& doc : Documents(root)) {
    std::istringstream in(Slurp(doc));
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      const bool marker = line.starts_with("<<<<<<< ") || line.starts_with(">>>>>>> ") ||
                          line == "=======" || line.starts_with("||||||| ");
      const std::string where = fs::relative(doc, root).string() + ":" + std::to_string(number);
      CAPTURE(where);
      CHECK_FALSE(marker);
    }
    ++documents;
  }
  CHECK(documents > 5);
}
