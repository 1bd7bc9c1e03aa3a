// Timeline tests for workflow routing: one rule of SPEC §1 "Workflow routing" (as docs/semantics.md
// pins it) per test, with the expected timeline written out and compared to the microsecond.
// Arrivals come from trace files so that every time is exact. Unless a test says otherwise,
// workers use the default behaviour: accept at once, no wrap-up.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

// The workflow events a task goes through, with the offers made to it.
const std::vector<EventType> kRouting = {
    EventType::workflow_target_matched, EventType::task_queue_entered, EventType::task_queue_moved,
    EventType::task_queue_timeout,      EventType::workflow_timeout,   EventType::workflow_skipped,
    EventType::task_canceled,           EventType::reservation_created};

const std::vector<EventType> kOffers = {EventType::reservation_created, EventType::task_completed};

// The timeline with the task's current priority after every workflow.target-matched line.
std::string timeline_with_priority(const Scenario& sc, const std::vector<Event>& events,
                                   const std::vector<EventType>& only) {
  std::string s;
  for (const Event& e : events) {
    if (std::find(only.begin(), only.end(), e.type) == only.end()) continue;
    s += describe(sc, e);
    if (e.type == EventType::workflow_target_matched)
      s += " priority=" + std::to_string(e.priority);
    s += "\n";
  }
  return s;
}

}  // namespace

// TaskRouter, Workflow configuration (targets): a target's priority is optional, and "if no
// priority is defined, the Task's existing priority will be used". A priority set by a step is the
// task's priority from then on; a later step without `priority` keeps it.
TEST_CASE("a target priority stays with the task in a later step without priority", "[routing]") {
  TempDir dir;
  // Tasks 0 and 1 are ordinary (priority 0 and 5); tasks 2 and 3 are VIP (own priority 0), whose
  // first step raises them to 10 for 50 s.
  dir.write("calls.csv",
            "time,priority,vip,handle_time\n"
            "0,0,,40\n"
            "10,5,,100\n"
            "20,0,1,100\n"
            "45,0,1,100\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - filter_friendly_name: vip
            expression: "vip == 1"
            targets: [{queue: Q, priority: 10, timeout: 50}, {queue: Q}]
        default_filter: {queue: Q}
workers: {w: {count: 1, name: "w-{i}", activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)",
                                dir);
  const Run run = run_once(sc);
  // w-1 talks to task 0 until 40. Then VIP task 2 (priority 10 in its first step) beats task 1
  // (priority 5). Task 3's first step ends at age 50 (t = 95); its second step has no priority, so
  // it keeps 10 and, when w-1 frees at 140, goes before task 1 (5), which waits until 240.
  CHECK(timeline_with_priority(sc, run.events,
                               {EventType::workflow_target_matched, EventType::task_queue_timeout,
                                EventType::reservation_created}) ==
        R"(0 workflow.target-matched task=0 queue=Q priority=0
0 reservation.created task=0 worker=w-1 queue=Q
10 workflow.target-matched task=1 queue=Q priority=5
20 workflow.target-matched task=2 queue=Q priority=10
40 reservation.created task=2 worker=w-1 queue=Q
45 workflow.target-matched task=3 queue=Q priority=10
95 task-queue.timeout task=3 queue=Q
95 workflow.target-matched task=3 queue=Q priority=10
140 reservation.created task=3 worker=w-1 queue=Q
240 reservation.created task=1 worker=w-1 queue=Q
)");
}

// The escalation pattern of TaskRouter's Workflow configuration page: Gold tasks wait in their own
// queue, then move to Everyone "with a higher priority of 10" and are served there ahead of older
// regular tasks.
TEST_CASE("gold tasks escalate to a shared queue with priority 10 after 30 s and go first there",
          "[routing]") {
  TempDir dir;
  dir.write("calls.csv",
            "time,customer_value,handle_time\n"
            "0,regular,200\n"
            "1,Gold,500\n"
            "10,regular,100\n"
            "20,regular,100\n"
            "40,Gold,100\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues:
  Gold: {target_workers: "tier == 'gold'"}
  Everyone: {}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - filter_friendly_name: gold
            expression: "customer_value == 'Gold'"
            targets: [{queue: Gold, timeout: 30}, {queue: Everyone, priority: 10}]
        default_filter: {queue: Everyone}
workers:
  agents: {count: 1, name: "agent-{i}", attributes: {tier: regular}, activity: Available}
  gold: {count: 1, name: "gold-{i}", attributes: {tier: gold}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)",
                                dir);
  const Run run = run_once(sc);
  // agent-1 takes regular task 0 (0..200), gold-1 Gold task 1 (1..501). Regular tasks 2 and 3 wait
  // in Everyone. Gold task 4 waits in Gold until age 30 (t = 70), then moves to Everyone with
  // priority 10: when agent-1 frees at 200 it takes task 4 before the older tasks 2 and 3.
  CHECK(timeline_with_priority(sc, run.events,
                               {EventType::workflow_target_matched, EventType::task_queue_timeout,
                                EventType::task_queue_moved, EventType::reservation_created}) ==
        R"(0 workflow.target-matched task=0 queue=Everyone priority=0
0 reservation.created task=0 worker=agent-1 queue=Everyone
1 workflow.target-matched task=1 queue=Gold priority=0
1 reservation.created task=1 worker=gold-1 queue=Gold
10 workflow.target-matched task=2 queue=Everyone priority=0
20 workflow.target-matched task=3 queue=Everyone priority=0
40 workflow.target-matched task=4 queue=Gold priority=0
70 task-queue.timeout task=4 queue=Gold
70 workflow.target-matched task=4 queue=Everyone priority=10
70 task-queue.moved task=4 queue=Everyone
200 reservation.created task=4 worker=agent-1 queue=Everyone
300 reservation.created task=2 worker=agent-1 queue=Everyone
400 reservation.created task=3 worker=agent-1 queue=Everyone
)");
}

TEST_CASE("a target expression with task. and worker. prefixes chooses among the queue's workers",
          "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time,min_level,handle_time\n10,2,100\n20,1,20\n30,2,100\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {filter_friendly_name: all, expression: "1==1",
             targets: [{queue: Q, expression: "worker.level >= task.min_level"}]}
workers:
  junior: {count: 1, name: "junior-{i}", attributes: {level: 1}, activity: Available}
  senior: {count: 1, name: "senior-{i}", attributes: {level: 3}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)",
                                dir);
  const Run run = run_once(sc);
  // Task 0 needs level 2: junior-1 is first in scenario order but only senior-1 qualifies. Task 1
  // (level 1) takes junior-1. Task 2 needs level 2: junior-1 frees at 40 and is passed over; it
  // waits for senior-1 at 110.
  CHECK(joined(timeline(sc, run.events, kOffers)) ==
        R"(10 reservation.created task=0 worker=senior-1 queue=Q
20 reservation.created task=1 worker=junior-1 queue=Q
40 task.completed task=1 worker=junior-1 queue=Q
110 task.completed task=0 worker=senior-1 queue=Q
110 reservation.created task=2 worker=senior-1 queue=Q
210 task.completed task=2 worker=senior-1 queue=Q
)");
}

TEST_CASE("worker.channel.voice.assigned_tasks in a target expression spreads a multitasking team",
          "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n0\n0\n0\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {expression: "1==1", targets: [{queue: Q, expression: "worker.channel.voice.assigned_tasks == 0"}]}
workers:
  a: {count: 1, name: "a-{i}", channels: {voice: 2}, activity: Available}
  b: {count: 1, name: "b-{i}", channels: {voice: 2}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 100s}}
)",
                                dir);
  const Run run = run_once(sc);
  // Without the expression a-1 (first in scenario order, idle since 0 like b-1) would take tasks 0
  // and 1. With it a-1, holding one voice task, is passed over for task 1, and task 2 waits
  // although both workers have room, until a-1 holds none again at 100.
  CHECK(joined(timeline(sc, run.events, kOffers)) ==
        R"(0 reservation.created task=0 worker=a-1 queue=Q
0 reservation.created task=1 worker=b-1 queue=Q
100 task.completed task=0 worker=a-1 queue=Q
100 reservation.created task=2 worker=a-1 queue=Q
100 task.completed task=1 worker=b-1 queue=Q
200 task.completed task=2 worker=a-1 queue=Q
)");
}

TEST_CASE(
    "worker.channel.voice.available_capacity_percentage in a target expression caps a worker's "
    "load",
    "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time,handle_time\n0,100\n0,200\n0,300\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - expression: "1==1"
            targets: [{queue: Q, expression: "worker.channel.voice.available_capacity_percentage > 50"}]
workers: {a: {count: 1, name: "a-{i}", channels: {voice: 4}, activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)",
                                dir);
  const Run run = run_once(sc);
  // Capacity 4: free 100% then 75% take tasks 0 and 1; at 50% task 2 waits although two units are
  // free, until task 0 completes at 100 (75% again).
  CHECK(joined(timeline(sc, run.events, kOffers)) ==
        R"(0 reservation.created task=0 worker=a-1 queue=Q
0 reservation.created task=1 worker=a-1 queue=Q
100 task.completed task=0 worker=a-1 queue=Q
100 reservation.created task=2 worker=a-1 queue=Q
200 task.completed task=1 worker=a-1 queue=Q
400 task.completed task=2 worker=a-1 queue=Q
)");
}

TEST_CASE(
    "skip_if workers.available == 0 skips a step whose queue has nobody available and its time "
    "still counts",
    "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues:
  Sales: {target_workers: "skill == 'sales'"}
  Support: {target_workers: "skill == 'support'"}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - expression: "1==1"
            targets:
              - {queue: Sales, timeout: 30, skip_if: "workers.available == 0"}
              - {queue: Support, timeout: 30}
workers:
  s: {count: 1, name: "s-{i}", attributes: {skill: sales}, activity: Offline}
  p: {count: 1, name: "p-{i}", attributes: {skill: support}, activity: Offline}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  // Sales has nobody available: the step is skipped at once. Deadlines are age-based, so the
  // Support step ends at age 30 + 30 = 60 (t = 70), not 30 s after the task entered it.
  CHECK(joined(timeline(sc, run.events)) == R"(10 task.created task=0
10 workflow.entered task=0
10 workflow.target-matched task=0 queue=Sales
10 task-queue.entered task=0 queue=Sales
10 workflow.target-matched task=0 queue=Support
10 task-queue.moved task=0 queue=Support
10 task-queue.entered task=0 queue=Support
70 task-queue.timeout task=0 queue=Support
70 workflow.timeout task=0 queue=Support
70 task.canceled task=0 queue=Support reason=Task canceled on Workflow timeout
)");
}

TEST_CASE("a task whose every matching filter's steps are skipped goes to default_filter",
          "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time,lang\n10,en\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues:
  Sales: {target_workers: "skill == 'sales'"}
  French: {target_workers: "skill == 'french'"}
  Support: {target_workers: "skill == 'support'"}
  Overflow: {target_workers: "skill == 'overflow'"}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {expression: "1==1", targets: [{queue: Sales, skip_if: "workers.available == 0"}]}
          - {expression: "lang == 'fr'", targets: [{queue: French}]}
          - {expression: "1==1", targets: [{queue: Support, timeout: 20, skip_if: "workers.available == 0"}]}
        default_filter: {queue: Overflow}
workers:
  s: {count: 1, name: "s-{i}", attributes: {skill: sales}, activity: Offline}
  f: {count: 1, name: "f-{i}", attributes: {skill: french}, activity: Available}
  p: {count: 1, name: "p-{i}", attributes: {skill: support}, activity: Offline}
  o: {count: 1, name: "o-{i}", attributes: {skill: overflow}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  // The first filter's only step is skipped; the French filter does not match (its idle worker is
  // never considered); the third filter's step is skipped too: default_filter takes the task.
  CHECK(joined(timeline(sc, run.events, kRouting)) ==
        R"(10 workflow.target-matched task=0 queue=Sales
10 task-queue.entered task=0 queue=Sales
10 workflow.target-matched task=0 queue=Support
10 task-queue.moved task=0 queue=Support
10 task-queue.entered task=0 queue=Support
10 workflow.target-matched task=0 queue=Overflow
10 task-queue.moved task=0 queue=Overflow
10 task-queue.entered task=0 queue=Overflow
10 reservation.created task=0 worker=o-1 queue=Overflow
)");
}

namespace {
// A task that settles in Sales (no skip_if there) until age 30, then skips out of Support, the
// last step of the only filter; default_filter (Overflow) has an idle worker.
std::string skip_out_scenario(const std::string& option) {
  return R"(
horizon: 1h
task_queues:
  Sales: {target_workers: "skill == 'sales'"}
  Support: {target_workers: "skill == 'support'"}
  Overflow: {target_workers: "skill == 'overflow'"}
workflows:
  wf:
)" + option +
         R"(
    configuration:
      task_routing:
        filters:
          - expression: "1==1"
            targets: [{queue: Sales, timeout: 30}, {queue: Support, skip_if: "workers.available == 0"}]
        default_filter: {queue: Overflow}
workers:
  s: {count: 1, name: "s-{i}", attributes: {skill: sales}, activity: Offline}
  p: {count: 1, name: "p-{i}", attributes: {skill: support}, activity: Offline}
  o: {count: 1, name: "o-{i}", attributes: {skill: overflow}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)";
}
}  // namespace

// TaskRouter, "Skipping based on Worker availability": "If a Task skips a filter, it will be
// evaluated as if the Task didn't match the filter" -- so evaluation goes on to the next filters
// and default_filter (SPEC §1). Before, a task that had settled in a step was canceled here.
TEST_CASE("a settled task that skips out of the last step goes on to default_filter", "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(skip_out_scenario(""), dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events)) == R"(10 task.created task=0
10 workflow.entered task=0
10 workflow.target-matched task=0 queue=Sales
10 task-queue.entered task=0 queue=Sales
40 task-queue.timeout task=0 queue=Sales
40 workflow.target-matched task=0 queue=Support
40 task-queue.moved task=0 queue=Support
40 task-queue.entered task=0 queue=Support
40 workflow.target-matched task=0 queue=Overflow
40 task-queue.moved task=0 queue=Overflow
40 task-queue.entered task=0 queue=Overflow
40 reservation.created task=0 worker=o-1 queue=Overflow
40 reservation.accepted task=0 worker=o-1 queue=Overflow
100 reservation.wrapup task=0 worker=o-1 queue=Overflow
100 task.wrapup task=0 worker=o-1 queue=Overflow
100 reservation.completed task=0 worker=o-1 queue=Overflow
100 task.completed task=0 worker=o-1 queue=Overflow
)");
}

// TaskRouter's event reference: "workflow.skipped: Task skipped out of Workflow" -- read as the
// task leaving the workflow. `skip_out_cancels: true` asks for that reading: a task that had
// settled in a step and skips out of the last one is canceled.
TEST_CASE("with skip_out_cancels a settled task that skips out of the last step is canceled",
          "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(skip_out_scenario("    skip_out_cancels: true"), dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events)) == R"(10 task.created task=0
10 workflow.entered task=0
10 workflow.target-matched task=0 queue=Sales
10 task-queue.entered task=0 queue=Sales
40 task-queue.timeout task=0 queue=Sales
40 workflow.target-matched task=0 queue=Support
40 task-queue.moved task=0 queue=Support
40 task-queue.entered task=0 queue=Support
40 workflow.skipped task=0 queue=Support
40 task.canceled task=0 queue=Support reason=Task skipped out of Workflow
)");
}

TEST_CASE("known_worker_friendly_name and known_worker_sid offer the task only to the named worker",
          "[routing]") {
  TempDir dir;
  // Tasks 0 and 2 name b-1, task 1 names c-1 by sid, task 3 names nobody.
  dir.write("calls.csv",
            "time,route,preferred,agent_sid,handle_time\n"
            "10,name,b-1,,50\n"
            "20,sid,,WK0123456789abcdef0123456789abcdef,50\n"
            "30,name,b-1,,50\n"
            "40,,,,10\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {expression: "route == 'name'", targets: [{queue: Q, known_worker_friendly_name: task.preferred}]}
          - {expression: "route == 'sid'", targets: [{queue: Q, known_worker_sid: task.agent_sid}]}
        default_filter: {queue: Q}
workers:
  a: {count: 1, name: "a-{i}", activity: Available}
  b: {count: 1, name: "b-{i}", activity: Available}
  c: {count: 1, name: "c-{i}", sid: WK0123456789abcdef0123456789abcdef, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)",
                                dir);
  const Run run = run_once(sc);
  // a-1 is idle longest (scenario order) yet task 0 goes to b-1 and task 1 to c-1. Task 2 names
  // b-1, busy until 60: it waits, and a-1, idle again at 50 after task 3, does not get it.
  CHECK(joined(timeline(sc, run.events, kOffers)) ==
        R"(10 reservation.created task=0 worker=b-1 queue=Q
20 reservation.created task=1 worker=c-1 queue=Q
40 reservation.created task=3 worker=a-1 queue=Q
50 task.completed task=3 worker=a-1 queue=Q
60 task.completed task=0 worker=b-1 queue=Q
60 reservation.created task=2 worker=b-1 queue=Q
70 task.completed task=1 worker=c-1 queue=Q
110 task.completed task=2 worker=b-1 queue=Q
)");
}

TEST_CASE(
    "order_by worker.level DESC ranks idle workers, missing attribute last, ties by longest idle",
    "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time,handle_time\n0,10\n20,100\n30,100\n40,100\n50,100\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {expression: "1==1", targets: [{queue: Q, order_by: "worker.level DESC"}]}
workers:
  a: {count: 1, name: "a-{i}", activity: Available}
  b: {count: 1, name: "b-{i}", attributes: {level: 1}, activity: Available}
  c: {count: 1, name: "c-{i}", attributes: {level: 3}, activity: Available}
  d: {count: 1, name: "d-{i}", attributes: {level: 3}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)",
                                dir);
  const Run run = run_once(sc);
  // Longest idle alone would pick a-1 first. Level 3 first: c-1 and d-1 tie, both idle since 0:
  // scenario order gives c-1. At 20 c-1 is idle since 10 and d-1 since 0: d-1. Then c-1 (the last
  // level 3), b-1 (level 1), and a-1 (no level) last.
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(0 reservation.created task=0 worker=c-1 queue=Q
20 reservation.created task=1 worker=d-1 queue=Q
30 reservation.created task=2 worker=c-1 queue=Q
40 reservation.created task=3 worker=b-1 queue=Q
50 reservation.created task=4 worker=a-1 queue=Q
)");
}

namespace {

// Two steps: First (s-1 never answers, t-1 accepts after 5 s), then Second (z-1).
std::string advances_step_yaml(bool advances) {
  return std::string(R"(
horizon: 1h
task_queues:
  First: {target_workers: "skill == 'first'"}
  Second: {target_workers: "skill == 'second'"}
workflows:
  wf:
    task_reservation_timeout: 30s
    reservation_timeout_advances_step: )") +
         (advances ? "true" : "false") + R"(
    configuration:
      task_routing:
        filters:
          - {expression: "1==1", targets: [{queue: First, timeout: 100}, {queue: Second}]}
behaviors:
  asleep: {outcome: {no_response: 1}}
  fast: {response_time: 5s}
workers:
  s: {count: 1, name: "s-{i}", attributes: {skill: first}, behavior: asleep, activity: Available}
  t: {count: 1, name: "t-{i}", attributes: {skill: first}, behavior: fast, activity: Available}
  z: {count: 1, name: "z-{i}", attributes: {skill: second}, behavior: fast, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)";
}

const std::vector<EventType> kStepAndOffers = {
    EventType::workflow_target_matched, EventType::task_queue_moved,
    EventType::task_queue_timeout,      EventType::reservation_created,
    EventType::reservation_accepted,    EventType::reservation_rejected,
    EventType::reservation_timeout,     EventType::worker_activity_update};

}  // namespace

TEST_CASE("by default a timed-out reservation re-offers the task in the same step", "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(advances_step_yaml(false), dir);
  const Run run = run_once(sc);
  // s-1 (first in scenario order) never answers; at 40 it is parked Offline and the task, still
  // within its 100 s step, goes to t-1 in First.
  CHECK(joined(timeline(sc, run.events, kStepAndOffers)) ==
        R"(10 workflow.target-matched task=0 queue=First
10 reservation.created task=0 worker=s-1 queue=First
40 reservation.timeout task=0 worker=s-1 queue=First
40 worker.activity.update worker=s-1 activity=Offline
40 reservation.created task=0 worker=t-1 queue=First
45 reservation.accepted task=0 worker=t-1 queue=First
)");
}

TEST_CASE("reservation_timeout_advances_step moves a timed-out task to the next step at once",
          "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(advances_step_yaml(true), dir);
  const Run run = run_once(sc);
  // The same start, but at 40 the task leaves First (t-1 idle there) for Second, 60 s before the
  // step's deadline; no task-queue.timeout, since the step did not time out.
  CHECK(joined(timeline(sc, run.events, kStepAndOffers)) ==
        R"(10 workflow.target-matched task=0 queue=First
10 reservation.created task=0 worker=s-1 queue=First
40 reservation.timeout task=0 worker=s-1 queue=First
40 worker.activity.update worker=s-1 activity=Offline
40 workflow.target-matched task=0 queue=Second
40 task-queue.moved task=0 queue=Second
40 reservation.created task=0 worker=z-1 queue=Second
45 reservation.accepted task=0 worker=z-1 queue=Second
)");
}

TEST_CASE("reservation_timeout_advances_step on the last step re-offers the task there",
          "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    task_reservation_timeout: 30s
    reservation_timeout_advances_step: true
    configuration: {task_routing: {filters: [{expression: "1==1", targets: [{queue: Q}]}]}}
behaviors:
  asleep: {outcome: {no_response: 1}}
  fast: {response_time: 5s}
workers:
  s: {count: 1, name: "s-{i}", behavior: asleep, activity: Available}
  t: {count: 1, name: "t-{i}", behavior: fast, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kStepAndOffers)) ==
        R"(10 workflow.target-matched task=0 queue=Q
10 reservation.created task=0 worker=s-1 queue=Q
40 reservation.timeout task=0 worker=s-1 queue=Q
40 worker.activity.update worker=s-1 activity=Offline
40 reservation.created task=0 worker=t-1 queue=Q
45 reservation.accepted task=0 worker=t-1 queue=Q
)");
}

namespace {

// First (timeout 20 s) then Second. In First, slow-1 answers 25 s after the offer and late-1 only
// becomes available at 32; z-1 waits in Second.
std::string deadline_during_offer_yaml(const std::string& outcome) {
  return R"(
horizon: 1h
task_queues:
  First: {target_workers: "skill == 'first'"}
  Second: {target_workers: "skill == 'second'"}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {expression: "1==1", targets: [{queue: First, timeout: 20}, {queue: Second}]}
behaviors:
  slow: {outcome: {)" +
         outcome + R"(: 1}, response_time: 25s}
workers:
  slow: {count: 1, name: "slow-{i}", attributes: {skill: first}, behavior: slow, activity: Available}
  late: {count: 1, name: "late-{i}", attributes: {skill: first}, activity: Offline,
         schedule: [{at: 32s, activity: Available}]}
  z: {count: 1, name: "z-{i}", attributes: {skill: second}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)";
}

}  // namespace

TEST_CASE("a step deadline passing while an offer is pending moves the task on when the offer ends",
          "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(deadline_during_offer_yaml("reject"), dir);
  const Run run = run_once(sc);
  // The deadline (t = 30) passes while slow-1's offer is pending: the task stays in First, and
  // late-1, available at 32, is not offered it (no new offers in an expired step). slow-1 rejects
  // at 35 and the task moves on to Second at once.
  CHECK(joined(timeline(sc, run.events, kStepAndOffers)) ==
        R"(10 workflow.target-matched task=0 queue=First
10 reservation.created task=0 worker=slow-1 queue=First
32 worker.activity.update worker=late-1 activity=Available
35 reservation.rejected task=0 worker=slow-1 queue=First
35 task-queue.timeout task=0 queue=First
35 workflow.target-matched task=0 queue=Second
35 task-queue.moved task=0 queue=Second
35 reservation.created task=0 worker=z-1 queue=Second
35 reservation.accepted task=0 worker=z-1 queue=Second
)");
}

TEST_CASE("an offer accepted after its step's deadline keeps the task in that step", "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(deadline_during_offer_yaml("accept"), dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kStepAndOffers)) ==
        R"(10 workflow.target-matched task=0 queue=First
10 reservation.created task=0 worker=slow-1 queue=First
32 worker.activity.update worker=late-1 activity=Available
35 reservation.accepted task=0 worker=slow-1 queue=First
)");
}

TEST_CASE("a task that reaches a step after that step's deadline is not offered there",
          "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n0\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues:
  First: {target_workers: "skill == 'first'"}
  Second: {target_workers: "skill == 'second'"}
  Third: {target_workers: "skill == 'third'"}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - expression: "1==1"
            targets: [{queue: First, timeout: 10}, {queue: Second, timeout: 10}, {queue: Third}]
behaviors:
  slow: {outcome: {reject: 1}, response_time: 25s}
workers:
  slow: {count: 1, name: "slow-{i}", attributes: {skill: first}, behavior: slow, activity: Available}
  s: {count: 1, name: "s-{i}", attributes: {skill: second}, activity: Available}
  t: {count: 1, name: "t-{i}", attributes: {skill: third}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  // slow-1's offer outlives both First's deadline (age 10) and Second's (age 20). When it ends at
  // 25 the task passes through Second, whose deadline has passed, without an offer to s-1, and is
  // offered in Third.
  CHECK(joined(timeline(sc, run.events, kStepAndOffers)) ==
        R"(0 workflow.target-matched task=0 queue=First
0 reservation.created task=0 worker=slow-1 queue=First
25 reservation.rejected task=0 worker=slow-1 queue=First
25 task-queue.timeout task=0 queue=First
25 workflow.target-matched task=0 queue=Second
25 task-queue.moved task=0 queue=Second
25 task-queue.timeout task=0 queue=Second
25 workflow.target-matched task=0 queue=Third
25 task-queue.moved task=0 queue=Third
25 reservation.created task=0 worker=t-1 queue=Third
25 reservation.accepted task=0 worker=t-1 queue=Third
)");
}

TEST_CASE("after the last timed target of a filter the next matching filter applies", "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time,type\n10,sales\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues:
  Sales: {target_workers: "skill == 'sales'"}
  Senior: {target_workers: "skill == 'senior'"}
  Support: {target_workers: "skill == 'support'"}
  Everyone: {}
  Overflow: {}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - expression: "type == 'sales'"
            targets: [{queue: Sales, timeout: 20}, {queue: Senior, timeout: 20}]
          - {expression: "type == 'support'", targets: [{queue: Support}]}
          - {expression: "1==1", targets: [{queue: Everyone, timeout: 30}]}
        default_filter: {queue: Overflow}
workers: {a: {count: 1, name: "a-{i}", activity: Offline}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  // The sales filter ends at age 40 (t = 50); the support filter does not match; the catch-all's
  // step counts from the moment the task entered it (50 + 30). After it no filter is left:
  // workflow.timeout, even though a default_filter exists.
  CHECK(joined(timeline(sc, run.events)) == R"(10 task.created task=0
10 workflow.entered task=0
10 workflow.target-matched task=0 queue=Sales
10 task-queue.entered task=0 queue=Sales
30 task-queue.timeout task=0 queue=Sales
30 workflow.target-matched task=0 queue=Senior
30 task-queue.moved task=0 queue=Senior
30 task-queue.entered task=0 queue=Senior
50 task-queue.timeout task=0 queue=Senior
50 workflow.target-matched task=0 queue=Everyone
50 task-queue.moved task=0 queue=Everyone
50 task-queue.entered task=0 queue=Everyone
80 task-queue.timeout task=0 queue=Everyone
80 workflow.timeout task=0 queue=Everyone
80 task.canceled task=0 queue=Everyone reason=Task canceled on Workflow timeout
)");
}

TEST_CASE(
    "a task matching no filter in a workflow without default_filter is canceled on workflow "
    "timeout",
    "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time,type\n10,support\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Sales: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "type == 'sales'", targets: [{queue: Sales}]}]
workers: {a: {count: 1, name: "a-{i}", activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events)) == R"(10 task.created task=0
10 workflow.entered task=0
10 workflow.timeout task=0
10 task.canceled task=0 reason=Task canceled on Workflow timeout
)");
}

TEST_CASE("a worker in two queues takes the best head task across them: priority, then age",
          "[routing]") {
  TempDir dir;
  dir.write("calls.csv",
            "time,q,priority\n"
            "0,A,0\n"
            "10,B,0\n"
            "20,A,0\n"
            "30,A,5\n"
            "40,B,5\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {A: {}, B: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "q == 'A'", targets: [{queue: A}]}]
        default_filter: {queue: B}
workers: {w: {count: 1, name: "w-{i}", activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 100s}}
)",
                                dir);
  const Run run = run_once(sc);
  // w-1 is busy with task 0 until 100. Priority 5 first: task 3 (A, older) then task 4 (B); then
  // priority 0 by age: task 1 (B, created 10) before task 2 (A, created 20).
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(0 reservation.created task=0 worker=w-1 queue=A
100 reservation.created task=3 worker=w-1 queue=A
200 reservation.created task=4 worker=w-1 queue=B
300 reservation.created task=1 worker=w-1 queue=B
400 reservation.created task=2 worker=w-1 queue=A
)");
}

namespace {

// A FIFO queue F and a LIFO queue L served by the same worker; L's tasks have a higher priority.
Run run_fifo_and_lifo(const std::string& order, Scenario& sc) {
  TempDir dir;
  dir.write("calls.csv", "time,q,priority\n0,F,0\n10,F,0\n20,L,9\n30,L,9\n");
  sc = load_yaml(R"(
horizon: 1h
workspace: {prioritize_queue_order: )" +
                     order + R"(}
task_queues: {F: {task_order: FIFO}, L: {task_order: LIFO}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "q == 'L'", targets: [{queue: L}]}]
        default_filter: {queue: F}
workers: {w: {count: 1, name: "w-{i}", activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 100s}}
)",
                 dir);
  return run_once(sc);
}

}  // namespace

TEST_CASE("prioritize_queue_order FIFO serves a FIFO queue before a LIFO one", "[routing]") {
  Scenario sc;
  const Run run = run_fifo_and_lifo("FIFO", sc);
  // The FIFO queue's task 1 goes first despite L's priority 9; then L newest first.
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(0 reservation.created task=0 worker=w-1 queue=F
100 reservation.created task=1 worker=w-1 queue=F
200 reservation.created task=3 worker=w-1 queue=L
300 reservation.created task=2 worker=w-1 queue=L
)");
}

TEST_CASE("prioritize_queue_order LIFO serves a LIFO queue before a FIFO one", "[routing]") {
  Scenario sc;
  const Run run = run_fifo_and_lifo("LIFO", sc);
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(0 reservation.created task=0 worker=w-1 queue=F
100 reservation.created task=3 worker=w-1 queue=L
200 reservation.created task=2 worker=w-1 queue=L
300 reservation.created task=1 worker=w-1 queue=F
)");
}

TEST_CASE(
    "max_reserved_workers 3 collects a third worker that becomes free while two offers are pending",
    "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {max_reserved_workers: 3}}
workflows: {wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
behaviors: {slow: {response_time: 20s}, quick: {response_time: 2s}}
workers:
  a: {count: 1, name: "a-{i}", behavior: slow, activity: Available}
  b: {count: 1, name: "b-{i}", behavior: slow, activity: Available}
  c: {count: 1, name: "c-{i}", behavior: quick, activity: Offline, schedule: [{at: 15s, activity: Available}]}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  // Two idle workers get offers at 10; c-1 becomes available at 15 and gets the third. It accepts
  // first (17) and the two slow offers are rescinded.
  CHECK(joined(timeline(sc, run.events,
                        {EventType::reservation_created, EventType::reservation_accepted,
                         EventType::reservation_rescinded, EventType::worker_activity_update,
                         EventType::task_completed})) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
10 reservation.created task=0 worker=b-1 queue=Q
15 worker.activity.update worker=c-1 activity=Available
15 reservation.created task=0 worker=c-1 queue=Q
17 reservation.accepted task=0 worker=c-1 queue=Q
17 reservation.rescinded task=0 worker=a-1 queue=Q
17 reservation.rescinded task=0 worker=b-1 queue=Q
77 task.completed task=0 worker=c-1 queue=Q
)");
}

TEST_CASE("a filter on taskrouter.currentHour routes by the simulated time of day", "[routing]") {
  TempDir dir;
  // Time 0 is 08:00:00 UTC: 3599 s is 08:59:59, 3600 s is 09:00:00.
  dir.write("calls.csv", "time\n3599\n3600\n");
  const Scenario sc = load_yaml(R"(
start: 2026-03-02T08:00:00Z
horizon: 2h
task_queues:
  Early: {target_workers: "shift == 'early'"}
  Late: {target_workers: "shift == 'late'"}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "taskrouter.currentHour < 9", targets: [{queue: Early}]}]
        default_filter: {queue: Late}
workers:
  e: {count: 1, name: "e-{i}", attributes: {shift: early}, activity: Available}
  l: {count: 1, name: "l-{i}", attributes: {shift: late}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 10s}}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(3599 reservation.created task=0 worker=e-1 queue=Early
3600 reservation.created task=1 worker=l-1 queue=Late
)");
}

TEST_CASE(
    "a configuration_file whose targets name queues by sid routes to the queues declaring them",
    "[routing]") {
  TempDir dir;
  dir.write("calls.csv", "time,language,handle_time\n10,es,100\n20,en,15\n30,es,100\n");
  const Scenario sc = load_yaml(std::string(R"(
horizon: 1h
task_queues:
  English: {sid: WQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, target_workers: "languages HAS 'en'"}
  Spanish: {sid: WQbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, target_workers: "languages HAS 'es'"}
  Everyone: {sid: WQcccccccccccccccccccccccccccccccc}
workflows:
  wf: {configuration_file: ")") + TRSIM_TEST_DATA_DIR +
                                    R"(/routing/workflow_by_sid.json"}
workers:
  es: {count: 1, name: "es-{i}", attributes: {languages: [es]}, activity: Available}
  en: {count: 1, name: "en-{i}", attributes: {languages: [en]}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)",
                                dir);
  REQUIRE(sc.task_queues[sc.queue_by_name_or_none("Spanish")].sid ==
          "WQbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
  const Run run = run_once(sc);
  // Spanish first (20 s), then Everyone; everything else goes to English (the default filter).
  // Task 2 waits for the busy es-1, then moves to Everyone at age 20 and goes to en-1.
  CHECK(joined(timeline(sc, run.events, kRouting)) ==
        R"(10 workflow.target-matched task=0 queue=Spanish
10 task-queue.entered task=0 queue=Spanish
10 reservation.created task=0 worker=es-1 queue=Spanish
20 workflow.target-matched task=1 queue=English
20 task-queue.entered task=1 queue=English
20 reservation.created task=1 worker=en-1 queue=English
30 workflow.target-matched task=2 queue=Spanish
30 task-queue.entered task=2 queue=Spanish
50 task-queue.timeout task=2 queue=Spanish
50 workflow.target-matched task=2 queue=Everyone
50 task-queue.moved task=2 queue=Everyone
50 task-queue.entered task=2 queue=Everyone
50 reservation.created task=2 worker=en-1 queue=Everyone
)");
}
