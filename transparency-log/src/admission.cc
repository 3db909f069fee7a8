// Admission control (see admission.h).
#include "candor/log/admission.h"
#include "candor/fs/read_file.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>

#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/log/storage.h"
#include "candor/merkle.h"
#include "candor/observation.h"
#include "candor/release.h"
#include "candor/trust_root.h"

namespace candor {

Result<std::vector<VerifierKey>> ParseVendorsFile(std::string_view text) {
  std::vector<VerifierKey> keys;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    auto key = ParseVerifierKey(line);
    if (!key.ok()) {
      return Status::Malformed("vendors line " + std::to_string(line_no) + ": " +
                               key.status().message());
    }
    if (key->type != kKeyTypeEd25519) {
      return Status::Malformed("vendors line " + std::to_string(line_no) + ": not an Ed25519 key");
    }
    if (std::find(keys.begin(), keys.end(), *key) != keys.end()) {
      return Status::Malformed("vendors line " + std::to_string(line_no) + ": duplicate key");
    }
    keys.push_back(std::move(*key));
  }
  return keys;
}

std::string FormatVendorsFile(const std::vector<VerifierKey>& keys) {
  std::string out = "# candor-log registered vendor keys (candor-log vendors add/remove)\n";
  for (const auto& k : keys) out += FormatVerifierKey(k) + "\n";
  return out;
}

Status VendorRegistry::Refresh(bool force) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (!force && mtime_ns_ >= 0 && now - last_check_ < std::chrono::milliseconds(500)) {
    return Status::Ok();
  }
  last_check_ = now;
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    keys_.clear();
    mtime_ns_ = 0;
    return Status::Ok();
  }
  int64_t mtime = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  // The inode too: `vendors add|remove` replace the file by rename, and two
  // replacements within one file-system timestamp tick share an mtime.
  if (mtime == mtime_ns_ && st.st_ino == ino_) return Status::Ok();
  CANDOR_ASSIGN_OR_RETURN(Bytes data, fs::ReadFileBytes(path_, kMaxVendorsFileSize));
  CANDOR_ASSIGN_OR_RETURN(keys_, ParseVendorsFile(AsChars(data)));
  mtime_ns_ = mtime;
  ino_ = st.st_ino;
  return Status::Ok();
}

bool VendorRegistry::IsRegistered(const VerifierKey& key) {
  const auto known = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
  };
  (void)Refresh();
  if (known()) return true;
  // A miss looks at the file again at once (one stat), so a key registered
  // a moment ago is accepted without waiting for the next periodic check.
  (void)Refresh(/*force=*/true);
  return known();
}

size_t VendorRegistry::size() {
  (void)Refresh();
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.size();
}

std::optional<uint64_t> RateLimiter::Update(const std::string& key, Mode mode) {
  if (rate_ <= 0) return std::nullopt;
  const bool take = mode != Mode::kPeek;
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  auto refill = [&](Bucket& b) {
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.last = now;
  };
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (!take) return std::nullopt;  // a fresh bucket is full
    if (buckets_.size() >= kMaxKeys) {
      // Forget the buckets that have refilled (they behave as fresh ones).
      for (auto j = buckets_.begin(); j != buckets_.end();) {
        refill(j->second);
        j = j->second.tokens >= burst_ ? buckets_.erase(j) : std::next(j);
      }
      // Every key still limited: fail closed for new keys until some refill.
      if (buckets_.size() >= kMaxKeys) return 1;
    }
    it = buckets_.try_emplace(key).first;
    it->second.tokens = burst_;
    it->second.last = now;
  }
  Bucket& b = it->second;
  refill(b);
  if (b.tokens >= 1.0 || mode == Mode::kCharge) {
    if (take) b.tokens = std::max(-burst_, b.tokens - 1.0);
    return std::nullopt;
  }
  double wait = (1.0 - b.tokens) / rate_;
  return static_cast<uint64_t>(std::max(1.0, std::ceil(wait)));
}

std::optional<uint64_t> RateLimiter::Take(const std::string& key) {
  return Update(key, Mode::kTake);
}

std::optional<uint64_t> RateLimiter::Blocked(const std::string& key) {
  return Update(key, Mode::kPeek);
}

void RateLimiter::Refund(const std::string& key) {
  if (rate_ <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return;  // forgotten: full again
  it->second.tokens = std::min(burst_, it->second.tokens + 1.0);
}

void RateLimiter::Charge(const std::string& key) { (void)Update(key, Mode::kCharge); }

std::string RefusalAddressKey(const std::string& remote_addr) {
  in6_addr a6{};
  if (remote_addr.find(':') == std::string::npos ||
      inet_pton(AF_INET6, remote_addr.c_str(), &a6) != 1) {
    return remote_addr;  // IPv4 (or empty): the full address
  }
  if (IN6_IS_ADDR_V4MAPPED(&a6)) {
    char v4[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &a6.s6_addr[12], v4, sizeof(v4));
    return v4;
  }
  std::fill(a6.s6_addr + 8, a6.s6_addr + 16, uint8_t{0});
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &a6, text, sizeof(text));
  return std::string(text) + "/64";
}

std::string TrustRootEquivocationKey(std::string_view domain, uint64_t version) {
  return std::string(kTrustRootKeyPrefix) + std::string(domain) + "/" + std::to_string(version);
}

namespace {

// A root key may speak for a domain when its name is the domain's DNS name
// (the part before the first "/"), a subdomain of it, or starts with it and
// "/": the vendor-key rule of the release manifest, widened to subdomains
// (root keys are commonly named per holder, root-a.acme.example). Without it
// any registered key could log version 1 of another vendor's domain and take
// the domain's chain.
bool KeyNameUnderDomain(std::string_view name, std::string_view domain) {
  const std::string_view owner = domain.substr(0, domain.find('/'));
  if (owner.empty()) return false;
  if (name == owner) return true;
  if (name.size() > owner.size() && name.substr(0, owner.size()) == owner &&
      name[owner.size()] == '/') {
    return true;
  }
  return name.size() > owner.size() && name.substr(name.size() - owner.size()) == owner &&
         name[name.size() - owner.size() - 1] == '.';
}

// Version n > 1 must follow version n-1 of its domain as logged
// (CheckRootSuccessor: the same rule devices apply). Without this, a root
// that only meets its own threshold would take the (domain, version) slot,
// every device would refuse it, and the one-root-per-version rule would then
// refuse the real version n: the domain could never rotate again.
Status CheckLoggedPredecessor(const TrustRoot& root, const SignedTrustRoot& parsed,
                              const LoggedReleases& logged) {
  const std::string prev_key = TrustRootEquivocationKey(root.domain, root.version - 1);
  CANDOR_ASSIGN_OR_RETURN(std::optional<ReleaseRecord> prev, logged.find(prev_key));
  if (!prev) {
    return Status::PolicyUnsatisfied(
        "trust root " + root.domain + " version " + std::to_string(root.version) + ": version " +
        std::to_string(root.version - 1) + " is not in the log (roots are logged in order)");
  }
  if (!logged.read_entry) return Status::Internal("no entry reader for the succession check");
  CANDOR_ASSIGN_OR_RETURN(Bytes prev_entry, logged.read_entry(prev->index));
  if (!HashEqual(LeafHash(prev_entry), prev->leaf)) {
    return Status::Internal("entry " + std::to_string(prev->index) + " does not match the index");
  }
  CANDOR_ASSIGN_OR_RETURN(SignedTrustRoot prev_root, ParseSignedTrustRoot(AsChars(prev_entry)));
  Status follows = CheckRootSuccessor(prev_root.root, parsed);
  if (!follows.ok()) {
    return follows.WithContext("does not follow version " + std::to_string(root.version - 1) +
                               " as logged at index " + std::to_string(prev->index));
  }
  return Status::Ok();
}

// Admission of a trust-root entry (admission.h, "Trust roots"). REQUIRES: the
// size was checked.
Result<AdmittedEntry> AdmitTrustRoot(ByteView body, VendorRegistry& vendors, RateLimiter* limiter,
                                     uint64_t* retry_after_seconds, const LoggedReleases* logged) {
  CANDOR_ASSIGN_OR_RETURN(SignedTrustRoot parsed, ParseSignedTrustRoot(AsChars(body)));
  const TrustRoot& root = parsed.root;
  const Hash leaf = LeafHash(body);
  const std::string key = TrustRootEquivocationKey(root.domain, root.version);
  std::optional<Status> equivocation;  // refused once the signatures verified
  if (logged != nullptr) {
    CANDOR_ASSIGN_OR_RETURN(std::optional<ReleaseRecord> rec, logged->find(key));
    if (rec && HashEqual(rec->leaf, leaf)) {
      // A replay: answered with its index before any signature check or
      // token, as for releases (anyone may resubmit a public entry).
      AdmittedEntry out;
      out.leaf = leaf;
      out.logged_index = rec->index;
      return out;
    }
    if (rec) {
      equivocation = Status::Conflict("equivocation: " + key + " already logged at index " +
                                      std::to_string(rec->index));
    }
  }
  // The registered root keys that signed (by signature line: name and key ID,
  // not yet verified). Fewer than the threshold is refused before any
  // Ed25519 verification, as an unregistered vendor key is.
  CANDOR_ASSIGN_OR_RETURN(Note note, ParseNote(AsChars(body)));
  std::vector<VerifierKey> signers;
  for (const VerifierKey& k : root.root_keys) {
    const bool has_line = std::any_of(
        note.signatures.begin(), note.signatures.end(),
        [&](const NoteSignature& s) { return s.name == k.name && s.key_id == k.key_id; });
    if (has_line && KeyNameUnderDomain(k.name, root.domain) && vendors.IsRegistered(k)) {
      signers.push_back(k);
    }
  }
  if (signers.size() < root.root_threshold) {
    const std::string_view owner = std::string_view(root.domain).substr(0, root.domain.find('/'));
    return Status::UntrustedKey(
        "trust root " + root.domain + " version " + std::to_string(root.version) +
        " is signed by " + std::to_string(signers.size()) + " registered root keys named " +
        "under " + std::string(owner) + ", " + std::to_string(root.root_threshold) + " required");
  }
  // Each signing root key's bucket: peeked before the signatures are
  // verified (`take` false), a token taken after (`take` true).
  const auto rate_limit = [&](bool take) -> Status {
    for (const VerifierKey& k : signers) {
      if (limiter == nullptr) break;
      const std::string bucket = FormatVerifierKey(k);
      if (auto wait = take ? limiter->Take(bucket) : limiter->Blocked(bucket)) {
        if (retry_after_seconds != nullptr) *retry_after_seconds = *wait;
        return Status::RateLimited("rate limited: root key " + k.name + " submits too fast");
      }
    }
    return Status::Ok();
  };
  CANDOR_RETURN_IF_ERROR(rate_limit(false));
  CANDOR_ASSIGN_OR_RETURN(size_t valid, CountRootSignatures(parsed.note, signers));
  if (valid < root.root_threshold) {
    return Status::BadSignature("trust root " + root.domain + " version " +
                                std::to_string(root.version) + " has " + std::to_string(valid) +
                                " valid signatures of registered root keys, " +
                                std::to_string(root.root_threshold) + " required");
  }
  // Authenticated: now it spends the signing root keys' budgets.
  CANDOR_RETURN_IF_ERROR(rate_limit(true));
  if (equivocation) return *equivocation;
  if (logged != nullptr && root.version > 1) {
    CANDOR_RETURN_IF_ERROR(CheckLoggedPredecessor(root, parsed, *logged));
  }
  AdmittedEntry out;
  if (limiter != nullptr) {
    for (const VerifierKey& k : signers) out.rate_keys.push_back(FormatVerifierKey(k));
    out.charged = true;
  }
  out.entry.assign(body.begin(), body.end());
  out.leaf = leaf;
  out.vendor = root.domain;
  if (logged != nullptr) out.keys_absent_below = logged->size;
  out.release_keys.push_back(key);
  return out;
}

// The log's clock (AdmissionOptions::clock), Unix seconds.
int64_t LogNow(const AdmissionOptions& options) {
  return options.clock ? options.clock()
                       : std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
}

// Admission of an observation entry (admission.h, "Observations"). REQUIRES:
// the size was checked.
Result<AdmittedEntry> AdmitObservation(ByteView body, VendorRegistry& vendors,
                                       const AdmissionOptions& options, RateLimiter* limiter,
                                       uint64_t* retry_after_seconds,
                                       const LoggedReleases* logged) {
  CANDOR_ASSIGN_OR_RETURN(SignedObservation parsed, ParseSignedObservation(AsChars(body)));
  const Observation& o = parsed.observation;
  const Hash leaf = LeafHash(body);
  // Without the log's view the target cannot be checked: fail closed.
  if (logged == nullptr || !logged->read_entry || !logged->find_leaf) {
    return Status::Unavailable("observations need the log's entries to be checked against");
  }
  CANDOR_ASSIGN_OR_RETURN(std::optional<uint64_t> replay_of, logged->find_leaf(leaf));
  if (replay_of) {
    AdmittedEntry out;
    out.leaf = leaf;
    out.logged_index = replay_of;
    return out;
  }
  if (!vendors.IsRegistered(o.observer_key)) {
    return Status::UntrustedKey("observer key " + o.observer_key.name + " is not registered");
  }
  const std::string bucket = FormatVerifierKey(o.observer_key);
  const auto rate_limited = [&](uint64_t wait) {
    if (retry_after_seconds != nullptr) *retry_after_seconds = wait;
    return Status::RateLimited("rate limited: observer key " + o.observer_key.name +
                               " submits too fast");
  };
  if (limiter != nullptr) {
    if (auto wait = limiter->Blocked(bucket)) return rate_limited(*wait);
  }
  const int64_t now = LogNow(options);
  if (o.observed > now && o.observed - now > options.max_issued_ahead_seconds) {
    return Status::Malformed("observed " + FormatUtcTime(o.observed) + " is more than " +
                             std::to_string(options.max_issued_ahead_seconds) +
                             " s ahead of the log's clock");
  }
  CANDOR_RETURN_IF_ERROR(VerifyObservationSignature(parsed));
  // The entry at the index, as published (admission.h, step 7).
  std::optional<Bytes> target;
  if (o.release_index < logged->published_size) {
    CANDOR_ASSIGN_OR_RETURN(target, logged->read_entry(o.release_index));
  }
  std::optional<ByteView> target_view;
  if (target) target_view = ByteView(*target);
  CANDOR_RETURN_IF_ERROR(CheckObservationTarget(o, options.origin, target_view));
  // Authenticated and about a logged release: now it spends the budget.
  if (limiter != nullptr) {
    if (auto wait = limiter->Take(bucket)) return rate_limited(*wait);
  }
  AdmittedEntry out;
  out.entry.assign(body.begin(), body.end());
  out.leaf = leaf;
  out.vendor = o.observer;
  if (limiter != nullptr) {
    out.rate_keys.push_back(bucket);
    out.charged = true;
  }
  return out;
}

}  // namespace

Result<AdmittedEntry> AdmitEntry(ByteView body, VendorRegistry& vendors,
                                 const AdmissionOptions& options, RateLimiter* limiter,
                                 uint64_t* retry_after_seconds, const LoggedReleases* logged) {
  if (body.empty()) return Status::Malformed("empty entry");
  if (body.size() > options.max_entry_size || body.size() > kMaxReleaseEntrySize) {
    return Status::TooLarge("entry is " + std::to_string(body.size()) + " bytes, limit " +
                            std::to_string(std::min(options.max_entry_size, kMaxReleaseEntrySize)));
  }
  if (IsTrustRootEntry(body)) {
    return AdmitTrustRoot(body, vendors, limiter, retry_after_seconds, logged);
  }
  if (IsObservationEntry(body)) {
    return AdmitObservation(body, vendors, options, limiter, retry_after_seconds, logged);
  }
  // Registration, the vendor's rate limit and the log-date checks run on the
  // parsed but not yet authenticated manifest, before the Ed25519
  // verification: a submission by an unknown key, or by a key over its rate,
  // costs a parse, not a signature check. The rate limit is only peeked here:
  // a forger who names a registered key must not spend that key's tokens
  // (else unsigned forgeries would lock the vendor out); the token is taken
  // after the signature verified.
  const int64_t now = LogNow(options);
  const Hash leaf = LeafHash(body);
  std::optional<uint64_t> replay_of;   // the identical entry's index
  std::optional<Status> equivocation;  // refused once the signature verified
  const bool lookup = logged != nullptr && logged->lookup_releases;
  // The sequencer decides replays, and the caller charges (below).
  const bool deferred = logged != nullptr && !logged->lookup_releases;
  const ManifestGate gate = [&](const Manifest& m) -> Status {
    if (lookup) {
      // The first key with a record decides, as in the sequencer.
      for (const std::string& p : m.products) {
        const std::string key = m.vendor + "/" + p + "/" + m.version;
        CANDOR_ASSIGN_OR_RETURN(std::optional<ReleaseRecord> rec, logged->find(key));
        if (!rec) continue;
        if (HashEqual(rec->leaf, leaf)) {
          replay_of = rec->index;
          return Status::Conflict("already logged");  // stops the parse; answered below
        }
        equivocation = Status::Conflict("equivocation: " + key + " already logged at index " +
                                        std::to_string(rec->index));
        break;
      }
    }
    // Every key of the signer list, not only the creating key: the log
    // vouches for no signature by a key it does not know (docs/LOG.md
    // "Admission"). The parse then verifies every signature present.
    for (const VerifierKey& k : SignerList(m)) {
      if (!vendors.IsRegistered(k)) {
        return Status::UntrustedKey("vendor key " + k.name + " is not registered");
      }
    }
    if (limiter != nullptr) {
      if (auto wait = limiter->Blocked(FormatVerifierKey(m.vendor_key))) {
        if (retry_after_seconds != nullptr) *retry_after_seconds = *wait;
        return Status::RateLimited("rate limited: vendor key " + m.vendor_key.name +
                                   " submits too fast");
      }
    }
    // `issued` is the vendor's claim. A claimed issue date far ahead of the
    // log's clock would make delayed activations look immediate; one in the
    // past could make contradictory disclosures look like a timeline
    // (docs/FORMATS.md "Contradictions"), so they are judged at the log's
    // date too, with the same rule.
    if (m.issued > now && m.issued - now > options.max_issued_ahead_seconds) {
      return Status::Malformed("issued " + FormatUtcTime(m.issued) + " is more than " +
                               std::to_string(options.max_issued_ahead_seconds) +
                               " s ahead of the log's clock");
    }
    if (Status s = CheckDisclosuresConsistentAt(m.disclosures, now); !s.ok()) {
      return Status::Malformed(s.message() + " (at the log's date)");
    }
    return Status::Ok();
  };
  Result<ReleaseEntry> parsed = ParseReleaseEntry(body, nullptr, &gate);
  if (replay_of) {
    AdmittedEntry out;
    out.leaf = leaf;
    out.logged_index = replay_of;
    return out;
  }
  if (!parsed.ok()) return parsed.status();
  ReleaseEntry& release = *parsed;
  // Canonical: re-encoding must give the same bytes (one byte sequence per release).
  Bytes again = EncodeReleaseEntry(release);
  if (again.size() != body.size() || !std::equal(again.begin(), again.end(), body.begin())) {
    return Status::Malformed("entry is not in canonical form");
  }
  // Authenticated: now the submission spends the vendor's budget (an
  // equivocation too: the vendor signed it). Without the lookup (a database
  // store) the sequencer decides whether it is new, and the caller charges
  // it then (AdmittedEntry::charged): a replay is never charged.
  const std::string bucket = FormatVerifierKey(release.manifest.vendor_key);
  if (limiter != nullptr && !deferred) {
    if (auto wait = limiter->Take(bucket)) {
      if (retry_after_seconds != nullptr) *retry_after_seconds = *wait;
      return Status::RateLimited("rate limited: vendor key " + release.manifest.vendor_key.name +
                                 " submits too fast");
    }
  }
  if (equivocation) return *equivocation;
  const Manifest& m = release.manifest;
  AdmittedEntry out;
  out.entry.assign(body.begin(), body.end());
  out.leaf = leaf;
  out.vendor = m.vendor;
  if (limiter != nullptr) {
    out.rate_keys.push_back(bucket);
    out.charged = !deferred;
  }
  if (lookup) out.keys_absent_below = logged->size;
  for (const std::string& p : m.products) {
    out.release_keys.push_back(m.vendor + "/" + p + "/" + m.version);
  }
  return out;
}

}  // namespace candor
