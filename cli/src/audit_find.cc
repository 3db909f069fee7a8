// `candor audit find` (docs/AUDIT.md): which logged releases carry a firmware
// image, looked up by its SHA-256 in the mirror's index (releases_image).
// A journalist with a firmware dump runs `sha256sum dump.bin` and asks.
#include <algorithm>
#include <optional>
#include <ostream>
#include <string>

#include <fmt/format.h>

#include "audit.h"
#include "candor/date.h"
#include "candor/disclosure.h"

namespace candor::cli {
namespace {

// 64 hex digits, either case (sha256sum prints lower case, some tools upper):
// the lower-case form the manifest uses (docs/FORMATS.md "image-sha256"), or
// nullopt for anything else.
std::optional<std::string> NormalizeSha256Hex(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return out;
}

void PrintFound(std::ostream& out, const audit::ReleaseRow& r) {
  out << fmt::format("#{} {} {} {} (rollback {}, issued {}, logged by {})\n", r.log_index, r.vendor,
                     fmt::join(r.products, ","), r.version, r.rollback, FormatUtcTime(r.issued),
                     FormatUtcTime(r.logged));
  out << "  image " << r.image_size << " bytes, leaf hash " << r.leaf_hex << "\n";
  if (r.disclosures.empty()) out << "  no disclosures\n";
  for (const Disclosure& d : r.disclosures) {
    out << (IsRestrictive(d) ? "! " : "  ") << FormatDisclosureLine(d) << "\n";
  }
}

}  // namespace

Outcome RunAuditFind(const Args& args, Context& ctx) {
  std::string dir, hex;
  bool json = false;
  po::options_description desc("options");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  desc.add_options()("image-sha256", po::value(&hex),
                     "SHA-256 of the firmware image (64 hex digits)");
  AddJsonOption(desc, &json);
  po::variables_map vm;
  if (auto early = ParseAuditArgs(args, desc, nullptr,
                                  "find --dir MIRROR --image-sha256 HEX [--json]", ctx, vm)) {
    return *early;
  }
  if (dir.empty() || hex.empty()) {
    return UsageError(Status::InvalidArgument("find needs --dir and --image-sha256"));
  }
  const std::optional<std::string> want = NormalizeSha256Hex(hex);
  if (!want) {
    return UsageError(Status::InvalidArgument(
        "--image-sha256 must be 64 hex digits (the output of sha256sum), got " +
        std::to_string(hex.size()) + " characters"));
  }
  Hash image{};
  const Bytes raw = HexDecode(*want).value();  // 64 hex digits: cannot fail
  std::copy(raw.begin(), raw.end(), image.begin());

  CANDOR_ASSIGN_OR_RETURN(ReadMirror m, OpenMirrorForRead(dir));
  CANDOR_ASSIGN_OR_RETURN(auto rows, m.mirror->index().ByImage(image, m.state.size));
  if (json) {
    WriteReleaseListJson(ctx.out, m.state.size, rows, {{"image_sha256", *want}});
  } else {
    for (const auto& r : rows) PrintFound(ctx.out, r);
    if (!rows.empty()) {
      ctx.out << rows.size() << " release(s) with image sha256 " << *want
              << " in a verified tree of " << m.state.size << " entries\n";
    }
  }
  // No match is exit 12 (not-found), as grep exits non-zero without a match,
  // so a script can branch on it; 1 stays the usage error.
  if (rows.empty()) {
    return Status::NotFound(fmt::format(
        "no release in the verified tree of {} entries has image sha256 {}", m.state.size, *want));
  }
  return Status::Ok();
}

}  // namespace candor::cli
