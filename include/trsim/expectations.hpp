#pragma once
// Evaluating a scenario's `expect:` list against aggregated statistics: shared by `trsim check`
// (the table and the JUnit report), `trsim staff` (the search) and `trsim tune` (constraints).
#include <optional>
#include <string>

#include "trsim/scenario.hpp"
#include "trsim/statistics.hpp"

namespace trsim {

/// How one expectation fared.
struct ExpectationOutcome {
  Aggregate value;  ///< the metric over the replications
  bool met = false;
  std::string reason;  ///< why it fell short ("" when met), e.g. "mean 0.71 is below 0.75"
};

/// Evaluates `e` against `statistics` (an aggregated tree), the whole run: `e.interval` is not
/// looked at (the interval table is the experiment layer's: evaluate_interval_expectation in
/// trsim/interval_staffing.hpp). Empty when the metric path names no leaf of the tree.
///
/// Without `ci`, the mean must lie within [min, max]. With `ci: true` the whole 95% interval must:
/// mean − ci95 ≥ min and mean + ci95 ≤ max; the interval needs at least two replications with a
/// value, so with fewer the expectation falls short ("needs at least 2 replications"). A metric
/// with no data (null mean: no task in its denominator) falls short too.
std::optional<ExpectationOutcome> evaluate_expectation(const Expectation& e,
                                                       const AggregateNode& statistics);

/// Evaluates the bounds of `e` against one metric's value over the replications (the rules
/// above).
ExpectationOutcome evaluate_bound(const Expectation& e, const Aggregate& value);

/// The start of an interval as `trsim check` prints it: hours:minutes from time 0 ("2:30"),
/// with seconds when it has any.
std::string describe_interval(SimTime start);

/// The bound as people read it: ">= 0.75", "<= 30", "in [10, 20]", followed by " (ci95)" when the
/// whole interval must hold, and " at 2:30" for a line on one interval.
std::string describe_bound(const Expectation& e);

}  // namespace trsim
