// `trsim check`: runs the scenario and evaluates its `expect:` list; exit 1 when any falls short.
#include <iostream>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

int verb_check(int argc, char** argv) {
  const VerbHelp help{"check", "SCENARIO.yaml [options]",
                      "  trsim check scenarios/check-pass.yaml --replications 10\n"};
  CommonOptions common;
  po::options_description specific("check options");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
  const auto scenario = load(common, !common.quiet);
  if (!scenario) return kExitUsage;
  if (scenario->expectations.empty()) {
    std::cerr << common.scenario << ": the scenario has no `expect:` list to check\n";
    return kExitUsage;
  }
  // A misspelt metric is an input error, found before the run rather than after it.
  const std::vector<std::string> unknown = unknown_expectation_metrics(*scenario);
  for (const std::string& m : unknown) std::cerr << m << "\n";
  if (!unknown.empty()) return kExitUsage;
  const RunSummary summary = simulate(*scenario, common, nullptr);
  const CheckReport report = check_expectations(*scenario, summary);
  if (!report.unknown_metrics.empty()) {
    for (const std::string& m : report.unknown_metrics) std::cerr << m << "\n";
    return kExitUsage;
  }
  if (!common.quiet || report.failures > 0) std::cout << report.table;
  return report.failures > 0 ? kExitExpectations : kExitOk;
}

}  // namespace trsim::cli
