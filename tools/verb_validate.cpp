// `trsim validate`: loads the scenario, checks its `expect:` metric paths and lints routing
// pitfalls, without running it.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "cli_text.hpp"
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
  std::uint64_t memory = 0;
  const auto scenario = load(common, true, {}, nullptr, &memory);
  if (!scenario) return kExitUsage;
  const std::vector<std::string> unknown = unknown_expectation_metrics(*scenario);
  for (const std::string& m : unknown) std::cerr << m << "\n";
  if (!unknown.empty()) return kExitUsage;
  // Routing pitfalls: warnings (exit 0) unless --strict.
  const std::vector<Diagnostic> lints = lint_scenario(*scenario, {strict});
  const bool colour = colour_on(STDERR_FILENO);
  for (const Diagnostic& d : lints) {
    // FILE:LINE:COL: warning: ..., or with --strict FILE:LINE:COL: error: ... (red / yellow on a
    // terminal).
    std::string text = d.format();
    const std::size_t at = text.size() - d.message.size();
    if (d.severity == Diagnostic::Severity::error) {
      text.insert(at, red("error:", colour) + " ");
    } else if (colour && text.compare(at - 9, 9, "warning: ") == 0) {
      text.replace(at - 9, 8, yellow("warning:", true));
    }
    std::cerr << text << "\n";
  }
  const int lint_code = lint_exit_code(lints);
  if (lint_code != 0) return lint_code;
  if (!common.quiet)
    std::cout << common.scenario << ": " << green("ok", colour_on(STDOUT_FILENO)) << " ("
              << count_of(scenario->workers.size(), "worker") << ", "
              << count_of(scenario->task_queues.size(), "task queue") << ", "
              << count_of(scenario->workflows.size(), "workflow") << ", "
              << count_of(scenario->arrivals.size(), "arrival stream") << ", about "
              << describe_memory(memory) << " of memory"
              << (lints.empty() ? "" : ", " + count_of(lints.size(), "lint warning")) << ")\n";
  return kExitOk;
}

}  // namespace trsim::cli
