// Trust roots: parsing, canonical form, the rotation rule and the log proof of
// a new root (candor/trust_root.h, docs/FORMATS.md "Trust root").
#include "candor/trust_root.h"

#include <algorithm>

#include "candor/bundle.h"
#include "candor/date.h"
#include "candor/verify.h"
#include "log_proof_internal.h"

namespace candor {
namespace {

constexpr std::string_view kHeader = "candor.dev/trust-root/v1";

Status LineError(size_t line_no, std::string_view what) {
  return Status::Malformed("trust root line " + std::to_string(line_no) + ": " + std::string(what));
}

// "<keyword> <value>" with exactly one space and a non-empty value without
// spaces; the value, or nullopt.
std::optional<std::string_view> Field(std::string_view line, std::string_view keyword) {
  if (line.size() <= keyword.size() + 1 || !line.starts_with(keyword) ||
      line[keyword.size()] != ' ') {
    return std::nullopt;
  }
  std::string_view value = line.substr(keyword.size() + 1);
  if (value.find(' ') != std::string_view::npos || value.find('\t') != std::string_view::npos) {
    return std::nullopt;
  }
  return value;
}

bool IsValidDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > kMaxDomainSize) return false;
  return std::all_of(domain.begin(), domain.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string Num(uint64_t v) { return FormatDecimal(v); }

std::string RootName(const TrustRoot& root) {
  return "trust root " + root.domain + " version " + Num(root.version);
}

}  // namespace

bool TrustRoot::ExpiredAt(uint64_t now_unix) const {
  return expires_unix < 0 || now_unix >= static_cast<uint64_t>(expires_unix);
}

std::string FormatTrustRootText(const TrustRoot& root) {
  std::string out(kTrustRootMagic);
  out += "domain " + root.domain + "\n";
  out += "version " + Num(root.version) + "\n";
  out += "expires " + FormatUtcTime(root.expires_unix) + "\n";
  out += "root-threshold " + Num(root.root_threshold) + "\n";
  std::vector<std::string> keys;
  for (const VerifierKey& k : root.root_keys) keys.push_back(FormatVerifierKey(k));
  std::sort(keys.begin(), keys.end());
  for (const std::string& k : keys) out += "root " + k + "\n";
  out += FormatTrustPolicy(root.policy);
  return out;
}

// One pass in the order of docs/FORMATS.md "Trust root", failing closed at the
// first deviation from the one canonical spelling.
Result<TrustRoot> ParseTrustRootText(std::string_view text) {
  if (text.size() > kMaxTrustRootSize) return Status::TooLarge("trust root exceeds 65535 bytes");
  std::string_view rest = text, line;
  size_t line_no = 0;
  auto next = [&]() {
    if (!ConsumeLine(rest, line)) return false;
    line_no++;
    return true;
  };
  if (!next() || line != kHeader) {
    return Status::Malformed("not a trust root (first line must be " + std::string(kHeader) + ")");
  }
  TrustRoot root;
  if (!next()) return Status::Malformed("trust root is truncated");
  auto domain = Field(line, "domain");
  if (!domain || !IsValidDomain(*domain)) {
    return LineError(line_no, "expected: domain <1..128 printable ASCII characters>");
  }
  root.domain = std::string(*domain);

  if (!next()) return Status::Malformed("trust root is truncated");
  auto version = Field(line, "version");
  auto version_value =
      version ? ParseDecimalU64(*version) : Result<uint64_t>(Status::Malformed(""));
  if (!version_value.ok() || *version_value == 0) {
    return LineError(line_no, "expected: version <canonical decimal >= 1>");
  }
  root.version = *version_value;

  if (!next()) return Status::Malformed("trust root is truncated");
  auto expires = Field(line, "expires");
  auto expires_value = expires ? ParseUtcTime(*expires) : Result<int64_t>(Status::Malformed(""));
  if (!expires_value.ok()) return LineError(line_no, "expected: expires <YYYY-MM-DDTHH:MM:SSZ>");
  root.expires_unix = *expires_value;

  if (!next()) return Status::Malformed("trust root is truncated");
  auto threshold = Field(line, "root-threshold");
  auto threshold_value =
      threshold ? ParseDecimal(*threshold, kMaxRootKeys) : Result<uint64_t>(Status::Malformed(""));
  if (!threshold_value.ok() || *threshold_value == 0) {
    return LineError(line_no, "expected: root-threshold <1.." + Num(kMaxRootKeys) + ">");
  }
  root.root_threshold = static_cast<size_t>(*threshold_value);

  // root lines: sorted by their text, distinct public keys.
  std::string_view previous;
  for (;;) {
    std::string_view before = rest;
    if (!next()) return Status::Malformed("trust root is truncated");
    auto vkey = Field(line, "root");
    if (!vkey) {
      rest = before;  // the first policy line
      line_no--;
      break;
    }
    auto key = ParseVerifierKey(*vkey);
    if (!key.ok()) return LineError(line_no, key.status().message());
    if (key->type != kKeyTypeEd25519) return LineError(line_no, "root key must be Ed25519");
    if (!previous.empty() && *vkey <= previous) {
      return LineError(line_no, "root keys must be sorted and distinct");
    }
    for (const VerifierKey& other : root.root_keys) {
      if (SamePublicKey(other, *key)) {
        return LineError(line_no, "the same root key twice");
      }
    }
    if (root.root_keys.size() == kMaxRootKeys) {
      return LineError(line_no, "more than " + Num(kMaxRootKeys) + " root keys");
    }
    previous = *vkey;
    root.root_keys.push_back(*key);
  }
  if (root.root_keys.empty()) return LineError(line_no + 1, "expected: root <vkey>");
  if (root.root_threshold > root.root_keys.size()) {
    return Status::Malformed("root-threshold " + Num(root.root_threshold) + " exceeds the " +
                             Num(root.root_keys.size()) + " root keys");
  }

  auto policy = ParseTrustPolicy(rest);
  if (!policy.ok()) return policy.status().WithContext("trust root policy");
  if (FormatTrustPolicy(*policy) != rest) {
    return Status::Malformed(
        "trust root policy is not in canonical form (docs/FORMATS.md \"Trust root\")");
  }
  root.policy = std::move(policy).value();
  root.policy_text = std::string(rest);
  return root;
}

Result<SignedTrustRoot> ParseSignedTrustRoot(std::string_view note) {
  if (note.size() > kMaxTrustRootSize) return Status::TooLarge("trust root exceeds 65535 bytes");
  if (!note.starts_with(kTrustRootMagic)) {
    return Status::Malformed("not a trust root (first line must be " + std::string(kHeader) + ")");
  }
  CANDOR_ASSIGN_OR_RETURN(Note parsed, ParseNote(note));
  CANDOR_ASSIGN_OR_RETURN(TrustRoot root, ParseTrustRootText(parsed.text));
  SignedTrustRoot out;
  out.root = std::move(root);
  out.note = std::string(note);
  return out;
}

bool IsTrustRootEntry(ByteView entry) { return AsChars(entry).starts_with(kTrustRootMagic); }

namespace {

// How many of `keys` are among `signed_by` (distinct public keys).
size_t CountAmong(const std::vector<VerifierKey>& keys, const std::vector<VerifierKey>& signed_by) {
  size_t n = 0;
  for (const VerifierKey& k : keys) {
    n += std::any_of(signed_by.begin(), signed_by.end(),
                     [&k](const VerifierKey& s) { return SamePublicKey(k, s); })
             ? 1
             : 0;
  }
  return n;
}

// The keys of `keys` (distinct public keys) whose signatures on the note
// verify, each signature verified once however many sets the key is in.
Result<std::vector<VerifierKey>> ValidRootSigners(std::string_view note,
                                                  const std::vector<VerifierKey>& keys) {
  auto verified = VerifyNote(note, keys);
  if (!verified.ok()) {
    if (verified.status().code() == Code::kUntrustedKey) return std::vector<VerifierKey>{};
    return verified.status();
  }
  std::vector<VerifierKey> out;
  for (const VerifiedSigner& signer : verified->verified) {
    if (std::none_of(out.begin(), out.end(),
                     [&signer](const VerifierKey& k) { return SamePublicKey(k, signer.key); })) {
      out.push_back(signer.key);
    }
  }
  return out;
}

Status ThresholdMet(const SignedTrustRoot& root, const TrustRoot& signers, size_t count,
                    std::string_view whose) {
  if (count >= signers.root_threshold) return Status::Ok();
  return Status::BadSignature(RootName(root.root) + " is not signed by enough root keys of " +
                              std::string(whose) + " (" + Num(count) + " of " +
                              Num(signers.root_threshold) + ")");
}

}  // namespace

Result<size_t> CountRootSignatures(std::string_view note, const std::vector<VerifierKey>& keys) {
  CANDOR_ASSIGN_OR_RETURN(std::vector<VerifierKey> signers, ValidRootSigners(note, keys));
  return CountAmong(keys, signers);
}

Status CheckRootSelfSigned(const SignedTrustRoot& root) {
  CANDOR_ASSIGN_OR_RETURN(size_t count, CountRootSignatures(root.note, root.root.root_keys));
  return ThresholdMet(root, root.root, count, "itself");
}

Result<SignedTrustRoot> ParseTrustAnchor(std::string_view note) {
  CANDOR_ASSIGN_OR_RETURN(SignedTrustRoot root, ParseSignedTrustRoot(note));
  CANDOR_RETURN_IF_ERROR(CheckRootSelfSigned(root));
  return root;
}

Status CheckRootSuccessor(const TrustRoot& current, const SignedTrustRoot& next) {
  const TrustRoot& n = next.root;
  if (n.domain != current.domain) {
    return Status::Mismatch("trust root is for domain " + n.domain + ", the device trusts " +
                            current.domain);
  }
  if (n.version <= current.version) {
    return Status::Rollback("trust root version " + Num(n.version) + " is not newer than the " +
                            "trusted version " + Num(current.version));
  }
  if (n.version != current.version + 1) {
    return Status::PolicyUnsatisfied("trust root version " + Num(n.version) + " skips version " +
                                     Num(current.version + 1) + " (roots are applied in order)");
  }
  // Both thresholds from one verification pass over the union of the two key
  // sets: a key in both is verified once and counts towards both (TUF). Only
  // identical entries merge: a key renamed between versions keeps both names,
  // so its signature under either name is found, and counts once per set
  // (CountAmong compares public keys).
  std::vector<VerifierKey> both = current.root_keys;
  for (const VerifierKey& k : n.root_keys) {
    if (std::find(both.begin(), both.end(), k) == both.end()) both.push_back(k);
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<VerifierKey> signers, ValidRootSigners(next.note, both));
  CANDOR_RETURN_IF_ERROR(ThresholdMet(next, current, CountAmong(current.root_keys, signers),
                                      "version " + Num(current.version)));
  return ThresholdMet(next, n, CountAmong(n.root_keys, signers),
                      "version " + Num(n.version) + " itself");
}

Status CheckRootCurrent(const TrustRoot& root, uint64_t now_unix) {
  if (root.ExpiredAt(now_unix)) {
    return Status::Expired(RootName(root) + " expired at " + FormatUtcTime(root.expires_unix) +
                           "; install its successor (candor-agent trust-update)");
  }
  return Status::Ok();
}

Result<VerifiedTrustRoot> VerifyTrustRootUpdate(const TrustRootUpdateRequest& request) {
  if (request.current == nullptr) {
    return Status::InvalidArgument("VerifyTrustRootUpdate: the current root is required");
  }
  auto bundle = ParseBundle(request.bundle);
  if (!bundle.ok()) return bundle.status().WithContext("bundle");
  // The bundle must prove exactly this root, byte for byte: a valid bundle
  // of another entry (an old root, a release) proves nothing about it.
  if (AsChars(bundle->entry) != request.root_note) {
    return Status::Mismatch("the bundle proves a different log entry than this trust root");
  }
  auto next = ParseSignedTrustRoot(request.root_note);
  if (!next.ok()) return next.status();
  CANDOR_RETURN_IF_ERROR(CheckRootSuccessor(*request.current, *next));

  // Public first: the new root is in the log the current root trusts, under a
  // checkpoint its witnesses cosigned, consistent with what the device saw.
  internal::LogProofRequest log_request;
  log_request.policy = &request.current->policy;
  log_request.now_unix = request.now_unix;
  if (request.last_seen != nullptr) log_request.last_seen = *request.last_seen;
  log_request.consistency_proofs = request.consistency_proofs;
  auto checked = internal::CheckLogProof(log_request, *bundle);
  if (!checked.ok()) return checked.status();

  VerifiedTrustRoot out;
  out.root = std::move(next).value();
  out.log_index = bundle->index;
  out.checkpoint = checked->signed_checkpoint.checkpoint;
  out.checkpoint_note = checked->signed_checkpoint.note;
  out.quorum_time = checked->quorum.quorum_time;
  out.cosigned_by = std::move(checked->cosigned_by);
  return out;
}

}  // namespace candor
