// Indented JSON for files people read (`trsim import`'s workflow files, `trsim export`).
#include <string>

#include "trsim/json.hpp"
#include "trsim/value.hpp"

namespace trsim {

namespace {

void pretty(std::string& out, const Value& v, std::size_t indent) {
  const std::string pad(indent + 2, ' ');
  if (v.is_object() && !v.as_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, member] : v.as_object()) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      append_json_string(out, key);
      out += ": ";
      pretty(out, member, indent + 2);
    }
    out += '\n';
    out.append(indent, ' ');
    out += '}';
  } else if (v.is_array() && !v.as_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const Value& item : v.as_array()) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      pretty(out, item, indent + 2);
    }
    out += '\n';
    out.append(indent, ' ');
    out += ']';
  } else {
    out += to_json(v);
  }
}

}  // namespace

std::string to_json_pretty(const Value& v) {
  std::string out;
  pretty(out, v, 0);
  return out;
}

}  // namespace trsim
