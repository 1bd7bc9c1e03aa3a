#pragma once
// `trsim staff --per-interval`: for every interval of statistics.interval and every staffed worker
// group, the fewest workers logged in that meet every `expect:` line evaluated on that interval's
// statistics (docs/experiments.md, "Staffing per interval"). The analytic estimate (Erlang C, or
// Erlang A with patience) is the starting point; simulation under common random numbers corrects
// it, by one of two methods (StaffingMethod):
//
// - isa (the default): the iterative staffing algorithm of Feldman, Mandelbaum, Massey and Whitt
//   (2008) on whole days — the offered load per interval estimated from a run with every worker
//   logged in, staffed by the formulas, re-estimated until the staffing function settles — then
//   every interval's count bracketed by simulation, all intervals in parallel on whole-day runs.
// - search: relies on causality. What happens up to the end of interval k does not depend on the
//   staffing of later intervals, and with common random numbers a run cut at the end of interval k
//   sees exactly what the whole day sees up to there. So the intervals are staffed in time order,
//   each with runs cut at its end, the earlier intervals fixed at their requirement: the backlog
//   an interval leaves is carried into the next one's requirement.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "trsim/expectations.hpp"
#include "trsim/runner.hpp"
#include "trsim/scenario.hpp"

namespace trsim {

/// An `expect:` line read per interval: its metric's scope and column in the interval table.
struct IntervalTarget {
  std::size_t expectation = 0;  ///< index in Scenario::expectations
  std::string scope;            ///< interval scope label: "workspace", "queue:X", "group:G"
  std::string column;           ///< e.g. "service_level.20"
};

/// Maps the scenario's `expect:` lines onto interval-table columns; `skipped` receives the indices
/// of lines with no per-interval counterpart (e.g. workspace.tasks_completed). A line with an
/// `interval:` holds in that interval only (interval_outcomes says the others meet it).
std::vector<IntervalTarget> interval_targets(const Scenario& scenario,
                                             std::vector<std::size_t>* skipped);

/// The interval-table scope and column of expectation `i`, or empty when its metric has no
/// interval column (docs/scenario.md#expect, "Per-interval targets").
std::optional<IntervalTarget> interval_target(const Scenario& scenario, std::size_t i);

/// Evaluates any `expect:` line against a run: the whole-run statistics, or, for a line with an
/// `interval:`, that interval's cell of each replication's interval table aggregated over the
/// replications (the same rules, with interval_outcomes' one exception: an interval with no data
/// in which no task waited meets the line; one in which tasks waited but none stopped waiting
/// falls short, as a whole-run metric without data does). Empty when the metric names nothing.
std::optional<ExpectationOutcome> evaluate_any_expectation(const Scenario& scenario, std::size_t i,
                                                           const RunSummary& summary);

/// The analytic estimate of interval k: offered load and the workers Erlang C (Erlang A for
/// abandonment targets when every stream has patience) says meet the targets, summed over groups.
struct AnalyticInterval {
  double arrival_rate = 0;  ///< tasks per second, mean over the interval, every stream
  double handle = 0;        ///< mean handle time, s (weighted by the streams' rates)
  double load = 0;          ///< Erlangs
  std::int64_t agents = 0;  ///< the fewest agents meeting every target the formulas cover
  bool erlang_a = false;    ///< patience entered the estimate
};
std::vector<AnalyticInterval> analytic_requirements(const Scenario& scenario,
                                                    const std::vector<IntervalTarget>& targets);

/// The fewest agents Erlang C (Erlang A when `patience` > 0) says meet every target the formulas
/// cover at `load` Erlangs of calls with mean `handle` seconds: the square-root staffing rule with
/// the exact β for the targets. 0 when the load is 0.
std::int64_t analytic_agents(const Scenario& scenario, const std::vector<IntervalTarget>& targets,
                             double load, double handle, double patience);

/// How `staff_per_interval` corrects the analytic estimate by simulation
/// (docs/experiments.md, "Staffing per interval").
enum class StaffingMethod {
  /// The iterative staffing algorithm (Feldman, Mandelbaum, Massey and Whitt 2008): whole days,
  /// the offered load per interval estimated from the simulation and staffed by Erlang C/A, then
  /// every interval's count corrected by bracketing in parallel on whole-day runs. Few simulated
  /// days (about 10–25 for a day of 48 intervals).
  isa,
  /// Interval by interval in time order, each with runs cut at its end and the earlier intervals
  /// fixed: the fewest agents per interval given the earlier ones, at about 1.5–2 simulated days
  /// per interval.
  search,
};

struct IntervalStaffingSettings {
  StaffingMethod method = StaffingMethod::isa;
  /// isa: whole-day runs at most (then the best staffing found); 0 = 30 + 10 per staffed group.
  std::size_t max_rounds = 0;
  std::vector<GroupId> groups;     ///< the staffed groups
  std::vector<std::int64_t> base;  ///< their counts in the scenario: the mix the analytic total is
                                   ///< split by
  std::vector<double> cost;        ///< per staffed group (default 1)
  std::vector<std::int64_t> cap;   ///< per staffed group: the most workers it may log in
};

/// One target in one interval, from the aggregated interval table.
struct IntervalOutcome {
  double mean = 0, ci95 = 0;
  bool met = false;
};

struct IntervalStaffingResult {
  std::vector<IntervalTarget> targets;
  std::vector<AnalyticInterval> analytic;                    ///< per interval
  std::vector<std::vector<std::int64_t>> analytic_by_group;  ///< [interval][group]
  std::vector<std::vector<std::int64_t>> required;  ///< [interval][group]; empty rows when stopped
  RunSummary verification;                          ///< the whole day at `required`
  std::vector<std::vector<IntervalOutcome>> achieved;  ///< [interval][target], from verification
  /// [interval][target]: what Erlang C (Erlang A with patience) says the target reaches with the
  /// required agents of all groups on the interval's forecast load (NaN: not covered).
  std::vector<std::vector<double>> predicted;
  std::size_t runs = 0;  ///< scenario runs (each of the scenario's replications)
  double simulated_days =
      0;  ///< their lengths in horizons (a run cut at interval k counts (k+1)/K)
  StaffingMethod method = StaffingMethod::isa;
  std::size_t isa_iterations = 0;      ///< isa: load-estimation iterations until the staffing
                                       ///< function moved by at most one agent in every interval
  bool converged = true;               ///< isa: every interval bracketed and met within max_rounds
  std::vector<double> simulated_load;  ///< isa: the offered load per interval the simulation
                                       ///< gave (busy workers plus the work of canceled tasks)
  /// When some interval cannot meet a target even with every group at its cap: which, and why.
  std::optional<std::string> unmeetable;
  std::size_t unmeetable_interval = 0;
};

/// `scenario` must have each staffed group at its cap (the loader made that many workers); the
/// search gives every worker of those groups its own log-in schedule. `evaluate` runs a scenario
/// (all its replications, same seed: common random numbers).
IntervalStaffingResult staff_per_interval(
    const Scenario& scenario, const IntervalStaffingSettings& settings,
    const std::function<RunSummary(const Scenario&)>& evaluate);

/// Gives the workers of group `g` log-in schedules so that `counts[k]` of them are logged in during
/// interval k (the first ones; interval length statistics.interval): a worker logs in to its
/// initial activity when that is available (else the first available activity) and out to the
/// first unavailable activity (Offline by preference), rejecting pending offers. Returns an empty
/// string, or why it cannot (no available or no unavailable activity).
std::string set_interval_logins(Scenario& scenario, GroupId g,
                                const std::vector<std::int64_t>& counts);

/// The outcome of every target in interval k of an aggregated interval table: evaluate_bound() on
/// the interval's mean and ci95 (`ci: true` falls short without a ci95), except that an interval
/// with no data in which no task waited meets every target; a line on another interval is met.
std::vector<IntervalOutcome> interval_outcomes(const Scenario& scenario,
                                               const std::vector<IntervalTarget>& targets,
                                               const IntervalSummary& table, std::size_t k);

}  // namespace trsim
