// JSON string literals (RFC 8259 §7) for any byte string.
//
// The one escaper shared by every component that writes JSON (the CLI's
// `--json` output, `candor audit` reports and webhook events, the device
// agent's status output); it lives in libverify because the device agent may
// link only libverify and fmt. The output is always a valid JSON string
// literal and valid UTF-8, whatever the input:
//   - '"' and '\\' are escaped as \" and \\;
//   - \n \r \t \b \f use their short escapes, every other control character
//     below 0x20 and DEL (0x7F, not required by RFC 8259 but invisible on a
//     terminal) is written as \u00xx (lower-case hex);
//   - valid UTF-8 (RFC 3629: shortest form, no surrogates, at most U+10FFFF)
//     is copied unchanged;
//   - each byte that does not start or belong to a valid UTF-8 sequence is
//     replaced by U+FFFD (EF BF BD), one replacement per byte, so no byte is
//     dropped silently and the output length is bounded by 6 * input + 2.
//
// Thread-safety: pure functions.
#ifndef CANDOR_JSON_STRING_H_
#define CANDOR_JSON_STRING_H_

#include <string>
#include <string_view>

namespace candor {

// Appends the JSON string literal for `s`, with its quotes, to `out`.
void AppendJsonString(std::string& out, std::string_view s);

// The JSON string literal for `s`, with its quotes.
std::string JsonQuote(std::string_view s);

}  // namespace candor

#endif  // CANDOR_JSON_STRING_H_
