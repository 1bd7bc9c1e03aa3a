// The search logic of `trsim tune` and `trsim staff` on synthetic responses: ranges and grids,
// constraints, paired differences, the search and the Kim & Nelson selection, near-ties and
// preferences, and the staffing search's exact minimum with few evaluations.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <set>

#include "trsim/staffing.hpp"
#include "trsim/tune.hpp"

using namespace trsim;

namespace {

// A run of `values.size()` replications whose only metric, workspace.x, takes these values.
RunSummary summary_of(const std::vector<double>& values) {
  RunSummary s;
  for (std::size_t i = 0; i < values.size(); ++i) {
    ReplicationResult r;
    r.replication = static_cast<std::uint32_t>(i);
    r.statistics = MetricNode::group("");
    r.statistics.add_group("workspace").add("x", values[i]);
    s.runs.push_back(std::move(r));
  }
  std::vector<const MetricNode*> trees;
  for (const ReplicationResult& r : s.runs) trees.push_back(&r.statistics);
  s.statistics = aggregate_trees(trees);
  return s;
}

}  // namespace

TEST_CASE("tune ranges: whole numbers stay whole, decimals and durations are real seconds",
          "[tune]") {
  std::string why;
  const auto whole = parse_tune_range("4..20", &why);
  REQUIRE(whole);
  CHECK(whole->integer);
  CHECK(whole->lo == 4);
  CHECK(whole->hi == 20);
  CHECK_FALSE(parse_tune_range("0.5..2", &why)->integer);
  const auto durations = parse_tune_range("5s..2m", &why);
  REQUIRE(durations);
  CHECK_FALSE(durations->integer);
  CHECK(durations->hi == 120);
  CHECK_FALSE(parse_tune_range("20..4", &why));
  CHECK(why.find("lower to a higher") != std::string::npos);
  CHECK_FALSE(parse_tune_range("4-20", &why));
  CHECK_FALSE(parse_tune_range("x..20", &why));
}

TEST_CASE("tune grids are evenly spaced, rounded and without duplicates", "[tune]") {
  CHECK(tune_grid(5, 60, 12, true) ==
        std::vector<double>{5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60});
  CHECK(tune_grid(1, 3, 8, true) == std::vector<double>{1, 2, 3});  // rounding merges values
  CHECK(tune_grid(0, 1, 4, false) == std::vector<double>{0, 0.333, 0.667, 1});
}

TEST_CASE("tune constraints read METRIC<=V and METRIC>=V", "[tune]") {
  std::string why;
  const auto max = parse_constraint("workspace.abandon_rate<=0.05", &why);
  REQUIRE(max);
  CHECK(max->metric == "workspace.abandon_rate");
  CHECK(*max->max == 0.05);
  CHECK_FALSE(max->min);
  const auto min = parse_constraint("workspace.service_level.20 >= 0.8", &why);
  REQUIRE(min);
  CHECK(min->metric == "workspace.service_level.20");
  CHECK(*min->min == 0.8);
  CHECK_FALSE(parse_constraint("workspace.abandon_rate<0.05", &why));
  CHECK_FALSE(parse_constraint("<=3", &why));
  CHECK_FALSE(parse_constraint("workspace.x<=lots", &why));
}

TEST_CASE("a paired difference removes the noise the two points share", "[tune]") {
  // Replications differ a lot from each other, the two points by exactly 1 in each.
  const std::vector<double> a{10, 20, 30, 40}, b{9, 19, 29, 39};
  const Aggregate d = paired_difference(a, b);
  CHECK(d.mean == Approx(1));
  CHECK(d.ci95 == Approx(0).margin(1e-12));
  CHECK(paired_difference({1, kNull, 3}, {0, 5, 1}).n == 2);  // nulls are left out
}

namespace {

// Replications first..first+count−1 of a point whose objective is f(values) plus noise that
// depends on the replication only (common random numbers) and, with `own_noise`, on the point.
RunSummary replications_of(const std::function<double(const TuneConfig&)>& f,
                           const TuneConfig& values, std::uint32_t first, std::uint32_t count,
                           double shared_noise, double own_noise) {
  std::vector<double> xs;
  for (std::uint32_t r = first; r < first + count; ++r) {
    const double shared = std::sin(1.7 * r + 0.3) * shared_noise;
    double own = 0;
    for (double v : values) own += std::sin(12.9898 * r + 78.233 * v) * own_noise;
    xs.push_back(f(values) + shared + own);
  }
  return summary_of(xs);
}

}  // namespace

TEST_CASE("tune finds the feasible best of a one-parameter curve by search and selection",
          "[tune]") {
  // Objective x = (v − 23)² + noise, minimised; values with x > 300 (v > 40) are infeasible.
  TuneSettings s;
  s.objective = "workspace.x";
  s.maximise = false;
  s.parameters = {{"p", {0, 60, true}}};
  s.steps = 7;  // 0, 10, ..., 60
  s.delta = 0.5;
  s.constraints.push_back(*parse_constraint("workspace.x<=300", nullptr));
  const auto f = [](const TuneConfig& v) { return (v[0] - 23) * (v[0] - 23); };
  std::set<double> evaluated;
  const TuneResult r =
      tune(s, [&](const TuneConfig& v, std::size_t, std::uint32_t first, std::uint32_t count) {
        if (first == 0) REQUIRE(evaluated.insert(v[0]).second);  // no first stage twice
        return replications_of(f, v, first, count, 5, 0.2);
      });
  REQUIRE(r.best);
  CHECK(r.points[*r.best].values[0] == 23);
  CHECK(r.recommended == r.best);
  CHECK(evaluated.size() < 20);  // the search, not the 61 whole numbers
  for (const TunePoint& p : r.points) {
    CHECK(p.feasible == (f(p.values) <= 300));
    // Neighbours are 1 worse, twice δ: none is within δ.
    CHECK(p.within_delta == (p.values[0] == 23));
  }
}

TEST_CASE("tune finds the best pair of a separable two-parameter objective", "[tune]") {
  TuneSettings s;
  s.objective = "workspace.x";
  s.maximise = false;
  s.parameters = {{"a", {0, 40, true}}, {"b", {0, 40, true}}};
  s.delta = 0.5;
  const auto f = [](const TuneConfig& v) {
    return (v[0] - 7) * (v[0] - 7) + (v[1] - 31) * (v[1] - 31);
  };
  std::size_t points = 0;
  const TuneResult r =
      tune(s, [&](const TuneConfig& v, std::size_t, std::uint32_t first, std::uint32_t count) {
        points += first == 0 ? 1 : 0;
        return replications_of(f, v, first, count, 3, 0.2);
      });
  REQUIRE(r.best);
  CHECK(r.points[*r.best].values == TuneConfig{7, 31});
  CHECK(points < 60);  // of 41 × 41 = 1681 pairs
}

TEST_CASE("tune names the near-ties of a flat objective and recommends by the preference",
          "[tune]") {
  // x = 0 everywhere plus noise of each point's own: all within δ = 1 of each other.
  TuneSettings s;
  s.objective = "workspace.x";
  s.parameters = {{"p", {5, 60, true}}};
  s.steps = 12;
  s.delta = 1;
  const auto run = [&](TunePrefer prefer) {
    s.prefer = prefer;
    return tune(s, [](const TuneConfig& v, std::size_t, std::uint32_t first, std::uint32_t count) {
      return replications_of([](const TuneConfig&) { return 0.0; }, v, first, count, 1, 0.5);
    });
  };
  const TuneResult best = run(TunePrefer::best);
  const TuneResult low = run(TunePrefer::low);
  const TuneResult high = run(TunePrefer::high);
  REQUIRE(best.best);
  CHECK(best.recommended == best.best);
  std::size_t ties = 0;
  for (const TunePoint& p : best.points) ties += p.within_delta ? 1 : 0;
  CHECK(ties == best.points.size());  // every value tried is within δ of the best
  REQUIRE(low.recommended);
  REQUIRE(high.recommended);
  CHECK(low.points[*low.recommended].values[0] == 5);  // the edge of the range
  CHECK(high.points[*high.recommended].values[0] == 60);
}

TEST_CASE("tune's statistics: Student's t quantiles and Kim & Nelson's h²", "[tune]") {
  for (std::size_t df : {1, 2, 5, 9, 30, 200})
    CHECK(student_t_quantile(0.975, df) == Approx(student_t_975(df)).epsilon(1e-3));
  // KN (2001): η = ½[(2α/(k−1))^(−2/(n0−1)) − 1], h² = 2η(n0 − 1); k = 2, n0 = 10, α = 0.05:
  // 0.1^(−2/9) = 1.66810, η = 0.33405, h² = 6.0129.
  CHECK(kim_nelson_h2(2, 10, 0.05) == Approx(6.0129).epsilon(1e-4));
  CHECK(kim_nelson_h2(20, 10, 0.05) > kim_nelson_h2(2, 10, 0.05));  // more systems, wider
  CHECK(default_delta("workspace.service_level.20", 0.8) == 0.01);
  CHECK(default_delta("workspace.avg_task_acceptance_time", 30) == 1);
  CHECK(default_delta("workspace.tasks_completed", 700) == Approx(7));
}

TEST_CASE("tune domains: timeouts and counts take whole numbers, ranges snap to them", "[tune]") {
  CHECK(whole_number_setting("workflows.main.task_reservation_timeout"));
  CHECK(whole_number_setting(
      "workflows.main.configuration.task_routing.filters.0.targets.0.timeout"));
  CHECK(whole_number_setting("workers.agents.count"));
  CHECK(
      whole_number_setting("workflows.main.configuration.task_routing.filters.0.targets.0."
                           "max_reserved_workers"));
  CHECK_FALSE(whole_number_setting("arrivals.calls.rate"));
  std::string why;
  const auto snapped = snap_range({4.5, 60.7, false}, &why);
  REQUIRE(snapped);
  CHECK(snapped->lo == 5);
  CHECK(snapped->hi == 60);
  CHECK(snapped->integer);
  CHECK_FALSE(snap_range({10.2, 10.8, false}, &why));
  CHECK(why.find("no whole number between 10.2 and 10.8") != std::string::npos);
  const auto ci = parse_constraint("workspace.service_level.20>=0.8 ci", &why);
  REQUIRE(ci);
  CHECK(ci->require_ci);
  CHECK(*ci->min == 0.8);
  CHECK_FALSE(parse_constraint("workspace.service_level.20>=0.8", &why)->require_ci);
}

TEST_CASE("a constraint with ci needs its whole ci95 on the right side", "[tune]") {
  // x = v/10 + noise: the mean passes 0.8 at v = 8, the whole ci95 (about ± 0.5 with 10
  // replications) only higher.
  TuneSettings s;
  s.objective = "workspace.x";
  s.maximise = false;
  s.parameters = {{"p", {0, 20, true}}};
  s.steps = 21;
  s.delta = 0.05;
  const auto run = [&](bool ci) {
    s.constraints = {*parse_constraint(ci ? "workspace.x>=0.8 ci" : "workspace.x>=0.8", nullptr)};
    return tune(s, [](const TuneConfig& v, std::size_t, std::uint32_t first, std::uint32_t count) {
      return replications_of([](const TuneConfig& c) { return c[0] / 10; }, v, first, count, 0,
                             1.0);
    });
  };
  const TuneResult mean = run(false);
  const TuneResult whole = run(true);
  REQUIRE(mean.recommended);
  REQUIRE(whole.recommended);
  const double m = mean.points[*mean.recommended].values[0];
  const double w = whole.points[*whole.recommended].values[0];
  CHECK(m >= 5);
  CHECK(m <= 11);
  CHECK(w > m);
  const TunePoint& p = whole.points[*whole.recommended];
  CHECK(p.constraints[0].value.mean - p.constraints[0].value.ci95 >= 0.8);
}

TEST_CASE("staffing finds the exact minimum of a monotone requirement with few runs", "[staff]") {
  Expectation e;
  e.metric = "workspace.x";
  e.min = 37;  // x = the count: 37 agents are needed
  for (std::int64_t start : {1, 5, 37, 40}) {
    StaffingSettings s;
    s.base = {10};
    s.min = start;
    std::size_t runs = 0;
    const StaffingResult r = find_staffing(s, {e}, [&](const Staffing& c) {
      ++runs;
      return summary_of({static_cast<double>(c[0])});
    });
    REQUIRE(r.found);
    CHECK(r.found->counts[0] == std::max<std::int64_t>(37, start));
    CHECK(runs == r.evaluations);
    CHECK(runs <= 14);  // doubling to 64, then bisection: far fewer than 37
    if (start < 37) {
      REQUIRE(r.one_fewer.size() == 1);
      CHECK(r.one_fewer[0].counts[0] == 36);
      CHECK_FALSE(r.one_fewer[0].met);
    }
  }
  StaffingSettings capped;
  capped.base = {10};
  capped.max = 30;
  CHECK_FALSE(find_staffing(capped, {e}, [](const Staffing& c) {
                return summary_of({double(c[0])});
              }).found);
}

TEST_CASE("staffing several groups lowers each group to its own minimum", "[staff]") {
  // Needs a + 2b >= 30 and b >= 4 (x = min of the two margins): the descent from the common scale
  // ends at a staffing where neither group can lose an agent.
  Expectation e;
  e.metric = "workspace.x";
  e.min = 0;
  StaffingSettings s;
  s.base = {10, 10};
  const StaffingResult r = find_staffing(s, {e}, [](const Staffing& c) {
    const double x = std::min(double(c[0] + 2 * c[1] - 30), double(c[1] - 4));
    return summary_of({x});
  });
  REQUIRE(r.found);
  const std::int64_t a = r.found->counts[0], b = r.found->counts[1];
  CHECK(a + 2 * b >= 30);
  CHECK(b >= 4);
  REQUIRE(r.one_fewer.size() == 2);
  CHECK_FALSE(r.one_fewer[0].met);
  CHECK_FALSE(r.one_fewer[1].met);
}
