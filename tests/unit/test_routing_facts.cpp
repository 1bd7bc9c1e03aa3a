// The routing facts (sim/engine/routing_facts.hpp): what routing reads of a scenario, built once
// and shared, read-only, by the engines of all its replications, on any number of threads.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/routing_facts.hpp"
#include "support/scenario_fixture.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

// Two skill queues, an order_by target, a known-worker target and offers that time out and are
// rejected: every kind of routing fact is read, and workers go in and out of the idle pools.
Scenario skills_desk() {
  return load_yaml(R"(
name: facts
horizon: 2h
seed: 7
task_queues:
  Sales: {target_workers: "skills HAS 'sales'"}
  Support: {target_workers: "skills HAS 'support'"}
workflows:
  wf:
    task_reservation_timeout: 20s
    configuration:
      task_routing:
        filters:
          - {expression: "kind == 'sales'", targets: [{queue: Sales, order_by: "worker.level DESC", timeout: 60}, {queue: Support}]}
          - {expression: "kind == 'vip'", targets: [{queue: Support, known_worker_friendly_name: task.agent, timeout: 30}, {queue: Support}]}
        default_filter: {queue: Support}
behaviors: {agent: {outcome: {accept: 0.85, reject: 0.05, no_response: 0.1}, response_time: 4s, wrapup_time: 20s,
                    after_timeout: {return_after: 1m, activity: Available}}}
workers:
  s: {count: 3, name: "s-{i}", attributes: {skills: [sales], level: 2}, behavior: agent, activity: Available}
  t: {count: 3, name: "t-{i}", attributes: {skills: [support, sales], level: 1}, behavior: agent, activity: Available}
  u: {count: 2, name: "u-{i}", attributes: {skills: [support]}, behavior: agent, activity: Available}
arrivals:
  calls:
    workflow: wf
    channel: voice
    rate: 150/h
    attributes: {agent: t-2, kind: {pick: {sales: 0.4, vip: 0.2, other: 0.4}}}
    handle_time: {exponential: {mean: 3m}}
    patience: {exponential: {mean: 4m}}
)");
}

std::vector<std::string> timeline_of(const Scenario& sc, const std::vector<Event>& events) {
  std::vector<std::string> lines;
  for (const Event& e : events) lines.push_back(describe(sc, e));
  return lines;
}

}  // namespace

TEST_CASE("the routing facts hold each worker's queues, its order_by rank and the name look-ups",
          "[routing_facts]") {
  const Scenario sc = skills_desk();
  const auto facts = build_routing_facts(sc);
  auto queues_of = [&](const std::string& name) {
    std::vector<std::string> names;
    for (QueueId q : facts->worker_queues[facts->known_worker(false, name)])
      names.push_back(sc.task_queues[q].name);
    return names;
  };
  CHECK(queues_of("s-1") == std::vector<std::string>{"Sales"});
  CHECK(queues_of("t-3") == std::vector<std::string>{"Sales", "Support"});
  CHECK(queues_of("u-2") == std::vector<std::string>{"Support"});
  CHECK(facts->known_worker(false, "nobody") == kNoId);
  const WorkerId t2 = facts->known_worker(false, "t-2");
  CHECK(facts->known_worker(true, sc.workers[t2].sid) == t2);
  // One order_by, used by one (queue, order_by) index: level 2 ranks before level 1, and a
  // worker without a level (u) comes last.
  REQUIRE(facts->rankings.size() == 1);
  REQUIRE(facts->order_indexes.size() == 1);
  const std::vector<std::uint32_t>& rank = facts->rankings[0].rank;
  CHECK(rank[facts->known_worker(false, "s-1")] == 0);
  CHECK(rank[t2] == 1);
  CHECK(rank[facts->known_worker(false, "u-1")] == 2);
  CHECK(facts->worker_ranked[t2] == 1);
  CHECK(facts->worker_ranked[facts->known_worker(false, "u-1")] == 0);  // not in Sales
}

TEST_CASE(
    "engines sharing one scenario's routing facts on several threads run as engines that "
    "build their own",
    "[routing_facts]") {
  const Scenario sc = skills_desk();
  const std::shared_ptr<const RoutingFacts> facts = build_routing_facts(sc);
  constexpr std::uint32_t kReplications = 4;
  std::vector<std::vector<std::string>> shared(kReplications);
  std::vector<std::thread> threads;
  for (std::uint32_t rep = 0; rep < kReplications; ++rep) {
    threads.emplace_back([&, rep] {
      MemorySink sink;
      Engine engine(sc, facts, EngineOptions{sc.seed, rep, /*check_invariants=*/true}, &sink);
      engine.run();
      shared[rep] = timeline_of(sc, sink.events);
    });
  }
  for (std::thread& t : threads) t.join();
  for (std::uint32_t rep = 0; rep < kReplications; ++rep) {
    const Run own = run_once(sc, rep);
    CHECK(shared[rep] == timeline_of(sc, own.events));
  }
  CHECK(shared[0].size() > 500);  // a busy two hours
  CHECK(shared[0] != shared[1]);  // and each replication its own
}

TEST_CASE("an engine refuses routing facts built for another scenario", "[routing_facts]") {
  const Scenario sc = skills_desk();
  const Scenario other = skills_desk();
  const auto facts = build_routing_facts(other);
  CHECK_THROWS_AS(Engine(sc, facts, EngineOptions{}), std::invalid_argument);
  CHECK_THROWS_AS(Engine(sc, nullptr, EngineOptions{}), std::invalid_argument);
}
