// Vendor-side construction of release entries (see candor/release_signer.h).
#include "candor/release_signer.h"

#include <algorithm>
#include <array>

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
  CANDOR_ASSIGN_OR_RETURN(Manifest m, BuildManifest(fields, changelog, vendor));
  CANDOR_ASSIGN_OR_RETURN(std::string note, SignManifest(m, vendor));
  Bytes entry = EncodeReleaseEntry(note, changelog);
  // Never hand out an entry the verifier would refuse.
  Result<ReleaseEntry> check = ParseReleaseEntry(entry);
  if (!check.ok()) return check.status().WithContext("internal: created entry does not parse");
  if (!(check->manifest == m)) return Status::Internal("created entry does not round-trip");
  return entry;
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

}  // namespace candor
