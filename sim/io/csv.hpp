#pragma once
// The CSV cells every CSV trsim writes is made of (the interval and statistics tables of `trsim
// run`, the sweep's table, calibrate's trace): one definition, RFC 4180.
#include <cmath>
#include <string>
#include <string_view>

#include "trsim/value.hpp"

namespace trsim::detail {

/// One text cell: as it is, or quoted with doubled quotes when it holds a comma, a quote or a
/// line break (as the trace reader expects).
inline void append_csv_cell(std::string& out, std::string_view cell) {
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += cell;
    return;
  }
  out += '"';
  for (const char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

/// `,<v>`: a comma and one numeric cell (shortest round-trip form), empty when null (NaN).
inline void append_csv_number(std::string& out, double v) {
  out += ',';
  if (!std::isnan(v)) append_json_number(out, v);
}

}  // namespace trsim::detail
