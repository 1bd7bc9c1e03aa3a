#pragma once
// The statistics of one replication (§4), computed as a pure function of the event stream plus
// the engine's list of the tasks still waiting at the end (for `longest_task_waiting_age`).
//
// The engine calls on_event() for every event, non-virtually and in its hot path, so the collector
// keeps flat vectors indexed by dense ids and never allocates, formats or looks up names per event;
// it keeps nothing per task. finish() builds the MetricNode tree once, at the end.
//
// Tree (keys in this order; NaN = null = "no data"):
//   workspace                    task metrics (below), `tasks_created`, with `occupancy`
//   task_queues.<queue>          task metrics, `tasks_entered`, no `occupancy`
//   workflows.<workflow>         task metrics, `tasks_entered`, no `occupancy`
//   workers.<group>              tasks_completed, tasks_assigned, reservations_*, occupancy,
//                                activity_durations.<activity>.{avg,min,max,total} (over workers)
//   worker_statistics.<worker>   (statistics.per_worker) the same per worker, activity_durations
//                                over the worker's stints in each activity
// task metrics:
//   tasks_created|tasks_entered, tasks_completed, tasks_canceled, tasks_abandoned,
//   tasks_timed_out_in_workflow, tasks_ttl_expired, tasks_moved,
//   reservations_created|accepted|rejected|timed_out|canceled|rescinded,
//   avg_task_acceptance_time, wait_duration_until_accepted.{avg,min,max,total},
//   wait_duration_until_canceled.{avg,min,max,total},
//   split_by_wait_time.<s>.{below,above}.{tasks_accepted,reservations_accepted,tasks_canceled},
//   service_level.<s>, abandon_rate, [occupancy], longest_task_waiting_age,
//   queues only: wait_duration_in_queue_until_accepted.{avg,min,max,total},
//   longest_relative_task_age_in_queue
#include <cstdint>
#include <span>
#include <vector>

#include "stats/wait_buckets.hpp"
#include "trsim/event.hpp"
#include "trsim/scenario.hpp"
#include "trsim/statistics.hpp"

namespace trsim::detail {

/// A task still waiting (pending or reserved) at the end of the run, as the engine knows it.
struct WaitingTask {
  SimTime created_at = 0;
  QueueId queue = kNoId;  ///< the queue it waits in (kNoId: none)
  WorkflowId workflow = kNoId;
  SimTime queue_entered_at = 0;  ///< when it entered `queue`
};

class StatisticsCollector {
 public:
  /// `scenario` must outlive the collector.
  explicit StatisticsCollector(const Scenario& scenario);

  /// Defined here so that the engine's emit() dispatches inline: the entries need one increment,
  /// the rest call a handler, and the types reads() leaves out (a third of a task's events: target
  /// matched, wrap-ups, task.completed) need nothing.
  void on_event(const Event& e) {
    switch (e.type) {
      case EventType::task_created:
        if (counts(e)) ++counters_[0].entered;
        return;
      case EventType::workflow_entered:
        if (counts(e) && e.workflow < workflow_count_)
          ++counters_[workflow_entity(e.workflow)].entered;
        return;
      case EventType::task_queue_entered:
        if (counts(e) && e.queue < queue_count_) ++counters_[queue_entity(e.queue)].entered;
        return;
      case EventType::task_queue_moved:
        return on_queue_moved(e);
      case EventType::reservation_created:
        return on_reservation_created(e);
      case EventType::reservation_accepted:
        if (e.transfer_mode != 0) [[unlikely]]
          return on_transfer_accepted(e);
        return on_reservation_accepted(e);
      case EventType::reservation_rejected:
        return on_reservation_ended(e, &ReservationCounts::rejected);
      case EventType::reservation_timeout:
        return on_reservation_ended(e, &ReservationCounts::timed_out);
      case EventType::reservation_canceled:
        return on_reservation_ended(e, &ReservationCounts::canceled);
      case EventType::reservation_rescinded:
        return on_reservation_ended(e, &ReservationCounts::rescinded);
      case EventType::reservation_completed:
        return on_completed(e);
      case EventType::task_canceled:
        return on_task_canceled(e);
      case EventType::worker_activity_update:
        return on_activity_update(e);
      case EventType::task_transfer_initiated:
        return count_transfer(e, &TransferCounters::transferred, e.queue);
      case EventType::task_transfer_completed:
        return count_transfer(e, &TransferCounters::completed, e.previous_queue);
      case EventType::task_transfer_failed:
        return count_transfer(e, &TransferCounters::failed, e.previous_queue);
      default:
        return;  // not read (reads())
    }
  }

  /// Whether on_event() reads events of this type (it ignores the others). Without an event log
  /// the engine does not build the events no collector reads.
  static constexpr bool reads(EventType type) {
    switch (type) {
      case EventType::workflow_target_matched:
      case EventType::task_queue_timeout:
      case EventType::workflow_timeout:  // a task_canceled follows and carries the counts
      case EventType::workflow_skipped:  // likewise
      case EventType::reservation_wrapup:
      case EventType::task_wrapup:
      case EventType::task_completed:  // counted with reservation.completed, which comes just
                                       // before it with the same fields
      case EventType::task_transfer_attempt_failed:
        return false;
      default:
        return true;
    }
  }

  /// Closes the worker-time integrals at `end_time` and builds the tree. `still_waiting` holds the
  /// tasks still waiting (pending or reserved) at the end; those created at or after the warm-up
  /// count towards `longest_task_waiting_age` of the workspace, their queue and their workflow.
  /// Call once.
  MetricNode finish(SimTime end_time, std::span<const WaitingTask> still_waiting);

 private:
  /// A distribution of durations in exact integer microseconds (order-independent sums).
  struct DurationStats {
    std::int64_t count = 0;
    std::int64_t total = 0;
    std::int64_t min = INT64_MAX;
    std::int64_t max = INT64_MIN;
    void add(std::int64_t d) {
      ++count;
      total += d;
      if (d < min) min = d;
      if (d > max) max = d;
    }
  };

  struct ReservationCounts {
    std::int64_t created = 0;
    std::int64_t accepted = 0;
    std::int64_t rejected = 0;
    std::int64_t timed_out = 0;
    std::int64_t canceled = 0;
    std::int64_t rescinded = 0;
  };

  /// How a wait ended; indexes TaskCounters::waits and the wait buckets.
  enum WaitOutcome : std::size_t { kAccepted = 0, kCanceled = 1 };

  /// The task metrics of the workspace, one queue or one workflow.
  struct TaskCounters {
    std::int64_t entered = 0;  // tasks_created (workspace) / tasks_entered
    std::int64_t completed = 0;
    std::int64_t canceled = 0;
    std::int64_t abandoned = 0;
    std::int64_t timed_out_in_workflow = 0;
    std::int64_t ttl_expired = 0;
    std::int64_t moved = 0;
    ReservationCounts reservations;
    DurationStats waits[2];          // [WaitOutcome]
    std::int64_t longest_wait = -1;  // set by finish(); -1: no task waited
    // Queues only: waits measured from entering the queue (TaskRouter's relative waits).
    DurationStats in_queue_accepted;
    std::int64_t longest_in_queue = -1;  // accepted or canceled; finish() adds those still waiting
  };

  /// Transfers per entity (only when a behaviour has transfer rules: kept apart so that the task
  /// counters every event reads keep their size), counted in the queue the task was accepted
  /// from before the transfer.
  struct TransferCounters {
    std::int64_t transferred = 0;
    std::int64_t completed = 0;
    std::int64_t failed = 0;
  };

  struct GroupCounters {
    std::int64_t tasks_completed = 0;
    ReservationCounts reservations;
  };

  struct WorkerState {
    ActivityId activity = kNoId;
    std::uint32_t held = 0;   // reservations held: pending, accepted or wrapping
    SimTime since = 0;        // start of the interval not yet integrated
    SimTime stint_start = 0;  // statistics.per_worker: when it entered `activity`
    std::int64_t busy = 0;    // µs inside the window
    std::int64_t idle_available = 0;
  };

  // Entity indexes into counters_: 0 = workspace, then the queues, then the workflows.
  std::size_t queue_entity(QueueId q) const { return 1 + q; }
  std::size_t workflow_entity(WorkflowId w) const { return 1 + queue_count_ + w; }

  bool counts(const Event& event) const { return event.task_created_at >= warmup_; }
  void count_reservation(const Event& event, std::int64_t ReservationCounts::*field);
  /// `transfer`: the wait of a transfer leg, which ends in its queue only (the task's wait in the
  /// workspace and its workflow ended when it was first accepted); its reservation counts
  /// everywhere.
  template <WaitOutcome outcome, bool transfer = false>
  void end_wait(const Event& event);
  void count_transfer(const Event& event, std::int64_t TransferCounters::*field, QueueId queue);
  void on_queue_moved(const Event& event);
  void on_reservation_created(const Event& event);
  void on_reservation_accepted(const Event& event);
  void on_transfer_accepted(const Event& event);
  void on_reservation_ended(const Event& event, std::int64_t ReservationCounts::*field);
  void on_task_canceled(const Event& event);
  /// reservation.completed: the task is completed (its task.completed follows, unread) and the
  /// worker's unit of capacity frees.
  void on_completed(const Event& event);
  void on_activity_update(const Event& event);
  void integrate_worker(WorkerId worker, SimTime now);
  /// statistics.per_worker: the worker's stint in its activity ends at `end` (window: [warmup_,
  /// window_end]).
  void end_stint(WorkerId worker, SimTime end, SimTime window_end);
  void release_worker(WorkerId worker, SimTime now);

  MetricNode task_node(std::string key, std::size_t entity, bool workspace) const;

  const Scenario& scenario_;
  SimTime warmup_;
  SimTime horizon_;
  std::size_t queue_count_;
  std::size_t workflow_count_;
  std::size_t activity_count_;
  std::vector<SimTime> thresholds_;                // service-level thresholds in µs, as given
  WaitBuckets buckets_;                            // over thresholds_: one increment per wait
  std::vector<TaskCounters> counters_;             // per entity
  std::vector<std::int64_t> wait_buckets_;         // per entity × WaitOutcome × bucket
  std::vector<GroupCounters> groups_;              // per worker group, then one for "no group"
  std::vector<WorkerState> workers_;               // per worker
  std::vector<GroupId> worker_group_;              // per worker: its group, or the "no group" entry
  std::vector<std::int64_t> activity_time_;        // per worker × activity, µs inside the window
  std::vector<unsigned char> activity_available_;  // per activity
  /// statistics.per_worker: per worker, its reservations by outcome and tasks completed (empty
  /// when not asked for: one test of an empty vector per reservation outcome).
  std::vector<GroupCounters> per_worker_;
  /// statistics.per_worker: per worker × activity, its stints in the activity (their time inside
  /// the window), for TaskRouter's activity_durations {avg, min, max, total}.
  std::vector<DurationStats> stints_;
  bool per_worker_on_ = false;  // statistics.per_worker: per_worker_ holds one entry per worker
  // Per entity when Scenario::has_transfers() (the transfer counts are shown), else empty.
  std::vector<TransferCounters> transfers_;
};

}  // namespace trsim::detail
