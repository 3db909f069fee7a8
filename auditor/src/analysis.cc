#include "candor/audit/analysis.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "candor/date.h"
// libverify's strict UTF-8 decoder (an internal header, used here as the
// libverify tests use it): changelogs and values are valid UTF-8 already.
#include "candor/utf8.h"

namespace candor::audit {
namespace {

std::string Key(const Disclosure& d, bool by_value) {
  const DisclosureKindInfo* info = FindDisclosureKind(d.kind);
  bool single = info != nullptr && info->single_valued;
  std::string k = d.kind + "\x1f" + (d.effective ? FormatDate(*d.effective) : "");
  if (!single || by_value) k += "\x1f" + d.value;
  return k;
}

// Simple case folding of the cased letters of Latin-1, Latin Extended-A,
// Greek and Cyrillic (the scripts changelogs are mostly written in); other
// code points are returned unchanged.
uint32_t FoldCase(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 0x20;
  if (c < 0x80) return c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
  if (c == 0x178) return 0xFF;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

// Code points that separate words besides ASCII non-alphanumerics: Latin-1
// spaces, punctuation and symbols, general and supplemental punctuation
// (dashes, quotes, spaces), ideographic punctuation, full-width ASCII
// punctuation, and the BOM. Every other non-ASCII code point (letters, marks,
// digits of any script) is part of a word, so "Blöckiert" is one word.
bool IsWordCodePoint(uint32_t c) {
  if (c < 0x80) return std::isalnum(static_cast<int>(c)) != 0;
  if (c <= 0xBF) return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA;
  if (c == 0xD7 || c == 0xF7) return false;
  if (c == 0x1680 || (c >= 0x2000 && c <= 0x206F) || (c >= 0x2E00 && c <= 0x2E7F)) return false;
  if (c >= 0x3000 && c <= 0x303F) return false;
  if ((c >= 0xFE10 && c <= 0xFE1F) || (c >= 0xFE30 && c <= 0xFE4F) || c == 0xFEFF) return false;
  if ((c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
      (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65)) {
    return false;
  }
  return true;
}

// Code points that may separate the words of a phrase in a changelog as any
// other run of them would: whitespace (ASCII and Unicode spaces, line breaks)
// and hyphens/dashes (hyphen-minus, soft hyphen, U+2010..U+2015, minus, small
// and full-width hyphen-minus). "third party", "third-party" and "third — party"
// are one phrase; "region. Lock" is not "region lock".
bool IsSoftSeparator(uint32_t c) {
  if (c == ' ' || (c >= '\t' && c <= '\r') || c == '-') return true;
  if (c == 0xA0 || c == 0xAD || c == 0x1680) return true;
  if ((c >= 0x2000 && c <= 0x200A) || (c >= 0x2010 && c <= 0x2015)) return true;
  if (c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x2212) return true;
  return c == 0x3000 || c == 0xFE58 || c == 0xFE63 || c == 0xFF0D;
}

// One word of a text and what separates it from the word before it.
struct Word {
  std::string folded;     // case-folded code points of the word
  std::string gap;        // the bytes between the previous word and this one
  bool soft_gap = false;  // `gap` is only whitespace and hyphens (IsSoftSeparator)
};

// The words of `text`: maximal runs of word code points, case-folded. A byte
// that is not valid UTF-8 separates words (it cannot occur in a parsed entry)
// and makes its gap hard.
std::vector<Word> Tokens(std::string_view text) {
  std::vector<Word> out;
  Word cur;
  bool in_word = false;
  cur.soft_gap = true;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t at = pos;
    uint32_t c = 0;
    bool valid = NextCodePoint(text, &pos, &c);
    if (!valid) pos = at + 1;
    if (valid && IsWordCodePoint(c)) {
      AppendCodePoint(cur.folded, FoldCase(c));
      in_word = true;
      continue;
    }
    if (in_word) {
      out.push_back(std::move(cur));
      cur = Word{};
      cur.soft_gap = true;
      in_word = false;
    }
    cur.gap.append(text.substr(at, pos - at));
    if (!valid || !IsSoftSeparator(c)) cur.soft_gap = false;
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

// True if `phrase` occurs in `text` as consecutive words at word boundaries,
// each gap inside the occurrence being a whitespace/hyphen run or exactly the
// phrase's own gap there (so "consumables.third-party" and
// "metrics.acme.example" are found as written, and as space-separated words).
bool ContainsPhrase(const std::vector<Word>& text, const std::vector<Word>& phrase) {
  if (phrase.empty() || phrase.size() > text.size()) return false;
  for (size_t i = 0; i + phrase.size() <= text.size(); ++i) {
    bool match = true;
    for (size_t k = 0; k < phrase.size() && match; ++k) {
      const Word& t = text[i + k];
      match = t.folded == phrase[k].folded && (k == 0 || t.soft_gap || t.gap == phrase[k].gap);
    }
    if (match) return true;
  }
  return false;
}

// Words too common to identify a disclosure on their own (docs/AUDIT.md
// "What counts as a changelog mention"): function words and the stock
// vocabulary of changelogs. Only words of 4+ code points need listing.
bool IsStopWord(std::string_view w) {
  static const std::set<std::string, std::less<>> kStop = {
      // Function words.
      "about", "above", "after", "again", "also", "been", "before", "being", "below", "both",
      "does", "during", "each", "effective", "even", "every", "from", "have", "here", "into",
      "just", "like", "more", "most", "much", "must", "need", "needs", "none", "only", "other",
      "over", "same", "should", "some", "such", "than", "that", "their", "them", "then", "there",
      "these", "they", "this", "those", "through", "under", "until", "upon", "very", "well", "were",
      "what", "when", "where", "which", "while", "will", "with", "within", "without", "would",
      "your",
      // Stock changelog words.
      "added", "adds", "better", "change", "changed", "changes", "device", "devices", "faster",
      "feature", "features", "firmware", "fixed", "fixes", "general", "improve", "improved",
      "improvement", "improvements", "issue", "issues", "minor", "performance", "quality",
      "release", "released", "removed", "security", "speed", "stability", "support", "supported",
      "update", "updated", "updates", "various", "version"};
  return kStop.count(w) != 0;
}

// A word that can identify something: 4+ code points and not a stop word.
bool IsSignificant(const Word& w) {
  size_t code_points = 0;
  for (unsigned char c : w.folded) code_points += (c & 0xC0) != 0x80 ? 1 : 0;
  return code_points >= 4 && !IsStopWord(w.folded);
}

bool HasSignificantWord(const std::vector<Word>& phrase) {
  return std::any_of(phrase.begin(), phrase.end(), IsSignificant);
}

// Kinds whose value is free text naming a function ("remote print from the
// app"): the value as a whole phrase identifies the disclosure. The values of
// the other vocabulary kinds are enumerations, region codes or dates
// ("blocked", "always", "DE", "2027-01-01"), which say nothing without the
// kind. A vocabulary kind missing here only makes mentions stricter.
bool ValueIsFreeText(const Disclosure& d) {
  if (IsVendorKind(d.kind)) return true;
  return d.kind == "account-required" || d.kind == "feature-removal" ||
         d.kind == "performance-limit" || d.kind == "subscription-required";
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

std::vector<Disclosure> States(const DisclosureState& s) {
  std::vector<Disclosure> out;
  for (const InEffect& e : s.in_effect) out.push_back(e.disclosure);
  return out;
}

// The end-of-support date in `state`, if stated.
std::optional<Date> EndOfSupport(const std::vector<Disclosure>& ds) {
  for (const Disclosure& d : ds) {
    if (d.kind != "end-of-support") continue;
    auto date = ParseDate(d.value);
    if (date.ok()) return *date;
  }
  return std::nullopt;
}

std::string DescribeAll(const std::vector<Disclosure>& ds) {
  if (ds.empty()) return "nothing";
  std::string out;
  for (size_t i = 0; i < ds.size(); ++i) out += (i ? "; " : "") + DescribeDisclosure(ds[i]);
  return out;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? std::string(sep) : "") + v[i];
  return out;
}

}  // namespace

std::vector<DisclosureChange> DiffDisclosures(const DisclosureState& from,
                                              const DisclosureTransition& to) {
  std::map<std::string, const Disclosure*> a, b;
  for (const InEffect& e : from.in_effect) a[Key(e.disclosure, false)] = &e.disclosure;
  for (const InEffect& e : to.after.in_effect) b[Key(e.disclosure, false)] = &e.disclosure;
  std::vector<DisclosureChange> out;
  for (const auto& [k, d] : a) {
    auto it = b.find(k);
    if (it == b.end()) {
      out.push_back({"removed", *d, std::nullopt, ""});
    } else if (it->second->value != d->value) {
      out.push_back({"changed", *d, *it->second, ""});
    }
  }
  for (const auto& [k, d] : b) {
    if (!a.count(k)) out.push_back({"added", std::nullopt, *d, ""});
  }
  for (const Disclosure& d : to.events) out.push_back({"event", std::nullopt, d, ""});
  for (const InEffect& e : to.dropped)
    out.push_back({"dropped", e.disclosure, std::nullopt, e.version});
  return out;
}

std::vector<DisclosureTransition> ProductTransitions(const std::vector<ReleaseRow>& rows) {
  std::vector<DisclosureTransition> out;
  DisclosureState state;
  for (const ReleaseRow& r : rows) {
    out.push_back(ApplyReleaseDisclosures(state, r.disclosures, r.version));
    state = out.back().after;
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
  // A mention is a whole phrase that identifies this disclosure, never one
  // generic word: a word of the value ("print") or a vendor-chosen name after
  // the '/' ("x-acme.example/fix") would be "mentioned" by chance by changelogs
  // about something else, and the flag would stay quiet (fail open).
  const std::vector<Word> text = Tokens(changelog);
  auto mentions = [&](std::string_view term) { return ContainsPhrase(text, Tokens(term)); };
  // The kind in full, and the vocabulary's title ("Region lock").
  if (mentions(d.kind)) return true;
  const DisclosureKindInfo* info = FindDisclosureKind(d.kind);
  if (info != nullptr && mentions(info->title)) return true;
  // The kind's short name, after the vendor namespace or the last '.'
  // ("third-party", "ink-check"), if it has a significant word.
  std::string_view name = d.kind;
  if (IsVendorKind(name)) {
    name.remove_prefix(name.find('/') + 1);
  } else if (size_t dot = name.rfind('.'); dot != std::string_view::npos) {
    name.remove_prefix(dot + 1);
  }
  if (name.size() != d.kind.size()) {
    const std::vector<Word> short_name = Tokens(name);
    if (HasSignificantWord(short_name) && ContainsPhrase(text, short_name)) return true;
  }
  // A free-text value as a whole phrase of 2+ words, one of them significant.
  if (ValueIsFreeText(d)) {
    const std::vector<Word> value = Tokens(d.value);
    if (value.size() >= 2 && HasSignificantWord(value) && ContainsPhrase(text, value)) {
      return true;
    }
  }
  // Identifiers in structured values: the telemetry destination
  // ("metrics.acme.example") and each CVE id of a security fix.
  if (d.kind == "telemetry") {
    if (size_t to = d.value.find(" to ");
        to != std::string::npos && mentions(d.value.substr(to + 4))) {
      return true;
    }
  }
  if (d.kind == "security-fix" && d.value != "unassigned") {
    std::string_view v = d.value;
    while (!v.empty()) {
      const size_t comma = v.find(',');
      if (mentions(v.substr(0, comma))) return true;
      v.remove_prefix(comma == std::string_view::npos ? v.size() : comma + 1);
    }
  }
  return false;
}

std::string RestrictionFlag(std::string_view kind) {
  // Names kept from before every restrictive kind had a flag.
  if (kind == "consumables.third-party") return "consumables-restriction";
  if (kind == "repair.parts-pairing") return "repair-restriction";
  if (IsVendorKind(kind)) return "vendor-specific";
  return std::string(kind);
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
    DisclosureState disclosures;     // the effective state after the releases so far
    std::vector<Disclosure> events;  // the previous release's events
    std::map<std::string, std::vector<const ReleaseRow*>> images;  // image SHA-256 -> releases
    const ReleaseRow* prev = nullptr;  // the product's previous release, set when `any`
  };
  std::map<std::string, ProductState> products;  // vendor/product
  std::map<std::string, std::set<std::string>> vendor_keys;
  for (const ReleaseRow& r : releases) {
    std::string all_products = Join(r.products, ",");
    auto add = [&](std::string kind, std::string product, std::string msg) {
      flags.push_back({std::move(kind), r.log_index, r.vendor, std::move(product), r.version,
                       std::move(msg), ""});
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
    // Per-release disclosures. A delayed activation is measured from when the
    // release could first be installed: the vendor's `issued` is only a claim
    // (a vendor can date a release in the future to hide the delay), so the
    // earlier of it and the time the auditor first saw the entry logged.
    const bool logged_first = r.logged < r.issued;
    Date available{};
    {
      std::string t = FormatUtcTime(logged_first ? r.logged : r.issued);
      auto dd = ParseDate(t.substr(0, 10));
      if (dd.ok()) available = *dd;
    }
    for (const Disclosure& d : r.disclosures) {
      if (d.effective && *d.effective > available) {
        add("delayed-activation", all_products,
            DescribeDisclosure(d) + ": takes effect " +
                std::to_string(DaysSinceEpoch(*d.effective) - DaysSinceEpoch(available)) +
                " day(s) after the release was " + (logged_first ? "logged" : "issued") + " (" +
                FormatDate(available) + ")");
      }
      // Every restrictive disclosure, whatever its kind: the vocabulary's
      // restrictiveness (IsRestrictive) is the one source of truth.
      if (IsRestrictive(d)) add(RestrictionFlag(d.kind), all_products, DescribeDisclosure(d));
    }
    // Per product history.
    for (const std::string& p : r.products) {
      ProductState& ps = products[r.vendor + "/" + p];
      const DisclosureTransition tr =
          ApplyReleaseDisclosures(ps.disclosures, r.disclosures, r.version);
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
        // k-of-n (docs/FORMATS.md "Signer list"): who signed, as a set.
        const ReleaseRow& prev = *ps.prev;
        const std::set<std::string> signed_now(r.signed_by.begin(), r.signed_by.end());
        const std::set<std::string> signed_before(prev.signed_by.begin(), prev.signed_by.end());
        if (signed_now != signed_before) {
          add("signer-set-changed", p,
              "signed by " + std::to_string(signed_now.size()) + " key(s) [" +
                  Join(r.signed_by, ", ") + "], version " + prev.version + " by " +
                  std::to_string(signed_before.size()) + " [" + Join(prev.signed_by, ", ") + "]");
        }
        // Telemetry is compared state to state: a release that does not
        // restate telemetry sends what the device sent before.
        const std::string& prev_version = ps.disclosures.last_version;
        std::set<std::string> before = TelemetryPairs(States(ps.disclosures));
        std::vector<std::string> added;
        for (const std::string& t : TelemetryPairs(States(tr.after))) {
          if (!before.count(t)) added.push_back(t);
        }
        if (!added.empty()) {
          add("telemetry-expansion", p,
              "sends more than version " + prev_version + ": " + Join(added, ", "));
        }
        // Dropped states have their own flag. An event is the release's
        // own; one repeated word for word from the previous release (a
        // cumulative list) is no news for the changelog.
        std::vector<std::string> silent;
        for (const DisclosureChange& c : DiffDisclosures(ps.disclosures, tr)) {
          if (c.change == "dropped") continue;
          if (c.change == "event" &&
              std::find(ps.events.begin(), ps.events.end(), *c.to) != ps.events.end()) {
            continue;
          }
          const Disclosure& d = c.to ? *c.to : *c.from;
          if (!ChangelogMentions(r.changelog, d))
            silent.push_back(c.change + " " + DescribeDisclosure(d));
        }
        if (!silent.empty()) {
          add("changelog-silent", p,
              "disclosures changed since " + prev_version +
                  " but the changelog does not mention: " + Join(silent, "; "));
        }
        for (const InEffect& e : tr.dropped) {
          add("disclosure-dropped", p,
              DescribeDisclosure(e.disclosure) + ": stated by version " + e.version +
                  ", not restated nor lifted by " + r.version +
                  "; still in effect until a release restates " + e.disclosure.kind);
        }
        const std::optional<Date> old_eos = EndOfSupport(States(ps.disclosures));
        const std::optional<Date> new_eos = EndOfSupport(r.disclosures);
        if (old_eos && new_eos && *new_eos < *old_eos) {
          add("support-shortened", p,
              "end of support moved earlier: " + FormatDate(*old_eos) + " -> " +
                  FormatDate(*new_eos) + " (" +
                  std::to_string(DaysSinceEpoch(*old_eos) - DaysSinceEpoch(*new_eos)) +
                  " day(s) earlier than promised before)");
        }
      }
      // The same image bytes already logged under another version of this
      // product with other disclosures: the disclosures changed, the
      // firmware did not (docs/AUDIT.md "image-reuse").
      for (const ReleaseRow* q : ps.images[r.image_sha256]) {
        if (q->version == r.version || q->disclosures == r.disclosures) continue;
        add("image-reuse", p,
            "same image (SHA-256 " + r.image_sha256.substr(0, 16) + "...) as version " +
                q->version + " (log index " + std::to_string(q->log_index) +
                ") with other disclosures: " + q->version + " discloses " +
                DescribeAll(q->disclosures) + "; " + r.version + " discloses " +
                DescribeAll(r.disclosures));
        break;
      }
      ps.images[r.image_sha256].push_back(&r);
      ps.prev = &r;
      ps.disclosures = tr.after;
      ps.events = tr.events;
      if (!ps.any || r.rollback > ps.max_rollback) {
        ps.max_rollback = r.rollback;
        ps.max_version = r.version;
      }
      ps.any = true;
      ps.rollback_versions.emplace(r.rollback, r.version);
      ps.versions.emplace(r.version, std::make_pair(r.log_index, r.leaf_hex));
    }
  }
  for (const InvalidRow& i : invalid) {
    flags.push_back({"invalid-entry", i.log_index, "", "", "", i.reason, ""});
  }
  std::stable_sort(flags.begin(), flags.end(),
                   [](const Flag& a, const Flag& b) { return a.log_index < b.log_index; });
  return flags;
}

std::vector<Flag> ActivationFlags(const std::vector<ReleaseRow>& releases,
                                  std::optional<Date> after, Date through) {
  std::vector<Flag> flags;
  for (const ReleaseRow& r : releases) {
    for (const Disclosure& d : r.disclosures) {
      if (!d.effective || *d.effective > through || (after && !(*after < *d.effective))) continue;
      flags.push_back({"activation", r.log_index, r.vendor, Join(r.products, ","), r.version,
                       "from " + FormatDate(*d.effective) + ", " + DescribeDisclosure(d) +
                           " is active on devices that installed " + r.version +
                           " (and kept it through releases that did not restate " + d.kind + ")",
                       "", FormatDate(*d.effective)});
    }
  }
  return flags;
}

}  // namespace candor::audit
