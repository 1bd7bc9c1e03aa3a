// Interval statistics (statistics.interval): the per-interval table agrees with the run's totals,
// and on a small trace every cell is known exactly from the timeline written out below.
#include <catch2/catch.hpp>
#include <cmath>

#include "support/scenario_fixture.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

// The sum of a column over the intervals, for one scope.
double column_sum(const IntervalTable& t, const std::string& scope, const std::string& column) {
  const std::size_t s = t.scope_index(scope);
  const std::size_t c = t.column_index(column);
  REQUIRE(s != SIZE_MAX);
  REQUIRE(c != SIZE_MAX);
  double sum = 0;
  for (std::size_t k = 0; k < t.count; ++k) sum += t.at(k, s, c);
  return sum;
}

// One interval's cells of one scope, by column name.
struct Cells {
  const IntervalTable* t;
  std::size_t k;
  std::size_t s;
  double operator[](const std::string& column) const {
    const std::size_t c = t->column_index(column);
    REQUIRE(c != SIZE_MAX);
    return t->at(k, s, c);
  }
};

Cells cells(const IntervalTable& t, std::size_t k, const std::string& scope) {
  const std::size_t s = t.scope_index(scope);
  REQUIRE(s != SIZE_MAX);
  return Cells{&t, k, s};
}

bool is_null(double v) { return std::isnan(v); }

}  // namespace

TEST_CASE("interval counts add up to the run totals on the quickstart scenario", "[intervals]") {
  LoadResult loaded = load_scenario_file(TRSIM_SCENARIO_DIR "/quickstart.yaml",
                                         {{"warmup=0", "statistics.snapshots=true"}});
  REQUIRE(loaded.ok());
  const Scenario& sc = *loaded.scenario;
  for (std::uint32_t rep = 0; rep < 2; ++rep) {
    INFO("replication " << rep);
    const Run run = run_once(sc, rep, /*invariants=*/false);
    const IntervalTable& t = run.result.intervals;
    const MetricNode& st = run.result.statistics;
    // 8 h in 30-minute intervals; the workspace, 3 queues and 3 groups.
    REQUIRE(t.count == 16);
    REQUIRE(t.scopes.size() == 7);
    CHECK(t.start(15) == 27000 * kMicrosPerSecond);
    CHECK(t.end(15) == 28800 * kMicrosPerSecond);

    const auto total = [&](const std::string& path) { return st.find(path)->value; };
    CHECK(column_sum(t, "workspace", "offered") == total("workspace.tasks_created"));
    CHECK(column_sum(t, "workspace", "accepted") == total("workspace.reservations_accepted"));
    CHECK(column_sum(t, "workspace", "abandoned") == total("workspace.tasks_abandoned"));
    CHECK(column_sum(t, "workspace", "canceled") == total("workspace.tasks_canceled"));
    CHECK(column_sum(t, "workspace", "reservations_timed_out") ==
          total("workspace.reservations_timed_out"));
    for (const char* q : {"Spanish", "English", "Chat"}) {
      INFO("queue " << q);
      const std::string scope = std::string("queue:") + q;
      const std::string node = std::string("task_queues.") + q;
      CHECK(column_sum(t, scope, "offered") == total(node + ".tasks_entered"));
      CHECK(column_sum(t, scope, "accepted") == total(node + ".reservations_accepted"));
      CHECK(column_sum(t, scope, "abandoned") == total(node + ".tasks_abandoned"));
      CHECK(column_sum(t, scope, "reservations_timed_out") ==
            total(node + ".reservations_timed_out"));
    }
    double group_workers = 0;
    for (const WorkerGroup& g : sc.worker_groups) {
      INFO("group " << g.name);
      const std::string scope = "group:" + g.name;
      const std::string node = "workers." + g.name;
      CHECK(column_sum(t, scope, "accepted") == total(node + ".reservations_accepted"));
      CHECK(column_sum(t, scope, "reservations_timed_out") ==
            total(node + ".reservations_timed_out"));
      // Worker time per activity: the interval averages times the interval lengths are the
      // activity durations of the cumulative statistics (warm-up 0, both up to the horizon).
      for (const Activity& a : sc.activities) {
        const std::size_t s = t.scope_index(scope);
        const std::size_t c = t.column_index("workers." + a.name);
        double seconds = 0;
        for (std::size_t k = 0; k < t.count; ++k)
          seconds += t.at(k, s, c) * to_seconds(t.end(k) - t.start(k));
        CHECK(seconds ==
              Approx(total(node + ".activity_durations." + a.name + ".total")).epsilon(1e-9));
      }
      group_workers += g.count;
    }
    // Every worker is in exactly one activity at every instant.
    for (std::size_t k = 0; k < t.count; ++k) {
      double in_some_activity = 0;
      for (const Activity& a : sc.activities)
        in_some_activity += cells(t, k, "workspace")["workers." + a.name];
      CHECK(in_some_activity == Approx(group_workers).epsilon(1e-12));
      const double occupancy = cells(t, k, "workspace")["occupancy"];
      CHECK(occupancy >= 0);
      CHECK(occupancy <= 1);
      CHECK(cells(t, k, "workspace")["tasks_waiting"] >= 0);
    }
    // The snapshots: every live task has one status and one priority, every worker one activity;
    // a queue's activity_statistics count its eligible workers.
    for (std::size_t k = 0; k < t.count; ++k) {
      for (std::size_t s = 0; s < t.scopes.size(); ++s) {
        if (t.scopes[s].kind == IntervalScope::Kind::group) continue;
        const Cells c{&t, k, s};
        double by_status = 0, by_priority = 0;
        for (const char* status : {"pending", "reserved", "assigned", "wrapping"})
          by_status += c[std::string("tasks_by_status.") + status];
        for (std::size_t col = 0; col < t.columns.size(); ++col)
          if (t.columns[col].rfind("tasks_by_priority.", 0) == 0) by_priority += t.at(k, s, col);
        CHECK(by_priority == by_status);
      }
      double workers_now = 0, available_now = 0;
      for (const Activity& a : sc.activities) {
        const double n = cells(t, k, "workspace")["activity_statistics." + a.name];
        workers_now += n;
        if (a.available) available_now += n;
      }
      CHECK(workers_now == group_workers);
      CHECK(cells(t, k, "workspace")["total_available_workers"] == available_now);
      for (const char* q : {"queue:Spanish", "queue:English", "queue:Chat"}) {
        double eligible = 0;
        for (const Activity& a : sc.activities)
          eligible += cells(t, k, q)["activity_statistics." + a.name];
        CHECK(cells(t, k, q)["total_eligible_workers"] == eligible);
      }
    }
    CHECK(column_sum(t, "workspace", "completed") == total("workspace.tasks_completed"));
    // Columns that do not apply to a scope are null.
    CHECK(is_null(cells(t, 3, "queue:Spanish")["occupancy"]));
    CHECK(is_null(cells(t, 3, "group:english")["offered"]));
    CHECK(!t.applies(t.scope_index("queue:Chat"), t.column_index("workers.Available")));
  }
}

TEST_CASE("the interval table of a small trace is known cell by cell", "[intervals]") {
  TempDir dir;
  dir.write("calls.csv",
            "time,handle_time,patience\n"
            "10,50,\n"
            "20,30,\n"
            "50,60,10\n"
            "150,20,\n"
            "250,50,\n");
  const Scenario sc = load_yaml(R"(
name: intervals
horizon: 5m
statistics: {service_level_thresholds: [10, 60], interval: 60s, snapshots: true}
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
)",
                                dir);
  const Run run = run_once(sc);
  // The timeline the table is computed from:
  //   10  task 0 arrives, offered to a-1 (asleep)
  //   20  task 1 arrives, offered to b-1; 25 accepted (wait 5); wrap-up 55-65
  //   40  a-1's offer of task 0 times out: a-1 to Offline until 140; task 0 waits (b-1 busy)
  //   50  task 2 arrives (patience 10); 60 it hangs up (wait 10)
  //   65  b-1 is free: task 0 offered, 70 accepted (wait 60); wrap-up 120-130
  //   150 task 3 arrives; b-1 (idle since 130) beats a-1 (since 140); 155 accepted (wait 5); done
  //   185 250 task 4 arrives, offered to a-1 (idle longest); 280 times out: a-1 to Offline; offered
  //   to
  //       b-1, 285 accepted (wait 35); done 345, in the drain
  CHECK(joined(timeline(sc, run.events,
                        {EventType::reservation_created, EventType::reservation_accepted,
                         EventType::reservation_timeout, EventType::task_canceled,
                         EventType::task_completed})) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
20 reservation.created task=1 worker=b-1 queue=Q
25 reservation.accepted task=1 worker=b-1 queue=Q
40 reservation.timeout task=0 worker=a-1 queue=Q
60 task.canceled task=2 queue=Q reason=Task abandoned
65 task.completed task=1 worker=b-1 queue=Q
65 reservation.created task=0 worker=b-1 queue=Q
70 reservation.accepted task=0 worker=b-1 queue=Q
130 task.completed task=0 worker=b-1 queue=Q
150 reservation.created task=3 worker=b-1 queue=Q
155 reservation.accepted task=3 worker=b-1 queue=Q
185 task.completed task=3 worker=b-1 queue=Q
250 reservation.created task=4 worker=a-1 queue=Q
280 reservation.timeout task=4 worker=a-1 queue=Q
280 reservation.created task=4 worker=b-1 queue=Q
285 reservation.accepted task=4 worker=b-1 queue=Q
345 task.completed task=4 worker=b-1 queue=Q
)");

  const IntervalTable& t = run.result.intervals;
  REQUIRE(t.count == 5);
  REQUIRE(t.columns == std::vector<std::string>{"offered",
                                                "accepted",
                                                "abandoned",
                                                "canceled",
                                                "completed",
                                                "service_level.10",
                                                "service_level.60",
                                                "abandon_rate",
                                                "avg_task_acceptance_time",
                                                "avg_handle_time",
                                                "reservations_timed_out",
                                                "occupancy",
                                                "tasks_waiting",
                                                "workers_parked",
                                                "workers.Offline",
                                                "workers.Available",
                                                "workers.Break",
                                                "tasks_by_status.pending",
                                                "tasks_by_status.reserved",
                                                "tasks_by_status.assigned",
                                                "tasks_by_status.wrapping",
                                                "tasks_by_priority.0",
                                                "longest_task_waiting_age",
                                                "longest_relative_task_age_in_queue",
                                                "total_available_workers",
                                                "total_eligible_workers",
                                                "activity_statistics.Offline",
                                                "activity_statistics.Available",
                                                "activity_statistics.Break"});

  // The queue sees every task, so its task columns equal the workspace's.
  for (const char* scope : {"workspace", "queue:Q"}) {
    INFO(scope);
    // [0, 60): tasks 0, 1, 2 arrive; task 1 accepted after 5 s; a-1 times out at 40. Waiting:
    // task 0 for 50 s, task 1 for 5 s, task 2 for 10 s.
    Cells c = cells(t, 0, scope);
    CHECK(c["offered"] == 3);
    CHECK(c["accepted"] == 1);
    CHECK(c["abandoned"] == 0);
    CHECK(c["canceled"] == 0);
    CHECK(c["service_level.10"] == 1);
    CHECK(c["service_level.60"] == 1);
    CHECK(c["abandon_rate"] == 0);
    CHECK(c["avg_task_acceptance_time"] == 5);
    CHECK(c["reservations_timed_out"] == 1);
    CHECK(c["tasks_waiting"] == Approx(65.0 / 60));
    // [60, 120): task 2 hangs up after 10 s, task 0 is accepted after 60 s.
    c = cells(t, 1, scope);
    CHECK(c["offered"] == 0);
    CHECK(c["accepted"] == 1);
    CHECK(c["abandoned"] == 1);
    CHECK(c["canceled"] == 1);
    CHECK(c["service_level.10"] == 0);
    CHECK(c["service_level.60"] == 0.5);
    CHECK(c["abandon_rate"] == 0.5);
    CHECK(c["avg_task_acceptance_time"] == 60);
    CHECK(c["reservations_timed_out"] == 0);
    CHECK(c["tasks_waiting"] == Approx(10.0 / 60));
    // [120, 180): task 3 arrives and is accepted after 5 s.
    c = cells(t, 2, scope);
    CHECK(c["offered"] == 1);
    CHECK(c["accepted"] == 1);
    CHECK(c["service_level.10"] == 1);
    CHECK(c["avg_task_acceptance_time"] == 5);
    CHECK(c["tasks_waiting"] == Approx(5.0 / 60));
    // [180, 240): nothing stops waiting: the ratios have no data.
    c = cells(t, 3, scope);
    CHECK(c["offered"] == 0);
    CHECK(c["accepted"] == 0);
    CHECK(is_null(c["service_level.10"]));
    CHECK(is_null(c["abandon_rate"]));
    CHECK(is_null(c["avg_task_acceptance_time"]));
    CHECK(c["tasks_waiting"] == 0);
    // [240, 300): task 4 arrives, times out on a-1, is accepted by b-1 after 35 s.
    c = cells(t, 4, scope);
    CHECK(c["offered"] == 1);
    CHECK(c["accepted"] == 1);
    CHECK(c["service_level.10"] == 0);
    CHECK(c["service_level.60"] == 1);
    CHECK(c["avg_task_acceptance_time"] == 35);
    CHECK(c["reservations_timed_out"] == 1);
    CHECK(c["tasks_waiting"] == Approx(35.0 / 60));
  }

  // Workers (workspace): busy and idle-available seconds per interval, and activities.
  //   [0,60)    a: idle 0-10, busy 10-40, Offline 40-;  b: idle 0-20, busy 20-60   -> 70 / 100
  //   [60,120)  a: Offline;  b: busy all through                                   -> 60 / 60
  //   [120,180) a: Offline to 140, idle 140-;  b: busy 120-130, idle 130-150, busy 150- -> 40 / 100
  //   [180,240) a: idle;  b: busy 180-185, idle 185-                               -> 5 / 120
  //   [240,300) a: idle 240-250, busy 250-280, Offline 280-;  b: idle 240-280, busy 280- -> 50 /
  //   100
  const double occupancy[] = {0.7, 1.0, 0.4, 5.0 / 120, 0.5};
  const double available[] = {100.0 / 60, 1.0, 100.0 / 60, 2.0, 100.0 / 60};
  for (std::size_t k = 0; k < 5; ++k) {
    INFO("interval " << k);
    const Cells c = cells(t, k, "workspace");
    CHECK(c["occupancy"] == Approx(occupancy[k]));
    CHECK(c["workers.Available"] == Approx(available[k]));
    CHECK(c["workers.Offline"] == Approx(2.0 - available[k]));
    CHECK(c["workers.Break"] == 0);
  }
  // Groups: a-1 is busy 30 of 40 s in [0,60) and [240,300), never available in [60,120).
  const double occupancy_a[] = {0.75, kNull, 0, 0, 0.75};
  const double occupancy_b[] = {40.0 / 60, 1, 40.0 / 60, 5.0 / 60, 20.0 / 60};
  const double accepted_b[] = {1, 1, 1, 0, 1};
  const double timed_out_a[] = {1, 0, 0, 0, 1};
  for (std::size_t k = 0; k < 5; ++k) {
    INFO("interval " << k);
    const Cells a = cells(t, k, "group:a");
    const Cells b = cells(t, k, "group:b");
    if (std::isnan(occupancy_a[k]))
      CHECK(is_null(a["occupancy"]));
    else
      CHECK(a["occupancy"] == Approx(occupancy_a[k]));
    CHECK(b["occupancy"] == Approx(occupancy_b[k]));
    CHECK(a["accepted"] == 0);
    CHECK(b["accepted"] == accepted_b[k]);
    CHECK(a["reservations_timed_out"] == timed_out_a[k]);
    CHECK(b["reservations_timed_out"] == 0);
    CHECK(is_null(a["offered"]));  // a group is offered nothing: the column does not apply
  }
  // Handle time, accept -> wrap-up end, counted in the interval the wrap-up ends (b-1 wraps up
  // 10 s): task 1 25-65 (40 s), task 0 70-130 (60 s), task 3 155-185 (30 s), task 4 285-345 (60 s,
  // in the drain: the last interval).
  const double completed[] = {0, 1, 1, 1, 1};
  const double handle[] = {kNull, 40, 60, 30, 60};
  for (std::size_t k = 0; k < 5; ++k) {
    INFO("interval " << k);
    for (const char* scope : {"workspace", "queue:Q", "group:b"}) {
      INFO(scope);
      const Cells c = cells(t, k, scope);
      CHECK(c["completed"] == completed[k]);
      if (std::isnan(handle[k]))
        CHECK(is_null(c["avg_handle_time"]));
      else
        CHECK(c["avg_handle_time"] == handle[k]);
    }
    CHECK(cells(t, k, "group:a")["completed"] == 0);
    CHECK(is_null(cells(t, k, "group:a")["avg_handle_time"]));
  }

  // The real-time snapshot at each interval's end (TaskRouter's RealTimeStatistics,
  // "tasks_by_status: The number of Tasks by their current status"): the state after every event
  // before that instant.
  //   60   task 0 pending (timed out at 40, age 50), task 2 pending (age 10: it hangs up at 60,
  //        not before), task 1 wrapping (55-65); a-1 Offline, b-1 Available
  //   120  task 0 assigned (its wrap-up starts at 120, not before); a-1 Offline
  //   180  task 3 wrapping (175-185); both Available
  //   240  nothing alive; both Available
  //   300  the horizon: task 4 assigned (accepted at 285); a-1 Offline (timed out at 280)
  const double pending[] = {2, 0, 0, 0, 0};
  const double assigned[] = {0, 1, 0, 0, 1};
  const double wrapping[] = {1, 0, 1, 0, 0};
  const double oldest[] = {50, 0, 0, 0, 0};
  const double available_now[] = {1, 1, 2, 2, 1};
  for (std::size_t k = 0; k < 5; ++k) {
    INFO("interval " << k);
    for (const char* scope : {"workspace", "queue:Q"}) {
      INFO(scope);
      const Cells c = cells(t, k, scope);
      CHECK(c["tasks_by_status.pending"] == pending[k]);
      CHECK(c["tasks_by_status.reserved"] == 0);
      CHECK(c["tasks_by_status.assigned"] == assigned[k]);
      CHECK(c["tasks_by_status.wrapping"] == wrapping[k]);
      // "tasks_by_priority: The number of Tasks by priority": every task is at priority 0.
      CHECK(c["tasks_by_priority.0"] == pending[k] + assigned[k] + wrapping[k]);
      // "longest_task_waiting_age: The age of the longest waiting Task."
      CHECK(c["longest_task_waiting_age"] == oldest[k]);
      // "total_available_workers: The total number of Workers in the TaskQueue with an `available`
      // status. Workers with an `available` status may already have active interactions": b-1
      // counts while busy.
      CHECK(c["total_available_workers"] == available_now[k]);
      CHECK(c["activity_statistics.Available"] == available_now[k]);
      CHECK(c["activity_statistics.Offline"] == 2 - available_now[k]);
      CHECK(c["activity_statistics.Break"] == 0);
    }
    // "total_eligible_workers: The total number of Workers eligible for Tasks in the TaskQueue,
    // independent of their Activity state."
    CHECK(cells(t, k, "queue:Q")["total_eligible_workers"] == 2);
    CHECK(cells(t, k, "queue:Q")["longest_relative_task_age_in_queue"] == oldest[k]);
    CHECK(is_null(cells(t, k, "workspace")["total_eligible_workers"]));
    CHECK(is_null(cells(t, k, "group:a")["tasks_by_status.pending"]));
    CHECK(cells(t, k, "group:a")["activity_statistics.Offline"] == 2 - available_now[k]);
    CHECK(cells(t, k, "group:b")["activity_statistics.Available"] == 1);
    CHECK(cells(t, k, "group:b")["total_available_workers"] == 1);
  }

  // Parked by a timeout: a-1 is in Offline 40-140 (after task 0's offer) and 280-300 (task 4's).
  const double parked[] = {20.0 / 60, 1, 20.0 / 60, 0, 20.0 / 60};
  for (std::size_t k = 0; k < 5; ++k) {
    INFO("interval " << k);
    CHECK(cells(t, k, "workspace")["workers_parked"] == Approx(parked[k]));
    CHECK(cells(t, k, "group:a")["workers_parked"] == Approx(parked[k]));
    CHECK(cells(t, k, "group:b")["workers_parked"] == 0);
    CHECK(is_null(cells(t, k, "queue:Q")["workers_parked"]));
  }
}

TEST_CASE(
    "the drain counts in the last interval, which ends at the horizon, and warm-up is not left out",
    "[intervals]") {
  TempDir dir;
  dir.write("calls.csv", "time,handle_time\n50,80\n90,10\n");
  const Scenario sc = load_yaml(R"(
name: drain
horizon: 100s
warmup: 60s
statistics: {service_level_thresholds: [20], interval: 60s}
workspace: {timeout_activity: Offline, default_activity: Offline}
activities: {Offline: {available: false}, Available: {available: true}}
task_queues: {Q: {target_workers: "1==1"}}
workflows:
  wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}
workers: {b: {count: 1, name: "b-{i}", activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)",
                                dir);
  const Run run = run_once(sc);
  // 50 task 0 accepted at once by b-1, busy until 130; 90 task 1 waits; 130 accepted (wait 40),
  // after the horizon.
  const IntervalTable& t = run.result.intervals;
  REQUIRE(t.count == 2);
  CHECK(t.start(1) == 60 * kMicrosPerSecond);
  CHECK(t.end(1) == 100 * kMicrosPerSecond);  // the last interval stops at the horizon
  // Interval 0 lies in the warm-up; it is reported all the same.
  Cells c = cells(t, 0, "workspace");
  CHECK(c["offered"] == 1);
  CHECK(c["accepted"] == 1);
  CHECK(c["avg_task_acceptance_time"] == 0);
  CHECK(c["occupancy"] == Approx(10.0 / 60));
  // Interval 1: task 1's accept at 130 (in the drain) counts here; its wait is integrated only up
  // to the horizon (10 s of the interval's 40).
  c = cells(t, 1, "workspace");
  CHECK(c["offered"] == 1);
  CHECK(c["accepted"] == 1);
  CHECK(c["avg_task_acceptance_time"] == 40);
  CHECK(c["service_level.20"] == 0);
  CHECK(c["tasks_waiting"] == Approx(10.0 / 40));
  CHECK(c["occupancy"] == 1);
  CHECK(c["workers.Available"] == 1);
  // The cumulative statistics leave the warm-up out.
  CHECK(run.result.statistics.find("workspace.tasks_created")->value == 1);
}

TEST_CASE("service-level thresholds in any order each count the accepted waits at or under them",
          "[intervals]") {
  // The loader wants the thresholds ascending; a scenario built in code need not have them so.
  // The collector counts each accepted wait once, in its bucket among the sorted thresholds, and
  // sums the buckets per threshold at the end: the columns keep the given order, and a repeated
  // threshold is reported once (the first).
  TempDir dir;
  dir.write("calls.csv", "time,handle_time\n0,10\n0,10\n0,10\n0,10\n");
  Scenario sc = load_yaml(R"(
name: thresholds
horizon: 60s
statistics: {service_level_thresholds: [0], interval: 60s}
workspace: {timeout_activity: Offline, default_activity: Offline}
activities: {Offline: {available: false}, Available: {available: true}}
task_queues: {Q: {target_workers: "1==1"}}
workflows:
  wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}
workers: {b: {count: 1, name: "b-{i}", activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)",
                          dir);
  sc.statistics.service_level_thresholds = {20, 0, 10, 5, 10, 30};
  const Run run = run_once(sc);
  // 0 four tasks arrive; b-1 takes them one after the other: accepted at 0, 10, 20 and 30
  // (waits 0, 10, 20, 30).
  const IntervalTable& t = run.result.intervals;
  REQUIRE(t.count == 1);
  REQUIRE(t.columns[5] == "service_level.20");
  REQUIRE(t.columns[6] == "service_level.0");
  REQUIRE(t.columns[7] == "service_level.10");
  REQUIRE(t.columns[8] == "service_level.5");
  REQUIRE(t.columns[9] == "service_level.30");
  REQUIRE(t.columns[10] == "abandon_rate");
  for (const char* scope : {"workspace", "queue:Q"}) {
    INFO(scope);
    const Cells c = cells(t, 0, scope);
    CHECK(c["accepted"] == 4);
    CHECK(c["service_level.20"] == 0.75);
    CHECK(c["service_level.0"] == 0.25);
    CHECK(c["service_level.10"] == 0.5);
    CHECK(c["service_level.5"] == 0.25);
    CHECK(c["service_level.30"] == 1);
  }
}

TEST_CASE("a reserved task is waiting in the snapshot: tasks_by_status.reserved and its age",
          "[intervals]") {
  // The small trace of the cell-by-cell test above with 15-second intervals: task 0 is reserved
  // for a-1 from 10 to 40 (the offer times out), task 1 is assigned to b-1 from 25.
  TempDir dir;
  dir.write("calls.csv", "time,handle_time\n10,50\n20,30\n");
  const Scenario sc = load_yaml(R"(
name: reserved
horizon: 45s
drain: false
statistics: {interval: 15s, snapshots: true}
workspace: {timeout_activity: Offline, default_activity: Offline}
activities: {Offline: {available: false}, Available: {available: true}}
task_queues: {Q: {target_workers: "1==1"}}
workflows:
  wf:
    task_reservation_timeout: 30s
    configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}
behaviors:
  asleep: {outcome: {no_response: 1}}
  fast: {response_time: 5s, wrapup_time: 10s}
workers:
  a: {count: 1, name: "a-{i}", behavior: asleep, activity: Available}
  b: {count: 1, name: "b-{i}", behavior: fast, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)",
                                dir);
  const Run run = run_once(sc);
  const IntervalTable& t = run.result.intervals;
  REQUIRE(t.count == 3);
  //   15  task 0 reserved (a-1, since 10; age 5)
  //   30  task 0 reserved (age 20), task 1 assigned (b-1 accepted at 25)
  //   45  task 0 pending (a-1's offer timed out at 40; b-1 busy; age 35), task 1 assigned
  const double pending[] = {0, 0, 1};
  const double reserved[] = {1, 1, 0};
  const double assigned[] = {0, 1, 1};
  const double oldest[] = {5, 20, 35};
  for (std::size_t k = 0; k < 3; ++k) {
    INFO("interval " << k);
    const Cells c = cells(t, k, "workspace");
    CHECK(c["tasks_by_status.pending"] == pending[k]);
    CHECK(c["tasks_by_status.reserved"] == reserved[k]);
    CHECK(c["tasks_by_status.assigned"] == assigned[k]);
    CHECK(c["tasks_by_status.wrapping"] == 0);
    CHECK(c["longest_task_waiting_age"] == oldest[k]);
  }
}

TEST_CASE("the snapshot counts tasks by their current priority and queue, escalation included",
          "[intervals]") {
  // Workflow docs: "priority: ... If no priority is defined, the Task's existing priority will be
  // used"; a step's priority stays with the task. Nobody is available: the tasks wait.
  TempDir dir;
  dir.write("calls.csv", "time\n0\n40\n");
  const Scenario sc = load_yaml(R"(
name: priorities
horizon: 120s
drain: false
statistics: {interval: 60s, snapshots: true}
workspace: {timeout_activity: Offline, default_activity: Offline}
activities: {Offline: {available: false}, Available: {available: true}}
task_queues:
  Low: {target_workers: "skill == 'low'"}
  High: {target_workers: "skill == 'high'"}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "1==1", targets: [{queue: Low, timeout: 30}, {queue: High, priority: 10}]}]
        default_filter: {queue: Low}
workers: {h: {count: 2, name: "h-{i}", attributes: {skill: high}, activity: Offline}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  const IntervalTable& t = run.result.intervals;
  REQUIRE(t.count == 2);
  // Every priority a task can have is a column: the stream's 0 and the target's 10.
  CHECK(t.column_index("tasks_by_priority.0") != SIZE_MAX);
  CHECK(t.column_index("tasks_by_priority.10") != SIZE_MAX);
  //   0   task 0 enters Low; 30 it moves to High at priority 10
  //   40  task 1 enters Low; 70 it moves to High at priority 10
  // At 60: task 0 in High (age 60, in the queue 30 s), task 1 in Low (age 20, 20 s).
  Cells c = cells(t, 0, "workspace");
  CHECK(c["tasks_by_status.pending"] == 2);
  CHECK(c["tasks_by_priority.0"] == 1);
  CHECK(c["tasks_by_priority.10"] == 1);
  CHECK(c["longest_task_waiting_age"] == 60);
  c = cells(t, 0, "queue:High");
  CHECK(c["tasks_by_status.pending"] == 1);
  CHECK(c["tasks_by_priority.0"] == 0);
  CHECK(c["tasks_by_priority.10"] == 1);
  CHECK(c["longest_task_waiting_age"] == 60);
  // "longest_relative_task_age_in_queue: ... Calculation is based on the time when the Task
  // entered the TaskQueue."
  CHECK(c["longest_relative_task_age_in_queue"] == 30);
  CHECK(c["total_eligible_workers"] == 2);
  CHECK(c["total_available_workers"] == 0);
  CHECK(c["activity_statistics.Offline"] == 2);
  c = cells(t, 0, "queue:Low");
  CHECK(c["tasks_by_priority.0"] == 1);
  CHECK(c["longest_task_waiting_age"] == 20);
  CHECK(c["longest_relative_task_age_in_queue"] == 20);
  CHECK(c["total_eligible_workers"] == 0);
  CHECK(c["activity_statistics.Offline"] == 0);
  // At 120 (the horizon): both in High at priority 10: task 0 age 120 (90 s in High), task 1 age
  // 80 (50 s).
  c = cells(t, 1, "queue:High");
  CHECK(c["tasks_by_status.pending"] == 2);
  CHECK(c["tasks_by_priority.10"] == 2);
  CHECK(c["longest_task_waiting_age"] == 120);
  CHECK(c["longest_relative_task_age_in_queue"] == 90);
  c = cells(t, 1, "queue:Low");
  CHECK(c["tasks_by_status.pending"] == 0);
  CHECK(c["longest_task_waiting_age"] == 0);
  CHECK(cells(t, 1, "workspace")["tasks_by_priority.0"] == 0);
}

TEST_CASE("snapshots are kept only when asked for, and change no other column", "[intervals]") {
  // statistics.snapshots costs about 9% of an M/M/100 task: off by default, the table has the
  // columns it had before, with the same values. Handle times need no snapshot: completed and
  // avg_handle_time are there either way, equal.
  LoadResult plain = load_scenario_file(TRSIM_SCENARIO_DIR "/quickstart.yaml", {});
  LoadResult with =
      load_scenario_file(TRSIM_SCENARIO_DIR "/quickstart.yaml", {{"statistics.snapshots=true"}});
  REQUIRE(plain.ok());
  REQUIRE(with.ok());
  REQUIRE(!plain.scenario->statistics.snapshots);
  const IntervalTable a = run_once(*plain.scenario, 0, false).result.intervals;
  const IntervalTable b = run_once(*with.scenario, 0, false).result.intervals;
  CHECK(a.column_index("tasks_by_status.pending") == SIZE_MAX);
  CHECK(a.column_index("avg_handle_time") != SIZE_MAX);
  CHECK(a.column_index("completed") != SIZE_MAX);
  CHECK(a.columns.back() == "workers.Break");
  REQUIRE(b.column_index("tasks_by_status.pending") != SIZE_MAX);
  REQUIRE(b.columns.size() > a.columns.size());
  for (std::size_t c = 0; c < a.columns.size(); ++c) {
    INFO(a.columns[c]);
    REQUIRE(b.columns[c] == a.columns[c]);
    for (std::size_t k = 0; k < a.count; ++k)
      for (std::size_t s = 0; s < a.scopes.size(); ++s) {
        const double x = a.at(k, s, c), y = b.at(k, s, c);
        CHECK(((std::isnan(x) && std::isnan(y)) || x == y));
      }
  }
}

TEST_CASE("a snapshot counts a worker in the queues it belongs to now, after an attribute change",
          "[intervals][worker-changes]") {
  // "total_eligible_workers: The total number of Workers eligible for Tasks in the TaskQueue,
  // independent of their Activity state": b-1 matches High only from its change at 30 s on. The
  // snapshots read the membership the engine routes by, not a copy taken at the start.
  const Scenario sc = load_yaml(R"(
name: membership
horizon: 60s
statistics: {interval: 20s, snapshots: true}
task_queues:
  High: {target_workers: "level > 5"}
  Low: {target_workers: "level <= 5"}
workflows: {wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Low}}}}}
workers:
  a: {count: 1, name: "a-{i}", activity: Available, attributes: {level: 9}}
  b:
    count: 1
    name: "b-{i}"
    activity: Available
    attributes: {level: 1}
    changes: [{at: 30s, attributes: {level: 9}}]
arrivals: {calls: {workflow: wf, channel: voice, rate: 0/h, handle_time: 10s}}
)");
  const Run run = run_once(sc);
  const IntervalTable& t = run.result.intervals;
  REQUIRE(t.count == 3);
  //   at 20: High {a-1}, Low {b-1};  at 40 and 60: High {a-1, b-1}, Low {}
  const double high[] = {1, 2, 2};
  const double low[] = {1, 0, 0};
  for (std::size_t k = 0; k < 3; ++k) {
    INFO("interval " << k);
    CHECK(cells(t, k, "queue:High")["total_eligible_workers"] == high[k]);
    CHECK(cells(t, k, "queue:Low")["total_eligible_workers"] == low[k]);
    CHECK(cells(t, k, "queue:High")["total_available_workers"] == high[k]);
  }
}
