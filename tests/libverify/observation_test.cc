// Observations (candor/observation.h, docs/FORMATS.md "Observation"): the
// published vector, every parse refusal, the signature rules, the one target
// check, and findings against disclosures.
#include "candor/observation.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "candor/date.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "candor/sha256.h"
#include "libverify/note_test_util.h"
#include "libverify/release_test_util.h"

namespace candor {
namespace {

using testutil::ReadWholeFile;
using testutil::TestKey;

std::string VectorPath(const std::string& file) {
  return std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/observation/" + file;
}

std::string ReadVector(const std::string& path) {
  bool ok = false;
  std::string s = ReadWholeFile(path, &ok);
  REQUIRE_MESSAGE(ok, path);
  return s;
}

Bytes ReleaseEntryBytes(const std::string& vector) {
  Bytes entry;
  REQUIRE(
      testutil::UnwrapHex(ReadVector(testutil::ReleaseVectorPath(vector + ".entry.hex")), &entry));
  return entry;
}

// The inputs file as (key, value) pairs in file order.
std::vector<std::pair<std::string, std::string>> Inputs() {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string text = ReadVector(VectorPath("lab.inputs"));
  std::string_view rest = text, line;
  while (ConsumeLine(rest, line)) {
    if (line.empty() || line.front() == '#') continue;
    const size_t sp = line.find(' ');
    REQUIRE(sp != std::string_view::npos);
    out.emplace_back(std::string(line.substr(0, sp)), std::string(line.substr(sp + 1)));
  }
  return out;
}

struct Vector {
  TestKey key;
  std::string text;  // built here from the inputs, by hand, not by the code under test
  std::string note;
};

// The expected note, written from the inputs line by line as docs/FORMATS.md
// describes the format, and signed with libsodium directly.
Vector BuildVector() {
  std::map<std::string, std::string> one;
  std::vector<std::string> findings;
  for (const auto& [k, v] : Inputs()) {
    if (k == "finding") {
      findings.push_back(v);
    } else {
      one[k] = v;
    }
  }
  Vector vec;
  vec.key = TestKey::Make(one["observer-key-name"],
                          static_cast<uint8_t>(std::stoul(one["observer-seed"], nullptr, 16)));
  const Bytes release = ReleaseEntryBytes(one["release-vector"]);
  const std::string evidence = one["evidence-ascii"];
  std::string t = "candor.dev/observation/v1\n";
  t += "observer " + one["observer"] + "\n";
  t += "observer-key " + FormatVerifierKey(vec.key.vkey) + "\n";
  t += "log " + one["log"] + "\n";
  t += "release-index " + one["release-index"] + "\n";
  t += "release-leaf " + HexEncode(LeafHash(release)) + "\n";
  t += "product " + one["product"] + "\n";
  t += "observed " + one["observed"] + "\n";
  for (const std::string& f : findings) t += "finding " + f + "\n";
  t += "evidence-sha256 " + HexEncode(Sha256Digest(evidence)) + "\n";
  t += "summary " + one["summary"] + "\n";
  vec.text = t;
  vec.note = t + "\n" + vec.key.SigLine(t);
  return vec;
}

// The vector's text with line `n` (1-based) replaced, or removed if `with` is
// nullopt, or a line inserted before it.
std::string EditLine(const std::string& text, size_t n, std::optional<std::string> with,
                     bool insert = false) {
  std::string out;
  std::string_view rest = text, line;
  size_t i = 0;
  while (ConsumeLine(rest, line)) {
    ++i;
    if (i == n) {
      if (insert) out += *with + "\n" + std::string(line) + "\n";
      if (!insert && with) out += *with + "\n";
      continue;
    }
    out += std::string(line) + "\n";
  }
  return out;
}

TEST_CASE("the published observation vector: the bytes, the parse, canonical") {
  const Vector vec = BuildVector();
  const std::string file = ReadVector(VectorPath("lab.observation"));
  CHECK(file == vec.note);
  auto o = OpenObservation(file);
  REQUIRE_MESSAGE(o.ok(), o.status().ToString());
  CHECK(o->observation.observer == "lab.example");
  CHECK(o->observation.observer_key == vec.key.vkey);
  CHECK(o->observation.log_origin == "log.candor.example/firmware");
  CHECK(o->observation.release_index == 7);
  CHECK(o->observation.release_leaf == LeafHash(ReleaseEntryBytes("full")));
  CHECK(o->observation.product == "inkjet-x100");
  CHECK(FormatUtcTime(o->observation.observed) == "2026-11-20T09:30:00Z");
  REQUIRE(o->observation.findings.size() == 3);
  CHECK(o->observation.findings[2].value == "location,usage to metrics.acme.example");
  auto text = FormatObservationText(o->observation);
  REQUIRE(text.ok());
  CHECK(*text == vec.text);
  CHECK(IsObservationEntry(AsBytes(file)));
  CHECK_FALSE(IsObservationEntry(ReleaseEntryBytes("full")));
}

TEST_CASE("docs/FORMATS.md quotes the observation vector verbatim") {
  const std::string doc = ReadVector(std::string(CANDOR_SOURCE_DIR) + "/docs/FORMATS.md");
  for (const char* file : {"lab.inputs", "lab.observation"}) {
    CAPTURE(file);
    const std::string marker =
        "<!-- vector: tests/vectors/observation/" + std::string(file) + " -->\n```\n";
    const size_t start = doc.find(marker);
    REQUIRE_MESSAGE(start != std::string::npos, "marker missing in docs/FORMATS.md");
    const size_t body = start + marker.size();
    const size_t end = doc.find("\n```\n", body);
    REQUIRE(end != std::string::npos);
    CHECK(doc.substr(body, end + 1 - body) == ReadVector(VectorPath(file)));
  }
}

// Line numbers of the vector text: 1 header, 2 observer, 3 observer-key, 4 log,
// 5 release-index, 6 release-leaf, 7 product, 8 observed, 9-11 findings,
// 12 evidence-sha256, 13 summary.
TEST_CASE("every deviation from the one spelling is refused, naming the line") {
  const Vector vec = BuildVector();
  const std::string leaf_line = "release-leaf " + HexEncode(LeafHash(ReleaseEntryBytes("full")));
  struct Case {
    const char* what;
    size_t line;
    std::optional<std::string> with;
    bool insert;
    std::string want;  // in the message
  } cases[] = {
      {"other header", 1, "candor.dev/observation/v2", false, "not an observation"},
      {"upper-case observer", 2, "observer Lab.example", false, "line 2"},
      {"observer not a DNS name", 2, "observer lab", false, "line 2"},
      {"missing observer line", 2, std::nullopt, false, "line 2"},
      {"key of another observer", 3,
       "observer-key " + FormatVerifierKey(TestKey::Make("other.example/k", 0x62).vkey), false,
       "observer key name must be the observer"},
      {"broken vkey", 3, "observer-key lab.example/research+00000000+AAAA", false, "line 3"},
      {"origin with a space", 4, "log log. candor", false, "line 4"},
      {"origin with a control", 4, "log log\x01x", false, "line 4"},
      {"index with a leading zero", 5, "release-index 07", false, "line 5"},
      {"index beyond u64", 5, "release-index 18446744073709551616", false, "line 5"},
      {"index negative", 5, "release-index -7", false, "line 5"},
      {"leaf in upper case", 6, "release-leaf " + std::string(64, 'A'), false, "line 6"},
      {"leaf too short", 6, leaf_line.substr(0, leaf_line.size() - 2), false, "line 6"},
      {"bad product", 7, "product -x", false, "line 7"},
      {"fraction in time", 8, "observed 2026-11-20T09:30:00.5Z", false, "line 8"},
      {"offset time", 8, "observed 2026-11-20T09:30:00+01:00", false, "line 8"},
      {"unknown kind", 9, "finding consumables.fourth-party blocked", false, "line 9"},
      {"vendor kind", 9, "finding x-acme.example/ink blocked", false, "vocabulary"},
      {"effective date", 9, "finding consumables.third-party blocked effective=2026-12-01", false,
       "effective"},
      {"bad value", 9, "finding consumables.third-party maybe", false, "line 9"},
      {"findings out of order", 9, "finding telemetry none", true, "ascending"},
      {"duplicate finding", 10, "finding remote-disable vendor", true, "ascending"},
      {"contradicting findings", 9, "finding consumables.third-party allowed", true, "finding"},
      {"evidence missing", 12, std::nullopt, false, "line 12"},
      {"evidence upper case", 12, "evidence-sha256 " + std::string(64, 'F'), false, "line 12"},
      {"summary empty", 13, "summary ", false, "line 13"},
      {"summary leading space", 13, "summary  x", false, "line 13"},
      {"summary doubled space", 13, "summary a  b", false, "line 13"},
      {"summary with a bidi control", 13, "summary abc\u202edef", false, "line 13"},
      {"summary of marks only", 13, "summary \u0301\u0301", false, "line 13"},
      {"summary too long", 13, "summary " + std::string(281, 'a'), false, "line 13"},
      {"trailing line", 14, "extra", true, ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    std::string text = EditLine(vec.text, c.line, c.with, c.insert);
    if (c.line == 14) text = vec.text + "extra\n";
    auto parsed = ParseObservationText(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == Code::kMalformed);
    CHECK_MESSAGE(parsed.status().message().find(c.want) != std::string::npos,
                  parsed.status().message());
    // The signed form refuses the same text with a valid signature on it.
    auto signed_form = ParseSignedObservation(text + "\n" + vec.key.SigLine(text));
    CHECK_FALSE(signed_form.ok());
  }
  // The 280-byte summary is the limit, not beyond.
  CHECK(ParseObservationText(EditLine(vec.text, 13, "summary " + std::string(280, 'a'))).ok());
  // Zero findings is a statement too (the summary says it all).
  CHECK(ParseObservationText(
            EditLine(EditLine(EditLine(vec.text, 11, std::nullopt), 10, std::nullopt), 9,
                     std::nullopt))
            .ok());
  // More than 16 findings: refused at the 17th.
  std::string many = vec.text;
  std::string lines;
  for (int i = 0; i < 17; ++i) {
    lines += "finding feature-removal f" + std::string(1, static_cast<char>('a' + i)) + "\n";
  }
  many =
      EditLine(EditLine(EditLine(vec.text, 11, std::nullopt), 10, std::nullopt), 9, std::nullopt);
  many.insert(many.find("evidence-sha256"), lines);
  auto too_many = ParseObservationText(many);
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.status().message().find("more than 16 findings") != std::string::npos);
}

TEST_CASE("signature rules: exactly one line, by observer-key, verified") {
  const Vector vec = BuildVector();
  const TestKey other = TestKey::Make("lab.example/other", 0x63);
  struct Case {
    const char* what;
    std::string note;
    bool parses;
    Code code;  // of OpenObservation
  } cases[] = {
      {"as published", vec.note, true, Code::kOk},
      {"a second signature line", vec.note + other.SigLine(vec.text), false, Code::kMalformed},
      {"signed by another key only", vec.text + "\n" + other.SigLine(vec.text), false,
       Code::kBadSignature},
      {"no signature", vec.text + "\n", false, Code::kMalformed},
      {"a text byte changed",
       [&] {
         std::string n = vec.note;
         n.replace(n.find("release-index 7"), 15, "release-index 8");
         return n;
       }(),
       true, Code::kBadSignature},
      {"signature bytes changed",
       [&] {
         std::string n = vec.note;
         n[n.size() - 5] = n[n.size() - 5] == 'A' ? 'B' : 'A';
         return n;
       }(),
       true, Code::kBadSignature},
      {"over 8192 bytes", vec.note + std::string(8193, 'x'), false, Code::kTooLarge},
      {"a release entry", std::string(AsChars(ReleaseEntryBytes("full"))), false, Code::kMalformed},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    auto parsed = ParseSignedObservation(c.note);
    CHECK(parsed.ok() == c.parses);
    auto opened = OpenObservation(c.note);
    CHECK(opened.status().code() == c.code);
  }
}

TEST_CASE("CheckObservationTarget: the one check of what an observation is about") {
  const Vector vec = BuildVector();
  auto o = OpenObservation(vec.note);
  REQUIRE(o.ok());
  const Observation& base = o->observation;
  const Bytes release = ReleaseEntryBytes("full");
  const Bytes minimal = ReleaseEntryBytes("minimal");
  const std::string root_note = testutil::TrustRootVector("v1.root");
  const Bytes root(root_note.begin(), root_note.end());
  const Bytes itself(vec.note.begin(), vec.note.end());
  auto about = [&](const Bytes& entry, std::string product = "inkjet-x100") {
    Observation x = base;
    x.release_leaf = LeafHash(entry);
    x.product = std::move(product);
    return x;
  };
  struct Case {
    const char* what;
    Observation o;
    std::string origin;
    std::optional<Bytes> entry;
    Code want;
  } cases[] = {
      {"the release it names", base, "log.candor.example/firmware", release, Code::kOk},
      {"another log", base, "log.other.example", release, Code::kMismatch},
      {"no entry at the index", base, "log.candor.example/firmware", std::nullopt, Code::kNotFound},
      {"other bytes at the index", base, "log.candor.example/firmware", minimal, Code::kConflict},
      {"a trust root", about(root), "log.candor.example/firmware", root, Code::kMismatch},
      {"an observation", about(itself), "log.candor.example/firmware", itself, Code::kMismatch},
      {"a product the release is not for", about(release, "printer-x1"),
       "log.candor.example/firmware", release, Code::kMismatch},
      {"the release's other product", about(release, "inkjet-x200"), "log.candor.example/firmware",
       release, Code::kOk},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    std::optional<ByteView> entry;
    if (c.entry) entry = ByteView(*c.entry);
    Status s = CheckObservationTarget(c.o, c.origin, entry);
    CHECK_MESSAGE(s.code() == c.want, s.ToString());
  }
}

TEST_CASE("ObservationContradictions: findings against what holds on the observed day") {
  const Vector vec = BuildVector();
  auto o = OpenObservation(vec.note);
  REQUIRE(o.ok());
  auto release = ParseReleaseEntry(ReleaseEntryBytes("full"));
  REQUIRE(release.ok());
  // "full" discloses consumables warned now and blocked from 2026-09-13,
  // telemetry crash,usage, and nothing about remote disabling.
  auto c = ObservationContradictions(o->observation, release->manifest.disclosures);
  REQUIRE(c.size() == 2);
  CHECK(c[0].finding.kind == "remote-disable");
  CHECK(c[0].disclosed.empty());  // an undisclosed restriction
  CHECK(c[1].finding.kind == "telemetry");
  REQUIRE(c[1].disclosed.size() == 1);
  CHECK(c[1].disclosed[0].value == "crash,usage to metrics.acme.example");

  auto finding = [](std::string kind, std::string value) {
    Disclosure d;
    d.kind = std::move(kind);
    d.value = std::move(value);
    return d;
  };
  auto dated = [&](std::string kind, std::string value, std::string day) {
    Disclosure d = finding(std::move(kind), std::move(value));
    d.effective = *ParseDate(day);
    return d;
  };
  struct Case {
    const char* what;
    std::string observed;
    Disclosure f;
    std::vector<Disclosure> disclosed;
    bool contradicted;
  } cases[] = {
      {"the timeline's later value holds after its day",
       "2026-11-20T00:00:00Z",
       finding("consumables.third-party", "blocked"),
       {finding("consumables.third-party", "warned"),
        dated("consumables.third-party", "blocked", "2026-09-13")},
       false},
      {"the earlier value no longer holds after that day",
       "2026-11-20T00:00:00Z",
       finding("consumables.third-party", "warned"),
       {finding("consumables.third-party", "warned"),
        dated("consumables.third-party", "blocked", "2026-09-13")},
       true},
      {"before the day, the earlier value holds",
       "2026-09-12T23:59:59Z",
       finding("consumables.third-party", "warned"),
       {finding("consumables.third-party", "warned"),
        dated("consumables.third-party", "blocked", "2026-09-13")},
       false},
      {"a neutral finding agrees with silence",
       "2026-11-20T00:00:00Z",
       finding("consumables.third-party", "allowed"),
       {},
       false},
      {"a restrictive finding contradicts silence",
       "2026-11-20T00:00:00Z",
       finding("consumables.third-party", "blocked"),
       {},
       true},
      {"a repeatable kind: one of the values matches",
       "2026-11-20T00:00:00Z",
       finding("feature-removal", "scan to e-mail"),
       {finding("feature-removal", "fax"), finding("feature-removal", "scan to e-mail")},
       false},
      {"an event kind not disclosed",
       "2026-11-20T00:00:00Z",
       finding("security-fix", "CVE-2026-0001"),
       {},
       false},
  };
  for (const Case& cs : cases) {
    CAPTURE(cs.what);
    Observation x = o->observation;
    x.observed = *ParseUtcTime(cs.observed);
    x.findings = {cs.f};
    CHECK(ObservationContradictions(x, cs.disclosed).empty() == !cs.contradicted);
  }
}

}  // namespace
}  // namespace candor
