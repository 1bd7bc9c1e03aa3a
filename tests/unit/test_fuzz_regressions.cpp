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
  for (const char* name : {"scenario_loader", "expression", "trace_csv", "units", "json",
                           "output_paths", "report_input"}) {
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

TEST_CASE("the command line's fuzz targets hold their properties on their seeds and 2000 inputs",
          "[fuzz]") {
  // report_input: the seeds tools/fuzz.sh starts from (a run's summary, a sweep, a shard's part),
  // whole and cut short.
  const fs::path seeds = fs::path(TRSIM_TEST_DATA_DIR) / "fuzz-seeds" / "report_input";
  for (const auto& entry : fs::directory_iterator(seeds)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::string text = bytes.str();
    trsim::fuzz::report_input(text);
    trsim::fuzz::report_input(text.substr(0, text.size() / 2));
  }
  // output_paths: every folder of up to two entries with one output and one input, then random
  // folders, inputs and outputs (fixed seed). Each aborts on a broken property.
  for (unsigned a = 0; a < 256; a += 7)
    for (unsigned b = 0; b < 36; ++b) {
      const std::string bytes{
          static_cast<char>(2),     static_cast<char>(a % 6), static_cast<char>(b % 6),
          static_cast<char>(a / 6), static_cast<char>(b / 6), static_cast<char>(a),
          static_cast<char>(1),     static_cast<char>(b),     static_cast<char>(a + b),
          static_cast<char>(0),     static_cast<char>(b),     static_cast<char>(a)};
      trsim::fuzz::output_paths(bytes);
    }
  std::uint64_t state = 18;
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(24, '\0');
    for (char& c : bytes) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      c = static_cast<char>(state >> 56);
    }
    trsim::fuzz::output_paths(bytes);
  }
}
