#pragma once
// Sweeps (§3, §7): a grid of parameter values, each point run for the same replications under
// common random numbers (every point uses the same seed, so replication r of every point sees
// the same arrivals and behaviours), in parallel with results independent of the number of
// threads; sharded into slices of (point, replication) units for cluster job arrays, and merged
// back into exactly the output of the unsharded run. The engine knows nothing of YAML: a sweep
// gets each point's Scenario from a builder the caller supplies.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/scenario.hpp"
#include "trsim/statistics.hpp"

namespace trsim {

/// The full grid of the swept parameters. Points are numbered like nested loops in parameter
/// order: the first parameter varies slowest, the last fastest.
struct SweepGrid {
  std::vector<SweepParameter> parameters;

  /// The number of points: the product of the value counts (1 with no parameter).
  std::size_t size() const;
  /// The value index of each parameter at `point`.
  std::vector<std::size_t> coordinates(std::size_t point) const;
  /// Each parameter's value at `point`, as written.
  std::vector<std::string> values(std::size_t point) const;
  /// "PATH=VALUE" for each parameter at `point`, in parameter order.
  std::vector<std::string> overrides(std::size_t point) const;
};

/// Splits a --set value list into its values, as written: "15s,30s,60s" at the commas that are
/// outside quotes, brackets and braces (so {uniform: {min: 1, max: 2}} stays one value), or a
/// YAML flow list "[a, 'b,c']" into its items. Empty items and unbalanced quotes or brackets are
/// errors (nullopt, with the reason in `error`).
std::optional<std::vector<std::string>> split_sweep_values(std::string_view text,
                                                           std::string* error);

/// The headline metrics of a sweep when --metric does not name them: workspace tasks_created,
/// tasks_completed, tasks_abandoned, tasks_canceled, service_level.<each threshold>,
/// avg_task_acceptance_time, abandon_rate, occupancy, reservations_created, _accepted,
/// _rejected, _timed_out, longest_task_waiting_age.
std::vector<std::string> default_sweep_metrics(const Scenario& scenario);

/// A unit of sweep work: one replication of one point. Units are numbered point-major:
/// unit = point * replications + replication.
struct SweepUnit {
  std::size_t point = 0;
  std::uint32_t replication = 0;
};

/// Units [begin, end) of a sweep's units.
struct UnitRange {
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// Shard `k` of `n` (0 <= k < n) of `units` units: a contiguous slice, the slices' sizes
/// differing by at most one (the first units % n shards take one more). Every unit lies in
/// exactly one shard; with n > units some shards are empty.
UnitRange shard_range(std::size_t units, std::size_t k, std::size_t n);

/// What identifies a sweep's results, shared by every shard of it.
struct SweepDesign {
  std::string scenario;  ///< the scenario's name
  std::uint64_t seed = 0;
  std::uint32_t replications = 0;  ///< per point
  SweepGrid grid;
  std::vector<std::string> metrics;  ///< headline metric paths
  std::size_t baseline = 0;          ///< the point differences are taken against
};

/// A --precision target: run until every point's ci95 half-width of `metric` is at most
/// `half_width`.
struct PrecisionTarget {
  std::string metric;
  double half_width = 0;
};

struct PrecisionReport {
  std::vector<PrecisionTarget> targets;
  std::uint32_t batch = 0;             ///< replications added per round
  std::uint32_t max_replications = 0;  ///< the cap
  bool met = false;                    ///< false: the cap stopped it first
};

/// Every replication's statistics, by point and replication.
struct SweepResults {
  SweepDesign design;
  std::vector<MetricRows> runs;  ///< runs[point].tree(replication)
  std::optional<PrecisionReport> precision;
};

/// Progress of a sweep (for a progress line): units and whole points finished.
struct SweepProgress {
  std::size_t units_done = 0;
  std::size_t units_total = 0;
  std::size_t points_done = 0;
  std::size_t points_total = 0;
};

/// Builds the scenario of a grid point. Called from worker threads, once per point and batch
/// of units; it may throw (the sweep then rethrows the error of the earliest unit).
using ScenarioBuilder = std::function<Scenario(std::size_t point)>;

struct SweepSettings {
  std::uint32_t threads = 1;
  bool check_invariants = false;
  /// Called after each unit finishes (serialised). May be empty.
  std::function<void(const SweepProgress&)> on_progress;
};

/// Runs `units` (each a pure function of its point's scenario and replication number) and
/// returns their statistics in the order of `units`, whatever the number of threads.
std::vector<MetricNode> run_sweep_units(const std::vector<SweepUnit>& units,
                                        const ScenarioBuilder& build,
                                        const SweepSettings& settings);

/// Runs the whole sweep: design.replications per point; with `precision` targets, then adds
/// replications to every point in rounds of `batch` (the decision reads only results, so it is
/// reproducible and independent of threads) until every point meets every target or the points
/// have `max_replications`. Every point ends with the same count.
SweepResults run_sweep(SweepDesign design, const ScenarioBuilder& build,
                       const SweepSettings& settings,
                       const std::vector<PrecisionTarget>& precision = {},
                       std::uint32_t max_replications = 1000);

/// Per point: each headline metric aggregated over its replications, and the paired difference
/// to the baseline point (per replication point − baseline, then aggregated).
struct SweepPointSummary {
  std::size_t index = 0;
  std::vector<std::string> values;  ///< one per parameter, as written
  std::uint32_t replications = 0;
  std::vector<Aggregate> metrics;      ///< indexed like design.metrics
  std::vector<Aggregate> differences;  ///< empty for the baseline point
  AggregateNode statistics;
};

std::vector<SweepPointSummary> summarise_sweep(const SweepResults& results);

/// The sweep JSON (docs/experiments.md): scenario, version, seed, replications, parameters,
/// baseline, metrics, [precision], points.
std::string sweep_json(const SweepResults& results, const std::vector<SweepPointSummary>& points);
/// The sweep CSV: a header `<parameter paths>,<m>.mean,<m>.ci95,<m>.diff,<m>.diff_ci95,...`
/// (per metric in order), then one row per point in grid order; an empty cell is null.
std::string sweep_csv(const SweepResults& results, const std::vector<SweepPointSummary>& points);
/// The table a person reads: the means (± ci95) per point, then the paired differences.
std::string sweep_table(const SweepResults& results, const std::vector<SweepPointSummary>& points);

/// A shard's partial result: the design, what identifies the scenario (a hash of its text, the
/// overrides and the grid), the version, and each covered unit's statistics.
struct SweepPartial {
  SweepDesign design;
  std::string scenario_hash;
  std::string version;
  std::size_t shard = 0;
  std::size_t shards = 1;
  std::vector<SweepUnit> units;
  MetricRows statistics;  ///< indexed like units
};

/// 16 hex digits identifying a sweep's inputs: the scenario file's text, the overrides applied
/// to every point (in order) and the grid.
std::string sweep_identity_hash(std::string_view scenario_text,
                                const std::vector<std::string>& overrides, const SweepGrid& grid);

/// The partial as JSON; numbers round-trip exactly through parse_sweep_partial.
std::string sweep_partial_json(const SweepPartial& partial);
/// Reads a partial back; nullopt with the reason in `error`, as "NAME:LINE:COL: message" for
/// JSON syntax and "NAME: message" otherwise (`name` names the file).
std::optional<SweepPartial> parse_sweep_partial(std::string_view text, const std::string& name,
                                                std::string* error);

/// Combines the parts (named by `names`, for messages) into the results of the whole sweep.
/// Fails (nullopt, `error` naming the file and the unit) when the parts differ in scenario,
/// version or design, or when a unit is missing or repeated.
/// The parts are taken by value: `trsim merge` moves its parts in, so that each statistics tree
/// is held once.
std::optional<SweepResults> merge_sweep_partials(std::vector<SweepPartial> parts,
                                                 const std::vector<std::string>& names,
                                                 std::string* error);

}  // namespace trsim
