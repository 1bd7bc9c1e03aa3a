#pragma once
// The layout the summary JSON and the sweep JSON share: 2-space indentation, one member per line,
// and statistics trees whose leaves sit on one line ({"mean": m, "ci95": h, "min": a, "max": b}
// when aggregated, a plain number otherwise), so the files stay readable and diff well.
#include <cstddef>
#include <string>
#include <string_view>

#include "trsim/statistics.hpp"
#include "trsim/value.hpp"

namespace trsim::detail {

inline void json_indent(std::string& out, int depth) {
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

/// `"k": ` on a new member line at `depth`.
inline void json_key(std::string& out, int depth, std::string_view k) {
  json_indent(out, depth);
  append_json_string(out, k);
  out += ": ";
}

/// {"mean": m, "ci95": h} and, with the range, "min" and "max" too, on one line.
inline void json_aggregate(std::string& out, const Aggregate& a, bool with_range = true) {
  out += "{\"mean\": ";
  append_json_number(out, a.mean);
  out += ", \"ci95\": ";
  append_json_number(out, a.ci95);
  if (with_range) {
    out += ", \"min\": ";
    append_json_number(out, a.min);
    out += ", \"max\": ";
    append_json_number(out, a.max);
  }
  out += '}';
}

/// A statistics tree (MetricNode or AggregateNode) as a JSON object whose groups open one member
/// per line at `depth` + 1, its leaves written by `leaf`.
template <class Node, class Leaf>
void json_tree(std::string& out, const Node& node, int depth, const Leaf& leaf) {
  if (!node.is_group) {
    leaf(out, node);
    return;
  }
  if (node.children.empty()) {
    out += "{}";
    return;
  }
  out += "{\n";
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    json_key(out, depth + 1, node.children[i].key);
    json_tree(out, node.children[i], depth + 1, leaf);
    out += i + 1 < node.children.size() ? ",\n" : "\n";
  }
  json_indent(out, depth);
  out += '}';
}

inline void json_aggregate_tree(std::string& out, const AggregateNode& root, int depth) {
  json_tree(out, root, depth,
            [](std::string& o, const AggregateNode& node) { json_aggregate(o, node.value); });
}

inline void json_metric_tree(std::string& out, const MetricNode& root, int depth) {
  json_tree(out, root, depth,
            [](std::string& o, const MetricNode& node) { append_json_number(o, node.value); });
}

}  // namespace trsim::detail
