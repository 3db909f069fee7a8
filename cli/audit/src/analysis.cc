#include "candor/audit/analysis.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "candor/date.h"

namespace candor::audit {
namespace {

std::string Key(const Disclosure& d, bool by_value) {
  const DisclosureKindInfo* info = FindDisclosureKind(d.kind);
  bool single = info != nullptr && info->single_valued;
  std::string k = d.kind + "\x1f" + (d.effective ? FormatDate(*d.effective) : "");
  if (!single || by_value) k += "\x1f" + d.value;
  return k;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::set<std::string>& StopWords() {
  static const std::set<std::string> w = {"effective", "from",   "with",  "that", "this",
                                          "none",      "until",  "will",  "have", "when",
                                          "after",     "before", "their", "them", "than"};
  return w;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    while (!cur.empty() && (cur.back() == '-' || cur.back() == '.')) cur.pop_back();
    if (cur.size() >= 4 && !StopWords().count(cur)) out.push_back(cur);
    cur.clear();
  };
  for (unsigned char c : Lower(text)) {
    if (std::isalnum(c) || c == '-' || c == '.' || c >= 0x80) {
      cur.push_back(static_cast<char>(c));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

// "crash,usage to metrics.example" -> {"crash@metrics.example", ...}.
std::set<std::string> TelemetryPairs(const std::vector<Disclosure>& ds) {
  std::set<std::string> out;
  for (const Disclosure& d : ds) {
    if (d.kind != "telemetry" || d.value == "none") continue;
    size_t to = d.value.find(" to ");
    std::string cats = d.value.substr(0, to);
    std::string dom = to == std::string::npos ? "" : d.value.substr(to + 4);
    size_t p = 0;
    while (p <= cats.size()) {
      size_t c = cats.find(',', p);
      if (c == std::string::npos) c = cats.size();
      out.insert(cats.substr(p, c - p) + "@" + dom);
      p = c + 1;
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? std::string(sep) : "") + v[i];
  return out;
}

}  // namespace

std::vector<DisclosureChange> DiffDisclosures(const std::vector<Disclosure>& from,
                                              const std::vector<Disclosure>& to) {
  std::map<std::string, const Disclosure*> a, b;
  for (const Disclosure& d : from) a[Key(d, false)] = &d;
  for (const Disclosure& d : to) b[Key(d, false)] = &d;
  std::vector<DisclosureChange> out;
  for (const auto& [k, d] : a) {
    auto it = b.find(k);
    if (it == b.end()) {
      out.push_back({"removed", *d, std::nullopt});
    } else if (it->second->value != d->value) {
      out.push_back({"changed", *d, *it->second});
    }
  }
  for (const auto& [k, d] : b) {
    if (!a.count(k)) out.push_back({"added", std::nullopt, *d});
  }
  return out;
}

void SortByVersionOrder(std::vector<ReleaseRow>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const ReleaseRow& x, const ReleaseRow& y) {
    if (x.rollback != y.rollback) return x.rollback < y.rollback;
    return x.log_index < y.log_index;
  });
}

bool ChangelogMentions(std::string_view changelog, const Disclosure& d) {
  std::string text = Lower(changelog);
  if (text.find(Lower(d.kind)) != std::string::npos) return true;
  std::vector<std::string> words = Words(DescribeDisclosure(d));
  for (const std::string& w : Words(d.value)) words.push_back(w);
  for (const std::string& w : Words(d.kind)) words.push_back(w);
  for (const std::string& w : words) {
    if (text.find(w) != std::string::npos) return true;
  }
  return false;
}

std::vector<Flag> ComputeFlags(const std::vector<ReleaseRow>& releases,
                               const std::vector<InvalidRow>& invalid) {
  std::vector<Flag> flags;
  struct ProductState {
    bool any = false;
    uint64_t max_rollback = 0;
    std::string max_version;
    std::map<uint64_t, std::string> rollback_versions;                 // rollback -> first version
    std::map<std::string, std::pair<uint64_t, std::string>> versions;  // version -> (index, leaf)
    const ReleaseRow* prev = nullptr;
  };
  std::map<std::string, ProductState> products;  // vendor/product
  std::map<std::string, std::set<std::string>> vendor_keys;
  for (const ReleaseRow& r : releases) {
    std::string all_products = Join(r.products, ",");
    auto add = [&](std::string kind, std::string product, std::string msg) {
      flags.push_back(
          {std::move(kind), r.log_index, r.vendor, std::move(product), r.version, std::move(msg)});
    };
    // Vendor keys.
    auto& keys = vendor_keys[r.vendor];
    if (!keys.count(r.vendor_key)) {
      if (keys.empty()) {
        add("first-vendor-key", all_products,
            "first release by " + r.vendor + ", key " + r.vendor_key);
      } else {
        add("new-vendor-key", all_products,
            "vendor " + r.vendor + " signs with a new key " + r.vendor_key + " (" +
                std::to_string(keys.size()) + " key(s) seen before)");
      }
      keys.insert(r.vendor_key);
    }
    // Per-release disclosures.
    Date issued{};
    {
      std::string t = FormatUtcTime(r.issued);
      auto dd = ParseDate(t.substr(0, 10));
      if (dd.ok()) issued = *dd;
    }
    for (const Disclosure& d : r.disclosures) {
      if (d.effective && *d.effective > issued) {
        add("delayed-activation", all_products,
            DescribeDisclosure(d) + ": takes effect " +
                std::to_string(DaysSinceEpoch(*d.effective) - DaysSinceEpoch(issued)) +
                " day(s) after the release was issued (" + FormatDate(issued) + ")");
      }
      if (!IsRestrictive(d)) continue;
      if (d.kind == "consumables.third-party")
        add("consumables-restriction", all_products, DescribeDisclosure(d));
      if (d.kind == "repair.parts-pairing")
        add("repair-restriction", all_products, DescribeDisclosure(d));
      if (d.kind == "remote-disable") add("remote-disable", all_products, DescribeDisclosure(d));
      if (d.kind == "feature-removal") add("feature-removal", all_products, DescribeDisclosure(d));
      if (IsVendorKind(d.kind)) add("vendor-specific", all_products, DescribeDisclosure(d));
    }
    // Per product history.
    for (const std::string& p : r.products) {
      ProductState& ps = products[r.vendor + "/" + p];
      auto ver = ps.versions.find(r.version);
      if (ver != ps.versions.end() && ver->second.second != r.leaf_hex) {
        add("equivocation", p,
            "version " + r.version + " was already logged at index " +
                std::to_string(ver->second.first) + " with different contents");
      }
      if (ps.any) {
        if (r.rollback < ps.max_rollback) {
          add("rollback-decrease", p,
              "rollback counter " + std::to_string(r.rollback) + " is below " +
                  std::to_string(ps.max_rollback) + " (version " + ps.max_version + ")");
        }
        auto rv = ps.rollback_versions.find(r.rollback);
        if (rv != ps.rollback_versions.end() && rv->second != r.version) {
          add("rollback-reuse", p,
              "rollback counter " + std::to_string(r.rollback) + " already used by version " +
                  rv->second);
        }
        const ReleaseRow& prev = *ps.prev;
        std::set<std::string> before = TelemetryPairs(prev.disclosures);
        std::vector<std::string> added;
        for (const std::string& t : TelemetryPairs(r.disclosures)) {
          if (!before.count(t)) added.push_back(t);
        }
        if (!added.empty()) {
          add("telemetry-expansion", p,
              "sends more than version " + prev.version + ": " + Join(added, ", "));
        }
        std::vector<std::string> silent;
        for (const DisclosureChange& c : DiffDisclosures(prev.disclosures, r.disclosures)) {
          const Disclosure& d = c.to ? *c.to : *c.from;
          if (!ChangelogMentions(r.changelog, d))
            silent.push_back(c.change + " " + DescribeDisclosure(d));
        }
        if (!silent.empty()) {
          add("changelog-silent", p,
              "disclosures changed since " + prev.version +
                  " but the changelog does not mention: " + Join(silent, "; "));
        }
      }
      if (!ps.any || r.rollback > ps.max_rollback) {
        ps.max_rollback = r.rollback;
        ps.max_version = r.version;
      }
      ps.any = true;
      ps.rollback_versions.emplace(r.rollback, r.version);
      ps.versions.emplace(r.version, std::make_pair(r.log_index, r.leaf_hex));
      ps.prev = &r;
    }
  }
  for (const InvalidRow& i : invalid) {
    flags.push_back({"invalid-entry", i.log_index, "", "", "", i.reason});
  }
  std::stable_sort(flags.begin(), flags.end(),
                   [](const Flag& a, const Flag& b) { return a.log_index < b.log_index; });
  return flags;
}

}  // namespace candor::audit
