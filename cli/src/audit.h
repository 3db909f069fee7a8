// `candor audit`: the command-line face of the auditor (docs/AUDIT.md). The
// engine (sync, index, flags, gossip, feeds) is candor_audit in auditor/; this
// header is what the face's files share: the subcommands, the options several
// of them take, and the JSON shapes of releases and flags.
//
// Every subcommand parses with ParseArgs (options.h: no abbreviations) and
// reports command-line mistakes as usage errors (exit 1, docs/EXIT_CODES.md).
// JSON is written with JsonWriter in its compact style: one document per line,
// as `watch --json` prints its events.
//
// Thread-safety: runs on the main thread.
#ifndef CANDOR_CLI_AUDIT_H_
#define CANDOR_CLI_AUDIT_H_

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "candor/audit/analysis.h"
#include "candor/audit/index.h"
#include "candor/audit/mirror.h"
#include "candor/audit/observations.h"
#include "candor/audit/sync.h"
#include "candor/note.h"
#include "cli.h"
#include "json.h"
#include "options.h"

namespace candor::cli {

// The subcommands, with the arguments after "audit <name>".
Outcome RunAuditSync(const Args& args, Context& ctx);    // audit_sync.cc
Outcome RunAuditWatch(const Args& args, Context& ctx);   // audit_watch.cc
Outcome RunAuditList(const Args& args, Context& ctx);    // audit_query.cc
Outcome RunAuditShow(const Args& args, Context& ctx);    // audit_show.cc
Outcome RunAuditDiff(const Args& args, Context& ctx);    // audit_query.cc
Outcome RunAuditFlags(const Args& args, Context& ctx);   // audit_query.cc
Outcome RunAuditGossip(const Args& args, Context& ctx);  // audit_gossip.cc
Outcome RunAuditTrust(const Args& args, Context& ctx);   // audit_trust.cc
Outcome RunAuditFind(const Args& args, Context& ctx);    // audit_find.cc
Outcome RunAuditExport(const Args& args, Context& ctx);  // audit_export.cc

// The options several subcommands share, defined once so that their names,
// help texts and defaults stay the same everywhere. Call them in the order the
// options should appear in `--help`.
void AddHelpOption(po::options_description& desc);
void AddDirOption(po::options_description& desc, std::string* dir);
// --vendor/--product, repeatable; `verb` starts the help text ("only", "watch").
struct AuditFilter {
  std::vector<std::string> vendors, products;  // any of; empty: all
};
void AddFilterOptions(po::options_description& desc, AuditFilter* filter,
                      const char* verb = "only");
void AddJsonOption(po::options_description& desc, bool* json, const char* help = "JSON output");

// Parses `args` into `vm` (ParseArgs). Returns the Outcome the subcommand
// returns at once: a usage error, or success after printing the help (with
// "usage: candor audit <synopsis>") for --help; nullopt to go on.
std::optional<Outcome> ParseAuditArgs(const Args& args, const po::options_description& desc,
                                      const po::positional_options_description* pos,
                                      std::string_view synopsis, Context& ctx,
                                      po::variables_map& vm);

// --log, --log-key, --policy and --ca-file of sync and watch.
struct AuditLogArgs {
  std::string log, key_path, policy_path, ca_file;
};
void AddLogOptions(po::options_description& desc, AuditLogArgs* a);
// Checks sync/watch's required options: a usage error naming `sub` if --log,
// --log-key or --dir is missing.
Status RequireLogArgs(const AuditLogArgs& a, const std::string& dir, std::string_view sub);
// The sync options for `mirror` (locked): the log key, which the mirror
// remembers so that it never mixes two logs (kConflict for another key), and
// the policy (its split-view warning, if any, goes to ctx.err).
Result<audit::SyncOptions> MakeSyncOptions(const AuditLogArgs& a, audit::Mirror& mirror,
                                           Context& ctx);

// An Ed25519 log verifier key from a file (trailing newline and spaces
// ignored).
Result<VerifierKey> ReadLogKey(const std::string& path);

// Unix seconds from the system clock.
int64_t NowSeconds();
// --now SECONDS: the auditor's clock for clock-dependent flags (`activation`),
// for replaying a day; `now` stays -1 without it (then NowSeconds()).
void AddNowOption(po::options_description& desc, int64_t* now);
// `now`, or NowSeconds() when -1; kInvalidArgument outside [0, kMaxUnixSeconds].
Result<int64_t> ResolveNow(int64_t now);

// Prints rows as a left-aligned table (byte widths; good enough for ASCII ids).
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

// A mirror opened for reading (no lock) with its verified state.
struct ReadMirror {
  std::unique_ptr<audit::Mirror> mirror;
  audit::MirrorState state;
};
Result<ReadMirror> OpenMirrorForRead(const std::string& dir);

// Every flag of the verified tree of `size`: the releases' (audit::ComputeFlags),
// the activations that arrived by the day of `now` (audit::ActivationFlags),
// the trust roots' (LoadTrustFlags) and the observations'
// (audit::ObservationFlags), in log order.
Result<std::vector<audit::Flag>> LoadFlags(audit::Mirror& mirror, uint64_t size, int64_t now);
// The same without the activations, which depend on the day: the flags that
// are properties of the tree alone (what `audit export` writes, so that one
// mirror exports the same bytes on any day).
Result<std::vector<audit::Flag>> LoadReleaseFlags(audit::Mirror& mirror, uint64_t size);
// The trust roots' flags (audit/trust_history.h), in log order.
Result<std::vector<audit::Flag>> LoadTrustFlags(audit::Mirror& mirror, uint64_t size);

// The trust root at `log_index` of the verified tree, if that entry is one,
// checked against the mirror's bundle as releases are (audit_trust.cc).
Result<std::optional<audit::TrustRootRow>> FindTrustRoot(ReadMirror& m, uint64_t log_index);
// `show` of a trust root: as text, and as JSON ("type": "trust-root").
void PrintTrustRoot(std::ostream& out, const audit::TrustRootRow& r);
void WriteTrustRootJson(const audit::TrustRootRow& r, JsonWriter& json);
// An observation as `show` presents it: the row and each finding's mark
// (audit::MarkFindings).
struct ShownObservation {
  audit::ObservationRow row;
  std::vector<audit::FindingMark> marks;
  bool unjudged = false;  // no release to judge against: marks say nothing
};
// `o` judged against the product disclosures of the release it is about,
// when its target held in this mirror (unjudged otherwise).
Result<ShownObservation> JudgeObservation(ReadMirror& m, audit::ObservationRow o);
// The observations about release `r` of the verified tree, in log order, each
// judged against r's product disclosures (audit_observations.cc).
Result<std::vector<ShownObservation>> ObservationsAbout(ReadMirror& m, const audit::ReleaseRow& r);
// The `observations:` block of a release's text (after its disclosures).
void PrintObservations(std::ostream& out, const std::vector<ShownObservation>& list);
// `show` of an observation entry itself, and its JSON ("type": "observation").
void PrintObservation(std::ostream& out, const ShownObservation& s);
void WriteObservationJson(const ShownObservation& s, JsonWriter& json);
// Whether a flag concerns the filter's vendors and products (a release-wide
// flag names every product, comma-separated).
bool FlagMatches(const audit::Flag& f, const AuditFilter& filter);

// JSON objects (docs/AUDIT.md "JSON output"). A release's disclosures use the
// one disclosure shape of describe.h (WriteDisclosureJson); `full` adds the
// changelog and the signed manifest note.
void WriteReleaseRowJson(const audit::ReleaseRow& r, bool full, JsonWriter& json);
// The same object with chosen extra members, in this order after
// `disclosures`: `flags` (the kinds given, `export`), `observations` (a count,
// `export`), `changelog`, `manifest`, `observations` (the list, `show`).
struct ReleaseJsonExtras {
  const std::vector<std::string>* flags = nullptr;
  const uint64_t* observations = nullptr;
  bool changelog = false;
  bool manifest = false;
  // `show`: the observations about the release, last.
  const std::vector<ShownObservation>* observation_list = nullptr;
};
void WriteReleaseRowJson(const audit::ReleaseRow& r, const ReleaseJsonExtras& extras,
                         JsonWriter& json);
void WriteFlagJson(const audit::Flag& f, JsonWriter& json);
// `{"tree_size":N,` + `prefix` members + `"releases":[...]}` (list, find).
void WriteReleaseListJson(std::ostream& out, uint64_t tree_size,
                          const std::vector<audit::ReleaseRow>& rows,
                          const std::vector<std::pair<std::string, std::string>>& prefix = {});

}  // namespace candor::cli

#endif  // CANDOR_CLI_AUDIT_H_
