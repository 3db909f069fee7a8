// `candor release show`: prints a release entry or a bundle's entry for
// people (manifest, disclosures with restrictive ones marked, changelog) or as
// JSON for scripts. The vendor signature is checked against the key the
// manifest names (ParseReleaseEntry); whether that key is trusted, and whether
// the entry is really logged, is what `candor verify` decides.
#include <ostream>

#include <fmt/format.h>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "candor/tlog_proof.h"
#include "cli.h"
#include "describe.h"
#include "files.h"
#include "json.h"
#include "options.h"

namespace candor::cli {
namespace {

struct ShowInput {
  Bytes entry;
  std::optional<Bundle> bundle;
  std::optional<Checkpoint> checkpoint;  // from the bundle, NOT verified
};

Result<ShowInput> LoadInput(const std::string& path) {
  // A bundle, or a bare release entry, which is smaller than any bundle.
  CANDOR_ASSIGN_OR_RETURN(std::string text, fs::ReadFile(path, kMaxBundleSize));
  ShowInput in;
  std::string header = std::string(kTlogProofHeader) + "\n";
  if (text.starts_with(header)) {
    Result<Bundle> bundle = ParseBundle(text);
    if (!bundle.ok()) return bundle.status().WithContext(path + ": not a valid bundle");
    in.entry = bundle->entry;
    Result<SignedCheckpoint> cp = ParseSignedCheckpointUnverified(bundle->checkpoint_note);
    if (cp.ok()) in.checkpoint = cp->checkpoint;
    in.bundle = std::move(bundle).value();
  } else {
    in.entry.assign(text.begin(), text.end());
  }
  return in;
}

}  // namespace

Outcome RunReleaseShow(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("json", "machine-readable JSON on stdout")(
      "input", po::value<std::string>(), "release.entry or fw.bundle");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, &pos, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx, "release show (release.entry | fw.bundle) [--json]", desc);
    return Status::Ok();
  }
  if (!vm.count("input"))
    return UsageError(Status::InvalidArgument("missing release.entry or fw.bundle"));
  const std::string path = vm["input"].as<std::string>();
  CANDOR_ASSIGN_OR_RETURN(ShowInput in, LoadInput(path));
  Result<ReleaseEntry> parsed = ParseReleaseEntry(in.entry);
  if (!parsed.ok()) return parsed.status().WithContext(path + ": invalid release entry");
  const ReleaseEntry& release = *parsed;
  const Hash leaf = LeafHash(in.entry);

  if (vm.count("json")) {
    JsonWriter json;
    json.BeginObject();
    WriteReleaseJsonMembers(release, json);
    json.Key("leaf_hash");
    json.String(HexEncode(leaf));
    json.Key("entry_size");
    json.Uint(in.entry.size());
    json.Key("bundle");
    if (in.bundle) {
      json.BeginObject();
      json.Key("log_index");
      json.Uint(in.bundle->index);
      json.Key("log_origin");
      if (in.checkpoint) {
        json.String(in.checkpoint->origin);
      } else {
        json.Null();
      }
      json.Key("tree_size");
      if (in.checkpoint) {
        json.Uint(in.checkpoint->size);
      } else {
        json.Null();
      }
      json.Key("verified");
      json.Bool(false);
      json.EndObject();
    } else {
      json.Null();
    }
    json.EndObject();
    ctx.out << json.Finish();
    return Status::Ok();
  }

  const Manifest& m = release.manifest;
  ctx.out << fmt::format("Release {} {} by {}\n", fmt::join(m.products, ","), m.version, m.vendor);
  PrintManifestHuman(m, ctx.out);
  ctx.out << fmt::format("  leaf hash   {}\n", HexEncode(leaf));
  if (m.cosigners.empty()) {
    ctx.out << "  signature   valid, by the vendor key named in the manifest\n"
               "              (whether that key is trusted is the device policy's decision)\n";
  } else {
    PrintSignersHuman(release, ctx.out);
  }
  if (in.bundle) {
    if (in.checkpoint) {
      ctx.out << fmt::format(
          "  log         index {} in {} (tree size {}); not verified here,\n"
          "              use `candor verify`\n",
          in.bundle->index, in.checkpoint->origin, in.checkpoint->size);
    } else {
      ctx.out << fmt::format("  log         index {}; checkpoint unreadable\n", in.bundle->index);
    }
  }
  ctx.out << "\n";
  PrintDisclosuresHuman(m, ctx.out);
  ctx.out << "\n";
  PrintChangelogHuman(release.changelog, ctx.out);
  return Status::Ok();
}

}  // namespace candor::cli
