#pragma once
// Evaluating a scenario's `expect:` list against aggregated statistics: shared by `trsim check`
// (the table and the JUnit report), `trsim staff` (the search) and `trsim tune` (constraints).
#include <optional>
#include <string>
#include <string_view>

#include "trsim/scenario.hpp"
#include "trsim/statistics.hpp"

namespace trsim {

/// A ratio metric (service level, abandon rate, occupancy): a fraction 0–1 in every file, a
/// percentage wherever a person reads it (console tables, messages, the report). The one rule:
/// the path's last part is `abandon_rate` or `occupancy`, or its threshold follows `service_level`
/// (`task_queues.Q.service_level.20`); names of queues and groups do not count.
bool is_ratio_metric(std::string_view metric);

/// How one expectation fared.
struct ExpectationOutcome {
  Aggregate value;  ///< the metric over the replications
  bool met = false;
  /// Why it fell short ("" when met), e.g. "the mean 31.39 is above 30"; a ratio metric's values
  /// and bound in % ("the ci95 reaches down to 72.9%, below 75%").
  std::string reason;
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
/// whole interval must hold, and " at 2:30" for a line on one interval. With `percent` the numbers
/// are in % (">= 75%"), as the console prints a ratio's bound.
std::string describe_bound(const Expectation& e, bool percent = false);

}  // namespace trsim
