// LogSource implementations: HTTP (HttpClient) and directory.
#include "candor/audit/source.h"

#include "candor/entry_bundle.h"
#include "candor/fs/read_file.h"
#include "candor/http/http_client.h"

namespace candor::audit {
namespace {

// Largest file a source returns: a full entry bundle is at most
// 256 * (2 + 65535) bytes; a checkpoint is far smaller.
constexpr size_t kMaxFetchSize = size_t{256} * (2 + 65535);

class HttpSource final : public LogSource {
 public:
  explicit HttpSource(std::unique_ptr<HttpClient> client) : client_(std::move(client)) {}
  std::string Describe() const override { return client_->base().ToString(); }
  Result<Bytes> Get(const std::string& path) override {
    CANDOR_ASSIGN_OR_RETURN(HttpResponse resp, client_->Get(path));
    if (resp.status == 404) return Status::NotFound(Describe() + "/" + path + ": 404");
    if (resp.status != 200) {
      return Status::Unavailable(Describe() + "/" + path + ": HTTP " + std::to_string(resp.status));
    }
    if (resp.body.size() > kMaxFetchSize) return Status::TooLarge(path + ": response too large");
    return Bytes(resp.body.begin(), resp.body.end());
  }

 private:
  std::unique_ptr<HttpClient> client_;
};

class DirSource final : public LogSource {
 public:
  explicit DirSource(std::string dir) : dir_(std::move(dir)) {
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  }
  std::string Describe() const override { return "file://" + dir_; }
  Result<Bytes> Get(const std::string& path) override {
    return fs::ReadFileBytes(dir_ + "/" + path, kMaxFetchSize, {.not_regular = Code::kNotFound});
  }

 private:
  std::string dir_;
};

}  // namespace

Result<std::string> LogSource::FetchCheckpoint() {
  CANDOR_ASSIGN_OR_RETURN(Bytes b, Get("checkpoint"));
  return std::string(AsChars(b));
}

Result<Bytes> LogSource::FetchBundle(const EntryBundleId& bundle, bool* was_full) {
  CANDOR_ASSIGN_OR_RETURN(PartialOrFull got, FetchPartialOrFull(
                                                 [this, &bundle](uint16_t w) {
                                                   return Get(EntryBundlePath(bundle.index, w));
                                                 },
                                                 bundle.width));
  *was_full = got.width == kTileWidth;
  return std::move(got.data);
}

Result<std::vector<Hash>> LogSource::FetchTile(const TileId& tile) {
  return candor::FetchTile(MakeSourceTileFetcher(this), tile);
}

TileFetcher MakeSourceTileFetcher(LogSource* source) {
  return [source](const TileId& t) { return source->Get(TilePath(t)); };
}

HttpClientOptions AuditHttpOptions() {
  HttpClientOptions o;
  o.max_body_size = kMaxFetchSize;
  o.deadline = std::chrono::seconds(120);
  o.user_agent = "candor-audit/0.1";
  return o;
}

Result<std::unique_ptr<LogSource>> OpenLogSource(std::string_view location,
                                                 const HttpClientOptions& http) {
  if (location.starts_with("https://") || location.starts_with("http://")) {
    CANDOR_ASSIGN_OR_RETURN(auto client, HttpClient::Create(location, http));
    return std::unique_ptr<LogSource>(new HttpSource(std::move(client)));
  }
  std::string_view dir = location;
  if (dir.starts_with("file://")) dir.remove_prefix(7);
  if (dir.empty()) return Status::InvalidArgument("empty log location");
  return std::unique_ptr<LogSource>(new DirSource(std::string(dir)));
}

}  // namespace candor::audit
