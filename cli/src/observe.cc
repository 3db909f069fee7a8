// `candor observe create|show` (and `observe publish`, publish.cc):
// observations, a researcher's or an owner's signed counter-claim about a
// logged release (candor/observation.h, docs/CLI.md "candor observe").
//
// `create` names the release either by a release bundle (the convenient way:
// the log's origin from its checkpoint, the index and the entry's leaf hash
// from the bundle, and the one target check, CheckObservationTarget, run
// here before anything is signed) or by --log-origin, --release-index and
// --release-leaf. The observation file is the signed note, as the log logs
// it. Every refusal happens before anything is written.
#include <ctime>
#include <optional>
#include <ostream>

#include <fmt/format.h>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/merkle.h"
#include "candor/observation.h"
#include "candor/observation_signer.h"
#include "candor/release.h"
#include "candor/signing_key.h"
#include "cli.h"
#include "describe.h"
#include "files.h"
#include "json.h"
#include "options.h"

namespace candor::cli {
namespace {

Result<Hash> ParseHashOption(std::string_view name, std::string_view hex) {
  Result<Hash> h = HexDecodeHash(hex);
  if (!h.ok()) {
    return Status::InvalidArgument(fmt::format("--{}: expected 64 lower-case hex digits", name));
  }
  return h;
}

// The release the observation is about, from a release bundle: origin,
// index and leaf hash, the bundle's own inclusion proof checked against its
// checkpoint's root (a damaged bundle names no release). The checkpoint's
// signatures are not checked: the log judges the target (admission), and an
// observer need not hold the devices' policy.
struct Target {
  std::string origin;
  uint64_t index = 0;
  Hash leaf{};
  std::optional<Bytes> entry;  // with a bundle
};

Result<Target> TargetFromBundle(const std::string& path) {
  Result<std::string> text = fs::ReadFile(path, kMaxBundleSize);
  if (!text.ok()) return text.status().WithContext("release bundle " + path);
  Result<Bundle> bundle = ParseBundle(*text);
  if (!bundle.ok()) return bundle.status().WithContext("release bundle " + path);
  Result<SignedCheckpoint> cp = ParseSignedCheckpointUnverified(bundle->checkpoint_note);
  if (!cp.ok()) return cp.status().WithContext("release bundle " + path + ": checkpoint");
  Target t;
  t.origin = cp->checkpoint.origin;
  t.index = bundle->index;
  t.leaf = LeafHash(bundle->entry);
  Status inc = VerifyInclusion(t.index, cp->checkpoint.size, t.leaf, bundle->inclusion_proof,
                               cp->checkpoint.root_hash);
  if (!inc.ok()) return inc.WithContext("release bundle " + path + ": inclusion proof");
  t.entry = std::move(bundle->entry);
  return t;
}

// Which options name the release: exactly one of the two ways, whole (a
// usage error otherwise).
Status CheckTargetOptions(const po::variables_map& vm) {
  const bool bundle = vm.count("release-bundle") > 0;
  const bool named =
      vm.count("log-origin") || vm.count("release-index") || vm.count("release-leaf");
  if (bundle == named) {
    return Status::InvalidArgument(
        "give --release-bundle, or --log-origin, --release-index and --release-leaf");
  }
  if (bundle) return Status::Ok();
  for (const char* name : {"log-origin", "release-index", "release-leaf"}) {
    CANDOR_RETURN_IF_ERROR(Require(vm, name));
  }
  return Status::Ok();
}

// REQUIRES: CheckTargetOptions(vm).ok().
Result<Target> TargetFromOptions(const po::variables_map& vm) {
  if (vm.count("release-bundle")) return TargetFromBundle(vm["release-bundle"].as<std::string>());
  Target t;
  t.origin = vm["log-origin"].as<std::string>();
  CANDOR_ASSIGN_OR_RETURN(t.index, GetU64(vm, "release-index", 0));
  CANDOR_ASSIGN_OR_RETURN(t.leaf,
                          ParseHashOption("release-leaf", vm["release-leaf"].as<std::string>()));
  return t;
}

// --finding KIND=VALUE: the disclosure vocabulary, no effective date (an
// observation is dated by --observed).
Result<Disclosure> ParseFindingOption(const std::string& arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument(fmt::format("--finding '{}': expected KIND=VALUE", arg));
  }
  const DisclosureKindInfo* info = FindDisclosureKind(std::string_view(arg).substr(0, eq));
  if (info == nullptr) {
    return Status::InvalidArgument(fmt::format(
        "--finding '{}': not a kind of the disclosure vocabulary (docs/FORMATS.md)", arg));
  }
  Result<Disclosure> d = ParseDisclosureArg(arg);
  if (!d.ok()) {
    return Status(d.status().code(), fmt::format("--finding '{}': {} (accepted values: {})", arg,
                                                 d.status().message(), info->value_syntax));
  }
  if (d->effective) {
    return Status::InvalidArgument(fmt::format(
        "--finding '{}': no effective date (the observation is dated by --observed)", arg));
  }
  return d;
}

// The observation `create` was asked for, before the key signs it.
Result<Observation> ObservationFromOptions(const po::variables_map& vm, const Target& target,
                                           Context& ctx) {
  Observation o;
  o.log_origin = target.origin;
  o.release_index = target.index;
  o.release_leaf = target.leaf;
  if (vm.count("product")) {
    o.product = vm["product"].as<std::string>();
  } else {
    // A release for one product names it; otherwise the observer says which.
    std::optional<ReleaseEntry> release;
    if (target.entry) {
      if (Result<ReleaseEntry> r = ParseReleaseEntry(*target.entry); r.ok()) release = *r;
    }
    if (!release || release->manifest.products.size() != 1) {
      return Status::InvalidArgument("missing --product (the product examined)");
    }
    o.product = release->manifest.products.front();
  }
  if (vm.count("observed")) {
    Result<int64_t> t = ParseUtcTime(vm["observed"].as<std::string>());
    if (!t.ok()) return Status::InvalidArgument("--observed: " + t.status().message());
    o.observed = *t;
  } else {
    o.observed = static_cast<int64_t>(std::time(nullptr));
  }
  if (vm.count("finding")) {
    for (const std::string& arg : vm["finding"].as<std::vector<std::string>>()) {
      CANDOR_ASSIGN_OR_RETURN(Disclosure d, ParseFindingOption(arg));
      o.findings.push_back(std::move(d));
    }
  }
  if (vm.count("evidence") == vm.count("evidence-sha256")) {
    return Status::InvalidArgument("give one of --evidence FILE or --evidence-sha256 HEX");
  }
  if (vm.count("evidence")) {
    uint64_t size = 0;
    CANDOR_RETURN_IF_ERROR(
        HashFile(vm["evidence"].as<std::string>(), "evidence", ctx, o.evidence_sha256, size));
  } else {
    CANDOR_ASSIGN_OR_RETURN(
        o.evidence_sha256,
        ParseHashOption("evidence-sha256", vm["evidence-sha256"].as<std::string>()));
  }
  o.summary = vm["summary"].as<std::string>();
  return o;
}

Result<SignedObservation> ReadObservationFile(const std::string& path) {
  Result<std::string> text = fs::ReadFile(path, kMaxObservationSize);
  if (!text.ok()) return text.status().WithContext("observation " + path);
  Result<SignedObservation> o = OpenObservation(*text);
  if (!o.ok()) return o.status().WithContext("observation " + path);
  return o;
}

void PrintObservationHuman(const Observation& o, Context& ctx) {
  ctx.out << fmt::format("observation by {} (signature verified)\n", o.observer);
  ctx.out << fmt::format("  key        {}\n", FormatVerifierKey(o.observer_key));
  ctx.out << fmt::format("  log        {}\n", o.log_origin);
  ctx.out << fmt::format("  release    index {}, leaf {}\n", o.release_index,
                         HexEncode(o.release_leaf));
  ctx.out << fmt::format("  product    {}\n", o.product);
  ctx.out << fmt::format("  observed   {}\n", FormatUtcTime(o.observed));
  ctx.out << fmt::format("  evidence   sha256 {}\n", HexEncode(o.evidence_sha256));
  ctx.out << fmt::format("  summary    {}\n", o.summary);
  ctx.out << "\nFindings:\n";
  if (o.findings.empty()) ctx.out << "  (none)\n";
  for (const Disclosure& f : o.findings) ctx.out << fmt::format("  {} {}\n", f.kind, f.value);
}

void PrintObservationJson(const Observation& o, Context& ctx) {
  JsonWriter json;
  json.BeginObject();
  json.Key("observer");
  json.String(o.observer);
  json.Key("observer_key");
  json.String(FormatVerifierKey(o.observer_key));
  json.Key("signature");
  json.String("valid");
  json.Key("log");
  json.String(o.log_origin);
  json.Key("release_index");
  json.Uint(o.release_index);
  json.Key("release_leaf");
  json.String(HexEncode(o.release_leaf));
  json.Key("product");
  json.String(o.product);
  json.Key("observed");
  json.String(FormatUtcTime(o.observed));
  json.Key("findings");
  json.BeginArray();
  // The one disclosure shape of `candor`'s JSON (describe.h).
  for (const Disclosure& f : o.findings) WriteDisclosureJson(f, json);
  json.EndArray();
  json.Key("evidence_sha256");
  json.String(HexEncode(o.evidence_sha256));
  json.Key("summary");
  json.String(o.summary);
  json.EndObject();
  ctx.out << json.Finish();
}

}  // namespace

Outcome RunObserveCreate(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "key", po::value<std::string>(),
      "observer key: a key file, pkcs11:URI or ssh-agent:VKEY (docs/SIGNING.md)")(
      "release-bundle", po::value<std::string>(),
      "the release's bundle: log origin, index and leaf hash are taken from it")(
      "log-origin", po::value<std::string>(), "the log's origin (without --release-bundle)")(
      "release-index", po::value<std::string>(), "the release's index in that log")(
      "release-leaf", po::value<std::string>(), "its leaf hash, 64 hex digits")(
      "product", po::value<std::string>(),
      "the product examined (default: the bundle's release's only product)")(
      "observed", po::value<std::string>(), "when, YYYY-MM-DDTHH:MM:SSZ (default: now)")(
      "finding", po::value<std::vector<std::string>>(),
      "KIND=VALUE of the disclosure vocabulary (repeatable)")(
      "evidence", po::value<std::string>(), "the evidence file (its SHA-256 is signed)")(
      "evidence-sha256", po::value<std::string>(), "or the evidence's SHA-256, 64 hex digits")(
      "summary", po::value<std::string>(), "one line for people")("out", po::value<std::string>(),
                                                                  "observation file to write")(
      "force", "replace an existing output file");
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, nullptr, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx,
                     "observe create --key K (--release-bundle R.bundle | --log-origin O "
                     "--release-index N --release-leaf HEX) [--product P] [--observed TIME] "
                     "[--finding KIND=VALUE ...] (--evidence FILE | --evidence-sha256 HEX) "
                     "--summary TEXT --out F.observation [--force]",
                     desc);
    return Status::Ok();
  }
  for (const char* name : {"key", "summary", "out"}) CANDOR_CLI_USAGE_IF_ERROR(Require(vm, name));
  CANDOR_CLI_USAGE_IF_ERROR(CheckTargetOptions(vm));
  const std::string out_path = vm["out"].as<std::string>();
  const bool force = vm.count("force") > 0;
  if (!force && PathExists(out_path)) {
    return Status::Conflict(out_path + " already exists (use --force to replace it)");
  }
  CANDOR_ASSIGN_OR_RETURN(const Target target, TargetFromOptions(vm));
  CANDOR_ASSIGN_OR_RETURN(Observation o, ObservationFromOptions(vm, target, ctx));
  // With the release at hand, the log's own target check runs here first:
  // an observation the log would refuse (not a release, another product) is
  // never signed.
  if (target.entry) {
    Status fits = CheckObservationTarget(o, target.origin, ByteView(*target.entry));
    if (!fits.ok()) return fits.WithContext("the release bundle");
  }
  const std::string key_spec = vm["key"].as<std::string>();
  Result<std::unique_ptr<Signer>> key = OpenSigner(key_spec, {.role = "observer key"});
  if (!key.ok()) return key.status().WithContext("observer key " + DescribeKeySpec(key_spec));
  Result<std::string> note = CreateObservation(o, **key);
  if (!note.ok()) return note.status().WithContext("cannot create the observation");
  CANDOR_RETURN_IF_ERROR(WriteFileAtomic(out_path, *note, force));
  CANDOR_ASSIGN_OR_RETURN(SignedObservation made, OpenObservation(*note));
  ctx.out << fmt::format("created {}: observation by {} of {} index {} ({})\n", out_path,
                         made.observation.observer, made.observation.log_origin,
                         made.observation.release_index, made.observation.product);
  return Status::Ok();
}

Outcome RunObserveShow(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("json", "machine-readable JSON on stdout")(
      "observation", po::value<std::string>(), "the observation file");
  po::positional_options_description pos;
  pos.add("observation", 1);
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, &pos, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx, "observe show F.observation [--json]", desc);
    return Status::Ok();
  }
  if (!vm.count("observation")) {
    return UsageError(Status::InvalidArgument("missing F.observation"));
  }
  CANDOR_ASSIGN_OR_RETURN(const SignedObservation o,
                          ReadObservationFile(vm["observation"].as<std::string>()));
  if (vm.count("json")) {
    PrintObservationJson(o.observation, ctx);
  } else {
    PrintObservationHuman(o.observation, ctx);
  }
  return Status::Ok();
}

}  // namespace candor::cli
