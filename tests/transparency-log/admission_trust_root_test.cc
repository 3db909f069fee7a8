// The log admits trust roots (the second entry type) as it admits releases:
// size, strict parse, registered root keys before any signature check, the
// signing root keys' rate limit, their signatures, and one root per domain and
// version (replay answered with the index, another root refused).
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "candor/fs/atomic_write.h"
#include "candor/log/admission.h"
#include "candor/merkle.h"
#include "log_test_util.h"

namespace candor {
namespace {

using testing::MakeTrustRoot;
using testing::MakeVendor;
using testing::TempDir;
using testing::Vendor;

struct Roots {
  TempDir tmp;
  Vendor a = MakeVendor("root-a.acme.example");
  Vendor b = MakeVendor("root-b.acme.example");
  Vendor c = MakeVendor("root-c.acme.example");       // never registered
  Vendor d = MakeVendor("acme.example");              // registered, the domain's own name
  Vendor e = MakeVendor("acme.example/roots");        // registered, "<domain>/..."
  Vendor globex = MakeVendor("root.globex.example");  // registered, another vendor
  VendorRegistry registry{tmp.path() + "/vendors"};
  Roots() {
    REQUIRE(fs::WriteFileAtomically(
                tmp.path() + "/vendors",
                AsBytes(FormatVendorsFile({a.pub, b.pub, d.pub, e.pub, globex.pub})))
                .ok());
    REQUIRE(registry.Refresh().ok());
  }
};

// A root whose signatures no longer verify: its expiry moved by a day (the
// text is still canonical).
std::string Tampered(std::string note) {
  const size_t at = note.find("\nexpires 2100-01-01T");
  REQUIRE(at != std::string::npos);
  note[at + 18] = '2';
  return note;
}

TEST_CASE("admission: trust roots, each refusal with its code") {
  Roots r;
  const std::string two_of_ab = MakeTrustRoot({&r.a, &r.b}, 2, {&r.a, &r.b});
  std::string noncanonical = two_of_ab;
  noncanonical.replace(noncanonical.find("version 1\n"), 10, "version 01\n");
  std::string bad_magic = two_of_ab;
  bad_magic.replace(0, 3, "CAN");
  struct Case {
    const char* name;
    std::string entry;
    std::optional<Code> code;  // nullopt: admitted
  } cases[] = {
      {"threshold of registered keys signed", two_of_ab, std::nullopt},
      {"one of two registered keys, threshold 1", MakeTrustRoot({&r.a, &r.b}, 1, {&r.b}),
       std::nullopt},
      {"unregistered key signed alongside", MakeTrustRoot({&r.a, &r.c}, 1, {&r.a, &r.c}),
       std::nullopt},
      {"only unregistered root keys signed", MakeTrustRoot({&r.a, &r.c}, 1, {&r.c}),
       Code::kUntrustedKey},
      {"threshold needs an unregistered key", MakeTrustRoot({&r.a, &r.c}, 2, {&r.a, &r.c}),
       Code::kUntrustedKey},
      {"registered keys short of the threshold", MakeTrustRoot({&r.a, &r.b}, 2, {&r.a}),
       Code::kUntrustedKey},
      {"a forged signature of a registered key", Tampered(two_of_ab), Code::kBadSignature},
      {"non-canonical text", noncanonical, Code::kMalformed},
      {"trust-root magic, not a note", std::string(kTrustRootMagic) + "domain x\n",
       Code::kMalformed},
      {"neither entry type", bad_magic, Code::kMalformed},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto admitted = AdmitEntry(AsBytes(c.entry), r.registry, AdmissionOptions{});
    if (!c.code) {
      REQUIRE_MESSAGE(admitted.ok(), admitted.status().ToString());
      CHECK(AsChars(admitted->entry) == c.entry);
      CHECK(admitted->release_keys ==
            std::vector<std::string>{TrustRootEquivocationKey("acme.example/printers", 1)});
    } else {
      CHECK_MESSAGE(admitted.status().code() == *c.code, admitted.status().ToString());
    }
  }
  // An unregistered signer is refused before its signature is checked: the
  // same forgery by unregistered keys only is kUntrustedKey, not kBadSignature.
  CHECK(AdmitEntry(AsBytes(Tampered(MakeTrustRoot({&r.a, &r.c}, 1, {&r.c}))), r.registry, {})
            .status()
            .code() == Code::kUntrustedKey);
  AdmissionOptions small;
  small.max_entry_size = 100;
  CHECK(AdmitEntry(AsBytes(two_of_ab), r.registry, small).status().code() == Code::kTooLarge);
}

TEST_CASE("admission: trust roots spend the signing root keys' rate budget") {
  Roots r;
  RateLimiter limiter(0.001, 1);
  uint64_t retry = 0;
  CHECK(
      AdmitEntry(AsBytes(MakeTrustRoot({&r.a}, 1, {&r.a})), r.registry, {}, &limiter, &retry).ok());
  auto again = AdmitEntry(AsBytes(MakeTrustRoot({&r.a}, 1, {&r.a}, "acme.example/other")),
                          r.registry, {}, &limiter, &retry);
  CHECK(again.status().code() == Code::kRateLimited);
  CHECK(retry >= 1);
  // Another root key has its own bucket; a forgery naming `b` spends nothing.
  CHECK(AdmitEntry(AsBytes(Tampered(MakeTrustRoot({&r.b}, 1, {&r.b}))), r.registry, {}, &limiter,
                   &retry)
            .status()
            .code() == Code::kBadSignature);
  CHECK(
      AdmitEntry(AsBytes(MakeTrustRoot({&r.b}, 1, {&r.b})), r.registry, {}, &limiter, &retry).ok());
}

TEST_CASE("admission: one trust root per domain and version; a replay is its index") {
  Roots r;
  const std::string first = MakeTrustRoot({&r.a}, 1, {&r.a});
  const std::string other = MakeTrustRoot({&r.a}, 1, {&r.a});  // same domain and version
  REQUIRE(first != other);
  LoggedReleases logged;
  logged.size = 8;
  logged.find = [&](const std::string& key) -> Result<std::optional<ReleaseRecord>> {
    if (key != "trust-root/acme.example/printers/1") return std::optional<ReleaseRecord>();
    return std::optional<ReleaseRecord>(ReleaseRecord{7, LeafHash(AsBytes(first))});
  };
  auto replay = AdmitEntry(AsBytes(first), r.registry, {}, nullptr, nullptr, &logged);
  REQUIRE(replay.ok());
  CHECK(replay->logged_index == std::optional<uint64_t>(7));
  auto conflict = AdmitEntry(AsBytes(other), r.registry, {}, nullptr, nullptr, &logged);
  CHECK(conflict.status().code() == Code::kConflict);
  CHECK(conflict.status().message().find("already logged at index 7") != std::string::npos);
  logged.read_entry = [&](uint64_t index) -> Result<Bytes> {
    if (index != 7) return Status::NotFound("no such entry");
    return Bytes(first.begin(), first.end());
  };
  auto next = AdmitEntry(AsBytes(MakeTrustRoot({&r.a}, 1, {&r.a}, "acme.example/printers", 2)),
                         r.registry, {}, nullptr, nullptr, &logged);
  REQUIRE_MESSAGE(next.ok(), next.status().ToString());
  CHECK(next->keys_absent_below == std::optional<uint64_t>(8));
}

// A root above version 1 must follow the logged previous version (the
// device's rule), or it would take the (domain, version) slot with a root
// every device refuses and block the real one for good; and root keys speak
// only for their own vendor's domains.
TEST_CASE("admission: a trust root follows the logged previous version; keys name the domain") {
  Roots r;
  const std::string v1 = MakeTrustRoot({&r.a, &r.b}, 2, {&r.a, &r.b});
  LoggedReleases logged;
  logged.size = 8;
  logged.find = [&](const std::string& key) -> Result<std::optional<ReleaseRecord>> {
    if (key != "trust-root/acme.example/printers/1") return std::optional<ReleaseRecord>();
    return std::optional<ReleaseRecord>(ReleaseRecord{7, LeafHash(AsBytes(v1))});
  };
  logged.read_entry = [&](uint64_t index) -> Result<Bytes> {
    if (index != 7) return Status::NotFound("no such entry");
    return Bytes(v1.begin(), v1.end());
  };
  struct Case {
    const char* name;
    std::string entry;
    std::optional<Code> code;  // nullopt: admitted
  } cases[] = {
      {"v2 signed by the threshold of v1's keys and its own",
       MakeTrustRoot({&r.a, &r.b}, 2, {&r.a, &r.b}, "acme.example/printers", 2), std::nullopt},
      {"v2 meeting only its own threshold (a squatter with one registered key)",
       MakeTrustRoot({&r.d}, 1, {&r.d}, "acme.example/printers", 2), Code::kBadSignature},
      {"v2 missing the new keys' threshold",
       MakeTrustRoot({&r.a, &r.b, &r.e}, 3, {&r.a, &r.b}, "acme.example/printers", 2),
       Code::kUntrustedKey},
      {"v3 while v2 is not logged",
       MakeTrustRoot({&r.a, &r.b}, 2, {&r.a, &r.b}, "acme.example/printers", 3),
       Code::kPolicyUnsatisfied},
      {"v1 of acme signed by another vendor's registered key",
       MakeTrustRoot({&r.globex}, 1, {&r.globex}, "acme.example/printers", 1), Code::kUntrustedKey},
      {"v1 signed by the domain's own name", MakeTrustRoot({&r.d}, 1, {&r.d}, "acme.example/x"),
       std::nullopt},
      {"v1 signed by <domain>/...", MakeTrustRoot({&r.e}, 1, {&r.e}, "acme.example/y"),
       std::nullopt},
      {"v1 of globex by its key", MakeTrustRoot({&r.globex}, 1, {&r.globex}, "globex.example/t"),
       std::nullopt},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto got = AdmitEntry(AsBytes(c.entry), r.registry, {}, nullptr, nullptr, &logged);
    if (!c.code) {
      CHECK_MESSAGE(got.ok(), got.status().ToString());
    } else {
      CHECK_MESSAGE(got.status().code() == *c.code, got.status().ToString());
    }
  }
  // The previous version sequenced but not yet published: retry later.
  logged.read_entry = [](uint64_t) -> Result<Bytes> { return Status::Unavailable("not yet"); };
  auto later =
      AdmitEntry(AsBytes(MakeTrustRoot({&r.a, &r.b}, 2, {&r.a, &r.b}, "acme.example/printers", 2)),
                 r.registry, {}, nullptr, nullptr, &logged);
  CHECK(later.status().code() == Code::kUnavailable);
}

}  // namespace
}  // namespace candor
