// A small blocking HTTP/1.1 client for talking to Candor servers (candor-log,
// candor-witness) and to any static server or CDN that serves a tlog-tiles
// directory. Used by `candor publish`, the auditor and the log's witness client.
//
// A log or witness is named by a base URL, "http://host[:port][/prefix]"; a
// request path such as "checkpoint" or "/tile/0/000" is resolved against the
// prefix (c2sp.org/tlog-tiles: "URLs ... relative to a prefix"). Only plain
// http is supported (servers bind loopback in tests; put TLS in a reverse
// proxy). Connections are kept alive between requests on one client.
//
// Errors are values: transport failures (refused, timed out, reset) are
// Status::Unavailable; a parsed HTTP response is returned whatever its status
// code, and the caller decides what a 404 or 409 means.
//
// Thread-safety: an HttpClient serialises its requests (one connection); use one
// client per thread for parallel requests. ParseBaseUrl is a pure function.
#ifndef CANDOR_LOG_HTTP_CLIENT_H_
#define CANDOR_LOG_HTTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "candor/status.h"

namespace candor {

struct BaseUrl {
  std::string host;    // host name or IPv4 literal (IPv6 literals in brackets, without them)
  uint16_t port = 80;  // explicit port or 80
  std::string prefix;  // "" or "/something" without a trailing slash

  // "http://host:port/prefix" (canonical form: always with the port).
  std::string ToString() const;
};

// Strict parse of "http://host[:port][/prefix][/]". Refuses other schemes,
// user info, query, fragment, an empty host, a port outside 1..65535, and
// control characters or spaces anywhere (kInvalidArgument).
Result<BaseUrl> ParseBaseUrl(std::string_view url);

struct HttpResponse {
  int status = 0;
  std::string body;
  // Header names lower-cased; a repeated header keeps its last value.
  std::map<std::string, std::string> headers;

  // The header's value or "" (name is matched case-insensitively).
  std::string Header(std::string_view name) const;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{30000};  // whole-response budget per read
  std::chrono::milliseconds write_timeout{30000};
  // Responses with a larger body are refused (kTooLarge), so a hostile server
  // cannot exhaust memory.
  size_t max_body_size = size_t{64} << 20;
  std::string user_agent = "candor/0.1";
};

class HttpClient {
 public:
  // The first client created sets SIGPIPE to SIG_IGN if it still has the
  // default action (a write to a closed connection must fail, not kill).
  explicit HttpClient(BaseUrl base, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Convenience: ParseBaseUrl then construct.
  static Result<std::unique_ptr<HttpClient>> Create(std::string_view base_url,
                                                    HttpClientOptions options = {});

  const BaseUrl& base() const { return base_; }

  // `path` is relative to the base prefix, with or without a leading "/", and
  // may carry a query ("candor/v1/proof?index=3"). kInvalidArgument if it
  // contains spaces or control characters.
  Result<HttpResponse> Get(std::string_view path);
  Result<HttpResponse> Post(std::string_view path, std::string_view body,
                            std::string_view content_type = "application/octet-stream");

 private:
  struct Impl;
  BaseUrl base_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace candor

#endif  // CANDOR_LOG_HTTP_CLIENT_H_
