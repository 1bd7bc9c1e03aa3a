// README.md's Documentation section is the index of docs/: a page added to docs/ without a line
// there would be invisible to readers who start from the README.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("the README's Documentation section links every page of docs", "[docs]") {
  const std::filesystem::path root(TRSIM_SOURCE_DIR);
  const std::string readme = read_text(root / "README.md");
  const std::size_t start = readme.find("\n## Documentation\n");
  REQUIRE(start != std::string::npos);
  const std::string section = readme.substr(start, readme.find("\n## ", start + 1) - start);
  int pages = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root / "docs")) {
    if (entry.path().extension() != ".md") continue;
    const std::string link = "(docs/" + entry.path().filename().string() + ")";
    INFO("README.md's Documentation section has no link " << link);
    CHECK(section.find(link) != std::string::npos);
    ++pages;
  }
  CHECK(pages >= 5);
}
