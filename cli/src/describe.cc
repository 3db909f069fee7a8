#include "describe.h"

#include <algorithm>
#include <ostream>
#include <vector>

#include <fmt/format.h>

#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/note.h"

namespace candor::cli {

void PrintManifestHuman(const Manifest& m, std::ostream& out) {
  out << fmt::format("  vendor      {}\n", m.vendor);
  out << fmt::format("  vendor key  {}\n", FormatVerifierKey(m.vendor_key));
  out << fmt::format("  products    {}\n", fmt::join(m.products, ", "));
  out << fmt::format("  version     {}\n", m.version);
  out << fmt::format("  rollback    {}\n", m.rollback);
  out << fmt::format("  image       {} bytes, sha256 {}\n", m.image_size,
                     HexEncode(m.image_sha256));
  out << fmt::format("  changelog   sha256 {}\n", HexEncode(m.changelog_sha256));
  out << fmt::format("  issued      {}\n", FormatUtcTime(m.issued));
}

void PrintDisclosuresHuman(const Manifest& m, std::ostream& out) {
  if (m.disclosures.empty()) {
    out << "Disclosures: none\n";
    return;
  }
  bool any_restrictive = false;
  out << fmt::format("Disclosures ({}):\n", m.disclosures.size());
  for (const Disclosure& d : m.disclosures) {
    bool restrictive = IsRestrictive(d);
    any_restrictive |= restrictive;
    out << fmt::format("  {} {}\n      {}\n", restrictive ? "!" : " ", DescribeDisclosure(d),
                       FormatDisclosureArg(d));
  }
  if (any_restrictive) out << "  (! = restricts what the owner can do)\n";
}

void PrintChangelogHuman(const std::string& changelog, std::ostream& out) {
  out << "Changelog:\n";
  size_t start = 0;
  while (start < changelog.size()) {
    size_t nl = changelog.find('\n', start);
    size_t end = nl == std::string::npos ? changelog.size() : nl;
    std::string_view line = std::string_view(changelog).substr(start, end - start);
    if (!line.empty()) out << "  " << line;
    out << "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

void WriteDisclosureJson(const Disclosure& d, JsonWriter& json) {
  json.BeginObject();
  json.Key("kind");
  json.String(d.kind);
  json.Key("value");
  json.String(d.value);
  json.Key("effective");
  if (d.effective) {
    json.String(FormatDate(*d.effective));
  } else {
    json.Null();
  }
  json.Key("restrictive");
  json.Bool(IsRestrictive(d));
  json.Key("known_kind");
  json.Bool(FindDisclosureKind(d.kind) != nullptr);
  json.Key("description");
  json.String(DescribeDisclosure(d));
  json.EndObject();
}

void PrintSignersHuman(const ReleaseEntry& release, std::ostream& out) {
  const std::vector<VerifierKey> list = SignerList(release.manifest);
  out << fmt::format(
      "  signers     {} of {} signed (whether that is enough is the device "
      "policy's decision)\n",
      release.signed_by.size(), list.size());
  for (const VerifierKey& k : list) {
    const bool done =
        std::find(release.signed_by.begin(), release.signed_by.end(), k) != release.signed_by.end();
    out << fmt::format("    {} {}\n", done ? "signed " : "pending", FormatVerifierKey(k));
  }
}

void WriteReleaseJsonMembers(const ReleaseEntry& release, JsonWriter& json) {
  const Manifest& m = release.manifest;
  json.Key("vendor");
  json.String(m.vendor);
  json.Key("vendor_key");
  json.String(FormatVerifierKey(m.vendor_key));
  json.Key("signers");
  json.BeginArray();
  for (const VerifierKey& k : SignerList(m)) {
    json.BeginObject();
    json.Key("key");
    json.String(FormatVerifierKey(k));
    json.Key("signed");
    json.Bool(std::find(release.signed_by.begin(), release.signed_by.end(), k) !=
              release.signed_by.end());
    json.EndObject();
  }
  json.EndArray();
  json.Key("products");
  json.BeginArray();
  for (const std::string& p : m.products) json.String(p);
  json.EndArray();
  json.Key("version");
  json.String(m.version);
  json.Key("rollback");
  json.Uint(m.rollback);
  json.Key("image_sha256");
  json.String(HexEncode(m.image_sha256));
  json.Key("image_size");
  json.Uint(m.image_size);
  json.Key("changelog_sha256");
  json.String(HexEncode(m.changelog_sha256));
  json.Key("issued");
  json.String(FormatUtcTime(m.issued));
  json.Key("disclosures");
  json.BeginArray();
  for (const Disclosure& d : m.disclosures) WriteDisclosureJson(d, json);
  json.EndArray();
  json.Key("changelog");
  json.String(release.changelog);
}

}  // namespace candor::cli
