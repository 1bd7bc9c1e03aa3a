// Transfers and requeues of accepted tasks (docs/semantics.md, Transfers).
//
// TaskRouter's transfer (the TaskRouter SDK's Task.transfer and its OutgoingTransfer /
// IncomingTransfer: mode WARM or COLD, type WORKER or QUEUE) keeps the task and offers it anew:
//
//   the talk time ends, a behaviour's `transfer` rule is drawn      task.transfer-initiated
//   cold: the initiating reservation wraps up at once (the worker is released from the call);
//   warm: it stays accepted, the worker holding its unit of capacity, until the transfer ends
//   the task waits in the target queue (to_queue; to_worker: pinned to that worker, in one of its
//   queues; requeue: the queue its workflow gives it now)          task-queue.entered
//   a worker accepts                                                task.transfer-completed
//       warm: the initiating worker wraps up now
//   an offer ends unaccepted                                        task.transfer-attempt-failed
//       to a queue: offered to the next worker; to a worker: the transfer fails
//   the transfer's timeout passes, or no worker could ever take it  task.transfer-failed
//       warm: the initiating worker keeps the task (its wrap-up starts);
//       cold: the task is offered back to the initiating worker, in the queue it was accepted
//       from, for another timeout; if that worker does not take it, the task is canceled. A
//       worker who takes a task back finishes it (no new transfer is drawn for it)
//
// The events of a transfer leg (its task-queue.entered, reservation.accepted, task.canceled)
// carry the transfer's mode: the statistics count them as waits in the queue only (the task's
// wait in the workspace and its workflow ended when it was first accepted). So do the initiating
// reservation's reservation.wrapup and reservation.completed: its worker leaves the call, the
// task goes on.
#include <algorithm>

#include "engine/engine_impl.hpp"
#include "model/assert.hpp"

namespace trsim::detail {

// One draw per handled task of a worker whose behaviour has transfer rules (from its own stream,
// so that common random numbers hold for everything else); the rules share [0, 1) in order.
bool EngineImpl::draw_transfer(TaskSlot t) {
  const WorkerId w = reservations_[tasks_[t].accepted].worker;
  const double u = transfer_rngs_[w].uniform01();
  double upper = 0;
  for (const TransferRule& rule : workers_[w].behavior->transfers) {
    upper += rule.probability;
    if (u < upper) {
      start_transfer(t, rule);
      return true;
    }
  }
  return false;
}

Event EngineImpl::transfer_event(EventType type, const TaskState& task) const {
  const TransferState& tr = transfer_of(task);
  // From the task and what was kept of the initiating reservation (cold: its slot may have been
  // freed and reused since).
  Event e = task_event(type, task);
  e.reservation = tr.from_serial;
  e.worker = tr.from_worker;
  e.queue = tr.from_queue;
  e.transfer_mode = static_cast<std::uint8_t>(tr.rule->mode);
  e.transfer_kind = static_cast<std::uint8_t>(tr.rule->kind);
  switch (tr.rule->kind) {
    case TransferRule::Kind::queue:
      e.transfer_to = tr.rule->queue;
      break;
    case TransferRule::Kind::worker:
      e.transfer_to = tr.rule->worker;
      break;
    case TransferRule::Kind::workflow:
      e.transfer_to = task.workflow;
      break;
  }
  return e;
}

// A transferred task keeps its TransferState's index in its step (filter kTransferFilter).
TransferState& EngineImpl::new_transfer(TaskState& task) {
  std::uint32_t i = 0;
  if (!free_transfer_states_.empty()) {
    i = free_transfer_states_.back();
    free_transfer_states_.pop_back();
    *transfer_states_[i] = TransferState{};
  } else {
    i = static_cast<std::uint32_t>(transfer_states_.size());
    transfer_states_.push_back(std::make_unique<TransferState>());
  }
  task.filter = kTransferFilter;
  task.step = i;
  return *transfer_states_[i];
}

void EngineImpl::end_transfer(TaskState& task) {
  free_transfer_states_.push_back(task.step);
  task.filter = kNoId;
  task.step = 0;
}

bool EngineImpl::queue_has_members(QueueId q) const {
  for (ActivityId a = 0; a < scenario_.activities.size(); ++a)
    if (matching_.activity_count(q, a) > 0) return true;
  return false;
}

// assigned -> pending, transferred: the worker transfers its task when its talk time ends.
void EngineImpl::start_transfer(TaskSlot t, const TransferRule& rule) {
  TaskState& task = tasks_[t];
  const ReservationSlot from = task.accepted;
  const ReservationState& rs = reservations_[from];
  const WorkerId from_worker = rs.worker;
  TransferState& tr = new_transfer(task);  // task.filter, task.step: the transfer
  tr.rule = &rule;
  tr.from = from;
  tr.from_serial = rs.serial;
  tr.from_worker = rs.worker;
  tr.from_queue = rs.queue;
  tr.target = &tr.owned;
  const bool warm = rule.mode == TransferRule::Mode::warm;
  switch (rule.kind) {
    case TransferRule::Kind::queue:
      tr.owned.queue = rule.queue;
      break;
    case TransferRule::Kind::worker: {
      // Offered from the rule's queue, else from the first queue the worker is in now.
      const std::span<const QueueId> queues = workers_[rule.worker].queues;
      const bool member = rule.queue == kNoId
                              ? !queues.empty()
                              : std::find(queues.begin(), queues.end(), rule.queue) != queues.end();
      if (member && rule.worker != rs.worker)
        tr.owned.queue = rule.queue != kNoId ? rule.queue : queues.front();
      tr.owned.transfer_worker = rule.worker;
      break;
    }
    case TransferRule::Kind::workflow: {
      // A requeue: the first target of the filter the task matches now (its expression and
      // order_by apply), else default_filter.
      const Workflow& wf = workflow_of(task);
      const std::uint32_t f = next_matching_filter(task, 0);
      tr.target = f != kNoId ? &wf.filters[f].targets[0] : &wf.default_target;
      break;
    }
  }
  if (warm) tr.owned.excluded_worker = rs.worker;
  tr.owned.transfer_conditions =
      tr.owned.transfer_worker != kNoId || tr.owned.excluded_worker != kNoId;
  // An always-true expression sends every candidate through target_accepts(), which applies the
  // conditions (worker_takes() skips that call for targets without one).
  if (tr.owned.transfer_conditions) tr.owned.expression = Expression{};
  emit(transfer_event(EventType::task_transfer_initiated, task));

  task.accepted = ReservationSlot{};
  task.status = TaskStatus::pending;
  task.step_deadline = kNever;
  task.step_expired = false;
  if (rule.handle_time) task.handle_time = rule.handle_time->sample(transfer_rngs_[from_worker]);
  if (rule.priority) task.priority = *rule.priority;
  if (tr.target != &tr.owned && tr.target->priority) task.priority = *tr.target->priority;
  // Cold: the initiating worker leaves the call now (its wrap-up starts).
  if (!warm) begin_leg_wrapup(from, rule.mode);

  const QueueId q = tr.target->queue;
  if (q == kNoId) {
    fail_transfer(t, TransferFailure::no_eligible_worker);
    return;
  }
  enter_transfer_queue(t, q);
  if (!queue_has_members(q)) {
    fail_transfer(t, TransferFailure::no_eligible_worker);
    return;
  }
  arm_transfer_timeout(t);
  route_task(t);
}

// The transfer's timeout (the rule's, else the workflow's task_reservation_timeout) runs from now.
void EngineImpl::arm_transfer_timeout(TaskSlot t) {
  const TaskState& task = tasks_[t];
  TransferState& tr = transfer_of(task);
  const SimTime timeout =
      tr.rule->timeout ? *tr.rule->timeout : workflow_of(task).task_reservation_timeout;
  tr.timeout_timer = agenda_.schedule_timer(now_ + timeout, kTransferTimeout, t.index);
}

// The transferred task waits in queue q (task-queue.entered, marked as a transfer's).
void EngineImpl::enter_transfer_queue(TaskSlot t, QueueId q) {
  TaskState& task = tasks_[t];
  task.queue = q;
  task.queue_entered = now_;
  TransferState& tr = transfer_of(task);
  tr.entered = q;
  Event e = task_event(EventType::task_queue_entered, task);
  e.transfer_mode = static_cast<std::uint8_t>(tr.rule->mode);
  emit(e);
}

// reserved -> assigned through a transfer (accept() has made the transition): the transfer is
// completed; a warm transfer's initiating worker leaves the call now.
void EngineImpl::complete_transfer(TaskSlot t, ReservationSlot r) {
  TaskState& task = tasks_[t];
  TransferState& tr = transfer_of(task);
  agenda_.cancel(tr.timeout_timer);
  if (!tr.returning) {
    Event e = transfer_event(EventType::task_transfer_completed, task);
    e.reservation = reservations_[r].serial;
    e.worker = reservations_[r].worker;
    e.queue = reservations_[r].queue;
    e.previous_queue = tr.from_queue;
    emit(e);
    if (tr.rule->mode == TransferRule::Mode::warm) begin_leg_wrapup(tr.from, tr.rule->mode);
  } else {
    task.transfer_returned = true;
  }
  end_transfer(task);
}

// An offer of the transferred task ended unaccepted (and the worker moved as the offer's end
// says): with no offer left, that attempt failed. A queue transfer is offered to the next
// worker; a transfer to a worker fails ("the Worker it was transferred to rejected the
// Reservation"); a task offered back to its initiating worker is offered to it again.
void EngineImpl::transfer_offer_ended(TaskSlot t, EndedOffer ended) {
  TaskState& task = tasks_[t];
  if (task.status != TaskStatus::reserved) return;
  if (!task.offers.empty()) {
    route_task(t);
    return;
  }
  unreserve(t);
  TransferState& tr = transfer_of(task);
  if (!tr.returning) {
    Event e = transfer_event(EventType::task_transfer_attempt_failed, task);
    e.reservation = ended.serial;
    e.worker = ended.worker;
    e.queue = task.queue;
    e.transfer_failure = TransferFailure::rejected;
    emit(e);
  }
  if (task.transitions >= kMaxTaskTransitions) {
    if (tr.returning) {
      cancel_task(t, CancelReason::transition_limit);
      return;
    }
    fail_transfer(t, TransferFailure::rejected);
    return;
  }
  if (!tr.returning && tr.rule->kind == TransferRule::Kind::worker) {
    fail_transfer(t, TransferFailure::rejected);
    return;
  }
  route_task(t);
}

// Its timer runs only while the transfer does (every end of one, complete_transfer, fail_transfer
// and cancel_task, cancels it), and a live transfer's task waits: pending or reserved.
void EngineImpl::on_transfer_timeout(TaskSlot t) {
  const TaskState& task = tasks_[t];
  TRSIM_ASSERT(transferred(task) &&
                   (task.status == TaskStatus::pending || task.status == TaskStatus::reserved),
               "on_transfer_timeout: task {} is not waiting in a transfer", task.serial);
  transfer_of(task).timeout_timer = Timer{};  // fired
  fail_transfer(t, TransferFailure::timeout);
}

// The transfer failed: its pending offers are canceled, then the task goes back to the worker
// who transferred it. Warm: that worker kept the call and keeps the task (its wrap-up starts).
// Cold: it is offered back to that worker in the queue it was accepted from, for another
// timeout; a task offered back that is not taken in time is canceled.
void EngineImpl::fail_transfer(TaskSlot t, TransferFailure why) {
  TaskState& task = tasks_[t];
  TransferState& tr = transfer_of(task);
  agenda_.cancel(tr.timeout_timer);
  matching_.task_left(t);
  if (!task.offers.empty()) {
    const std::vector<ReservationSlot> offers = task.offers;  // end_offer() edits task.offers
    for (ReservationSlot o : offers) end_offer(o, ReservationStatus::canceled);
    unreserve(t);
  }
  if (tr.returning) {
    cancel_task(t, CancelReason::transfer_failed);
    return;
  }
  Event e = transfer_event(EventType::task_transfer_failed, task);
  e.queue = tr.entered;  // the queue it waited in (kNoId: none)
  e.previous_queue = tr.from_queue;
  e.transfer_failure = why;
  emit(e);
  if (tr.rule->mode == TransferRule::Mode::warm) {
    // pending -> assigned: back with the worker still on the call, who now wraps up.
    task.status = TaskStatus::assigned;
    task.accepted = tr.from;
    task.queue = tr.from_queue;
    end_transfer(task);
    on_handle_end(t);  // assigned -> wrapping
    return;
  }
  // Cold: offered back to the initiating worker (known-worker style, its original queue).
  tr.returning = true;
  tr.owned = WorkflowTarget{};
  tr.owned.queue = tr.from_queue;
  tr.owned.transfer_worker = tr.from_worker;
  tr.owned.transfer_conditions = true;
  tr.owned.expression = Expression{};
  tr.target = &tr.owned;
  enter_transfer_queue(t, tr.from_queue);
  arm_transfer_timeout(t);
  route_task(t);
}

// A reservation wraps up while its task goes on (the initiating reservation of a transfer):
// reservation.wrapup now, reservation.completed after the worker's wrap-up time, when its unit of
// capacity frees. The completion event is built now: the task may be gone by then.
void EngineImpl::begin_leg_wrapup(ReservationSlot r, TransferRule::Mode mode) {
  ReservationState& rs = reservations_[r];
  TRSIM_ASSERT(rs.status == ReservationStatus::accepted,
               "begin_leg_wrapup: reservation {} is not accepted", r.index);
  rs.status = ReservationStatus::wrapping;
  // The mode marks the wrap-up and the completion as a leg's: the collectors free the worker and
  // neither wrap up nor complete the task (it goes on with the transfer's target); both event logs
  // print it (transfer_mode, as on the leg's other events).
  Event e = reservation_event(EventType::reservation_wrapup, r);
  e.transfer_mode = static_cast<std::uint8_t>(mode);
  emit(e);
  e.type = EventType::reservation_completed;
  leg_wrapups_.push_back({r, e});
  WorkerState& ws = workers_[rs.worker];
  // Accepted: its timeout timer is free (an accept cancels it).
  rs.timeout_timer = agenda_.schedule_timer(now_ + ws.behavior->wrapup_time.sample(ws.wrapup_rng),
                                            kLegWrapupEnd, r.index);
}

void EngineImpl::on_leg_wrapup_end(ReservationSlot r) {
  ReservationState& rs = reservations_[r];
  const WorkerId w = rs.worker;
  rs.status = ReservationStatus::completed;
  const auto it = std::find_if(leg_wrapups_.begin(), leg_wrapups_.end(),
                               [r](const LegWrapup& l) { return l.reservation == r; });
  TRSIM_ASSERT(it != leg_wrapups_.end(), "on_leg_wrapup_end: reservation {} is not wrapping up",
               r.index);
  Event e = it->completed;
  leg_wrapups_.erase(it);
  e.time = now_;
  emit(e);
  end_wrapup(w, r);
}

}  // namespace trsim::detail
