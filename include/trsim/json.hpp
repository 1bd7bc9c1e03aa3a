#pragma once
// Reading JSON back into a Value: `trsim merge` reads partial sweep results and `trsim report`
// reads summaries. Strict RFC 8259: no trailing commas, comments, NaN or Infinity; no duplicate
// keys; nothing after the value. Numbers read back exactly what append_json_number wrote.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/value.hpp"

namespace trsim {

struct JsonError {
  std::size_t line = 0;    ///< 1-based
  std::size_t column = 0;  ///< 1-based, in bytes
  std::string message;
};

/// Parses a whole JSON document. On error returns nullopt and fills `error` (when not null).
/// Nesting deeper than 512 levels is an error rather than a stack overflow.
std::optional<Value> parse_json(std::string_view text, JsonError* error = nullptr);

/// The same, also giving the byte offset of every object's '{' in document order (which is the
/// order of a pre-order walk of the returned value: an object, then its members' values; an
/// array's items in order), so that a reader can say where a resource was written.
std::optional<Value> parse_json(std::string_view text, JsonError* error,
                                std::vector<std::size_t>* object_offsets);

/// The same for a document whose top level is an object holding one large array, `member`: each
/// element goes to `on_element` as soon as it is read, and the returned document holds an empty
/// array in its place. A reader that turns the elements into structures of its own (trsim merge's
/// units) never holds the whole document as values, only one element at a time.
std::optional<Value> parse_json_streaming(std::string_view text, std::string_view member,
                                          const std::function<void(Value&&)>& on_element,
                                          JsonError* error = nullptr);

/// JSON text of a value indented by two spaces per level, one member or item per line (empty
/// objects and arrays as `{}` and `[]`), for files people read.
std::string to_json_pretty(const Value& v);

}  // namespace trsim
