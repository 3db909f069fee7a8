// Process-level tests of `candor release create` and `candor release show`.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>

#include "candor/release.h"
#include "candor/sha256.h"
#include "candor/signer.h"
#include "cli/cli_test_util.h"
#include "cli/json_parse.h"

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::Json;
using clitest::JsonParser;
using clitest::ReadFile;
using clitest::Run;
using clitest::TempDir;
using clitest::WriteFile;

// A vendor workspace: key pair, image and changelog.
struct Vendor {
  TempDir dir;
  Vendor() {
    auto r = Candor(dir, {"keygen", "--name", "acme.example", "--out", dir / "vendor"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    clitest::WriteImage(dir / "fw.bin", 200000);
    WriteFile(dir / "CHANGELOG.md", "# 2.4.1\n\n- Better colour profiles\n");
  }
  std::vector<std::string> CreateArgs(const std::string& out = "r.entry") const {
    return {"release",     "create",
            "--key",       dir / "vendor.key",
            "--product",   "printer-x",
            "--version",   "2.4.1",
            "--rollback",  "17",
            "--image",     dir / "fw.bin",
            "--changelog", dir / "CHANGELOG.md",
            "--issued",    "2026-03-01T12:00:00Z",
            "--out",       dir / out};
  }
  Run Create(std::vector<std::string> extra = {}, const std::string& out = "r.entry") const {
    auto args = CreateArgs(out);
    args.insert(args.end(), extra.begin(), extra.end());
    return Candor(dir, args);
  }
};

TEST_CASE("release create writes an entry that parses and binds every field") {
  Vendor v;
  auto r = v.Create({"--product", "printer-a", "--disclose",
                     "consumables.third-party=blocked,effective=2026-09-13", "--disclose",
                     "x-acme.example/eco-mode=on"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(Contains(r.out, "2 disclosures"));
  std::string entry = ReadFile(v.dir / "r.entry");
  auto parsed = ParseReleaseEntry(AsBytes(entry));
  REQUIRE(parsed.ok());
  const Manifest& m = parsed->manifest;
  CHECK(m.vendor == "acme.example");
  CHECK(m.products == std::vector<std::string>{"printer-a", "printer-x"});
  CHECK(m.version == "2.4.1");
  CHECK(m.rollback == 17);
  CHECK(m.image_size == 200000);
  CHECK(m.image_sha256 == Sha256Digest(ReadFile(v.dir / "fw.bin")));
  CHECK(m.issued == 1772366400);
  REQUIRE(m.disclosures.size() == 2);
  CHECK(parsed->changelog == ReadFile(v.dir / "CHANGELOG.md"));
  // No temporary files are left beside the output.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(v.dir.path())) {
    (void)e;
    ++files;
  }
  CHECK(files == 5);  // vendor.key, vendor.pub, fw.bin, CHANGELOG.md, r.entry
}

TEST_CASE("release create streams a multi-chunk image") {
  Vendor v;
  clitest::WriteImage(v.dir / "fw.bin", 5 * 65536 + 123, 7);
  auto r = v.Create();
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.empty());  // no progress bar when stderr is not a terminal
  auto parsed = ParseReleaseEntry(AsBytes(ReadFile(v.dir / "r.entry")));
  REQUIRE(parsed.ok());
  CHECK(parsed->manifest.image_sha256 == Sha256Digest(ReadFile(v.dir / "fw.bin")));
  CHECK(parsed->manifest.image_size == 5 * 65536 + 123);
}

TEST_CASE("release create refusals") {
  Vendor v;
  std::string big_changelog(kMaxChangelogSize + 1, 'a');
  big_changelog.back() = '\n';
  std::vector<std::string> many;
  for (int i = 0; i < 60; ++i) {
    many.push_back("--disclose");
    many.push_back("x-acme.example/k" + std::to_string(i) + "=" + std::string(250, 'v'));
  }
  struct Case {
    std::string name;
    std::string changelog;  // replaces CHANGELOG.md when non-empty
    std::vector<std::string> extra;
    Code code;
    std::string message;
  };
  const Case cases[] = {
      {"unknown kind",
       "",
       {"--disclose", "frobnicate=yes"},
       Code::kInvalidArgument,
       "unknown disclosure kind 'frobnicate'"},
      {"kind outside vendor namespace",
       "",
       {"--disclose", "x-other.example/thing=on"},
       Code::kMalformed,
       "x-other.example"},
      {"bad value of a known kind",
       "",
       {"--disclose", "consumables.third-party=sometimes"},
       Code::kMalformed,
       "consumables.third-party"},
      {"bad effective date",
       "",
       {"--disclose", "consumables.third-party=blocked,effective=2026-02-30"},
       Code::kMalformed,
       "--disclose"},
      {"no value",
       "",
       {"--disclose", "consumables.third-party"},
       Code::kInvalidArgument,
       "KIND=VALUE"},
      {"changelog not UTF-8", "caf\xe9 au lait\n", {}, Code::kMalformed, "not valid UTF-8"},
      {"changelog with CRLF", "line one\r\nline two\r\n", {}, Code::kMalformed, "carriage returns"},
      {"changelog with control chars", "bell\x07\n", {}, Code::kMalformed, "not valid UTF-8"},
      {"changelog with a right-to-left override",
       "fixed \xE2\x80\xAEkcol\n",
       {},
       Code::kMalformed,
       "U+202E"},
      {"changelog of combining marks only",
       "\xCC\x81\xCC\x81\n",
       {},
       Code::kMalformed,
       "no visible character"},
      {"disclosure value with TAG characters",
       "",
       {"--disclose", "feature-removal=fax\xF3\xA0\x81\xA1"},
       Code::kMalformed,
       "U+E0061"},
      {"disclosure value of a Hangul filler",
       "",
       {"--disclose", "feature-removal=\xE3\x85\xA4"},
       Code::kMalformed,
       "U+3164"},
      {"telemetry none next to a destination",
       "",
       {"--disclose", "telemetry=none", "--disclose", "telemetry=crash to t.acme.example"},
       Code::kMalformed,
       "contradictory"},
      {"allowed now and blocked since a past date",
       "",
       {"--disclose", "consumables.third-party=allowed", "--disclose",
        "consumables.third-party=blocked,effective=2020-01-01"},
       Code::kMalformed,
       "contradictory"},
      {"changelog too large", big_changelog, {}, Code::kTooLarge, "64 KiB entry limit"},
      {"entry over the log limit", "", many, Code::kTooLarge, "entry limit"},
      {"bad version", "", {"--version", "2.4.1 beta"}, Code::kMalformed, "version"},
      {"rollback with a leading zero",
       "",
       {"--rollback", "017"},
       Code::kInvalidArgument,
       "--rollback"},
      {"rollback above 2^64-1",
       "",
       {"--rollback", "18446744073709551616"},
       Code::kInvalidArgument,
       "too large"},
      {"bad issued time", "", {"--issued", "2026-03-01 12:00"}, Code::kInvalidArgument, "--issued"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    WriteFile(v.dir / "CHANGELOG.md", c.changelog.empty() ? std::string("# ok\n") : c.changelog);
    std::vector<std::string> args = v.CreateArgs();
    // Options that CreateArgs already sets are replaced in place.
    auto it = std::find(args.begin(), args.end(), c.extra.empty() ? "" : c.extra[0]);
    if (c.extra.size() == 2 && it != args.end() &&
        (c.extra[0] == "--version" || c.extra[0] == "--issued" || c.extra[0] == "--rollback")) {
      *(it + 1) = c.extra[1];
    } else {
      args.insert(args.end(), c.extra.begin(), c.extra.end());
    }
    auto r = Candor(v.dir, args);
    CHECK(r.exit_code == ExitCodeFor(c.code));
    CHECK_MESSAGE(Contains(r.err, c.message), r.err);
    CHECK(!clitest::Exists(v.dir / "r.entry"));
  }
  // Usage errors (the parser's) exit 1.
  auto args = v.CreateArgs();
  args.push_back("--rollback");
  auto r = Candor(v.dir, args);
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.err, "rollback"));
  CHECK(!clitest::Exists(v.dir / "r.entry"));
}

TEST_CASE("release create input and output file refusals") {
  Vendor v;
  REQUIRE(v.Create().exit_code == 0);
  const std::string first = ReadFile(v.dir / "r.entry");
  auto again = v.Create();
  CHECK(again.exit_code == ExitCodeFor(Code::kConflict));
  CHECK(Contains(again.err, "--force"));
  CHECK(ReadFile(v.dir / "r.entry") == first);
  clitest::WriteImage(v.dir / "fw.bin", 1000, 9);
  auto forced = v.Create({"--force"});
  CHECK(forced.exit_code == 0);
  CHECK(ReadFile(v.dir / "r.entry") != first);

  WriteFile(v.dir / "fw.bin", "");
  auto empty = v.Create({}, "e.entry");
  CHECK(empty.exit_code == ExitCodeFor(Code::kInvalidArgument));
  CHECK(Contains(empty.err, "empty"));
  std::filesystem::remove(v.dir / "fw.bin");
  auto missing = v.Create({}, "e.entry");
  CHECK(missing.exit_code == ExitCodeFor(Code::kNotFound));
  clitest::WriteImage(v.dir / "fw.bin", 1000);

  // A witness key is not a vendor key; a group-readable key file is refused.
  REQUIRE(Candor(v.dir, {"keygen", "--name", "w.example", "--type", "cosignature", "--out",
                         v.dir / "witness"})
              .exit_code == 0);
  auto args = v.CreateArgs("e.entry");
  args[3] = v.dir / "witness.key";
  auto wrong_type = Candor(v.dir, args);
  CHECK(wrong_type.exit_code == ExitCodeFor(Code::kInvalidArgument));
  CHECK(Contains(wrong_type.err, "witness"));
  ::chmod((v.dir / "vendor.key").c_str(), 0644);
  auto readable = v.Create({}, "e.entry");
  CHECK(readable.exit_code == ExitCodeFor(Code::kPolicyUnsatisfied));
  CHECK(!clitest::Exists(v.dir / "e.entry"));
}

TEST_CASE("release show: human and JSON output, entry and bundle input") {
  Vendor v;
  // Quotes, backslashes, tabs and non-ASCII exercise the JSON escaping.
  const std::string changelog =
      "# 2.4.1 \"Cartridge\" \\ update\n\n\t- Déjà vu: ∑ ✓\n- blocks 3rd-party ink\n";
  WriteFile(v.dir / "CHANGELOG.md", changelog);
  REQUIRE(v.Create({"--disclose", "consumables.third-party=blocked,effective=2026-09-13",
                    "--disclose", "security-fix=CVE-2026-0001"})
              .exit_code == 0);

  auto human = Candor(v.dir, {"release", "show", v.dir / "r.entry"});
  REQUIRE_MESSAGE(human.exit_code == 0, human.err);
  CHECK(Contains(human.out, "version     2.4.1"));
  CHECK(Contains(human.out, "! Third-party consumables"));
  CHECK(Contains(human.out, "effective 2026-09-13"));
  CHECK(Contains(human.out, "  - blocks 3rd-party ink\n"));

  auto js = Candor(v.dir, {"release", "show", "--json", v.dir / "r.entry"});
  REQUIRE_MESSAGE(js.exit_code == 0, js.err);
  auto doc = JsonParser::Parse(js.out);
  REQUIRE_MESSAGE(doc.has_value(), js.out);
  REQUIRE(doc->type == Json::kObject);
  CHECK(doc->Get("vendor")->text == "acme.example");
  CHECK(doc->Get("version")->text == "2.4.1");
  CHECK(doc->Get("rollback")->text == "17");
  CHECK(doc->Get("image_size")->text == "200000");
  CHECK(doc->Get("issued")->text == "2026-03-01T12:00:00Z");
  CHECK(doc->Get("changelog")->text == changelog);
  CHECK(doc->Get("bundle")->type == Json::kNull);
  const Json* list = doc->Get("disclosures");
  REQUIRE(list != nullptr);
  REQUIRE(list->items.size() == 2);
  bool saw_block = false;
  for (const Json& d : list->items) {
    if (d.Get("kind")->text == "consumables.third-party") {
      saw_block = true;
      CHECK(d.Get("value")->text == "blocked");
      CHECK(d.Get("effective")->text == "2026-09-13");
      CHECK(d.Get("restrictive")->boolean);
    } else {
      CHECK(d.Get("effective")->type == Json::kNull);
    }
  }
  CHECK(saw_block);

  // A bundle shows the same release plus where it claims to be logged.
  auto log_key = GenerateKey("log.example/test");
  REQUIRE(log_key.ok());
  WriteFile(v.dir / "fw.bundle",
            clitest::MakeSingleEntryBundle(ReadFile(v.dir / "r.entry"), log_key->first, {}, 0));
  auto from_bundle = Candor(v.dir, {"release", "show", v.dir / "fw.bundle", "--json"});
  REQUIRE_MESSAGE(from_bundle.exit_code == 0, from_bundle.err);
  auto bdoc = JsonParser::Parse(from_bundle.out);
  REQUIRE(bdoc.has_value());
  CHECK(bdoc->Get("changelog")->text == changelog);
  const Json* b = bdoc->Get("bundle");
  REQUIRE(b != nullptr);
  REQUIRE(b->type == Json::kObject);
  CHECK(b->Get("log_index")->text == "0");
  CHECK(b->Get("log_origin")->text == "log.example/test");
  CHECK(b->Get("verified")->boolean == false);
}

TEST_CASE("release show refuses damaged input") {
  Vendor v;
  REQUIRE(v.Create().exit_code == 0);
  std::string entry = ReadFile(v.dir / "r.entry");
  std::string flipped = entry;
  flipped[flipped.size() - 3] ^= 0x01;  // inside the changelog: hash mismatch
  WriteFile(v.dir / "bad.entry", flipped);
  auto r = Candor(v.dir, {"release", "show", v.dir / "bad.entry"});
  CHECK(r.exit_code == ExitCodeFor(Code::kMismatch));
  WriteFile(v.dir / "junk", "not an entry");
  CHECK(Candor(v.dir, {"release", "show", v.dir / "junk"}).exit_code ==
        ExitCodeFor(Code::kMalformed));
  WriteFile(v.dir / "bad.bundle", "c2sp.org/tlog-proof@v1\nindex x\n");
  CHECK(Candor(v.dir, {"release", "show", v.dir / "bad.bundle"}).exit_code ==
        ExitCodeFor(Code::kMalformed));
  CHECK(Candor(v.dir, {"release", "show", v.dir / "absent"}).exit_code ==
        ExitCodeFor(Code::kNotFound));
}

}  // namespace
}  // namespace candor
