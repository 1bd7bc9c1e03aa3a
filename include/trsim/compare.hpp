#pragma once
// Comparing two scenarios run under common random numbers (`trsim compare`): the base and the
// change run with the same seed and replications, so streams and workers with the same names see
// the same random numbers, and replication r of the change is paired with replication r of the
// base. The paired differences come from the sweep's machinery (summarise_sweep, the base as the
// baseline point); rules on them (`--fail-if`, a `compare:` block) decide the exit code.
#include <cstdint>
#include <string>
#include <vector>

#include "trsim/scenario.hpp"
#include "trsim/statistics.hpp"

namespace trsim {

/// How far the base's and the change's random streams and workers pair up. Streams are named by
/// arrival stream and by worker (SPEC §5): a name on one side only has no counterpart, and the
/// pairing of the runs is then partial (their differences are still valid, only noisier).
struct Pairing {
  bool complete = true;
  std::vector<std::string> notes;  ///< one line per mismatch, e.g. "workers only in the base: ..."
};

Pairing compare_pairing(const Scenario& base, const Scenario& change);

/// One metric of a comparison.
struct MetricComparison {
  std::string metric;
  Aggregate base;
  Aggregate change;
  Aggregate difference;  ///< paired: per replication change − base, then aggregated
  /// The ci95 half-width the difference would have if the runs were independent (Welch): what
  /// pairing saves. Null with fewer than two values on a side.
  double unpaired_ci95 = kNull;
  /// The paired ci95 excludes zero (a difference with no spread at all is significant when it is
  /// not zero). False with fewer than two paired values.
  bool significant = false;
};

/// How one rule fared.
struct RuleOutcome {
  CompareRule rule;
  bool on_mean = false;  ///< judged on the mean (else on the whole ci95)
  Aggregate difference;
  bool failed = false;
  std::string reason;  ///< why it failed ("" when it held)
};

struct Comparison {
  std::string base_name;
  std::string change_name;
  std::uint64_t seed = 0;
  std::uint32_t replications = 0;
  Pairing pairing;
  std::vector<MetricComparison> metrics;
  std::vector<RuleOutcome> rules;
  int failures = 0;  ///< rules that failed
};

/// The metrics a comparison reports: the sweep's headline metrics (default_sweep_metrics), then
/// `extra` and the rules' metrics not among them, each once, in that order.
std::vector<std::string> comparison_metrics(const Scenario& base,
                                            const std::vector<std::string>& extra,
                                            const std::vector<CompareRule>& rules);

/// A rule judged on a difference. On the ci95 (default) a `<` rule fails when the whole interval
/// lies below the threshold (mean + ci95 < threshold) and a `>` rule when it lies above (mean −
/// ci95 > threshold); on the mean, when the mean does. A difference without data (null) fails,
/// and so does a ci95 judgement with fewer than two paired values.
RuleOutcome judge_rule(const CompareRule& rule, const Aggregate& difference, bool on_mean);

/// Compares per-replication statistics trees (base_runs[r] with change_runs[r]) on `metrics` and
/// judges `rules` (whose metrics must be among `metrics`).
Comparison compare_runs(const Scenario& base, const Scenario& change,
                        const std::vector<MetricNode>& base_runs,
                        const std::vector<MetricNode>& change_runs,
                        const std::vector<std::string>& metrics,
                        const std::vector<CompareRule>& rules, bool on_mean);

}  // namespace trsim
