// HTTP routes of candor-log (see log_routes.h).
#include "candor/log/log_routes.h"

#include <httplib.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "candor/layout.h"
#include "candor/merkle.h"
#include "candor/tlog_proof.h"

namespace candor {
namespace {

std::string OneLine(std::string_view msg) {
  std::string out(msg);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out + "\n";
}

void Refuse(httplib::Response& res, int http_status, std::string_view reason) {
  res.status = http_status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(OneLine(reason), "text/plain; charset=utf-8");
}

void Refuse(httplib::Response& res, const Status& st) {
  Refuse(res, HttpStatusFor(st.code()), st.message());
}

// Strict query parsing: only `allowed` keys, each at most once.
bool OnlyParams(const httplib::Request& req, std::initializer_list<std::string_view> allowed,
                httplib::Response& res) {
  for (const auto& [k, v] : req.params) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      Refuse(res, 400, "unknown query parameter " + k);
      return false;
    }
    if (req.params.count(k) != 1) {
      Refuse(res, 400, "repeated query parameter " + k);
      return false;
    }
  }
  return true;
}

// True if DIR/relative resolves (realpath) to a path strictly under
// realpath(DIR). False also when it does not exist.
bool ResolvesInside(const std::string& dir, const std::string& relative) {
  std::unique_ptr<char, decltype(&std::free)> base(::realpath(dir.c_str(), nullptr), &std::free);
  std::unique_ptr<char, decltype(&std::free)> full(
      ::realpath((dir + "/" + relative).c_str(), nullptr), &std::free);
  if (!base || !full) return false;
  std::string_view b(base.get()), f(full.get());
  return f.size() > b.size() + 1 && f.substr(0, b.size()) == b && f[b.size()] == '/';
}

void ServeTile(const LogRoutesContext* ctx, const httplib::Request& req, httplib::Response& res) {
  std::string path = req.path.substr(1);  // no leading slash
  bool full = true;
  if (path.rfind("tile/entries/", 0) == 0) {
    auto id = ParseEntryBundlePath(path);
    if (!id.ok()) return Refuse(res, 400, "malformed entry bundle path");
    full = id->width == kTileWidth;
  } else {
    auto id = ParseTilePath(path);
    if (!id.ok()) return Refuse(res, 400, "malformed tile path");
    full = id->width == kTileWidth;
  }
  // Defence in depth: the parsed path cannot contain "..", but a symlink
  // placed in the data directory could still lead outside it. Serve only files
  // whose resolved path lies under the resolved data directory.
  if (!ResolvesInside(ctx->storage->dir(), path)) return Refuse(res, 404, "not found");
  auto data = ctx->storage->ReadRelative(path);
  if (!data.ok()) {
    if (data.status().code() == Code::kNotFound) return Refuse(res, 404, "not found");
    return Refuse(res, 500, "cannot read tile");
  }
  res.set_header("Cache-Control", full ? kImmutableCacheControl : kPartialCacheControl);
  res.set_content(reinterpret_cast<const char*>(data->data()), data->size(),
                  "application/octet-stream");
}

void HandleAdd(const LogRoutesContext* ctx, const httplib::Request& req, httplib::Response& res) {
  auto admitted = AdmitEntry(AsBytes(req.body), *ctx->vendors, ctx->admission);
  if (!admitted.ok()) return Refuse(res, admitted.status());
  if (auto wait = ctx->limiter->Take(admitted->vendor)) {
    res.set_header("Retry-After", std::to_string(*wait));
    return Refuse(res, 429, "rate limited: vendor " + admitted->vendor + " submits too fast");
  }
  auto fut = ctx->sequencer->Add(std::move(*admitted));
  Result<AddOutcome> outcome = fut.get();
  if (!outcome.ok()) {
    if (outcome.status().code() == Code::kUnavailable) res.set_header("Retry-After", "1");
    return Refuse(res, outcome.status());
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_content(std::to_string(outcome->index) + "\n", "text/plain; charset=utf-8");
}

void HandleProof(const LogRoutesContext* ctx, const httplib::Request& req, httplib::Response& res) {
  if (!OnlyParams(req, {"index", "leaf", "wait"}, res)) return;
  bool by_index = req.has_param("index");
  bool by_leaf = req.has_param("leaf");
  if (by_index == by_leaf) return Refuse(res, 400, "exactly one of index= or leaf= is required");
  uint64_t wait_s = 0;
  if (req.has_param("wait")) {
    auto w = ParseDecimalU64(req.get_param_value("wait"));
    if (!w.ok()) return Refuse(res, 400, "wait must be a decimal number of seconds");
    wait_s = std::min<uint64_t>(*w, static_cast<uint64_t>(ctx->max_wait.count()));
  }
  uint64_t index = 0;
  if (by_index) {
    auto i = ParseDecimalU64(req.get_param_value("index"));
    if (!i.ok()) return Refuse(res, 400, "index must be a canonical decimal");
    index = *i;
  } else {
    auto raw = HexDecode(req.get_param_value("leaf"));
    if (!raw.ok() || raw->size() != 32) {
      return Refuse(res, 400, "leaf must be 64 lower-case hex digits");
    }
    Hash leaf;
    std::copy(raw->begin(), raw->end(), leaf.begin());
    auto found = ctx->reader_index->FindLeaf(leaf);
    if (!found.ok()) return Refuse(res, 500, "index lookup failed");
    if (!*found) return Refuse(res, 404, "leaf not found");
    index = **found;
  }
  if (index >= ctx->sequencer->Head().size) return Refuse(res, 404, "index not sequenced");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  auto pub = ctx->publisher->WaitCovering(index, deadline);
  if (!pub || pub->size <= index) return Refuse(res, 404, "not yet covered");
  auto proof = ProveInclusion(index, pub->size, StorageNodeReader(ctx->storage, pub->size));
  if (!proof.ok()) return Refuse(res, 500, "cannot build proof: " + proof.status().message());
  TlogProof out;
  out.index = index;
  out.inclusion_proof = std::move(*proof);
  out.checkpoint = pub->note;
  res.set_header("Cache-Control", "no-store");
  res.set_content(FormatTlogProof(out), "text/plain; charset=utf-8");
}

void HandleConsistency(const LogRoutesContext* ctx, const httplib::Request& req,
                       httplib::Response& res) {
  if (!OnlyParams(req, {"from", "to"}, res)) return;
  if (!req.has_param("from") || !req.has_param("to")) {
    return Refuse(res, 400, "from= and to= are required");
  }
  auto from = ParseDecimalU64(req.get_param_value("from"));
  auto to = ParseDecimalU64(req.get_param_value("to"));
  if (!from.ok() || !to.ok()) return Refuse(res, 400, "sizes must be canonical decimals");
  if (*from > *to) return Refuse(res, 400, "from must not exceed to");
  auto pub = ctx->publisher->Latest();
  if (!pub || *to > pub->size) return Refuse(res, 404, "to exceeds the published tree size");
  auto proof = ProveConsistency(*from, *to, StorageNodeReader(ctx->storage, *to));
  if (!proof.ok()) return Refuse(res, 500, "cannot build proof: " + proof.status().message());
  std::string body;
  for (const Hash& h : *proof) body += Base64Encode(h) + "\n";
  res.set_header("Cache-Control", "public, max-age=31536000, immutable");
  res.set_content(body, "text/plain; charset=utf-8");
}

}  // namespace

void RegisterLogRoutes(httplib::Server& server, const LogRoutesContext* ctx) {
  server.Get("/checkpoint", [ctx](const httplib::Request&, httplib::Response& res) {
    auto pub = ctx->publisher->Latest();
    if (!pub) return Refuse(res, 404, "no checkpoint published yet");
    res.set_header("Cache-Control", kCheckpointCacheControl);
    res.set_content(pub->note, "text/plain; charset=utf-8");
  });
  server.Get(R"(/tile/.*)", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServeTile(ctx, req, res);
  });
  server.Post("/add", [ctx](const httplib::Request& req, httplib::Response& res) {
    HandleAdd(ctx, req, res);
  });
  server.Get("/candor/v1/proof", [ctx](const httplib::Request& req, httplib::Response& res) {
    HandleProof(ctx, req, res);
  });
  server.Get("/candor/v1/consistency", [ctx](const httplib::Request& req, httplib::Response& res) {
    HandleConsistency(ctx, req, res);
  });
}

}  // namespace candor
