#pragma once
// Statistics as an ordered tree of named numbers (§4), and their aggregation over replications.
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace trsim {

inline constexpr double kNull = std::numeric_limits<double>::quiet_NaN();

/// A node of the statistics tree: a group of children, or a leaf holding one number (NaN prints
/// as null: "no data", e.g. the average wait of zero tasks). Children keep insertion order, so the
/// JSON is written in a stable, documented order.
struct MetricNode {
  std::string key;
  bool is_group = true;
  double value = kNull;
  std::vector<MetricNode> children;

  static MetricNode group(std::string key) { return MetricNode{std::move(key), true, kNull, {}}; }
  static MetricNode leaf(std::string key, double v) {
    return MetricNode{std::move(key), false, v, {}};
  }

  /// Appends a child group and returns it. Children live in vectors: the reference stays valid only
  /// until another child is added to this node or to one of its ancestors.
  MetricNode& add_group(std::string child_key);
  /// Appends a leaf.
  void add(std::string child_key, double v);
  /// The child with `child_key`, or nullptr.
  const MetricNode* child(std::string_view child_key) const;
  /// Resolves a dotted path ("workspace.service_level.20"). Keys may themselves contain dots
  /// (a threshold of 0.5): the longest key that matches is taken first.
  const MetricNode* find(std::string_view dotted_path) const;
};

/// A metric aggregated over replications. ci95 is the Student-t 95% half-width (NaN with fewer
/// than two values). Null values (NaN) are left out; when every value is null, all four are null.
struct Aggregate {
  double mean = kNull;
  double ci95 = kNull;
  double min = kNull;
  double max = kNull;
  std::size_t n = 0;
};

Aggregate aggregate(const std::vector<double>& values);

/// The 97.5% quantile of Student's t with `df` degrees of freedom (df >= 1).
double student_t_975(std::size_t df);

/// An aggregated tree: same shape as the replications' trees.
struct AggregateNode {
  std::string key;
  bool is_group = true;
  Aggregate value;
  std::vector<AggregateNode> children;
  const AggregateNode* find(std::string_view dotted_path) const;
};

/// Aggregates trees of identical shape (one per replication), in replication order.
AggregateNode aggregate_trees(const std::vector<const MetricNode*>& trees);

}  // namespace trsim
