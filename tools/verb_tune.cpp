// `trsim tune`: the values of one or several settings that optimise an objective metric subject
// to constraints: a search on a few replications per point, then Kim & Nelson's fully sequential
// selection among the feasible points, the near-ties within δ of the best and the preferred one
// among them, under common random numbers (include/trsim/tune.hpp, docs/experiments.md).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "report/report_html.hpp"
#include "trsim/json.hpp"
#include "trsim/tune.hpp"
#include "trsim/value.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

namespace {

// The scenario could not be loaded at one of the points (the loader printed why).
struct PointNotLoadable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string value_text(double v) {
  std::string s;
  append_json_number(s, v);
  return s;
}

std::string values_text(const TuneConfig& v) {
  if (v.size() == 1) return value_text(v[0]);
  std::string out = "(";
  for (std::size_t j = 0; j < v.size(); ++j) out += (j ? ", " : "") + value_text(v[j]);
  return out + ")";
}

// The overrides that set the parameters to `values`.
std::vector<std::string> assignments(const TuneSettings& s, const TuneConfig& values) {
  std::vector<std::string> out;
  for (std::size_t j = 0; j < values.size(); ++j)
    out.push_back(s.parameters[j].path + "=" + value_text(values[j]));
  return out;
}

std::string set_line(const TuneSettings& s, const TuneConfig& values) {
  std::string out;
  for (const std::string& a : assignments(s, values))
    out += (out.empty() ? "--set " : " --set ") + a;
  return out;
}

// Loads `scenario` with the common overrides and the parameters' assignments; a diagnostic about
// an assignment names the --param it comes from ("--param:1:11: no 'mian' in 'workflows'"), not
// the --set it is applied as.
std::optional<Scenario> load_point(const CommonOptions& common, const std::string& scenario,
                                   const std::vector<std::string>& extra, bool warnings,
                                   std::vector<std::string>* files = nullptr) {
  LoadOptions options{load_overrides(common)};
  options.limits = common.limits;
  const std::size_t fixed = options.overrides.size();
  options.overrides.insert(options.overrides.end(), extra.begin(), extra.end());
  LoadResult result = load_scenario_file(scenario, options);
  if (files) files->insert(files->end(), result.files.begin(), result.files.end());
  for (Diagnostic d : result.diagnostics) {
    if (d.severity != Diagnostic::Severity::error && !warnings) continue;
    const auto line = static_cast<std::size_t>(d.where.line);
    if (d.where.file == "--set" && line > fixed) {
      d.where.file = "--param";
      d.where.line = static_cast<int>(line - fixed);
    }
    std::cerr << d.format() << "\n";
  }
  if (!result.ok()) return std::nullopt;
  return std::move(result.scenario);
}

// "13–60" for a run of neighbouring evaluated values, "11, 13–20" for several runs; tuples for
// several parameters (the first 8, then how many more).
std::string near_tie_text(const TuneResult& r) {
  std::vector<std::size_t> finalists;
  for (std::size_t i = 0; i < r.points.size(); ++i)
    if (r.points[i].finalist) finalists.push_back(i);
  std::vector<std::string> parts;
  if (!r.points.empty() && r.points.front().values.size() == 1) {
    for (std::size_t k = 0; k < finalists.size();) {
      if (!r.points[finalists[k]].within_delta) {
        ++k;
        continue;
      }
      std::size_t end = k;
      while (end + 1 < finalists.size() && r.points[finalists[end + 1]].within_delta) ++end;
      const std::string lo = value_text(r.points[finalists[k]].values[0]);
      parts.push_back(end == k ? lo : lo + "–" + value_text(r.points[finalists[end]].values[0]));
      k = end + 1;
    }
  } else {
    std::size_t shown = 0, more = 0;
    for (std::size_t i : finalists) {
      if (!r.points[i].within_delta) continue;
      if (shown++ < 8)
        parts.push_back(values_text(r.points[i].values));
      else
        ++more;
    }
    if (more) parts.push_back(fmt::format("and {} more", more));
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

const char* prefer_name(TunePrefer p) {
  switch (p) {
    case TunePrefer::low:
      return "low";
    case TunePrefer::high:
      return "high";
    case TunePrefer::best:
      break;
  }
  return "default";
}

std::string constraint_header(const Expectation& c) { return c.metric + " " + display_bound(c); }

std::string curve_table(const TuneSettings& s, const TuneResult& r) {
  const auto width = [](const std::string& name) { return std::max<std::size_t>(18, name.size()); };
  std::string out;
  for (const TuneParameter& p : s.parameters)
    out += fmt::format("{:>{}}  ", p.path.substr(p.path.rfind('.') + 1),
                       std::max<std::size_t>(8, p.path.size() - p.path.rfind('.') - 1));
  out += fmt::format("{:>5}  {:>{}}", "reps", s.objective, width(s.objective));
  for (const Expectation& c : s.constraints)
    out += fmt::format("  {:>{}}", constraint_header(c), width(constraint_header(c)));
  out += fmt::format("  {:<8} {:>18}  {}\n", "feasible", "vs best (paired)", "selection");
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const TunePoint& p = r.points[i];
    for (std::size_t j = 0; j < s.parameters.size(); ++j) {
      const std::string& path = s.parameters[j].path;
      out += fmt::format("{:>{}}  ", value_text(p.values[j]),
                         std::max<std::size_t>(8, path.size() - path.rfind('.') - 1));
    }
    out += fmt::format("{:>5}  {:>{}}", p.replications, metric_mean_ci(p.objective, s.objective),
                       width(s.objective));
    for (std::size_t k = 0; k < p.constraints.size(); ++k)
      out +=
          fmt::format("  {:>{}}", metric_mean_ci(p.constraints[k].value, s.constraints[k].metric),
                      width(constraint_header(s.constraints[k])));
    std::string status;
    if (r.best && *r.best == i) status = "best";
    if (r.recommended && *r.recommended == i && *r.best != i) status = "recommended, within δ";
    if (status.empty() && p.within_delta) status = "within δ";
    if (status.empty() && p.eliminated_at) status = fmt::format("out after {}", p.eliminated_at);
    if (status.empty() && !p.finalist) status = "infeasible";
    out += fmt::format("  {:<8} {:>18}  {}\n", p.feasible ? "yes" : "no",
                       r.best ? metric_mean_ci(p.difference, s.objective, true) : "-", status);
  }
  out += fmt::format(
      "\nselection: Kim & Nelson (2001) fully sequential, δ = {}, confidence {}, among the {} "
      "feasible points of the search ({} tried); {} replications in total (first stage {} per "
      "point){}\n",
      value_text(r.delta), value_text(s.confidence), r.finalists, r.points.size(),
      r.total_replications, s.first_stage,
      r.capped ? fmt::format("; stopped at --max-replications {}: NO guarantee", s.max_replications)
               : "");
  if (!r.best) {
    out += "\nno value in the range meets every constraint\n";
    return out;
  }
  const TunePoint& best = r.points[*r.best];
  const TunePoint& rec = r.points[*r.recommended];
  std::size_t ties = 0;
  for (const TunePoint& p : r.points) ties += p.within_delta ? 1 : 0;
  if (ties > 1)
    out += fmt::format("any of {} is within δ = {} of the best ({}); recommending {} (prefer {})\n",
                       near_tie_text(r), value_text(r.delta), values_text(best.values),
                       values_text(rec.values), prefer_name(s.prefer));
  else
    out += fmt::format("only {} is within δ = {} of the best\n", values_text(best.values),
                       value_text(r.delta));
  std::string assigned;
  for (const std::string& a : assignments(s, rec.values))
    assigned += (assigned.empty() ? "" : " ") + a;
  out += fmt::format("recommended: {}  ({} {} {}", assigned, s.maximise ? "max" : "min",
                     s.objective, metric_mean_ci(rec.objective, s.objective));
  for (std::size_t k = 0; k < s.constraints.size(); ++k)
    out += fmt::format(", {} {} {}", s.constraints[k].metric,
                       metric_mean_ci(rec.constraints[k].value, s.constraints[k].metric),
                       rec.constraints[k].met ? "ok" : "FAILED");
  out += ")\n";
  out += "apply with: " + set_line(s, rec.values) + "\n";
  return out;
}

std::string curve_csv(const TuneSettings& s, const TuneResult& r) {
  std::string out;
  if (s.parameters.size() == 1) {
    out = "value";
  } else {
    for (const TuneParameter& p : s.parameters) {
      out += out.empty() ? "" : ",";
      append_json_string(out, p.path);
    }
  }
  out += ",stage,objective_mean,objective_ci95";
  for (std::size_t k = 0; k < s.constraints.size(); ++k)
    out +=
        fmt::format(",constraint{}_mean,constraint{}_ci95,constraint{}_met", k + 1, k + 1, k + 1);
  out +=
      ",feasible,difference_mean,difference_ci95,indistinguishable,recommended,replications,"
      "eliminated_at,shortfall_bound,best\n";
  const auto num = [&](double v) {
    if (!std::isnan(v)) append_json_number(out, v);
  };
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const TunePoint& p = r.points[i];
    for (std::size_t j = 0; j < p.values.size(); ++j) {
      if (j) out += ',';
      num(p.values[j]);
    }
    out += p.searched ? ",search," : ",grid,";
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
    out += p.within_delta ? ",true" : ",false";
    out += r.recommended && *r.recommended == i ? ",true," : ",false,";
    out += fmt::format("{},", p.replications);
    if (p.eliminated_at) out += fmt::format("{}", p.eliminated_at);
    out += ',';
    num(p.shortfall_bound);
    out += r.best && *r.best == i ? ",true\n" : ",false\n";
  }
  return out;
}

std::string curve_json(const TuneSettings& s, const std::vector<std::string>& scenarios,
                       const TuneResult& r) {
  std::string out = "{\n  \"kind\": \"tune\",\n  \"param\": ";
  append_json_string(out, s.parameters.front().path);
  out += ",\n  \"params\": [";
  for (std::size_t j = 0; j < s.parameters.size(); ++j) {
    const TuneParameter& p = s.parameters[j];
    out += j ? ", {\"path\": " : "{\"path\": ";
    append_json_string(out, p.path);
    out += ", \"lo\": ";
    append_json_number(out, p.range.lo);
    out += ", \"hi\": ";
    append_json_number(out, p.range.hi);
    out += p.range.integer ? ", \"whole\": true}" : ", \"whole\": false}";
  }
  out += "],\n  \"scenarios\": [";
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    out += k ? ", " : "";
    append_json_string(out, scenarios[k]);
  }
  out += s.aggregate == TuneAggregate::mean ? "],\n  \"aggregate\": \"mean\",\n"
                                            : "],\n  \"aggregate\": \"worst\",\n";
  out += "  \"objective\": {\"metric\": ";
  append_json_string(out, s.objective);
  out += s.maximise ? ", \"direction\": \"max\"},\n" : ", \"direction\": \"min\"},\n";
  out += "  \"constraints\": [";
  for (std::size_t k = 0; k < s.constraints.size(); ++k) {
    out += k ? ", " : "";
    out += "{\"metric\": ";
    append_json_string(out, s.constraints[k].metric);
    out += ", \"bound\": ";
    append_json_string(out, describe_bound(s.constraints[k]));
    out += s.constraints[k].require_ci ? ", \"ci\": true}" : ", \"ci\": false}";
  }
  out += "],\n  \"selection\": {\"procedure\": \"Kim-Nelson 2001 fully sequential\", \"delta\": ";
  append_json_number(out, r.delta);
  out += ", \"confidence\": ";
  append_json_number(out, s.confidence);
  out += fmt::format(", \"first_stage\": {}, \"h2\": ", s.first_stage);
  append_json_number(out, r.h2);
  out += fmt::format(", \"finalists\": {}, \"prefer\": \"{}\", \"capped\": {}}},\n", r.finalists,
                     prefer_name(s.prefer), r.capped ? "true" : "false");
  out += fmt::format("  \"total_replications\": {},\n", r.total_replications);
  const auto agg = [&](const Aggregate& a) {
    out += "{\"mean\": ";
    append_json_number(out, a.mean);
    out += ", \"ci95\": ";
    append_json_number(out, a.ci95);
    out += '}';
  };
  const auto values = [&](const TuneConfig& v) {
    out += '[';
    for (std::size_t j = 0; j < v.size(); ++j) {
      out += j ? ", " : "";
      append_json_number(out, v[j]);
    }
    out += ']';
  };
  out += "  \"points\": [\n";
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const TunePoint& p = r.points[i];
    out += "    {\"value\": ";
    append_json_number(out, p.values.front());
    out += ", \"values\": ";
    values(p.values);
    out += p.searched ? ", \"stage\": \"search\"" : ", \"stage\": \"grid\"";
    out += fmt::format(", \"replications\": {}, \"objective\": ", p.replications);
    agg(p.objective);
    out += ", \"constraints\": [";
    for (std::size_t k = 0; k < p.constraints.size(); ++k) {
      out += k ? ", " : "";
      agg(p.constraints[k].value);
      out.pop_back();
      out += p.constraints[k].met ? ", \"met\": true}" : ", \"met\": false}";
    }
    out += p.feasible ? "], \"feasible\": true" : "], \"feasible\": false";
    out += p.finalist ? ", \"finalist\": true" : ", \"finalist\": false";
    out += ", \"eliminated_at\": ";
    out += p.eliminated_at ? fmt::format("{}", p.eliminated_at) : "null";
    out += ", \"difference_to_best\": ";
    agg(p.difference);
    out += ", \"shortfall_bound\": ";
    append_json_number(out, p.shortfall_bound);
    out += p.within_delta ? ", \"within_delta\": true, \"indistinguishable\": true}"
                          : ", \"within_delta\": false, \"indistinguishable\": false}";
    out += i + 1 < r.points.size() ? ",\n" : "\n";
  }
  out += "  ],\n  \"recommendation\": ";
  if (!r.best) {
    out += "null\n}\n";
    return out;
  }
  const TunePoint& rec = r.points[*r.recommended];
  out += "{\"value\": ";
  append_json_number(out, rec.values.front());
  out += ", \"values\": ";
  values(rec.values);
  out += ", \"set\": ";
  append_json_string(out, set_line(s, rec.values));
  out += ", \"objective\": ";
  agg(rec.objective);
  out += ", \"best\": ";
  values(r.points[*r.best].values);
  out += ", \"within_delta\": [";
  bool first = true;
  for (const TunePoint& p : r.points) {
    if (!p.within_delta) continue;
    out += first ? "" : ", ";
    first = false;
    values(p.values);
  }
  // "indistinguishable" (the earlier name): the other near-ties, as values of a single parameter.
  out += "], \"indistinguishable\": [";
  first = true;
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    if (i == *r.recommended || !r.points[i].within_delta) continue;
    out += first ? "" : ", ";
    first = false;
    if (s.parameters.size() == 1)
      append_json_number(out, r.points[i].values.front());
    else
      values(r.points[i].values);
  }
  out += "]}\n}\n";
  return out;
}

// A positive real number, or nullopt.
std::optional<double> parse_real(const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

}  // namespace

int verb_tune(int argc, char** argv) {
  const VerbHelp help{
      "tune",
      "SCENARIO.yaml --param PATH --range LO..HI [--param PATH --range LO..HI ...] "
      "--objective max:METRIC|min:METRIC [options]",
      "  trsim tune scenarios/tune-timeout.yaml --param workflows.main.task_reservation_timeout "
      "--range 5s..60s --objective min:workspace.avg_task_acceptance_time --delta 0.5\n"
      "  trsim tune scenarios/tune-timeout.yaml --param workflows.main.task_reservation_timeout "
      "--range 5..60 --objective max:workspace.service_level.20 --prefer low\n"
      "  trsim tune scenarios/tune-two-timeouts.yaml --param "
      "workflows.fast.task_reservation_timeout "
      "--range 5..60 --param workflows.slow.task_reservation_timeout --range 5..60 --objective "
      "min:workspace.avg_task_acceptance_time --constraint 'workspace.abandon_rate<=0.5'\n"
      "  trsim tune scenarios/check-pass.yaml --param workers.agents.count --range 8..16 "
      "--objective max:workspace.occupancy --constraint 'workspace.service_level.20>=0.8 ci' "
      "--replications 20 --csv curve.csv --report tune.html\n"};
  CommonOptions common;
  std::vector<std::string> params, ranges, constraint_texts, scenario_set;
  std::string objective_text, csv_path, json_path, report_path;
  std::string steps_text = "8", refine_text = "5", delta_text, confidence_text = "0.95";
  std::string prefer_text = "default", aggregate_text = "mean", max_reps_text = "1000";
  po::options_description specific("tune options");
  specific.add_options()  //
      ("param", po::value(&params)->composing()->value_name("PATH"),
       "a scalar to tune, by its dotted path (as for --set); repeatable, each with its --range")  //
      ("range", po::value(&ranges)->composing()->value_name("LO..HI"),
       "the values of the --param in the same place: whole numbers (4..20), real numbers "
       "(0.5..2.0) or durations (5s..5m, in seconds); timeouts and counts snap to whole numbers")  //
      ("steps", po::value(&steps_text)->value_name("N")->default_value("8"),
       "points of each parameter's grid, LO and HI included")  //
      ("refine-steps", po::value(&refine_text)->value_name("N")->default_value("5"),
       "a real parameter's search stops at a grid step / (N+1); whole numbers at 1")  //
      ("objective", po::value(&objective_text)->value_name("max:METRIC|min:METRIC"),
       "the metric mean to maximise or minimise")  //
      ("constraint", po::value(&constraint_texts)->composing()->value_name("'METRIC<=V[ ci]'"),
       "a bound on a metric's mean that a value must meet (repeatable; <= or >=; ' ci': the whole "
       "ci95)")  //
      ("delta", po::value(&delta_text)->value_name("D"),
       "the indifference zone, in the objective's units: differences smaller than D do not matter "
       "(default: 0.01 for a ratio, 1 s for a time, else 1% of the objective)")  //
      ("confidence", po::value(&confidence_text)->value_name("P")->default_value("0.95"),
       "the probability that the selected value is the best (when the best is D better than the "
       "rest)")  //
      ("prefer", po::value(&prefer_text)->value_name("low|high|default")->default_value("default"),
       "which of the values within D of the best to recommend (default: the best itself)")  //
      ("max-replications", po::value(&max_reps_text)->value_name("N")->default_value("1000"),
       "at most N replications per point (reaching it voids the guarantee, said in the output)")  //
      ("scenario-set", po::value(&scenario_set)->composing()->value_name("FILE"),
       "another scenario (a day, a forecast) tuned together with SCENARIO.yaml (repeatable)")  //
      ("aggregate", po::value(&aggregate_text)->value_name("mean|worst")->default_value("mean"),
       "with --scenario-set: the objective and constraints over the scenarios, replication by "
       "replication")  //
      ("csv", po::value(&csv_path)->value_name("FILE"),
       "write the curve as CSV to FILE (- = stdout)")  //
      ("json", po::value(&json_path)->value_name("FILE"),
       "write the curve and the recommendation as JSON to FILE (- = stdout)")  //
      ("report", po::value(&report_path)->value_name("FILE"),
       "write the HTML page of the tuning (what `trsim report` makes of the JSON) to FILE");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
  const auto usage = [](const std::string& message) {
    std::cerr << "trsim tune: " << message << "\n";
    return kExitUsage;
  };
  if (params.empty()) return usage("--param PATH is required (the scalar to tune)");
  if (ranges.empty()) return usage("--range LO..HI is required");
  if (ranges.size() != params.size())
    return usage(fmt::format("{} --param but {} --range: give each --param its --range",
                             params.size(), ranges.size()));
  if (objective_text.empty()) return usage("--objective max:METRIC or min:METRIC is required");
  TuneSettings settings;
  std::string why;
  for (std::size_t j = 0; j < params.size(); ++j) {
    const auto range = parse_tune_range(ranges[j], &why);
    if (!range) return usage("--range: " + why);
    TuneParameter p{params[j], *range};
    if (whole_number_setting(p.path)) {
      const auto snapped = snap_range(*range, &why);
      if (!snapped) return usage("--range " + ranges[j] + " for " + p.path + ": " + why);
      p.range = *snapped;
    }
    for (const TuneParameter& q : settings.parameters)
      if (q.path == p.path) return usage("--param " + p.path + " is given twice");
    settings.parameters.push_back(p);
  }
  const auto steps = parse_unsigned<std::size_t>(steps_text);
  if (!steps || *steps < 2 || *steps > 1000)
    return usage("--steps must be a whole number from 2 to 1000 (got '" + steps_text + "')");
  settings.steps = *steps;
  const auto refine = parse_unsigned<std::size_t>(refine_text);
  if (!refine || *refine > 1000)
    return usage("--refine-steps must be a whole number from 0 to 1000 (got '" + refine_text +
                 "')");
  settings.refine_steps = *refine;
  if (!delta_text.empty()) {
    const auto delta = parse_real(delta_text);
    if (!delta || *delta <= 0)
      return usage("--delta must be a number above 0, in the objective's units (got '" +
                   delta_text + "')");
    settings.delta = *delta;
  }
  const auto confidence = parse_real(confidence_text);
  if (!confidence || *confidence <= 0 || *confidence >= 1)
    return usage("--confidence must be a probability strictly between 0 and 1, e.g. 0.95 (got '" +
                 confidence_text + "')");
  settings.confidence = *confidence;
  if (prefer_text == "low")
    settings.prefer = TunePrefer::low;
  else if (prefer_text == "high")
    settings.prefer = TunePrefer::high;
  else if (prefer_text != "default")
    return usage("--prefer must be low, high or default (got '" + prefer_text + "')");
  if (aggregate_text == "worst")
    settings.aggregate = TuneAggregate::worst;
  else if (aggregate_text != "mean")
    return usage("--aggregate must be mean or worst (got '" + aggregate_text + "')");
  const auto max_reps = parse_unsigned<std::uint32_t>(max_reps_text);
  if (!max_reps || *max_reps < 2)
    return usage("--max-replications must be a whole number of at least 2 (got '" + max_reps_text +
                 "')");
  settings.max_replications = *max_reps;
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
  if (report_path == "-")
    return usage("--report needs a file name (use `trsim report TUNE.json -o -` for stdout)");

  std::vector<std::string> scenarios{common.scenario};
  scenarios.insert(scenarios.end(), scenario_set.begin(), scenario_set.end());
  settings.scenarios = scenarios.size();
  // Every value of every grid must load, in every scenario, before anything runs (a misspelt
  // path, a text setting, a fraction for a count, a value out of the setting's range).
  std::vector<std::string> inputs;  // every file any point reads: no output may name one
  const auto first = load_point(common, scenarios.front(), {}, !common.quiet, &inputs);
  if (!first) return kExitUsage;
  if (first->replications < 2)
    return usage(fmt::format(
        "the selection needs a first stage of at least 2 replications per point (the scenario "
        "has {}; use --replications N)",
        first->replications));
  settings.first_stage = first->replications;
  if (settings.max_replications < settings.first_stage)
    return usage("--max-replications is below the first stage's replications");
  for (const std::string& scenario : scenarios) {
    for (std::size_t j = 0; j < settings.parameters.size(); ++j) {
      const TuneRange& range = settings.parameters[j].range;
      for (double v : tune_grid(range.lo, range.hi, settings.steps, range.integer)) {
        // The other parameters stay as the scenario has them; this one's diagnostics name
        // --param by its place.
        std::vector<std::string> sets;
        for (std::size_t q = 0; q < settings.parameters.size(); ++q)
          sets.push_back(q == j ? settings.parameters[q].path + "=" + value_text(v)
                                : settings.parameters[q].path + "=" +
                                      value_text(settings.parameters[q].range.lo));
        if (!load_point(common, scenario, sets, false, &inputs)) return kExitUsage;
      }
    }
  }
  const MetricNode shape = statistics_shape(*first);
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
  outputs.add("--report", report_path);
  if (!outputs.open()) return kExitUsage;

  SearchProgress progress(common, "tune");
  // Each point is loaded once per scenario; with `warmup: auto` the warm-up its first stage
  // chose is kept for its later replications.
  std::map<std::pair<TuneConfig, std::size_t>, Scenario> loaded;
  TuneResult result;
  try {
    result = tune(
        settings,
        [&](const TuneConfig& values, std::size_t sc, std::uint32_t from, std::uint32_t count) {
          auto it = loaded.find({values, sc});
          if (it == loaded.end()) {
            auto point = load_point(common, scenarios[sc], assignments(settings, values), false);
            if (!point) throw PointNotLoadable(set_line(settings, values));
            it = loaded.emplace(std::pair{values, sc}, std::move(*point)).first;
          }
          Scenario run = it->second;
          run.replications = count;
          RunSettings rs;
          rs.threads = progress.run_options().threads;
          rs.check_invariants = common.check_invariants;
          rs.first_replication = from;
          RunSummary summary = run_scenario(run, rs);
          if (summary.auto_warmup) {
            it->second.warmup_auto = false;
            it->second.warmup = summary.auto_warmup->warmup;
          }
          return summary;
        },
        [&](std::size_t index, const TuneConfig& values) {
          std::string what;
          for (const std::string& a : assignments(settings, values))
            what += (what.empty() ? "" : " ") + a;
          progress.show(fmt::format("point {}, {}", index + 1, what));
        });
  } catch (const PointNotLoadable& e) {
    return usage(std::string("the scenario does not load with ") + e.what());
  }
  progress.clear();

  const std::string json =
      json_path.empty() && report_path.empty() ? "" : curve_json(settings, scenarios, result);
  if (std::ostream* out = outputs.stream("--csv")) *out << curve_csv(settings, result);
  if (std::ostream* out = outputs.stream("--json")) *out << json;
  if (std::ostream* out = outputs.stream("--report")) {
    const auto document = parse_json(json);
    const auto html = document ? report::render_report(*document, &why) : std::nullopt;
    if (!html) throw std::logic_error("the tuning did not make a report: " + why);
    *out << *html;
  }
  if (!outputs.commit()) return kExitUsage;
  if (!common.quiet && csv_path != "-" && json_path != "-") {
    std::cout << curve_table(settings, result);
    // The same setting in TaskRouter's own shapes (the Workflow resource with its configuration
    // string and task_reservation_timeout), ready for TaskRouter's API or CLI.
    if (result.recommended)
      std::cout << "in TaskRouter: trsim export " << common.scenario << " FOLDER "
                << set_line(settings, result.points[*result.recommended].values) << "\n";
  }
  return result.best ? kExitOk : kExitExpectations;
}

}  // namespace trsim::cli
