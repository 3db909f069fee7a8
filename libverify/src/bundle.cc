#include "candor/bundle.h"

#include "candor/tlog_proof.h"

namespace candor {

Result<Bundle> ParseBundle(std::string_view text) {
  if (text.size() > kMaxBundleSize) return Status::TooLarge("bundle exceeds 2 MiB");
  auto proof = ParseTlogProof(text);
  if (!proof.ok()) return proof.status().WithContext("bundle");
  if (!proof->extra || proof->extra->empty()) {
    return Status::Malformed("bundle: tlog-proof carries no release entry (extra line)");
  }
  if (proof->extra->size() > 0xffff) {
    return Status::TooLarge("bundle: release entry exceeds 65535 bytes");
  }
  Bundle bundle;
  bundle.entry = std::move(*proof->extra);
  bundle.index = proof->index;
  bundle.inclusion_proof = std::move(proof->inclusion_proof);
  bundle.checkpoint_note = std::move(proof->checkpoint);
  return bundle;
}

std::string FormatBundle(const Bundle& bundle) {
  TlogProof proof;
  proof.extra = bundle.entry;
  proof.index = bundle.index;
  proof.inclusion_proof = bundle.inclusion_proof;
  proof.checkpoint = bundle.checkpoint_note;
  return FormatTlogProof(proof);
}

}  // namespace candor
