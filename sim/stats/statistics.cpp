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

}  // namespace trsim
