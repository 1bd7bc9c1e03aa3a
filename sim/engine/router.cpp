// The router: which workflow step a task is in, and which worker gets which task.
//
// Workflow: filters are tried top to bottom; the first whose expression matches applies. A
// filter's targets are steps; step k's deadline is the sum of the timeouts of steps 1..k measured
// against the task's age (for a later filter, against the time the task entered it). After the
// last timed step the next matching filter applies; if there is none the task is canceled on
// workflow timeout. A task matching no filter goes to default_filter.
//
// Offers: Matching (matching.hpp) keeps, per (queue, channel), the idle workers that could take
// a task on that channel and the tasks waiting for an offer; this file asks it for candidates and
// decides which of them may take the task (the target's expression, known_worker_*). After every
// event no waiting task and idle eligible worker are left unmatched: a new or re-routed task looks
// for workers (route_task); a worker that gains room looks for the best head task across its
// queues (fill_worker, for each worker Matching drains at the end of the event).
#include <algorithm>
#include <cassert>

#include "engine/engine_impl.hpp"

namespace trsim::detail {

const WorkflowTarget& EngineImpl::current_target(const TaskState& task) const {
  const Workflow& wf = workflow_of(task);
  if (task.filter == kDefaultFilter) return wf.default_target;
  if (task.filter == kTransferFilter) [[unlikely]]
    return *transfer_of(task).target;
  return wf.filters[task.filter].targets[task.step];
}

std::uint32_t EngineImpl::next_matching_filter(const TaskState& task, std::uint32_t first) {
  const Workflow& wf = workflow_of(task);
  if (first >= wf.filters.size()) return kNoId;  // none left to try (or only default_filter)
  // Filters read only the task's attributes (and the clock, which rules the cache out), so tasks
  // sharing an attribute object share the answers: evaluate each filter once per object.
  if (facts_->filters_cacheable[task.workflow] && !task.owned_attributes) {
    std::vector<std::uint8_t>& matches = filter_matches_[task.workflow][task.attributes];
    if (matches.empty()) {
      EvalContext ctx;
      ctx.task = task.attributes;
      matches.resize(wf.filters.size());
      for (std::uint32_t f = 0; f < wf.filters.size(); ++f)
        matches[f] = !wf.filters[f].targets.empty() && wf.filters[f].expression.evaluate(ctx);
    }
    for (std::uint32_t f = first; f < wf.filters.size(); ++f)
      if (matches[f]) return f;
    return kNoId;
  }
  EvalContext ctx;
  ctx.task = task.attributes;
  ctx.wall_clock_seconds = wall_clock();
  for (std::uint32_t f = first; f < wf.filters.size(); ++f) {
    if (wf.filters[f].targets.empty()) continue;
    if (wf.filters[f].expression.evaluate(ctx)) return f;
  }
  return kNoId;
}

// The step after (filter, step): the next target of the filter, else the first target of the
// next matching filter. False when the workflow has no step left.
bool EngineImpl::next_step(const TaskState& task, std::uint32_t& filter, std::uint32_t& step) {
  if (filter == kDefaultFilter) return false;
  const Workflow& wf = workflow_of(task);
  if (step + 1 < wf.filters[filter].targets.size()) {
    ++step;
    return true;
  }
  const std::uint32_t f = next_matching_filter(task, filter + 1);
  if (f == kNoId) return false;
  filter = f;
  step = 0;
  return true;
}

void EngineImpl::enter_workflow(TaskSlot t) {
  TaskState& task = tasks_[t];
  emit(task_event(EventType::workflow_entered, task));
  const std::uint32_t f = next_matching_filter(task, 0);
  if (f != kNoId) {
    place(t, f, 0, task.created);
  } else if (workflow_of(task).default_target.queue != kNoId) {
    place(t, kDefaultFilter, 0, task.created);
  } else {
    emit(task_event(EventType::workflow_timeout, task));
    cancel_task(t, CancelReason::workflow_timeout);
  }
}

// An updated task is evaluated against its workflow again, from the first filter, as if it had
// just entered it: step deadlines count from now (TaskRouter: "processed through the assignment
// loop again"), the queue it waited in is left only if another step matches now.
void EngineImpl::reevaluate(TaskSlot t) {
  TaskState& task = tasks_[t];
  matching_.task_left(t);
  agenda_.cancel(task.step_timer);
  task.step_expired = false;
  const std::uint32_t f = next_matching_filter(task, 0);
  if (f != kNoId) {
    place(t, f, 0, now_);
  } else if (workflow_of(task).default_target.queue != kNoId) {
    place(t, kDefaultFilter, 0, now_);
  } else {
    emit(task_event(EventType::workflow_timeout, task));
    cancel_task(t, CancelReason::workflow_timeout);
  }
}

// Puts the task in a step and offers it. When the step creates no reservation at once and its
// skip_if holds, the task moves straight on (the skipped step's time still counts towards later
// deadlines, which are measured against the task's age).
void EngineImpl::place(TaskSlot t, std::uint32_t filter, std::uint32_t step, SimTime base) {
  while (true) {
    TaskState& task = tasks_[t];
    const QueueId previous_queue = task.queue;
    task.filter = filter;
    task.step = step;
    task.step_expired = false;
    const WorkflowTarget& target = current_target(task);
    // A target's priority stays with the task: a later step without one keeps it.
    if (target.priority) task.priority = *target.priority;
    task.step_deadline = target.timeout ? base + *target.timeout : kNever;
    task.queue = target.queue;
    const SimTime previous_entered = task.queue_entered;
    if (previous_queue != task.queue) task.queue_entered = now_;
    Event e = task_event(EventType::workflow_target_matched, task);
    emit(e);
    if (previous_queue != task.queue) {
      if (previous_queue != kNoId) {
        e.type = EventType::task_queue_moved;
        e.previous_queue = previous_queue;
        e.task_queue_entered_at = previous_entered;  // the relative wait in the queue left
        emit(e);
        e.previous_queue = kNoId;
        e.task_queue_entered_at = task.queue_entered;
      }
      e.type = EventType::task_queue_entered;
      emit(e);
    }
    agenda_.cancel(task.step_timer);
    if (task.step_deadline != kNever)
      task.step_timer =
          agenda_.schedule_timer(std::max(task.step_deadline, now_), kStepTimeout, t.index);
    // A step reached after its deadline (an offer in an earlier step outlived this step's
    // deadline too) makes no offers: its timer, due now, moves the task straight on.
    if (task.step_deadline < now_) {
      task.step_expired = true;
      matching_.task_left(t);
      task.ever_placed = true;
      return;
    }
    // Offers first, then the waiting set (route_task() does both): a task that is offered at
    // once (the common case) never enters the queue's waiting set only to leave it again.
    const std::size_t offered = route_task(t);
    if (offered > 0 || !target.skip_if) {
      task.ever_placed = true;
      return;
    }
    EvalContext ctx;
    ctx.task = task.attributes;
    const WorkerCounts counts = queue_counts(task.queue);
    ctx.workers = &counts;
    ctx.wall_clock_seconds = wall_clock();
    if (!target.skip_if->evaluate(ctx)) {
      task.ever_placed = true;
      return;
    }
    // Skipped.
    matching_.task_left(t);
    agenda_.cancel(task.step_timer);
    const SimTime next_base = task.step_deadline != kNever ? task.step_deadline : now_;
    std::uint32_t f = filter, k = step;
    if (!next_step(task, f, k)) {
      // Skipped out of the last step of the last matching filter: that filter counts as not
      // matched, so default_filter takes the task (the worker-presence page's reading). With
      // skip_out_cancels (the event reference's `workflow.skipped` reading) only a task that
      // skipped every step it tried gets there; one that had settled in a step is canceled.
      const Workflow& wf = workflow_of(task);
      if (wf.default_target.queue != kNoId && (!wf.skip_out_cancels || !task.ever_placed)) {
        filter = kDefaultFilter;
        step = 0;
        base = task.created;
        continue;
      }
      emit(task_event(EventType::workflow_skipped, task));
      cancel_task(t, CancelReason::workflow_skipped);
      return;
    }
    filter = f;
    step = k;
    base = f == task.filter ? next_base : now_;
  }
}

void EngineImpl::on_step_timeout(TaskSlot t) {
  TaskState& task = tasks_[t];
  if (task.status != TaskStatus::pending && task.status != TaskStatus::reserved) return;
  if (!task.offers.empty()) {
    // Offers in flight keep the task in this step; it moves on if they all end unaccepted.
    task.step_expired = true;
    matching_.task_left(t);
    return;
  }
  advance_step(t, true);
}

void EngineImpl::advance_step(TaskSlot t, bool deadline_passed) {
  TaskState& task = tasks_[t];
  if (deadline_passed) emit(task_event(EventType::task_queue_timeout, task));
  std::uint32_t f = task.filter, k = task.step;
  if (!next_step(task, f, k)) {
    if (!deadline_passed) {  // reservation_timeout_advances_step on the last step: stay
      route_task(t);
      return;
    }
    emit(task_event(EventType::workflow_timeout, task));
    cancel_task(t, CancelReason::workflow_timeout);
    return;
  }
  const SimTime base = f == task.filter && task.step_deadline != kNever ? task.step_deadline : now_;
  place(t, f, k, base);
}

// After an offer ended unaccepted: while other offers are pending the task stays reserved (and
// may take another worker); with none left it is pending again, re-evaluated in its current step
// unless that step's deadline passed meanwhile (or the option moves timed-out tasks on).
void EngineImpl::after_offer_ended(TaskSlot t, bool timed_out, EndedOffer ended) {
  TaskState& task = tasks_[t];
  if (transferred(task)) [[unlikely]] {
    transfer_offer_ended(t, ended);
    return;
  }
  if (task.status != TaskStatus::reserved) return;
  if (!task.offers.empty()) {
    route_task(t);
    return;
  }
  unreserve(t);
  if (task.transitions >= kMaxTaskTransitions) {
    cancel_task(t, CancelReason::transition_limit);
    return;
  }
  if (task.step_expired) {
    advance_step(t, true);
    return;
  }
  if (timed_out && workflow_of(task).reservation_timeout_advances_step &&
      task.filter != kDefaultFilter) {
    advance_step(t, false);
    return;
  }
  route_task(t);
}

// Offers the task to as many idle eligible workers as it has open offers (max_reserved_workers
// minus pending ones), longest idle first (or by the target's order_by), then re-files it in its
// queue's waiting set: once, after all its offers (nothing reads the waiting sets in between).
// Returns the offers made.
std::size_t EngineImpl::route_task(TaskSlot t) {
  const std::size_t offered = make_offers(t);
  matching_.task_changed(t);
  return offered;
}

std::size_t EngineImpl::make_offers(TaskSlot t) {
  TaskState& task = tasks_[t];
  if ((task.status != TaskStatus::pending && task.status != TaskStatus::reserved) ||
      task.queue == kNoId || task.step_expired)
    return 0;
  const int max_offers = facts_->queues[task.queue].max_reserved_workers;
  const int open = max_offers - static_cast<int>(task.offers.size());
  if (open <= 0) return 0;
  const WorkflowTarget& target = current_target(task);

  WorkerId chosen[kMaxReservedWorkers];
  std::size_t n = 0;
  if (!target.known_worker_sid_attribute.empty() || !target.known_worker_name_attribute.empty()) {
    const WorkerId w = known_worker(task, target);
    if (w != kNoId && matching_.idle_in(w, task.queue, task.channel) && worker_takes(task, w))
      chosen[n++] = w;
  } else {
    // Longest idle first, or by the target's order_by (best rank first, then longest idle).
    matching_.for_each_idle(task.queue, task.channel, target, [&](WorkerId candidate) {
      if (!worker_takes(task, candidate)) return true;
      chosen[n++] = candidate;
      return static_cast<int>(n) < open;
    });
  }
  for (std::size_t i = 0; i < n; ++i) create_reservation(t, chosen[i]);
  return n;
}

// Gives a worker with room the best waiting task across its queues (Matching::best_task), until
// it has no room or no task it may take is left.
void EngineImpl::fill_worker(WorkerId w) {
  if (!matching_.any_waiting()) return;  // no task waits (under light load, most of the time)
  while (matching_.is_available(w)) {
    const TaskSlot t =
        matching_.best_task(w, [&](TaskSlot slot) { return worker_takes(tasks_[slot], w); });
    if (!t.valid()) return;
    create_reservation(t, w);
    matching_.task_changed(t);
  }
}

bool EngineImpl::worker_takes(const TaskState& task, WorkerId w) {
  // One pending offer per worker and task: parallel offers go to different workers.
  for (ReservationSlot r : task.offers)
    if (reservations_[r].worker == w) return false;
  const WorkflowTarget& target = current_target(task);
  // The common case (no condition on the worker) stays small enough to inline.
  if (!target.expression && target.known_worker_sid_attribute.empty() &&
      target.known_worker_name_attribute.empty())
    return true;
  return target_accepts(task, target, w);
}

// The target's own conditions on the worker: known_worker_* and its expression.
bool EngineImpl::target_accepts(const TaskState& task, const WorkflowTarget& target, WorkerId w) {
  // A transfer: to one worker only, or to anyone but the worker still on the call (warm). (Such a
  // target has an always-true expression, so that worker_takes() sends it here.)
  if (target.transfer_conditions) {
    if (target.transfer_worker != kNoId && w != target.transfer_worker) return false;
    if (w == target.excluded_worker) return false;
  }
  // known_worker_*: only the named worker, also when it is another worker that frees up.
  if (!target.known_worker_sid_attribute.empty() || !target.known_worker_name_attribute.empty()) {
    if (known_worker(task, target) != w) return false;
  }
  if (!target.expression || target.expression->is_always_true()) return true;
  const WorkerFacts facts = worker_facts(w);
  EvalContext ctx;
  ctx.task = task.attributes;
  ctx.worker = &facts;
  ctx.wall_clock_seconds = wall_clock();
  return target.expression->evaluate(ctx);
}

// The worker a known_worker_sid / known_worker_name target names through the task's attribute
// (kNoId when the attribute is missing, not a string, or names no worker).
WorkerId EngineImpl::known_worker(const TaskState& task, const WorkflowTarget& target) const {
  const bool by_sid = !target.known_worker_sid_attribute.empty();
  const Value* v = task.attributes->find(by_sid ? target.known_worker_sid_attribute
                                                : target.known_worker_name_attribute);
  if (v == nullptr || !v->is_string()) return kNoId;
  return facts_->known_worker(by_sid, v->as_string());
}

WorkerCounts EngineImpl::queue_counts(QueueId q) {
  const std::size_t na = scenario_.activities.size();
  WorkerCounts counts;
  count_buffer_.clear();
  for (ActivityId a = 0; a < na; ++a) {
    const int n = matching_.activity_count(q, a);
    // skip_if may name the activity by friendly name or by sid (`workers.WA…`).
    count_buffer_.emplace_back(scenario_.activities[a].name, n);
    count_buffer_.emplace_back(scenario_.activities[a].sid, n);
    (scenario_.activities[a].available ? counts.available : counts.unavailable) += n;
  }
  counts.by_activity = count_buffer_;
  return counts;
}

// The worker as a target expression sees it. TaskRouter's Worker Channel resource: assigned_tasks
// is "the total number of Tasks assigned to Worker for the TaskChannel type" (accepted or wrapping
// here; pending offers are not assigned tasks), available_capacity_percentage "the current
// percentage of capacity the TaskChannel has available" (of the configured capacity, after the
// assigned tasks, 0 when the channel is unavailable or has no capacity).
// After an attribute change: the queues whose target_workers the worker matches now (evaluated
// as at the start, against its present activity and the clock), handed to matching_.
void EngineImpl::reevaluate_membership(WorkerId w) {
  WorkerState& ws = workers_[w];
  // The old membership (ws.queues may point into overrides->queues) is read while it is left.
  WorkerOverrides& o = *ws.overrides;
  o.next_queues.clear();
  append_member_queues(scenario_, worker_facts(w), wall_clock(), o.next_queues);
  matching_.worker_queues_changed(w, o.next_queues);
  std::swap(o.queues, o.next_queues);  // swaps the buffers: ws.queues now points into o.queues
}

WorkerFacts EngineImpl::worker_facts(WorkerId w) {
  const Worker& def = scenario_.workers[w];
  const WorkerState& ws = workers_[w];
  channel_facts_buffer_.resize(scenario_.channels.size());
  for (ChannelId c = 0; c < scenario_.channels.size(); ++c) {
    ChannelFacts& f = channel_facts_buffer_[c];
    f.name = scenario_.channels[c].name;
    f.assigned_tasks = 0;
    f.configured_capacity = ws.overrides ? ws.overrides->configured[c] : ws.capacity[c];
    f.available = !ws.overrides || ws.overrides->available[c] != 0;
  }
  for (ReservationSlot r : ws.held) {
    const ReservationState& rs = reservations_[r];
    if (rs.status == ReservationStatus::accepted || rs.status == ReservationStatus::wrapping)
      ++channel_facts_buffer_[rs.channel].assigned_tasks;
  }
  for (ChannelFacts& f : channel_facts_buffer_) {
    const int capacity = f.configured_capacity;
    f.available_capacity_percentage =
        f.available && capacity > 0 ? std::max(0, capacity - f.assigned_tasks) * 100 / capacity : 0;
  }
  const Activity& activity = scenario_.activities[ws.activity];
  return WorkerFacts{&worker_attributes(w), def.sid,      def.name,          activity.name,
                     channel_facts_buffer_, activity.sid, activity.available};
}

}  // namespace trsim::detail
