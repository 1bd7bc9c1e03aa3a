// Conservation laws on a realistic scenario: every task and every reservation ends exactly once,
// and the engine's own invariants hold after every event.
#include <catch2/catch.hpp>
#include <map>

#include "support/scenario_fixture.hpp"
#include "trsim/runner.hpp"

using namespace trsim;
using namespace trsim::test;

TEST_CASE("tasks and reservations are conserved on the quickstart scenario", "[conservation]") {
  LoadResult loaded = load_scenario_file(TRSIM_SCENARIO_DIR "/quickstart.yaml", {{"warmup=0"}});
  REQUIRE(loaded.ok());
  const Scenario& sc = *loaded.scenario;
  for (std::uint32_t rep = 0; rep < 3; ++rep) {
    const Run run = run_once(sc, rep, /*invariants=*/true);
    std::map<EventType, double> n;
    for (const Event& e : run.events) ++n[e.type];
    INFO("replication " << rep);
    // Drained: every created task completed or was canceled.
    CHECK(n[EventType::task_created] > 1000);
    CHECK(n[EventType::task_created] == n[EventType::task_completed] + n[EventType::task_canceled]);
    CHECK(n[EventType::reservation_created] ==
          n[EventType::reservation_accepted] + n[EventType::reservation_rejected] +
              n[EventType::reservation_timeout] + n[EventType::reservation_canceled] +
              n[EventType::reservation_rescinded]);
    CHECK(n[EventType::reservation_accepted] == n[EventType::task_completed]);
    CHECK(n[EventType::reservation_completed] == n[EventType::task_completed]);
    // The statistics agree with the event stream.
    const MetricNode& st = run.result.statistics;
    CHECK(st.find("workspace.tasks_created")->value == n[EventType::task_created]);
    CHECK(st.find("workspace.tasks_completed")->value == n[EventType::task_completed]);
    CHECK(st.find("workspace.tasks_canceled")->value == n[EventType::task_canceled]);
    CHECK(st.find("workspace.reservations_timed_out")->value == n[EventType::reservation_timeout]);
    // The timeout cascade is part of the scenario: some offers time out, some callers hang up.
    CHECK(n[EventType::reservation_timeout] > 0);
    CHECK(st.find("workspace.tasks_abandoned")->value > 0);
  }
}

TEST_CASE("the same seed gives the same events, another seed does not", "[determinism]") {
  LoadResult loaded = load_scenario_file(TRSIM_SCENARIO_DIR "/quickstart.yaml");
  REQUIRE(loaded.ok());
  const Scenario& sc = *loaded.scenario;
  const Run a = run_once(sc, 0, false);
  const Run b = run_once(sc, 0, false);
  const Run c = run_once(sc, 1, false);
  REQUIRE(a.events.size() == b.events.size());
  CHECK(joined(timeline(sc, a.events)) == joined(timeline(sc, b.events)));
  CHECK(joined(timeline(sc, a.events)) != joined(timeline(sc, c.events)));
}
