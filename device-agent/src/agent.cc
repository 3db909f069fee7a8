#include "candor/agent/agent.h"

#include <fmt/format.h>

#include "candor/agent/fs.h"
#include "candor/agent/image.h"
#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/json_string.h"
#include "candor/release.h"
#include "candor/tlog_proof.h"

namespace candor::agent {
namespace {

struct Inputs {
  std::string bundle;
  std::optional<std::vector<Hash>> consistency_proof;
};

Result<Inputs> ReadInputs(const ImageRequest& req) {
  Inputs in;
  Result<std::string> bundle = ReadSmallFile(req.bundle_path, kMaxBundleSize);
  if (!bundle.ok()) return bundle.status().WithContext("bundle");
  in.bundle = std::move(bundle).value();
  if (req.consistency_proof_path) {
    Result<std::string> text = ReadSmallFile(*req.consistency_proof_path, 64 * 1024);
    if (!text.ok()) return text.status().WithContext("consistency proof");
    Result<std::vector<Hash>> proof = ParseConsistencyProofFile(*text);
    if (!proof.ok()) return proof.status().WithContext("consistency proof");
    in.consistency_proof = std::move(proof).value();
  }
  return in;
}

VerifyRequest MakeRequest(const AgentContext& ctx, const ImageRequest& req, const Inputs& in,
                          const DeviceState& state, ImageReader reader) {
  VerifyRequest v;
  v.product = ctx.product;
  v.bundle = in.bundle;
  v.policy = &ctx.policy;
  v.now_unix = req.now_unix;
  v.min_rollback = state.RollbackFor(ctx.product);
  if (state.checkpoint) {
    v.last_seen =
        LastSeenTree{state.checkpoint->origin, state.checkpoint->size, state.checkpoint->root_hash};
  }
  v.consistency_proof = in.consistency_proof;
  v.read_image = std::move(reader);
  return v;
}

}  // namespace

Result<AgentContext> LoadContext(const AgentConfig& config) {
  AgentContext ctx;
  Result<std::string> text = ReadSmallFile(config.policy_path, kMaxPolicySize);
  if (!text.ok()) return text.status().WithContext("policy");
  Result<TrustPolicy> policy = ParseTrustPolicy(*text);
  if (!policy.ok()) return policy.status().WithContext("policy " + config.policy_path);
  ctx.policy = std::move(policy).value();
  ctx.product = config.product;
  ctx.state_dir = config.state_dir;
  ctx.flash.command = config.flash_command;
  ctx.flash.target = config.flash_target;
  return ctx;
}

Result<std::vector<Hash>> ParseConsistencyProofFile(std::string_view text) {
  std::vector<Hash> proof;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return Status::Malformed("missing final newline");
    if (proof.size() == kMaxProofHashes) return Status::Malformed("too many hashes");
    Result<Hash> h = Base64DecodeHash(text.substr(0, nl));
    if (!h.ok())
      return Status::Malformed(fmt::format("line {}: not a base64 hash", proof.size() + 1));
    proof.push_back(*h);
    text.remove_prefix(nl + 1);
  }
  return proof;
}

Result<VerifiedRelease> VerifyImage(const AgentContext& ctx, const ImageRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(DeviceState state, LoadState(ctx.state_dir));
  CANDOR_ASSIGN_OR_RETURN(Inputs in, ReadInputs(req));
  CANDOR_ASSIGN_OR_RETURN(ImageSource image, ImageSource::Open(req.image_path));
  return Verify(MakeRequest(ctx, req, in, state, image.Reader()));
}

Result<VerifiedRelease> InstallImage(const AgentContext& ctx, const ImageRequest& req) {
  CANDOR_RETURN_IF_ERROR(EnsurePrivateDir(ctx.state_dir));
  CANDOR_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(ctx.state_dir));
  RemoveStaleStaging(ctx.state_dir);
  CANDOR_ASSIGN_OR_RETURN(DeviceState state, LoadState(ctx.state_dir));
  CANDOR_ASSIGN_OR_RETURN(Inputs in, ReadInputs(req));
  CANDOR_ASSIGN_OR_RETURN(ImageSource image, ImageSource::Open(req.image_path));
  CANDOR_RETURN_IF_ERROR(image.StageInto(ctx.state_dir));

  CANDOR_ASSIGN_OR_RETURN(VerifiedRelease verified,
                          Verify(MakeRequest(ctx, req, in, state, image.Reader())));
  const Manifest& m = verified.release.manifest;

  // Belt and braces: Verify checked these; the state must never move backwards.
  const uint64_t old_rollback = state.RollbackFor(ctx.product);
  if (m.rollback < old_rollback) {
    return Status::Rollback(fmt::format("rollback {} < {}", m.rollback, old_rollback));
  }
  if (state.checkpoint && verified.checkpoint.size < state.checkpoint->size) {
    return Status::Inconsistent(fmt::format("checkpoint size {} < last seen {}",
                                            verified.checkpoint.size, state.checkpoint->size));
  }

  CANDOR_ASSIGN_OR_RETURN(StagedImage staged, image.TakeStaged());
  Status flashed = Flash(ctx.flash, staged, m.image_sha256, m.image_size);
  if (!flashed.ok()) return flashed.WithContext("flash failed");

  DeviceState next = state;
  InstalledRelease rel;
  rel.rollback = m.rollback;
  rel.version = m.version;
  rel.log_index = verified.log_index;
  rel.leaf_hash = verified.leaf_hash;
  rel.image_sha256 = m.image_sha256;
  rel.image_size = m.image_size;
  rel.installed_at = req.now_unix;
  rel.entry = EncodeReleaseEntry(verified.release);
  next.products[ctx.product] = std::move(rel);
  next.checkpoint = SeenCheckpoint{verified.checkpoint.origin, verified.checkpoint.size,
                                   verified.checkpoint.root_hash, verified.checkpoint_note};
  Status committed = CommitState(ctx.state_dir, next);
  if (!committed.ok()) return committed.WithContext("image flashed but state not committed");
  return verified;
}

Result<DeviceState> ReadStatus(const std::string& state_dir) { return LoadState(state_dir); }

std::string FormatStatusText(const DeviceState& state) {
  std::string out;
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
  }
  if (state.checkpoint) {
    out += fmt::format("last checkpoint: {} size {} root {}\n", state.checkpoint->origin,
                       state.checkpoint->size, Base64Encode(state.checkpoint->root_hash));
  } else {
    out += "last checkpoint: none\n";
  }
  return out;
}

std::string FormatStatusJson(const DeviceState& state) {
  std::string out = "{\"products\":[";
  bool first = true;
  for (const auto& [product, rel] : state.products) {
    if (!first) out += ',';
    first = false;
    out += "{\"product\":";
    AppendJsonString(out, product);
    out += ",\"version\":";
    AppendJsonString(out, rel.version);
    out += fmt::format(",\"rollback\":{},\"log_index\":{},\"installed_at\":{},\"image_size\":{}",
                       rel.rollback, rel.log_index, rel.installed_at, rel.image_size);
    out += ",\"image_sha256\":";
    AppendJsonString(out, HexEncode(rel.image_sha256));
    out += ",\"leaf_hash\":";
    AppendJsonString(out, Base64Encode(rel.leaf_hash));
    Result<ReleaseEntry> entry = ParseReleaseEntry(rel.entry);
    if (entry.ok()) {
      const Manifest& m = entry->manifest;
      out += ",\"vendor\":";
      AppendJsonString(out, m.vendor);
      out += ",\"issued\":";
      AppendJsonString(out, FormatUtcTime(m.issued));
      out += ",\"disclosures\":[";
      for (size_t i = 0; i < m.disclosures.size(); ++i) {
        const Disclosure& d = m.disclosures[i];
        if (i) out += ',';
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
        out += '}';
      }
      out += ']';
    } else {
      out += ",\"entry_error\":";
      AppendJsonString(out, entry.status().ToString());
    }
    out += '}';
  }
  out += "],\"checkpoint\":";
  if (state.checkpoint) {
    out += "{\"origin\":";
    AppendJsonString(out, state.checkpoint->origin);
    out += fmt::format(",\"size\":{},\"root_hash\":", state.checkpoint->size);
    AppendJsonString(out, Base64Encode(state.checkpoint->root_hash));
    out += ",\"note\":";
    AppendJsonString(out, state.checkpoint->note);
    out += '}';
  } else {
    out += "null";
  }
  out += "}\n";
  return out;
}

}  // namespace candor::agent
