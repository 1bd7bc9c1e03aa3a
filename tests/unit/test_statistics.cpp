// Statistics trees and their aggregation over replications (§4).
#include <boost/math/distributions/students_t.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "trsim/statistics.hpp"

using trsim::aggregate;
using trsim::kNull;
using trsim::MetricNode;

TEST_CASE("Student t 97.5% quantiles match the tables", "[statistics]") {
  CHECK(trsim::student_t_975(1) == Approx(12.706).margin(1e-3));
  CHECK(trsim::student_t_975(9) == Approx(2.262).margin(1e-3));
  CHECK(trsim::student_t_975(29) == Approx(2.045).margin(1e-3));
  CHECK(trsim::student_t_975(100) == Approx(1.984).margin(1e-3));
  // Beyond the exact table the expansion is accurate to well under 1e-4 (values from the exact
  // inverse of the t CDF, computed with mpmath).
  CHECK(trsim::student_t_975(31) == Approx(2.0395134464).margin(1e-6));
  CHECK(trsim::student_t_975(40) == Approx(2.0210753903).margin(1e-6));
  CHECK(trsim::student_t_975(60) == Approx(2.0002978220).margin(1e-6));
  CHECK(trsim::student_t_975(120) == Approx(1.9799304051).margin(1e-6));
  CHECK(trsim::student_t_975(1000) == Approx(1.9623390808).margin(1e-6));
  CHECK(trsim::student_t_975(1000000) == Approx(1.9599663568).margin(1e-6));
  CHECK(std::isnan(trsim::student_t_975(0)));
  // Decreasing in df, across the table's edge too.
  for (std::size_t df = 1; df < 200; ++df)
    REQUIRE(trsim::student_t_975(df + 1) < trsim::student_t_975(df));
}

// The 97.5% quantiles are a hand-typed table (df <= 30) and a four-term Cornish-Fisher expansion
// (df > 30) rather than Boost.Math's inverse, which costs about 30 us a call (aggregate() runs for
// every interval cell) and differs from the table in the last bits, so every ci95 of every summary
// would change. Boost.Math holds them to the true values: the table to within 2 ulps of the
// quantile computed in long double, the expansion to its stated 3e-8 relative error.
TEST_CASE("Student t 97.5% quantiles agree with Boost.Math's", "[statistics]") {
  const auto exact = [](std::size_t df) {
    const boost::math::students_t_distribution<long double> t(static_cast<long double>(df));
    return static_cast<double>(boost::math::quantile(t, 0.975L));
  };
  for (std::size_t df = 1; df <= 30; ++df) {
    INFO("df = " << df);
    CHECK(std::abs(trsim::student_t_975(df) - exact(df)) <=
          2 * std::numeric_limits<double>::epsilon() * exact(df));
  }
  for (std::size_t df : {31, 32, 35, 40, 50, 60, 80, 100, 200, 500, 1000, 10000, 100000}) {
    INFO("df = " << df);
    CHECK(std::abs(trsim::student_t_975(df) / exact(df) - 1) < 3e-8);
  }
}

TEST_CASE("aggregate of known values", "[statistics]") {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample sd sqrt(32/7), ci95 = t(7) * sd / sqrt(8).
  const auto a = aggregate({2, 4, 4, 4, 5, 5, 7, 9});
  CHECK(a.n == 8);
  CHECK(a.mean == 5);
  CHECK(a.min == 2);
  CHECK(a.max == 9);
  CHECK(a.ci95 == Approx(2.3646242515927853 * std::sqrt(32.0 / 7) / std::sqrt(8.0)).epsilon(1e-12));
}

TEST_CASE("identical values aggregate exactly, with a zero half-width", "[statistics]") {
  const auto a = aggregate(std::vector<double>(10, 0.1));
  CHECK(a.mean == 0.1);
  CHECK(a.ci95 == 0);
  CHECK(a.n == 10);
}

TEST_CASE("null values are skipped, and one value has no half-width", "[statistics]") {
  const auto a = aggregate({kNull, 3, kNull, 5});
  CHECK(a.n == 2);
  CHECK(a.mean == 4);
  CHECK(a.min == 3);
  CHECK(a.max == 5);
  CHECK(a.ci95 == Approx(12.706204736174705 * std::sqrt(2.0) / std::sqrt(2.0)));

  const auto one = aggregate({kNull, 7});
  CHECK(one.n == 1);
  CHECK(one.mean == 7);
  CHECK(std::isnan(one.ci95));

  const auto none = aggregate({kNull, kNull});
  CHECK(none.n == 0);
  CHECK(std::isnan(none.mean));
  CHECK(std::isnan(none.ci95));
  CHECK(std::isnan(none.min));
  CHECK(std::isnan(none.max));
  CHECK(aggregate({}).n == 0);
}

namespace {

MetricNode sample_tree(double scale) {
  MetricNode root = MetricNode::group("statistics");
  MetricNode& ws = root.add_group("workspace");
  ws.add("tasks_created", 100 * scale);
  MetricNode& sl = ws.add_group("service_level");
  sl.add("0", 0.5 * scale);
  sl.add("0.5", 0.6 * scale);
  sl.add("20", 0.9 * scale);
  ws.add("no_data", kNull);
  // Done with `ws`: adding another child to `root` may move it.
  MetricNode& queues = root.add_group("task_queues");
  queues.add_group("Spanish").add("tasks_entered", 10 * scale);
  queues.add_group("a.b").add("x", 1 * scale);               // a key with a dot ...
  queues.add_group("a").add_group("b").add("x", 2 * scale);  // ... next to the same dotted path
  queues.add_group("c").add_group("d").add("y", 3 * scale);
  queues.add_group("c.d").add("z", 4 * scale);
  return root;
}

}  // namespace

TEST_CASE("children keep insertion order and child() finds direct keys", "[statistics]") {
  const MetricNode root = sample_tree(1);
  const MetricNode* sl = root.find("workspace.service_level");
  REQUIRE(sl != nullptr);
  REQUIRE(sl->children.size() == 3);
  CHECK(sl->children[0].key == "0");
  CHECK(sl->children[1].key == "0.5");
  CHECK(sl->children[2].key == "20");
  REQUIRE(sl->child("0.5") != nullptr);
  CHECK(sl->child("0.5")->value == 0.6);
  CHECK(sl->child("0.7") == nullptr);
}

TEST_CASE("find resolves dotted paths whose keys contain dots", "[statistics]") {
  const MetricNode root = sample_tree(1);
  REQUIRE(root.find("workspace.service_level.0.5") != nullptr);
  CHECK(root.find("workspace.service_level.0.5")->value == 0.6);
  CHECK(root.find("workspace.service_level.0")->value == 0.5);
  CHECK(root.find("workspace.service_level.20")->value == 0.9);
  CHECK(root.find("workspace.tasks_created")->value == 100);
  CHECK(root.find("task_queues.Spanish.tasks_entered")->value == 10);
  // The longest key is tried first: "a.b" the key before "a" then "b" ...
  CHECK(root.find("task_queues.a.b.x")->value == 1);
  // ... and a shorter key is tried when the longer one leads nowhere.
  CHECK(root.find("task_queues.c.d.y")->value == 3);
  CHECK(root.find("task_queues.c.d.z")->value == 4);
  CHECK(root.find("workspace.service_level.0.7") == nullptr);
  CHECK(root.find("workspace.nope") == nullptr);
  CHECK(root.find("workspace.") == nullptr);
  CHECK(root.find("") == &root);
}

TEST_CASE("aggregate_trees aggregates leaf by leaf in replication order", "[statistics]") {
  const MetricNode r0 = sample_tree(1), r1 = sample_tree(2), r2 = sample_tree(3);
  const auto agg = trsim::aggregate_trees({&r0, &r1, &r2});
  CHECK(agg.key == "statistics");
  CHECK(agg.is_group);
  const auto* created = agg.find("workspace.tasks_created");
  REQUIRE(created != nullptr);
  CHECK_FALSE(created->is_group);
  CHECK(created->value.mean == 200);
  CHECK(created->value.min == 100);
  CHECK(created->value.max == 300);
  CHECK(created->value.n == 3);
  CHECK(created->value.ci95 == Approx(4.3026527297494639 * 100 / std::sqrt(3.0)));
  CHECK(agg.find("workspace.service_level.0.5")->value.mean == Approx(1.2));
  CHECK(agg.find("workspace.service_level.0.5")->value.ci95 ==
        Approx(4.3026527297494639 * 0.6 / std::sqrt(3.0)));
  CHECK(agg.find("task_queues.a.b.x")->value.mean == 2);
  CHECK(agg.find("task_queues.c.d.y")->value.mean == 6);
  const auto* no_data = agg.find("workspace.no_data");
  REQUIRE(no_data != nullptr);
  CHECK(no_data->value.n == 0);
  CHECK(std::isnan(no_data->value.mean));
  // The shape, and so the JSON order, follows the trees.
  REQUIRE(agg.children.size() == 2);
  CHECK(agg.children[0].key == "workspace");
  CHECK(agg.children[1].key == "task_queues");
}

TEST_CASE("aggregate_trees refuses trees of different shapes", "[statistics]") {
  const MetricNode r0 = sample_tree(1);
  MetricNode r1 = sample_tree(1);
  r1.children[0].add("extra", 1);
  CHECK_THROWS_AS(trsim::aggregate_trees({&r0, &r1}), std::logic_error);
  MetricNode r2 = sample_tree(1);
  r2.children[0].children[0].key = "tasks_made";
  CHECK_THROWS_WITH(trsim::aggregate_trees({&r0, &r2}),
                    "aggregate_trees: replication 1 differs from replication 0 at "
                    "'workspace.tasks_created': different key");
  CHECK(trsim::aggregate_trees({}).children.empty());
}

namespace {

// Two aggregated trees are equal: keys, groups and every aggregate (NaN equal to NaN).
bool same_aggregates(const trsim::AggregateNode& a, const trsim::AggregateNode& b) {
  const auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
  if (a.key != b.key || a.is_group != b.is_group || a.children.size() != b.children.size())
    return false;
  if (!same(a.value.mean, b.value.mean) || !same(a.value.ci95, b.value.ci95) ||
      !same(a.value.min, b.value.min) || !same(a.value.max, b.value.max) || a.value.n != b.value.n)
    return false;
  for (std::size_t i = 0; i < a.children.size(); ++i)
    if (!same_aggregates(a.children[i], b.children[i])) return false;
  return true;
}

std::string tree_text(const MetricNode& n) {
  std::string out = n.key + (n.is_group ? "{" : "=");
  if (!n.is_group) out += std::isnan(n.value) ? "null" : std::to_string(n.value);
  for (const MetricNode& c : n.children) out += tree_text(c) + ",";
  return out + (n.is_group ? "}" : "");
}

}  // namespace

TEST_CASE("metric rows give back every tree, its leaves and the aggregate of the trees",
          "[statistics]") {
  // Trees of one shape (a point's replications), then of another (a shard's next point).
  std::vector<MetricNode> trees = {sample_tree(1), sample_tree(2), sample_tree(3)};
  MetricNode other = sample_tree(4);
  other.children[0].add("extra", 7);
  trsim::MetricRows rows(trees);
  CHECK(rows.size() == 3);
  const trsim::AggregateNode expected = trsim::aggregate_trees({&trees[0], &trees[1], &trees[2]});
  CHECK(same_aggregates(rows.aggregate(), expected));
  rows.push_back(other);
  trsim::MetricRows copied;
  for (std::size_t r = 0; r < rows.size(); ++r) copied.push_back(rows, r);
  for (std::size_t r = 0; r < 3; ++r) {
    CHECK(tree_text(rows.tree(r)) == tree_text(trees[r]));
    CHECK(tree_text(copied.tree(r)) == tree_text(trees[r]));
    CHECK(rows.leaf(r, "workspace.service_level.0.5") ==
          trees[r].find("workspace.service_level.0.5")->value);
  }
  CHECK(tree_text(rows.tree(3)) == tree_text(other));
  CHECK(rows.leaf(3, "workspace.extra") == 7);
  CHECK(std::isnan(rows.leaf(0, "workspace.extra")));  // not in that tree's shape
  CHECK(std::isnan(rows.leaf(0, "workspace")));        // a group, not a number
  CHECK(std::isnan(rows.leaf(0, "workspace.no_data")));
  // Trees of two shapes do not aggregate, as aggregate_trees says.
  CHECK_THROWS_AS(rows.aggregate(), std::logic_error);
  CHECK(trsim::MetricRows().aggregate().children.empty());
}
