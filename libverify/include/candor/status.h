// Status and Result<T>: errors as values across the libverify API.
//
// A Status is either OK or carries a Code naming the class of failure plus a
// one-line human message. Result<T> holds either a T or a non-OK Status (in the
// spirit of LevelDB's Status and Tink's StatusOr). Both are [[nodiscard]], so a
// dropped verdict is a compile error under -Werror.
//
// The Code is what callers branch on; the message is for people. HttpStatusFor
// and ExitCodeFor are the one place where codes are mapped to the outside world.
//
// Thread-safety: immutable values; safe to copy and share once constructed.
#ifndef CANDOR_STATUS_H_
#define CANDOR_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace candor {

enum class Code : int {
  kOk = 0,
  kMalformed,          // input does not parse, or is not in canonical form
  kTooLarge,           // input exceeds a documented size limit
  kBadSignature,       // a signature does not verify, or is missing
  kUntrustedKey,       // signed by a key the policy does not trust for this use
  kMismatch,           // digest, size, product or entry does not match what is bound
  kNotIncluded,        // an inclusion proof does not verify
  kInconsistent,       // two tree states cannot both be honest (consistency fails)
  kPolicyUnsatisfied,  // witness quorum not met, checkpoint too old, ...
  kRollback,           // older release than the device already has
  kConflict,           // equivocation or a state conflict (e.g. witness size mismatch)
  kNotFound,           // a requested object does not exist
  kRateLimited,        // caller must slow down
  kUnavailable,        // a dependency is temporarily unreachable; retry may help
  kIo,                 // file system or network failure
  kInvalidArgument,    // caller passed a bad parameter (a programming or usage error)
  kInternal,           // an invariant was broken; a bug
  kConsistencyRequired,  // a larger tree than the last seen one, without a proof that it extends it
  kExpired,            // the trust root's `expires` has passed: no installs under it
  kTls,  // an https server's certificate does not verify (unknown CA, wrong host, expired) or its TLS handshake fails
  kOwnerRefused,  // genuine and logged, but carries a disclosure the device's owner refuses
};

// Stable lower-case name of a code, e.g. "malformed", "not-included".
std::string_view CodeName(Code code);

// The inverse of CodeName (exact, lower-case match); nullopt for any other
// text, and for "ok". How a Code crosses HTTP by name (the Candor-Error
// response header, docs/LOG.md).
std::optional<Code> CodeFromName(std::string_view name);

// The HTTP status a server answers with for a request refused with `code`.
int HttpStatusFor(Code code);

// The process exit code for a command that failed with `code` (0 for kOk).
// Documented in docs/EXIT_CODES.md; stable across releases.
int ExitCodeFor(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status Malformed(std::string msg) { return Status(Code::kMalformed, std::move(msg)); }
  static Status TooLarge(std::string msg) { return Status(Code::kTooLarge, std::move(msg)); }
  static Status BadSignature(std::string msg) {
    return Status(Code::kBadSignature, std::move(msg));
  }
  static Status UntrustedKey(std::string msg) {
    return Status(Code::kUntrustedKey, std::move(msg));
  }
  static Status Mismatch(std::string msg) { return Status(Code::kMismatch, std::move(msg)); }
  static Status NotIncluded(std::string msg) { return Status(Code::kNotIncluded, std::move(msg)); }
  static Status Inconsistent(std::string msg) {
    return Status(Code::kInconsistent, std::move(msg));
  }
  static Status PolicyUnsatisfied(std::string msg) {
    return Status(Code::kPolicyUnsatisfied, std::move(msg));
  }
  static Status Rollback(std::string msg) { return Status(Code::kRollback, std::move(msg)); }
  static Status Conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status RateLimited(std::string msg) { return Status(Code::kRateLimited, std::move(msg)); }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status Io(std::string msg) { return Status(Code::kIo, std::move(msg)); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }
  static Status ConsistencyRequired(std::string msg) {
    return Status(Code::kConsistencyRequired, std::move(msg));
  }
  static Status Expired(std::string msg) { return Status(Code::kExpired, std::move(msg)); }
  static Status Tls(std::string msg) { return Status(Code::kTls, std::move(msg)); }
  static Status OwnerRefused(std::string msg) {
    return Status(Code::kOwnerRefused, std::move(msg));
  }

  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {
    assert(code != Code::kOk);
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "<code-name>: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context`: "context: message".
  Status WithContext(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok());
    if (status_.ok()) status_ = Status::Internal("Result constructed from OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T& value() & {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace candor

// Propagates a non-OK Status from an expression returning Status.
#define CANDOR_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::candor::Status candor_status_ = (expr);   \
    if (!candor_status_.ok()) return candor_status_; \
  } while (0)

#define CANDOR_CONCAT_INNER_(a, b) a##b
#define CANDOR_CONCAT_(a, b) CANDOR_CONCAT_INNER_(a, b)

// Declares `lhs` from a Result-returning expression or propagates its Status.
#define CANDOR_ASSIGN_OR_RETURN(lhs, expr)                              \
  auto CANDOR_CONCAT_(candor_result_, __LINE__) = (expr);              \
  if (!CANDOR_CONCAT_(candor_result_, __LINE__).ok())                  \
    return CANDOR_CONCAT_(candor_result_, __LINE__).status();          \
  lhs = std::move(CANDOR_CONCAT_(candor_result_, __LINE__)).value()

#endif  // CANDOR_STATUS_H_
