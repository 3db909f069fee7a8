// Sequencer: batching, dedup, equivocation, restart; admission checks.
#include "candor/log/sequencer.h"
#include "candor/fs/atomic_write.h"

#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/entry_bundle.h"
#include "candor/layout.h"
#include "candor/log/admission.h"
#include "candor/log/index.h"
#include "candor/log/posix_store.h"
#include "candor/log/storage.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "log_test_util.h"

namespace candor {
namespace {

using testing::MakeEntry;
using testing::MakeVendor;
using testing::TempDir;
using testing::Vendor;

struct Fixture {
  TempDir tmp;
  Vendor vendor = MakeVendor("acme.example");
  std::unique_ptr<PosixLogStore> store;
  std::unique_ptr<Sequencer> seq;
  VendorRegistry vendors{tmp.path() + "/vendors"};

  SequencerOptions options;

  explicit Fixture(SequencerOptions o = {}) : options(o) {
    REQUIRE(
        fs::WriteFileAtomically(tmp.path() + "/vendors", AsBytes(FormatVendorsFile({vendor.pub})))
            .ok());
    Open();
  }
  void Open() {
    seq.reset();
    store.reset();
    auto opened = PosixLogStore::Open(tmp.path(), tmp.path() + "/index");
    REQUIRE(opened.ok());
    store = std::move(*opened);
    auto s = Sequencer::Open(store.get(), options);
    REQUIRE(s.ok());
    seq = std::move(*s);
  }
  AdmittedEntry Admit(const Bytes& entry) {
    auto a = AdmitEntry(entry, vendors, AdmissionOptions{});
    REQUIRE(a.ok());
    return *a;
  }
  Result<AddOutcome> Add(const Bytes& entry) { return seq->Add(Admit(entry)).get(); }
};

TEST_CASE("Sequencer assigns contiguous indices to concurrent submissions (group commit)") {
  Fixture f;
  constexpr int kThreads = 8, kPer = 40;
  std::vector<std::vector<Bytes>> entries(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPer; ++i) {
      entries[t].push_back(MakeEntry(f.vendor, "p" + std::to_string(t), "1." + std::to_string(i)));
    }
  }
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<Result<AddOutcome>>> futs;
      for (const Bytes& e : entries[t]) futs.push_back(f.seq->Add(f.Admit(e)));
      for (auto& fu : futs) {
        auto r = fu.get();
        got[t].push_back(r.ok() ? r->index : ~uint64_t{0});
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& g : got) all.insert(g.begin(), g.end());
  CHECK(all.size() == kThreads * kPer);
  CHECK(*all.begin() == 0);
  CHECK(*all.rbegin() == kThreads * kPer - 1);
  TreeHead head = f.seq->Head();
  CHECK(head.size == kThreads * kPer);
  // The committed root is the root of the entries in index order (read back from bundles).
  std::vector<Hash> leaves(head.size);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPer; ++i) leaves[got[t][i]] = LeafHash(entries[t][i]);
  }
  CHECK(HashEqual(head.root, RootFromLeafHashes(leaves)));
  auto idx_head = f.store->index().Head();
  REQUIRE(idx_head.ok());
  CHECK(idx_head->size == head.size);
}

TEST_CASE("Sequencer: identical resubmission returns the index; equivocation is refused") {
  Fixture f;
  Bytes a = MakeEntry(f.vendor, "printer-x", "2.0", "First.\n");
  Bytes b = MakeEntry(f.vendor, "printer-x", "2.0", "Different changelog.\n");
  Bytes c = MakeEntry(f.vendor, "printer-x", "2.1");
  auto ra = f.Add(a);
  REQUIRE(ra.ok());
  CHECK(ra->index == 0);
  CHECK(!ra->duplicate);
  auto again = f.Add(a);
  REQUIRE(again.ok());
  CHECK(again->index == 0);
  CHECK(again->duplicate);
  auto rb = f.Add(b);
  REQUIRE(!rb.ok());
  CHECK(rb.status().code() == Code::kConflict);
  CHECK(rb.status().message() ==
        "equivocation: acme.example/printer-x/2.0 already logged at index 0");
  auto rc = f.Add(c);
  REQUIRE(rc.ok());
  CHECK(rc->index == 1);
  // Within one batch: duplicate and equivocation against a queued entry.
  Bytes d = MakeEntry(f.vendor, "printer-y", "1");
  Bytes e = MakeEntry(f.vendor, "printer-y", "1", "Other.\n");
  auto fd1 = f.seq->Add(f.Admit(d));
  auto fd2 = f.seq->Add(f.Admit(d));
  auto fe = f.seq->Add(f.Admit(e));
  auto r1 = fd1.get(), r2 = fd2.get(), r3 = fe.get();
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  CHECK(r1->index == r2->index);
  CHECK(r3.status().code() == Code::kConflict);
  CHECK(f.seq->Head().size == 3);
}

TEST_CASE("Admission's lookup replaces the sequencer's: replays, equivocations, races") {
  // The log's POST /add looks the release keys up during admission
  // (LoggedReleases) and the sequencer checks only what it committed since, in
  // memory. Entries admitted against the same view race into the sequencer:
  // the second must still be caught, from the in-memory set (a large bound)
  // or, once that set was forgotten (bound 0), from the index again.
  const struct {
    const char* name;
    size_t max_recent;
  } cases[] = {{"recent releases kept", size_t{1} << 15}, {"forgotten after every batch", 0}};
  for (const auto& tc : cases) {
    CAPTURE(tc.name);
    SequencerOptions o;
    o.max_recent_releases = tc.max_recent;
    Fixture f(o);
    auto view = [&f] {
      LoggedReleases v;
      v.size = f.seq->Head().size;
      v.find = [&f](const std::string& key) { return f.store->index().FindRelease(key); };
      return v;
    };
    Bytes a = MakeEntry(f.vendor, "printer-x", "2.0", "First.\n");
    Bytes b = MakeEntry(f.vendor, "printer-x", "2.0", "Different changelog.\n");
    const LoggedReleases before = view();
    auto admit = [&](const Bytes& e, const LoggedReleases& v) {
      return AdmitEntry(e, f.vendors, AdmissionOptions{}, nullptr, nullptr, &v);
    };
    auto aa = admit(a, before), ab = admit(b, before), aa2 = admit(a, before);
    REQUIRE(aa.ok());
    REQUIRE(ab.ok());
    REQUIRE(aa2.ok());
    CHECK(aa->keys_absent_below == std::optional<uint64_t>(0));
    CHECK(!aa->logged_index);
    auto ra = f.seq->Add(*aa).get();
    REQUIRE(ra.ok());
    CHECK(ra->index == 0);
    auto rb = f.seq->Add(*ab).get();  // admitted before `a` was logged
    REQUIRE(!rb.ok());
    CHECK(rb.status().code() == Code::kConflict);
    CHECK(rb.status().message() ==
          "equivocation: acme.example/printer-x/2.0 already logged at index 0");
    auto ra2 = f.seq->Add(*aa2).get();
    REQUIRE(ra2.ok());
    CHECK(ra2->index == 0);
    CHECK(ra2->duplicate);
    CHECK(f.seq->Head().size == 1);

    // Admitted after `a` was logged: the replay is answered by admission
    // itself, the equivocation refused there once its signature verified.
    const LoggedReleases after = view();
    auto replay = admit(a, after);
    REQUIRE(replay.ok());
    CHECK(replay->logged_index == std::optional<uint64_t>(0));
    CHECK(replay->entry.empty());
    auto eq = admit(b, after);
    REQUIRE(!eq.ok());
    CHECK(eq.status().code() == Code::kConflict);
    CHECK(eq.status().message() ==
          "equivocation: acme.example/printer-x/2.0 already logged at index 0");
    // A forgery under the same release key is not an equivocation.
    auto parsed = ParseReleaseEntry(b);
    REQUIRE(parsed.ok());
    std::string note = parsed->signed_manifest_note;
    char& sig = note[note.size() - 10];
    sig = sig == 'A' ? 'B' : 'A';
    auto forged = admit(EncodeReleaseEntry(note, parsed->changelog), after);
    REQUIRE(!forged.ok());
    CHECK(forged.status().code() != Code::kConflict);
  }
}

TEST_CASE("Without admission's lookup the sequencer finds replays and equivocations itself") {
  // On a store whose lookups are round trips (PostgreSQL) the route admits
  // releases without looking them up (LoggedReleases::lookup_releases false):
  // no replay answer and no keys_absent_below from admission, so the
  // sequencer must look every such key up in the store (LogStore::
  // FindReleases, once per batch), whatever it remembers.
  Fixture f;
  LoggedReleases v;
  v.lookup_releases = false;
  v.find = [](const std::string&) -> Result<std::optional<ReleaseRecord>> {
    FAIL("admission looked a release up");
    return std::optional<ReleaseRecord>();
  };
  RateLimiter limiter(0.001, 10);
  auto admit = [&](const Bytes& e) {
    v.size = f.seq->Head().size;
    return AdmitEntry(e, f.vendors, AdmissionOptions{}, &limiter, nullptr, &v);
  };
  Bytes a = MakeEntry(f.vendor, "printer-x", "3.0", "First.\n");
  Bytes b = MakeEntry(f.vendor, "printer-x", "3.0", "Different changelog.\n");
  auto aa = admit(a);
  REQUIRE(aa.ok());
  CHECK(!aa->keys_absent_below);
  const std::string bucket = FormatVerifierKey(f.vendor.pub);
  CHECK(aa->rate_keys == std::vector<std::string>{bucket});
  CHECK_FALSE(aa->charged);  // charged once the sequencer decided (log_routes.cc)
  REQUIRE(f.seq->Add(*aa).get().ok());
  // Admitted after `a` was logged: a replay and an equivocation both pass
  // admission (signature checked, token taken) and the sequencer decides,
  // queued with a new entry.
  auto replay = admit(a), eq = admit(b), fresh = admit(MakeEntry(f.vendor, "printer-y", "1"));
  REQUIRE(replay.ok());
  REQUIRE(eq.ok());
  REQUIRE(fresh.ok());
  CHECK(!replay->logged_index);
  auto r_replay = f.seq->Add(*replay);
  auto r_eq = f.seq->Add(*eq);
  auto r_fresh = f.seq->Add(*fresh);
  Result<AddOutcome> got = r_replay.get();
  REQUIRE(got.ok());
  CHECK(got->index == 0);
  CHECK(got->duplicate);
  Result<AddOutcome> refused = r_eq.get();
  REQUIRE(!refused.ok());
  CHECK(refused.status().message() ==
        "equivocation: acme.example/printer-x/3.0 already logged at index 0");
  Result<AddOutcome> logged = r_fresh.get();
  REQUIRE(logged.ok());
  CHECK(logged->index == 1);
  CHECK(f.seq->Head().size == 2);
  // Admission only peeked: all ten tokens are left for what the route
  // charges, here the two logged entries and the equivocation.
  CHECK_FALSE(replay->charged);
  for (int i = 0; i < 3; ++i) limiter.Charge(bucket);
  for (int i = 0; i < 7; ++i) CHECK(!limiter.Take(bucket));
  CHECK(limiter.Take(bucket));
}

TEST_CASE("Sequencer restarts from disk with the same head and dedup index") {
  Fixture f;
  std::vector<Bytes> entries;
  for (int i = 0; i < 300; ++i)
    entries.push_back(MakeEntry(f.vendor, "m", "v" + std::to_string(i)));
  std::vector<std::future<Result<AddOutcome>>> futs;
  for (const Bytes& e : entries) futs.push_back(f.seq->Add(f.Admit(e)));
  for (auto& fu : futs) REQUIRE(fu.get().ok());
  TreeHead before = f.seq->Head();
  f.Open();  // restart
  TreeHead after = f.seq->Head();
  CHECK(after.size == before.size);
  CHECK(HashEqual(after.root, before.root));
  auto dup = f.Add(entries[123]);
  REQUIRE(dup.ok());
  CHECK(dup->duplicate);
  auto more = f.Add(MakeEntry(f.vendor, "m", "v300"));
  REQUIRE(more.ok());
  CHECK(more->index == 300);
  CHECK(f.seq->Head().size == 301);
}

TEST_CASE("Sequencer restart ignores tiles written beyond the flushed size") {
  Fixture f;
  REQUIRE(f.Add(MakeEntry(f.vendor, "m", "1")).ok());
  REQUIRE(f.seq->Flush().ok());
  TreeHead head = f.seq->Head();
  // Simulate tiles written for entries that were never committed.
  auto loaded = RightEdge::Load(*f.store, 1);
  REQUIRE(loaded.ok());
  RightEdge edge = std::move(*loaded);
  Bytes junk = MakeEntry(f.vendor, "m", "junk");
  edge.Append(junk, LeafHash(junk));
  REQUIRE(f.store->tiles().WriteFiles(edge.TakeFiles()).ok());
  f.Open();
  CHECK(f.seq->Head().size == 1);
  CHECK(HashEqual(f.seq->Head().root, head.root));
  auto r = f.Add(MakeEntry(f.vendor, "m", "2"));
  REQUIRE(r.ok());
  CHECK(r->index == 1);
  // Once flushed, the tile of width 2 holds the acknowledged entry, not the junk one.
  auto flushed = f.seq->Flush();
  REQUIRE(flushed.ok());
  CHECK(flushed->size == 2);
  auto reloaded = RightEdge::Load(*f.store, 2);
  REQUIRE(reloaded.ok());
  CHECK(HashEqual(reloaded->Root(), f.seq->Head().root));
}

TEST_CASE("Sequencer: committed entries survive a restart before their tiles are written") {
  Fixture f;
  std::vector<Bytes> entries;
  for (int i = 0; i < 300; ++i)
    entries.push_back(MakeEntry(f.vendor, "t", "v" + std::to_string(i)));
  for (size_t i = 0; i < 100; ++i) REQUIRE(f.Add(entries[i]).ok());
  REQUIRE(f.seq->Flush().ok());  // tiles at 100
  for (size_t i = 100; i < 300; ++i) REQUIRE(f.Add(entries[i]).ok());
  // Committed up to 300, tiles only up to 100: no tile covers index 299 yet.
  CHECK(f.store->index().FlushedSize().value() == 100);
  CHECK(f.store->index().PendingEntries(100).value().size() == 200);
  CHECK(!f.store->ReadEntryBundle(EntryBundleId{1, 44}).ok());
  TreeHead before = f.seq->Head();
  f.Open();  // restart: the edge comes back from tiles at 100 + 200 pending entries
  CHECK(f.seq->Head().size == 300);
  CHECK(HashEqual(f.seq->Head().root, before.root));
  auto flushed = f.seq->Flush();
  REQUIRE(flushed.ok());
  CHECK(flushed->size == 300);
  CHECK(f.store->index().FlushedSize().value() == 300);
  CHECK(f.store->index().PendingEntries(300).value().empty());
  auto edge = RightEdge::Load(*f.store, 300);
  REQUIRE(edge.ok());
  CHECK(HashEqual(edge->Root(), before.root));
  auto bundle = f.store->ReadEntryBundle(EntryBundleId{1, 44});
  REQUIRE(bundle.ok());
  auto parsed = ParseEntryBundle(*bundle, 44);
  REQUIRE(parsed.ok());
  CHECK(parsed->back() == entries[299]);
}

TEST_CASE("Sequencer writes tiles by itself once flush_entries accumulate") {
  Fixture f;
  f.seq.reset();
  SequencerOptions o;
  o.flush_entries = 64;
  auto s = Sequencer::Open(f.store.get(), o);
  REQUIRE(s.ok());
  f.seq = std::move(*s);
  for (int i = 0; i < 200; ++i)
    REQUIRE(f.Add(MakeEntry(f.vendor, "a", "v" + std::to_string(i))).ok());
  uint64_t flushed = f.store->index().FlushedSize().value();
  CHECK(flushed >= 192);  // flushed after each 64 committed entries, without Flush()
  CHECK(f.store->index().PendingEntries(flushed).value().size() == 200 - flushed);
}

TEST_CASE("Admission: size, framing, signature, registration, changelog, rate limit") {
  Fixture f;
  Vendor stranger = MakeVendor("evil.example");
  Bytes good = MakeEntry(f.vendor, "p", "1");
  AdmissionOptions opts;
  CHECK(AdmitEntry(good, f.vendors, opts).ok());
  CHECK(AdmitEntry(Bytes{}, f.vendors, opts).status().code() == Code::kMalformed);
  Bytes truncated(good.begin(), good.end() - 5);
  CHECK(AdmitEntry(truncated, f.vendors, opts).status().code() == Code::kMalformed);
  Bytes trailing = good;
  trailing.push_back('x');
  CHECK(AdmitEntry(trailing, f.vendors, opts).status().code() == Code::kMalformed);
  opts.max_entry_size = 100;
  CHECK(AdmitEntry(good, f.vendors, opts).status().code() == Code::kTooLarge);
  opts.max_entry_size = 65535;
  CHECK(AdmitEntry(Bytes(70000, 'a'), f.vendors, opts).status().code() == Code::kTooLarge);
  CHECK(AdmitEntry(MakeEntry(stranger, "p", "1"), f.vendors, opts).status().code() ==
        Code::kUntrustedKey);
  // Tampered changelog: the manifest's digest no longer matches.
  auto parsed = ParseReleaseEntry(good);
  REQUIRE(parsed.ok());
  Bytes tampered = EncodeReleaseEntry(parsed->signed_manifest_note, "Fixes!\n");
  CHECK(AdmitEntry(tampered, f.vendors, opts).status().code() == Code::kMismatch);
  // Tampered manifest signature: the signed text says another product. (The
  // whole line is matched: a bare "p\n" can also end a random base64 hash,
  // where changing it makes the manifest malformed rather than mis-signed.)
  std::string note = parsed->signed_manifest_note;
  size_t pos = note.find("\nproduct p\n");
  REQUIRE(pos != std::string::npos);
  note[pos + 9] = 'q';
  CHECK(AdmitEntry(EncodeReleaseEntry(note, parsed->changelog), f.vendors, opts).status().code() ==
        Code::kBadSignature);
  // The same forgery by an unregistered key is refused for the key: the
  // registration check comes before the (costly) signature verification.
  {
    auto theirs = ParseReleaseEntry(MakeEntry(stranger, "p", "1"));
    REQUIRE(theirs.ok());
    std::string forged = theirs->signed_manifest_note;
    size_t at = forged.find("\nproduct p\n");
    REQUIRE(at != std::string::npos);
    forged[at + 9] = 'q';
    CHECK(AdmitEntry(EncodeReleaseEntry(forged, theirs->changelog), f.vendors, opts)
              .status()
              .code() == Code::kUntrustedKey);
    // And a vendor key over its rate is refused before verification too.
    RateLimiter vendor_limit(0.001, 1);
    uint64_t retry = 0;
    CHECK(AdmitEntry(good, f.vendors, opts, &vendor_limit, &retry).ok());
    CHECK(AdmitEntry(EncodeReleaseEntry(note, parsed->changelog), f.vendors, opts, &vendor_limit,
                     &retry)
              .status()
              .code() == Code::kRateLimited);
    CHECK(retry >= 1);
  }

  RateLimiter limiter(1, 3);
  CHECK(!limiter.Take("a"));
  CHECK(!limiter.Take("a"));
  CHECK(!limiter.Take("a"));
  auto wait = limiter.Take("a");
  REQUIRE(wait);
  CHECK(*wait >= 1);
  CHECK(!limiter.Take("b"));
  RateLimiter unlimited(0, 0);
  for (int i = 0; i < 100; ++i) CHECK(!unlimited.Take("a"));
  // A refund gives one token back, never beyond the burst.
  RateLimiter refunds(0.001, 2);
  CHECK(!refunds.Take("a"));
  CHECK(!refunds.Take("a"));
  CHECK(refunds.Take("a"));
  refunds.Refund("a");
  CHECK(!refunds.Take("a"));
  CHECK(refunds.Take("a"));
  refunds.Refund("a");
  refunds.Refund("a");
  refunds.Refund("a");  // beyond the burst: capped at 2
  CHECK(!refunds.Take("a"));
  CHECK(!refunds.Take("a"));
  CHECK(refunds.Take("a"));
  refunds.Refund("never-charged");  // no bucket: nothing to give back
  CHECK(!refunds.Take("never-charged"));
  // Charge takes a token even from an empty bucket, down to -burst: the key
  // then waits until the balance is positive again.
  RateLimiter charges(0.001, 2);
  for (int i = 0; i < 10; ++i) charges.Charge("a");  // 2 - 10, floored at -2
  auto owed = charges.Blocked("a");
  REQUIRE(owed);
  CHECK(*owed >= 2900);  // 3 tokens at 0.001/s: about 3000 s
  CHECK(*owed <= 3000);
  charges.Refund("a");
  charges.Refund("a");
  charges.Refund("a");
  CHECK(!charges.Blocked("a"));
}

// A signed entry with `disclosures` (CLI syntax) and `issued` (RFC 3339).
Bytes DisclosingEntry(const Vendor& v, const std::string& version, const std::string& issued,
                      std::initializer_list<std::string_view> disclosures) {
  ManifestFields f;
  f.products = {"p"};
  f.version = version;
  f.rollback = 1;
  f.image_sha256 = Sha256Digest(AsBytes(version));
  f.image_size = 1000;
  auto t = ParseUtcTime(issued);
  REQUIRE(t.ok());
  f.issued = *t;
  for (std::string_view arg : disclosures) {
    auto d = ParseDisclosureArg(arg);
    REQUIRE(d.ok());
    f.disclosures.push_back(*d);
  }
  auto entry = CreateReleaseEntry(f, "Fixes.\n", v.key);
  REQUIRE_MESSAGE(entry.ok(), entry.status().ToString());
  return *entry;
}

TEST_CASE("Admission: disclosures are judged at the log's date too; issued not far ahead") {
  Fixture f;
  const int64_t log_now = *ParseUtcTime("2026-06-01T12:00:00Z");
  AdmissionOptions opts;
  opts.clock = [&] { return log_now; };
  struct Case {
    std::string name;
    std::string issued;
    std::initializer_list<std::string_view> disclosures;
    bool admitted;
  };
  const Case cases[] = {
      // The reproduced attack: the issue day claimed before the blocking date.
      {"backdated: undated allowed, blocked from a past date",
       "2024-12-31T00:00:00Z",
       {"consumables.third-party=allowed", "consumables.third-party=blocked,effective=2025-01-01"},
       false},
      {"backdated: both dated in the past",
       "2025-01-01T00:00:00Z",
       {"consumables.third-party=allowed,effective=2025-02-01",
        "consumables.third-party=blocked,effective=2025-03-01"},
       false},
      {"backdated: exclusive telemetry none next to a past destination",
       "2024-01-01T00:00:00Z",
       {"telemetry=none", "telemetry=crash to metrics.acme.example,effective=2025-01-01"},
       false},
      {"backdated: remote-disable none next to a past value",
       "2024-01-01T00:00:00Z",
       {"remote-disable=none", "remote-disable=vendor,effective=2026-05-31"},
       false},
      {"log's day itself counts as in effect",
       "2026-01-01T00:00:00Z",
       {"consumables.third-party=allowed", "consumables.third-party=blocked,effective=2026-06-01"},
       false},
      // (Two values for one date are refused at any reference date, by the
      // signer already: tests/libverify/disclosure_test.cc.)
      {"both effective on the log's day, issued before",
       "2026-05-01T00:00:00Z",
       {"consumables.third-party=blocked,effective=2026-06-01",
        "consumables.third-party=warned,effective=2026-05-15"},
       false},
      // Genuine timelines: the change lies after the log's date.
      {"staged timeline after the log's date",
       "2026-06-01T00:00:00Z",
       {"consumables.third-party=allowed", "consumables.third-party=blocked,effective=2026-09-13"},
       true},
      {"old issue date, change still ahead of the log's date",
       "2024-12-31T00:00:00Z",
       {"consumables.third-party=allowed", "consumables.third-party=blocked,effective=2026-06-02"},
       true},
      {"telemetry none now, a destination later",
       "2026-06-01T00:00:00Z",
       {"telemetry=none", "telemetry=crash to metrics.acme.example,effective=2027-01-01"},
       true},
      {"repeatable values together",
       "2025-01-01T00:00:00Z",
       {"telemetry=crash to metrics.acme.example",
        "telemetry=usage to stats.acme.example,effective=2025-06-01"},
       true},
      // `issued` may lead the log's clock by at most the skew (1 day).
      {"issued 12 h ahead", "2026-06-02T00:00:00Z", {}, true},
      {"issued 1 day ahead exactly", "2026-06-02T12:00:00Z", {}, true},
      {"issued 1 day and 1 s ahead", "2026-06-02T12:00:01Z", {}, false},
      {"issued a year ahead, hiding a delayed activation",
       "2027-06-01T00:00:00Z",
       {"consumables.third-party=allowed", "consumables.third-party=blocked,effective=2027-06-02"},
       false},
  };
  int n = 0;
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Bytes entry = DisclosingEntry(f.vendor, "1." + std::to_string(n++), c.issued, c.disclosures);
    // Every case is a valid release by itself (judged at its own `issued`).
    REQUIRE(ParseReleaseEntry(entry).ok());
    auto a = AdmitEntry(entry, f.vendors, opts);
    CHECK(a.ok() == c.admitted);
    if (!c.admitted) {
      CHECK(a.status().code() == Code::kMalformed);
      CHECK(a.status().message().find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("Admission: only authenticated submissions spend the vendor's tokens") {
  Fixture f;
  AdmissionOptions opts;
  RateLimiter vendor_limit(0.001, 2);  // no refill during the test
  const std::string key = FormatVerifierKey(f.vendor.pub);
  auto forge = [](const Bytes& entry) {
    auto parsed = ParseReleaseEntry(entry);
    REQUIRE(parsed.ok());
    std::string note = parsed->signed_manifest_note;
    size_t at = note.find("\nproduct p\n");
    REQUIRE(at != std::string::npos);
    note[at + 9] = 'q';
    return EncodeReleaseEntry(note, parsed->changelog);
  };
  // Many forgeries naming the vendor's key: each refused for its signature,
  // none spends a token.
  for (int i = 0; i < 50; ++i) {
    uint64_t retry = 0;
    auto r = AdmitEntry(forge(MakeEntry(f.vendor, "p", "f" + std::to_string(i))), f.vendors, opts,
                        &vendor_limit, &retry);
    CHECK(r.status().code() == Code::kBadSignature);
  }
  // A genuine release with a changelog that does not match is refused too
  // (a replay of a logged manifest with another changelog): no token spent.
  {
    auto parsed = ParseReleaseEntry(MakeEntry(f.vendor, "p", "m"));
    REQUIRE(parsed.ok());
    CHECK(AdmitEntry(EncodeReleaseEntry(parsed->signed_manifest_note, "Other.\n"), f.vendors, opts,
                     &vendor_limit)
              .status()
              .code() == Code::kMismatch);
  }
  CHECK(!vendor_limit.Blocked(key));
  // The vendor's burst is intact: two genuine releases go through.
  CHECK(AdmitEntry(MakeEntry(f.vendor, "p", "1"), f.vendors, opts, &vendor_limit).ok());
  CHECK(AdmitEntry(MakeEntry(f.vendor, "p", "2"), f.vendors, opts, &vendor_limit).ok());
  // Now empty: the next (genuine or forged) is refused before verification.
  uint64_t retry = 0;
  CHECK(AdmitEntry(MakeEntry(f.vendor, "p", "3"), f.vendors, opts, &vendor_limit, &retry)
            .status()
            .code() == Code::kRateLimited);
  CHECK(retry >= 1);
  CHECK(AdmitEntry(forge(MakeEntry(f.vendor, "p", "4")), f.vendors, opts, &vendor_limit)
            .status()
            .code() == Code::kRateLimited);
}

TEST_CASE("Refusal limit keys: IPv4 by address, IPv6 by /64") {
  struct Case {
    std::string addr, key;
  };
  const Case cases[] = {
      {"127.0.0.1", "127.0.0.1"},
      {"203.0.113.7", "203.0.113.7"},
      {"::ffff:203.0.113.7", "203.0.113.7"},  // IPv4-mapped: the IPv4 address
      {"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
      {"2001:db8:1:2::1", "2001:db8:1:2::/64"},
      {"2001:db8:1:3::1", "2001:db8:1:3::/64"},
      {"::1", "::/64"},
      {"", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.addr);
    CHECK(RefusalAddressKey(c.addr) == c.key);
  }
}

TEST_CASE("Vendors file parsing is strict") {
  Vendor v = MakeVendor("acme.example");
  std::string line = FormatVerifierKey(v.pub);
  CHECK(ParseVendorsFile("# c\n\n" + line + "\n")->size() == 1);
  CHECK(!ParseVendorsFile(line + "\n" + line + "\n").ok());
  CHECK(!ParseVendorsFile("garbage\n").ok());
  CHECK(ParseVendorsFile(FormatVendorsFile({v.pub}))->at(0) == v.pub);
}

}  // namespace
}  // namespace candor
