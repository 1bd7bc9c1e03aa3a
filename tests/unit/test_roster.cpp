// `trsim roster`'s integer program (GLPK) and its shift variants: a hand-checkable instance with a
// unique optimum, break placements and their coverage, and templates that leave intervals
// uncovered.
#include <catch2/catch.hpp>

#include "support/scenario_fixture.hpp"
#include "trsim/roster.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

const char* const kFourHours = R"(
name: roster
horizon: 4h
statistics: {interval: 1h}
task_queues: {Q: {}}
workflows: {wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
workers: {agents: {count: 1, activity: Available}}
arrivals: {calls: {workflow: wf, rate: 0.01, handle_time: {constant: 60}}}
shifts:
  A: {group: agents, earliest_start: 0, length: 2h}
  B: {group: agents, earliest_start: 1h, length: 2h}
  C: {group: agents, earliest_start: 0, length: 4h, cost: 1.1}
)";

RosterProblem problem(const Scenario& s, std::vector<double> requirement) {
  RosterProblem p;
  p.groups = {0};
  p.requirement = {std::move(requirement)};
  p.variants = shift_variants(s);
  return p;
}

}  // namespace

TEST_CASE("roster: four intervals, three shifts, a known optimum", "[roster]") {
  // Requirement 2, 3, 3, 1. Only C (4 h at 1.1 an hour: 4.4) covers the last interval, so C >= 1.
  // With C = 1: A >= 1 for the first interval, B >= 2 for the third: 4.4 + 2 + 4 = 10.4.
  // With C = 2: A = 0, B >= 1: 8.8 + 2 = 10.8. More C only costs more. The optimum is C=1, A=1,
  // B=2 at 10.4, over-staffing the second interval by one.
  const Scenario s = load_yaml(kFourHours);
  const RosterProblem p = problem(s, {2, 3, 3, 1});
  REQUIRE(p.variants.size() == 3);
  CHECK(p.variants[0].cover == std::vector<double>{1, 1, 0, 0});
  CHECK(p.variants[1].cover == std::vector<double>{0, 1, 1, 0});
  CHECK(p.variants[2].cost == Approx(4.4));
  const RosterSolution r = solve_roster(p);
  REQUIRE(r.solved);
  CHECK(r.agents == std::vector<std::int64_t>{1, 2, 1});
  CHECK(r.cost == Approx(10.4));
}

TEST_CASE("roster: a template with a start window and a break window", "[roster]") {
  // Starts at 0, 30m, 1h; a 30-minute unpaid break 1h to 2h after the start, on the 30m step:
  // 3 × 3 = 9 variants of 2.5 paid hours.
  std::string yaml = kFourHours;
  yaml += R"(  D:
    group: agents
    earliest_start: 0
    latest_start: 1h
    step: 30m
    length: 3h
    breaks: [{length: 30m, earliest: 1h, latest: 2h}]
)";
  const Scenario s = load_yaml(yaml);
  const std::vector<ShiftVariant> v = shift_variants(s);
  REQUIRE(v.size() == 3 + 9);
  const ShiftVariant& d = v[3 + 4];  // start 30m, break at 30m + 1h30m = 2h
  CHECK(d.start == 1800 * kMicrosPerSecond);
  REQUIRE(d.break_starts.size() == 1);
  CHECK(d.break_starts[0] == 7200 * kMicrosPerSecond);
  CHECK(d.paid_hours == Approx(2.5));
  CHECK(d.cover == std::vector<double>{0.5, 1, 0.5, 0.5});
}

TEST_CASE("roster: templates that cannot cover an interval name it", "[roster]") {
  std::string yaml = kFourHours;
  yaml.erase(yaml.find("  C: "));
  const Scenario s = load_yaml(yaml);
  const RosterSolution r = solve_roster(problem(s, {1, 1, 1, 1}));
  CHECK_FALSE(r.solved);
  REQUIRE(r.uncovered.size() == 1);
  CHECK(r.uncovered[0] == std::pair<std::size_t, std::size_t>{0, 3});
}
