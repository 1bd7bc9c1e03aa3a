// The command-line tests read JSON outputs with the library's strict reader (trsim::parse_json)
// through cli_support.hpp's Json tree: it must refuse what a JSON parser refuses, or the structure
// tests would pass on broken output, and keep member order and numbers' text.
#include "cli_support.hpp"

using namespace trsim::test::cli;

TEST_CASE("the tests' JSON tree keeps member order and numbers as trsim writes them",
          "[cli][json]") {
  const Json v = parse_json(
      R"( {"a": [1, -2.5e3, 0.000001, true, false, null], "b": {"c": "x\"y\u00e9"}, "d": {}} )");
  REQUIRE(v.is_object());
  CHECK(v.keys() == std::vector<std::string>{"a", "b", "d"});
  REQUIRE(v.get("a")->items.size() == 6);
  CHECK(v.get("a")->items[1].number == -2500);
  CHECK(v.get("a")->items[2].number == 0.000001);
  CHECK(v.get("a")->items[2].text == "1e-06");    // as trsim writes it (append_json_number)
  CHECK(v.at_path("b.c")->text == "x\"y\u00e9");  // decoded to UTF-8
  CHECK(v.at_path("b.nope") == nullptr);
}

TEST_CASE("the tests' JSON reading rejects malformed JSON", "[cli][json]") {
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
