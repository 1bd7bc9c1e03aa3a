// Timeline tests: each transition of TaskRouter's task, reservation and worker lifecycle, with the
// expected timeline written out and asserted to the microsecond. Arrivals come from trace files
// so that every time is exact.
#include <catch2/catch.hpp>

#include "support/scenario_fixture.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

// A workspace with one queue Q (everyone), one workflow `wf` routing everything to Q, and a
// 30 s reservation timeout. Each test adds behaviours, workers and arrivals.
std::string base_yaml(const std::string& extra, const std::string& queue_extra = "") {
  return R"(
name: timeline
horizon: 2h
workspace: {timeout_activity: Offline, default_activity: Offline}
activities: {Offline: {available: false}, Available: {available: true}, Break: {available: false}}
task_queues:
  Q: {target_workers: "1==1")" +
         queue_extra + R"(}
workflows:
  wf:
    task_reservation_timeout: 30s
    configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}
)" + extra;
}

const std::vector<EventType> kTaskAndReservation = {
    EventType::reservation_created,   EventType::reservation_accepted,
    EventType::reservation_rejected,  EventType::reservation_timeout,
    EventType::reservation_canceled,  EventType::reservation_rescinded,
    EventType::task_canceled,         EventType::task_completed,
    EventType::worker_activity_update};

}  // namespace

TEST_CASE("an accepted task is assigned, wraps up and completes on the worker", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(base_yaml(R"(
behaviors: {fast: {response_time: 5s, wrapup_time: 30s}}
workers: {a: {count: 1, name: "a-{i}", behavior: fast, activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)"),
                                dir);
  const Run run = run_once(sc);
  // created at 10, offered at once, accepted 5 s later, talks 60 s, wraps up 30 s.
  CHECK(joined(timeline(sc, run.events)) == R"(10 task.created task=0
10 workflow.entered task=0
10 workflow.target-matched task=0 queue=Q
10 task-queue.entered task=0 queue=Q
10 reservation.created task=0 worker=a-1 queue=Q
15 reservation.accepted task=0 worker=a-1 queue=Q
75 reservation.wrapup task=0 worker=a-1 queue=Q
75 task.wrapup task=0 worker=a-1 queue=Q
105 reservation.completed task=0 worker=a-1 queue=Q
105 task.completed task=0 worker=a-1 queue=Q
)");
}

TEST_CASE(
    "a timed-out worker is moved to the timeout activity and the task goes to the next worker",
    "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(base_yaml(R"(
behaviors:
  asleep: {outcome: {no_response: 1}, after_timeout: {return_after: 60s, activity: Available}}
  fast: {response_time: 5s}
workers:
  a: {count: 1, name: "a-{i}", behavior: asleep, activity: Available}
  b: {count: 1, name: "b-{i}", behavior: fast, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)"),
                                dir);
  const Run run = run_once(sc);
  // a-1 and b-1 are equally idle: scenario order offers a-1 first. It never answers: at 10+30 the
  // reservation times out, a-1 is parked in Offline and the task goes to b-1; a-1 comes back 60 s
  // later; b-1 accepts at 45 and completes at 105.
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
40 reservation.timeout task=0 worker=a-1 queue=Q
40 worker.activity.update worker=a-1 activity=Offline
40 reservation.created task=0 worker=b-1 queue=Q
45 reservation.accepted task=0 worker=b-1 queue=Q
100 worker.activity.update worker=a-1 activity=Available
105 task.completed task=0 worker=b-1 queue=Q
)");
}

TEST_CASE("a rejecting worker moves to its reject activity and the task is offered again",
          "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(base_yaml(R"(
behaviors:
  picky: {outcome: {reject: 1}, response_time: 2s, reject_activity: Break}
  fast: {response_time: 5s}
workers:
  a: {count: 1, name: "a-{i}", behavior: picky, activity: Available}
  b: {count: 1, name: "b-{i}", behavior: fast, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)"),
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
12 reservation.rejected task=0 worker=a-1 queue=Q
12 worker.activity.update worker=a-1 activity=Break
12 reservation.created task=0 worker=b-1 queue=Q
17 reservation.accepted task=0 worker=b-1 queue=Q
77 task.completed task=0 worker=b-1 queue=Q
)");
}

TEST_CASE(
    "a rejecting worker with after_reject comes back to its activity after return_after, and "
    "takes the next task",
    "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n100\n");
  // TaskRouter moves a rejecting worker to the activity the reject names ({ "instruction":
  // "reject", "activity_sid": "WA0123456789abcdef0123456789abcdef" }, docs/api/errors/40100) and
  // leaves it there; after_reject (ours, like after_timeout) models the agent coming back.
  const Scenario sc = load_yaml(base_yaml(R"(
behaviors:
  picky:
    outcome: {reject: 1}
    response_time: 2s
    reject_activity: Break
    after_reject: {return_after: 60s, activity: Available}
workers:
  a: {count: 1, name: "a-{i}", behavior: picky, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s, patience: 20s}}
)"),
                                dir);
  const Run run = run_once(sc);
  // a-1 rejects at 12 and goes to Break; the caller hangs up at 30; a-1 is back at 72 and the
  // second call (100) is offered to it and rejected again at 102, back at 162.
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
12 reservation.rejected task=0 worker=a-1 queue=Q
12 worker.activity.update worker=a-1 activity=Break
30 task.canceled task=0 queue=Q reason=Task abandoned
72 worker.activity.update worker=a-1 activity=Available
100 reservation.created task=1 worker=a-1 queue=Q
102 reservation.rejected task=1 worker=a-1 queue=Q
102 worker.activity.update worker=a-1 activity=Break
120 task.canceled task=1 queue=Q reason=Task abandoned
162 worker.activity.update worker=a-1 activity=Available
)");
}

TEST_CASE("a task rejected 1000 times is canceled", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  // The only worker rejects at once and stays available: TaskRouter offers it the same task again
  // and again until the 1000-transition cap ends the loop, all at t=10.
  const Scenario sc = load_yaml(base_yaml(R"(
behaviors: {no: {outcome: {reject: 1}}}
workers: {a: {count: 1, name: "a-{i}", behavior: no, activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)"),
                                dir);
  const Run run = run_once(sc);
  const auto lines =
      timeline(sc, run.events, {EventType::reservation_created, EventType::task_canceled});
  REQUIRE(lines.size() == 1001);
  CHECK(lines[999] == "10 reservation.created task=0 worker=a-1 queue=Q");
  CHECK(lines[1000] == "10 task.canceled task=0 queue=Q reason=" +
                           std::string(cancel_reason_text(CancelReason::transition_limit)));
}

TEST_CASE("a task whose TTL expires while waiting is canceled", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(base_yaml(R"(
workers: {a: {count: 1, name: "a-{i}", activity: Offline}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s, timeout: 60s}}
)"),
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, {EventType::task_canceled})) ==
        "70 task.canceled task=0 queue=Q reason=Task TTL Exceeded\n");
}

TEST_CASE("an abandoning caller cancels the task and its pending reservation", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(base_yaml(R"(
behaviors: {slow: {response_time: 25s}}
workers: {a: {count: 1, name: "a-{i}", behavior: slow, activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s, patience: 20s}}
)"),
                                dir);
  const Run run = run_once(sc);
  // The worker would accept at 35, but the caller hangs up at 30: the reservation is canceled and
  // the worker stays available (no timeout activity).
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        "10 reservation.created task=0 worker=a-1 queue=Q\n"
        "30 reservation.canceled task=0 worker=a-1 queue=Q\n"
        "30 task.canceled task=0 queue=Q reason=" +
            std::string(cancel_reason_text(CancelReason::abandoned)) + "\n");
}

TEST_CASE("a response at the reservation deadline is too late", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(base_yaml(R"(
behaviors: {late: {response_time: 30s}}
workers: {a: {count: 1, name: "a-{i}", behavior: late, activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s, timeout: 35s}}
)"),
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        "10 reservation.created task=0 worker=a-1 queue=Q\n"
        "40 reservation.timeout task=0 worker=a-1 queue=Q\n"
        "40 worker.activity.update worker=a-1 activity=Offline\n"
        "45 task.canceled task=0 queue=Q reason=Task TTL Exceeded\n");
}

TEST_CASE("target timeouts are cumulative and measured against the task's age", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n5\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues:
  Q1: {target_workers: "skill == 'one'"}
  Q2: {target_workers: "skill == 'two'"}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - filter_friendly_name: two-steps
            expression: "1==1"
            targets: [{queue: Q1, timeout: 10}, {queue: Q2, timeout: 10}]
        default_filter: {queue: Q1}
workers: {a: {count: 1, name: "a-{i}", attributes: {skill: none}, activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  // TaskRouter's documented example: two 10 s targets; the second ends at age 20 s (t = 25).
  CHECK(joined(timeline(sc, run.events)) == R"(5 task.created task=0
5 workflow.entered task=0
5 workflow.target-matched task=0 queue=Q1
5 task-queue.entered task=0 queue=Q1
15 task-queue.timeout task=0 queue=Q1
15 workflow.target-matched task=0 queue=Q2
15 task-queue.moved task=0 queue=Q2
15 task-queue.entered task=0 queue=Q2
25 task-queue.timeout task=0 queue=Q2
25 workflow.timeout task=0 queue=Q2
25 task.canceled task=0 queue=Q2 reason=Task canceled on Workflow timeout
)");
}

TEST_CASE("parallel offers: the first accept wins and the others are rescinded", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(base_yaml(R"(
behaviors: {quick: {response_time: 3s}, slow: {response_time: 5s}}
workers:
  a: {count: 1, name: "a-{i}", behavior: slow, activity: Available}
  b: {count: 1, name: "b-{i}", behavior: quick, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                          ", max_reserved_workers: 2"),
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
10 reservation.created task=0 worker=b-1 queue=Q
13 reservation.accepted task=0 worker=b-1 queue=Q
13 reservation.rescinded task=0 worker=a-1 queue=Q
73 task.completed task=0 worker=b-1 queue=Q
)");
}

TEST_CASE("per-channel capacity gates offers in a multitasking workspace", "[timeline]") {
  TempDir dir;
  dir.write("chats.csv", "time\n0\n0\n0\n");
  const Scenario sc = load_yaml(base_yaml(R"(
workers: {a: {count: 1, name: "a-{i}", channels: {chat: 2}, activity: Available}}
arrivals: {chats: {workflow: wf, channel: chat, trace: chats.csv, handle_time: 100s}}
)"),
                                dir);
  const Run run = run_once(sc);
  // Two chats at once; the third waits until the first completes at 100.
  CHECK(joined(timeline(sc, run.events,
                        {EventType::reservation_created, EventType::task_completed})) ==
        R"(0 reservation.created task=0 worker=a-1 queue=Q
0 reservation.created task=1 worker=a-1 queue=Q
100 task.completed task=0 worker=a-1 queue=Q
100 reservation.created task=2 worker=a-1 queue=Q
100 task.completed task=1 worker=a-1 queue=Q
200 task.completed task=2 worker=a-1 queue=Q
)");
}

TEST_CASE("single-tasking: reservation, assignment and after-task activities", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
workspace: {multi_task: false}
activities:
  Offline: {available: false}
  Available: {available: true}
  Reserved: {available: false}
  Busy: {available: false}
task_queues: {Q: {reservation_activity: Reserved, assignment_activity: Busy}}
workflows: {wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
behaviors: {fast: {response_time: 5s, wrapup_time: 10s}}
workers: {a: {count: 1, name: "a-{i}", behavior: fast, activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
10 worker.activity.update worker=a-1 activity=Reserved
15 reservation.accepted task=0 worker=a-1 queue=Q
15 worker.activity.update worker=a-1 activity=Busy
85 task.completed task=0 worker=a-1 queue=Q
85 worker.activity.update worker=a-1 activity=Available
)");
}

TEST_CASE("a FIFO queue offers higher priority first, then older tasks", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time,priority\n0,0\n10,0\n20,5\n30,0\n");
  const Scenario sc = load_yaml(base_yaml(R"(
workers: {a: {count: 1, name: "a-{i}", activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 100s}}
)"),
                                dir);
  const Run run = run_once(sc);
  // Task 0 holds the worker until 100; then priority 5 (task 2) goes first, then 1 and 3 by age.
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(0 reservation.created task=0 worker=a-1 queue=Q
100 reservation.created task=2 worker=a-1 queue=Q
200 reservation.created task=1 worker=a-1 queue=Q
300 reservation.created task=3 worker=a-1 queue=Q
)");
}

TEST_CASE("a LIFO queue offers the newest task first", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time,priority\n0,0\n10,9\n20,0\n");
  const Scenario sc = load_yaml(base_yaml(R"(
workers: {a: {count: 1, name: "a-{i}", activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 100s}}
)",
                                          ", task_order: LIFO"),
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(0 reservation.created task=0 worker=a-1 queue=Q
100 reservation.created task=2 worker=a-1 queue=Q
200 reservation.created task=1 worker=a-1 queue=Q
)");
}

TEST_CASE("the longest idle worker gets the next task", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time,handle_time\n0,10\n20,10\n30,10\n");
  const Scenario sc = load_yaml(base_yaml(R"(
workers:
  a: {count: 1, name: "a-{i}", activity: Available}
  b: {count: 1, name: "b-{i}", activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv}}
)"),
                                dir);
  const Run run = run_once(sc);
  // Both idle since 0: a-1 by scenario order. a-1 is idle since 10, b-1 since 0: b-1 takes task 1.
  // At 30 a-1 (idle since 10) has waited longer than b-1 (offered at 20).
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(0 reservation.created task=0 worker=a-1 queue=Q
20 reservation.created task=1 worker=b-1 queue=Q
30 reservation.created task=2 worker=a-1 queue=Q
)");
}

TEST_CASE("a scheduled break takes the worker out and brings it back", "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n150\n");
  const Scenario sc = load_yaml(base_yaml(R"(
workers:
  a: {count: 1, name: "a-{i}", activity: Available, schedule: [{at: 100s, activity: Break}, {at: 200s, activity: Available}]}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 10s}}
)"),
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        R"(100 worker.activity.update worker=a-1 activity=Break
200 worker.activity.update worker=a-1 activity=Available
200 reservation.created task=0 worker=a-1 queue=Q
200 reservation.accepted task=0 worker=a-1 queue=Q
210 task.completed task=0 worker=a-1 queue=Q
)");
}

TEST_CASE("a scheduled break with reject_pending_reservations rejects the pending offer",
          "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(base_yaml(R"(
behaviors:
  asleep: {outcome: {no_response: 1}}
  fast: {response_time: 5s}
workers:
  a: {count: 1, name: "a-{i}", behavior: asleep, activity: Available,
      schedule: [{at: 20s, activity: Break, reject_pending_reservations: true}]}
  b: {count: 1, name: "b-{i}", behavior: fast, activity: Offline, schedule: [{at: 15s, activity: Available}]}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)"),
                                dir);
  const Run run = run_once(sc);
  // a-1 is offered the task at 10 and never answers; at 20 its break starts and rejects the
  // pending offer (no timeout, so no parking in Offline); b-1, available since 15, takes it.
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
15 worker.activity.update worker=b-1 activity=Available
20 reservation.rejected task=0 worker=a-1 queue=Q
20 worker.activity.update worker=a-1 activity=Break
20 reservation.created task=0 worker=b-1 queue=Q
25 reservation.accepted task=0 worker=b-1 queue=Q
85 task.completed task=0 worker=b-1 queue=Q
)");
}

TEST_CASE(
    "accepting and rejecting agents answer at their own speeds, and a never-returning agent stays "
    "parked",
    "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n20\n");
  const Scenario sc = load_yaml(base_yaml(R"(
behaviors:
  moody: {outcome: {reject: 1}, response_time: 9s, reject_response_time: 2s, reject_activity: Break}
  eager: {response_time: 9s, accept_response_time: 4s}
  gone: {outcome: {no_response: 1}, after_timeout: {return_after: never}}
workers:
  a: {count: 1, name: "a-{i}", behavior: gone, activity: Available}
  b: {count: 1, name: "b-{i}", behavior: moody, activity: Available}
  c: {count: 1, name: "c-{i}", behavior: eager, activity: Available}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 100s}}
)"),
                                dir);
  const Run run = run_once(sc);
  // Task 0 at 10 goes to a-1 (scenario order), which never answers: parked in Offline at 40 for
  // good. Task 1 at 20 goes to b-1, which rejects after its reject_response_time (2 s, not 9 s),
  // then c-1 accepts after its accept_response_time (4 s). Task 0, back at 40, waits for c-1.
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
20 reservation.created task=1 worker=b-1 queue=Q
22 reservation.rejected task=1 worker=b-1 queue=Q
22 worker.activity.update worker=b-1 activity=Break
22 reservation.created task=1 worker=c-1 queue=Q
26 reservation.accepted task=1 worker=c-1 queue=Q
40 reservation.timeout task=0 worker=a-1 queue=Q
40 worker.activity.update worker=a-1 activity=Offline
126 task.completed task=1 worker=c-1 queue=Q
126 reservation.created task=0 worker=c-1 queue=Q
130 reservation.accepted task=0 worker=c-1 queue=Q
230 task.completed task=0 worker=c-1 queue=Q
)");
}

TEST_CASE("single-tasking: after_task_activity overrides the activity held before the offer",
          "[timeline]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
workspace: {multi_task: false}
activities: {Offline: {available: false}, Available: {available: true}, AfterCall: {available: false}}
task_queues: {Q: {}}
workflows: {wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
behaviors: {tidy: {after_task_activity: AfterCall}}
workers: {a: {count: 1, name: "a-{i}", behavior: tidy, activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 60s}}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kTaskAndReservation)) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
10 reservation.accepted task=0 worker=a-1 queue=Q
70 task.completed task=0 worker=a-1 queue=Q
70 worker.activity.update worker=a-1 activity=AfterCall
)");
}
