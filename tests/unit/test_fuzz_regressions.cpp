// Every input a fuzzer ever failed on (tests/data/fuzz-regressions/<target>/<file>) is replayed
// through the same target code (fuzz/targets.cpp), which aborts when a property breaks; under
// the sanitizer build a memory error is caught too. tools/fuzz.sh says how to add one.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "targets.hpp"

namespace fs = std::filesystem;

TEST_CASE("every saved fuzz input goes through its target without breaking a property", "[fuzz]") {
  const fs::path root = fs::path(TRSIM_TEST_DATA_DIR) / "fuzz-regressions";
  std::vector<fs::path> inputs;  // <target>/<input>; files at the top (the README) are not inputs
  for (const auto& folder : fs::directory_iterator(root))
    if (folder.is_directory())
      for (const auto& entry : fs::directory_iterator(folder.path()))
        if (entry.is_regular_file()) inputs.push_back(entry.path());
  std::sort(inputs.begin(), inputs.end());  // directory order is unspecified
  for (const fs::path& input : inputs) {
    const std::string target = input.parent_path().filename().string();
    DYNAMIC_SECTION(target << "/" << input.filename().string()) {
      const trsim::fuzz::Target run = trsim::fuzz::target_by_name(target);
      INFO("a folder of tests/data/fuzz-regressions/ must be named after a target");
      REQUIRE(run != nullptr);
      std::ifstream in(input, std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      run(bytes.str());  // aborts the test run on a broken property: that is the failure
    }
  }
}

TEST_CASE("each fuzz target accepts the empty input and typical text", "[fuzz]") {
  for (const char* name : {"scenario_loader", "expression", "trace_csv", "units", "json"}) {
    const trsim::fuzz::Target run = trsim::fuzz::target_by_name(name);
    REQUIRE(run != nullptr);
    run("");
    run("languages HAS 'es' AND level >= 3");
    run("time,handle_time,channel\n10,5m,voice\n");
    run("{\"a\": [1, 2.5, \"x\", null, true]}");
    run("horizon: 1h\nworkers: {a: {count: 1}}\n");
  }
  CHECK(trsim::fuzz::target_by_name("no_such_target") == nullptr);
}
