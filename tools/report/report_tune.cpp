// The report of a tuning's JSON (`trsim tune --json` or `--report`): the objective against the
// tuned value with its 95% band, the band of values within δ of the best shaded, the recommended
// value marked, and the table of every point with its replications and its fate in the selection.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/report_page.hpp"
#include "report/svg_chart.hpp"

namespace trsim::report {
namespace {

std::string str(const Value* v) { return v != nullptr && v->is_string() ? v->as_string() : ""; }

bool flag(const Value* v) { return v != nullptr && v->is_bool() && v->as_bool(); }

// Mean ± ci95 in the metric's own format (percent for a ratio, seconds to a tenth), with two
// more decimals for counts and plain numbers.
std::string mean_ci(const Value* leaf, std::string_view metric) {
  if (leaf == nullptr) return "–";
  const double mean = number_or_nan(leaf->find("mean"));
  const double ci = number_or_nan(leaf->find("ci95"));
  const std::string m = format_metric(mean, metric, 3);
  return std::isfinite(ci) && std::isfinite(mean) ? m + " ± " + format_metric(ci, metric, 3) : m;
}

std::string values_text(const std::vector<double>& v) {
  std::string out = v.size() == 1 ? "" : "(";
  for (std::size_t j = 0; j < v.size(); ++j) out += (j ? ", " : "") + format_value(v[j]);
  return out + (v.size() == 1 ? "" : ")");
}

struct TunedPoint {
  std::vector<double> values;
  const Value* json = nullptr;
};

std::string curve_chart(const std::string& param, const std::string& metric,
                        const std::vector<TunedPoint>& points, const Value* rec) {
  LineChart chart;
  chart.title = metric + " against " + param;
  chart.subtitle =
      "mean over each value's replications; shaded band: 95% confidence; common random numbers";
  chart.x.label = param;
  const std::string unit = metric_unit(metric);
  // The title names the scope: the axis keeps the measure and its unit, so that it fits the
  // plot's height ("average speed of answer (s)", not cut to "... (workspace) (…").
  std::string measure = metric_title(metric);
  if (const std::size_t scope = measure.rfind(" ("); scope != std::string::npos && scope > 0)
    measure.resize(scope);
  chart.y.label = measure + (unit.empty() ? "" : " (" + unit + ")");
  if (is_ratio_metric(metric)) chart.y.format = AxisFormat::percent;
  Series curve, ties;
  curve.name = "feasible values";
  ties.name = "within δ of the best";
  ties.emphasis = true;  // on top of the curve
  double lo = NAN, hi = NAN;
  for (const TunedPoint& p : points) {
    const bool feasible = flag(p.json->find("feasible"));
    const Value* objective = p.json->find("objective");
    const double y = feasible ? number_or_nan(objective ? objective->find("mean") : nullptr) : NAN;
    curve.x.push_back(p.values[0]);
    curve.y.push_back(y);
    curve.ci95.push_back(feasible ? number_or_nan(objective->find("ci95")) : NAN);
    if (flag(p.json->find("within_delta"))) {
      ties.x.push_back(p.values[0]);
      ties.y.push_back(y);
      lo = std::isnan(lo) ? p.values[0] : std::min(lo, p.values[0]);
      hi = std::isnan(hi) ? p.values[0] : std::max(hi, p.values[0]);
    }
  }
  chart.series.push_back(std::move(curve));
  if (!ties.x.empty()) chart.series.push_back(std::move(ties));
  if (std::isfinite(lo) && hi > lo)
    chart.spans.push_back({lo, hi, ""});  // the legend names it; the label is the recommendation's
  // The recommendation: a narrow span at its value (1% of the axis wide).
  const double rec_value = number_or_nan(rec ? rec->find("value") : nullptr);
  if (std::isfinite(rec_value) && !points.empty()) {
    const double width = (points.back().values[0] - points.front().values[0]) / 200;
    chart.spans.push_back(
        {rec_value - width, rec_value + width, "recommended " + format_value(rec_value)});
  }
  return "<figure>\n" + render_line_chart(chart) +
         "<figcaption>Source: <code>points[].objective</code>; infeasible values leave a gap. "
         "Wide shaded span: from the lowest to the highest value whose shortfall to the best is "
         "below δ with confidence (<code>within_delta</code>, drawn on top of the curve); narrow "
         "span: the recommended value.</figcaption>\n</figure>\n";
}

}  // namespace

std::string render_tune_report(const Value& tune) {
  std::vector<std::string> params;
  if (const Value* list = tune.find("params"); list != nullptr && list->is_array())
    for (const Value& p : list->as_array()) params.push_back(str(p.find("path")));
  if (params.empty()) params.push_back(str(tune.find("param")));
  const Value* objective = tune.find("objective");
  const std::string metric = str(objective ? objective->find("metric") : nullptr);
  const std::string direction = str(objective ? objective->find("direction") : nullptr);
  const Value* selection = tune.find("selection");
  const double delta = number_or_nan(selection ? selection->find("delta") : nullptr);
  const double confidence = number_or_nan(selection ? selection->find("confidence") : nullptr);
  std::vector<TunedPoint> points;
  if (const Value* list = tune.find("points"); list != nullptr && list->is_array())
    for (const Value& pj : list->as_array()) {
      TunedPoint p;
      p.json = &pj;
      p.values = numbers(pj.find("values"));
      if (p.values.empty()) p.values.push_back(number_or_nan(pj.find("value")));
      points.push_back(std::move(p));
    }
  const Value* rec = tune.find("recommendation");
  if (rec != nullptr && !rec->is_object()) rec = nullptr;

  std::string names;
  for (const std::string& p : params)
    names += (names.empty() ? "" : ", ") + std::string("<code>") + escape_xml(p) + "</code>";
  std::string body = "<h1>trsim tune report — " + names + "</h1>\n<p class=\"meta\">";
  body += fmt::format(
      "{} <code>{}</code> · Kim &amp; Nelson (2001) fully sequential selection, δ = {:g}, "
      "confidence {:g} · {} points · {} replications in total",
      direction == "max" ? "maximise" : "minimise", escape_xml(metric), delta, confidence,
      points.size(), format_value(number_or_nan(tune.find("total_replications"))));
  body += "</p>\n<section id=\"recommendation\">\n<h2>Recommendation</h2>\n";
  if (rec == nullptr) {
    body += "<p class=\"callout\">No value in the range meets every constraint.</p>\n";
  } else {
    std::vector<std::vector<double>> ties;
    if (const Value* list = rec->find("within_delta"); list != nullptr && list->is_array())
      for (const Value& v : list->as_array()) ties.push_back(numbers(&v));
    const std::vector<double> recommended = numbers(rec->find("values"));
    const std::vector<double> best = numbers(rec->find("best"));
    body += fmt::format("<p><strong>{}</strong>: {} {} = {}.</p>\n",
                        escape_xml(values_text(recommended)),
                        direction == "max" ? "maximised" : "minimised", escape_xml(metric),
                        mean_ci(rec->find("objective"), metric));
    std::string tie_text;
    for (std::size_t k = 0; k < ties.size() && k < 20; ++k)
      tie_text += (k ? ", " : "") + values_text(ties[k]);
    if (ties.size() > 20) tie_text += fmt::format(" and {} more", ties.size() - 20);
    body += fmt::format(
        "<p>Within δ = {:g} of the best ({}): {} — recommending {} (prefer {}).</p>\n", delta,
        escape_xml(values_text(best)), escape_xml(tie_text), escape_xml(values_text(recommended)),
        escape_xml(str(selection ? selection->find("prefer") : nullptr)));
    body += "<p>Apply: <code>" + escape_xml(str(rec->find("set"))) + "</code></p>\n";
    if (selection && flag(selection->find("capped")))
      body +=
          "<p class=\"callout\">The selection stopped at its replication cap: the guarantee does "
          "not hold.</p>\n";
  }
  body += "</section>\n";
  if (params.size() == 1 && !points.empty()) {
    body += "<section id=\"curve\">\n<h2>The objective against the tuned value</h2>\n";
    body += curve_chart(params[0], metric, points, rec);
    body += "</section>\n";
  }
  body +=
      "<section id=\"points\">\n<h2>Points</h2>\n<p class=\"note\">Mean ± 95% confidence "
      "half-width over each point's replications; Δ: the paired difference to the best under "
      "common random numbers; fate: when the selection dropped the point.</p>\n";
  body += "<div class=\"table-wrap\"><table>\n<thead><tr>";
  for (const std::string& p : params) body += "<th>" + escape_xml(p) + "</th>";
  body += "<th>replications</th><th>" + escape_xml(metric_title(metric)) +
          "</th><th>feasible</th><th>Δ vs best</th><th>fate</th></tr></thead>\n<tbody>\n";
  for (const TunedPoint& p : points) {
    const bool within = flag(p.json->find("within_delta"));
    body += within ? "<tr class=\"baseline\">" : "<tr>";
    for (double v : p.values) body += "<td>" + format_value(v) + "</td>";
    const double eliminated = number_or_nan(p.json->find("eliminated_at"));
    std::string fate = within ? "within δ" : "";
    if (fate.empty() && std::isfinite(eliminated))
      fate = "out after " + format_value(eliminated) + " replications";
    if (fate.empty() && !flag(p.json->find("finalist"))) fate = "infeasible";
    const bool feasible = flag(p.json->find("feasible"));
    body += "<td>" + format_value(number_or_nan(p.json->find("replications"))) + "</td><td>" +
            mean_ci(p.json->find("objective"), metric) + "</td><td class=\"" +
            (feasible ? "ok\">yes" : "failed\">no") + "</td><td>" +
            mean_ci(p.json->find("difference_to_best"), metric) + "</td><td>" + fate +
            "</td></tr>\n";
  }
  body += "</tbody>\n</table></div>\n</section>\n";
  return html_page("trsim tune report — " + metric, body);
}

}  // namespace trsim::report
