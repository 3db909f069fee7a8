#include "candor/entry_bundle.h"

#include <string>

namespace candor {

Result<std::vector<Bytes>> ParseEntryBundle(ByteView data, size_t expected_count) {
  if (expected_count < 1 || expected_count > 256) {
    return Status::InvalidArgument("entry bundle: expected count " +
                                   std::to_string(expected_count) + " not in 1..256");
  }
  std::vector<Bytes> entries;
  entries.reserve(expected_count);
  size_t pos = 0;
  while (entries.size() < expected_count) {
    if (data.size() - pos < 2) {
      return Status::Malformed("entry bundle: truncated length at entry " +
                               std::to_string(entries.size()));
    }
    size_t len = ReadU16BE(data.data() + pos);
    pos += 2;
    if (data.size() - pos < len) {
      return Status::Malformed("entry bundle: truncated entry " + std::to_string(entries.size()));
    }
    entries.emplace_back(data.begin() + pos, data.begin() + pos + len);
    pos += len;
  }
  if (pos != data.size()) {
    return Status::Malformed("entry bundle: " + std::to_string(data.size() - pos) +
                             " trailing bytes after " + std::to_string(expected_count) +
                             " entries");
  }
  return entries;
}

Status AppendToEntryBundle(Bytes& bundle, ByteView entry) {
  if (entry.size() > kMaxEntrySize) {
    return Status::TooLarge("entry bundle: entry of " + std::to_string(entry.size()) +
                            " bytes exceeds 65535");
  }
  AppendU16BE(bundle, static_cast<uint16_t>(entry.size()));
  bundle.insert(bundle.end(), entry.begin(), entry.end());
  return Status::Ok();
}

Result<Bytes> SerializeEntryBundle(std::span<const Bytes> entries) {
  if (entries.size() > 256) {
    return Status::InvalidArgument("entry bundle: " + std::to_string(entries.size()) +
                                   " entries, at most 256");
  }
  Bytes out;
  for (const Bytes& e : entries) CANDOR_RETURN_IF_ERROR(AppendToEntryBundle(out, e));
  return out;
}

}  // namespace candor
