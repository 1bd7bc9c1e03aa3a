#pragma once
// Routing lints for `trsim validate`: a scenario that loads may still route badly (a final target
// whose timeout cancels tasks, a queue no worker matches, `HAS` on a scalar attribute, ...).
// Each lint is a Diagnostic located at the queue, filter or target at fault, with a message that
// says what will happen at run time and how to fix it. docs/lints.md lists them all.
#include <vector>

#include "trsim/loader.hpp"
#include "trsim/scenario.hpp"

namespace trsim {

struct LintOptions {
  /// `trsim validate --strict`: lints are reported as errors (Severity::error) instead of
  /// warnings, so that a CI job fails on them.
  bool strict = false;
};

/// Every routing pitfall of a loaded scenario, sorted by location (the scenario file first, then
/// other files such as a workflow configuration_file, each by line and column). Severity::warning
/// unless `options.strict`. Pure: the same scenario always gives the same list.
std::vector<Diagnostic> lint_scenario(const Scenario& scenario, const LintOptions& options = {});

/// The exit code `trsim validate` gives once the scenario has loaded: 0 when the lints hold no
/// error (warnings alone never fail validation), 2 when any is an error — that is, with
/// `--strict` (LintOptions::strict), as soon as there is a lint.
int lint_exit_code(const std::vector<Diagnostic>& lints);

}  // namespace trsim
