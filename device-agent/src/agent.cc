#include "candor/agent/agent.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "candor/agent/image.h"
#include "candor/agent/private_dir.h"
#include "candor/consistency_proof.h"
#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/fs/lock.h"
#include "candor/fs/read_file.h"
#include "candor/json_string.h"
#include "candor/release.h"
#include "state_json.h"

namespace candor::agent {
namespace {

struct Inputs {
  std::string bundle;
  std::optional<ConsistencyProofFile> consistency_proofs;
};

// The companion file an update server ships beside the bundle: `--consistency-
// proof FILE`, or else `<bundle>.consistency` if it exists (docs/AGENT.md
// "Consistency proofs"). Absent is not an error here; Verify() decides whether
// a proof was needed.
Result<Inputs> ReadInputs(const std::string& bundle_path,
                          const std::optional<std::string>& consistency_proof_path) {
  Inputs in;
  Result<std::string> bundle = fs::ReadFile(bundle_path, kMaxBundleSize);
  if (!bundle.ok()) return bundle.status().WithContext("bundle");
  in.bundle = std::move(bundle).value();
  std::string path =
      consistency_proof_path.value_or(bundle_path + std::string(kConsistencyProofSuffix));
  Result<std::string> text = fs::ReadFile(path, kMaxConsistencyProofFileSize);
  if (!text.ok()) {
    if (!consistency_proof_path && text.status().code() == Code::kNotFound) return in;
    return text.status().WithContext("consistency proof");
  }
  Result<ConsistencyProofFile> proofs = ParseConsistencyProofFile(*text);
  if (!proofs.ok()) return proofs.status().WithContext(path);
  in.consistency_proofs = std::move(proofs).value();
  return in;
}

// The latest quorum time a device whose clock read `now` could have accepted
// under the future-cosignature rule (candor/checkpoint_trust.h), saturating.
uint64_t ClockPlusSkew(uint64_t now) {
  return now > UINT64_MAX - kMaxClockSkewSeconds ? UINT64_MAX : now + kMaxClockSkewSeconds;
}

// The device's last seen tree of every log, with the clock floor each sets.
std::vector<LastSeenTree> LastSeenTrees(const TrustPolicy& policy, const DeviceState& state) {
  std::vector<LastSeenTree> out;
  for (const auto& [origin, seen] : state.checkpoints) {
    // A checkpoint migrated from a v1 state has no stored quorum time: recompute
    // it from the stored note, so the clock floor holds for it too. It was
    // accepted with the latest install, so like a stored one (RecordCheckpoint)
    // it is capped at that install's clock: a cosignature dated far ahead,
    // which did not count then, must not become a floor the device can never
    // reach (a v1 state stored no acceptance clock; installed-at is the nearest).
    std::optional<uint64_t> quorum_time = seen.quorum_time;
    if (!quorum_time) {
      quorum_time = WitnessedQuorumTime(policy, seen.note);
      uint64_t accepted_at = 0;
      for (const auto& [product, rel] : state.products) {
        accepted_at = std::max(accepted_at, rel.installed_at);
      }
      if (quorum_time) quorum_time = std::min(*quorum_time, ClockPlusSkew(accepted_at));
    }
    out.push_back(LastSeenTree{origin, seen.size, seen.root_hash, quorum_time});
  }
  return out;
}

// Exactly one anchor: the root in effect, else the bare policy.
VerifyRequest MakeRequest(const AgentContext& ctx, const ImageRequest& req, const Inputs& in,
                          const DeviceState& state, const std::optional<SignedTrustRoot>& root,
                          ImageReader reader) {
  VerifyRequest v;
  v.product = ctx.product;
  v.bundle = in.bundle;
  if (root) {
    v.trust_root = &root->root;
  } else {
    v.policy = &ctx.policy;
  }
  v.now_unix = req.now_unix;
  v.min_rollback = state.RollbackFor(ctx.product);
  v.last_seen = LastSeenTrees(PolicyOf(ctx, root), state);
  v.consistency_proofs = in.consistency_proofs;
  v.read_image = std::move(reader);
  v.refused_disclosures = ctx.refused_disclosures;
  return v;
}

// Makes `cp` the last seen tree of its log in `next`; the other logs' stay as
// they were. The quorum time stored as the device's clock floor is capped at
// this clock (plus the skew the future rule allows): without
// max-checkpoint-age, cosignatures dated in the future still count (a device
// may have no clock), and a floor in the future would refuse every install
// once a later policy sets a maximum age.
void RecordCheckpoint(DeviceState& next, const Checkpoint& cp, const std::string& note,
                      std::optional<uint64_t> quorum_time, uint64_t now_unix) {
  if (quorum_time) quorum_time = std::min(*quorum_time, ClockPlusSkew(now_unix));
  next.checkpoints[cp.origin] = SeenCheckpoint{cp.origin, cp.size, cp.root_hash, note, quorum_time};
}

// Logs `policy` no longer trusts are forgotten: their trees cannot be
// compared with anything this policy accepts, and keeping them could grow the
// state past kMaxSeenLogs, which LoadState refuses (a bricked device).
void ForgetUntrustedLogs(DeviceState& next, const TrustPolicy& policy) {
  std::erase_if(next.checkpoints,
                [&](const auto& kv) { return policy.FindLog(kv.first) == nullptr; });
}

Result<std::string> ReadRootFile(const std::string& path) {
  Result<std::string> text = fs::ReadFile(path, kMaxTrustRootSize);
  if (!text.ok()) return text.status().WithContext("trust root");  // the path is in the message
  return text;
}

}  // namespace

Result<SignedTrustRoot> LoadProvisionedRoot(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(std::string text, ReadRootFile(path));
  Result<SignedTrustRoot> root = ParseTrustAnchor(text);
  if (!root.ok()) return root.status().WithContext("trust root " + path);
  return root;
}

const TrustPolicy& PolicyOf(const AgentContext& ctx, const std::optional<SignedTrustRoot>& root) {
  return root ? root->root.policy : ctx.policy;
}

Result<std::optional<SignedTrustRoot>> RootInEffect(
    const std::optional<SignedTrustRoot>& provisioned, const DeviceState& state) {
  if (state.trust_root.empty()) return provisioned;
  CANDOR_ASSIGN_OR_RETURN(SignedTrustRoot stored, ParseSignedTrustRoot(state.trust_root));
  const TrustRoot& s = stored.root;
  if (!provisioned) {
    return Status::InvalidArgument(
        fmt::format("the state holds trust root {} version {} but no trust-root is configured",
                    s.domain, s.version));
  }
  const TrustRoot& p = provisioned->root;
  if (s.domain != p.domain) {
    return Status::Mismatch(
        fmt::format("the state holds a trust root for domain {}, the "
                    "configured trust-root is for {}",
                    s.domain, p.domain));
  }
  if (s.version < p.version) {
    return Status::Rollback(
        fmt::format("the state holds trust root version {}, older than the "
                    "configured version {}",
                    s.version, p.version));
  }
  // One version is one root: a state and a configuration that hold two
  // different roots of the same version disagree about the device's trust
  // (a re-provisioned or tampered device), and neither is chosen silently.
  if (s.version == p.version && stored.note != provisioned->note) {
    return Status::Conflict(
        fmt::format("the state and the configured trust-root are two different roots of {} "
                    "version {}",
                    s.domain, s.version));
  }
  return std::optional<SignedTrustRoot>(std::move(stored));
}

Result<AgentContext> LoadContext(const AgentConfig& config) {
  AgentContext ctx;
  if (!config.trust_root_path.empty()) {
    CANDOR_ASSIGN_OR_RETURN(SignedTrustRoot root, LoadProvisionedRoot(config.trust_root_path));
    ctx.trust_root = std::move(root);
    ctx.product = config.product;
    ctx.state_dir = config.state_dir;
    ctx.flash.command = config.flash_command;
    ctx.flash.target = config.flash_target;
    ctx.refused_disclosures = config.refused_disclosures;
    return ctx;
  }
  Result<std::string> text = fs::ReadFile(config.policy_path, kMaxPolicySize);
  if (!text.ok()) return text.status().WithContext("policy");
  Result<TrustPolicy> policy = ParseTrustPolicy(*text);
  if (!policy.ok()) return policy.status().WithContext("policy " + config.policy_path);
  ctx.policy = std::move(policy).value();
  ctx.product = config.product;
  ctx.state_dir = config.state_dir;
  ctx.flash.command = config.flash_command;
  ctx.flash.target = config.flash_target;
  ctx.refused_disclosures = config.refused_disclosures;
  return ctx;
}

Result<VerifiedRelease> VerifyImage(const AgentContext& ctx, const ImageRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(DeviceState state, LoadState(ctx.state_dir));
  CANDOR_ASSIGN_OR_RETURN(std::optional<SignedTrustRoot> root, RootInEffect(ctx.trust_root, state));
  CANDOR_ASSIGN_OR_RETURN(Inputs in, ReadInputs(req.bundle_path, req.consistency_proof_path));
  CANDOR_ASSIGN_OR_RETURN(ImageSource image, ImageSource::Open(req.image_path));
  return Verify(MakeRequest(ctx, req, in, state, root, image.Reader()));
}

Result<VerifiedRelease> InstallImage(const AgentContext& ctx, const ImageRequest& req) {
  CANDOR_RETURN_IF_ERROR(EnsurePrivateDir(ctx.state_dir));
  CANDOR_ASSIGN_OR_RETURN(fs::DirectoryLock lock, AcquireStateLock(ctx.state_dir));
  RemoveStaleStaging(ctx.state_dir);
  CANDOR_ASSIGN_OR_RETURN(DeviceState state, LoadState(ctx.state_dir));
  CANDOR_ASSIGN_OR_RETURN(std::optional<SignedTrustRoot> root, RootInEffect(ctx.trust_root, state));
  CANDOR_ASSIGN_OR_RETURN(Inputs in, ReadInputs(req.bundle_path, req.consistency_proof_path));
  CANDOR_ASSIGN_OR_RETURN(ImageSource image, ImageSource::Open(req.image_path));
  CANDOR_RETURN_IF_ERROR(image.StageInto(ctx.state_dir));

  CANDOR_ASSIGN_OR_RETURN(VerifiedRelease verified,
                          Verify(MakeRequest(ctx, req, in, state, root, image.Reader())));
  const Manifest& m = verified.release.manifest;

  // Belt and braces: Verify checked these; the state must never move backwards.
  const uint64_t old_rollback = state.RollbackFor(ctx.product);
  if (m.rollback < old_rollback) {
    return Status::Rollback(fmt::format("rollback {} < {}", m.rollback, old_rollback));
  }
  if (auto it = state.checkpoints.find(verified.checkpoint.origin);
      it != state.checkpoints.end() && verified.checkpoint.size < it->second.size) {
    return Status::Inconsistent(fmt::format("checkpoint size {} < last seen {}",
                                            verified.checkpoint.size, it->second.size));
  }

  CANDOR_ASSIGN_OR_RETURN(StagedImage staged, image.TakeStaged());
  Status flashed = Flash(ctx.flash, staged, m.image_sha256, m.image_size);
  if (!flashed.ok()) return flashed.WithContext("flash failed");

  DeviceState next = state;
  // The product's effective disclosures: what it had, with the kinds this
  // release states replaced (docs/FORMATS.md "State and event kinds").
  DisclosureState before;
  if (auto it = state.products.find(ctx.product); it != state.products.end()) {
    before = EffectiveDisclosures(it->second);
  }
  InstalledRelease rel;
  rel.in_effect = ApplyReleaseDisclosures(before, m.disclosures, m.version).after.in_effect;
  rel.rollback = m.rollback;
  rel.version = m.version;
  rel.log_index = verified.log_index;
  rel.leaf_hash = verified.leaf_hash;
  rel.image_sha256 = m.image_sha256;
  rel.image_size = m.image_size;
  rel.installed_at = req.now_unix;
  rel.entry = EncodeReleaseEntry(verified.release);
  next.products[ctx.product] = std::move(rel);
  RecordCheckpoint(next, verified.checkpoint, verified.checkpoint_note, verified.quorum_time,
                   req.now_unix);
  ForgetUntrustedLogs(next, PolicyOf(ctx, root));
  Status committed = CommitState(ctx.state_dir, next);
  if (!committed.ok()) return committed.WithContext("image flashed but state not committed");
  return verified;
}

Result<std::vector<VerifiedTrustRoot>> UpdateTrustRoot(const AgentContext& ctx,
                                                       const TrustUpdateRequest& req) {
  if (!ctx.trust_root) {
    return Status::InvalidArgument(
        "trust-update needs a configured trust-root (a bare policy has no root to rotate)");
  }
  if (req.steps.empty()) return Status::InvalidArgument("trust-update: no root given");
  CANDOR_RETURN_IF_ERROR(EnsurePrivateDir(ctx.state_dir));
  CANDOR_ASSIGN_OR_RETURN(fs::DirectoryLock lock, AcquireStateLock(ctx.state_dir));
  CANDOR_ASSIGN_OR_RETURN(DeviceState state, LoadState(ctx.state_dir));
  CANDOR_ASSIGN_OR_RETURN(std::optional<SignedTrustRoot> current,
                          RootInEffect(ctx.trust_root, state));

  // Each step verifies against what the steps before it accepted, in memory;
  // the state file moves once, after the last step.
  DeviceState next = state;
  std::vector<VerifiedTrustRoot> applied;
  for (const TrustRootStep& step : req.steps) {
    CANDOR_ASSIGN_OR_RETURN(std::string note, ReadRootFile(step.root_path));
    CANDOR_ASSIGN_OR_RETURN(Inputs in, ReadInputs(step.bundle_path, step.consistency_proof_path));
    const std::vector<LastSeenTree> last_seen = LastSeenTrees(current->root.policy, next);
    TrustRootUpdateRequest v;
    v.current = &current->root;
    v.root_note = note;
    v.bundle = in.bundle;
    v.now_unix = req.now_unix;
    v.last_seen = &last_seen;
    v.consistency_proofs = in.consistency_proofs ? &*in.consistency_proofs : nullptr;
    Result<VerifiedTrustRoot> verified = VerifyTrustRootUpdate(v);
    if (!verified.ok()) return verified.status().WithContext(step.root_path);
    RecordCheckpoint(next, verified->checkpoint, verified->checkpoint_note, verified->quorum_time,
                     req.now_unix);
    current = verified->root;
    applied.push_back(std::move(verified).value());
  }
  next.trust_root = current->note;
  ForgetUntrustedLogs(next, current->root.policy);
  CANDOR_RETURN_IF_ERROR(CommitState(ctx.state_dir, next));
  return applied;
}

Result<DeviceState> ReadStatus(const std::string& state_dir) { return LoadState(state_dir); }

namespace {

// The day of a device clock reading (clamped to the dates libverify knows).
Date DayOf(uint64_t now_unix) {
  const int64_t t = static_cast<int64_t>(std::min<uint64_t>(now_unix, kMaxUnixSeconds));
  return ParseDate(FormatUtcTime(t).substr(0, 10)).value();
}

int64_t DaysUntil(const Disclosure& d, Date today) {
  return d.effective ? DaysSinceEpoch(*d.effective) - DaysSinceEpoch(today) : 0;
}

// {"kind":...,"value":...,"effective":...,"restrictive":...,"description":...
// without the closing brace.
void AppendDisclosureJsonKeys(std::string& out, const Disclosure& d) {
  out += "{\"kind\":";
  AppendJsonString(out, d.kind);
  out += ",\"value\":";
  AppendJsonString(out, d.value);
  out += ",\"effective\":";
  if (d.effective) {
    AppendJsonString(out, FormatDate(*d.effective));
  } else {
    out += "null";
  }
  out += fmt::format(",\"restrictive\":{}", IsRestrictive(d) ? "true" : "false");
  out += ",\"description\":";
  AppendJsonString(out, DescribeDisclosure(d));
}

void AppendInEffectJson(std::string& out, const std::vector<InEffect>& list, const Date* today) {
  out += '[';
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) out += ',';
    AppendDisclosureJsonKeys(out, list[i].disclosure);
    out += ",\"stated_by\":";
    AppendJsonString(out, list[i].version);
    if (today != nullptr) {
      out += fmt::format(",\"days_left\":{}", DaysUntil(list[i].disclosure, *today));
    }
    out += '}';
  }
  out += ']';
}

}  // namespace

std::string FormatStatusText(const DeviceState& state, const TrustRoot* root, uint64_t now_unix) {
  std::string out;
  if (root != nullptr) {
    out += fmt::format("trust root: {} version {}, expires {}{}\n", root->domain, root->version,
                       FormatUtcTime(root->expires_unix),
                       root->ExpiredAt(now_unix) ? " (expired)" : "");
  }
  if (state.products.empty()) out += "nothing installed\n";
  for (const auto& [product, rel] : state.products) {
    out += fmt::format("product {}: version {} (rollback {}), log index {}, installed {}\n",
                       product, rel.version, rel.rollback, rel.log_index,
                       rel.installed_at <= static_cast<uint64_t>(kMaxUnixSeconds)
                           ? FormatUtcTime(static_cast<int64_t>(rel.installed_at))
                           : std::to_string(rel.installed_at));
    Result<ReleaseEntry> entry = ParseReleaseEntry(rel.entry);
    if (!entry.ok()) {
      out += fmt::format("  (stored entry unreadable: {})\n", entry.status().ToString());
      continue;
    }
    const Manifest& m = entry->manifest;
    out += fmt::format("  vendor {}, issued {}\n", m.vendor, FormatUtcTime(m.issued));
    if (m.disclosures.empty()) out += "  no disclosures\n";
    for (const Disclosure& d : m.disclosures) {
      out += fmt::format("  disclosure{}: {}\n", IsRestrictive(d) ? " (restrictive)" : "",
                         DescribeDisclosure(d));
    }
    // The device's state (docs/FORMATS.md "State and event kinds"): what
    // holds today, from this release or earlier ones, and what is to come.
    const Date today = DayOf(now_unix);
    const DisclosureState effective = EffectiveDisclosures(rel);
    for (const InEffect& e : HoldingOn(effective, today)) {
      out += fmt::format("  in effect{}: {} (stated by {})\n",
                         IsRestrictive(e.disclosure) ? " (restrictive)" : "",
                         DescribeDisclosure(e.disclosure), e.version);
    }
    for (const InEffect& e : PendingAfter(effective, today)) {
      out +=
          fmt::format("  pending{}: {}, in {} day(s) (stated by {})\n",
                      IsRestrictive(e.disclosure) ? " (restrictive)" : "",
                      DescribeDisclosure(e.disclosure), DaysUntil(e.disclosure, today), e.version);
    }
  }
  if (state.checkpoints.empty()) out += "last checkpoint: none\n";
  for (const auto& [origin, c] : state.checkpoints) {
    out += fmt::format("last checkpoint: {} size {} root {}\n", origin, c.size,
                       Base64Encode(c.root_hash));
  }
  return out;
}

std::string FormatStatusJson(const DeviceState& state, const TrustRoot* root, uint64_t now_unix) {
  std::string out = "{\"products\":[";
  bool first = true;
  for (const auto& [product, rel] : state.products) {
    if (!first) out += ',';
    first = false;
    internal::AppendInstalledJsonKeys(out, product, rel);
    Result<ReleaseEntry> entry = ParseReleaseEntry(rel.entry);
    if (entry.ok()) {
      const Manifest& m = entry->manifest;
      out += ",\"vendor\":";
      AppendJsonString(out, m.vendor);
      out += ",\"issued\":";
      AppendJsonString(out, FormatUtcTime(m.issued));
      out += ",\"disclosures\":[";
      for (size_t i = 0; i < m.disclosures.size(); ++i) {
        if (i) out += ',';
        AppendDisclosureJsonKeys(out, m.disclosures[i]);
        out += '}';
      }
      out += ']';
    } else {
      out += ",\"entry_error\":";
      AppendJsonString(out, entry.status().ToString());
    }
    const Date today = DayOf(now_unix);
    const DisclosureState effective = EffectiveDisclosures(rel);
    out += ",\"in_effect\":";
    AppendInEffectJson(out, HoldingOn(effective, today), nullptr);
    out += ",\"pending\":";
    AppendInEffectJson(out, PendingAfter(effective, today), &today);
    out += '}';
  }
  // One object per log origin, ascending (docs/AGENT.md "status").
  out += "],";
  internal::AppendCheckpointsJson(out, state);
  // Last, so that v2-era readers of the leading keys see the same prefix.
  out += ",\"trust_root\":";
  if (root != nullptr) {
    out += "{\"domain\":";
    AppendJsonString(out, root->domain);
    out += fmt::format(",\"version\":{},\"expires\":", root->version);
    AppendJsonString(out, FormatUtcTime(root->expires_unix));
    out += fmt::format(",\"expired\":{}}}", root->ExpiredAt(now_unix) ? "true" : "false");
  } else {
    out += "null";
  }
  out += "}\n";
  return out;
}

}  // namespace candor::agent
