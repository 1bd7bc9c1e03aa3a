// The report of one run's summary JSON (`trsim run --json`): per-interval service level and speed
// of answer against the `expect:` targets, tasks waiting, workers per activity, the timeout
// cascade, reservation outcomes per queue, and every statistic.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "model/units.hpp"
#include "report/report_page.hpp"
#include "report/svg_chart.hpp"

namespace trsim::report {
namespace {

constexpr const char* kWorkspaceColour = "#222222";
constexpr const char* kTimeoutColour = "#c0392b";

std::string str(const Value* v) { return v != nullptr && v->is_string() ? v->as_string() : ""; }

std::vector<std::string> keys(const Value* v) {
  std::vector<std::string> out;
  if (v != nullptr && v->is_object())
    for (const auto& member : v->as_object()) out.push_back(member.first);
  return out;
}

bool any_finite(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [](double d) { return std::isfinite(d); });
}

// "30 minutes", "15 minutes", "1 hour", "90 seconds".
std::string describe_length(double seconds) {
  if (seconds >= 3600 && std::fmod(seconds, 3600) == 0) {
    const double h = seconds / 3600;
    return fmt::format("{} hour{}", format_value(h), h == 1 ? "" : "s");
  }
  if (seconds >= 60 && std::fmod(seconds, 60) == 0)
    return fmt::format("{} minutes", format_value(seconds / 60));
  return fmt::format("{} seconds", format_value(seconds));
}

struct Expectation {
  std::string metric;
  double min = NAN;
  double max = NAN;
  bool ci = false;
};

// The run's interval data and what every time chart needs.
struct Context {
  explicit Context(const Value& s) : summary(s) {}
  const Value& summary;
  const Value* intervals = nullptr;
  std::vector<double> midpoints;  // x of each interval: its middle, seconds from time 0
  double horizon = 0;
  std::int64_t start_epoch = 0;
  std::string per_interval;  // "per 30-minute interval"
  std::string replications_note;
  std::vector<std::string> queues;
  std::vector<std::string> groups;
  std::vector<Expectation> expectations;
};

Context make_context(const Value& summary) {
  Context c(summary);
  c.intervals = summary.find("intervals");
  const std::vector<double> start = numbers(c.intervals ? c.intervals->find("start") : nullptr);
  const std::vector<double> end = numbers(c.intervals ? c.intervals->find("end") : nullptr);
  for (std::size_t k = 0; k < start.size() && k < end.size(); ++k)
    c.midpoints.push_back((start[k] + end[k]) / 2);
  c.horizon = end.empty() ? number_or_nan(summary.find("horizon")) : end.back();
  if (const auto epoch = detail::parse_iso8601_utc(str(summary.find("start")), nullptr))
    c.start_epoch = *epoch;
  const double length = number_or_nan(c.intervals ? c.intervals->find("length") : nullptr);
  c.per_interval = "per interval";
  if (length > 0 && std::fmod(length, 3600) == 0)
    c.per_interval = "per " + format_value(length / 3600) + "-hour interval";
  else if (length > 0 && std::fmod(length, 60) == 0)
    c.per_interval = "per " + format_value(length / 60) + "-minute interval";
  else if (length > 0)
    c.per_interval = "per " + format_value(length) + "-second interval";
  const double reps = number_or_nan(summary.find("replications"));
  c.replications_note =
      std::isfinite(reps) && reps > 1
          ? fmt::format("mean of {} replications; shaded: 95% confidence band", format_value(reps))
          : "one replication";
  c.queues = keys(find_path(summary, "statistics.task_queues"));
  c.groups = keys(find_path(summary, "statistics.workers"));
  if (const Value* list = summary.find("expect"); list != nullptr && list->is_array()) {
    for (const Value& e : list->as_array()) {
      Expectation x;
      x.metric = str(e.find("metric"));
      x.min = number_or_nan(e.find("min"));
      x.max = number_or_nan(e.find("max"));
      const Value* ci = e.find("ci");
      x.ci = ci != nullptr && ci->is_bool() && ci->as_bool();
      if (!x.metric.empty()) c.expectations.push_back(x);
    }
  }
  return c;
}

// One time series of the interval table: `scope_path` ("workspace", "task_queues.Q", "workers.G")
// and `column` ("tasks_waiting", "service_level.20", "workers.Offline").
Series interval_series(const Context& c, const std::string& name, const std::string& scope_path,
                       const std::string& column, bool with_band) {
  Series s;
  s.name = name;
  s.x = c.midpoints;
  const Value* leaf = c.intervals ? find_path(*c.intervals, scope_path + "." + column) : nullptr;
  s.y = numbers(leaf ? leaf->find("mean") : nullptr);
  if (with_band) s.ci95 = numbers(leaf ? leaf->find("ci95") : nullptr);
  s.y.resize(s.x.size(), NAN);
  return s;
}

LineChart time_chart(const Context& c, std::string title, std::string subtitle,
                     std::string y_label) {
  LineChart chart;
  chart.title = std::move(title);
  chart.subtitle = std::move(subtitle);
  chart.x.label = "time of day (UTC, from the scenario's start)";
  chart.x.format = AxisFormat::clock;
  chart.x.min = 0;
  chart.x.max = c.horizon;
  chart.start_epoch = c.start_epoch;
  chart.y.label = std::move(y_label);
  // The intervals before the warm-up are drawn like the others (the system filling up) but the
  // run's statistics leave their tasks out: shade them.
  const double warmup = number_or_nan(c.summary.find("warmup"));
  if (warmup > 0) chart.spans.push_back({0, warmup, "warm-up (not in the statistics)"});
  return chart;
}

// The workspace series (dark, emphasised, with its band) and one per queue that has data; the
// targets of the expectations naming one of these series' metrics.
void add_workspace_and_queues(const Context& c, LineChart& chart, const std::string& column,
                              bool percent) {
  Series ws = interval_series(c, "workspace", "workspace", column, true);
  ws.colour = kWorkspaceColour;
  ws.emphasis = true;
  if (any_finite(ws.y)) chart.series.push_back(std::move(ws));
  for (const std::string& q : c.queues) {
    Series s = interval_series(c, "queue " + q, "task_queues." + q, column, false);
    if (any_finite(s.y)) chart.series.push_back(std::move(s));
  }
  std::vector<std::pair<std::string, std::string>> paths = {{"workspace." + column, "workspace"}};
  for (const std::string& q : c.queues)
    paths.emplace_back("task_queues." + q + "." + column, "queue " + q);
  const auto show = [&](double v) {
    return percent ? format_tick(v, 0.01, AxisFormat::percent) : format_value(v) + " s";
  };
  for (const Expectation& e : c.expectations) {
    for (const auto& [path, who] : paths) {
      if (e.metric != path) continue;
      if (std::isfinite(e.min))
        chart.targets.push_back({e.min, fmt::format("target ≥ {} ({})", show(e.min), who)});
      if (std::isfinite(e.max))
        chart.targets.push_back({e.max, fmt::format("target ≤ {} ({})", show(e.max), who)});
    }
  }
}

std::string figure(const std::string& svg, const std::string& caption) {
  return "<figure>\n" + svg + "<figcaption>" + caption + "</figcaption>\n</figure>\n";
}

std::string header(const Context& c) {
  const Value& s = c.summary;
  std::string out =
      "<h1>trsim report — " + escape_xml(str(s.find("scenario"))) + "</h1>\n<p class=\"meta\">";
  out += fmt::format(
      "seed {} · {} replication{} · start {} · horizon {} · warm-up {} · intervals of {}",
      escape_xml(s.find("seed") ? to_json(*s.find("seed")) : "?"),
      format_value(number_or_nan(s.find("replications"))),
      number_or_nan(s.find("replications")) == 1 ? "" : "s", escape_xml(str(s.find("start"))),
      describe_length(number_or_nan(s.find("horizon"))),
      describe_length(number_or_nan(s.find("warmup"))),
      describe_length(number_or_nan(c.intervals ? c.intervals->find("length") : nullptr)));
  out +=
      "</p>\n<nav><a href=\"#expectations\">expectations</a><a href=\"#service-level\">service "
      "level</a>"
      "<a href=\"#speed-of-answer\">speed of answer</a><a href=\"#waiting\">waiting tasks</a>"
      "<a href=\"#workers\">workers</a><a href=\"#cascade\">timeout cascade</a>"
      "<a href=\"#reservations\">reservations</a><a href=\"#statistics\">all "
      "statistics</a></nav>\n";
  return out;
}

std::string expectations_section(const Context& c) {
  std::string out = "<section id=\"expectations\">\n<h2>Expectations</h2>\n";
  if (c.expectations.empty())
    return out +
           "<p class=\"note\">The scenario has no <code>expect:</code> list.</p>\n</section>\n";
  out +=
      "<p class=\"note\">The scenario's <code>expect:</code> list, evaluated on the run's "
      "statistics as "
      "<code>trsim check</code> does (with <code>ci: true</code> the whole 95% confidence interval "
      "must "
      "meet the "
      "bound).</p>\n<table>\n<thead><tr><th>metric</th><th>min</th><th>max</th><th>mean</th>"
      "<th>ci95</th><th>result</th></tr></thead>\n<tbody>\n";
  const Value* stats = c.summary.find("statistics");
  for (const Expectation& e : c.expectations) {
    const Value* leaf = stats ? find_path(*stats, e.metric) : nullptr;
    const double mean = number_or_nan(leaf ? leaf->find("mean") : nullptr);
    const double ci = number_or_nan(leaf ? leaf->find("ci95") : nullptr);
    const bool use_ci = e.ci && std::isfinite(ci);
    bool ok = std::isfinite(mean);
    if (std::isfinite(e.min) && !((use_ci ? mean - ci : mean) >= e.min)) ok = false;
    if (std::isfinite(e.max) && !((use_ci ? mean + ci : mean) <= e.max)) ok = false;
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td "
        "class=\"{}\">{}</td></tr>\n",
        escape_xml(e.metric), std::isfinite(e.min) ? format_value(e.min) : "",
        std::isfinite(e.max) ? format_value(e.max) : "", format_value(mean), format_value(ci),
        ok ? "ok" : "failed", ok ? "ok" : "FAILED");
  }
  return out + "</tbody>\n</table>\n</section>\n";
}

std::string service_level_section(const Context& c) {
  std::string out = "<section id=\"service-level\">\n<h2>Service level per interval</h2>\n";
  const Value* levels = c.intervals ? find_path(*c.intervals, "workspace.service_level") : nullptr;
  for (const std::string& threshold : keys(levels)) {
    LineChart chart =
        time_chart(c, "Service level within " + threshold + " s",
                   "tasks answered within " + threshold + " s ÷ tasks that stopped waiting, " +
                       c.per_interval + " (" + c.replications_note + ")",
                   "service level (% within " + threshold + " s)");
    chart.y.format = AxisFormat::percent;
    chart.y.min = 0;
    chart.y.max = 1;
    add_workspace_and_queues(c, chart, "service_level." + threshold, true);
    out +=
        figure(render_line_chart(chart),
               "Source: <code>intervals.*.service_level." + escape_xml(threshold) +
                   "</code>; dashed red lines: the <code>expect:</code> targets on these metrics. "
                   "Gaps: intervals in which no task stopped waiting.");
  }
  return out + "</section>\n";
}

std::string speed_section(const Context& c) {
  LineChart chart = time_chart(
      c, "Average speed of answer",
      "mean wait of the tasks answered, " + c.per_interval + " (" + c.replications_note + ")",
      "average speed of answer (s)");
  add_workspace_and_queues(c, chart, "avg_task_acceptance_time", false);
  return "<section id=\"speed-of-answer\">\n<h2>Average speed of answer per interval</h2>\n" +
         figure(render_line_chart(chart),
                "Source: <code>intervals.*.avg_task_acceptance_time</code> (creation → accept, "
                "seconds, by the "
                "interval of the accept); dashed red lines: <code>expect:</code> targets.") +
         "</section>\n";
}

std::string waiting_section(const Context& c) {
  LineChart chart = time_chart(c, "Tasks waiting",
                               "tasks pending or reserved, time-averaged " + c.per_interval + " (" +
                                   c.replications_note + ")",
                               "tasks waiting");
  add_workspace_and_queues(c, chart, "tasks_waiting", false);
  return "<section id=\"waiting\">\n<h2>Waiting tasks</h2>\n" +
         figure(render_line_chart(chart), "Source: <code>intervals.*.tasks_waiting</code>.") +
         "</section>\n";
}

std::string workers_section(const Context& c, const std::string& timeout_activity) {
  LineChart chart = time_chart(
      c, "Workers per activity",
      "all workers, time-averaged " + c.per_interval + " (" + c.replications_note + ")", "workers");
  const Value* activities = c.intervals ? find_path(*c.intervals, "workspace.workers") : nullptr;
  for (const std::string& a : keys(activities)) {
    Series s = interval_series(c, a == timeout_activity ? a + " (timeout activity)" : a,
                               "workspace", "workers." + a, false);
    if (a == timeout_activity) {
      s.colour = kTimeoutColour;
      s.emphasis = true;
    }
    chart.series.push_back(std::move(s));
  }
  return "<section id=\"workers\">\n<h2>Workers per activity</h2>\n" +
         figure(render_line_chart(chart),
                "Source: <code>intervals.workspace.workers.&lt;activity&gt;</code>.") +
         "</section>\n";
}

std::string cascade_section(const Context& c, const std::string& timeout_activity) {
  const std::string where = timeout_activity.empty() ? "the timeout activity" : timeout_activity;
  std::string out = "<section id=\"cascade\" class=\"cascade\">\n<h2>The timeout cascade</h2>\n";
  out +=
      "<p>A worker whose reservation times out is moved to the workspace's timeout activity (<b>" +
      escape_xml(where) +
      "</b>) and receives no offers until it comes back; under load each missed offer takes a "
      "worker away "
      "and makes the next ones likelier.</p>\n";

  LineChart parked = time_chart(
      c, "Workers parked in " + where + " by a reservation timeout",
      "time-averaged " + c.per_interval + " (" + c.replications_note + ")", "workers parked");
  Series ws = interval_series(c, "all workers", "workspace", "workers_parked", true);
  ws.colour = kTimeoutColour;
  ws.emphasis = true;
  ws.area = true;
  // The peak, for the call-out.
  double peak = NAN, peak_at = NAN;
  for (std::size_t k = 0; k < ws.y.size(); ++k)
    if (std::isfinite(ws.y[k]) && !(ws.y[k] <= peak)) peak = ws.y[k], peak_at = ws.x[k];
  parked.series.push_back(std::move(ws));
  if (c.groups.size() > 1) {
    // The groups that lost most worker time to the timeout activity, at most six of them (more
    // lines would not be told apart).
    std::vector<std::pair<double, Series>> groups;
    for (const std::string& g : c.groups) {
      Series s = interval_series(c, "group " + g, "workers." + g, "workers_parked", false);
      double total = 0;
      for (const double v : s.y)
        if (std::isfinite(v)) total += v;
      if (total > 0) groups.emplace_back(total, std::move(s));
    }
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    if (groups.size() > 6) {
      groups.resize(6);
      parked.subtitle += "; the 6 worker groups with the most parked time";
    }
    for (auto& g : groups) parked.series.push_back(std::move(g.second));
  }
  const Value* stats = c.summary.find("statistics");
  const double timed_out =
      number_or_nan(stats ? find_path(*stats, "workspace.reservations_timed_out.mean") : nullptr);
  const double created =
      number_or_nan(stats ? find_path(*stats, "workspace.reservations_created.mean") : nullptr);
  out += "<p class=\"callout\">";
  out +=
      fmt::format("{} reservations timed out in the run ({} of the reservations created)",
                  std::isfinite(timed_out) ? fmt::format("{:.1f}", timed_out) : "–",
                  created > 0 ? format_tick(timed_out / created, 0.001, AxisFormat::percent) : "–");
  if (std::isfinite(peak))
    out += fmt::format(
        "; at the worst, {:.1f} workers on average were parked in {} (the interval around {})",
        peak, escape_xml(where), format_tick(peak_at, 60, AxisFormat::clock, c.start_epoch));
  out += ".</p>\n";
  out += figure(
      render_line_chart(parked),
      "Source: <code>intervals.*.workers_parked</code>: workers in the timeout activity since a "
      "reservation of theirs timed out (not those who are there by schedule or choice).");

  LineChart missed =
      time_chart(c, "Reservations timed out", c.per_interval + " (" + c.replications_note + ")",
                 "reservations timed out");
  add_workspace_and_queues(c, missed, "reservations_timed_out", false);
  out += figure(
      render_line_chart(missed),
      "Source: <code>intervals.*.reservations_timed_out</code> (by the interval of the timeout).");
  return out + "</section>\n";
}

std::string reservations_section(const Context& c) {
  BarChart chart;
  chart.title = "Reservation outcomes per queue";
  const double reps = number_or_nan(c.summary.find("replications"));
  chart.subtitle =
      reps > 1 ? fmt::format(
                     "reservations per run by how they ended (mean of {} replications; error bars: "
                     "95% confidence interval)",
                     format_value(reps))
               : "reservations by how they ended (one replication)";
  chart.y_label = "reservations";
  chart.categories = c.queues;
  const std::pair<const char*, const char*> outcomes[] = {{"accepted", "#59a14f"},
                                                          {"rejected", "#f28e2b"},
                                                          {"timed_out", "#e15759"},
                                                          {"rescinded", "#b07aa1"},
                                                          {"canceled", "#9c755f"}};
  const Value* stats = c.summary.find("statistics");
  for (const auto& [outcome, colour] : outcomes) {
    Series s;
    s.name = outcome == std::string("timed_out") ? "timed out" : outcome;
    s.colour = colour;
    for (const std::string& q : c.queues) {
      const Value* leaf =
          stats ? find_path(*stats, "task_queues." + q + ".reservations_" + outcome) : nullptr;
      s.y.push_back(number_or_nan(leaf ? leaf->find("mean") : nullptr));
      s.ci95.push_back(number_or_nan(leaf ? leaf->find("ci95") : nullptr));
    }
    chart.series.push_back(std::move(s));
  }
  return "<section id=\"reservations\">\n<h2>Reservation outcomes</h2>\n" +
         figure(render_bar_chart(chart),
                "Source: <code>statistics.task_queues.&lt;queue&gt;.reservations_{accepted, "
                "rejected, timed_out, "
                "rescinded, canceled}</code> (tasks created at or after the warm-up).") +
         "</section>\n";
}

// Every aggregated leaf ({"mean", "ci95", "min", "max"}) under `node`, with its dotted path.
void collect_rows(const Value& node, const std::string& path, std::string& out) {
  if (!node.is_object()) return;
  if (const Value* mean = node.find("mean");
      mean != nullptr && !mean->is_object() && node.find("ci95")) {
    const std::string unit = metric_unit(path);
    out +=
        fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    escape_xml(path), format_value(number_or_nan(mean)),
                    format_value(number_or_nan(node.find("ci95"))),
                    format_value(number_or_nan(node.find("min"))),
                    format_value(number_or_nan(node.find("max"))), unit == "%" ? "ratio" : unit);
    return;
  }
  for (const auto& [key, child] : node.as_object())
    collect_rows(child, path.empty() ? key : path + "." + key, out);
}

std::string statistics_section(const Context& c) {
  std::string out =
      "<section id=\"statistics\">\n<h2>All statistics</h2>\n<p class=\"note\">Every number of "
      "<code>statistics</code> in the summary, aggregated over the replications "
      "(docs/statistics.md defines each).</p>\n";
  const Value* stats = c.summary.find("statistics");
  const auto table = [&](const std::string& label, const Value& node, const std::string& path,
                         bool open) {
    std::string rows;
    collect_rows(node, "", rows);
    out += std::string("<details") + (open ? " open" : "") + "><summary>" + escape_xml(label) +
           "</summary>\n";
    out += "<table>\n<thead><tr><th>" + escape_xml(path) +
           ".…</th><th>mean</th><th>ci95</th><th>min</th><th>max</th><th>unit</th></tr></"
           "thead>\n<tbody>\n" +
           rows + "</tbody>\n</table>\n</details>\n";
  };
  if (stats != nullptr && stats->is_object()) {
    for (const auto& [scope, node] : stats->as_object()) {
      if (scope == "workspace") {
        table("workspace", node, "workspace", true);
        continue;
      }
      if (!node.is_object()) continue;
      for (const auto& [name, child] : node.as_object())
        table(scope + " · " + name, child, scope + "." + name, false);
    }
  }
  return out + "</section>\n";
}

}  // namespace

std::string render_run_report(const Value& summary) {
  const Context c = make_context(summary);
  const std::string timeout_activity = str(summary.find("timeout_activity"));
  std::string body = header(c);
  body += expectations_section(c);
  body += service_level_section(c);
  body += speed_section(c);
  body += waiting_section(c);
  body += workers_section(c, timeout_activity);
  body += cascade_section(c, timeout_activity);
  body += reservations_section(c);
  body += statistics_section(c);
  return html_page("trsim report — " + str(summary.find("scenario")), body);
}

}  // namespace trsim::report
