// evaluate_expectation(): the mean against min/max, and with `ci: true` the whole 95% interval.
#include <catch2/catch.hpp>

#include "trsim/expectations.hpp"

using namespace trsim;

namespace {

// A tree with one leaf, workspace.service_level.20, aggregated from `values`.
AggregateNode tree_of(const std::vector<double>& values) {
  std::vector<MetricNode> trees;
  for (double v : values) {
    MetricNode root = MetricNode::group("");
    root.add_group("workspace").add_group("service_level").add("20", v);
    trees.push_back(std::move(root));
  }
  std::vector<const MetricNode*> pointers;
  for (const MetricNode& t : trees) pointers.push_back(&t);
  return aggregate_trees(pointers);
}

Expectation at_least(double min, bool ci) {
  Expectation e;
  e.metric = "workspace.service_level.20";
  e.min = min;
  e.require_ci = ci;
  return e;
}

}  // namespace

TEST_CASE("ci true turns a mean that clears the bound into a failure when the interval does not",
          "[expect]") {
  const AggregateNode t = tree_of({0.80, 0.84, 0.88});  // mean 0.84, ci95 ≈ 0.099
  const auto plain = evaluate_expectation(at_least(0.8, false), t);
  REQUIRE(plain);
  CHECK(plain->met);
  CHECK(plain->value.mean == Approx(0.84));
  const auto ci = evaluate_expectation(at_least(0.8, true), t);
  REQUIRE(ci);
  CHECK_FALSE(ci->met);
  CHECK(ci->reason.find("the ci95 reaches down to") == 0);
  CHECK(evaluate_expectation(at_least(0.7, true), t)->met);  // 0.84 − 0.099 ≥ 0.7
}

TEST_CASE("a maximum with ci true checks the upper end of the interval", "[expect]") {
  const AggregateNode t = tree_of({10, 12, 14});  // mean 12, ci95 = 4.303 · 2 / √3 ≈ 4.97
  Expectation e;
  e.metric = "workspace.service_level.20";
  e.max = 15;
  CHECK(evaluate_expectation(e, t)->met);
  e.require_ci = true;
  CHECK_FALSE(evaluate_expectation(e, t)->met);
  e.max = 17;
  CHECK(evaluate_expectation(e, t)->met);
}

TEST_CASE("ci true needs two replications, and no data and unknown paths are told apart",
          "[expect]") {
  const AggregateNode one = tree_of({0.95});
  CHECK(evaluate_expectation(at_least(0.8, false), one)->met);
  const auto ci = evaluate_expectation(at_least(0.8, true), one);
  CHECK_FALSE(ci->met);
  CHECK(ci->reason == "ci: true needs at least 2 replications with a value");
  const auto none = evaluate_expectation(at_least(0.8, false), tree_of({kNull, kNull}));
  CHECK_FALSE(none->met);
  Expectation unknown = at_least(0.8, false);
  unknown.metric = "workspace.service_level.30";
  CHECK_FALSE(evaluate_expectation(unknown, one).has_value());
  unknown.metric = "workspace.service_level";  // a group, not a number
  CHECK_FALSE(evaluate_expectation(unknown, one).has_value());
}

TEST_CASE("describe_bound reads like the expectation", "[expect]") {
  Expectation e = at_least(0.75, true);
  CHECK(describe_bound(e) == ">= 0.75 (ci95)");
  e.require_ci = false;
  e.max = 0.9;
  CHECK(describe_bound(e) == "in [0.75, 0.9]");
  e.min.reset();
  CHECK(describe_bound(e) == "<= 0.9");
}

// A percentage by the statistic's name, never by a queue's: the rule once matched the words
// anywhere in the path, so a queue called abandon_rate_review printed its waits in %.
TEST_CASE("a ratio metric is told by the statistic's name, not by an entity's", "[expect]") {
  CHECK(is_ratio_metric("workspace.service_level.20"));
  CHECK(is_ratio_metric("task_queues.Support.abandon_rate"));
  CHECK(is_ratio_metric("worker_groups.agents.occupancy"));
  CHECK(is_ratio_metric("service_level.60"));       // an interval table column
  CHECK(is_ratio_metric("service_level.60_ci95"));  // and its ci95 column
  CHECK(is_ratio_metric("occupancy"));
  CHECK_FALSE(is_ratio_metric("task_queues.abandon_rate_review.avg_task_acceptance_time"));
  CHECK_FALSE(is_ratio_metric("task_queues.occupancy.tasks_created"));
  CHECK_FALSE(is_ratio_metric("workspace.split_by_wait_time.20.reservations_accepted"));
  CHECK_FALSE(is_ratio_metric("workspace.avg_task_acceptance_time"));
}

TEST_CASE("describe_bound in percent prints a ratio's bound as the console does", "[expect]") {
  Expectation e = at_least(0.75, true);
  CHECK(describe_bound(e, true) == ">= 75% (ci95)");
  e.max = 0.9;
  e.interval = 9000 * kMicrosPerSecond;
  CHECK(describe_bound(e, true) == "in [75%, 90%] (ci95) at 2:30");
  CHECK(describe_bound(e) == "in [0.75, 0.9] (ci95) at 2:30");
}
