// Routing costs: expression evaluation, and worker selection in one queue of 10, 1,000 and
// 10,000 workers. SPEC §6: the routing cost per offer must not grow linearly with the number of
// workers in a queue, neither for the default longest-idle order nor for an order_by target.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <stdexcept>
#include <string>

#include "trsim/engine.hpp"
#include "trsim/expression.hpp"
#include "trsim/loader.hpp"
#include "trsim/value.hpp"

namespace {

using trsim::Value;

trsim::Expression parse(std::string_view text, trsim::ExpressionScope scope) {
  trsim::ExpressionError error;
  std::optional<trsim::Expression> e = trsim::Expression::parse(text, scope, &error);
  if (!e) throw std::runtime_error(error.message);
  return *e;
}

Value string_array(std::initializer_list<const char*> items) {
  Value::Array a;
  for (const char* s : items) a.push_back(Value::string(s));
  return Value::array(std::move(a));
}

// A worker of a skills-based contact centre and a task that matches it.
Value worker_attributes() {
  Value w = Value::object();
  w.set("skills", string_array({"s3", "s12", "s27", "s41"}));
  w.set("languages", string_array({"en", "es"}));
  w.set("level", Value::number(3));
  w.set("team", Value::string("north"));
  return w;
}

Value task_attributes() {
  Value t = Value::object();
  t.set("skill", Value::string("s27"));
  t.set("tier", Value::number(2));
  t.set("language", Value::string("es"));
  t.set("vip", Value::boolean(false));
  return t;
}

// Arg 0: a queue's target_workers; 1: a workflow filter; 2: a target expression over both.
void BM_ExpressionEvaluate(benchmark::State& state) {
  static const char* const texts[] = {
      "skills HAS 's27' AND level >= 2",
      "skill == 's27' AND tier == 2 AND language IN ['en', 'es']",
      "worker.skills HAS task.skill AND worker.languages HAS task.language AND worker.level >= "
      "task.tier",
  };
  static const trsim::ExpressionScope scopes[] = {
      trsim::ExpressionScope::worker, trsim::ExpressionScope::task, trsim::ExpressionScope::target};
  const auto which = static_cast<std::size_t>(state.range(0));
  const trsim::Expression e = parse(texts[which], scopes[which]);
  const Value worker = worker_attributes();
  const Value task = task_attributes();
  const trsim::WorkerFacts facts{&worker, "WK1", "alice", "Available", {}, "WA1", true};
  trsim::EvalContext ctx;
  ctx.task = &task;
  ctx.worker = &facts;
  bool all = true;
  for (auto _ : state) {
    const bool r = e.evaluate(ctx);
    all = all && r;
    benchmark::DoNotOptimize(r);
  }
  if (!all) state.SkipWithError("the expression should match");
  state.SetLabel(texts[which]);
  state.counters["evals/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExpressionEvaluate)->DenseRange(0, 2);

trsim::Scenario load(const std::string& yaml) {
  trsim::LoadResult r = trsim::load_scenario_text(yaml, "bench.yaml", ".");
  if (!r.ok()) {
    std::string all;
    for (const auto& d : r.diagnostics) all += d.format() + "\n";
    throw std::runtime_error(all);
  }
  return std::move(*r.scenario);
}

// One queue of `agents` workers at 50% load, so most offers find many idle workers; about
// 200,000 tasks whatever the size (the order is through a filter in both variants). With
// `order_by`, the target ranks workers by a level drawn per worker (4 levels), which a linear scan
// of the idle pool would pay for on every offer.
std::string selection_yaml(int agents, bool order_by) {
  constexpr double mean_handle = 300.0;
  constexpr double tasks = 200000.0;
  const double rate = 0.5 * agents / mean_handle;
  const double hours = tasks / rate / 3600.0;
  return fmt::format(R"(
name: selection
horizon: {}h
task_queues: {{Q: {{}}}}
workflows: {{wf: {{configuration: {{task_routing: {{filters: [{{expression: "1==1", targets: [{{queue: Q{}}}]}}], default_filter: {{queue: Q}}}}}}}}}}
workers: {{agents: {{count: {}, activity: Available, attributes: {{level: {{pick: {{1: 0.25, 2: 0.25, 3: 0.25, 4: 0.25}}}}}}}}}}
arrivals: {{calls: {{workflow: wf, channel: voice, rate: {}, handle_time: {{exponential: {{mean: {}}}}}}}}}
)",
                     hours, order_by ? ", order_by: \"worker.level DESC\"" : "", agents, rate,
                     mean_handle);
}

// The cost per offer through the whole engine, without the engine's set-up (random streams and
// pools for every worker, which is paid once per run): each iteration also runs the same
// scenario over one second and subtracts its CPU time (CPU, not wall: the machine is shared). A
// flat ns/offer across 10 .. 10,000 workers means no linear cost; what remains of the growth is the
// memory hierarchy (10,000 workers' state does not fit in the caches).
void run_selection(benchmark::State& state, bool order_by) {
  const int agents = static_cast<int>(state.range(0));
  const trsim::Scenario scenario = load(selection_yaml(agents, order_by));
  trsim::Scenario setup_only = scenario;
  setup_only.horizon = trsim::kMicrosPerSecond;
  auto seconds_of = [](const trsim::Scenario& sc, std::uint32_t rep, std::uint64_t& offers) {
    const std::clock_t start = std::clock();
    trsim::Engine engine(sc, trsim::EngineOptions{1, rep, false});
    const trsim::ReplicationResult r = engine.run();
    const double took = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
    const trsim::MetricNode* created = r.statistics.find("workspace.reservations_created");
    offers = created ? static_cast<std::uint64_t>(created->value) : 0;
    return took;
  };
  std::uint64_t offers = 0;
  double net_seconds = 0;
  std::uint32_t rep = 0;
  for (auto _ : state) {
    std::uint64_t full_offers = 0, setup_offers = 0;
    const double full = seconds_of(scenario, rep, full_offers);
    const double setup = seconds_of(setup_only, rep, setup_offers);
    ++rep;
    offers += full_offers - setup_offers;
    net_seconds += std::max(0.0, full - setup);
  }
  if (offers == 0) state.SkipWithError("no offers were made");
  state.counters["offers"] = static_cast<double>(offers) / static_cast<double>(state.iterations());
  state.counters["ns/offer"] = offers ? net_seconds * 1e9 / static_cast<double>(offers) : 0.0;
}

void BM_SelectLongestIdle(benchmark::State& state) { run_selection(state, false); }
void BM_SelectOrderBy(benchmark::State& state) { run_selection(state, true); }
BENCHMARK(BM_SelectLongestIdle)->Arg(10)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SelectOrderBy)->Arg(10)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
