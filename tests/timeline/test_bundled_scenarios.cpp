// Every bundled scenario (scenarios/*.yaml, not the invalid/ or other subfolders) loads, runs with
// the engine's invariants checked after every event, conserves its tasks and reservations, and
// has an interval table covering its horizon. At most two replications each, to stay quick.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "support/scenario_fixture.hpp"
#include "trsim/runner.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

std::vector<std::string> bundled_scenarios() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(TRSIM_SCENARIO_DIR)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml")
      paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace

TEST_CASE("every bundled scenario runs with its invariants checked after every event",
          "[scenarios]") {
  const std::vector<std::string> paths = bundled_scenarios();
  // quickstart, check-pass, check-fail and the four scenarios of the workload-realism set at least.
  REQUIRE(paths.size() >= 7);
  for (const char* name :
       {"support-centre.yaml", "chat-centre.yaml", "timeout-cascade.yaml", "trace-day.yaml"}) {
    INFO(name);
    CHECK(std::any_of(paths.begin(), paths.end(), [&](const std::string& p) {
      return std::filesystem::path(p).filename() == name;
    }));
  }
  for (const std::string& path : paths) {
    INFO(path);
    LoadResult loaded = load_scenario_file(path);
    std::string errors;
    for (const Diagnostic& d : loaded.diagnostics) errors += d.format() + "\n";
    INFO(errors);
    REQUIRE(loaded.ok());
    const Scenario& sc = *loaded.scenario;
    // Every `expect:` line names a metric of the scenario's statistics.
    const MetricNode shape = statistics_shape(sc);
    for (const Expectation& x : sc.expectations) {
      INFO(x.metric);
      CHECK(shape.find(x.metric) != nullptr);
    }
    const std::uint32_t reps = std::min<std::uint32_t>(sc.replications, 2);
    for (std::uint32_t rep = 0; rep < reps; ++rep) {
      INFO("replication " << rep);
      Run run;
      REQUIRE_NOTHROW(run = run_once(sc, rep, /*invariants=*/true));
      std::map<EventType, double> n;
      for (const Event& e : run.events) ++n[e.type];
      CHECK(n[EventType::task_created] > 0);
      if (sc.drain) {
        CHECK(n[EventType::task_created] ==
              n[EventType::task_completed] + n[EventType::task_canceled]);
        CHECK(n[EventType::reservation_created] ==
              n[EventType::reservation_accepted] + n[EventType::reservation_rejected] +
                  n[EventType::reservation_timeout] + n[EventType::reservation_canceled] +
                  n[EventType::reservation_rescinded]);
      }
      const IntervalTable& t = run.result.intervals;
      CHECK(t.count == static_cast<std::size_t>((sc.horizon + sc.statistics.interval - 1) /
                                                sc.statistics.interval));
      CHECK(t.end(t.count - 1) == sc.horizon);
      double offered = 0;
      for (std::size_t k = 0; k < t.count; ++k) offered += t.at(k, 0, t.column_index("offered"));
      CHECK(offered == n[EventType::task_created]);
    }
  }
}
