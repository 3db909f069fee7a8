// HttpClient on top of cpp-httplib's ClientImpl (plain HTTP, keep-alive).
#include "candor/log/http_client.h"

#include <httplib.h>
#include <signal.h>

#include <algorithm>
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

struct HttpClient::Impl {
  explicit Impl(const BaseUrl& base) : client(base.host, base.port) {}
  httplib::ClientImpl client;
  HttpClientOptions options;
};

namespace {

// Debian's cpp-httplib 0.11 is compiled with CPPHTTPLIB_SEND_FLAGS 0, so a
// server that answers early (413) and closes while a body is still being sent
// would kill the whole process with SIGPIPE. The write fails with EPIPE
// instead once SIGPIPE is ignored; a program that installed its own handler
// keeps it.
void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      ::signal(SIGPIPE, SIG_IGN);
    }
  });
}

}  // namespace

HttpClient::HttpClient(BaseUrl base, HttpClientOptions options)
    : base_(std::move(base)), impl_(std::make_unique<Impl>(base_)) {
  IgnoreSigpipeOnce();
  impl_->options = std::move(options);
  auto& c = impl_->client;
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);
  c.set_connection_timeout(impl_->options.connect_timeout);
  c.set_read_timeout(impl_->options.read_timeout);
  c.set_write_timeout(impl_->options.write_timeout);
}

HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(std::string_view base_url,
                                                       HttpClientOptions options) {
  CANDOR_ASSIGN_OR_RETURN(BaseUrl base, ParseBaseUrl(base_url));
  return std::make_unique<HttpClient>(std::move(base), std::move(options));
}

namespace {

Result<HttpResponse> Send(httplib::ClientImpl& client, const HttpClientOptions& options,
                          const BaseUrl& base, std::string_view method, std::string_view path,
                          std::string_view body, std::string_view content_type) {
  if (HasBadChars(path)) return Status::InvalidArgument("request path contains spaces or controls");
  httplib::Request req;
  req.method = std::string(method);
  req.path = base.prefix;
  if (path.empty() || path.front() != '/') req.path += '/';
  req.path += path;
  req.headers.emplace("User-Agent", options.user_agent);
  if (method == "POST") {
    req.body = std::string(body);
    req.headers.emplace("Content-Type", std::string(content_type));
  }
  std::string received;
  bool too_large = false;
  const size_t limit = options.max_body_size;
  req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
    if (received.size() + len > limit) {
      too_large = true;
      return false;
    }
    received.append(data, len);
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  bool ok = client.send(req, res, error);
  if (too_large) return Status::TooLarge("HTTP response body exceeds the client limit");
  if (!ok) {
    return Status::Unavailable(std::string(method) + " " + base.ToString() + req.path + ": " +
                               httplib::to_string(error));
  }
  HttpResponse out;
  out.status = res.status;
  out.body = std::move(received);
  if (out.body.empty() && !res.body.empty()) out.body = std::move(res.body);
  for (const auto& [k, v] : res.headers) out.headers[Lower(k)] = v;
  return out;
}

}  // namespace

Result<HttpResponse> HttpClient::Get(std::string_view path) {
  return Send(impl_->client, impl_->options, base_, "GET", path, {}, {});
}

Result<HttpResponse> HttpClient::Post(std::string_view path, std::string_view body,
                                      std::string_view content_type) {
  return Send(impl_->client, impl_->options, base_, "POST", path, body, content_type);
}

}  // namespace candor
