// Capacity planning: `trsim staff --per-interval` on a 24-hour day of 48 half-hour intervals with
// three groups and 20 replications on 2 threads (the issue's bound: under 2 minutes), and the
// rostering integer program for 48 intervals and about 200 shift variants (under 10 seconds).
// Each is one iteration in wall seconds: run with --benchmark_filter=Staffing|Roster. The staffing
// runs both methods (`/0` isa, the default; `/1` search) and counts the simulated days and the
// agent-intervals each requires.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "trsim/interval_staffing.hpp"
#include "trsim/loader.hpp"
#include "trsim/roster.hpp"
#include "trsim/runner.hpp"

namespace {

trsim::Scenario load(const std::string& yaml, std::vector<std::string> overrides = {}) {
  trsim::LoadOptions options;
  options.overrides = std::move(overrides);
  trsim::LoadResult r = trsim::load_scenario_text(yaml, "bench.yaml", ".", options);
  if (!r.ok()) {
    std::string all;
    for (const auto& d : r.diagnostics) all += d.format() + "\n";
    throw std::runtime_error(all);
  }
  return std::move(*r.scenario);
}

// Three skills, each with its own queue and an overflow to a queue every agent serves after 20 s;
// a day-shaped forecast (quiet nights, a morning peak) of 4-minute calls; 80/20 per interval.
std::string three_groups_day() {
  std::string rates;
  for (int k = 0; k < 48; ++k) {
    const double h = k / 2.0;
    const double shape =
        20 + 180 * std::exp(-(h - 10) * (h - 10) / 18) + 80 * std::exp(-(h - 15) * (h - 15) / 8);
    rates += fmt::format("{}{:.0f}", k ? ", " : "", shape);
  }
  std::string streams, queues, filters, groups;
  for (const char* skill : {"english", "spanish", "billing"}) {
    queues += fmt::format("  {0}: {{target_workers: \"skill == '{0}'\"}}\n", skill);
    filters += fmt::format(
        "          - {{expression: \"skill == '{0}'\", targets: [{{queue: {0}, timeout: 20}}, "
        "{{queue: any}}]}}\n",
        skill);
    groups += fmt::format(
        "  {0}: {{count: 10, name: \"{0}-{{i}}\", activity: Available, attributes: {{skill: "
        "{0}}}}}\n",
        skill);
    streams += fmt::format(
        "  {0}: {{workflow: wf, attributes: {{skill: {0}}}, rates: {{interval: 30m, per_hour: "
        "[{1}]}}, "
        "handle_time: {{exponential: {{mean: 4m}}}}}}\n",
        skill, rates);
  }
  return fmt::format(R"(
name: three-groups
seed: 9
horizon: 24h
replications: 20
statistics: {{service_level_thresholds: [20], interval: 30m}}
task_queues:
{}  any: {{}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
{}        default_filter: {{queue: any}}
workers:
{}arrivals:
{}expect:
  - {{metric: workspace.service_level.20, min: 0.8}}
)",
                     queues, filters, groups, streams);
}

// state.range(0): 0 = the iterative staffing algorithm (the default), 1 = the search in time order.
void BM_StaffingPerInterval48x3x20(benchmark::State& state) {
  const std::string yaml = three_groups_day();
  const trsim::Scenario base = load(yaml);
  const std::int64_t cap = 60;
  const trsim::Scenario s = load(
      yaml, {"workers.english.count=60", "workers.spanish.count=60", "workers.billing.count=60"});
  trsim::IntervalStaffingSettings settings;
  settings.method =
      state.range(0) == 0 ? trsim::StaffingMethod::isa : trsim::StaffingMethod::search;
  for (trsim::GroupId g = 0; g < 3; ++g) {
    settings.groups.push_back(g);
    settings.base.push_back(base.worker_groups[g].count);
    settings.cost.push_back(1);
    settings.cap.push_back(cap);
  }
  trsim::RunSettings run;
  run.threads = 2;
  for (auto _ : state) {
    const trsim::IntervalStaffingResult r = trsim::staff_per_interval(
        s, settings, [&](const trsim::Scenario& sc) { return trsim::run_scenario(sc, run); });
    if (r.unmeetable) throw std::runtime_error(*r.unmeetable);
    state.counters["runs"] = static_cast<double>(r.runs);
    state.counters["simulated_days"] = r.simulated_days;
    state.counters["converged"] = r.converged ? 1 : 0;
    std::int64_t total = 0;
    for (const auto& row : r.required)
      for (const std::int64_t n : row) total += n;
    state.counters["agent_intervals"] = static_cast<double>(total);
  }
  state.SetLabel(state.range(0) == 0 ? "isa" : "search");
}
BENCHMARK(BM_StaffingPerInterval48x3x20)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

void BM_RosterIntegerProgram48x200(benchmark::State& state) {
  // 48 half-hour intervals; full shifts starting 06:00–14:00 with a lunch in a 4-slot window and a
  // break in a 2-slot window (17 × 4 × 2 = 136 variants), part-time starting 06:00–23:30 (36),
  // evening shifts starting 12:00–21:30 (20) and early ones starting 04:00–08:00 (9): 201.
  const trsim::Scenario s = load(R"(
name: roster-ip
horizon: 24h
statistics: {interval: 30m}
task_queues: {Q: {}}
workflows: {wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
workers: {agents: {count: 1}}
arrivals: {calls: {workflow: wf, rate: 0.1, handle_time: {constant: 60}}}
shifts:
  full:
    group: agents
    earliest_start: 6h
    latest_start: 14h
    length: 8h30m
    breaks:
      - {length: 15m, paid: true, earliest: 1h30m, latest: 2h}
      - {length: 30m, earliest: 3h30m, latest: 5h}
  part: {group: agents, earliest_start: 6h, latest_start: 23h30m, length: 4h, cost: 1.05}
  evening: {group: agents, earliest_start: 12h, latest_start: 21h30m, length: 6h, cost: 1.2}
  early: {group: agents, earliest_start: 4h, latest_start: 8h, length: 8h, cost: 1.1}
)");
  trsim::RosterProblem p;
  p.groups = {0};
  p.variants = trsim::shift_variants(s);
  p.requirement.assign(1, std::vector<double>(48, 0));
  for (int k = 0; k < 48; ++k) {
    const double h = k / 2.0;
    p.requirement[0][static_cast<std::size_t>(k)] =
        h < 4 ? 0
              : std::round(3 + 25 * std::exp(-(h - 10) * (h - 10) / 12) +
                           12 * std::exp(-(h - 16) * (h - 16) / 6));
  }
  for (auto _ : state) {
    const trsim::RosterSolution r = trsim::solve_roster(p);
    if (!r.solved) throw std::runtime_error("roster not solved: " + r.error);
    state.counters["variants"] = static_cast<double>(p.variants.size());
    state.counters["cost"] = r.cost;
  }
}
BENCHMARK(BM_RosterIntegerProgram48x200)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
