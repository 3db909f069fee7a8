// Interop of observations (docs/FORMATS.md "Observation") with Go's
// golang.org/x/mod/sumdb/note: Go's note.Open verifies the published vector's
// signature under the observer key and reads the same text; Candor's
// CreateObservation signs the vector's fields to the same bytes; Go refuses
// the note once a byte of the text changes.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "candor/observation.h"
#include "candor/observation_signer.h"
#include "candor/signer.h"
#include "candor/signing_key.h"
#include "interop/go_runner.h"
#include "libverify/release_test_util.h"

namespace candor {
namespace {

using testing::RunGo;

std::string Vector() {
  bool ok = false;
  std::string s = testutil::ReadWholeFile(
      std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/observation/lab.observation", &ok);
  REQUIRE(ok);
  return s;
}

TEST_CASE("observation vector: Go verifies the observer's signature; Candor signs the same bytes") {
  const std::string note = Vector();
  auto o = OpenObservation(note);
  REQUIRE_MESSAGE(o.ok(), o.status().ToString());
  SignerKey key;
  key.name = "lab.example/research";
  key.type = kKeyTypeEd25519;
  key.seed.fill(0x61);
  key.key_id = KeyId(key.name, key.type, PublicKeyOf(key).public_key);
  const std::string vkey = FormatVerifierKey(PublicKeyOf(key));
  CHECK(vkey == FormatVerifierKey(o->observation.observer_key));

  char id[9];
  std::snprintf(id, sizeof id, "%08x", key.key_id);
  const std::string text = note.substr(0, note.rfind("\n\n") + 1);
  auto verified = RunGo({"note-verify", vkey}, note);
  CHECK(verified.exit_code == 0);
  CHECK(verified.out == text + "signed-by " + key.name + " " + id + "\n");

  auto made = CreateObservation(o->observation, *MakeKeySigner(key));
  REQUIRE_MESSAGE(made.ok(), made.status().ToString());
  CHECK(*made == note);

  std::string tampered = note;
  tampered.replace(tampered.find("release-index 7"), 15, "release-index 6");
  CHECK(RunGo({"note-verify", vkey}, tampered).exit_code == 1);
}

}  // namespace
}  // namespace candor
