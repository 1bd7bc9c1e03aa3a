// Timeline tests for task updates (`arrivals.<stream>.updates[]`, issue 15): a waiting task's
// attributes or priority change at a given age; trsim emits task.updated and evaluates the task
// against its workflow again, as TaskRouter does on an update. Each test states the whole expected
// timeline of the events it follows.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/loader.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

const std::vector<EventType> kFlow = {
    EventType::task_updated,          EventType::workflow_target_matched,
    EventType::task_queue_moved,      EventType::reservation_created,
    EventType::reservation_rescinded, EventType::reservation_accepted,
    EventType::task_canceled};

std::size_t count(const std::vector<Event>& events, EventType type) {
  std::size_t n = 0;
  for (const Event& e : events) n += e.type == type ? 1 : 0;
  return n;
}

constexpr const char* kCallbackScenario = R"(
horizon: 1h
task_queues:
  Voice: {target_workers: "team == 'voice'"}
  Callbacks: {target_workers: "team == 'callbacks'"}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {expression: "callback == true", targets: [{queue: Callbacks}]}
          - {expression: "1 == 1", targets: [{queue: Voice}]}
behaviors: {slow: {response_time: 30s}}
workers:
  v: {count: 1, name: "v-{i}", attributes: {team: voice}, behavior: slow, activity: Offline}
  c: {count: 1, name: "c-{i}", attributes: {team: callbacks}, behavior: slow, activity: Available}
arrivals:
  calls:
    workflow: wf
    trace: calls.csv
    handle_time: 5m
    updates: [{after: 60s, attributes: {callback: true}}]
)";

}  // namespace

// A callback request: after 60 s in the voice queue (no voice agent is logged in) the caller asks
// to be called back. TaskRouter evaluates an updated task against its Workflow again (the Workflow
// resource's ReEvaluateTasks: "Tasks in the Workflow will ... be processed through the assignment
// loop again"; an attribute update does it for one task), so the callback filter now matches and
// the task moves to the callback queue, where c-1 takes it.
TEST_CASE("an attribute update re-evaluates the workflow: a callback request changes queue",
          "[routing][updates]") {
  TempDir dir;
  dir.write("calls.csv", "time\n0\n");
  const Scenario sc = load_yaml(kCallbackScenario, dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kFlow)) ==
        R"(0 workflow.target-matched task=0 queue=Voice
60 task.updated task=0 queue=Voice priority=0
60 workflow.target-matched task=0 queue=Callbacks
60 task-queue.moved task=0 queue=Callbacks
60 reservation.created task=0 worker=c-1 queue=Callbacks
90 reservation.accepted task=0 worker=c-1 queue=Callbacks
)");
}

// A callback request ends the caller's wait on the line: the customer hangs up and keeps their
// place, so the task no longer abandons (`patience: never`). The same caller without it abandons
// at 80 s while c-1 is still deciding. TaskRouter has no patience of
// its own (a caller hanging up is the application canceling the task: the Task resource, "update
// the AssignmentStatus to canceled"), so a callback application simply stops doing that.
TEST_CASE("a callback request can end the caller's patience", "[routing][updates]") {
  TempDir dir;
  dir.write("calls.csv", "time,patience\n0,80\n");
  std::string keeps = kCallbackScenario;
  const std::string update = "updates: [{after: 60s, attributes: {callback: true}}]";
  const std::size_t at = keeps.find(update);
  REQUIRE(at != std::string::npos);
  keeps.replace(at, update.size(),
                "updates: [{after: 60s, attributes: {callback: true}, patience: never}]");
  const Scenario kept = load_yaml(keeps, dir);
  const Run called_back = run_once(kept);
  CHECK(joined(timeline(kept, called_back.events, kFlow)) ==
        R"(0 workflow.target-matched task=0 queue=Voice
60 task.updated task=0 queue=Voice priority=0
60 workflow.target-matched task=0 queue=Callbacks
60 task-queue.moved task=0 queue=Callbacks
60 reservation.created task=0 worker=c-1 queue=Callbacks
90 reservation.accepted task=0 worker=c-1 queue=Callbacks
)");
  const Scenario lost = load_yaml(kCallbackScenario, dir);
  const Run abandoned = run_once(lost);
  CHECK(joined(timeline(lost, abandoned.events, kFlow)) ==
        R"(0 workflow.target-matched task=0 queue=Voice
60 task.updated task=0 queue=Voice priority=0
60 workflow.target-matched task=0 queue=Callbacks
60 task-queue.moved task=0 queue=Callbacks
60 reservation.created task=0 worker=c-1 queue=Callbacks
80 task.canceled task=0 queue=Callbacks reason=Task abandoned
)");
  // `never` in any case, as for a behaviour's return_after.
  std::string capital = keeps;
  capital.replace(capital.find("patience: never"), 15, "patience: Never");
  const Scenario kept_capital = load_yaml(capital, dir);
  REQUIRE(kept_capital.arrivals[0].updates.size() == 1);
  CHECK(kept_capital.arrivals[0].updates[0].ends_patience);
}

// An update is for a waiting task: one accepted before the update's age is not updated.
TEST_CASE("an assigned task gets no update", "[routing][updates]") {
  TempDir dir;
  dir.write("calls.csv", "time\n0\n");
  const Scenario sc =
      load_yaml(kCallbackScenario, dir, {"workers.v.activity=Available", "workers.c.count=0"});
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kFlow)) ==
        R"(0 workflow.target-matched task=0 queue=Voice
0 reservation.created task=0 worker=v-1 queue=Voice
30 reservation.accepted task=0 worker=v-1 queue=Voice
)");
}

// An offer made under the old attributes does not survive the update: it is rescinded, and the
// task is placed again (here in the same queue, where the same worker gets a new offer).
TEST_CASE("an update rescinds the task's pending offers and places it again",
          "[routing][updates]") {
  TempDir dir;
  dir.write("calls.csv", "time\n0\n");
  const Scenario sc = load_yaml(
      kCallbackScenario, dir,
      {"workers.v.activity=Available", "workers.c.count=0", "arrivals.calls.updates.0.after=10s",
       "arrivals.calls.updates.0.attributes.callback=false"});
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kFlow)) ==
        R"(0 workflow.target-matched task=0 queue=Voice
0 reservation.created task=0 worker=v-1 queue=Voice
10 task.updated task=0 queue=Voice priority=0
10 reservation.rescinded task=0 worker=v-1 queue=Voice
10 workflow.target-matched task=0 queue=Voice
10 reservation.created task=0 worker=v-1 queue=Voice
40 reservation.accepted task=0 worker=v-1 queue=Voice
)");
}

// The Task resource, Priority: "When supplied, the Task takes on the specified priority unless it
// matches a Workflow Target with a Priority set." The vip task arrives after the plain one with
// the same priority, is raised to 10 at age 20 and is served first when the one worker logs in.
TEST_CASE("a priority update moves the task ahead of older tasks", "[routing][updates]") {
  TempDir dir;
  dir.write("plain.csv", "time\n0\n");
  dir.write("vip.csv", "time\n10\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "1 == 1", targets: [{queue: Q}]}]
workers:
  a: {count: 1, name: "a-{i}", activity: Offline, schedule: [{at: 60s, activity: Available}]}
arrivals:
  plain: {workflow: wf, trace: plain.csv, handle_time: 5m}
  vip: {workflow: wf, trace: vip.csv, handle_time: 5m, updates: [{after: 20s, priority: 10}]}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(
      joined(timeline(sc, run.events, {EventType::task_updated, EventType::reservation_created})) ==
      R"(30 task.updated task=1 queue=Q priority=10
60 reservation.created task=1 worker=a-1 queue=Q
360 reservation.created task=0 worker=a-1 queue=Q
)");
}

// statistics.snapshots: an update's priority is one of the priorities a task can have, so
// tasks_by_priority has its column ("tasks_by_priority: The number of Tasks by priority"). At 40
// the plain task waits at priority 0 and the vip one at 10 (raised at 30).
TEST_CASE("a snapshot counts a task at the priority an update gave it", "[routing][updates]") {
  TempDir dir;
  dir.write("plain.csv", "time\n0\n");
  dir.write("vip.csv", "time\n10\n");
  const Scenario sc = load_yaml(R"(
horizon: 80s
drain: false
statistics: {interval: 40s, snapshots: true}
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "1 == 1", targets: [{queue: Q}]}]
workers:
  a: {count: 1, name: "a-{i}", activity: Offline, schedule: [{at: 60s, activity: Available}]}
arrivals:
  plain: {workflow: wf, trace: plain.csv, handle_time: 5m}
  vip: {workflow: wf, trace: vip.csv, handle_time: 5m, updates: [{after: 20s, priority: 10}]}
)",
                                dir);
  const Run run = run_once(sc);
  const IntervalTable& t = run.result.intervals;
  REQUIRE(t.count == 2);
  const std::size_t p0 = t.column_index("tasks_by_priority.0");
  const std::size_t p10 = t.column_index("tasks_by_priority.10");
  const std::size_t q = t.scope_index("queue:Q");
  REQUIRE(p0 != SIZE_MAX);
  REQUIRE(p10 != SIZE_MAX);
  REQUIRE(q != SIZE_MAX);
  CHECK(t.at(0, 0, p0) == 1);
  CHECK(t.at(0, 0, p10) == 1);
  CHECK(t.at(0, q, p10) == 1);
  // At 80 a-1 has the vip task (from 60): both still count, each at its priority.
  CHECK(t.at(1, 0, p0) == 1);
  CHECK(t.at(1, 0, p10) == 1);
}

// A priority set by the workflow target wins over the task's own (the same line: "unless it
// matches a Workflow Target with a Priority set").
TEST_CASE("a target's priority wins over an updated priority", "[routing][updates]") {
  TempDir dir;
  dir.write("calls.csv", "time,kind\n0,vip\n10,plain\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {expression: "kind == 'vip'", targets: [{queue: Q, priority: 5}]}
          - {expression: "1 == 1", targets: [{queue: Q}]}
workers:
  a: {count: 1, name: "a-{i}", activity: Offline, schedule: [{at: 60s, activity: Available}]}
arrivals:
  calls:
    workflow: wf
    trace: calls.csv
    handle_time: 5m
    updates: [{after: 30s, priority: 9, attributes: {kind: vip}}]
)",
                                dir);
  const Run run = run_once(sc);
  // Task 0 is vip from the start (target priority 5); task 1 becomes vip at 40 and takes priority
  // 9 with the update, but the vip target sets 5 again: the older task 0 is served first.
  CHECK(joined(timeline(sc, run.events,
                        {EventType::task_updated, EventType::workflow_target_matched,
                         EventType::reservation_created})) ==
        R"(0 workflow.target-matched task=0 queue=Q
10 workflow.target-matched task=1 queue=Q
30 task.updated task=0 queue=Q priority=9
30 workflow.target-matched task=0 queue=Q
40 task.updated task=1 queue=Q priority=9
40 workflow.target-matched task=1 queue=Q
60 reservation.created task=0 worker=a-1 queue=Q
360 reservation.created task=1 worker=a-1 queue=Q
)");
  for (const Event& e : run.events)
    if (e.type == EventType::reservation_created) CHECK(e.priority == 5);
}

// `probability`: the share of tasks that get the update, drawn per task from the stream's own
// random stream. 4,000 waiting tasks at p = 0.3: the count is binomial, sd = sqrt(n p (1-p)) =
// 29.0; the check allows 4 sd (a fixed seed makes it deterministic; the bound is what an honest
// draw meets with probability 0.99994).
TEST_CASE("an update's probability is the share of tasks that get it", "[routing][updates]") {
  const Scenario sc = load_yaml(R"(
horizon: 4000s
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "1 == 1", targets: [{queue: Q}]}]
workers: {a: {count: 1, activity: Offline}}
arrivals:
  calls:
    workflow: wf
    rate: 1/s
    handle_time: 1s
    timeout: 100s
    updates: [{after: 10s, probability: 0.3, attributes: {callback: true}}]
)");
  const Run run = run_once(sc);
  const auto created = static_cast<double>(count(run.events, EventType::task_created));
  const auto updated = static_cast<double>(count(run.events, EventType::task_updated));
  const double sd = std::sqrt(created * 0.3 * 0.7);
  CHECK(std::abs(updated - 0.3 * created) < 4 * sd);
}

TEST_CASE("task updates are checked at load", "[routing][updates][loader]") {
  auto errors = [](const std::string& updates) {
    const LoadResult result = load_scenario_text(R"(
task_queues: {Q: {}}
workflows:
  wf:
    configuration: {task_routing: {filters: [{expression: "1==1", targets: [{queue: Q}]}]}}
arrivals:
  calls:
    workflow: wf
    rate: 1/m
    handle_time: 1m
    updates: )" + updates + "\n",
                                                 "test.yaml", ".", LoadOptions{});
    std::string out;
    for (const Diagnostic& d : result.diagnostics) out += d.format() + "\n";
    return out;
  };
  CHECK(errors("[{after: 20s, priority: 1}, {after: 10s, priority: 2}]") ==
        "test.yaml:11:50: task updates must be in ascending order of 'after' (10s does not come "
        "after 20s)\n");
  CHECK(errors("[{after: 0, priority: 1}]") ==
        "test.yaml:11:23: a task update's 'after' must be > 0 (at age 0 give the attributes to the "
        "stream itself)\n");
  CHECK(errors("[{after: 5s}]") ==
        "test.yaml:11:15: a task update changes nothing: give 'attributes', 'priority' or "
        "'patience'\n");
  CHECK(errors("[{after: 5s, patience: 10m}]") ==
        "test.yaml:11:37: a task update's 'patience' can only be 'never' (the caller stops "
        "abandoning), got '10m'\n");
  CHECK(errors("[{after: 5s, priority: 1, probability: 1.5}]") ==
        "test.yaml:11:53: a task update's 'probability' must be in (0, 1], got 1.5\n");
  CHECK(errors("[{after: 5s, priority: 1, chance: 0.5}]").find("unknown key 'chance'") !=
        std::string::npos);
}
