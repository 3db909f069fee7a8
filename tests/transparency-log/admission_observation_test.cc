// The log admits observations (the third entry type) like releases: size,
// strict parse, a replay answered with its index, the observer key registered
// before any signature check, its rate limit (peeked, then taken only for an
// admitted observation), `observed` not far ahead of the log's clock, the
// signature, and the one target check (CheckObservationTarget) against the
// entry the log has published at the index.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "candor/fs/atomic_write.h"
#include "candor/log/admission.h"
#include "candor/merkle.h"
#include "candor/observation_signer.h"
#include "candor/sha256.h"
#include "candor/signing_key.h"
#include "log_test_util.h"

namespace candor {
namespace {

using testing::MakeEntry;
using testing::MakeTrustRoot;
using testing::MakeVendor;
using testing::TempDir;
using testing::Vendor;

constexpr std::string_view kOrigin = "log.example/test";
constexpr int64_t kNow = 1767225600 + 400 * 86400;  // the log's clock, 2027-02-05

struct World {
  TempDir tmp;
  Vendor vendor = MakeVendor("acme.example");
  Vendor lab = MakeVendor("lab.example");      // registered observer
  Vendor owner = MakeVendor("owner.example");  // registered observer
  Vendor rogue = MakeVendor("rogue.example");  // never registered
  VendorRegistry registry{tmp.path() + "/vendors"};
  // The log: 0 a release for printer-x1, 1 a trust root, 2 an observation,
  // all published; 3 a release, sequenced but not yet published.
  std::vector<Bytes> entries;
  LoggedReleases logged;
  AdmissionOptions options;

  World() {
    REQUIRE(fs::WriteFileAtomically(tmp.path() + "/vendors",
                                    AsBytes(FormatVendorsFile({vendor.pub, lab.pub, owner.pub})))
                .ok());
    REQUIRE(registry.Refresh().ok());
    entries.push_back(MakeEntry(vendor, "printer-x1", "2.4.2"));
    const std::string root = MakeTrustRoot({&vendor}, 1, {&vendor});
    entries.emplace_back(root.begin(), root.end());
    const std::string obs = Make(owner, 0, Leaf(0));
    entries.emplace_back(obs.begin(), obs.end());
    entries.push_back(MakeEntry(vendor, "printer-x1", "2.4.3"));
    logged.size = entries.size();
    logged.published_size = 3;
    logged.find = [](const std::string&) -> Result<std::optional<ReleaseRecord>> {
      return std::optional<ReleaseRecord>();
    };
    logged.read_entry = [this](uint64_t index) -> Result<Bytes> {
      if (index >= logged.published_size) return Status::Unavailable("not yet published");
      return entries[index];
    };
    logged.find_leaf = [this](const Hash& leaf) -> Result<std::optional<uint64_t>> {
      for (uint64_t i = 0; i < entries.size(); ++i) {
        if (HashEqual(LeafHash(entries[i]), leaf)) return std::optional<uint64_t>(i);
      }
      return std::optional<uint64_t>();
    };
    options.origin = std::string(kOrigin);
    options.clock = [] { return kNow; };
  }

  Hash Leaf(uint64_t index) const { return LeafHash(entries[index]); }

  // A signed observation by `who` about `index` / `leaf`.
  static std::string Make(const Vendor& who, uint64_t index, const Hash& leaf,
                          std::string product = "printer-x1",
                          std::string origin = std::string(kOrigin), int64_t observed = kNow) {
    Observation o;
    o.log_origin = std::move(origin);
    o.release_index = index;
    o.release_leaf = leaf;
    o.product = std::move(product);
    o.observed = observed;
    o.findings = {Disclosure{"consumables.third-party", "blocked", std::nullopt}};
    o.evidence_sha256 = Sha256Digest(std::string_view("a video of the refusal"));
    o.summary = "2.4.2 still rejects third-party cartridges on a printer-x1 bought 2026-11";
    auto note = CreateObservation(std::move(o), *MakeKeySigner(who.key));
    REQUIRE_MESSAGE(note.ok(), note.status().ToString());
    return *note;
  }

  Result<AdmittedEntry> Admit(const std::string& entry, RateLimiter* limiter = nullptr,
                              uint64_t* retry = nullptr) {
    return AdmitEntry(AsBytes(entry), registry, options, limiter, retry, &logged);
  }
};

// The observation's signature no longer verifies; the text stays canonical.
std::string Tampered(std::string note) {
  const size_t at = note.find("still rejects");
  REQUIRE(at != std::string::npos);
  note.replace(at, 5, "never");
  return note;
}

TEST_CASE("admission: observations, each refusal with its code") {
  World w;
  const Hash other_leaf = Sha256Digest(std::string_view("some other entry"));
  std::string noncanonical = World::Make(w.lab, 0, w.Leaf(0));
  noncanonical.replace(noncanonical.find("observer "), 9, "observer\t");
  struct Case {
    const char* name;
    std::string entry;
    std::optional<Code> code;  // nullopt: admitted
  } cases[] = {
      {"a registered observer about a published release", World::Make(w.lab, 0, w.Leaf(0)),
       std::nullopt},
      {"observed a day ahead (clock skew)",
       World::Make(w.lab, 0, w.Leaf(0), "printer-x1", std::string(kOrigin), kNow + 86400),
       std::nullopt},
      {"observed more than a day ahead",
       World::Make(w.lab, 0, w.Leaf(0), "printer-x1", std::string(kOrigin), kNow + 86401),
       Code::kMalformed},
      {"an unregistered observer key", World::Make(w.rogue, 0, w.Leaf(0)), Code::kUntrustedKey},
      {"a forged signature of a registered key", Tampered(World::Make(w.lab, 0, w.Leaf(0))),
       Code::kBadSignature},
      {"about another log", World::Make(w.lab, 0, w.Leaf(0), "printer-x1", "other.example/log"),
       Code::kMismatch},
      {"an index beyond the log", World::Make(w.lab, 40, w.Leaf(0)), Code::kNotFound},
      {"an index sequenced but not yet published", World::Make(w.lab, 3, w.Leaf(3)),
       Code::kNotFound},
      {"the index of a trust root", World::Make(w.lab, 1, w.Leaf(1)), Code::kMismatch},
      {"the index of another observation", World::Make(w.lab, 2, w.Leaf(2)), Code::kMismatch},
      {"another leaf hash at the index", World::Make(w.lab, 0, other_leaf), Code::kConflict},
      {"a product the release is not for", World::Make(w.lab, 0, w.Leaf(0), "printer-x2"),
       Code::kMismatch},
      {"not canonical", noncanonical, Code::kMalformed},
      {"the magic line alone", std::string(kObservationMagic), Code::kMalformed},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto admitted = w.Admit(c.entry);
    if (!c.code) {
      REQUIRE_MESSAGE(admitted.ok(), admitted.status().ToString());
      CHECK(AsChars(admitted->entry) == c.entry);
      CHECK(HashEqual(admitted->leaf, LeafHash(AsBytes(c.entry))));
      CHECK(admitted->release_keys.empty());  // no equivocation key: dedup by leaf
      CHECK(!admitted->logged_index);
      CHECK(admitted->vendor == "lab.example");
    } else {
      CHECK_MESSAGE(admitted.status().code() == *c.code, admitted.status().ToString());
    }
  }
  // Registration comes before the signature check: a forgery by an
  // unregistered key costs no Ed25519 verification.
  CHECK(w.Admit(Tampered(World::Make(w.rogue, 0, w.Leaf(0)))).status().code() ==
        Code::kUntrustedKey);
  // The signature before the target: a forgery about a trust root is a forgery.
  CHECK(w.Admit(Tampered(World::Make(w.lab, 1, w.Leaf(1)))).status().code() == Code::kBadSignature);
  // Size first.
  AdmissionOptions small = w.options;
  small.max_entry_size = 100;
  CHECK(AdmitEntry(AsBytes(World::Make(w.lab, 0, w.Leaf(0))), w.registry, small, nullptr, nullptr,
                   &w.logged)
            .status()
            .code() == Code::kTooLarge);
  // A log without an origin admits no observation.
  AdmissionOptions no_origin = w.options;
  no_origin.origin.clear();
  CHECK(AdmitEntry(AsBytes(World::Make(w.lab, 0, w.Leaf(0))), w.registry, no_origin, nullptr,
                   nullptr, &w.logged)
            .status()
            .code() == Code::kMismatch);
  // Without the log's view the target cannot be read: refused, not admitted.
  CHECK(AdmitEntry(AsBytes(World::Make(w.lab, 0, w.Leaf(0))), w.registry, w.options)
            .status()
            .code() == Code::kUnavailable);
}

TEST_CASE("admission: an observation's target is read from the published entries") {
  World w;
  // Once index 3 is published, an observation about it is admitted.
  const std::string about_3 = World::Make(w.lab, 3, w.Leaf(3));
  CHECK(w.Admit(about_3).status().code() == Code::kNotFound);
  w.logged.published_size = 4;
  CHECK(w.Admit(about_3).ok());
  // A failure to read the entry is passed on, never taken for absence.
  w.logged.read_entry = [](uint64_t) -> Result<Bytes> { return Status::Io("disk on fire"); };
  CHECK(w.Admit(about_3).status().code() == Code::kIo);
}

TEST_CASE("admission: a replayed observation is its index, without a signature check or token") {
  World w;
  RateLimiter limiter(0.001, 1);
  uint64_t retry = 0;
  // Index 2 holds owner's observation: resubmitting its bytes gets index 2,
  // even while owner's bucket is empty.
  REQUIRE(limiter.Take(FormatVerifierKey(w.owner.pub)) == std::nullopt);
  const std::string logged_obs(AsChars(w.entries[2]));
  auto replay = w.Admit(logged_obs, &limiter, &retry);
  REQUIRE_MESSAGE(replay.ok(), replay.status().ToString());
  CHECK(replay->logged_index == std::optional<uint64_t>(2));
  CHECK(replay->entry.empty());
}

TEST_CASE("admission: observations spend the observer key's rate budget, once admitted") {
  World w;
  RateLimiter limiter(0.001, 1);
  uint64_t retry = 0;
  // Refusals after the peek spend nothing: a forgery, a refused target.
  CHECK(w.Admit(Tampered(World::Make(w.lab, 0, w.Leaf(0))), &limiter, &retry).status().code() ==
        Code::kBadSignature);
  CHECK(w.Admit(World::Make(w.lab, 1, w.Leaf(1)), &limiter, &retry).status().code() ==
        Code::kMismatch);
  CHECK(w.Admit(World::Make(w.lab, 0, w.Leaf(0)), &limiter, &retry).ok());
  // The bucket is empty now: the next is refused before its signature is checked.
  auto again =
      w.Admit(World::Make(w.lab, 0, w.Leaf(0), "printer-x1", std::string(kOrigin), kNow - 60),
              &limiter, &retry);
  CHECK(again.status().code() == Code::kRateLimited);
  CHECK(retry >= 1);
  CHECK(w.Admit(Tampered(World::Make(w.lab, 0, w.Leaf(0))), &limiter, &retry).status().code() ==
        Code::kRateLimited);
  // Another observer has its own bucket.
  CHECK(w.Admit(World::Make(w.owner, 0, w.Leaf(0)), &limiter, &retry).ok());
}

}  // namespace
}  // namespace candor
