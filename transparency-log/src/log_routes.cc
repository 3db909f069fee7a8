// HTTP routes of candor-log (see log_routes.h).
#include "candor/log/log_routes.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

#include "candor/consistency_proof.h"
#include "candor/entry_bundle.h"
#include "candor/layout.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"
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

// Every refusal states its Code by name (Candor-Error) next to the HTTP
// status HttpStatusFor gives it, so clients never guess a Code from a status.
ServerResponse Refusal(Code code, std::string_view reason) {
  ServerResponse res;
  res.SetError(Status(code, OneLine(reason)));
  return res;
}

ServerResponse Refusal(const Status& status) { return Refusal(status.code(), status.message()); }

void Refuse(ServerResponse& res, Code code, std::string_view reason) {
  res = Refusal(code, reason);
}

// Strict query parsing: only `allowed` keys, each at most once.
bool OnlyParams(const ServerRequest& req, std::initializer_list<std::string_view> allowed,
                ServerResponse& res) {
  for (const auto& [k, v] : req.query) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      Refuse(res, Code::kMalformed, "unknown query parameter " + k);
      return false;
    }
    if (req.ParamCount(k) != 1) {
      Refuse(res, Code::kMalformed, "repeated query parameter " + k);
      return false;
    }
  }
  return true;
}

// The data directory, opened once (O_PATH) when the tile route is
// registered; tiles are opened relative to it. Closed with the route.
struct TileRoot {
  int fd = -1;
  explicit TileRoot(const std::string& real_dir)
      : fd(real_dir.empty() ? -1 : ::open(real_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {}
  ~TileRoot() {
    if (fd >= 0) ::close(fd);
  }
  TileRoot(const TileRoot&) = delete;
  TileRoot& operator=(const TileRoot&) = delete;
};

// The regular file behind an open descriptor: its size, else -1 with errno
// ENOENT (anything but a regular file is "not found"). Closes `fd` on failure.
int RegularOrClose(int fd, uint64_t& size) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    errno = ENOENT;
    return -1;
  }
  size = static_cast<uint64_t>(st.st_size);
  return fd;
}

// Opens DIR/relative for reading if it resolves (realpath) to a regular file
// strictly under `real_dir` (the data directory's realpath), else -1 with
// errno ENOENT (absent, outside, or not a regular file). The resolved path is
// opened with O_NOFOLLOW, so what was checked is what is opened. The fallback
// of OpenBeneath: realpath costs a readlink per path component.
int OpenInside(const std::string& real_dir, const std::string& dir, const std::string& relative,
               uint64_t& size) {
  std::unique_ptr<char, decltype(&std::free)> full(
      ::realpath((dir + "/" + relative).c_str(), nullptr), &std::free);
  if (!full) return -1;
  std::string_view f(full.get());
  if (real_dir.empty() || f.size() <= real_dir.size() + 1 ||
      f.substr(0, real_dir.size()) != real_dir || f[real_dir.size()] != '/') {
    errno = ENOENT;
    return -1;
  }
  int fd = ::open(full.get(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  return RegularOrClose(fd, size);
}

// Opens `relative` (no leading slash) under the directory `root` with
// openat2(RESOLVE_BENEATH): the kernel refuses, during the one lookup, every
// step that would leave `root` ("..", an absolute symlink, a relative one
// climbing out: EXDEV) and magic links (/proc/self/fd/N: ELOOP), so what is
// checked is what is opened. O_NONBLOCK: a FIFO planted in the directory is
// opened without waiting for a writer (then refused as not a regular file);
// it changes nothing for regular files. Same contract as OpenInside, which
// it falls back to where openat2 is missing (Linux < 5.6, or a seccomp
// filter that does not know it: ENOSYS).
int OpenBeneath(const TileRoot& root, const std::string& real_dir, const std::string& dir,
                const std::string& relative, uint64_t& size) {
  if (root.fd < 0) return OpenInside(real_dir, dir, relative, size);
  open_how how{};
  how.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = -1;
  // EAGAIN: a concurrent rename made the kernel unsure that a ".." (inside a
  // symlink) stayed beneath; it asks the caller to retry.
  for (int attempt = 0; attempt < 3; ++attempt) {
    fd = ::syscall(SYS_openat2, root.fd, relative.c_str(), &how, sizeof(how));
    if (fd >= 0 || errno != EAGAIN) break;
  }
  if (fd < 0) {
    if (errno == ENOSYS) return OpenInside(real_dir, dir, relative, size);
    if (errno == EXDEV) errno = ENOENT;  // outside the data directory
    return -1;
  }
  return RegularOrClose(static_cast<int>(fd), size);
}

// A tile's or bundle's headers, whichever store it comes from.
void SetTileHeaders(ServerResponse& res, bool full) {
  res.SetHeader("Cache-Control", full ? kImmutableCacheControl : kPartialCacheControl);
  res.SetHeader("Access-Control-Allow-Origin", "*");  // public data: explorers elsewhere
  res.content_type = "application/octet-stream";
}

void ServeTile(const LogRoutesContext* ctx, const TileRoot& root, const ServerRequest& req,
               ServerResponse& res) {
  std::string path = req.path.substr(1);  // no leading slash
  std::optional<TileId> tile;
  std::optional<EntryBundleId> bundle;
  if (path.rfind("tile/entries/", 0) == 0) {
    auto id = ParseEntryBundlePath(path);
    if (!id.ok()) return Refuse(res, Code::kMalformed, "malformed entry bundle path");
    bundle = *id;
  } else {
    auto id = ParseTilePath(path);
    if (!id.ok()) return Refuse(res, Code::kMalformed, "malformed tile path");
    tile = *id;
  }
  const bool full = (bundle ? bundle->width : tile->width) == kTileWidth;
  if (ctx->real_dir.empty()) {
    // The store keeps the tree in a database (log_store.h): its bytes.
    Result<Bytes> data = bundle ? ctx->store->ReadEntryBundle(*bundle) : ctx->store->ReadTile(*tile);
    if (!data.ok()) {
      if (data.status().code() == Code::kNotFound) return Refuse(res, Code::kNotFound, "not found");
      return Refuse(res, Code::kUnavailable, "cannot read tile: " + data.status().message());
    }
    SetTileHeaders(res, full);
    res.body.assign(AsChars(*data));
    return;
  }
  // Defence in depth: the parsed path cannot contain "..", but a symlink
  // placed in the data directory could still lead outside it. Serve only files
  // that resolve to a place under the data directory.
  uint64_t size = 0;
  int fd = OpenBeneath(root, ctx->real_dir, ctx->served_dir, path, size);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
      return Refuse(res, Code::kNotFound, "not found");
    }
    return Refuse(res, Code::kIo, "cannot read tile");
  }
  SetTileHeaders(res, full);
  res.file_fd = fd;  // closed by the server (http_server.h: read, or sendfile when large)
  res.file_size = size;
}

// Admission runs on the event loop (it is CPU only: parse, Ed25519, lookups);
// the answer comes from the sequencer thread once the batch is durable.
void HandleAdd(const LogRoutesContext* ctx, const ServerRequest& req, HttpReply reply_to) {
  // Every answer passes here, so every refusal is counted once.
  auto reply = [ctx, reply_to](ServerResponse res) {
    if (ctx->metrics != nullptr && res.status >= 400) {
      for (const auto& [name, value] : res.headers) {
        if (name != "Candor-Error") continue;
        if (auto code = CodeFromName(value)) ctx->metrics->ObserveRefusal(*code);
      }
    }
    reply_to.Send(std::move(res));
  };
  // A client whose submissions keep being refused (unregistered keys, bad
  // signatures, over-rate vendor keys, garbage) is limited per address (IPv6
  // per /64) before anything is parsed.
  const std::string client = RefusalAddressKey(req.remote_addr);
  if (ctx->refusal_limiter != nullptr) {
    if (auto wait = ctx->refusal_limiter->Blocked(client)) {
      ServerResponse res =
          Refusal(Code::kRateLimited, "rate limited: too many refused submissions from " + client);
      res.SetHeader("Retry-After", std::to_string(*wait));
      return reply(std::move(res));
    }
  }
  // Duplicates and equivocations are looked up during admission (one index
  // lookup per release key, admission.h) where a lookup is cheap: a replay of
  // an entry already logged gets its index without a signature check or a
  // rate-limit token. On a database (a round trip per lookup) the sequencer
  // looks each batch up at once instead, and a release's token is charged
  // only once it has decided, never for a replay (below).
  LoggedReleases logged;
  logged.lookup_releases = ctx->store->PointLookupsAreCheap();
  logged.size = ctx->sequencer->Head().size;  // before any lookup
  if (auto pub = ctx->publisher->Latest()) logged.published_size = pub->size;
  logged.find_leaf = [store = ctx->store](const Hash& leaf) { return store->FindLeaf(leaf); };
  logged.find = [store = ctx->store](const std::string& key) { return store->FindRelease(key); };
  logged.read_entry = [ctx](uint64_t index) -> Result<Bytes> {
    auto pub = ctx->publisher->Latest();
    if (!pub || pub->size <= index) {
      return Status::Unavailable("entry " + std::to_string(index) + " is not yet published; retry");
    }
    const uint64_t bindex = index / kTileWidth;
    const auto width =
        static_cast<uint16_t>(std::min<uint64_t>(kTileWidth, pub->size - bindex * kTileWidth));
    CANDOR_ASSIGN_OR_RETURN(PartialOrFull data,
                            FetchPartialOrFull(
                                [ctx, bindex](uint16_t w) {
                                  return ctx->store->ReadEntryBundle(EntryBundleId{bindex, w});
                                },
                                width));
    CANDOR_ASSIGN_OR_RETURN(std::vector<Bytes> entries, ParseEntryBundle(data.data, data.width));
    if (index % kTileWidth >= entries.size()) return Status::Internal("short entry bundle");
    return std::move(entries[index % kTileWidth]);
  };
  uint64_t retry_after = 0;
  auto admitted = AdmitEntry(AsBytes(req.body), *ctx->vendors, ctx->admission, ctx->limiter,
                             &retry_after, &logged);
  if (admitted.ok() && admitted->logged_index) {
    ServerResponse res;
    res.SetText(200, std::to_string(*admitted->logged_index) + "\n");
    res.SetHeader("Cache-Control", "no-store");
    return reply(std::move(res));
  }
  // A frozen shard (shard.h) answers an entry it holds, as above, so a
  // vendor can still fetch its bundle, and refuses everything else: 409, not
  // 503, because retrying cannot help.
  if (ctx->frozen != nullptr) {
    return reply(Refusal(Code::kConflict,
                         "log " + ctx->frozen->origin + " is frozen at tree size " +
                             std::to_string(ctx->frozen->size) +
                             " and accepts no new entries: publish to its successor shard"));
  }
  if (!admitted.ok()) {
    ServerResponse res = Refusal(admitted.status());
    if (admitted.status().code() == Code::kRateLimited) {
      res.SetHeader("Retry-After", std::to_string(retry_after));
    }
    if (admitted.status().code() == Code::kUnavailable) res.SetHeader("Retry-After", "1");
    // Every refusal of the submission counts, 429s included: a client that
    // keeps naming a vendor key over its rate (a forger racing the vendor) is
    // limited too. The log's own failures (5xx: its store unreachable while a
    // lookup ran) are not the client's, and an outage must not leave honest
    // vendors rate-limited when it ends.
    if (ctx->refusal_limiter != nullptr && res.status < 500) ctx->refusal_limiter->Take(client);
    return reply(std::move(res));
  }
  std::vector<std::string> rate_keys = admitted->rate_keys;
  const bool charged = admitted->charged;
  RateLimiter* limiter = ctx->limiter;
  ctx->sequencer->Add(std::move(*admitted), [reply, limiter, charged,
                                             rate_keys = std::move(rate_keys)](
                                                Result<AddOutcome> outcome) {
    // What the vendor pays for is what the log decided on: a new entry, or an
    // equivocation it signed. Already logged (a replay, which anyone can
    // send): nothing, so a token taken at admission goes back.
    if (limiter != nullptr) {
      const bool replay = outcome.ok() && outcome->duplicate;
      const bool decided =
          outcome.ok() ? !outcome->duplicate : outcome.status().code() == Code::kConflict;
      for (const std::string& key : rate_keys) {
        if (charged && replay) limiter->Refund(key);
        if (!charged && decided) limiter->Charge(key);
      }
    }
    if (!outcome.ok()) {
      ServerResponse res = Refusal(outcome.status());
      if (outcome.status().code() == Code::kUnavailable) res.SetHeader("Retry-After", "1");
      return reply(std::move(res));
    }
    ServerResponse res;
    res.SetText(200, std::to_string(outcome->index) + "\n");
    res.SetHeader("Cache-Control", "no-store");
    reply(std::move(res));
  });
}

// The tlog-proof of `index` against `pub` (REQUIRES: pub->size > index).
ServerResponse ProofAnswer(const LogRoutesContext* ctx, uint64_t index,
                           const PublishedCheckpoint& pub) {
  auto proof = ProveInclusion(index, pub.size, StorageNodeReader(ctx->store, pub.size));
  if (!proof.ok())
    return Refusal(Code::kInternal, "cannot build proof: " + proof.status().message());
  TlogProof out;
  out.index = index;
  out.inclusion_proof = std::move(*proof);
  out.checkpoint = pub.note;
  ServerResponse res;
  res.SetText(200, FormatTlogProof(out));
  res.SetHeader("Cache-Control", "no-store");
  return res;
}

// "Not yet covered", with the reason when the log failed to publish: a
// client waiting for a checkpoint learns that, say, the witness quorum is not
// being met (kPolicyUnsatisfied) rather than only that it has to wait.
ServerResponse NotCovered(const LogRoutesContext* ctx) {
  Status why = ctx->publisher->LastError();
  if (why.ok()) return Refusal(Code::kNotFound, "not yet covered");
  return Refusal(why.code(),
                 "not yet covered: publishing the next checkpoint failed: " + why.message());
}

void HandleProof(const LogRoutesContext* ctx, const ServerRequest& req, HttpReply reply) {
  ServerResponse res;
  if (!OnlyParams(req, {"index", "leaf", "wait"}, res)) return reply.Send(std::move(res));
  const std::string* index_text = req.Param("index");
  const std::string* leaf_text = req.Param("leaf");
  if ((index_text == nullptr) == (leaf_text == nullptr)) {
    return reply.Send(Refusal(Code::kMalformed, "exactly one of index= or leaf= is required"));
  }
  uint64_t wait_s = 0;
  if (const std::string* w = req.Param("wait")) {
    auto parsed = ParseDecimalU64(*w);
    if (!parsed.ok())
      return reply.Send(Refusal(Code::kMalformed, "wait must be a decimal number of seconds"));
    wait_s = std::min<uint64_t>(*parsed, static_cast<uint64_t>(ctx->max_wait.count()));
  }
  uint64_t index = 0;
  if (index_text != nullptr) {
    auto i = ParseDecimalU64(*index_text);
    if (!i.ok()) return reply.Send(Refusal(Code::kMalformed, "index must be a canonical decimal"));
    index = *i;
  } else {
    auto leaf = HexDecodeHash(*leaf_text);
    if (!leaf.ok()) {
      return reply.Send(Refusal(Code::kMalformed, "leaf must be 64 lower-case hex digits"));
    }
    auto found = ctx->store->FindLeaf(*leaf);
    if (!found.ok()) return reply.Send(Refusal(Code::kInternal, "index lookup failed"));
    if (!*found) return reply.Send(Refusal(Code::kNotFound, "leaf not found"));
    index = **found;
  }
  auto pub = ctx->publisher->Latest();
  if (pub && pub->size > index) return reply.Send(ProofAnswer(ctx, index, *pub));
  if (index >= ctx->sequencer->Head().size) {
    // Another process sharing the store may have committed it (log_store.h).
    auto stored = ctx->store->Head();
    if (!stored.ok() || index >= stored->size) {
      return reply.Send(Refusal(Code::kNotFound, "index not sequenced"));
    }
  }
  if (wait_s == 0) return reply.Send(NotCovered(ctx));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  bool parked = ctx->waiters->Wait(
      index, deadline, [ctx, index, reply](std::shared_ptr<const PublishedCheckpoint> latest) {
        if (!latest || latest->size <= index) return reply.Send(NotCovered(ctx));
        reply.Send(ProofAnswer(ctx, index, *latest));
      });
  if (!parked) {
    ServerResponse busy =
        Refusal(Code::kUnavailable, "too many clients waiting for proofs, retry later");
    busy.SetHeader("Retry-After", "1");
    reply.Send(std::move(busy));
  }
}

void HandleConsistency(const LogRoutesContext* ctx, const ServerRequest& req, ServerResponse& res) {
  if (!OnlyParams(req, {"from", "to"}, res)) return;
  if (!req.Param("from") || !req.Param("to"))
    return Refuse(res, Code::kMalformed, "from= and to= are required");
  auto from = ParseDecimalU64(*req.Param("from"));
  auto to = ParseDecimalU64(*req.Param("to"));
  if (!from.ok() || !to.ok())
    return Refuse(res, Code::kMalformed, "sizes must be canonical decimals");
  if (*from > *to) return Refuse(res, Code::kMalformed, "from must not exceed to");
  auto pub = ctx->publisher->Latest();
  if (!pub || *to > pub->size)
    return Refuse(res, Code::kNotFound, "to exceeds the published tree size");
  // `to` may be any size up to the published one, including sizes the log
  // never stored tiles at: read the published tree's tiles.
  auto proof = ProveConsistency(*from, *to, StorageNodeReader(ctx->store, *to, pub->size));
  if (!proof.ok())
    return Refuse(res, Code::kInternal, "cannot build proof: " + proof.status().message());
  // Hash lines (candor/consistency_proof.h); `candor publish` wraps them into
  // the consistency proof file devices receive.
  res.SetText(200, FormatProofHashLines(*proof));
  res.SetHeader("Cache-Control", "public, max-age=31536000, immutable");
}

}  // namespace

void RegisterLogRoutes(HttpServer& server, const LogRoutesContext* ctx) {
  server.Handle("GET", "/checkpoint", HttpMatch::kExact,
                [ctx](const ServerRequest&, ServerResponse& res) {
                  auto pub = ctx->publisher->Latest();
                  if (!pub) return Refuse(res, Code::kNotFound, "no checkpoint published yet");
                  res.SetText(200, pub->note);
                  res.SetHeader("Cache-Control", kCheckpointCacheControl);
                  res.SetHeader("Access-Control-Allow-Origin", "*");
                });
  server.Handle(
      "GET", "/tile/", HttpMatch::kPrefix,
      [ctx, root = std::make_shared<const TileRoot>(ctx->real_dir)](
          const ServerRequest& req, ServerResponse& res) { ServeTile(ctx, *root, req, res); });
  server.HandleAsync(
      "POST", "/add", HttpMatch::kExact,
      [ctx](const ServerRequest& req, HttpReply reply) { HandleAdd(ctx, req, reply); });
  server.HandleAsync(
      "GET", "/candor/v1/proof", HttpMatch::kExact,
      [ctx](const ServerRequest& req, HttpReply reply) { HandleProof(ctx, req, reply); });
  server.Handle(
      "GET", "/candor/v1/consistency", HttpMatch::kExact,
      [ctx](const ServerRequest& req, ServerResponse& res) { HandleConsistency(ctx, req, res); });
}

}  // namespace candor
