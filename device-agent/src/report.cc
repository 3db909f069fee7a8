#include "candor/agent/report.h"

#include "candor/json_string.h"
#include "state_json.h"

namespace candor::agent {

DeviceReport ReportOf(const DeviceState& state) {
  DeviceReport report;
  for (const auto& [origin, c] : state.checkpoints) {  // std::map: ascending
    report.checkpoints.push_back(ReportCheckpoint{origin, c.note});
  }
  for (const auto& [product, rel] : state.products) {  // std::map: ascending
    report.releases.push_back(
        ReportRelease{product, rel.version, rel.rollback, rel.log_index, rel.leaf_hash});
  }
  return report;
}

Result<std::string> FormatReportText(const DeviceState& state) {
  std::string text = FormatDeviceReport(ReportOf(state));
  Result<DeviceReport> back = ParseDeviceReport(text);
  if (!back.ok()) return back.status().WithContext("the device state cannot be reported");
  return text;
}

std::string FormatReportJson(const DeviceState& state) {
  std::string out = "{\"format\":";
  AppendJsonString(out, kDeviceReportHeader);
  out += ',';
  internal::AppendCheckpointsJson(out, state);
  out += ",\"installed\":[";
  bool first = true;
  for (const auto& [product, rel] : state.products) {
    if (!first) out += ',';
    first = false;
    internal::AppendInstalledJsonKeys(out, product, rel);
    out += '}';
  }
  out += "]}\n";
  return out;
}

}  // namespace candor::agent
