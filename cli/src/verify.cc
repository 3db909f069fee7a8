// `candor verify`: the device's offline verification, from a shell. It calls
// exactly the libverify Verify() that candor-agent calls, with the same
// inputs a device has (policy, bundle, image, product, stored rollback counter
// and last-seen tree), then prints what the release discloses. A refusal is
// one line, "refused: <reason>", and the exit code of the reason's class.
#include <ctime>
#include <ostream>

#include <fmt/format.h>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/consistency_proof.h"
#include "candor/date.h"
#include "candor/policy.h"
#include "candor/verify.h"
#include "cli.h"
#include "describe.h"
#include "files.h"
#include "options.h"

namespace candor::cli {

Outcome RunVerify(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("policy", po::value<std::string>(),
                                                 "trust policy file (tlog-policy + vendor lines)")(
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
                     "verify --policy trust.policy --image fw.bin --bundle fw.bundle --product P "
                     "[--min-rollback N] [--state-size N --state-root B64 "
                     "[--consistency-proof FILE]]",
                     desc);
    return Status::Ok();
  }
  for (const char* name : {"policy", "image", "bundle", "product"}) {
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

  // From here on every failure is a refusal, as on a device.
  Outcome refused;
  refused.prefix = "refused";
  auto refuse = [&](Status s) {
    refused.status = std::move(s);
    return refused;
  };

  Result<std::string> policy_text = fs::ReadFile(vm["policy"].as<std::string>(), kMaxPolicySize);
  if (!policy_text.ok()) return refuse(policy_text.status());
  Result<TrustPolicy> policy = ParseTrustPolicy(*policy_text);
  if (!policy.ok()) return refuse(policy.status().WithContext("trust policy"));
  if (std::string w = QuorumSplitViewWarning(*policy); !w.empty()) fmt::print(stderr, "{}\n", w);
  Result<std::string> bundle = fs::ReadFile(vm["bundle"].as<std::string>(), kMaxBundleSize);
  if (!bundle.ok()) return refuse(bundle.status());
  Result<ImageFile> image = OpenImageFile(vm["image"].as<std::string>());
  if (!image.ok()) return refuse(image.status());

  const std::string product = vm["product"].as<std::string>();
  VerifyRequest req;
  req.product = product;
  req.bundle = *bundle;
  req.policy = &*policy;
  req.now_unix = now;
  req.min_rollback = min_rollback;
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
      Result<Bundle> parsed = ParseBundle(*bundle);
      if (!parsed.ok()) return refuse(parsed.status());
      Result<SignedCheckpoint> cp = ParseSignedCheckpointUnverified(parsed->checkpoint_note);
      if (!cp.ok()) return refuse(cp.status());
      seen.origin = cp->checkpoint.origin;
    }
    req.last_seen.push_back(std::move(seen));
  }
  if (vm.count("consistency-proof")) {
    Result<std::string> text =
        fs::ReadFile(vm["consistency-proof"].as<std::string>(), kMaxConsistencyProofFileSize);
    if (!text.ok()) return refuse(text.status());
    Result<ConsistencyProofFile> proofs = ParseConsistencyProofFile(*text);
    if (!proofs.ok()) return refuse(proofs.status());
    req.consistency_proofs = std::move(proofs).value();
  }
  ImageFile& file = *image;
  Progress progress(ctx.err, "verifying image", file.size(),
                    ctx.err_is_tty && file.size() >= kProgressThreshold);
  req.read_image = [&](std::span<uint8_t> buf) -> Result<size_t> {
    Result<size_t> n = file.Read(buf);
    if (n.ok()) progress.Add(*n);
    return n;
  };

  Result<VerifiedRelease> verified = Verify(req);
  if (!verified.ok()) return refuse(verified.status());

  const VerifiedRelease& v = *verified;
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
  return Status::Ok();
}

}  // namespace candor::cli
