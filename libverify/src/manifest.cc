// Release manifest text: canonical encoding and strict parsing
// (docs/FORMATS.md "Release entry").
#include "candor/manifest.h"

#include <algorithm>
#include <array>
#include <span>

namespace candor {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsIdentifier(std::string_view s, size_t max, std::string_view extra) {
  if (s.empty() || s.size() > max || !IsAlnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return IsAlnum(c) || extra.find(c) != std::string_view::npos; });
}

// Canonical decimal over the full u64 range: no sign, no leading zero.
Result<uint64_t> ParseU64(std::string_view text) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) {
    return Status::Malformed("invalid decimal number");
  }
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::Malformed("invalid decimal number");
    const auto digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return Status::Malformed("decimal out of range");
    v = v * 10 + digit;
  }
  return v;
}

Result<Hash> ParseHexHash(std::string_view text) {
  if (text.size() != 64) return Status::Malformed("digest is not 64 hex digits");
  CANDOR_ASSIGN_OR_RETURN(Bytes raw, HexDecode(text));
  Hash h{};
  std::copy(raw.begin(), raw.end(), h.begin());
  return h;
}

// Walks the manifest's lines in order.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}

  bool AtEnd() const { return rest_.empty(); }
  bool NextStartsWith(std::string_view key) const {
    return rest_.size() > key.size() && rest_.substr(0, key.size()) == key &&
           rest_[key.size()] == ' ';
  }
  // The whole next line, without "\n". REQUIRES: !AtEnd(); text ends in "\n".
  std::string_view Line() {
    const size_t nl = rest_.find('\n');
    const std::string_view line = rest_.substr(0, nl);
    rest_.remove_prefix(nl + 1);
    return line;
  }
  // The value of a required "<key> <value>" line.
  Result<std::string_view> Field(std::string_view key) {
    if (!NextStartsWith(key))
      return Status::Malformed("expected a \"" + std::string(key) + "\" line");
    return Line().substr(key.size() + 1);
  }

 private:
  std::string_view rest_;
};

}  // namespace

bool IsValidProductId(std::string_view id) { return IsIdentifier(id, kMaxProductIdSize, "._/-"); }

bool IsValidVersion(std::string_view version) {
  return IsIdentifier(version, kMaxVersionSize, ".+~_-");
}

Status ValidateManifest(const Manifest& m) {
  if (!IsValidVendorDomain(m.vendor)) {
    return Status::Malformed("vendor is not a lower-case domain name");
  }
  const VerifierKey& k = m.vendor_key;
  if (k.type != kKeyTypeEd25519) return Status::Malformed("vendor key is not an Ed25519 key");
  if (!IsValidKeyName(k.name) || k.key_id != KeyId(k.name, k.type, k.public_key)) {
    return Status::Malformed("vendor key name or key ID is invalid");
  }
  if (k.name != m.vendor && k.name.rfind(m.vendor + "/", 0) != 0) {
    return Status::Malformed("vendor key name must be the vendor or start with \"<vendor>/\"");
  }
  if (m.products.empty()) return Status::Malformed("no product");
  if (m.products.size() > kMaxProducts) return Status::Malformed("more than 64 products");
  for (size_t i = 0; i < m.products.size(); ++i) {
    if (!IsValidProductId(m.products[i])) return Status::Malformed("invalid product id");
    if (i > 0 && !(m.products[i - 1] < m.products[i])) {
      return Status::Malformed("products are duplicated or not in ascending order");
    }
  }
  if (!IsValidVersion(m.version)) return Status::Malformed("invalid version string");
  if (m.image_size == 0) return Status::Malformed("image size is zero");
  if (m.issued < 0 || m.issued > kMaxUnixSeconds) {
    return Status::Malformed("issue time out of range");
  }
  return ValidateDisclosureList(m.disclosures, m.vendor);
}

Result<std::string> FormatManifestText(const Manifest& m) {
  CANDOR_RETURN_IF_ERROR(ValidateManifest(m));
  std::string out;
  out.append(kManifestHeader).append("\n");
  out.append("vendor ").append(m.vendor).append("\n");
  out.append("vendor-key ").append(FormatVerifierKey(m.vendor_key)).append("\n");
  for (const std::string& p : m.products) out.append("product ").append(p).append("\n");
  out.append("version ").append(m.version).append("\n");
  out.append("rollback ").append(std::to_string(m.rollback)).append("\n");
  out.append("image-sha256 ").append(HexEncode(m.image_sha256)).append("\n");
  out.append("image-size ").append(std::to_string(m.image_size)).append("\n");
  out.append("changelog-sha256 ").append(HexEncode(m.changelog_sha256)).append("\n");
  out.append("issued ").append(FormatUtcTime(m.issued)).append("\n");
  for (const Disclosure& d : m.disclosures) out.append(FormatDisclosureLine(d)).append("\n");
  return out;
}

Result<Manifest> ParseManifestText(std::string_view text) {
  if (text.size() > kMaxManifestNoteSize) return Status::TooLarge("manifest is too large");
  CANDOR_RETURN_IF_ERROR(ValidateNoteText(text));
  LineReader r(text);
  if (r.Line() != kManifestHeader) {
    return Status::Malformed("manifest does not start with " + std::string(kManifestHeader));
  }
  Manifest m;
  CANDOR_ASSIGN_OR_RETURN(std::string_view vendor, r.Field("vendor"));
  m.vendor = std::string(vendor);
  CANDOR_ASSIGN_OR_RETURN(std::string_view vkey, r.Field("vendor-key"));
  CANDOR_ASSIGN_OR_RETURN(m.vendor_key, ParseVerifierKey(vkey));
  while (r.NextStartsWith("product")) {
    if (m.products.size() == kMaxProducts) return Status::Malformed("more than 64 products");
    m.products.emplace_back(r.Line().substr(8));
  }
  CANDOR_ASSIGN_OR_RETURN(std::string_view version, r.Field("version"));
  m.version = std::string(version);
  CANDOR_ASSIGN_OR_RETURN(std::string_view rollback, r.Field("rollback"));
  CANDOR_ASSIGN_OR_RETURN(m.rollback, ParseU64(rollback));
  CANDOR_ASSIGN_OR_RETURN(std::string_view image_hash, r.Field("image-sha256"));
  CANDOR_ASSIGN_OR_RETURN(m.image_sha256, ParseHexHash(image_hash));
  CANDOR_ASSIGN_OR_RETURN(std::string_view image_size, r.Field("image-size"));
  CANDOR_ASSIGN_OR_RETURN(m.image_size, ParseU64(image_size));
  CANDOR_ASSIGN_OR_RETURN(std::string_view changelog_hash, r.Field("changelog-sha256"));
  CANDOR_ASSIGN_OR_RETURN(m.changelog_sha256, ParseHexHash(changelog_hash));
  CANDOR_ASSIGN_OR_RETURN(std::string_view issued, r.Field("issued"));
  CANDOR_ASSIGN_OR_RETURN(m.issued, ParseUtcTime(issued));
  while (!r.AtEnd()) {
    if (!r.NextStartsWith("disclose")) {
      return Status::Malformed("unexpected line after the issue time (only disclose lines)");
    }
    if (m.disclosures.size() == kMaxDisclosures) {
      return Status::Malformed("more than 64 disclosures");
    }
    CANDOR_ASSIGN_OR_RETURN(Disclosure d, ParseDisclosureLine(r.Line()));
    m.disclosures.push_back(std::move(d));
  }
  CANDOR_RETURN_IF_ERROR(ValidateManifest(m));
  // Defence in depth: accept only the spelling we would produce.
  CANDOR_ASSIGN_OR_RETURN(std::string canonical, FormatManifestText(m));
  if (canonical != text) return Status::Malformed("manifest is not in canonical form");
  return m;
}

Result<Manifest> ParseSignedManifest(std::string_view signed_note) {
  if (signed_note.size() > kMaxManifestNoteSize) {
    return Status::TooLarge("signed manifest exceeds 12 KiB");
  }
  CANDOR_ASSIGN_OR_RETURN(Note note, ParseNote(signed_note));
  if (note.signatures.size() != 1) {
    return Status::Malformed("manifest must carry exactly one signature, the vendor's");
  }
  CANDOR_ASSIGN_OR_RETURN(Manifest m, ParseManifestText(note.text));
  const NoteSignature& sig = note.signatures[0];
  if (sig.name != m.vendor_key.name || sig.key_id != m.vendor_key.key_id) {
    return Status::BadSignature("manifest is not signed by the vendor key it names");
  }
  const std::array<VerifierKey, 1> keys = {m.vendor_key};
  Result<VerifiedNote> verified = VerifyNote(signed_note, keys);
  if (!verified.ok()) {
    const Code c = verified.status().code();
    if (c == Code::kBadSignature || c == Code::kUntrustedKey) {
      return Status::BadSignature("vendor signature on the manifest does not verify");
    }
    return verified.status();
  }
  if (verified->verified.size() != 1) {
    return Status::BadSignature("vendor signature on the manifest does not verify");
  }
  return m;
}

}  // namespace candor
