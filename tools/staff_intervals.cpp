// `trsim staff --per-interval`: the fewest workers logged in per interval and group that meet every
// `expect:` line on that interval's statistics (include/trsim/interval_staffing.hpp).
#include "staff_intervals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <stdexcept>

#include "cli_output.hpp"
#include "trsim/expectations.hpp"
#include "trsim/interval_staffing.hpp"

namespace trsim::cli {

namespace {

std::string clock(SimTime t) {
  const std::int64_t minutes = t / (60 * kMicrosPerSecond);
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

std::string report_text(const Scenario& s, const std::vector<std::string>& groups,
                        const IntervalStaffingResult& r, const std::vector<std::size_t>& skipped) {
  std::string out = fmt::format(
      "staffing per interval of {} by {}: {} runs ({:.1f} simulated days, {} replications "
      "each)\n",
      clock(s.statistics.interval),
      r.method == StaffingMethod::isa ? "the iterative staffing algorithm" : "search in time order",
      r.runs, r.simulated_days, s.replications);
  if (r.method == StaffingMethod::isa)
    out += fmt::format(
        "  offered load from the simulation: {} iteration{}; {}\n", r.isa_iterations,
        r.isa_iterations == 1 ? "" : "s",
        r.converged ? "every interval bracketed and met" : "NOT converged within the runs allowed");
  bool erlang_a = false;
  for (const AnalyticInterval& a : r.analytic) erlang_a = erlang_a || a.erlang_a;
  out += fmt::format("  analytic: {}\n",
                     erlang_a ? "Erlang A (M/M/n+M: the streams' patience)" : "Erlang C (M/M/n)");
  for (const std::size_t i : skipped)
    out += fmt::format("  not read per interval: {} (no interval statistic)\n",
                       s.expectations[i].metric);
  out += fmt::format("\n{:<13} {:<16} {:>8} {:>8} {:>8}", "interval", "group", "required",
                     "analytic", "load");
  for (const IntervalTarget& t : r.targets) {
    const Expectation& x = s.expectations[t.expectation];
    out += fmt::format("  {:>{}}", x.metric, target_column_width(x));
  }
  out += "\n";
  out += fmt::format("{:<13} {:<16} {:>8} {:>8} {:>8}", "", "", "", "", "");
  for (const IntervalTarget& t : r.targets) {
    const Expectation& x = s.expectations[t.expectation];
    out += fmt::format("  {:>{}}", display_bound(x), target_column_width(x));
  }
  out += "\n";
  const SimTime len = s.statistics.interval;
  for (std::size_t k = 0; k < r.required.size(); ++k) {
    const SimTime a = static_cast<SimTime>(k) * len, b = std::min(a + len, s.horizon);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      out += fmt::format("{:<13} {:<16} {:>8} {:>8} {:>8.1f}", clock(a) + "-" + clock(b), groups[g],
                         r.required[k][g], r.analytic_by_group[k][g], r.analytic[k].load);
      if (k < r.achieved.size()) {
        for (std::size_t i = 0; i < r.achieved[k].size() && i < r.targets.size(); ++i) {
          const IntervalOutcome& o = r.achieved[k][i];
          const Expectation& x = s.expectations[r.targets[i].expectation];
          out += fmt::format("  {:>{}}",
                             interval_outcome_text(o, x.metric) + (o.met ? " ok" : " FAILED"),
                             target_column_width(x));
        }
      }
      out += "\n";
    }
  }
  return out;
}

std::string report_csv(const Scenario& s, const std::vector<std::string>& groups,
                       const IntervalStaffingResult& r) {
  std::string out = "interval_start,interval_end,group,required,analytic,offered_load";
  for (const IntervalTarget& t : r.targets) {
    const std::string& m = s.expectations[t.expectation].metric;
    out += "," + m + "," + m + ".ci95," + m + ".met," + m + ".analytic";
  }
  out += "\n";
  const SimTime len = s.statistics.interval;
  const auto num = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{}", v); };
  for (std::size_t k = 0; k < r.required.size(); ++k) {
    const SimTime a = static_cast<SimTime>(k) * len, b = std::min(a + len, s.horizon);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      out += fmt::format("{},{},{},{},{},{}", a / kMicrosPerSecond, b / kMicrosPerSecond, groups[g],
                         r.required[k][g], r.analytic_by_group[k][g], num(r.analytic[k].load));
      for (std::size_t i = 0; k < r.achieved.size() && i < r.achieved[k].size(); ++i) {
        const IntervalOutcome& o = r.achieved[k][i];
        out += fmt::format(",{},{},{},{}", num(o.mean), num(o.ci95), o.met ? "true" : "false",
                           k < r.predicted.size() ? num(r.predicted[k][i]) : std::string());
      }
      out += "\n";
    }
  }
  return out;
}

std::string report_json(const Scenario& s, const std::vector<std::string>& groups,
                        const IntervalStaffingResult& r) {
  std::string out = "{\n  \"kind\": \"staffing\",\n  \"scenario\": ";
  append_json_string(out, s.name);
  out += fmt::format(
      ",\n  \"replications\": {},\n  \"interval\": {},\n  \"runs\": {},\n  \"simulated_days\": ",
      s.replications, s.statistics.interval / kMicrosPerSecond, r.runs);
  append_json_number(out, r.simulated_days);
  bool erlang_a = false;
  for (const AnalyticInterval& a : r.analytic) erlang_a = erlang_a || a.erlang_a;
  out += fmt::format(
      ",\n  \"method\": \"{}\",\n  \"isa_iterations\": {},\n  \"converged\": {},\n  "
      "\"analytic_model\": \"{}\"",
      r.method == StaffingMethod::isa ? "isa" : "search", r.isa_iterations,
      r.converged ? "true" : "false", erlang_a ? "erlang_a" : "erlang_c");
  out += ",\n  \"groups\": [";
  for (std::size_t g = 0; g < groups.size(); ++g) {
    out += g ? ", " : "";
    append_json_string(out, groups[g]);
  }
  out += "],\n  \"targets\": [";
  for (std::size_t i = 0; i < r.targets.size(); ++i) {
    const Expectation& x = s.expectations[r.targets[i].expectation];
    out += i ? ", " : "";
    out += "{\"metric\": ";
    append_json_string(out, x.metric);
    out += ", \"bound\": ";
    append_json_string(out, describe_bound(x));
    if (x.min) out += fmt::format(", \"min\": {}", *x.min);
    if (x.max) out += fmt::format(", \"max\": {}", *x.max);
    out += fmt::format(", \"ci\": {}", x.require_ci ? "true" : "false");
    if (x.interval) {
      out += ", \"interval\": ";
      append_json_number(out, to_seconds(*x.interval));
    }
    out += "}";
  }
  out += "],\n  \"unmeetable\": ";
  if (r.unmeetable)
    append_json_string(out, *r.unmeetable);
  else
    out += "null";
  out += ",\n  \"intervals\": [";
  const SimTime len = s.statistics.interval;
  for (std::size_t k = 0; k < r.required.size(); ++k) {
    out += k ? ",\n    " : "\n    ";
    out += fmt::format("{{\"interval_start\": {}, \"offered_load\": ",
                       static_cast<SimTime>(k) * len / kMicrosPerSecond);
    append_json_number(out, r.analytic[k].load);
    if (k < r.simulated_load.size()) {
      out += ", \"simulated_load\": ";
      append_json_number(out, r.simulated_load[k]);
    }
    out += ", \"required\": {";
    for (std::size_t g = 0; g < groups.size(); ++g) {
      out += g ? ", " : "";
      append_json_string(out, groups[g]);
      out += fmt::format(": {}", r.required[k][g]);
    }
    out += "}, \"analytic\": {";
    for (std::size_t g = 0; g < groups.size(); ++g) {
      out += g ? ", " : "";
      append_json_string(out, groups[g]);
      out += fmt::format(": {}", r.analytic_by_group[k][g]);
    }
    out += "}, \"achieved\": [";
    for (std::size_t i = 0; k < r.achieved.size() && i < r.achieved[k].size(); ++i) {
      const IntervalOutcome& o = r.achieved[k][i];
      out += i ? ", " : "";
      out += "{\"mean\": ";
      append_json_number(out, o.mean);
      out += ", \"ci95\": ";
      append_json_number(out, o.ci95);
      out += o.met ? ", \"met\": true" : ", \"met\": false";
      out += ", \"analytic\": ";
      append_json_number(out, k < r.predicted.size() ? r.predicted[k][i] : kNull);
      out += "}";
    }
    out += "]}";
  }
  out += r.required.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace

bool parse_staffing_method(const std::string& verb, const std::string& text,
                           StaffingMethod& method) {
  if (text.empty() || text == "isa") {
    method = StaffingMethod::isa;
  } else if (text == "search") {
    method = StaffingMethod::search;
  } else {
    std::cerr << "trsim " << verb << ": --method must be isa or search (got '" << text << "')\n";
    return false;
  }
  return true;
}

std::optional<RequirementsRun> compute_requirements(const CommonOptions& common,
                                                    const PerIntervalRequest& request,
                                                    int& exit_code) {
  exit_code = kExitUsage;
  const auto usage = [](const std::string& message) {
    std::cerr << "trsim: " << message << "\n";
    return std::nullopt;
  };
  const auto scenario = load(common, !common.quiet);
  if (!scenario) return std::nullopt;
  RequirementsRun run;
  std::vector<std::string>& groups = run.groups;
  groups = request.groups;
  if (groups.empty())
    for (const WorkerGroup& g : scenario->worker_groups) groups.push_back(g.name);
  IntervalStaffingSettings& settings = run.settings;
  settings.method = request.method;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto it = std::find_if(scenario->worker_groups.begin(), scenario->worker_groups.end(),
                                 [&](const WorkerGroup& w) { return w.name == groups[g]; });
    if (it == scenario->worker_groups.end())
      return usage("no worker group '" + groups[g] + "' in " + common.scenario);
    if (std::count(groups.begin(), groups.end(), groups[g]) > 1)
      return usage("--group " + groups[g] + " is given twice");
    settings.groups.push_back(static_cast<GroupId>(it - scenario->worker_groups.begin()));
    settings.base.push_back(it->count);
    settings.cost.push_back(1.0);
  }
  for (const std::string& c : request.costs) {
    const auto eq = c.find('=');
    const std::string name = c.substr(0, eq);
    const auto it = std::find(groups.begin(), groups.end(), name);
    if (eq == std::string::npos || it == groups.end())
      return usage("--cost takes GROUP=WEIGHT with a staffed group (got '" + c + "')");
    char* end = nullptr;
    const double w = std::strtod(c.c_str() + eq + 1, &end);
    if (end == c.c_str() + eq + 1 || *end != '\0' || !(w > 0) || !std::isfinite(w))
      return usage("--cost " + name + ": the weight must be a positive number (got '" +
                   c.substr(eq + 1) + "')");
    settings.cost[static_cast<std::size_t>(it - groups.begin())] = w;
  }
  if (scenario->expectations.empty())
    return usage(common.scenario + ": the scenario has no `expect:` list to staff for");
  const std::vector<std::string> unknown = unknown_expectation_metrics(*scenario);
  for (const std::string& m : unknown) std::cerr << m << "\n";
  if (!unknown.empty()) return std::nullopt;
  for (const Expectation& x : scenario->expectations) {
    if (x.require_ci && scenario->replications < 2) {
      Diagnostic d;
      d.where = x.where;
      d.message = "ci: true needs at least 2 replications (use --replications N)";
      std::cerr << d.format() << "\n";
      return std::nullopt;
    }
  }
  const std::vector<IntervalTarget> targets = interval_targets(*scenario, &run.skipped);
  if (targets.empty())
    return usage(common.scenario +
                 ": no `expect:` line has a per-interval statistic (service_level.<s>, "
                 "avg_task_acceptance_time, abandon_rate, occupancy)");

  // Each group gets as many workers as it may log in: --max, or three times the largest analytic
  // estimate plus 10.
  const std::vector<AnalyticInterval> analytic = analytic_requirements(*scenario, targets);
  std::int64_t peak = 0;
  for (const AnalyticInterval& a : analytic) peak = std::max(peak, a.agents);
  std::vector<std::string> overrides;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    settings.cap.push_back(request.max ? *request.max : 3 * peak + 10);
    overrides.push_back(fmt::format("workers.{}.count={}", groups[g], settings.cap[g]));
  }
  auto at_cap = load(common, false, overrides);
  if (!at_cap) return usage("the scenario does not load with the groups at their largest count");
  run.at_cap = std::move(*at_cap);

  SearchProgress progress(common, request.verb);
  try {
    std::size_t runs = 0;
    run.result = staff_per_interval(run.at_cap, settings, [&](const Scenario& s) {
      progress.show(fmt::format("requirements: run {}, up to {}", ++runs, clock(s.horizon)));
      return simulate(s, progress.run_options(), nullptr);
    });
  } catch (const std::invalid_argument& e) {
    return usage(e.what());
  }
  progress.clear();
  exit_code = kExitOk;
  return run;
}

int staff_per_interval_verb(const CommonOptions& common, const PerIntervalRequest& request) {
  // Outputs are checked (writable, naming no input and no other output) before the search, and
  // replaced together after it.
  std::vector<std::string> inputs;
  if (!load(common, false, {}, &inputs)) return kExitUsage;
  OutputSet outputs("staff");
  outputs.add_inputs(inputs);
  outputs.add("--json", request.json_path);
  outputs.add("--csv", request.csv_path);
  if (!outputs.open()) return kExitUsage;
  int code = kExitOk;
  const std::optional<RequirementsRun> run = compute_requirements(common, request, code);
  if (!run) return code;
  const Scenario& at_cap = run->at_cap;
  const std::vector<std::string>& groups = run->groups;
  const IntervalStaffingResult& result = run->result;

  if (std::ostream* out = outputs.stream("--json")) *out << report_json(at_cap, groups, result);
  if (std::ostream* out = outputs.stream("--csv")) *out << report_csv(at_cap, groups, result);
  if (!outputs.commit()) return kExitUsage;
  if (result.unmeetable) {
    std::cerr << "trsim staff: " << *result.unmeetable << "\n";
    return kExitExpectations;
  }
  if (!common.quiet && request.json_path != "-" && request.csv_path != "-")
    std::cout << report_text(at_cap, groups, result, run->skipped);
  return kExitOk;
}

}  // namespace trsim::cli
