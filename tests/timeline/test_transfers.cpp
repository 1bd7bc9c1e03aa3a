// Timeline tests for transfers and requeues of accepted tasks (behaviors.<name>.transfer[], issue
// 15): TaskRouter's Task transfer, warm and cold, to a queue or to a worker, with the
// task.transfer-* events, the transfer's own timeout and a failed transfer going back to the
// original worker. Each test states the timeline it follows and quotes the documentation line.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/loader.hpp"
#include "trsim/runner.hpp"
#include "trsim/sink.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

// One support agent (s-1) who transfers every call when its 50 s of talk end, and two billing
// agents who answer in 5 s. One call at t=0 (and a second at 51 s where a test asks for it).
constexpr const char* kScenario = R"(
horizon: 1h
task_queues:
  Support: {target_workers: "team == 'support'"}
  Billing: {target_workers: "team == 'billing'"}
workflows:
  wf:
    task_reservation_timeout: 30
    configuration:
      task_routing:
        filters: [{expression: "1 == 1", targets: [{queue: Support}]}]
behaviors:
  support:
    wrapup_time: 10s
    transfer: [{probability: 1, mode: cold, to_queue: Billing, timeout: 60s, handle_time: 100s}]
  billing: {response_time: 5s, wrapup_time: 10s}
workers:
  s: {count: 1, name: "s-{i}", attributes: {team: support}, behavior: support, activity: Available}
  b: {count: 2, name: "b-{i}", attributes: {team: billing}, behavior: billing, activity: Available}
arrivals:
  calls: {workflow: wf, trace: calls.csv, handle_time: 50s}
)";

const std::vector<EventType> kTransferFlow = {
    EventType::task_transfer_initiated, EventType::task_transfer_attempt_failed,
    EventType::task_transfer_failed,    EventType::task_transfer_completed,
    EventType::task_queue_entered,      EventType::reservation_created,
    EventType::reservation_accepted,    EventType::reservation_rejected,
    EventType::reservation_canceled,    EventType::reservation_wrapup,
    EventType::reservation_completed,   EventType::task_canceled,
    EventType::task_completed};

Scenario load(const std::string& calls, std::vector<std::string> overrides = {}) {
  TempDir dir;
  dir.write("calls.csv", calls);
  return load_yaml(kScenario, dir, std::move(overrides));
}

double metric(const MetricNode& root, const std::string& path) {
  const MetricNode* n = &root;
  std::size_t start = 0;
  while (n != nullptr) {
    const std::size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
    n = n->child(key);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  REQUIRE(n != nullptr);
  return n->value;
}

}  // namespace

// TaskRouter's Transfer object (TaskRouter SDK, OutgoingTransfer): "mode: Transfer mode ['WARM',
// 'COLD']", "reservationSid: The Sid of the initiating Reservation"; the Call Control Concepts'
// blind (cold) transfer: "remove original agent leg from conference ... complete original task (or
// move to wrap)". The initiating reservation wraps up at once; s-1's capacity frees when its own
// wrap-up ends (60), before the billing leg ends; the second call (t=51) gets s-1 then.
TEST_CASE("a cold transfer releases the first worker at once", "[routing][transfers]") {
  const Scenario sc = load("time\n0\n51\n");
  const Run run = run_once(sc);
  const std::string text = joined(timeline(sc, run.events, kTransferFlow));
  CHECK(text.rfind(R"(0 task-queue.entered task=0 queue=Support
0 reservation.created task=0 worker=s-1 queue=Support
0 reservation.accepted task=0 worker=s-1 queue=Support
50 task.transfer-initiated task=0 worker=s-1 queue=Support mode=COLD type=QUEUE
50 reservation.wrapup task=0 worker=s-1 queue=Support
50 task-queue.entered task=0 queue=Billing
50 reservation.created task=0 worker=b-1 queue=Billing
51 task-queue.entered task=1 queue=Support
55 reservation.accepted task=0 worker=b-1 queue=Billing
55 task.transfer-completed task=0 worker=b-1 queue=Billing
60 reservation.completed task=0 worker=s-1 queue=Support
60 reservation.created task=1 worker=s-1 queue=Support
60 reservation.accepted task=1 worker=s-1 queue=Support
)",
                   0) == 0);
  // The billing leg: 100 s of talk from 55, 10 s of wrap-up; the task completes once.
  CHECK(text.find("155 reservation.wrapup task=0 worker=b-1 queue=Billing\n"
                  "165 reservation.completed task=0 worker=b-1 queue=Billing\n"
                  "165 task.completed task=0 worker=b-1 queue=Billing\n") != std::string::npos);
}

// Warm: the initiating worker stays on the call (the Call Control Concepts' warm transfer: the
// original agent stays in the conference until the new agent joins) and keeps its unit of
// capacity: it wraps up only once b-1 accepts (55) and takes the second call at 65, not 60.
TEST_CASE("a warm transfer holds the first worker until the transfer is accepted",
          "[routing][transfers]") {
  const Scenario sc = load("time\n0\n51\n", {"behaviors.support.transfer.0.mode=warm"});
  const Run run = run_once(sc);
  const std::string text = joined(timeline(sc, run.events, kTransferFlow));
  CHECK(text.rfind(R"(0 task-queue.entered task=0 queue=Support
0 reservation.created task=0 worker=s-1 queue=Support
0 reservation.accepted task=0 worker=s-1 queue=Support
50 task.transfer-initiated task=0 worker=s-1 queue=Support mode=WARM type=QUEUE
50 task-queue.entered task=0 queue=Billing
50 reservation.created task=0 worker=b-1 queue=Billing
51 task-queue.entered task=1 queue=Support
55 reservation.accepted task=0 worker=b-1 queue=Billing
55 task.transfer-completed task=0 worker=b-1 queue=Billing
55 reservation.wrapup task=0 worker=s-1 queue=Support
65 reservation.completed task=0 worker=s-1 queue=Support
65 reservation.created task=1 worker=s-1 queue=Support
)",
                   0) == 0);
}

// The transfer's own timeout: nobody in Billing is available, so the transfer fails 60 s after it
// started ("A Transfer has failed ..."; the SDK's transferFailedReason). Warm: s-1 never left the
// call and keeps the task: its wrap-up starts then (110) and the task completes with it.
TEST_CASE("a warm transfer that times out stays with the original worker", "[routing][transfers]") {
  const Scenario sc =
      load("time\n0\n", {"behaviors.support.transfer.0.mode=warm", "workers.b.activity=Offline"});
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kTransferFlow)) ==
        R"(0 task-queue.entered task=0 queue=Support
0 reservation.created task=0 worker=s-1 queue=Support
0 reservation.accepted task=0 worker=s-1 queue=Support
50 task.transfer-initiated task=0 worker=s-1 queue=Support mode=WARM type=QUEUE
50 task-queue.entered task=0 queue=Billing
110 task.transfer-failed task=0 worker=s-1 queue=Billing reason=Transfer timed out
110 reservation.wrapup task=0 worker=s-1 queue=Support
120 reservation.completed task=0 worker=s-1 queue=Support
120 task.completed task=0 worker=s-1 queue=Support
)");
}

// Cold: s-1 left the call at 50 (its reservation completed at 60), so the failed transfer is
// offered back to it in Support (known-worker style), which takes it at once; it finishes the call
// itself (no new transfer is drawn): 100 s of talk, 10 s of wrap-up. If it did not take it back
// within another timeout, the task would be canceled.
TEST_CASE("a cold transfer that times out is offered back to the original worker",
          "[routing][transfers]") {
  const Scenario sc = load("time\n0\n", {"workers.b.activity=Offline"});
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kTransferFlow)) ==
        R"(0 task-queue.entered task=0 queue=Support
0 reservation.created task=0 worker=s-1 queue=Support
0 reservation.accepted task=0 worker=s-1 queue=Support
50 task.transfer-initiated task=0 worker=s-1 queue=Support mode=COLD type=QUEUE
50 reservation.wrapup task=0 worker=s-1 queue=Support
50 task-queue.entered task=0 queue=Billing
60 reservation.completed task=0 worker=s-1 queue=Support
110 task.transfer-failed task=0 worker=s-1 queue=Billing reason=Transfer timed out
110 task-queue.entered task=0 queue=Support
110 reservation.created task=0 worker=s-1 queue=Support
110 reservation.accepted task=0 worker=s-1 queue=Support
210 reservation.wrapup task=0 worker=s-1 queue=Support
220 reservation.completed task=0 worker=s-1 queue=Support
220 task.completed task=0 worker=s-1 queue=Support
)");
}

// ... and when the original worker cannot take it back within the timeout (it went offline), the
// task is canceled: trsim's reading for a cold transfer whose initiating reservation has ended.
TEST_CASE("a cold transfer nobody takes back is canceled", "[routing][transfers]") {
  TempDir dir;
  dir.write("calls.csv", "time\n0\n");
  std::string yaml = kScenario;
  yaml.replace(yaml.find("behavior: support, activity: Available}"), 39,
               "behavior: support, activity: Available, schedule: [{at: 55, activity: Offline}]}");
  const Scenario sc = load_yaml(yaml, dir, {"workers.b.activity=Offline"});
  const Run run = run_once(sc);
  CHECK(
      joined(timeline(sc, run.events, kTransferFlow))
          .find(
              R"(110 task.transfer-failed task=0 worker=s-1 queue=Billing reason=Transfer timed out
110 task-queue.entered task=0 queue=Support
170 task.canceled task=0 queue=Support reason=Task canceled on failed transfer
)") != std::string::npos);
  const MetricNode& stats = run.result.statistics;
  CHECK(metric(stats, "workspace.tasks_canceled") == 1);
  CHECK(metric(stats, "workspace.tasks_abandoned") == 0);
  CHECK(metric(stats, "workspace.transfers_failed") == 1);
}

// The Events reference: task.transfer-attempt-failed, "A Transfer attempt failed because the
// Worker rejected the Reservation for it", and task.transfer-failed, "A Transfer has failed
// because ... the Worker it was transferred to rejected the Reservation". A transfer to a worker
// goes to that worker only (known-worker style): b-2 though b-1 has been idle as long, and its
// reject fails the transfer; a warm transfer then stays with s-1.
TEST_CASE("a transfer to a worker is offered to that worker, and its reject fails the transfer",
          "[routing][transfers]") {
  TempDir dir;
  dir.write("calls.csv", "time\n0\n");
  std::string yaml = kScenario;
  yaml.replace(yaml.find("to_queue: Billing"), 17, "to_worker: b-2");
  yaml.replace(yaml.find("wrapup_time: 10s}\nworkers"), 17,
               "wrapup_time: 10s, outcome: {accept: 0, reject: 1}}");
  const Scenario worker = load_yaml(yaml, dir, {"behaviors.support.transfer.0.mode=warm"});
  const Run run = run_once(worker);
  CHECK(joined(timeline(worker, run.events, kTransferFlow)) ==
        R"(0 task-queue.entered task=0 queue=Support
0 reservation.created task=0 worker=s-1 queue=Support
0 reservation.accepted task=0 worker=s-1 queue=Support
50 task.transfer-initiated task=0 worker=s-1 queue=Support mode=WARM type=WORKER to=b-2
50 task-queue.entered task=0 queue=Billing
50 reservation.created task=0 worker=b-2 queue=Billing
55 reservation.rejected task=0 worker=b-2 queue=Billing
55 task.transfer-attempt-failed task=0 worker=b-2 queue=Billing reason=Transfer rejected
55 task.transfer-failed task=0 worker=s-1 queue=Billing reason=Transfer rejected
55 reservation.wrapup task=0 worker=s-1 queue=Support
65 reservation.completed task=0 worker=s-1 queue=Support
65 task.completed task=0 worker=s-1 queue=Support
)");
  // The attempt names the reservation that ended (b-2's), not only its worker.
  const Event* rejected = nullptr;
  const Event* attempt = nullptr;
  for (const Event& e : run.events) {
    if (e.type == EventType::reservation_rejected) rejected = &e;
    if (e.type == EventType::task_transfer_attempt_failed) attempt = &e;
  }
  REQUIRE(rejected != nullptr);
  REQUIRE(attempt != nullptr);
  CHECK(attempt->reservation == rejected->reservation);
}

// A transfer to a queue goes on after a reject: the next worker of the queue gets it (the
// attempt failed, not the transfer). s-1's own wrap-up ends at 60 (ranked before b-1's accept).
TEST_CASE("a transfer to a queue is offered to the next worker after a reject",
          "[routing][transfers]") {
  TempDir dir;
  dir.write("calls.csv", "time\n0\n");
  std::string yaml = kScenario;
  yaml.replace(yaml.find("  billing: {response_time"), 0,
               "  picky: {response_time: 5s, outcome: {accept: 0, reject: 1}}\n");
  // p-1 comes first in scenario order (both idle since 0): it is offered the transfer first.
  yaml.replace(yaml.find("  b: {count: 2"), 0,
               "  p: {count: 1, name: \"p-{i}\", attributes: {team: billing}, behavior: picky, "
               "activity: Available}\n");
  const Scenario sc = load_yaml(yaml, dir, {"workers.b.count=1"});
  const Run run = run_once(sc);
  INFO(joined(timeline(sc, run.events, kTransferFlow)));
  CHECK(joined(timeline(sc, run.events, kTransferFlow))
            .find(R"(50 task-queue.entered task=0 queue=Billing
50 reservation.created task=0 worker=p-1 queue=Billing
55 reservation.rejected task=0 worker=p-1 queue=Billing
55 task.transfer-attempt-failed task=0 worker=p-1 queue=Billing reason=Transfer rejected
55 reservation.created task=0 worker=b-1 queue=Billing
60 reservation.completed task=0 worker=s-1 queue=Support
60 reservation.accepted task=0 worker=b-1 queue=Billing
60 task.transfer-completed task=0 worker=b-1 queue=Billing
)") != std::string::npos);
}

// No worker could ever take it: a transfer to a queue nobody is in fails at once.
TEST_CASE("a transfer to a queue with no worker fails at once", "[routing][transfers]") {
  const Scenario sc = load("time\n0\n", {"workers.b.count=0"});
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kTransferFlow))
            .find(R"(50 task.transfer-initiated task=0 worker=s-1 queue=Support mode=COLD type=QUEUE
50 reservation.wrapup task=0 worker=s-1 queue=Support
50 task-queue.entered task=0 queue=Billing
50 task.transfer-failed task=0 worker=s-1 queue=Billing reason=No eligible worker for the transfer
50 task-queue.entered task=0 queue=Support
60 reservation.completed task=0 worker=s-1 queue=Support
60 reservation.created task=0 worker=s-1 queue=Support
)") != std::string::npos);
}

// Requeue: TaskRouter cannot move an assigned task back to pending (the Task resource's
// AssignmentStatus "Can be: `canceled`, to cancel a Task that is currently `pending` or
// `reserved`; `wrapping`, to move the Task to wrapup state; or `completed`, to move a Task to the
// completed state"); a cold transfer to the workflow does it. The task goes back to the queue its
// workflow gives it (Support) with the worker released; s-1 is the only support agent and takes it
// again after its wrap-up (60), and with probability 1 requeues it again when that leg ends.
TEST_CASE("a requeue puts an assigned task back into its workflow's queue",
          "[routing][transfers]") {
  TempDir dir;
  dir.write("calls.csv", "time\n0\n");
  std::string yaml = kScenario;
  yaml.replace(yaml.find("mode: cold, to_queue: Billing"), 29, "requeue: true");
  // Requeued every time: the run stops at the horizon instead of draining.
  const Scenario sc = load_yaml(yaml, dir, {"drain=false", "horizon=5m"});
  const Run run = run_once(sc);
  const std::string text = joined(timeline(sc, run.events, kTransferFlow));
  CHECK(text.rfind(R"(0 task-queue.entered task=0 queue=Support
0 reservation.created task=0 worker=s-1 queue=Support
0 reservation.accepted task=0 worker=s-1 queue=Support
50 task.transfer-initiated task=0 worker=s-1 queue=Support mode=COLD type=WORKFLOW
50 reservation.wrapup task=0 worker=s-1 queue=Support
50 task-queue.entered task=0 queue=Support
60 reservation.completed task=0 worker=s-1 queue=Support
60 reservation.created task=0 worker=s-1 queue=Support
60 reservation.accepted task=0 worker=s-1 queue=Support
60 task.transfer-completed task=0 worker=s-1 queue=Support
)",
                   0) == 0);
}

// Statistics as TaskRouter counts them: the task's wait in the workspace ended at its first accept
// (0 s); the transfer leg is a new wait in Billing, measured from the task's creation (accepted at
// 55 s: above the 20 s threshold) with its relative wait in the queue from 50 s (5 s).
TEST_CASE("a transfer counts as a wait in the target queue, from the task's creation",
          "[routing][transfers][statistics]") {
  const Scenario sc = load("time\n0\n");
  const Run run = run_once(sc);
  const MetricNode& stats = run.result.statistics;
  CHECK(metric(stats, "workspace.tasks_created") == 1);
  CHECK(metric(stats, "workspace.tasks_completed") == 1);
  CHECK(metric(stats, "workspace.reservations_accepted") == 2);
  CHECK(metric(stats, "workspace.wait_duration_until_accepted.total") == 0);
  CHECK(metric(stats, "workspace.service_level.20") == 1);
  CHECK(metric(stats, "workspace.tasks_transferred") == 1);
  CHECK(metric(stats, "workspace.transfers_completed") == 1);
  CHECK(metric(stats, "workspace.transfers_failed") == 0);
  CHECK(metric(stats, "task_queues.Support.tasks_transferred") == 1);
  CHECK(metric(stats, "task_queues.Billing.tasks_transferred") == 0);
  CHECK(metric(stats, "task_queues.Billing.tasks_entered") == 1);
  CHECK(metric(stats, "task_queues.Billing.wait_duration_until_accepted.total") == 55);
  CHECK(metric(stats, "task_queues.Billing.wait_duration_in_queue_until_accepted.total") == 5);
  CHECK(metric(stats, "task_queues.Billing.service_level.20") == 0);
  CHECK(metric(stats, "task_queues.Billing.tasks_completed") == 1);
  CHECK(metric(stats, "workflows.wf.tasks_entered") == 1);
}

// The transfer counts are there when a worker can transfer (the engine draws transfers by the same
// rule, Scenario::has_transfers()): a behaviour with transfer rules that no worker has adds none.
TEST_CASE("the transfer counts come with a worker whose behaviour transfers",
          "[routing][transfers][statistics]") {
  const Scenario unused = load("time\n0\n", {"workers.s.behavior=billing"});
  CHECK_FALSE(unused.has_transfers());
  const Run run = run_once(unused);
  CHECK(run.result.statistics.child("workspace")->child("tasks_transferred") == nullptr);
  CHECK(run.result.statistics.child("workspace")->child("tasks_completed") != nullptr);
  for (const Event& e : run.events) CHECK(e.type != EventType::task_transfer_initiated);

  const Scenario used = load("time\n0\n");
  CHECK(used.has_transfers());
  CHECK(metric(run_once(used).result.statistics, "workspace.tasks_transferred") == 1);
}

namespace {

// One snapshot cell: interval k's `column` in `scope` ("workspace", "queue:Billing").
double snap(const IntervalTable& t, std::size_t k, const std::string& scope,
            const std::string& column) {
  const std::size_t s = t.scope_index(scope);
  const std::size_t c = t.column_index(column);
  REQUIRE(s != SIZE_MAX);
  REQUIRE(c != SIZE_MAX);
  return t.at(k, s, c);
}

}  // namespace

// statistics.snapshots through a transfer (RealTimeStatistics: "tasks_by_status: The number of
// Tasks by their current status", "longest_relative_task_age_in_queue: ... Calculation is based on
// the time when the Task entered the TaskQueue"). The task is the same task throughout: the
// initiating worker's wrap-up (cold at 50, warm at 55) neither wraps it up nor completes it; from
// the transfer's task-queue.entered (50) it waits in Billing, offered to b-1 (reserved 50-55), then
// b-1 has it (assigned 55-155, wrapping 155-165). Snapshots every 26 s: 26, 52, 78, ..., 156.
TEST_CASE("snapshots follow a transferred task, cold and warm", "[routing][transfers][intervals]") {
  for (const char* mode : {"cold", "warm"}) {
    INFO(mode);
    const Scenario sc = load("time\n0\n", {std::string("behaviors.support.transfer.0.mode=") + mode,
                                           "statistics.interval=26s", "statistics.snapshots=true"});
    const Run run = run_once(sc);
    const IntervalTable& t = run.result.intervals;
    REQUIRE(t.count > 6);
    // 26: with s-1, not waiting.
    CHECK(snap(t, 0, "workspace", "tasks_by_status.assigned") == 1);
    CHECK(snap(t, 0, "workspace", "longest_task_waiting_age") == 0);
    // 52: reserved for b-1 in Billing, 52 s old, 2 s in Billing.
    CHECK(snap(t, 1, "workspace", "tasks_by_status.reserved") == 1);
    CHECK(snap(t, 1, "workspace", "tasks_by_status.wrapping") == 0);
    CHECK(snap(t, 1, "workspace", "longest_task_waiting_age") == 52);
    CHECK(snap(t, 1, "queue:Billing", "tasks_by_status.reserved") == 1);
    CHECK(snap(t, 1, "queue:Billing", "longest_relative_task_age_in_queue") == 2);
    CHECK(snap(t, 1, "queue:Support", "tasks_by_status.reserved") == 0);
    // 78 and 104: assigned to b-1 (the initiating worker's wrap-up has ended meanwhile).
    for (const std::size_t k : {2u, 3u}) {
      CHECK(snap(t, k, "workspace", "tasks_by_status.assigned") == 1);
      CHECK(snap(t, k, "queue:Billing", "tasks_by_status.assigned") == 1);
      CHECK(snap(t, k, "workspace", "longest_task_waiting_age") == 0);
    }
    // 156: b-1 wraps it up; 182: completed.
    CHECK(snap(t, 5, "workspace", "tasks_by_status.wrapping") == 1);
    CHECK(snap(t, 6, "workspace", "tasks_by_status.wrapping") == 0);
    CHECK(snap(t, 6, "workspace", "tasks_by_status.assigned") == 0);
  }
}

// A warm transfer nobody takes (Billing offline): pending in Billing from 50 until the transfer
// times out at 110; then back with s-1, who kept the call and wraps up (110-120).
TEST_CASE("a snapshot counts a warm transfer waiting, then back with its worker",
          "[routing][transfers][intervals]") {
  const Scenario sc =
      load("time\n0\n", {"behaviors.support.transfer.0.mode=warm", "workers.b.activity=Offline",
                         "statistics.interval=26s", "statistics.snapshots=true"});
  const Run run = run_once(sc);
  const IntervalTable& t = run.result.intervals;
  REQUIRE(t.count > 4);
  // 104: pending in Billing, 104 s old, 54 s in Billing.
  CHECK(snap(t, 3, "workspace", "tasks_by_status.pending") == 1);
  CHECK(snap(t, 3, "workspace", "tasks_by_status.assigned") == 0);
  CHECK(snap(t, 3, "workspace", "longest_task_waiting_age") == 104);
  CHECK(snap(t, 3, "queue:Billing", "tasks_by_status.pending") == 1);
  CHECK(snap(t, 3, "queue:Billing", "longest_relative_task_age_in_queue") == 54);
  // 130: completed (s-1's wrap-up ended at 120).
  for (const char* status : {"pending", "reserved", "assigned", "wrapping"})
    CHECK(snap(t, 4, "workspace", std::string("tasks_by_status.") + status) == 0);
}

// A transfer rule's priority is one of the priorities a task can have: the snapshot counts the
// transferred task at it from the transfer on (52: reserved for b-1 in Billing at priority 7).
TEST_CASE("a snapshot counts a transferred task at the transfer's priority",
          "[routing][transfers][intervals]") {
  const Scenario sc = load("time\n0\n", {"behaviors.support.transfer.0.priority=7",
                                         "statistics.interval=26s", "statistics.snapshots=true"});
  const Run run = run_once(sc);
  const IntervalTable& t = run.result.intervals;
  CHECK(snap(t, 0, "workspace", "tasks_by_priority.0") == 1);
  CHECK(snap(t, 0, "workspace", "tasks_by_priority.7") == 0);
  CHECK(snap(t, 1, "workspace", "tasks_by_priority.0") == 0);
  CHECK(snap(t, 1, "workspace", "tasks_by_priority.7") == 1);
  CHECK(snap(t, 1, "queue:Billing", "tasks_by_priority.7") == 1);
}

namespace {

// The snapshot columns rebuilt from the event log alone, by rules stated in task-level terms (no
// transfer_mode): a task is pending from its creation and whenever it enters a queue, reserved
// while it has pending reservations, assigned from an accept (and back with the initiating
// reservation when a transfer fails: a cold one enters a queue again at once), wrapping from its
// task.wrapup, gone at task.completed or task.canceled; it counts in the queue its last
// task-queue.entered, target match, accept or failed transfer names. Every snapshot of the run's
// interval table (tasks_by_status, tasks_by_priority, longest_task_waiting_age of the workspace
// and of each queue) must equal the rebuild at the interval's end.
void check_snapshots_rebuilt_from_events(const Scenario& sc, const Run& run) {
  const IntervalTable& t = run.result.intervals;
  REQUIRE(t.count > 0);
  enum Status : std::size_t { pending, reserved, assigned, wrapping, done };
  struct Task {
    Status status = pending;
    QueueId queue = kNoId;
    std::int64_t priority = 0;
    SimTime created = 0;
    std::set<ReservationId> offers;
  };
  std::map<TaskId, Task> tasks;
  std::map<ReservationId, QueueId> reservation_queue;
  const char* const status_names[] = {"pending", "reserved", "assigned", "wrapping"};
  std::size_t checked = 0;
  const auto compare = [&](std::size_t k) {
    const SimTime now = t.end(k);
    INFO("interval " << k << " (snapshot at " << to_seconds(now) << " s)");
    for (std::size_t s = 0; s <= sc.task_queues.size(); ++s) {
      INFO("scope " << t.scopes[s].label());
      std::size_t by_status[4] = {0, 0, 0, 0};
      std::map<std::int64_t, std::size_t> by_priority;
      SimTime oldest = 0;
      for (const auto& entry : tasks) {
        const Task& task = entry.second;
        if (task.status == done || (s > 0 && task.queue != s - 1)) continue;
        ++by_status[task.status];
        ++by_priority[task.priority];
        if (task.status <= reserved) oldest = std::max(oldest, now - task.created);
      }
      for (std::size_t k2 = 0; k2 < 4; ++k2) {
        INFO(status_names[k2]);
        CHECK(t.at(k, s, t.column_index(std::string("tasks_by_status.") + status_names[k2])) ==
              static_cast<double>(by_status[k2]));
      }
      for (std::size_t c = 0; c < t.columns.size(); ++c) {
        const std::string& name = t.columns[c];
        if (name.rfind("tasks_by_priority.", 0) != 0) continue;
        const auto it = by_priority.find(std::stoll(name.substr(18)));
        INFO(name);
        CHECK(t.at(k, s, c) == static_cast<double>(it == by_priority.end() ? 0 : it->second));
      }
      CHECK(t.at(k, s, t.column_index("longest_task_waiting_age")) ==
            static_cast<double>(oldest) / 1e6);
    }
    ++checked;
  };
  std::size_t k = 0;
  for (const Event& e : run.events) {
    while (k < t.count && e.time >= t.end(k)) compare(k++);
    if (e.task == kNoId) continue;
    Task& task = tasks[e.task];
    switch (e.type) {
      case EventType::task_created:
        task.created = e.time;
        task.priority = e.priority;
        break;
      case EventType::workflow_target_matched:
        task.queue = e.queue;
        task.priority = e.priority;
        break;
      case EventType::task_queue_entered:
        task.queue = e.queue;
        task.priority = e.priority;
        task.status = task.offers.empty() ? pending : reserved;
        break;
      case EventType::reservation_created:
        reservation_queue[e.reservation] = e.queue;
        task.offers.insert(e.reservation);
        task.status = reserved;
        task.priority = e.priority;
        break;
      case EventType::reservation_rejected:
      case EventType::reservation_timeout:
      case EventType::reservation_canceled:
      case EventType::reservation_rescinded:
        task.offers.erase(e.reservation);
        if (task.offers.empty() && task.status == reserved) task.status = pending;
        break;
      case EventType::reservation_accepted:
        task.offers.erase(e.reservation);
        task.status = assigned;
        task.queue = e.queue;
        break;
      case EventType::task_transfer_failed:
        // Back with the initiating reservation (e.reservation), in the queue it was accepted from.
        task.status = assigned;
        task.queue = reservation_queue.at(e.reservation);
        break;
      case EventType::task_wrapup:
        task.status = wrapping;
        break;
      case EventType::task_completed:
      case EventType::task_canceled:
        task.status = done;
        break;
      default:
        break;
    }
  }
  while (k < t.count) compare(k++);
  CHECK(checked == t.count);
}

}  // namespace

// The interval table's snapshots through transfers of every kind (cold and warm, completed and
// failed, a failed cold one offered back; to a queue or to a worker; requeues): the bundled
// transfer day, five-minute snapshots, and the small scenario's flows, each checked against the
// event log.
TEST_CASE("snapshots through transfers match the event log", "[routing][transfers][intervals]") {
  SECTION("the transfer day") {
    LoadOptions options;
    options.overrides = {"statistics.interval=5m", "statistics.snapshots=true"};
    LoadResult loaded =
        load_scenario_file(TRSIM_SOURCE_DIR "/scenarios/transfer-day.yaml", options);
    REQUIRE(loaded.ok());
    const Scenario& sc = *loaded.scenario;
    for (std::uint32_t replication : {0u, 1u}) {
      INFO("replication " << replication);
      const Run run = run_once(sc, replication);
      std::size_t failed = 0;
      for (const Event& e : run.events) failed += e.type == EventType::task_transfer_failed;
      CHECK(failed > 0);  // the day has failed transfers too
      check_snapshots_rebuilt_from_events(sc, run);
    }
  }
  SECTION("one transfer, cold or warm, taken or failed") {
    for (const char* mode : {"cold", "warm"}) {
      for (const char* billing : {"Available", "Offline"}) {
        INFO(mode << ", Billing " << billing);
        const Scenario sc =
            load("time\n0\n51\n", {std::string("behaviors.support.transfer.0.mode=") + mode,
                                   std::string("workers.b.activity=") + billing,
                                   "statistics.interval=7s", "statistics.snapshots=true"});
        const Run run = run_once(sc);
        check_snapshots_rebuilt_from_events(sc, run);
      }
    }
  }
  SECTION("a transfer to a worker, taken or rejected") {
    for (const char* outcome : {"{accept: 1, reject: 0}", "{accept: 0, reject: 1}"}) {
      for (const char* mode : {"cold", "warm"}) {
        INFO(mode << ", outcome " << outcome);
        TempDir dir;
        dir.write("calls.csv", "time\n0\n51\n");
        std::string yaml = kScenario;
        yaml.replace(yaml.find("to_queue: Billing"), 17, "to_worker: b-2");
        yaml.replace(yaml.find("wrapup_time: 10s}\nworkers"), 17,
                     std::string("wrapup_time: 10s, outcome: ") + outcome + "}");
        const Scenario sc = load_yaml(yaml, dir,
                                      {std::string("behaviors.support.transfer.0.mode=") + mode,
                                       "statistics.interval=7s", "statistics.snapshots=true"});
        check_snapshots_rebuilt_from_events(sc, run_once(sc));
      }
    }
  }
  SECTION("requeues") {
    TempDir dir;
    dir.write("calls.csv", "time\n0\n51\n");
    std::string yaml = kScenario;
    yaml.replace(yaml.find("mode: cold, to_queue: Billing"), 29, "requeue: true");
    const Scenario sc = load_yaml(
        yaml, dir,
        {"drain=false", "horizon=5m", "statistics.interval=7s", "statistics.snapshots=true"});
    check_snapshots_rebuilt_from_events(sc, run_once(sc));
  }
}

// Both event-log formats carry the transfer: trsim's JSON Lines (transfer_mode, transfer_type,
// transfer_to) and TaskRouter's Event resource (event_type task.transfer-*, event_data with the
// SDK Transfer's mode, type and `to`, the initiating reservation and worker).
TEST_CASE("transfer events in both event-log formats", "[routing][transfers][events]") {
  const Scenario sc = load("time\n0\n", {"behaviors.support.transfer.0.mode=warm"});
  std::ostringstream jsonl, taskrouter;
  {
    JsonLinesSink sink(sc, jsonl, false);
    TaskRouterEventSink tr(sc, taskrouter, false, false);
    struct Both final : EventSink {
      EventSink* a;
      EventSink* b;
      void begin_replication(std::uint32_t r) override {
        a->begin_replication(r);
        b->begin_replication(r);
      }
      void on_event(const Event& e) override {
        a->on_event(e);
        b->on_event(e);
      }
      void end_replication() override {
        a->end_replication();
        b->end_replication();
      }
    } both;
    both.a = &sink;
    both.b = &tr;
    Engine engine(sc, EngineOptions{sc.seed, 0, true}, &both);
    engine.run();
  }
  const std::string j = jsonl.str();
  const std::size_t init = j.find("\"type\":\"task.transfer-initiated\"");
  REQUIRE(init != std::string::npos);
  const std::string line = j.substr(init, j.find('\n', init) - init);
  CHECK(line.find("\"worker\":\"s-1\"") != std::string::npos);
  CHECK(line.find("\"queue\":\"Support\"") != std::string::npos);
  CHECK(line.find("\"transfer_mode\":\"WARM\",\"transfer_type\":\"QUEUE\","
                  "\"transfer_to\":\"Billing\"") != std::string::npos);
  CHECK(j.find("\"type\":\"task.transfer-completed\"") != std::string::npos);
  CHECK(j.find("\"t\":50.000000,\"type\":\"task-queue.entered\"") != std::string::npos);

  const std::string t = taskrouter.str();
  const std::size_t tinit = t.find("\"event_type\":\"task.transfer-initiated\"");
  REQUIRE(tinit != std::string::npos);
  const std::string tline = t.substr(tinit, t.find('\n', tinit) - tinit);
  CHECK(tline.find("\"resource_type\":\"task\"") != std::string::npos);
  CHECK(tline.find("\"transfer_mode\":\"WARM\",\"transfer_type\":\"QUEUE\",\"transfer_to\":\"" +
                   sc.task_queues[1].sid + "\"") != std::string::npos);
  CHECK(tline.find("\"worker_sid\":\"" + sc.workers[0].sid + "\"") != std::string::npos);
  CHECK(tline.find("\"reservation_sid\":\"WR") != std::string::npos);
  CHECK(t.find("\"event_type\":\"task.transfer-completed\"") != std::string::npos);
}

// Determinism: the transfer draws come from each worker's own stream, so the bundled transfer
// day gives byte-identical summaries and event logs for any number of threads.
TEST_CASE("transfers are deterministic across thread counts", "[routing][transfers]") {
  LoadOptions options;
  options.overrides = {"replications=3", "horizon=2h"};
  LoadResult loaded = load_scenario_file(TRSIM_SOURCE_DIR "/scenarios/transfer-day.yaml", options);
  REQUIRE(loaded.ok());
  const Scenario& sc = *loaded.scenario;
  std::string summary[2], events[2];
  for (std::uint32_t threads : {1u, 2u}) {
    std::ostringstream log;
    RunSettings settings;
    settings.threads = threads;
    settings.events = &log;
    settings.check_invariants = true;
    const RunSummary result = run_scenario(sc, settings);
    summary[threads - 1] = summary_json(sc, result);
    events[threads - 1] = log.str();
  }
  CHECK(events[0].find("task.transfer-initiated") != std::string::npos);
  CHECK(summary[0] == summary[1]);
  CHECK(events[0] == events[1]);
}
