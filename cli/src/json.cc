#include "json.h"

#include <cassert>
#include <cmath>

#include <fmt/format.h>

namespace candor::cli {

void JsonWriter::Newline() {
  if (style_ == Style::kCompact) return;
  out_ += '\n';
  out_.append(stack_.size() * 2, ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) {
    assert(out_.empty());
    return;
  }
  assert(!stack_.back().is_object);  // values in objects need a Key()
  if (!stack_.back().empty) out_ += ',';
  stack_.back().empty = false;
  Newline();
}

void JsonWriter::Key(std::string_view key) {
  assert(!stack_.empty() && stack_.back().is_object && !after_key_);
  if (!stack_.back().empty) out_ += ',';
  stack_.back().empty = false;
  Newline();
  AppendJsonString(out_, key);
  out_ += style_ == Style::kCompact ? ":" : ": ";
  after_key_ = true;
}

void JsonWriter::Open(char c) {
  BeforeValue();
  out_ += c;
  stack_.push_back(Level{c == '{'});
}

void JsonWriter::Close(char c) {
  assert(!stack_.empty() && stack_.back().is_object == (c == '}') && !after_key_);
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) Newline();
  out_ += c;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(out_, s);
}

void JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  out_ += std::to_string(v);
}

void JsonWriter::Bool(bool v) {
  BeforeValue();
  out_ += v ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

void JsonWriter::Fixed(double v, int decimals) {
  if (!std::isfinite(v)) {
    Null();
    return;
  }
  BeforeValue();
  out_ += fmt::format("{:.{}f}", v, decimals);
}

std::string JsonWriter::Finish() {
  assert(stack_.empty() && !after_key_);
  std::string result = std::move(out_);
  result += '\n';
  out_.clear();
  return result;
}

}  // namespace candor::cli
