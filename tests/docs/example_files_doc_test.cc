// docs/LOG.md shows the tested nginx configuration verbatim: the fenced block
// after the marker line is exactly examples/nginx/candor-tls.conf, the file
// the TLS tests run (tests/support/tls_nginx.h).
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

TEST_CASE("docs/LOG.md shows examples/nginx/candor-tls.conf verbatim") {
  const std::string root = CANDOR_SOURCE_DIR;
  const std::string conf = Slurp(root + "/examples/nginx/candor-tls.conf");
  const std::string doc = Slurp(root + "/docs/LOG.md");
  REQUIRE(!conf.empty());
  const std::string open = "<!-- examples/nginx/candor-tls.conf -->\n```nginx\n";
  size_t at = doc.find(open);
  REQUIRE(at != std::string::npos);
  at += open.size();
  size_t end = doc.find("\n```\n", at);
  REQUIRE(end != std::string::npos);
  CHECK(doc.substr(at, end + 1 - at) == conf);
}

}  // namespace
