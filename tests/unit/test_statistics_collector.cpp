// The statistics collector on hand-built event streams. Each test states the timeline and works
// out the expected numbers in comments.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "stats/statistics_collector.hpp"
#include "trsim/event.hpp"
#include "trsim/scenario.hpp"
#include "trsim/statistics.hpp"

using namespace trsim;
using trsim::detail::StatisticsCollector;
using trsim::detail::WaitingTask;

namespace {

constexpr ActivityId kOffline = 0;
constexpr ActivityId kAvailable = 1;
constexpr ActivityId kBreak = 2;
constexpr QueueId kSales = 0;
constexpr QueueId kSupport = 1;
constexpr WorkflowId kMain = 0;

// Activities Offline/Available/Break, queues Sales/Support, workflow main, and worker groups:
// agents = workers 0 and 1, seniors = worker 2 (all start Available, unless the test says so).
Scenario make_scenario(std::size_t agents = 2, std::size_t seniors = 1) {
  Scenario s;
  s.name = "stats";
  s.horizon = 1000 * kMicrosPerSecond;
  s.statistics.service_level_thresholds = {0, 20, 60};
  s.activities = {{"Offline", "WA0", false}, {"Available", "WA1", true}, {"Break", "WA2", false}};
  s.workspace.default_activity = kOffline;
  s.workspace.timeout_activity = kOffline;
  s.channels = {{"default"}};
  s.task_queues.resize(2);
  s.task_queues[kSales].name = "Sales";
  s.task_queues[kSupport].name = "Support";
  s.workflows.resize(1);
  s.workflows[kMain].name = "main";
  const auto add_group = [&s](std::string name, std::size_t count) {
    WorkerGroup g;
    g.name = std::move(name);
    g.first_worker = static_cast<WorkerId>(s.workers.size());
    g.count = static_cast<std::uint32_t>(count);
    const auto gid = static_cast<GroupId>(s.worker_groups.size());
    for (std::size_t i = 0; i < count; ++i) {
      Worker w;
      w.name = g.name + "-" + std::to_string(i);
      w.group = gid;
      w.attributes = Value::object();
      w.initial_activity = kAvailable;
      w.capacity = {1};
      s.workers.push_back(std::move(w));
    }
    s.worker_groups.push_back(std::move(g));
  };
  add_group("agents", agents);
  add_group("seniors", seniors);
  return s;
}

SimTime sec(double s) { return from_seconds(s); }

Event task_event(EventType type, double t, TaskId task, double created, QueueId queue = kNoId) {
  Event e;
  e.time = sec(t);
  e.type = type;
  e.task = task;
  e.workflow = kMain;
  e.channel = 0;
  e.task_created_at = sec(created);
  e.queue = queue;
  return e;
}

Event reservation_event(EventType type, double t, TaskId task, double created, ReservationId r,
                        WorkerId worker, QueueId queue) {
  Event e = task_event(type, t, task, created, queue);
  e.reservation = r;
  e.worker = worker;
  e.previous_queue = queue;
  return e;
}

Event canceled(double t, TaskId task, double created, QueueId queue, CancelReason reason) {
  Event e = task_event(EventType::task_canceled, t, task, created, queue);
  e.reason = reason;
  return e;
}

Event activity_update(double t, WorkerId worker, ActivityId to, ActivityId from) {
  Event e;
  e.time = sec(t);
  e.type = EventType::worker_activity_update;
  e.worker = worker;
  e.activity = to;
  e.previous_activity = from;
  return e;
}

// task_created, workflow_entered, task_queue_entered at `created`.
void arrive(StatisticsCollector& c, TaskId task, double created, QueueId queue) {
  c.on_event(task_event(EventType::task_created, created, task, created));
  c.on_event(task_event(EventType::workflow_entered, created, task, created));
  c.on_event(task_event(EventType::task_queue_entered, created, task, created, queue));
}

// Offered to `worker` at `offered`, accepted at `accepted`, completed at `completed`.
void serve(StatisticsCollector& c, TaskId task, double created, QueueId queue, ReservationId r,
           WorkerId worker, double offered, double accepted, double completed) {
  c.on_event(
      reservation_event(EventType::reservation_created, offered, task, created, r, worker, queue));
  c.on_event(reservation_event(EventType::reservation_accepted, accepted, task, created, r, worker,
                               queue));
  c.on_event(
      reservation_event(EventType::reservation_wrapup, completed, task, created, r, worker, queue));
  c.on_event(reservation_event(EventType::task_wrapup, completed, task, created, r, worker, queue));
  c.on_event(reservation_event(EventType::reservation_completed, completed, task, created, r,
                               worker, queue));
  c.on_event(
      reservation_event(EventType::task_completed, completed, task, created, r, worker, queue));
}

double metric(const MetricNode& root, std::string_view path) {
  const MetricNode* n = root.find(path);
  INFO("metric " << path);
  REQUIRE(n != nullptr);
  REQUIRE_FALSE(n->is_group);
  return n->value;
}

bool is_null(const MetricNode& root, std::string_view path) {
  return std::isnan(metric(root, path));
}

std::vector<std::string> keys(const MetricNode& node) {
  std::vector<std::string> out;
  for (const MetricNode& c : node.children) out.push_back(c.key);
  return out;
}

}  // namespace

TEST_CASE("the metric tree has the documented shape and key order", "[statistics]") {
  const Scenario s = make_scenario();
  StatisticsCollector c(s);
  const MetricNode root = c.finish(sec(1000), {});
  CHECK(keys(root) == std::vector<std::string>{"workspace", "task_queues", "workflows", "workers"});
  const std::vector<std::string> task_metrics_tail{"tasks_completed",
                                                   "tasks_canceled",
                                                   "tasks_abandoned",
                                                   "tasks_timed_out_in_workflow",
                                                   "tasks_ttl_expired",
                                                   "tasks_moved",
                                                   "reservations_created",
                                                   "reservations_accepted",
                                                   "reservations_rejected",
                                                   "reservations_timed_out",
                                                   "reservations_canceled",
                                                   "reservations_rescinded",
                                                   "avg_task_acceptance_time",
                                                   "wait_duration_until_accepted",
                                                   "wait_duration_until_canceled",
                                                   "split_by_wait_time",
                                                   "service_level",
                                                   "abandon_rate"};
  std::vector<std::string> workspace{"tasks_created"};
  workspace.insert(workspace.end(), task_metrics_tail.begin(), task_metrics_tail.end());
  workspace.push_back("occupancy");
  workspace.push_back("longest_task_waiting_age");
  CHECK(keys(*root.child("workspace")) == workspace);

  std::vector<std::string> workflow{"tasks_entered"};
  workflow.insert(workflow.end(), task_metrics_tail.begin(), task_metrics_tail.end());
  workflow.push_back("longest_task_waiting_age");
  // A queue also has TaskRouter's relative waits (from entering the queue).
  std::vector<std::string> queue = workflow;
  queue.insert(std::find(queue.begin(), queue.end(), "split_by_wait_time"),
               "wait_duration_in_queue_until_accepted");
  queue.push_back("longest_relative_task_age_in_queue");
  CHECK(keys(*root.child("task_queues")) == std::vector<std::string>{"Sales", "Support"});
  CHECK(keys(*root.find("task_queues.Sales")) == queue);
  CHECK(keys(*root.find("workflows.main")) == workflow);

  CHECK(keys(*root.find("workspace.wait_duration_until_accepted")) ==
        std::vector<std::string>{"avg", "min", "max", "total"});
  CHECK(keys(*root.find("workspace.split_by_wait_time")) ==
        std::vector<std::string>{"0", "20", "60"});
  CHECK(keys(*root.find("workspace.split_by_wait_time.20")) ==
        std::vector<std::string>{"below", "above"});
  CHECK(keys(*root.find("workspace.split_by_wait_time.20.below")) ==
        std::vector<std::string>{"tasks_accepted", "reservations_accepted", "tasks_canceled"});
  CHECK(keys(*root.find("workspace.service_level")) == std::vector<std::string>{"0", "20", "60"});

  CHECK(keys(*root.child("workers")) == std::vector<std::string>{"agents", "seniors"});
  CHECK(keys(*root.find("workers.agents")) ==
        std::vector<std::string>{"tasks_completed", "tasks_assigned", "reservations_created",
                                 "reservations_accepted", "reservations_rejected",
                                 "reservations_timed_out", "reservations_canceled",
                                 "reservations_rescinded", "occupancy", "activity_durations"});
  CHECK(keys(*root.find("workers.agents.activity_durations")) ==
        std::vector<std::string>{"Offline", "Available", "Break"});
  CHECK(keys(*root.find("workers.agents.activity_durations.Break")) ==
        std::vector<std::string>{"avg", "min", "max", "total"});
}

TEST_CASE("with no task, averages are null, totals and counts zero", "[statistics]") {
  const Scenario s = make_scenario();
  StatisticsCollector c(s);
  const MetricNode root = c.finish(sec(1000), {});
  CHECK(metric(root, "workspace.tasks_created") == 0);
  CHECK(is_null(root, "workspace.avg_task_acceptance_time"));
  CHECK(is_null(root, "workspace.wait_duration_until_accepted.avg"));
  CHECK(is_null(root, "workspace.wait_duration_until_accepted.min"));
  CHECK(is_null(root, "workspace.wait_duration_until_accepted.max"));
  CHECK(metric(root, "workspace.wait_duration_until_accepted.total") == 0);
  CHECK(is_null(root, "workspace.service_level.20"));
  CHECK(is_null(root, "workspace.abandon_rate"));
  CHECK(metric(root, "workspace.longest_task_waiting_age") == 0);
  // Three workers Available for 1000 s, never busy.
  CHECK(metric(root, "workspace.occupancy") == 0);
}

TEST_CASE("a task accepted after 12 s meets the 20 s and 60 s service levels, not the 0 s one",
          "[statistics]") {
  const Scenario s = make_scenario();
  StatisticsCollector c(s);
  // created and queued in Sales at 100 s, offered to agents-0 at 105 s, accepted at 112 s
  // (wait 12 s), completed at 200 s.
  arrive(c, 0, 100, kSales);
  serve(c, 0, 100, kSales, 0, 0, 105, 112, 200);
  const MetricNode root = c.finish(sec(1000), {});

  for (const char* entity : {"workspace", "task_queues.Sales", "workflows.main"}) {
    INFO(entity);
    const std::string p = std::string(entity) + ".";
    CHECK(metric(root, p + "tasks_completed") == 1);
    CHECK(metric(root, p + "reservations_created") == 1);
    CHECK(metric(root, p + "reservations_accepted") == 1);
    CHECK(metric(root, p + "avg_task_acceptance_time") == 12);
    CHECK(metric(root, p + "wait_duration_until_accepted.avg") == 12);
    CHECK(metric(root, p + "wait_duration_until_accepted.min") == 12);
    CHECK(metric(root, p + "wait_duration_until_accepted.max") == 12);
    CHECK(metric(root, p + "wait_duration_until_accepted.total") == 12);
    CHECK(is_null(root, p + "wait_duration_until_canceled.avg"));
    CHECK(metric(root, p + "wait_duration_until_canceled.total") == 0);
    CHECK(metric(root, p + "split_by_wait_time.0.below.tasks_accepted") == 0);
    CHECK(metric(root, p + "split_by_wait_time.0.above.tasks_accepted") == 1);
    CHECK(metric(root, p + "split_by_wait_time.20.below.tasks_accepted") == 1);
    CHECK(metric(root, p + "split_by_wait_time.20.above.tasks_accepted") == 0);
    CHECK(metric(root, p + "split_by_wait_time.60.below.tasks_accepted") == 1);
    CHECK(metric(root, p + "service_level.0") == 0);
    CHECK(metric(root, p + "service_level.20") == 1);
    CHECK(metric(root, p + "service_level.60") == 1);
    CHECK(metric(root, p + "abandon_rate") == 0);
    CHECK(metric(root, p + "longest_task_waiting_age") == 12);
  }
  CHECK(metric(root, "workspace.tasks_created") == 1);
  CHECK(metric(root, "task_queues.Sales.tasks_entered") == 1);
  CHECK(metric(root, "workflows.main.tasks_entered") == 1);
  CHECK(metric(root, "task_queues.Support.tasks_entered") == 0);
  CHECK(is_null(root, "task_queues.Support.service_level.20"));
  CHECK(metric(root, "workers.agents.tasks_completed") == 1);
  CHECK(metric(root, "workers.agents.reservations_accepted") == 1);
  CHECK(metric(root, "workers.seniors.tasks_completed") == 0);
}

TEST_CASE("a wait of exactly the threshold counts as below it", "[statistics]") {
  const Scenario s = make_scenario();
  StatisticsCollector c(s);
  // Accepted after exactly 20 s; another canceled after exactly 60 s.
  arrive(c, 0, 0, kSales);
  serve(c, 0, 0, kSales, 0, 0, 20, 20, 100);
  arrive(c, 1, 0, kSales);
  c.on_event(canceled(60, 1, 0, kSales, CancelReason::abandoned));
  const MetricNode root = c.finish(sec(1000), {});
  CHECK(metric(root, "workspace.split_by_wait_time.20.below.tasks_accepted") == 1);
  CHECK(metric(root, "workspace.split_by_wait_time.60.below.tasks_canceled") == 1);
  CHECK(metric(root, "workspace.split_by_wait_time.20.above.tasks_canceled") == 1);
  // service_level.20 = 1 accepted within 20 s / (1 accepted + 1 canceled)
  CHECK(metric(root, "workspace.service_level.20") == 0.5);
  CHECK(metric(root, "workspace.service_level.0") == 0);
}

TEST_CASE("canceled tasks count by reason and end their wait", "[statistics]") {
  const Scenario s = make_scenario();
  StatisticsCollector c(s);
  // task 0: accepted after 10 s.
  arrive(c, 0, 0, kSales);
  serve(c, 0, 0, kSales, 0, 0, 10, 10, 100);
  // task 1: the caller hangs up after 30 s in Sales.
  arrive(c, 1, 0, kSales);
  c.on_event(canceled(30, 1, 0, kSales, CancelReason::abandoned));
  // task 2: falls off the workflow after 90 s in Support.
  arrive(c, 2, 10, kSupport);
  c.on_event(task_event(EventType::workflow_timeout, 100, 2, 10, kSupport));
  c.on_event(canceled(100, 2, 10, kSupport, CancelReason::workflow_timeout));
  // task 3: TTL ends after 600 s in Support; task 4: skipped out after 0 s.
  arrive(c, 3, 20, kSupport);
  c.on_event(canceled(620, 3, 20, kSupport, CancelReason::ttl_exceeded));
  arrive(c, 4, 50, kSupport);
  c.on_event(canceled(50, 4, 50, kSupport, CancelReason::workflow_skipped));
  const MetricNode root = c.finish(sec(1000), {});

  CHECK(metric(root, "workspace.tasks_created") == 5);
  CHECK(metric(root, "workspace.tasks_canceled") == 4);
  CHECK(metric(root, "workspace.tasks_abandoned") == 1);
  CHECK(metric(root, "workspace.tasks_timed_out_in_workflow") == 1);
  CHECK(metric(root, "workspace.tasks_ttl_expired") == 1);
  // Canceled waits 30, 90, 600, 0: avg 180, min 0, max 600, total 720.
  CHECK(metric(root, "workspace.wait_duration_until_canceled.avg") == 180);
  CHECK(metric(root, "workspace.wait_duration_until_canceled.min") == 0);
  CHECK(metric(root, "workspace.wait_duration_until_canceled.max") == 600);
  CHECK(metric(root, "workspace.wait_duration_until_canceled.total") == 720);
  // 1 accepted within 20 s / (1 accepted + 4 canceled); abandon rate 1/5.
  CHECK(metric(root, "workspace.service_level.20") == Approx(0.2));
  CHECK(metric(root, "workspace.abandon_rate") == Approx(0.2));
  // Canceled within 60 s: 30 and 0 (below); 90 and 600 above.
  CHECK(metric(root, "workspace.split_by_wait_time.60.below.tasks_canceled") == 2);
  CHECK(metric(root, "workspace.split_by_wait_time.60.above.tasks_canceled") == 2);
  CHECK(metric(root, "workspace.longest_task_waiting_age") == 600);

  // Per queue: Sales had the accept and the abandonment, Support the three others.
  CHECK(metric(root, "task_queues.Sales.tasks_canceled") == 1);
  CHECK(metric(root, "task_queues.Sales.tasks_abandoned") == 1);
  CHECK(metric(root, "task_queues.Sales.abandon_rate") == 0.5);
  CHECK(metric(root, "task_queues.Sales.service_level.20") == 0.5);
  CHECK(metric(root, "task_queues.Support.tasks_canceled") == 3);
  CHECK(metric(root, "task_queues.Support.tasks_abandoned") == 0);
  CHECK(metric(root, "task_queues.Support.tasks_timed_out_in_workflow") == 1);
  CHECK(metric(root, "task_queues.Support.tasks_ttl_expired") == 1);
  CHECK(metric(root, "task_queues.Support.service_level.20") == 0);
  CHECK(metric(root, "workflows.main.tasks_canceled") == 4);
}

TEST_CASE("tasks created before the warm-up are left out", "[statistics]") {
  Scenario s = make_scenario();
  s.warmup = sec(60);
  StatisticsCollector c(s);
  // task 0 created at 30 s (before warm-up), accepted at 70 s: not counted anywhere.
  arrive(c, 0, 30, kSales);
  serve(c, 0, 30, kSales, 0, 0, 70, 70, 80);
  // task 1 created at 60 s (at warm-up), accepted at 65 s: counted.
  arrive(c, 1, 60, kSales);
  serve(c, 1, 60, kSales, 1, 1, 65, 65, 90);
  // task 2 created at 10 s, abandoned at 100 s: not counted.
  arrive(c, 2, 10, kSales);
  c.on_event(canceled(100, 2, 10, kSales, CancelReason::abandoned));
  const WaitingTask still_waiting[] = {
      {sec(20), kSales, kMain}};  // waiting since 20 s: not counted
  const MetricNode root = c.finish(sec(1000), still_waiting);
  CHECK(metric(root, "workspace.tasks_created") == 1);
  CHECK(metric(root, "workspace.tasks_completed") == 1);
  CHECK(metric(root, "workspace.tasks_canceled") == 0);
  CHECK(metric(root, "workspace.reservations_created") == 1);
  CHECK(metric(root, "workspace.avg_task_acceptance_time") == 5);
  CHECK(metric(root, "task_queues.Sales.tasks_entered") == 1);
  CHECK(metric(root, "workers.agents.tasks_completed") == 1);
  CHECK(metric(root, "workers.agents.reservations_created") == 1);
  CHECK(metric(root, "workspace.longest_task_waiting_age") == 5);
}

TEST_CASE("occupancy is busy time over busy plus idle-available time", "[statistics]") {
  Scenario s = make_scenario(1, 0);
  s.horizon = sec(100);
  SECTION("one worker busy 30 s of 100 s available") {
    StatisticsCollector c(s);
    // Available all along; holds a reservation from 10 s to 40 s: busy 30, idle 70.
    arrive(c, 0, 10, kSales);
    serve(c, 0, 10, kSales, 0, 0, 10, 12, 40);
    const MetricNode root = c.finish(sec(100), {});
    CHECK(metric(root, "workspace.occupancy") == Approx(0.3));
    CHECK(metric(root, "workers.agents.occupancy") == Approx(0.3));
    CHECK(is_null(root, "workers.seniors.occupancy"));  // no worker, no time
  }
  SECTION("time in an unavailable activity holding nothing is neither busy nor idle") {
    StatisticsCollector c(s);
    // busy 10..40 (30 s); Break 50..60 (not counted); idle 0..10, 40..50, 60..100 (60 s).
    arrive(c, 0, 10, kSales);
    serve(c, 0, 10, kSales, 0, 0, 10, 12, 40);
    c.on_event(activity_update(50, 0, kBreak, kAvailable));
    c.on_event(activity_update(60, 0, kAvailable, kBreak));
    const MetricNode root = c.finish(sec(100), {});
    CHECK(metric(root, "workspace.occupancy") == Approx(30.0 / 90.0));
  }
  SECTION("a worker holding a reservation is busy whatever its activity") {
    StatisticsCollector c(s);
    // Offered at 10 s; goes on Break at 20 s while holding it; completes at 40 s; back at 50 s.
    // busy 10..40 (30 s), idle 0..10 and 50..100 (60 s).
    arrive(c, 0, 10, kSales);
    c.on_event(reservation_event(EventType::reservation_created, 10, 0, 10, 0, 0, kSales));
    c.on_event(reservation_event(EventType::reservation_accepted, 12, 0, 10, 0, 0, kSales));
    c.on_event(activity_update(20, 0, kBreak, kAvailable));
    c.on_event(reservation_event(EventType::reservation_completed, 40, 0, 10, 0, 0, kSales));
    c.on_event(activity_update(50, 0, kAvailable, kBreak));
    const MetricNode root = c.finish(sec(100), {});
    CHECK(metric(root, "workspace.occupancy") == Approx(30.0 / 90.0));
  }
  SECTION("two concurrent reservations count the time once") {
    StatisticsCollector c(s);
    // reservations 10..40 and 20..60 overlap: busy 10..60 (50 s), idle 50 s.
    arrive(c, 0, 10, kSales);
    arrive(c, 1, 20, kSales);
    serve(c, 0, 10, kSales, 0, 0, 10, 10, 40);
    serve(c, 1, 20, kSales, 1, 0, 20, 20, 60);
    const MetricNode root = c.finish(sec(100), {});
    CHECK(metric(root, "workspace.occupancy") == Approx(0.5));
  }
  SECTION("time after the horizon is not measured") {
    StatisticsCollector c(s);
    // busy 90..150: only 90..100 counts; idle 0..90. End of run 200 s (drain).
    arrive(c, 0, 90, kSales);
    serve(c, 0, 90, kSales, 0, 0, 90, 90, 150);
    const MetricNode root = c.finish(sec(200), {});
    CHECK(metric(root, "workspace.occupancy") == Approx(0.1));
  }
}

TEST_CASE("activity durations are measured per worker inside the warm-up..horizon window",
          "[statistics]") {
  Scenario s = make_scenario(2, 0);
  s.horizon = sec(100);
  SECTION("clipped to the horizon") {
    StatisticsCollector c(s);
    // agents-0: Available 0..40, Break 40..150 (clipped at 100); agents-1 Available all along.
    c.on_event(activity_update(40, 0, kBreak, kAvailable));
    c.on_event(activity_update(150, 0, kAvailable, kBreak));
    const MetricNode root = c.finish(sec(200), {});
    // Available: 40 and 100 -> total 140, avg 70, min 40, max 100.
    CHECK(metric(root, "workers.agents.activity_durations.Available.total") == 140);
    CHECK(metric(root, "workers.agents.activity_durations.Available.avg") == 70);
    CHECK(metric(root, "workers.agents.activity_durations.Available.min") == 40);
    CHECK(metric(root, "workers.agents.activity_durations.Available.max") == 100);
    // Break: 60 and 0 -> total 60, avg 30, min 0, max 60.
    CHECK(metric(root, "workers.agents.activity_durations.Break.total") == 60);
    CHECK(metric(root, "workers.agents.activity_durations.Break.avg") == 30);
    CHECK(metric(root, "workers.agents.activity_durations.Break.min") == 0);
    CHECK(metric(root, "workers.agents.activity_durations.Break.max") == 60);
    CHECK(metric(root, "workers.agents.activity_durations.Offline.total") == 0);
    CHECK(metric(root, "workers.agents.activity_durations.Offline.max") == 0);
    // A group without workers has no data.
    CHECK(is_null(root, "workers.seniors.activity_durations.Available.avg"));
    CHECK(metric(root, "workers.seniors.activity_durations.Available.total") == 0);
  }
  SECTION("clipped to the warm-up and to an early end") {
    s.warmup = sec(10);
    StatisticsCollector c(s);
    // agents-0: Available 0..40 (30 s after warm-up), Break 40..80 (end of run at 80 s).
    c.on_event(activity_update(40, 0, kBreak, kAvailable));
    const MetricNode root = c.finish(sec(80), {});
    // Available: 30 (agents-0) + 70 (agents-1, 10..80).
    CHECK(metric(root, "workers.agents.activity_durations.Available.total") == 100);
    CHECK(metric(root, "workers.agents.activity_durations.Break.total") == 40);
  }
  SECTION("workers start in their initial activity, else the default one") {
    s.workers[1].initial_activity = kNoId;  // -> workspace default (Offline)
    StatisticsCollector c(s);
    const MetricNode root = c.finish(sec(100), {});
    CHECK(metric(root, "workers.agents.activity_durations.Offline.total") == 100);
    CHECK(metric(root, "workers.agents.activity_durations.Available.total") == 100);
    // occupancy 0 / (0 + 100 idle-available)
    CHECK(metric(root, "workers.agents.occupancy") == 0);
  }
}

TEST_CASE("a queue move counts tasks_moved on the queue left", "[statistics]") {
  const Scenario s = make_scenario();
  StatisticsCollector c(s);
  // Enters Sales at 0, moves to Support at 30 s, accepted from Support at 40 s.
  arrive(c, 0, 0, kSales);
  Event moved = task_event(EventType::task_queue_moved, 30, 0, 0, kSupport);
  moved.previous_queue = kSales;
  c.on_event(moved);
  c.on_event(task_event(EventType::task_queue_entered, 30, 0, 0, kSupport));
  serve(c, 0, 0, kSupport, 0, 0, 35, 40, 100);
  const MetricNode root = c.finish(sec(1000), {});
  CHECK(metric(root, "task_queues.Sales.tasks_moved") == 1);
  CHECK(metric(root, "task_queues.Support.tasks_moved") == 0);
  CHECK(metric(root, "workspace.tasks_moved") == 1);
  CHECK(metric(root, "workflows.main.tasks_moved") == 1);
  CHECK(metric(root, "task_queues.Sales.tasks_entered") == 1);
  CHECK(metric(root, "task_queues.Support.tasks_entered") == 1);
  // The wait (40 s) belongs to the queue it ended in.
  CHECK(metric(root, "task_queues.Support.wait_duration_until_accepted.total") == 40);
  CHECK(is_null(root, "task_queues.Sales.wait_duration_until_accepted.avg"));
  CHECK(metric(root, "task_queues.Sales.longest_task_waiting_age") == 0);
}

TEST_CASE("reservations are counted by outcome, per queue and per worker group", "[statistics]") {
  const Scenario s = make_scenario();
  StatisticsCollector c(s);
  // task 0 (Sales): agents-0 rejects (r0), agents-1 times out (r1), then a batch to agents-0 (r2)
  // and seniors-0 (r3): seniors-0 accepts, r2 is rescinded.
  arrive(c, 0, 0, kSales);
  c.on_event(reservation_event(EventType::reservation_created, 1, 0, 0, 0, 0, kSales));
  c.on_event(reservation_event(EventType::reservation_rejected, 2, 0, 0, 0, 0, kSales));
  c.on_event(reservation_event(EventType::reservation_created, 3, 0, 0, 1, 1, kSales));
  c.on_event(reservation_event(EventType::reservation_timeout, 33, 0, 0, 1, 1, kSales));
  c.on_event(reservation_event(EventType::reservation_created, 34, 0, 0, 2, 0, kSales));
  c.on_event(reservation_event(EventType::reservation_created, 34, 0, 0, 3, 2, kSales));
  c.on_event(reservation_event(EventType::reservation_accepted, 36, 0, 0, 3, 2, kSales));
  c.on_event(reservation_event(EventType::reservation_rescinded, 36, 0, 0, 2, 0, kSales));
  // task 1 (Support): offered to agents-1 (r4), canceled (TTL) while pending.
  arrive(c, 1, 0, kSupport);
  c.on_event(reservation_event(EventType::reservation_created, 5, 1, 0, 4, 1, kSupport));
  c.on_event(reservation_event(EventType::reservation_canceled, 9, 1, 0, 4, 1, kSupport));
  c.on_event(canceled(9, 1, 0, kSupport, CancelReason::ttl_exceeded));
  const MetricNode root = c.finish(sec(1000), {});

  CHECK(metric(root, "workspace.reservations_created") == 5);
  CHECK(metric(root, "workspace.reservations_accepted") == 1);
  CHECK(metric(root, "workspace.reservations_rejected") == 1);
  CHECK(metric(root, "workspace.reservations_timed_out") == 1);
  CHECK(metric(root, "workspace.reservations_canceled") == 1);
  CHECK(metric(root, "workspace.reservations_rescinded") == 1);
  CHECK(metric(root, "task_queues.Sales.reservations_created") == 4);
  CHECK(metric(root, "task_queues.Support.reservations_created") == 1);
  CHECK(metric(root, "task_queues.Support.reservations_canceled") == 1);
  // agents: r0 rejected, r1 timed out, r2 rescinded, r4 canceled.
  CHECK(metric(root, "workers.agents.reservations_created") == 4);
  CHECK(metric(root, "workers.agents.reservations_accepted") == 0);
  CHECK(metric(root, "workers.agents.reservations_rejected") == 1);
  CHECK(metric(root, "workers.agents.reservations_timed_out") == 1);
  CHECK(metric(root, "workers.agents.reservations_rescinded") == 1);
  CHECK(metric(root, "workers.agents.reservations_canceled") == 1);
  // seniors: r3 accepted (still held at the end: the worker stays busy from 34 s).
  CHECK(metric(root, "workers.seniors.reservations_created") == 1);
  CHECK(metric(root, "workers.seniors.reservations_accepted") == 1);
  CHECK(metric(root, "workers.seniors.occupancy") == Approx(966.0 / 1000.0));
  // Task 0 waited 36 s for its accept.
  CHECK(metric(root, "workspace.avg_task_acceptance_time") == 36);
}

TEST_CASE("the longest waiting age includes the tasks still waiting at the end", "[statistics]") {
  const Scenario s = make_scenario();
  StatisticsCollector c(s);
  // task 0 accepted from Sales after 12 s; task 1 created at 50 s, waiting in Support at the end
  // (200 s): age 150 s.
  arrive(c, 0, 0, kSales);
  serve(c, 0, 0, kSales, 0, 0, 12, 12, 40);
  arrive(c, 1, 50, kSupport);
  const WaitingTask still_waiting[] = {{sec(50), kSupport, kMain}};
  const MetricNode root = c.finish(sec(200), still_waiting);
  CHECK(metric(root, "workspace.longest_task_waiting_age") == 150);
  CHECK(metric(root, "task_queues.Support.longest_task_waiting_age") == 150);
  CHECK(metric(root, "task_queues.Sales.longest_task_waiting_age") == 12);
  CHECK(metric(root, "workflows.main.longest_task_waiting_age") == 150);
  // A task still waiting has not stopped waiting: service level only counts ended waits.
  CHECK(metric(root, "workspace.service_level.20") == 1);
}

TEST_CASE("a task still waiting at the end ages in the queue the engine lists it in",
          "[statistics]") {
  const Scenario s = make_scenario();
  StatisticsCollector c(s);
  // task 0 enters Sales at 0, moves to Support at 30 s and is still waiting there at 500 s;
  // tasks 1..999 each wait 1 s in Sales.
  arrive(c, 0, 0, kSales);
  Event moved = task_event(EventType::task_queue_moved, 30, 0, 0, kSupport);
  moved.previous_queue = kSales;
  c.on_event(moved);
  c.on_event(task_event(EventType::task_queue_entered, 30, 0, 0, kSupport));
  for (TaskId t = 1; t < 1000; ++t) {
    const double at = 0.1 * t;
    arrive(c, t, at, kSales);
    serve(c, t, at, kSales, t, 0, at + 1, at + 1, at + 1);
  }
  const WaitingTask still_waiting[] = {{sec(0), kSupport, kMain}};
  const MetricNode root = c.finish(sec(500), still_waiting);
  CHECK(metric(root, "workspace.tasks_created") == 1000);
  CHECK(metric(root, "task_queues.Sales.tasks_completed") == 999);
  CHECK(metric(root, "task_queues.Sales.wait_duration_until_accepted.total") == Approx(999));
  CHECK(metric(root, "task_queues.Sales.longest_task_waiting_age") == 1);
  CHECK(metric(root, "task_queues.Support.longest_task_waiting_age") == 500);
  CHECK(metric(root, "workflows.main.longest_task_waiting_age") == 500);
  CHECK(metric(root, "workspace.longest_task_waiting_age") == 500);
}

TEST_CASE("thresholds in any order split waits like the sorted ones", "[statistics]") {
  // The loader only accepts ascending thresholds; a hand-built scenario may list them otherwise.
  Scenario s = make_scenario();
  s.statistics.service_level_thresholds = {60, 0, 20};
  StatisticsCollector c(s);
  // Waits: accepted after 0 s, 12 s, 20 s and 61 s; canceled after 20 s and 90 s.
  const double accepted_after[] = {0, 12, 20, 61};
  for (TaskId t = 0; t < 4; ++t) {
    arrive(c, t, 0, kSales);
    serve(c, t, 0, kSales, t, 0, accepted_after[t], accepted_after[t], 100);
  }
  arrive(c, 4, 0, kSales);
  c.on_event(canceled(20, 4, 0, kSales, CancelReason::abandoned));
  arrive(c, 5, 0, kSales);
  c.on_event(canceled(90, 5, 0, kSales, CancelReason::abandoned));
  const MetricNode root = c.finish(sec(1000), {});
  CHECK(keys(*root.find("workspace.service_level")) == std::vector<std::string>{"60", "0", "20"});
  CHECK(metric(root, "workspace.split_by_wait_time.0.below.tasks_accepted") == 1);
  CHECK(metric(root, "workspace.split_by_wait_time.0.above.tasks_accepted") == 3);
  CHECK(metric(root, "workspace.split_by_wait_time.20.below.tasks_accepted") == 3);
  CHECK(metric(root, "workspace.split_by_wait_time.20.above.tasks_accepted") == 1);
  CHECK(metric(root, "workspace.split_by_wait_time.20.below.tasks_canceled") == 1);
  CHECK(metric(root, "workspace.split_by_wait_time.20.above.tasks_canceled") == 1);
  CHECK(metric(root, "workspace.split_by_wait_time.60.below.tasks_accepted") == 3);
  CHECK(metric(root, "workspace.split_by_wait_time.60.above.tasks_accepted") == 1);
  CHECK(metric(root, "workspace.split_by_wait_time.60.below.tasks_canceled") == 1);
  CHECK(metric(root, "workspace.split_by_wait_time.60.above.tasks_canceled") == 1);
  // service_level.<s> = accepted within s / all 6 ended waits.
  CHECK(metric(root, "workspace.service_level.0") == Approx(1.0 / 6));
  CHECK(metric(root, "workspace.service_level.20") == Approx(3.0 / 6));
  CHECK(metric(root, "workspace.service_level.60") == Approx(3.0 / 6));
}

TEST_CASE("a threshold given twice is reported once", "[statistics]") {
  Scenario s = make_scenario();
  s.statistics.service_level_thresholds = {20, 20, 60};
  StatisticsCollector c(s);
  arrive(c, 0, 0, kSales);
  serve(c, 0, 0, kSales, 0, 0, 20, 20, 100);
  arrive(c, 1, 0, kSales);
  serve(c, 1, 0, kSales, 1, 1, 21, 21, 100);
  const MetricNode root = c.finish(sec(1000), {});
  CHECK(keys(*root.find("workspace.service_level")) == std::vector<std::string>{"20", "60"});
  CHECK(metric(root, "workspace.split_by_wait_time.20.below.tasks_accepted") == 1);
  CHECK(metric(root, "workspace.split_by_wait_time.20.above.tasks_accepted") == 1);
  CHECK(metric(root, "workspace.split_by_wait_time.60.below.tasks_accepted") == 2);
}

TEST_CASE("fractional thresholds are keyed like JSON numbers", "[statistics]") {
  Scenario s = make_scenario();
  s.statistics.service_level_thresholds = {0.5, 30};
  StatisticsCollector c(s);
  arrive(c, 0, 0, kSales);
  serve(c, 0, 0, kSales, 0, 0, 0.5, 0.5, 10);
  const MetricNode root = c.finish(sec(100), {});
  CHECK(keys(*root.find("workspace.service_level")) == std::vector<std::string>{"0.5", "30"});
  CHECK(metric(root, "workspace.service_level.0.5") == 1);
}
