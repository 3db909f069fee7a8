// `candor audit watch` (docs/AUDIT.md "watch"): syncs in a loop and reports
// each new release and flag on stdout, to a webhook and in an Atom feed.
#include <algorithm>
#include <chrono>
#include <map>
#include <ostream>
#include <thread>

#include <fmt/format.h>

#include "audit.h"
#include "candor/audit/feed.h"
#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"
#include "candor/fs/read_file.h"
#include "candor/http/http_client.h"

namespace candor::cli {
namespace {

struct WatchArgs {
  AuditLogArgs log;
  std::string dir;
  AuditFilter filter;
  double interval = 60;
  std::string webhook, atom;
  bool once = false, json = false;
  int64_t now = -1;  // --now (ResolveNow): fixed clock for activation alerts
};

// Where watch remembers the last day whose activations it reported, so that
// each fires once, on its day (or at the next run after it), across restarts.
std::string ActivationDayPath(audit::Mirror& mirror) {
  return mirror.private_dir() + "/watch-activation-day";
}

Date DayOf(int64_t unix_seconds) {
  return ParseDate(FormatUtcTime(unix_seconds).substr(0, 10)).value();
}

audit::FeedEvent ReleaseEvent(const audit::ReleaseRow& r) {
  audit::FeedEvent e;
  e.type = "release";
  e.log_index = r.log_index;
  e.vendor = r.vendor;
  e.product = fmt::format("{}", fmt::join(r.products, ","));
  e.version = r.version;
  e.time = r.issued;
  e.title = "New release " + r.vendor + "/" + e.product + " " + r.version;
  std::vector<std::string> ds;
  for (const auto& d : r.disclosures) ds.push_back(DescribeDisclosure(d));
  e.summary = fmt::format("log index {}, rollback {}; disclosures: {}", r.log_index, r.rollback,
                          ds.empty() ? "none" : fmt::format("{}", fmt::join(ds, "; ")));
  return e;
}

audit::FeedEvent FlagEvent(const audit::Flag& fl, int64_t time) {
  audit::FeedEvent e;
  if (!fl.date.empty()) {
    // An activation is dated by its day, not by its release.
    time = DaysSinceEpoch(ParseDate(fl.date).value()) * 86400;
    e.key = fl.date;
  }
  if (fl.observation) {
    e.key = "observation-" + std::to_string(*fl.observation);
    e.arrived = *fl.observation;
  }
  e.type = "flag";
  e.flag = fl.kind;
  e.log_index = fl.log_index;
  e.vendor = fl.vendor;
  e.product = fl.product;
  e.version = fl.version;
  e.time = time;
  e.title = !fl.domain.empty()
                ? "Flag " + fl.kind + ": trust root " + fl.domain + " version " + fl.version
            : fl.vendor.empty()
                ? "Flag " + fl.kind + ": entry #" + std::to_string(fl.log_index)
                : "Flag " + fl.kind + ": " + fl.vendor + "/" + fl.product + " " + fl.version;
  e.summary = fl.message;
  return e;
}

// The releases and flags at log indices [from, size) that match the filter,
// in log order; activations that arrived by `now` only `with_activations`
// (the feed holds them all; stdout and the webhook get each on its day).
Result<std::vector<audit::FeedEvent>> EventsSince(audit::Mirror& mirror, uint64_t from,
                                                  uint64_t size, const AuditFilter& filter,
                                                  int64_t now, bool with_activations) {
  std::vector<audit::FeedEvent> out;
  audit::ReleaseFilter f;
  f.vendors = filter.vendors;
  f.products = filter.products;
  f.min_index = from;
  CANDOR_ASSIGN_OR_RETURN(auto rows, mirror.index().Releases(f, size));
  std::map<uint64_t, int64_t> issued;
  for (const auto& r : rows) {
    issued[r.log_index] = r.issued;
    out.push_back(ReleaseEvent(r));
  }
  // A trust root's flags are dated when the root was seen logged, an
  // observation's likewise.
  CANDOR_ASSIGN_OR_RETURN(auto roots, mirror.index().TrustRoots(size));
  for (const auto& r : roots) {
    if (r.log_index >= from) issued[r.log_index] = r.logged;
  }
  std::map<uint64_t, int64_t> observed;
  CANDOR_ASSIGN_OR_RETURN(auto observations, mirror.index().Observations(size));
  for (const auto& o : observations) {
    if (o.log_index >= from) observed[o.log_index] = o.logged;
  }
  CANDOR_ASSIGN_OR_RETURN(auto flags, LoadFlags(mirror, size, now));
  for (const audit::Flag& fl : flags) {
    // Activations are reported on their day (ActivationsDue), not with their release.
    // A disputed release is reported when the observation arrives, however
    // old the release.
    const uint64_t arrived = fl.observation ? *fl.observation : fl.log_index;
    if (arrived < from || !FlagMatches(fl, filter)) continue;
    if (!with_activations && !fl.date.empty()) continue;
    if (fl.observation) {
      out.push_back(FlagEvent(fl, observed[*fl.observation]));
      continue;
    }
    auto it = issued.find(fl.log_index);
    out.push_back(FlagEvent(fl, it != issued.end() ? it->second : NowSeconds()));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const audit::FeedEvent& a, const audit::FeedEvent& b) {
                     return a.Arrived() < b.Arrived();
                   });
  return out;
}

Status PostWebhook(const std::string& url, const std::string& body, const std::string& ca_file) {
  auto base = ParseBaseUrl(url);
  if (!base.ok()) return base.status();
  BaseUrl origin = *base;
  origin.prefix.clear();
  HttpClientOptions options;
  options.ca_file = ca_file;
  HttpClient client(origin, options);
  std::string path = base->prefix.empty() ? "/" : base->prefix;
  CANDOR_ASSIGN_OR_RETURN(HttpResponse resp, client.Post(path, body, "application/json"));
  if (resp.status < 200 || resp.status > 299) {
    return Status::Unavailable("webhook answered HTTP " + std::to_string(resp.status));
  }
  return Status::Ok();
}

// The activations whose day arrived since the last one reported (on a first
// run: today's), as events, and records today as reported. Delayed
// disclosures of every release of the verified tree count, old ones too: the
// day is the news, not the entry.
Result<std::vector<audit::FeedEvent>> ActivationsDue(audit::Mirror& mirror, uint64_t size,
                                                     const AuditFilter& filter, int64_t now) {
  const Date today = DayOf(now);
  Date after = DayOf(std::max<int64_t>(0, (DaysSinceEpoch(today) - 1) * 86400));
  Result<std::string> stored = fs::ReadFile(ActivationDayPath(mirror), 64);
  if (stored.ok()) {
    std::string text = *stored;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    Result<Date> day = ParseDate(text);
    if (!day.ok()) return day.status().WithContext(ActivationDayPath(mirror));
    after = *day;
  } else if (stored.status().code() != Code::kNotFound) {
    return stored.status();
  }
  std::vector<audit::FeedEvent> out;
  if (!(after < today)) return out;
  audit::ReleaseFilter f;
  f.vendors = filter.vendors;
  f.products = filter.products;
  CANDOR_ASSIGN_OR_RETURN(auto rows, mirror.index().Releases(f, size));
  for (const audit::Flag& fl : audit::ActivationFlags(rows, after, today)) {
    if (FlagMatches(fl, filter)) out.push_back(FlagEvent(fl, 0));
  }
  CANDOR_RETURN_IF_ERROR(
      fs::WriteFileAtomically(ActivationDayPath(mirror), FormatDate(today) + "\n", {}));
  return out;
}

// Reports the entries [from, size) the last sync added and the activations
// due today: stdout, webhook, Atom (rewritten when anything was reported).
Status Report(audit::Mirror& mirror, uint64_t from, uint64_t size, const std::string& origin,
              const WatchArgs& w, int64_t now, Context& ctx) {
  std::vector<audit::FeedEvent> events;
  if (size > from) {
    CANDOR_ASSIGN_OR_RETURN(events, EventsSince(mirror, from, size, w.filter, now, false));
  }
  CANDOR_ASSIGN_OR_RETURN(auto due, ActivationsDue(mirror, size, w.filter, now));
  for (audit::FeedEvent& e : due) events.push_back(std::move(e));
  if (events.empty()) return Status::Ok();
  for (const audit::FeedEvent& e : events) {
    const std::string event_json = audit::EventJson(e, origin);
    if (w.json) {
      ctx.out << event_json << "\n";
    } else {
      ctx.out << (e.type == "release" ? "release " : "FLAG    ") << "#" << e.log_index << " "
              << e.title << ": " << e.summary << "\n";
    }
    if (!w.webhook.empty()) {
      Status ws = PostWebhook(w.webhook, event_json, w.log.ca_file);
      if (!ws.ok()) ctx.err << "audit watch: webhook: " << ws.ToString() << "\n";
    }
  }
  ctx.out.flush();
  if (w.atom.empty()) return Status::Ok();
  CANDOR_ASSIGN_OR_RETURN(auto all, EventsSince(mirror, 0, size, w.filter, now, true));
  // Newest first: activations by their day, among releases by their issue time.
  std::stable_sort(
      all.begin(), all.end(), [](const audit::FeedEvent& a, const audit::FeedEvent& b) {
        return a.Arrived() < b.Arrived() || (a.Arrived() == b.Arrived() && a.time < b.time);
      });
  std::reverse(all.begin(), all.end());
  if (all.size() > 200) all.resize(200);
  Status ws = audit::WriteAtomFeed(
      w.atom, audit::AtomFeed("candor-audit:" + origin, "Candor audit: " + origin, all, now));
  if (!ws.ok()) ctx.err << "audit watch: atom: " << ws.ToString() << "\n";
  return Status::Ok();
}

// A contradiction in the log, or an older view than it showed before
// (anything that wrote evidence), is final; a network problem, or a
// checkpoint too old for the policy (the log may be waiting for its
// witnesses), is reported and retried.
bool IsFinal(const audit::SyncResult& r) {
  const Code c = r.status.code();
  return c == Code::kInconsistent || c == Code::kMismatch || c == Code::kBadSignature ||
         !r.evidence_path.empty();
}

}  // namespace

Outcome RunAuditWatch(const Args& args, Context& ctx) {
  WatchArgs w;
  po::options_description desc("options");
  AddHelpOption(desc);
  AddLogOptions(desc, &w.log);
  AddDirOption(desc, &w.dir);
  AddFilterOptions(desc, &w.filter, "watch");
  desc.add_options()("interval", po::value(&w.interval), "seconds between syncs (default 60)")(
      "webhook", po::value(&w.webhook),
      "POST each event as JSON to this https:// URL (http:// for loopback)")(
      "atom", po::value(&w.atom), "keep an Atom feed of events in this file")(
      "once", po::bool_switch(&w.once), "one sync, then exit");
  AddNowOption(desc, &w.now);
  AddJsonOption(desc, &w.json, "print events as JSON lines");
  po::variables_map vm;
  if (auto early = ParseAuditArgs(args, desc, nullptr,
                                  "watch --log URL --log-key LOG.pub [--policy FILE] --dir MIRROR "
                                  "[options]",
                                  ctx, vm)) {
    return *early;
  }
  CANDOR_CLI_USAGE_IF_ERROR(RequireLogArgs(w.log, w.dir, "watch"));
  if (!w.webhook.empty()) {
    // A webhook URL that can never work (e.g. plain http to another host) is
    // refused now, not at the first event.
    CANDOR_CLI_USAGE_IF_ERROR(ParseBaseUrl(w.webhook).status().WithContext("--webhook"));
  }
  CANDOR_CLI_USAGE_IF_ERROR(ResolveNow(w.now).status());
  if (!(w.interval >= 0.1)) {
    return UsageError(Status::InvalidArgument("--interval must be at least 0.1 s"));
  }
  CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(w.dir));
  CANDOR_ASSIGN_OR_RETURN(auto mirror, audit::Mirror::Open(w.dir, true, true));
  CANDOR_ASSIGN_OR_RETURN(audit::SyncOptions o, MakeSyncOptions(w.log, *mirror, ctx));
  const std::string origin = o.log_key.name;
  for (;;) {
    CANDOR_ASSIGN_OR_RETURN(audit::MirrorState before, mirror->State());
    audit::SyncResult r = audit::Sync(*mirror, o);
    if (!r.status.ok()) {
      ctx.err << "audit watch: " << r.status.ToString() << "\n";
      if (IsFinal(r) || w.once) {
        Outcome out(r.status);
        out.prefix = "error: audit watch";
        out.reported = true;
        return out;
      }
    } else {
      // Also without new entries: an activation's day may have come.
      CANDOR_ASSIGN_OR_RETURN(const int64_t now, ResolveNow(w.now));
      CANDOR_RETURN_IF_ERROR(Report(*mirror, before.size, r.new_size, origin, w, now, ctx));
    }
    if (w.once) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(w.interval * 1000)));
  }
}

}  // namespace candor::cli
