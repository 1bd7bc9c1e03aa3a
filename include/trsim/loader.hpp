#pragma once
// Scenario loading: YAML text -> validated Scenario, or every problem as FILE:LINE:COL: message.
// The public API knows nothing of yaml-cpp.
#include <cstdint>
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

/// Resource limits: a scenario beyond them is rejected at load (with a message naming the command
/// line option that raises the limit) rather than exhausting memory or running for days.
struct LoadLimits {
  /// Workers over all groups (--max-workers).
  std::uint64_t max_workers = 1'000'000;
  /// Events one replication may process (--max-events). At load, an arrival stream expected to
  /// create more tasks than this is rejected (each task is at least one event); during the run
  /// the engine stops with EventBudgetExceeded when a replication goes beyond it.
  std::uint64_t max_events = 1'000'000'000;
  /// The longest horizon (--max-horizon); at most kMaxDuration (100 years).
  SimTime max_horizon = SimTime{366} * 86400 * kMicrosPerSecond;
  /// The memory a scenario may ask for (--max-memory), estimated at load in bytes from the tables
  /// it makes the loader, the engine and the collectors allocate (docs/guide.md, Safety). The
  /// default, a sixth of a 24 GiB machine, leaves room for the estimate's error (within a factor
  /// of two), for what it leaves out (tasks waiting, the event list) and for everything else.
  std::uint64_t max_memory = kDefaultMaxMemory;
  static constexpr std::uint64_t kDefaultMaxMemory = std::uint64_t{4} << 30;  // 4 GiB
  /// Replications that run at once (--threads): each holds the engine's tables.
  std::uint32_t parallel_replications = 1;
  /// --confine, for scenarios nobody vetted (CI on pull requests): every file the scenario reads
  /// must be inside the scenario's folder tree (links resolved), and errors in those files quote
  /// at most a short, escaped excerpt of them, for at most three errors a file.
  bool confine = false;
};

struct LoadOptions {
  /// --set PATH=VALUE overrides, applied to the YAML tree before validation, in order.
  std::vector<std::string> overrides;
  LoadLimits limits{};  // (an initializer, so that `LoadOptions{{"a=b"}}` stays warning-free)
};

struct LoadResult {
  std::optional<Scenario> scenario;     ///< set when there is no error
  std::vector<Diagnostic> diagnostics;  ///< errors (and warnings), in file order
  /// Every file the scenario read, as opened: the scenario (load_scenario_file only), then its
  /// configuration files, traces and empirical files. An output may not name one of them.
  std::vector<std::string> files;
  /// The memory the scenario asks for, estimated in bytes (what LoadLimits::max_memory bounds);
  /// 0 when the load failed before the estimate.
  std::uint64_t memory_bytes = 0;
  bool ok() const { return scenario.has_value(); }
};

/// A duration in the scenario's syntax ("90s", "1h30m", "2d", a number of seconds), for command
/// line options such as --max-horizon. On failure returns nullopt and sets `error`.
std::optional<SimTime> parse_duration_text(std::string_view text, std::string* error);

/// A size in bytes as messages write it: "812 bytes", "3.4 MiB", "41.2 GiB".
std::string describe_memory(std::uint64_t bytes);

/// The first thing in `text` that makes it no text file trsim reads: a byte sequence that is not
/// UTF-8, or a NUL byte. Every file the loader reads is checked (names with invalid UTF-8 would
/// make the outputs invalid UTF-8); `report` and `merge` check their inputs with it too.
struct TextProblem {
  int line = 1;
  int column = 1;  ///< in bytes, from 1
  std::string message;
};
std::optional<TextProblem> find_text_problem(std::string_view text);

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
