// The router: which workflow step a task is in, and which worker gets which task.
//
// Workflow: filters are tried top to bottom; the first whose expression matches applies. A
// filter's targets are steps; step k's deadline is the sum of the timeouts of steps 1..k measured
// against the task's age (for a later filter, against the time the task entered it). After the
// last timed step the next matching filter applies; if there is none the task is canceled on
// workflow timeout. A task matching no filter goes to default_filter.
//
// Matching keeps, per (queue, channel), the idle workers that could take a task on that channel
// ordered by longest idle, and the tasks waiting for an offer ordered by the queue's task order.
// After every event no waiting task and idle eligible worker are left unmatched: a new or
// re-routed task looks for workers (route_task); a worker that gains room looks for the best
// head task across its queues (fill_worker).
#include <algorithm>
#include <cassert>
#include <limits>
#include <map>

#include "engine/engine_impl.hpp"

namespace trsim::detail {

namespace {

// A worker's order_by rank: its integer attributes (negated for DESC), missing ones last.
std::vector<double> order_rank(const Value& attributes, const std::vector<OrderByClause>& clauses) {
  std::vector<double> rank;
  for (const OrderByClause& c : clauses) {
    const Value* v = &attributes;
    std::string_view path = c.attribute;
    while (v && !path.empty()) {
      const std::size_t dot = path.find('.');
      v = v->find(path.substr(0, dot));
      path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    if (v && v->is_number())
      rank.push_back(c.descending ? -v->as_number() : v->as_number());
    else
      rank.push_back(std::numeric_limits<double>::infinity());
  }
  return rank;
}

bool same_order(const std::vector<OrderByClause>& a, const std::vector<OrderByClause>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.attribute == y.attribute && x.descending == y.descending;
  });
}

}  // namespace

// The rank classes of every worker under one order_by (shared by the queues that use it): equal
// ranks share a class, classes are numbered in rank order.
std::uint32_t EngineImpl::ranking_for(const std::vector<OrderByClause>& clauses) {
  for (std::uint32_t r = 0; r < rankings_.size(); ++r)
    if (same_order(*rankings_[r].clauses, clauses)) return r;
  Ranking& ranking = rankings_.emplace_back();
  ranking.clauses = &clauses;
  std::map<std::vector<double>, std::uint32_t> classes;
  std::vector<std::vector<double>> ranks(workers_.size());
  for (WorkerId w = 0; w < workers_.size(); ++w) {
    ranks[w] = order_rank(scenario_.workers[w].attributes, clauses);
    classes.emplace(ranks[w], 0);
  }
  std::uint32_t next = 0;
  for (auto& [rank, cls] : classes) cls = next++;
  ranking.rank.resize(workers_.size());
  for (WorkerId w = 0; w < workers_.size(); ++w) ranking.rank[w] = classes.at(ranks[w]);
  return static_cast<std::uint32_t>(rankings_.size() - 1);
}

// Needs the workers' queue membership. Builds one ranked index per (queue, order_by) that some
// workflow target uses, and decides which workflows may cache their filter matches.
void EngineImpl::initialise_routing_indexes() {
  const std::size_t na = active_channels_.size();
  queue_order_indexes_.assign(scenario_.task_queues.size(), {});
  auto index_target = [&](const WorkflowTarget& target) {
    if (target.order_by.empty() || target.queue == kNoId) return;
    for (std::uint32_t i : queue_order_indexes_[target.queue]) {
      if (same_order(*order_indexes_[i].clauses, target.order_by)) {
        target_order_index_.emplace(&target, i);
        return;
      }
    }
    const auto i = static_cast<std::uint32_t>(order_indexes_.size());
    OrderIndex& index = order_indexes_.emplace_back();
    index.queue = target.queue;
    index.clauses = &target.order_by;
    index.ranking = ranking_for(target.order_by);
    index.pools.resize(na);
    queue_order_indexes_[target.queue].push_back(i);
    target_order_index_.emplace(&target, i);
  };
  filters_cacheable_.assign(scenario_.workflows.size(), 0);
  filter_matches_.resize(scenario_.workflows.size());
  for (std::size_t wf = 0; wf < scenario_.workflows.size(); ++wf) {
    const Workflow& workflow = scenario_.workflows[wf];
    bool cacheable = !workflow.filters.empty();
    for (const WorkflowFilter& f : workflow.filters) {
      cacheable = cacheable && !f.expression.reads_clock();
      for (const WorkflowTarget& target : f.targets) index_target(target);
    }
    index_target(workflow.default_target);
    filters_cacheable_[wf] = cacheable ? 1 : 0;
  }
  for (WorkerState& ws : workers_)
    for (QueueId q : ws.queues) ws.ranked = ws.ranked || !queue_order_indexes_[q].empty();
}

const WorkflowTarget& EngineImpl::current_target(const TaskState& task) const {
  const Workflow& wf = workflow_of(task);
  if (task.filter == kDefaultFilter) return wf.default_target;
  return wf.filters[task.filter].targets[task.step];
}

std::uint32_t EngineImpl::next_matching_filter(const TaskState& task, std::uint32_t first) {
  const Workflow& wf = workflow_of(task);
  if (first >= wf.filters.size()) return kNoId;  // none left to try (or only default_filter)
  // Filters read only the task's attributes (and the clock, which rules the cache out), so tasks
  // sharing an attribute object share the answers: evaluate each filter once per object.
  if (filters_cacheable_[task.workflow] && !task.owned_attributes) {
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

void EngineImpl::enter_workflow(std::uint32_t t) {
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
void EngineImpl::reevaluate(std::uint32_t t) {
  TaskState& task = tasks_[t];
  leave_waiting(t);
  queue_.cancel(task.step_timer);
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
void EngineImpl::place(std::uint32_t t, std::uint32_t filter, std::uint32_t step, SimTime base) {
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
    queue_.cancel(task.step_timer);
    if (task.step_deadline != kNever)
      task.step_timer = queue_.schedule_timer(std::max(task.step_deadline, now_), kStepTimeout, t);
    // A step reached after its deadline (an offer in an earlier step outlived this step's
    // deadline too) makes no offers: its timer, due now, moves the task straight on.
    if (task.step_deadline < now_) {
      task.step_expired = true;
      leave_waiting(t);
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
    leave_waiting(t);
    queue_.cancel(task.step_timer);
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

void EngineImpl::on_step_timeout(std::uint32_t t) {
  TaskState& task = tasks_[t];
  if (task.status != TaskStatus::pending && task.status != TaskStatus::reserved) return;
  if (!task.offers.empty()) {
    // Offers in flight keep the task in this step; it moves on if they all end unaccepted.
    task.step_expired = true;
    leave_waiting(t);
    return;
  }
  advance_step(t, true);
}

void EngineImpl::advance_step(std::uint32_t t, bool deadline_passed) {
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

// Offers the task to as many idle eligible workers as it has open offers (max_reserved_workers
// minus pending ones), longest idle first (or by the target's order_by), then re-files it in its
// queue's waiting set: once, after all its offers (nothing reads the waiting sets in between).
// Returns the offers made.
std::size_t EngineImpl::route_task(std::uint32_t t) {
  const std::size_t offered = make_offers(t);
  refresh_waiting(t);
  return offered;
}

std::size_t EngineImpl::make_offers(std::uint32_t t) {
  TaskState& task = tasks_[t];
  if ((task.status != TaskStatus::pending && task.status != TaskStatus::reserved) ||
      task.queue == kNoId || task.step_expired)
    return 0;
  const int max_offers = queue_facts_[task.queue].max_reserved_workers;
  const int open = max_offers - static_cast<int>(task.offers.size());
  if (open <= 0) return 0;
  const std::uint32_t ac = active_index_[task.channel];
  IdlePool& pool = pools_[task.queue * active_channels_.size() + ac];
  const WorkflowTarget& target = current_target(task);

  WorkerId chosen[kMaxReservedWorkers];
  std::size_t n = 0;
  if (!target.known_worker_sid_attribute.empty() || !target.known_worker_name_attribute.empty()) {
    const bool by_sid = !target.known_worker_sid_attribute.empty();
    const Value* v = task.attributes->find(by_sid ? target.known_worker_sid_attribute
                                                  : target.known_worker_name_attribute);
    if (v && v->is_string()) {
      const auto& index = by_sid ? worker_by_sid_ : worker_by_name_;
      const auto it = index.find(v->as_string());
      if (it != index.end()) {
        const WorkerId w = it->second;
        const WorkerState& ws = workers_[w];
        if (pooled_[w * active_channels_.size() + ac] &&
            std::find(ws.queues.begin(), ws.queues.end(), task.queue) != ws.queues.end() &&
            worker_takes(task, w))
          chosen[n++] = w;
      }
    }
  } else if (!target.order_by.empty()) {
    // order_by: the ranked index of this (queue, order_by), best rank first, then longest idle.
    const OrderIndex& index = order_indexes_[target_order_index_.at(&target)];
    index.pools[ac].for_each([&](WorkerId candidate) {
      if (!worker_takes(task, candidate)) return true;
      chosen[n++] = candidate;
      return static_cast<int>(n) < open;
    });
  } else {
    pool.for_each([&](WorkerId candidate) {
      if (!worker_takes(task, candidate)) return true;
      chosen[n++] = candidate;
      return static_cast<int>(n) < open;
    });
  }
  for (std::size_t i = 0; i < n; ++i) create_reservation(t, chosen[i]);
  return n;
}

// Gives a worker with room the best waiting task across its queues: queues of the workspace's
// prioritized order (FIFO or LIFO) first, then by the queue's key (priority, age, sequence).
void EngineImpl::fill_worker(WorkerId w) {
  if (waiting_count_ == 0) return;  // no task waits (under light load, most of the time)
  const std::size_t na = active_channels_.size();
  const bool fifo_first = scenario_.workspace.prioritize_queue_order == TaskOrder::fifo;
  while (is_available(w)) {
    std::uint32_t best_task = kNoId;
    int best_class = 0;
    WaitKey best_key;
    const WorkerState& ws = workers_[w];
    for (QueueId q : ws.queues) {
      const bool fifo = queue_facts_[q].fifo;
      const int cls = fifo == fifo_first ? 0 : 1;
      if (best_task != kNoId && cls > best_class) continue;
      for (std::uint32_t ac = 0; ac < na; ++ac) {
        if (!has_free_capacity(w, active_channels_[ac])) continue;
        for (const WaitKey& key : waiting_[q * na + ac]) {
          if (best_task != kNoId && cls == best_class && !(key < best_key)) break;
          if (!worker_takes(tasks_[key.slot], w)) continue;
          best_task = key.slot;
          best_class = cls;
          best_key = key;
          break;
        }
      }
    }
    if (best_task == kNoId) return;
    create_reservation(best_task, w);
    refresh_waiting(best_task);
  }
}

void EngineImpl::queue_fill(WorkerId w) {
  WorkerState& ws = workers_[w];
  if (ws.queued_for_fill) return;
  ws.queued_for_fill = true;
  fill_queue_.push_back(w);
}

// Workers whose room changed during an event look for work once the event's own transitions are
// done, in the order their room changed.
void EngineImpl::drain_fills() {
  for (std::size_t i = 0; i < fill_queue_.size(); ++i) {
    const WorkerId w = fill_queue_[i];
    workers_[w].queued_for_fill = false;
    fill_worker(w);
  }
  fill_queue_.clear();
}

bool EngineImpl::worker_takes(const TaskState& task, WorkerId w) {
  // One pending offer per worker and task: parallel offers go to different workers.
  for (std::uint32_t r : task.offers)
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
  // known_worker_*: only the named worker, also when it is another worker that frees up.
  if (!target.known_worker_sid_attribute.empty() || !target.known_worker_name_attribute.empty()) {
    const bool by_sid = !target.known_worker_sid_attribute.empty();
    const Value* v = task.attributes->find(by_sid ? target.known_worker_sid_attribute
                                                  : target.known_worker_name_attribute);
    const Worker& def = scenario_.workers[w];
    if (v == nullptr || !v->is_string() || v->as_string() != (by_sid ? def.sid : def.name))
      return false;
  }
  if (!target.expression || target.expression->is_always_true()) return true;
  const WorkerFacts facts = worker_facts(w);
  EvalContext ctx;
  ctx.task = task.attributes;
  ctx.worker = &facts;
  ctx.wall_clock_seconds = wall_clock();
  return target.expression->evaluate(ctx);
}

bool EngineImpl::is_available(WorkerId w) const {
  return activity_available_[workers_[w].activity] != 0;
}

bool EngineImpl::has_free_capacity(WorkerId w, ChannelId c) const {
  const WorkerState& ws = workers_[w];
  const int capacity = ws.capacity[c];
  if (single_tasking_) return ws.reservations == 0 && capacity > 0;
  return ws.used[c] < capacity;
}

// Re-files a worker in the idle pools of its queues after its activity, room or idle time changed.
void EngineImpl::refresh_pools(WorkerId w) {
  WorkerState& ws = workers_[w];
  const std::size_t na = active_channels_.size();
  const bool available = is_available(w);
  const SimTime idle_since = ws.idle_since;
  const bool idle_moved = ws.pooled_idle_since != idle_since;
  for (std::uint32_t ac = 0; ac < na; ++ac) {
    std::uint8_t& pooled = pooled_[w * na + ac];
    const bool want = available && has_free_capacity(w, active_channels_[ac]);
    if (pooled == want && !(want && idle_moved)) continue;  // in or out already, in place
    std::uint32_t& generation = pool_generations_[ac][w];
    if (pooled) {
      ++generation;  // invalidates the worker's entry in every pool of this channel at once
      for (QueueId q : ws.queues) pools_[q * na + ac].invalidated();
      if (ws.ranked) refresh_ranked_pools(w, ac, false);
    }
    if (want) {
      for (QueueId q : ws.queues) pools_[q * na + ac].insert({idle_since, w, generation});
      if (ws.ranked) refresh_ranked_pools(w, ac, true);
    }
    pooled = want ? 1 : 0;
  }
  ws.pooled_idle_since = idle_since;
}

// The order_by indexes' side of refresh_pools(), apart because few workers have any: enters the
// worker (at its idle time) or takes it out (at the idle time it was entered with).
void EngineImpl::refresh_ranked_pools(WorkerId w, std::uint32_t ac, bool enter) {
  const WorkerState& ws = workers_[w];
  for (QueueId q : ws.queues) {
    for (std::uint32_t i : queue_order_indexes_[q]) {
      OrderIndex& index = order_indexes_[i];
      const std::uint32_t rank = rankings_[index.ranking].rank[w];
      if (enter)
        index.pools[ac].insert(rank, ws.idle_since, w);
      else
        index.pools[ac].erase(rank, ws.pooled_idle_since, w);
    }
  }
}

// Re-files a task in its queue's waiting set: it waits for an offer while it is pending or
// reserved with fewer offers than max_reserved_workers, in a step whose deadline has not passed.
void EngineImpl::refresh_waiting(std::uint32_t t) {
  TaskState& task = tasks_[t];
  const std::size_t na = active_channels_.size();
  const bool want =
      (task.status == TaskStatus::pending || task.status == TaskStatus::reserved) &&
      task.queue != kNoId && !task.step_expired &&
      static_cast<int>(task.offers.size()) < queue_facts_[task.queue].max_reserved_workers;
  WaitKey key;
  std::uint32_t index = kNoId;
  if (want) {
    index = static_cast<std::uint32_t>(task.queue * na + active_index_[task.channel]);
    key.slot = t;
    if (queue_facts_[task.queue].fifo) {
      key.a = -task.priority;
      key.b = task.created;
      key.c = task.serial;
    } else {  // LIFO: newest first, priority ignored
      key.b = -task.created;
      key.c = -static_cast<std::int64_t>(task.serial);
    }
  }
  if (task.waiting_index != kNoId) {
    if (want && index == task.waiting_index && !(key < *task.waiting_entry) &&
        !(*task.waiting_entry < key))
      return;
    leave_waiting(t);
  }
  if (want) {
    // Keys mostly arrive in order (FIFO: by creation), so the end is the likely place.
    std::set<WaitKey>& waiting = waiting_[index];
    task.waiting_entry = waiting.emplace_hint(waiting.end(), key);
    task.waiting_index = index;
    ++waiting_count_;
  }
}

void EngineImpl::leave_waiting(std::uint32_t t) {
  TaskState& task = tasks_[t];
  if (task.waiting_index == kNoId) return;
  waiting_[task.waiting_index].erase(task.waiting_entry);
  task.waiting_index = kNoId;
  --waiting_count_;
}

WorkerCounts EngineImpl::queue_counts(QueueId q) {
  const std::size_t na = scenario_.activities.size();
  WorkerCounts counts;
  count_buffer_.clear();
  for (ActivityId a = 0; a < na; ++a) {
    const int n = queue_activity_counts_[q * na + a];
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
WorkerFacts EngineImpl::worker_facts(WorkerId w) {
  const Worker& def = scenario_.workers[w];
  const WorkerState& ws = workers_[w];
  channel_facts_buffer_.resize(scenario_.channels.size());
  for (ChannelId c = 0; c < scenario_.channels.size(); ++c) {
    ChannelFacts& f = channel_facts_buffer_[c];
    f.name = scenario_.channels[c].name;
    f.assigned_tasks = 0;
    f.configured_capacity = ws.capacity[c];
    f.available = true;
  }
  for (std::uint32_t r : ws.held) {
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
  return WorkerFacts{&def.attributes,       def.sid,      def.name,          activity.name,
                     channel_facts_buffer_, activity.sid, activity.available};
}

}  // namespace trsim::detail
