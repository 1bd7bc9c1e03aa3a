#pragma once
// Scenario loading: YAML text -> validated Scenario, or every problem as FILE:LINE:COL: message.
// The public API knows nothing of yaml-cpp.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/scenario.hpp"

namespace trsim {

struct Diagnostic {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  SourceLocation where;
  std::string message;
  /// "FILE:LINE:COL: message" (warnings: "FILE:LINE:COL: warning: message").
  std::string format() const;
};

struct LoadOptions {
  /// --set PATH=VALUE overrides, applied to the YAML tree before validation, in order.
  std::vector<std::string> overrides;
};

struct LoadResult {
  std::optional<Scenario> scenario;     ///< set when there is no error
  std::vector<Diagnostic> diagnostics;  ///< errors (and warnings), in file order
  bool ok() const { return scenario.has_value(); }
};

/// Loads `path`. Relative file references in the scenario resolve against its folder.
LoadResult load_scenario_file(const std::string& path, const LoadOptions& options = {});
/// Loads YAML text; `file_name` is used in diagnostics, `base_dir` to resolve relative paths.
LoadResult load_scenario_text(std::string_view yaml, const std::string& file_name,
                              const std::string& base_dir, const LoadOptions& options = {});

/// Every key the loader accepts in a map of fixed shape, as a dotted path in the scenario
/// reference's notation (docs/scenario.md): named collections as `<name>` (`<group>` for worker
/// groups, `<stream>` for arrival streams), list elements as `[]`, keys of a distribution under
/// `<distribution>` — e.g. `workers.<group>.schedule[].at`, `<distribution>.lognormal.sd`. Keys
/// the user names (queues, attributes, capacities per channel) are not listed.
std::vector<std::string> scenario_keys();

}  // namespace trsim
