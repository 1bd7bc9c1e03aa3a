#pragma once
// Runs the replications of a scenario, in parallel when asked, with results independent of the
// number of threads, and writes the summary JSON.
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "trsim/engine.hpp"
#include "trsim/scenario.hpp"
#include "trsim/sink.hpp"
#include "trsim/statistics.hpp"
#include "trsim/warmup.hpp"

namespace trsim {

/// A file the run itself writes (the event logs of parallel replications, parked in the temporary
/// folder) could not be written: a user's environment problem (a full disk, `ulimit -f`), not a
/// bug. The message says the system's reason.
struct OutputFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RunSettings {
  std::uint32_t threads = 1;
  /// The event log (JSON Lines), or null. Replications are written in order, whatever the threads.
  std::ostream* events = nullptr;
  /// Its format, and (TaskRouter format) whether events are the comma-led items of a page.
  EventLogFormat events_format = EventLogFormat::jsonl;
  bool events_separator = false;
  bool check_invariants = false;
  /// The index of the first replication run: replications first_replication ..
  /// first_replication + scenario.replications − 1 (each a pure function of the seed and its
  /// index), so that a sequential procedure (`trsim tune`) can add replications one at a time.
  std::uint32_t first_replication = 0;
  /// Called after each replication finishes (from the thread that ran it, serialised), for
  /// progress display. May be empty.
  std::function<void(std::uint32_t done, std::uint32_t total)> on_progress;
};

/// The replications' interval tables aggregated cell by cell, in replication order (so the same
/// for any number of threads): `mean` has the shape of every replication's table and holds the
/// means; `ci95` the Student-t half-widths, indexed like `mean.values`. Null cells (NaN) are left
/// out of a cell's aggregate; a cell null in every replication stays null.
struct IntervalSummary {
  IntervalTable mean;
  std::vector<double> ci95;
};

struct RunSummary {
  std::vector<ReplicationResult> runs;  ///< in replication order
  AggregateNode statistics;             ///< aggregated over runs
  IntervalSummary intervals;            ///< aggregated over runs
  /// With `warmup: auto`: the warm-up the statistics used, and how it was chosen.
  std::optional<AutoWarmup> auto_warmup;
};

/// Aggregates the replications' interval tables cell by cell (run_scenario does this).
IntervalSummary aggregate_intervals(const std::vector<ReplicationResult>& runs);

/// Runs scenario.replications replications with scenario.seed. With `warmup: auto` a pilot run
/// of the same replications chooses the warm-up first (pilot_warmup()).
RunSummary run_scenario(const Scenario& scenario, const RunSettings& settings);

/// The shape of a replication's statistics tree for this scenario (every value null), known
/// before any run: `trsim validate` and `trsim check` check `expect:` metric paths against it.
MetricNode statistics_shape(const Scenario& scenario);

/// The summary JSON (§4): scenario, seed, replications, horizon, warmup, start (ISO 8601 UTC),
/// timeout_activity, expect, statistics, intervals, runs (each with its own statistics and
/// intervals).
std::string summary_json(const Scenario& scenario, const RunSummary& summary);

}  // namespace trsim
