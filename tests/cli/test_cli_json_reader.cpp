// The strict JSON reader the command-line tests check outputs with: it must refuse what a JSON
// parser refuses, or the structure tests would pass on broken output.
#include "cli_support.hpp"

using namespace trsim::test::cli;

TEST_CASE("the tests' JSON reader accepts well-formed JSON and keeps number literals",
          "[cli][json]") {
  const Json v = parse_json(
      R"( {"a": [1, -2.5e3, 0.000001, true, false, null], "b": {"c": "x\"y\u00e9"}, "d": {}} )");
  REQUIRE(v.is_object());
  CHECK(v.keys() == std::vector<std::string>{"a", "b", "d"});
  REQUIRE(v.get("a")->items.size() == 6);
  CHECK(v.get("a")->items[1].number == -2500);
  CHECK(v.get("a")->items[2].text == "0.000001");
  CHECK(v.at_path("b.c")->text == "x\"y?");
  CHECK(v.at_path("b.nope") == nullptr);
}

TEST_CASE("the tests' JSON reader rejects malformed JSON", "[cli][json]") {
  for (const char* bad : {"",
                          "{",
                          "{\"a\":1,}",
                          "[1,]",
                          "{\"a\":1}{",
                          "{\"a\":nan}",
                          "{\"a\":NaN}",
                          "{\"a\":Infinity}",
                          "{\"a\":01}",
                          "{\"a\":1.}",
                          "{\"a\":.5}",
                          "{\"a\":+1}",
                          "{\"a\":1,\"a\":2}",
                          "{'a':1}",
                          "{\"a\":\"tab\there\"}",
                          "{\"a\":\"\\x\"}",
                          "{a:1}",
                          "[1 2]",
                          "tru",
                          "\"unterminated"}) {
    INFO(bad);
    CHECK_THROWS(parse_json(bad));
  }
}
