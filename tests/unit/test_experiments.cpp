// The search logic of `trsim tune` and `trsim staff` on synthetic responses: ranges and grids,
// constraints, paired differences, the refinement around the best point, and the staffing
// search's exact minimum with few evaluations.
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

TEST_CASE("tune refines around the best point of the first grid and recommends the feasible best",
          "[tune]") {
  // Objective x = (v − 23)² + noise shared by all points (common random numbers), minimised;
  // values above 40 are infeasible through the constraint x <= 300.
  TuneSettings s;
  s.objective = "workspace.x";
  s.maximise = false;
  s.range = {0, 60, true};
  s.steps = 7;          // 0, 10, ..., 60
  s.refine_steps = 19;  // the best, 20, ± one step: 10..30 is covered whole
  s.constraints.push_back(*parse_constraint("workspace.x<=300", nullptr));
  std::set<double> evaluated;
  const TuneResult r = tune(s, [&](double v) {
    REQUIRE(evaluated.insert(v).second);  // no value runs twice
    const double base = (v - 23) * (v - 23);
    return summary_of({base + 1, base - 1, base + 2, base - 2});
  });
  REQUIRE(r.best);
  CHECK(r.points[*r.best].value == 23);
  CHECK(r.points[*r.best].refined);
  CHECK(evaluated.count(21) == 1);
  CHECK(evaluated.count(29) == 1);
  CHECK(evaluated.size() == 7 + 21 - 3);  // 10, 20 and 30 were already run
  for (const TunePoint& p : r.points) {
    CHECK(p.feasible == ((p.value - 23) * (p.value - 23) <= 300));
    // Common noise: every difference to the best is exact, so nothing else is indistinguishable.
    CHECK(p.indistinguishable == (p.value == 23));
  }
}

TEST_CASE("tune lists as indistinguishable the feasible points whose paired difference covers 0",
          "[tune]") {
  TuneSettings s;
  s.objective = "workspace.x";
  s.range = {1, 3, true};
  s.steps = 3;
  s.refine_steps = 0;
  const TuneResult r = tune(s, [](double v) {
    if (v == 1) return summary_of({5, 5, 5, 5});
    if (v == 2) return summary_of({5.2, 4.9, 5.3, 4.8});  // best mean (5.05), noisy difference
    return summary_of({1, 1, 1, 1});
  });
  REQUIRE(r.best);
  CHECK(r.points[*r.best].value == 2);
  CHECK(r.points[0].indistinguishable);
  CHECK_FALSE(r.points[2].indistinguishable);
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
