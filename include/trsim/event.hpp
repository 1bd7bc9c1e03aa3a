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
  task_transfer_initiated,
  task_transfer_attempt_failed,
  task_transfer_failed,
  task_transfer_completed,
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
  transfer_failed,   ///< a failed cold transfer that its worker did not take back in time
};

/// The `reason` text the event log prints ("Task TTL Exceeded", ...).
std::string_view cancel_reason_text(CancelReason reason);

/// Why a transfer (or one attempt of it) failed.
enum class TransferFailure : std::uint8_t {
  none,
  timeout,             ///< nobody accepted it within the transfer's timeout
  rejected,            ///< the worker it went to rejected it (or let it time out)
  no_eligible_worker,  ///< no worker could ever take it (an empty queue, no queue)
};

/// The `reason` text of a task.transfer-failed / -attempt-failed ("Transfer timed out", ...).
std::string_view transfer_failure_text(TransferFailure failure);
/// "COLD" / "WARM" (TaskRouter's TransferMode) and "QUEUE" / "WORKER" / "WORKFLOW" (its type).
std::string_view transfer_mode_text(std::uint8_t mode);
std::string_view transfer_kind_text(std::uint8_t kind);

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
///   task_transfer_initiated reservation, worker = the initiating reservation and worker, queue =
///                           the queue it was accepted from, transfer_mode, transfer_kind,
///                           transfer_to (a task_queue_entered for the target queue follows)
///   task_transfer_attempt_failed   reservation, worker of the offer that ended unaccepted (the
///                           last one pending), queue = the queue it waits in, transfer_failure
///   task_transfer_failed    queue = the queue it waited in, transfer_failure (a warm transfer
///                           stays with the initiating worker; a cold one is offered back to it)
///   task_transfer_completed reservation, worker = the accepted transfer reservation
/// Events of a transfer carry transfer_mode; so do the task_queue_entered, reservation_accepted
/// and task_canceled events of a transfer leg, which end or start a wait in a queue only (the
/// task's wait in the workspace and its workflow ended when it was first accepted), and the
/// initiating reservation's reservation_wrapup and reservation_completed (its worker leaves the
/// call; the task goes on: neither wraps up nor completes it).
/// An assigned task is never canceled, so a task_canceled always ends a wait. A reservation's
/// worker holds one unit of the task channel's capacity from reservation_created until the
/// reservation ends (rejected, timeout, canceled, rescinded or completed).
struct Event {
  SimTime time = 0;
  EventType type = EventType::task_created;
  // Transfers (in what was padding after `type`): 0 none, else TransferRule::Mode (1 cold, 2 warm).
  std::uint8_t transfer_mode = 0;
  std::uint8_t transfer_kind = 0;  ///< TransferRule::Kind (1 queue, 2 worker, 3 workflow)
  TransferFailure transfer_failure = TransferFailure::none;
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
  /// worker_capacity_update: the new configured capacity (at most 1,000 per channel, so 16 bits;
  /// with `reason` and `available` it fills what was padding before `priority`).
  std::int16_t capacity = -1;
  std::int64_t priority = 0;
  SimTime task_created_at = 0;  ///< creation time of `task` (waits derive from it)
  /// When `task` entered the queue it is in now (TaskRouter's task_queue_entered_date): the start
  /// of its relative wait in that queue; task_queue_moved: when it entered `previous_queue`.
  SimTime task_queue_entered_at = 0;
  /// task_queue_moved: the queue left. reservation_*: the queue the reservation was made from.
  /// task_transfer_completed / _failed: the queue the transfer started from.
  QueueId previous_queue = kNoId;
  std::uint32_t transfer_to = kNoId;  ///< the target queue, worker or workflow (by transfer_kind)
  /// task_updated, worker_attributes_update: the attributes after the change (owned by the
  /// engine; valid during the call only).
  const Value* attributes = nullptr;
  /// reservation_completed, task_completed: when the reservation was accepted; the task's handle
  /// time (talk plus wrap-up) is `time` minus this.
  SimTime task_accepted_at = 0;
};
// The layout comments above (fields in what was padding) hold for this size: a new field that
// grows the event (every event is copied through every consumer) must be a decision.
static_assert(sizeof(Event) == 96, "Event grew: see the layout comments of its fields");

}  // namespace trsim
