// Tests of the witness logic (candor/witness/witness.h) and its state store,
// without HTTP. The add-checkpoint wire format is tested in
// tests/libverify/witness_protocol_test.cc.
#include "candor/witness/witness.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

#include "candor/cosignature.h"
#include "candor/merkle.h"
#include "candor/sha256.h"
#include "candor/witness/witness_store.h"
#include "candor/witness_protocol.h"
#include "support/witness_test_util.h"

namespace candor {
namespace {

using testing::NewKey;
using testing::TempDir;
using testing::TestLog;

constexpr uint64_t kNow = 1700000000;
const std::string kOrigin = "example.com/log";

struct Fixture {
  TempDir dir;
  std::pair<SignerKey, VerifierKey> log_key = NewKey(kOrigin, kKeyTypeEd25519);
  std::pair<SignerKey, VerifierKey> witness_key = NewKey("witness.test/w1", kKeyTypeCosignatureV1);
  TestLog log{kOrigin, log_key.first, 300};
  // A fork of `log` that agrees on the first 10 leaves only.
  TestLog fork{kOrigin, log_key.first, 300, "fork", 10};
  std::string state_dir = dir.path() + "/state";

  Fixture() { ::mkdir(state_dir.c_str(), 0700); }

  std::unique_ptr<Witness> Make(uint64_t now = kNow) {
    std::vector<WitnessedLog> logs = {{kOrigin, {log_key.second}}};
    WitnessOptions options;
    options.clock = [now] { return now; };
    auto w = Witness::Create(witness_key.first, logs, state_dir, options);
    REQUIRE(w.ok());
    return std::move(w).value();
  }

  AddCheckpointRequest Request(const TestLog& l, uint64_t old_size, uint64_t size) const {
    AddCheckpointRequest r;
    r.old_size = old_size;
    if (old_size != 0 && old_size != size) r.proof = l.Proof(old_size, size);
    r.checkpoint = l.SignedCheckpoint(size);
    return r;
  }

  // Checks that `result` is a valid cosignature of l's checkpoint of `size`.
  void ExpectCosigned(const AddCheckpointResult& result, const TestLog& l, uint64_t size,
                      uint64_t timestamp = kNow) const {
    REQUIRE_MESSAGE(result.status.ok(), result.status.ToString());
    auto lines = ParseCosignatureLines(result.cosignatures);
    REQUIRE(lines.ok());
    REQUIRE(lines->size() == 1);
    auto ts = VerifyCosignature(witness_key.second, l.Body(size), (*lines)[0]);
    REQUIRE_MESSAGE(ts.ok(), ts.status().ToString());
    CHECK(*ts == timestamp);
  }
};

uint64_t StoredSize(Witness& w) {
  auto state = w.State(kOrigin);
  REQUIRE(state.ok());
  return state->has_value() ? (*state)->checkpoint.size : 0;
}

TEST_CASE("witness: first checkpoint, then growth with a valid proof") {
  Fixture f;
  auto w = f.Make();
  CHECK(StoredSize(*w) == 0);
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 5)), f.log, 5);
  CHECK(StoredSize(*w) == 5);
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 5, 9)), f.log, 9);
  CHECK(StoredSize(*w) == 9);
  // Through the wire format too.
  f.ExpectCosigned(w->AddCheckpoint(FormatAddCheckpointRequest(f.Request(f.log, 9, 200))), f.log,
                   200);
  CHECK(StoredSize(*w) == 200);
  // The stored note is the checkpoint as submitted.
  auto state = w->State(kOrigin);
  REQUIRE(state.ok());
  CHECK((*state)->note == f.log.SignedCheckpoint(200));
}

TEST_CASE("witness: a size-0 checkpoint must have the empty-tree root") {
  Fixture f;
  auto w = f.Make();
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 0)), f.log, 0);
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 3)), f.log, 3);
}

TEST_CASE("witness: same size, same root is cosigned again") {
  Fixture f;
  auto w = f.Make();
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 7)), f.log, 7);
  auto again = f.Make(kNow + 60);  // a later clock; state shared via the directory
  f.ExpectCosigned(again->AddCheckpoint(f.Request(f.log, 7, 7)), f.log, 7, kNow + 60);
}

TEST_CASE("witness: bad consistency proofs are refused with 422 and change nothing") {
  Fixture f;
  auto w = f.Make();
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 20)), f.log, 20);

  struct Case {
    const char* name;
    std::function<void(AddCheckpointRequest&)> mutate;
  };
  const Case cases[] = {
      {"flipped bit", [](AddCheckpointRequest& r) { r.proof[0][0] ^= 1; }},
      {"last hash flipped", [](AddCheckpointRequest& r) { r.proof.back()[31] ^= 0x80; }},
      {"missing hash", [](AddCheckpointRequest& r) { r.proof.pop_back(); }},
      {"extra hash", [](AddCheckpointRequest& r) { r.proof.push_back(Hash{}); }},
      {"empty proof", [](AddCheckpointRequest& r) { r.proof.clear(); }},
      {"proof for other sizes", [&](AddCheckpointRequest& r) { r.proof = f.log.Proof(19, 40); }},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    AddCheckpointRequest r = f.Request(f.log, 20, 40);
    c.mutate(r);
    AddCheckpointResult result = w->AddCheckpoint(r);
    CHECK(result.status.code() == Code::kInconsistent);
    CHECK(ToHttpReply(result).status == 422);
    CHECK(result.cosignatures.empty());
    CHECK(StoredSize(*w) == 20);
  }
  // A non-empty proof with old size 0 (on a fresh witness) or equal sizes.
  Fixture g;
  auto fresh = g.Make();
  AddCheckpointRequest r = g.Request(g.log, 0, 8);
  r.proof = g.log.Proof(4, 8);
  CHECK(fresh->AddCheckpoint(r).status.code() == Code::kInconsistent);
  CHECK(StoredSize(*fresh) == 0);
  r = f.Request(f.log, 20, 20);
  r.proof = {Hash{}};
  CHECK(w->AddCheckpoint(r).status.code() == Code::kInconsistent);
}

TEST_CASE("witness: unknown origin is 404") {
  Fixture f;
  auto w = f.Make();
  auto other_key = NewKey("other.example/log", kKeyTypeEd25519);
  TestLog other("other.example/log", other_key.first, 10);
  AddCheckpointResult result = w->AddCheckpoint(f.Request(other, 0, 5));
  CHECK(result.status.code() == Code::kNotFound);
  CHECK(ToHttpReply(result).status == 404);
}

TEST_CASE("witness: checkpoints without a valid trusted signature are 403") {
  Fixture f;
  auto w = f.Make();
  // Same origin and key name, different key (so a different key ID).
  auto impostor = NewKey(kOrigin, kKeyTypeEd25519);
  TestLog forged(kOrigin, impostor.first, 10);
  AddCheckpointResult result = w->AddCheckpoint(f.Request(forged, 0, 5));
  CHECK(result.status.code() == Code::kUntrustedKey);
  CHECK(ToHttpReply(result).status == 403);

  // The right key ID but a corrupted signature.
  std::string note = f.log.SignedCheckpoint(5);
  auto parsed = ParseNote(note);
  REQUIRE(parsed.ok());
  parsed->signatures[0].signature[10] ^= 1;
  AddCheckpointRequest r;
  r.checkpoint = FormatNote(*parsed).value();
  result = w->AddCheckpoint(r);
  CHECK(result.status.code() == Code::kBadSignature);
  CHECK(ToHttpReply(result).status == 403);

  // Right signature over a different body (the size changed after signing).
  std::string tampered = f.log.SignedCheckpoint(5);
  tampered.replace(tampered.find("\n5\n"), 3, "\n6\n");
  r.checkpoint = tampered;
  CHECK(ToHttpReply(w->AddCheckpoint(r)).status == 403);
  CHECK(StoredSize(*w) == 0);

  // Unknown extra signature lines are ignored.
  auto stranger = NewKey("stranger.example/k", kKeyTypeEd25519);
  const SignerKey* signers[] = {&stranger.first};
  r.checkpoint = AddSignatures(f.log.SignedCheckpoint(5), signers).value();
  f.ExpectCosigned(w->AddCheckpoint(r), f.log, 5);
}

TEST_CASE("witness: any of several trusted keys for an origin (key rotation)") {
  Fixture f;
  auto second = NewKey(kOrigin, kKeyTypeEd25519);
  TestLog rotated(kOrigin, second.first, 300);  // same tree, signed by the new key
  std::vector<WitnessedLog> logs = {{kOrigin, {f.log_key.second, second.second}}};
  WitnessOptions options;
  options.clock = [] { return kNow; };
  auto w = Witness::Create(f.witness_key.first, logs, f.state_dir, options);
  REQUIRE(w.ok());
  f.ExpectCosigned((*w)->AddCheckpoint(f.Request(f.log, 0, 5)), f.log, 5);
  f.ExpectCosigned((*w)->AddCheckpoint(f.Request(rotated, 5, 9)), rotated, 9);
}

TEST_CASE("witness: a bad signature by a second trusted key refuses the checkpoint") {
  // Both keys trusted for one origin; the checkpoint carries a valid signature
  // by one and a corrupted one by the other. The one rule (VerifyCheckpoint
  // with all trusted keys, docs/SECURITY.md): 403 bad-signature, whichever key
  // comes first, never a cosignature.
  Fixture f;
  auto second = NewKey(kOrigin, kKeyTypeEd25519);
  const SignerKey* both[] = {&second.first};
  std::string two = AddSignatures(f.log.SignedCheckpoint(5), both).value();
  auto parsed = ParseNote(two);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->signatures.size() == 2);
  for (size_t bad : {size_t{0}, size_t{1}}) {
    for (bool swap_config : {false, true}) {
      CAPTURE(bad);
      CAPTURE(swap_config);
      TempDir dir;
      std::vector<VerifierKey> keys = {f.log_key.second, second.second};
      if (swap_config) std::swap(keys[0], keys[1]);
      std::vector<WitnessedLog> logs = {{kOrigin, keys}};
      WitnessOptions options;
      options.clock = [] { return kNow; };
      auto w = Witness::Create(f.witness_key.first, logs, dir.path(), options);
      REQUIRE(w.ok());
      Note corrupted = *parsed;
      corrupted.signatures[bad].signature[7] ^= 1;
      AddCheckpointRequest r;
      r.checkpoint = FormatNote(corrupted).value();
      AddCheckpointResult result = (*w)->AddCheckpoint(r);
      CHECK(result.status.code() == Code::kBadSignature);
      CHECK(result.cosignatures.empty());
      WitnessHttpReply reply = ToHttpReply(result);
      CHECK(reply.status == 403);
      CHECK(reply.candor_error == "bad-signature");
      // Both signatures intact: cosigned.
      r.checkpoint = two;
      f.ExpectCosigned((*w)->AddCheckpoint(r), f.log, 5);
    }
  }
}

TEST_CASE("witness: two trusted keys of one origin may not share a name and key ID") {
  Fixture f;
  VerifierKey clash = NewKey(kOrigin, kKeyTypeEd25519).second;
  clash.key_id = f.log_key.second.key_id;
  std::vector<WitnessedLog> logs = {{kOrigin, {f.log_key.second, clash}}};
  CHECK(Witness::Create(f.witness_key.first, logs, f.state_dir, WitnessOptions{}).status().code() ==
        Code::kInvalidArgument);
  logs = {{kOrigin, {f.log_key.second, f.log_key.second}}};  // the same key twice is harmless
  CHECK(Witness::Create(f.witness_key.first, logs, f.state_dir, WitnessOptions{}).ok());
}

TEST_CASE("witness: old size mismatch is 409 with text/x.tlog.size") {
  Fixture f;
  auto w = f.Make();
  // Never cosigned: the stored size is 0.
  AddCheckpointResult result = w->AddCheckpoint(f.Request(f.log, 4, 9));
  CHECK(result.status.code() == Code::kConflict);
  REQUIRE(result.stored_size.has_value());
  CHECK(*result.stored_size == 0);
  WitnessHttpReply reply = ToHttpReply(result);
  CHECK(reply.status == 409);
  CHECK(reply.content_type == "text/x.tlog.size");
  CHECK(reply.body == "0\n");

  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 9)), f.log, 9);
  for (uint64_t old_size : {0, 4, 8, 10}) {
    CAPTURE(old_size);
    result = w->AddCheckpoint(f.Request(f.log, old_size, 12));
    CHECK(result.status.code() == Code::kConflict);
    reply = ToHttpReply(result);
    CHECK(reply.status == 409);
    CHECK(reply.content_type == "text/x.tlog.size");
    CHECK(reply.body == "9\n");
    CHECK(ParseTlogSize(reply.body).value() == 9);
  }
  CHECK(StoredSize(*w) == 9);
}

TEST_CASE("witness: old size larger than the checkpoint size is 400") {
  Fixture f;
  auto w = f.Make();
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 9)), f.log, 9);
  AddCheckpointRequest r = f.Request(f.log, 0, 5);
  r.old_size = 9;
  AddCheckpointResult result = w->AddCheckpoint(r);
  CHECK(result.status.code() == Code::kMalformed);
  CHECK(ToHttpReply(result).status == 400);
}

TEST_CASE("witness: same size with a different root is refused with 409") {
  Fixture f;
  auto w = f.Make();
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 30)), f.log, 30);
  AddCheckpointResult result = w->AddCheckpoint(f.Request(f.fork, 30, 30));
  CHECK(result.status.code() == Code::kConflict);
  CHECK_FALSE(result.stored_size.has_value());
  WitnessHttpReply reply = ToHttpReply(result);
  CHECK(reply.status == 409);
  CHECK(reply.content_type != "text/x.tlog.size");
  CHECK(result.cosignatures.empty());
  auto state = w->State(kOrigin);
  REQUIRE(state.ok());
  CHECK(HashEqual((*state)->checkpoint.root_hash, f.log.Root(30)));
}

TEST_CASE("witness: a fork is never cosigned once the other branch was") {
  Fixture f;
  auto w = f.Make();
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 8)), f.log, 8);  // common prefix
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 8, 50)), f.log, 50);
  // The fork, with a proof that is valid within the fork, from the stored size.
  AddCheckpointResult result = w->AddCheckpoint(f.Request(f.fork, 50, 80));
  CHECK(result.status.code() == Code::kInconsistent);
  // ... or pretending the witness is smaller: 409, never a cosignature.
  CHECK(w->AddCheckpoint(f.Request(f.fork, 8, 80)).status.code() == Code::kConflict);
  CHECK(w->AddCheckpoint(f.Request(f.fork, 0, 80)).status.code() == Code::kConflict);
  CHECK(StoredSize(*w) == 50);
}

TEST_CASE("witness: malformed requests are 400, oversized 413") {
  Fixture f;
  auto w = f.Make();
  const std::string cp = f.log.SignedCheckpoint(5);
  const std::string h = Base64Encode(Hash{});
  const std::string many_lines = [&] {
    std::string s = "old 1\n";
    for (int i = 0; i < 64; ++i) s += h + "\n";
    return s + "\n" + cp;
  }();
  struct Case {
    const char* name;
    std::string body;
  };
  const Case cases[] = {
      {"empty", ""},
      {"no old line", "\n" + cp},
      {"old without size", "old \n\n" + cp},
      {"leading zero", "old 00\n\n" + cp},
      {"negative", "old -1\n\n" + cp},
      {"two spaces", "old  0\n\n" + cp},
      {"CRLF", "old 0\r\n\r\n" + cp},
      {"uppercase", "OLD 0\n\n" + cp},
      {"missing blank line", "old 0\n" + cp},
      {"no checkpoint", "old 0\n\n"},
      {"no final newline", "old 0\n\n" + cp.substr(0, cp.size() - 1)},
      {"bad base64 proof", "old 1\nnot-base64\n\n" + cp},
      {"short proof hash", "old 1\nAAAA\n\n" + cp},
      {"64 proof lines", many_lines},
      {"garbage checkpoint", "old 0\n\nhello\n"},
      {"unsigned checkpoint", "old 0\n\n" + f.log.Body(5)},
      {"checkpoint body with bad size", "old 0\n\n" +
                                            [&] {
                                              std::string s = cp;
                                              s.replace(s.find("\n5\n"), 3, "\n05\n");
                                              return s;
                                            }()},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    AddCheckpointResult result = w->AddCheckpoint(c.body);
    CHECK(result.status.code() == Code::kMalformed);
    CHECK(ToHttpReply(result).status == 400);
  }
  std::string huge = "old 0\n\n" + cp + std::string(kMaxAddCheckpointBodySize, 'x');
  CHECK(ToHttpReply(w->AddCheckpoint(huge)).status == 413);
  CHECK(StoredSize(*w) == 0);
  // 63 proof lines are fine as far as framing goes (the proof is then wrong: 409 here).
  std::string ok63 = "old 1\n";
  for (int i = 0; i < 63; ++i) ok63 += h + "\n";
  CHECK(w->AddCheckpoint(ok63 + "\n" + cp).status.code() == Code::kConflict);
}

TEST_CASE("witness: state survives a restart") {
  Fixture f;
  {
    auto w = f.Make();
    f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 17)), f.log, 17);
  }
  auto w = f.Make();
  CHECK(StoredSize(*w) == 17);
  AddCheckpointResult result = w->AddCheckpoint(f.Request(f.log, 0, 20));
  REQUIRE(result.stored_size.has_value());
  CHECK(*result.stored_size == 17);
  // The fork is still refused after the restart.
  CHECK(w->AddCheckpoint(f.Request(f.fork, 17, 30)).status.code() == Code::kInconsistent);
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 17, 20)), f.log, 20);
}

TEST_CASE("witness: a corrupt state file fails closed, it is not 'no state'") {
  Fixture f;
  {
    auto w = f.Make();
    f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 17)), f.log, 17);
  }
  WitnessStateStore store(f.state_dir);
  for (const std::string& garbage :
       {std::string(""), std::string("garbage\n"), f.fork.SignedCheckpoint(3).substr(0, 20)}) {
    {
      std::ofstream out(store.PathFor(kOrigin), std::ios::trunc | std::ios::binary);
      out << garbage;
    }
    auto w = f.Make();
    AddCheckpointResult result = w->AddCheckpoint(f.Request(f.fork, 0, 30));
    CHECK(result.status.code() == Code::kInternal);
    CHECK(ToHttpReply(result).status == 500);
  }
  // A state file holding another origin's checkpoint is refused too.
  auto other_key = NewKey("other.example/log", kKeyTypeEd25519);
  TestLog other("other.example/log", other_key.first, 5);
  {
    std::ofstream out(store.PathFor(kOrigin), std::ios::trunc | std::ios::binary);
    out << other.SignedCheckpoint(3);
  }
  auto w = f.Make();
  CHECK(w->AddCheckpoint(f.Request(f.log, 0, 30)).status.code() == Code::kInternal);
}

TEST_CASE("witness: randomized submissions never yield two inconsistent cosignatures") {
  Fixture f;
  // A fork that agrees on 100 leaves, so that both branches get cosignatures
  // before one of them wins.
  TestLog late_fork(kOrigin, f.log_key.first, 300, "late-fork", 100);
  const TestLog* branches[] = {&f.log, &late_fork};
  std::mt19937_64 rng(12345);
  struct Cosigned {
    int branch;
    uint64_t size;
  };
  std::vector<Cosigned> cosigned;
  uint64_t known[2] = {0, 0};  // each submitter's idea of the witness size
  uint64_t last_stored = 0;
  auto w = f.Make();
  for (int i = 0; i < 300; ++i) {
    if (i % 50 == 49) w = f.Make();  // restarts
    int b = static_cast<int>(rng() % 2);
    const TestLog& l = *branches[b];
    uint64_t old_size = known[b];
    uint64_t size = std::min<uint64_t>(l.size(), old_size + rng() % 12);
    AddCheckpointRequest r;
    r.old_size = old_size;
    if (old_size != 0 && old_size != size) r.proof = l.Proof(old_size, size);
    r.checkpoint = l.SignedCheckpoint(size);
    AddCheckpointResult result = w->AddCheckpoint(r);
    if (result.status.ok()) {
      f.ExpectCosigned(result, l, size);
      cosigned.push_back({b, size});
      known[b] = size;
    } else if (result.stored_size.has_value()) {
      known[b] = *result.stored_size;
    }
    uint64_t stored = StoredSize(*w);
    CHECK(stored >= last_stored);
    last_stored = stored;
  }
  // Both branches got cosignatures (the test exercised the fork) ...
  bool seen[2] = {false, false};
  for (const auto& c : cosigned) seen[c.branch] = true;
  CHECK(seen[0]);
  CHECK(seen[1]);
  // ... but every pair of cosigned checkpoints is consistent: the smaller one
  // is the prefix of the larger one's tree.
  for (const auto& a : cosigned) {
    for (const auto& b : cosigned) {
      const Cosigned& small = a.size <= b.size ? a : b;
      const Cosigned& large = a.size <= b.size ? b : a;
      CHECK(HashEqual(branches[small.branch]->Root(small.size),
                      branches[large.branch]->Root(small.size)));
    }
  }
}

TEST_CASE("witness: concurrent requests are serialised per log (no rollback race)") {
  Fixture f;
  auto w = f.Make();
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 10)), f.log, 10);
  // Many threads race from the same old size to different new sizes; exactly
  // one may win, and the stored size is the winner's.
  std::atomic<int> wins{0};
  std::atomic<uint64_t> winner{0};
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      AddCheckpointResult result = w->AddCheckpoint(f.Request(f.log, 10, 20 + t));
      if (result.status.ok()) {
        ++wins;
        winner = 20 + t;
      } else {
        CHECK(result.status.code() == Code::kConflict);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wins == 1);
  CHECK(StoredSize(*w) == winner);
}

TEST_CASE("witness store: init, logs.conf, open with lock") {
  TempDir dir;
  const std::string wdir = dir.path() + "/w";
  auto vkey = InitWitnessDir(wdir, "witness.test/w1");
  REQUIRE(vkey.ok());
  CHECK(vkey->type == kKeyTypeCosignatureV1);
  struct stat st;
  REQUIRE(::stat(WitnessKeyPath(wdir).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::ifstream pub(WitnessPublicKeyPath(wdir));
  std::string pub_line;
  std::getline(pub, pub_line);
  CHECK(pub_line == FormatVerifierKey(*vkey));
  // Never overwrites a key.
  CHECK(InitWitnessDir(wdir, "witness.test/w2").status().code() == Code::kConflict);

  auto log_key = NewKey(kOrigin, kKeyTypeEd25519);
  CHECK(AddWitnessLog(wdir, kOrigin, log_key.second).value() == true);
  CHECK(AddWitnessLog(wdir, kOrigin, log_key.second).value() == false);  // idempotent
  CHECK(AddWitnessLog(wdir, "bad origin", log_key.second).status().code() ==
        Code::kInvalidArgument);
  auto cosigner = NewKey("w", kKeyTypeCosignatureV1);
  CHECK(AddWitnessLog(wdir, kOrigin, cosigner.second).status().code() == Code::kInvalidArgument);
  auto logs = ReadWitnessLogs(wdir);
  REQUIRE(logs.ok());
  REQUIRE(logs->size() == 1);
  CHECK((*logs)[0].origin == kOrigin);
  CHECK((*logs)[0].keys == std::vector<VerifierKey>{log_key.second});

  auto w = Witness::Open(wdir);
  REQUIRE(w.ok());
  CHECK((*w)->public_key() == *vkey);
  // A second server on the same directory is refused while the first runs.
  CHECK(Witness::Open(wdir).status().code() == Code::kConflict);
  TestLog log(kOrigin, log_key.first, 10);
  AddCheckpointRequest r;
  r.checkpoint = log.SignedCheckpoint(4);
  AddCheckpointResult result = (*w)->AddCheckpoint(r);
  REQUIRE(result.status.ok());
  w = Status::Internal("closed");  // drops the witness and its lock
  auto reopened = Witness::Open(wdir);
  REQUIRE(reopened.ok());
  auto state = (*reopened)->State(kOrigin);
  REQUIRE(state.ok());
  CHECK((*state)->checkpoint.size == 4);
}

TEST_CASE("witness store: logs.conf parsing is strict") {
  auto k = NewKey(kOrigin, kKeyTypeEd25519);
  auto k2 = NewKey(kOrigin, kKeyTypeEd25519);
  const std::string v = FormatVerifierKey(k.second);
  const std::string v2 = FormatVerifierKey(k2.second);
  auto ok = ParseWitnessLogs("# comment\n\nlog a.example/x " + v + "\nlog " + kOrigin + " " + v +
                             "\nlog " + kOrigin + " " + v2 + "\n");
  REQUIRE(ok.ok());
  REQUIRE(ok->size() == 2);
  CHECK((*ok)[1].keys.size() == 2);
  CHECK(ParseWitnessLogs(FormatWitnessLogs(*ok)).value().size() == 2);
  const std::string bad[] = {
      "log " + kOrigin + " " + v,                                                // no final newline
      "logs " + kOrigin + " " + v + "\n",                                        // unknown keyword
      "log " + kOrigin + "\n",                                                   // no key
      "log " + kOrigin + "  " + v + "\n",                                        // two spaces
      "log " + kOrigin + " " + v + " extra\n",                                   // trailing field
      "log " + kOrigin + " " + v + "\nlog " + kOrigin + " " + v + "\n",          // duplicate
      " log " + kOrigin + " " + v + "\n",                                        // leading space
      "log " + kOrigin + " " + FormatVerifierKey(NewKey("w", 4).second) + "\n",  // not Ed25519
  };
  for (const auto& text : bad) {
    CAPTURE(text);
    CHECK(ParseWitnessLogs(text).status().code() == Code::kMalformed);
  }
}

TEST_CASE("witness: ReloadLogs swaps the list atomically and keeps each origin's state") {
  Fixture f;
  auto w = f.Make();
  const std::string origin_b = "example.com/log-2027";
  auto key_b = NewKey(origin_b, kKeyTypeEd25519);
  TestLog log_b{origin_b, key_b.first, 50};
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 0, 5)), f.log, 5);
  CHECK(w->AddCheckpoint(f.Request(log_b, 0, 5)).status.code() == Code::kNotFound);

  // An invalid list (an origin twice) changes nothing.
  std::vector<WitnessedLog> twice = {{origin_b, {key_b.second}}, {origin_b, {key_b.second}}};
  CHECK(w->ReloadLogs(twice).code() == Code::kInvalidArgument);
  CHECK(w->logs().size() == 1);
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 5, 6)), f.log, 6);

  // Only B: A is unknown now, B is witnessed.
  REQUIRE(w->ReloadLogs({{origin_b, {key_b.second}}}).ok());
  CHECK(w->AddCheckpoint(f.Request(f.log, 6, 7)).status.code() == Code::kNotFound);
  CHECK(w->State(kOrigin).status().code() == Code::kNotFound);
  f.ExpectCosigned(w->AddCheckpoint(f.Request(log_b, 0, 5)), log_b, 5);

  // A back: its state was kept (size 6), so a client claiming 0 gets 409
  // with 6 rather than a fresh start.
  REQUIRE(w->ReloadLogs({{kOrigin, {f.log_key.second}}, {origin_b, {key_b.second}}}).ok());
  AddCheckpointResult stale = w->AddCheckpoint(f.Request(f.log, 0, 7));
  CHECK(stale.status.code() == Code::kConflict);
  CHECK(stale.stored_size == std::optional<uint64_t>(6));
  f.ExpectCosigned(w->AddCheckpoint(f.Request(f.log, 6, 7)), f.log, 7);
  CHECK(StoredSize(*w) == 7);

  // Reload() needs a directory (Open); a Create()d witness has none.
  CHECK(w->Reload().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace candor
