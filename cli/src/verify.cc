// `candor verify`: the device's offline verification, from a shell. It calls
// exactly the libverify Verify() that candor-agent calls, with the same
// inputs a device has (policy, bundle, image, product, stored rollback counter
// and last-seen tree), then prints what the release discloses. A refusal is
// one line, "refused: <reason>", and the exit code of the reason's class.
#include <ctime>
#include <optional>
#include <ostream>

#include <fmt/format.h>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/consistency_proof.h"
#include "candor/date.h"
#include "candor/policy.h"
#include "candor/trust_root.h"
#include "candor/verify.h"
#include "cli.h"
#include "describe.h"
#include "files.h"
#include "options.h"

namespace candor::cli {
namespace {

// What verify was asked: the parsed options and the numbers among them.
struct VerifyArgs {
  po::variables_map vm;
  uint64_t now = 0;
  uint64_t min_rollback = 0;
  uint64_t state_size = 0;
};

// The device's inputs, read from the files the options name.
struct VerifyInputs {
  std::optional<TrustPolicy> policy;          // --policy
  std::optional<SignedTrustRoot> trust_root;  // --trust-root instead
  std::string bundle;
  std::optional<ImageFile> image;
};

// From the inputs on, every failure is a refusal, as on a device.
Outcome Refuse(Status s) {
  Outcome refused;
  refused.prefix = "refused";
  refused.status = std::move(s);
  return refused;
}

// Parses the command line into `a`. An Outcome when verify ends here (help,
// usage error, a malformed number).
std::optional<Outcome> ParseVerifyArgs(const Args& args, Context& ctx, VerifyArgs& a) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("policy", po::value<std::string>(),
                                                 "trust policy file (tlog-policy + vendor lines)")(
      "trust-root", po::value<std::string>(),
      "trust root file (candor trust create), instead of --policy: its policy, if not expired")(
      "image", po::value<std::string>(), "firmware image")(
      "bundle", po::value<std::string>(), "bundle (tlog-proof with the release entry)")(
      "product", po::value<std::string>(), "the device's product id")(
      "min-rollback", po::value<std::string>()->default_value("0"),
      "the device's stored rollback counter for the product")(
      "state-size", po::value<std::string>(), "last-seen tree size of the device")(
      "state-root", po::value<std::string>(), "last-seen root hash (base64)")(
      "state-origin", po::value<std::string>(),
      "last-seen log origin (default: the bundle checkpoint's origin)")(
      "consistency-proof", po::value<std::string>(),
      "consistency proof file (candor-consistency-proof v1) with a proof from the last-seen "
      "size to the bundle's checkpoint; required when the checkpoint is larger")(
      "now", po::value<std::string>(),
      "override the clock (Unix seconds), for reproducible checks");
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, nullptr, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx,
                     "verify (--policy trust.policy | --trust-root N.root) --image fw.bin --bundle "
                     "fw.bundle --product P "
                     "[--min-rollback N] [--state-size N --state-root B64 "
                     "[--consistency-proof FILE]]",
                     desc);
    return Status::Ok();
  }
  if (vm.count("policy") == vm.count("trust-root")) {
    return UsageError(Status::InvalidArgument("give exactly one of --policy and --trust-root"));
  }
  for (const char* name : {"image", "bundle", "product"}) {
    CANDOR_CLI_USAGE_IF_ERROR(Require(vm, name));
  }
  if (vm.count("state-size") != vm.count("state-root")) {
    return UsageError(Status::InvalidArgument("--state-size and --state-root go together"));
  }
  if (vm.count("consistency-proof") && !vm.count("state-size")) {
    return UsageError(
        Status::InvalidArgument("--consistency-proof needs --state-size and --state-root"));
  }

  CANDOR_ASSIGN_OR_RETURN(const uint64_t now,
                          GetU64(vm, "now", static_cast<uint64_t>(std::time(nullptr))));
  CANDOR_ASSIGN_OR_RETURN(const uint64_t min_rollback, GetU64(vm, "min-rollback", 0));
  CANDOR_ASSIGN_OR_RETURN(const uint64_t state_size, GetU64(vm, "state-size", 0));

  a.vm = std::move(vm);
  a.now = now;
  a.min_rollback = min_rollback;
  a.state_size = state_size;
  return std::nullopt;
}

// The trust root as a device holds it from manufacture: parsed strictly and
// signed by its own root-threshold of root keys. Its expiry is Verify's.
Result<SignedTrustRoot> LoadTrustRoot(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(std::string text, fs::ReadFile(path, kMaxTrustRootSize));
  Result<SignedTrustRoot> root = ParseTrustAnchor(text);
  if (!root.ok()) return root.status().WithContext("trust root");
  return root;
}

// Reads the policy (or trust root), the bundle and the image into `in`.
std::optional<Outcome> LoadVerifyInputs(const po::variables_map& vm, VerifyInputs& in) {
  const TrustPolicy* policy = nullptr;
  if (vm.count("trust-root")) {
    Result<SignedTrustRoot> root = LoadTrustRoot(vm["trust-root"].as<std::string>());
    if (!root.ok()) return Refuse(root.status());
    in.trust_root = std::move(root).value();
    policy = &in.trust_root->root.policy;
  } else {
    Result<std::string> text = fs::ReadFile(vm["policy"].as<std::string>(), kMaxPolicySize);
    if (!text.ok()) return Refuse(text.status());
    Result<TrustPolicy> parsed = ParseTrustPolicy(*text);
    if (!parsed.ok()) return Refuse(parsed.status().WithContext("trust policy"));
    in.policy = std::move(parsed).value();
    policy = &*in.policy;
  }
  if (std::string w = QuorumSplitViewWarning(*policy); !w.empty()) fmt::print(stderr, "{}\n", w);
  Result<std::string> bundle = fs::ReadFile(vm["bundle"].as<std::string>(), kMaxBundleSize);
  if (!bundle.ok()) return Refuse(bundle.status());
  Result<ImageFile> image = OpenImageFile(vm["image"].as<std::string>());
  if (!image.ok()) return Refuse(image.status());
  in.bundle = std::move(bundle).value();
  in.image = std::move(image).value();
  return std::nullopt;
}

// The device's stored state into `req`: its last-seen tree (with --state-size)
// and the consistency proofs from it.
std::optional<Outcome> AddDeviceState(const VerifyArgs& a, const std::string& bundle,
                                      VerifyRequest& req) {
  const po::variables_map& vm = a.vm;
  const uint64_t state_size = a.state_size;
  if (vm.count("state-size")) {
    LastSeenTree seen;
    seen.size = state_size;
    Result<Hash> root = Base64DecodeHash(vm["state-root"].as<std::string>());
    if (!root.ok()) return Status::InvalidArgument("--state-root: " + root.status().message());
    seen.root_hash = *root;
    if (vm.count("state-origin")) {
      seen.origin = vm["state-origin"].as<std::string>();
    } else {
      // The origin is only a label for the state; Verify checks the checkpoint
      // itself against the policy's log keys.
      Result<Bundle> parsed = ParseBundle(bundle);
      if (!parsed.ok()) return Refuse(parsed.status());
      Result<SignedCheckpoint> cp = ParseSignedCheckpointUnverified(parsed->checkpoint_note);
      if (!cp.ok()) return Refuse(cp.status());
      seen.origin = cp->checkpoint.origin;
    }
    req.last_seen.push_back(std::move(seen));
  }
  if (vm.count("consistency-proof")) {
    Result<std::string> text =
        fs::ReadFile(vm["consistency-proof"].as<std::string>(), kMaxConsistencyProofFileSize);
    if (!text.ok()) return Refuse(text.status());
    Result<ConsistencyProofFile> proofs = ParseConsistencyProofFile(*text);
    if (!proofs.ok()) return Refuse(proofs.status());
    req.consistency_proofs = std::move(proofs).value();
  }
  return std::nullopt;
}

// The accepted release, as a device would now record it, and its disclosures.
void PrintAccepted(const VerifiedRelease& v, const std::string& product, Context& ctx) {
  const Manifest& m = v.release.manifest;
  ctx.out << fmt::format("accepted: {} {} by {} (rollback {})\n", product, m.version, m.vendor,
                         m.rollback);
  ctx.out << fmt::format("  logged at index {} in {} (tree size {})\n", v.log_index,
                         v.checkpoint.origin, v.checkpoint.size);
  if (!v.cosigned_by.empty()) {
    ctx.out << fmt::format("  cosigned by {}\n", fmt::join(v.cosigned_by, ", "));
  }
  if (v.quorum_time && *v.quorum_time <= static_cast<uint64_t>(kMaxUnixSeconds)) {
    ctx.out << fmt::format("  witnessed at {}\n",
                           FormatUtcTime(static_cast<int64_t>(*v.quorum_time)));
  }
  ctx.out << fmt::format("  new device state: tree size {} root {}\n", v.checkpoint.size,
                         Base64Encode(v.checkpoint.root_hash));
  ctx.out << "\n";
  PrintDisclosuresHuman(m, ctx.out);
}

}  // namespace

Outcome RunVerify(const Args& args, Context& ctx) {
  VerifyArgs a;
  if (auto stop = ParseVerifyArgs(args, ctx, a)) return *stop;
  VerifyInputs in;
  if (auto stop = LoadVerifyInputs(a.vm, in)) return *stop;

  const std::string product = a.vm["product"].as<std::string>();
  VerifyRequest req;
  req.product = product;
  req.bundle = in.bundle;
  if (in.trust_root) {
    req.trust_root = &in.trust_root->root;
  } else {
    req.policy = &*in.policy;
  }
  req.now_unix = a.now;
  req.min_rollback = a.min_rollback;
  if (auto stop = AddDeviceState(a, in.bundle, req)) return *stop;
  ImageFile& file = *in.image;
  Progress progress(ctx.err, "verifying image", file.size(),
                    ctx.err_is_tty && file.size() >= kProgressThreshold);
  req.read_image = [&](std::span<uint8_t> buf) -> Result<size_t> {
    Result<size_t> n = file.Read(buf);
    if (n.ok()) progress.Add(*n);
    return n;
  };

  Result<VerifiedRelease> verified = Verify(req);
  if (!verified.ok()) return Refuse(verified.status());
  PrintAccepted(*verified, product, ctx);
  return Status::Ok();
}

}  // namespace candor::cli
