// The engine's parts keep to their jobs (sim/engine/engine_impl.hpp's header): lifecycle.cpp only
// moves entities, and never calls the workflow or the offers (router.cpp). The matching indexes
// are private to Matching, which the compiler enforces; this rule needs a look at the source.
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string read_source(const std::string& relative) {
  std::ifstream in(std::filesystem::path(TRSIM_SOURCE_DIR) / relative);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text without its // comments (the engine's sources have no "//" inside strings).
std::string code_only(const std::string& text) {
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line)) out += line.substr(0, line.find("//")) + "\n";
  return out;
}

// Whether `code` calls `name(`: the name is not the end of a longer identifier (emplace, ...).
bool calls(const std::string& code, const std::string& name) {
  for (std::size_t at = code.find(name + "("); at != std::string::npos;
       at = code.find(name + "(", at + 1)) {
    const char before = at == 0 ? ' ' : code[at - 1];
    if (!std::isalnum(static_cast<unsigned char>(before)) && before != '_') return true;
  }
  return false;
}

}  // namespace

TEST_CASE("lifecycle.cpp calls none of router.cpp's functions", "[engine]") {
  // The router's functions, as engine_impl.hpp declares them in its router.cpp section.
  const std::string header = read_source("sim/engine/engine_impl.hpp");
  const std::size_t from = header.find("// ---- router.cpp");
  const std::size_t to = header.find("// ---- ", from + 1);
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  const std::string section = header.substr(from, to - from);
  std::set<std::string> router;
  const std::regex declaration(R"(\b(\w+)\()");
  for (auto it = std::sregex_iterator(section.begin(), section.end(), declaration);
       it != std::sregex_iterator(); ++it)
    router.insert((*it)[1]);
  CHECK(router.count("route_task") == 1);
  CHECK(router.count("after_offer_ended") == 1);
  CHECK(router.size() >= 10);

  const std::string lifecycle = code_only(read_source("sim/engine/lifecycle.cpp"));
  for (const std::string& name : router) {
    INFO("lifecycle.cpp calls " << name << "() of router.cpp");
    CHECK_FALSE(calls(lifecycle, name));
  }
}
