// `trsim check`: runs the scenario and evaluates its `expect:` list; exit 1 when any falls short.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

int verb_check(int argc, char** argv) {
  const VerbHelp help{"check", "SCENARIO.yaml [options]",
                      "  trsim check scenarios/check-pass.yaml --replications 10\n"
                      "  trsim check scenarios/check-fail.yaml --junit reports/trsim.xml\n"};
  CommonOptions common;
  std::string junit_path;
  po::options_description specific("check options");
  specific.add_options()  //
      ("junit", po::value(&junit_path)->value_name("FILE"),
       "also write the results as JUnit XML (one test case per expectation) to FILE (- = stdout)");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
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
  // The report file is checked before the run and replaced after it.
  OutputSet outputs("check");
  outputs.add_inputs(inputs);
  outputs.add("--junit", junit_path);
  if (!outputs.open()) return kExitUsage;
  const RunSummary summary = simulate(*scenario, common, nullptr);
  const CheckReport report = check_expectations(*scenario, summary);
  if (!report.unknown_metrics.empty()) {
    for (const std::string& m : report.unknown_metrics) std::cerr << m << "\n";
    return kExitUsage;
  }
  if (std::ostream* out = outputs.stream("--junit")) *out << check_junit_xml(*scenario, report);
  if (!outputs.commit()) return kExitUsage;
  if (junit_path != "-" && (!common.quiet || report.failures > 0)) std::cout << report.table;
  return report.failures > 0 ? kExitExpectations : kExitOk;
}

}  // namespace trsim::cli
