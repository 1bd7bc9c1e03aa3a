#include "model/value_kind.hpp"

namespace trsim::detail {

std::string_view kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::null:
      return "null";
    case Value::Kind::boolean:
      return "boolean";
    case Value::Kind::number:
      return "number";
    case Value::Kind::string:
      return "string";
    case Value::Kind::array:
      return "array";
    case Value::Kind::object:
      return "object";
  }
  return "?";
}

std::string kind_with_article(Value::Kind kind) {
  const std::string_view name = kind_name(kind);
  if (kind == Value::Kind::null) return std::string(name);
  const bool vowel = kind == Value::Kind::array || kind == Value::Kind::object;
  return (vowel ? "an " : "a ") + std::string(name);
}

}  // namespace trsim::detail
