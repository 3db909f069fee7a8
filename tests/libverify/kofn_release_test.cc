// k-of-n releases (docs/FORMATS.md "Signer list"): the parser's attack table
// (docs/SECURITY.md) and the policy's vendor groups. Signed with the libsodium
// test signer (note_test_util.h), so this binary needs no libsign.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "candor/manifest.h"
#include "candor/policy.h"
#include "candor/release.h"
#include "candor/sha256.h"
#include "libverify/note_test_util.h"

namespace candor {
namespace {

using testutil::TestKey;

const std::string kChangelog = "changes\n";

struct Release {
  TestKey a = TestKey::Make("acme.example/firmware", 0x31);
  TestKey b = TestKey::Make("acme.example/release-b", 0x32);
  TestKey c = TestKey::Make("acme.example/release-c", 0x33);
  TestKey outsider = TestKey::Make("acme.example/release-d", 0x34);
  Manifest m;
  std::string text;

  Release() {
    m.vendor = "acme.example";
    m.vendor_key = a.vkey;
    m.cosigners = Sorted({b.vkey, c.vkey});
    m.products = {"printer-x1"};
    m.version = "5.0";
    m.rollback = 5;
    m.image_sha256 = Sha256Digest(std::string_view("image"));
    m.image_size = 5;
    m.changelog_sha256 = Sha256Digest(kChangelog);
    m.issued = 1780000000;
    auto t = FormatManifestText(m);
    REQUIRE_MESSAGE(t.ok(), t.status().ToString());
    text = *t;
  }
  static std::vector<VerifierKey> Sorted(std::vector<VerifierKey> keys) {
    std::sort(keys.begin(), keys.end(), [](const VerifierKey& x, const VerifierKey& y) {
      return FormatVerifierKey(x) < FormatVerifierKey(y);
    });
    return keys;
  }
  // The signer list's keys in canonical signature order.
  std::vector<const TestKey*> Canonical() const {
    std::vector<const TestKey*> out = {&a};
    for (const VerifierKey& k : m.cosigners) out.push_back(k == b.vkey ? &b : &c);
    return out;
  }
  static std::string Note(const std::string& body, const std::vector<std::string>& lines) {
    std::string note = body + "\n";
    for (const std::string& l : lines) note += l;
    return note;
  }
  std::string Sig(const TestKey& k) const { return k.SigLine(text); }
  static Result<ReleaseEntry> Parse(const std::string& note) {
    return ParseReleaseEntry(EncodeReleaseEntry(note, kChangelog));
  }
};

// A signature line whose signature bytes are another message's: right key
// name and ID, invalid signature.
std::string BadSig(const TestKey& k) { return k.SigLine("not the manifest\n"); }

TEST_CASE("k-of-n manifests: every canonical subsequence parses, with its signers") {
  const Release r;
  const auto keys = r.Canonical();
  const std::string s0 = r.Sig(*keys[0]), s1 = r.Sig(*keys[1]), s2 = r.Sig(*keys[2]);
  const std::vector<std::vector<std::string>> ok = {{s0}, {s0, s1}, {s0, s2}, {s0, s1, s2}};
  for (const auto& lines : ok) {
    auto parsed = Release::Parse(Release::Note(r.text, lines));
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
    CHECK(parsed->signed_by.size() == lines.size());
    CHECK(parsed->signed_by.front() == r.a.vkey);
    CHECK(EncodeReleaseEntry(*parsed) ==
          EncodeReleaseEntry(Release::Note(r.text, lines), kChangelog));
  }
  CHECK(Release::Parse(Release::Note(r.text, {s0, s2}))->signed_by.back() == keys[2]->vkey);
  CHECK(SignerList(r.m).size() == 3);
  auto reparsed = ParseManifestText(r.text);
  REQUIRE(reparsed.ok());
  CHECK(*reparsed == r.m);
}

// docs/SECURITY.md "k-of-n releases": each row fails without its defence.
TEST_CASE("k-of-n attacks on the release entry are refused") {
  const Release r;
  const auto keys = r.Canonical();
  const std::string s0 = r.Sig(*keys[0]), s1 = r.Sig(*keys[1]), s2 = r.Sig(*keys[2]);
  // The manifest with the signer list changed after signing (a key swapped
  // for an outsider, a key dropped), signatures of the original text.
  Manifest swapped = r.m;
  swapped.cosigners = Release::Sorted({r.b.vkey, r.outsider.vkey});
  Manifest dropped = r.m;
  dropped.cosigners = {r.b.vkey};
  const std::string swapped_text = *FormatManifestText(swapped);
  const std::string dropped_text = *FormatManifestText(dropped);
  struct Case {
    const char* what;
    std::string note;
    Code code;
  };
  const std::vector<Case> cases = {
      {"a valid signature by a key outside the signer list",
       Release::Note(r.text, {s0, r.Sig(r.outsider)}), Code::kMalformed},
      {"a key outside the list in the middle", Release::Note(r.text, {s0, r.Sig(r.outsider), s1}),
       Code::kMalformed},
      {"the same key twice", Release::Note(r.text, {s0, s1, s1}), Code::kMalformed},
      {"the creating key twice", Release::Note(r.text, {s0, s0}), Code::kMalformed},
      {"k-1 valid plus one invalid", Release::Note(r.text, {s0, s1, BadSig(*keys[2])}),
       Code::kBadSignature},
      {"an invalid creating signature, the others valid",
       Release::Note(r.text, {BadSig(*keys[0]), s1, s2}), Code::kBadSignature},
      {"signatures reordered", Release::Note(r.text, {s0, s2, s1}), Code::kMalformed},
      {"the creating key's signature not first", Release::Note(r.text, {s1, s0}), Code::kMalformed},
      {"no signature by the creating key", Release::Note(r.text, {s1, s2}), Code::kBadSignature},
      {"a signer swapped after signing", Release::Note(swapped_text, {s0}), Code::kBadSignature},
      {"a signer dropped after signing", Release::Note(dropped_text, {s0}), Code::kBadSignature},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    CHECK(Release::Parse(c.note).status().code() == c.code);
  }
}

TEST_CASE("k-of-n signer lines: validly signed but non-canonical lists are malformed") {
  const Release r;
  // The canonical signer lines (cosigners are sorted), and each alone.
  const std::string first = "signer " + FormatVerifierKey(r.m.cosigners[0]) + "\n";
  const std::string second = "signer " + FormatVerifierKey(r.m.cosigners[1]) + "\n";
  const std::string lines = first + second;
  const auto with_lines = [&](const std::string& replacement) {
    std::string t = r.text;
    t.replace(t.find(lines), lines.size(), replacement);
    return t;
  };
  std::string many;
  for (uint8_t i = 0; i < kMaxReleaseSigners; ++i) {
    many += "signer " +
            FormatVerifierKey(TestKey::Make("acme.example/k" + std::to_string(i), 0x60 + i).vkey) +
            "\n";
  }
  const TestKey evil = TestKey::Make("evil.example/release", 0x35);
  struct Case {
    const char* what;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"signer lines out of order", with_lines(second + first)},
      {"a signer line twice", with_lines(first + first + second)},
      {"the creating key as a signer line",
       with_lines(lines + "signer " + FormatVerifierKey(r.a.vkey) + "\n")},
      {"16 signer lines (17 keys)", with_lines(many)},
      {"a key of another vendor",
       with_lines(lines + "signer " + FormatVerifierKey(evil.vkey) + "\n")},
      {"a signer line after the products",
       [&] {
         std::string t = with_lines("");
         t.insert(t.find("version "), lines);
         return t;
       }()},
  };
  REQUIRE(r.text.find(lines) != std::string::npos);
  for (const Case& c : cases) {
    CAPTURE(c.what);
    // Signed validly by the creating key: only the encoding is wrong.
    CHECK(Release::Parse(Release::Note(c.text, {r.a.SigLine(c.text)})).status().code() ==
          Code::kMalformed);
    CHECK(ParseManifestText(c.text).status().code() == Code::kMalformed);
  }
}

// ----- policy: vendor keys and groups -----

std::string PolicyText(const Release& r, const std::string& vendor_lines) {
  return "log " + FormatVerifierKey(TestKey::Make("log.example/x", 9).vkey) +
         "\nquorum none\nvendor-key k1 " + FormatVerifierKey(r.a.vkey) + "\nvendor-key k2 " +
         FormatVerifierKey(r.b.vkey) + "\nvendor-key k3 " + FormatVerifierKey(r.c.vkey) + "\n" +
         vendor_lines;
}

TEST_CASE("policy vendor groups: k distinct keys of the group, per product") {
  const Release r;
  auto p = ParseTrustPolicy(PolicyText(
      r,
      "vendor-group release-signers 2 k1 k2 k3\nvendor release-signers printer-x1 printer-x2\n"
      "vendor k3 printer-x3\n"));
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  const std::vector<VerifierKey> a = {r.a.vkey}, ab = {r.a.vkey, r.b.vkey},
                                 aa = {r.a.vkey, r.a.vkey}, ac = {r.a.vkey, r.c.vkey},
                                 out = {r.outsider.vkey};
  CHECK(!p->EvaluateVendorSigners(a, "printer-x1").satisfied);
  CHECK(p->EvaluateVendorSigners(a, "printer-x1").met == 1);
  CHECK(p->EvaluateVendorSigners(a, "printer-x1").required == 2);
  CHECK(p->EvaluateVendorSigners(ab, "printer-x1").satisfied);
  CHECK(p->EvaluateVendorSigners(ac, "printer-x2").satisfied);
  // The same key twice is one signature.
  CHECK(!p->EvaluateVendorSigners(aa, "printer-x1").satisfied);
  CHECK(p->EvaluateVendorSigners(aa, "printer-x1").met == 1);
  CHECK(p->EvaluateVendorSigners(out, "printer-x1").met == 0);
  // A key named alone, for its own product.
  CHECK(p->VendorTrustedFor(r.c.vkey, "printer-x3"));
  CHECK(!p->VendorTrustedFor(r.a.vkey, "printer-x3"));
  CHECK(!p->VendorTrustedFor(r.a.vkey, "printer-x1"));  // alone it is 1 of 2
  // Same name and key ID but another public key does not count.
  VerifierKey fake = r.b.vkey;
  fake.public_key = r.outsider.vkey.public_key;
  const std::vector<VerifierKey> af = {r.a.vkey, fake};
  CHECK(!p->EvaluateVendorSigners(af, "printer-x1").satisfied);

  // The canonical text round-trips.
  const std::string canonical = FormatTrustPolicy(*p);
  auto again = ParseTrustPolicy(canonical);
  REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  CHECK(FormatTrustPolicy(*again) == canonical);
  CHECK(canonical.find("vendor-group release-signers 2 k1 k2 k3\n") != std::string::npos);
  CHECK(canonical.find("vendor release-signers printer-x1 printer-x2\n") != std::string::npos);
}

TEST_CASE("policy vendor groups: malformed lines are refused") {
  const Release r;
  const std::string ka = FormatVerifierKey(r.a.vkey);
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"group of an undefined key", "vendor-group g 1 k1 k9\n"},
      {"threshold above n", "vendor-group g 4 k1 k2 k3\n"},
      {"threshold zero", "vendor-group g 0 k1 k2\n"},
      {"member twice", "vendor-group g 1 k1 k1\n"},
      {"name reused", "vendor-group k1 1 k2\n"},
      {"name with a plus", "vendor-group g+x 1 k2\n"},
      {"a key under two names", "vendor-key k4 " + ka + "\n"},
      {"vendor names an undefined name", "vendor g printer-x1\n"},
      {"vendor name twice", "vendor k1 p1\nvendor k1 p2\n"},
      {"vendor-key without a key", "vendor-key k5\n"},
      {"group before its key",
       "vendor-group g 1 k6\nvendor-key k6 " + FormatVerifierKey(r.outsider.vkey) + "\n"},
  };
  for (const auto& [what, lines] : cases) {
    CAPTURE(what);
    CHECK(ParseTrustPolicy(PolicyText(r, lines)).status().code() == Code::kMalformed);
  }
  std::string big = "vendor-group g 17";
  std::string keys;
  for (int i = 0; i < 17; ++i) {
    keys += "vendor-key m" + std::to_string(i) + " " +
            FormatVerifierKey(
                TestKey::Make("acme.example/m" + std::to_string(i), static_cast<uint8_t>(0x70 + i))
                    .vkey) +
            "\n";
    big += " m" + std::to_string(i);
  }
  CHECK(ParseTrustPolicy(PolicyText(r, keys + big + "\n")).status().code() == Code::kMalformed);
  CHECK(ParseTrustPolicy(PolicyText(r, keys + "vendor-group g 16" + big.substr(17) + "\n")).ok());
}

}  // namespace
}  // namespace candor
