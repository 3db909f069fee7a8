// Tests for HttpServer's file answers (ServerResponse::file_fd,
// candor/http/http_server.h): the file's bytes whatever its size, small files
// written together with their headers, and a file shorter than announced.
// (A file of its own: <linux/tcp.h>, for the receive side's segment count,
// cannot be included next to cpp-httplib's <netinet/tcp.h>.)
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <sys/stat.h>

#include <atomic>
#include <string>
#include <vector>

#include "candor/http/http_server.h"
#include "faults/fault_util.h"
#include "support/temp_dir.h"

namespace candor {
namespace {

using faults::Connect;
using faults::RawExchange;
using faults::RecvAll;
using faults::SendAll;
using faults::StatusOf;
using testing::TempDir;

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

// GET /f/<name> answers with the file DIR/<name>; `claim` (when set) is the
// size announced instead of the file's own.
struct FileServer {
  TempDir dir;
  std::atomic<uint64_t> claim{0};
  std::unique_ptr<HttpServer> server;

  FileServer() {
    auto s = HttpServer::Bind({});
    REQUIRE(s.ok());
    server = std::move(s).value();
    server->Handle("GET", "/f/", HttpMatch::kPrefix,
                   [this](const ServerRequest& req, ServerResponse& res) {
                     int fd = ::open((dir / req.path.substr(3)).c_str(), O_RDONLY | O_CLOEXEC);
                     struct stat st {};
                     if (fd < 0 || ::fstat(fd, &st) != 0) return res.SetText(404, "no\n");
                     res.content_type = "application/octet-stream";
                     res.file_fd = fd;
                     const uint64_t c = claim.load();
                     res.file_size = c != 0 ? c : static_cast<uint64_t>(st.st_size);
                   });
    REQUIRE(server->Start().ok());
  }
  void Write(const std::string& name, const std::string& bytes) {
    int fd = ::open((dir / name).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }
};

TEST_CASE("http server: file answers carry the file; small ones leave in one segment") {
  FileServer fs;
  const std::vector<size_t> sizes = {0,
                                     1,
                                     8192,
                                     static_cast<size_t>(kInlineFileMax),
                                     static_cast<size_t>(kInlineFileMax) + 1,
                                     size_t{1} << 20};
  for (size_t n : sizes) fs.Write(std::to_string(n), Pattern(n));
  for (size_t n : sizes) {
    CAPTURE(n);
    for (const char* method : {"GET", "HEAD"}) {
      CAPTURE(method);
      int fd = Connect(fs.server->port());
      REQUIRE(fd >= 0);
      REQUIRE(SendAll(fd, std::string(method) + " /f/" + std::to_string(n) +
                              " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
      std::string raw = RecvAll(fd, 4u << 20);
      tcp_info info{};
      socklen_t len = sizeof(info);
      REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0);
      ::close(fd);
      CHECK(StatusOf(raw) == 200);
      CHECK(raw.find("Content-Length: " + std::to_string(n) + "\r\n") != std::string::npos);
      size_t end = raw.find("\r\n\r\n");
      REQUIRE(end != std::string::npos);
      const std::string body = raw.substr(end + 4);
      CHECK(body == (std::string(method) == "GET" ? Pattern(n) : std::string()));
      // Headers and body of a small file in one write, hence (loopback MTU
      // 64 KiB) one data segment: a sendfile answer sends its headers alone
      // first (http_server.h, kInlineFileMax).
      if (n <= kInlineFileMax) CHECK(info.tcpi_data_segs_in == 1);
    }
  }
}

TEST_CASE("http server: a file shorter than its announced size closes the connection") {
  FileServer fs;
  fs.Write("short", Pattern(100));
  for (uint64_t claim : {uint64_t{200}, kInlineFileMax}) {
    CAPTURE(claim);
    fs.claim = claim;
    std::string raw = RawExchange(fs.server->port(),
                                  "GET /f/short HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    // No answer claiming bytes the file does not have.
    CHECK(StatusOf(raw) == 0);
  }
  fs.claim = 0;
  CHECK(StatusOf(RawExchange(fs.server->port(), "GET /f/short HTTP/1.1\r\nHost: x\r\n\r\n")) ==
        200);
}

}  // namespace
}  // namespace candor
