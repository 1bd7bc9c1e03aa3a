#pragma once
// The interval statistics of one replication (statistics.interval), a pure function of the event
// stream like StatisticsCollector, and fed the same events.
//
// Cost: on_event() is inline in the caller. Half of a task's events (workflow.*,
// reservation.wrapup, task.wrapup, task.completed) change nothing in the table and cost a bit
// test. The others cost a comparison with the current interval's end (time moves on only past it:
// the table then grows by one row, the only allocation) and a jump to a handler that makes a few
// additions into flat arrays indexed by (interval, scope, field). Time-averaged quantities
// (workers busy, idle, in each activity, tasks waiting) are gauges: when a gauge changes by d at
// time t inside the current interval [a, b), its integral over the interval changes by d * (b - t),
// so each change is an addition to the level and a multiply-add to the integral, and opening an
// interval writes level * (b - a) for every gauge. A worker's first reservation taken or last one
// released (the common worker change) touches only the busy and idle gauges of the workspace and
// of the worker's group, whose record offset the worker keeps. An accepted wait is one increment,
// in its bucket among the sorted service-level thresholds; finish() sums the buckets into the
// per-threshold counts. A completed task adds its handle time (reservation.completed carries the
// accept time, so no task is remembered) to the workspace, its queue and its worker's group.
//
// Scopes: 0 = the workspace, then one per task queue, then one per worker group. Every event
// counts, warm-up or not (the table is a time series); events after the horizon (the drain) count
// in the last interval, and gauges are integrated up to the horizon.
//
// Real-time snapshots (statistics.snapshots; TaskRouter's RealTimeStatistics: tasks_by_status,
// tasks_by_priority, longest_task_waiting_age, total_available_workers, activity_statistics, ...)
// are taken at each interval's end, when time first reaches it, from state the events keep: each
// live task's status, queue, priority and times, in a window of slots indexed by task id from the
// oldest live task (tasks are numbered in creation order; the window is compacted at snapshots, so
// it holds the tasks alive, not every task created), the workers' activities, and their queues as
// the engine keeps them (QueueMembership). Keeping the task slots costs about 9% of an M/M/100
// task (callgrind: a slot per task, and two more events, reservation.wrapup and
// workflow.target-matched, that the engine then builds), so they are kept only when asked for;
// without them the collector keeps no task slot and the engine does not build those two events.
// The counting (a pass over the live tasks, one over the workers and their queues) happens once
// per interval.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "model/assert.hpp"
#include "model/interval_layout.hpp"
#include "stats/wait_buckets.hpp"
#include "trsim/engine.hpp"
#include "trsim/event.hpp"
#include "trsim/scenario.hpp"

namespace trsim::detail {

constexpr std::uint32_t event_bit(EventType t) {
  return std::uint32_t{1} << static_cast<unsigned>(t);
}

/// The queues a worker belongs to now, as the engine keeps them (RoutingFacts::worker_queues, and a
/// worker's own after an attribute change): what a snapshot counts the worker in. The collector
/// does not evaluate target_workers itself, so that membership has one rule (the engine's).
class QueueMembership {
 public:
  virtual ~QueueMembership() = default;
  virtual std::span<const QueueId> queues_of(WorkerId worker) const = 0;
};

class IntervalCollector {
 public:
  /// `scenario` must outlive the collector.
  explicit IntervalCollector(const Scenario& scenario);

  /// statistics.snapshots: where the snapshots read each worker's queues (it must outlive the
  /// collector). Without one, a snapshot counts workers in no queue.
  void set_membership(const QueueMembership* membership) { membership_ = membership; }

  /// Inline: the dispatch is the caller's. The events the table ignores (half of a task's) cost it
  /// a bit test; the others move time forward here, where the caller has already saved what a call
  /// needs, and the handlers start with the work.
  void on_event(const Event& e) {
    if (((kCounted | kTracked) >> static_cast<unsigned>(e.type) & 1u) == 0) return;
    if (e.time >= current_end_) advance(e.time);
    switch (e.type) {
      case EventType::task_created:
        return on_task_created(e);
      case EventType::task_queue_entered:
        return on_queue_entered(e);
      case EventType::task_queue_moved:
        return on_queue_moved(e);
      case EventType::reservation_created:
        if (tracking_) track(e);
        return on_hold(e);
      case EventType::reservation_accepted:
        return on_accepted(e);
      case EventType::reservation_timeout:
        return on_timeout(e);
      case EventType::reservation_rejected:
      case EventType::reservation_canceled:
      case EventType::reservation_rescinded:
        if (tracking_) track(e);
        return on_release(e);
      case EventType::reservation_completed:
        if (tracking_) track(e);
        return on_completed(e);
      case EventType::reservation_wrapup:
      case EventType::workflow_target_matched:
        return track(e);  // kTracked: only built when tracking (or for an event log)
      case EventType::worker_attributes_update:
        // kTracked: time moves on first, so that the snapshots of the intervals that ended
        // before it read the worker's queues before the engine re-evaluates them.
        return;
      case EventType::task_canceled:
        return on_canceled(e);
      case EventType::worker_activity_update:
        return on_activity(e);
      case EventType::task_transfer_failed:
        return on_transfer_failed(e);
      default:
        return;  // not in kCounted
    }
  }

  /// Whether on_event() reads events of this type (it ignores the others). Without an event log
  /// the engine does not build the events no collector reads.
  static constexpr bool reads(EventType type) {
    return (kCounted >> static_cast<unsigned>(type) & 1u) != 0;
  }
  /// The events on_event() reads besides those when it keeps the live tasks (tracks_tasks()).
  static constexpr bool reads_when_tracking(EventType type) {
    return (kTracked >> static_cast<unsigned>(type) & 1u) != 0;
  }
  /// statistics.snapshots: the live tasks are kept (for the snapshots and the handle times).
  bool tracks_tasks() const { return tracking_; }

  /// Completes the table up to the horizon and computes the metrics. Call once.
  IntervalTable finish();

 private:
  /// The event types that change the table. The others need not even move time forward: the
  /// intervals they would open hold the same gauge levels when the next counted event (or
  /// finish()) opens them.
  static constexpr std::uint32_t kCounted =
      event_bit(EventType::task_created) | event_bit(EventType::task_queue_entered) |
      event_bit(EventType::task_queue_moved) | event_bit(EventType::reservation_created) |
      event_bit(EventType::reservation_accepted) | event_bit(EventType::reservation_timeout) |
      event_bit(EventType::reservation_rejected) | event_bit(EventType::reservation_canceled) |
      event_bit(EventType::reservation_rescinded) | event_bit(EventType::reservation_completed) |
      event_bit(EventType::task_canceled) | event_bit(EventType::worker_activity_update) |
      event_bit(EventType::task_transfer_failed);
  /// With tracks_tasks(): a task's wrap-up, a step's new priority and queue, and a worker's new
  /// attributes (its queues change just after: the snapshots due before must be taken first).
  static constexpr std::uint32_t kTracked = event_bit(EventType::reservation_wrapup) |
                                            event_bit(EventType::workflow_target_matched) |
                                            event_bit(EventType::worker_attributes_update);
  static constexpr std::size_t kNoScope = SIZE_MAX;

  // Raw fields of one (interval, scope) record: counts, integer sums in µs, and gauge integrals in
  // µs × workers (or tasks). Wait buckets and activities follow the fixed fields.
  enum Field : std::size_t {
    kOffered,
    kAccepted,
    kAbandoned,
    kCanceled,
    kWaitAccepted,  // sum of the waits of the tasks accepted, µs
    kTimedOut,
    kBusy,        // gauge: workers holding a reservation
    kIdle,        // gauge: workers in an available activity holding none
    kWaiting,     // gauge: tasks waiting (pending or reserved)
    kParked,      // gauge: workers in the timeout activity because a reservation timed out
    kCompleted,   // tasks whose wrap-up ended
    kHandleTime,  // sum of their handle times (accept -> wrap-up end), µs
    kFixedFields
  };

  // A live task's status, as TaskRouter's assignment_status (done = completed or canceled).
  enum TaskStatus : std::uint8_t { kPending, kReserved, kAssigned, kWrapping, kDone };
  struct TaskSlot {
    SimTime created = 0;
    SimTime entered = 0;  // entered `queue`
    std::int64_t priority = 0;
    QueueId queue = kNoId;
    std::uint16_t offers = 0;  // pending reservations
    TaskStatus status = kPending;
  };
  // Snapshot fields of a record, after the activities: see snapshot_field().
  enum SnapshotField : std::size_t {
    kSnapPending,
    kSnapReserved,
    kSnapAssigned,
    kSnapWrapping,
    kSnapAvailable,       // workers in an available activity
    kSnapEligible,        // queue: workers its target_workers matches
    kSnapLongestWait,     // µs: the oldest waiting task's age
    kSnapLongestInQueue,  // µs: the longest time a waiting task has been in the queue
    kSnapFixed            // then one per activity, then one per priority
  };

  struct WorkerState {
    ActivityId activity = kNoId;
    std::uint32_t held = 0;             // reservations held: pending, accepted or wrapping
    std::size_t group_base = kNoScope;  // its group's first field in a record (scope * fields)
    std::uint8_t available = 0;         // 1 when `activity` is available: idle when held == 0
    bool timed_out = false;  // a reservation timed out; the move to the timeout activity follows
    bool parked = false;     // in the timeout activity since a reservation timeout
  };

  std::size_t base(std::size_t scope) const { return scope * field_count_; }
  std::size_t queue_scope(QueueId q) const { return 1 + q; }
  std::size_t group_scope(GroupId g) const { return 1 + queue_count_ + g; }
  // Accepted waits per bucket b: the waits longer than exactly b of the (sorted) thresholds.
  std::size_t bucket_field(std::size_t b) const { return kFixedFields + b; }
  std::size_t activity_field(ActivityId a) const {
    return kFixedFields + thresholds_.size() + 1 + a;
  }
  std::size_t snapshot_field(std::size_t f) const {
    return activity_field(0) + activity_count_ + f;
  }
  std::size_t snapshot_activity_field(ActivityId a) const { return snapshot_field(kSnapFixed) + a; }
  std::size_t snapshot_priority_field(std::size_t p) const {
    return snapshot_field(kSnapFixed) + activity_count_ + p;
  }
  bool is_gauge(std::size_t field) const {
    return field == kBusy || field == kIdle || field == kWaiting || field == kParked ||
           (field >= activity_field(0) && field < snapshot_field(0));
  }
  /// The live task `task` (kept since its task.created).
  TaskSlot* slot(TaskId task) {
    const std::size_t i = static_cast<std::size_t>(task) - task_base_;
    return task >= task_base_ && i < tasks_.size() ? &tasks_[i] : nullptr;
  }

  /// What is left of the current interval at `now` (0 after the horizon): a gauge change at `now`
  /// weighs that much in the current interval's integral.
  std::int64_t remaining(SimTime now) const { return now < current_end_ ? current_end_ - now : 0; }
  /// The gauge `field` of the scope whose record starts at `at` changes by `delta`; `rest` =
  /// remaining(now).
  void bump(std::size_t at, std::size_t field, std::int64_t delta, std::int64_t rest) {
    std::int64_t& level = level_[at + field];
    level += delta;
    // Plain assert, the one exception to TRSIM_ASSERT in sim/: this runs several times per event,
    // and an always-on check here cost 20 instructions per M/M/100 task (callgrind, +0.55%). The
    // invariant checker (--check-invariants) refuses the inconsistent events that would cause it.
    assert(level >= 0 && "an interval gauge went negative: the event stream is inconsistent");
    current_row_[at + field] += delta * rest;
  }

  // One handler per kind of event (out of line; time has reached the event's).
  void on_task_created(const Event& e);
  void on_queue_entered(const Event& e);
  void on_queue_moved(const Event& e);
  void on_hold(const Event& e);
  void on_accepted(const Event& e);
  void on_timeout(const Event& e);
  void on_release(const Event& e);
  void on_completed(const Event& e);
  void on_canceled(const Event& e);
  void on_transfer_failed(const Event& e);
  [[gnu::noinline]] void on_transfer_accepted(const Event& e);
  template <bool leg>
  void end_wait_accepted(const Event& e);
  void on_activity(const Event& e);
  /// statistics.snapshots: updates the slot of the task the event is about (out of line: without
  /// snapshots the handlers pay one test).
  void track(const Event& e);
  /// Writes the real-time snapshot at `now` (the current interval's end) into the current row.
  void snapshot(SimTime now);

  /// Time moves to `now` (past the current interval): the intervals it passes are opened.
  void advance(SimTime now);
  void open_interval(std::size_t k);
  void move_worker(WorkerState& ws, ActivityId activity, SimTime now);
  void set_parked(WorkerState& ws, bool parked, SimTime now);

  const Scenario& scenario_;
  SimTime length_;
  SimTime horizon_;
  std::size_t count_;  // intervals in [0, horizon)
  std::size_t queue_count_;
  std::size_t group_count_;
  std::size_t activity_count_;
  std::size_t scope_count_;
  std::size_t field_count_;
  std::vector<SimTime> thresholds_;            // µs, keys deduplicated (first occurrence wins)
  std::vector<std::size_t> threshold_source_;  // index in statistics.service_level_thresholds
  WaitBuckets wait_buckets_;  // over thresholds_: one bucket field per accepted wait
  std::vector<std::size_t> gauge_fields_;
  std::vector<unsigned char> activity_available_;
  std::vector<WorkerState> workers_;
  std::vector<std::int64_t> level_;  // [scope * fields + field]: current value of each gauge
  std::vector<std::int64_t> raw_;    // [(interval * scopes + scope) * fields + field]
  std::vector<TaskSlot> tasks_;      // live tasks from task_base_ on (see the header comment)
  TaskId task_base_ = 0;
  std::vector<std::int64_t> priorities_;         // every priority a task can have, ascending
  const QueueMembership* membership_ = nullptr;  // each worker's queues now (set_membership)
  bool final_snapshot_ = false;                  // the last interval's snapshot is taken
  bool tracking_ = false;                        // statistics.snapshots
  std::size_t current_ = 0;                      // the interval events go to
  std::int64_t* current_row_ = nullptr;          // its first record in raw_
  SimTime current_end_ = 0;
};

}  // namespace trsim::detail
