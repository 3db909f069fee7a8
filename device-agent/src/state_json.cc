#include "state_json.h"

#include <fmt/format.h>

#include "candor/json_string.h"

namespace candor::agent::internal {

void AppendInstalledJsonKeys(std::string& out, std::string_view product,
                             const InstalledRelease& rel) {
  out += "{\"product\":";
  AppendJsonString(out, product);
  out += ",\"version\":";
  AppendJsonString(out, rel.version);
  out += fmt::format(",\"rollback\":{},\"log_index\":{},\"installed_at\":{},\"image_size\":{}",
                     rel.rollback, rel.log_index, rel.installed_at, rel.image_size);
  out += ",\"image_sha256\":";
  AppendJsonString(out, HexEncode(rel.image_sha256));
  out += ",\"leaf_hash\":";
  AppendJsonString(out, Base64Encode(rel.leaf_hash));
}

void AppendCheckpointsJson(std::string& out, const DeviceState& state) {
  out += "\"checkpoints\":[";
  bool first = true;
  for (const auto& [origin, c] : state.checkpoints) {  // std::map: ascending
    if (!first) out += ',';
    first = false;
    out += "{\"origin\":";
    AppendJsonString(out, origin);
    out += fmt::format(",\"size\":{},\"root_hash\":", c.size);
    AppendJsonString(out, Base64Encode(c.root_hash));
    out += ",\"quorum_time\":";
    out += c.quorum_time ? FormatDecimal(*c.quorum_time) : "null";
    out += ",\"note\":";
    AppendJsonString(out, c.note);
    out += '}';
  }
  out += ']';
}

}  // namespace candor::agent::internal
