// The report of a sweep's JSON (`trsim sweep --json`): each headline metric against the swept
// value with its 95% confidence band (one line per value of a second parameter), and the table of
// points with their differences from the baseline.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "model/units.hpp"
#include "report/report_page.hpp"
#include "report/svg_chart.hpp"

namespace trsim::report {
namespace {

std::string str(const Value* v) { return v != nullptr && v->is_string() ? v->as_string() : ""; }

std::vector<std::string> strings(const Value* v) {
  std::vector<std::string> out;
  if (v != nullptr && v->is_array())
    for (const Value& item : v->as_array()) out.push_back(str(&item));
  return out;
}

// A swept value "as written": a JSON string, or a number or boolean written as JSON.
std::string value_text(const Value* v) {
  if (v == nullptr) return "";
  return v->is_string() ? v->as_string() : to_json(*v);
}

// A plain number ("0.5", "12") or nullopt.
std::optional<double> plain_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// How the swept values of a parameter map to an x axis: numbers, durations (in seconds), or
// categories in order of first appearance.
struct XMapping {
  bool numeric = false;
  bool durations = false;
  std::vector<std::string> categories;
  double operator()(const std::string& text) const {
    if (!numeric) {
      const auto it = std::find(categories.begin(), categories.end(), text);
      return static_cast<double>(it - categories.begin());
    }
    if (const auto v = plain_number(text)) return *v;
    if (const auto d = detail::parse_duration(text, nullptr)) return static_cast<double>(*d) / 1e6;
    return NAN;
  }
};

XMapping map_values(const std::vector<std::string>& values) {
  XMapping m;
  bool all_numbers = !values.empty(), all_durations = !values.empty();
  for (const std::string& v : values) {
    if (!plain_number(v)) all_numbers = false;
    if (!detail::parse_duration(v, nullptr)) all_durations = false;
    if (std::find(m.categories.begin(), m.categories.end(), v) == m.categories.end())
      m.categories.push_back(v);
  }
  m.numeric = all_numbers || all_durations;
  m.durations = !all_numbers && all_durations;
  if (m.numeric) m.categories.clear();
  return m;
}

struct Point {
  std::size_t index = 0;
  std::vector<std::string> values;  // per parameter
  const Value* json = nullptr;
};

std::string metric_axis_label(const std::string& metric) {
  const std::string unit = metric_unit(metric);
  return metric + (unit.empty() ? "" : " (" + unit + ")");
}

std::string chart_for_metric(const std::string& metric, const std::vector<std::string>& parameters,
                             const std::vector<Point>& points, std::size_t baseline) {
  std::vector<std::string> first;
  for (const Point& p : points) first.push_back(p.values[0]);
  const XMapping x = map_values(first);

  LineChart chart;
  chart.title = metric + " against " + parameters[0];
  chart.subtitle =
      "mean over the replications; shaded: 95% confidence band; common random numbers across "
      "points";
  chart.x.label = parameters[0] + (x.durations ? " (s)" : "");
  chart.x.categories = x.categories;
  chart.y.label = metric_axis_label(metric);
  if (is_ratio_metric(metric)) chart.y.format = AxisFormat::percent;

  // One series per combination of the other parameters' values, in order of first appearance.
  std::vector<std::string> series_keys;
  std::map<std::string, Series> by_key;
  for (const Point& p : points) {
    std::string key;
    for (std::size_t i = 1; i < parameters.size(); ++i)
      key += (i > 1 ? ", " : "") + parameters[i] + " = " + p.values[i];
    if (key.empty()) key = metric;
    if (!by_key.count(key)) {
      series_keys.push_back(key);
      by_key[key].name = key;
    }
    Series& s = by_key[key];
    const Value* m = p.json ? find_path(*p.json, "metrics") : nullptr;
    const Value* leaf = m && m->is_object() ? m->find(metric) : nullptr;
    s.x.push_back(x(p.values[0]));
    s.y.push_back(number_or_nan(leaf ? leaf->find("mean") : nullptr));
    s.ci95.push_back(number_or_nan(leaf ? leaf->find("ci95") : nullptr));
  }
  for (const std::string& key : series_keys) {
    Series s = std::move(by_key[key]);
    // Along the x axis, so the line reads left to right.
    std::vector<std::size_t> order(s.x.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return s.x[a] < s.x[b]; });
    Series sorted;
    sorted.name = s.name;
    for (const std::size_t i : order) {
      sorted.x.push_back(s.x[i]);
      sorted.y.push_back(s.y[i]);
      sorted.ci95.push_back(s.ci95[i]);
    }
    chart.series.push_back(std::move(sorted));
  }
  if (chart.series.size() == 1) chart.series[0].emphasis = true;
  std::string caption = "Source: <code>points[].metrics[\"" + escape_xml(metric) + "\"]</code>";
  if (baseline < points.size()) {
    caption += "; baseline: point " + std::to_string(baseline) + " (";
    for (std::size_t i = 0; i < parameters.size(); ++i)
      caption += (i ? ", " : "") + escape_xml(parameters[i]) + " = " +
                 escape_xml(points[baseline].values[i]);
    caption += ")";
  }
  return "<figure>\n" + render_line_chart(chart) + "<figcaption>" + caption +
         ".</figcaption>\n</figure>\n";
}

std::string mean_ci(const Value* leaf) {
  if (leaf == nullptr) return "–";
  const double mean = number_or_nan(leaf->find("mean"));
  const double ci = number_or_nan(leaf->find("ci95"));
  return std::isfinite(ci) ? format_value(mean) + " ± " + format_value(ci) : format_value(mean);
}

std::string points_table(const std::vector<std::string>& parameters,
                         const std::vector<std::string>& metrics, const std::vector<Point>& points,
                         std::size_t baseline) {
  std::string out = "<div class=\"table-wrap\"><table>\n<thead><tr><th>point</th>";
  for (const std::string& p : parameters) out += "<th>" + escape_xml(p) + "</th>";
  for (const std::string& m : metrics)
    out += "<th>" + escape_xml(m) + "</th><th>Δ vs baseline</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    out += i == baseline ? "<tr class=\"baseline\">" : "<tr>";
    out += "<td>" + std::to_string(p.index) + (i == baseline ? " (baseline)" : "") + "</td>";
    for (const std::string& v : p.values) out += "<td>" + escape_xml(v) + "</td>";
    const Value* ms = p.json ? p.json->find("metrics") : nullptr;
    const Value* diff = p.json ? p.json->find("difference") : nullptr;
    for (const std::string& m : metrics) {
      out += "<td>" + mean_ci(ms && ms->is_object() ? ms->find(m) : nullptr) + "</td>";
      out += "<td>" + (diff && diff->is_object() ? mean_ci(diff->find(m)) : std::string("–")) +
             "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table></div>\n";
}

}  // namespace

std::string render_sweep_report(const Value& sweep) {
  const std::vector<std::string> parameters = strings(sweep.find("parameters"));
  const std::vector<std::string> metrics = strings(sweep.find("metrics"));
  const double baseline_value = number_or_nan(sweep.find("baseline"));
  std::vector<Point> points;
  if (const Value* list = sweep.find("points"); list != nullptr && list->is_array()) {
    for (const Value& pj : list->as_array()) {
      Point p;
      p.index = points.size();
      if (const double i = number_or_nan(pj.find("index")); std::isfinite(i) && i >= 0)
        p.index = static_cast<std::size_t>(i);
      p.json = &pj;
      const Value* values = pj.find("values");
      for (const std::string& name : parameters)
        p.values.push_back(value_text(values ? values->find(name) : nullptr));
      points.push_back(std::move(p));
    }
  }
  std::size_t baseline = points.size();
  for (std::size_t i = 0; i < points.size(); ++i)
    if (std::isfinite(baseline_value) && static_cast<double>(points[i].index) == baseline_value)
      baseline = i;

  const std::string scenario = str(sweep.find("scenario"));
  std::string body =
      "<h1>trsim sweep report — " + escape_xml(scenario) + "</h1>\n<p class=\"meta\">";
  body += fmt::format("seed {} · {} replications per point · {} points · swept: ",
                      escape_xml(sweep.find("seed") ? to_json(*sweep.find("seed")) : "?"),
                      format_value(number_or_nan(sweep.find("replications"))), points.size());
  for (std::size_t i = 0; i < parameters.size(); ++i)
    body += (i ? ", " : "") + std::string("<code>") + escape_xml(parameters[i]) + "</code>";
  body += "</p>\n<section id=\"metrics\">\n<h2>Headline metrics against the swept values</h2>\n";
  if (parameters.empty() || points.empty()) {
    body += "<p class=\"note\">The sweep has no parameters or no points.</p>\n";
  } else {
    for (const std::string& m : metrics) body += chart_for_metric(m, parameters, points, baseline);
  }
  body +=
      "</section>\n<section id=\"points\">\n<h2>Points</h2>\n<p class=\"note\">Mean ± 95% "
      "confidence half-width "
      "over the replications; Δ: the difference from the baseline point under common random "
      "numbers.</p>\n";
  body += points_table(parameters, metrics, points, baseline);
  body += "</section>\n";
  return html_page("trsim sweep report — " + scenario, body);
}

}  // namespace trsim::report
