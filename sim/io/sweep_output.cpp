// What a sweep writes: the JSON (docs/experiments.md), the CSV and the table a person reads.
// `trsim merge` writes the same three from merged shards, through these same functions.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <string>
#include <vector>

#include "io/csv.hpp"
#include "io/json_layout.hpp"
#include "model/units.hpp"
#include "trsim/expectations.hpp"
#include "trsim/sweep.hpp"
#include "trsim/value.hpp"

namespace trsim {

namespace {

using detail::append_csv_cell;
using detail::append_csv_number;
using detail::json_aggregate;
using detail::json_indent;
using detail::json_key;

void string_list(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    append_json_string(out, items[i]);
  }
  out += ']';
}

// One map of metric -> aggregate, a member per line.
void metric_map(std::string& out, const std::vector<std::string>& metrics,
                const std::vector<Aggregate>& values, bool with_range, int depth) {
  out += "{\n";
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    json_key(out, depth + 1, metrics[i]);
    json_aggregate(out, values[i], with_range);
    out += i + 1 < metrics.size() ? ",\n" : "\n";
  }
  json_indent(out, depth);
  out += '}';
}

// A number for a person: 4 significant digits; "-" for null.
std::string shown(double v) { return std::isnan(v) ? "-" : fmt::format("{:.4g}", v); }

std::string shown(const Aggregate& a) {
  if (std::isnan(a.ci95)) return shown(a.mean);
  return fmt::format("{} ± {}", shown(a.mean), shown(a.ci95));
}

// The metric's name in a table header: the workspace prefix is implied.
std::string short_name(const std::string& metric) {
  constexpr std::string_view kWorkspace = "workspace.";
  if (metric.compare(0, kWorkspace.size(), kWorkspace) == 0)
    return metric.substr(kWorkspace.size());
  return metric;
}

// A table as aligned columns (widths in code points, so "±" counts once).
std::string aligned(const std::vector<std::vector<std::string>>& rows) {
  const auto width = [](const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  };
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], width(row[c]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - width(row[c]), ' ');
    }
    out += "  " + line + "\n";
  }
  return out;
}

}  // namespace

std::string sweep_json(const SweepResults& results, const std::vector<SweepPointSummary>& points) {
  const SweepDesign& d = results.design;
  std::vector<std::string> parameters;
  for (const SweepParameter& p : d.grid.parameters) parameters.push_back(p.path);
  std::string out = "{\n";
  json_key(out, 1, "scenario");
  append_json_string(out, d.scenario);
  out += ",\n";
  json_key(out, 1, "version");
  append_json_string(out, TRSIM_VERSION);
  out += ",\n";
  json_key(out, 1, "seed");
  fmt::format_to(std::back_inserter(out), "{},\n", d.seed);  // exact: seeds use all 64 bits
  json_key(out, 1, "replications");
  fmt::format_to(std::back_inserter(out), "{},\n", d.replications);
  json_key(out, 1, "parameters");
  string_list(out, parameters);
  out += ",\n";
  json_key(out, 1, "baseline");
  fmt::format_to(std::back_inserter(out), "{},\n", d.baseline);
  json_key(out, 1, "metrics");
  string_list(out, d.metrics);
  out += ",\n";
  if (results.precision) {
    const PrecisionReport& p = *results.precision;
    json_key(out, 1, "precision");
    out += "{\"targets\": {";
    for (std::size_t i = 0; i < p.targets.size(); ++i) {
      if (i > 0) out += ", ";
      append_json_string(out, p.targets[i].metric);
      out += ": ";
      append_json_number(out, p.targets[i].half_width);
    }
    fmt::format_to(std::back_inserter(out),
                   "}}, \"batch\": {}, \"max_replications\": {}, \"met\": {}}},\n", p.batch,
                   p.max_replications, p.met);
  }
  json_key(out, 1, "points");
  out += points.empty() ? "[" : "[\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SweepPointSummary& s = points[i];
    json_indent(out, 2);
    out += "{\n";
    json_key(out, 3, "index");
    fmt::format_to(std::back_inserter(out), "{},\n", s.index);
    json_key(out, 3, "values");
    out += '{';
    for (std::size_t k = 0; k < parameters.size(); ++k) {
      if (k > 0) out += ", ";
      append_json_string(out, parameters[k]);
      out += ": ";
      append_json_string(out, s.values[k]);
    }
    out += "},\n";
    json_key(out, 3, "replications");
    fmt::format_to(std::back_inserter(out), "{},\n", s.replications);
    json_key(out, 3, "metrics");
    metric_map(out, d.metrics, s.metrics, true, 3);
    out += ",\n";
    json_key(out, 3, "difference");
    if (s.index == d.baseline)
      out += "null";
    else
      metric_map(out, d.metrics, s.differences, false, 3);
    out += ",\n";
    json_key(out, 3, "statistics");
    detail::json_aggregate_tree(out, s.statistics, 3);
    out += '\n';
    json_indent(out, 2);
    out += i + 1 < points.size() ? "},\n" : "}\n";
  }
  if (!points.empty()) json_indent(out, 1);
  out += "]\n}\n";
  return out;
}

namespace {

// A swept value as a number in base units: a plain number as it is, a duration in seconds ("90s",
// "1m30s"), a rate per second ("120/h"); NaN (an empty cell) for anything else (FIFO, true).
double base_value(const std::string& text) {
  char* end = nullptr;
  const double plain = std::strtod(text.c_str(), &end);
  if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(plain)) return plain;
  if (text.find('/') == std::string::npos) {
    if (const auto d = detail::parse_duration(text, nullptr)) return to_seconds(*d);
  } else if (const auto r = detail::parse_rate(text, nullptr)) {
    return *r;
  }
  return kNull;
}

}  // namespace

std::string sweep_csv(const SweepResults& results, const std::vector<SweepPointSummary>& points) {
  const SweepDesign& d = results.design;
  std::string out;
  bool first = true;
  const auto header = [&](const std::string& name) {
    if (!first) out += ',';
    first = false;
    append_csv_cell(out, name);
  };
  for (const SweepParameter& p : d.grid.parameters) {
    header(p.path);
    header(p.path + ".value");
  }
  for (const std::string& m : d.metrics) {
    header(m + ".mean");
    header(m + ".ci95");
    header(m + ".diff");
    header(m + ".diff_ci95");
  }
  out += '\n';
  for (const SweepPointSummary& s : points) {
    std::string row;
    for (std::size_t k = 0; k < s.values.size(); ++k) {
      if (k > 0) row += ',';
      append_csv_cell(row, s.values[k]);
      append_csv_number(row, base_value(s.values[k]));
    }
    for (std::size_t m = 0; m < d.metrics.size(); ++m) {
      append_csv_number(row, s.metrics[m].mean);
      append_csv_number(row, s.metrics[m].ci95);
      const bool base = s.differences.empty();
      append_csv_number(row, base ? kNull : s.differences[m].mean);
      append_csv_number(row, base ? kNull : s.differences[m].ci95);
    }
    // A grid without parameters has rows that would start with a comma; keep them as written.
    out += d.grid.parameters.empty() && !row.empty() ? row.substr(1) : row;
    out += '\n';
  }
  return out;
}

std::string sweep_table(const SweepResults& results, const std::vector<SweepPointSummary>& points) {
  const SweepDesign& d = results.design;
  std::string out = fmt::format("sweep of {}: {} point{}, {} replication{} each (seed {})\n",
                                d.scenario, points.size(), points.size() == 1 ? "" : "s",
                                d.replications, d.replications == 1 ? "" : "s", d.seed);
  // One block per metric (metrics as rows, so that the table fits a terminal however many
  // metrics there are): each point's values, its mean ± ci95 and its paired difference to the
  // baseline. Ratios in %, like `trsim run`.
  std::vector<std::string> head{"point"};
  std::string names;
  for (const SweepParameter& p : d.grid.parameters) {
    const std::size_t dot = p.path.rfind('.');
    head.push_back(dot == std::string::npos ? p.path : p.path.substr(dot + 1));
    names += (names.empty() ? "" : " × ") + p.path;
  }
  if (!names.empty()) out += "points: " + names + "\n";
  out += fmt::format(
      "mean ± ci95 over the replications\n"
      "Δ: paired difference to point {} (common random numbers) ± ci95\n",
      d.baseline);
  for (std::size_t m = 0; m < d.metrics.size(); ++m) {
    const bool ratio = is_ratio_metric(d.metrics[m]);
    const auto show = [&](const Aggregate& a) {
      if (!ratio) return shown(a);
      if (std::isnan(a.mean)) return std::string("-");
      std::string t = fmt::format("{:.1f}", a.mean * 100);
      if (!std::isnan(a.ci95)) t += fmt::format(" ± {:.1f}", a.ci95 * 100);
      return t;
    };
    std::vector<std::vector<std::string>> rows{head};
    rows.front().push_back("mean ± ci95");
    if (points.size() > 1) rows.front().push_back("Δ ± ci95");
    for (const SweepPointSummary& s : points) {
      std::vector<std::string> row{std::to_string(s.index)};
      row.insert(row.end(), s.values.begin(), s.values.end());
      row.push_back(show(s.metrics[m]));
      if (points.size() > 1)
        row.push_back(s.differences.empty() ? "baseline" : show(s.differences[m]));
      rows.push_back(std::move(row));
    }
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "\n" + string&&.
    out += '\n';
    out += short_name(d.metrics[m]);
    out += ratio ? " (%):\n" : ":\n";
    out += aligned(rows);
  }
  if (results.precision && !results.precision->met)
    out += fmt::format("\nprecision targets not met: stopped at the cap of {} replications\n",
                       results.precision->max_replications);
  return out;
}

}  // namespace trsim
