#pragma once
// `trsim staff`: the smallest worker counts of one or more groups that meet every `expect:` of a
// scenario, by a search that relies on more agents never making the expectations harder to meet
// (docs/experiments.md, "trsim staff"). The caller evaluates a staffing (loads the scenario with
// the counts and runs it); this module knows nothing of loading or printing.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "trsim/expectations.hpp"
#include "trsim/runner.hpp"

namespace trsim {

using Staffing = std::vector<std::int64_t>;  ///< one count per searched group, in their order

struct StaffingEvaluation {
  Staffing counts;
  std::vector<ExpectationOutcome> outcomes;  ///< one per expectation
  bool met = false;                          ///< every expectation met
};

struct StaffingSettings {
  Staffing base;         ///< the scenario's counts of the groups (the mix several groups keep)
  std::int64_t min = 1;  ///< per group
  std::int64_t max = 1000;
};

struct StaffingResult {
  std::optional<StaffingEvaluation> found;  ///< empty: even `max` of every group falls short
  /// With a staffing found: the evaluation with one agent fewer in each group in turn (groups
  /// already at `min` are left out), in group order.
  std::vector<StaffingEvaluation> one_fewer;
  std::size_t evaluations = 0;  ///< distinct staffings run
};

/// One group: exponential search up from `min` (min, 2·min, 4·min, ... capped at `max`) to the
/// first count that meets, then bisection between it and the last that did not.
/// Several groups: the same search on a common scale k, where group g gets
/// clamp(ceil(k · base_g / max base), min, max) (k = max base is the scenario's own mix); then,
/// group by group in order, a bisection for the smallest count of that group that still meets
/// with the others fixed. Every staffing is run once (results are memoised).
StaffingResult find_staffing(const StaffingSettings& settings,
                             const std::vector<Expectation>& expectations,
                             const std::function<RunSummary(const Staffing&)>& evaluate);

}  // namespace trsim
