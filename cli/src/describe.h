// Presenting a release to people and to scripts: shared by `candor release
// show` and `candor verify` so that both describe a release identically.
//
// Thread-safety: pure functions writing to the given stream / writer.
#ifndef CANDOR_CLI_DESCRIBE_H_
#define CANDOR_CLI_DESCRIBE_H_

#include <iosfwd>
#include <string>

#include "candor/disclosure.h"
#include "candor/release.h"
#include "json.h"

namespace candor::cli {

// The manifest fields, one per line, indented by two spaces.
void PrintManifestHuman(const Manifest& m, std::ostream& out);

// "Disclosures (N):" then one line per disclosure, restrictive ones marked
// with "!", with the effective date and the exact KIND=VALUE form; or
// "Disclosures: none".
void PrintDisclosuresHuman(const Manifest& m, std::ostream& out);

// "Changelog:" then the changelog, each line indented.
void PrintChangelogHuman(const std::string& changelog, std::ostream& out);

// Writes one disclosure as a JSON object: kind, value, effective (date or
// null), restrictive, known_kind, description. The one disclosure shape of
// every `--json` output of `candor` (release show, audit; docs/AUDIT.md).
void WriteDisclosureJson(const Disclosure& d, JsonWriter& json);

// The release's signer list, each key marked signed or pending.
void PrintSignersHuman(const ReleaseEntry& release, std::ostream& out);

// Writes the release as JSON object members (the caller has opened the object).
void WriteReleaseJsonMembers(const ReleaseEntry& release, JsonWriter& json);

}  // namespace candor::cli

#endif  // CANDOR_CLI_DESCRIBE_H_
