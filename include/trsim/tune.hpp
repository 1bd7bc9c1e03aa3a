#pragma once
// `trsim tune`: the settings (one or several) that optimise an objective metric subject to
// constraints, chosen with a statistical guarantee (docs/experiments.md, "trsim tune").
//
// Three phases, all under common random numbers (replication r of every setting uses the same
// random streams):
//   1. search, on `first_stage` replications per point: each parameter's grid, coordinate by
//      coordinate, then a compass (pattern) search with halving steps around the best point, down
//      to the parameter's resolution (1 for whole numbers);
//   2. selection among every feasible point the search evaluated, by the fully sequential
//      indifference-zone procedure of Kim & Nelson (2001), one replication at a time;
//   3. the near-ties: the points whose paired shortfall to the selected best is below δ with
//      confidence, and among them the one the declared preference asks for.
// The caller evaluates a point (loads the scenario with the overrides and runs replications);
// this module knows nothing of loading or printing.
#include <cstddef>
#include <cstdint>
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

/// Whether the setting at `path` takes whole numbers only: reservation and step timeouts (whole
/// seconds, as TaskRouter takes them), worker counts and `max_reserved_workers`.
bool whole_number_setting(std::string_view path);

/// The range on a whole-number domain: LO rounded up, HI rounded down; nullopt with `error` set
/// when no whole number is left ("10.2..10.8").
std::optional<TuneRange> snap_range(const TuneRange& range, std::string* error);

/// `--constraint 'METRIC<=V'` or `'METRIC>=V'`, on the mean; with a trailing ` ci`
/// (`'METRIC>=V ci'`) the whole ci95 must lie on the right side, as `ci: true` in `expect:`.
/// nullopt with `error` set when it is not of that form.
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

/// The `p` quantile of Student's t with `df` degrees of freedom (0 < p < 1, df >= 1).
double student_t_quantile(double p, std::size_t df);

/// Kim & Nelson's (2001) constant h² for `k` systems, a first stage of `n0` replications and
/// error probability `alpha`: h² = (n0 − 1)·((2α/(k − 1))^(−2/(n0 − 1)) − 1).
double kim_nelson_h2(std::size_t k, std::size_t n0, double alpha);

/// The indifference zone used when `--delta` is not given: 0.01 for a ratio (service level,
/// abandon rate, occupancy: one percentage point), 1 for a time in seconds, else 1% of `scale`
/// (the largest first-stage mean, in absolute value), or 1 when that is 0.
double default_delta(std::string_view metric, double scale);

/// Which of the points within δ of the best to recommend.
enum class TunePrefer {
  best,  ///< `--prefer default`: the selected best itself
  low,   ///< the smallest values (a shorter timeout passes a missed offer on sooner)
  high,  ///< the largest values
};

/// How the objective (and the constraints) combine over several scenarios, replication by
/// replication: their mean, or the worst of them.
enum class TuneAggregate { mean, worst };

struct TuneParameter {
  std::string path;  ///< as --set takes it
  TuneRange range;   ///< snapped when the domain is whole numbers
};

using TuneConfig = std::vector<double>;  ///< one value per parameter, in --param order

struct TuneSettings {
  std::string objective;  ///< metric path
  bool maximise = true;
  std::vector<Expectation> constraints;
  std::vector<TuneParameter> parameters;
  std::size_t steps = 8;         ///< points of each parameter's grid
  std::size_t refine_steps = 5;  ///< a real parameter's resolution: a grid step / (refine_steps+1)
  double delta = 0;              ///< the indifference zone; 0 = default_delta()
  double confidence = 0.95;      ///< 1 − α
  TunePrefer prefer = TunePrefer::best;
  TuneAggregate aggregate = TuneAggregate::mean;
  std::size_t scenarios = 1;              ///< evaluated together, aggregated per replication
  std::uint32_t first_stage = 10;         ///< n0, at least 2
  std::uint32_t max_replications = 1000;  ///< per point; reaching it voids the guarantee
};

struct TunePoint {
  TuneConfig values;
  bool searched = false;  ///< found by the pattern search (not on a parameter's grid)
  std::uint32_t replications = 0;
  std::vector<double> objective_runs;                ///< per replication, aggregated
  std::vector<std::vector<double>> constraint_runs;  ///< per constraint, per replication
  Aggregate objective;
  std::vector<ExpectationOutcome> constraints;
  bool feasible =
      false;  ///< the objective has data in every replication and every constraint holds
  bool finalist = false;            ///< took part in the selection (feasible after the first stage)
  std::uint32_t eliminated_at = 0;  ///< the selection's replication count when it fell out (0: no)
  Aggregate difference;             ///< paired objective difference point − selected best
  double shortfall_bound = kNull;   ///< upper confidence bound of how much worse than the best
  bool within_delta = false;        ///< the best itself, or shortfall_bound < δ (feasible)
};

struct TuneResult {
  std::vector<TunePoint> points;           ///< ordered by values
  std::optional<std::size_t> best;         ///< the selected best (none feasible: empty)
  std::optional<std::size_t> recommended;  ///< the preferred point within δ of the best
  double delta = 0;
  double h2 = 0;
  std::size_t finalists = 0;
  std::uint64_t total_replications = 0;  ///< over every point and scenario
  bool capped = false;  ///< the selection stopped at max_replications: no guarantee
};

/// Runs `count` replications of the scenario `scenario` (an index below settings.scenarios) with
/// the parameters at `values`, the first being replication `first`.
using TuneEvaluate = std::function<RunSummary(const TuneConfig& values, std::size_t scenario,
                                              std::uint32_t first, std::uint32_t count)>;

/// The search, the selection and the near-ties (see the top of this file). `on_point` (may be
/// empty) is told before each new point's first stage.
TuneResult tune(
    const TuneSettings& settings, const TuneEvaluate& evaluate,
    const std::function<void(std::size_t index, const TuneConfig& values)>& on_point = {});

}  // namespace trsim
