// Release entry framing and end-to-end parsing (docs/FORMATS.md "Release entry").
#include "candor/release.h"

#include "candor/sha256.h"
#include "text_class.h"

namespace candor {
namespace {

constexpr size_t kMagicSize = kReleaseEntryMagic.size();

}  // namespace

Status ValidateChangelog(std::string_view changelog) {
  if (changelog.empty()) return Status::Malformed("changelog is empty");
  if (changelog.size() > kMaxChangelogSize) return Status::TooLarge("changelog exceeds 48 KiB");
  // The same text class as disclosure values, with lines and tabs: what
  // auditors read is what the bytes say (no bidirectional overrides, no
  // hidden characters) and there is something to read.
  return internal::CheckVisibleText(changelog, "changelog", /*multiline=*/true);
}

Result<ReleaseEntry> ParseReleaseEntry(ByteView entry, VerifierKeyCache* keys,
                                       const ManifestGate* gate) {
  if (entry.size() > kMaxReleaseEntrySize)
    return Status::TooLarge("release entry exceeds 65535 bytes");
  const std::string_view bytes = AsChars(entry);
  if (bytes.substr(0, kMagicSize) != kReleaseEntryMagic) {
    return Status::Malformed("not a release entry (bad magic)");
  }
  size_t pos = kMagicSize;
  std::string_view parts[2];
  for (std::string_view& part : parts) {
    if (bytes.size() - pos < 2) return Status::Malformed("release entry is truncated");
    const size_t len = ReadU16BE(entry.data() + pos);
    pos += 2;
    if (len == 0) return Status::Malformed("empty manifest or changelog");
    if (bytes.size() - pos < len) return Status::Malformed("release entry is truncated");
    part = bytes.substr(pos, len);
    pos += len;
  }
  if (pos != bytes.size()) return Status::Malformed("trailing bytes after the changelog");
  if (parts[0].size() > kMaxManifestNoteSize) return Status::TooLarge("manifest exceeds 12 KiB");
  CANDOR_RETURN_IF_ERROR(ValidateChangelog(parts[1]));

  std::vector<VerifierKey> signed_by;
  CANDOR_ASSIGN_OR_RETURN(Manifest manifest, ParseSignedManifest(parts[0], keys, gate, &signed_by));
  if (!HashEqual(Sha256Digest(parts[1]), manifest.changelog_sha256)) {
    return Status::Mismatch("changelog does not match the manifest's changelog-sha256");
  }
  ReleaseEntry out;
  out.manifest = std::move(manifest);
  out.signed_manifest_note = std::string(parts[0]);
  out.changelog = std::string(parts[1]);
  out.signed_by = std::move(signed_by);
  return out;
}

Bytes EncodeReleaseEntry(std::string_view signed_manifest_note, std::string_view changelog) {
  if (signed_manifest_note.empty() || signed_manifest_note.size() > kMaxManifestNoteSize ||
      changelog.empty() || changelog.size() > kMaxChangelogSize) {
    return {};
  }
  Bytes out;
  out.reserve(kMagicSize + 4 + signed_manifest_note.size() + changelog.size());
  const ByteView magic = AsBytes(kReleaseEntryMagic);
  out.insert(out.end(), magic.begin(), magic.end());
  for (std::string_view part : {signed_manifest_note, changelog}) {
    AppendU16BE(out, static_cast<uint16_t>(part.size()));
    const ByteView b = AsBytes(part);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

Bytes EncodeReleaseEntry(const ReleaseEntry& entry) {
  return EncodeReleaseEntry(entry.signed_manifest_note, entry.changelog);
}

}  // namespace candor
