#pragma once
// The size of the interval table's rows (statistics.interval), shared by the collector that fills
// them (stats/interval_collector) and the memory estimate made at load (load/memory.cpp), so that
// the estimate cannot drift from what the collector allocates: the collector takes its row size
// from here and checks its columns against it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "trsim/scenario.hpp"

namespace trsim::detail {

/// Raw fields of an (interval, scope) record before the wait buckets: counts, sums and gauges
/// (IntervalCollector::Field).
inline constexpr std::size_t kIntervalFixedFields = 12;
/// Snapshot fields before the per-activity and per-priority ones
/// (IntervalCollector::SnapshotField).
inline constexpr std::size_t kIntervalSnapshotFixedFields = 8;
/// Columns besides one per threshold and one per activity: offered, accepted, abandoned,
/// canceled, abandon_rate, avg_task_acceptance_time, reservations_timed_out, occupancy,
/// tasks_waiting, workers_parked, completed, avg_handle_time.
inline constexpr std::size_t kIntervalFixedColumns = 12;
/// statistics.snapshots: columns besides one per activity and one per priority: four
/// tasks_by_status, longest_task_waiting_age, longest_relative_task_age_in_queue,
/// total_available_workers, total_eligible_workers.
inline constexpr std::size_t kIntervalSnapshotFixedColumns = 8;

struct IntervalRowSize {
  std::size_t fields = 0;   ///< 64-bit raw fields of one (interval, scope) record while it runs
  std::size_t columns = 0;  ///< 8-byte columns of one (interval, scope) row of the IntervalTable
};

/// The row size for `thresholds` service-level thresholds (distinct), `activities` activities and,
/// with `snapshots` (statistics.snapshots), `priorities` task priorities (task_priorities()).
constexpr IntervalRowSize interval_row_size(std::size_t thresholds, std::size_t activities,
                                            std::size_t priorities, bool snapshots) {
  IntervalRowSize s;
  // The accepted waits in thresholds + 1 buckets (WaitBuckets), then the activities' gauges.
  s.fields = kIntervalFixedFields + thresholds + 1 + activities;
  s.columns = kIntervalFixedColumns + thresholds + activities;
  if (snapshots) {
    s.fields += kIntervalSnapshotFixedFields + activities + priorities;
    s.columns += kIntervalSnapshotFixedColumns + activities + priorities;
  }
  return s;
}

/// Every priority a task can have: the arrival streams' (and their trace rows'), and those a
/// task's priority can change to: its stream's updates' (arrivals[].updates[].priority), the
/// workflow targets' and the transfer rules' (behaviors[].transfers[].priority). Ascending, each
/// once.
inline std::vector<std::int64_t> task_priorities(const Scenario& scenario) {
  std::vector<std::int64_t> out;
  for (const ArrivalStream& a : scenario.arrivals) {
    out.push_back(a.priority);
    for (const TraceRow& row : a.trace)
      if (row.priority) out.push_back(*row.priority);
    for (const TaskUpdate& u : a.updates)
      if (u.priority) out.push_back(*u.priority);
  }
  for (const Behavior& b : scenario.behaviors)
    for (const TransferRule& rule : b.transfers)
      if (rule.priority) out.push_back(*rule.priority);
  for (const Workflow& wf : scenario.workflows) {
    for (const WorkflowFilter& f : wf.filters)
      for (const WorkflowTarget& t : f.targets)
        if (t.priority) out.push_back(*t.priority);
    if (wf.default_target.priority) out.push_back(*wf.default_target.priority);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace trsim::detail
