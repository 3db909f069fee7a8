// `candor keygen`: generates an Ed25519 key pair in the signed-note formats
// (private key file readable by Go's golang.org/x/mod/sumdb/note, verifier key
// line for trust policies).
#include <unistd.h>

#include <ostream>

#include <fmt/format.h>

#include "candor/fs/read_file.h"
#include "candor/note.h"
#include "candor/pkcs11_signer.h"
#include "candor/signer.h"
#include "candor/signing_key.h"
#include "candor/ssh_agent.h"
#include "cli.h"
#include "files.h"
#include "options.h"

namespace candor::cli {
namespace {

// The verifier key for an OpenSSH Ed25519 public key file.
Result<VerifierKey> VerifierKeyFromSsh(const std::string& path, const std::string& name,
                                       uint8_t type) {
  CANDOR_ASSIGN_OR_RETURN(std::string line, fs::ReadFile(path, kMaxVerifierKeyFileSize));
  Result<std::array<uint8_t, 32>> pk = ParseSshEd25519PublicKey(line);
  if (!pk.ok()) return pk.status().WithContext(path);
  return MakeVerifierKey(name, type, *pk);
}

}  // namespace

Outcome RunKeygen(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "name", po::value<std::string>(),
      "key name (vendor, log origin or witness name; no spaces or '+')")(
      "out", po::value<std::string>(), "write PREFIX.key (private, 0600) and PREFIX.pub")(
      "type", po::value<std::string>()->default_value("ed25519"),
      "ed25519 (vendors, logs) or cosignature (witnesses, cosignature/v1)")(
      "pkcs11", po::value<std::string>(),
      "generate the key pair ON this PKCS#11 token (RFC 7512 URI, docs/SIGNING.md); write "
      "only PREFIX.pub")("from-ssh-pubkey", po::value<std::string>(),
                         "write PREFIX.pub for this OpenSSH Ed25519 public key (id_ed25519.pub), "
                         "to sign through ssh-agent");
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, nullptr, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx,
                     "keygen --name NAME --out PREFIX [--type ed25519|cosignature] "
                     "[--pkcs11 URI | --from-ssh-pubkey FILE.pub]",
                     desc);
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
  if (vm.count("pkcs11") && vm.count("from-ssh-pubkey")) {
    return UsageError(Status::InvalidArgument("--pkcs11 and --from-ssh-pubkey exclude each other"));
  }
  if (vm.count("pkcs11") || vm.count("from-ssh-pubkey")) {
    if (PathExists(pub_path)) {
      return Status::Conflict(
          fmt::format("{} already exists; refusing to overwrite a key", pub_path));
    }
    Result<VerifierKey> pub =
        vm.count("pkcs11")
            ? GeneratePkcs11Key(vm["pkcs11"].as<std::string>(), name, type)
            : VerifierKeyFromSsh(vm["from-ssh-pubkey"].as<std::string>(), name, type);
    if (!pub.ok()) return pub.status();
    const std::string vkey = FormatVerifierKey(*pub);
    CANDOR_RETURN_IF_ERROR(WriteFileAtomic(pub_path, vkey + "\n", /*force=*/false, 0644));
    ctx.out << vkey << "\n";
    ctx.err << fmt::format("wrote {} ({})\n", pub_path,
                           vm.count("pkcs11") ? "the private key stays on the token"
                                              : "sign with --key ssh-agent:" + pub_path);
    return Status::Ok();
  }
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
