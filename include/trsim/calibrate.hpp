#pragma once
// Calibration from a workspace's event history (docs/import.md#calibration-from-event-history):
// TaskRouter events (an Events API page `{"events": [...]}`, or one JSON event per line) read as a
// stream, keeping only the state of open tasks, reservations and workers, and turned into what a
// scenario needs besides the routing: arrivals (a trace or a rates forecast), handle time and
// wrap-up distributions, caller patience (censored by the tasks answered first), worker behaviours,
// schedules and the observed KPIs as `expect:` lines.
#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "trsim/loader.hpp"
#include "trsim/time.hpp"

namespace trsim {

struct CalibrationOptions {
  /// The thresholds of the service levels written as `expect:` lines (seconds).
  std::vector<double> service_level_thresholds{0, 20, 60};
  /// The interval of the per-interval KPIs, of the batches behind the tolerances and of the
  /// horizon's rounding.
  SimTime interval = SimTime{30} * 60 * kMicrosPerSecond;
  /// > 0: arrivals as a `rates` forecast with this interval instead of a trace.
  SimTime rates_interval = 0;
  /// Worker sid -> the worker's group in the imported workspace (behaviours are fitted per group).
  std::map<std::string, std::string> worker_group;
  /// Activity name -> available. A parked worker (in the timeout or reject activity) moved to an
  /// unavailable activity is taken as a schedule change (which cancels the return), not a return.
  std::map<std::string, bool> activity_available;
  /// Trace files are named `<stem>.<stream>.trace.csv`.
  std::string file_stem = "workspace";
  /// Replications of the mirrored scenario (its `expect:` lines are judged on their mean).
  int replications = 5;
};

class Calibration {
 public:
  explicit Calibration(CalibrationOptions options);
  ~Calibration();
  Calibration(const Calibration&) = delete;
  Calibration& operator=(const Calibration&) = delete;

  /// Reads the events of one file, streaming: an Events API page, or one event per line when
  /// `lines`. Events must come oldest first (across files too). Problems are added to
  /// `diagnostics` as FILE:LINE:COL errors; returns false on any.
  bool read(std::istream& in, const std::string& file, bool lines,
            std::vector<Diagnostic>& diagnostics);
  /// Ends the history: tasks still waiting are censored, and everything is fitted.
  void finish();

  std::uint64_t events() const;
  /// The hooks of the workspace import (ImportOptions): what splits a group (the worker's
  /// schedule), the worker's initial activity ("" = as exported), and the fields a group gets
  /// (`, behavior: ..., schedule: [...]`).
  std::string worker_key(const std::string& sid) const;
  std::string initial_activity(const std::string& sid) const;
  std::string group_fields(const std::vector<std::string>& sids) const;
  /// The scenario's sections derived from the history (`start`, `horizon`, `replications`,
  /// `behaviors`, `arrivals`, `expect`), appended to the imported workspace.
  std::string sections() const;
  /// The trace files to write beside the scenario, and their text.
  std::vector<std::string> trace_files() const;
  /// False when its rows could not be kept (the temporary file failed): the trace is incomplete.
  bool write_trace(std::size_t index, std::ostream& out) const;
  /// The fit summary: per fitted quantity the data used, the family chosen, its parameters, the
  /// goodness of fit, what was censored or skipped and why; the observed KPIs.
  std::string summary() const;
  /// One line: what was read and fitted.
  std::string headline() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// True when the file's first bytes are an Events API page or JSON events (an object whose first
/// key is "events", or which holds "event_type"); `.jsonl` files are event files by name.
bool looks_like_event_file(const std::string& path);

}  // namespace trsim
