// The Prometheus text exposition format, version 0.0.4: escaping and number
// formatting (https://prometheus.io/docs/instrumenting/exposition_formats/,
// "Text format details"). Registry::Render (metrics.h) writes whole families
// with these.
//
// Thread-safety: pure functions.
#ifndef CANDOR_METRICS_EXPOSITION_H_
#define CANDOR_METRICS_EXPOSITION_H_

#include <string>
#include <string_view>

namespace candor::metrics {

// The Content-Type of a /metrics answer.
inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

// A label value inside double quotes: backslash, double quote and line feed
// become \\, \" and \n; everything else (UTF-8 included) is kept.
std::string EscapeLabelValue(std::string_view value);
// A # HELP docstring: backslash and line feed become \\ and \n.
std::string EscapeHelp(std::string_view help);
// A sample value: integers without a fraction, other values to 17
// significant digits (round-trips a double), and +Inf, -Inf, NaN.
std::string FormatSampleValue(double value);

}  // namespace candor::metrics

#endif  // CANDOR_METRICS_EXPOSITION_H_
