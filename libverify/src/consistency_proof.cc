// Consistency proof file and hash lines; see candor/consistency_proof.h.
#include "candor/consistency_proof.h"

#include "candor/layout.h"

namespace candor {
namespace {

Status Bad(std::string_view what) {
  return Status::Malformed("consistency proof: " + std::string(what));
}

// Control characters and DEL would let an origin smuggle a line end.
bool IsOriginText(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

const ConsistencyProofBlock* ConsistencyProofFile::Find(uint64_t from) const {
  for (const ConsistencyProofBlock& b : blocks) {
    if (b.from == from) return &b;
  }
  return nullptr;
}

Result<ConsistencyProofFile> ParseConsistencyProofFile(std::string_view text) {
  if (text.size() > kMaxConsistencyProofFileSize) {
    return Status::TooLarge("consistency proof: file larger than " +
                            std::to_string(kMaxConsistencyProofFileSize) + " bytes");
  }
  std::string_view rest = text;
  std::string_view line;
  if (!ConsumeLine(rest, line) || line != kConsistencyProofHeader) {
    return Bad("first line must be \"candor-consistency-proof v1\"");
  }
  ConsistencyProofFile file;
  if (!ConsumeLine(rest, line) || !line.starts_with("origin ")) return Bad("missing origin line");
  file.origin = std::string(line.substr(7));
  if (!IsOriginText(file.origin)) return Bad("bad origin");
  if (rest.empty()) return Bad("no proof blocks");
  while (!rest.empty()) {
    if (file.blocks.size() == kMaxConsistencyProofBlocks) {
      return Bad("more than " + std::to_string(kMaxConsistencyProofBlocks) + " blocks");
    }
    if (!ConsumeLine(rest, line)) return Bad("missing final newline");
    // "from <m> to <n>"
    if (!line.starts_with("from ")) return Bad("expected \"from <size> to <size>\"");
    std::string_view sizes = line.substr(5);
    const size_t sep = sizes.find(" to ");
    if (sep == std::string_view::npos) return Bad("expected \"from <size> to <size>\"");
    Result<uint64_t> from = ParseDecimalU64(sizes.substr(0, sep));
    Result<uint64_t> to = ParseDecimalU64(sizes.substr(sep + 4));
    if (!from.ok() || !to.ok()) return Bad("sizes must be canonical decimals below 2^63");
    if (*from == 0 || *from >= *to) return Bad("need 0 < from < to");
    if (!file.blocks.empty()) {
      if (*to != file.blocks.front().to) return Bad("blocks prove to different sizes");
      if (*from <= file.blocks.back().from) return Bad("blocks not in ascending order of from");
    }
    ConsistencyProofBlock block;
    block.from = *from;
    block.to = *to;
    const size_t n = ConsistencyProofLength(*from, *to);
    block.hashes.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (!ConsumeLine(rest, line)) return Bad("block from " + std::to_string(*from) + " is short");
      Result<Hash> h = Base64DecodeHash(line);
      if (!h.ok()) return Bad("not a canonical base64 hash");
      block.hashes.push_back(*h);
    }
    file.blocks.push_back(std::move(block));
  }
  return file;
}

std::string FormatConsistencyProofFile(const ConsistencyProofFile& file) {
  std::string out(kConsistencyProofHeader);
  out += "\norigin ";
  out += file.origin;
  out += '\n';
  for (const ConsistencyProofBlock& b : file.blocks) {
    out += "from " + FormatDecimal(b.from) + " to " + FormatDecimal(b.to) + "\n";
    out += FormatProofHashLines(b.hashes);
  }
  return out;
}

Result<std::vector<Hash>> ParseProofHashLines(std::string_view text) {
  std::vector<Hash> out;
  std::string_view line;
  while (!text.empty()) {
    if (!ConsumeLine(text, line)) return Bad("missing final newline");
    if (out.size() == kMaxConsistencyProofHashes) return Bad("too many hashes");
    Result<Hash> h = Base64DecodeHash(line);
    if (!h.ok()) return Bad("line " + std::to_string(out.size() + 1) + ": not a base64 hash");
    out.push_back(*h);
  }
  return out;
}

std::string FormatProofHashLines(std::span<const Hash> hashes) {
  std::string out;
  for (const Hash& h : hashes) {
    out += Base64Encode(h);
    out += '\n';
  }
  return out;
}

}  // namespace candor
