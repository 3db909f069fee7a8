#include "candor/audit/trust_history.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "candor/date.h"
#include "candor/note.h"

namespace candor::audit {
namespace {

TrustChange Change(std::string kind, std::string detail, bool flag) {
  return TrustChange{std::move(kind), std::move(detail), flag};
}

std::string Join(const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, " ")); }

std::vector<std::string> Minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const std::string& x : a) {
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  }
  return out;
}

void DiffRootKeys(const TrustRoot& prev, const TrustRoot& next, std::vector<TrustChange>& out) {
  std::vector<std::string> a, b;
  for (const VerifierKey& k : prev.root_keys) a.push_back(FormatVerifierKey(k));
  for (const VerifierKey& k : next.root_keys) b.push_back(FormatVerifierKey(k));
  for (const std::string& k : Minus(b, a))
    out.push_back(Change("root-keys-changed", "root key added: " + k, true));
  for (const std::string& k : Minus(a, b)) {
    out.push_back(Change("root-keys-changed", "root key removed: " + k, true));
  }
  if (next.root_threshold < prev.root_threshold) {
    out.push_back(Change("root-threshold-lowered",
                         fmt::format("root-threshold {} -> {} (of {} keys)", prev.root_threshold,
                                     next.root_threshold, next.root_keys.size()),
                         true));
  } else if (next.root_threshold > prev.root_threshold) {
    out.push_back(Change("root-threshold-raised",
                         fmt::format("root-threshold {} -> {} (of {} keys)", prev.root_threshold,
                                     next.root_threshold, next.root_keys.size()),
                         false));
  }
  if (next.expires_unix != prev.expires_unix) {
    out.push_back(Change(
        "expires-changed",
        "expires " + FormatUtcTime(prev.expires_unix) + " -> " + FormatUtcTime(next.expires_unix),
        false));
  }
}

void DiffLogs(const TrustPolicy& prev, const TrustPolicy& next, std::vector<TrustChange>& out) {
  std::map<std::string, std::string> a, b;
  for (const PolicyLog& l : prev.logs) a[FormatVerifierKey(l.key)] = l.url;
  for (const PolicyLog& l : next.logs) b[FormatVerifierKey(l.key)] = l.url;
  for (const auto& [k, url] : b) {
    auto it = a.find(k);
    if (it == a.end()) {
      out.push_back(
          Change("log-changed", "log added: " + k + (url.empty() ? "" : " " + url), true));
    } else if (it->second != url) {
      out.push_back(Change("log-changed", "log " + k + " url " + it->second + " -> " + url, true));
    }
  }
  for (const auto& [k, url] : a) {
    if (!b.count(k)) out.push_back(Change("log-changed", "log removed: " + k, true));
  }
}

std::string WitnessText(const PolicyWitness& w) {
  return w.name + " " + FormatVerifierKey(w.key) + (w.url.empty() ? "" : " " + w.url);
}

std::string GroupText(const PolicyGroup& g) {
  return fmt::format("{} {} {}", g.name, g.threshold, Join(g.members));
}

// Lines keyed by name (witnesses, groups): "<what> added: ...", "<what> A -> B",
// "<what> removed: ...", as witnesses-changed.
void DiffNamed(const std::map<std::string, std::string>& a,
               const std::map<std::string, std::string>& b, const std::string& what,
               std::vector<TrustChange>& out) {
  for (const auto& [name, text] : b) {
    auto it = a.find(name);
    if (it == a.end()) {
      out.push_back(Change("witnesses-changed", what + " added: " + text, false));
    } else if (it->second != text) {
      out.push_back(Change("witnesses-changed", what + " " + it->second + " -> " + text, false));
    }
  }
  for (const auto& [name, text] : a) {
    if (!b.count(name))
      out.push_back(Change("witnesses-changed", what + " removed: " + text, false));
  }
}

void DiffWitnesses(const TrustPolicy& prev, const TrustPolicy& next,
                   std::vector<TrustChange>& out) {
  std::map<std::string, std::string> a, b, ga, gb;
  for (const PolicyWitness& w : prev.witnesses) a[w.name] = WitnessText(w);
  for (const PolicyWitness& w : next.witnesses) b[w.name] = WitnessText(w);
  DiffNamed(a, b, "witness", out);
  for (const PolicyGroup& g : prev.groups) ga[g.name] = GroupText(g);
  for (const PolicyGroup& g : next.groups) gb[g.name] = GroupText(g);
  DiffNamed(ga, gb, "group", out);
  if (prev.quorum != next.quorum) {
    out.push_back(
        Change("witnesses-changed", "quorum " + prev.quorum + " -> " + next.quorum, false));
  }
  const size_t signers_a = QuorumMinWitnesses(prev), signers_b = QuorumMinWitnesses(next);
  const size_t colluders_a = QuorumSplitViewBound(prev).min_colluders;
  const size_t colluders_b = QuorumSplitViewBound(next).min_colluders;
  if (signers_b < signers_a || colluders_b < colluders_a) {
    out.push_back(Change("witness-quorum-weakened",
                         fmt::format("quorum met by {} witness(es) (was {}); a split view needs {} "
                                     "colluding witness(es) (was {})",
                                     signers_b, signers_a, colluders_b, colluders_a),
                         true));
  }
}

// A vendor line's signers as one comparable string: the vkey, or for a named
// key or group its threshold and keys, so a group whose keys or k changed
// shows as removed and added (docs/FORMATS.md "Signer list").
std::string VendorSignersText(const TrustPolicy& policy, const VendorTrust& v) {
  if (v.signers.empty()) return FormatVerifierKey(v.key);
  const auto [threshold, keys] = policy.VendorSigners(v);
  std::string text = v.signers + " (" + std::to_string(threshold) + " of";
  for (const VerifierKey& k : keys) text += " " + FormatVerifierKey(k);
  return text + ")";
}

void DiffVendors(const TrustPolicy& prev, const TrustPolicy& next, std::vector<TrustChange>& out) {
  std::map<std::string, std::vector<std::string>> a, b;
  for (const VendorTrust& v : prev.vendors) a[VendorSignersText(prev, v)] = v.products;
  for (const VendorTrust& v : next.vendors) b[VendorSignersText(next, v)] = v.products;
  for (const auto& [k, products] : b) {
    if (!a.count(k)) {
      out.push_back(
          Change("vendor-key-added", "vendor key added: " + k + " for " + Join(products), true));
    }
  }
  for (const auto& [k, products] : a) {
    if (!b.count(k)) {
      out.push_back(Change("vendor-key-removed",
                           "vendor key removed: " + k + " (was for " + Join(products) + ")", true));
    }
  }
  for (const auto& [k, products] : b) {
    auto it = a.find(k);
    if (it == a.end()) continue;
    const std::vector<std::string> added = Minus(products, it->second);
    const std::vector<std::string> removed = Minus(it->second, products);
    if (!added.empty()) {
      out.push_back(Change("vendor-products-added",
                           "vendor key " + k + " may now sign for " + Join(added), true));
    }
    if (!removed.empty()) {
      out.push_back(Change("vendor-products-removed",
                           "vendor key " + k + " no longer signs for " + Join(removed), true));
    }
  }
}

void DiffCheckpointAge(const TrustPolicy& prev, const TrustPolicy& next,
                       std::vector<TrustChange>& out) {
  const auto& a = prev.max_checkpoint_age_seconds;
  const auto& b = next.max_checkpoint_age_seconds;
  if (a && !b) {
    out.push_back(
        Change("checkpoint-age-relaxed", fmt::format("max-checkpoint-age {} -> none", *a), true));
  } else if (a && b && *b > *a) {
    out.push_back(
        Change("checkpoint-age-relaxed", fmt::format("max-checkpoint-age {} -> {}", *a, *b), true));
  } else if (!a && b) {
    out.push_back(Change("checkpoint-age-tightened",
                         fmt::format("max-checkpoint-age none -> {}", *b), false));
  } else if (a && b && *b < *a) {
    out.push_back(Change("checkpoint-age-tightened",
                         fmt::format("max-checkpoint-age {} -> {}", *a, *b), false));
  }
}

}  // namespace

const TrustRootRow* ChainHead(const std::vector<TrustRootRow>& earlier) {
  for (auto it = earlier.rbegin(); it != earlier.rend(); ++it) {
    if (it->follows) return &*it;
  }
  return nullptr;
}

ChainCheck CheckRootChain(const TrustRoot* head_root, const SignedTrustRoot& next) {
  ChainCheck c;
  Status st;
  if (head_root != nullptr) {
    st = CheckRootSuccessor(*head_root, next);
  } else if (next.root.version == 1) {
    st = CheckRootSelfSigned(next);
  } else {
    st = Status::PolicyUnsatisfied(fmt::format(
        "trust root version {} has no version 1 before it in the log", next.root.version));
  }
  if (st.ok()) {
    c.follows = true;
    return c;
  }
  c.message = st.message();
  switch (st.code()) {
    case Code::kRollback:
      c.flag = "root-version-duplicate";
      break;
    case Code::kPolicyUnsatisfied:
      c.flag = "root-version-gap";
      break;
    default:  // kBadSignature: a threshold is short; kMismatch cannot happen (same domain)
      c.flag = "root-threshold-unmet";
      break;
  }
  return c;
}

std::vector<TrustChange> DiffTrustRoots(const TrustRoot& prev, const TrustRoot& next) {
  std::vector<TrustChange> out;
  DiffRootKeys(prev, next, out);
  DiffLogs(prev.policy, next.policy, out);
  DiffWitnesses(prev.policy, next.policy, out);
  DiffVendors(prev.policy, next.policy, out);
  DiffCheckpointAge(prev.policy, next.policy, out);
  return out;
}

std::optional<TrustChange> ExpiryFlag(const TrustRoot& root, int64_t logged) {
  if (root.expires_unix - logged <= kFarExpirySeconds) return std::nullopt;
  return Change(
      "expiry-pushed-far",
      fmt::format("expires {}, {} days after it was logged ({})", FormatUtcTime(root.expires_unix),
                  (root.expires_unix - logged) / 86400, FormatUtcTime(logged)),
      true);
}

Result<std::vector<TrustDomainHistory>> BuildTrustHistory(
    const std::vector<TrustRootRow>& rows_in_log_order) {
  std::map<std::string, TrustDomainHistory> by_domain;
  // The head of each domain's chain so far, parsed.
  std::map<std::string, std::pair<const TrustRootRow*, TrustRoot>> heads;
  for (const TrustRootRow& row : rows_in_log_order) {
    auto parsed = ParseSignedTrustRoot(row.note);
    if (!parsed.ok()) {
      return parsed.status().WithContext("index: trust root " + std::to_string(row.log_index));
    }
    TrustDomainHistory& h = by_domain[row.domain];
    h.domain = row.domain;
    TrustVersion v;
    v.row = row;
    if (h.versions.empty()) {
      v.changes.push_back(Change(
          "first-trust-root",
          fmt::format("first trust root of {} in the log (version {})", row.domain, row.version),
          true));
    }
    if (!row.follows) v.changes.push_back(Change(row.chain_flag, row.chain_error, true));
    auto head = heads.find(row.domain);
    if (head != heads.end()) {
      v.previous_log_index = head->second.first->log_index;
      v.previous_version = head->second.first->version;
      for (TrustChange& c : DiffTrustRoots(head->second.second, parsed->root)) {
        v.changes.push_back(std::move(c));
      }
    }
    if (auto far = ExpiryFlag(parsed->root, row.logged)) v.changes.push_back(std::move(*far));
    h.versions.push_back(std::move(v));
    if (row.follows)
      heads.insert_or_assign(row.domain, std::make_pair(&row, std::move(parsed->root)));
  }
  std::vector<TrustDomainHistory> out;
  for (auto& [domain, h] : by_domain) out.push_back(std::move(h));
  return out;
}

std::vector<Flag> TrustFlags(const std::vector<TrustDomainHistory>& histories) {
  std::vector<Flag> out;
  for (const TrustDomainHistory& h : histories) {
    for (const TrustVersion& v : h.versions) {
      for (const TrustChange& c : v.changes) {
        if (!c.flag) continue;
        Flag f;
        f.kind = c.kind;
        f.log_index = v.row.log_index;
        f.version = std::to_string(v.row.version);
        f.message = c.detail;
        f.domain = h.domain;
        out.push_back(std::move(f));
      }
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Flag& a, const Flag& b) { return a.log_index < b.log_index; });
  return out;
}

}  // namespace candor::audit
