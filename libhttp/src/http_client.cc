// HttpClient on top of a libcurl easy handle (HTTP or HTTPS through OpenSSL,
// keep-alive: the handle keeps its connection and TLS session between requests).
#include "candor/http/http_client.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <optional>
#include <vector>

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
  return scheme + "://" + h + ":" + std::to_string(port) + prefix;
}

bool IsLoopbackHost(std::string_view host) {
  if (Lower(host) == "localhost" || host == "::1") return true;
  // A dotted-quad IPv4 literal in 127.0.0.0/8 (RFC 1122 3.2.1.3).
  if (host.substr(0, 4) != "127.") return false;
  int parts = 0;
  for (size_t i = 0; i <= host.size(); ++parts) {
    size_t dot = std::min(host.find('.', i), host.size());
    auto n = ParseDecimalU64(host.substr(i, dot - i));
    if (dot == i || dot - i > 3 || !n.ok() || *n > 255) return false;
    i = dot + 1;
  }
  return parts == 4;
}

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  BaseUrl out;
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    out.scheme = "https";
    out.port = 443;
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else {
    return Status::InvalidArgument("base URL must start with https:// (or http:// for loopback)");
  }
  if (HasBadChars(url)) return Status::InvalidArgument("base URL contains spaces or controls");
  if (rest.find_first_of("?#@\\") != std::string_view::npos) {
    return Status::InvalidArgument("base URL must not contain a query, fragment or user info");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
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
  // Plain HTTP crosses no network: anything else could be read or changed on
  // the way, so it must be TLS (no silent downgrade, docs/SECURITY.md).
  if (out.scheme == "http" && !IsLoopbackHost(out.host)) {
    return Status::InvalidArgument(
        "plain http:// is only for loopback hosts (127.0.0.0/8, ::1, "
        "localhost); use https://" +
        std::string(rest.substr(0, slash)));
  }
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
  // The first line, cut at 1 KiB (a hostile server cannot fill the terminal;
  // the log's longest refusal, an observation's 409 naming two leaf hashes,
  // fits), with control characters shown as '?'.
  std::string_view text = body;
  text = text.substr(0, std::min(text.find('\n'), size_t{1024}));
  std::string excerpt;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    excerpt += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (!excerpt.empty()) msg += ": " + excerpt;
  std::string name = Header(kCandorErrorHeader);
  std::optional<Code> code = CodeFromName(name);
  if (!code) {
    return Status::Unavailable(
        msg + (name.empty() ? " (no Candor-Error header)" : " (unknown Candor-Error code)"));
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

long Millis(std::chrono::milliseconds d) {
  return static_cast<long>(std::max<int64_t>(1, d.count()));
}

// The extra CA certificates of HttpClientOptions::ca_file, read once per
// client. The SSL_CTX callback adds them to the store libcurl has already
// filled from the system (Debian ca-certificates): they add a private CA,
// they do not replace the public ones.
struct ExtraCas {
  std::vector<X509*> certs;
  ~ExtraCas() {
    for (X509* c : certs) X509_free(c);
  }
};

Status LoadExtraCas(const std::string& path, ExtraCas& out) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (bio == nullptr) return Status::NotFound("CA file " + path + ": cannot be opened");
  std::unique_ptr<BIO, decltype(&BIO_free)> guard(bio, &BIO_free);
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    out.certs.push_back(cert);
  }
  ERR_clear_error();  // the loop ends on "no start line"
  if (out.certs.empty()) {
    return Status::Malformed("CA file " + path + ": no PEM certificate in it");
  }
  return Status::Ok();
}

CURLcode AddExtraCas(CURL*, void* ssl_ctx, void* user) {
  const auto& cas = *static_cast<const ExtraCas*>(user);
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
  for (X509* c : cas.certs) {
    // A certificate already in the store (a reused store) is not an error.
    if (X509_STORE_add_cert(store, c) != 1) ERR_clear_error();
  }
  return CURLE_OK;
}

// libcurl's codes for a TLS handshake that failed or a server certificate
// that did not verify: unknown CA, wrong host name, expired, or a server that
// does not speak TLS 1.2+.
bool IsTlsFailure(CURLcode rc) {
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct HttpClient::Impl {
  std::mutex mu;  // one exchange at a time on the handle
  CURL* curl = nullptr;
  HttpClientOptions options;
  std::atomic<bool> cancelled{false};
  std::optional<Status> ca_status;  // set once ca_file was read
  ExtraCas extra_cas;
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

// One request and its answer. A 3xx answer comes back as a response, with
// `redirect` set to the absolute URL libcurl resolved from its Location.
struct Answer {
  HttpResponse response;
  std::string redirect;
};

Result<Answer> Send(CURL* curl, const HttpClientOptions& options, const ExtraCas* extra_cas,
                    const std::atomic<bool>& cancelled, const BaseUrl& base,
                    std::string_view method, const std::string& target, std::string_view body,
                    std::string_view content_type) {
  BaseUrl origin = base;
  origin.prefix.clear();
  const std::string url = origin.ToString() + target;
  const std::string where = std::string(method) + " " + url;
  if (curl == nullptr) return Status::Internal(where + ": cannot create a libcurl handle");
  if (cancelled.load()) return Status::Unavailable(where + ": cancelled");

  Exchange ex;
  ex.options = &options;
  ex.cancelled = &cancelled;
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

  curl_easy_reset(curl);  // keeps the connection cache and TLS sessions
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  // Exactly the base URL's scheme: an https client never speaks plain HTTP.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, base.scheme.c_str());
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, base.scheme.c_str());
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never an environment proxy
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads; SIGPIPE is ignored above
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // redirects: HttpClient::Request
  if (base.scheme == "https") {
    // Verification is always on (there is no option to turn it off): the
    // chain to a trusted CA, and the host name against the certificate's
    // subjectAltName (RFC 6125). TLS 1.2 or later.
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (extra_cas != nullptr) {
      curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, &AddExtraCas);
      curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, extra_cas);
    }
  }
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
    // One line naming the reason, e.g. "SSL certificate problem: certificate
    // has expired" or "... no alternative certificate subject name matches".
    if (IsTlsFailure(rc)) return Status::Tls(where + ": TLS: " + why);
    if (rc == CURLE_ABORTED_BY_CALLBACK) why = "cancelled";
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      why += " (deadline " + std::to_string(options.deadline.count()) + " ms)";
    }
    return Status::Unavailable(where + ": " + why);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  Answer out;
  out.response.status = static_cast<int>(status);
  out.response.body = std::move(ex.body);
  out.response.headers = std::move(ex.headers);
  if (status >= 300 && status <= 399) {
    char* location = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
        location != nullptr) {
      out.redirect = location;
    }
  }
  return out;
}

// The path and query of `url` if it has the same origin (scheme, host, port;
// RFC 6454) as `base`, else nullopt.
std::optional<std::string> SameOriginTarget(const BaseUrl& base, const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  auto part = [&](CURLUPart which, unsigned flags) -> std::optional<std::string> {
    char* text = nullptr;
    if (curl_url_get(u.get(), which, &text, flags) != CURLUE_OK || text == nullptr) {
      return std::nullopt;
    }
    std::string out(text);
    curl_free(text);
    return out;
  };
  auto scheme = part(CURLUPART_SCHEME, 0);
  auto host = part(CURLUPART_HOST, 0);
  auto port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  auto path = part(CURLUPART_PATH, 0);
  if (!scheme || !host || !port || !path || part(CURLUPART_USER, 0)) return std::nullopt;
  std::string h = *host;
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (Lower(*scheme) != base.scheme || Lower(h) != Lower(base.host) ||
      *port != std::to_string(base.port)) {
    return std::nullopt;
  }
  std::string target = *path;
  if (auto query = part(CURLUPART_QUERY, 0)) target += "?" + *query;
  if (HasBadChars(target)) return std::nullopt;
  return target;
}

// Redirects followed for one GET at most (each hop has its own deadline).
constexpr int kMaxRedirects = 5;

}  // namespace

Result<HttpResponse> HttpClient::Request(std::string_view method, std::string_view path,
                                         std::string_view body, std::string_view content_type) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (HasBadChars(path)) return Status::InvalidArgument("request path contains spaces or controls");
  const ExtraCas* extra_cas = nullptr;
  if (!impl_->options.ca_file.empty() && base_.scheme == "https") {
    if (!impl_->ca_status) {
      impl_->ca_status = LoadExtraCas(impl_->options.ca_file, impl_->extra_cas);
    }
    CANDOR_RETURN_IF_ERROR(*impl_->ca_status);
    extra_cas = &impl_->extra_cas;
  }
  std::string target = base_.prefix;
  if (path.empty() || path.front() != '/') target += '/';
  target += path;
  for (int hop = 0;; ++hop) {
    CANDOR_ASSIGN_OR_RETURN(Answer a, Send(impl_->curl, impl_->options, extra_cas, impl_->cancelled,
                                           base_, method, target, body, content_type));
    if (a.redirect.empty()) return std::move(a.response);
    // A redirect is followed only within the origin the caller named (so a
    // server cannot send the client to another host, port or scheme), only
    // for GET (a POST body is never replayed), and at most kMaxRedirects times.
    BaseUrl origin = base_;
    origin.prefix.clear();
    const std::string where = std::string(method) + " " + origin.ToString() + target;
    std::optional<std::string> next = SameOriginTarget(base_, a.redirect);
    if (!next) {
      return Status::Unavailable(where + ": redirect to another origin refused (" + a.redirect +
                                 ")");
    }
    if (method != "GET") {
      return Status::Unavailable(where + ": redirect of a " + std::string(method) + " refused (" +
                                 a.redirect + ")");
    }
    if (hop == kMaxRedirects) {
      return Status::Unavailable(where + ": more than " + std::to_string(kMaxRedirects) +
                                 " redirects");
    }
    target = std::move(*next);
  }
}

Result<HttpResponse> HttpClient::Get(std::string_view path) { return Request("GET", path, {}, {}); }

Result<HttpResponse> HttpClient::Post(std::string_view path, std::string_view body,
                                      std::string_view content_type) {
  return Request("POST", path, body, content_type);
}

}  // namespace candor
