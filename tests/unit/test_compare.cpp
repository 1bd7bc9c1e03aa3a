// trsim compare's library part: the rule syntax, judging a rule on the ci95 or the mean, paired
// differences (narrower than unpaired ones when the runs share their noise) and pairing notes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/compare.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

const char* const kDesk = R"(name: desk
replications: 4
task_queues:
  Q: {}
workflows:
  main:
    configuration:
      task_routing:
        filters: []
        default_filter: {queue: Q}
workers:
  agents: {count: 3, activity: Available}
arrivals:
  calls: {workflow: main, rate: 30/h, handle_time: 5m}
)";

MetricNode tree(double value) {
  MetricNode root = MetricNode::group("");
  root.add_group("workspace").add("occupancy", value);
  return root;
}

Aggregate interval(double mean, double ci95, std::size_t n = 10) {
  Aggregate a;
  a.mean = mean;
  a.ci95 = ci95;
  a.n = n;
  return a;
}

}  // namespace

TEST_CASE("rules read 'METRIC < NUMBER' and 'METRIC > NUMBER'", "[compare]") {
  std::string why;
  const auto below = parse_compare_rule(" workspace.service_level.20 < -0.02 ", &why);
  REQUIRE(below);
  CHECK(below->metric == "workspace.service_level.20");
  CHECK(below->below);
  CHECK(below->threshold == -0.02);
  CHECK(below->text == "workspace.service_level.20 < -0.02");
  const auto above = parse_compare_rule("task_queues.Q.abandon_rate>+0.5", &why);
  REQUIRE(above);
  CHECK_FALSE(above->below);
  CHECK(above->threshold == 0.5);
  // A threshold key may hold dots (service_level.0.5).
  CHECK(parse_compare_rule("workspace.service_level.0.5 > 1e-3", &why)->metric ==
        "workspace.service_level.0.5");

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"workspace.occupancy", "expected 'METRIC < NUMBER'"},
      {"a < 1 < 2", "expected 'METRIC < NUMBER'"},
      {"a <= 1", "'<=' and '>=' are not rules"},
      {"< 1", "names no metric"},
      {"a b < 1", "holds a space"},
      {"a < ", "expected a number after '<', got ''"},
      {"a > 1x", "expected a number after '>', got '1x'"},
      {"a > inf", "expected a number"},
      {"a > nan", "expected a number"},
  };
  for (const auto& [text, message] : bad) {
    INFO(text);
    why.clear();
    CHECK_FALSE(parse_compare_rule(text, &why));
    CHECK(why.find(message) != std::string::npos);
  }
}

TEST_CASE("a rule judged on the ci95 fails only when the whole interval lies beyond", "[compare]") {
  const CompareRule drop = *parse_compare_rule("m < -0.02", nullptr);
  const CompareRule rise = *parse_compare_rule("m > 5", nullptr);
  // [-0.07, -0.03]: wholly below -0.02.
  CHECK(judge_rule(drop, interval(-0.05, 0.02), false).failed);
  // [-0.07, -0.01]: reaches above -0.02, so noise could explain it.
  CHECK_FALSE(judge_rule(drop, interval(-0.04, 0.03), false).failed);
  // ... but its mean is below: judged on the mean it fails.
  const RuleOutcome on_mean = judge_rule(drop, interval(-0.04, 0.03), true);
  CHECK(on_mean.failed);
  CHECK(on_mean.reason == "the mean difference -0.04 is below -0.02");
  // Exactly at the threshold is not beyond it.
  CHECK_FALSE(judge_rule(drop, interval(-0.03, 0.01), false).failed);
  // `>` mirrors it: [5.5, 8.5] lies above 5, [4.5, 8.5] does not.
  const RuleOutcome up = judge_rule(rise, interval(7, 1.5), false);
  CHECK(up.failed);
  CHECK(up.reason == "the whole ci95 [5.5, 8.5] is above 5");
  CHECK_FALSE(judge_rule(rise, interval(6.5, 2), false).failed);
  // No interval (one replication) or no data: the rule cannot hold.
  CHECK(judge_rule(drop, interval(-0.5, kNull, 1), false).reason ==
        "a ci95 needs at least 2 replications");
  CHECK(judge_rule(drop, Aggregate{}, true).failed);
  CHECK_FALSE(judge_rule(drop, interval(0, 0), false).failed);
  // A ratio's difference is told in percentage points, as the comparison table prints it.
  const CompareRule sl = *parse_compare_rule("workspace.service_level.20 < -0.02", nullptr);
  CHECK(judge_rule(sl, interval(-0.05, 0.02), false).reason ==
        "the whole ci95 [-7 pp, -3 pp] is below -2 pp");
  CHECK(judge_rule(sl, interval(-0.04, 0.03), true).reason ==
        "the mean difference -4 pp is below -2 pp");
}

TEST_CASE("paired differences: exact when the runs share their noise, narrower than unpaired",
          "[compare]") {
  const Scenario base = load_yaml(kDesk);
  // Replications that vary a lot from one to the next, the change a steady 0.1 above each, with
  // a little noise of its own.
  const std::vector<double> b = {0.50, 0.80, 0.35, 0.65, 0.90, 0.45};
  const std::vector<double> wiggle = {0.01, -0.01, 0.0, 0.02, -0.02, 0.0};
  std::vector<MetricNode> base_runs, change_runs, same_runs;
  for (std::size_t r = 0; r < b.size(); ++r) {
    base_runs.push_back(tree(b[r]));
    change_runs.push_back(tree(b[r] + 0.1 + wiggle[r]));
    same_runs.push_back(tree(b[r]));
  }
  const std::vector<std::string> metrics = {"workspace.occupancy"};
  const std::vector<CompareRule> rules = {
      *parse_compare_rule("workspace.occupancy > 0.05", nullptr)};
  const Comparison c = compare_runs(base, base, base_runs, change_runs, metrics, rules, false);
  REQUIRE(c.metrics.size() == 1);
  const MetricComparison& m = c.metrics[0];
  CHECK(m.difference.mean == Approx(0.1));
  CHECK(m.significant);
  // The paired interval sees only the wiggle; the unpaired one the whole spread of the runs.
  CHECK(m.difference.ci95 < 0.03);
  CHECK(m.unpaired_ci95 > 0.2);
  CHECK(std::abs(m.difference.mean) < m.unpaired_ci95);  // unpaired, it would not even show
  REQUIRE(c.rules.size() == 1);
  CHECK(c.rules[0].failed);
  CHECK(c.failures == 1);

  const Comparison self = compare_runs(base, base, base_runs, same_runs, metrics, rules, false);
  CHECK(self.metrics[0].difference.mean == 0);
  CHECK(self.metrics[0].difference.ci95 == 0);
  CHECK_FALSE(self.metrics[0].significant);
  CHECK(self.failures == 0);
  CHECK(self.pairing.complete);
}

TEST_CASE("pairing notes name the streams and workers without a counterpart", "[compare]") {
  TempDir dir;
  const Scenario base = load_yaml(kDesk, dir);
  const Scenario more = load_yaml(kDesk, dir, {"workers.agents.count=5"});
  const Pairing p = compare_pairing(base, more);
  CHECK_FALSE(p.complete);
  REQUIRE(p.notes.size() == 1);
  CHECK(p.notes[0] == "workers only in the change: agents-4, agents-5");
  const Pairing same = compare_pairing(base, load_yaml(kDesk, dir, {"horizon=2h"}));
  CHECK(same.complete);
  CHECK(same.notes.empty());
}

TEST_CASE("the compared metrics: headline ones, then extra and rule metrics once each",
          "[compare]") {
  const Scenario base = load_yaml(kDesk);
  const std::vector<CompareRule> rules = {
      *parse_compare_rule("task_queues.Q.abandon_rate > 0", nullptr),
      *parse_compare_rule("workspace.occupancy > 0", nullptr)};
  const std::vector<std::string> m = comparison_metrics(
      base, {"task_queues.Q.tasks_entered", "task_queues.Q.abandon_rate"}, rules);
  REQUIRE(m.size() >= 3);
  CHECK(m.front() == "workspace.tasks_created");
  CHECK(m[m.size() - 2] == "task_queues.Q.tasks_entered");
  CHECK(m.back() == "task_queues.Q.abandon_rate");
  CHECK(std::count(m.begin(), m.end(), "workspace.occupancy") == 1);
}

TEST_CASE("an override of configuration_file names the workflow file that is read",
          "[compare][loader]") {
  TempDir dir;
  const std::string routing = R"({"task_routing": {"filters": [{"filter_friendly_name": "all",
    "expression": "1 == 1", "targets": [{"queue": "Q", "timeout": 10}, {"queue": "Q"}]}]}})";
  dir.write("routing.json", routing);
  std::string other = routing;
  other.replace(other.find("\"timeout\": 10"), 13, "\"timeout\": 300");
  dir.write("other.json", other);
  const std::string yaml = R"(task_queues:
  Q: {}
workflows:
  main: {configuration_file: routing.json}
workers:
  agents: {count: 1, activity: Available}
arrivals:
  calls: {workflow: main, rate: 30/h, handle_time: 5m}
)";
  const auto first_timeout = [](const Scenario& s) {
    return to_seconds(*s.workflows.at(0).filters.at(0).targets.at(0).timeout);
  };
  CHECK(first_timeout(load_yaml(yaml, dir)) == 10);
  CHECK(first_timeout(load_yaml(yaml, dir, {"workflows.main.configuration_file=other.json"})) ==
        300);
  // Paths inside the configuration still reach the file that is read, in either order.
  const std::string step =
      "workflows.main.configuration.task_routing.filters.0.targets.0.timeout=42";
  CHECK(first_timeout(
            load_yaml(yaml, dir, {step, "workflows.main.configuration_file=other.json"})) == 42);
  CHECK(first_timeout(load_yaml(yaml, dir, {step})) == 42);
}
