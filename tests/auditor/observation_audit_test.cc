// Observations in the auditor (docs/AUDIT.md "Observations"), through the real
// `candor` binary on a mirror synced from a log directory: the index records
// each observation with the mirror's own target check; `show` lists them
// beside the release, each finding confirmed or contradicted against the
// product's disclosures in effect after the release (the state model, not
// the release's own list); `flags`, `watch` and `export` carry `disputed` and
// `observation-target-invalid`.
#include <doctest/doctest.h>

#include <sstream>

#include "audit_test_util.h"
#include "candor/audit/index.h"
#include "candor/audit/observations.h"
#include "candor/observation.h"
#include "candor/observation_signer.h"
#include "log_process.h"
#include "support/subprocess.h"

#if defined(CANDOR_CLI_BINARY)

namespace candor {
namespace {

using namespace audittest;
using testing::CommandResult;
using testing::RunCommand;

CommandResult Run(std::vector<std::string> args, bool merge = false) {
  args.insert(args.begin(), CANDOR_CLI_BINARY);
  return RunCommand(args, merge);
}

struct ObservationSpec {
  uint64_t release_index = 0;
  std::vector<std::string> findings;  // KIND=VALUE
  std::string summary = "third-party cartridges rejected";
  std::optional<Hash> release_leaf = {};  // default: the leaf of the entry there
  std::string product = "inkjet-x100";
};

ObservationSpec Spec(uint64_t release_index, std::vector<std::string> findings,
                     std::string summary = "third-party cartridges rejected") {
  ObservationSpec s;
  s.release_index = release_index;
  s.findings = std::move(findings);
  s.summary = std::move(summary);
  return s;
}

struct Fixture {
  TempDir work;
  SignerKey log_key = TestKey("log.example/observations", 71);
  SignerKey acme = TestKey("acme.example", 72);
  SignerKey lab = TestKey("lab.example", 73);
  std::vector<Bytes> entries;
  std::unique_ptr<DirectLog> log;
  std::string mirror() const { return work / "m"; }

  Fixture() {
    log = std::make_unique<DirectLog>(work / "log", log_key);
    WriteText(work / "log.pub", FormatVerifierKey(PublicKeyOf(log_key)) + "\n");
  }
  uint64_t Add(Bytes e) {
    entries.push_back(std::move(e));
    return entries.size() - 1;
  }
  uint64_t Release(const std::string& version, uint64_t rollback,
                   std::vector<std::string> disclosures) {
    ReleaseSpec s;
    s.version = version;
    s.rollback = rollback;
    s.disclosures = std::move(disclosures);
    s.changelog = "Release " + version + ": third-party cartridges, consumables.\n";
    return Add(MakeRelease(acme, s));
  }
  std::string ObservationNote(const ObservationSpec& s) {
    Observation o;
    o.log_origin = log_key.name;
    o.release_index = s.release_index;
    o.release_leaf = s.release_leaf ? *s.release_leaf : LeafHash(entries.at(s.release_index));
    o.product = s.product;
    o.observed = ParseUtcTime("2026-11-20T10:00:00Z").value();
    for (const std::string& f : s.findings) o.findings.push_back(ParseDisclosureArg(f).value());
    o.evidence_sha256 = Sha256Digest(AsBytes("video of the printer"));
    o.summary = s.summary;
    auto signer = MakeKeySigner(lab);
    auto note = CreateObservation(o, *signer);
    REQUIRE_MESSAGE(note.ok(), note.status().ToString());
    return *note;
  }
  uint64_t Observe(const ObservationSpec& s) {
    const std::string note = ObservationNote(s);
    return Add(Bytes(note.begin(), note.end()));
  }
  // Appends the entries not yet in the log, then syncs the mirror.
  void Sync() {
    std::vector<Bytes> fresh(entries.begin() + static_cast<std::ptrdiff_t>(log->size()),
                             entries.end());
    log->Append(fresh);
    CommandResult s = Run(
        {"audit", "sync", "--log", work / "log", "--log-key", work / "log.pub", "--dir", mirror()},
        true);
    REQUIRE_MESSAGE(s.exit_code == 0, s.output);
  }
};

// The story: 1.0 blocks third-party cartridges; 1.1 says nothing of them
// (the block stays in effect: disclosure-dropped); 1.2 lifts it ("allowed").
// A lab observes 1.1 blocking (confirmed: what is in effect, although 1.1's
// own list is silent) and 1.2 blocking (contradicted: disputed).
struct Story : Fixture {
  uint64_t v10, v11, v12, confirmed, disputed, wrong_leaf, tampered;
  Story() {
    v10 = Release("1.0", 1, {"consumables.third-party=blocked"});
    v11 = Release("1.1", 2, {});
    v12 = Release("1.2", 3, {"consumables.third-party=allowed"});
    confirmed = Observe(Spec(v11, {"consumables.third-party=blocked"}));
    disputed = Observe(Spec(v12, {"consumables.third-party=blocked", "telemetry=none"},
                            "1.2 still rejects third-party cartridges"));
    // The log admitted an observation whose leaf hash is another entry's: the
    // mirror's own target check fails (a split view, or a bad log).
    ObservationSpec wrong = Spec(v12, {"consumables.third-party=blocked"});
    wrong.release_leaf = LeafHash(entries[v10]);
    wrong_leaf = Observe(wrong);
    // A signature that does not verify: an invalid entry.
    std::string bad = ObservationNote(Spec(v10, {}));
    const size_t sig = bad.rfind("\n\u2014 ");
    REQUIRE(sig != std::string::npos);
    char& c = bad[bad.size() - 6];
    c = c == 'A' ? 'B' : 'A';
    tampered = Add(Bytes(bad.begin(), bad.end()));
  }
};

TEST_CASE("audit observations: indexed with the mirror's target check") {
  Story st;
  st.Sync();
  auto idx = audit::AuditIndex::Open(st.mirror() + "/.candor-audit/index.db");
  REQUIRE(idx.ok());
  const uint64_t size = st.entries.size();
  auto all = (*idx)->Observations(size);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  const audit::ObservationRow& o = (*all)[1];
  CHECK(o.log_index == st.disputed);
  CHECK(o.observer == "lab.example");
  CHECK(o.observer_key == FormatVerifierKey(PublicKeyOf(st.lab)));
  CHECK(o.release_index == st.v12);
  CHECK(o.release_leaf == HexEncode(LeafHash(st.entries[st.v12])));
  CHECK(o.leaf_hex == HexEncode(LeafHash(st.entries[st.disputed])));
  CHECK(o.product == "inkjet-x100");
  CHECK(FormatUtcTime(o.observed) == "2026-11-20T10:00:00Z");
  REQUIRE(o.findings.size() == 2);
  CHECK(o.findings[0].kind == "consumables.third-party");
  CHECK(o.evidence_sha256 == HexEncode(Sha256Digest(AsBytes("video of the printer"))));
  CHECK(o.summary == "1.2 still rejects third-party cartridges");
  CHECK(o.target_error.empty());
  CHECK((*all)[0].target_error.empty());
  // The wrong leaf: kConflict from CheckObservationTarget, recorded.
  CHECK((*all)[2].log_index == st.wrong_leaf);
  CHECK(Contains((*all)[2].target_error, "conflict"));
  auto about = (*idx)->ObservationsAbout(st.v12, size);
  REQUIRE(about.ok());
  REQUIRE(about->size() == 2);
  CHECK((*about)[0].log_index == st.disputed);
  CHECK((*about)[1].log_index == st.wrong_leaf);
  // The tampered observation is an invalid entry, named as an observation.
  auto invalid = (*idx)->Invalid(size);
  REQUIRE(invalid.ok());
  REQUIRE(invalid->size() == 1);
  CHECK((*invalid)[0].log_index == st.tampered);
  CHECK(Contains((*invalid)[0].reason, "observation"));
}

TEST_CASE("audit observations: findings judged against the disclosures in effect") {
  Story st;
  st.Sync();
  auto idx = audit::AuditIndex::Open(st.mirror() + "/.candor-audit/index.db");
  REQUIRE(idx.ok());
  const uint64_t size = st.entries.size();
  auto product = (*idx)->ForProduct("acme.example", "inkjet-x100", size);
  REQUIRE(product.ok());
  auto all = (*idx)->Observations(size);
  REQUIRE(all.ok());
  // 1.1 is silent, but the block of 1.0 is in effect after it: confirmed.
  auto c = audit::MarkFindings((*all)[0], *product);
  REQUIRE(c.size() == 1);
  CHECK(!c[0].contradicted);
  // Against 1.1's own (empty) list the same finding would be an undisclosed
  // restriction: the state model is what makes it confirmed.
  audit::ObservationRow alone = (*all)[0];
  std::vector<audit::ReleaseRow> only11;
  for (const audit::ReleaseRow& r : *product) {
    if (r.log_index == st.v11) only11.push_back(r);
  }
  CHECK(audit::MarkFindings(alone, only11)[0].contradicted);
  // 1.2 allows: the observed block contradicts it; "telemetry none" about an
  // undisclosed kind agrees with silence.
  auto d = audit::MarkFindings((*all)[1], *product);
  REQUIRE(d.size() == 2);
  CHECK(d[0].finding.kind == "consumables.third-party");
  CHECK(d[0].contradicted);
  REQUIRE(d[0].disclosed.size() == 1);
  CHECK(d[0].disclosed[0].value == "allowed");
  CHECK(d[1].finding.kind == "telemetry");
  CHECK(!d[1].contradicted);
}

TEST_CASE("audit observations: flags, show, export, watch") {
  Story st;
  st.Sync();
  const std::string obs = std::to_string(st.disputed);

  SUBCASE("flags: disputed on the contradicted release, target-invalid loud, confirmed silent") {
    CommandResult f = Run({"audit", "flags", "--dir", st.mirror(), "--json"});
    REQUIRE_MESSAGE(f.exit_code == 0, f.output);
    CHECK(Contains(f.output, "{\"flag\":\"disputed\",\"log_index\":" + std::to_string(st.v12) +
                                 ",\"vendor\":\"acme.example\",\"product\":\"inkjet-x100\","
                                 "\"version\":\"1.2\",\"message\":\"observation #" +
                                 obs +
                                 " by lab.example, observed 2026-11-20: consumables.third-party "
                                 "blocked (disclosed: consumables.third-party allowed)\","
                                 "\"observation\":" +
                                 obs + "}"));
    CHECK(Contains(f.output, "{\"flag\":\"observation-target-invalid\",\"log_index\":" +
                                 std::to_string(st.wrong_leaf)));
    // The confirmed observation about 1.1 raises nothing on 1.1.
    CHECK(!Contains(f.output, "\"flag\":\"disputed\",\"log_index\":" + std::to_string(st.v11)));
    // One disputed flag only (the wrong-leaf observation is not judged).
    size_t n = 0;
    for (size_t p = 0; (p = f.output.find("\"flag\":\"disputed\"", p)) != std::string::npos; ++p) {
      ++n;
    }
    CHECK(n == 1);
    CommandResult t = Run({"audit", "flags", "--dir", st.mirror()});
    CHECK(Contains(t.output, "disputed"));
    CHECK(Contains(t.output, "observation-target-invalid"));
  }

  SUBCASE("show: observations beside the release, marked, third-party") {
    CommandResult s = Run({"audit", "show", "--dir", st.mirror(), std::to_string(st.v12)});
    REQUIRE_MESSAGE(s.exit_code == 0, s.output);
    CHECK(Contains(s.output, "observations:  2 (third-party claims, not the vendor's)\n  #" + obs +
                                 "\n    observer:      lab.example\n"));
    CHECK(Contains(s.output, "    observed:      2026-11-20T10:00:00Z (the observer's claim)\n"));
    CHECK(Contains(s.output, "! contradicted  "));
    CHECK(Contains(s.output, "(disclosed: consumables.third-party allowed)"));
    CHECK(Contains(s.output, "  confirmed     "));
    CHECK(Contains(s.output, "    summary:       1.2 still rejects third-party cartridges\n"));
    CHECK(Contains(s.output, "  #" + std::to_string(st.wrong_leaf) +
                                 "  TARGET INVALID in this mirror (observation-target-invalid)"));
    // Observations come before the changelog, after the disclosures.
    CHECK(s.output.find("observations:") > s.output.find("disclosures:"));
    CHECK(s.output.find("observations:") < s.output.find("changelog:"));

    CommandResult j =
        Run({"audit", "show", "--dir", st.mirror(), std::to_string(st.v12), "--json"});
    REQUIRE_MESSAGE(j.exit_code == 0, j.output);
    CHECK(Contains(j.output, "\"observations\":[{\"type\":\"observation\",\"log_index\":" + obs +
                                 ",\"observer\":\"lab.example\""));
    CHECK(Contains(j.output,
                   "\"status\":\"contradicted\",\"disclosed\":[{\"kind\":"
                   "\"consumables.third-party\",\"value\":\"allowed\""));
    CHECK(Contains(j.output, "\"status\":\"confirmed\""));
    CHECK(Contains(j.output, "\"target\":\"invalid\",\"target_error\":"));
    CHECK(Contains(j.output, "\"status\":\"unjudged\""));

    // 1.1: its one observation confirmed.
    CommandResult c = Run({"audit", "show", "--dir", st.mirror(), "acme.example/inkjet-x100/1.1"});
    CHECK(Contains(c.output, "observations:  1 (third-party claims, not the vendor's)"));
    CHECK(Contains(c.output, "  confirmed     "));
    CHECK(!Contains(c.output, "contradicted"));
    // 1.0: none.
    CommandResult none = Run({"audit", "show", "--dir", st.mirror(), std::to_string(st.v10)});
    CHECK(Contains(none.output, "observations:  none\n"));

    // The observation entry itself.
    CommandResult e = Run({"audit", "show", "--dir", st.mirror(), obs});
    REQUIRE_MESSAGE(e.exit_code == 0, e.output);
    CHECK(e.output.rfind("observation:   log index " + obs +
                             " (a third-party claim about a release, not the vendor's)\n"
                             "about:         release #" +
                             std::to_string(st.v12) + " of inkjet-x100",
                         0) == 0);
    CHECK(Contains(e.output, "target:        holds in this mirror\n"));
    CommandResult ej = Run({"audit", "show", "--dir", st.mirror(), obs, "--json"});
    CHECK(ej.output.rfind("{\"type\":\"observation\",\"log_index\":" + obs, 0) == 0);
    CommandResult w = Run({"audit", "show", "--dir", st.mirror(), std::to_string(st.wrong_leaf)});
    CHECK(Contains(w.output, "target:        INVALID in this mirror"));
    CHECK(Contains(w.output, "  unjudged      "));
  }

  SUBCASE("export: observation counts (valid targets only), flags") {
    CommandResult csv = Run({"audit", "export", "--dir", st.mirror(), "--format", "csv"});
    REQUIRE_MESSAGE(csv.exit_code == 0, csv.output);
    CHECK(csv.output.rfind("log_index,vendor,products,version,rollback,image_sha256,image_size,"
                           "issued,logged,vendor_key,leaf_hash,disclosures,flags,observations,"
                           "changelog\r\n",
                           0) == 0);
    std::istringstream in(csv.output);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    // Rows 0, 1, 2 (each changelog one line, quoted with its LF: two lines each).
    auto row = [&](uint64_t i) {
      for (const std::string& l : lines) {
        if (l.rfind(std::to_string(i) + ",acme.example,", 0) == 0) return l;
      }
      return std::string();
    };
    CHECK(Contains(row(st.v10), ",0,\"Release 1.0"));
    CHECK(Contains(row(st.v11), ",1,\"Release 1.1"));
    CHECK(Contains(row(st.v12), "disputed,1,\"Release 1.2"));
    CommandResult j = Run({"audit", "export", "--dir", st.mirror(), "--format", "json"});
    CHECK(Contains(j.output, "\"disputed\"],\"observations\":1,\"changelog\":\"Release 1.2"));
  }
}

TEST_CASE("audit observations: watch reports a dispute of an old release when it arrives") {
  Fixture fx;
  const uint64_t v = fx.Release("2.4.2", 1, {"consumables.third-party=allowed"});
  fx.Sync();
  const std::string atom = fx.work / "feed.xml";
  const uint64_t o = fx.Observe(
      Spec(v, {"consumables.third-party=blocked"}, "2.4.2 still rejects third-party cartridges"));
  std::vector<Bytes> fresh(fx.entries.begin() + 1, fx.entries.end());
  fx.log->Append(fresh);
  CommandResult w =
      Run({"audit", "watch", "--log", fx.work / "log", "--log-key", fx.work / "log.pub", "--dir",
           fx.mirror(), "--once", "--json", "--atom", atom});
  REQUIRE_MESSAGE(w.exit_code == 0, w.output);
  CHECK(Contains(w.output, "\"flag\":\"disputed\""));
  CHECK(Contains(w.output, "observation #" + std::to_string(o) + " by lab.example"));
  const std::string feed = ReadText(atom);
  CHECK(Contains(feed, "Flag disputed: acme.example/inkjet-x100 2.4.2"));
  CHECK(Contains(
      feed, "/flag/" + std::to_string(v) + "/disputed/observation-" + std::to_string(o) + "</id>"));
}

// The explorer's parser tests (tests/web/observation.test.mjs) and browser
// test read an observation and the release it is about as the C++ code makes
// them: this test is the fixture's source. CANDOR_WRITE_WEB_FIXTURES=1
// rewrites the files (a format change); otherwise they must match.
TEST_CASE("explorer fixture: the observation and its release are the C++ bytes") {
  const SignerKey acme = TestKey("acme.example", 81);
  const SignerKey lab = TestKey("lab.example", 82);
  ReleaseSpec spec;
  spec.product = "printer-x1";
  spec.version = "2.4.2";
  spec.rollback = 3;
  spec.issued = "2026-10-01T09:00:00Z";
  spec.disclosures = {"consumables.third-party=allowed", "telemetry=none"};
  spec.changelog = "Third-party cartridges are allowed again.\n";
  const Bytes release = MakeRelease(acme, spec);
  Observation o;
  o.log_origin = "log.example/explorer-fixture";
  o.release_index = 0;
  o.release_leaf = LeafHash(release);
  o.product = "printer-x1";
  o.observed = ParseUtcTime("2026-11-20T10:00:00Z").value();
  o.findings = {ParseDisclosureArg("consumables.third-party=blocked").value(),
                ParseDisclosureArg("telemetry=none").value()};
  o.evidence_sha256 = Sha256Digest(AsBytes("video: cartridge rejected"));
  o.summary = "2.4.2 still rejects third-party cartridges on a printer-x1 bought 2026-11";
  auto signer = MakeKeySigner(lab);
  auto note = CreateObservation(o, *signer);
  REQUIRE_MESSAGE(note.ok(), note.status().ToString());
  const std::string dir = std::string(CANDOR_SOURCE_DIR) + "/tests/web/fixtures/observation";
  const std::string release_text(AsChars(release));
  if (const char* w = getenv("CANDOR_WRITE_WEB_FIXTURES"); w != nullptr && std::string(w) == "1") {
    REQUIRE(fs::MakeDirectories(dir).ok());
    WriteText(dir + "/release.entry", release_text);
    WriteText(dir + "/observation.note", *note);
  }
  CHECK(ReadText(dir + "/release.entry") == release_text);
  CHECK(ReadText(dir + "/observation.note") == *note);
  CHECK(OpenObservation(*note).ok());
}

TEST_CASE("audit observations: every observation flag is documented") {
  const std::string docs = ReadText(std::string(CANDOR_SOURCE_DIR) + "/docs/AUDIT.md");
  const size_t section = docs.find("## Observations");
  REQUIRE(section != std::string::npos);
  for (const char* flag : {"disputed", "observation-target-invalid"}) {
    CAPTURE(flag);
    CHECK(docs.find("| `" + std::string(flag) + "` |") != std::string::npos);
    CHECK(docs.find("`" + std::string(flag) + "`", section) != std::string::npos);
  }
}

}  // namespace
}  // namespace candor

#endif  // defined(CANDOR_CLI_BINARY)
