// The c2sp.org/tlog-witness wire format (candor/witness_protocol.h): the
// add-checkpoint request body a witness parses, the 409 size body and the 200
// cosignature-lines body a log client parses.
// Properties: format(parse(x)) == x byte for byte for all three; at most 63
// proof lines; a request's checkpoint ends in "\n".
#include <cstddef>
#include <cstdint>
#include <string>

#include "candor/witness_protocol.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);

  auto request = ParseAddCheckpointRequest(text);
  if (request.ok()) {
    CANDOR_FUZZ_CHECK(size <= kMaxAddCheckpointBodySize);
    CANDOR_FUZZ_CHECK(request->proof.size() <= kMaxWitnessProofLines);
    CANDOR_FUZZ_CHECK(!request->checkpoint.empty() && request->checkpoint.back() == '\n');
    const std::string formatted = FormatAddCheckpointRequest(*request);
    CANDOR_FUZZ_CHECK(formatted == text);
    auto again = ParseAddCheckpointRequest(formatted);
    CANDOR_FUZZ_CHECK(again.ok() && again->old_size == request->old_size &&
                      again->proof == request->proof && again->checkpoint == request->checkpoint);
  }

  auto tlog_size = ParseTlogSize(text);
  if (tlog_size.ok()) CANDOR_FUZZ_CHECK(FormatTlogSize(*tlog_size) == text);

  auto lines = ParseCosignatureLines(text);
  if (lines.ok()) {
    CANDOR_FUZZ_CHECK(!lines->empty());
    std::string joined;
    for (const NoteSignature& sig : *lines) joined += FormatSignatureLine(sig);
    CANDOR_FUZZ_CHECK(joined == text);
  }
  return 0;
}
