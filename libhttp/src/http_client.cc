// HttpClient on top of a libcurl easy handle (plain HTTP, keep-alive: the
// handle keeps its connection between requests).
#include "candor/http/http_client.h"

#include <curl/curl.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>

#include "candor/bytes.h"

namespace candor {
namespace {

bool HasBadChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string BaseUrl::ToString() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "http://" + h + ":" + std::to_string(port) + prefix;
}

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("base URL must start with http://");
  }
  if (HasBadChars(url)) return Status::InvalidArgument("base URL contains spaces or controls");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#@\\") != std::string_view::npos) {
    return Status::InvalidArgument("base URL must not contain a query, fragment or user info");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  BaseUrl out;
  std::string_view host;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("bad IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::InvalidArgument("bad authority");
      port_text = after.substr(1);
      if (port_text.empty()) return Status::InvalidArgument("empty port");
    }
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Status::InvalidArgument("empty port");
    }
  }
  if (host.empty()) return Status::InvalidArgument("base URL has an empty host");
  out.host = std::string(host);
  if (!port_text.empty()) {
    auto port = ParseDecimalU64(port_text);
    if (!port.ok() || *port == 0 || *port > 65535) {
      return Status::InvalidArgument("base URL port must be 1..65535");
    }
    out.port = static_cast<uint16_t>(*port);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.find("//") != std::string_view::npos) {
    return Status::InvalidArgument("base URL path has an empty segment");
  }
  out.prefix = std::string(path);
  return out;
}

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? std::string() : it->second;
}

Status HttpResponse::CandorError(std::string_view context) const {
  std::string msg(context);
  if (!msg.empty()) msg += ": ";
  msg += "HTTP " + std::to_string(status);
  std::string_view text = body;
  text = text.substr(0, std::min(text.find('\n'), size_t{200}));
  std::string excerpt;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    excerpt += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (!excerpt.empty()) msg += ": " + excerpt;
  std::string name = Header(kCandorErrorHeader);
  std::optional<Code> code = CodeFromName(name);
  if (!code) {
    return Status::Unavailable(msg + (name.empty() ? " (no Candor-Error header)"
                                                   : " (unknown Candor-Error code)"));
  }
  return Status(*code, std::move(msg));
}

namespace {

// Debian's cpp-httplib 0.11 (still used by the tests' fake servers) and
// libcurl with CURLOPT_NOSIGNAL may write to a connection the peer closed:
// with SIGPIPE ignored the write fails with EPIPE instead of killing the
// process. A program that installed its own handler keeps it.
void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      ::signal(SIGPIPE, SIG_IGN);
    }
  });
}

void CurlGlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What one exchange collects; the callbacks stop the transfer (by returning a
// short count) as soon as a limit is passed, so memory stays bounded.
struct Exchange {
  const HttpClientOptions* options = nullptr;
  const std::atomic<bool>* cancelled = nullptr;
  std::string body;
  std::map<std::string, std::string> headers;
  size_t header_bytes = 0;
  size_t header_lines = 0;
  bool headers_too_large = false;
  bool body_too_large = false;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto& ex = *static_cast<Exchange*>(user);
  const size_t n = size * count;
  ex.header_bytes += n;
  ++ex.header_lines;
  if (ex.header_bytes > ex.options->max_header_bytes || ex.header_lines > ex.options->max_headers) {
    ex.headers_too_large = true;
    return 0;
  }
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {  // a (new) status line: an interim 1xx came before
    ex.headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;  // blank line or junk
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  ex.headers[Lower(line.substr(0, colon))] = std::string(value);
  return n;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto& ex = *static_cast<Exchange*>(user);
  const size_t n = size * count;
  if (ex.body.size() + n > ex.options->max_body_size) {
    ex.body_too_large = true;
    return 0;
  }
  ex.body.append(data, n);
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto& ex = *static_cast<Exchange*>(user);
  return ex.cancelled->load() ? 1 : 0;  // non-zero aborts (CURLE_ABORTED_BY_CALLBACK)
}

long Millis(std::chrono::milliseconds d) { return static_cast<long>(std::max<int64_t>(1, d.count())); }

}  // namespace

struct HttpClient::Impl {
  std::mutex mu;  // one exchange at a time on the handle
  CURL* curl = nullptr;
  HttpClientOptions options;
  std::atomic<bool> cancelled{false};
  ~Impl() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(BaseUrl base, HttpClientOptions options)
    : base_(std::move(base)), impl_(std::make_unique<Impl>()) {
  IgnoreSigpipeOnce();
  CurlGlobalInitOnce();
  impl_->options = std::move(options);
  impl_->curl = curl_easy_init();  // null (out of memory): every request fails
}

HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(std::string_view base_url,
                                                       HttpClientOptions options) {
  CANDOR_ASSIGN_OR_RETURN(BaseUrl base, ParseBaseUrl(base_url));
  return std::make_unique<HttpClient>(std::move(base), std::move(options));
}

void HttpClient::Cancel() { impl_->cancelled.store(true); }

namespace {

Result<HttpResponse> Send(CURL* curl, const HttpClientOptions& options,
                          const std::atomic<bool>& cancelled, const BaseUrl& base,
                          std::string_view method, std::string_view path, std::string_view body,
                          std::string_view content_type) {
  if (HasBadChars(path)) return Status::InvalidArgument("request path contains spaces or controls");
  std::string target = base.prefix;
  if (path.empty() || path.front() != '/') target += '/';
  target += path;
  const std::string where = std::string(method) + " " + base.ToString() + target;
  BaseUrl origin = base;
  origin.prefix.clear();
  if (curl == nullptr) return Status::Internal(where + ": cannot create a libcurl handle");
  if (cancelled.load()) return Status::Unavailable(where + ": cancelled");

  Exchange ex;
  ex.options = &options;
  ex.cancelled = &cancelled;
  std::string url = origin.ToString() + target;
  std::string user_agent = options.user_agent;
  std::string type_header = "Content-Type: " + std::string(content_type);
  curl_slist* headers = nullptr;
  // No "Expect: 100-continue" round trip, and no "Accept: */*" noise.
  headers = curl_slist_append(headers, "Expect:");
  headers = curl_slist_append(headers, "Accept:");
  if (method == "POST") headers = curl_slist_append(headers, type_header.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers_guard(headers,
                                                                            &curl_slist_free_all);
  char error_text[CURL_ERROR_SIZE] = {};
  const long stall_seconds = static_cast<long>(
      (std::max(options.read_timeout, options.write_timeout).count() + 999) / 1000);

  curl_easy_reset(curl);  // keeps the connection cache
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never an environment proxy
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads; SIGPIPE is ignored above
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, Millis(options.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, Millis(options.deadline));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, stall_seconds));
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_size));
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &ex);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);  // error_text goes out of scope

  if (ex.headers_too_large) {
    return Status::TooLarge(where + ": response headers exceed the client limit (" +
                            std::to_string(options.max_header_bytes) + " bytes, " +
                            std::to_string(options.max_headers) + " lines)");
  }
  if (rc == CURLE_OUT_OF_MEMORY) {
    // libcurl's own bound: it refuses a single header line over 100 KiB
    // (CURL_MAX_HTTP_HEADER) this way, before our header callback sees it.
    return Status::TooLarge(where + ": a response header line exceeds the client limit");
  }
  if (ex.body_too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return Status::TooLarge(where + ": HTTP response body exceeds the client limit (" +
                            std::to_string(options.max_body_size) + " bytes)");
  }
  if (rc != CURLE_OK) {
    std::string why = error_text[0] != '\0' ? error_text : curl_easy_strerror(rc);
    if (rc == CURLE_ABORTED_BY_CALLBACK) why = "cancelled";
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      why += " (deadline " + std::to_string(options.deadline.count()) + " ms)";
    }
    return Status::Unavailable(where + ": " + why);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  HttpResponse out;
  out.status = static_cast<int>(status);
  out.body = std::move(ex.body);
  out.headers = std::move(ex.headers);
  return out;
}

}  // namespace

Result<HttpResponse> HttpClient::Get(std::string_view path) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return Send(impl_->curl, impl_->options, impl_->cancelled, base_, "GET", path, {}, {});
}

Result<HttpResponse> HttpClient::Post(std::string_view path, std::string_view body,
                                      std::string_view content_type) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return Send(impl_->curl, impl_->options, impl_->cancelled, base_, "POST", path, body,
              content_type);
}

}  // namespace candor
