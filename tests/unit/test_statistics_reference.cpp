// The statistics reference (docs/statistics.md) names every statistic the summary holds: a metric
// added to the statistics collector without a definition there fails here. The metric tree's shape
// comes from trsim::statistics_shape(), the same tree `trsim check` resolves `expect:` paths in.
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "stats/interval_collector.hpp"
#include "trsim/loader.hpp"
#include "trsim/runner.hpp"

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The words (runs of [a-z0-9_]) inside the page's code spans: `a.{b,c}` gives a, b and c.
std::set<std::string> code_words(const std::string& markdown) {
  std::set<std::string> words;
  bool in_code = false;
  std::string word;
  for (const char c : markdown) {
    if (c == '`') {
      in_code = !in_code;
    } else if (in_code && (std::islower(static_cast<unsigned char>(c)) ||
                           std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      word += c;
      continue;
    }
    if (!word.empty()) words.insert(word);
    word.clear();
  }
  return words;
}

// Groups whose children are named by the scenario (queues, workflows, worker groups, thresholds,
// activities): the page writes them as `<queue>`, `<s>`, `<activity>`.
bool children_are_names(const std::string& key) {
  return key == "task_queues" || key == "workflows" || key == "workers" || key == "service_level" ||
         key == "split_by_wait_time" || key == "activity_durations" || key == "worker_statistics";
}

void collect_metric_keys(const trsim::MetricNode& node, std::set<std::string>& keys) {
  for (const trsim::MetricNode& child : node.children) {
    if (children_are_names(node.key)) {
      for (const trsim::MetricNode& grandchild : child.children) {
        keys.insert(grandchild.key);
        collect_metric_keys(grandchild, keys);
      }
    } else {
      keys.insert(child.key);
      collect_metric_keys(child, keys);
    }
  }
}

}  // namespace

TEST_CASE("docs/statistics.md names every statistic of the summary", "[docs]") {
  // With statistics.per_worker, so that worker_statistics.<worker> is in the tree too.
  const trsim::LoadResult loaded = trsim::load_scenario_file(
      std::string(TRSIM_SCENARIO_DIR) + "/quickstart.yaml", {{"statistics.per_worker=true"}});
  REQUIRE(loaded.ok());
  std::set<std::string> keys;
  collect_metric_keys(trsim::statistics_shape(*loaded.scenario), keys);
  REQUIRE(keys.count("worker_statistics") == 1);
  REQUIRE(keys.count("service_level") == 1);
  REQUIRE(keys.count("below") == 1);  // under split_by_wait_time.<s>
  REQUIRE(keys.count("total") == 1);  // under activity_durations.<activity>

  const std::set<std::string> documented =
      code_words(read_text(std::filesystem::path(TRSIM_SOURCE_DIR) / "docs" / "statistics.md"));
  for (const std::string& key : keys) {
    INFO("the summary's statistics hold '" << key << "', which docs/statistics.md never names");
    CHECK(documented.count(key) == 1);
  }
}

TEST_CASE("docs/statistics.md names every column of the interval table, snapshots included",
          "[docs]") {
  const trsim::LoadResult loaded = trsim::load_scenario_file(
      std::string(TRSIM_SCENARIO_DIR) + "/quickstart.yaml", {{"statistics.snapshots=true"}});
  REQUIRE(loaded.ok());
  const trsim::IntervalTable table = trsim::detail::IntervalCollector(*loaded.scenario).finish();
  REQUIRE(table.column_index("tasks_by_status.reserved") != SIZE_MAX);
  const std::set<std::string> documented =
      code_words(read_text(std::filesystem::path(TRSIM_SOURCE_DIR) / "docs" / "statistics.md"));
  for (const std::string& column : table.columns) {
    // Each dotted part that is not a name of the scenario (an activity, a threshold, a priority).
    std::string part;
    std::istringstream in(column);
    std::getline(in, part, '.');
    INFO("the interval table has '" << column << "', which docs/statistics.md never names");
    CHECK(documented.count(part) == 1);
    if (part == "tasks_by_status" && std::getline(in, part, '.'))
      CHECK(documented.count(part) == 1);
  }
}
