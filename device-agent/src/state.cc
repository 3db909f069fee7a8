#include "candor/agent/state.h"

#include <fmt/format.h>

#include <algorithm>

#include "candor/checkpoint.h"
#include "candor/disclosure.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/release.h"
#include "candor/sha256.h"
#include "candor/trust_root.h"

namespace candor::agent {
namespace {

constexpr std::string_view kChecksumKey = "checksum ";
constexpr std::string_view kDisclosePrefix = "disclose ";

void Line(std::string& out, std::string_view key, std::string_view value) {
  out += key;
  out += ' ';
  out += value;
  out += '\n';
}

// A cursor over "key value\n" lines, each value non-empty, free of control characters.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool AtEnd() const { return text_.empty(); }
  bool PeekKey(std::string_view key) const {
    return text_.size() > key.size() && text_.substr(0, key.size()) == key &&
           text_[key.size()] == ' ';
  }
  Result<std::string_view> Expect(std::string_view key) {
    ++line_;
    if (!PeekKey(key)) return Err(fmt::format("expected '{}'", key));
    size_t nl = text_.find('\n');
    if (nl == std::string_view::npos) return Err("missing newline");
    std::string_view value = text_.substr(key.size() + 1, nl - key.size() - 1);
    text_.remove_prefix(nl + 1);
    if (value.empty()) return Err("empty value");
    for (unsigned char c : value) {
      if (c < 0x20 || c == 0x7f) return Err("control character");
    }
    return value;
  }
  Result<uint64_t> ExpectU64(std::string_view key) {
    CANDOR_ASSIGN_OR_RETURN(std::string_view v, Expect(key));
    // Full u64 range: every number here was a u64 the agent accepted (a
    // rollback counter of 2^63 or more must not brick the device).
    Result<uint64_t> n = ParseDecimalU64Full(v);
    if (!n.ok()) return Err(fmt::format("bad number for {}", key));
    return n;
  }
  Result<Hash> ExpectB64Hash(std::string_view key) {
    CANDOR_ASSIGN_OR_RETURN(std::string_view v, Expect(key));
    Result<Hash> h = Base64DecodeHash(v);
    if (!h.ok()) return Err(fmt::format("bad hash for {}", key));
    return h;
  }
  Result<Bytes> ExpectB64(std::string_view key) {
    CANDOR_ASSIGN_OR_RETURN(std::string_view v, Expect(key));
    Result<Bytes> b = Base64Decode(v);
    if (!b.ok()) return Err(fmt::format("bad base64 for {}", key));
    return b;
  }
  Status Err(std::string_view what) const {
    return Status::Malformed(fmt::format("state line {}: {}", line_, what));
  }

 private:
  std::string_view text_;
  size_t line_ = 1;  // the header is line 1
};

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

uint64_t DeviceState::RollbackFor(std::string_view product) const {
  auto it = products.find(std::string(product));
  return it == products.end() ? 0 : it->second.rollback;
}

DisclosureState EffectiveDisclosures(const InstalledRelease& rel) {
  if (!rel.in_effect.empty()) return DisclosureState{rel.in_effect, rel.version};
  Result<ReleaseEntry> entry = ParseReleaseEntry(rel.entry);
  if (!entry.ok()) return DisclosureState{{}, rel.version};
  return ApplyReleaseDisclosures({}, entry->manifest.disclosures, rel.version).after;
}

std::string FormatState(const DeviceState& state) {
  const bool v4 = std::any_of(state.products.begin(), state.products.end(),
                              [](const auto& kv) { return !kv.second.in_effect.empty(); });
  std::string out(v4 ? kStateHeaderV4 : state.trust_root.empty() ? kStateHeader : kStateHeaderV3);
  out += '\n';
  if (!state.trust_root.empty()) Line(out, "trust-root", Base64Encode(AsBytes(state.trust_root)));
  for (const auto& [origin, c] : state.checkpoints) {  // std::map: ascending
    Line(out, "checkpoint-origin", c.origin);
    Line(out, "checkpoint-size", FormatDecimal(c.size));
    Line(out, "checkpoint-root", Base64Encode(c.root_hash));
    if (c.quorum_time) Line(out, "checkpoint-quorum-time", FormatDecimal(*c.quorum_time));
    Line(out, "checkpoint-note", Base64Encode(AsBytes(c.note)));
  }
  for (const auto& [product, r] : state.products) {  // std::map: ascending
    Line(out, "product", product);
    Line(out, "rollback", FormatDecimal(r.rollback));
    Line(out, "version", r.version);
    Line(out, "log-index", FormatDecimal(r.log_index));
    Line(out, "leaf-hash", Base64Encode(r.leaf_hash));
    Line(out, "image-sha256", HexEncode(r.image_sha256));
    Line(out, "image-size", FormatDecimal(r.image_size));
    Line(out, "installed-at", FormatDecimal(r.installed_at));
    Line(out, "entry", Base64Encode(r.entry));
    for (const InEffect& e : r.in_effect) {
      // "<version> <kind> <value>[ effective=YYYY-MM-DD]": the manifest line
      // without "disclose ", after the version that stated it.
      Line(out, "in-effect",
           e.version + " " + FormatDisclosureLine(e.disclosure).substr(kDisclosePrefix.size()));
    }
  }
  Hash sum = Sha256Digest(out);
  Line(out, "checksum", HexEncode(sum));
  return out;
}

Result<DeviceState> ParseState(std::string_view text) {
  // Checksum first: it covers everything before the last line, so a torn or
  // bit-flipped file is refused before any field is interpreted.
  if (text.size() < kStateHeader.size() + 1 || text.back() != '\n') {
    return Status::Malformed("state: truncated");
  }
  size_t last = text.rfind('\n', text.size() - 2);
  if (last == std::string_view::npos) return Status::Malformed("state: truncated");
  std::string_view body = text.substr(0, last + 1);
  std::string_view sum_line = text.substr(last + 1, text.size() - last - 2);
  if (sum_line.substr(0, kChecksumKey.size()) != kChecksumKey) {
    return Status::Malformed("state: missing checksum");
  }
  Result<Bytes> sum = HexDecode(sum_line.substr(kChecksumKey.size()));
  if (!sum.ok() || sum->size() != 32) return Status::Malformed("state: bad checksum");
  Hash want;
  std::copy(sum->begin(), sum->end(), want.begin());
  if (!HashEqual(want, Sha256Digest(body))) return Status::Malformed("state: checksum mismatch");

  const bool v4 = body.starts_with(std::string(kStateHeaderV4) + "\n");
  const bool v3 = body.starts_with(std::string(kStateHeaderV3) + "\n");
  // v3 is v2 plus the trust-root line: everything v2 may hold, v3 may; v4
  // makes that line optional and adds in-effect lines.
  const bool v2 = v4 || v3 || body.starts_with(std::string(kStateHeader) + "\n");
  if (!v2 && !body.starts_with(std::string(kStateHeaderV1) + "\n")) {
    return Status::Malformed("state: unknown header");
  }
  static_assert(kStateHeader.size() == kStateHeaderV1.size() &&
                kStateHeader.size() == kStateHeaderV3.size() &&
                kStateHeader.size() == kStateHeaderV4.size());
  LineReader r(body.substr(kStateHeader.size() + 1));
  DeviceState state;
  if (v3 || (v4 && r.PeekKey("trust-root"))) {
    // A v3 file exists only to hold a root: the line is mandatory there.
    CANDOR_ASSIGN_OR_RETURN(Bytes root, r.ExpectB64("trust-root"));
    state.trust_root = std::string(AsChars(root));
    if (!ParseSignedTrustRoot(state.trust_root).ok()) {
      return Status::Malformed("state: stored trust root does not parse");
    }
  }
  while (r.PeekKey("checkpoint-origin")) {
    if (!v2 && !state.checkpoints.empty()) return r.Err("v1 holds one checkpoint");
    if (state.checkpoints.size() == kMaxSeenLogs) return r.Err("too many checkpoints");
    SeenCheckpoint c;
    CANDOR_ASSIGN_OR_RETURN(std::string_view origin, r.Expect("checkpoint-origin"));
    c.origin = std::string(origin);
    if (!state.checkpoints.empty() && !(state.checkpoints.rbegin()->first < c.origin)) {
      return r.Err("checkpoints not in strictly ascending order of origin");
    }
    CANDOR_ASSIGN_OR_RETURN(c.size, r.ExpectU64("checkpoint-size"));
    CANDOR_ASSIGN_OR_RETURN(c.root_hash, r.ExpectB64Hash("checkpoint-root"));
    if (v2 && r.PeekKey("checkpoint-quorum-time")) {
      CANDOR_ASSIGN_OR_RETURN(uint64_t t, r.ExpectU64("checkpoint-quorum-time"));
      c.quorum_time = t;
    }
    CANDOR_ASSIGN_OR_RETURN(Bytes note, r.ExpectB64("checkpoint-note"));
    c.note = std::string(AsChars(note));
    // The stored summary must describe the stored note.
    Result<SignedCheckpoint> parsed = ParseSignedCheckpointUnverified(c.note);
    if (!parsed.ok()) return Status::Malformed("state: stored checkpoint does not parse");
    if (parsed->checkpoint.origin != c.origin || parsed->checkpoint.size != c.size ||
        !HashEqual(parsed->checkpoint.root_hash, c.root_hash)) {
      return Status::Malformed("state: stored checkpoint does not match its summary");
    }
    state.checkpoints.emplace(c.origin, std::move(c));
  }
  while (!r.AtEnd()) {
    CANDOR_ASSIGN_OR_RETURN(std::string_view product, r.Expect("product"));
    if (!IsToken(product)) return r.Err("bad product id");
    if (!state.products.empty() && !(state.products.rbegin()->first < product)) {
      return r.Err("products not in strictly ascending order");
    }
    InstalledRelease rel;
    CANDOR_ASSIGN_OR_RETURN(rel.rollback, r.ExpectU64("rollback"));
    CANDOR_ASSIGN_OR_RETURN(std::string_view version, r.Expect("version"));
    rel.version = std::string(version);
    CANDOR_ASSIGN_OR_RETURN(rel.log_index, r.ExpectU64("log-index"));
    CANDOR_ASSIGN_OR_RETURN(rel.leaf_hash, r.ExpectB64Hash("leaf-hash"));
    CANDOR_ASSIGN_OR_RETURN(std::string_view hex, r.Expect("image-sha256"));
    Result<Bytes> digest = HexDecode(hex);
    if (!digest.ok() || digest->size() != 32) return r.Err("bad image-sha256");
    std::copy(digest->begin(), digest->end(), rel.image_sha256.begin());
    CANDOR_ASSIGN_OR_RETURN(rel.image_size, r.ExpectU64("image-size"));
    CANDOR_ASSIGN_OR_RETURN(rel.installed_at, r.ExpectU64("installed-at"));
    CANDOR_ASSIGN_OR_RETURN(rel.entry, r.ExpectB64("entry"));
    while (v4 && r.PeekKey("in-effect")) {
      if (rel.in_effect.size() == kMaxInEffect) return r.Err("too many in-effect lines");
      CANDOR_ASSIGN_OR_RETURN(std::string_view line, r.Expect("in-effect"));
      const size_t space = line.find(' ');
      if (space == std::string_view::npos || !IsToken(line.substr(0, space))) {
        return r.Err("bad in-effect line");
      }
      Result<Disclosure> d =
          ParseDisclosureLine(std::string(kDisclosePrefix) + std::string(line.substr(space + 1)));
      if (!d.ok()) return r.Err("bad in-effect disclosure: " + d.status().message());
      InEffect e{std::move(d).value(), std::string(line.substr(0, space))};
      if (!rel.in_effect.empty() &&
          !DisclosureLess(rel.in_effect.back().disclosure, e.disclosure)) {
        return r.Err("in-effect lines not in strictly ascending order");
      }
      rel.in_effect.push_back(std::move(e));
    }
    state.products.emplace(std::string(product), std::move(rel));
  }
  // One encoding per state: v4 exists only to carry in-effect lines.
  if (v4 && std::none_of(state.products.begin(), state.products.end(),
                         [](const auto& kv) { return !kv.second.in_effect.empty(); })) {
    return Status::Malformed("state: v4 without in-effect lines");
  }
  return state;
}

Result<DeviceState> LoadState(const std::string& dir) {
  Result<std::string> text = fs::ReadFile(dir + "/" + std::string(kStateFileName), kMaxStateSize);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return DeviceState{};
    return text.status();
  }
  Result<DeviceState> state = ParseState(*text);
  if (!state.ok()) {
    return Status::Malformed(fmt::format("corrupt state file {}/{} ({}); refusing to reset it", dir,
                                         kStateFileName, state.status().message()));
  }
  return state;
}

Status CommitState(const std::string& dir, const DeviceState& state) {
  return fs::WriteFileAtomically(dir + "/" + std::string(kStateFileName), FormatState(state),
                                 {.mode = 0600});
}

}  // namespace candor::agent
