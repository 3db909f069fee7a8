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
  Vendor a = MakeVendor("root-a.example");
  Vendor b = MakeVendor("root-b.example");
  Vendor c = MakeVendor("root-c.example");  // never registered
  VendorRegistry registry{tmp.path() + "/vendors"};
  Roots() {
    REQUIRE(
        fs::WriteFileAtomically(tmp.path() + "/vendors", AsBytes(FormatVendorsFile({a.pub, b.pub})))
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
  auto next = AdmitEntry(AsBytes(MakeTrustRoot({&r.a}, 1, {&r.a}, "acme.example/printers", 2)),
                         r.registry, {}, nullptr, nullptr, &logged);
  REQUIRE(next.ok());
  CHECK(next->keys_absent_below == std::optional<uint64_t>(8));
}

}  // namespace
}  // namespace candor
