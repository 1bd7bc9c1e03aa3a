#include "trsim/value.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "model/object_builder.hpp"

namespace trsim {

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  // Attribute objects are small (a handful of members), so a linear scan beats a map and keeps
  // the written order, which is what the event log and the summary print.
  for (const Member& m : as_object()) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Value* Value::find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value&>(*this).find(key));
}

void Value::set(std::string key, Value value) {
  Object& members = as_object();  // throws std::bad_variant_access when the precondition is broken
  for (Member& m : members) {
    if (m.first == key) {
      m.second = std::move(value);
      return;
    }
  }
  members.emplace_back(std::move(key), std::move(value));
}

void Value::set_path(std::string_view dotted_path, Value value) {
  Value* node = this;
  for (;;) {
    const std::size_t dot = dotted_path.find('.');
    if (dot == std::string_view::npos) {
      node->set(std::string(dotted_path), std::move(value));
      return;
    }
    const std::string_view head = dotted_path.substr(0, dot);
    dotted_path.remove_prefix(dot + 1);
    Value* child = node->find(head);
    if (child == nullptr) {
      node->set(std::string(head), Value::object());
      child = node->find(head);
    } else if (!child->is_object()) {
      // A deeper path wins over a scalar written earlier ("a: 1" then "a.b: 2"): the later,
      // more specific setting is what the user asked for.
      *child = Value::object();
    }
    node = child;
  }
}

void Value::merge_from(const Value& overrides) {
  if (&overrides == this) return;
  if (!is_object() || !overrides.is_object()) {
    *this = overrides;
    return;
  }
  const Object& added = overrides.as_object();
  Object& members = as_object();
  // Attribute objects are small, and a scan per key is fastest; a trace row of 200,000 columns
  // merged into its stream's attributes is not: past a few thousand comparisons, index the keys.
  if (added.size() * (members.size() + added.size()) < 4096) {
    for (const Member& m : added) {
      Value* existing = find(m.first);
      if (existing != nullptr && existing->is_object() && m.second.is_object()) {
        existing->merge_from(m.second);
      } else {
        set(m.first, m.second);
      }
    }
    return;
  }
  // Past that, through the builder that indexes the keys (the trace reader's, for its rows).
  detail::ObjectBuilder builder(*this);
  builder.merge(overrides);
  *this = builder.take();
}

namespace {

void append_json(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::null:
      out += "null";
      return;
    case Value::Kind::boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case Value::Kind::number:
      append_json_number(out, v.as_number());
      return;
    case Value::Kind::string:
      append_json_string(out, v.as_string());
      return;
    case Value::Kind::array: {
      out += '[';
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out += ',';
        first = false;
        append_json(out, e);
      }
      out += ']';
      return;
    }
    case Value::Kind::object: {
      out += '{';
      bool first = true;
      for (const Value::Member& m : v.as_object()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, m.first);
        out += ':';
        append_json(out, m.second);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string to_json(const Value& v) {
  std::string out;
  append_json(out, v);
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20) {
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xf];
        } else {
          // Bytes >= 0x80 are passed through: attributes are UTF-8 and JSON carries UTF-8 as is.
          out += c;
        }
      }
    }
  }
  out += '"';
}

void append_json_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  // Below 2^53 every integer is exact in a double, so printing it as an integer loses nothing
  // and reads as users wrote it (`3`, not `3.0` or `3e+00`).
  constexpr double kExactIntegerLimit = 9007199254740992.0;  // 2^53
  if (std::fabs(d) < kExactIntegerLimit && std::trunc(d) == d) {
    fmt::format_to(std::back_inserter(out), "{}", static_cast<std::int64_t>(d));
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", d);
}

}  // namespace trsim
