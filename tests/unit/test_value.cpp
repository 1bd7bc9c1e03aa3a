#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "trsim/value.hpp"

using trsim::Value;

namespace {

Value str(const char* s) { return Value::string(s); }
Value num(double d) { return Value::number(d); }

std::string number_json(double d) {
  std::string out;
  trsim::append_json_number(out, d);
  return out;
}

std::string string_json(std::string_view s) {
  std::string out;
  trsim::append_json_string(out, s);
  return out;
}

}  // namespace

TEST_CASE("a default Value is null and each factory makes its kind", "[value]") {
  CHECK(Value().is_null());
  CHECK(Value::boolean(true).as_bool());
  CHECK(num(2.5).as_number() == 2.5);
  CHECK(str("x").as_string() == "x");
  CHECK(Value::array({num(1)}).as_array().size() == 1);
  CHECK(Value::object().is_object());
}

TEST_CASE("find returns an object's member, and nullptr for a missing key or a non-object",
          "[value]") {
  Value v = Value::object({{"a", num(1)}, {"b", str("x")}});
  REQUIRE(v.find("b") != nullptr);
  CHECK(v.find("b")->as_string() == "x");
  CHECK(v.find("c") == nullptr);
  CHECK(num(3).find("a") == nullptr);
  CHECK(Value::array({num(1)}).find("0") == nullptr);

  // The mutable overload gives write access to the member in place.
  *v.find("a") = num(2);
  CHECK(v.find("a")->as_number() == 2);
}

TEST_CASE("set replaces an existing member in place and appends a new one", "[value]") {
  Value v = Value::object({{"a", num(1)}, {"b", num(2)}});
  v.set("a", str("one"));
  v.set("c", num(3));
  const Value::Object& members = v.as_object();
  REQUIRE(members.size() == 3);
  CHECK(members[0].first == "a");
  CHECK(members[0].second == str("one"));
  CHECK(members[1].first == "b");
  CHECK(members[2].first == "c");
}

TEST_CASE("set_path creates intermediate objects and replaces a scalar in the way", "[value]") {
  Value v = Value::object();
  v.set_path("callBackData.attempts", num(2));
  v.set_path("callBackData.reason", str("busy"));
  v.set_path("top", num(1));
  CHECK(trsim::to_json(v) == R"({"callBackData":{"attempts":2,"reason":"busy"},"top":1})");

  v.set_path("top.inner", num(5));  // the later, deeper setting wins over the scalar
  CHECK(trsim::to_json(v) ==
        R"({"callBackData":{"attempts":2,"reason":"busy"},"top":{"inner":5}})");
}

TEST_CASE("merge_from merges objects deeply and replaces everything else", "[value]") {
  Value base = Value::object({{"language", str("en")},
                              {"type", Value::object({{"a", num(1)}, {"b", num(2)}})},
                              {"skills", Value::array({str("x"), str("y")})}});
  const Value overrides = Value::object({{"type", Value::object({{"b", num(3)}, {"c", num(4)}})},
                                         {"skills", Value::array({str("z")})},
                                         {"vip", Value::boolean(true)}});
  base.merge_from(overrides);
  CHECK(trsim::to_json(base) ==
        R"({"language":"en","type":{"a":1,"b":3,"c":4},"skills":["z"],"vip":true})");

  Value scalar = num(1);
  scalar.merge_from(overrides);  // a non-object is replaced wholesale
  CHECK(scalar == overrides);

  Value obj = Value::object({{"a", num(1)}});
  obj.merge_from(num(7));
  CHECK(obj == num(7));

  Value self = overrides;
  self.merge_from(self);
  CHECK(self == overrides);
}

TEST_CASE("to_json prints compact JSON in member order", "[value]") {
  const Value v = Value::object({{"z", Value()},
                                 {"a", Value::array({Value::boolean(true), Value::boolean(false),
                                                     num(1.5), str("s"), Value::array({})})},
                                 {"o", Value::object()}});
  CHECK(trsim::to_json(v) == R"({"z":null,"a":[true,false,1.5,"s",[]],"o":{}})");
}

TEST_CASE("integral numbers print without a fraction, others in shortest round-trip form",
          "[value]") {
  CHECK(number_json(3) == "3");
  CHECK(number_json(-3) == "-3");
  CHECK(number_json(0) == "0");
  CHECK(number_json(-0.0) == "0");
  CHECK(number_json(1e15) == "1000000000000000");
  CHECK(number_json(9007199254740991.0) == "9007199254740991");  // 2^53 - 1
  CHECK(number_json(0.5) == "0.5");
  CHECK(number_json(0.1) == "0.1");
  CHECK(number_json(-2.25) == "-2.25");
  CHECK(number_json(1.0 / 3.0) == "0.3333333333333333");
  // At and beyond 2^53 the shortest form is used; it must read back as the same double.
  for (const double big : {9007199254740992.0, 1e21, 1.7976931348623157e308, 5e-324}) {
    CHECK(std::strtod(number_json(big).c_str(), nullptr) == big);
  }
}

TEST_CASE("NaN and infinities print as null", "[value]") {
  CHECK(number_json(std::numeric_limits<double>::quiet_NaN()) == "null");
  CHECK(number_json(std::numeric_limits<double>::infinity()) == "null");
  CHECK(number_json(-std::numeric_limits<double>::infinity()) == "null");
  CHECK(trsim::to_json(num(std::nan(""))) == "null");
}

TEST_CASE("strings are escaped per JSON, control characters as backslash-u00XX", "[value]") {
  CHECK(string_json("plain") == R"("plain")");
  CHECK(string_json("a\"b\\c") == R"("a\"b\\c")");
  CHECK(string_json("\n\r\t\b\f") == R"("\n\r\t\b\f")");
  CHECK(string_json(std::string_view("\x01\x1f\0", 3)) == R"("\u0001\u001f\u0000")");
  CHECK(string_json("caf\xc3\xa9") == "\"caf\xc3\xa9\"");  // UTF-8 passes through
  CHECK(string_json("/") == R"("/")");
  CHECK(trsim::to_json(Value::object({{"k\"", str("v\n")}})) == R"({"k\"":"v\n"})");
}

TEST_CASE("appending keeps what the buffer already holds", "[value]") {
  std::string out = "x=";
  trsim::append_json_number(out, 42);
  out += ',';
  trsim::append_json_string(out, "y");
  CHECK(out == R"(x=42,"y")");
}

TEST_CASE("values compare equal by kind and content", "[value]") {
  CHECK(num(1) == num(1.0));
  CHECK_FALSE(num(1) == str("1"));
  CHECK(Value() == Value());
  CHECK(Value::array({num(1), str("a")}) == Value::array({num(1), str("a")}));
  CHECK_FALSE(Value::object({{"a", num(1)}}) == Value::object({{"a", num(2)}}));
}
