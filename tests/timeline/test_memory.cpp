// Memory follows what is alive (workers, waiting tasks, pending timers), not the horizon or the
// number of tasks created: checked through the engine's table sizes, never by timing or RSS.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "engine/engine_impl.hpp"
#include "support/scenario_fixture.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

// Ten agents at 90% load; a share of the tasks (`stuck`) goes to a queue nobody serves and waits
// there until its TTL ('timeout', 14 days, longer than any horizon here), never abandoning.
std::string stuck_yaml(double stuck_share) {
  return fmt::format(R"(
name: memory
seed: 3
horizon: 1d
drain: false  # stop at the horizon: the tables are looked at with the stuck tasks alive
task_queues:
  Q: {{}}
  Nobody: {{target_workers: "level == 99"}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{{expression: "kind == 'stuck'", targets: [{{queue: Nobody}}]}}]
        default_filter: {{queue: Q}}
workers: {{agents: {{count: 10, activity: Available, attributes: {{level: 1}}}}}}
arrivals:
  calls:
    workflow: wf
    channel: voice
    rate: 0.03
    timeout: 14d
    attributes: {{kind: {{pick: {{normal: {}, stuck: {}}}}}}}
    handle_time: {{exponential: {{mean: 300}}}}
)",
                     1.0 - stuck_share, stuck_share);
}

detail::EngineFootprint run_for(const std::string& yaml, const std::string& horizon) {
  TempDir dir;
  const Scenario sc = load_yaml(yaml, dir, {"horizon=" + horizon});
  detail::EngineImpl engine(sc, EngineOptions{sc.seed, 0, false}, nullptr);
  const ReplicationResult result = engine.run();
  INFO(horizon << ": " << result.statistics.find("workspace.tasks_created")->value << " tasks");
  return engine.footprint();
}

}  // namespace

TEST_CASE("the engine's tables do not grow with the horizon at a steady load", "[memory]") {
  const std::string yaml = stuck_yaml(0.0);
  const detail::EngineFootprint day = run_for(yaml, "1d");
  const detail::EngineFootprint twelve = run_for(yaml, "12d");  // ~31,000 tasks
  INFO("task slots " << day.task_slots << " / " << twelve.task_slots << ", heap "
                     << day.heap_entries << " / " << twelve.heap_entries);
  // Slots are recycled: the tables are as large as the most tasks alive at once (tens), not the
  // tasks created; twelve days' peak may be somewhat higher than a day's, never 12 times.
  CHECK(twelve.task_slots < 200);
  CHECK(twelve.task_slots <= 3 * day.task_slots);
  CHECK(twelve.reservation_slots <= 3 * day.reservation_slots + 10);
  CHECK(twelve.heap_entries <= 3 * day.heap_entries + 10);
  CHECK(twelve.ttl_entries <= 2 * twelve.alive_tasks + 100);
}

TEST_CASE("a task waiting at the front of the TTL FIFO does not keep finished tasks in memory",
          "[memory]") {
  // 2% of the tasks wait for 14 days: the first of them stays at the front of the stream's TTL
  // FIFO for the whole run, behind it ~30,000 tasks that finished. They must not all stay.
  const detail::EngineFootprint f = run_for(stuck_yaml(0.02), "12d");
  INFO("alive " << f.alive_tasks << ", TTL FIFO entries " << f.ttl_entries);
  CHECK(f.alive_tasks > 300);  // the stuck tasks are alive and counted
  // At the last arrival the FIFO held at most 2 × alive + 64; since then at most the ten tasks
  // in service finished.
  CHECK(f.ttl_entries <= 2 * (f.alive_tasks + 10) + 64);
}
