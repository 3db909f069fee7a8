// CreateObservation (candor/observation_signer.h).
#include "candor/observation_signer.h"

#include <array>

namespace candor {

Result<std::string> CreateObservation(Observation o, const Signer& observer) {
  o.observer_key = observer.public_key();
  if (o.observer.empty()) o.observer = o.observer_key.name.substr(0, o.observer_key.name.find('/'));
  SortDisclosures(o.findings);
  for (size_t i = 1; i < o.findings.size(); ++i) {
    if (o.findings[i - 1] == o.findings[i]) {
      return Status::Malformed("the same finding twice: " + o.findings[i].kind + " " +
                               o.findings[i].value);
    }
  }
  CANDOR_ASSIGN_OR_RETURN(std::string text, FormatObservationText(o));
  const std::array<const Signer*, 1> signers = {&observer};
  CANDOR_ASSIGN_OR_RETURN(std::string note, SignNote(text, signers));
  if (note.size() > kMaxObservationSize) {
    return Status::TooLarge("signed observation exceeds 8192 bytes (shorten the summary)");
  }
  // What we hand out is what every reader will accept.
  CANDOR_RETURN_IF_ERROR(OpenObservation(note).status());
  return note;
}

}  // namespace candor
