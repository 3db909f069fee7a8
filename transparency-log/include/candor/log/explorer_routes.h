// The log explorer: a read-only web page served by `candor-log serve` at "/"
// (docs/EXPLORER.md). Its files (transparency-log/web/) are compiled into the
// binary by transparency-log/cmake/explorer_assets.cmake, so a running log needs
// no asset directory. The page reads only the public tlog-tiles API
// (/checkpoint, /tile/...), so the same files also work from any static server.
//
// Routes:
//   GET /                  index.html
//   GET /explorer/<name>   one embedded asset (app.js, style.css, ...)
// Asset names are looked up in the embedded table by exact match: anything else
// (other names, "..", encoded slashes, subdirectories) is 404, so there is no
// path traversal and no file system access at all. Every answer carries
// Content-Security-Policy (no inline script, no third-party origin except for
// reading a log named with ?log=), X-Content-Type-Options: nosniff, and a short
// cache lifetime (assets change with the binary).
//
// Thread-safety: the asset table is immutable static data; handlers are
// reentrant.
#ifndef CANDOR_LOG_EXPLORER_ROUTES_H_
#define CANDOR_LOG_EXPLORER_ROUTES_H_

#include <cstddef>
#include <string_view>

#include "candor/http/http_server.h"

namespace candor {

// One embedded file. `data` points to static storage (lifetime: the program).
struct ExplorerAsset {
  std::string_view name;          // file name in transparency-log/web/, e.g. "app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  const unsigned char* data;
  size_t size;
};

// The asset called `name` (exact match), or nullptr.
const ExplorerAsset* FindExplorerAsset(std::string_view name);

// All embedded assets (generated at build time).
extern const ExplorerAsset kExplorerAssets[];
extern const size_t kExplorerAssetCount;

// The Content-Security-Policy sent with explorer pages.
inline constexpr const char* kExplorerCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' https: http:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

// Registers GET "/" and GET "/explorer/<name>". REQUIRES: called before the
// server starts listening.
void RegisterExplorerRoutes(HttpServer& server);

}  // namespace candor

#endif  // CANDOR_LOG_EXPLORER_ROUTES_H_
