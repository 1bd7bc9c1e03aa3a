#pragma once
// A JSON-like value: the type of task and worker attributes, and of expression constants.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace trsim {

class Value {
 public:
  enum class Kind : std::uint8_t { null, boolean, number, string, array, object };
  using Array = std::vector<Value>;
  using Member = std::pair<std::string, Value>;
  /// Members keep their insertion order (attributes print as written); keys are unique.
  using Object = std::vector<Member>;

  Value() = default;  // null
  static Value boolean(bool b) { return Value(Data(std::in_place_index<1>, b)); }
  static Value number(double d) { return Value(Data(std::in_place_index<2>, d)); }
  static Value string(std::string s) { return Value(Data(std::in_place_index<3>, std::move(s))); }
  static Value array(Array a) { return Value(Data(std::in_place_index<4>, std::move(a))); }
  static Value object(Object o = {}) { return Value(Data(std::in_place_index<5>, std::move(o))); }

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::null; }
  bool is_bool() const { return kind() == Kind::boolean; }
  bool is_number() const { return kind() == Kind::number; }
  bool is_string() const { return kind() == Kind::string; }
  bool is_array() const { return kind() == Kind::array; }
  bool is_object() const { return kind() == Kind::object; }

  bool as_bool() const { return std::get<1>(data_); }
  double as_number() const { return std::get<2>(data_); }
  const std::string& as_string() const { return std::get<3>(data_); }
  const Array& as_array() const { return std::get<4>(data_); }
  Array& as_array() { return std::get<4>(data_); }
  const Object& as_object() const { return std::get<5>(data_); }
  Object& as_object() { return std::get<5>(data_); }

  /// The member `key` of an object; nullptr when this is not an object or has no such member.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  /// Sets member `key` of an object (replacing it if present). Precondition: is_object().
  void set(std::string key, Value value);
  /// Sets a dotted path ("a.b.c"), creating intermediate objects. Precondition: is_object().
  void set_path(std::string_view dotted_path, Value value);
  /// Deep merge: members of `overrides` replace (or, for objects, merge into) members of this.
  void merge_from(const Value& overrides);

  friend bool operator==(const Value& a, const Value& b) { return a.data_ == b.data_; }

 private:
  using Data = std::variant<std::monostate, bool, double, std::string, Array, Object>;
  explicit Value(Data d) : data_(std::move(d)) {}
  Data data_;
};

/// Compact JSON text of a value (numbers in shortest round-trip form, integers without ".0").
std::string to_json(const Value& v);
/// Appends a JSON string literal (quoted, escaped) to `out`.
void append_json_string(std::string& out, std::string_view s);
/// Appends a number as JSON: integral values without a fraction, others shortest round-trip; NaN
/// and infinities as null.
void append_json_number(std::string& out, double d);

}  // namespace trsim
