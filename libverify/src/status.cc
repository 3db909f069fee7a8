#include "candor/status.h"

namespace candor {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kMalformed: return "malformed";
    case Code::kTooLarge: return "too-large";
    case Code::kBadSignature: return "bad-signature";
    case Code::kUntrustedKey: return "untrusted-key";
    case Code::kMismatch: return "mismatch";
    case Code::kNotIncluded: return "not-included";
    case Code::kInconsistent: return "inconsistent";
    case Code::kPolicyUnsatisfied: return "policy-unsatisfied";
    case Code::kRollback: return "rollback";
    case Code::kConflict: return "conflict";
    case Code::kNotFound: return "not-found";
    case Code::kRateLimited: return "rate-limited";
    case Code::kUnavailable: return "unavailable";
    case Code::kIo: return "io";
    case Code::kInvalidArgument: return "invalid-argument";
    case Code::kInternal: return "internal";
    case Code::kConsistencyRequired: return "consistency-required";
    case Code::kExpired: return "expired";
    case Code::kTls: return "tls";
    case Code::kOwnerRefused: return "owner-refused";
  }
  return "unknown";
}

std::optional<Code> CodeFromName(std::string_view name) {
  // Codes are consecutive from kOk; the first value without a name ends them
  // (so a code added at the end of the enum is found too).
  for (int i = static_cast<int>(Code::kOk) + 1;; ++i) {
    auto code = static_cast<Code>(i);
    std::string_view known = CodeName(code);
    if (known == "unknown") return std::nullopt;
    if (known == name) return code;
  }
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kMalformed: return 400;
    case Code::kInvalidArgument: return 400;
    case Code::kTooLarge: return 413;
    case Code::kBadSignature: return 403;
    case Code::kUntrustedKey: return 403;
    case Code::kMismatch: return 422;
    case Code::kNotIncluded: return 422;
    case Code::kInconsistent: return 422;
    case Code::kPolicyUnsatisfied: return 403;
    case Code::kRollback: return 409;
    case Code::kConflict: return 409;
    case Code::kNotFound: return 404;
    case Code::kRateLimited: return 429;
    case Code::kUnavailable: return 503;
    case Code::kIo: return 500;
    case Code::kInternal: return 500;
    case Code::kConsistencyRequired: return 422;
    case Code::kExpired: return 403;
    case Code::kTls: return 502;
    case Code::kOwnerRefused: return 403;
  }
  return 500;
}

// Exit codes group codes into classes a script can act on. 1 is left for
// usage errors reported by the argument parser. See docs/EXIT_CODES.md.
int ExitCodeFor(Code code) {
  switch (code) {
    case Code::kOk: return 0;
    case Code::kInvalidArgument: return 2;
    case Code::kMalformed: return 3;
    case Code::kTooLarge: return 3;
    case Code::kBadSignature: return 4;
    case Code::kUntrustedKey: return 5;
    case Code::kMismatch: return 6;
    case Code::kNotIncluded: return 7;
    case Code::kInconsistent: return 8;
    case Code::kPolicyUnsatisfied: return 9;
    case Code::kRollback: return 10;
    case Code::kConflict: return 11;
    case Code::kNotFound: return 12;
    case Code::kRateLimited: return 13;
    case Code::kUnavailable: return 13;
    case Code::kIo: return 14;
    case Code::kInternal: return 70;
    case Code::kConsistencyRequired: return 15;
    case Code::kExpired: return 16;
    case Code::kTls: return 17;
    case Code::kOwnerRefused: return 18;
  }
  return 70;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(CodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message_;
  return Status(code_, std::move(msg));
}

}  // namespace candor
