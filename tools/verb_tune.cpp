// `trsim tune`: the value of one parameter that optimises an objective metric subject to
// constraints, over a grid and a finer grid around its best point, under common random numbers.
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
#include "trsim/tune.hpp"
#include "trsim/value.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

namespace {

// The scenario could not be loaded at one of the grid's values (the loader printed why).
struct PointNotLoadable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string value_text(double v) {
  std::string s;
  append_json_number(s, v);
  return s;
}

std::string curve_table(const TuneSettings& s, const std::string& param, const TuneResult& r) {
  // Each metric column is as wide as its name, and at least wide enough for "mean ± ci95".
  const auto width = [](const std::string& name) { return std::max<std::size_t>(18, name.size()); };
  std::string out = fmt::format("{:>12}  {:>{}}", "value", s.objective, width(s.objective));
  for (const Expectation& c : s.constraints)
    out += fmt::format("  {:>{}}", c.metric, width(c.metric));
  out += fmt::format("  {:<9} {:>18}\n", "feasible", "vs best (paired)");
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const TunePoint& p = r.points[i];
    out += fmt::format("{:>12}  {:>{}}", value_text(p.value), short_mean_ci(p.objective),
                       width(s.objective));
    for (std::size_t k = 0; k < p.constraints.size(); ++k)
      out += fmt::format("  {:>{}}", short_mean_ci(p.constraints[k].value),
                         width(s.constraints[k].metric));
    const char* mark = r.best && *r.best == i ? "  best" : (p.indistinguishable ? "  ~ same" : "");
    out += fmt::format("  {:<9} {:>18}{}\n", p.feasible ? "yes" : "no",
                       r.best ? short_mean_ci(p.difference) : "-", mark);
  }
  if (!r.best) {
    out += "\nno value in the range meets every constraint\n";
    return out;
  }
  const TunePoint& b = r.points[*r.best];
  out += fmt::format("\nrecommended: {}={}  ({} {} {})\n", param, value_text(b.value),
                     s.maximise ? "max" : "min", s.objective, short_mean_ci(b.objective));
  std::string same;
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    if (i == *r.best || !r.points[i].indistinguishable) continue;
    same += (same.empty() ? "" : ", ") + value_text(r.points[i].value);
  }
  out += "statistically indistinguishable (paired difference ci95 covers 0): " +
         (same.empty() ? std::string("none") : same) + "\n";
  return out;
}

std::string curve_csv(const TuneSettings& s, const TuneResult& r) {
  std::string out = "value,stage,objective_mean,objective_ci95";
  for (std::size_t k = 0; k < s.constraints.size(); ++k)
    out +=
        fmt::format(",constraint{}_mean,constraint{}_ci95,constraint{}_met", k + 1, k + 1, k + 1);
  out += ",feasible,difference_mean,difference_ci95,indistinguishable,recommended\n";
  const auto num = [&](double v) {
    if (!std::isnan(v)) append_json_number(out, v);
  };
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const TunePoint& p = r.points[i];
    num(p.value);
    out += p.refined ? ",fine," : ",coarse,";
    num(p.objective.mean);
    out += ',';
    num(p.objective.ci95);
    for (const ExpectationOutcome& c : p.constraints) {
      out += ',';
      num(c.value.mean);
      out += ',';
      num(c.value.ci95);
      out += c.met ? ",true" : ",false";
    }
    out += p.feasible ? ",true," : ",false,";
    num(p.difference.mean);
    out += ',';
    num(p.difference.ci95);
    out += p.indistinguishable ? ",true" : ",false";
    out += r.best && *r.best == i ? ",true\n" : ",false\n";
  }
  return out;
}

std::string curve_json(const TuneSettings& s, const std::string& param, const TuneResult& r) {
  std::string out = "{\n  \"param\": ";
  append_json_string(out, param);
  out += ",\n  \"objective\": {\"metric\": ";
  append_json_string(out, s.objective);
  out += s.maximise ? ", \"direction\": \"max\"},\n" : ", \"direction\": \"min\"},\n";
  out += "  \"constraints\": [";
  for (std::size_t k = 0; k < s.constraints.size(); ++k) {
    out += k ? ", " : "";
    out += "{\"metric\": ";
    append_json_string(out, s.constraints[k].metric);
    out += ", \"bound\": ";
    append_json_string(out, describe_bound(s.constraints[k]));
    out += '}';
  }
  out += "],\n";
  const auto agg = [&](const Aggregate& a) {
    out += "{\"mean\": ";
    append_json_number(out, a.mean);
    out += ", \"ci95\": ";
    append_json_number(out, a.ci95);
    out += '}';
  };
  out += "  \"points\": [\n";
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const TunePoint& p = r.points[i];
    out += "    {\"value\": ";
    append_json_number(out, p.value);
    out += p.refined ? ", \"stage\": \"fine\", \"objective\": "
                     : ", \"stage\": \"coarse\", \"objective\": ";
    agg(p.objective);
    out += ", \"constraints\": [";
    for (std::size_t k = 0; k < p.constraints.size(); ++k) {
      out += k ? ", " : "";
      agg(p.constraints[k].value);
      out.pop_back();
      out += p.constraints[k].met ? ", \"met\": true}" : ", \"met\": false}";
    }
    out += p.feasible ? "], \"feasible\": true, \"difference_to_best\": "
                      : "], \"feasible\": false, \"difference_to_best\": ";
    agg(p.difference);
    out +=
        p.indistinguishable ? ", \"indistinguishable\": true}" : ", \"indistinguishable\": false}";
    out += i + 1 < r.points.size() ? ",\n" : "\n";
  }
  out += "  ],\n  \"recommendation\": ";
  if (!r.best) {
    out += "null\n}\n";
    return out;
  }
  const TunePoint& b = r.points[*r.best];
  out += "{\"value\": ";
  append_json_number(out, b.value);
  out += ", \"objective\": ";
  agg(b.objective);
  out += ", \"indistinguishable\": [";
  bool first = true;
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    if (i == *r.best || !r.points[i].indistinguishable) continue;
    out += first ? "" : ", ";
    first = false;
    append_json_number(out, r.points[i].value);
  }
  out += "]}\n}\n";
  return out;
}

}  // namespace

int verb_tune(int argc, char** argv) {
  const VerbHelp help{
      "tune",
      "SCENARIO.yaml --param PATH --range LO..HI --objective max:METRIC|min:METRIC [options]",
      "  trsim tune scenarios/tune-timeout.yaml --param workflows.main.task_reservation_timeout "
      "--range 5s..60s --objective min:workspace.avg_task_acceptance_time\n"
      "  trsim tune scenarios/check-pass.yaml --param workers.agents.count --range 8..16 "
      "--objective max:workspace.occupancy --constraint 'workspace.service_level.20>=0.8' "
      "--replications 20 --csv curve.csv\n"};
  CommonOptions common;
  std::string param, range_text, objective_text, csv_path, json_path;
  std::vector<std::string> constraint_texts;
  std::string steps_text = "8", refine_text = "5";
  po::options_description specific("tune options");
  specific.add_options()  //
      ("param", po::value(&param)->value_name("PATH"),
       "the scalar to tune, by its dotted path (as for --set)")  //
      ("range", po::value(&range_text)->value_name("LO..HI"),
       "the values to try: whole numbers (4..20), real numbers (0.5..2.0) or durations "
       "(5s..5m, in seconds)")  //
      ("steps", po::value(&steps_text)->value_name("N")->default_value("8"),
       "points of the first grid, LO and HI included")  //
      ("refine-steps", po::value(&refine_text)->value_name("N")->default_value("5"),
       "points of the second grid, between the neighbours of the first grid's best")  //
      ("objective", po::value(&objective_text)->value_name("max:METRIC|min:METRIC"),
       "the metric mean to maximise or minimise")  //
      ("constraint", po::value(&constraint_texts)->composing()->value_name("'METRIC<=V'"),
       "a bound on a metric's mean that a value must meet (repeatable; <= or >=)")  //
      ("csv", po::value(&csv_path)->value_name("FILE"),
       "write the curve as CSV to FILE (- = stdout)")  //
      ("json", po::value(&json_path)->value_name("FILE"),
       "write the curve and the recommendation as JSON to FILE (- = stdout)");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
  const auto usage = [](const std::string& message) {
    std::cerr << "trsim tune: " << message << "\n";
    return kExitUsage;
  };
  if (param.empty()) return usage("--param PATH is required (the scalar to tune)");
  if (range_text.empty()) return usage("--range LO..HI is required");
  if (objective_text.empty()) return usage("--objective max:METRIC or min:METRIC is required");
  TuneSettings settings;
  std::string why;
  const auto range = parse_tune_range(range_text, &why);
  if (!range) return usage("--range: " + why);
  settings.range = *range;
  const auto steps = parse_unsigned<std::size_t>(steps_text);
  if (!steps || *steps < 2 || *steps > 1000)
    return usage("--steps must be a whole number from 2 to 1000 (got '" + steps_text + "')");
  settings.steps = *steps;
  const auto refine = parse_unsigned<std::size_t>(refine_text);
  if (!refine || *refine > 1000)
    return usage("--refine-steps must be a whole number from 0 to 1000 (got '" + refine_text +
                 "')");
  settings.refine_steps = *refine;
  if (objective_text.rfind("max:", 0) == 0 || objective_text.rfind("min:", 0) == 0) {
    settings.maximise = objective_text[1] == 'a';
    settings.objective = objective_text.substr(4);
  }
  if (settings.objective.empty())
    return usage("--objective must be max:METRIC or min:METRIC (got '" + objective_text + "')");
  for (const std::string& text : constraint_texts) {
    const auto c = parse_constraint(text, &why);
    if (!c) return usage("--constraint: " + why);
    settings.constraints.push_back(*c);
  }
  if (!csv_path.empty() && csv_path == json_path)
    return usage("--csv and --json cannot both write to '" + csv_path + "'");

  // Every value of the first grid must load before anything runs (a misspelt path, a text
  // setting, a fraction for a count, a value out of the setting's range).
  const auto assignment = [&](double v) { return param + "=" + value_text(v); };
  std::vector<std::string> inputs;
  const auto scenario = load(common, !common.quiet, {assignment(range->lo)}, &inputs);
  if (!scenario) return kExitUsage;
  for (double v : tune_grid(range->lo, range->hi, settings.steps, range->integer))
    if (!load(common, false, {assignment(v)})) return kExitUsage;
  const MetricNode shape = statistics_shape(*scenario);
  const auto known = [&](const std::string& metric) {
    const MetricNode* n = shape.find(metric);
    return n && !n->is_group;
  };
  if (!known(settings.objective))
    return usage("unknown metric '" + settings.objective +
                 "' in --objective (see docs/statistics.md)");
  for (const Expectation& c : settings.constraints)
    if (!known(c.metric))
      return usage("unknown metric '" + c.metric + "' in --constraint (see docs/statistics.md)");

  OutputSet outputs("tune");
  outputs.add_inputs(inputs);
  outputs.add("--csv", csv_path);
  outputs.add("--json", json_path);
  if (!outputs.open()) return kExitUsage;

  SearchProgress progress(common, "tune");
  TuneResult result;
  try {
    result = tune(
        settings,
        [&](double v) {
          const auto point = load(common, false, {assignment(v)});
          if (!point) throw PointNotLoadable(assignment(v));
          return simulate(*point, progress.run_options(), nullptr);
        },
        [&](std::size_t index, double v) {
          progress.show(fmt::format("point {}, {}", index + 1, assignment(v)));
        });
  } catch (const PointNotLoadable& e) {
    return usage(std::string("the scenario does not load with ") + e.what());
  }
  progress.clear();

  if (std::ostream* out = outputs.stream("--csv")) *out << curve_csv(settings, result);
  if (std::ostream* out = outputs.stream("--json")) *out << curve_json(settings, param, result);
  if (!outputs.commit()) return kExitUsage;
  if (!common.quiet && csv_path != "-" && json_path != "-")
    std::cout << curve_table(settings, param, result);
  return result.best ? kExitOk : kExitExpectations;
}

}  // namespace trsim::cli
