// Timeline tests for the routing rules real TaskRouter configurations lean on (issue 15): each
// test quotes the TaskRouter documentation line it follows, states the whole expected timeline,
// and failed on the behaviour before the fix.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

const std::vector<EventType> kRouting = {
    EventType::workflow_target_matched, EventType::task_queue_entered, EventType::task_queue_moved,
    EventType::task_queue_timeout,      EventType::workflow_timeout,   EventType::workflow_skipped,
    EventType::task_canceled,           EventType::reservation_created};

const std::vector<EventType> kOffers = {EventType::reservation_created,
                                        EventType::reservation_accepted, EventType::task_completed};

}  // namespace

// TaskRouter, "Skipping based on Worker availability": "workers.WAxx: The number of workers in
// queue that are in the activity state corresponding to WAxx, where WAxx is a valid ActivitySid".
// trsim also accepts the activity's friendly name (`workers.Break`); both count the step queue's
// workers in that activity.
TEST_CASE("skip_if workers.<ActivitySid> and workers.<activity name> count the queue's workers",
          "[routing][fidelity]") {
  TempDir dir;
  dir.write("calls.csv", "time,form\n10,sid\n20,name\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
activities:
  Available: {available: true}
  Offline: {available: false}
  Break: {available: false, sid: WA0123456789abcdef0123456789abcdef}
task_queues:
  Sales: {target_workers: "skill == 'sales'"}
  Support: {target_workers: "skill == 'support'"}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - expression: "form == 'sid'"
            targets:
              - {queue: Sales, timeout: 60, skip_if: "workers.WA0123456789abcdef0123456789abcdef >= 1"}
              - {queue: Support}
          - expression: "form == 'name'"
            targets:
              - {queue: Sales, timeout: 60, skip_if: "workers.Break >= 1"}
              - {queue: Support}
workers:
  s: {count: 1, name: "s-{i}", attributes: {skill: sales}, activity: Break}
  p: {count: 1, name: "p-{i}", attributes: {skill: support}, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 5s}}
)",
                                dir);
  const Run run = run_once(sc);
  // s-1, the Sales queue's only worker, is on Break: both forms count 1, so each task skips Sales
  // at once and p-1 takes it. (Before, the sid form counted 0 and the task waited 60 s in Sales.)
  CHECK(joined(timeline(sc, run.events, kRouting)) ==
        R"(10 workflow.target-matched task=0 queue=Sales
10 task-queue.entered task=0 queue=Sales
10 workflow.target-matched task=0 queue=Support
10 task-queue.moved task=0 queue=Support
10 task-queue.entered task=0 queue=Support
10 reservation.created task=0 worker=p-1 queue=Support
20 workflow.target-matched task=1 queue=Sales
20 task-queue.entered task=1 queue=Sales
20 workflow.target-matched task=1 queue=Support
20 task-queue.moved task=1 queue=Support
20 task-queue.entered task=1 queue=Support
20 reservation.created task=1 worker=p-1 queue=Support
)");
}

TEST_CASE("skip_if naming no activity is a load error with a did-you-mean", "[routing][fidelity]") {
  const LoadResult result = load_scenario_text(R"(
activities: {Available: {available: true}, Break: {available: false}, Offline: {available: false}}
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {expression: "1==1", targets: [{queue: Q, timeout: 5, skip_if: "workers.break > 0"}]}
        default_filter: {queue: Q}
workers: {a: {count: 1, activity: Available}}
arrivals: {calls: {workflow: wf, rate: 1/m, handle_time: 1m}}
)",
                                               "test.yaml", ".", LoadOptions{});
  REQUIRE_FALSE(result.ok());
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(result.diagnostics[0].format() ==
        "test.yaml:9:85: unknown activity 'break' in 'workers.break' (skip_if counts the step "
        "queue's workers by activity name or sid); did you mean 'Break'?");
}

// TaskRouter, Worker Channel resource: assigned_tasks is "the total number of Tasks assigned to
// Worker for the TaskChannel type"; available_capacity_percentage "the current percentage of
// capacity the TaskChannel has available". A pending reservation is not an assigned task.
TEST_CASE("worker.channel.<ch>.assigned_tasks counts assigned tasks, not pending offers",
          "[routing][fidelity]") {
  TempDir dir;
  dir.write("calls.csv", "time\n0\n5\n20\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {expression: "1==1", targets: [{queue: Q, expression: "worker.channel.voice.assigned_tasks == 0"}]}
behaviors: {slow: {response_time: 10s}}
workers:
  a: {count: 1, name: "a-{i}", channels: {voice: 3}, behavior: slow, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 100s}}
)",
                                dir);
  const Run run = run_once(sc);
  // At 5 a-1 holds task 0's offer, still pending (it answers at 10): no task is assigned to it, so
  // it is offered task 1 too. At 20 it has two assigned tasks: task 2 waits until both end (115).
  // (Before, the pending offer counted: task 1 waited until 110 and task 2 until 220.)
  CHECK(joined(timeline(sc, run.events, kOffers)) ==
        R"(0 reservation.created task=0 worker=a-1 queue=Q
5 reservation.created task=1 worker=a-1 queue=Q
10 reservation.accepted task=0 worker=a-1 queue=Q
15 reservation.accepted task=1 worker=a-1 queue=Q
110 task.completed task=0 worker=a-1 queue=Q
115 task.completed task=1 worker=a-1 queue=Q
115 reservation.created task=2 worker=a-1 queue=Q
125 reservation.accepted task=2 worker=a-1 queue=Q
225 task.completed task=2 worker=a-1 queue=Q
)");
}

// TaskRouter, Activity based routing: "worker.activity_sid: The SID of the Activity Resource"
// ("worker.activity_sid == 'WAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'"); the Worker resource's other
// fields (sid, friendly_name, activity_name, available) are readable the same way.
TEST_CASE("worker.activity_sid, worker.sid, worker.friendly_name and worker.available in a target",
          "[routing][fidelity]") {
  TempDir dir;
  dir.write("calls.csv", "time,want\n0,sid\n1,name\n2,activity\n3,available\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
activities:
  Available: {available: true}
  Offline: {available: false}
  Priority: {available: true, sid: WAfedcba9876543210fedcba9876543210}
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - expression: "want == 'sid'"
            targets: [{queue: Q, expression: "worker.sid == 'WK0000000000000000000000000000000c'"}]
          - expression: "want == 'name'"
            targets: [{queue: Q, expression: "worker.friendly_name == 'b-1'"}]
          - expression: "want == 'activity'"
            targets: [{queue: Q, expression: "worker.activity_sid == 'WAfedcba9876543210fedcba9876543210'"}]
          - expression: "want == 'available'"
            targets: [{queue: Q, expression: "worker.available == true AND worker.activity_name == 'Available'"}]
workers:
  a: {count: 1, name: "a-{i}", activity: Available}
  b: {count: 1, name: "b-{i}", activity: Available}
  c: {count: 1, name: "c-{i}", sid: WK0000000000000000000000000000000c, activity: Available}
  d: {count: 1, name: "d-{i}", activity: Priority}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 100s}}
)",
                                dir);
  const Run run = run_once(sc);
  // Each task reaches only the worker its target names; before, these read as null and no task
  // was ever offered.
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(0 reservation.created task=0 worker=c-1 queue=Q
1 reservation.created task=1 worker=b-1 queue=Q
2 reservation.created task=2 worker=d-1 queue=Q
3 reservation.created task=3 worker=a-1 queue=Q
)");
}

// TaskRouter's TaskQueue statistics (OpenAPI descriptions): wait_duration_in_queue_until_accepted
// is "based on the time when the Tasks entered the TaskQueue", longest_relative_task_age_in_queue
// likewise; wait_duration_until_accepted counts from creation, "For transfers, the wait duration
// is counted from the moment the Task was created".
TEST_CASE("a queue's relative waits count from the moment the task entered that queue",
          "[statistics][fidelity]") {
  TempDir dir;
  dir.write("calls.csv",
            "time,customer_value,handle_time\n"
            "0,regular,200\n"
            "1,Gold,500\n"
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
  const MetricNode& s = run.result.statistics;
  const auto value = [&](const std::string& path) {
    const MetricNode* n = s.find(path);
    REQUIRE(n != nullptr);
    return n->value;
  };
  // Task 0 is accepted in Everyone at 0 (entered at 0), task 1 in Gold at 1 (entered at 1). Task 2
  // enters Gold at 40, moves to Everyone at 70 and is accepted there at 200 (agent-1 frees): its
  // wait is 160 s from creation, 130 s in Everyone.
  CHECK(value("task_queues.Everyone.wait_duration_until_accepted.max") == 160);
  CHECK(value("task_queues.Everyone.wait_duration_in_queue_until_accepted.max") == 130);
  CHECK(value("task_queues.Everyone.wait_duration_in_queue_until_accepted.min") == 0);
  CHECK(value("task_queues.Everyone.wait_duration_in_queue_until_accepted.total") == 130);
  CHECK(value("task_queues.Everyone.longest_relative_task_age_in_queue") == 130);
  CHECK(value("task_queues.Gold.wait_duration_in_queue_until_accepted.total") == 0);
  CHECK(value("task_queues.Gold.longest_relative_task_age_in_queue") == 30);  // task 2, 40 -> 70
  CHECK(value("task_queues.Everyone.longest_task_waiting_age") == 160);
  CHECK(value("workspace.split_by_wait_time.60.above.reservations_accepted") == 1);
  CHECK(value("workspace.split_by_wait_time.60.below.reservations_accepted") == 2);
  CHECK(value("workers.agents.tasks_assigned") == 2);
  CHECK(value("workers.gold.tasks_assigned") == 1);
}
