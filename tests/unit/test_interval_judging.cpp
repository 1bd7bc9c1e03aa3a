// An `expect:` line on one interval is judged by one rule whether `trsim check` reads it
// (evaluate_any_expectation, over each replication's interval table) or `trsim staff
// --per-interval` and `trsim roster` do (interval_outcomes, over the aggregated table): the
// bounds as evaluate_bound() has them, with the one exception of a quiet interval.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/interval_staffing.hpp"
#include "trsim/runner.hpp"
#include "trsim/statistics.hpp"
#include "trsim/time.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

const char* const kDesk = R"(name: desk
seed: 3
horizon: 1h
replications: 2
statistics: {service_level_thresholds: [20], interval: 30m}
task_queues:
  Helpdesk: {}
workflows:
  helpdesk:
    configuration:
      task_routing:
        filters: []
        default_filter: {queue: Helpdesk}
workers:
  agents: {count: 4, activity: Available}
arrivals:
  calls: {workflow: helpdesk, rate: 30/h, handle_time: {exponential: {mean: 5m}}}
)";

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// An interval table of two 30-minute intervals, the workspace only: service_level.20 and
// tasks_waiting of the second interval as given (the first: 1 and 0).
IntervalTable table(double service_level, double waiting) {
  IntervalTable t;
  t.length = from_seconds(1800);
  t.horizon = from_seconds(3600);
  t.count = 2;
  t.scopes = {IntervalScope{IntervalScope::Kind::workspace, "workspace"}};
  t.columns = {"service_level.20", "tasks_waiting"};
  t.defined = {1, 1};
  t.values = {1, 0, service_level, waiting};
  return t;
}

struct Verdicts {
  bool check = false;  ///< evaluate_any_expectation
  std::string reason;
  bool staff = false;  ///< interval_outcomes
};

// Both readings of expectation 0 on replications whose second interval holds `levels`, `waiting`.
Verdicts judge(const Scenario& s, const std::vector<double>& levels, double waiting) {
  RunSummary summary;
  std::vector<double> present;
  for (double v : levels) {
    ReplicationResult r;
    r.intervals = table(v, waiting);
    summary.runs.push_back(r);
    if (!std::isnan(v)) present.push_back(v);
  }
  const Aggregate a = aggregate(present);
  summary.intervals.mean = table(a.mean, waiting);
  summary.intervals.ci95 = {kNan, kNan, a.ci95, kNan};
  Verdicts out;
  const std::optional<ExpectationOutcome> check = evaluate_any_expectation(s, 0, summary);
  REQUIRE(check);
  out.check = check->met;
  out.reason = check->reason;
  const std::vector<IntervalTarget> targets = interval_targets(s, nullptr);
  REQUIRE(targets.size() == 1);
  out.staff = interval_outcomes(s, targets, summary.intervals, 1).at(0).met;
  // The line is on the second interval: the first meets it whatever it holds.
  CHECK(interval_outcomes(s, targets, summary.intervals, 0).at(0).met);
  return out;
}

}  // namespace

TEST_CASE("check and staff judge an interval line alike: quiet or unanswered or ci with one value",
          "[expectations][intervals]") {
  TempDir dir;
  const Scenario plain =
      load_yaml(std::string(kDesk) +
                    "expect:\n  - {metric: workspace.service_level.20, interval: 30m, min: 0.8}\n",
                dir);
  const Scenario ci = load_yaml(
      std::string(kDesk) +
          "expect:\n  - {metric: workspace.service_level.20, interval: 30m, min: 0.8, ci: true}\n",
      dir);

  // A quiet interval (no task waited, so no service level): nothing to serve, met by both.
  Verdicts v = judge(plain, {kNan, kNan}, 0);
  CHECK(v.check);
  CHECK(v.staff);
  // Tasks waited and none stopped waiting (nobody logged in): no data, short for both.
  v = judge(plain, {kNan, kNan}, 3);
  CHECK_FALSE(v.check);
  CHECK_FALSE(v.staff);
  CHECK(v.reason == "no data (no task in the metric's denominator)");
  // A value on each side of the bound.
  v = judge(plain, {0.9, 0.85}, 5);
  CHECK(v.check);
  CHECK(v.staff);
  v = judge(plain, {0.7, 0.75}, 5);
  CHECK_FALSE(v.check);
  CHECK_FALSE(v.staff);
  // ci: true with one value (the other replication had none): no ci95, so short for both rather
  // than judged on the mean.
  v = judge(ci, {0.95, kNan}, 5);
  CHECK_FALSE(v.check);
  CHECK_FALSE(v.staff);
  CHECK(v.reason == "ci: true needs at least 2 replications with a value");
  // With two values the whole ci95 must clear the bound: 0.95 and 0.93 do, 0.95 and 0.7 do not.
  v = judge(ci, {0.95, 0.93}, 5);
  CHECK(v.check);
  CHECK(v.staff);
  v = judge(ci, {0.95, 0.7}, 5);
  CHECK_FALSE(v.check);
  CHECK_FALSE(v.staff);
}

TEST_CASE("an interval line names the queue whose name is longest where names share a prefix",
          "[expectations][intervals]") {
  // Queue names may hold dots: "task_queues.Sales.EU.service_level.20" is Sales.EU's line; read
  // as Sales's, its column "EU.service_level.20" has no interval value and staff refused it.
  TempDir dir;
  std::string yaml = kDesk;
  yaml.replace(yaml.find("  Helpdesk: {}"), 14, "  Sales: {}\n  Sales.EU: {}\n  Helpdesk: {}");
  yaml +=
      "expect:\n  - {metric: task_queues.Sales.EU.service_level.20, min: 0.8, interval: 30m}\n"
      "  - {metric: task_queues.Sales.service_level.20, min: 0.8}\n";
  const Scenario s = load_yaml(yaml, dir);
  const std::vector<IntervalTarget> targets = interval_targets(s, nullptr);
  REQUIRE(targets.size() == 2);
  CHECK(targets[0].scope == "queue:Sales.EU");
  CHECK(targets[0].column == "service_level.20");
  CHECK(targets[1].scope == "queue:Sales");
  CHECK(targets[1].column == "service_level.20");
}
