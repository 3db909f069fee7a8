#include "candor/release.h"

#include <doctest/doctest.h>
#include <sodium.h>

#include <algorithm>
#include <string>
#include <vector>

#include "candor/manifest.h"
#include "candor/sha256.h"
#include "libverify/note_test_util.h"
#include "libverify/release_test_util.h"

namespace candor {
namespace {

using testutil::VectorKey;

using testutil::ReadWholeFile;
using testutil::ReleaseVectorPath;

std::string VectorFile(std::string_view name, std::string_view ext) {
  bool ok = false;
  std::string s = ReadWholeFile(ReleaseVectorPath(std::string(name) + std::string(ext)), &ok);
  REQUIRE_MESSAGE(ok, name, ext);
  return s;
}

Bytes VectorEntry(std::string_view name) {
  Bytes entry;
  REQUIRE(testutil::UnwrapHex(VectorFile(name, ".entry.hex"), &entry));
  return entry;
}

// The manifest text of a signed note (everything before the blank line).
std::string NoteText(const std::string& note) { return note.substr(0, note.rfind("\n\n") + 1); }
std::string NoteSigLine(const std::string& note) { return note.substr(note.rfind("\n\n") + 2); }

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const size_t pos = s.find(from);
  REQUIRE_MESSAGE(pos != std::string::npos, from);
  s.replace(pos, from.size(), to);
  return s;
}

Result<ReleaseEntry> ParseParts(std::string_view note, std::string_view changelog) {
  return ParseReleaseEntry(EncodeReleaseEntry(note, changelog));
}

TEST_CASE("release vectors parse to their inputs and re-encode to the same bytes") {
  for (const char* name : testutil::kReleaseVectors) {
    CAPTURE(name);
    const Bytes entry = VectorEntry(name);
    auto parsed = ParseReleaseEntry(entry);
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
    CHECK(parsed->signed_manifest_note == VectorFile(name, ".note"));
    CHECK(parsed->changelog == VectorFile(name, ".changelog"));
    CHECK(EncodeReleaseEntry(*parsed) == entry);

    const auto in = testutil::ParseVectorInputs(VectorFile(name, ".inputs"));
    CHECK(in.unknown.empty());
    const Manifest& m = parsed->manifest;
    CHECK(m.vendor == "acme.example");
    CHECK(m.vendor_key == VectorKey().vkey);
    auto products = in.products;
    std::sort(products.begin(), products.end());
    CHECK(m.products == products);
    CHECK(m.version == in.version);
    CHECK(m.rollback == in.rollback);
    CHECK(HashEqual(m.image_sha256, Sha256Digest(in.image_ascii)));
    CHECK(m.image_size == in.image_ascii.size());
    CHECK(HashEqual(m.changelog_sha256, Sha256Digest(parsed->changelog)));
    CHECK(FormatUtcTime(m.issued) == in.issued);
    std::vector<Disclosure> ds;
    for (const auto& arg : in.disclose_args) {
      auto d = ParseDisclosureArg(arg);
      REQUIRE(d.ok());
      ds.push_back(*d);
    }
    SortDisclosures(ds);
    CHECK(m.disclosures == ds);

    // The manifest text API agrees with the entry.
    auto text = FormatManifestText(m);
    REQUIRE(text.ok());
    CHECK(*text == NoteText(parsed->signed_manifest_note));
    auto reparsed = ParseManifestText(*text);
    REQUIRE(reparsed.ok());
    CHECK(*reparsed == m);
    // And an independent signer reproduces the signature (Ed25519 is
    // deterministic): the creating key's line comes first (a k-of-n vector
    // has more; tests/libsign and tests/interop reproduce those).
    CHECK(NoteSigLine(parsed->signed_manifest_note).starts_with(VectorKey().SigLine(*text)));
    CHECK(parsed->signed_by.size() == 1 + in.signs.size());
  }
}

// docs/FORMATS.md quotes each vector file in a fenced block right after a
// "<!-- vector: tests/vectors/release/<file> -->" marker. Drift fails here.
TEST_CASE("docs/FORMATS.md quotes the release vectors verbatim") {
  bool ok = false;
  const std::string doc = ReadWholeFile(std::string(CANDOR_SOURCE_DIR) + "/docs/FORMATS.md", &ok);
  REQUIRE(ok);
  int quoted = 0;
  for (const char* name : testutil::kReleaseVectors) {
    for (const char* ext : {".note", ".entry.hex", ".inputs", ".changelog"}) {
      const std::string file = std::string(name) + ext;
      CAPTURE(file);
      const std::string marker = "<!-- vector: tests/vectors/release/" + file + " -->\n```\n";
      const size_t start = doc.find(marker);
      REQUIRE_MESSAGE(start != std::string::npos, "marker missing in docs/FORMATS.md");
      const size_t body = start + marker.size();
      const size_t end = doc.find("\n```\n", body);
      REQUIRE(end != std::string::npos);
      CHECK(doc.substr(body, end + 1 - body) == VectorFile(name, ext));
      ++quoted;
    }
  }
  CHECK(quoted == 12);
}

TEST_CASE("tampering with any signed field breaks the vendor signature") {
  const std::string note = VectorFile("full", ".note");
  const std::string changelog = VectorFile("full", ".changelog");
  REQUIRE(ParseParts(note, changelog).ok());

  // Another well-formed key under the same name (so the name check passes).
  testutil::TestKey other = testutil::TestKey::Make("acme.example/firmware", 0x42);
  testutil::TestKey renamed = testutil::TestKey::Make("acme.example/other", 0x01);
  const std::string vkey = FormatVerifierKey(VectorKey().vkey);
  struct Case {
    std::string from, to;
  };
  const std::vector<Case> cases = {
      {"vendor-key " + vkey, "vendor-key " + FormatVerifierKey(other.vkey)},
      {"vendor-key " + vkey, "vendor-key " + FormatVerifierKey(renamed.vkey)},
      {"product inkjet-x100\n", "product inkjet-x101\n"},
      {"product inkjet-x200\n", "product inkjet-x200\nproduct inkjet-x300\n"},
      {"product inkjet-x100\n", ""},
      {"version 4.2.0", "version 4.2.1"},
      {"rollback 42", "rollback 43"},
      {"rollback 42", "rollback 0"},
      {"image-sha256 cfc7", "image-sha256 cfc8"},
      {"image-size 30", "image-size 31"},
      {"changelog-sha256 96c3", "changelog-sha256 96c4"},
      {"issued 2026-03-01T12:00:00Z", "issued 2026-03-01T12:00:01Z"},
      {"blocked effective=2026-09-13", "blocked effective=2027-09-13"},
      {"third-party warned", "third-party degraded"},
      {"disclose end-of-support 2031-12-31\n", ""},
      {"disclose end-of-support 2031-12-31\n",
       "disclose end-of-support 2031-12-31\ndisclose feature-removal Wi-Fi Direct\n"},
      {"CVE-2026-0001,", ""},
      {"crash,usage to", "crash to"},
      {"metrics.acme.example", "metrics.acme.example.evil.example"},
      {"checked at insertion", "not checked"},
  };
  std::vector<std::string> tampered_notes;
  for (const Case& c : cases) tampered_notes.push_back(Replace(note, c.from, c.to));
  // The signature bytes themselves (flip one bit of the Ed25519 signature).
  {
    auto parsed = ParseNote(note);
    REQUIRE(parsed.ok());
    NoteSignature sig = parsed->signatures[0];
    sig.signature[10] ^= 0x01;
    tampered_notes.push_back(parsed->text + "\n" + FormatSignatureLine(sig));
  }
  // Signed with the right name and key ID by the wrong private key.
  {
    testutil::TestKey forger = other;
    forger.vkey = VectorKey().vkey;  // name and key ID of the vendor key
    tampered_notes.push_back(NoteText(note) + "\n" + forger.SigLine(NoteText(note)));
  }
  // Signed by another key, whose line therefore does not name the vendor key.
  tampered_notes.push_back(NoteText(note) + "\n" + other.SigLine(NoteText(note)));

  for (const std::string& t : tampered_notes) {
    CAPTURE(t);
    auto r = ParseParts(t, changelog);
    REQUIRE(!r.ok());
    CHECK_MESSAGE(r.status().code() == Code::kBadSignature, r.status().ToString());
    CHECK(ParseSignedManifest(t).status().code() == Code::kBadSignature);
  }
}

TEST_CASE("non-canonical or invalid manifests are malformed even when validly signed") {
  const std::string text = NoteText(VectorFile("full", ".note"));
  const std::string changelog = VectorFile("full", ".changelog");
  const testutil::TestKey key = VectorKey();
  auto resign = [&](const std::string& t) { return t + "\n" + key.SigLine(t); };
  REQUIRE(ParseParts(resign(text), changelog).ok());

  struct Case {
    std::string_view from, to;
  };
  const Case cases[] = {
      {"candor.dev/release/v1\n", "candor.dev/release/v2\n"},
      {"candor.dev/release/v1\n", ""},
      {"vendor acme.example\n", ""},
      {"vendor acme.example\n", "vendor ACME.example\n"},
      {"vendor acme.example\n", "vendor acme.example \n"},
      {"vendor acme.example\n", "vendor  acme.example\n"},
      {"vendor acme.example\nvendor-key", "vendor-key"},
      {"vendor acme.example\n", "vendor acme.example\nvendor acme.example\n"},
      {"vendor-key acme.example/firmware+c0cf6168", "vendor-key acme.example/firmware+C0CF6168"},
      {"product inkjet-x100\nproduct inkjet-x200\n", "product inkjet-x200\nproduct inkjet-x100\n"},
      {"product inkjet-x100\n", "product inkjet-x100\nproduct inkjet-x100\n"},
      {"product inkjet-x100\nproduct inkjet-x200\n", ""},
      {"product inkjet-x100\n", "product inkjet x100\n"},
      {"version 4.2.0\n", ""},
      {"version 4.2.0\nrollback 42\n", "rollback 42\nversion 4.2.0\n"},
      {"version 4.2.0", "version 4.2.0 beta"},
      {"rollback 42", "rollback 042"},
      {"rollback 42", "rollback +42"},
      {"rollback 42", "rollback 18446744073709551616"},
      {"rollback 42", "rollback 0x2a"},
      {"image-sha256 cfc7", "image-sha256 CFC7"},
      {"image-sha256 cfc7", "image-sha256 cfc"},
      {"image-sha256 cfc7", "image-sha256 00cfc7"},
      {"image-size 30", "image-size 0"},
      {"image-size 30", "image-size 030"},
      {"issued 2026-03-01T12:00:00Z", "issued 2026-03-01T12:00:00+00:00"},
      {"issued 2026-03-01T12:00:00Z", "issued 2026-03-01T12:00:00.000Z"},
      {"issued 2026-03-01T12:00:00Z", "issued 2026-03-01t12:00:00z"},
      {"issued 2026-03-01T12:00:00Z", "issued 2026-02-29T12:00:00Z"},
      {"issued 2026-03-01T12:00:00Z", "issued 2026-03-01T12:00:60Z"},
      {"issued 2026-03-01T12:00:00Z", "issued 1969-12-31T23:59:59Z"},
      {"issued 2026-03-01T12:00:00Z\n", "issued 2026-03-01T12:00:00Z\ncomment hello\n"},
      {"issued 2026-03-01T12:00:00Z\n", ""},
      {"disclose consumables.third-party blocked effective=2026-09-13\n"
       "disclose consumables.third-party warned\n",
       "disclose consumables.third-party warned\n"
       "disclose consumables.third-party blocked effective=2026-09-13\n"},
      {"disclose end-of-support 2031-12-31\n",
       "disclose end-of-support 2031-12-31\ndisclose end-of-support 2031-12-31\n"},
      {"disclose end-of-support 2031-12-31\n",
       "disclose end-of-support 2031-12-31\ndisclose end-of-support 2032-12-31\n"},
      {"disclose end-of-support 2031-12-31",
       "disclose end-of-support 2031-12-31 effective=2026-01-01"},
      {"disclose end-of-support 2031-12-31", "disclose end-of-support 2031-02-30"},
      {"blocked effective=2026-09-13", "blocked"},  // two states for one date
      {"effective=2026-09-13", "effective=2026-9-13"},
      {"effective=2026-09-13", "effective=2026-13-01"},
      {"effective=2026-09-13", "effective=20260913"},
      {"blocked effective", "blocked  effective"},
      {"blocked effective", "blocked\teffective"},
      {"third-party warned", "third-party Warned"},
      {"third-party warned", "third-party"},
      {"disclose telemetry", "disclose tracking"},
      {"disclose telemetry", "disclose Telemetry"},
      {"x-acme.example/ink-region-check", "x-other.example/ink-region-check"},
      {"x-acme.example/ink-region-check", "x-acme.example/Ink"},
      {"x-acme.example/ink-region-check", "x-acme/ink-region-check"},
      {"x-acme.example/ink-region-check", "x-acme.example/"},
      {"CVE-2026-0001,CVE-2026-10020", "CVE-2026-10020,CVE-2026-0001"},
      {"CVE-2026-0001,CVE-2026-10020", "CVE-2026-0001,CVE-2026-0001"},
      {"CVE-2026-0001", "cve-2026-0001"},
      {"crash,usage", "usage,crash"},
      {"checked at insertion", "checked at\xe2\x80\xae insertion"},  // U+202E RLO
      {"checked at insertion", "checked at \xff insertion"},
      {"checked at insertion", "checked at effective=now"},
      {"\n\n", "\n"},  // (no-op guard: the text has no blank line)
  };
  for (const Case& c : cases) {
    if (text.find(c.from) == std::string::npos) continue;  // the guard case
    const std::string bad = Replace(text, c.from, c.to);
    CAPTURE(bad);
    auto r = ParseParts(resign(bad), changelog);
    REQUIRE(!r.ok());
    CHECK_MESSAGE(r.status().code() == Code::kMalformed, r.status().ToString());
    CHECK(ParseManifestText(bad).status().code() == Code::kMalformed);
  }

  // The largest rollback counter is fine.
  auto max =
      ParseParts(resign(Replace(text, "rollback 42", "rollback 18446744073709551615")), changelog);
  REQUIRE_MESSAGE(max.ok(), max.status().ToString());
  CHECK(max->manifest.rollback == UINT64_MAX);
}

TEST_CASE("signature section: missing, doubled or foreign signatures") {
  const std::string note = VectorFile("full", ".note");
  const std::string changelog = VectorFile("full", ".changelog");
  const std::string text = NoteText(note);
  const testutil::TestKey other = testutil::TestKey::Make("witness.example", 0x07);
  // No signature at all.
  CHECK(ParseParts(text, changelog).status().code() == Code::kMalformed);
  CHECK(ParseParts(text + "\n", changelog).status().code() == Code::kMalformed);
  // The vendor's plus any other signature: not the one canonical encoding.
  CHECK(ParseParts(note + other.SigLine(text), changelog).status().code() == Code::kMalformed);
  CHECK(ParseParts(text + "\n" + other.SigLine(text) + NoteSigLine(note), changelog)
            .status()
            .code() == Code::kMalformed);
  CHECK(ParseParts(note + NoteSigLine(note), changelog).status().code() == Code::kMalformed);
}

TEST_CASE("release entry framing is strict") {
  const Bytes entry = VectorEntry("full");
  const std::string note = VectorFile("full", ".note");
  const std::string changelog = VectorFile("full", ".changelog");
  REQUIRE(ParseReleaseEntry(entry).ok());

  SUBCASE("every truncation is refused") {
    for (size_t n = 0; n < entry.size(); ++n) {
      auto r = ParseReleaseEntry(ByteView(entry.data(), n));
      REQUIRE_MESSAGE(!r.ok(), n);
      CHECK(r.status().code() == Code::kMalformed);
    }
  }
  SUBCASE("trailing bytes") {
    for (const std::string& tail :
         {std::string("\n"), std::string(1, '\0'), std::string("x"), std::string(2, '\0')}) {
      Bytes e = entry;
      e.insert(e.end(), tail.begin(), tail.end());
      CHECK(ParseReleaseEntry(e).status().code() == Code::kMalformed);
    }
  }
  SUBCASE("magic") {
    Bytes e = entry;
    e[kReleaseEntryMagic.size() - 2] = '2';  // "...v2\n"
    CHECK(ParseReleaseEntry(e).status().code() == Code::kMalformed);
    CHECK(ParseReleaseEntry(Bytes{}).status().code() == Code::kMalformed);
  }
  SUBCASE("lengths") {
    Bytes e = entry;
    const size_t at = kReleaseEntryMagic.size();
    e[at + 1] = static_cast<uint8_t>(e[at + 1] + 1);  // manifest one byte longer
    CHECK(!ParseReleaseEntry(e).ok());
    e = entry;
    e[at + 1] = static_cast<uint8_t>(e[at + 1] - 1);  // manifest one byte shorter
    CHECK(ParseReleaseEntry(e).status().code() == Code::kMalformed);
    Bytes zero(kReleaseEntryMagic.begin(), kReleaseEntryMagic.end());
    AppendU16BE(zero, 0);
    AppendU16BE(zero, 0);
    CHECK(ParseReleaseEntry(zero).status().code() == Code::kMalformed);
    CHECK(EncodeReleaseEntry("", changelog).empty());
    CHECK(EncodeReleaseEntry(note, "").empty());
  }
  SUBCASE("size limits") {
    Bytes huge = entry;
    huge.resize(kMaxReleaseEntrySize + 1, 'a');
    CHECK(ParseReleaseEntry(huge).status().code() == Code::kTooLarge);
    // Well-framed but over the per-part limits.
    auto frame = [](std::string_view a, std::string_view b) {
      Bytes out(kReleaseEntryMagic.begin(), kReleaseEntryMagic.end());
      AppendU16BE(out, static_cast<uint16_t>(a.size()));
      out.insert(out.end(), a.begin(), a.end());
      AppendU16BE(out, static_cast<uint16_t>(b.size()));
      out.insert(out.end(), b.begin(), b.end());
      return out;
    };
    CHECK(frame(note, changelog) == entry);
    CHECK(ParseReleaseEntry(frame(std::string(kMaxManifestNoteSize + 1, 'a'), changelog))
              .status()
              .code() == Code::kTooLarge);
    CHECK(ParseReleaseEntry(frame(note, std::string(kMaxChangelogSize + 1, 'a'))).status().code() ==
          Code::kTooLarge);
    CHECK(EncodeReleaseEntry(note, std::string(kMaxChangelogSize + 1, 'a')).empty());
  }
  SUBCASE("changelog text rules and digest") {
    const std::string bad_utf8[] = {
        Replace(changelog, "Région", "R\xe9gion"),          // Latin-1, not UTF-8
        Replace(changelog, "Région", "R\xc3gion"),          // truncated sequence
        Replace(changelog, "Région", "R\xc0\xa9gion"),      // overlong
        Replace(changelog, "Région", "R\xed\xa0\x80gion"),  // surrogate
        Replace(changelog, "\n", "\r\n"),                   // CR
        Replace(changelog, "\n", std::string("\0", 1)),     // NUL
    };
    for (const std::string& bad : bad_utf8) {
      CHECK(ParseParts(note, bad).status().code() == Code::kMalformed);
      CHECK(ValidateChangelog(bad).code() == Code::kMalformed);
    }
    CHECK(ValidateChangelog("tabs\tare fine\n").ok());
    // Valid text, but not the changelog the vendor signed.
    auto r = ParseParts(note, Replace(changelog, "refused", "accepted"));
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kMismatch);
    CHECK(ParseParts(note, changelog + "\n").status().code() == Code::kMismatch);
  }
}

TEST_CASE("a vendor key cache changes no verdict (vectors, and every byte flip after a hit)") {
  VerifierKeyCache keys;
  for (const char* name : testutil::kReleaseVectors) {
    CAPTURE(name);
    const Bytes entry = VectorEntry(name);
    for (int pass = 0; pass < 2; ++pass) {  // a miss, then a hit
      auto cached = ParseReleaseEntry(entry, &keys);
      REQUIRE(cached.ok());
      CHECK(*cached == *ParseReleaseEntry(entry));
    }
  }
  // Every vector names the same vendor key; the k-of-n one two signer keys too.
  CHECK(keys.size() == 3);
  // The cache now holds the vendor key: a flipped byte anywhere, including in
  // the key text, gets exactly the verdict it gets without the cache.
  const Bytes entry = VectorEntry("minimal");
  for (size_t i = 0; i < entry.size(); ++i) {
    Bytes e = entry;
    e[i] ^= 0x01;
    auto fresh = ParseReleaseEntry(e);
    auto cached = ParseReleaseEntry(e, &keys);
    REQUIRE_MESSAGE(!fresh.ok(), i);
    REQUIRE_MESSAGE(!cached.ok(), i);
    CHECK_MESSAGE(cached.status().ToString() == fresh.status().ToString(), i);
  }
}

TEST_CASE("ParseReleaseEntry survives arbitrary byte flips") {
  const Bytes entry = VectorEntry("minimal");
  for (size_t i = 0; i < entry.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80}) {
      Bytes e = entry;
      e[i] ^= mask;
      CHECK_MESSAGE(!ParseReleaseEntry(e).ok(), i);
    }
  }
}

}  // namespace
}  // namespace candor
