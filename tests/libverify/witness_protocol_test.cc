// Tests of the c2sp.org/tlog-witness add-checkpoint wire format
// (candor/witness_protocol.h): round trips and strict refusals.
#include "candor/witness_protocol.h"

#include <doctest/doctest.h>

#include "candor/bytes.h"
#include "candor/sha256.h"

namespace candor {
namespace {

TEST_CASE("witness protocol: request and response formats") {
  AddCheckpointRequest r;
  r.old_size = 20852014;
  r.proof = {Hash{}, Sha256Digest(std::string_view("x"))};
  r.checkpoint = "example.com/x\n1\nAAAA\n\n— k AAAA\n";
  std::string body = FormatAddCheckpointRequest(r);
  CHECK(body.starts_with("old 20852014\n" + Base64Encode(Hash{}) + "\n"));
  auto back = ParseAddCheckpointRequest(body);
  REQUIRE(back.ok());
  CHECK(back->old_size == r.old_size);
  CHECK(back->proof == r.proof);
  CHECK(back->checkpoint == r.checkpoint);

  CHECK(FormatTlogSize(0) == "0\n");
  CHECK(ParseTlogSize("123\n").value() == 123);
  for (const char* bad : {"", "123", "0123\n", "12 \n", "\n", "-1\n", "1\n\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseTlogSize(bad).ok());
  }

  // A cosignature/v1 line: 8-byte timestamp and 64-byte signature after the key ID.
  NoteSignature sig{"witness.example/w1", 0x01020304, Bytes(72, 0x5a)};
  std::string line = FormatSignatureLine(sig);
  auto lines = ParseCosignatureLines(line + line.substr(0));
  CHECK_FALSE(lines.ok());  // a duplicate line
  lines = ParseCosignatureLines(line);
  REQUIRE(lines.ok());
  CHECK((*lines)[0] == sig);
  for (const std::string& bad :
       {std::string(""), std::string("\n"), line + "\n", "\n" + line,
        line.substr(0, line.size() - 1), "hello\n" + line, line + "junk"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseCosignatureLines(bad).ok());
  }
}

}  // namespace
}  // namespace candor
