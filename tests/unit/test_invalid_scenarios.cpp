// Every file in scenarios/invalid/ holds exactly one defect and names, on its first line, the
// diagnostic the loader must give for it:
//   # expect: FILE:LINE:COL: message-substring
// FILE is the name of the file at fault (the scenario, or a trace / configuration file beside
// it); LINE and COL must match exactly, so the test pins where each problem is reported.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "trsim/loader.hpp"

namespace fs = std::filesystem;

namespace {

struct Expectation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string text;
};

std::vector<fs::path> invalid_scenarios() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(TRSIM_SCENARIO_DIR) / "invalid"))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());  // directory order is unspecified
  return files;
}

bool read_expectation(const fs::path& path, Expectation* out) {
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  static const std::regex pattern(R"(^# expect: ([^:]+):(\d+):(\d+): (.+)$)");
  std::smatch m;
  if (!std::regex_match(first, m, pattern)) return false;
  out->file = m[1];
  out->line = std::stoi(m[2]);
  out->column = std::stoi(m[3]);
  out->text = m[4];
  return true;
}

}  // namespace

TEST_CASE("every invalid scenario is rejected with the expected diagnostic at the expected place",
          "[loader][invalid]") {
  const std::vector<fs::path> files = invalid_scenarios();
  CHECK(files.size() >= 35);
  for (const fs::path& path : files) {
    DYNAMIC_SECTION(path.filename().string()) {
      Expectation expect;
      REQUIRE(read_expectation(path, &expect));
      const trsim::LoadResult result = trsim::load_scenario_file(path.string());
      std::string all;
      for (const trsim::Diagnostic& d : result.diagnostics) all += d.format() + "\n";
      INFO("expected " << expect.file << ":" << expect.line << ":" << expect.column << ": "
                       << expect.text);
      INFO("got:\n" << all);
      REQUIRE_FALSE(result.ok());
      const bool found =
          std::any_of(result.diagnostics.begin(), result.diagnostics.end(), [&](const auto& d) {
            return fs::path(d.where.file).filename() == expect.file &&
                   d.where.line == expect.line && d.where.column == expect.column &&
                   d.message.find(expect.text) != std::string::npos;
          });
      CHECK(found);
      // One defect, one error: a second one would be a cascade (or a second defect in the file).
      const auto errors = std::count_if(
          result.diagnostics.begin(), result.diagnostics.end(),
          [](const auto& d) { return d.severity == trsim::Diagnostic::Severity::error; });
      CHECK(errors == 1);
    }
  }
}
