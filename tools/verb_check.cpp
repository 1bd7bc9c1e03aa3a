// `trsim check`: runs the scenario and evaluates its `expect:` list; exit 1 when any falls short.
// With several scenario files, runs them in parallel across scenarios and reports them together
// (one JUnit file with a suite per scenario, one markdown summary).
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_compare.hpp"
#include "cli_output.hpp"
#include "cli_text.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

namespace {

// One scenario of a multi-scenario check.
struct CheckJob {
  std::string file;
  std::optional<Scenario> scenario;
  std::optional<CheckReport> report;
  std::string error;  ///< why it could not run or be judged
};

int check_many(const CommonOptions& common, const std::string& junit_path,
               const std::string& markdown_path) {
  std::vector<CheckJob> jobs;
  std::vector<std::string> inputs;  // every file the scenarios read: no output may name one
  jobs.push_back({common.scenario, {}, {}, ""});
  for (const std::string& f : common.more_scenarios) jobs.push_back({f, {}, {}, ""});
  // Loading and the checks before the run, one scenario after another (errors on stderr).
  for (CheckJob& j : jobs) {
    CommonOptions o = common;
    o.scenario = j.file;
    std::vector<std::string> files;
    j.scenario = load(o, !common.quiet, {}, &files);
    inputs.insert(inputs.end(), files.begin(), files.end());
    inputs.push_back(j.file);  // also when it failed to load
    if (!j.scenario) {
      j.error = "the scenario is invalid (errors on stderr)";
    } else if (j.scenario->expectations.empty()) {
      j.error = "the scenario has no `expect:` list to check";
    } else {
      std::string unknown;
      for (const std::string& m : unknown_expectation_metrics(*j.scenario)) {
        if (!unknown.empty()) unknown += "\n";
        unknown += m;
      }
      if (!unknown.empty()) j.error = unknown;
    }
    if (!j.error.empty()) {
      std::cerr << j.file << ": " << j.error << "\n";
      j.scenario.reset();
    }
  }
  OutputSet outputs("check");
  outputs.add_inputs(inputs);
  outputs.add("--junit", junit_path);
  outputs.add("--markdown", markdown_path);
  if (!outputs.open()) return kExitUsage;

  std::vector<std::size_t> runnable;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (jobs[i].scenario) runnable.push_back(i);
  run_jobs(runnable.size(), common.threads, common.quiet, "check", "scenarios",
           [&](std::size_t k, std::uint32_t threads) {
             CheckJob& j = jobs[runnable[k]];
             CommonOptions o = common;
             o.threads = threads;
             o.quiet = true;  // one progress line for all the scenarios
             try {
               const RunSummary summary = simulate(*j.scenario, o, nullptr);
               CheckReport report = check_expectations(*j.scenario, summary);
               if (report.unknown_metrics.empty()) {
                 j.report = std::move(report);
               } else {
                 for (const std::string& m : report.unknown_metrics) {
                   if (!j.error.empty()) j.error += "\n";
                   j.error += m;
                 }
               }
             } catch (const std::exception& e) {  // e.g. --max-events
               j.error = e.what();
             }
           });

  std::vector<std::string> suites;
  std::size_t tests = 0, failures = 0, errors = 0;
  std::string table, md = "## trsim check\n\n";
  for (const CheckJob& j : jobs) {
    if (!j.report) {
      if (j.scenario) std::cerr << j.file << ": " << j.error << "\n";  // failed while running
      suites.push_back(error_junit_suite(j.file, j.error));
      md += error_markdown(j.file, j.error);
      table += "== " + j.file + "\nERROR: " + j.error + "\n\n";
      ++tests;
      ++errors;
      continue;
    }
    suites.push_back(check_junit_suite(*j.scenario, *j.report, j.file));
    md += check_markdown(j.file, *j.report);
    if (!common.quiet || j.report->failures > 0)
      table += "== " + j.file + "\n" + j.report->table + "\n";
    tests += j.report->cases.size();
    failures += static_cast<std::size_t>(j.report->failures);
  }
  if (std::ostream* junit = outputs.stream("--junit"))
    *junit << junit_document("trsim check", suites, tests, failures, errors);
  if (std::ostream* markdown = outputs.stream("--markdown")) *markdown << md;
  if (!outputs.commit()) return kExitUsage;
  if (!outputs.uses_stdout()) std::cout << colour_verdicts(table, colour_on(STDOUT_FILENO));
  std::cout.flush();
  if (!common.quiet)
    std::cerr << fmt::format("check: {} scenario{}, {} expectation{} failed, {} error{}\n",
                             jobs.size(), jobs.size() == 1 ? "" : "s", failures,
                             failures == 1 ? "" : "s", errors, errors == 1 ? "" : "s");
  if (errors > 0) return kExitUsage;
  return failures > 0 ? kExitExpectations : kExitOk;
}

}  // namespace

int verb_check(int argc, char** argv) {
  VerbHelp help{"check", "SCENARIO.yaml [SCENARIO.yaml ...] [options]",
                "  trsim check scenarios/check-pass.yaml --replications 10\n"
                "  trsim check scenarios/check-fail.yaml --junit reports/trsim.xml\n"
                "  trsim check scenarios/check-pass.yaml --junit r.xml --markdown r.md\n"};
  help.many_scenarios = true;
  CommonOptions common;
  std::string junit_path, markdown_path;
  po::options_description specific("check options");
  specific.add_options()  //
      ("junit", po::value(&junit_path)->value_name("FILE"),
       "also write the results as JUnit XML (one test case per expectation; with several "
       "scenarios one suite per scenario) to FILE (- = stdout)")  //
      ("markdown", po::value(&markdown_path)->value_name("FILE"),
       "also write a markdown summary (for a pull request or a CI job summary) to FILE (- = "
       "stdout)");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
  if (!common.more_scenarios.empty()) return check_many(common, junit_path, markdown_path);
  std::vector<std::string> inputs;
  const auto scenario = load(common, !common.quiet, {}, &inputs);
  if (!scenario) return kExitUsage;
  if (scenario->expectations.empty()) {
    std::cerr << common.scenario << ": the scenario has no `expect:` list to check\n";
    return kExitUsage;
  }
  // A misspelt metric is an input error, found before the run rather than after it.
  const std::vector<std::string> unknown = unknown_expectation_metrics(*scenario);
  for (const std::string& m : unknown) std::cerr << m << "\n";
  if (!unknown.empty()) return kExitUsage;
  // The report files are checked for writability before the run and replaced atomically after it.
  OutputSet outputs("check");
  outputs.add_inputs(inputs);
  outputs.add("--junit", junit_path);
  outputs.add("--markdown", markdown_path);
  if (!outputs.open()) return kExitUsage;
  const RunSummary summary = simulate(*scenario, common, nullptr);
  const CheckReport report = check_expectations(*scenario, summary);
  if (!report.unknown_metrics.empty()) {
    for (const std::string& m : report.unknown_metrics) std::cerr << m << "\n";
    return kExitUsage;
  }
  if (std::ostream* junit = outputs.stream("--junit")) *junit << check_junit_xml(*scenario, report);
  if (std::ostream* markdown = outputs.stream("--markdown"))
    *markdown << "## trsim check\n\n" + check_markdown(scenario->name, report);
  if (!outputs.commit()) return kExitUsage;
  if (!outputs.uses_stdout() && (!common.quiet || report.failures > 0))
    std::cout << colour_verdicts(report.table, colour_on(STDOUT_FILENO));
  return report.failures > 0 ? kExitExpectations : kExitOk;
}

}  // namespace trsim::cli
