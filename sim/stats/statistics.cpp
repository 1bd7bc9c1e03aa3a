// The statistics tree and its aggregation over replications (§4).
#include "trsim/statistics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace trsim {

namespace {

// Resolves `path` below `node`. Keys may contain dots (the threshold "0.5" of service_level.0.5),
// so a path is not simply split at dots: among the children whose key matches a prefix of the path
// ending at a dot (or the whole path), the longest key is tried first, then shorter ones, so that
// "a.b" is found whether it is one key or two levels. Ties keep insertion order (first wins).
template <typename Node>
const Node* find_path(const Node& node, std::string_view path) {
  if (path.empty()) return &node;
  const Node* best_exact = nullptr;
  std::vector<const Node*> prefixes;
  for (const Node& c : node.children) {
    const std::string_view key = c.key;
    if (path == key) {
      if (best_exact == nullptr) best_exact = &c;
    } else if (path.size() > key.size() + 1 && path.substr(0, key.size()) == key &&
               path[key.size()] == '.') {
      prefixes.push_back(&c);
    }
  }
  // The whole remaining path as one key is the longest possible match.
  if (best_exact != nullptr) return best_exact;
  std::stable_sort(prefixes.begin(), prefixes.end(),
                   [](const Node* a, const Node* b) { return a->key.size() > b->key.size(); });
  for (const Node* c : prefixes) {
    if (const Node* found = find_path(*c, path.substr(c->key.size() + 1))) return found;
  }
  return nullptr;
}

// Broken invariants of the callers (trees of different shapes) are bugs, not user errors; they
// throw in every build type rather than read out of bounds.
[[noreturn]] void shape_mismatch(const std::string& path, std::size_t replication,
                                 const char* what) {
  throw std::logic_error(
      fmt::format("aggregate_trees: replication {} differs from replication 0 at '{}': {}",
                  replication, path, what));
}

AggregateNode aggregate_node(const std::vector<const MetricNode*>& nodes, const std::string& path) {
  const MetricNode& first = *nodes.front();
  for (std::size_t r = 1; r < nodes.size(); ++r) {
    const MetricNode& other = *nodes[r];
    if (other.key != first.key) shape_mismatch(path, r, "different key");
    if (other.is_group != first.is_group) shape_mismatch(path, r, "group versus leaf");
    if (other.children.size() != first.children.size())
      shape_mismatch(path, r, "different number of children");
  }
  AggregateNode out;
  out.key = first.key;
  out.is_group = first.is_group;
  if (!first.is_group) {
    std::vector<double> values;
    values.reserve(nodes.size());
    for (const MetricNode* n : nodes) values.push_back(n->value);
    out.value = aggregate(values);
    return out;
  }
  out.children.reserve(first.children.size());
  std::vector<const MetricNode*> column(nodes.size());
  for (std::size_t i = 0; i < first.children.size(); ++i) {
    for (std::size_t r = 0; r < nodes.size(); ++r) column[r] = &nodes[r]->children[i];
    const std::string child_path =
        path.empty() ? first.children[i].key : path + "." + first.children[i].key;
    out.children.push_back(aggregate_node(column, child_path));
  }
  return out;
}

}  // namespace

MetricNode& MetricNode::add_group(std::string child_key) {
  children.push_back(group(std::move(child_key)));
  return children.back();
}

void MetricNode::add(std::string child_key, double v) {
  children.push_back(leaf(std::move(child_key), v));
}

const MetricNode* MetricNode::child(std::string_view child_key) const {
  for (const MetricNode& c : children)
    if (c.key == child_key) return &c;
  return nullptr;
}

const MetricNode* MetricNode::find(std::string_view dotted_path) const {
  return find_path(*this, dotted_path);
}

const AggregateNode* AggregateNode::find(std::string_view dotted_path) const {
  return find_path(*this, dotted_path);
}

Aggregate aggregate(const std::vector<double>& values) {
  Aggregate a;
  double sum = 0;
  for (const double v : values) {
    if (std::isnan(v)) continue;  // null: "no data" in that replication
    if (a.n == 0) {
      a.min = v;
      a.max = v;
    } else {
      a.min = std::min(a.min, v);
      a.max = std::max(a.max, v);
    }
    sum += v;
    ++a.n;
  }
  if (a.n == 0) return a;
  const auto n = static_cast<double>(a.n);
  if (a.min == a.max) {
    // Identical values: report them exactly (summing ten 0.1s and dividing gives
    // 0.09999999999999999).
    a.mean = a.min;
    if (a.n >= 2) a.ci95 = 0;
    return a;
  }
  // Rounding can put sum/n a hair outside [min, max]; clamp so the summary never looks impossible.
  a.mean = std::clamp(sum / n, a.min, a.max);
  if (a.n >= 2) {
    double squares = 0;  // two-pass: no cancellation as with sum(x²) - n·mean²
    for (const double v : values)
      if (!std::isnan(v)) squares += (v - a.mean) * (v - a.mean);
    const double sd = std::sqrt(squares / (n - 1));
    a.ci95 = student_t_975(a.n - 1) * sd / std::sqrt(n);
  }
  return a;
}

double student_t_975(std::size_t df) {
  // Exact quantiles (to 1e-15) for small df, where the expansion below is least accurate.
  static constexpr std::array<double, 30> kTable{
      12.706204736174705, 4.3026527297494639, 3.1824463052837096, 2.7764451051977944,
      2.5705818356363155, 2.4469118511449700, 2.3646242515927853, 2.3060041352041667,
      2.2621571627982055, 2.2281388519862747, 2.2009851600916399, 2.1788128296672289,
      2.1603686564627925, 2.1447866879178038, 2.1314495455597757, 2.1199052992212547,
      2.1098155778333171, 2.1009220402410385, 2.0930240544083098, 2.0859634472658648,
      2.0796138447276804, 2.0738730679040262, 2.0686576104190487, 2.0638985616280258,
      2.0595385527532977, 2.0555294386428732, 2.0518305164802856, 2.0484071417952452,
      2.0452296421327043, 2.0422724563012383};
  if (df == 0) return kNull;
  if (df <= kTable.size()) return kTable[df - 1];
  // Cornish–Fisher expansion of t around the normal quantile z (Abramowitz & Stegun 26.7.5), four
  // terms: error below 3e-8 for df > 30.
  constexpr double z = 1.9599639845400542;
  constexpr double z2 = z * z;
  constexpr double z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
  constexpr double g1 = (z3 + z) / 4;
  constexpr double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
  constexpr double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
  constexpr double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
  const double v = static_cast<double>(df);
  return z + (g1 + (g2 + (g3 + g4 / v) / v) / v) / v;
}

AggregateNode aggregate_trees(const std::vector<const MetricNode*>& trees) {
  if (trees.empty()) return AggregateNode{};
  return aggregate_node(trees, "");
}

// ---------------------------------------------------------------------------------------------

namespace {

// A tree's leaves in order (depth first, children in order).
void append_leaves(const MetricNode& node, std::vector<double>& out) {
  if (!node.is_group) {
    out.push_back(node.value);
    return;
  }
  for (const MetricNode& c : node.children) append_leaves(c, out);
}

// The tree's shape with each leaf numbered in order: its skeleton.
void number_leaves(MetricNode& node, std::size_t& next) {
  if (!node.is_group) {
    node.value = static_cast<double>(next++);
    return;
  }
  for (MetricNode& c : node.children) number_leaves(c, next);
}

bool same_shape(const MetricNode& a, const MetricNode& b) {
  if (a.key != b.key || a.is_group != b.is_group || a.children.size() != b.children.size())
    return false;
  for (std::size_t i = 0; i < a.children.size(); ++i)
    if (!same_shape(a.children[i], b.children[i])) return false;
  return true;
}

// The skeleton with its leaves' values taken from `values` (by their index).
void fill_leaves(MetricNode& node, const double* values) {
  if (!node.is_group) {
    node.value = values[static_cast<std::size_t>(node.value)];
    return;
  }
  for (MetricNode& c : node.children) fill_leaves(c, values);
}

// The skeleton's shape, each leaf aggregated by `of_leaf(index)`.
template <typename OfLeaf>
AggregateNode aggregate_leaves(const MetricNode& skeleton, const OfLeaf& of_leaf) {
  AggregateNode out;
  out.key = skeleton.key;
  out.is_group = skeleton.is_group;
  if (!skeleton.is_group) {
    out.value = of_leaf(static_cast<std::size_t>(skeleton.value));
    return out;
  }
  out.children.reserve(skeleton.children.size());
  for (const MetricNode& c : skeleton.children)
    out.children.push_back(aggregate_leaves(c, of_leaf));
  return out;
}

}  // namespace

MetricRows::MetricRows(const std::vector<MetricNode>& trees) {
  for (const MetricNode& t : trees) push_back(t);
}

std::uint32_t MetricRows::shape_of(const MetricNode& tree) {
  // The trees of a point share one shape, a shard's a few (one per point's scenario): the latest
  // shapes are looked at first, and only a few of them, so that a file of many shapes costs a
  // skeleton per tree (as much as the trees themselves) rather than time growing with its square.
  constexpr std::size_t kLookBack = 8;
  for (std::size_t k = 0; k < shapes_.size() && k < kLookBack; ++k) {
    const std::size_t i = shapes_.size() - 1 - k;
    if (same_shape(shapes_[i].skeleton, tree)) return static_cast<std::uint32_t>(i);
  }
  Shape shape{tree, 0};
  number_leaves(shape.skeleton, shape.leaves);
  shapes_.push_back(std::move(shape));
  return static_cast<std::uint32_t>(shapes_.size() - 1);
}

void MetricRows::push_back(const MetricNode& tree) {
  const std::uint32_t shape = shape_of(tree);
  row_shape_.push_back(shape);
  row_start_.push_back(values_.size());
  append_leaves(tree, values_);
}

void MetricRows::push_back(const MetricRows& other, std::size_t row) {
  const Shape& shape = other.shapes_[other.row_shape_[row]];
  // Interned by the skeleton: its leaves' values (their indexes) are not compared.
  const std::uint32_t mine = shape_of(shape.skeleton);
  row_shape_.push_back(mine);
  row_start_.push_back(values_.size());
  const double* from = other.values_.data() + other.row_start_[row];
  values_.insert(values_.end(), from, from + shape.leaves);
}

MetricNode MetricRows::tree(std::size_t row) const {
  MetricNode t = shapes_[row_shape_[row]].skeleton;
  fill_leaves(t, values_.data() + row_start_[row]);
  return t;
}

double MetricRows::leaf(std::size_t row, std::string_view dotted_path) const {
  const MetricNode* n = shapes_[row_shape_[row]].skeleton.find(dotted_path);
  if (n == nullptr || n->is_group) return kNull;
  return values_[row_start_[row] + static_cast<std::size_t>(n->value)];
}

AggregateNode MetricRows::aggregate() const {
  if (empty()) return AggregateNode{};
  const std::uint32_t first = row_shape_.front();
  const bool one_shape = std::all_of(row_shape_.begin(), row_shape_.end(),
                                     [&](std::uint32_t s) { return s == first; });
  if (!one_shape) {
    // Trees of different shapes (from a damaged file): aggregate_trees says where they differ.
    std::vector<MetricNode> trees;
    trees.reserve(size());
    for (std::size_t r = 0; r < size(); ++r) trees.push_back(tree(r));
    std::vector<const MetricNode*> pointers;
    for (const MetricNode& t : trees) pointers.push_back(&t);
    return aggregate_trees(pointers);
  }
  // One leaf's values over the rows at a time, in row order (as aggregate_trees takes them).
  std::vector<double> column(size());
  return aggregate_leaves(shapes_[first].skeleton, [&](std::size_t leaf) {
    for (std::size_t r = 0; r < size(); ++r) column[r] = values_[row_start_[r] + leaf];
    return trsim::aggregate(column);
  });
}

}  // namespace trsim
