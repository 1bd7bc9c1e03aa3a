// `trsim compare`: the base against a change, run under common random numbers and paired
// replication by replication; rules on the differences decide the exit code (0 all hold, 1 one
// failed, 2 bad input).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_compare.hpp"
#include "cli_output.hpp"
#include "trsim/compare.hpp"
#include "trsim/loader.hpp"
#include "trsim/value.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace trsim::cli {

namespace {

struct ComparePair {
  std::string title;        ///< the suite's name
  std::string base_file;    ///< empty when the pair could not be formed
  std::string change_file;  ///< the base's file again with --change / --change-file only
  std::optional<Scenario> base, change;
  std::vector<CompareRule> rules;
  std::vector<std::string> metrics;
  bool on_mean = false;
  std::string error;        ///< why it cannot run (dir mode: reported for its suite)
  bool run_failed = false;  ///< the error came from the run (not yet printed)
  std::optional<Comparison> result;
};

// The *.yaml and *.yml files of a folder, by name.
std::optional<std::vector<std::string>> scenario_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml"))
      names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The problems with the metrics and rules of a pair against the base's statistics: "" when none.
std::string unknown_metrics(const ComparePair& p, const std::vector<std::string>& cli_metrics) {
  const MetricNode shape = statistics_shape(*p.base);
  const MetricNode change_shape = statistics_shape(*p.change);
  std::string out;
  const auto check = [&](const std::string& metric, const std::string& where) {
    for (const MetricNode* s : {&shape, &change_shape}) {
      const MetricNode* n = s->find(metric);
      if (n && !n->is_group) continue;
      if (!out.empty()) out += "\n";
      out += where + ": " +
             (n ? "'" + metric + "' is a group of metrics; name one of its members"
                : "unknown metric '" + metric + "'" + (s == &shape ? "" : " in the change") +
                      " (see docs/statistics.md or the summary JSON for the metric names)");
      return;
    }
  };
  // "FILE:LINE:COL" of a place in a scenario.
  const auto at = [](const SourceLocation& where) {
    return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  };
  for (const std::string& m : cli_metrics) check(m, "--metric " + m);
  const CompareSettings& c = p.base->compare;
  for (std::size_t i = 0; i < c.metrics.size(); ++i) check(c.metrics[i], at(c.metrics_where[i]));
  for (const CompareRule& r : p.rules)
    check(r.metric, r.where.line > 0 ? at(r.where) : "--fail-if '" + r.text + "'");
  return out;
}

}  // namespace

int verb_compare(int argc, char** argv) {
  VerbHelp help{"compare",
                "BASE.yaml CHANGED.yaml | S.yaml --change PATH=VALUE | --base-dir B --change-dir C "
                "[options]",
                "  trsim compare scenarios/check-pass.yaml --change workers.agents.count=9 "
                "--fail-if 'workspace.service_level.20 < -0.02'\n"
                "  trsim compare scenarios/check-pass.yaml --set horizon=2h --change "
                "workers.agents.count=11 --junit r.xml --markdown r.md\n"
                "  trsim compare --base-dir base/regression --change-dir regression --threads 2 "
                "--junit r.xml\n"};
  help.many_scenarios = true;
  help.scenario_optional = true;
  CommonOptions common;
  std::vector<std::string> changes, change_files, metrics, fail_if;
  std::string judge = "ci95", junit_path, markdown_path, json_path, base_dir, change_dir;
  po::options_description specific("compare options");
  specific.add_options()  //
      ("change", po::value(&changes)->composing()->value_name("PATH=VALUE"),
       "the change is the scenario with this override (repeatable)")  //
      ("change-file", po::value(&change_files)->composing()->value_name("PATH=FILE"),
       "the change reads this file setting from FILE (relative to the current folder), e.g. "
       "workflows.main.configuration_file=new.json (repeatable)")  //
      ("metric", po::value(&metrics)->composing()->value_name("PATH"),
       "also compare this metric (repeatable)")  //
      ("fail-if", po::value(&fail_if)->composing()->value_name("RULE"),
       "fail (exit 1) when the difference change − base of a metric lies beyond a threshold: "
       "'METRIC < NUMBER' or 'METRIC > NUMBER' (repeatable)")  //
      ("judge", po::value(&judge)->value_name("ci95|mean"),
       "judge rules on the whole ci95 of the difference (default) or on its mean")  //
      ("base-dir", po::value(&base_dir)->value_name("DIR"),
       "compare every scenario of DIR with the file of the same name in --change-dir")    //
      ("change-dir", po::value(&change_dir)->value_name("DIR"), "the changed scenarios")  //
      ("junit", po::value(&junit_path)->value_name("FILE"),
       "write JUnit XML (one suite per pair, one test case per rule and per metric) to FILE (- = "
       "stdout)")  //
      ("markdown", po::value(&markdown_path)->value_name("FILE"),
       "write a markdown summary for a pull request or a CI job summary to FILE (- = stdout)")  //
      ("json", po::value(&json_path)->value_name("FILE"),
       "write the comparisons as JSON to FILE (- = stdout)");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
  const std::string verb = "trsim compare: ";

  // The command line's shape.
  const bool dirs = !base_dir.empty() || !change_dir.empty();
  if (dirs && (base_dir.empty() || change_dir.empty())) {
    std::cerr << verb << "--base-dir and --change-dir go together\n";
    return kExitUsage;
  }
  if (dirs && !common.scenario.empty()) {
    std::cerr << verb << "give scenario files or --base-dir/--change-dir, not both\n";
    return kExitUsage;
  }
  if (!dirs && common.scenario.empty()) {
    std::cerr << verb << "missing the scenario files (BASE.yaml CHANGED.yaml)\n";
    return kExitUsage;
  }
  if (common.more_scenarios.size() > 1) {
    std::cerr << verb << "takes two scenario files, the base and the change (for folders: "
              << "--base-dir and --change-dir)\n";
    return kExitUsage;
  }
  if (!dirs && common.more_scenarios.empty() && changes.empty() && change_files.empty()) {
    std::cerr << verb << "nothing to compare with: give CHANGED.yaml, --change PATH=VALUE or "
              << "--change-file PATH=FILE\n";
    return kExitUsage;
  }
  if (judge != "ci95" && judge != "mean") {
    std::cerr << verb << "--judge is ci95 or mean (got '" << judge << "')\n";
    return kExitUsage;
  }
  std::vector<CompareRule> cli_rules;
  for (const std::string& text : fail_if) {
    std::string why;
    auto rule = parse_compare_rule(text, &why);
    if (!rule) {
      std::cerr << verb << "--fail-if '" << text << "': " << why << "\n";
      return kExitUsage;
    }
    cli_rules.push_back(std::move(*rule));
  }
  // --change-file: the file named relative to where the command runs, as a quoted override.
  std::vector<std::string> change_overrides = changes;
  std::vector<std::string> inputs;  // every file compare reads: no output may name one
  for (const std::string& spec : change_files) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      std::cerr << verb << "--change-file takes PATH=FILE (got '" << spec << "')\n";
      return kExitUsage;
    }
    const std::string file = spec.substr(eq + 1);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      std::cerr << verb << "--change-file: cannot read '" << file << "'\n";
      return kExitUsage;
    }
    std::string value;
    append_json_string(value, fs::absolute(file).lexically_normal().string());
    change_overrides.push_back(spec.substr(0, eq) + "=" + value);
    inputs.push_back(file);
  }

  // The pairs.
  std::vector<ComparePair> pairs;
  std::vector<std::string> notes;
  if (dirs) {
    const auto base_files = scenario_files(base_dir);
    const auto change_files_in_dir = scenario_files(change_dir);
    if (!base_files || !change_files_in_dir) {
      std::cerr << verb << "cannot read the folder '" << (base_files ? change_dir : base_dir)
                << "'\n";
      return kExitUsage;
    }
    for (const std::string& name : *base_files) {
      if (std::find(change_files_in_dir->begin(), change_files_in_dir->end(), name) ==
          change_files_in_dir->end()) {
        notes.push_back(name + ": only in --base-dir (removed by the change), not compared");
        continue;
      }
      ComparePair p;
      p.title = name;
      p.base_file = (fs::path(base_dir) / name).string();
      p.change_file = (fs::path(change_dir) / name).string();
      pairs.push_back(std::move(p));
    }
    for (const std::string& name : *change_files_in_dir) {
      if (std::find(base_files->begin(), base_files->end(), name) == base_files->end())
        notes.push_back(name + ": only in --change-dir (new), nothing to compare it with");
    }
    if (pairs.empty()) {
      std::cerr << verb << "no scenario file has the same name in '" << base_dir << "' and '"
                << change_dir << "'\n";
      return kExitUsage;
    }
  } else {
    ComparePair p;
    p.base_file = common.scenario;
    p.change_file = common.more_scenarios.empty() ? common.scenario : common.more_scenarios[0];
    pairs.push_back(std::move(p));
  }

  // Loading: the change runs with the base's seed and replications (common random numbers).
  bool bad_input = false;
  for (ComparePair& p : pairs) {
    CommonOptions o = common;
    o.scenario = p.base_file;
    std::vector<std::string> files;
    p.base = load(o, !common.quiet, {}, &files);
    inputs.insert(inputs.end(), files.begin(), files.end());
    inputs.push_back(p.base_file);
    inputs.push_back(p.change_file);
    if (p.base) {
      o.scenario = p.change_file;
      std::vector<std::string> extra = change_overrides;
      extra.push_back("seed=" + std::to_string(p.base->seed));
      extra.push_back("replications=" + std::to_string(p.base->replications));
      p.change = load(o, !common.quiet, extra, &files);
      inputs.insert(inputs.end(), files.begin(), files.end());
    }
    if (!p.base || !p.change) {
      p.error = "the " + std::string(p.base ? "change" : "base") + " scenario '" +
                (p.base ? p.change_file : p.base_file) + "' is invalid (errors on stderr)";
      p.base.reset();
      p.change.reset();
      bad_input = true;
      continue;
    }
    if (p.title.empty()) p.title = p.base->name + " vs " + p.change->name;
    p.rules = p.base->compare.fail_if;
    p.rules.insert(p.rules.end(), cli_rules.begin(), cli_rules.end());
    p.on_mean = vm.count("judge") ? judge == "mean" : p.base->compare.judge_on_mean.value_or(false);
    std::vector<std::string> extra_metrics = p.base->compare.metrics;
    extra_metrics.insert(extra_metrics.end(), metrics.begin(), metrics.end());
    p.metrics = comparison_metrics(*p.base, extra_metrics, p.rules);
    std::string problems = unknown_metrics(p, metrics);
    if (problems.empty() && !p.on_mean && !p.rules.empty() && p.base->replications < 2)
      problems = p.base_file +
                 ": rules judged on the ci95 need at least 2 replications (got 1): use "
                 "--replications N, or --judge mean";
    if (!problems.empty()) {
      std::cerr << problems << "\n";
      p.error = problems;
      p.base.reset();
      p.change.reset();
      bad_input = true;
    }
  }
  // One pair: bad input stops here, before any output file exists.
  if (bad_input && !dirs) return kExitUsage;

  OutputSet outputs("compare");
  outputs.add_inputs(inputs);
  outputs.add("--junit", junit_path);
  outputs.add("--markdown", markdown_path);
  outputs.add("--json", json_path);
  if (!outputs.open()) return kExitUsage;

  std::vector<std::size_t> runnable;
  for (std::size_t i = 0; i < pairs.size(); ++i)
    if (pairs[i].base) runnable.push_back(i);
  std::vector<std::string> run_errors(pairs.size());
  run_jobs(runnable.size(), common.threads, common.quiet, "compare", "pairs",
           [&](std::size_t job, std::uint32_t threads) {
             ComparePair& p = pairs[runnable[job]];
             CommonOptions o = common;
             o.threads = threads;
             o.quiet = common.quiet || runnable.size() > 1;  // one progress line for many
             try {
               const RunSummary base = simulate(*p.base, o, nullptr);
               const RunSummary change = simulate(*p.change, o, nullptr);
               std::vector<MetricNode> base_runs, change_runs;
               for (const ReplicationResult& r : base.runs) base_runs.push_back(r.statistics);
               for (const ReplicationResult& r : change.runs) change_runs.push_back(r.statistics);
               p.result = compare_runs(*p.base, *p.change, base_runs, change_runs, p.metrics,
                                       p.rules, p.on_mean);
             } catch (const std::exception& e) {
               if (!dirs) throw;  // one pair: main() reports it as for any verb
               p.error = e.what();
               p.run_failed = true;
             }
           });

  // The outputs, in the order of the pairs.
  std::vector<std::string> suites;
  std::size_t tests = 0, failures = 0, errors = 0;
  std::string table, md, json_text = "{\"comparisons\":[";
  md = "## trsim compare\n\n";
  bool first_json = true;
  for (const ComparePair& p : pairs) {
    const std::string title = p.title.empty() ? p.base_file : p.title;
    if (!p.result) {
      if (p.run_failed) std::cerr << title << ": " << p.error << "\n";
      suites.push_back(error_junit_suite(title, p.error));
      md += error_markdown(title, p.error);
      ++tests;
      ++errors;
      bad_input = true;
      continue;
    }
    const Comparison& c = *p.result;
    if (dirs) table += "== " + title + "\n";
    table += comparison_table(c) + "\n";
    suites.push_back(comparison_junit_suite(title, c));
    md += comparison_markdown(title, c);
    tests += c.rules.size() + c.metrics.size();
    failures += static_cast<std::size_t>(c.failures);
    json_text += first_json ? "\n" : ",\n";
    first_json = false;
    json_text += comparison_json(c);
  }
  json_text += "\n]}\n";
  for (const std::string& n : notes) table += n + "\n";
  if (!notes.empty()) {
    md += "Not compared:\n\n";
    for (const std::string& n : notes) md += "- " + n + "\n";
    md += "\n";
  }
  if (std::ostream* junit = outputs.stream("--junit"))
    *junit << junit_document("trsim compare", suites, tests, failures, errors);
  if (std::ostream* markdown = outputs.stream("--markdown")) *markdown << md;
  if (std::ostream* json = outputs.stream("--json")) *json << json_text;
  if (!outputs.commit()) return kExitUsage;
  if (!outputs.uses_stdout() && (!common.quiet || failures > 0)) std::cout << table;
  if (bad_input) return kExitUsage;
  return failures > 0 ? kExitExpectations : kExitOk;
}

}  // namespace trsim::cli
