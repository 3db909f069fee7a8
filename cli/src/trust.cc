// `candor trust create|sign|show`: trust roots (candor/trust_root.h,
// docs/CLI.md "candor trust"), offline.
//
// A root file is always a signed note: `create` signs it with the first root
// key (--key), so there is no unsigned intermediate form to store, parse or
// mistake for a root; `sign` adds one more root key's signature in place
// (atomically), and a root becomes usable once root-threshold keys signed.
// Every refusal happens before anything is written.
#include <algorithm>
#include <ctime>
#include <optional>
#include <ostream>

#include <fmt/format.h>

#include "candor/date.h"
#include "candor/policy.h"
#include "candor/signing_key.h"
#include "candor/trust_root.h"
#include "cli.h"
#include "files.h"
#include "json.h"
#include "options.h"

namespace candor::cli {
namespace {

Result<SignedTrustRoot> ReadRootFile(const std::string& path) {
  Result<std::string> text = fs::ReadFile(path, kMaxTrustRootSize);
  if (!text.ok()) return text.status().WithContext("trust root " + path);
  Result<SignedTrustRoot> root = ParseSignedTrustRoot(*text);
  if (!root.ok()) return root.status().WithContext("trust root " + path);
  return root;
}

// A private root key: Ed25519 and one of `root`'s root keys.
Result<std::unique_ptr<Signer>> OpenRootSigner(const std::string& path, const TrustRoot& root) {
  Result<std::unique_ptr<Signer>> key = OpenSigner(path, {.role = "root key"});
  if (!key.ok()) return key.status().WithContext("root key " + DescribeKeySpec(path));
  const VerifierKey& pub = (*key)->public_key();
  if (std::find(root.root_keys.begin(), root.root_keys.end(), pub) == root.root_keys.end()) {
    return Status::UntrustedKey(fmt::format("{} ({}) is not a root key of trust root {} version {}",
                                            DescribeKeySpec(path), pub.name, root.domain,
                                            root.version));
  }
  return key;
}

// What one root key's signature line on the note says.
enum class RootSignature { kValid, kAbsent, kInvalid };

RootSignature SignatureOf(const SignedTrustRoot& root, const VerifierKey& key) {
  Result<size_t> n = CountRootSignatures(root.note, {key});
  if (!n.ok()) return RootSignature::kInvalid;
  return *n == 1 ? RootSignature::kValid : RootSignature::kAbsent;
}

std::string_view SignatureName(RootSignature s) {
  switch (s) {
    case RootSignature::kValid:
      return "valid";
    case RootSignature::kAbsent:
      return "absent";
    case RootSignature::kInvalid:
      return "invalid";
  }
  return "invalid";
}

size_t CountValid(const std::vector<RootSignature>& sigs) {
  return static_cast<size_t>(std::count(sigs.begin(), sigs.end(), RootSignature::kValid));
}

// The root `create` was asked for, checked before anything is signed.
Result<TrustRoot> RootFromOptions(const po::variables_map& vm) {
  TrustRoot root;
  root.domain = vm["domain"].as<std::string>();
  CANDOR_ASSIGN_OR_RETURN(root.version, GetU64(vm, "version", 0));
  if (root.version == 0) return Status::InvalidArgument("--version must be 1 or more");
  Result<int64_t> expires = ParseUtcTime(vm["expires"].as<std::string>());
  if (!expires.ok()) return Status::InvalidArgument("--expires: " + expires.status().message());
  if (*expires <= static_cast<int64_t>(std::time(nullptr))) {
    return Status::InvalidArgument(
        fmt::format("--expires {} is not in the future", vm["expires"].as<std::string>()));
  }
  root.expires_unix = *expires;
  CANDOR_ASSIGN_OR_RETURN(const uint64_t threshold, GetU64(vm, "root-threshold", 0));
  for (const std::string& path : vm["root"].as<std::vector<std::string>>()) {
    CANDOR_ASSIGN_OR_RETURN(VerifierKey key, ReadVerifierKeyFile(path, "root key"));
    if (std::find(root.root_keys.begin(), root.root_keys.end(), key) != root.root_keys.end()) {
      return Status::InvalidArgument(
          fmt::format("--root {}: key {} is given twice", path, key.name));
    }
    root.root_keys.push_back(std::move(key));
  }
  if (root.root_keys.size() > kMaxRootKeys) {
    return Status::InvalidArgument(fmt::format("at most {} root keys", kMaxRootKeys));
  }
  if (threshold == 0 || threshold > root.root_keys.size()) {
    return Status::InvalidArgument(
        fmt::format("--root-threshold must be 1..{} (the root keys given)", root.root_keys.size()));
  }
  root.root_threshold = threshold;  // FormatTrustRootText sorts the keys
  const std::string policy_path = vm["policy"].as<std::string>();
  CANDOR_ASSIGN_OR_RETURN(std::string policy_text, fs::ReadFile(policy_path, kMaxPolicySize));
  Result<TrustPolicy> policy = ParseTrustPolicy(policy_text);
  if (!policy.ok()) return policy.status().WithContext("trust policy " + policy_path);
  root.policy = std::move(policy).value();
  return root;
}

void PrintRootHuman(const SignedTrustRoot& root, const std::vector<RootSignature>& sigs,
                    Context& ctx) {
  const TrustRoot& r = root.root;
  ctx.out << fmt::format("trust root {} version {}\n", r.domain, r.version);
  ctx.out << fmt::format(
      "  expires    {}{}\n", FormatUtcTime(r.expires_unix),
      r.ExpiredAt(static_cast<uint64_t>(std::time(nullptr))) ? " (expired)" : "");
  ctx.out << fmt::format("  threshold  {} of {} root keys; {} signed", r.root_threshold,
                         r.root_keys.size(), CountValid(sigs));
  ctx.out << (CountValid(sigs) >= r.root_threshold ? " (self-signed)\n"
                                                   : " (needs more signatures)\n");
  ctx.out << "\nRoot keys:\n";
  for (size_t i = 0; i < r.root_keys.size(); ++i) {
    ctx.out << fmt::format("  {:<7} {}\n", SignatureName(sigs[i]),
                           FormatVerifierKey(r.root_keys[i]));
  }
  ctx.out << "\nPolicy:\n";
  std::string_view policy = r.policy_text, line;  // canonical: "\n"-terminated lines
  while (ConsumeLine(policy, line)) ctx.out << "  " << line << "\n";
}

void PrintRootJson(const SignedTrustRoot& root, const std::vector<RootSignature>& sigs,
                   Context& ctx) {
  const TrustRoot& r = root.root;
  JsonWriter json;
  json.BeginObject();
  json.Key("domain");
  json.String(r.domain);
  json.Key("version");
  json.Uint(r.version);
  json.Key("expires");
  json.String(FormatUtcTime(r.expires_unix));
  json.Key("expired");
  json.Bool(r.ExpiredAt(static_cast<uint64_t>(std::time(nullptr))));
  json.Key("root_threshold");
  json.Uint(r.root_threshold);
  json.Key("root_keys");
  json.BeginArray();
  for (size_t i = 0; i < r.root_keys.size(); ++i) {
    json.BeginObject();
    json.Key("key");
    json.String(FormatVerifierKey(r.root_keys[i]));
    json.Key("signature");
    json.String(SignatureName(sigs[i]));
    json.EndObject();
  }
  json.EndArray();
  json.Key("valid_signatures");
  json.Uint(CountValid(sigs));
  json.Key("self_signed");
  json.Bool(CountValid(sigs) >= r.root_threshold);
  json.Key("policy");
  json.String(r.policy_text);
  json.EndObject();
  ctx.out << json.Finish();
}

}  // namespace

Outcome RunTrustCreate(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("domain", po::value<std::string>(),
                                                 "the devices the root is for (product line)")(
      "version", po::value<std::string>(), "root version: 1, 2, 3, ...")(
      "expires", po::value<std::string>(), "expiry YYYY-MM-DDTHH:MM:SSZ (in the future)")(
      "root-threshold", po::value<std::string>(), "root keys that must sign")(
      "root", po::value<std::vector<std::string>>(), "root verifier key file (repeatable)")(
      "policy", po::value<std::string>(), "the device trust policy the root carries")(
      "key", po::value<std::string>(), "private key of one root key: the first signature")(
      "out", po::value<std::string>(), "trust root file to write")(
      "force", "replace an existing output file");
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, nullptr, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx,
                     "trust create --domain D --version N --expires TIME --root-threshold K "
                     "--root R1.pub [--root R2.pub ...] --policy device.policy --key R1.key "
                     "--out N.root",
                     desc);
    return Status::Ok();
  }
  for (const char* name :
       {"domain", "version", "expires", "root-threshold", "root", "policy", "key", "out"}) {
    CANDOR_CLI_USAGE_IF_ERROR(Require(vm, name));
  }
  const std::string out_path = vm["out"].as<std::string>();
  const bool force = vm.count("force") > 0;
  if (!force && PathExists(out_path)) {
    return Status::Conflict(out_path + " already exists (use --force to replace it)");
  }
  CANDOR_ASSIGN_OR_RETURN(TrustRoot root, RootFromOptions(vm));
  CANDOR_ASSIGN_OR_RETURN(const std::unique_ptr<Signer> key,
                          OpenRootSigner(vm["key"].as<std::string>(), root));
  const Signer* signers[] = {key.get()};
  CANDOR_ASSIGN_OR_RETURN(std::string note, SignNote(FormatTrustRootText(root), signers));
  // The strict parse is the one judge of what a root may say (domain syntax,
  // sizes): a root `create` writes is one every reader accepts. Nothing is
  // written before it.
  Result<SignedTrustRoot> signed_root = ParseSignedTrustRoot(note);
  if (!signed_root.ok()) return signed_root.status().WithContext("cannot create the trust root");
  CANDOR_RETURN_IF_ERROR(WriteFileAtomic(out_path, note, force));
  ctx.out << fmt::format("created {}: trust root {} version {}, signed by {} (1 of {} required)\n",
                         out_path, root.domain, root.version, key->public_key().name,
                         root.root_threshold);
  return Status::Ok();
}

Outcome RunTrustSign(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("key", po::value<std::string>(),
                                                 "private key of one of the root's root keys")(
      "previous", po::value<std::string>(),
      "the previous version's root: its root keys may sign too (a key being retired)")(
      "root", po::value<std::string>(), "the trust root file, signed in place");
  po::positional_options_description pos;
  pos.add("root", 1);
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, &pos, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx, "trust sign --key R.key [--previous N-1.root] N.root", desc);
    return Status::Ok();
  }
  CANDOR_CLI_USAGE_IF_ERROR(Require(vm, "key"));
  if (!vm.count("root")) return UsageError(Status::InvalidArgument("missing N.root"));
  const std::string path = vm["root"].as<std::string>();
  CANDOR_ASSIGN_OR_RETURN(const SignedTrustRoot root, ReadRootFile(path));
  // Existing root signatures must verify: signing a tampered root would
  // endorse what the other root keys never signed.
  Result<size_t> before = CountRootSignatures(root.note, root.root.root_keys);
  if (!before.ok()) return before.status().WithContext("trust root " + path);
  // The rotation rule needs the previous version's threshold too, and a key
  // being retired is only in the previous version: with --previous, its keys
  // may sign (trust_root.h, CheckRootSuccessor).
  std::optional<SignedTrustRoot> previous;
  TrustRoot may_sign = root.root;
  if (vm.count("previous")) {
    CANDOR_ASSIGN_OR_RETURN(previous, ReadRootFile(vm["previous"].as<std::string>()));
    if (previous->root.domain != root.root.domain ||
        previous->root.version + 1 != root.root.version) {
      return Status::InvalidArgument(fmt::format(
          "--previous is {} version {}, not the version before {} version {}",
          previous->root.domain, previous->root.version, root.root.domain, root.root.version));
    }
    for (const VerifierKey& k : previous->root.root_keys) may_sign.root_keys.push_back(k);
  }
  CANDOR_ASSIGN_OR_RETURN(const std::unique_ptr<Signer> key,
                          OpenRootSigner(vm["key"].as<std::string>(), may_sign));
  const Signer* signers[] = {key.get()};
  Result<std::string> note = AddSignatures(root.note, signers);
  if (!note.ok() && note.status().code() == Code::kConflict) {
    return Status::Conflict(
        fmt::format("{} is already signed by {}", path, key->public_key().name));
  }
  if (!note.ok()) return note.status().WithContext("signing " + path);
  CANDOR_RETURN_IF_ERROR(WriteFileAtomic(path, *note, /*force=*/true));
  CANDOR_ASSIGN_OR_RETURN(size_t own, CountRootSignatures(*note, root.root.root_keys));
  std::string line = fmt::format("signed {} with {}: {} of {} required root signatures", path,
                                 key->public_key().name, own, root.root.root_threshold);
  if (previous) {
    CANDOR_ASSIGN_OR_RETURN(size_t old, CountRootSignatures(*note, previous->root.root_keys));
    line += fmt::format("; {} of {} of version {}", old, previous->root.root_threshold,
                        previous->root.version);
  }
  ctx.out << line << "\n";
  return Status::Ok();
}

Outcome RunTrustShow(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("json", "machine-readable JSON on stdout")(
      "root", po::value<std::string>(), "the trust root file");
  po::positional_options_description pos;
  pos.add("root", 1);
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, &pos, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx, "trust show N.root [--json]", desc);
    return Status::Ok();
  }
  if (!vm.count("root")) return UsageError(Status::InvalidArgument("missing N.root"));
  CANDOR_ASSIGN_OR_RETURN(const SignedTrustRoot root, ReadRootFile(vm["root"].as<std::string>()));
  std::vector<RootSignature> sigs;
  for (const VerifierKey& k : root.root.root_keys) sigs.push_back(SignatureOf(root, k));
  if (vm.count("json")) {
    PrintRootJson(root, sigs, ctx);
  } else {
    PrintRootHuman(root, sigs, ctx);
  }
  return Status::Ok();
}

}  // namespace candor::cli
