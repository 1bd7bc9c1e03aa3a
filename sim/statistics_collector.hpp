#pragma once
// The statistics of one replication (§4), computed as a pure function of the event stream.
//
// The engine calls on_event() for every event, non-virtually and in its hot path, so the collector
// keeps flat vectors indexed by dense ids and never allocates, formats or looks up names per event.
// finish() builds the MetricNode tree once, at the end.
//
// Tree (keys in this order; NaN = null = "no data"):
//   workspace                    task metrics (below), `tasks_created`, with `occupancy`
//   task_queues.<queue>          task metrics, `tasks_entered`, no `occupancy`
//   workflows.<workflow>         task metrics, `tasks_entered`, no `occupancy`
//   workers.<group>              tasks_completed, reservations_*, occupancy,
//                                activity_durations.<activity>.{avg,min,max,total}
// task metrics:
//   tasks_created|tasks_entered, tasks_completed, tasks_canceled, tasks_abandoned,
//   tasks_timed_out_in_workflow, tasks_ttl_expired, tasks_moved,
//   reservations_created|accepted|rejected|timed_out|canceled|rescinded,
//   avg_task_acceptance_time, wait_duration_until_accepted.{avg,min,max,total},
//   wait_duration_until_canceled.{avg,min,max,total},
//   split_by_wait_time.<s>.{below,above}.{tasks_accepted,tasks_canceled}, service_level.<s>,
//   abandon_rate, [occupancy], longest_task_waiting_age
#include <cstdint>
#include <span>
#include <vector>

#include "trsim/event.hpp"
#include "trsim/scenario.hpp"
#include "trsim/statistics.hpp"

namespace trsim::detail {

class StatisticsCollector {
 public:
  /// `scenario` must outlive the collector.
  explicit StatisticsCollector(const Scenario& scenario);

  void on_event(const Event& event);

  /// Whether on_event() reads events of this type (it ignores the others). Without an event log
  /// the engine does not build the events no collector reads.
  static constexpr bool reads(EventType type) {
    switch (type) {
      case EventType::workflow_target_matched:
      case EventType::task_queue_timeout:
      case EventType::workflow_timeout:
      case EventType::workflow_skipped:
      case EventType::reservation_wrapup:
      case EventType::task_wrapup:
        return false;
      default:
        return true;
    }
  }

  /// Closes the worker-time integrals at `end_time` and builds the tree. `still_waiting_created_at`
  /// holds the creation times of the tasks still waiting (pending or reserved) at the end; they
  /// count towards `longest_task_waiting_age`. Call once.
  MetricNode finish(SimTime end_time, std::span<const SimTime> still_waiting_created_at);

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
    DurationStats wait_accepted;
    DurationStats wait_canceled;
    std::int64_t longest_wait = -1;  // -1: no task waited
  };

  /// below/above counts of one threshold of one entity.
  struct SplitCounts {
    std::int64_t below_accepted = 0;
    std::int64_t below_canceled = 0;
    std::int64_t above_accepted = 0;
    std::int64_t above_canceled = 0;
  };

  struct GroupCounters {
    std::int64_t tasks_completed = 0;
    ReservationCounts reservations;
  };

  struct WorkerState {
    ActivityId activity = kNoId;
    std::uint32_t held = 0;   // reservations held: pending, accepted or wrapping
    SimTime since = 0;        // start of the interval not yet integrated
    std::int64_t busy = 0;    // µs inside the window
    std::int64_t idle_available = 0;
  };

  /// A task still waiting, for the ages at the end.
  struct TaskSlot {
    TaskId task = kNoId;
    QueueId queue = kNoId;
    WorkflowId workflow = kNoId;
    bool waiting = false;
    SimTime created_at = 0;
  };

  // Entity indexes into counters_: 0 = workspace, then the queues, then the workflows.
  std::size_t queue_entity(QueueId q) const { return 1 + q; }
  std::size_t workflow_entity(WorkflowId w) const { return 1 + queue_count_ + w; }

  bool counts(const Event& event) const { return event.task_created_at >= warmup_; }
  void count_reservation(const Event& event, std::int64_t ReservationCounts::*field);
  void end_wait(const Event& event, bool accepted);
  void record_wait(std::size_t entity, std::int64_t wait, bool accepted);
  void integrate_worker(WorkerId worker, SimTime now);
  void release_worker(WorkerId worker, SimTime now);
  TaskSlot* waiting_slot(TaskId task);
  void add_slot(const TaskSlot& slot);
  void retire_slot(TaskId task);

  MetricNode task_node(std::string key, std::size_t entity, bool workspace) const;

  const Scenario& scenario_;
  SimTime warmup_;
  SimTime horizon_;
  std::size_t queue_count_;
  std::size_t workflow_count_;
  std::size_t activity_count_;
  std::vector<SimTime> thresholds_;            // service-level thresholds in µs
  std::vector<TaskCounters> counters_;         // per entity
  std::vector<SplitCounts> splits_;            // per entity × threshold
  std::vector<GroupCounters> groups_;          // per worker group
  std::vector<WorkerState> workers_;           // per worker
  std::vector<GroupId> worker_group_;          // per worker
  std::vector<std::int64_t> activity_time_;    // per worker × activity, µs inside the window
  std::vector<unsigned char> activity_available_;  // per activity

  // The tasks waiting (counted ones only), sorted by TaskId: ids come in creation order, so adding
  // appends and finding is a binary search. Ended waits are marked, then swept out in bulk once
  // they are the majority, so memory follows the tasks waiting, not the tasks of the run.
  std::vector<TaskSlot> slots_;
  std::size_t retired_ = 0;  // entries of slots_ no longer waiting
};

}  // namespace trsim::detail
