// Whole scenarios through the engine: events/s and tasks/s.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "trsim/engine.hpp"
#include "trsim/loader.hpp"

namespace {

trsim::Scenario load(const std::string& yaml) {
  trsim::LoadResult r = trsim::load_scenario_text(yaml, "bench.yaml", ".");
  if (!r.ok()) {
    std::string all;
    for (const auto& d : r.diagnostics) all += d.format() + "\n";
    throw std::runtime_error(all);
  }
  return std::move(*r.scenario);
}

// M/M/c with instant accept: one queue, c agents, offered load 0.9 c.
std::string mmc_yaml(int agents, double hours) {
  const double mean_handle = 300.0;
  const double rate = 0.9 * agents / mean_handle;
  return fmt::format(R"(
name: mmc
horizon: {}h
task_queues: {{Q: {{}}}}
workflows: {{wf: {{configuration: {{task_routing: {{filters: [], default_filter: {{queue: Q}}}}}}}}}}
workers: {{agents: {{count: {}, activity: Available}}}}
arrivals: {{calls: {{workflow: wf, channel: voice, rate: {}, handle_time: {{exponential: {{mean: {}}}}}}}}}
)",
                     hours, agents, rate, mean_handle);
}

void BM_EngineMMc(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const trsim::Scenario scenario = load(mmc_yaml(agents, 24));
  std::uint64_t events = 0, tasks = 0;
  std::uint32_t rep = 0;
  for (auto _ : state) {
    trsim::Engine engine(scenario, trsim::EngineOptions{1, rep++, false});
    const trsim::ReplicationResult r = engine.run();
    events += r.events;
    const trsim::MetricNode* created = r.statistics.find("workspace.tasks_created");
    tasks += created ? static_cast<std::uint64_t>(created->value) : 0;
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["tasks/s"] =
      benchmark::Counter(static_cast<double>(tasks), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EngineMMc)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

// Many skill queues and a large workforce, for a short horizon: what a replication costs beyond
// its events (building the routing facts: every queue's target_workers per worker) shows.
std::string skills_yaml(int workers, int queues, const std::string& horizon) {
  std::string yaml = fmt::format("name: skills\nhorizon: {}\ntask_queues:\n", horizon);
  for (int q = 0; q < queues; ++q)
    yaml += fmt::format("  q{}: {{target_workers: \"skills HAS 's{}' AND level >= 1\"}}\n", q, q);
  yaml += "workflows:\n  wf:\n    configuration:\n      task_routing:\n        filters:\n";
  for (int q = 0; q < queues; ++q)
    yaml += fmt::format(
        "          - {{expression: \"skill == 's{}'\", targets: [{{queue: q{}}}]}}\n", q, q);
  yaml += "workers:\n";
  const int groups = 20;
  for (int g = 0; g < groups; ++g)
    yaml += fmt::format(
        "  g{}: {{count: {}, name: \"g{}-{{i}}\", activity: Available, attributes: {{level: {}, "
        "skills: [s{}, s{}, s{}]}}}}\n",
        g, workers / groups, g, 1 + g % 3, g % queues, (g * 7 + 1) % queues, (g * 11 + 2) % queues);
  yaml +=
      "arrivals:\n  calls:\n    workflow: wf\n    channel: voice\n    rate: 2000/h\n"
      "    handle_time: {exponential: {mean: 5m}}\n    attributes: {skill: {pick: {";
  for (int q = 0; q < queues; ++q) yaml += fmt::format("{}s{}: {}", q ? ", " : "", q, 1.0 / queues);
  yaml += "}}}\n";
  return yaml;
}

// Many short replications of one scenario: each engine building its own routing facts (Arg 0),
// or all of them sharing the facts built once (Arg 1, what the runner, sweeps and the warm-up
// pilot do).
void BM_ShortReplications(benchmark::State& state) {
  const bool shared = state.range(0) != 0;
  const trsim::Scenario scenario = load(skills_yaml(2000, 50, "10m"));
  const std::shared_ptr<const trsim::RoutingFacts> facts = trsim::build_routing_facts(scenario);
  std::uint32_t rep = 0;
  for (auto _ : state) {
    const trsim::EngineOptions options{1, rep++, false};
    trsim::ReplicationResult r = shared ? trsim::Engine(scenario, facts, options).run()
                                        : trsim::Engine(scenario, options).run();
    benchmark::DoNotOptimize(r.events);
  }
  state.counters["replications/s"] =
      benchmark::Counter(static_cast<double>(rep), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ShortReplications)
    ->ArgName("shared_facts")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
