// The summary JSON (§4) of a run: the scenario's facts, the aggregated statistics, the interval
// table and every replication's own statistics and intervals. The one writer of this file;
// experiment/runner.cpp runs the replications.
#include <fmt/format.h>

#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/json_layout.hpp"
#include "model/units.hpp"
#include "trsim/runner.hpp"
#include "trsim/value.hpp"

namespace trsim {

namespace {

// The summary JSON writer: 2-space indentation, one member per line, aggregated leaves on one
// line ({"mean": m, "ci95": h, "min": a, "max": b}) so the file stays readable.
class SummaryWriter {
 public:
  std::string& out() { return out_; }

  void indent(int depth) { detail::json_indent(out_, depth); }
  void key(int depth, std::string_view k) { detail::json_key(out_, depth, k); }
  void number(double v) { append_json_number(out_, v); }
  void integer(std::uint64_t v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
  void aggregate_tree(const AggregateNode& root, int depth) {
    detail::json_aggregate_tree(out_, root, depth);
  }

  /// [a, b, c] on one line.
  template <typename Value>
  void series(std::size_t n, Value value) {
    out_ += '[';
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) out_ += ", ";
      number(value(i));
    }
    out_ += ']';
  }

  /// The interval table by scope, in the statistics' layout: {"workspace": {...}, "task_queues":
  /// {"<queue>": {...}}, "workers": {"<group>": {...}}}, each scope holding the columns that apply
  /// to it (a dotted column name nests: service_level.20, workers.Available). `leaf(scope, column)`
  /// writes one column's series over the intervals.
  template <typename Leaf>
  void interval_scopes(const IntervalTable& t, int depth, bool first_member, Leaf leaf) {
    const auto scope_body = [&](std::size_t s, int d) {
      std::vector<std::size_t> cols;
      for (std::size_t c = 0; c < t.columns.size(); ++c)
        if (t.applies(s, c)) cols.push_back(c);
      if (cols.empty()) {
        out_ += "{}";
        return;
      }
      out_ += "{\n";
      for (std::size_t i = 0; i < cols.size();) {
        const std::string& name = t.columns[cols[i]];
        const std::size_t dot = name.find('.');
        if (dot == std::string::npos) {
          key(d + 1, name);
          leaf(s, cols[i]);
          ++i;
        } else {
          const std::string_view prefix(name.data(), dot);
          key(d + 1, prefix);
          out_ += "{\n";
          std::size_t j = i;
          for (; j < cols.size(); ++j) {
            const std::string& n = t.columns[cols[j]];
            if (n.size() <= dot || n.compare(0, dot + 1, name, 0, dot + 1) != 0) break;
            if (j > i) out_ += ",\n";
            key(d + 2, std::string_view(n).substr(dot + 1));
            leaf(s, cols[j]);
          }
          out_ += '\n';
          indent(d + 1);
          out_ += '}';
          i = j;
        }
        out_ += i < cols.size() ? ",\n" : "\n";
      }
      indent(d);
      out_ += '}';
    };
    const auto kind_block = [&](const char* name, IntervalScope::Kind kind) {
      key(depth + 1, name);
      bool any = false;
      for (std::size_t s = 0; s < t.scopes.size(); ++s) {
        if (t.scopes[s].kind != kind) continue;
        out_ += any ? ",\n" : "{\n";
        any = true;
        key(depth + 2, t.scopes[s].name);
        scope_body(s, depth + 2);
      }
      if (!any) {
        out_ += "{}";
        return;
      }
      out_ += '\n';
      indent(depth + 1);
      out_ += '}';
    };
    if (!first_member) out_ += ",\n";
    key(depth + 1, "workspace");
    scope_body(0, depth + 1);
    out_ += ",\n";
    kind_block("task_queues", IntervalScope::Kind::queue);
    out_ += ",\n";
    kind_block("workers", IntervalScope::Kind::group);
    out_ += '\n';
  }

  /// The scenario's `expect:` list, one expectation a line: {"metric", "min", "max", "ci"}, with
  /// only the bounds it states, and "interval" (its start, in seconds) on a line that has one.
  void expectations(const std::vector<Expectation>& list, int depth) {
    if (list.empty()) {
      out_ += "[]";
      return;
    }
    out_ += "[\n";
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Expectation& e = list[i];
      indent(depth + 1);
      out_ += "{\"metric\": ";
      append_json_string(out_, e.metric);
      if (e.min) {
        out_ += ", \"min\": ";
        number(*e.min);
      }
      if (e.max) {
        out_ += ", \"max\": ";
        number(*e.max);
      }
      out_ += e.require_ci ? ", \"ci\": true" : ", \"ci\": false";
      if (e.interval) {  // only on a line that has one: other summaries stay as they were
        out_ += ", \"interval\": ";
        number(to_seconds(*e.interval));
      }
      out_ += '}';
      out_ += i + 1 < list.size() ? ",\n" : "\n";
    }
    indent(depth);
    out_ += ']';
  }

  void metric_tree(const MetricNode& root, int depth) {
    detail::json_metric_tree(out_, root, depth);
  }

 private:
  std::string out_;
};

}  // namespace

std::string summary_json(const Scenario& scenario, const RunSummary& summary) {
  SummaryWriter w;
  std::string& out = w.out();
  out += "{\n";
  w.key(1, "scenario");
  append_json_string(out, scenario.name);
  out += ",\n";
  w.key(1, "seed");
  w.integer(scenario.seed);  // exact: seeds use all 64 bits, beyond a double's 53
  out += ",\n";
  w.key(1, "replications");
  w.integer(scenario.replications);
  out += ",\n";
  w.key(1, "horizon");
  w.number(to_seconds(scenario.horizon));
  out += ",\n";
  w.key(1, "warmup");
  w.number(to_seconds(summary.auto_warmup ? summary.auto_warmup->warmup : scenario.warmup));
  out += ",\n";
  if (const std::optional<AutoWarmup>& a = summary.auto_warmup) {
    w.key(1, "warmup_auto");
    out += "{\"method\": \"MSER-5\", \"tasks\": ";
    w.integer(a->tasks);
    out += ", \"batches\": ";
    w.integer(a->mser.batches);
    out += ", \"batches_truncated\": ";
    w.integer(a->mser.truncated);
    out += ", \"tasks_truncated\": ";
    w.integer(a->tasks_truncated());
    out += ", \"mser\": ";
    w.number(a->mser.statistic);
    out += "},\n";
  }
  // What `trsim report` needs besides the numbers: the wall date of time 0 (clock times on the
  // axes), the timeout activity (the cascade chart) and the expectations (targets on the charts).
  w.key(1, "start");
  append_json_string(out, detail::format_iso8601_utc(scenario.start_epoch_seconds));
  out += ",\n";
  w.key(1, "timeout_activity");
  const ActivityId timeout = scenario.workspace.timeout_activity;
  if (timeout < scenario.activities.size())
    append_json_string(out, scenario.activities[timeout].name);
  else
    out += "null";
  out += ",\n";
  w.key(1, "expect");
  w.expectations(scenario.expectations, 1);
  out += ",\n";
  w.key(1, "statistics");
  w.aggregate_tree(summary.statistics, 1);
  out += ",\n";
  {
    // The interval table: per scope and column, the series of means and ci95 over the intervals.
    const IntervalTable& t = summary.intervals.mean;
    const std::vector<double>& ci95 = summary.intervals.ci95;
    w.key(1, "intervals");
    out += "{\n";
    w.key(2, "length");
    w.number(to_seconds(t.length));
    out += ",\n";
    w.key(2, "start");
    w.series(t.count, [&](std::size_t k) { return to_seconds(t.start(k)); });
    out += ",\n";
    w.key(2, "end");
    w.series(t.count, [&](std::size_t k) { return to_seconds(t.end(k)); });
    w.interval_scopes(t, 1, false, [&](std::size_t s, std::size_t c) {
      out += "{\"mean\": ";
      w.series(t.count, [&](std::size_t k) { return t.at(k, s, c); });
      out += ", \"ci95\": ";
      w.series(t.count, [&](std::size_t k) {
        return ci95.size() == t.values.size() ? ci95[t.cell(k, s, c)] : kNull;
      });
      out += '}';
    });
    w.indent(1);
    out += "},\n";
  }
  w.key(1, "runs");
  if (summary.runs.empty()) {
    out += "[]\n";
  } else {
    out += "[\n";
    for (std::size_t i = 0; i < summary.runs.size(); ++i) {
      const ReplicationResult& r = summary.runs[i];
      w.indent(2);
      out += "{\n";
      w.key(3, "replication");
      w.integer(r.replication);
      out += ",\n";
      w.key(3, "seed");
      w.integer(r.seed);
      out += ",\n";
      w.key(3, "events");
      w.integer(r.events);
      out += ",\n";
      w.key(3, "end_time");
      w.number(to_seconds(r.end_time));
      out += ",\n";
      w.key(3, "statistics");
      w.metric_tree(r.statistics, 3);
      out += ",\n";
      w.key(3, "intervals");
      out += "{\n";
      const IntervalTable& t = r.intervals;
      w.interval_scopes(t, 3, true, [&](std::size_t s, std::size_t c) {
        w.series(t.count, [&](std::size_t k) { return t.at(k, s, c); });
      });
      w.indent(3);
      out += "}\n";
      w.indent(2);
      out += i + 1 < summary.runs.size() ? "},\n" : "}\n";
    }
    w.indent(1);
    out += "]\n";
  }
  out += "}\n";
  return std::move(out);
}

}  // namespace trsim
