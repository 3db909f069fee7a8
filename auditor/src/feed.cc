#include "candor/audit/feed.h"

#include "candor/date.h"
#include "candor/fs/atomic_write.h"
#include "candor/json_string.h"

namespace candor::audit {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 (for XmlEscape; JSON
// strings go through candor/json_string.h).
size_t Utf8Len(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  if (n == 2 && c < 0xc2) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  }
  if (n == 3) {
    unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) return 0;
  }
  if (n == 4) {
    unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90) || c > 0xf4) return 0;
  }
  return n;
}

}  // namespace

std::string EventJson(const FeedEvent& e, const std::string& origin) {
  std::string out = "{\"type\":" + JsonQuote(e.type);
  if (!e.flag.empty()) out += ",\"flag\":" + JsonQuote(e.flag);
  out += ",\"log\":" + JsonQuote(origin);
  out += ",\"log_index\":" + std::to_string(e.log_index);
  out += ",\"vendor\":" + JsonQuote(e.vendor) + ",\"product\":" + JsonQuote(e.product) +
         ",\"version\":" + JsonQuote(e.version) + ",\"title\":" + JsonQuote(e.title) +
         ",\"summary\":" + JsonQuote(e.summary) + "}";
  return out;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = Utf8Len(s, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    ++i;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows only TAB, LF, CR below 0x20.
        if (c >= 0x20 || c == '\t' || c == '\n') out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string AtomFeed(const std::string& feed_id, const std::string& title,
                     const std::vector<FeedEvent>& events, int64_t updated) {
  std::string x = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  x += "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  x += "  <id>" + XmlEscape(feed_id) + "</id>\n";
  x += "  <title>" + XmlEscape(title) + "</title>\n";
  x += "  <updated>" + FormatUtcTime(updated) + "</updated>\n";
  x += "  <author><name>candor audit</name></author>\n";
  for (const FeedEvent& e : events) {
    std::string id = feed_id + "/" + e.type + "/" + std::to_string(e.log_index) +
                     (e.flag.empty() ? "" : "/" + e.flag) + (e.key.empty() ? "" : "/" + e.key);
    x += "  <entry>\n";
    x += "    <id>" + XmlEscape(id) + "</id>\n";
    x += "    <title>" + XmlEscape(e.title) + "</title>\n";
    x += "    <updated>" + FormatUtcTime(e.time) + "</updated>\n";
    x += "    <category term=\"" + XmlEscape(e.flag.empty() ? e.type : e.flag) + "\"/>\n";
    x += "    <summary type=\"text\">" + XmlEscape(e.summary) + "</summary>\n";
    x += "  </entry>\n";
  }
  x += "</feed>\n";
  return x;
}

Status WriteAtomFeed(const std::string& path, const std::string& feed_xml) {
  return fs::WriteFileAtomically(path, feed_xml);
}

}  // namespace candor::audit
