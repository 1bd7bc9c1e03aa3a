#pragma once
// JSON's number grammar (RFC 8259), for readers that take a word and must decide whether it is a
// number as JSON writes one: a trace cell (`00501` and `+1262` stay strings), the calibration's
// flat event reader. std::from_chars alone also takes `inf`, `nan`, `.5` and `1.`.
#include <cstddef>
#include <string_view>

namespace trsim::detail {

/// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, the whole of `s`.
inline bool is_json_number(std::string_view s) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0;
  const std::size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (digit(s[i])) {
    while (i < n && digit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    const std::size_t start = ++i;
    while (i < n && digit(s[i])) ++i;
    if (i == start) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < n && digit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == n;
}

}  // namespace trsim::detail
