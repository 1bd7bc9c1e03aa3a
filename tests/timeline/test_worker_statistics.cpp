// Per-worker cumulative statistics (statistics.per_worker): TaskRouter's Worker statistics
// resource, kept only when asked for, pinned on a small trace whose every number is computed by
// hand from the timeline below.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "support/scenario_fixture.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

constexpr const char* kScenario = R"(
name: per-worker
horizon: 5m
statistics: {interval: 60s, per_worker: true}
workspace: {timeout_activity: Offline, default_activity: Offline}
activities: {Offline: {available: false}, Available: {available: true}, Break: {available: false}}
task_queues: {Q: {target_workers: "1==1"}}
workflows:
  wf:
    task_reservation_timeout: 30s
    configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}
behaviors:
  asleep: {outcome: {no_response: 1}, after_timeout: {return_after: 100s, activity: Available}}
  fast: {response_time: 5s, wrapup_time: 10s}
workers:
  a: {count: 1, name: "a-{i}", behavior: asleep, activity: Available}
  b: {count: 1, name: "b-{i}", behavior: fast, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)";

constexpr const char* kTrace =
    "time,handle_time,patience\n10,50,\n20,30,\n50,60,10\n150,20,\n250,50,\n";

double value(const MetricNode& root, const std::string& path) {
  const MetricNode* n = root.find(path);
  INFO(path);
  REQUIRE(n != nullptr);
  REQUIRE(!n->is_group);
  return n->value;
}

}  // namespace

TEST_CASE("per-worker statistics count each worker's reservations, tasks and activity time",
          "[statistics][per_worker]") {
  TempDir dir;
  dir.write("calls.csv", kTrace);
  const Scenario sc = load_yaml(kScenario, dir);
  REQUIRE(sc.statistics.per_worker);
  const Run run = run_once(sc);
  // The timeline (the interval test's trace; b-1 wraps up 10 s):
  //   10  task 0 offered to a-1 (asleep); 40 the offer times out: a-1 Offline until 140
  //   20  task 1 to b-1, accepted 25, completed 65
  //   50  task 2 arrives, hangs up at 60 (never offered: a-1 Offline, b-1 busy)
  //   65  task 0 to b-1, accepted 70, completed 130
  //   150 task 3 to b-1, accepted 155, completed 185
  //   250 task 4 to a-1, times out at 280 (a-1 Offline again); to b-1, accepted 285, completed 345
  const MetricNode& st = run.result.statistics;
  // Workers statistics docs: "reservations_created: The total number of Reservations that were
  // created", "reservations_timed_out: The total number of Reservations that were timed out".
  CHECK(value(st, "worker_statistics.a-1.reservations_created") == 2);
  CHECK(value(st, "worker_statistics.a-1.reservations_timed_out") == 2);
  CHECK(value(st, "worker_statistics.a-1.reservations_accepted") == 0);
  CHECK(value(st, "worker_statistics.a-1.tasks_assigned") == 0);
  CHECK(value(st, "worker_statistics.a-1.tasks_completed") == 0);
  CHECK(value(st, "worker_statistics.b-1.reservations_created") == 4);
  CHECK(value(st, "worker_statistics.b-1.reservations_accepted") == 4);
  CHECK(value(st, "worker_statistics.b-1.reservations_timed_out") == 0);
  CHECK(value(st, "worker_statistics.b-1.reservations_rejected") == 0);
  CHECK(value(st, "worker_statistics.b-1.reservations_canceled") == 0);
  CHECK(value(st, "worker_statistics.b-1.reservations_rescinded") == 0);
  CHECK(value(st, "worker_statistics.b-1.tasks_assigned") == 4);
  CHECK(value(st, "worker_statistics.b-1.tasks_completed") == 4);  // task 4 in the drain
  // "activity_durations: The minimum, average, maximum, and total time (in seconds) that Workers
  // spent in each Activity" (the example gives each activity {sid, friendly_name, avg, min, max,
  // total}), over the worker's stints within [0, 300]: a-1 Available 0-40 and 140-280, Offline
  // 40-140 and 280-300 (the horizon cuts it), never in Break; b-1 Available all through.
  const std::string a1 = "worker_statistics.a-1.activity_durations.";
  CHECK(value(st, a1 + "Available.total") == 180);
  CHECK(value(st, a1 + "Available.avg") == 90);
  CHECK(value(st, a1 + "Available.min") == 40);
  CHECK(value(st, a1 + "Available.max") == 140);
  CHECK(value(st, a1 + "Offline.total") == 120);
  CHECK(value(st, a1 + "Offline.avg") == 60);
  CHECK(value(st, a1 + "Offline.min") == 20);
  CHECK(value(st, a1 + "Offline.max") == 100);
  CHECK(value(st, a1 + "Break.total") == 0);
  CHECK(std::isnan(value(st, a1 + "Break.avg")));  // no stint: no average, min or max
  CHECK(std::isnan(value(st, a1 + "Break.min")));
  CHECK(std::isnan(value(st, a1 + "Break.max")));
  const std::string b1 = "worker_statistics.b-1.activity_durations.Available.";
  for (const char* stat : {"total", "avg", "min", "max"}) CHECK(value(st, b1 + stat) == 300);
  // Occupancy: a-1 busy 10-40 and 250-280 (60 s), idle 0-10 and 140-250 (120 s); b-1 busy 20-130,
  // 150-185 and 280-300 (165 s) of 300.
  CHECK(value(st, "worker_statistics.a-1.occupancy") == Approx(60.0 / 180));
  CHECK(value(st, "worker_statistics.b-1.occupancy") == Approx(165.0 / 300));
  // A worker's numbers sum to its group's (one worker per group here).
  CHECK(value(st, "workers.b.reservations_accepted") ==
        value(st, "worker_statistics.b-1.reservations_accepted"));
  CHECK(value(st, "workers.a.activity_durations.Offline.total") ==
        value(st, "worker_statistics.a-1.activity_durations.Offline.total"));
}

TEST_CASE("a worker's stints are cut by the warm-up and the horizon", "[statistics][per_worker]") {
  // Window [100, 300]. a-1: Available 0-40 (before the window: no stint), Offline 40-140 (60 s in
  // it), Available 140-280, Offline 280- (20 s, cut by the horizon).
  TempDir dir;
  dir.write("calls.csv", kTrace);
  const Scenario sc = load_yaml(kScenario, dir, {"warmup=100s"});
  const Run run = run_once(sc);
  const MetricNode& st = run.result.statistics;
  const std::string a1 = "worker_statistics.a-1.activity_durations.";
  CHECK(value(st, a1 + "Available.total") == 140);
  CHECK(value(st, a1 + "Available.min") == 140);  // one stint: 0-40 has no time in the window
  CHECK(value(st, a1 + "Offline.total") == 60);
  CHECK(value(st, a1 + "Offline.avg") == 30);
  CHECK(value(st, a1 + "Offline.min") == 20);
  CHECK(value(st, a1 + "Offline.max") == 40);
  // The stints' totals are the time in each activity, which the group's totals sum.
  CHECK(value(st, a1 + "Available.total") + value(st, a1 + "Offline.total") == 200);
  CHECK(value(st, "workers.a.activity_durations.Offline.total") == 60);
}

TEST_CASE("per-worker statistics are kept only when asked for", "[statistics][per_worker]") {
  TempDir dir;
  dir.write("calls.csv", kTrace);
  const Scenario sc = load_yaml(kScenario, dir, {"statistics.per_worker=false"});
  REQUIRE(!sc.statistics.per_worker);
  const Run run = run_once(sc);
  CHECK(run.result.statistics.find("worker_statistics") == nullptr);
  // The rest of the tree is the same either way.
  const Scenario on = load_yaml(kScenario, dir);
  const Run with = run_once(on);
  CHECK(with.result.statistics.find("workers.b.reservations_accepted")->value ==
        run.result.statistics.find("workers.b.reservations_accepted")->value);
}
