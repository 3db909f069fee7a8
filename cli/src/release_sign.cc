// `candor release sign --key KEY release.entry`: adds one signature of a
// k-of-n signer list to a release entry, offline (docs/SIGNING.md "k-of-n releases"). The
// entry is parsed and verified whole first; the file is replaced atomically
// and left untouched on any error.
#include <memory>
#include <ostream>

#include <fmt/format.h>

#include "candor/fs/read_file.h"
#include "candor/release.h"
#include "candor/release_signer.h"
#include "cli.h"
#include "describe.h"
#include "files.h"
#include "options.h"

namespace candor::cli {

Outcome RunReleaseSign(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "key", po::value<std::string>(), "private key of one key of the entry's signer list")(
      "entry", po::value<std::string>(), "release entry to sign in place");
  po::positional_options_description pos;
  pos.add("entry", 1);
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, &pos, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx, "release sign --key KEY release.entry", desc);
    return Status::Ok();
  }
  CANDOR_CLI_USAGE_IF_ERROR(Require(vm, "key"));
  if (!vm.count("entry")) return UsageError(Status::InvalidArgument("missing release.entry"));
  const std::string path = vm["entry"].as<std::string>();
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Signer> key,
                          OpenReleaseSigner(vm["key"].as<std::string>()));
  CANDOR_ASSIGN_OR_RETURN(Bytes entry, fs::ReadFileBytes(path, kMaxReleaseEntrySize));
  Result<Bytes> signed_entry = AddReleaseSignature(entry, *key);
  if (!signed_entry.ok()) return signed_entry.status().WithContext(path);
  // Replaces the file in one rename: a reader sees the old or the new entry.
  CANDOR_RETURN_IF_ERROR(WriteFileAtomic(path, AsChars(*signed_entry), true));
  CANDOR_ASSIGN_OR_RETURN(ReleaseEntry release, ParseReleaseEntry(*signed_entry));
  ctx.out << fmt::format("signed {} with {}\n", path, key->public_key().name);
  PrintSignersHuman(release, ctx.out);
  return Status::Ok();
}

}  // namespace candor::cli
