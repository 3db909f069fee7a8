// A small blocking HTTP/1.1 client for talking to Candor servers (candor-log,
// candor-witness) and to any static server or CDN that serves a tlog-tiles
// directory. The one HTTP client of the project: `candor publish`, the
// auditor (`candor audit sync`, gossip) and the log's witness client all use it.
//
// A log or witness is named by a base URL, "https://host[:port][/prefix]"; a
// request path such as "checkpoint" or "/tile/0/000" is resolved against the
// prefix (c2sp.org/tlog-tiles: "URLs ... relative to a prefix"). Connections
// (and TLS sessions) are kept alive between requests on one client.
//
// TLS (docs/SECURITY.md "Transport"): an https:// client verifies the server's
// chain against the system store (Debian ca-certificates) plus the optional
// `ca_file` (a private CA, added to the system store, never replacing it) and
// the host name against the certificate (RFC 6125); TLS 1.2 or later.
// Verification cannot be turned off. A failure is Code::kTls with libcurl's
// one-line reason ("certificate has expired", "unable to get local issuer
// certificate", "no alternative certificate subject name matches ...").
// No downgrade: a client speaks exactly its base URL's scheme. Plain http://
// is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost: the
// servers themselves, a local proxy, tests); ParseBaseUrl refuses it for any
// other host.
//
// Redirects: a 3xx answer to a GET is followed only within the base URL's
// origin (scheme, host and port identical, RFC 6454), at most 5 times; a
// redirect to another origin, or any redirect of a POST, is refused
// (kUnavailable naming the Location).
//
// Hostile servers: every exchange has an absolute deadline (`deadline`: a
// server trickling bytes cannot stretch it), a stall bound (`read_timeout`:
// no byte for that long), and bounded memory: the response headers are
// limited in total bytes and in number (`max_header_bytes`, `max_headers`;
// libcurl itself refuses a single header line over 100 KiB before we see it)
// and the body in size (`max_body_size`). Built on libcurl (Debian
// libcurl4-openssl-dev): cpp-httplib 0.11 grows one header line without bound
// and restarts its read timeout at every byte (docs/ARCHITECTURE.md).
//
// Errors are values: transport failures (refused, timed out, reset, deadline)
// are Status::Unavailable; TLS failures Status::Tls; limits exceeded are Status::TooLarge; a parsed
// HTTP response is returned whatever its status code, and the caller decides
// what it means (for Candor's own servers: HttpResponse::CandorError).
//
// Thread-safety: an HttpClient serialises its requests (one connection); use one
// client per thread for parallel requests. Cancel() may be called from any
// thread. ParseBaseUrl is a pure function.
#ifndef CANDOR_HTTP_HTTP_CLIENT_H_
#define CANDOR_HTTP_HTTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "candor/status.h"

namespace candor {

struct BaseUrl {
  std::string scheme = "http";  // "https", or "http" (loopback hosts only)
  std::string host;    // host name or IPv4 literal (IPv6 literals in brackets, without them)
  uint16_t port = 80;  // explicit port, or 443 (https) / 80 (http)
  std::string prefix;  // "" or "/something" without a trailing slash

  // "https://host:port/prefix" (canonical form: always with the port).
  std::string ToString() const;
};

// Strict parse of "https://host[:port][/prefix][/]" or, for a loopback host,
// "http://...". Refuses other schemes, plain http to any other host (with a
// line saying to use https), user info, query, fragment, an empty host, a
// port outside 1..65535, and control characters or spaces anywhere
// (kInvalidArgument).
Result<BaseUrl> ParseBaseUrl(std::string_view url);

// "localhost", "::1" or a dotted-quad IPv4 literal in 127.0.0.0/8.
bool IsLoopbackHost(std::string_view host);

// The response header by which Candor's servers (candor-log, candor-witness)
// name the Code of every error response (4xx/5xx): its value is
// CodeName(code), e.g. "Candor-Error: policy-unsatisfied" (docs/LOG.md).
inline constexpr std::string_view kCandorErrorHeader = "Candor-Error";

struct HttpResponse {
  int status = 0;
  std::string body;
  // Header names lower-cased; a repeated header keeps its last value.
  std::map<std::string, std::string> headers;

  // The header's value or "" (name is matched case-insensitively).
  std::string Header(std::string_view name) const;

  // For an error answer from Candor's own servers: the Status the server
  // stated in its Candor-Error header (its Code by name), with `context` and
  // the first line of the body as the message. A response without the header,
  // or one naming an unknown code, is kUnavailable (the peer is not a Candor
  // server, or a proxy answered): the client never guesses a Code from the
  // HTTP status. REQUIRES: status is not 2xx.
  Status CandorError(std::string_view context) const;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  // Absolute budget for one exchange, from the start of the request (including
  // the connect) to the last byte of the response (kUnavailable when passed).
  std::chrono::milliseconds deadline{60000};
  // Longest time without a byte sent or received (whole seconds, rounded up);
  // the deadline bounds the exchange anyway.
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};  // same as read_timeout (the larger is used)
  // Responses with a larger body are refused (kTooLarge), so a hostile server
  // cannot exhaust memory.
  size_t max_body_size = size_t{64} << 20;
  // Limits on the response header block (status line included): total bytes
  // and number of lines. Exceeded: kTooLarge.
  size_t max_header_bytes = 64 * 1024;
  size_t max_headers = 100;
  std::string user_agent = "candor/0.1";
  // PEM file of extra CA certificates for https:// servers, trusted in
  // addition to the system store (`--ca-file`). Read at the first request:
  // kNotFound if it cannot be opened, kMalformed if it holds no certificate.
  std::string ca_file;
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

  // Makes the request in flight (and every later one) fail soon with
  // kUnavailable ("cancelled"), within about a second. Any thread; for
  // shutting down an owner whose requests are still waiting on a slow peer.
  void Cancel();

 private:
  struct Impl;
  Result<HttpResponse> Request(std::string_view method, std::string_view path,
                               std::string_view body, std::string_view content_type);
  BaseUrl base_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace candor

#endif  // CANDOR_HTTP_HTTP_CLIENT_H_
