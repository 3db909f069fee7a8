// The docs show tested example files verbatim: the fenced block after each
// marker line "<!-- FILE -->" is exactly FILE. docs/LOG.md shows the nginx
// configuration the TLS tests run (tests/support/tls_nginx.h) and the
// Prometheus alert rules promtool checks (tests/transparency-log/
// log_prometheus_test.cc); docs/WITNESS.md the witness's alert rules.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("docs show the example files verbatim") {
  struct Case {
    const char* doc;
    const char* file;
    const char* fence;
  };
  const Case cases[] = {
      {"docs/LOG.md", "examples/nginx/candor-tls.conf", "nginx"},
      {"docs/LOG.md", "examples/prometheus/candor-log.rules.yml", "yaml"},
      {"docs/WITNESS.md", "examples/prometheus/candor-witness.rules.yml", "yaml"},
  };
  const std::string root = CANDOR_SOURCE_DIR;
  for (const Case& c : cases) {
    CAPTURE(c.file);
    const std::string file = Slurp(root + "/" + c.file);
    const std::string doc = Slurp(root + "/" + c.doc);
    REQUIRE(!file.empty());
    const std::string open = std::string("<!-- ") + c.file + " -->\n```" + c.fence + "\n";
    size_t at = doc.find(open);
    REQUIRE(at != std::string::npos);
    at += open.size();
    size_t end = doc.find("\n```\n", at);
    REQUIRE(end != std::string::npos);
    CHECK(doc.substr(at, end + 1 - at) == file);
  }
}

}  // namespace
