#include "cli_output.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "io/csv.hpp"
#include "model/units.hpp"
#include "report/xml.hpp"
#include "trsim/interval_staffing.hpp"
#include "trsim/loader.hpp"
#include "trsim/value.hpp"

namespace trsim::cli {

namespace {

using detail::append_csv_cell;
using detail::append_csv_number;

// The leaves under `node` as (dotted path, aggregate), in the tree's order.
void leaves(const AggregateNode& node, const std::string& prefix,
            std::vector<std::pair<std::string, const Aggregate*>>& out) {
  if (!node.is_group) {
    out.emplace_back(prefix, &node.value);
    return;
  }
  for (const AggregateNode& child : node.children)
    leaves(child, prefix.empty() ? child.key : prefix + "." + child.key, out);
}

}  // namespace

std::string intervals_csv(const Scenario& scenario, const RunSummary& summary) {
  const IntervalTable& t = summary.intervals.mean;
  const std::vector<double>& ci95 = summary.intervals.ci95;
  const bool with_ci = summary.runs.size() > 1 && ci95.size() == t.values.size();
  std::string out = "interval_start,interval_start_utc,interval_end,scope_kind,scope_name";
  for (const std::string& c : t.columns) {
    out += ',';
    append_csv_cell(out, c);
    if (with_ci) {
      out += ',';
      append_csv_cell(out, c + "_ci95");
    }
  }
  out += '\n';
  for (std::size_t k = 0; k < t.count; ++k) {
    // Whole seconds of the wall clock: an interval starts on a whole second of simulated time
    // unless statistics.interval has a fraction of a second (then the seconds column is exact).
    const std::string start_utc =
        detail::format_iso8601_utc(scenario.start_epoch_seconds + t.start(k) / 1'000'000);
    for (std::size_t s = 0; s < t.scopes.size(); ++s) {
      const IntervalScope& scope = t.scopes[s];
      append_json_number(out, to_seconds(t.start(k)));
      out += ',' + start_utc + ',';
      append_json_number(out, to_seconds(t.end(k)));
      out += scope.kind == IntervalScope::Kind::workspace ? ",workspace,"
             : scope.kind == IntervalScope::Kind::queue   ? ",queue,"
                                                          : ",group,";
      append_csv_cell(out, scope.name);
      for (std::size_t c = 0; c < t.columns.size(); ++c) {
        append_csv_number(out, t.at(k, s, c));
        if (with_ci) append_csv_number(out, ci95[t.cell(k, s, c)]);
      }
      out += '\n';
    }
  }
  return out;
}

namespace {

// The leaves under `node`, each as rows "<scope>metric,statistic,value" (`scope` holds
// "kind,name,").
void long_rows(const AggregateNode& node, const std::string& scope, std::string& out) {
  std::vector<std::pair<std::string, const Aggregate*>> metrics;
  leaves(node, "", metrics);
  for (const auto& [path, a] : metrics) {
    const std::pair<const char*, double> stats[] = {
        {"mean", a->mean}, {"ci95", a->ci95}, {"min", a->min}, {"max", a->max}};
    for (const auto& [name, v] : stats) {
      out += scope;
      append_csv_cell(out, path);
      out += ',';
      out += name;
      append_csv_number(out, v);
      out += '\n';
    }
  }
}

}  // namespace

std::string statistics_long_csv(const RunSummary& summary) {
  std::string out = "scope_kind,scope_name,metric,statistic,value\n";
  for (const AggregateNode& top : summary.statistics.children) {
    if (top.key == "workspace") {
      long_rows(top, "workspace,workspace,", out);
      continue;
    }
    const char* kind = top.key == "task_queues"         ? "queue"
                       : top.key == "workflows"         ? "workflow"
                       : top.key == "workers"           ? "group"
                       : top.key == "worker_statistics" ? "worker"
                                                        : nullptr;
    if (kind == nullptr) continue;
    for (const AggregateNode& entity : top.children) {
      std::string scope = std::string(kind) + ',';
      append_csv_cell(scope, entity.key);
      scope += ',';
      long_rows(entity, scope, out);
    }
  }
  return out;
}

std::string worker_statistics_csv(const Scenario& scenario, const RunSummary& summary) {
  const AggregateNode* each = summary.statistics.find("worker_statistics");
  const bool with_ci = summary.runs.size() > 1;
  std::string out = "worker,group";
  if (each == nullptr || each->children.empty()) return out + '\n';
  // Every worker's node has the same metrics: the first one names the columns.
  std::vector<std::pair<std::string, const Aggregate*>> columns;
  leaves(each->children.front(), "", columns);
  for (const auto& [name, value] : columns) {
    out += ',';
    append_csv_cell(out, name);
    if (with_ci) {
      out += ',';
      append_csv_cell(out, name + "_ci95");
    }
  }
  out += '\n';
  for (std::size_t w = 0; w < each->children.size(); ++w) {
    const AggregateNode& worker = each->children[w];
    append_csv_cell(out, worker.key);
    out += ',';
    if (w < scenario.workers.size() && scenario.workers[w].group < scenario.worker_groups.size())
      append_csv_cell(out, scenario.worker_groups[scenario.workers[w].group].name);
    std::vector<std::pair<std::string, const Aggregate*>> values;
    leaves(worker, "", values);
    for (const auto& [name, value] : values) {
      append_csv_number(out, value->mean);
      if (with_ci) append_csv_number(out, value->ci95);
    }
    out += '\n';
  }
  return out;
}

namespace {

std::string number(double v, int decimals) {
  if (std::isnan(v)) return "-";
  return fmt::format("{:.{}f}", v, decimals);
}

/// "0.912 ± 0.013" (or just the mean with one replication).
std::string with_ci(const Aggregate& a, int decimals, double scale = 1.0) {
  if (std::isnan(a.mean)) return "-";
  std::string s = number(a.mean * scale, decimals);
  if (!std::isnan(a.ci95)) s += " ± " + number(a.ci95 * scale, decimals);
  return s;
}

const Aggregate* metric(const AggregateNode& node, std::string_view path) {
  const AggregateNode* n = node.find(path);
  return n && !n->is_group ? &n->value : nullptr;
}

void append_block(std::string& out, const Scenario& scenario, const AggregateNode& node,
                  bool workspace) {
  auto row = [&](std::string_view label, std::string_view path, int decimals, double scale = 1.0,
                 std::string_view unit = "") {
    const Aggregate* a = metric(node, path);
    if (!a) return;
    out += fmt::format("  {:<34}{}{}\n", label, with_ci(*a, decimals, scale), unit);
  };
  row(workspace ? "tasks created" : "tasks entered", workspace ? "tasks_created" : "tasks_entered",
      1);
  row("tasks completed", "tasks_completed", 1);
  row("tasks canceled", "tasks_canceled", 1);
  row("  of which abandoned", "tasks_abandoned", 1);
  // Only when some worker's behaviour transfers (the summary has the counts then).
  row("tasks transferred", "tasks_transferred", 1);
  row("  transfers completed", "transfers_completed", 1);
  row("  transfers failed", "transfers_failed", 1);
  for (double s : scenario.statistics.service_level_thresholds) {
    std::string key = "service_level.";
    append_json_number(key, s);
    row(fmt::format("service level ({}s)", key.substr(14)), key, 1, 100.0, " %");
  }
  row("avg speed of answer", "avg_task_acceptance_time", 1, 1.0, " s");
  row("longest wait", "longest_task_waiting_age", 1, 1.0, " s");
  row("abandon rate", "abandon_rate", 1, 100.0, " %");
  row("reservations created", "reservations_created", 1);
  row("reservations timed out", "reservations_timed_out", 1);
  row("reservations rejected", "reservations_rejected", 1);
  if (workspace) row("occupancy", "occupancy", 1, 100.0, " %");
}

}  // namespace

std::string short_mean_ci(const Aggregate& a) {
  if (std::isnan(a.mean)) return "-";
  std::string s = fmt::format("{:.4g}", a.mean);
  if (!std::isnan(a.ci95)) s += fmt::format(" ± {:.2g}", a.ci95);
  return s;
}

std::string metric_mean_ci(const Aggregate& a, std::string_view metric, bool difference) {
  if (!is_ratio_metric(metric)) return short_mean_ci(a);
  if (std::isnan(a.mean)) return "-";
  std::string s = fmt::format("{:.1f}", a.mean * 100);
  if (!std::isnan(a.ci95)) s += fmt::format(" ± {:.1f}", a.ci95 * 100);
  return s + (difference ? " pp" : " %");
}

std::string interval_outcome_text(const IntervalOutcome& o, std::string_view metric) {
  Aggregate a;
  a.mean = o.mean;
  a.ci95 = o.ci95;
  return metric_mean_ci(a, metric);
}

std::size_t target_column_width(const Expectation& e) {
  constexpr std::size_t kLeast = 28;
  return std::max({kLeast, e.metric.size(), display_bound(e).size()});
}

std::string display_bound(const Expectation& e) {
  return describe_bound(e, is_ratio_metric(e.metric));
}

std::string human_summary(const Scenario& scenario, const RunSummary& summary) {
  std::string out;
  std::uint64_t events = 0;
  for (const ReplicationResult& r : summary.runs) events += r.events;
  out += fmt::format("{}: {} replication{}, seed {}, horizon {}s, {} events\n", scenario.name,
                     summary.runs.size(), summary.runs.size() == 1 ? "" : "s", scenario.seed,
                     number(to_seconds(scenario.horizon), 0), events);
  if (const std::optional<AutoWarmup>& a = summary.auto_warmup) {
    out += fmt::format(
        "warm-up {}s, chosen by MSER-5 on the waiting times: {} of {} batches of {} tasks cut\n",
        number(to_seconds(a->warmup), 0), a->mser.truncated, a->mser.batches,
        AutoWarmup::kMserBatch);
  }
  if (summary.runs.size() > 1) out += "(mean ± 95% confidence half-width over replications)\n";
  if (const AggregateNode* ws = summary.statistics.find("workspace")) {
    out += "\nworkspace\n";
    append_block(out, scenario, *ws, true);
  }
  if (const AggregateNode* queues = summary.statistics.find("task_queues")) {
    for (const AggregateNode& q : queues->children) {
      out += fmt::format("\ntask queue {}\n", q.key);
      append_block(out, scenario, q, false);
    }
  }
  if (const AggregateNode* groups = summary.statistics.find("workers")) {
    out += "\nworker groups\n";
    for (const AggregateNode& g : groups->children) {
      const Aggregate* occ = metric(g, "occupancy");
      const Aggregate* done = metric(g, "tasks_completed");
      out += fmt::format("  {:<34}occupancy {} %, tasks completed {}\n", g.key,
                         occ ? with_ci(*occ, 1, 100.0) : "-", done ? with_ci(*done, 1) : "-");
    }
  }
  return out;
}

std::vector<std::string> unknown_expectation_metrics(const Scenario& scenario) {
  const MetricNode shape = statistics_shape(scenario);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scenario.expectations.size(); ++i) {
    const Expectation& e = scenario.expectations[i];
    const MetricNode* node = shape.find(e.metric);
    Diagnostic d;
    d.where = e.where;
    if (node && !node->is_group && e.interval && !interval_target(scenario, i)) {
      d.message = "'" + e.metric +
                  "' has no value per interval (with 'interval': service_level.<s>, "
                  "avg_task_acceptance_time or abandon_rate of the workspace or a queue, "
                  "occupancy of the workspace or a group)";
      out.push_back(d.format());
      continue;
    }
    if (node && !node->is_group) continue;
    d.message = node ? "'" + e.metric + "' is a group of metrics; name one of its members"
                     : "unknown metric '" + e.metric +
                           "' (see docs/statistics.md or the summary JSON for the metric names)";
    out.push_back(d.format());
  }
  return out;
}

CheckReport check_expectations(const Scenario& scenario, const RunSummary& summary) {
  CheckReport report;
  report.table +=
      fmt::format("{:<48} {:<20} {:>22}  {}\n", "metric", "bound", "mean ± ci95", "result");
  for (std::size_t i = 0; i < scenario.expectations.size(); ++i) {
    const Expectation& e = scenario.expectations[i];
    const std::optional<ExpectationOutcome> outcome =
        evaluate_any_expectation(scenario, i, summary);
    if (!outcome) {
      Diagnostic d;
      d.where = e.where;
      d.message = "unknown metric '" + e.metric + "' (see the summary JSON for the metric names)";
      report.unknown_metrics.push_back(d.format());
      continue;
    }
    if (!outcome->met) ++report.failures;
    CheckCase c{e.metric, describe_bound(e), *outcome};
    // Ratios in %, as `trsim run` prints them; other metrics in their own unit.
    const bool ratio = is_ratio_metric(c.metric);
    report.table +=
        fmt::format("{:<48} {:<20} {:>22}  {}\n", c.metric, display_bound(e),
                    ratio ? with_ci(c.outcome.value, 1, 100.0) + " %" : with_ci(c.outcome.value, 3),
                    c.outcome.met ? "ok" : "FAILED: " + c.outcome.reason);
    report.cases.push_back(std::move(c));
  }
  report.table += fmt::format("{} of {} expectations met\n",
                              report.cases.size() - static_cast<std::size_t>(report.failures),
                              report.cases.size());
  return report;
}

std::string mean_with_ci(const Aggregate& a, int decimals) { return with_ci(a, decimals); }

std::string check_junit_xml(const Scenario& scenario, const CheckReport& report) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"trsim check\" tests=\"{}\" failures=\"{}\">\n",
                     report.cases.size(), report.failures);
  out += check_junit_suite(scenario, report);
  out += "</testsuites>\n";
  return out;
}

std::string check_junit_suite(const Scenario& scenario, const CheckReport& report,
                              const std::string& suite_name) {
  const std::string suite = report::escape_xml(suite_name.empty() ? scenario.name : suite_name);
  std::string out =
      fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n", suite,
                  report.cases.size(), report.failures);
  // What reproduces the run: `trsim check` with this seed and these replications.
  out += fmt::format(
      "    <properties>\n      <property name=\"seed\" value=\"{}\"/>\n"
      "      <property name=\"replications\" value=\"{}\"/>\n    </properties>\n",
      scenario.seed, scenario.replications);
  for (const CheckCase& c : report.cases) {
    const std::string name = report::escape_xml(c.metric + " " + c.bound);
    const std::string value = with_ci(c.outcome.value, 6);
    if (c.outcome.met) {
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\"/>\n", suite, name);
      continue;
    }
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n", suite, name);
    out += fmt::format("      <failure message=\"{}\">{}: {} (expected {})</failure>\n",
                       report::escape_xml(c.outcome.reason), report::escape_xml(c.metric),
                       report::escape_xml(value), report::escape_xml(c.bound));
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n";
  return out;
}

}  // namespace trsim::cli
