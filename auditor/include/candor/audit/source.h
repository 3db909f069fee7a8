// LogSource: where the auditor reads a log from. A log is a C2SP tlog-tiles
// tree (checkpoint, tile/<L>/<N>[.p/<W>], tile/entries/<N>[.p/<W>]) served over
// HTTP by candor-log or any static file server, or a directory on disk with
// that layout (a log's data directory, or another auditor's mirror).
//
// Everything a source returns is untrusted: the sync code verifies it against
// a signed checkpoint (candor/audit/sync.h).
//
// Partial tiles (".p/<W>"): FetchTile and FetchBundle apply the one
// partial-tile rule of candor/tile_reader.h (a missing partial tile or bundle
// is read from the full one; nothing else falls back).
//
// Thread-safety: a LogSource is used by one thread at a time (the HTTP source
// keeps one keep-alive connection).
#ifndef CANDOR_AUDIT_SOURCE_H_
#define CANDOR_AUDIT_SOURCE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/http/http_client.h"
#include "candor/layout.h"
#include "candor/status.h"
#include "candor/tile_reader.h"

namespace candor::audit {

class LogSource {
 public:
  virtual ~LogSource() = default;
  // A human-readable name ("https://log.example:443" or "file:///srv/log").
  virtual std::string Describe() const = 0;
  // The raw bytes at a tlog-tiles path ("checkpoint", "tile/0/000"...).
  // kNotFound if absent; other errors as they come.
  virtual Result<Bytes> Get(const std::string& path) = 0;

  Result<std::string> FetchCheckpoint();
  // The tile.width hashes of `tile` (candor::FetchTile over this source).
  Result<std::vector<Hash>> FetchTile(const TileId& tile);
  // The raw entry bundle of this width: for a partial bundle whose path is
  // gone, the full bundle is fetched and the caller must use its first
  // `width` entries (ParseBundlePrefix).
  Result<Bytes> FetchBundle(const EntryBundleId& bundle, bool* was_full);
};

// A TileFetcher (candor/tile_reader.h) over a source: the exact path, no
// fallback (MakeTileNodeReader and FetchTile apply it). REQUIRES: `source`
// outlives the fetcher.
TileFetcher MakeSourceTileFetcher(LogSource* source);

// The HTTP limits of an auditor's requests: the largest file a log serves
// (a full entry bundle, ~16 MiB) as the body limit, and a deadline per
// request, so a hostile log cannot hold or grow `audit sync` without bound.
HttpClientOptions AuditHttpOptions();

// "https://..." (or "http://" for a loopback host) -> HTTP through the one
// client (candor/http/http_client.h) with `http`: its limits, and its TLS
// settings (`http.ca_file` for `--ca-file`), so every "URL|DIR" command
// verifies servers the same way. "file://PATH" or a plain path -> the
// directory at PATH. kInvalidArgument on a bad URL.
Result<std::unique_ptr<LogSource>> OpenLogSource(
    std::string_view location, const HttpClientOptions& http = AuditHttpOptions());

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_SOURCE_H_
