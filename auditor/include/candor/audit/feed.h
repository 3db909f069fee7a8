// Output of `candor audit watch`: events (a new release, a new flag) as JSON
// objects for webhooks and as an Atom feed file (RFC 4287) rewritten
// atomically.
//
// Thread-safety: pure functions plus one atomic file write.
#ifndef CANDOR_AUDIT_FEED_H_
#define CANDOR_AUDIT_FEED_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "candor/status.h"

namespace candor::audit {

struct FeedEvent {
  std::string type;  // "release" or "flag"
  std::string flag;  // the flag kind for type "flag"
  uint64_t log_index = 0;
  std::string vendor, product, version;
  std::string title;    // one line
  std::string summary;  // text
  int64_t time = 0;     // unix seconds (the release's issue time)
  // Distinguishes events of one kind at one log index in the feed's entry ids
  // (an activation: "<kind>/<date>"); empty: none.
  std::string key = {};
  // The log index of the entry that brought the event when it is not
  // `log_index`'s (a `disputed` flag: the observation's), for ordering.
  std::optional<uint64_t> arrived = {};
  uint64_t Arrived() const { return arrived.value_or(log_index); }
};

// {"type":...,"log_index":...,...}
std::string EventJson(const FeedEvent& e, const std::string& origin);
// XML text escaping (&, <, >, ", ') and removal of characters XML 1.0 forbids.
std::string XmlEscape(std::string_view s);
// A complete Atom feed of `events` (newest first, as given).
std::string AtomFeed(const std::string& feed_id, const std::string& title,
                     const std::vector<FeedEvent>& events, int64_t updated);
// Writes the feed to `path` atomically (tmp, fsync, rename).
Status WriteAtomFeed(const std::string& path, const std::string& feed_xml);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_FEED_H_
