// Vendor-side construction of release entries (see candor/release_signer.h).
#include "candor/release_signer.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "candor/sha256.h"

namespace candor {

Result<Manifest> BuildManifest(const ManifestFields& fields, std::string_view changelog,
                               const Signer& vendor) {
  const VerifierKey& vendor_key = vendor.public_key();
  if (vendor_key.type != kKeyTypeEd25519 || !IsValidKeyName(vendor_key.name)) {
    return Status::InvalidArgument("vendor key must be a valid Ed25519 note key");
  }
  CANDOR_RETURN_IF_ERROR(ValidateChangelog(changelog));
  Manifest m;
  m.vendor =
      fields.vendor.empty() ? vendor_key.name.substr(0, vendor_key.name.find('/')) : fields.vendor;
  m.vendor_key = vendor_key;
  m.products = fields.products;
  std::sort(m.products.begin(), m.products.end());
  if (std::adjacent_find(m.products.begin(), m.products.end()) != m.products.end()) {
    return Status::InvalidArgument("duplicate product id");
  }
  m.version = fields.version;
  m.rollback = fields.rollback;
  m.image_sha256 = fields.image_sha256;
  m.image_size = fields.image_size;
  m.changelog_sha256 = Sha256Digest(changelog);
  m.issued = fields.issued;
  m.disclosures = fields.disclosures;
  for (const Disclosure& d : m.disclosures) CANDOR_RETURN_IF_ERROR(ValidateDisclosure(d));
  SortDisclosures(m.disclosures);
  if (std::adjacent_find(m.disclosures.begin(), m.disclosures.end()) != m.disclosures.end()) {
    return Status::InvalidArgument("duplicate disclosure");
  }
  CANDOR_RETURN_IF_ERROR(ValidateManifest(m));
  return m;
}

Result<std::string> SignManifest(const Manifest& manifest, const Signer& vendor) {
  if (!(manifest.vendor_key == vendor.public_key())) {
    return Status::InvalidArgument("manifest names a different vendor key than the signer");
  }
  CANDOR_ASSIGN_OR_RETURN(std::string text, FormatManifestText(manifest));
  const std::array<const Signer*, 1> signers = {&vendor};
  CANDOR_ASSIGN_OR_RETURN(std::string note, SignNote(text, signers));
  if (note.size() > kMaxManifestNoteSize) {
    return Status::TooLarge("signed manifest exceeds 12 KiB (too many or too long disclosures)");
  }
  return note;
}

Result<Bytes> CreateReleaseEntry(const ManifestFields& fields, std::string_view changelog,
                                 const Signer& vendor) {
  return CreateReleaseEntry(fields, changelog, std::span<const VerifierKey>(), vendor);
}

Result<Bytes> CreateReleaseEntry(const ManifestFields& fields, std::string_view changelog,
                                 std::span<const VerifierKey> signers, const Signer& creating_key) {
  CANDOR_ASSIGN_OR_RETURN(Manifest m, BuildManifest(fields, changelog, creating_key));
  if (!signers.empty()) {
    bool has_creator = false;
    std::vector<std::pair<std::string, VerifierKey>> others;
    for (const VerifierKey& k : signers) {
      if (k == m.vendor_key) {
        if (has_creator) return Status::InvalidArgument("key " + k.name + " is listed twice");
        has_creator = true;
        continue;
      }
      others.emplace_back(FormatVerifierKey(k), k);
    }
    if (!has_creator) {
      return Status::InvalidArgument("the signer list must contain the creating key " +
                                     creating_key.public_key().name);
    }
    std::sort(others.begin(), others.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 1; i < others.size(); ++i) {
      if (others[i].first == others[i - 1].first) {
        return Status::InvalidArgument("key " + others[i].second.name + " is listed twice");
      }
    }
    for (auto& [text, k] : others) m.cosigners.push_back(std::move(k));
    // Names, types, the 16-key bound and (name, key ID) clashes.
    CANDOR_RETURN_IF_ERROR(ValidateManifest(m));
  }
  CANDOR_ASSIGN_OR_RETURN(std::string note, SignManifest(m, creating_key));
  Bytes entry = EncodeReleaseEntry(note, changelog);
  // Never hand out an entry the verifier would refuse.
  Result<ReleaseEntry> check = ParseReleaseEntry(entry);
  if (!check.ok()) return check.status().WithContext("internal: created entry does not parse");
  if (!(check->manifest == m)) return Status::Internal("created entry does not round-trip");
  return entry;
}

Result<Bytes> AddReleaseSignature(ByteView entry, const Signer& key) {
  const VerifierKey& pub = key.public_key();
  if (pub.type != kKeyTypeEd25519) {
    return Status::InvalidArgument("a release is signed with an Ed25519 note key");
  }
  CANDOR_ASSIGN_OR_RETURN(ReleaseEntry release, ParseReleaseEntry(entry));
  const std::vector<VerifierKey> list = SignerList(release.manifest);
  const auto at = std::find(list.begin(), list.end(), pub);
  if (at == list.end()) {
    return Status::UntrustedKey("key " + pub.name + " is not in the release's signer list");
  }
  if (std::find(release.signed_by.begin(), release.signed_by.end(), pub) !=
      release.signed_by.end()) {
    return Status::Conflict("key " + pub.name + " has already signed this release");
  }
  // The new line goes where canonical order puts it: before the first
  // existing signature whose key comes later in the signer list.
  CANDOR_ASSIGN_OR_RETURN(Note note, ParseNote(release.signed_manifest_note));
  const std::array<const Signer*, 1> one = {&key};
  CANDOR_ASSIGN_OR_RETURN(std::string signed_once, SignNote(note.text, one));
  CANDOR_ASSIGN_OR_RETURN(Note fresh, ParseNote(signed_once));
  const size_t rank = static_cast<size_t>(at - list.begin());
  size_t pos = 0;
  while (pos < release.signed_by.size() &&
         std::find(list.begin(), list.end(), release.signed_by[pos]) - list.begin() <
             static_cast<std::ptrdiff_t>(rank)) {
    ++pos;
  }
  note.signatures.insert(note.signatures.begin() + static_cast<std::ptrdiff_t>(pos),
                         std::move(fresh.signatures.front()));
  CANDOR_ASSIGN_OR_RETURN(std::string signed_note, FormatNote(note));
  if (signed_note.size() > kMaxManifestNoteSize) {
    return Status::TooLarge("signed manifest would exceed 12 KiB with another signature");
  }
  Bytes out = EncodeReleaseEntry(signed_note, release.changelog);
  Result<ReleaseEntry> check = ParseReleaseEntry(out);
  if (!check.ok()) return check.status().WithContext("internal: signed entry does not parse");
  return out;
}

// The key forms: the same functions over an in-memory key's signer.

Result<Manifest> BuildManifest(const ManifestFields& fields, std::string_view changelog,
                               const SignerKey& vendor_key) {
  return BuildManifest(fields, changelog, *MakeKeySigner(vendor_key));
}

Result<std::string> SignManifest(const Manifest& manifest, const SignerKey& vendor_key) {
  return SignManifest(manifest, *MakeKeySigner(vendor_key));
}

Result<Bytes> CreateReleaseEntry(const ManifestFields& fields, std::string_view changelog,
                                 const SignerKey& vendor_key) {
  return CreateReleaseEntry(fields, changelog, *MakeKeySigner(vendor_key));
}

Result<Bytes> CreateReleaseEntry(const ManifestFields& fields, std::string_view changelog,
                                 std::span<const VerifierKey> signers,
                                 const SignerKey& creating_key) {
  return CreateReleaseEntry(fields, changelog, signers, *MakeKeySigner(creating_key));
}

Result<Bytes> AddReleaseSignature(ByteView entry, const SignerKey& key) {
  return AddReleaseSignature(entry, *MakeKeySigner(key));
}

}  // namespace candor
