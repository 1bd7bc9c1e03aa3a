// Matching on its own (sim/engine/matching.hpp): the engine's tables stand in as plain vectors, and
// each test changes an entity, tells Matching what changed, and reads back what it offers.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engine/matching.hpp"
#include "support/scenario_fixture.hpp"

using namespace trsim;
using namespace trsim::detail;
using namespace trsim::test;

namespace {

// Three agents in Sales, the third (b-1) also in Returns, which offers newest first.
Scenario desk() {
  return load_yaml(R"(
horizon: 1h
activities: {Offline: {available: false}, Available: {available: true}}
task_queues:
  Sales: {target_workers: "1==1"}
  Returns: {target_workers: "skills HAS 'returns'", task_order: LIFO}
workflows: {wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Sales}}}}}
workers:
  a: {count: 2, name: "a-{i}", activity: Available, attributes: {skills: [sales]}}
  b: {count: 1, name: "b-{i}", activity: Available, attributes: {skills: [sales, returns]}}
arrivals: {calls: {workflow: wf, channel: voice, rate: 60/h, handle_time: 1m}}
)");
}

// The engine's side of the tables: workers as the scenario starts them, tasks added by the tests.
struct Desk {
  Scenario sc = desk();
  std::shared_ptr<const RoutingFacts> facts = build_routing_facts(sc);
  std::vector<WorkerState> workers;
  SlotTable<TaskSlot, TaskState> tasks;
  std::unique_ptr<Matching> matching;
  QueueId sales = 0, returns = 1;
  ChannelId voice = 0;

  Desk() {
    for (QueueId q = 0; q < sc.task_queues.size(); ++q)
      (sc.task_queues[q].name == "Sales" ? sales : returns) = q;
    for (ChannelId c = 0; c < sc.channels.size(); ++c)
      if (sc.channels[c].name == "voice") voice = c;
    workers.resize(sc.workers.size());
    for (WorkerId w = 0; w < sc.workers.size(); ++w) {
      workers[w].activity = sc.workers[w].initial_activity;
      workers[w].used.assign(sc.channels.size(), 0);
      workers[w].capacity = sc.workers[w].capacity.data();
      workers[w].queues = facts->worker_queues[w];
      workers[w].ranked = facts->worker_ranked[w] != 0;
    }
    matching = std::make_unique<Matching>(*facts, workers, tasks);
    matching->start();
  }

  std::vector<WorkerId> idle(QueueId q) {
    std::vector<WorkerId> out;
    const WorkflowTarget plain;
    matching->for_each_idle(q, voice, plain, [&](WorkerId w) {
      out.push_back(w);
      return true;
    });
    return out;
  }
  void take(WorkerId w, SimTime now) {
    ++workers[w].used[voice];
    ++workers[w].reservations;
    workers[w].idle_since = now;
    matching->worker_capacity_taken(w);
  }
  void free(WorkerId w, SimTime now) {
    --workers[w].used[voice];
    --workers[w].reservations;
    workers[w].idle_since = now;
    matching->worker_capacity_changed(w);
  }
  TaskSlot wait(QueueId q, SimTime created, std::int64_t priority) {
    const TaskSlot t = tasks.add();
    TaskState& task = tasks[t];
    task.serial = static_cast<TaskId>(t.index);
    task.queue = q;
    task.channel = voice;
    task.created = created;
    task.priority = priority;
    matching->task_changed(t);
    return t;
  }
  std::vector<WorkerId> drain() {
    std::vector<WorkerId> filled;
    matching->drain([&](WorkerId w) { filled.push_back(w); });
    return filled;
  }
};

}  // namespace

TEST_CASE(
    "Matching: a worker leaves the idle pools when its room is taken and comes back last, "
    "asked to look for work",
    "[matching]") {
  Desk d;
  CHECK(d.idle(d.sales) == std::vector<WorkerId>{0, 1, 2});  // equally idle: scenario order
  CHECK(d.idle(d.returns) == std::vector<WorkerId>{2});
  d.take(0, 10);
  CHECK(d.idle(d.sales) == std::vector<WorkerId>{1, 2});
  CHECK_NOTHROW(d.matching->check());
  d.wait(d.sales, 15, 0);  // something to look for
  d.free(0, 20);
  CHECK(d.idle(d.sales) == std::vector<WorkerId>{1, 2, 0});  // idle since 20: last
  d.matching->request_fill(1);
  d.matching->request_fill(0);                      // already asked by worker_capacity_changed
  CHECK(d.drain() == std::vector<WorkerId>{0, 1});  // once each, in the order asked
  CHECK(d.drain().empty());
  CHECK_NOTHROW(d.matching->check());
}

TEST_CASE("Matching: an activity change moves the worker out of the pools and the counts follow",
          "[matching]") {
  Desk d;
  const ActivityId offline = 0, available = 1;
  CHECK(d.matching->activity_count(d.sales, available) == 3);
  d.workers[1].activity = offline;
  d.matching->worker_activity_changed(1, available);
  CHECK(d.idle(d.sales) == std::vector<WorkerId>{0, 2});
  CHECK(d.matching->activity_count(d.sales, available) == 2);
  CHECK(d.matching->activity_count(d.sales, offline) == 1);
  CHECK(d.drain().empty());  // unavailable: nothing to look for
  CHECK_NOTHROW(d.matching->check());
  // The same change without telling Matching is what check() reports.
  d.workers[2].activity = offline;
  CHECK_THROWS_AS(d.matching->check(), InvariantViolation);
}

TEST_CASE(
    "Matching: the best task for a worker is by priority, then age, across its queues, and "
    "a LIFO queue offers its newest",
    "[matching]") {
  Desk d;
  const TaskSlot old_low = d.wait(d.sales, 10, 0);
  const TaskSlot new_high = d.wait(d.sales, 20, 5);
  const TaskSlot new_low = d.wait(d.sales, 30, 0);
  auto any = [](TaskSlot) { return true; };
  CHECK(d.matching->best_task(0, any) == new_high);
  CHECK(d.matching->best_task(0, [&](TaskSlot t) { return t != new_high; }) == old_low);
  CHECK_FALSE(d.matching->best_task(0, [](TaskSlot) { return false; }).valid());
  // A task whose priority changed is re-filed by task_changed().
  d.tasks[new_low].priority = 9;
  d.matching->task_changed(new_low);
  CHECK(d.matching->best_task(0, any) == new_low);
  // Returns is LIFO (newest first), and b-1 is in both queues: Sales and Returns are of different
  // orders, so the workspace's prioritized order (FIFO) comes first.
  const TaskSlot r_old = d.wait(d.returns, 5, 0);
  const TaskSlot r_new = d.wait(d.returns, 40, 0);
  CHECK(d.matching->best_task(2, [&](TaskSlot t) { return d.tasks[t].queue == d.returns; }) ==
        r_new);
  CHECK(d.matching->best_task(2, any) == new_low);
  // A task that stops waiting leaves its waiting set.
  d.tasks[r_new].status = TaskStatus::assigned;
  d.matching->task_left(r_new);
  CHECK(d.matching->best_task(2, [&](TaskSlot t) { return d.tasks[t].queue == d.returns; }) ==
        r_old);
  CHECK_NOTHROW(d.matching->check());
}

TEST_CASE(
    "Matching: a worker whose queue membership changes leaves the old queues' pools and "
    "counts, joins the new ones and looks for work",
    "[matching]") {
  Desk d;
  const ActivityId available = 1;
  const TaskSlot t = d.wait(d.returns, 10, 0);
  const std::vector<QueueId> both{d.sales, d.returns};
  d.matching->worker_queues_changed(0, both);
  CHECK(d.idle(d.returns) == std::vector<WorkerId>{0, 2});
  CHECK(d.matching->activity_count(d.returns, available) == 2);
  CHECK(d.matching->best_task(0, [](TaskSlot) { return true; }) == t);
  CHECK(d.drain() == std::vector<WorkerId>{0});
  CHECK_NOTHROW(d.matching->check());
  const std::vector<QueueId> returns_only{d.returns};
  d.matching->worker_queues_changed(2, returns_only);
  CHECK(d.idle(d.sales) == std::vector<WorkerId>{0, 1});
  CHECK(d.matching->activity_count(d.sales, available) == 2);
  CHECK(d.drain() == std::vector<WorkerId>{2});
  CHECK_NOTHROW(d.matching->check());
}
