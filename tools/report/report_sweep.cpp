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

const Value* metric_leaf(const Point& p, const char* member, const std::string& metric) {
  const Value* m = p.json ? p.json->find(member) : nullptr;
  return m != nullptr && m->is_object() ? m->find(metric) : nullptr;
}

// A metric that does not move: the same mean at every point (common random numbers make an
// unaffected metric exactly equal), so a chart of it would be a flat line.
bool constant_metric(const std::string& metric, const std::vector<Point>& points) {
  double first = NAN;
  std::size_t finite = 0;
  for (const Point& p : points) {
    const Value* leaf = metric_leaf(p, "metrics", metric);
    const double v = number_or_nan(leaf ? leaf->find("mean") : nullptr);
    if (!std::isfinite(v)) continue;
    ++finite;
    if (!std::isfinite(first)) first = v;
    if (std::abs(v - first) > 1e-12 * std::max(1.0, std::abs(first))) return false;
  }
  return finite >= 2;
}

// Line styles that tell the series of a two-parameter sweep apart even where they overlap (and
// in grey print): a colour and a dash pattern each.
const char* dash_pattern(std::size_t i) {
  static const char* kDashes[] = {"", "8 4", "2 3", "10 3 2 3", "5 5"};
  return kDashes[i % 5];
}

// The level chart of `metric` (member "metrics") or its paired difference to the baseline
// (member "difference"), against the first parameter; one series per value of the others.
LineChart metric_chart(const std::string& metric, const char* member,
                       const std::vector<std::string>& parameters, const std::vector<Point>& points,
                       const XMapping& x) {
  const bool difference = std::string(member) == "difference";
  LineChart chart;
  chart.width = 640;
  chart.plot_height = 210;
  chart.title = difference ? "Δ " + metric_title(metric) + " vs baseline" : metric_title(metric);
  chart.subtitle = difference ? "paired difference to the baseline under common random numbers; "
                                "band: its 95% confidence interval"
                              : "mean over the replications; band: 95% confidence interval";
  chart.x.label = parameters[0] + (x.durations ? " (s)" : "");
  chart.x.categories = x.categories;
  // The title names the metric; the axis says what is plotted and in which unit.
  const std::string unit = metric_unit(metric);
  chart.y.label = std::string(difference ? "difference to the baseline" : "mean") +
                  (unit.empty() ? "" : " (" + unit + ")");
  if (is_ratio_metric(metric)) chart.y.format = AxisFormat::percent;
  if (x.numeric) {
    for (const Point& p : points) {
      const double v = x(p.values[0]);
      if (std::isfinite(v) &&
          std::find(chart.x_ticks.begin(), chart.x_ticks.end(), v) == chart.x_ticks.end())
        chart.x_ticks.push_back(v);
    }
  }
  if (difference) chart.targets.push_back({0, "no difference"});

  // One series per combination of the other parameters' values, in order of first appearance.
  std::vector<std::string> series_keys;
  std::map<std::string, Series> by_key;
  for (const Point& p : points) {
    std::string key;
    for (std::size_t i = 1; i < parameters.size(); ++i)
      key += (i > 1 ? ", " : "") + parameters[i] + " = " + p.values[i];
    if (key.empty()) key = difference ? "difference" : "level";
    if (!by_key.count(key)) {
      series_keys.push_back(key);
      by_key[key].name = key;
    }
    Series& s = by_key[key];
    const Value* leaf = metric_leaf(p, member, metric);
    s.x.push_back(x(p.values[0]));
    s.y.push_back(number_or_nan(leaf ? leaf->find("mean") : nullptr));
    s.ci95.push_back(number_or_nan(leaf ? leaf->find("ci95") : nullptr));
  }
  for (std::size_t k = 0; k < series_keys.size(); ++k) {
    Series s = std::move(by_key[series_keys[k]]);
    // Along the x axis, so the line reads left to right.
    std::vector<std::size_t> order(s.x.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return s.x[a] < s.x[b]; });
    Series sorted;
    sorted.name = s.name;
    sorted.colour = palette_colour(k);
    sorted.dash = dash_pattern(k);
    if (series_keys.size() > 1) sorted.entity = "series:" + s.name;
    for (const std::size_t i : order) {
      sorted.x.push_back(s.x[i]);
      sorted.y.push_back(s.y[i]);
      sorted.ci95.push_back(s.ci95[i]);
    }
    chart.series.push_back(std::move(sorted));
  }
  if (chart.series.size() == 1) chart.series[0].emphasis = true;
  return chart;
}

std::string chart_for_metric(const std::string& metric, const std::vector<std::string>& parameters,
                             const std::vector<Point>& points, std::size_t baseline) {
  std::vector<std::string> first;
  for (const Point& p : points) first.push_back(p.values[0]);
  const XMapping x = map_values(first);
  std::string baseline_text;
  if (baseline < points.size()) {
    baseline_text = "point " + std::to_string(points[baseline].index) + " (";
    for (std::size_t i = 0; i < parameters.size(); ++i)
      baseline_text += (i ? ", " : "") + escape_xml(parameters[i]) + " = " +
                       escape_xml(points[baseline].values[i]);
    baseline_text += ")";
  }
  std::string out = "<figure>\n" +
                    render_line_chart(metric_chart(metric, "metrics", parameters, points, x)) +
                    "<figcaption>Source: <code>points[].metrics[\"" + escape_xml(metric) +
                    "\"]</code>. Overlapping bands do not mean the points are alike: read the "
                    "difference beside it.</figcaption>\n</figure>\n";
  const bool has_difference = std::any_of(points.begin(), points.end(), [&](const Point& p) {
    const Value* d = metric_leaf(p, "difference", metric);
    return std::isfinite(number_or_nan(d ? d->find("mean") : nullptr));
  });
  if (has_difference)
    out += "<figure>\n" +
           render_line_chart(metric_chart(metric, "difference", parameters, points, x)) +
           "<figcaption>Source: <code>points[].difference[\"" + escape_xml(metric) +
           "\"]</code>, against the baseline " + baseline_text +
           ". A band clear of the zero line: the change is real at 95%.</figcaption>\n"
           "</figure>\n";
  return out;
}

// A cell of the points table: the mean ± ci95 and, on a second line, the difference to the
// baseline ± its ci95, each in the metric's unit.
std::string mean_ci(const Value* leaf, const std::string& metric) {
  if (leaf == nullptr) return "–";
  const double mean = number_or_nan(leaf->find("mean"));
  const double ci = number_or_nan(leaf->find("ci95"));
  const std::string unit = metric_unit(metric) == "s" ? " s" : "";
  return std::isfinite(ci) ? format_metric(mean, metric) + " ± " + format_metric(ci, metric) + unit
                           : format_metric(mean, metric) + unit;
}

// A header that breaks after the dots and underscores of a path, never inside a word.
std::string breakable(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    out += escape_xml(std::string(1, ch));
    if (ch == '.' || ch == '_') out += "<wbr>";
  }
  return out;
}

std::string points_table(const std::vector<std::string>& parameters,
                         const std::vector<std::string>& metrics, const std::vector<Point>& points,
                         std::size_t baseline) {
  std::string out = "<div class=\"table-wrap\"><table class=\"points\">\n<thead><tr><th>point</th>";
  for (const std::string& p : parameters) out += "<th>" + breakable(p) + "</th>";
  for (const std::string& m : metrics) out += "<th>" + escape_xml(metric_title(m)) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    out += i == baseline ? "<tr class=\"baseline\">" : "<tr>";
    out += "<td>" + std::to_string(p.index) + (i == baseline ? " (baseline)" : "") + "</td>";
    for (const std::string& v : p.values) out += "<td class=\"num\">" + escape_xml(v) + "</td>";
    for (const std::string& m : metrics) {
      out += "<td class=\"num\">" + mean_ci(metric_leaf(p, "metrics", m), m);
      if (i != baseline)
        if (const Value* d = metric_leaf(p, "difference", m))
          out += "<br><span class=\"delta\">Δ " + mean_ci(d, m) + "</span>";
      out += "</td>";
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
  body +=
      "</p>\n<section id=\"metrics\">\n<h2>Headline metrics against the swept values</h2>\n"
      "<p class=\"note\">Left: each metric's level at each point; right: its paired difference "
      "to the baseline with the 95% confidence interval of that difference, which is the "
      "evidence that a change helps (the levels' own bands overlap even when the difference "
      "is clear).</p>\n";
  if (parameters.empty() || points.empty()) {
    body += "<p class=\"note\">The sweep has no parameters or no points.</p>\n";
  } else {
    std::vector<std::string> constant;
    body += kGridOpen;
    for (const std::string& m : metrics) {
      if (points.size() > 1 && constant_metric(m, points))
        constant.push_back(m);
      else
        body += chart_for_metric(m, parameters, points, baseline);
    }
    body += "</div>\n";
    if (!constant.empty()) {
      body += "<p class=\"note\">The same at every point (common random numbers), not drawn:";
      for (std::size_t i = 0; i < constant.size(); ++i)
        body += (i ? ", " : " ") + std::string("<code>") + escape_xml(constant[i]) + "</code>";
      body += ".</p>\n";
    }
  }
  body +=
      "</section>\n<section id=\"points\">\n<h2>Points</h2>\n<p class=\"note\">Mean ± 95% "
      "confidence half-width over the replications; Δ: the paired difference from the baseline "
      "point under common random numbers, ± its own 95% half-width.</p>\n";
  body += points_table(parameters, metrics, points, baseline);
  body += "</section>\n";
  return html_page("trsim sweep report — " + scenario, body);
}

}  // namespace trsim::report
