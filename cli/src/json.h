// A minimal JSON writer for `--json` output (RFC 8259), pretty-printed with
// two-space indentation, or compact (no whitespace: one line per document, as
// `candor audit` prints, whose `watch --json` is a stream of JSON lines).
//
// Strings are escaped by candor::AppendJsonString (candor/json_string.h, RFC
// 8259 §7): '"' and '\\' and every control character below 0x20 (and 0x7F)
// are escaped; valid UTF-8 is copied as is; bytes that are not valid UTF-8 are
// replaced by U+FFFD so the output is always valid JSON and valid UTF-8
// whatever the input. Integers are written exactly (uint64 in decimal;
// consumers in JavaScript should beware above 2^53).
//
// Usage: BeginObject(); Key("a"); String("x"); Key("b"); BeginArray(); ...
// The writer asserts well-formed call sequences in debug builds.
//
// Thread-safety: a JsonWriter is used by one thread.
#ifndef CANDOR_CLI_JSON_H_
#define CANDOR_CLI_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "candor/json_string.h"

namespace candor::cli {

class JsonWriter {
 public:
  enum class Style { kPretty, kCompact };
  explicit JsonWriter(Style style = Style::kPretty) : style_(style) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // REQUIRES: inside an object, and the previous call was not Key().
  void Key(std::string_view key);
  void String(std::string_view s);
  void Uint(uint64_t v);
  void Bool(bool v);
  void Null();
  // A number with `decimals` digits after the point (0: an integer); null
  // when not finite (JSON has no NaN or infinity).
  void Fixed(double v, int decimals);

  // The document, ending in "\n". REQUIRES: every Begin matched by an End.
  std::string Finish();

 private:
  void BeforeValue();
  void Open(char c);
  void Close(char c);
  void Newline();

  Style style_;
  std::string out_;
  struct Level {
    bool is_object;
    bool empty = true;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace candor::cli

#endif  // CANDOR_CLI_JSON_H_
