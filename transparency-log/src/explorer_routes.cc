// Explorer routes (see explorer_routes.h). The assets themselves are generated
// into explorer_assets.cc at build time.
#include "candor/log/explorer_routes.h"

#include <httplib.h>

#include <string>

namespace candor {
namespace {

void SetCommonHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy", kExplorerCsp);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  // The files change only with the binary; revalidate rather than pin them.
  res.set_header("Cache-Control", "no-cache");
}

void NotFound(httplib::Response& res) {
  res.status = 404;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content("not found\n", "text/plain; charset=utf-8");
}

void Serve(const ExplorerAsset* asset, httplib::Response& res) {
  if (asset == nullptr) return NotFound(res);
  SetCommonHeaders(res);
  res.set_content(reinterpret_cast<const char*>(asset->data), asset->size,
                  std::string(asset->content_type));
}

}  // namespace

const ExplorerAsset* FindExplorerAsset(std::string_view name) {
  for (size_t i = 0; i < kExplorerAssetCount; ++i) {
    if (kExplorerAssets[i].name == name) return &kExplorerAssets[i];
  }
  return nullptr;
}

void RegisterExplorerRoutes(httplib::Server& server) {
  auto index = [](const httplib::Request&, httplib::Response& res) {
    Serve(FindExplorerAsset("index.html"), res);
  };
  server.Get("/", index);
  server.Get("/index.html", index);
  // Exact-name lookup in the embedded table: no file system, no traversal.
  // index.html is only served at "/": its relative URLs assume that location.
  server.Get(R"(/explorer/(.*))", [](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    if (name == "index.html") return NotFound(res);
    Serve(FindExplorerAsset(name), res);
  });
}

}  // namespace candor
