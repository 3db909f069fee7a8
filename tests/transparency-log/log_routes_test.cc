// candor-log HTTP routes, in process: tiles and checkpoint headers, path
// traversal, bad coordinates, submissions with every documented status, proofs.
#include "candor/log/log_routes.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "candor/checkpoint.h"
#include "candor/consistency_proof.h"
#include "candor/log/log_server.h"
#include "candor/merkle.h"
#include "candor/tlog_proof.h"
#include "log_test_util.h"
#include "support/postgres_cluster.h"

namespace candor {
namespace {

using testing::MakeEntry;
using testing::MakeVendor;
using testing::TempDir;
using testing::Vendor;

struct InProcessLog {
  TempDir tmp;
  Vendor vendor = MakeVendor("acme.example");
  std::unique_ptr<LogServer> server;
  std::thread thread;
  VerifierKey log_key;

  explicit InProcessLog(LogServerOptions o = {}) {
    Status init = InitLog(tmp.path(), "log.example/test", "", o.storage);
    REQUIRE_MESSAGE(init.ok(), init.ToString());
    REQUIRE(
        fs::WriteFileAtomically(tmp.path() + "/vendors", AsBytes(FormatVendorsFile({vendor.pub})))
            .ok());
    auto pub = fs::ReadFileBytes(tmp.path() + "/log.pub", kMaxVerifierKeyFileSize);
    REQUIRE(pub.ok());
    std::string_view text = AsChars(*pub);
    text.remove_suffix(1);
    log_key = *ParseVerifierKey(text);
    o.dir = tmp.path();
    o.port = 0;
    o.publisher.interval = std::chrono::milliseconds(50);
    auto s = LogServer::Open(o);
    REQUIRE(s.ok());
    server = std::move(*s);
    thread = std::thread([this] { server->Serve(); });
    httplib::Client c("127.0.0.1", server->port());
    for (int i = 0; i < 200 && !c.Get("/checkpoint"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~InProcessLog() {
    server->Stop();
    thread.join();
  }
  httplib::Client Client() { return httplib::Client("127.0.0.1", server->port()); }
};

TEST_CASE("Routes: tiles and checkpoint are served with the right headers; nothing else") {
  InProcessLog log;
  auto c = log.Client();
  std::vector<Bytes> entries;
  for (int i = 0; i < 300; ++i) {
    entries.push_back(MakeEntry(log.vendor, "p", "v" + std::to_string(i)));
  }
  for (const Bytes& e : entries) {
    auto r = c.Post("/add", std::string(AsChars(e)), "application/octet-stream");
    REQUIRE(r);
    REQUIRE(r->status == 200);
  }
  auto proof = c.Get("/candor/v1/proof?index=299&wait=10");
  REQUIRE(proof);
  REQUIRE(proof->status == 200);

  auto cp = c.Get("/checkpoint");
  REQUIRE(cp);
  CHECK(cp->status == 200);
  CHECK(cp->get_header_value("Content-Type") == "text/plain; charset=utf-8");
  CHECK(cp->get_header_value("Cache-Control").find("no-cache") != std::string::npos);
  auto verified = VerifyCheckpoint(cp->body, log.log_key);
  REQUIRE(verified.ok());
  CHECK(verified->checkpoint.size == 300);

  auto full = c.Get("/tile/0/000");
  REQUIRE(full);
  CHECK(full->status == 200);
  CHECK(full->body.size() == 32 * 256);
  CHECK(full->get_header_value("Content-Type") == "application/octet-stream");
  CHECK(full->get_header_value("Cache-Control") == kImmutableCacheControl);
  auto partial = c.Get("/tile/0/001.p/44");
  REQUIRE(partial);
  CHECK(partial->status == 200);
  CHECK(partial->body.size() == 32 * 44);
  CHECK(partial->get_header_value("Cache-Control") == kPartialCacheControl);
  auto bundle = c.Get("/tile/entries/000");
  REQUIRE(bundle);
  CHECK(bundle->status == 200);
  CHECK(bundle->get_header_value("Cache-Control") == kImmutableCacheControl);
  // Public read API: an explorer or auditor on another origin may read it.
  for (const auto* r : {&cp, &full, &partial, &bundle}) {
    CHECK((*r)->get_header_value("Access-Control-Allow-Origin") == "*");
  }
  // The tiles hash to the checkpoint's root.
  Hash leaf0 = LeafHash(entries[0]);
  CHECK(
      std::equal(leaf0.begin(), leaf0.end(), reinterpret_cast<const uint8_t*>(full->body.data())));

  struct Case {
    const char* path;
    int status;
  };
  const Case cases[] = {
      {"/tile/0/../../log.key", 400},
      {"/tile/%2e%2e/log.key", 400},
      {"/tile/0/000/../../../log.key", 400},
      {"/tile/entries/../../log.key", 400},
      {"/tile/0/001.p/0", 400},
      {"/tile/0/001.p/256", 400},
      {"/tile/0/0000", 400},
      {"/tile/64/000", 400},
      {"/tile/0/x000/000", 400},
      {"/tile/0/001.p/044", 400},
      {"/tile/0/000/", 400},
      {"/tile/-1/000", 400},
      {"/tile/0/x999/999", 404},
      {"/tile/0/001.p/45", 404},
      {"/tile/entries/x001/000", 404},
      {"/tile/3/000", 404},
      {"/log.key", 404},
      {"/state/index.db", 404},
      {"/state/index/CURRENT", 404},
      {"/config", 404},
      {"/checkpoint.tmp", 404},
      {"/vendors", 404},
      {"/nonexistent", 404},
  };
  for (const auto& tc : cases) {
    std::string path = tc.path;
    CAPTURE(path);
    auto r = c.Get(tc.path);
    REQUIRE(r);
    CHECK(r->status == tc.status);
    CHECK(r->body.find("PRIVATE") == std::string::npos);
    CHECK(!r->body.empty());
    CHECK(r->body.back() == '\n');
    CHECK(r->body.find('\n') == r->body.size() - 1);  // one line
  }
}

TEST_CASE("Routes: a tile path resolves beneath the data directory, to a regular file") {
  InProcessLog log;
  TempDir outside;
  const std::string tiles = log.tmp.path() + "/tile/0";
  std::filesystem::create_directories(tiles);
  std::filesystem::create_directories(outside.path() + "/tile");
  const std::string secret = "OUTSIDE-SECRET";
  REQUIRE(fs::WriteFileAtomically(tiles + "/000", AsBytes(std::string(8192, 't'))).ok());
  REQUIRE(fs::WriteFileAtomically(outside.path() + "/s", AsBytes(secret)).ok());
  REQUIRE(fs::WriteFileAtomically(outside.path() + "/tile/000", AsBytes(secret)).ok());
  REQUIRE(::symlink("000", (tiles + "/001").c_str()) == 0);                     // inside, relative
  REQUIRE(::symlink((tiles + "/000").c_str(), (tiles + "/002").c_str()) == 0);  // inside, absolute
  REQUIRE(::symlink((outside.path() + "/s").c_str(), (tiles + "/003").c_str()) == 0);
  const std::string climbing = std::filesystem::relative(outside.path() + "/s", tiles).string();
  REQUIRE(climbing.rfind("../", 0) == 0);
  REQUIRE(::symlink(climbing.c_str(), (tiles + "/004").c_str()) == 0);  // relative, out
  REQUIRE(::symlink((outside.path() + "/tile").c_str(), (log.tmp.path() + "/tile/1").c_str()) == 0);
  REQUIRE(::symlink("/proc/self/fd/0", (tiles + "/005").c_str()) == 0);
  REQUIRE(::mkfifo((tiles + "/006").c_str(), 0644) == 0);
  std::filesystem::create_directories(tiles + "/007");

  struct Case {
    const char* path;
    int status;
  };
  // An absolute symlink is refused even when it points inside: the lookup
  // never leaves the data directory, so it cannot start over at "/".
  const Case cases[] = {
      {"/tile/0/000", 200}, {"/tile/0/001", 200}, {"/tile/0/002", 404},
      {"/tile/0/003", 404}, {"/tile/0/004", 404}, {"/tile/1/000", 404},
      {"/tile/0/005", 404}, {"/tile/0/006", 404}, {"/tile/0/007", 404},
  };
  auto c = log.Client();
  for (const Case& k : cases) {
    const std::string path = k.path;
    CAPTURE(path);
    auto r = c.Get(k.path);
    CHECK(r);
    if (!r) continue;
    CHECK(r->status == k.status);
    CHECK(r->body.find(secret) == std::string::npos);
    if (k.status == 200) CHECK(r->body == std::string(8192, 't'));
  }
  // A loop blocked opening the FIFO (waiting for a writer) would never stop:
  // give it one, so that a failure here fails the test instead of hanging it.
  int w = ::open((tiles + "/006").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (w >= 0) ::close(w);
}

TEST_CASE("Routes: POST /add answers every documented status and keeps serving") {
  LogServerOptions o;
  o.rate_per_vendor = 0.001;  // no refill during the test
  // Only admitted submissions spend tokens: good and equivocating (the
  // duplicate is answered from the index; refusals spend none), 1.1 below.
  o.burst_per_vendor = 3;
  o.admission.max_entry_size = 4000;
  InProcessLog log(o);
  auto c = log.Client();
  Vendor stranger = MakeVendor("evil.example");
  Bytes good = MakeEntry(log.vendor, "printer", "1.0");
  Bytes equivocating = MakeEntry(log.vendor, "printer", "1.0", "Something else.\n");
  auto post = [&](const Bytes& b) {
    auto r = c.Post("/add", std::string(AsChars(b)), "application/octet-stream");
    REQUIRE(r);
    return *r;
  };
  auto r1 = post(good);
  CHECK(r1.status == 200);
  CHECK(r1.body == "0\n");
  auto dup = post(good);
  CHECK(dup.status == 200);
  CHECK(dup.body == "0\n");
  auto eq = post(equivocating);
  CHECK(eq.status == 409);
  CHECK(eq.body == "equivocation: acme.example/printer/1.0 already logged at index 0\n");

  Bytes big = MakeEntry(log.vendor, "printer", "2.0", std::string(5000, 'a') + "\n");
  struct Case {
    std::string name;
    Bytes body;
    int status;
  };
  Bytes truncated(good.begin(), good.begin() + good.size() / 2);
  auto parsed = ParseReleaseEntry(good);
  REQUIRE(parsed.ok());
  std::string note = parsed->signed_manifest_note;
  note[note.find("printer")] = 'P';
  const Case cases[] = {
      {"empty", {}, 400},
      {"garbage", Bytes(100, 'x'), 400},
      {"truncated", truncated, 400},
      {"oversized", big, 413},
      {"huge", Bytes(200000, 'a'), 413},
      {"unregistered", MakeEntry(stranger, "printer", "1.0"), 403},
      {"bad signature", EncodeReleaseEntry(note, parsed->changelog), 403},
      {"changelog mismatch", EncodeReleaseEntry(parsed->signed_manifest_note, "Other.\n"), 422},
  };
  for (const auto& tc : cases) {
    CAPTURE(tc.name);
    auto r = post(tc.body);
    CHECK(r.status == tc.status);
    REQUIRE(!r.body.empty());
    CHECK(r.body.find('\n') == r.body.size() - 1);
  }
  CHECK(post(MakeEntry(log.vendor, "printer", "1.1")).status == 200);
  // The vendor has used its burst.
  auto limited = post(MakeEntry(log.vendor, "printer", "1.2"));
  CHECK(limited.status == 429);
  CHECK(!limited.get_header_value("Retry-After").empty());
  // Still serving, and the log only holds the two good entries.
  auto cp = c.Get("/checkpoint");
  REQUIRE(cp);
  CHECK(cp->status == 200);
  CHECK(log.server->sequencer()->Head().size == 2);
}

// Replaying a vendor's public entry must not spend the vendor's budget, on
// either engine: on the data directory admission answers the replay from the
// index before the signature check; on PostgreSQL, where admission does not
// look up (a round trip per submission), the sequencer answers it "already
// logged" and the route charges a token only for what the sequencer logged
// or refused as an equivocation (RateLimiter::Charge).
TEST_CASE("Routes: replays spend no rate-limit token, on the data directory and on PostgreSQL") {
  std::unique_ptr<testing::PostgresCluster> cluster = testing::PostgresCluster::Primary();
  struct Engine {
    std::string name;
    std::string storage;
  };
  std::vector<Engine> engines = {{"data directory", ""}};
  if (cluster->available()) {
    engines.push_back({"postgres", "postgresql://candor@127.0.0.1:" +
                                       std::to_string(cluster->port()) + "/candor"});
  } else if (testing::PostgresRequired()) {
    FAIL("CANDOR_REQUIRE_POSTGRES=1 but " << cluster->why());
  } else {
    MESSAGE("SKIP postgres: " << cluster->why());
  }
  for (const Engine& engine : engines) {
    CAPTURE(engine.name);
    LogServerOptions o;
    o.storage = engine.storage;
    o.rate_per_vendor = 0.001;  // no refill during the test: the burst is the budget
    o.burst_per_vendor = 3;
    InProcessLog log(o);
    auto c = log.Client();
    auto post = [&](const Bytes& b) {
      auto r = c.Post("/add", std::string(AsChars(b)), "application/octet-stream");
      REQUIRE(r);
      return *r;
    };
    const Bytes first = MakeEntry(log.vendor, "printer", "1.0");
    auto r = post(first);
    REQUIRE(r.status == 200);
    const std::string index = r.body;
    // Ten replays, far beyond the two tokens left: each answered with the
    // entry's index, none refused.
    for (int i = 0; i < 10; ++i) {
      auto again = post(first);
      CHECK(again.status == 200);
      CHECK(again.body == index);
    }
    // The vendor still has its two tokens. An equivocation is refused and
    // costs one (the vendor signed it), a new release the other, then 429.
    auto eq = post(MakeEntry(log.vendor, "printer", "1.0", "Something else.\n"));
    CHECK(eq.status == 409);
    CHECK(eq.body.find("equivocation") != std::string::npos);
    CHECK(post(MakeEntry(log.vendor, "printer", "1.1")).status == 200);
    CHECK(post(MakeEntry(log.vendor, "printer", "1.2")).status == 429);
    CHECK(log.server->sequencer()->Head().size == 2);
  }
}

TEST_CASE(
    "Routes: registration and rate limits come before the signature; refused clients are limited") {
  LogServerOptions o;
  o.rate_per_vendor = 0.001;  // no refill during the test
  o.burst_per_vendor = 2;
  o.refusals_per_address = 0.001;  // no refill during the test
  o.refusal_burst_per_address = 4;
  InProcessLog log(o);
  auto c = log.Client();
  // An entry whose vendor signature does not verify (the signed text was changed).
  auto forged = [](const Bytes& entry) {
    auto parsed = ParseReleaseEntry(entry);
    REQUIRE(parsed.ok());
    std::string note = parsed->signed_manifest_note;
    note[note.find("printer")] = 'P';
    return EncodeReleaseEntry(note, parsed->changelog);
  };
  auto post = [&](const Bytes& b) {
    auto r = c.Post("/add", std::string(AsChars(b)), "application/octet-stream");
    REQUIRE(r);
    return *r;
  };
  struct Step {
    std::string name;
    Bytes body;
    int status;
    std::string code;  // Candor-Error
  };
  Vendor stranger = MakeVendor("evil.example");
  const Step steps[] = {
      // Unregistered key with a signature that does not verify: refused for
      // the key, so no verification was made (else it would be bad-signature).
      {"unregistered, forged", forged(MakeEntry(stranger, "printer", "1.0")), 403, "untrusted-key"},
      // Refused for its signature, and spends none of the vendor's tokens.
      {"registered, forged", forged(MakeEntry(log.vendor, "printer", "1.0")), 403, "bad-signature"},
      {"registered, good", MakeEntry(log.vendor, "printer", "1.1"), 200, ""},
      {"registered, good again", MakeEntry(log.vendor, "printer", "1.2"), 200, ""},
      // The vendor key is out of tokens (burst 2): refused before verification.
      {"registered over its rate, forged", forged(MakeEntry(log.vendor, "printer", "1.3")), 429,
       "rate-limited"},
      {"unregistered again", MakeEntry(stranger, "printer", "1.1"), 403, "untrusted-key"},
      // Four refusals from this address (its burst), the 429 included: now
      // refused unparsed.
      {"refused client, garbage", Bytes(100, 'x'), 429, "rate-limited"},
      {"refused client, unregistered", MakeEntry(stranger, "printer", "1.2"), 429, "rate-limited"},
  };
  for (const Step& step : steps) {
    CAPTURE(step.name);
    auto r = post(step.body);
    CHECK(r.status == step.status);
    CHECK(r.get_header_value("Candor-Error") == step.code);
    if (step.status == 429) CHECK(!r.get_header_value("Retry-After").empty());
  }
}

// POSTs `body` to /add from source address `from` (any 127/8 address reaches
// the loopback listener); returns the status and the Candor-Error header.
std::pair<int, std::string> PostFrom(const std::string& from, int port, const Bytes& body) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  REQUIRE(inet_pton(AF_INET, from.c_str(), &src.sin_addr) == 1);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof(src)) == 0);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof(dst)) == 0);
  std::string req =
      "POST /add HTTP/1.1\r\nHost: log\r\nConnection: close\r\n"
      "Content-Type: application/octet-stream\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + std::string(AsChars(body));
  for (size_t off = 0; off < req.size();) {
    ssize_t n = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    REQUIRE(n > 0);
    off += static_cast<size_t>(n);
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  REQUIRE(out.rfind("HTTP/1.", 0) == 0);
  int status = std::atoi(out.c_str() + 9);
  std::string code;
  size_t h = out.find("\r\nCandor-Error: ");
  if (h != std::string::npos) {
    size_t start = h + 16;
    code = out.substr(start, out.find("\r\n", start) - start);
  }
  return {status, code};
}

TEST_CASE("Routes: forgeries naming a registered vendor's key do not lock the vendor out") {
  LogServerOptions o;
  o.rate_per_vendor = 0.001;  // no refill during the test: the burst is the budget
  o.burst_per_vendor = 3;
  o.refusals_per_address = 0.001;
  o.refusal_burst_per_address = 5;
  InProcessLog log(o);
  const int port = log.server->port();
  auto forged = [](const Bytes& entry) {
    auto parsed = ParseReleaseEntry(entry);
    REQUIRE(parsed.ok());
    std::string note = parsed->signed_manifest_note;
    note[note.find("printer")] = 'P';
    return EncodeReleaseEntry(note, parsed->changelog);
  };
  // The forger (127.0.0.2) knows the vendor's public key (it is in the log)
  // and sends forgeries naming it, far more than the vendor's burst.
  int refused_for_signature = 0, limited = 0;
  for (int i = 0; i < 20; ++i) {
    auto [status, code] = PostFrom(
        "127.0.0.2", port, forged(MakeEntry(log.vendor, "printer", "9." + std::to_string(i))));
    if (status == 403 && code == "bad-signature") ++refused_for_signature;
    if (status == 429 && code == "rate-limited") ++limited;
  }
  // Its first 5 refusals (its burst), then 429 for its address.
  CHECK(refused_for_signature == 5);
  CHECK(limited == 15);
  // The forger replays the vendor's logged entry too: answered from the
  // index, no token spent.
  Bytes first = MakeEntry(log.vendor, "printer", "1.0");
  auto [s0, c0] = PostFrom("127.0.0.3", port, first);
  CHECK(s0 == 200);
  for (int i = 0; i < 5; ++i) {
    auto [s, c] = PostFrom("127.0.0.2", port, first);
    CHECK(s == 429);  // the forger's address is still limited
    auto [s3, c3] = PostFrom("127.0.0.4", port, first);
    CHECK(s3 == 200);
  }
  // The vendor (127.0.0.3) still has the rest of its burst.
  for (int i = 1; i < 3; ++i) {
    CAPTURE(i);
    auto [status, code] =
        PostFrom("127.0.0.3", port, MakeEntry(log.vendor, "printer", "1." + std::to_string(i)));
    CHECK(status == 200);
    CHECK(code.empty());
  }
  auto [s4, c4] = PostFrom("127.0.0.3", port, MakeEntry(log.vendor, "printer", "1.3"));
  CHECK(s4 == 429);  // and no more than it
  CHECK(log.server->sequencer()->Head().size == 3);
}

TEST_CASE("Routes: proofs and consistency proofs verify against the checkpoint") {
  InProcessLog log;
  auto c = log.Client();
  std::vector<Bytes> entries;
  for (int i = 0; i < 20; ++i) {
    entries.push_back(MakeEntry(log.vendor, "p", "v" + std::to_string(i)));
    auto r = c.Post("/add", std::string(AsChars(entries.back())), "application/octet-stream");
    REQUIRE(r);
    REQUIRE(r->status == 200);
  }
  auto r = c.Get("/candor/v1/proof?index=7&wait=10");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  auto proof = ParseTlogProof(r->body);
  REQUIRE(proof.ok());
  auto cp = VerifyCheckpoint(proof->checkpoint, log.log_key);
  REQUIRE(cp.ok());
  CHECK(proof->index == 7);
  CHECK(VerifyInclusion(7, cp->checkpoint.size, LeafHash(entries[7]), proof->inclusion_proof,
                        cp->checkpoint.root_hash)
            .ok());
  // By leaf hash.
  Hash leaf = LeafHash(entries[3]);
  auto byleaf = c.Get(("/candor/v1/proof?leaf=" + HexEncode(leaf)).c_str());
  REQUIRE(byleaf);
  REQUIRE(byleaf->status == 200);
  CHECK(ParseTlogProof(byleaf->body)->index == 3);
  // Bad queries.
  const std::pair<const char*, int> bad[] = {
      {"/candor/v1/proof", 400},
      {"/candor/v1/proof?index=01", 400},
      {"/candor/v1/proof?index=1&leaf=00", 400},
      {"/candor/v1/proof?index=1&x=1", 400},
      {"/candor/v1/proof?index=1&wait=abc", 400},
      {"/candor/v1/proof?leaf=ABC", 400},
      {"/candor/v1/proof?index=20", 404},
      {"/candor/v1/proof?index=99999999", 404},
      {"/candor/v1/consistency?from=5", 400},
      {"/candor/v1/consistency?from=6&to=5", 400},
      {"/candor/v1/consistency?from=1&to=21", 404},
  };
  for (const auto& [path, status] : bad) {
    const auto& url = path;  // clang < 16 cannot capture a structured binding (CAPTURE)
    CAPTURE(url);
    auto b = c.Get(path);
    REQUIRE(b);
    CHECK(b->status == status);
  }
  // Consistency from a smaller tree to the published one.
  std::vector<Hash> leaves;
  for (const Bytes& e : entries) leaves.push_back(LeafHash(e));
  uint64_t n = cp->checkpoint.size;
  for (uint64_t m : std::vector<uint64_t>{1, 5, 8, 13, n}) {
    if (m > n) continue;  // the proof's checkpoint may be older than all 20 entries
    CAPTURE(m);
    auto cr = c.Get(
        ("/candor/v1/consistency?from=" + std::to_string(m) + "&to=" + std::to_string(n)).c_str());
    REQUIRE(cr);
    REQUIRE(cr->status == 200);
    auto hashes = ParseProofHashLines(cr->body);
    REQUIRE(hashes.ok());
    Hash old_root = RootFromLeafHashes(std::span<const Hash>(leaves.data(), m));
    CHECK(VerifyConsistency(m, n, *hashes, old_root, cp->checkpoint.root_hash).ok());
  }
  // Between two smaller trees, whatever sizes the log stored tiles at: the
  // proof is built from the published tree's tiles.
  // Plain variables, not a structured binding: doctest's CAPTURE takes a
  // lambda, and C++20 does not let a lambda capture a structured binding (clang refuses).
  for (const auto& range :
       std::vector<std::pair<uint64_t, uint64_t>>{{1, 2}, {3, 7}, {5, 13}, {1, n - 1}}) {
    const uint64_t m = range.first;
    const uint64_t to = range.second;
    if (to >= n || m >= to) continue;
    CAPTURE(m);
    CAPTURE(to);
    auto cr = c.Get(
        ("/candor/v1/consistency?from=" + std::to_string(m) + "&to=" + std::to_string(to)).c_str());
    REQUIRE(cr);
    REQUIRE(cr->status == 200);
    auto hashes = ParseProofHashLines(cr->body);
    REQUIRE(hashes.ok());
    Hash old_root = RootFromLeafHashes(std::span<const Hash>(leaves.data(), m));
    Hash new_root = RootFromLeafHashes(std::span<const Hash>(leaves.data(), to));
    CHECK(VerifyConsistency(m, to, *hashes, old_root, new_root).ok());
  }
}

}  // namespace
}  // namespace candor
