#pragma once
// Statistics as an ordered tree of named numbers (§4), and their aggregation over replications.
#include <cmath>
#include <cstddef>
#include <cstdint>
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

/// Many statistics trees (the replications of a sweep point, the units of a shard), held
/// compactly: each shape (keys, groups and leaves) once, and each tree as the numbers of its
/// leaves in order: 8 bytes a number where a MetricNode costs 72 and its key. tree(i) gives back
/// tree i exactly as it was added, so results read from rows are those of the trees.
class MetricRows {
 public:
  MetricRows() = default;
  explicit MetricRows(const std::vector<MetricNode>& trees);

  void push_back(const MetricNode& tree);
  /// Appends tree `row` of `other`.
  void push_back(const MetricRows& other, std::size_t row);
  std::size_t size() const { return row_shape_.size(); }
  bool empty() const { return row_shape_.empty(); }

  /// Tree `row`, as it was added.
  MetricNode tree(std::size_t row) const;
  /// The leaf at `dotted_path` (MetricNode::find) in tree `row`; kNull when the path names a
  /// group or nothing.
  double leaf(std::size_t row, std::string_view dotted_path) const;
  /// aggregate_trees() over every tree, in order (without expanding them when they share one
  /// shape).
  AggregateNode aggregate() const;

 private:
  /// A shape: the tree with each leaf's value replaced by its index among the leaves.
  struct Shape {
    MetricNode skeleton;
    std::size_t leaves = 0;
  };
  std::uint32_t shape_of(const MetricNode& tree);

  std::vector<Shape> shapes_;
  std::vector<std::uint32_t> row_shape_;  ///< each tree's shape
  std::vector<std::size_t> row_start_;    ///< each tree's first leaf in values_
  std::vector<double> values_;            ///< the trees' leaves, one tree after the other
};

}  // namespace trsim
