// Sweeps (trsim/sweep.hpp): the grid's order, value lists, shard slices, common random numbers,
// paired differences, thread independence, partial results and their merge, precision rounds,
// and the loader's `sweep:` block.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/sweep.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

// One queue of `agents` agents. With `instant` they accept every offer at once, so the
// reservation timeout can never matter; otherwise they miss one offer in ten.
std::string help_line(bool instant) {
  return std::string(R"(
name: help-line
seed: 5
horizon: 4h
warmup: 30m
replications: 8
statistics: {service_level_thresholds: [20, 60]}
activities: {Offline: {available: false}, Available: {available: true}}
task_queues: {Helpdesk: {target_workers: "1 == 1"}}
workflows:
  main:
    task_reservation_timeout: 30s
    configuration: {task_routing: {filters: [], default_filter: {queue: Helpdesk}}}
behaviors:
  agent:
)") +
         (instant ? "    outcome: {accept: 1.0}\n    response_time: 0s\n"
                  : "    outcome: {accept: 0.9, no_response: 0.1}\n    response_time: "
                    "{exponential: {mean: 4s}}\n"
                    "    after_timeout: {return_after: {exponential: {mean: 2m}}, activity: "
                    "Available}\n") +
         R"(
workers:
  agents: {count: 10, name: "a-{i}", behavior: agent, activity: Available}
arrivals:
  calls:
    workflow: main
    rate: 100/h
    handle_time: {exponential: {mean: 5m}}
    patience: {exponential: {mean: 3m}}
)";
}

SweepParameter param(std::string path, std::vector<std::string> values) {
  return SweepParameter{std::move(path), std::move(values), {}};
}

struct Fixture {
  TempDir dir;
  std::string yaml;

  // Runs on the sweep's worker threads: no Catch2 assertions in here (they are not thread-safe).
  ScenarioBuilder builder(const SweepGrid& grid) const {
    return [this, grid](std::size_t point) {
      LoadResult r =
          load_scenario_text(yaml, "test.yaml", dir.path(), LoadOptions{grid.overrides(point)});
      if (!r.ok()) throw std::runtime_error("point " + std::to_string(point) + " does not load");
      return std::move(*r.scenario);
    };
  }
  SweepDesign design(const SweepGrid& grid, std::uint32_t replications) const {
    const Scenario base = load_yaml(yaml, dir);
    return SweepDesign{base.name, base.seed, replications, grid, default_sweep_metrics(base), 0};
  }
};

std::string json_of(const SweepResults& r) { return sweep_json(r, summarise_sweep(r)); }

std::size_t metric_index(const SweepDesign& d, const std::string& metric) {
  const auto it = std::find(d.metrics.begin(), d.metrics.end(), metric);
  REQUIRE(it != d.metrics.end());
  return static_cast<std::size_t>(it - d.metrics.begin());
}

}  // namespace

TEST_CASE("a grid gives every combination once, the first parameter varying slowest", "[sweep]") {
  const SweepGrid grid{
      {param("a", {"1", "2"}), param("b", {"x", "y", "z"}), param("c", {"t", "f"})}};
  REQUIRE(grid.size() == 12);
  std::vector<std::vector<std::string>> expected;
  for (const char* a : {"1", "2"})
    for (const char* b : {"x", "y", "z"})
      for (const char* c : {"t", "f"})
        expected.push_back({std::string("a=") + a, std::string("b=") + b, std::string("c=") + c});
  std::vector<std::vector<std::string>> seen;
  for (std::size_t p = 0; p < grid.size(); ++p) seen.push_back(grid.overrides(p));
  CHECK(seen == expected);
  CHECK(grid.values(7) == std::vector<std::string>{"2", "x", "f"});
  CHECK(SweepGrid{}.size() == 1);
}

TEST_CASE("sweep value lists split at top-level commas, or as a YAML flow list", "[sweep]") {
  std::string why;
  CHECK(split_sweep_values("15s,30s, 60s", &why) == std::vector<std::string>{"15s", "30s", "60s"});
  CHECK(split_sweep_values(R"([a, "b,c"])", &why) == std::vector<std::string>{"a", "\"b,c\""});
  CHECK(split_sweep_values("'x,y',z", &why) == std::vector<std::string>{"'x,y'", "z"});
  CHECK(split_sweep_values("{uniform: {min: 1, max: 2}}", &why) ==
        std::vector<std::string>{"{uniform: {min: 1, max: 2}}"});
  CHECK(split_sweep_values("42", &why) == std::vector<std::string>{"42"});
  for (const char* bad : {"", "1,,2", "1,", ",1", "[1,2", "1]", "'open", "a,a", "[]"}) {
    INFO(bad);
    why.clear();
    CHECK_FALSE(split_sweep_values(bad, &why));
    CHECK_FALSE(why.empty());
  }
}

TEST_CASE("shards cover every (point, replication) unit exactly once, balanced", "[sweep]") {
  for (const std::size_t units : {0, 1, 2, 5, 12, 17, 100, 1001}) {
    for (std::size_t n = 1; n <= 40; ++n) {
      INFO("units " << units << ", shards " << n);
      std::vector<int> covered(units, 0);
      std::size_t expected_begin = 0, smallest = units, largest = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const UnitRange r = shard_range(units, k, n);
        REQUIRE(r.begin == expected_begin);  // contiguous, in shard order
        REQUIRE(r.end >= r.begin);
        for (std::size_t u = r.begin; u < r.end; ++u) ++covered.at(u);
        expected_begin = r.end;
        smallest = std::min(smallest, r.end - r.begin);
        largest = std::max(largest, r.end - r.begin);
      }
      CHECK(expected_begin == units);
      CHECK(std::all_of(covered.begin(), covered.end(), [](int c) { return c == 1; }));
      CHECK(largest - smallest <= 1);
    }
  }
  CHECK_THROWS(shard_range(10, 3, 3));
}

TEST_CASE("a parameter that cannot matter gives identical rows under common random numbers",
          "[sweep]") {
  Fixture f{{}, help_line(true)};
  const SweepGrid grid{{param("workflows.main.task_reservation_timeout", {"5s", "60s", "600s"})}};
  const SweepResults r = run_sweep(f.design(grid, 6), f.builder(grid), SweepSettings{});
  const std::vector<SweepPointSummary> points = summarise_sweep(r);
  REQUIRE(points.size() == 3);
  for (std::size_t m = 0; m < r.design.metrics.size(); ++m) {
    INFO(r.design.metrics[m]);
    for (std::size_t p = 1; p < points.size(); ++p) {
      CHECK(points[p].metrics[m].mean == points[0].metrics[m].mean);
      CHECK(points[p].differences[m].mean == 0);
      CHECK(points[p].differences[m].ci95 == 0);
    }
  }
  // The scenario is not trivial: replications differ from each other.
  CHECK(points[0].metrics[metric_index(r.design, "workspace.tasks_created")].ci95 > 0);
}

TEST_CASE("the paired difference has a smaller ci95 than the unpaired one", "[sweep]") {
  Fixture f{{}, help_line(false)};
  const SweepGrid grid{{param("workers.agents.count", {"10", "11"})}};
  const SweepResults r = run_sweep(f.design(grid, 10), f.builder(grid), SweepSettings{});
  const std::vector<SweepPointSummary> points = summarise_sweep(r);
  for (const char* metric : {"workspace.service_level.20", "workspace.avg_task_acceptance_time",
                             "workspace.abandon_rate"}) {
    INFO(metric);
    const std::size_t m = metric_index(r.design, metric);
    const double h0 = points[0].metrics[m].ci95;
    const double h1 = points[1].metrics[m].ci95;
    const double unpaired = std::sqrt(h0 * h0 + h1 * h1);  // independent samples of equal size
    const double paired = points[1].differences[m].ci95;
    INFO("paired " << paired << ", unpaired " << unpaired);
    CHECK(paired > 0);
    CHECK(paired < unpaired);
  }
  CHECK(points[0].differences.empty());
}

TEST_CASE("a sweep's output is the same for 1 and 3 threads", "[sweep]") {
  Fixture f{{}, help_line(false)};
  const SweepGrid grid{{param("workers.agents.count", {"9", "10", "11"}),
                        param("workflows.main.task_reservation_timeout", {"10s", "40s"})}};
  SweepSettings one;
  SweepSettings three;
  three.threads = 3;
  const std::string a = json_of(run_sweep(f.design(grid, 3), f.builder(grid), one));
  const std::string b = json_of(run_sweep(f.design(grid, 3), f.builder(grid), three));
  CHECK(a == b);
}

TEST_CASE("merged shards give byte for byte the unsharded sweep", "[sweep]") {
  Fixture f{{}, help_line(false)};
  const SweepGrid grid{{param("workers.agents.count", {"10", "11"}),
                        param("workflows.main.task_reservation_timeout", {"15s", "45s"})}};
  const SweepDesign design = f.design(grid, 3);
  const SweepResults whole = run_sweep(design, f.builder(grid), SweepSettings{});
  const std::string expected_json = json_of(whole);
  const std::string expected_csv = sweep_csv(whole, summarise_sweep(whole));
  const std::size_t units = grid.size() * design.replications;
  for (const std::size_t n : {1, 2, 5, 12, 20}) {
    INFO(n << " shards");
    std::vector<SweepPartial> parts;
    std::vector<std::string> names;
    for (std::size_t k = 0; k < n; ++k) {
      SweepPartial p{design, "0123456789abcdef", TRSIM_VERSION, k, n, {}, {}};
      const UnitRange range = shard_range(units, k, n);
      for (std::size_t u = range.begin; u < range.end; ++u)
        p.units.push_back(
            {u / design.replications, static_cast<std::uint32_t>(u % design.replications)});
      p.statistics = MetricRows(run_sweep_units(p.units, f.builder(grid), SweepSettings{}));
      // Through the text, as a cluster would.
      std::string why;
      const auto back = parse_sweep_partial(sweep_partial_json(p), "part", &why);
      INFO(why);
      REQUIRE(back);
      parts.push_back(*back);
      names.push_back("part-" + std::to_string(k) + ".json");
    }
    std::string why;
    const auto merged = merge_sweep_partials(parts, names, &why);
    INFO(why);
    REQUIRE(merged);
    CHECK(json_of(*merged) == expected_json);
    CHECK(sweep_csv(*merged, summarise_sweep(*merged)) == expected_csv);
  }
}

TEST_CASE("merging rejects missing, repeated and foreign parts", "[sweep]") {
  SweepDesign design{"s", 1, 2, SweepGrid{{param("x", {"1", "2"})}}, {"workspace.tasks_created"},
                     0};
  const auto part = [&](std::size_t k, std::size_t n) {
    SweepPartial p{design, "hash", TRSIM_VERSION, k, n, {}, {}};
    const UnitRange range = shard_range(4, k, n);
    for (std::size_t u = range.begin; u < range.end; ++u) {
      p.units.push_back({u / 2, static_cast<std::uint32_t>(u % 2)});
      MetricNode tree = MetricNode::group("");
      tree.add_group("workspace").add("tasks_created", static_cast<double>(u));
      p.statistics.push_back(tree);
    }
    return p;
  };
  std::string why;
  CHECK(merge_sweep_partials({part(0, 2), part(1, 2)}, {"a", "b"}, &why));
  CHECK_FALSE(merge_sweep_partials({part(0, 2)}, {"a"}, &why));
  CHECK(why == "no part holds unit (point 1, replication 0): the part of shard 1/2 is missing");
  CHECK_FALSE(merge_sweep_partials({part(0, 2), part(1, 2), part(1, 2)}, {"a", "b", "c"}, &why));
  CHECK(why ==
        "c: unit (point 1, replication 0) is also in b (a part given twice, or shards of "
        "different runs?)");
  SweepPartial other = part(1, 2);
  other.scenario_hash = "other";
  CHECK_FALSE(merge_sweep_partials({part(0, 2), other}, {"a", "b"}, &why));
  CHECK(why.rfind("b: comes from another scenario", 0) == 0);
  SweepPartial regrid = part(1, 2);
  regrid.design.grid.parameters[0].values[1] = "3";
  CHECK_FALSE(merge_sweep_partials({part(0, 2), regrid}, {"a", "b"}, &why));
  CHECK(why.rfind("b: belongs to another sweep than a: the grid", 0) == 0);
}

TEST_CASE("reading a partial reports malformed files", "[sweep]") {
  std::string why;
  CHECK_FALSE(parse_sweep_partial("{\"kind\": ", "p.json", &why));
  CHECK(why.rfind("p.json:1:", 0) == 0);
  CHECK_FALSE(parse_sweep_partial("{\"scenario\": \"x\"}", "p.json", &why));
  CHECK(why.rfind("p.json: not a partial sweep result", 0) == 0);
  CHECK_FALSE(
      parse_sweep_partial(R"({"kind": "trsim-sweep-partial", "scenario": 1})", "p.json", &why));
  CHECK(why.rfind("p.json: 'scenario' is missing or not a string", 0) == 0);
}

TEST_CASE("precision rounds add replications to every point until the half-width is met",
          "[sweep]") {
  Fixture f{{}, help_line(false)};
  const SweepGrid grid{{param("workers.agents.count", {"10", "12"})}};
  const std::string metric = "workspace.service_level.20";
  const SweepResults coarse = run_sweep(f.design(grid, 4), f.builder(grid), SweepSettings{});
  const std::size_t m = metric_index(coarse.design, metric);
  const auto widest = [&](const SweepResults& r) {
    double h = 0;
    for (const SweepPointSummary& p : summarise_sweep(r)) h = std::max(h, p.metrics[m].ci95);
    return h;
  };
  const double target = widest(coarse) / 2;  // needs about four times the replications
  SweepSettings three;
  three.threads = 3;
  const SweepResults fine =
      run_sweep(f.design(grid, 4), f.builder(grid), three, {{metric, target}});
  REQUIRE(fine.precision);
  CHECK(fine.precision->met);
  CHECK(fine.precision->batch == 4);
  CHECK(fine.design.replications > 4);
  CHECK((fine.design.replications - 4) % 4 == 0);
  for (const auto& runs : fine.runs) CHECK(runs.size() == fine.design.replications);
  CHECK(widest(fine) <= target);
  // The decision reads only results: the same with one thread.
  CHECK(json_of(run_sweep(f.design(grid, 4), f.builder(grid), SweepSettings{},
                          {{metric, target}})) == json_of(fine));
  // A cap stops it, and says so.
  const SweepResults capped =
      run_sweep(f.design(grid, 4), f.builder(grid), SweepSettings{}, {{metric, 1e-9}}, 10);
  REQUIRE(capped.precision);
  CHECK_FALSE(capped.precision->met);
  CHECK(capped.design.replications == 10);
}

TEST_CASE("the sweep block lists its parameters in file order", "[sweep][loader]") {
  TempDir dir;
  const Scenario s = load_yaml(help_line(false) + R"(
sweep:
  workflows.main.task_reservation_timeout: [15s, 30s]
  workers.agents.count: [10, 12, 14]
  name: ["b,c", plain]
)",
                               dir);
  REQUIRE(s.sweep.size() == 3);
  CHECK(s.sweep[0].path == "workflows.main.task_reservation_timeout");
  CHECK(s.sweep[0].values == std::vector<std::string>{"15s", "30s"});
  CHECK(s.sweep[1].values == std::vector<std::string>{"10", "12", "14"});
  CHECK(s.sweep[2].values == std::vector<std::string>{"\"b,c\"", "plain"});
  CHECK(s.sweep[1].where.line > s.sweep[0].where.line);
}

TEST_CASE("the sweep block rejects unknown, non-scalar and shared paths at their line",
          "[sweep][loader]") {
  TempDir dir;
  const std::string base = help_line(false);
  const auto errors = [&](const std::string& block) {
    const LoadResult r = load_scenario_text(base + block, "s.yaml", dir.path());
    std::vector<std::string> out;
    for (const Diagnostic& d : r.diagnostics) out.push_back(d.format());
    return out;
  };
  const int line = static_cast<int>(std::count(base.begin(), base.end(), '\n')) + 2;
  CHECK(errors("sweep:\n  workers.agentz.count: [1, 2]\n") ==
        std::vector<std::string>{"s.yaml:" + std::to_string(line) +
                                 ":3: sweep: no 'agentz' in 'workers'; did you mean 'agents'?"});
  CHECK(errors("sweep:\n  workflows.main: [1, 2]\n").at(0) ==
        "s.yaml:" + std::to_string(line) +
            ":3: sweep: 'workflows.main' is a map, not a single value: only scalars can be swept");
  CHECK(errors("sweep:\n  seed: [1, 2]\n").at(0).find("'seed' cannot be swept") !=
        std::string::npos);
  CHECK(
      errors("sweep:\n  workers.agents.count: [1, [2]]\n").at(0).find("expected a single value") !=
      std::string::npos);
  CHECK(errors("sweep:\n  workers.agents.count: [1, 1]\n").at(0).find("listed twice") !=
        std::string::npos);
  CHECK(errors("sweep:\n  workers.agents.count: 5\n").at(0).find("expected a list") !=
        std::string::npos);
}
