// The device report (candor/device_report.h): the docs/FORMATS.md vector,
// canonical round trip, and a table of malformed inputs, each refused with
// the reason it is malformed.
#include "candor/device_report.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "candor/note.h"

namespace candor {
namespace {

// docs/FORMATS.md "Device report": one checkpoint (the signature is a
// placeholder of the right form; the parser checks framing, not signatures)
// and one installed release.
constexpr std::string_view kNote =
    "example.com/log\n"
    "5\n"
    "SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n"
    "\n"
    "\u2014 example.com/log "
    "AQIDBAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
    "\n";
constexpr std::string_view kLeaf = "n5EWH0NDPkmm3m22gNefYBWfLkrJFyYhoShGQoFYRAs=";

std::string Vector() {
  return std::string(kDeviceReportHeader) + "\ncheckpoint 177\n" + std::string(kNote) +
         "installed printer-x1 2.4.0 7 3 " + std::string(kLeaf) + "\nend\n";
}

// A note of another origin, same shape.
std::string NoteOf(const std::string& origin) {
  return origin + "\n5\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n\n\u2014 " + origin +
         " AQIDBA==\n";
}

std::string Framed(const std::string& note) {
  return "checkpoint " + std::to_string(note.size()) + "\n" + note;
}

std::string Report(const std::string& body) {
  return std::string(kDeviceReportHeader) + "\n" + body + "end\n";
}

TEST_CASE("device report: the FORMATS.md vector parses and round-trips") {
  REQUIRE(kNote.size() == 177);
  auto parsed = ParseDeviceReport(Vector());
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  REQUIRE(parsed->checkpoints.size() == 1);
  CHECK(parsed->checkpoints[0].origin == "example.com/log");
  CHECK(parsed->checkpoints[0].note == kNote);
  REQUIRE(parsed->releases.size() == 1);
  const ReportRelease& rel = parsed->releases[0];
  CHECK(rel.product == "printer-x1");
  CHECK(rel.version == "2.4.0");
  CHECK(rel.rollback == 7);
  CHECK(rel.log_index == 3);
  CHECK(Base64Encode(rel.leaf_hash) == kLeaf);
  CHECK(FormatDeviceReport(*parsed) == Vector());
  CHECK(IsDeviceReport(Vector()));
  CHECK(!IsDeviceReport(kNote));

  std::ifstream in(std::string(CANDOR_SOURCE_DIR) + "/docs/FORMATS.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_MESSAGE(doc.find("```\n" + Vector() + "```\n") != std::string::npos,
                "docs/FORMATS.md must hold the device report vector verbatim");
}

TEST_CASE("device report: round trips of the empty report and of several logs and products") {
  DeviceReport empty;
  CHECK(FormatDeviceReport(empty) == std::string(kDeviceReportHeader) + "\nend\n");
  auto e = ParseDeviceReport(FormatDeviceReport(empty));
  REQUIRE(e.ok());
  CHECK(*e == empty);

  DeviceReport r;
  r.checkpoints = {{"a.example/log", NoteOf("a.example/log")},
                   {"b.example/log", NoteOf("b.example/log")}};
  ReportRelease one{"cam-1", "1.0", 0, 0, {}};
  ReportRelease two{"printer-x1", "9.9.9-rc1", UINT64_MAX, (uint64_t{1} << 63) - 1, {}};
  two.leaf_hash.fill(0xab);
  r.releases = {one, two};
  std::string text = FormatDeviceReport(r);
  auto back = ParseDeviceReport(text);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(*back == r);
  CHECK(FormatDeviceReport(*back) == text);
}

TEST_CASE("device report: malformed inputs are refused, naming why") {
  const std::string leaf(kLeaf);
  const std::string a = Framed(NoteOf("a.example/log"));
  const std::string b = Framed(NoteOf("b.example/log"));
  const std::string inst = "installed printer-x1 2.4.0 7 3 " + leaf + "\n";
  std::string many;
  for (size_t i = 0; i <= kMaxReportCheckpoints; ++i) {
    many += Framed(NoteOf("log" + std::to_string(1000 + i) + ".example"));
  }
  struct Case {
    const char* name;
    std::string text;
    const char* message;
  };
  const Case cases[] = {
      {"empty input", "", "truncated"},
      {"wrong header", "candor.dev/device-report/v2\nend\n", "bad header"},
      {"a bare checkpoint note", std::string(kNote), "bad header"},
      {"no end line", std::string(kDeviceReportHeader) + "\n" + a, "truncated"},
      {"end without newline", std::string(kDeviceReportHeader) + "\nend", "truncated"},
      {"data after end", Report("") + "x\n", "data after the end line"},
      {"CRLF line ends", std::string(kDeviceReportHeader) + "\r\nend\r\n", "bad header"},
      {"unknown line", Report("firmware x\n"), "unknown line"},
      {"blank line", Report("\n"), "unknown line"},
      {"length not canonical", Report("checkpoint 0177\n" + std::string(kNote)),
       "bad checkpoint length"},
      {"length missing", Report("checkpoint \n"), "bad checkpoint length"},
      {"length zero", Report("checkpoint 0\n"), "empty checkpoint note"},
      {"length beyond the data", std::string(kDeviceReportHeader) + "\ncheckpoint 9999\nabc\n",
       "truncated checkpoint note"},
      {"length above the note limit", Report("checkpoint 1048577\n"), "note limit"},
      {"length one short (note without its newline)",
       Report("checkpoint 176\n" + std::string(kNote)), "does not end in a newline"},
      {"length one long (swallows the next line's first byte)",
       Report("checkpoint 178\n" + std::string(kNote)), "does not end in a newline"},
      {"NUL in the note", Report(Framed(std::string("x\0y\n", 4))), "NUL"},
      {"note without an origin line", Report(Framed("\n5\n")), "without an origin"},
      {"checkpoints out of order", Report(b + a), "ascending order of origin"},
      {"the same origin twice", Report(a + a), "ascending order of origin"},
      {"checkpoint after an installed release", Report(inst + a), "after an installed release"},
      {"too many checkpoints", Report(many), "too many checkpoints"},
      {"installed: four fields", Report("installed printer-x1 2.4.0 7 3\n"), "installed needs"},
      {"installed: six fields", Report("installed printer-x1 2.4.0 7 3 " + leaf + " x\n"),
       "installed needs"},
      {"installed: double space", Report("installed printer-x1  2.4.0 7 3 " + leaf + "\n"),
       "installed needs"},
      {"installed: trailing space", Report("installed printer-x1 2.4.0 7 3 " + leaf + " \n"),
       "installed needs"},
      {"installed: bad product id", Report("installed _printer 2.4.0 7 3 " + leaf + "\n"),
       "bad product id"},
      {"installed: bad version", Report("installed printer-x1 -2.4 7 3 " + leaf + "\n"),
       "bad version"},
      {"installed: rollback not canonical",
       Report("installed printer-x1 2.4.0 07 3 " + leaf + "\n"), "bad rollback"},
      {"installed: rollback above 2^64-1",
       Report("installed printer-x1 2.4.0 18446744073709551616 3 " + leaf + "\n"), "bad rollback"},
      {"installed: log index above 2^63-1",
       Report("installed printer-x1 2.4.0 7 9223372036854775808 " + leaf + "\n"), "bad log index"},
      {"installed: leaf hash not base64", Report("installed printer-x1 2.4.0 7 3 not-b64\n"),
       "bad leaf hash"},
      {"installed: leaf hash of 31 bytes",
       Report("installed printer-x1 2.4.0 7 3 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n"),
       "bad leaf hash"},
      {"installed: products out of order",
       Report("installed zz 1 1 1 " + leaf + "\ninstalled aa 1 1 1 " + leaf + "\n"),
       "ascending order of product"},
      {"installed: the same product twice", Report(inst + inst), "ascending order of product"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto r = ParseDeviceReport(c.text);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kMalformed);
    CHECK_MESSAGE(r.status().message().find(c.message) != std::string::npos, r.status().message());
  }
}

TEST_CASE("device report: larger than the limit is kTooLarge before anything is parsed") {
  std::string text = Report("");
  text.resize(kMaxDeviceReportSize + 1, '\n');
  auto r = ParseDeviceReport(text);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == Code::kTooLarge);
  // At the limit it is parsed (and refused for its content, not its size).
  text.resize(kMaxDeviceReportSize);
  CHECK(ParseDeviceReport(text).status().code() == Code::kMalformed);
}

}  // namespace
}  // namespace candor
