// Building and queueing answers: ServerResponse/ServerRequest helpers, the
// server's own refusals, and HttpReply::Send for async routes.
#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "candor/http/http_server.h"
#include "http_server_internal.h"

namespace candor {
namespace http_server_internal {

ServerResponse Error(Code code, std::string text, int http_status) {
  ServerResponse r;
  r.SetError(Status(code, std::move(text)));
  if (http_status != 0) r.status = http_status;
  return r;
}

namespace {

// The first `size` bytes of `fd` (pread from offset 0) in a malloc'ed buffer
// that libmicrohttpd frees, or nullptr (read error, or the file is shorter
// than `size`: it changed since it was measured). Closes `fd`.
MHD_Response* ReadSmallFile(int fd, size_t size) {
  static char empty[1];
  if (size == 0) {
    ::close(fd);
    return MHD_create_response_from_buffer(0, empty, MHD_RESPMEM_PERSISTENT);
  }
  char* buf = static_cast<char*>(std::malloc(size));
  size_t done = 0;
  while (buf != nullptr && done < size) {
    ssize_t n = ::pread(fd, buf + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  MHD_Response* response = nullptr;
  if (done == size) response = MHD_create_response_from_buffer(size, buf, MHD_RESPMEM_MUST_FREE);
  if (response == nullptr) std::free(buf);
  return response;
}

MHD_Response* FileResponse(int fd, uint64_t size) {
  if (size <= kInlineFileMax) return ReadSmallFile(fd, static_cast<size_t>(size));
  MHD_Response* response = MHD_create_response_from_fd64(size, fd);
  if (response == nullptr) ::close(fd);
  return response;
}

}  // namespace

MHD_Result Queue(MHD_Connection* connection, Exchange& ex, const ServerResponse& r) {
  MHD_Response* response =
      r.file_fd >= 0 ? FileResponse(r.file_fd, r.file_size)
      : r.static_body.empty()
          ? MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()),
                                            MHD_RESPMEM_MUST_COPY)
          : MHD_create_response_from_buffer(r.static_body.size(),
                                            const_cast<char*>(r.static_body.data()),
                                            MHD_RESPMEM_PERSISTENT);
  // Out of memory, or the file could not be read (its descriptor is closed
  // either way): close the connection.
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
  for (const auto& [name, value] : r.headers) {
    MHD_add_response_header(response, name.c_str(), value.c_str());
  }
  MHD_Result ok = MHD_queue_response(connection, static_cast<unsigned>(r.status), response);
  MHD_destroy_response(response);
  ex.queued = true;
  if (ex.observer != nullptr) {
    (*ex.observer)(
        HttpOutcome{ex.route != nullptr ? std::string_view(ex.route->path) : "", r.status});
  }
  return ok;
}

}  // namespace http_server_internal

void ServerResponse::SetError(const Status& error) {
  SetText(HttpStatusFor(error.code()), error.message());
  if (body.empty() || body.back() != '\n') body += '\n';
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [](const auto& h) { return h.first == "Candor-Error"; }),
                headers.end());
  SetHeader("Candor-Error", std::string(CodeName(error.code())));
  SetHeader("Cache-Control", "no-store");
}

const std::string* ServerRequest::Param(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return &v;
  }
  return nullptr;
}

size_t ServerRequest::ParamCount(std::string_view key) const {
  return static_cast<size_t>(
      std::count_if(query.begin(), query.end(), [&](const auto& kv) { return kv.first == key; }));
}

void HttpReply::Send(ServerResponse response) const {
  State& s = *state_;
  bool resume = false;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.sent) return;
    s.sent = true;
    s.response = std::move(response);
    resume = s.parked;
    s.parked = false;
  }
  if (!resume) return;  // the handler is still running: it queues the answer itself
  HttpServer& server = *s.server;
  std::lock_guard<std::mutex> lock(server.mu_);
  server.parked_.erase(&s);
  if (!server.daemon_stopping_) MHD_resume_connection(s.connection);
}

}  // namespace candor
