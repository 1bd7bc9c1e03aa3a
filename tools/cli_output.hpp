#pragma once
// What the command line prints and writes: the human summary, the expectations table, and output
// files that appear whole or not at all.
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/expectations.hpp"
#include "trsim/runner.hpp"
#include "trsim/scenario.hpp"

namespace trsim::cli {

/// A file written under a temporary name beside its destination and renamed over it by commit(),
/// so a failed run never leaves a half-written output. Throws std::runtime_error when the
/// temporary file cannot be created (an unwritable path fails before the run, not after).
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  ///< removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  std::ostream& stream() { return out_; }
  void commit();

 private:
  std::string path_;
  std::string temp_path_;
  std::ofstream out_;
  bool committed_ = false;
};

/// The interval table as CSV (`trsim run --intervals`), tidy: a header row
/// `interval_start,interval_start_utc,interval_end,scope_kind,scope_name,<columns>`, then one row
/// per interval × scope (the workspace, each queue, each worker group, in that order) holding the
/// mean over the replications. Times in seconds from time 0, and the start as ISO 8601 UTC from
/// the scenario's `start`; scope_kind is workspace, queue or group and scope_name the entity's
/// name ("workspace" for the workspace). With more than one replication every column is followed
/// by `<column>_ci95`, the 95% confidence half-width of its mean. An empty cell is null (no data,
/// or a column that does not apply to the scope). docs/statistics.md gives each column's unit.
std::string intervals_csv(const Scenario& scenario, const RunSummary& summary);

/// The summary's statistics in long (tidy) form (`trsim run --stats-csv`): a header
/// `scope_kind,scope_name,metric,statistic,value`, then one row per scope (workspace, queue,
/// workflow, group), metric (its dotted path inside the scope: `service_level.20`,
/// `wait_duration_until_accepted.avg`) and statistic (mean, ci95, min, max), in the summary
/// JSON's order; an empty value is null. `pandas.read_csv` reads it without reshaping.
std::string statistics_long_csv(const RunSummary& summary);

/// "0.8635 ± 0.023": a mean to 4 significant digits and its ci95 to 2 ("-" when null; the mean
/// alone without a ci95). For the tables of `trsim tune` and `trsim staff`.
std::string short_mean_ci(const Aggregate& a);

/// The summary a person reads after `trsim run`.
std::string human_summary(const Scenario& scenario, const RunSummary& summary);

/// One evaluated expectation of `trsim check`.
struct CheckCase {
  std::string metric;
  std::string bound;  ///< describe_bound(): ">= 0.75 (ci95)"
  ExpectationOutcome outcome;
};

struct CheckReport {
  std::vector<CheckCase> cases;  ///< in the order of the `expect:` list
  std::string table;             ///< one row per expectation, then a tally
  int failures = 0;
  std::vector<std::string> unknown_metrics;  ///< FILE:LINE:COL: diagnostics
};

/// FILE:LINE:COL diagnostics for `expect:` lines naming no metric of this scenario (checked
/// before the run).
std::vector<std::string> unknown_expectation_metrics(const Scenario& scenario);

/// Evaluates the scenario's `expect:` list against the aggregated statistics.
CheckReport check_expectations(const Scenario& scenario, const RunSummary& summary);

/// The report as JUnit XML (`trsim check --junit`): one <testsuite> named after the scenario, one
/// <testcase> per expectation named "METRIC BOUND", with a <failure message="..."> when it fell
/// short.
std::string check_junit_xml(const Scenario& scenario, const CheckReport& report);

/// The <testsuite> element of check_junit_xml (indented for a place inside <testsuites>), named
/// `suite_name` (the scenario's name when empty).
std::string check_junit_suite(const Scenario& scenario, const CheckReport& report,
                              const std::string& suite_name = "");

/// "0.912 ± 0.013": the mean and its ci95 to `decimals` decimals ("-" when null).
std::string mean_with_ci(const Aggregate& a, int decimals);

}  // namespace trsim::cli
