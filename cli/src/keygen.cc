// `candor keygen`: generates an Ed25519 key pair in the signed-note formats
// (private key file readable by Go's golang.org/x/mod/sumdb/note, verifier key
// line for trust policies).
#include <unistd.h>

#include <ostream>

#include <fmt/format.h>

#include "candor/note.h"
#include "candor/signer.h"
#include "cli.h"
#include "files.h"
#include "options.h"

namespace candor::cli {

Outcome RunKeygen(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "name", po::value<std::string>(),
      "key name (vendor, log origin or witness name; no spaces or '+')")(
      "out", po::value<std::string>(), "write PREFIX.key (private, 0600) and PREFIX.pub")(
      "type", po::value<std::string>()->default_value("ed25519"),
      "ed25519 (vendors, logs) or cosignature (witnesses, cosignature/v1)");
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, nullptr, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx, "keygen --name NAME --out PREFIX [--type ed25519|cosignature]", desc);
    return Status::Ok();
  }
  CANDOR_CLI_USAGE_IF_ERROR(Require(vm, "name"));
  CANDOR_CLI_USAGE_IF_ERROR(Require(vm, "out"));
  const std::string name = vm["name"].as<std::string>();
  const std::string prefix = vm["out"].as<std::string>();
  const std::string type_name = vm["type"].as<std::string>();
  uint8_t type;
  if (type_name == "ed25519") {
    type = kKeyTypeEd25519;
  } else if (type_name == "cosignature" || type_name == "cosignature/v1") {
    type = kKeyTypeCosignatureV1;
  } else {
    return Status::InvalidArgument(
        fmt::format("unknown key type '{}' (expected ed25519 or cosignature)", type_name));
  }
  if (!IsValidKeyName(name)) {
    return Status::InvalidArgument(fmt::format(
        "invalid key name '{}': it must be non-empty UTF-8 without spaces or '+'", name));
  }
  if (prefix.empty()) return Status::InvalidArgument("--out must not be empty");
  const std::string key_path = prefix + ".key";
  const std::string pub_path = prefix + ".pub";
  // Refuse before generating anything: never overwrite a key.
  for (const std::string& p : {key_path, pub_path}) {
    if (PathExists(p)) {
      return Status::Conflict(fmt::format("{} already exists; refusing to overwrite a key", p));
    }
  }
  CANDOR_ASSIGN_OR_RETURN(auto pair, GenerateKey(name, type));
  const std::string vkey = FormatVerifierKey(pair.second);
  CANDOR_RETURN_IF_ERROR(WritePrivateKeyFile(key_path, pair.first));
  Status pub = WriteFileAtomic(pub_path, vkey + "\n", /*force=*/false, 0644);
  if (!pub.ok()) {
    // Do not leave a private key without its public half.
    (void)::unlink(key_path.c_str());
    return pub;
  }
  ctx.out << vkey << "\n";
  ctx.err << fmt::format("wrote {} (private, mode 0600) and {}\n", key_path, pub_path);
  return Status::Ok();
}

}  // namespace candor::cli
