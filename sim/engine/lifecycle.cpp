// TaskRouter's state machines, in one place. Each function is one transition:
//
//   task         pending -> reserved -> assigned -> wrapping -> completed
//                reserved -> pending (every offer ended unaccepted)
//                pending|reserved -> pending (updated: attributes or priority changed)
//                pending|reserved -> canceled (abandoned, TTL, workflow timeout/skip, 1000 offers)
//   reservation  pending -> accepted -> wrapping -> completed
//                pending -> rejected | timeout | rescinded | canceled
//   worker       activity changes: timeout activity after a missed offer, reject activity,
//                single-tasking reservation/assignment/after-task activities, schedules.
//
// This file only moves entities from one state to the next, emits their events and keeps the
// capacity books. It tells matching_ (matching.hpp) every change that matters to it (a worker's
// room or activity, a task that stops waiting), and never decides where a task goes: routing
// (which step, which worker) is router.cpp's, and what the workflow does after an offer ends
// unaccepted is the handler's (engine.cpp) call to after_offer_ended() in router.cpp.
#include <algorithm>

#include "engine/engine_impl.hpp"
#include "model/assert.hpp"

namespace trsim::detail {

namespace {
// Offers and held reservations are a handful at most, and the one to erase is mostly the last.
template <class SlotType>
void erase_value(std::vector<SlotType>& v, SlotType x) {
  TRSIM_ASSERT(!v.empty(), "erase_value: {} is not in an empty list", x.index);
  if (v.back() == x) {
    v.pop_back();
    return;
  }
  const auto it = std::find(v.begin(), v.end(), x);
  TRSIM_ASSERT(it != v.end(), "erase_value: {} is not in the list", x.index);
  v.erase(it);
}
}  // namespace

// A task arrives: status pending, its TTL and the caller's patience start now.
TaskSlot EngineImpl::create_task(StreamId s, std::uint32_t row) {
  const ArrivalStream& def = scenario_.arrivals[s];
  StreamState& st = streams_[s];
  const TraceRow* trace = def.kind == ArrivalStream::Kind::trace ? &def.trace[row] : nullptr;
  const TaskSlot t = allocate_task();
  TaskState& task = tasks_[t];
  task.serial = next_task_serial_++;
  task.stream = s;
  task.workflow = def.workflow;
  task.channel = trace && trace->channel != kNoId ? trace->channel : def.channel;
  task.attributes = task_attributes(s, row, task.owned_attributes);
  task.priority = trace && trace->priority ? *trace->priority : def.priority;
  task.created = now_;
  task.handle_time =
      trace && trace->handle_time ? *trace->handle_time : def.handle_time.sample(st.handle_rng);
  std::optional<SimTime> patience;
  if (trace && trace->patience)
    patience = trace->patience;
  else if (def.patience)
    patience = def.patience->sample(st.patience_rng);
  ++alive_tasks_;
  Event created = task_event(EventType::task_created, task);
  created.attributes = task.attributes;  // the TaskRouter-shaped log's task_attributes
  emit(created);
  st.ttl_fifo.emplace_back(t, task.serial);
  compact_ttl(s);
  arm_ttl(s);
  if (patience)
    task.abandon_timer = agenda_.schedule_timer(now_ + *patience, kTaskAbandon, t.index);
  task.next_update = 0;
  if (!def.updates.empty()) arm_next_update(t);
  return t;
}

// The timer of the task's next `updates[]` entry (ages ascend, so one timer at a time suffices).
void EngineImpl::arm_next_update(TaskSlot t) {
  TaskState& task = tasks_[t];
  const std::vector<TaskUpdate>& updates = scenario_.arrivals[task.stream].updates;
  if (task.next_update >= updates.size()) return;
  task.update_timer =
      agenda_.schedule_timer(task.created + updates[task.next_update].after, kTaskUpdate, t.index);
}

// pending|reserved -> pending, updated: a waiting task's attributes or priority change (a
// callback request, an escalation flag, a bot hand-off), with task.updated. Its pending offers
// were made under the old attributes: they are rescinded. Where it goes now is the router's call
// (reevaluate). The TTL and the caller's patience run on.
void EngineImpl::update_task(TaskSlot t, const TaskUpdate& update) {
  TaskState& task = tasks_[t];
  TRSIM_ASSERT(task.status == TaskStatus::pending || task.status == TaskStatus::reserved,
               "update_task: task {} is not waiting", task.serial);
  if (!update.attributes.as_object().empty()) {
    if (!task.owned_attributes) task.owned_attributes = std::make_unique<Value>(*task.attributes);
    task.owned_attributes->merge_from(update.attributes);
    task.attributes = task.owned_attributes.get();
  }
  if (update.priority) task.priority = *update.priority;
  if (update.ends_patience) agenda_.cancel(task.abandon_timer);
  Event e = task_event(EventType::task_updated, task);
  e.attributes = task.attributes;
  emit(e);
  if (!task.offers.empty()) {
    const std::vector<ReservationSlot> offers = task.offers;  // end_offer() edits task.offers
    for (ReservationSlot o : offers) end_offer(o, ReservationStatus::rescinded);
  }
  task.status = TaskStatus::pending;
}

// An offer: the task goes pending -> reserved (once per batch of parallel offers), the worker
// holds one unit of the channel's capacity until the reservation ends, and its behaviour decides
// now, from its own random stream, whether and when it will answer.
void EngineImpl::create_reservation(TaskSlot t, WorkerId w) {
  const ReservationSlot r = allocate_reservation();
  TaskState& task = tasks_[t];
  ReservationState& rs = reservations_[r];
  rs.serial = next_reservation_serial_++;
  rs.task = t;
  rs.worker = w;
  rs.queue = task.queue;
  rs.channel = task.channel;
  if (task.status == TaskStatus::pending) {
    task.status = TaskStatus::reserved;
    ++task.transitions;
  }
  task.offers.push_back(r);

  WorkerState& ws = workers_[w];
  ws.held.push_back(r);
  ++ws.reservations;
  ++ws.used[task.channel];
  ws.idle_since = now_;
  if (ws.reservations == 1) ws.activity_before_offer = ws.activity;
  emit(reservation_event(EventType::reservation_created, r));
  const RoutingFacts::Queue& queue = facts_->queues[task.queue];
  if (single_tasking_ && queue.reservation_activity != kNoId)
    set_activity(w, queue.reservation_activity);
  matching_.worker_capacity_taken(w);  // the task's waiting set: the caller's, after its offers

  // The behaviour decides now whether and when the worker answers. Only one of the two timers is
  // armed: a response before the deadline ends the reservation first (the timeout could never
  // fire), and a response at or after it is too late (timeouts rank first).
  const SimTime deadline = now_ + workflow_of(task).task_reservation_timeout;
  const Behavior& b = *workers_[w].behavior;
  const double u = ws.outcome_rng.uniform01();
  SimTime response = kNever;
  if (u < b.p_accept + b.p_reject) {
    rs.will_accept = u < b.p_accept;
    const Distribution& d =
        rs.will_accept ? (b.accept_response_time ? *b.accept_response_time : b.response_time)
                       : (b.reject_response_time ? *b.reject_response_time : b.response_time);
    response = now_ + d.sample(ws.response_rng);
  }
  if (response < deadline)
    rs.response_timer = agenda_.schedule_timer(response, kWorkerResponse, r.index);
  else
    rs.timeout_timer = agenda_.schedule_timer(deadline, kReservationTimeout, r.index);
}

// reserved -> assigned: the first accept wins; every other pending offer is rescinded. The task's
// wait (and its TTL, patience and step deadline) ends here: an assigned task is never canceled.
// A transfer's accept also completes the transfer (transfers.cpp); its event says it ends a wait
// in its queue only. Always inlined: accept() is the common case's body.
template <bool transfer>
[[gnu::always_inline]] inline void EngineImpl::accept_as(ReservationSlot r) {
  ReservationState& rs = reservations_[r];
  const TaskSlot t = rs.task;
  const WorkerId w = rs.worker;
  TaskState& task = tasks_[t];
  agenda_.cancel(rs.timeout_timer);
  agenda_.cancel(rs.response_timer);
  rs.status = ReservationStatus::accepted;
  task.status = TaskStatus::assigned;
  task.accepted = r;
  task.accepted_at = now_;
  erase_value(task.offers, r);
  matching_.task_left(t);
  agenda_.cancel(task.abandon_timer);
  agenda_.cancel(task.step_timer);
  agenda_.cancel(task.update_timer);
  if constexpr (transfer) {
    Event e = reservation_event(EventType::reservation_accepted, r);
    e.transfer_mode = static_cast<std::uint8_t>(transfer_of(task).rule->mode);
    emit(e);
  } else {
    emit(reservation_event(EventType::reservation_accepted, r));
  }
  if (!task.offers.empty()) {
    const std::vector<ReservationSlot> others = task.offers;  // end_offer() edits task.offers
    for (ReservationSlot o : others) end_offer(o, ReservationStatus::rescinded);
  }
  if (single_tasking_ && facts_->queues[rs.queue].assignment_activity != kNoId)
    set_activity(w, facts_->queues[rs.queue].assignment_activity);
  const double factor = workers_[w].handle_time_factor;
  // Clamped like every sampled duration (a 100-year handle time scaled by the loader's largest
  // factor would not fit in SimTime).
  const SimTime handle =
      factor == 1.0
          ? task.handle_time
          : from_seconds(std::min(to_seconds(task.handle_time) * factor, to_seconds(kMaxDuration)));
  task.work_timer = agenda_.schedule_timer(now_ + handle, kHandleEnd, t.index);
  if constexpr (transfer) complete_transfer(t, r);
}

void EngineImpl::accept(ReservationSlot r) {
  if (transferred(tasks_[reservations_[r].task])) [[unlikely]] {
    accept_transfer(r);
    return;
  }
  accept_as<false>(r);
}

void EngineImpl::accept_transfer(ReservationSlot r) { accept_as<true>(r); }

// pending -> rejected: the worker goes to its behaviour's reject activity (if any). What the task
// does next is the workflow's (after_offer_ended).
void EngineImpl::reject(ReservationSlot r) {
  const WorkerId w = reservations_[r].worker;
  end_offer(r, ReservationStatus::rejected);
  const Behavior& b = *workers_[w].behavior;
  if (b.reject_activity != kNoId) {
    set_activity(w, b.reject_activity);
    // `after_reject`: back after a while, as after a timeout (the same stream draws the delay).
    if (b.reject_return_after && b.after_reject_activity != kNoId) {
      WorkerState& ws = workers_[w];
      agenda_.cancel(ws.return_timer);
      ws.return_to = b.after_reject_activity;
      ws.return_timer = agenda_.schedule_timer(now_ + b.reject_return_after->sample(ws.return_rng),
                                               kWorkerReturn, w);
    }
  }
}

// pending -> timeout: TaskRouter parks the worker in the workspace's timeout activity, where it
// stays until its behaviour (or schedule) brings it back.
void EngineImpl::time_out(ReservationSlot r) {
  const WorkerId w = reservations_[r].worker;
  end_offer(r, ReservationStatus::timeout);
  set_activity(w, scenario_.workspace.timeout_activity);
  const Behavior& b = *workers_[w].behavior;
  WorkerState& ws = workers_[w];
  agenda_.cancel(ws.return_timer);
  if (b.return_after && b.after_timeout_activity != kNoId) {
    ws.return_to = b.after_timeout_activity;
    ws.return_timer =
        agenda_.schedule_timer(now_ + b.return_after->sample(ws.return_rng), kWorkerReturn, w);
  }
}

void EngineImpl::on_worker_return(WorkerId w) {
  set_activity(w, workers_[w].return_to);
  matching_.request_fill(w);
}

// Ends a pending offer without acceptance (rejected, timeout, rescinded, canceled): the event,
// the worker's capacity back, the reservation slot freed. The task's own state is the caller's.
void EngineImpl::end_offer(ReservationSlot r, ReservationStatus outcome) {
  ReservationState& rs = reservations_[r];
  TRSIM_ASSERT(rs.status == ReservationStatus::pending, "end_offer: reservation {} is not pending",
               r.index);
  agenda_.cancel(rs.timeout_timer);
  agenda_.cancel(rs.response_timer);
  rs.status = outcome;
  TaskState& task = tasks_[rs.task];
  erase_value(task.offers, r);
  EventType type = EventType::reservation_rejected;
  switch (outcome) {
    case ReservationStatus::rejected:
      type = EventType::reservation_rejected;
      break;
    case ReservationStatus::timeout:
      type = EventType::reservation_timeout;
      break;
    case ReservationStatus::rescinded:
      type = EventType::reservation_rescinded;
      break;
    case ReservationStatus::canceled:
      type = EventType::reservation_canceled;
      break;
    default:
      TRSIM_ASSERT(false, "end_offer: outcome {} is not an unaccepted one",
                   static_cast<int>(outcome));
  }
  emit(reservation_event(type, r));
  const WorkerId w = rs.worker;
  // A single-tasking worker moved to the queue's reservation activity goes back where it was.
  if (single_tasking_ && workers_[w].reservations == 1 &&
      facts_->queues[rs.queue].reservation_activity != kNoId)
    set_activity(w, workers_[w].activity_before_offer);
  release_capacity(w, r);
  free_reservation(r);
}

// reserved -> pending: every offer ended unaccepted (the workflow then decides where it waits).
void EngineImpl::unreserve(TaskSlot t) {
  TaskState& task = tasks_[t];
  TRSIM_ASSERT(task.status == TaskStatus::reserved && task.offers.empty(),
               "unreserve: task {} is not reserved without offers", task.serial);
  task.status = TaskStatus::pending;
}

// assigned -> wrapping: the conversation ended; wrap-up time comes from the worker's behaviour.
// (The handler may transfer the task instead: transfers.cpp.)
void EngineImpl::on_handle_end(TaskSlot t) {
  TaskState& task = tasks_[t];
  ReservationState& rs = reservations_[task.accepted];
  task.status = TaskStatus::wrapping;
  rs.status = ReservationStatus::wrapping;
  if (consumed(EventType::reservation_wrapup)) {  // only the event log reads these two
    Event e = reservation_event(EventType::reservation_wrapup, task.accepted);
    emit(e);
    e.type = EventType::task_wrapup;
    emit(e);
  }
  WorkerState& ws = workers_[rs.worker];
  const Behavior& b = *ws.behavior;
  task.work_timer =
      agenda_.schedule_timer(now_ + b.wrapup_time.sample(ws.wrapup_rng), kWrapupEnd, t.index);
}

// wrapping -> completed: the worker's capacity frees and it counts as idle from now.
void EngineImpl::on_wrapup_end(TaskSlot t) {
  TaskState& task = tasks_[t];
  const ReservationSlot r = task.accepted;
  ReservationState& rs = reservations_[r];
  const WorkerId w = rs.worker;
  task.status = TaskStatus::completed;
  rs.status = ReservationStatus::completed;
  Event e = reservation_event(EventType::reservation_completed, r);
  e.task_accepted_at = task.accepted_at;
  emit(e);
  e.type = EventType::task_completed;
  emit(e);
  end_wrapup(w, r);
  finish_task(t);
}

// Worker w's wrap-up of reservation r ended (the reservation is completed): the worker is idle
// from now, a single-tasking one goes to its behaviour's after_task_activity (else back where it
// was before the offer), and its unit of capacity frees. A task's wrap-up (on_wrapup_end) and a
// transfer leg's (on_leg_wrapup_end) end alike.
void EngineImpl::end_wrapup(WorkerId w, ReservationSlot r) {
  WorkerState& ws = workers_[w];
  ws.idle_since = now_;
  if (single_tasking_) {
    const Behavior& b = *ws.behavior;
    set_activity(w,
                 b.after_task_activity != kNoId ? b.after_task_activity : ws.activity_before_offer);
  }
  release_capacity(w, r);
  free_reservation(r);
}

// pending|reserved -> canceled: pending offers are canceled and their workers freed.
void EngineImpl::cancel_task(TaskSlot t, CancelReason reason) {
  TaskState& task = tasks_[t];
  if (task.status != TaskStatus::pending && task.status != TaskStatus::reserved) return;
  agenda_.cancel(task.abandon_timer);
  agenda_.cancel(task.step_timer);
  agenda_.cancel(task.update_timer);
  matching_.task_left(t);
  const std::vector<ReservationSlot> offers = task.offers;
  for (ReservationSlot o : offers) end_offer(o, ReservationStatus::canceled);
  task.status = TaskStatus::canceled;
  Event e = task_event(EventType::task_canceled, task);
  e.reason = reason;
  if (transferred(task)) [[unlikely]] {
    // A transfer leg's wait ends (its mode marks the event); the transfer ends with the task.
    e.transfer_mode = static_cast<std::uint8_t>(transfer_of(task).rule->mode);
    agenda_.cancel(transfer_of(task).timeout_timer);
    end_transfer(task);
  }
  emit(e);
  finish_task(t);
}

void EngineImpl::finish_task(TaskSlot t) {
  TaskState& task = tasks_[t];
  task.owned_attributes.reset();
  task.offers.clear();
  --alive_tasks_;
  free_tasks_.push_back(t);
}

void EngineImpl::free_reservation(ReservationSlot r) { free_reservations_.push_back(r); }

void EngineImpl::release_capacity(WorkerId w, ReservationSlot r) {
  WorkerState& ws = workers_[w];
  erase_value(ws.held, r);
  --ws.reservations;
  --ws.used[reservations_[r].channel];
  matching_.worker_capacity_changed(w);
}

// Any activity change: the per-queue activity counts (for skip_if) and the idle pools follow
// (Matching). Becoming available counts as the start of an idle period (longest-idle ordering).
void EngineImpl::set_activity(WorkerId w, ActivityId a) {
  WorkerState& ws = workers_[w];
  if (a == kNoId || a == ws.activity) return;
  const ActivityId previous = ws.activity;
  ws.activity = a;
  if (!scenario_.activities[previous].available && scenario_.activities[a].available)
    ws.idle_since = now_;
  Event e;
  e.time = now_;
  e.type = EventType::worker_activity_update;
  e.worker = w;
  e.activity = a;
  e.previous_activity = previous;
  emit(e);
  matching_.worker_activity_changed(w, previous);
}

// A worker's definition changes (workers.<group>.changes[]): configured capacity per channel
// (worker.capacity.update), channel availability (worker.channel.availability.update) and
// attributes (worker.attributes.update). Offers read the effective capacity (configured where the
// channel is available, else 0); reservations already held stay (WorkerChannel Capacity: "If the
// capacity is 0, no new reservations will be created"). The caller tells matching_ and re-evaluates
// the queues. Returns whether the attributes changed.
bool EngineImpl::change_worker(WorkerId w, const WorkerChange& change) {
  WorkerState& ws = workers_[w];
  const Worker& def = scenario_.workers[w];
  if (!ws.overrides) {
    ws.overrides = std::make_unique<WorkerOverrides>();
    ws.overrides->configured = def.capacity;
    ws.overrides->available.assign(def.capacity.size(), 1);
    ws.overrides->effective = def.capacity;
    ws.overrides->held_when_lowered.assign(def.capacity.size(), 0);
  }
  WorkerOverrides& o = *ws.overrides;
  Event e;
  e.time = now_;
  e.worker = w;
  for (const auto& [c, capacity] : change.capacity) {
    o.configured[c] = capacity;
    e.type = EventType::worker_capacity_update;
    e.channel = c;
    e.capacity = static_cast<std::int16_t>(capacity);  // at most kMaxCapacity (1,000)
    emit(e);
  }
  e.capacity = -1;
  for (const auto& [c, available] : change.availability) {
    o.available[c] = available ? 1 : 0;
    e.type = EventType::worker_channel_availability_update;
    e.channel = c;
    e.available = available ? 1 : 0;
    emit(e);
  }
  e.available = -1;
  e.channel = kNoId;
  for (std::size_t c = 0; c < o.configured.size(); ++c) {
    const int effective = o.available[c] != 0 ? o.configured[c] : 0;
    if (effective < o.effective[c]) o.held_when_lowered[c] = ws.used[c];
    o.effective[c] = effective;
  }
  ws.capacity = o.effective.data();
  if (change.attributes.as_object().empty()) return false;
  if (!o.attributes) o.attributes = std::make_unique<Value>(def.attributes);
  o.attributes->merge_from(change.attributes);
  e.type = EventType::worker_attributes_update;
  e.attributes = o.attributes.get();
  emit(e);
  return true;
}

}  // namespace trsim::detail
