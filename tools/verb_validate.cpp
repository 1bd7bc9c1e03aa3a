// `trsim validate`: loads the scenario, checks its `expect:` metric paths and lints routing
// pitfalls, without running it.
#include <iostream>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "trsim/lint.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

int verb_validate(int argc, char** argv) {
  const VerbHelp help{
      "validate", "SCENARIO.yaml [options]",
      "  trsim validate scenarios/support-centre.yaml\n"
      "  trsim validate scenarios/check-pass.yaml --strict   # lints fail the build\n"};
  CommonOptions common;
  bool strict = false;
  po::options_description specific("validate options");
  specific.add_options()("strict", po::bool_switch(&strict),
                         "treat routing lints as errors (exit 2 when any is found)");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
  const auto scenario = load(common, true);
  if (!scenario) return kExitUsage;
  const std::vector<std::string> unknown = unknown_expectation_metrics(*scenario);
  for (const std::string& m : unknown) std::cerr << m << "\n";
  if (!unknown.empty()) return kExitUsage;
  // Routing pitfalls: warnings (exit 0) unless --strict.
  const std::vector<Diagnostic> lints = lint_scenario(*scenario, {strict});
  for (const Diagnostic& d : lints) std::cerr << d.format() << "\n";
  const int lint_code = lint_exit_code(lints);
  if (lint_code != 0) return lint_code;
  if (!common.quiet)
    std::cout << common.scenario << ": ok (" << scenario->workers.size() << " workers, "
              << scenario->task_queues.size() << " task queues, " << scenario->workflows.size()
              << " workflows, " << scenario->arrivals.size() << " arrival streams"
              << (lints.empty() ? "" : ", " + std::to_string(lints.size()) + " lint warnings")
              << ")\n";
  return kExitOk;
}

}  // namespace trsim::cli
