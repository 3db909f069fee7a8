// Explorer routes (see explorer_routes.h). The assets themselves are generated
// into explorer_assets.cc at build time.
#include "candor/log/explorer_routes.h"

#include <string>

namespace candor {
namespace {

void SetCommonHeaders(ServerResponse& res) {
  res.SetHeader("Content-Security-Policy", kExplorerCsp);
  res.SetHeader("X-Content-Type-Options", "nosniff");
  res.SetHeader("Referrer-Policy", "no-referrer");
  // The files change only with the binary; revalidate rather than pin them.
  res.SetHeader("Cache-Control", "no-cache");
}

void NotFound(ServerResponse& res) {
  res.SetError(Status::NotFound("not found"));
  res.SetHeader("X-Content-Type-Options", "nosniff");
}

void Serve(const ExplorerAsset* asset, ServerResponse& res) {
  if (asset == nullptr) return NotFound(res);
  SetCommonHeaders(res);
  res.content_type = std::string(asset->content_type);
  // Embedded, static lifetime: sent without a copy.
  res.static_body = std::string_view(reinterpret_cast<const char*>(asset->data), asset->size);
}

}  // namespace

const ExplorerAsset* FindExplorerAsset(std::string_view name) {
  for (size_t i = 0; i < kExplorerAssetCount; ++i) {
    if (kExplorerAssets[i].name == name) return &kExplorerAssets[i];
  }
  return nullptr;
}

void RegisterExplorerRoutes(HttpServer& server) {
  auto index = [](const ServerRequest&, ServerResponse& res) {
    Serve(FindExplorerAsset("index.html"), res);
  };
  server.Handle("GET", "/", HttpMatch::kExact, index);
  server.Handle("GET", "/index.html", HttpMatch::kExact, index);
  // Exact-name lookup in the embedded table: no file system, no traversal.
  // index.html is only served at "/": its relative URLs assume that location.
  server.Handle("GET", "/explorer/", HttpMatch::kPrefix,
                [](const ServerRequest& req, ServerResponse& res) {
                  std::string_view name = std::string_view(req.path).substr(10);
                  if (name == "index.html") return NotFound(res);
                  Serve(FindExplorerAsset(name), res);
                });
}

}  // namespace candor
