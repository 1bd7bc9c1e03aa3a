#pragma once
// Runs the replications of a scenario, in parallel when asked, with results independent of the
// number of threads, and writes the summary JSON.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "trsim/engine.hpp"
#include "trsim/scenario.hpp"
#include "trsim/statistics.hpp"

namespace trsim {

struct RunSettings {
  std::uint32_t threads = 1;
  /// The event log (JSON Lines), or null. Replications are written in order, whatever the threads.
  std::ostream* events = nullptr;
  bool check_invariants = false;
  /// Called after each replication finishes (from the thread that ran it, serialised), for
  /// progress display. May be empty.
  std::function<void(std::uint32_t done, std::uint32_t total)> on_progress;
};

struct RunSummary {
  std::vector<ReplicationResult> runs;  ///< in replication order
  AggregateNode statistics;             ///< aggregated over runs
};

/// Runs scenario.replications replications with scenario.seed.
RunSummary run_scenario(const Scenario& scenario, const RunSettings& settings);

/// The shape of a replication's statistics tree for this scenario (every value null), known
/// before any run: `trsim validate` and `trsim check` check `expect:` metric paths against it.
MetricNode statistics_shape(const Scenario& scenario);

/// The summary JSON (§4): scenario, seed, replications, horizon, warmup, statistics, runs.
std::string summary_json(const Scenario& scenario, const RunSummary& summary);

}  // namespace trsim
