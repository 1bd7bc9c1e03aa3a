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
  // The report file is checked for writability before the run and replaced atomically after it.
  std::optional<AtomicFile> junit_file;
  try {
    if (!junit_path.empty() && junit_path != "-") junit_file.emplace(junit_path);
  } catch (const std::exception& e) {
    std::cerr << "trsim check: " << e.what() << "\n";
    return kExitUsage;
  }
  const RunSummary summary = simulate(*scenario, common, nullptr);
  const CheckReport report = check_expectations(*scenario, summary);
  if (!report.unknown_metrics.empty()) {
    for (const std::string& m : report.unknown_metrics) std::cerr << m << "\n";
    return kExitUsage;
  }
  if (!junit_path.empty()) {
    const std::string xml = check_junit_xml(*scenario, report);
    if (junit_path == "-") {
      std::cout << xml;
    } else {
      junit_file->stream() << xml;
      try {
        junit_file->commit();
      } catch (const std::exception& e) {
        std::cerr << "trsim check: " << e.what() << "\n";
        return kExitUsage;
      }
    }
  }
  if (junit_path != "-" && (!common.quiet || report.failures > 0)) std::cout << report.table;
  return report.failures > 0 ? kExitExpectations : kExitOk;
}

}  // namespace trsim::cli
