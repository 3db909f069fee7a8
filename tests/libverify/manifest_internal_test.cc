// Equivalence tests for the internal shortcuts that ParseReleaseEntry takes
// (libverify/src/note_internal.h, libverify/src/manifest_internal.h, the ASCII
// fast paths in note.cc): each must give exactly the result, and the error
// code, of the longer path it replaces. The references below are the old code
// paths, written with public functions and libsodium only.
#include <doctest/doctest.h>
#include <sodium.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "../../libverify/src/manifest_internal.h"
#include "../../libverify/src/note_internal.h"
#include "../../libverify/src/text_class.h"
#include "candor/utf8.h"
#include "candor/manifest.h"
#include "candor/note.h"
#include "candor/release.h"
#include "libverify/note_test_util.h"
#include "libverify/release_test_util.h"

namespace candor {
namespace {

using testutil::VectorKey;

std::string FullNote() {
  bool ok = false;
  std::string s = testutil::ReadWholeFile(testutil::ReleaseVectorPath("full.note"), &ok);
  REQUIRE(ok);
  return s;
}

// ParseSignedManifest as it was: the note parsed by ParseNote and again by
// VerifyNote, the text checked again, the canonical form re-serialised in full
// (FormatManifestText, which re-encodes the key and validates again).
Result<Manifest> ReferenceParseSignedManifest(std::string_view signed_note) {
  if (signed_note.size() > kMaxManifestNoteSize) return Status::TooLarge("too large");
  CANDOR_ASSIGN_OR_RETURN(Note note, ParseNote(signed_note));
  if (note.signatures.size() != 1) return Status::Malformed("not one signature");
  if (note.text.size() > kMaxManifestNoteSize) return Status::TooLarge("too large");
  CANDOR_RETURN_IF_ERROR(ValidateNoteText(note.text));
  // ParseManifestText's field parsing, then the full canonical round trip.
  CANDOR_ASSIGN_OR_RETURN(Manifest m, ParseManifestText(note.text));
  CANDOR_RETURN_IF_ERROR(ValidateManifest(m));
  CANDOR_ASSIGN_OR_RETURN(std::string canonical, FormatManifestText(m));
  if (canonical != note.text) return Status::Malformed("not canonical");
  const NoteSignature& sig = note.signatures[0];
  if (sig.name != m.vendor_key.name || sig.key_id != m.vendor_key.key_id) {
    return Status::BadSignature("not the vendor");
  }
  const std::array<VerifierKey, 1> keys = {m.vendor_key};
  Result<VerifiedNote> verified = VerifyNote(signed_note, keys);
  if (!verified.ok()) {
    const Code c = verified.status().code();
    if (c == Code::kBadSignature || c == Code::kUntrustedKey) return Status::BadSignature("bad");
    return verified.status();
  }
  if (verified->verified.size() != 1) return Status::BadSignature("bad");
  return m;
}

void CheckSameAsReference(const std::string& signed_note) {
  CAPTURE(signed_note);
  const Result<Manifest> got = ParseSignedManifest(signed_note);
  const Result<Manifest> want = ReferenceParseSignedManifest(signed_note);
  REQUIRE(got.ok() == want.ok());
  if (got.ok()) {
    CHECK(*got == *want);
  } else {
    CHECK_MESSAGE(got.status().code() == want.status().code(), got.status().ToString());
  }
}

TEST_CASE("ParseSignedManifest gives the old path's result for every single-byte change") {
  const std::string note = FullNote();
  const testutil::TestKey key = VectorKey();
  const std::string text = note.substr(0, note.rfind("\n\n") + 1);
  REQUIRE(ParseSignedManifest(note).ok());
  const char values[] = {'\0', '\n', ' ', '+', '0', 'A', 'a', '=', '\x7f', '\x80', '\xe2'};
  size_t accepted = 0;
  for (size_t i = 0; i < note.size(); ++i) {
    for (char v : values) {
      if (note[i] == v) continue;
      std::string bad = note;
      bad[i] = v;
      CheckSameAsReference(bad);  // signature no longer matches, or is mangled
      if (i < text.size()) {
        // Re-signed: the manifest rules alone decide.
        std::string t = text;
        t[i] = v;
        const std::string resigned = t + "\n" + key.SigLine(t);
        CheckSameAsReference(resigned);
        accepted += ParseSignedManifest(resigned).ok();
      }
    }
  }
  // Some re-signed changes are still valid manifests (e.g. another version
  // digit), so the table exercises the success path too.
  CHECK(accepted > 0);
  // Deletions and insertions of one byte.
  for (size_t i = 0; i < note.size(); ++i) {
    CheckSameAsReference(note.substr(0, i) + note.substr(i + 1));
    CheckSameAsReference(note.substr(0, i) + "0" + note.substr(i));
  }
}

TEST_CASE("FormatVerifierKey(ParseVerifierKey(s)) == s for every accepted key text") {
  // ParseManifestText reuses the key's text in its canonical check on this.
  std::mt19937 rng(1126);
  std::vector<std::string> vkeys;
  for (const char* name : {"a", "acme.example", "acme.example/firmware", "ünïcode.example/x"}) {
    for (uint8_t type : {kKeyTypeEd25519, kKeyTypeCosignatureV1}) {
      vkeys.push_back(
          FormatVerifierKey(testutil::TestKey::Make(name, static_cast<uint8_t>(rng()), type).vkey));
    }
  }
  size_t accepted = 0;
  for (const std::string& vkey : vkeys) {
    for (size_t i = 0; i < vkey.size(); ++i) {
      for (int v = 0; v < 256; ++v) {
        std::string s = vkey;
        s[i] = static_cast<char>(v);
        auto k = ParseVerifierKey(s);
        if (!k.ok()) continue;
        ++accepted;
        CHECK(FormatVerifierKey(*k) == s);
      }
    }
  }
  // The unchanged keys, and name changes that keep the key ID (none expected
  // beyond the originals, but every accepted one was checked).
  CHECK(accepted >= vkeys.size());
}

TEST_CASE("VerifyParsedNote(ParseNote(m)) is VerifyNote(m)") {
  const testutil::TestKey a = testutil::TestKey::Make("a.example", 1);
  const testutil::TestKey b = testutil::TestKey::Make("b.example", 2);
  const testutil::TestKey c = testutil::TestKey::Make("c.example", 3, kKeyTypeCosignatureV1);
  const std::string text = "hello\nworld\n";
  std::string bad_sig = a.SigLine("other text\n");
  const std::string cosig = FormatSignatureLine(c.Cosig(text, 1767225600));
  const std::vector<std::string> notes = {
      text + "\n" + a.SigLine(text), text + "\n" + a.SigLine(text) + b.SigLine(text),
      text + "\n" + bad_sig,         text + "\n" + b.SigLine(text) + bad_sig,
      text + "\n" + cosig,           text + "\n" + a.SigLine(text) + cosig,
  };
  VerifierKey a_other_key = b.vkey;  // a's name and key ID, b's public key
  a_other_key.name = a.vkey.name;
  a_other_key.key_id = a.vkey.key_id;
  VerifierKey a_bad_type = a.vkey;
  a_bad_type.type = 0x07;
  const std::vector<std::vector<VerifierKey>> key_sets = {
      {},           {a.vkey},         {b.vkey},         {a.vkey, b.vkey},
      {c.vkey},     {a.vkey, c.vkey}, {a.vkey, a.vkey}, {a.vkey, a_other_key},
      {a_bad_type},
  };
  for (const std::string& note : notes) {
    for (const auto& keys : key_sets) {
      CAPTURE(note);
      CAPTURE(keys.size());
      auto want = VerifyNote(note, keys);
      auto parsed = ParseNote(note);
      REQUIRE(parsed.ok());
      auto got = internal::VerifyParsedNote(std::move(*parsed), keys);
      REQUIRE(got.ok() == want.ok());
      if (!got.ok()) {
        CHECK(got.status().code() == want.status().code());
        continue;
      }
      CHECK(got->text == want->text);
      CHECK(got->signatures == want->signatures);
      REQUIRE(got->verified.size() == want->verified.size());
      for (size_t i = 0; i < got->verified.size(); ++i) {
        CHECK(got->verified[i].key == want->verified[i].key);
        CHECK(got->verified[i].timestamp == want->verified[i].timestamp);
      }
    }
  }
}

TEST_CASE("internal manifest pieces match the public functions") {
  const std::string note = FullNote();
  const std::string text = note.substr(0, note.rfind("\n\n") + 1);
  auto m = ParseManifestText(text);
  REQUIRE(m.ok());
  auto checked = internal::ParseCheckedManifestText(text);
  REQUIRE(checked.ok());
  CHECK(*checked == *m);
  std::string out;
  internal::AppendManifestText(*m, FormatVerifierKey(m->vendor_key), out);
  CHECK(out == text);
  CHECK(FormatManifestText(*m).value() == text);
  // Extreme numbers format as std::to_string did.
  Manifest big = *m;
  big.rollback = UINT64_MAX;
  big.image_size = 1;
  out.clear();
  internal::AppendManifestText(big, FormatVerifierKey(big.vendor_key), out);
  CHECK(out.find("\nrollback 18446744073709551615\nimage-sha256 ") != std::string::npos);
  CHECK(out.find("\nimage-size 1\n") != std::string::npos);
  // key_from_parse skips only the name/key-ID checks.
  CHECK(internal::ValidateManifest(*m, true).ok());
  Manifest wrong_id = *m;
  wrong_id.vendor_key.key_id ^= 1;
  CHECK(ValidateManifest(wrong_id).code() == Code::kMalformed);
  CHECK(internal::ValidateManifest(wrong_id, false).code() == Code::kMalformed);
  Manifest wrong_type = *m;
  wrong_type.vendor_key.type = kKeyTypeCosignatureV1;
  CHECK(internal::ValidateManifest(wrong_type, true).code() == Code::kMalformed);
  Manifest bad_vendor = *m;
  bad_vendor.vendor = "ACME";
  CHECK(internal::ValidateManifest(bad_vendor, true).code() == Code::kMalformed);
  // The vendor key name is read by people: the visible-text class applies
  // (a zero-width space, a TAG character, a variation selector).
  for (std::string_view hidden : {"\xE2\x80\x8B", "\xF3\xA0\x81\xA1", "\xEF\xB8\x8F"}) {
    Manifest look_alike = *m;
    look_alike.vendor_key.name = m->vendor + "/release" + std::string(hidden);
    CHECK(internal::ValidateManifest(look_alike, true).code() == Code::kMalformed);
  }
  Manifest sub_name = *m;
  sub_name.vendor_key.name = m->vendor + "/release-2026";
  CHECK(internal::ValidateManifest(sub_name, true).ok());
}

TEST_CASE("duplicate (name, key ID) refused on both sides of the pairwise/set switch") {
  auto line = [](std::string name, uint32_t id) {
    return FormatSignatureLine(NoteSignature{std::move(name), id, Bytes(64, 7)});
  };
  for (size_t n : {1, 2, 3, 15, 16, 17, 18, 40, 100}) {
    std::string sigs;
    for (size_t i = 0; i < n; ++i) {
      // Same name with other IDs and same ID with other names are distinct.
      sigs += line("k" + std::to_string(i % 3), static_cast<uint32_t>(i));
    }
    CAPTURE(n);
    CHECK(ParseNote("t\n\n" + sigs).ok());
    for (size_t dup : {size_t{0}, n / 2, n - 1}) {
      const std::string extra = line("k" + std::to_string(dup % 3), static_cast<uint32_t>(dup));
      CAPTURE(dup);
      // n + 1 lines: over kMaxNoteSignatures is kTooLarge first, as before.
      const Code want = n + 1 > kMaxNoteSignatures ? Code::kTooLarge : Code::kMalformed;
      CHECK(ParseNote("t\n\n" + sigs + extra).status().code() == want);
      CHECK(ParseNote("t\n\n" + extra + sigs).status().code() == want);
    }
  }
}

// Reference for note characters: strict UTF-8 (the same decoder rules), no
// ASCII control character other than "\n".
bool ReferenceNoteChars(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    uint32_t cp = 0;
    if (!NextCodePoint(s, &pos, &cp)) return false;
    if (cp < 0x20 && cp != '\n') return false;
  }
  return true;
}

bool ReferenceKeyName(std::string_view s) {
  if (s.empty()) return false;
  size_t pos = 0;
  while (pos < s.size()) {
    uint32_t c = 0;
    if (!NextCodePoint(s, &pos, &c)) return false;
    const bool space = c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == ' ' ||
                       c == 0x85 || c == 0xA0 || c == 0x1680 || c == 0x2028 || c == 0x2029 ||
                       c == 0x202F || c == 0x205F || c == 0x3000 || (c >= 0x2000 && c <= 0x200A);
    if (c < 0x20 || c == '+' || space) return false;
  }
  return true;
}

TEST_CASE("CheckNoteChars' 8-byte fast path: every byte at every alignment") {
  const std::string base = "0123456789abcdefghijklmnopqrstuvwxyzABCDEF\n";
  for (size_t i = 0; i + 1 < base.size(); ++i) {
    for (int v = 0; v < 256; ++v) {
      std::string t = base;
      t[i] = static_cast<char>(v);
      CAPTURE(i);
      CAPTURE(v);
      CHECK(ValidateNoteText(t).ok() == ReferenceNoteChars(t));
      CHECK(ParseNote(t + "\n" + "\xe2\x80\x94 k AAAAAAAA\n").ok() == ReferenceNoteChars(t));
      // Two- to four-byte sequences starting there: a valid em dash, a
      // truncated one, a surrogate, U+10FFFF and beyond.
      for (std::string_view seq : {"\xe2\x80\x94", "\xe2\x80", "\xed\xa0\x80", "\xf4\x8f\xbf\xbf",
                                   "\xf4\x90\x80\x80", "\xc2\x85"}) {
        std::string u = base;
        u.replace(i, std::min(seq.size(), base.size() - 1 - i), seq);
        CHECK(ValidateNoteText(u).ok() == ReferenceNoteChars(u));
      }
    }
  }
  // Random longer texts: printable ASCII runs with an occasional other byte.
  std::mt19937 rng(5);
  size_t accepted = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string t(1 + rng() % 90, 'x');
    for (char& c : t) {
      const uint32_t r = rng();
      c = (r % 50 == 0) ? static_cast<char>(r >> 8) : static_cast<char>(0x20 + (r >> 8) % 0x60);
    }
    t += '\n';
    const bool want = ReferenceNoteChars(t);
    accepted += want;
    CAPTURE(t);
    CHECK(ValidateNoteText(t).ok() == want);
  }
  CHECK(accepted > 1000);  // both outcomes exercised
  CHECK(accepted < 19000);
}

TEST_CASE("ASCII fast paths: note characters and key names as the full decoder decides") {
  // Every one- and two-byte string, in the middle of ASCII text.
  for (int x = 0; x < 256; ++x) {
    for (int y = -1; y < 256; ++y) {
      std::string s(1, static_cast<char>(x));
      if (y >= 0) s += static_cast<char>(y);
      CAPTURE(x);
      CAPTURE(y);
      const std::string text = "ab" + s + "cd\n";
      CHECK(ValidateNoteText(text).ok() == ReferenceNoteChars(text));
      CHECK(IsValidKeyName(s) == ReferenceKeyName(s));
      CHECK(IsValidKeyName("k" + s + "z") == ReferenceKeyName("k" + s + "z"));
    }
  }
  // Three- and four-byte sequences around the boundaries, and random bytes.
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    const size_t n = 1 + rng() % 6;
    for (size_t k = 0; k < n; ++k) {
      const uint32_t r = rng();
      // Mostly lead/continuation bytes and ASCII edges, some anything.
      const char pick[] = {'\xe2', '\x80', '\x8a', '\x94', '\xe3', '\xed', '\xa0', '\xf0',
                           '\xf4', '\x90', '\xbf', '\xc2', '\x85', '\xa0', ' ',    '+'};
      s += (r & 1) ? pick[(r >> 1) % sizeof pick] : static_cast<char>(r >> 8);
    }
    CAPTURE(s);
    CHECK(IsValidKeyName(s) == ReferenceKeyName(s));
    const std::string text = s + "\n";
    CHECK(ValidateNoteText(text).ok() == ReferenceNoteChars(text));
  }
}

TEST_CASE("manifest digests: every byte at every position, decoded as HexDecode would") {
  const std::string note = FullNote();
  const std::string text = note.substr(0, note.rfind("\n\n") + 1);
  for (std::string_view field : {"\nimage-sha256 ", "\nchangelog-sha256 "}) {
    const size_t start = text.find(field) + field.size();
    for (size_t i = 0; i < 64; ++i) {
      for (int v = 0; v < 256; ++v) {
        std::string t = text;
        t[start + i] = static_cast<char>(v);
        auto want = HexDecode(t.substr(start, 64));
        auto got = ParseManifestText(t);
        CAPTURE(i);
        CAPTURE(v);
        REQUIRE(got.ok() == want.ok());
        if (!got.ok()) {
          CHECK(got.status().code() == Code::kMalformed);
          continue;
        }
        const Hash& h = field == "\nimage-sha256 " ? got->image_sha256 : got->changelog_sha256;
        CHECK(Bytes(h.begin(), h.end()) == *want);
      }
    }
  }
}

// ValidateChangelog without its ASCII fast path: the text class code point by
// code point (text_class.h).
Code ReferenceChangelogCode(std::string_view s) {
  size_t pos = 0;
  bool visible = false;
  while (pos < s.size()) {
    uint32_t cp = 0;
    if (!NextCodePoint(s, &pos, &cp)) return Code::kMalformed;
    if (cp == '\n' || cp == '\t') continue;
    if (internal::IsForbiddenTextCodePoint(cp)) return Code::kMalformed;
    if (cp != ' ' && !internal::IsMarkCodePoint(cp)) visible = true;
  }
  return visible ? Code::kOk : Code::kMalformed;
}

TEST_CASE("ValidateChangelog's ASCII fast path decides as the full decoder") {
  for (int x = 0; x < 256; ++x) {
    for (int y = -1; y < 256; ++y) {
      std::string s(1, static_cast<char>(x));
      if (y >= 0) s += static_cast<char>(y);
      for (const std::string& c : {s, "ab" + s + "cd\n"}) {
        CAPTURE(c);
        CHECK(ValidateChangelog(c).code() == ReferenceChangelogCode(c));
      }
    }
  }
  std::mt19937 rng(11);
  for (int i = 0; i < 100000; ++i) {
    std::string s;
    const size_t n = 1 + rng() % 6;
    for (size_t k = 0; k < n; ++k) {
      const uint32_t r = rng();
      const char pick[] = {'\xc2', '\x80', '\x9f', '\xa0', '\x7f',
                           '\t',   '\n',   '\r',   '\xed', '\xf4'};
      s += (r & 1) ? pick[(r >> 1) % sizeof pick] : static_cast<char>(r >> 8);
    }
    CAPTURE(s);
    CHECK(ValidateChangelog(s).code() == ReferenceChangelogCode(s));
  }
}

}  // namespace
}  // namespace candor
