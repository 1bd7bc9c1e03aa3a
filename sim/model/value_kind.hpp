#pragma once
// The names of a Value's kinds, as messages print them (the loader's lints, the report's checks of
// a summary or sweep JSON): one spelling for both.
#include <string>
#include <string_view>

#include "trsim/value.hpp"

namespace trsim::detail {

/// JSON's name of a kind: "null", "boolean", "number", "string", "array", "object".
std::string_view kind_name(Value::Kind kind);

/// The same with its article, for "expected X, got Y": "null", "a boolean", "a number", "a
/// string", "an array", "an object".
std::string kind_with_article(Value::Kind kind);

}  // namespace trsim::detail
