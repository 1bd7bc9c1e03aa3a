// The library's JSON reader: what the summary writer writes reads back to the same Value, and
// every kind of malformed text is an error with its line and column.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "trsim/json.hpp"
#include "trsim/value.hpp"

using trsim::JsonError;
using trsim::parse_json;
using trsim::Value;

TEST_CASE("parse_json reads back what to_json wrote, numbers exactly", "[json]") {
  Value::Object o;
  o.emplace_back("b", Value::number(0.1 + 0.2));
  o.emplace_back("a", Value::number(-1.0e-300));
  o.emplace_back("n", Value());
  o.emplace_back("s", Value::string("tab\t\"quote\" \\ é"));
  o.emplace_back("list", Value::array({Value::boolean(true), Value::boolean(false),
                                       Value::number(9007199254740993.0), Value::number(12345)}));
  const Value original = Value::object(std::move(o));
  const auto back = parse_json(trsim::to_json(original));
  REQUIRE(back);
  CHECK(*back == original);
  CHECK(back->as_object().front().first == "b");  // document order is kept
}

TEST_CASE("parse_json decodes unicode escapes to UTF-8, surrogate pairs included", "[json]") {
  const auto v = parse_json(R"(["\u00e9\u20ac", "\ud83d\ude00"])");
  REQUIRE(v);
  CHECK(v->as_array()[0].as_string() == "\xC3\xA9\xE2\x82\xAC");
  CHECK(v->as_array()[1].as_string() == "\xF0\x9F\x98\x80");
}

TEST_CASE("parse_json reports malformed text with line and column", "[json]") {
  struct Case {
    const char* text;
    std::size_t line, column;
    const char* message;
  };
  const Case cases[] = {
      {"{\"a\": 1,}", 1, 9, "expected a key in double quotes"},
      {"{\"a\": 1,\n \"a\": 2}", 2, 2, "duplicate key 'a'"},
      {"[1, 2", 1, 6, "expected ']'"},
      {"NaN", 1, 1, "unexpected character"},
      {"1e999", 1, 1, "number out of range"},
      {"\"\\ud800\"", 1, 8, "unpaired surrogate in a \\u escape"},
      {"{} x", 1, 4, "unexpected text after the JSON value"},
      {"\"a\nb\"", 1, 3, "control character in a string"},
      {"", 1, 1, "unexpected end of the JSON text"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    JsonError e;
    CHECK_FALSE(parse_json(c.text, &e));
    CHECK(e.line == c.line);
    CHECK(e.column == c.column);
    CHECK(e.message == c.message);
  }
}

TEST_CASE("parse_json refuses nesting deep enough to exhaust the stack", "[json]") {
  const std::string deep(100000, '[');
  JsonError e;
  CHECK_FALSE(parse_json(deep, &e));
  CHECK(e.message == "JSON nested too deeply");
}

TEST_CASE("parse_json_streaming hands over the elements of one top-level array as it reads them",
          "[json]") {
  std::vector<std::string> seen;
  const std::function<void(trsim::Value &&)> collect = [&](trsim::Value&& v) {
    seen.push_back(trsim::to_json(v));
  };
  const auto doc = trsim::parse_json_streaming(
      R"({"kind": "k", "units": [{"a": 1}, [2, 3], "x"], "inner": {"units": [4]}, "n": 5})",
      "units", collect);
  REQUIRE(doc.has_value());
  CHECK(seen == std::vector<std::string>{R"({"a":1})", "[2,3]", R"("x")"});
  // The streamed member stays as an empty array; the same key deeper is an ordinary value.
  CHECK(trsim::to_json(*doc) == R"({"kind":"k","units":[],"inner":{"units":[4]},"n":5})");

  // A member that is not an array is kept as it is; nothing is streamed.
  seen.clear();
  const auto scalar = trsim::parse_json_streaming(R"({"units": 3})", "units", collect);
  REQUIRE(scalar.has_value());
  CHECK(seen.empty());
  CHECK(trsim::to_json(*scalar) == R"({"units":3})");

  // A syntax error after some elements: nullopt, located as parse_json locates it.
  seen.clear();
  trsim::JsonError error;
  CHECK_FALSE(trsim::parse_json_streaming("{\"units\": [1,\n 2,, 3]}", "units", collect, &error));
  CHECK(seen == std::vector<std::string>{"1", "2"});
  CHECK(error.line == 2);
  CHECK(error.column == 4);
}
