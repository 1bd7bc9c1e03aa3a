// The engine's invariants, each broken on purpose through a test-only accessor to the engine's
// state (EngineTestAccess, a friend of EngineImpl that only this file defines), and reported as an
// InvariantViolation naming what broke, never as an abort or a silently wrong result.
#include <catch2/catch.hpp>
#include <functional>

#include "engine/engine_impl.hpp"
#include "engine/invariants.hpp"
#include "support/scenario_fixture.hpp"

using namespace trsim;
using namespace trsim::test;
using Catch::Matchers::Contains;

namespace trsim::detail {

struct EngineTestAccess {
  static WorkerState& worker(EngineImpl& e, WorkerId w) { return e.workers_[w]; }
  static std::uint32_t& alive_tasks(EngineImpl& e) { return e.alive_tasks_; }
  static void emit(EngineImpl& e, const Event& event) { e.emit(event); }
  static void schedule_in_the_past(EngineImpl& e) {
    e.agenda_.schedule(e.now_ - 1, kTaskArrival, 0, 0);
  }
};

}  // namespace trsim::detail

namespace {

using detail::EngineImpl;
using detail::EngineTestAccess;

// Two agents on voice (capacity 1) answering a steady stream of calls: every kind of event the
// sabotage below needs happens in the first minutes.
Scenario busy_desk() {
  return load_yaml(R"(
name: invariants
horizon: 1h
seed: 3
activities: {Offline: {available: false}, Available: {available: true}}
task_queues: {Q: {target_workers: "1==1"}}
workflows:
  wf: {task_reservation_timeout: 30s, configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}
behaviors: {agent: {outcome: {accept: 0.8, reject: 0.1, no_response: 0.1}, response_time: 5s, wrapup_time: 10s,
                    after_timeout: {return_after: 1m, activity: Available}}}
workers: {a: {count: 2, behavior: agent, activity: Available}}
arrivals: {calls: {workflow: wf, channel: voice, rate: 60/h, handle_time: {exponential: {mean: 2m}}}}
)");
}

// Passes events on and, at the first event of type `when`, breaks the engine once.
class Saboteur final : public EventSink {
 public:
  Saboteur(EventType when, std::function<void(EngineImpl&, const Event&)> act)
      : when_(when), act_(std::move(act)) {}
  void attach(EngineImpl& engine) { engine_ = &engine; }
  void on_event(const Event& e) override {
    if (done_ || e.type != when_) return;
    done_ = true;  // before acting: the act may emit events itself
    act_(*engine_, e);
  }

 private:
  EventType when_;
  std::function<void(EngineImpl&, const Event&)> act_;
  EngineImpl* engine_ = nullptr;
  bool done_ = false;
};

// The message of the InvariantViolation `f` throws, or a note that it threw none.
std::string violation(const std::function<void()>& f) {
  try {
    f();
  } catch (const InvariantViolation& e) {
    return e.what();
  }
  return "(no InvariantViolation)";
}

// Runs one replication with the invariants checked, breaking the engine at the first event of
// type `when`; returns what was reported.
std::string run_sabotaged(const Scenario& sc, EventType when,
                          std::function<void(EngineImpl&, const Event&)> act) {
  return violation([&] {
    Saboteur saboteur(when, std::move(act));
    EngineImpl engine(sc, EngineOptions{sc.seed, 0, /*check_invariants=*/true}, &saboteur);
    saboteur.attach(engine);
    engine.run();
  });
}

}  // namespace

TEST_CASE("the busy desk runs clean with every invariant checked", "[invariants]") {
  const Scenario sc = busy_desk();
  const Run run = run_once(sc, 0, /*invariants=*/true);
  CHECK(run.result.statistics.find("workspace.tasks_completed")->value > 20);
  CHECK(run.result.statistics.find("workspace.reservations_timed_out")->value > 0);
}

TEST_CASE("a worker holding more reservations than its channel capacity is reported",
          "[invariants]") {
  const Scenario sc = busy_desk();
  // A second hold of the reservation just offered: two voice reservations on capacity 1.
  CHECK_THAT(run_sabotaged(sc, EventType::reservation_created,
                           [](EngineImpl& engine, const Event& e) {
                             detail::WorkerState& w = EngineTestAccess::worker(engine, e.worker);
                             w.held.push_back(w.held.back());
                             ++w.reservations;
                             ++w.used[e.channel];
                           }),
             Contains("holds 2 reservations on channel voice, more than its capacity of 1"));
}

TEST_CASE("a capacity counter out of step with the reservations held is reported", "[invariants]") {
  const Scenario sc = busy_desk();
  CHECK_THAT(run_sabotaged(sc, EventType::reservation_created,
                           [](EngineImpl& engine, const Event& e) {
                             --EngineTestAccess::worker(engine, e.worker).used[e.channel];
                           }),
             Contains("but its capacity counter says 0"));
}

TEST_CASE("a worker whose room grew behind the matching's back is reported", "[invariants]") {
  const Scenario sc = busy_desk();
  // The accepted reservation dropped from the worker's books (consistently, so that the capacity
  // checks pass) without telling Matching: the worker has room but is not in the idle pools.
  CHECK_THAT(run_sabotaged(sc, EventType::reservation_accepted,
                           [](EngineImpl& engine, const Event& e) {
                             detail::WorkerState& w = EngineTestAccess::worker(engine, e.worker);
                             w.held.clear();
                             w.reservations = 0;
                             --w.used[e.channel];
                           }),
             Contains("is missing from the idle pools of channel voice, though it is available "
                      "with room there"));
}

TEST_CASE("a worker whose activity changed behind the matching's back is reported",
          "[invariants]") {
  const Scenario sc = busy_desk();
  // Offline without set_activity(): the per-queue activity counts (skip_if's) no longer add up.
  CHECK_THAT(run_sabotaged(sc, EventType::reservation_created,
                           [](EngineImpl& engine, const Event& e) {
                             EngineTestAccess::worker(engine, e.worker).activity = 0;
                           }),
             Contains("queue Q counts 0 workers in activity Offline, but 1 are there"));
}

TEST_CASE("an event scheduled in the past is reported", "[invariants]") {
  const Scenario sc = busy_desk();
  CHECK_THAT(run_sabotaged(sc, EventType::reservation_created,
                           [](EngineImpl& engine, const Event&) {
                             EngineTestAccess::schedule_in_the_past(engine);
                           }),
             Contains("in the past"));
}

TEST_CASE("a task that ends twice is reported", "[invariants]") {
  const Scenario sc = busy_desk();
  CHECK_THAT(run_sabotaged(sc, EventType::task_completed,
                           [](EngineImpl& engine, const Event& e) {
                             Event again = e;
                             again.type = EventType::task_canceled;
                             EngineTestAccess::emit(engine, again);
                           }),
             Contains("ended twice: task.completed, then task.canceled"));
}

TEST_CASE("a task that never ends is reported at the end of the run", "[invariants]") {
  const Scenario sc = busy_desk();
  CHECK_THAT(run_sabotaged(
                 sc, EventType::task_created,
                 [](EngineImpl& engine, const Event&) { ++EngineTestAccess::alive_tasks(engine); }),
             Contains("never completed or canceled"));
}

TEST_CASE("a reservation with two outcomes is reported", "[invariants]") {
  const Scenario sc = busy_desk();
  CHECK_THAT(run_sabotaged(sc, EventType::reservation_accepted,
                           [](EngineImpl& engine, const Event& e) {
                             Event again = e;
                             again.type = EventType::reservation_rescinded;
                             EngineTestAccess::emit(engine, again);
                           }),
             Contains("ended twice: reservation.accepted, then reservation.rescinded"));
}

TEST_CASE("activity durations that do not add up to the simulated time are reported",
          "[invariants]") {
  const Scenario sc = busy_desk();
  // A worker moved to no activity at all: its time from then on is in no activity's total.
  CHECK_THAT(run_sabotaged(sc, EventType::reservation_created,
                           [](EngineImpl& engine, const Event& e) {
                             Event lost = e;
                             lost.type = EventType::worker_activity_update;
                             lost.activity = kNoId;
                             EngineTestAccess::emit(engine, lost);
                           }),
             Contains("activity durations add up to"));
}

TEST_CASE("statistics that break a conservation law are reported", "[invariants]") {
  const Scenario sc = busy_desk();
  const Run run = run_once(sc, 0, /*invariants=*/false);
  // The same events, replayed through a checker, with a statistics tree altered one way or another.
  const auto check = [&](const char* path, double delta) {
    return violation([&] {
      detail::InvariantChecker checker(sc, nullptr);
      for (const Event& e : run.events) checker.on_event(e);
      MetricNode tampered = run.result.statistics;
      std::vector<std::string> keys;
      MetricNode* node = &tampered;
      for (std::string_view rest = path; !rest.empty();) {
        const std::size_t dot = rest.find('.');
        const std::string_view key = rest.substr(0, dot);
        auto it = std::find_if(node->children.begin(), node->children.end(),
                               [&](const MetricNode& c) { return c.key == key; });
        REQUIRE(it != node->children.end());
        node = &*it;
        rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
      }
      node->value += delta;
      checker.finish(0, tampered);
    });
  };
  CHECK(check("workspace.tasks_created", 0) == "(no InvariantViolation)");
  CHECK_THAT(check("workspace.tasks_completed", 1), Contains("is not tasks_completed"));
  CHECK_THAT(check("workspace.reservations_rejected", -1),
             Contains("is not the sum of the outcomes"));
  CHECK_THAT(check("workflows.wf.tasks_entered", 1),
             Contains("the workflows' tasks_entered add up to"));
  CHECK_THAT(check("workers.a.reservations_created", 1),
             Contains("the worker groups' reservations_created add up to"));
  CHECK_THAT(check("workspace.tasks_abandoned", 1000), Contains("outnumber tasks_canceled"));
}
