// `candor audit find` and `candor audit export` (docs/AUDIT.md) through the
// real `candor` binary, on a mirror of mixed vendors synced from a log
// directory: two vendor keys, several products, a release for two products,
// two releases (of different vendors) sharing one image, changelogs that need
// CSV quoting and the formula-injection guard.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>

#include "audit_test_util.h"
#include "candor/audit/index.h"
#include "candor/bytes.h"
#include "log_process.h"
#include "support/subprocess.h"

#if defined(CANDOR_CLI_BINARY)

namespace candor {
namespace {

using namespace audittest;
using testing::CommandResult;
using testing::RunCommand;

// Runs `candor`; stdout and stderr apart (stderr merged only when asked).
CommandResult Run(std::vector<std::string> args, bool merge = false) {
  args.insert(args.begin(), CANDOR_CLI_BINARY);
  return RunCommand(args, merge);
}

std::string Hex(const Hash& h) { return HexEncode(h); }

Bytes Release(const SignerKey& key, std::vector<std::string> products, const std::string& version,
              uint64_t rollback, const std::string& image, const std::string& changelog,
              std::vector<std::string> disclosures = {}) {
  ManifestFields f;
  f.products = std::move(products);
  f.version = version;
  f.rollback = rollback;
  f.image_sha256 = Sha256Digest(AsBytes(image));
  f.image_size = image.size();
  f.issued = ParseUtcTime("2026-01-01T00:00:00Z").value();
  for (const auto& d : disclosures) f.disclosures.push_back(ParseDisclosureArg(d).value());
  auto e = CreateReleaseEntry(f, changelog, key);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  return *e;
}

struct Fixture {
  TempDir work;
  SignerKey log_key = TestKey("log.example/find-export", 61);
  SignerKey acme = TestKey("acme.example", 62);
  SignerKey globex = TestKey("globex.example", 63);
  std::vector<Bytes> entries;
  std::string mirror() const { return work / "m"; }

  Fixture() {
    entries = {
        // 0: acme inkjet-x100 1.0, the image globex also ships (entry 3).
        Release(acme, {"inkjet-x100"}, "1.0", 1, "shared firmware", "First release.\n"),
        // 1: acme, two products; a changelog with a comma, quotes and a line break.
        Release(acme, {"inkjet-x100", "inkjet-x200"}, "1.1", 2, "acme 1.1",
                "Cartridges, \"genuine\" only.\nSee the manual.\n",
                {"consumables.third-party=blocked,effective=2027-03-01"}),
        // 2: a trust root: not a release, no row.
        {},
        // 3: globex, the same image as entry 0; a changelog a spreadsheet
        // would evaluate as a formula.
        Release(globex, {"thermostat-t1"}, "2.0", 1, "shared firmware",
                "=HYPERLINK(\"http://evil.example\",\"x\")\n", {"telemetry=usage to t.example"}),
        // 4: globex, changelog starting with "-" (a Markdown list).
        Release(globex, {"thermostat-t1"}, "2.1", 2, "globex 2.1", "- fixed the clock\n"),
    };
    SignerKey ra = TestKey("root-a.acme.example", 64);
    RootSpec root;
    root.keys = {&ra};
    root.signers = {&ra};
    root.policy = "log " + FormatVerifierKey(PublicKeyOf(log_key)) + "\nquorum none\n";
    const std::string note = MakeTrustRoot(root);
    entries[2] = Bytes(note.begin(), note.end());
    DirectLog log(work / "log", log_key);
    log.Append(entries);
    WriteText(work / "log.pub", FormatVerifierKey(PublicKeyOf(log_key)) + "\n");
    CommandResult s = Run(
        {"audit", "sync", "--log", work / "log", "--log-key", work / "log.pub", "--dir", mirror()},
        true);
    REQUIRE_MESSAGE(s.exit_code == 0, s.output);
  }
  std::string ImageHex(size_t i) const {
    return Hex(ParseReleaseEntry(entries[i]).value().manifest.image_sha256);
  }
  std::string LeafHex(size_t i) const { return Hex(LeafHash(entries[i])); }
  std::string Key(const SignerKey& k) const { return FormatVerifierKey(PublicKeyOf(k)); }
  // When the mirror saw the entries logged (its clock at the sync: no policy).
  std::string Logged() const {
    auto idx = audit::AuditIndex::Open(work / "m/.candor-audit/index.db");
    REQUIRE(idx.ok());
    auto row = (*idx)->ByIndex(0, 5);
    REQUIRE(row.ok());
    REQUIRE(row->has_value());
    return FormatUtcTime((*row)->logged);
  }
};

TEST_CASE("candor audit find: releases by image SHA-256, miss, malformed hash") {
  Fixture fx;
  const std::string shared = fx.ImageHex(0);
  REQUIRE(shared == fx.ImageHex(3));

  CommandResult t = Run({"audit", "find", "--dir", fx.mirror(), "--image-sha256", shared});
  REQUIRE_MESSAGE(t.exit_code == 0, t.output);
  const std::string logged = fx.Logged();
  CHECK(t.output ==
        "#0 acme.example inkjet-x100 1.0 (rollback 1, issued 2026-01-01T00:00:00Z, logged by " +
            logged + ")\n  image 15 bytes, leaf hash " + fx.LeafHex(0) +
            "\n  no disclosures\n"
            "#3 globex.example thermostat-t1 2.0 (rollback 1, issued 2026-01-01T00:00:00Z, "
            "logged by " +
            logged + ")\n  image 15 bytes, leaf hash " + fx.LeafHex(3) +
            "\n! disclose telemetry usage to t.example\n"
            "2 release(s) with image sha256 " +
            shared + " in a verified tree of 5 entries\n");

  // Upper-case hex (some tools print it) finds the same releases.
  std::string upper = shared;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CommandResult j = Run({"audit", "find", "--dir", fx.mirror(), "--image-sha256", upper, "--json"});
  REQUIRE_MESSAGE(j.exit_code == 0, j.output);
  CHECK(j.output.rfind("{\"tree_size\":5,\"image_sha256\":\"" + shared +
                           "\",\"releases\":[{\"log_index\":0,\"vendor\":\"acme.example\",",
                       0) == 0);
  // A single-signer release: its vendor key is its whole signer list.
  const std::string globex = fx.Key(fx.globex);
  CHECK(Contains(j.output, "{\"log_index\":3,\"vendor\":\"globex.example\",\"vendor_key\":\"" +
                               globex + "\",\"signers\":[\"" + globex + "\"],\"signed_by\":[\"" +
                               globex + "\"],\"products\":[\"thermostat-t1\"]"));
  CHECK(std::count(j.output.begin(), j.output.end(), '\n') == 1);

  // One release for an image only it has (the two-product one).
  CommandResult one =
      Run({"audit", "find", "--dir", fx.mirror(), "--image-sha256", fx.ImageHex(1), "--json"});
  CHECK(one.exit_code == 0);
  CHECK(Contains(one.output, "\"products\":[\"inkjet-x100\",\"inkjet-x200\"]"));
  CHECK(Contains(one.output, "\"kind\":\"consumables.third-party\""));

  // A miss: exit 12 (not-found), one line on stderr; --json still prints the
  // (empty) answer for scripts.
  const std::string absent(64, 'a');
  CommandResult miss = Run({"audit", "find", "--dir", fx.mirror(), "--image-sha256", absent}, true);
  CHECK(miss.exit_code == ExitCodeFor(Code::kNotFound));
  CHECK(miss.exit_code == 12);
  CHECK(miss.output ==
        "error: no release in the verified tree of 5 entries has image sha256 " + absent + "\n");
  CommandResult missj =
      Run({"audit", "find", "--dir", fx.mirror(), "--image-sha256", absent, "--json"});
  CHECK(missj.exit_code == 12);
  CHECK(missj.output == "{\"tree_size\":5,\"image_sha256\":\"" + absent + "\",\"releases\":[]}\n");

  // Malformed hashes are usage errors: exit 1, one line, nothing on stdout.
  const std::string bad[] = {shared.substr(1),       shared + "0",
                             "g" + shared.substr(1), "sha256:" + shared.substr(7),
                             " " + shared.substr(1), ""};
  for (const std::string& h : bad) {
    CAPTURE(h);
    CommandResult r = Run({"audit", "find", "--dir", fx.mirror(), "--image-sha256", h}, true);
    CHECK(r.exit_code == 1);
    CHECK(r.output.rfind("usage error: ", 0) == 0);
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
  }
  CommandResult nodir = Run({"audit", "find", "--image-sha256", shared}, true);
  CHECK(nodir.exit_code == 1);
  CHECK(nodir.output == "usage error: find needs --dir and --image-sha256\n");
}

TEST_CASE("candor audit export: RFC 4180 CSV golden, JSON Lines, filters, reproducible") {
  Fixture fx;
  const std::string logged = fx.Logged();
  const std::string ka = fx.Key(fx.acme), kg = fx.Key(fx.globex);
  const std::string common = ",2026-01-01T00:00:00Z," + logged + ",";
  // The whole file, byte for byte: CRLF records, quoted fields with doubled
  // quotes, line breaks kept inside quotes, the formula guard ("'=", "'-").
  const std::string row0 = "0,acme.example,inkjet-x100,1.0,1," + fx.ImageHex(0) + ",15" + common +
                           ka + "," + fx.LeafHex(0) +
                           ",,first-vendor-key,0,\"First release.\n\"\r\n";
  const std::string row1 = "1,acme.example,inkjet-x100 inkjet-x200,1.1,2," + fx.ImageHex(1) + ",8" +
                           common + ka + "," + fx.LeafHex(1) +
                           ",disclose consumables.third-party blocked effective=2027-03-01,"
                           "changelog-silent consumables-restriction delayed-activation,0,"
                           "\"Cartridges, \"\"genuine\"\" only.\nSee the manual.\n\"\r\n";
  const std::string row3 = "3,globex.example,thermostat-t1,2.0,1," + fx.ImageHex(3) + ",15" +
                           common + kg + "," + fx.LeafHex(3) +
                           ",disclose telemetry usage to t.example,"
                           "first-vendor-key telemetry,0,"
                           "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\n\"\r\n";
  const std::string row4 = "4,globex.example,thermostat-t1,2.1,2," + fx.ImageHex(4) + ",10" +
                           common + kg + "," + fx.LeafHex(4) +
                           ",,disclosure-dropped,0,\"'- fixed the clock\n\"\r\n";
  const std::string header =
      "log_index,vendor,products,version,rollback,image_sha256,image_size,issued,logged,"
      "vendor_key,leaf_hash,disclosures,flags,observations,changelog\r\n";

  CommandResult csv = Run({"audit", "export", "--dir", fx.mirror(), "--format", "csv"});
  REQUIRE_MESSAGE(csv.exit_code == 0, csv.output);
  CHECK(csv.output == header + row0 + row1 + row3 + row4);

  // The flags column is exactly what `audit flags` raises for each release.
  CommandResult flags = Run({"audit", "flags", "--dir", fx.mirror()});
  CHECK(Contains(flags.output, "changelog-silent"));
  CHECK(Contains(flags.output, "delayed-activation"));

  // --out writes the same bytes; two runs are byte-identical.
  const std::string a = fx.work / "a.csv", b = fx.work / "b.csv";
  REQUIRE(Run({"audit", "export", "--dir", fx.mirror(), "--format", "csv", "--out", a}).exit_code ==
          0);
  REQUIRE(Run({"audit", "export", "--dir", fx.mirror(), "--format", "csv", "--out", b}).exit_code ==
          0);
  CHECK(ReadText(a) == csv.output);
  CHECK(ReadText(b) == ReadText(a));

  SUBCASE("filters") {
    CommandResult v = Run(
        {"audit", "export", "--dir", fx.mirror(), "--format", "csv", "--vendor", "globex.example"});
    CHECK(v.output == header + row3 + row4);
    // A two-product release is one row, found by either product.
    CommandResult p = Run(
        {"audit", "export", "--dir", fx.mirror(), "--format", "csv", "--product", "inkjet-x200"});
    CHECK(p.output == header + row1);
    CommandResult none = Run(
        {"audit", "export", "--dir", fx.mirror(), "--format", "csv", "--vendor", "none.example"});
    CHECK(none.exit_code == 0);
    CHECK(none.output == header);
  }

  SUBCASE("JSON Lines") {
    CommandResult j = Run({"audit", "export", "--dir", fx.mirror(), "--format", "json"});
    REQUIRE_MESSAGE(j.exit_code == 0, j.output);
    std::vector<std::string> lines;
    std::istringstream in(j.output);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    REQUIRE(lines.size() == 4);
    CHECK(j.output.back() == '\n');
    // The object starts as `list --json` writes it (the description's text
    // is the vocabulary's), then flags and changelog.
    CHECK(lines[1].rfind(
              "{\"log_index\":1,\"vendor\":\"acme.example\",\"vendor_key\":\"" + ka +
                  "\",\"signers\":[\"" + ka + "\"],\"signed_by\":[\"" + ka +
                  "\"],\"products\":[\"inkjet-x100\",\"inkjet-x200\"],\"version\":\"1.1\","
                  "\"rollback\":2,\"image_sha256\":\"" +
                  fx.ImageHex(1) +
                  "\",\"image_size\":8,\"issued\":\"2026-01-01T00:00:00Z\",\"logged\":\"" + logged +
                  "\",\"leaf_hash\":\"" + fx.LeafHex(1) +
                  "\",\"disclosures\":[{\"kind\":\"consumables.third-party\",\"value\":\"blocked\","
                  "\"effective\":\"2027-03-01\",\"restrictive\":true,\"known_kind\":true,"
                  "\"description\":",
              0) == 0);
    CHECK(Contains(
        lines[1],
        "\"flags\":[\"changelog-silent\",\"consumables-restriction\","
        "\"delayed-activation\"],\"observations\":0,\"changelog\":\"Cartridges, \\\"genuine\\\" "
        "only.\\nSee the manual.\\n\"}"));
    // JSON is not formula-guarded: the exact changelog.
    CHECK(Contains(lines[2], "\"changelog\":\"=HYPERLINK("));
    CHECK(Contains(lines[3],
                   "\"flags\":[\"disclosure-dropped\"],\"observations\":0,\"changelog\":"
                   "\"- fixed the clock\\n\"}"));
    CommandResult again = Run({"audit", "export", "--dir", fx.mirror(), "--format", "json"});
    CHECK(again.output == j.output);
  }

  SUBCASE("--out is atomic: nothing written on error, no clobbering without --force") {
    const std::string out = fx.work / "out.csv";
    // A mirror that does not exist: an error, and no file.
    CommandResult bad =
        Run({"audit", "export", "--dir", fx.work / "nope", "--format", "csv", "--out", out}, true);
    CHECK(bad.exit_code != 0);
    CHECK(!std::filesystem::exists(out));
    // A directory that does not exist.
    CommandResult nodir =
        Run({"audit", "export", "--dir", fx.mirror(), "--format", "csv", "--out", fx.work / "x/y"},
            true);
    CHECK(nodir.exit_code == ExitCodeFor(Code::kIo));
    CHECK(std::count(nodir.output.begin(), nodir.output.end(), '\n') == 1);
    // An existing file is kept unless --force.
    WriteText(out, "keep me\n");
    CommandResult clash =
        Run({"audit", "export", "--dir", fx.mirror(), "--format", "csv", "--out", out}, true);
    CHECK(clash.exit_code == ExitCodeFor(Code::kConflict));
    CHECK(Contains(clash.output, "already exists (use --force to replace it)"));
    CHECK(ReadText(out) == "keep me\n");
    CommandResult forced =
        Run({"audit", "export", "--dir", fx.mirror(), "--format", "csv", "--out", out, "--force"});
    CHECK(forced.exit_code == 0);
    CHECK(ReadText(out) == csv.output);
    // No temporary file is left beside it.
    size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(fx.work.path())) {
      files += e.path().filename().string().rfind("out.csv", 0) == 0 ? 1 : 0;
    }
    CHECK(files == 1);
  }

  SUBCASE("usage errors") {
    const std::vector<std::vector<std::string>> cases = {
        {"audit", "export", "--dir", fx.mirror()},
        {"audit", "export", "--format", "csv"},
        {"audit", "export", "--dir", fx.mirror(), "--format", "xlsx"},
        {"audit", "export", "--dir", fx.mirror(), "--format", "csv", "--bogus"},
    };
    for (const auto& c : cases) {
      CommandResult r = Run(c, true);
      CAPTURE(r.output);
      CHECK(r.exit_code == 1);
      CHECK(r.output.rfind("usage error: ", 0) == 0);
    }
  }
}

}  // namespace
}  // namespace candor
#endif
