// `trsim report`'s pages (tools/report/): which document makes which page, targets from the
// summary's `expect` list, escaping, and the sweep page's axes.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "report/report_html.hpp"
#include "trsim/json.hpp"

using namespace trsim;
using namespace trsim::report;

namespace {

std::size_t count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

Value json(std::string_view text) {
  JsonError error;
  auto v = parse_json(text, &error);
  INFO(error.line << ":" << error.column << ": " << error.message);
  REQUIRE(v);
  return *v;
}

std::string render(std::string_view text) {
  std::string error;
  const auto html = render_report(json(text), &error);
  INFO(error);
  REQUIRE(html);
  return *html;
}

// A summary of two 30-minute intervals with one queue, one group, and expectations on the
// workspace's service level and the queue's speed of answer.
constexpr const char* kSummary = R"({
  "scenario": "desk <&> \"one\"", "seed": 7, "replications": 2, "horizon": 3600, "warmup": 0,
  "start": "2026-03-02T08:00:00Z", "timeout_activity": "Offline",
  "expect": [{"metric": "workspace.service_level.20", "min": 0.8, "ci": false},
             {"metric": "task_queues.Q<1>.avg_task_acceptance_time", "max": 30, "ci": true}],
  "statistics": {
    "workspace": {"tasks_created": {"mean": 10, "ci95": 1, "min": 9, "max": 11},
                  "service_level": {"20": {"mean": 0.9, "ci95": 0.05, "min": 0.85, "max": 0.95}}},
    "task_queues": {"Q<1>": {"reservations_accepted": {"mean": 8, "ci95": 1, "min": 7, "max": 9},
                             "reservations_timed_out": {"mean": 2, "ci95": null, "min": 2, "max": 2},
                             "avg_task_acceptance_time": {"mean": 12, "ci95": 3, "min": 9, "max": 15}}},
    "workers": {"g": {"tasks_completed": {"mean": 8, "ci95": 1, "min": 7, "max": 9}}}
  },
  "intervals": {
    "length": 1800, "start": [0, 1800], "end": [1800, 3600],
    "workspace": {"service_level": {"20": {"mean": [0.9, null], "ci95": [0.1, null]}},
                  "avg_task_acceptance_time": {"mean": [10, 14], "ci95": [1, 2]},
                  "reservations_timed_out": {"mean": [1, 1], "ci95": [0, 0]},
                  "tasks_waiting": {"mean": [0.5, 0.7], "ci95": [0.1, 0.1]},
                  "workers_parked": {"mean": [0, 1.5], "ci95": [0, 0.2]},
                  "workers": {"Offline": {"mean": [1, 2], "ci95": [0, 0]}, "Available": {"mean": [4, 3], "ci95": [0, 0]}}},
    "task_queues": {"Q<1>": {"service_level": {"20": {"mean": [0.8, 1], "ci95": [null, null]}},
                             "avg_task_acceptance_time": {"mean": [10, 14], "ci95": [1, 2]},
                             "reservations_timed_out": {"mean": [1, 1], "ci95": [0, 0]},
                             "tasks_waiting": {"mean": [0.5, 0.7], "ci95": [0.1, 0.1]}}},
    "workers": {"g": {"workers_parked": {"mean": [0, 1.5], "ci95": [0, 0.2]}}}
  },
  "runs": []
})";

}  // namespace

TEST_CASE("a document that is neither a summary nor a sweep is refused with the reason",
          "[report]") {
  std::string error;
  CHECK_FALSE(render_report(json("[1, 2]"), &error));
  CHECK(error.find("not a JSON object") != std::string::npos);
  CHECK_FALSE(render_report(json(R"({"scenario": "x"})"), &error));
  CHECK(error.find("'statistics'") != std::string::npos);
  CHECK(error.find("'points'") != std::string::npos);
  // Written as it is made (trsim report): nothing is written for a refused document.
  std::ostringstream out;
  CHECK_FALSE(render_report(json(R"({"statistics": {}})"), out, &error));
  CHECK(out.str().empty());
}

TEST_CASE("the run report draws every chart from the summary, with the expect targets",
          "[report]") {
  const std::string html = render(kSummary);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  // No scripts and nothing fetched: no script element, no external reference.
  CHECK(count(html, "<script") == 0);
  CHECK(count(html, "src=") == 0);
  CHECK(count(html, "<link") == 0);
  // Service level (one threshold) and speed of answer for the workspace and the queue, waiting,
  // workers, two cascade charts, and one bar chart per outcome that happened (accepted, timed
  // out). Volume and occupancy have no data in this summary: not drawn.
  CHECK(count(html, "<svg class=\"chart") == 10);
  CHECK(count(html, "<svg class=\"chart bar-chart\"") == 2);
  CHECK(count(html, "aria-label=\"Volume\"") == 0);
  // Targets: the workspace's service level on its chart, the queue's speed of answer on its chart,
  // each a dashed line named in the legend (and in the line's tooltip), never a label in the plot.
  CHECK(count(html, "<line class=\"target\"") == 2);
  CHECK(count(html, "target ≥ 80%") == 2);
  CHECK(count(html, "target ≤ 30 s") == 2);
  CHECK(count(html, "class=\"target-label\"") == 0);
  // The workspace's service-level chart: 1 point (the other interval is null); the queue's 2.
  CHECK(count(html, "data-series=\"within 20 s\" data-points=\"1\"") == 1);
  CHECK(count(html, "data-series=\"within 20 s\" data-points=\"2\"") == 1);
  // The queue keeps its colour: its series and its bars carry data-entity="queue:Q&lt;1&gt;".
  CHECK(count(html, "data-entity=\"queue:Q&lt;1&gt;\"") > 4);
  // Workers per activity: both activities, the timeout activity named.
  CHECK(count(html, "Offline (timeout activity)") >= 1);
  // The expectations table evaluates both (0.9 >= 0.8; 12 + 3 <= 30).
  CHECK(count(html, "<td class=\"ok\">ok</td>") == 2);
}

TEST_CASE("the run report escapes the scenario's and queues' names", "[report]") {
  const std::string html = render(kSummary);
  CHECK(count(html, "desk &lt;&amp;&gt; &quot;one&quot;") >= 2);  // <title> and <h1>
  CHECK(count(html, "desk <&>") == 0);
  CHECK(count(html, "Q<1>") == 0);
  CHECK(count(html, "queue Q&lt;1&gt;") >= 1);
}

TEST_CASE(
    "the sweep report plots each metric against the swept values, categorical when they are not "
    "numbers",
    "[report]") {
  const std::string html = render(R"({
    "scenario": "s", "version": "0.1.0", "seed": 1, "replications": 3,
    "parameters": ["task_queues.Q.task_order"], "baseline": 0,
    "metrics": ["workspace.service_level.20", "workspace.avg_task_acceptance_time"],
    "points": [
      {"index": 0, "values": {"task_queues.Q.task_order": "FIFO"}, "replications": 3,
       "metrics": {"workspace.service_level.20": {"mean": 0.8, "ci95": 0.02, "min": 0.78, "max": 0.82},
                   "workspace.avg_task_acceptance_time": {"mean": 12, "ci95": 1, "min": 11, "max": 13}},
       "difference": null, "statistics": {}},
      {"index": 1, "values": {"task_queues.Q.task_order": "LIFO"}, "replications": 3,
       "metrics": {"workspace.service_level.20": {"mean": 0.85, "ci95": 0.03, "min": 0.8, "max": 0.9},
                   "workspace.avg_task_acceptance_time": {"mean": null, "ci95": null, "min": null, "max": null}},
       "difference": {"workspace.service_level.20": {"mean": 0.05, "ci95": 0.01},
                      "workspace.avg_task_acceptance_time": {"mean": null, "ci95": null}},
       "statistics": {}}
    ]})");
  // Levels of both metrics; the paired difference of the service level beside its level (the
  // speed of answer has no difference with data: no chart of it).
  CHECK(count(html, "<svg class=\"chart") == 3);
  CHECK(count(html, "aria-label=\"Δ service level within 20 s (workspace) vs baseline\"") == 1);
  CHECK(count(html, ">FIFO</text>") == 3);  // category ticks on every chart
  CHECK(count(html, ">LIFO</text>") == 3);
  CHECK(count(html, "data-points=\"2\"") == 1);  // service level: both points
  CHECK(count(html, "data-points=\"1\"") == 2);  // its difference; speed of answer: LIFO has none
  CHECK(count(html, "class=\"baseline\"") == 1);
  CHECK(count(html, "Δ 5.0% ± 1.0%") == 1);  // the difference in the table, in %
}

TEST_CASE(
    "the sweep report reads durations as seconds on a numeric axis, one line per second parameter",
    "[report]") {
  const std::string html = render(R"({
    "scenario": "s", "version": "0.1.0", "seed": 1, "replications": 3,
    "parameters": ["workflows.w.task_reservation_timeout", "workers.a.count"], "baseline": 0,
    "metrics": ["workspace.abandon_rate"],
    "points": [
      {"index": 0, "values": {"workflows.w.task_reservation_timeout": "15s", "workers.a.count": "10"},
       "metrics": {"workspace.abandon_rate": {"mean": 0.2, "ci95": 0.01, "min": 0.1, "max": 0.3}}, "difference": null},
      {"index": 1, "values": {"workflows.w.task_reservation_timeout": "1m", "workers.a.count": "10"},
       "metrics": {"workspace.abandon_rate": {"mean": 0.1, "ci95": 0.01, "min": 0.1, "max": 0.3}}, "difference": null},
      {"index": 2, "values": {"workflows.w.task_reservation_timeout": "15s", "workers.a.count": "12"},
       "metrics": {"workspace.abandon_rate": {"mean": 0.1, "ci95": 0.01, "min": 0.1, "max": 0.3}}, "difference": null},
      {"index": 3, "values": {"workflows.w.task_reservation_timeout": "1m", "workers.a.count": "12"},
       "metrics": {"workspace.abandon_rate": {"mean": 0.05, "ci95": 0.01, "min": 0.1, "max": 0.3}}, "difference": null}
    ]})");
  CHECK(count(html, "<svg class=\"chart line-chart\"") == 1);
  CHECK(count(html, "workflows.w.task_reservation_timeout (s)") == 1);  // the x-axis label
  CHECK(count(html, ">60</text>") == 1);                                // 1m is 60 s on the axis
  CHECK(count(html, "data-series=\"workers.a.count = 10\" data-points=\"2\"") == 1);
  CHECK(count(html, "data-series=\"workers.a.count = 12\" data-points=\"2\"") == 1);
  CHECK(count(html, ">20%</text>") == 1);  // a ratio metric in percent
}

TEST_CASE("a summary without interval data still makes a page, without empty charts", "[report]") {
  const std::string html =
      render(R"({"scenario": "old", "seed": 1, "replications": 1, "horizon": 60, "warmup": 0,
    "statistics": {"workspace": {"tasks_created": {"mean": 3, "ci95": null, "min": 3, "max": 3}}}})");
  // No chart without data (a chart of nothing reads as "zero").
  CHECK(count(html, "<svg class=\"chart") == 0);
  CHECK(count(html, "<section id=\"glance\">") == 1);
  CHECK(count(html, "nan") == 0);
  CHECK(count(html, "tasks_created") == 1);  // the statistics table
}

TEST_CASE("a tuning's JSON makes the tuning page: the curve, the near-ties and the recommendation",
          "[report]") {
  // Four values: 5 infeasible (a gap), 11 the best, 12 within δ, 20 out of the selection.
  const Value tune = json(R"({"kind": "tune", "param": "workflows.main.task_reservation_timeout",
    "params": [{"path": "workflows.main.task_reservation_timeout", "lo": 5, "hi": 20, "whole": true}],
    "objective": {"metric": "workspace.avg_task_acceptance_time", "direction": "min"},
    "selection": {"delta": 0.5, "confidence": 0.95, "prefer": "high", "capped": false},
    "total_replications": 95,
    "points": [
      {"value": 5, "values": [5], "replications": 10, "objective": {"mean": null, "ci95": null},
       "feasible": false, "finalist": false, "eliminated_at": null, "within_delta": false},
      {"value": 11, "values": [11], "replications": 40, "objective": {"mean": 20.5, "ci95": 0.4},
       "feasible": true, "finalist": true, "eliminated_at": null, "within_delta": true},
      {"value": 12, "values": [12], "replications": 35, "objective": {"mean": 20.7, "ci95": 0.4},
       "feasible": true, "finalist": true, "eliminated_at": 35, "within_delta": true},
      {"value": 20, "values": [20], "replications": 10, "objective": {"mean": 29, "ci95": 1},
       "feasible": true, "finalist": true, "eliminated_at": 10, "within_delta": false}],
    "recommendation": {"value": 12, "values": [12], "best": [11], "within_delta": [[11], [12]],
      "set": "--set workflows.main.task_reservation_timeout=12 & <more>",
      "objective": {"mean": 20.7, "ci95": 0.4}}})");
  std::string error;
  const auto page = render_report(tune, &error);
  REQUIRE(page);
  CHECK(page->find("<h1>trsim tune report") != std::string::npos);
  CHECK(page->find("Within δ = 0.5 of the best (11): 11, 12 — recommending 12 (prefer high)") !=
        std::string::npos);
  CHECK(page->find("--set workflows.main.task_reservation_timeout=12 &amp; &lt;more&gt;") !=
        std::string::npos);  // escaped
  CHECK(count(*page, "<svg") == 1);
  // The curve has the three feasible values; the near-ties series its two.
  CHECK(page->find("data-points=\"3\"") != std::string::npos);
  CHECK(page->find("data-points=\"2\"") != std::string::npos);
  CHECK(page->find("recommended 12") != std::string::npos);
  CHECK(page->find("out after 10 replications") != std::string::npos);
  CHECK(page->find("infeasible") != std::string::npos);
  CHECK(page->find("stopped at its replication cap") == std::string::npos);
}
