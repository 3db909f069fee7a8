// `candor release create`: hashes the image (streaming), reads the changelog,
// builds and signs the release manifest with the vendor key (naming a k-of-n
// signer list with --signer), and writes the release entry atomically. Every refusal names what to
// fix.
#include <ctime>
#include <ostream>

#include <fmt/format.h>

#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signing_key.h"
#include "cli.h"
#include "files.h"
#include "options.h"

namespace candor::cli {
namespace {

std::string KnownKinds() {
  std::string out;
  for (const DisclosureKindInfo& k : DisclosureVocabulary()) {
    if (!out.empty()) out += ", ";
    out += k.kind;
  }
  return out;
}

Result<Disclosure> ParseDiscloseOption(const std::string& arg) {
  size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument(
        fmt::format("--disclose '{}': expected KIND=VALUE[,effective=YYYY-MM-DD]", arg));
  }
  std::string kind = arg.substr(0, eq);
  if (FindDisclosureKind(kind) == nullptr && !IsVendorKind(kind)) {
    return Status::InvalidArgument(fmt::format(
        "--disclose: unknown disclosure kind '{}'. Known kinds: {}. Vendor-specific kinds "
        "must be namespaced as x-<vendor-domain>/<name> (see `docs/FORMATS.md`).",
        kind, KnownKinds()));
  }
  Result<Disclosure> d = ParseDisclosureArg(arg);
  if (!d.ok()) {
    const DisclosureKindInfo* info = FindDisclosureKind(kind);
    // Point at the accepted values unless the problem is the date.
    bool about_date = d.status().message().find("date") != std::string::npos;
    std::string hint = info != nullptr && !about_date
                           ? fmt::format(" (accepted values: {})", info->value_syntax)
                           : std::string();
    return Status(d.status().code(),
                  fmt::format("--disclose '{}': {}{}", arg, d.status().message(), hint));
  }
  return d;
}

Status CheckChangelog(const std::string& path, const std::string& text) {
  if (text.size() > kMaxChangelogSize) {
    return Status::TooLarge(fmt::format(
        "changelog {} is {} bytes; a release entry must stay below the log's 64 KiB entry "
        "limit, so changelogs are limited to {} bytes. Shorten it or link to the full notes.",
        path, text.size(), kMaxChangelogSize));
  }
  if (text.empty()) return Status::InvalidArgument(fmt::format("changelog {} is empty", path));
  if (text.find('\r') != std::string::npos) {
    return Status::Malformed(fmt::format(
        "changelog {} contains carriage returns (CRLF line endings?); use \\n line endings", path));
  }
  Status s = ValidateChangelog(text);
  if (!s.ok()) {
    return Status(s.code(), fmt::format("changelog {} is not valid UTF-8 text without control, "
                                        "invisible or formatting characters: {}",
                                        path, s.message()));
  }
  return Status::Ok();
}

}  // namespace

Outcome RunReleaseCreate(const Args& args, Context& ctx) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "key", po::value<std::string>(),
      "vendor key: a key file, pkcs11:URI or ssh-agent:VKEY (docs/SIGNING.md)")(
      "vendor", po::value<std::string>(), "vendor domain (default: from the key name)")(
      "product", po::value<std::vector<std::string>>(), "product id (repeatable)")(
      "version", po::value<std::string>(), "version string")("rollback", po::value<std::string>(),
                                                             "anti-rollback counter (monotonic)")(
      "image", po::value<std::string>(), "firmware image")("changelog", po::value<std::string>(),
                                                           "changelog text (UTF-8)")(
      "disclose", po::value<std::vector<std::string>>(),
      "KIND=VALUE[,effective=YYYY-MM-DD] (repeatable)")(
      "issued", po::value<std::string>(), "issue time YYYY-MM-DDTHH:MM:SSZ (default: now)")(
      "signer", po::value<std::vector<std::string>>(),
      "a key of the signer list, PREFIX.pub (repeatable; must include --key's)")(
      "out", po::value<std::string>(), "release entry to write")("force",
                                                                 "replace an existing output file");
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, nullptr, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx,
                     "release create --key vendor.key [--vendor V] --product P [--product P2...] "
                     "--version X --rollback N --image fw.bin --changelog CHANGELOG.md "
                     "[--disclose KIND=VALUE[,effective=YYYY-MM-DD]]... "
                     "[--signer K1.pub --signer K2.pub...] --out release.entry",
                     desc);
    return Status::Ok();
  }
  for (const char* name : {"key", "product", "version", "rollback", "image", "changelog", "out"}) {
    CANDOR_CLI_USAGE_IF_ERROR(Require(vm, name));
  }
  const std::string out_path = vm["out"].as<std::string>();
  const bool force = vm.count("force") > 0;
  if (!force && PathExists(out_path)) {
    return Status::Conflict(out_path + " already exists (use --force to replace it)");
  }

  ManifestFields fields;
  if (vm.count("vendor")) fields.vendor = vm["vendor"].as<std::string>();
  fields.products = vm["product"].as<std::vector<std::string>>();
  fields.version = vm["version"].as<std::string>();
  CANDOR_ASSIGN_OR_RETURN(fields.rollback, GetU64(vm, "rollback", 0));
  if (vm.count("disclose")) {
    for (const std::string& arg : vm["disclose"].as<std::vector<std::string>>()) {
      CANDOR_ASSIGN_OR_RETURN(Disclosure d, ParseDiscloseOption(arg));
      fields.disclosures.push_back(std::move(d));
    }
  }
  if (vm.count("issued")) {
    Result<int64_t> t = ParseUtcTime(vm["issued"].as<std::string>());
    if (!t.ok()) return Status::InvalidArgument("--issued: " + t.status().message());
    fields.issued = *t;
  } else {
    fields.issued = static_cast<int64_t>(std::time(nullptr));
  }

  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Signer> key,
                          OpenReleaseSigner(vm["key"].as<std::string>()));
  // The signer list of a k-of-n release (docs/FORMATS.md "Signer list");
  // none: the creating key alone, the single-signature format.
  std::vector<VerifierKey> signers;
  if (vm.count("signer")) {
    for (const std::string& path : vm["signer"].as<std::vector<std::string>>()) {
      CANDOR_ASSIGN_OR_RETURN(VerifierKey k, ReadVerifierKeyFile(path, "--signer key"));
      signers.push_back(std::move(k));
    }
  }

  const std::string changelog_path = vm["changelog"].as<std::string>();
  // Read one byte past the limit so an oversized changelog gets a clear message.
  Result<std::string> changelog = fs::ReadFile(changelog_path, kMaxChangelogSize + 1);
  if (!changelog.ok() && changelog.status().code() == Code::kTooLarge) {
    return Status::TooLarge(fmt::format(
        "changelog {} exceeds {} bytes; a release entry must stay below the log's 64 KiB "
        "entry limit. Shorten it or link to the full notes.",
        changelog_path, kMaxChangelogSize));
  }
  if (!changelog.ok()) return changelog.status();
  CANDOR_RETURN_IF_ERROR(CheckChangelog(changelog_path, *changelog));

  CANDOR_RETURN_IF_ERROR(HashFile(vm["image"].as<std::string>(), "image", ctx, fields.image_sha256,
                                  fields.image_size));

  Result<Bytes> entry = CreateReleaseEntry(fields, *changelog, signers, *key);
  if (!entry.ok()) {
    if (entry.status().code() == Code::kTooLarge) {
      return Status::TooLarge(
          fmt::format("the release entry would exceed the log's entry limit of {} bytes: {}",
                      kMaxReleaseEntrySize, entry.status().message()));
    }
    return entry.status().WithContext("cannot create the release");
  }
  if (entry->size() > kMaxReleaseEntrySize) {
    return Status::TooLarge(fmt::format("the release entry is {} bytes, over the log's limit of {}",
                                        entry->size(), kMaxReleaseEntrySize));
  }
  CANDOR_RETURN_IF_ERROR(WriteFileAtomic(out_path, AsChars(*entry), force));

  Result<ReleaseEntry> parsed = ParseReleaseEntry(*entry);
  if (!parsed.ok()) return parsed.status().WithContext("internal: created entry does not parse");
  const Manifest& m = parsed->manifest;
  ctx.out << fmt::format("created {}: {} {} for {} (rollback {}, {} disclosure{})\n", out_path,
                         m.vendor, m.version, fmt::join(m.products, ", "), m.rollback,
                         m.disclosures.size(), m.disclosures.size() == 1 ? "" : "s");
  if (!m.cosigners.empty()) {
    ctx.out << fmt::format(
        "  signed by {} of {} listed keys; the others sign with `candor release "
        "sign --key KEY {}`\n",
        parsed->signed_by.size(), m.cosigners.size() + 1, out_path);
  }
  ctx.out << fmt::format("  leaf hash {}\n", HexEncode(LeafHash(*entry)));
  return Status::Ok();
}

}  // namespace candor::cli
