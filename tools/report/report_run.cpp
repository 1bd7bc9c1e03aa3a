// The report of one run's summary JSON (`trsim run --json`): the targets at a glance, volumes,
// service level and speed of answer per queue as small multiples, occupancy, tasks waiting,
// workers per activity, the timeout cascade, reservation outcomes per queue, and every statistic.
// Each queue, worker group and activity keeps one colour on the whole page.
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

constexpr const char* kWorkspaceColour = "#222222";
constexpr const char* kTimeoutColour = "#c0392b";
// Small multiples: a narrower viewBox, so that two side by side keep legible text.
constexpr double kSmallWidth = 640;
constexpr double kSmallPlot = 200;

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

bool any_nonzero(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [](double d) { return std::isfinite(d) && d != 0; });
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
  double length = NAN;            // of an interval, seconds
  double horizon = 0;
  std::int64_t start_epoch = 0;
  std::string per_interval;  // "per 30-minute interval"
  std::string replications_note;
  double replications = 1;
  std::vector<std::string> queues;
  std::vector<std::string> groups;
  std::vector<std::string> activities;
  std::string timeout_activity;
  std::vector<Expectation> expectations;
  // One colour per entity ("queue:Spanish", "group:chat", "activity:Break") for the whole page.
  std::map<std::string, std::string> colours;

  const std::string& colour(const std::string& entity) const {
    static const std::string kNone = "#777777";
    const auto it = colours.find(entity);
    return it == colours.end() ? kNone : it->second;
  }
};

// The palette, without its red (the timeout activity's and the targets' colour).
std::vector<std::string> entity_palette() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < 10; ++i)
    if (palette_colour(i) != "#e15759") out.push_back(palette_colour(i));
  return out;
}

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
  c.length = length;
  c.per_interval = "per interval";
  if (length > 0 && std::fmod(length, 3600) == 0)
    c.per_interval = "per " + format_value(length / 3600) + "-hour interval";
  else if (length > 0 && std::fmod(length, 60) == 0)
    c.per_interval = "per " + format_value(length / 60) + "-minute interval";
  else if (length > 0)
    c.per_interval = "per " + format_value(length) + "-second interval";
  const double reps = number_or_nan(summary.find("replications"));
  c.replications = std::isfinite(reps) ? reps : 1;
  c.replications_note =
      std::isfinite(reps) && reps > 1
          ? fmt::format("mean of {} replications; shaded: 95% confidence band", format_value(reps))
          : "one replication";
  c.queues = keys(find_path(summary, "statistics.task_queues"));
  c.groups = keys(find_path(summary, "statistics.workers"));
  c.activities = keys(c.intervals ? find_path(*c.intervals, "workspace.workers") : nullptr);
  c.timeout_activity = str(summary.find("timeout_activity"));
  if (const Value* list = summary.find("expect"); list != nullptr && list->is_array()) {
    for (const Value& e : list->as_array()) {
      // A line on one interval (expect[].interval) is `trsim check`'s; the report's table and
      // chart targets are the whole run's.
      if (e.find("interval") != nullptr) continue;
      Expectation x;
      x.metric = str(e.find("metric"));
      x.min = number_or_nan(e.find("min"));
      x.max = number_or_nan(e.find("max"));
      const Value* ci = e.find("ci");
      x.ci = ci != nullptr && ci->is_bool() && ci->as_bool();
      if (!x.metric.empty()) c.expectations.push_back(x);
    }
  }
  // Colours: queues, then groups, then activities, in the palette's order (wrapping around when
  // there are more than nine); the timeout activity red, as in the cascade.
  const std::vector<std::string> palette = entity_palette();
  std::size_t next = 0;
  for (const std::string& q : c.queues) c.colours["queue:" + q] = palette[next++ % palette.size()];
  for (const std::string& g : c.groups) c.colours["group:" + g] = palette[next++ % palette.size()];
  for (const std::string& a : c.activities)
    c.colours["activity:" + a] =
        a == c.timeout_activity ? kTimeoutColour : palette[next++ % palette.size()];
  c.colours["workspace"] = kWorkspaceColour;
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

// The series of an entity: its name, colour and data-entity.
Series entity_series(const Context& c, const std::string& entity, const std::string& column,
                     bool with_band) {
  const std::size_t colon = entity.find(':');
  const std::string kind = entity.substr(0, colon);
  const std::string name = colon == std::string::npos ? entity : entity.substr(colon + 1);
  const std::string scope = kind == "queue"   ? "task_queues." + name
                            : kind == "group" ? "workers." + name
                                              : "workspace";
  Series s = interval_series(c, kind == "workspace" ? "workspace" : kind + " " + name, scope,
                             column, with_band);
  s.colour = c.colour(entity);
  s.entity = entity;
  return s;
}

LineChart time_chart(const Context& c, std::string title, std::string subtitle,
                     std::string y_label) {
  LineChart chart;
  chart.title = std::move(title);
  chart.subtitle = std::move(subtitle);
  chart.x.label = "time of day (UTC)";
  chart.x.format = AxisFormat::clock;
  chart.x.min = 0;
  chart.x.max = c.horizon;
  chart.start_epoch = c.start_epoch;
  chart.y.label = std::move(y_label);
  chart.width = kSmallWidth;
  chart.plot_height = kSmallPlot;
  chart.step_width = std::isfinite(c.length) ? c.length : 0;
  // The intervals before the warm-up are drawn like the others (the system filling up) but the
  // run's statistics leave their tasks out: shade them.
  const double warmup = number_or_nan(c.summary.find("warmup"));
  if (warmup > 0) chart.spans.push_back({0, warmup, "warm-up (not in the statistics)"});
  return chart;
}

// The `expect:` targets on `path`, as target lines.
void add_targets(const Context& c, LineChart& chart, const std::string& path) {
  const bool percent = is_ratio_metric(path);
  const auto show = [&](double v) {
    return percent ? format_tick(v, 0.01, AxisFormat::percent) : format_value(v) + " s";
  };
  for (const Expectation& e : c.expectations) {
    if (e.metric != path) continue;
    if (std::isfinite(e.min))
      chart.targets.push_back({e.min, fmt::format("target ≥ {}", show(e.min))});
    if (std::isfinite(e.max))
      chart.targets.push_back({e.max, fmt::format("target ≤ {}", show(e.max))});
  }
}

std::string figure(const std::string& svg, const std::string& caption) {
  return "<figure>\n" + svg + "<figcaption>" + caption + "</figcaption>\n</figure>\n";
}

// The same, written out piece by piece (an SVG of a hundred queues' series is megabytes).
void figure(PageOut& out, const std::string& svg, const std::string& caption) {
  out += "<figure>\n";
  out += svg;
  out += "<figcaption>";
  out += caption;
  out += "</figcaption>\n</figure>\n";
}

// Whether `path` (under statistics) meets the expectation `e`, as `trsim check` decides.
bool meets(const Expectation& e, double mean, double ci) {
  const bool use_ci = e.ci && std::isfinite(ci);
  bool ok = std::isfinite(mean);
  if (std::isfinite(e.min) && !((use_ci ? mean - ci : mean) >= e.min)) ok = false;
  if (std::isfinite(e.max) && !((use_ci ? mean + ci : mean) <= e.max)) ok = false;
  return ok;
}

std::string show_bound(const std::string& metric, double v) {
  return format_metric(v, metric, 0) + (metric_unit(metric) == "s" ? " s" : "");
}

std::string header(const Context& c) {
  const Value& s = c.summary;
  std::string out =
      "<h1>trsim report — " + escape_xml(str(s.find("scenario"))) + "</h1>\n<p class=\"meta\">";
  out += fmt::format(
      "seed {} · {} replication{} · start {} · horizon {} · warm-up {} · intervals of {} · times "
      "in UTC",
      escape_xml(s.find("seed") ? to_json(*s.find("seed")) : "?"),
      format_value(number_or_nan(s.find("replications"))),
      number_or_nan(s.find("replications")) == 1 ? "" : "s", escape_xml(str(s.find("start"))),
      describe_length(number_or_nan(s.find("horizon"))),
      describe_length(number_or_nan(s.find("warmup"))),
      describe_length(number_or_nan(c.intervals ? c.intervals->find("length") : nullptr)));
  out +=
      "</p>\n<nav><a href=\"#glance\">at a glance</a><a href=\"#expectations\">expectations</a>"
      "<a href=\"#volume\">volume</a><a href=\"#queues\">service level and speed of answer</a>"
      "<a href=\"#occupancy\">occupancy</a><a href=\"#workers\">workers</a>"
      "<a href=\"#cascade\">timeout cascade</a><a href=\"#reservations\">reservations</a>"
      "<a href=\"#statistics\">all statistics</a></nav>\n";
  return out;
}

// The three or four numbers that answer "did we meet the targets": the `expect:` bounds first,
// then the headline metrics of the workspace (without a mark when no target names them).
std::string glance_section(const Context& c) {
  const Value* stats = c.summary.find("statistics");
  struct Card {
    std::string metric;
    const Expectation* e = nullptr;
  };
  std::vector<Card> cards;
  for (const Expectation& e : c.expectations)
    if (cards.size() < 4) cards.push_back({e.metric, &e});
  // The headline metrics: the service level at the largest threshold below a minute (or the
  // largest), the speed of answer, the abandon rate and the occupancy.
  std::string level;
  for (const std::string& t : keys(stats ? find_path(*stats, "workspace.service_level") : nullptr))
    if (level.empty() || std::strtod(t.c_str(), nullptr) <= 60) level = t;
  std::vector<std::string> headline = {"workspace.avg_task_acceptance_time",
                                       "workspace.abandon_rate", "workspace.occupancy"};
  if (!level.empty()) headline.insert(headline.begin(), "workspace.service_level." + level);
  for (const std::string& m : headline) {
    if (cards.size() >= 4) break;
    if (std::none_of(cards.begin(), cards.end(), [&](const Card& k) { return k.metric == m; }))
      cards.push_back({m, nullptr});
  }
  std::string out = "<section id=\"glance\">\n<h2>At a glance</h2>\n<div class=\"cards\">\n";
  for (const Card& k : cards) {
    const Value* leaf = stats ? find_path(*stats, k.metric) : nullptr;
    const double mean = number_or_nan(leaf ? leaf->find("mean") : nullptr);
    const double ci = number_or_nan(leaf ? leaf->find("ci95") : nullptr);
    const std::string unit = metric_unit(k.metric) == "s" ? " s" : "";
    std::string mark, target;
    if (k.e != nullptr) {
      const bool ok = meets(*k.e, mean, ci);
      mark = ok ? "ok" : "missed";
      if (std::isfinite(k.e->min)) target = "target ≥ " + show_bound(k.metric, k.e->min);
      if (std::isfinite(k.e->max))
        target += (target.empty() ? "" : ", ") + ("target ≤ " + show_bound(k.metric, k.e->max));
      if (k.e->ci) target += " (whole ci95)";
    } else {
      target = "no target in expect:";
    }
    out += fmt::format(
        "<div class=\"card {}\"><div class=\"what\">{}</div><div class=\"value\">{}{}</div>"
        "<div class=\"ci\">{}</div><div class=\"target\">{}{}</div></div>\n",
        mark, escape_xml(metric_title(k.metric)), format_metric(mean, k.metric), unit,
        std::isfinite(ci) ? "± " + format_metric(ci, k.metric) + unit + " (95% confidence)"
                          : "one replication: no confidence interval",
        mark.empty()
            ? ""
            : "<span class=\"mark\">" + std::string(mark == "ok" ? "ok" : "MISSED") + "</span> · ",
        escape_xml(target));
  }
  return out + "</div>\n</section>\n";
}

std::string expectations_section(const Context& c) {
  std::string out = "<section id=\"expectations\">\n<h2>Expectations</h2>\n";
  if (c.expectations.empty())
    return out +
           "<p class=\"note\">The scenario has no <code>expect:</code> list.</p>\n</section>\n";
  out +=
      "<p class=\"note\">The scenario's <code>expect:</code> list, evaluated on the run's "
      "statistics as <code>trsim check</code> does (with <code>ci: true</code> the whole 95% "
      "confidence interval must meet the bound).</p>\n<div class=\"table-wrap\"><table>\n"
      "<thead><tr><th>metric</th><th>min</th><th>max</th><th>mean</th><th>ci95</th>"
      "<th>result</th></tr></thead>\n<tbody>\n";
  const Value* stats = c.summary.find("statistics");
  for (const Expectation& e : c.expectations) {
    const Value* leaf = stats ? find_path(*stats, e.metric) : nullptr;
    const double mean = number_or_nan(leaf ? leaf->find("mean") : nullptr);
    const double ci = number_or_nan(leaf ? leaf->find("ci95") : nullptr);
    const bool ok = meets(e, mean, ci);
    out += fmt::format(
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{}\">{}</td></tr>\n",
        escape_xml(e.metric), std::isfinite(e.min) ? format_metric(e.min, e.metric) : "",
        std::isfinite(e.max) ? format_metric(e.max, e.metric) : "", format_metric(mean, e.metric),
        format_metric(ci, e.metric), ok ? "ok" : "failed", ok ? "ok" : "FAILED");
  }
  return out + "</tbody>\n</table></div>\n</section>\n";
}

// Offered, handled and abandoned tasks per interval (workspace).
void volume_section(const Context& c, PageOut& out) {
  LineChart chart =
      time_chart(c, "Volume", "tasks " + c.per_interval + " (" + c.replications_note + ")",
                 "tasks per interval");
  const std::tuple<const char*, const char*, const char*, const char*> columns[] = {
      {"offered", "offered (created)", "#222222", ""},
      {"accepted", "handled (accepted)", "#59a14f", ""},
      {"abandoned", "abandoned", "#c0392b", "5 3"}};
  for (const auto& [column, name, colour, dash] : columns) {
    Series s = interval_series(c, name, "workspace", column, true);
    s.colour = colour;
    s.dash = dash;
    s.step = true;
    if (any_finite(s.y)) chart.series.push_back(std::move(s));
  }
  LineChart occupancy =
      time_chart(c, "Occupancy", "busy ÷ (busy + idle available) worker time, " + c.per_interval,
                 "occupancy (%)");
  occupancy.y.format = AxisFormat::percent;
  occupancy.y.min = 0;
  occupancy.y.max = 1;
  Series ws = entity_series(c, "workspace", "occupancy", true);
  ws.emphasis = true;
  ws.step = true;
  if (any_finite(ws.y)) occupancy.series.push_back(std::move(ws));
  for (const std::string& g : c.groups) {
    Series s = entity_series(c, "group:" + g, "occupancy", false);
    s.step = true;
    if (any_finite(s.y)) occupancy.series.push_back(std::move(s));
  }
  add_targets(c, occupancy, "workspace.occupancy");
  // Average handle time (accept -> wrap-up end) of the tasks completed in each interval.
  LineChart handle =
      time_chart(c, "Average handle time",
                 "talk plus wrap-up of the tasks completed, " + c.per_interval, "handle time (s)");
  handle.y.min = 0;
  Series ws_handle = entity_series(c, "workspace", "avg_handle_time", true);
  ws_handle.emphasis = true;
  ws_handle.step = true;
  if (any_finite(ws_handle.y)) handle.series.push_back(std::move(ws_handle));
  for (const std::string& g : c.groups) {
    Series s = entity_series(c, "group:" + g, "avg_handle_time", false);
    s.step = true;
    if (any_finite(s.y)) handle.series.push_back(std::move(s));
  }
  out += "<section id=\"volume\">\n<h2>Volume, occupancy and handle time</h2>\n";
  out += kGridOpen;
  if (!chart.series.empty())
    figure(out, render_line_chart(chart),
           "Source: <code>intervals.workspace.{offered, accepted, abandoned}</code>: tasks "
           "created, accepted and abandoned in each interval (a task counts where the event "
           "happens). The gap between offered and handled is the backlog building up.");
  if (!occupancy.series.empty())
    figure(out, render_line_chart(occupancy),
           "Source: <code>intervals.*.occupancy</code>, workspace (black) and per worker "
           "group. Flat near 100%: the group is the bottleneck.");
  if (!handle.series.empty())
    figure(out, render_line_chart(handle),
           "Source: <code>intervals.*.avg_handle_time</code>: accept to wrap-up end of the "
           "tasks whose wrap-up ended in the interval, workspace (black) and per worker "
           "group. With occupancy, it says whether a group is slow or just busy.");
  out += "</div>\n</section>\n";
}

// Service level and speed of answer side by side, one row per scope: the workspace, then each
// queue, in the queue's colour. A threshold whose service level is 0 in every interval (0 s: no
// task is answered at the instant it is created) is left out and said so.
void queues_section(const Context& c, PageOut& out) {
  out += "<section id=\"queues\">\n<h2>Service level and speed of answer per queue</h2>\n";
  std::vector<std::string> thresholds, dropped;
  const Value* levels = c.intervals ? find_path(*c.intervals, "workspace.service_level") : nullptr;
  for (const std::string& t : keys(levels)) {
    bool drawn = false;
    for (const std::string& scope : [&] {
           std::vector<std::string> v = {"workspace"};
           for (const std::string& q : c.queues) v.push_back("task_queues." + q);
           return v;
         }())
      drawn = drawn || any_nonzero(interval_series(c, "", scope, "service_level." + t, false).y);
    (drawn ? thresholds : dropped).push_back(t);
  }
  if (!dropped.empty()) {
    out += "<p class=\"note\">Not drawn: service level within ";
    for (std::size_t i = 0; i < dropped.size(); ++i)
      out += (i ? ", " : "") + escape_xml(dropped[i]) + " s";
    out += " (0 in every interval).</p>\n";
  }
  static const char* kDashes[] = {"", "7 4", "2 3", "10 3 2 3"};
  out += kGridOpen;
  std::vector<std::string> entities = {"workspace"};
  for (const std::string& q : c.queues) entities.push_back("queue:" + q);
  for (const std::string& entity : entities) {
    const bool ws = entity == "workspace";
    const std::string who = ws ? "workspace" : "queue " + entity.substr(6);
    const std::string path = ws ? "workspace" : "task_queues." + entity.substr(6);
    LineChart sl = time_chart(c, "Service level — " + who,
                              "answered within the threshold ÷ stopped waiting, " + c.per_interval +
                                  " (" + c.replications_note + ")",
                              "service level (%)");
    sl.y.format = AxisFormat::percent;
    sl.y.min = 0;
    sl.y.max = 1;
    for (std::size_t i = 0; i < thresholds.size(); ++i) {
      Series s = entity_series(c, entity, "service_level." + thresholds[i], thresholds.size() == 1);
      s.name = "within " + thresholds[i] + " s";
      s.dash = kDashes[i % 4];
      if (any_finite(s.y)) sl.series.push_back(std::move(s));
      add_targets(c, sl, path + ".service_level." + thresholds[i]);
    }
    LineChart asa = time_chart(
        c, "Average speed of answer — " + who,
        "mean wait of the tasks answered, " + c.per_interval + " (" + c.replications_note + ")",
        "speed of answer (s)");
    Series s = entity_series(c, entity, "avg_task_acceptance_time", true);
    s.name = "average speed of answer";
    if (any_finite(s.y)) asa.series.push_back(std::move(s));
    add_targets(c, asa, path + ".avg_task_acceptance_time");
    if (!sl.series.empty())
      figure(out, render_line_chart(sl),
             "Source: <code>intervals." + escape_xml(path) +
                 ".service_level.*</code>; dashed red: <code>expect:</code> targets; gaps: "
                 "no task stopped waiting.");
    if (!asa.series.empty())
      figure(out, render_line_chart(asa),
             "Source: <code>intervals." + escape_xml(path) +
                 ".avg_task_acceptance_time</code> (creation → accept, by the interval of "
                 "the accept).");
  }
  out += "</div>\n</section>\n";
}

// Tasks waiting per queue (the workspace total as a grey area under them, so that no queue hides
// under it), and workers per activity as stacked steps.
void workers_section(const Context& c, PageOut& out) {
  LineChart waiting = time_chart(
      c, "Tasks waiting",
      "pending or reserved, time-averaged " + c.per_interval + " (" + c.replications_note + ")",
      "tasks waiting");
  Series total = entity_series(c, "workspace", "tasks_waiting", false);
  total.name = "workspace (all queues)";
  total.dash = "4 3";
  total.area = true;
  total.step = true;
  if (any_finite(total.y)) waiting.series.push_back(std::move(total));
  for (const std::string& q : c.queues) {
    Series s = entity_series(c, "queue:" + q, "tasks_waiting", false);
    s.step = true;
    if (any_finite(s.y)) waiting.series.push_back(std::move(s));
  }
  LineChart activities =
      time_chart(c, "Workers per activity",
                 "all workers, stacked: time-averaged " + c.per_interval + " (" +
                     (c.replications > 1 ? "mean of the replications" : "one replication") + ")",
                 "workers");
  activities.stacked = true;
  std::vector<std::string> empty;
  for (const std::string& a : c.activities) {
    Series s = entity_series(c, "activity:" + a, "workers." + a, false);
    s.name = a == c.timeout_activity ? a + " (timeout activity)" : a;
    if (any_nonzero(s.y))
      activities.series.push_back(std::move(s));
    else
      empty.push_back(a);
  }
  std::string caption =
      "Source: <code>intervals.workspace.workers.&lt;activity&gt;</code>. Each band is the mean "
      "number of workers in that activity over the interval; the top of the stack is the "
      "headcount.";
  if (!empty.empty()) {
    caption += " Never used, not drawn:";
    for (const std::string& a : empty) caption += " " + escape_xml(a);
    caption += ".";
  }
  out += "<section id=\"workers\">\n<h2>Waiting tasks and workers</h2>\n";
  out += kGridOpen;
  if (!waiting.series.empty())
    figure(out, render_line_chart(waiting),
           "Source: <code>intervals.*.tasks_waiting</code>; dashed over grey: the workspace "
           "total, lines: each queue (a task moved between queues counts in the one it is "
           "in).");
  if (!activities.series.empty()) figure(out, render_line_chart(activities), caption);
  out += "</div>\n</section>\n";
}

void cascade_section(const Context& c, PageOut& out) {
  const std::string where =
      c.timeout_activity.empty() ? "the timeout activity" : c.timeout_activity;
  out += "<section id=\"cascade\" class=\"cascade\">\n<h2>The timeout cascade</h2>\n";
  out +=
      "<p>A worker whose reservation times out is moved to the workspace's timeout activity (<b>" +
      escape_xml(where) +
      "</b>) and receives no offers until it comes back; under load each missed offer takes a "
      "worker away and makes the next ones likelier.</p>\n";

  LineChart parked = time_chart(
      c, "Workers parked in " + where + " by a reservation timeout",
      "time-averaged " + c.per_interval + " (" + c.replications_note + ")", "workers parked");
  Series ws = entity_series(c, "workspace", "workers_parked", true);
  ws.name = "all workers";
  ws.emphasis = true;
  ws.step = true;
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
      Series s = entity_series(c, "group:" + g, "workers_parked", false);
      s.step = true;
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
  out += fmt::format(
      "{} reservations timed out in the run ({} of the reservations created)",
      std::isfinite(timed_out) ? fmt::format("{:.1f}", timed_out) : "–",
      created > 0 ? fmt::format("{:.1f}%", 100 * timed_out / created) : std::string("–"));
  if (std::isfinite(peak))
    out += fmt::format(
        "; at the worst, {:.1f} workers on average were parked in {} (the interval around {})",
        peak, escape_xml(where), format_tick(peak_at, 60, AxisFormat::clock, c.start_epoch));
  out += ".</p>\n";

  LineChart missed =
      time_chart(c, "Reservations timed out", c.per_interval + " (" + c.replications_note + ")",
                 "reservations timed out");
  for (const std::string& q : c.queues) {
    Series s = entity_series(c, "queue:" + q, "reservations_timed_out", false);
    s.step = true;
    if (any_finite(s.y)) missed.series.push_back(std::move(s));
  }
  out += kGridOpen;
  if (any_finite(parked.series.front().y))
    figure(
        out, render_line_chart(parked),
        "Source: <code>intervals.*.workers_parked</code>: workers in the timeout activity since a "
        "reservation of theirs timed out (not those who are there by schedule or choice).");
  if (!missed.series.empty())
    figure(out, render_line_chart(missed),
           "Source: <code>intervals.task_queues.*.reservations_timed_out</code> (by the "
           "interval of the timeout), per queue.");
  out += "</div>\n</section>\n";
}

// One small bar chart per outcome, each on its own scale, so that a handful of timeouts is as
// readable as a thousand accepts; outcomes that never happen are left out.
void reservations_section(const Context& c, PageOut& out) {
  const double reps = c.replications;
  const Value* stats = c.summary.find("statistics");
  const std::pair<const char*, const char*> outcomes[] = {{"accepted", "accepted"},
                                                          {"rejected", "rejected"},
                                                          {"timed_out", "timed out"},
                                                          {"rescinded", "rescinded"},
                                                          {"canceled", "canceled"}};
  out += "<section id=\"reservations\">\n<h2>Reservation outcomes per queue</h2>\n";
  std::vector<std::string> never;
  std::string charts;
  for (const auto& [outcome, words] : outcomes) {
    BarChart chart;
    chart.title = std::string("Reservations ") + words;
    chart.subtitle = reps > 1
                         ? fmt::format("per run, mean of {} replications; bars: 95% confidence",
                                       format_value(reps))
                         : "one replication";
    chart.y_label = "reservations";
    chart.width = kSmallWidth;
    chart.plot_height = 150;
    chart.categories = c.queues;
    Series s;
    s.name = words;
    for (const std::string& q : c.queues) {
      const Value* leaf =
          stats ? find_path(*stats, "task_queues." + q + ".reservations_" + outcome) : nullptr;
      s.y.push_back(number_or_nan(leaf ? leaf->find("mean") : nullptr));
      s.ci95.push_back(number_or_nan(leaf ? leaf->find("ci95") : nullptr));
      chart.category_colours.push_back(c.colour("queue:" + q));
      chart.category_entities.push_back("queue:" + q);
    }
    if (!any_nonzero(s.y)) {
      never.push_back(words);
      continue;
    }
    chart.series.push_back(std::move(s));
    charts += figure(render_bar_chart(chart),
                     "Source: <code>statistics.task_queues.*.reservations_" + std::string(outcome) +
                         "</code> (tasks created at or after the warm-up).");
  }
  out +=
      "<p class=\"note\">One chart per outcome, each on its own scale, so that the few timed-out "
      "and rejected reservations that matter for timeout tuning are as readable as the many "
      "accepted ones.";
  if (!never.empty()) {
    out += " Never happened, not drawn:";
    for (std::size_t i = 0; i < never.size(); ++i) out += (i ? ", " : " ") + never[i];
    out += ".";
  }
  out += "</p>\n";
  out += kGridOpen + charts + "</div>\n";
  out += "</section>\n";
}

// Every aggregated leaf ({"mean", "ci95", "min", "max"}) under `node`, with its dotted path; each
// column in one format (format_metric: % for ratios, one decimal for seconds).
void collect_rows(const Value& node, const std::string& path, const std::string& scope,
                  int decimals, std::string& out) {
  if (!node.is_object()) return;
  if (const Value* mean = node.find("mean");
      mean != nullptr && !mean->is_object() && node.find("ci95")) {
    const std::string full = scope + "." + path;
    const std::string unit = metric_unit(full);
    const double m = number_or_nan(mean), lo = number_or_nan(node.find("min")),
                 hi = number_or_nan(node.find("max"));
    out += fmt::format(
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
        escape_xml(path), format_metric(m, full, decimals),
        format_metric(number_or_nan(node.find("ci95")), full, 1), format_metric(lo, full, decimals),
        format_metric(hi, full, decimals), unit.empty() ? "count" : unit);
    return;
  }
  for (const auto& [key, child] : node.as_object())
    collect_rows(child, path.empty() ? key : path + "." + key, scope, decimals, out);
}

// Written to `sink` a table at a time: with per-worker statistics it is most of the page.
void statistics_section(const Context& c, const PageSink& sink) {
  sink(
      "<section id=\"statistics\">\n<h2>All statistics</h2>\n<p class=\"note\">Every number of "
      "<code>statistics</code> in the summary, aggregated over the replications "
      "(docs/statistics.md defines each); ratios in %, durations in seconds.</p>\n");
  const Value* stats = c.summary.find("statistics");
  const auto table = [&](const std::string& label, const Value& node, const std::string& path,
                         bool open) {
    std::string out = std::string("<details") + (open ? " open" : "") + "><summary>" +
                      escape_xml(label) + "</summary>\n";
    out += "<div class=\"table-wrap\"><table>\n<thead><tr><th>" + escape_xml(path) +
           ".…</th><th>mean</th><th>ci95</th><th>min</th><th>max</th><th>unit</th></tr></"
           "thead>\n<tbody>\n";
    // Counts: whole numbers from one replication, one decimal for means of several.
    collect_rows(node, "", path, c.replications > 1 ? 1 : 0, out);
    out += "</tbody>\n</table></div>\n</details>\n";
    sink(out);
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
  sink("</section>\n");
}

}  // namespace

void render_run_report(const Value& summary, const PageSink& sink) {
  const Context c = make_context(summary);
  sink(html_page_head("trsim report — " + str(summary.find("scenario"))));
  PageOut out(sink);
  out += header(c);
  out += glance_section(c);
  out += expectations_section(c);
  volume_section(c, out);
  queues_section(c, out);
  workers_section(c, out);
  cascade_section(c, out);
  reservations_section(c, out);
  statistics_section(c, sink);
  sink(html_page_tail());
}

}  // namespace trsim::report
