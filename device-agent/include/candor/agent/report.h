// `candor-agent report`: what this device saw of its logs, for an auditor's
// `candor audit gossip` (docs/AGENT.md "report", docs/FORMATS.md "Device
// report"). The report is made from the device state alone: the last-seen
// signed checkpoint of each log (signed by the log and cosigned by its
// witnesses when the device accepted it, so the device signs nothing and needs
// no key) and the installed releases.
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_AGENT_REPORT_H_
#define CANDOR_AGENT_REPORT_H_

#include <string>

#include "candor/agent/state.h"
#include "candor/device_report.h"
#include "candor/status.h"

namespace candor::agent {

// The report of `state`: its checkpoints by origin, its releases by product.
DeviceReport ReportOf(const DeviceState& state);

// The canonical text (FormatDeviceReport), checked by parsing it back, so a
// device never hands out a report its auditor cannot read: kMalformed if the
// state holds something the format cannot carry (a product id or version
// outside the manifest rules, which no verified install stores).
Result<std::string> FormatReportText(const DeviceState& state);

// The JSON form for scripts: {"format":"candor.dev/device-report/v1",
// "checkpoints":[…],"installed":[…]}, with the keys of `status --json`
// (docs/AGENT.md "report").
std::string FormatReportJson(const DeviceState& state);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_REPORT_H_
