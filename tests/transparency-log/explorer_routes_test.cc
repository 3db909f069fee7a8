// The explorer's embedded assets and routes (candor/log/explorer_routes.h):
// every file of transparency-log/web/ is embedded byte for byte with the right
// Content-Type, and the routes serve exactly those names (no traversal).
#include "candor/log/explorer_routes.h"

#include <dirent.h>
#include <doctest/doctest.h>
#include <httplib.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

namespace candor {
namespace {

const std::string kWebDir = std::string(CANDOR_SOURCE_DIR) + "/transparency-log/web";

std::string ReadSource(const std::string& name) {
  std::ifstream in(kWebDir + "/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string_view Body(const ExplorerAsset& a) {
  return {reinterpret_cast<const char*>(a.data), a.size};
}

TEST_CASE("every web/ file is embedded, byte for byte, with its Content-Type") {
  std::set<std::string> files;
  DIR* dir = ::opendir(kWebDir.c_str());
  REQUIRE(dir != nullptr);
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name.ends_with(".html") || name.ends_with(".js") || name.ends_with(".css")) {
      files.insert(name);
    }
  }
  ::closedir(dir);
  REQUIRE(files.count("index.html") == 1);
  REQUIRE(files.count("app.js") == 1);
  CHECK(kExplorerAssetCount == files.size());
  std::set<std::string_view> names;
  for (size_t i = 0; i < kExplorerAssetCount; ++i) names.insert(kExplorerAssets[i].name);
  CHECK(names.size() == kExplorerAssetCount);  // unique
  for (const std::string& name : files) {
    CAPTURE(name);
    const ExplorerAsset* a = FindExplorerAsset(name);
    REQUIRE(a != nullptr);
    CHECK(Body(*a) == ReadSource(name));
    const char* type = name.ends_with(".html") ? "text/html; charset=utf-8"
                       : name.ends_with(".js") ? "text/javascript; charset=utf-8"
                                               : "text/css; charset=utf-8";
    CHECK(a->content_type == type);
  }
  CHECK(FindExplorerAsset("") == nullptr);
  CHECK(FindExplorerAsset("APP.JS") == nullptr);
  CHECK(FindExplorerAsset("app.js ") == nullptr);
}

TEST_CASE("explorer routes: index at /, assets under /explorer/, 404 otherwise") {
  auto svr = HttpServer::Bind(HttpServerOptions{});
  REQUIRE(svr.ok());
  RegisterExplorerRoutes(**svr);
  REQUIRE((*svr)->Start().ok());
  httplib::Client client("127.0.0.1", (*svr)->port());

  struct Case {
    const char* path;
    int status;
    const char* type;  // expected Content-Type when 200
    const char* file;  // expected body (web/ file) when 200
  };
  const Case cases[] = {
      {"/", 200, "text/html; charset=utf-8", "index.html"},
      {"/index.html", 200, "text/html; charset=utf-8", "index.html"},
      {"/explorer/app.js", 200, "text/javascript; charset=utf-8", "app.js"},
      {"/explorer/style.css", 200, "text/css; charset=utf-8", "style.css"},
      {"/explorer/index.html", 404, nullptr, nullptr},
      {"/explorer/", 404, nullptr, nullptr},
      {"/explorer/missing.js", 404, nullptr, nullptr},
      {"/explorer/../log.key", 404, nullptr, nullptr},
      {"/explorer/..%2flog.key", 404, nullptr, nullptr},
      {"/explorer/%2e%2e/config", 404, nullptr, nullptr},
      {"/explorer/app.js/", 404, nullptr, nullptr},
      {"/explorer/sub/app.js", 404, nullptr, nullptr},
      {"/explorer/app.js%00.png", 404, nullptr, nullptr},
      {"/log.key", 404, nullptr, nullptr},
  };
  for (const Case& c : cases) {
    std::string path = c.path;
    CAPTURE(path);
    auto res = client.Get(c.path);
    REQUIRE(res);
    CHECK(res->status == c.status);
    // Not an explorer route at all: the server's plain 404.
    if (path != "/log.key") CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
    if (c.status == 200) {
      CHECK(res->get_header_value("Content-Type") == c.type);
      CHECK(res->body == ReadSource(c.file));
      CHECK(res->get_header_value("Content-Security-Policy") == kExplorerCsp);
    }
  }
  (*svr)->Stop();
}

}  // namespace
}  // namespace candor
