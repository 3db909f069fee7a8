// c2sp.org/tlog-policy parsing and quorum evaluation, plus Candor's `vendor`
// and `max-checkpoint-age` lines (see candor/policy.h).
#include "candor/policy.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <set>

#include "candor/manifest.h"

namespace candor {
namespace {

// tlog-policy §"Implementation limits" asks for at least 32 of each; we allow
// more, but bound everything so a hostile file cannot make evaluation costly.
constexpr size_t kMaxWitnesses = 256;
constexpr size_t kMaxGroups = 256;
constexpr size_t kMaxVendors = 1024;

bool IsPolicyWhitespace(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsPolicyWhitespace(line[i])) i++;
    size_t start = i;
    while (i < line.size() && !IsPolicyWhitespace(line[i])) i++;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

bool IsPolicyProductId(std::string_view product) {
  if (product.empty() || product.size() > 128) return false;
  return std::all_of(product.begin(), product.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

Status LineError(size_t line_no, std::string_view what) {
  return Status::Malformed("policy line " + std::to_string(line_no) + ": " + std::string(what));
}

// tlog-policy §"group": all, any or a decimal k in 1..n.
Result<size_t> ParseThreshold(std::string_view field, size_t n, size_t line_no) {
  if (field == "all") return n;
  if (field == "any") return size_t{1};
  auto k = ParseDecimalU64(field);
  if (!k.ok() || *k < 1 || *k > n) return LineError(line_no, "threshold must be 1..n");
  return static_cast<size_t>(*k);
}

// A new vendor-key or vendor-group name: not yet defined, no '+' (a vkey has one).
Status CheckVendorName(std::string_view name, const std::set<std::string, std::less<>>& defined,
                       size_t line_no) {
  if (name.find('+') != std::string_view::npos) {
    return LineError(line_no, "a vendor-key or vendor-group name may not contain '+'");
  }
  if (defined.contains(name)) return LineError(line_no, "name already defined");
  return Status::Ok();
}

}  // namespace

const PolicyLog* TrustPolicy::FindLog(std::string_view origin) const {
  for (const PolicyLog& log : logs)
    if (log.key.name == origin) return &log;
  return nullptr;
}

bool TrustPolicy::VendorTrustedFor(const VerifierKey& key, std::string_view product) const {
  const std::array<VerifierKey, 1> one = {key};
  return EvaluateVendorSigners(one, product).satisfied;
}

std::pair<size_t, std::vector<VerifierKey>> TrustPolicy::VendorSigners(const VendorTrust& v) const {
  if (v.signers.empty()) return {1, {v.key}};
  for (const PolicyVendorKey& k : vendor_keys)
    if (k.name == v.signers) return {1, {k.key}};
  for (const PolicyVendorGroup& g : vendor_groups) {
    if (g.name != v.signers) continue;
    // One pass over the keys, not one per member: a group may name all 1024.
    std::map<std::string_view, const VerifierKey*> by_name;
    for (const PolicyVendorKey& k : vendor_keys) by_name.emplace(k.name, &k.key);
    std::vector<VerifierKey> keys;
    for (const std::string& member : g.members) {
      if (auto it = by_name.find(member); it != by_name.end()) keys.push_back(*it->second);
    }
    return {g.threshold, std::move(keys)};
  }
  return {1, {}};  // unreachable for a parsed policy: nothing can satisfy it
}

VendorSignersResult TrustPolicy::EvaluateVendorSigners(std::span<const VerifierKey> signed_by,
                                                       std::string_view product) const {
  VendorSignersResult best;
  for (const VendorTrust& v : vendors) {
    if (std::find(v.products.begin(), v.products.end(), product) == v.products.end()) continue;
    const auto [threshold, keys] = VendorSigners(v);
    // Each key of the line counts once, however often it appears in
    // `signed_by`: k signatures means k distinct keys (the policy parser
    // refuses one public key under two names).
    size_t met = 0;
    for (const VerifierKey& k : keys) {
      met += std::any_of(signed_by.begin(), signed_by.end(), [&](const VerifierKey& s) {
        return s.type == k.type && s.name == k.name && s.key_id == k.key_id && SamePublicKey(s, k);
      });
    }
    const bool satisfied = met >= threshold;
    if (satisfied > best.satisfied || (satisfied == best.satisfied && met > best.met) ||
        best.required == 0) {
      best.satisfied = satisfied;
      best.met = met;
      best.required = threshold;
      best.signers = v.signers.empty() ? "vendor key " + v.key.name : "vendor group " + v.signers;
    }
  }
  return best;
}

// One function (~120 lines) on purpose: a single pass over the policy's
// lines that checks them in the order the format states its rules (the §
// references below), so it reads top to bottom against the spec.
Result<TrustPolicy> ParseTrustPolicy(std::string_view text) {
  if (text.size() > kMaxPolicySize) return Status::TooLarge("policy exceeds 1 MiB");
  // §"Character set": only tab, newline, 0x20-0x7E and high-bit octets.
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
      return Status::Malformed("policy contains a control character");
    }
  }

  TrustPolicy policy;
  std::set<std::string, std::less<>> names;             // witnesses and groups share one namespace
  std::set<std::string, std::less<>> vendor_names;      // vendor-key and vendor-group names
  std::set<std::string, std::less<>> vendor_key_names;  // vendor-key names only
  bool have_quorum = false;
  size_t line_no = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    line_no++;

    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty() || f[0].starts_with('#')) continue;
    const std::string_view keyword = f[0];

    if (keyword == "log") {
      if (f.size() < 2 || f.size() > 3) return LineError(line_no, "expected: log <vkey> [<url>]");
      auto key = ParseVerifierKey(f[1]);
      if (!key.ok()) return LineError(line_no, key.status().message());
      if (key->type != kKeyTypeEd25519) return LineError(line_no, "log key must be Ed25519");
      for (const PolicyLog& other : policy.logs)
        if (SamePublicKey(other.key, *key)) return LineError(line_no, "duplicate log key");
      if (policy.logs.size() == kMaxPolicyLogs) return LineError(line_no, "too many logs");
      policy.logs.push_back({*key, f.size() == 3 ? std::string(f[2]) : std::string()});
    } else if (keyword == "witness") {
      if (f.size() < 3 || f.size() > 4) {
        return LineError(line_no, "expected: witness <name> <vkey> [<url>]");
      }
      if (f[1] == "none" || names.contains(f[1])) return LineError(line_no, "name already defined");
      auto key = ParseVerifierKey(f[2]);
      if (!key.ok()) return LineError(line_no, key.status().message());
      if (key->type != kKeyTypeCosignatureV1) {
        return LineError(line_no, "witness key must be a cosignature/v1 key (type 0x04)");
      }
      for (const PolicyWitness& other : policy.witnesses)
        if (SamePublicKey(other.key, *key)) return LineError(line_no, "duplicate witness key");
      if (policy.witnesses.size() == kMaxWitnesses) return LineError(line_no, "too many witnesses");
      names.emplace(f[1]);
      policy.witnesses.push_back(
          {std::string(f[1]), *key, f.size() == 4 ? std::string(f[3]) : std::string()});
    } else if (keyword == "group") {
      if (f.size() < 4) return LineError(line_no, "expected: group <name> all|any|<k> <name>...");
      if (f[1] == "none" || names.contains(f[1])) return LineError(line_no, "name already defined");
      PolicyGroup group;
      group.name = std::string(f[1]);
      std::set<std::string_view> members;
      for (size_t i = 3; i < f.size(); i++) {
        if (!names.contains(f[i])) return LineError(line_no, "group member not defined earlier");
        if (!members.insert(f[i]).second) return LineError(line_no, "group member listed twice");
        group.members.emplace_back(f[i]);
      }
      CANDOR_ASSIGN_OR_RETURN(group.threshold, ParseThreshold(f[2], group.members.size(), line_no));
      if (policy.groups.size() == kMaxGroups) return LineError(line_no, "too many groups");
      names.insert(group.name);
      policy.groups.push_back(std::move(group));
    } else if (keyword == "quorum") {
      if (f.size() != 2) return LineError(line_no, "expected: quorum <name>|none");
      if (have_quorum) return LineError(line_no, "more than one quorum line");
      if (f[1] != "none" && !names.contains(f[1])) {
        return LineError(line_no, "quorum names an undefined witness or group");
      }
      have_quorum = true;
      policy.quorum = std::string(f[1]);
    } else if (keyword == "vendor-key") {
      if (f.size() != 3) return LineError(line_no, "expected: vendor-key <name> <vkey>");
      CANDOR_RETURN_IF_ERROR(CheckVendorName(f[1], vendor_names, line_no));
      auto key = ParseVerifierKey(f[2]);
      if (!key.ok()) return LineError(line_no, key.status().message());
      if (key->type != kKeyTypeEd25519) return LineError(line_no, "vendor key must be Ed25519");
      for (const PolicyVendorKey& other : policy.vendor_keys)
        if (SamePublicKey(other.key, *key)) return LineError(line_no, "duplicate vendor key");
      if (policy.vendor_keys.size() == kMaxVendors)
        return LineError(line_no, "too many vendor keys");
      vendor_names.emplace(f[1]);
      vendor_key_names.emplace(f[1]);
      policy.vendor_keys.push_back({std::string(f[1]), *key});
    } else if (keyword == "vendor-group") {
      if (f.size() < 4) {
        return LineError(line_no, "expected: vendor-group <name> all|any|<k> <vendor-key>...");
      }
      CANDOR_RETURN_IF_ERROR(CheckVendorName(f[1], vendor_names, line_no));
      PolicyVendorGroup group;
      group.name = std::string(f[1]);
      std::set<std::string_view> members;
      for (size_t i = 3; i < f.size(); i++) {
        if (!vendor_key_names.contains(f[i])) {
          return LineError(line_no, "vendor-group member is not a vendor-key name");
        }
        if (!members.insert(f[i]).second) return LineError(line_no, "group member listed twice");
        group.members.emplace_back(f[i]);
      }
      CANDOR_ASSIGN_OR_RETURN(group.threshold, ParseThreshold(f[2], group.members.size(), line_no));
      // A release carries at most kMaxReleaseSigners signatures: a larger
      // threshold could never be met.
      if (group.threshold > kMaxReleaseSigners) {
        return LineError(line_no,
                         "vendor-group threshold above 16 (the most signers a release has)");
      }
      if (policy.vendor_groups.size() == kMaxGroups) return LineError(line_no, "too many groups");
      vendor_names.insert(group.name);
      policy.vendor_groups.push_back(std::move(group));
    } else if (keyword == "vendor") {
      if (f.size() < 3) return LineError(line_no, "expected: vendor <vkey>|<name> <product>...");
      VendorTrust vendor;
      if (f[1].find('+') == std::string_view::npos) {
        if (!vendor_names.contains(f[1])) {
          return LineError(line_no, "vendor names an undefined vendor-key or vendor-group");
        }
        for (const VendorTrust& other : policy.vendors)
          if (other.signers == f[1]) return LineError(line_no, "vendor name listed twice");
        vendor.signers = std::string(f[1]);
      } else {
        auto key = ParseVerifierKey(f[1]);
        if (!key.ok()) return LineError(line_no, key.status().message());
        if (key->type != kKeyTypeEd25519) return LineError(line_no, "vendor key must be Ed25519");
        for (const VendorTrust& other : policy.vendors)
          if (other.signers.empty() && SamePublicKey(other.key, *key))
            return LineError(line_no, "duplicate vendor key");
        vendor.key = *key;
      }
      for (size_t i = 2; i < f.size(); i++) {
        if (!IsPolicyProductId(f[i])) return LineError(line_no, "invalid product id");
        if (std::find(vendor.products.begin(), vendor.products.end(), f[i]) !=
            vendor.products.end()) {
          return LineError(line_no, "product listed twice");
        }
        vendor.products.emplace_back(f[i]);
      }
      if (policy.vendors.size() == kMaxVendors) return LineError(line_no, "too many vendors");
      policy.vendors.push_back(std::move(vendor));
    } else if (keyword == "max-checkpoint-age") {
      if (f.size() != 2) return LineError(line_no, "expected: max-checkpoint-age <seconds>");
      if (policy.max_checkpoint_age_seconds) {
        return LineError(line_no, "more than one max-checkpoint-age line");
      }
      auto seconds = ParseDecimalU64(f[1]);
      if (!seconds.ok() || *seconds == 0) {
        return LineError(line_no, "max-checkpoint-age must be a positive decimal");
      }
      policy.max_checkpoint_age_seconds = *seconds;
    } else {
      return LineError(line_no, "unknown keyword '" + std::string(keyword) + "'");
    }
  }
  if (!have_quorum) return Status::Malformed("policy has no quorum line");
  if (policy.quorum == "none" && policy.max_checkpoint_age_seconds) {
    return Status::Malformed(
        "policy sets max-checkpoint-age with quorum none: a bare checkpoint carries no time");
  }
  return policy;
}

std::string FormatTrustPolicy(const TrustPolicy& policy) {
  std::string out;
  std::vector<std::pair<std::string, const PolicyLog*>> logs;
  for (const PolicyLog& log : policy.logs) logs.emplace_back(FormatVerifierKey(log.key), &log);
  std::sort(logs.begin(), logs.end());
  for (const auto& [vkey, log] : logs) {
    out += "log " + vkey;
    if (!log->url.empty()) out += " " + log->url;
    out += "\n";
  }
  std::vector<const PolicyWitness*> witnesses;
  for (const PolicyWitness& w : policy.witnesses) witnesses.push_back(&w);
  std::sort(witnesses.begin(), witnesses.end(),
            [](const PolicyWitness* a, const PolicyWitness* b) { return a->name < b->name; });
  for (const PolicyWitness* w : witnesses) {
    out += "witness " + w->name + " " + FormatVerifierKey(w->key);
    if (!w->url.empty()) out += " " + w->url;
    out += "\n";
  }
  for (const PolicyGroup& g : policy.groups) {
    out += "group " + g.name + " " + FormatDecimal(g.threshold);
    for (const std::string& m : g.members) out += " " + m;
    out += "\n";
  }
  out += "quorum " + policy.quorum + "\n";
  std::vector<const PolicyVendorKey*> vendor_keys;
  for (const PolicyVendorKey& k : policy.vendor_keys) vendor_keys.push_back(&k);
  std::sort(vendor_keys.begin(), vendor_keys.end(),
            [](const PolicyVendorKey* a, const PolicyVendorKey* b) { return a->name < b->name; });
  for (const PolicyVendorKey* k : vendor_keys) {
    out += "vendor-key " + k->name + " " + FormatVerifierKey(k->key) + "\n";
  }
  std::vector<const PolicyVendorGroup*> vendor_groups;
  for (const PolicyVendorGroup& g : policy.vendor_groups) vendor_groups.push_back(&g);
  std::sort(
      vendor_groups.begin(), vendor_groups.end(),
      [](const PolicyVendorGroup* a, const PolicyVendorGroup* b) { return a->name < b->name; });
  for (const PolicyVendorGroup* g : vendor_groups) {
    out += "vendor-group " + g->name + " " + FormatDecimal(g->threshold);
    for (const std::string& m : g->members) out += " " + m;
    out += "\n";
  }
  std::vector<std::pair<std::string, const VendorTrust*>> vendors;
  for (const VendorTrust& v : policy.vendors) {
    vendors.emplace_back(v.signers.empty() ? FormatVerifierKey(v.key) : v.signers, &v);
  }
  std::sort(vendors.begin(), vendors.end());
  for (const auto& [vkey, vendor] : vendors) {
    std::vector<std::string> products = vendor->products;
    std::sort(products.begin(), products.end());
    out += "vendor " + vkey;
    for (const std::string& p : products) out += " " + p;
    out += "\n";
  }
  if (policy.max_checkpoint_age_seconds) {
    out += "max-checkpoint-age " + FormatDecimal(*policy.max_checkpoint_age_seconds) + "\n";
  }
  return out;
}

namespace {

// The policy as a DAG of threshold gates: node i < witnesses.size() is witness
// i, node witnesses.size() + j is group j. A parsed policy's groups name only
// earlier names, so each member's index is below its group's and one pass in
// definition order sees every member before the groups that use it. That pass
// is what keeps evaluation linear in the policy's size: each group is
// evaluated once, not once per path to it (chained groups that each name the
// previous one twice used to cost 2^depth).
struct QuorumGraph {
  size_t witnesses = 0;
  std::vector<size_t> threshold;             // per group
  std::vector<std::vector<size_t>> members;  // per group: node indices
  bool none = false;                         // `quorum none`
  std::optional<size_t> quorum;              // node index; nullopt if undefined
};

QuorumGraph BuildGraph(const TrustPolicy& policy) {
  QuorumGraph g;
  g.witnesses = policy.witnesses.size();
  std::map<std::string_view, size_t> index;
  for (size_t i = 0; i < policy.witnesses.size(); i++) index.emplace(policy.witnesses[i].name, i);
  for (size_t j = 0; j < policy.groups.size(); j++) {
    const PolicyGroup& group = policy.groups[j];
    std::vector<size_t> m;
    m.reserve(group.members.size());
    for (const std::string& name : group.members) {
      // A parsed policy names only earlier, defined names; in a hand-built one
      // an unknown (or later) member is never met, as before.
      auto it = index.find(name);
      if (it != index.end()) m.push_back(it->second);
    }
    g.threshold.push_back(group.threshold);
    g.members.push_back(std::move(m));
    index.emplace(group.name, g.witnesses + j);
  }
  g.none = policy.quorum == "none";
  if (auto it = index.find(policy.quorum); it != index.end()) g.quorum = it->second;
  return g;
}

}  // namespace

QuorumResult EvaluateQuorum(const TrustPolicy& policy,
                            const std::map<std::string, uint64_t>& cosigned_by) {
  QuorumResult result;
  for (const PolicyWitness& w : policy.witnesses)
    if (cosigned_by.contains(w.name)) result.cosigners++;
  if (policy.quorum == "none") {
    result.satisfied = true;
    return result;
  }
  const QuorumGraph g = BuildGraph(policy);

  // since[n]: the latest time T such that the witnesses that cosigned at or
  // after T satisfy node n (nullopt: not satisfied at all). A witness's is its
  // cosignature time; a k-of-n group's is the k-th latest of its members'
  // (satisfaction only grows as T falls, so this is exact).
  std::vector<std::optional<uint64_t>> since(g.witnesses + g.threshold.size());
  for (size_t i = 0; i < g.witnesses; i++) {
    result.evaluations++;
    auto it = cosigned_by.find(policy.witnesses[i].name);
    if (it != cosigned_by.end()) since[i] = it->second;
  }
  std::vector<uint64_t> times;
  for (size_t j = 0; j < g.threshold.size(); j++) {
    result.evaluations++;
    times.clear();
    for (size_t m : g.members[j]) {
      result.evaluations++;
      if (since[m]) times.push_back(*since[m]);
    }
    const size_t k = g.threshold[j];
    if (k == 0 || times.size() < k) continue;
    std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(k - 1), times.end(),
                     std::greater<>());
    since[g.witnesses + j] = times[k - 1];
  }

  if (!g.quorum) {  // only in a hand-built policy: nothing satisfies it
    result.required = 1;
    return result;
  }
  // For "(met of required)" messages: the quorum's direct members.
  if (*g.quorum >= g.witnesses) {
    const size_t j = *g.quorum - g.witnesses;
    result.required = g.threshold[j];
    for (size_t m : g.members[j])
      if (since[m]) result.met++;
  } else {
    result.required = 1;
    result.met = since[*g.quorum] ? 1 : 0;
  }
  result.satisfied = since[*g.quorum].has_value();
  if (result.satisfied) result.quorum_time = since[*g.quorum];
  return result;
}

SplitViewBound QuorumSplitViewBound(const TrustPolicy& policy) {
  SplitViewBound out;
  const QuorumGraph g = BuildGraph(policy);
  if (g.none || !g.quorum) return out;  // nothing to collude against: 0, exact

  // Bottom-up over the DAG. For node n: overlap[n] is a lower bound on
  // min |A ∩ B| over pairs of witness sets A, B that both satisfy n, exact
  // when exact[n]; reach[n] is the set of witnesses n depends on (a bitset).
  const size_t nodes = g.witnesses + g.threshold.size();
  const size_t words = (g.witnesses + 63) / 64;
  std::vector<size_t> overlap(nodes, 0);
  std::vector<bool> exact(nodes, true);
  std::vector<uint64_t> reach(nodes * words, 0);
  for (size_t i = 0; i < g.witnesses; i++) {
    out.evaluations++;
    overlap[i] = 1;  // both A and B must contain it
    reach[i * words + i / 64] = uint64_t{1} << (i % 64);
  }
  std::vector<size_t> child;
  for (size_t j = 0; j < g.threshold.size(); j++) {
    out.evaluations++;
    const size_t node = g.witnesses + j;
    uint64_t* r = &reach[node * words];
    bool disjoint = true, all_exact = true;
    child.clear();
    for (size_t m : g.members[j]) {
      out.evaluations++;
      const uint64_t* mr = &reach[m * words];
      for (size_t w = 0; w < words; w++) {
        if ((r[w] & mr[w]) != 0) disjoint = false;
        r[w] |= mr[w];
      }
      all_exact = all_exact && exact[m];
      child.push_back(overlap[m]);
    }
    // A and B each satisfy k of the n members, so at least s = 2k - n members
    // are satisfied by both; with fewer than k members defined, nothing
    // satisfies the group and no pair exists: any number of colluders is
    // "needed", which we bound by the members' total (never reached).
    const size_t n = child.size(), k = g.threshold[j];
    if (k > n) {
      overlap[node] = g.witnesses + 1;
      continue;
    }
    const size_t s = 2 * k > n ? 2 * k - n : 0;
    if (s == 0) {
      // A and B can use disjoint sets of members: 0, but exact only if those
      // members cannot share a witness.
      exact[node] = disjoint;
      continue;
    }
    std::sort(child.begin(), child.end());
    if (disjoint) {
      // Members depend on disjoint witnesses, so the pair's overlaps inside
      // them add up and A, B can be chosen independently in each: the s
      // members with the smallest overlaps.
      size_t sum = 0;
      for (size_t i = 0; i < s; i++) sum += child[i];
      overlap[node] = sum;
      exact[node] = all_exact;
    } else {
      // Shared witnesses may be counted once for several members: all we know
      // is that the largest of the s smallest overlaps is needed.
      overlap[node] = child[s - 1];
      exact[node] = false;
    }
  }
  out.min_colluders = overlap[*g.quorum];
  out.exact = exact[*g.quorum];
  return out;
}

size_t QuorumMinWitnesses(const TrustPolicy& policy) {
  const QuorumGraph g = BuildGraph(policy);
  if (g.none || !g.quorum) return 0;
  std::vector<size_t> cost(g.witnesses + g.threshold.size(), 1);
  std::vector<size_t> child;
  for (size_t j = 0; j < g.threshold.size(); j++) {
    child.clear();
    for (size_t m : g.members[j]) child.push_back(cost[m]);
    std::sort(child.begin(), child.end());
    size_t sum = 0;
    for (size_t i = 0; i < g.threshold[j] && i < child.size(); i++) sum += child[i];
    cost[g.witnesses + j] = sum;
  }
  return cost[*g.quorum];
}

std::string QuorumSplitViewWarning(const TrustPolicy& policy) {
  const SplitViewBound b = QuorumSplitViewBound(policy);
  if (b.min_colluders >= 2) return std::string();
  const std::string who =
      b.min_colluders == 0 ? "without any colluding witness" : "with a single colluding witness";
  return "warning: policy quorum '" + policy.quorum +
         "' cannot stop a split view: a log can get "
         "two conflicting checkpoints both accepted " +
         who + " (see docs/SECURITY.md \"Witness quorums and split views\")";
}

}  // namespace candor
