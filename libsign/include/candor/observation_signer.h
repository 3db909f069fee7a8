// Creating observations (candor/observation.h, docs/FORMATS.md "Observation"):
// the observer's side of `candor observe create`.
//
// Thread-safety: pure functions; the Signer's own rules apply (signing_key.h).
#ifndef CANDOR_OBSERVATION_SIGNER_H_
#define CANDOR_OBSERVATION_SIGNER_H_

#include <string>

#include "candor/observation.h"
#include "candor/signing_key.h"
#include "candor/status.h"

namespace candor {

// Signs `o` with `observer`, whose public key becomes `observer-key`; an
// empty `o.observer` is taken from the key name up to its first '/'. Findings
// are sorted into canonical order here (a duplicate is refused). Returns the
// signed note (= the log entry), checked by OpenObservation before it is
// returned. kMalformed for a field that breaks a rule (naming it), kTooLarge
// over kMaxObservationSize, the signer's own errors as they are.
Result<std::string> CreateObservation(Observation o, const Signer& observer);

}  // namespace candor

#endif  // CANDOR_OBSERVATION_SIGNER_H_
