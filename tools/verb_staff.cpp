// `trsim staff`: the smallest worker counts of the named groups that meet every `expect:` of the
// scenario, with its replications and common random numbers.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "staff_intervals.hpp"
#include "trsim/loader.hpp"
#include "trsim/staffing.hpp"
#include "trsim/value.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

namespace {

struct StaffingNotLoadable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string counts_text(const std::vector<std::string>& groups, const Staffing& counts) {
  std::string s;
  for (std::size_t g = 0; g < groups.size(); ++g)
    s += fmt::format("{}{}={}", g ? " " : "", groups[g], counts[g]);
  return s;
}

std::string report_text(const Scenario& scenario, const std::vector<std::string>& groups,
                        const StaffingResult& r, std::int64_t max) {
  if (!r.found) {
    return fmt::format(
        "no staffing up to {} per group meets every expectation ({} staffings run)\n", max,
        r.evaluations);
  }
  std::string out =
      fmt::format("staffing: {}  ({} staffings run, {} replications each)\n\n",
                  counts_text(groups, r.found->counts), r.evaluations, scenario.replications);
  std::vector<const StaffingEvaluation*> columns{&*r.found};
  for (const StaffingEvaluation& e : r.one_fewer) columns.push_back(&e);
  out += fmt::format("{:<48} {:<18}", "metric", "bound");
  for (const StaffingEvaluation* e : columns)
    out += fmt::format(" {:>26}", counts_text(groups, e->counts));
  out += "\n";
  for (std::size_t i = 0; i < scenario.expectations.size(); ++i) {
    const Expectation& x = scenario.expectations[i];
    out += fmt::format("{:<48} {:<18}", x.metric, display_bound(x));
    for (const StaffingEvaluation* e : columns) {
      const ExpectationOutcome& o = e->outcomes[i];
      out +=
          fmt::format(" {:>26}", metric_mean_ci(o.value, x.metric) + (o.met ? " ok" : " FAILED"));
    }
    out += "\n";
  }
  return out;
}

void append_evaluation(std::string& out, const std::vector<std::string>& groups,
                       const Scenario& scenario, const StaffingEvaluation& e) {
  out += "{\"counts\": {";
  for (std::size_t g = 0; g < groups.size(); ++g) {
    out += g ? ", " : "";
    append_json_string(out, groups[g]);
    out += fmt::format(": {}", e.counts[g]);
  }
  out += e.met ? "}, \"met\": true, \"expectations\": [" : "}, \"met\": false, \"expectations\": [";
  for (std::size_t i = 0; i < e.outcomes.size(); ++i) {
    out += i ? ", " : "";
    out += "{\"metric\": ";
    append_json_string(out, scenario.expectations[i].metric);
    out += ", \"bound\": ";
    append_json_string(out, describe_bound(scenario.expectations[i]));
    out += ", \"mean\": ";
    append_json_number(out, e.outcomes[i].value.mean);
    out += ", \"ci95\": ";
    append_json_number(out, e.outcomes[i].value.ci95);
    out += e.outcomes[i].met ? ", \"met\": true}" : ", \"met\": false}";
  }
  out += "]}";
}

std::string report_json(const Scenario& scenario, const std::vector<std::string>& groups,
                        const StaffingResult& r) {
  std::string out = "{\n  \"scenario\": ";
  append_json_string(out, scenario.name);
  out += fmt::format(",\n  \"replications\": {},\n  \"evaluations\": {},\n  \"staffing\": ",
                     scenario.replications, r.evaluations);
  if (!r.found) return out + "null,\n  \"one_fewer\": []\n}\n";
  append_evaluation(out, groups, scenario, *r.found);
  out += ",\n  \"one_fewer\": [";
  for (std::size_t i = 0; i < r.one_fewer.size(); ++i) {
    out += i ? ",\n    " : "\n    ";
    append_evaluation(out, groups, scenario, r.one_fewer[i]);
  }
  out += r.one_fewer.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace

int verb_staff(int argc, char** argv) {
  const VerbHelp help{
      "staff",
      "SCENARIO.yaml --group NAME [--group NAME ...] [--min N] [--max N] [options]\n"
      "       trsim staff SCENARIO.yaml --per-interval [--group NAME ...] "
      "[--method isa|search] [--cost GROUP=WEIGHT ...] [--max N] [--csv FILE] [--json FILE] "
      "[options]",
      "  trsim staff scenarios/check-fail.yaml --group agents\n"
      "  trsim staff scenarios/roster-day.yaml --per-interval --csv required.csv\n"
      "  trsim staff scenarios/quickstart.yaml --group bilingual --group english "
      "--replications 20 --threads 2 --json staffing.json\n"};
  CommonOptions common;
  std::vector<std::string> groups;
  std::string min_text = "1", max_text = "1000", json_path, csv_path, method_text;
  std::vector<std::string> costs;
  bool per_interval = false;
  po::options_description specific("staff options");
  specific.add_options()  //
      ("group", po::value(&groups)->composing()->value_name("NAME"),
       "a worker group whose count to search (repeatable)")  //
      ("min", po::value(&min_text)->value_name("N")->default_value("1"),
       "smallest count per group")  //
      ("max", po::value(&max_text)->value_name("N")->default_value("1000"),
       "largest count per group")  //
      ("json", po::value(&json_path)->value_name("FILE"),
       "write the staffing and the metrics reached as JSON to FILE (- = stdout)")  //
      ("per-interval", po::bool_switch(&per_interval),
       "the fewest workers logged in per interval of statistics.interval and group that meet "
       "every expect: line on that interval's statistics (default: every group)")  //
      ("method", po::value(&method_text)->value_name("isa|search"),
       "--per-interval: isa (default; the iterative staffing algorithm on whole days, few "
       "simulated days) or search (interval by interval in time order)")  //
      ("cost", po::value(&costs)->composing()->value_name("GROUP=WEIGHT"),
       "--per-interval: the cost of one worker of the group (default 1); the total is minimised")  //
      ("csv", po::value(&csv_path)->value_name("FILE"),
       "--per-interval: write one row per interval and group as CSV to FILE (- = stdout)");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
  const auto usage = [](const std::string& message) {
    std::cerr << "trsim staff: " << message << "\n";
    return kExitUsage;
  };
  const auto min = parse_unsigned<std::int64_t>(min_text);
  const auto max = parse_unsigned<std::int64_t>(max_text);
  if (per_interval) {
    if (!max || *max < 1 || *max > 1'000'000)
      return usage("--max must be a whole number from 1 to 1000000 (got '" + max_text + "')");
    PerIntervalRequest request;
    request.groups = groups;
    request.costs = costs;
    if (!vm["max"].defaulted()) request.max = *max;
    request.csv_path = csv_path;
    request.json_path = json_path;
    if (!parse_staffing_method("staff", method_text, request.method)) return kExitUsage;
    return staff_per_interval_verb(common, request);
  }
  if (!costs.empty() || !csv_path.empty() || !method_text.empty())
    return usage("--cost, --csv and --method apply to --per-interval only");
  if (groups.empty()) return usage("--group NAME is required (the worker group to staff)");
  if (!min) return usage("--min must be a whole number (got '" + min_text + "')");
  if (!max || *max < 1 || *max > 1'000'000)
    return usage("--max must be a whole number from 1 to 1000000 (got '" + max_text + "')");
  if (*min > *max) return usage(fmt::format("--min ({}) is above --max ({})", *min, *max));

  std::vector<std::string> inputs;
  const auto scenario = load(common, !common.quiet, {}, &inputs);
  if (!scenario) return kExitUsage;
  StaffingSettings settings;
  settings.min = *min;
  settings.max = *max;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto it = std::find_if(scenario->worker_groups.begin(), scenario->worker_groups.end(),
                                 [&](const WorkerGroup& w) { return w.name == groups[g]; });
    if (it == scenario->worker_groups.end())
      return usage("no worker group '" + groups[g] + "' in " + common.scenario);
    if (std::find(groups.begin(), groups.begin() + static_cast<std::ptrdiff_t>(g), groups[g]) !=
        groups.begin() + static_cast<std::ptrdiff_t>(g))
      return usage("--group " + groups[g] + " is given twice");
    settings.base.push_back(it->count);
  }
  if (scenario->expectations.empty())
    return usage(common.scenario + ": the scenario has no `expect:` list to staff for");
  const std::vector<std::string> unknown = unknown_expectation_metrics(*scenario);
  for (const std::string& m : unknown) std::cerr << m << "\n";
  if (!unknown.empty()) return kExitUsage;
  for (const Expectation& x : scenario->expectations) {
    if (x.interval) {
      Diagnostic d;
      d.where = x.where;
      d.message =
          "a line on one interval ('interval') is read by `trsim check` and `trsim staff "
          "--per-interval`, not by the whole-run staffing";
      std::cerr << d.format() << "\n";
      return kExitUsage;
    }
    if (x.require_ci && scenario->replications < 2) {
      Diagnostic d;
      d.where = x.where;
      d.message = "ci: true needs at least 2 replications (use --replications N)";
      std::cerr << d.format() << "\n";
      return kExitUsage;
    }
  }
  OutputSet outputs("staff");
  outputs.add_inputs(inputs);
  outputs.add("--json", json_path);
  if (!outputs.open()) return kExitUsage;

  SearchProgress progress(common, "staff");
  StaffingResult result;
  try {
    result = find_staffing(settings, scenario->expectations, [&](const Staffing& counts) {
      std::vector<std::string> overrides;
      for (std::size_t g = 0; g < groups.size(); ++g)
        overrides.push_back(fmt::format("workers.{}.count={}", groups[g], counts[g]));
      progress.show("trying " + counts_text(groups, counts));
      const auto point = load(common, false, overrides);
      if (!point) throw StaffingNotLoadable(counts_text(groups, counts));
      return simulate(*point, progress.run_options(), nullptr);
    });
  } catch (const StaffingNotLoadable& e) {
    return usage(std::string("the scenario does not load with ") + e.what());
  }
  progress.clear();

  if (std::ostream* out = outputs.stream("--json")) *out << report_json(*scenario, groups, result);
  if (!outputs.commit()) return kExitUsage;
  if (!common.quiet && json_path != "-") std::cout << report_text(*scenario, groups, result, *max);
  return result.found ? kExitOk : kExitExpectations;
}

}  // namespace trsim::cli
