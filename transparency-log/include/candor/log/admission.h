// Admission control for POST /add: what the log checks before it sequences a
// submission (docs/LOG.md "Accepting entries"), in this order, failing closed:
//   1. size: 1..max_entry_size bytes (kTooLarge);
//   2. ParseReleaseEntry (candor/release.h): canonical framing and manifest
//      (kMalformed), vendor signature with the manifest's key (kBadSignature),
//      changelog digest (kMismatch);
//   3. the vendor key is registered in DATA/vendors (kUntrustedKey);
//   4. the vendor's rate limit (kRateLimited, with a retry delay).
// Dedup and equivocation need the index and are the sequencer's job.
//
// The vendors file lists one verifier key per line ("<name>+<id>+<base64>"),
// '#' comments and blank lines allowed; `candor-log vendors add/remove/list`
// edits it, and a running server reloads it when its mtime changes.
//
// Thread-safety: VendorRegistry and RateLimiter are internally synchronised.
#ifndef CANDOR_LOG_ADMISSION_H_
#define CANDOR_LOG_ADMISSION_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor {

// Parses a vendors file (strict: every non-comment line must be a valid
// Ed25519 verifier key; duplicates refused).
Result<std::vector<VerifierKey>> ParseVendorsFile(std::string_view text);
std::string FormatVendorsFile(const std::vector<VerifierKey>& keys);

class VendorRegistry {
 public:
  explicit VendorRegistry(std::string path) : path_(std::move(path)) {}
  // (Re)loads the file if its mtime changed; a missing file means no vendors.
  // On a parse error the previous list is kept and the error returned.
  Status Refresh();
  bool IsRegistered(const VerifierKey& key);
  size_t size();

 private:
  std::string path_;
  std::mutex mu_;
  std::vector<VerifierKey> keys_;
  int64_t mtime_ns_ = -1;
  std::chrono::steady_clock::time_point last_check_{};
};

// Token bucket per key: `rate` tokens per second, at most `burst` stored.
// rate <= 0 disables limiting. Memory: one bucket per registered vendor seen.
class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  // nullopt if allowed (a token is taken), else whole seconds to wait (>= 1).
  std::optional<uint64_t> Take(const std::string& key);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  double rate_;
  double burst_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

// An entry that passed admission.
struct AdmittedEntry {
  Bytes entry;
  Hash leaf{};
  std::string vendor;
  // "<vendor>/<product>/<version>" for each product: the equivocation keys.
  std::vector<std::string> release_keys;
};

struct AdmissionOptions {
  size_t max_entry_size = 65535;
};

// Steps 1-3 (the rate limit is applied by the caller, which needs the vendor).
Result<AdmittedEntry> AdmitEntry(ByteView body, VendorRegistry& vendors,
                                 const AdmissionOptions& options);

}  // namespace candor

#endif  // CANDOR_LOG_ADMISSION_H_
