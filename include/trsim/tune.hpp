#pragma once
// `trsim tune`: one parameter over a grid, then a finer grid around the best point, under common
// random numbers; the best feasible value and the values statistically indistinguishable from it
// (docs/experiments.md, "trsim tune"). The caller evaluates a value (loads the scenario with the
// override and runs it); this module knows nothing of loading or printing.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/expectations.hpp"
#include "trsim/runner.hpp"
#include "trsim/statistics.hpp"

namespace trsim {

/// `--range LO..HI`: whole numbers when both ends are written as whole numbers (a worker count
/// stays a count); durations with units ("5s..5m") are in seconds; otherwise real numbers.
struct TuneRange {
  double lo = 0;
  double hi = 0;
  bool integer = false;
};

/// Parses "LO..HI" (LO < HI); nullopt with `error` set when it is not a range.
std::optional<TuneRange> parse_tune_range(std::string_view text, std::string* error);

/// `--constraint 'METRIC<=V'` or `'METRIC>=V'` as an expectation on the mean; nullopt with
/// `error` set when it is not of that form.
std::optional<Expectation> parse_constraint(std::string_view text, std::string* error);

/// `N` values from lo to hi, evenly spaced (rounded to whole numbers for an integer range, else
/// to thousandths), without duplicates, ascending.
std::vector<double> tune_grid(double lo, double hi, std::size_t steps, bool integer);

/// The per-replication values of `metric` in replication order (NaN where a replication has no
/// data). Empty when the metric is not in the runs' statistics.
std::vector<double> replication_values(const RunSummary& summary, std::string_view metric);

/// The paired difference a − b over the replications where both have a value (common random
/// numbers make replication i of two points comparable).
Aggregate paired_difference(const std::vector<double>& a, const std::vector<double>& b);

struct TuneSettings {
  std::string objective;  ///< metric path
  bool maximise = true;
  std::vector<Expectation> constraints;  ///< on the mean
  TuneRange range;
  std::size_t steps = 8;         ///< points of the first grid
  std::size_t refine_steps = 5;  ///< points of the second grid, around the first grid's best
};

struct TunePoint {
  double value = 0;
  bool refined = false;  ///< from the second, finer grid
  Aggregate objective;
  std::vector<double> objective_runs;  ///< per replication, for paired differences
  std::vector<ExpectationOutcome> constraints;
  bool feasible = false;           ///< every constraint met and the objective has data
  Aggregate difference;            ///< paired objective difference to the recommended point
  bool indistinguishable = false;  ///< feasible, and the difference's ci95 covers 0
};

struct TuneResult {
  std::vector<TunePoint> points;    ///< ascending by value
  std::optional<std::size_t> best;  ///< index of the recommendation (none feasible: empty)
};

/// Evaluates the first grid, then the second over [best − step, best + step] (clipped to the
/// range; values already evaluated are not run again), and picks the feasible point with the
/// best objective mean (the smaller value on ties). `evaluate` runs the scenario with the
/// parameter set to the value; `on_point` (may be empty) is told before each evaluation.
TuneResult tune(const TuneSettings& settings, const std::function<RunSummary(double)>& evaluate,
                const std::function<void(std::size_t index, double value)>& on_point = {});

}  // namespace trsim
