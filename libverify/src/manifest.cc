// Release manifest text: canonical encoding and strict parsing
// (docs/FORMATS.md "Release entry").
#include "candor/manifest.h"

#include <algorithm>
#include <array>
#include <span>

#include "manifest_internal.h"
#include "note_internal.h"
#include "text_class.h"

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

// Canonical decimal over the full u64 range (the one codec in candor/bytes.h).
Result<uint64_t> ParseU64(std::string_view text) { return ParseDecimalU64Full(text); }

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

// One key of a release's signer list: Ed25519, a valid name and key ID, named
// like the vendor. ParseVerifierKey refuses a bad name or a key ID that does
// not match, so a key it returned (key_from_parse) needs no second SHA-256.
Status ValidateSignerKey(const VerifierKey& k, const std::string& vendor, bool key_from_parse) {
  if (k.type != kKeyTypeEd25519) return Status::Malformed("vendor key is not an Ed25519 key");
  if (!key_from_parse &&
      (!IsValidKeyName(k.name) || k.key_id != KeyId(k.name, k.type, k.public_key))) {
    return Status::Malformed("vendor key name or key ID is invalid");
  }
  if (k.name != vendor && k.name.rfind(vendor + "/", 0) != 0) {
    return Status::Malformed("vendor key name must be the vendor or start with \"<vendor>/\"");
  }
  // People compare key names: no invisible or formatting characters that
  // would make two different names look alike.
  return internal::CheckVisibleText(k.name, "vendor key name", false);
}

}  // namespace

std::vector<VerifierKey> SignerList(const Manifest& m) {
  std::vector<VerifierKey> list;
  list.reserve(1 + m.cosigners.size());
  list.push_back(m.vendor_key);
  list.insert(list.end(), m.cosigners.begin(), m.cosigners.end());
  return list;
}

bool IsValidProductId(std::string_view id) { return IsIdentifier(id, kMaxProductIdSize, "._/-"); }

bool IsValidVersion(std::string_view version) {
  return IsIdentifier(version, kMaxVersionSize, ".+~_-");
}

Status ValidateManifest(const Manifest& m) { return internal::ValidateManifest(m, false); }

Status internal::ValidateManifest(const Manifest& m, bool key_from_parse) {
  if (!IsValidVendorDomain(m.vendor)) {
    return Status::Malformed("vendor is not a lower-case domain name");
  }
  CANDOR_RETURN_IF_ERROR(ValidateSignerKey(m.vendor_key, m.vendor, key_from_parse));
  // The signer list (docs/FORMATS.md "Signer list"): bounded, strictly
  // ascending by vkey text (so one encoding), no (name, key ID) twice, since
  // signature lines are matched to keys by exactly that pair.
  if (m.cosigners.size() >= kMaxReleaseSigners) {
    return Status::Malformed("more than 16 keys in the signer list");
  }
  std::string previous;
  for (const VerifierKey& k : m.cosigners) {
    CANDOR_RETURN_IF_ERROR(ValidateSignerKey(k, m.vendor, key_from_parse));
    std::string text = FormatVerifierKey(k);
    if (!previous.empty() && !(previous < text)) {
      return Status::Malformed("signer lines are duplicated or not in ascending order");
    }
    previous = std::move(text);
  }
  const std::vector<VerifierKey> list = SignerList(m);
  for (size_t i = 1; i < list.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (list[i].name == list[j].name && list[i].key_id == list[j].key_id) {
        return Status::Malformed("key " + list[i].name + " is in the signer list twice");
      }
    }
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
  return ValidateDisclosureList(m.disclosures, m.vendor, m.issued);
}

Result<std::string> FormatManifestText(const Manifest& m) {
  CANDOR_RETURN_IF_ERROR(ValidateManifest(m));
  std::string out;
  internal::AppendManifestText(m, FormatVerifierKey(m.vendor_key), out);
  return out;
}

void internal::AppendManifestText(const Manifest& m, std::string_view vendor_key_text,
                                  std::string& out) {
  out.append(kManifestHeader).append("\n");
  out.append("vendor ").append(m.vendor).append("\n");
  out.append("vendor-key ").append(vendor_key_text).append("\n");
  for (const VerifierKey& k : m.cosigners) {
    out.append("signer ").append(FormatVerifierKey(k)).append("\n");
  }
  for (const std::string& p : m.products) out.append("product ").append(p).append("\n");
  out.append("version ").append(m.version).append("\n");
  out.append("rollback ");
  AppendDecimal(out, m.rollback);
  out.append("\nimage-sha256 ");
  AppendHex(out, m.image_sha256);
  out.append("\nimage-size ");
  AppendDecimal(out, m.image_size);
  out.append("\nchangelog-sha256 ");
  AppendHex(out, m.changelog_sha256);
  out.append("\nissued ").append(FormatUtcTime(m.issued)).append("\n");
  for (const Disclosure& d : m.disclosures) out.append(FormatDisclosureLine(d)).append("\n");
}

Result<Manifest> ParseManifestText(std::string_view text) {
  if (text.size() > kMaxManifestNoteSize) return Status::TooLarge("manifest is too large");
  CANDOR_RETURN_IF_ERROR(ValidateNoteText(text));
  return internal::ParseCheckedManifestText(text);
}

Result<Manifest> internal::ParseCheckedManifestText(std::string_view text, VerifierKeyCache* keys) {
  LineReader r(text);
  if (r.Line() != kManifestHeader) {
    return Status::Malformed("manifest does not start with " + std::string(kManifestHeader));
  }
  Manifest m;
  CANDOR_ASSIGN_OR_RETURN(std::string_view vendor, r.Field("vendor"));
  m.vendor = std::string(vendor);
  CANDOR_ASSIGN_OR_RETURN(std::string_view vkey, r.Field("vendor-key"));
  CANDOR_ASSIGN_OR_RETURN(m.vendor_key, keys ? keys->Parse(vkey) : ParseVerifierKey(vkey));
  // ParseVerifierKey accepts only the canonical spelling (8 lower-case hex
  // digits, canonical base64, the name verbatim), so FormatVerifierKey of the
  // key is `vkey` itself: the canonical check below can reuse it instead of
  // encoding the key again (tests/libverify/manifest_internal_test.cc).
  while (r.NextStartsWith("signer")) {
    if (m.cosigners.size() + 1 == kMaxReleaseSigners) {
      return Status::Malformed("more than 16 keys in the signer list");
    }
    const std::string_view skey = r.Line().substr(7);
    CANDOR_ASSIGN_OR_RETURN(VerifierKey k, keys ? keys->Parse(skey) : ParseVerifierKey(skey));
    m.cosigners.push_back(std::move(k));
  }
  while (r.NextStartsWith("product")) {
    if (m.products.size() == kMaxProducts) return Status::Malformed("more than 64 products");
    m.products.emplace_back(r.Line().substr(8));
  }
  CANDOR_ASSIGN_OR_RETURN(std::string_view version, r.Field("version"));
  m.version = std::string(version);
  CANDOR_ASSIGN_OR_RETURN(std::string_view rollback, r.Field("rollback"));
  CANDOR_ASSIGN_OR_RETURN(m.rollback, ParseU64(rollback));
  CANDOR_ASSIGN_OR_RETURN(std::string_view image_hash, r.Field("image-sha256"));
  CANDOR_ASSIGN_OR_RETURN(m.image_sha256, HexDecodeHash(image_hash));
  CANDOR_ASSIGN_OR_RETURN(std::string_view image_size, r.Field("image-size"));
  CANDOR_ASSIGN_OR_RETURN(m.image_size, ParseU64(image_size));
  CANDOR_ASSIGN_OR_RETURN(std::string_view changelog_hash, r.Field("changelog-sha256"));
  CANDOR_ASSIGN_OR_RETURN(m.changelog_sha256, HexDecodeHash(changelog_hash));
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
  CANDOR_RETURN_IF_ERROR(internal::ValidateManifest(m, true));
  // Defence in depth: accept only the spelling we would produce. This is
  // FormatManifestText(m) (m was just validated) with the key text reused.
  std::string canonical;
  canonical.reserve(text.size());
  internal::AppendManifestText(m, vkey, canonical);
  if (canonical != text) return Status::Malformed("manifest is not in canonical form");
  return m;
}

Result<Manifest> ParseSignedManifest(std::string_view signed_note, VerifierKeyCache* keys,
                                     const ManifestGate* gate,
                                     std::vector<VerifierKey>* signed_by) {
  if (signed_note.size() > kMaxManifestNoteSize) {
    return Status::TooLarge("signed manifest exceeds 12 KiB");
  }
  CANDOR_ASSIGN_OR_RETURN(Note note, ParseNote(signed_note));
  if (note.signatures.size() > kMaxReleaseSigners) {
    return Status::Malformed("manifest carries more signatures than a signer list may name");
  }
  // ParseManifestText(note.text) without its text checks: ParseNote checked
  // the whole message (valid UTF-8, no control character but "\n") and its
  // text is a non-empty prefix ending in "\n", within kMaxManifestNoteSize.
  CANDOR_ASSIGN_OR_RETURN(Manifest m, internal::ParseCheckedManifestText(note.text, keys));
  const std::vector<VerifierKey> list = SignerList(m);
  CANDOR_ASSIGN_OR_RETURN(std::vector<VerifierKey> signers,
                          internal::MatchManifestSignatures(note.signatures, list));
  if (gate != nullptr && *gate) CANDOR_RETURN_IF_ERROR((*gate)(m));
  // Verified from the parsed note: VerifyNote(signed_note, list) would parse
  // the same message again to the same note. Every line names a key of the
  // list (matched above), so every signature is checked: k-1 good signatures
  // and one bad one is a bad entry, not a (k-1)-signed one.
  const size_t count = note.signatures.size();
  Result<VerifiedNote> verified = internal::VerifyParsedNote(std::move(note), list);
  if (!verified.ok()) {
    const Code c = verified.status().code();
    if (c == Code::kBadSignature || c == Code::kUntrustedKey) {
      return Status::BadSignature("vendor signature on the manifest does not verify (" +
                                  verified.status().message() + ")");
    }
    return verified.status();
  }
  if (verified->verified.size() != count) {
    return Status::BadSignature("vendor signature on the manifest does not verify");
  }
  if (signed_by != nullptr) *signed_by = std::move(signers);
  return m;
}

Result<std::vector<VerifierKey>> internal::MatchManifestSignatures(
    const std::vector<NoteSignature>& sigs, const std::vector<VerifierKey>& list) {
  const auto same = [](const NoteSignature& s, const VerifierKey& k) {
    return s.name == k.name && s.key_id == k.key_id;
  };
  // No line by the vendor key at all: the manifest is not signed by the key
  // it names. Otherwise a misplaced line is a question of encoding.
  if (std::none_of(sigs.begin(), sigs.end(),
                   [&](const NoteSignature& s) { return same(s, list[0]); })) {
    return Status::BadSignature("manifest is not signed by the vendor key it names");
  }
  // Canonical order (docs/FORMATS.md "Signer list"): the lines are a
  // subsequence of the signer list, so reordering, repeating or adding a line
  // by another key cannot make a second encoding of the same release.
  std::vector<VerifierKey> out;
  size_t next = 0;
  for (const NoteSignature& s : sigs) {
    size_t j = next;
    while (j < list.size() && !same(s, list[j])) ++j;
    if (j == list.size()) {
      for (size_t i = 0; i < next; ++i) {
        if (same(s, list[i])) {
          return Status::Malformed("manifest signatures are repeated or not in signer-list order");
        }
      }
      return Status::Malformed("manifest is signed by " + s.name +
                               ", a key not in its signer list");
    }
    out.push_back(list[j]);
    next = j + 1;
  }
  return out;
}

}  // namespace candor
