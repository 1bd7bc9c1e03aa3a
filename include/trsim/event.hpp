#pragma once
// The events the engine emits, in TaskRouter's vocabulary. Every consumer (statistics, the event
// log, tests) sees the same stream; the engine never formats output.
#include <cstdint>
#include <string>
#include <string_view>

#include "trsim/scenario.hpp"
#include "trsim/time.hpp"

namespace trsim {

using TaskId = std::uint32_t;         ///< dense, in creation order within a replication
using ReservationId = std::uint32_t;  ///< dense, in creation order within a replication

enum class EventType : std::uint8_t {
  task_created,
  workflow_entered,
  workflow_target_matched,
  task_queue_entered,
  task_queue_timeout,
  task_queue_moved,
  workflow_timeout,
  workflow_skipped,
  reservation_created,
  reservation_accepted,
  reservation_rejected,
  reservation_timeout,
  reservation_canceled,
  reservation_rescinded,
  reservation_wrapup,
  reservation_completed,
  task_canceled,
  task_wrapup,
  task_completed,
  worker_activity_update,
  task_updated,
  worker_capacity_update,
  worker_channel_availability_update,
  worker_attributes_update,
};

/// "task.created", "reservation.timeout", "worker.activity.update", ...
std::string_view event_type_name(EventType type);

/// Why a task was canceled.
enum class CancelReason : std::uint8_t {
  none,
  abandoned,         ///< the caller hung up (patience)
  ttl_exceeded,      ///< "Task TTL Exceeded"
  workflow_timeout,  ///< "Task canceled on Workflow timeout"
  workflow_skipped,  ///< a final-step skip_if skipped it out of the workflow
  transition_limit,  ///< kMaxTaskTransitions pending->reserved transitions
};

/// The `reason` text the event log prints ("Task TTL Exceeded", ...).
std::string_view cancel_reason_text(CancelReason reason);

/// The sid of task `task` of replication `replication`: make_sid("WT", "task:<rep>:<id>").
std::string task_sid(std::uint32_t replication, TaskId task);
/// The sid of a reservation: make_sid("WR", "reservation:<rep>:<id>").
std::string reservation_sid(std::uint32_t replication, ReservationId reservation);

/// One event. Fields that do not apply hold kNoId (or 0 / none).
///
/// What the engine fills in, per type (every event has `time`; every task event has `task`,
/// `workflow`, `channel`, `priority` (current) and `task_created_at`):
///   task_created            the task exists, status pending
///   workflow_entered        -
///   workflow_target_matched queue = the step's queue (a step is entered)
///   task_queue_entered      queue
///   task_queue_timeout      queue = the queue whose step deadline passed
///   task_queue_moved        queue = the new queue, previous_queue = the queue left
///   workflow_timeout        queue = the last queue (a task_canceled follows)
///   workflow_skipped        queue = the queue skipped out of (a task_canceled follows)
///   reservation_*           reservation, worker, queue (the queue the offer was made from)
///       created: worker got the offer; accepted: task is assigned (its wait ends here);
///       rejected / timeout / canceled / rescinded: the offer ended unaccepted;
///       wrapup: the conversation ended; completed: wrap-up ended, the worker's capacity frees
///       (and task_accepted_at = when it was accepted)
///   task_canceled           queue = the queue it was waiting in (kNoId if none), reason
///   task_wrapup / task_completed   worker, reservation, queue (of the accepted reservation);
///                                  task_completed also task_accepted_at
///   worker_activity_update  worker, activity, previous_activity
///   worker_capacity_update  worker, channel, capacity (its new configured capacity)
///   worker_channel_availability_update   worker, channel, available
///   worker_attributes_update worker, attributes (after the change)
///   task_updated            queue = the queue it was waiting in, attributes = its attributes
///                           after the update, priority = its new priority (the workflow
///                           re-evaluates it next: workflow_target_matched follows)
/// An assigned task is never canceled, so a task_canceled always ends a wait. A reservation's
/// worker holds one unit of the task channel's capacity from reservation_created until the
/// reservation ends (rejected, timeout, canceled, rescinded or completed).
struct Event {
  SimTime time = 0;
  EventType type = EventType::task_created;
  TaskId task = kNoId;
  ReservationId reservation = kNoId;
  WorkerId worker = kNoId;
  QueueId queue = kNoId;
  WorkflowId workflow = kNoId;
  ActivityId activity = kNoId;           ///< worker.activity.update: the new activity
  ActivityId previous_activity = kNoId;  ///< worker.activity.update: the one left
  ChannelId channel = kNoId;
  CancelReason reason = CancelReason::none;
  std::int8_t available = -1;  ///< worker_channel_availability_update: 1 or 0
  std::int64_t priority = 0;
  SimTime task_created_at = 0;  ///< creation time of `task` (waits derive from it)
  /// When `task` entered the queue it is in now (TaskRouter's task_queue_entered_date): the start
  /// of its relative wait in that queue; task_queue_moved: when it entered `previous_queue`.
  SimTime task_queue_entered_at = 0;
  /// task_queue_moved: the queue left. reservation_*: the queue the reservation was made from.
  QueueId previous_queue = kNoId;
  std::int32_t capacity = -1;  ///< worker_capacity_update: the new configured capacity
  /// task_updated, worker_attributes_update: the attributes after the change (owned by the
  /// engine; valid during the call only).
  const Value* attributes = nullptr;
  /// reservation_completed, task_completed: when the reservation was accepted; the task's handle
  /// time (talk plus wrap-up) is `time` minus this.
  SimTime task_accepted_at = 0;
};

}  // namespace trsim
