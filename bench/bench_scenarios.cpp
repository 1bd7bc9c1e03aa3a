// Whole scenarios through the engine: events/s and tasks/s.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

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

}  // namespace
