#pragma once
// What the command line prints and writes: the human summary, the expectations table, and output
// files that appear whole or not at all.
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trsim/expectations.hpp"
#include "trsim/runner.hpp"
#include "trsim/scenario.hpp"

namespace trsim {
struct IntervalOutcome;
}

namespace trsim::cli {

/// Why an output cannot be written: "cannot write 'out.json': No space left on device".
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A stream buffer over a file descriptor that remembers the first failed write (its errno) and
/// drops everything after it, so that a full disk or a closed pipe is reported once, at the end.
class FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd = -1) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
  void reset(int fd) { fd_ = fd; }
  int fd() const { return fd_; }
  /// Writes what is buffered; false (and error() set) when a write failed now or earlier.
  bool drain();
  /// errno of the first failed write; 0 when every write succeeded.
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override;
  int sync() override { return drain() ? 0 : -1; }
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  /// Seeking (an Events API page patches its first comma) writes out the buffer first.
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode) override;
  pos_type seekpos(pos_type pos, std::ios_base::openmode mode) override {
    return seekoff(off_type(pos), std::ios_base::beg, mode);
  }

 private:
  bool write_all(const char* p, std::size_t n);
  int fd_;
  int error_ = 0;
  char buffer_[1 << 16];
};

/// One output file, written so that it can never hurt a file the user did not name:
/// - a regular file (or a name not yet taken) is written under a unique temporary name in the same
///   folder, created exclusively and never through a link, and renamed over the destination by
///   commit(), only when the destination is still a regular file or absent;
/// - a link to a regular file is followed: the file it names is replaced, the link kept;
/// - a device, a FIFO or a terminal (`/dev/full`, `/dev/stdout`) is written in place, never
///   replaced;
/// - the temporary file is removed by the destructor, and by SIGINT, SIGTERM, SIGHUP and SIGPIPE
///   (install_signal_cleanup()).
/// Throws OutputError with the system's reason when the file cannot be created (before the run).
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  ///< removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  std::ostream& stream() { return out_; }
  /// finish() then publish().
  void commit();
  /// Writes out and closes the file; throws OutputError when a write failed (the temporary is
  /// removed, the destination untouched).
  void finish();
  /// Renames the temporary over the destination (nothing for a file written in place).
  void publish();
  const std::string& path() const { return path_; }

 private:
  void discard();
  std::string path_;         ///< as the user named it (for messages)
  std::string destination_;  ///< where the temporary is renamed to (links resolved)
  std::string temp_path_;    ///< empty when written in place
  bool existed_ = false;     ///< the destination was a regular file when opened
  int fd_ = -1;
  FdBuffer buffer_;
  std::ostream out_;
  bool committed_ = false;
  int slot_ = -1;  ///< the temporary's slot in the signal-cleanup table
};

/// A command's outputs, checked and committed as a set:
/// - before anything is written, no output may be the same file (by device and inode, or by the
///   resolved path) as an input, another output, or the file standard output is redirected to;
/// - commit() writes out every file and what was printed to standard output, and only when all
///   succeeded renames them all, so a full disk or a failing standard output leaves every previous
///   output as it was.
/// An empty path is an output not asked for; "-" is standard output.
class OutputSet {
 public:
  explicit OutputSet(std::string verb) : verb_(std::move(verb)) {}
  /// A file the command reads ("-" = standard input); no output may name it.
  void add_input(const std::string& path);
  void add_inputs(const std::vector<std::string>& paths);
  /// An output given by `option` ("--json").
  void add(std::string option, std::string path);
  /// Checks the outputs and opens the files; prints "trsim VERB: why" and returns false when one
  /// cannot be written. Nothing has been written then.
  bool open();
  /// Where the output of `option` goes: its file, std::cout for "-", nullptr when not asked for.
  std::ostream* stream(std::string_view option);
  bool uses_stdout() const;
  /// Writes out every file, then renames them all; prints the reason and returns false when one
  /// failed (then none was renamed).
  bool commit();

 private:
  struct Output {
    std::string option, path;
    std::unique_ptr<AtomicFile> file;
  };
  std::string verb_;
  std::vector<std::string> inputs_;
  std::vector<Output> outputs_;
};

/// The identity checks of OutputSet::open() for outputs given as (option, path): no two may be
/// one file (device and inode, or resolved path) or both "-", none may be an input or the file
/// standard output is redirected to. Prints "trsim VERB: why" and returns false on a problem.
bool check_output_paths(const std::string& verb,
                        const std::vector<std::pair<std::string, std::string>>& outputs,
                        const std::vector<std::string>& inputs);

/// Writes out what was printed to standard output so far and throws OutputError ("cannot write to
/// standard output: REASON") when a write to it failed: OutputSet::commit calls it after writing
/// out its files and before renaming any, so that a full or closed standard output (`--json -`
/// into /dev/full) leaves every named file as it was.
void check_stdout_before_commit();

/// Prepares the process for safe outputs (main() calls it first): reopens a closed standard
/// stream on /dev/null so that no output file can take its descriptor (writes to it then fail
/// with the system's reason), sends std::cout through a checked buffer, removes temporary files
/// on SIGINT, SIGTERM, SIGHUP and SIGPIPE, and makes a file-size limit an error (EFBIG) rather
/// than a signal.
void prepare_process();

/// Flushes and closes standard output (main() calls it last); returns `code`, or 2 after printing
/// the system's reason when a write to standard output failed.
int finish_stdout(int code);

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

/// The per-worker statistics (`trsim run --worker-stats`, statistics.per_worker) as CSV, tidy: a
/// header `worker,group,<metric>...` (dotted paths inside a worker's node:
/// `reservations_accepted`, `activity_durations.Available`), then one row per worker in scenario
/// order holding the means over the replications, each followed by `<metric>_ci95` with more than
/// one replication. An empty cell is null.
std::string worker_statistics_csv(const Scenario& scenario, const RunSummary& summary);

/// "0.8635 ± 0.023": a mean to 4 significant digits and its ci95 to 2 ("-" when null; the mean
/// alone without a ci95). For the tables of `trsim tune` and `trsim staff`.
std::string short_mean_ci(const Aggregate& a);

/// short_mean_ci() for `metric`, except that a ratio (service level, abandon rate, occupancy) is
/// in %, as `trsim run`, `check` and `sweep` print it: "86.4 ± 2.3 %", and a `difference` of two
/// ratios in percentage points: "-1.2 ± 0.4 pp".
std::string metric_mean_ci(const Aggregate& a, std::string_view metric, bool difference = false);

/// An interval's value for an interval `expect:` line as the tables of `trsim staff
/// --per-interval` and `trsim roster` print it: metric_mean_ci() ("87.9 ± 1.2 %").
std::string interval_outcome_text(const IntervalOutcome& o, std::string_view metric);

/// The width of a target's column in those tables: its whole metric name and bound, and at least
/// room for "100.0 ± 10.0 % FAILED" (a name is never cut: "task_queues.Sales.EU..." was).
std::size_t target_column_width(const Expectation& e);

/// describe_bound() as a person reads it beside metric_mean_ci(): a ratio's bounds in % (">= 80%
/// (ci95)"), other metrics' in their own unit. Files (JSON, CSV, JUnit) keep describe_bound().
std::string display_bound(const Expectation& e);

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
