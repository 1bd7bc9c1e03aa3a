// The report of a per-interval staffing's JSON (`trsim staff --per-interval --json`): per group,
// the required and the analytic (Erlang C/A) agents over the day; per target, the value achieved in
// each interval of the verifying run with its 95% band and the target as a dashed line.
#include <fmt/format.h>

#include <cmath>

#include "report/report_page.hpp"
#include "report/svg_chart.hpp"
#include "trsim/expectations.hpp"
#include "trsim/scenario.hpp"

namespace trsim::report {

std::string render_staffing_report(const Value& doc) {
  const auto text = [](const Value* v) {
    return v != nullptr && v->is_string() ? v->as_string() : std::string();
  };
  const double length = number_or_nan(doc.find("interval"));
  const Value* intervals = doc.find("intervals");
  const Value* groups = doc.find("groups");
  const Value* targets = doc.find("targets");
  std::vector<double> starts;
  if (intervals != nullptr && intervals->is_array())
    for (const Value& row : intervals->as_array())
      starts.push_back(number_or_nan(row.find("interval_start")) + length / 2);
  std::string body = fmt::format(
      "<h1>Staffing per interval: {}</h1>\n<p>{} replications per run, {} runs ({} simulated "
      "days). Required: the fewest workers logged in meeting every target in the interval, found "
      "by simulation{}; analytic: {} on the interval's offered load.</p>\n",
      escape_xml(text(doc.find("scenario"))), format_value(number_or_nan(doc.find("replications"))),
      format_value(number_or_nan(doc.find("runs"))),
      format_value(number_or_nan(doc.find("simulated_days"))),
      text(doc.find("method")) == "isa"      ? " (the iterative staffing algorithm)"
      : text(doc.find("method")) == "search" ? " (interval by interval in time order)"
                                             : "",
      text(doc.find("analytic_model")) == "erlang_a"   ? "Erlang A (callers' patience)"
      : text(doc.find("analytic_model")) == "erlang_c" ? "Erlang C"
                                                       : "Erlang C (Erlang A with patience)");
  if (const Value* u = doc.find("unmeetable"); u != nullptr && u->is_string())
    body += "<p><strong>Stopped:</strong> " + escape_xml(u->as_string()) + "</p>\n";
  if (groups != nullptr && groups->is_array()) {
    for (const Value& g : groups->as_array()) {
      const std::string name = g.is_string() ? g.as_string() : "";
      LineChart chart;
      chart.title = "Agents required: " + name;
      chart.subtitle = "per interval: required by simulation against the analytic estimate";
      chart.x.label = "time of day";
      chart.x.format = AxisFormat::clock;
      chart.y.label = "agents logged in";
      chart.step_width = length;
      // Where the two agree (often), one would hide the other: the required steps are a wide
      // solid line drawn first, the analytic ones a thin dashed line of another colour drawn on
      // top of it, so that both show along the shared stretch (and the legend names both).
      Series required, analytic;
      required.name = "required (simulation)";
      required.colour = "#4e79a7";
      required.width = 6;
      required.step = true;
      analytic.name = "analytic (Erlang)";
      analytic.colour = "#f28e2b";
      analytic.dash = "7 4";
      analytic.width = 2.5;
      analytic.step = true;
      for (std::size_t k = 0; k < starts.size(); ++k) {
        const Value& row = intervals->as_array()[k];
        required.x.push_back(starts[k]);
        analytic.x.push_back(starts[k]);
        required.y.push_back(number_or_nan(find_path(row, "required." + name)));
        analytic.y.push_back(number_or_nan(find_path(row, "analytic." + name)));
      }
      chart.series = {required, analytic};  // drawn in this order: analytic on top
      body += render_line_chart(chart);
    }
  }
  if (targets != nullptr && targets->is_array()) {
    for (std::size_t t = 0; t < targets->as_array().size(); ++t) {
      const Value& target = targets->as_array()[t];
      const std::string metric = text(target.find("metric"));
      LineChart chart;
      chart.title = "Achieved: " + metric_title(metric);
      // The bound as the tables print it (a ratio's in %: ">= 80% (ci95) at 9:30"), from the
      // target's fields; a staffing JSON written before `ci` was (no `ci` field) keeps its
      // `bound` text as written.
      std::string bound_text = text(target.find("bound"));
      if (const Value* ci = target.find("ci"); ci != nullptr && ci->is_bool()) {
        Expectation e;
        e.metric = metric;
        const double lo = number_or_nan(target.find("min")), hi = number_or_nan(target.find("max"));
        if (std::isfinite(lo)) e.min = lo;
        if (std::isfinite(hi)) e.max = hi;
        e.require_ci = ci->as_bool();
        if (const double at = number_or_nan(target.find("interval")); std::isfinite(at))
          e.interval = from_seconds(at);
        bound_text = describe_bound(e, is_ratio_metric(metric));
      }
      chart.subtitle = fmt::format(
          "{} {} per interval of the verifying run at the requirement; band: 95% confidence",
          metric, bound_text);
      chart.x.label = "time of day";
      chart.x.format = AxisFormat::clock;
      const std::string unit = metric_unit(metric);
      chart.y.label = metric + (unit.empty() ? "" : " (" + unit + ")");
      if (is_ratio_metric(metric)) chart.y.format = AxisFormat::percent;
      chart.step_width = length;
      Series achieved;
      achieved.name = "achieved";
      achieved.step = true;
      for (std::size_t k = 0; k < starts.size(); ++k) {
        const Value* cell = find_path(intervals->as_array()[k], "achieved");
        const Value* o = cell != nullptr && cell->is_array() && t < cell->as_array().size()
                             ? &cell->as_array()[t]
                             : nullptr;
        achieved.x.push_back(starts[k]);
        achieved.y.push_back(o ? number_or_nan(o->find("mean")) : NAN);
        achieved.ci95.push_back(o ? number_or_nan(o->find("ci95")) : NAN);
      }
      chart.series = {achieved};
      for (const char* side : {"min", "max"}) {
        const double bound = number_or_nan(target.find(side));
        if (std::isfinite(bound)) chart.targets.push_back({bound, fmt::format("target {}", side)});
      }
      body += render_line_chart(chart);
    }
  }
  return html_page("trsim staffing: " + text(doc.find("scenario")), body);
}

}  // namespace trsim::report
