// The event loop: initial state, arrivals, worker schedules, the run's end and its results.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "engine/engine_impl.hpp"

namespace trsim {

Engine::Engine(const Scenario& scenario, EngineOptions options, EventSink* sink)
    : impl_(std::make_unique<detail::EngineImpl>(scenario, options, sink)) {}
Engine::Engine(const Scenario& scenario, std::shared_ptr<const RoutingFacts> facts,
               EngineOptions options, EventSink* sink)
    : impl_(std::make_unique<detail::EngineImpl>(scenario, std::move(facts), options, sink)) {}
Engine::~Engine() = default;
ReplicationResult Engine::run() { return impl_->run(); }

namespace detail {

EngineImpl::EngineImpl(const Scenario& scenario, EngineOptions options, EventSink* sink)
    : EngineImpl(scenario, build_routing_facts(scenario), options, sink) {}

EngineImpl::EngineImpl(const Scenario& scenario, std::shared_ptr<const RoutingFacts> facts,
                       EngineOptions options, EventSink* sink)
    : scenario_(scenario),
      facts_(checked(scenario, std::move(facts))),
      options_(options),
      invariants_(options.check_invariants ? std::make_unique<InvariantChecker>(scenario, sink)
                                           : nullptr),
      sink_(invariants_ ? invariants_.get() : sink),
      collector_(scenario),
      intervals_(scenario) {
  intervals_.set_membership(&membership_);
}

std::shared_ptr<const RoutingFacts> EngineImpl::checked(const Scenario& scenario,
                                                        std::shared_ptr<const RoutingFacts> facts) {
  if (facts == nullptr || facts->scenario != &scenario)
    throw std::invalid_argument(
        "Engine: the routing facts were not built for this scenario (build_routing_facts)");
  return facts;
}

void EngineImpl::initialise() {
  const Scenario& sc = scenario_;
  single_tasking_ = facts_->single_tasking;
  filter_matches_.resize(sc.workflows.size());

  workers_.resize(sc.workers.size());
  transfers_on_ = sc.has_transfers();
  if (transfers_on_) transfer_rngs_.resize(sc.workers.size());
  for (WorkerId w = 0; w < sc.workers.size(); ++w) {
    const Worker& def = sc.workers[w];
    WorkerState& ws = workers_[w];
    ws.activity = def.initial_activity;
    ws.used.assign(sc.channels.size(), 0);
    ws.outcome_rng =
        Rng::stream(options_.seed, options_.replication, "worker:" + def.name + "/outcome");
    ws.response_rng =
        Rng::stream(options_.seed, options_.replication, "worker:" + def.name + "/response");
    ws.wrapup_rng =
        Rng::stream(options_.seed, options_.replication, "worker:" + def.name + "/wrapup");
    ws.return_rng =
        Rng::stream(options_.seed, options_.replication, "worker:" + def.name + "/return");
    ws.capacity = def.capacity.data();
    ws.behavior = &sc.behaviors[sc.worker_groups[def.group].behavior];
    if (transfers_on_ && !ws.behavior->transfers.empty()) {
      transfer_rngs_[w] =
          Rng::stream(options_.seed, options_.replication, "worker:" + def.name + "/transfer");
    }
    ws.handle_time_factor = sc.worker_groups[def.group].handle_time_factor;
    ws.queues = facts_->worker_queues[w];
    ws.ranked = facts_->worker_ranked[w] != 0;
  }
  matching_.start();

  // Worker schedules.
  for (const WorkerGroup& g : sc.worker_groups) {
    for (std::uint32_t i = 0; i < g.count; ++i) {
      const WorkerId w = g.first_worker + i;
      if (!g.schedule.empty() || !sc.workers[w].schedule.empty()) schedule_worker_entry(w, 0);
    }
  }

  // Changes of groups' workers (capacity, channels, attributes).
  for (GroupId g = 0; g < sc.worker_groups.size(); ++g)
    if (!sc.worker_groups[g].changes.empty()) schedule_worker_change(g, 0);

  // Arrival streams.
  streams_ =
      std::vector<StreamState>(sc.arrivals.size());  // not resize(): StreamState is move-only
  for (StreamId s = 0; s < sc.arrivals.size(); ++s) {
    const ArrivalStream& def = sc.arrivals[s];
    StreamState& st = streams_[s];
    const std::string base = "arrivals:" + def.name;
    st.gap_rng = Rng::stream(options_.seed, options_.replication, base + "/gap");
    st.attribute_rng = Rng::stream(options_.seed, options_.replication, base + "/attributes");
    st.handle_rng = Rng::stream(options_.seed, options_.replication, base + "/handle");
    st.patience_rng = Rng::stream(options_.seed, options_.replication, base + "/patience");
    st.update_rng = Rng::stream(options_.seed, options_.replication, base + "/updates");
    std::size_t combos = 1;
    for (const AttributePick& p : def.picks) {
      st.pick_radix.push_back(static_cast<std::uint32_t>(p.options.size()));
      combos = combos * std::max<std::size_t>(1, p.options.size());
      if (combos > 4096) break;
    }
    if (combos <= 4096) st.combinations.resize(combos);
    if (def.kind == ArrivalStream::Kind::trace) {
      st.trace_attributes.resize(def.trace.size());
      if (!def.trace.empty() && def.trace.front().time < sc.horizon)
        agenda_.schedule(def.trace.front().time, kTaskArrival, s, 0);
    } else {
      schedule_next_arrival(s, 0);
    }
  }
}

// Draws the next arrival time of a Poisson or piecewise-Poisson stream after `after`. The
// piecewise case inverts the cumulative rate: an Exp(1) draw is spent across the intervals at
// their own rates, so a long gap drawn in a quiet night interval does not leak into the morning.
void EngineImpl::schedule_next_arrival(StreamId s, SimTime after) {
  const ArrivalStream& def = scenario_.arrivals[s];
  StreamState& st = streams_[s];
  double next_seconds = 0;
  const double after_seconds = to_seconds(after);
  const double e = -std::log(st.gap_rng.uniform_open0());
  if (def.kind == ArrivalStream::Kind::poisson) {
    if (def.rate_per_second <= 0) return;
    next_seconds = after_seconds + e / def.rate_per_second;
  } else {
    const double len = to_seconds(def.rate_interval);
    const std::size_t n = def.rates_per_second.size();
    double cycle_mass = 0;
    for (double r : def.rates_per_second) cycle_mass += r * len;
    if (n == 0 || len <= 0 || cycle_mass <= 0) return;
    double remaining = e;
    double t = after_seconds;
    // Whole cycles first, so that a near-zero rate cannot make this loop long.
    auto index_at = [&](double time) {
      return static_cast<std::size_t>(std::floor(time / len)) % n;
    };
    const double horizon_seconds = to_seconds(scenario_.horizon);
    while (true) {
      const std::size_t i = index_at(t);
      const double interval_end = (std::floor(t / len) + 1) * len;
      const double mass = def.rates_per_second[i] * (interval_end - t);
      if (mass >= remaining && def.rates_per_second[i] > 0) {  // a zero rate never fires
        t += remaining / def.rates_per_second[i];
        break;
      }
      remaining -= mass;
      t = interval_end;
      if (remaining > cycle_mass) {
        const double cycles = std::floor(remaining / cycle_mass) - 1;
        if (cycles > 0) {
          remaining -= cycles * cycle_mass;
          t += cycles * len * static_cast<double>(n);
        }
      }
      if (t >= horizon_seconds) return;
    }
    next_seconds = t;
  }
  // Checked before converting: a tiny rate draws a gap (up to infinity) that SimTime cannot hold.
  if (!(next_seconds < to_seconds(scenario_.horizon))) return;
  SimTime next = from_seconds(next_seconds);
  if (next < after) next = after;
  if (next < scenario_.horizon) agenda_.schedule(next, kTaskArrival, s, 0);
}

namespace {

// task_attributes() for a trace row or a stream with picks. Kept out of line: the common case (a
// random stream without picks) then returns without setting up this function's stack frame.
[[gnu::noinline]] const Value* drawn_attributes(const ArrivalStream& def, StreamState& st,
                                                std::uint32_t row, std::vector<std::size_t>& chosen,
                                                std::unique_ptr<Value>& owned) {
  if (def.kind == ArrivalStream::Kind::trace) {
    std::unique_ptr<Value>& cached = st.trace_attributes[row];
    if (!cached) {
      cached =
          std::make_unique<Value>(def.attributes.is_object() ? def.attributes : Value::object());
      cached->merge_from(def.trace[row].attributes);
    }
    // Picks still apply to trace rows that do not set the attribute themselves.
    if (def.picks.empty()) return cached.get();
    owned = std::make_unique<Value>(*cached);
    for (const AttributePick& p : def.picks) {
      const std::size_t k = draw_option(p, st.attribute_rng);
      if (!def.trace[row].attributes.is_object() ||
          def.trace[row].attributes.find(p.path) == nullptr)
        owned->set_path(p.path, p.options[k].first);
    }
    return owned.get();
  }
  // One draw per pick, always, so that common random numbers hold across sweep points. The
  // choices go to a reused buffer: no allocation per task once a combination is cached.
  std::size_t index = 0;
  chosen.clear();
  for (const AttributePick& p : def.picks) {
    const std::size_t k = draw_option(p, st.attribute_rng);
    chosen.push_back(k);
    index = index * std::max<std::size_t>(1, p.options.size()) + k;
  }
  auto build = [&] {
    auto v = std::make_unique<Value>(def.attributes.is_object() ? def.attributes : Value::object());
    for (std::size_t i = 0; i < def.picks.size(); ++i)
      v->set_path(def.picks[i].path, def.picks[i].options[chosen[i]].first);
    return v;
  };
  if (!st.combinations.empty()) {
    if (!st.combinations[index]) st.combinations[index] = build();
    return st.combinations[index].get();
  }
  owned = build();
  return owned.get();
}

}  // namespace

const Value* EngineImpl::task_attributes(StreamId s, std::uint32_t row,
                                         std::unique_ptr<Value>& owned) {
  const ArrivalStream& def = scenario_.arrivals[s];
  if (def.kind != ArrivalStream::Kind::trace && def.picks.empty()) return &def.attributes;
  return drawn_attributes(def, streams_[s], row, pick_buffer_, owned);
}

void EngineImpl::on_arrival(StreamId s, std::uint32_t row) {
  const ArrivalStream& def = scenario_.arrivals[s];
  const TaskSlot t = create_task(s, row);
  // The next arrival is scheduled before routing so that the stream's draws do not depend on it.
  if (def.kind == ArrivalStream::Kind::trace) {
    const std::uint32_t next = row + 1;
    if (next < def.trace.size() && def.trace[next].time < scenario_.horizon)
      agenda_.schedule(def.trace[next].time, kTaskArrival, s, next);
  } else {
    schedule_next_arrival(s, now_);
  }
  enter_workflow(t);
}

void EngineImpl::schedule_worker_entry(WorkerId w, std::uint32_t entry) {
  const Worker& worker = scenario_.workers[w];
  if (!worker.schedule.empty()) {  // its own schedule: no period
    if (entry < worker.schedule.size())
      agenda_.schedule(std::max(worker.schedule[entry].at, now_), kWorkerSchedule, w, entry);
    return;
  }
  const WorkerGroup& g = scenario_.worker_groups[worker.group];
  WorkerState& ws = workers_[w];
  if (entry >= g.schedule.size()) {
    if (!g.schedule_period) return;
    entry = 0;
    ++ws.schedule_cycle;
  }
  const SimTime offset = g.schedule_period ? *g.schedule_period * ws.schedule_cycle : 0;
  const SimTime at = offset + g.schedule[entry].at;
  // Past the horizon a schedule only matters while tasks drain; the loop stops it then.
  agenda_.schedule(std::max(at, now_), kWorkerSchedule, w, entry);
}

void EngineImpl::on_schedule(WorkerId w, std::uint32_t entry) {
  const Worker& worker = scenario_.workers[w];
  const ScheduleEntry& se = worker.schedule.empty()
                                ? scenario_.worker_groups[worker.group].schedule[entry]
                                : worker.schedule[entry];
  WorkerState& ws = workers_[w];
  // A scheduled change overrides a pending return from the timeout activity.
  agenda_.cancel(ws.return_timer);
  // Pending offers are rejected first and their tasks re-routed only once the worker has left:
  // otherwise the task would be offered straight back to the worker going on break. The
  // behaviour's reject_activity does not apply: the schedule says where the worker goes.
  std::vector<std::pair<TaskSlot, EndedOffer>> rejected;
  if (se.reject_pending_reservations && !scenario_.activities[se.activity].available) {
    const std::vector<ReservationSlot> held = ws.held;  // end_offer() edits ws.held
    for (ReservationSlot r : held) {
      const ReservationState& rs = reservations_[r];
      if (rs.status != ReservationStatus::pending) continue;
      rejected.push_back({rs.task, EndedOffer{rs.serial, rs.worker}});
      end_offer(r, ReservationStatus::rejected);
    }
  }
  set_activity(w, se.activity);
  for (const auto& [t, ended] : rejected) after_offer_ended(t, false, ended);
  matching_.request_fill(w);
  schedule_worker_entry(w, entry + 1);
}

void EngineImpl::schedule_worker_change(GroupId g, std::uint32_t entry) {
  const std::vector<WorkerChange>& changes = scenario_.worker_groups[g].changes;
  if (entry < changes.size())
    agenda_.schedule(std::max(changes[entry].at, now_), kWorkerChange, g, entry);
}

// A `changes` entry is due: every worker of the group changes (lifecycle.cpp), then workers whose
// attributes changed are evaluated against every queue's target_workers again (router.cpp), and
// the order_by rankings follow their attributes. New room is filled at the end of the event.
void EngineImpl::on_worker_change(GroupId g, std::uint32_t entry) {
  const WorkerGroup& group = scenario_.worker_groups[g];
  const WorkerChange& change = group.changes[entry];
  bool attributes_changed = false;
  for (WorkerId w = group.first_worker; w < group.first_worker + group.count; ++w) {
    if (change_worker(w, change)) {
      reevaluate_membership(w);
      attributes_changed = true;
    }
    matching_.worker_capacity_changed(w);
  }
  if (attributes_changed && !facts_->rankings.empty()) {
    std::vector<const Value*> attributes(workers_.size());
    for (WorkerId w = 0; w < workers_.size(); ++w) attributes[w] = &worker_attributes(w);
    matching_.rerank(attributes);
  }
  schedule_worker_change(g, entry + 1);
}

bool EngineImpl::is_waiting(TaskSlot slot, TaskId serial) const {
  const TaskState& task = tasks_[slot];
  // A transferred task was accepted once: its TTL no longer applies.
  return task.serial == serial &&
         (task.status == TaskStatus::pending || task.status == TaskStatus::reserved) &&
         !transferred(task);
}

// Drops tasks that stopped waiting from the front of the stream's TTL FIFO and arms the stream's
// timer for the oldest one still waiting.
void EngineImpl::arm_ttl(StreamId s) {
  StreamState& st = streams_[s];
  while (!st.ttl_fifo.empty() && !is_waiting(st.ttl_fifo.front().first, st.ttl_fifo.front().second))
    st.ttl_fifo.pop_front();
  if (st.ttl_fifo.empty() || st.ttl_timer.armed()) return;
  const SimTime deadline = tasks_[st.ttl_fifo.front().first].created + scenario_.arrivals[s].ttl;
  st.ttl_timer = agenda_.schedule_timer(std::max(deadline, now_), kTaskTtl, s);
}

// A task that waits long at the front of a TTL FIFO keeps every later entry in it, finished or
// not: drop the finished ones once they outnumber the alive tasks, so that the FIFO follows what
// is alive rather than what was created since (amortised O(1) per task).
void EngineImpl::compact_ttl(StreamId s) {
  std::deque<std::pair<TaskSlot, TaskId>>& fifo = streams_[s].ttl_fifo;
  if (fifo.size() <= 2 * static_cast<std::size_t>(alive_tasks_) + 64) return;
  std::erase_if(fifo, [this](const auto& entry) { return !is_waiting(entry.first, entry.second); });
}

void EngineImpl::on_ttl(StreamId s) {
  StreamState& st = streams_[s];
  const SimTime ttl = scenario_.arrivals[s].ttl;
  while (!st.ttl_fifo.empty()) {
    const auto [slot, serial] = st.ttl_fifo.front();
    if (!is_waiting(slot, serial)) {
      st.ttl_fifo.pop_front();
      continue;
    }
    if (tasks_[slot].created + ttl > now_) break;
    st.ttl_fifo.pop_front();
    cancel_task(slot, CancelReason::ttl_exceeded);
  }
  arm_ttl(s);
}

// A worker answers an offer: an accept ends the task's wait; after a reject the workflow decides
// what the task does next.
void EngineImpl::on_worker_response(ReservationSlot r) {
  if (reservations_[r].status != ReservationStatus::pending) return;
  if (reservations_[r].will_accept) {
    accept(r);
    return;
  }
  offer_unaccepted(r, false);
}

// An offer's deadline passed unanswered: the worker is parked, and the workflow decides what the
// task does next.
void EngineImpl::on_reservation_timeout(ReservationSlot r) {
  if (reservations_[r].status != ReservationStatus::pending) return;
  offer_unaccepted(r, true);
}

// A pending offer is rejected or times out, then the workflow decides what its task does next.
// Out of line: what it keeps of the reservation (its slot is free once the offer has ended) would
// otherwise cost dispatch() a larger frame for every event.
void EngineImpl::offer_unaccepted(ReservationSlot r, bool timed_out) {
  const ReservationState& rs = reservations_[r];
  const TaskSlot t = rs.task;
  const EndedOffer ended{rs.serial, rs.worker};
  if (timed_out)
    time_out(r);
  else
    reject(r);
  after_offer_ended(t, timed_out, ended);
}

// A task's next `updates[]` entry is due: the update (when this task gets it: `probability`),
// then TaskRouter evaluates the updated task against its workflow again. An assigned or ended
// task has no timer (accept() and cancel_task() cancel it).
void EngineImpl::on_task_update(TaskSlot t) {
  TaskState& task = tasks_[t];
  const TaskUpdate& update = scenario_.arrivals[task.stream].updates[task.next_update++];
  arm_next_update(t);
  // One draw per task and entry whatever the outcome, so common random numbers hold.
  if (update.probability < 1.0 &&
      !(streams_[task.stream].update_rng.uniform01() < update.probability))
    return;
  update_task(t, update);
  reevaluate(t);
}

void EngineImpl::dispatch(const ScheduledEvent& e) {
  // The entity is a task slot, a reservation slot, a stream or a worker, by kind.
  const TaskSlot t(e.entity);
  const ReservationSlot r(e.entity);
  switch (static_cast<EventKind>(e.kind)) {
    case kHandleEnd:
      tasks_[t].work_timer = Timer{};
      // The talk time ends: wrap-up starts, unless the worker's behaviour transfers the task (a
      // worker who took a task back after a failed transfer finishes it).
      if (!transfers_on_ ||
          workers_[reservations_[tasks_[t].accepted].worker].behavior->transfers.empty() ||
          tasks_[t].transfer_returned || !draw_transfer(t)) [[likely]]
        on_handle_end(t);
      break;
    case kWrapupEnd:
      tasks_[t].work_timer = Timer{};
      on_wrapup_end(t);
      break;
    case kLegWrapupEnd:
      reservations_[r].timeout_timer = Timer{};
      on_leg_wrapup_end(r);
      break;
    case kReservationTimeout:
      reservations_[r].timeout_timer = Timer{};
      on_reservation_timeout(r);
      break;
    case kTransferTimeout:
      on_transfer_timeout(t);  // clears the transfer's timer
      break;
    case kWorkerResponse:
      reservations_[r].response_timer = Timer{};
      on_worker_response(r);
      break;
    case kTaskTtl:
      streams_[e.entity].ttl_timer = Timer{};
      on_ttl(e.entity);
      break;
    case kTaskAbandon:
      tasks_[t].abandon_timer = Timer{};
      cancel_task(t, CancelReason::abandoned);
      break;
    case kStepTimeout:
      tasks_[t].step_timer = Timer{};
      on_step_timeout(t);
      break;
    case kTaskUpdate:
      tasks_[t].update_timer = Timer{};
      on_task_update(t);
      break;
    case kWorkerChange:
      on_worker_change(e.entity, e.aux);
      break;
    case kWorkerSchedule:
      on_schedule(e.entity, e.aux);
      break;
    case kWorkerReturn:
      workers_[e.entity].return_timer = Timer{};
      on_worker_return(e.entity);
      break;
    case kTaskArrival:
      on_arrival(e.entity, e.aux);
      break;
  }
  // Workers whose room grew during the event look for work once its own transitions are done.
  matching_.drain([this](WorkerId w) { fill_worker(w); });
}

ReplicationResult EngineImpl::run() {
  if (sink_) sink_->begin_replication(options_.replication);
  initialise();
  SimTime last = 0;
  // Read once: the handlers are opaque calls, so members would be reloaded at every event.
  const SimTime horizon = scenario_.horizon;
  const bool drain = scenario_.drain;
  const std::uint64_t max_events = scenario_.max_events;
  const bool check = options_.check_invariants;
  ScheduledEvent e;
  // Events after the horizon still run while draining, until no task is left alive.
  while (agenda_.pop_until(drain && alive_tasks_ != 0 ? kNever : horizon, e)) {
    if (e.time < now_) event_in_the_past(e);
    now_ = e.time;
    last = now_;
    if (++events_ > max_events) event_budget_exceeded();
    dispatch(e);
    if (check) check_invariants();
  }
  // Worker time is measured up to the horizon even when the last event came earlier.
  const SimTime end = scenario_.drain ? std::max(last, scenario_.horizon) : scenario_.horizon;
  std::vector<WaitingTask> waiting;
  for (const TaskState& t : tasks_)
    if ((t.status == TaskStatus::pending || t.status == TaskStatus::reserved) && !transferred(t))
      waiting.push_back({t.created, t.queue, t.workflow, t.queue_entered});
  ReplicationResult result;
  result.replication = options_.replication;
  result.seed = replication_seed(options_.seed, options_.replication);
  result.events = events_;
  result.end_time = scenario_.drain ? last : scenario_.horizon;
  result.statistics = collector_.finish(end, waiting);
  result.intervals = intervals_.finish();
  if (invariants_) invariants_->finish(alive_tasks_, result.statistics);
  if (sink_) sink_->end_replication();
  return result;
}

EngineFootprint EngineImpl::footprint() const {
  EngineFootprint f;
  f.alive_tasks = alive_tasks_;
  f.task_slots = tasks_.size();
  f.reservation_slots = reservations_.size();
  f.heap_entries = agenda_.heap_size();
  for (const StreamState& st : streams_) f.ttl_entries += st.ttl_fifo.size();
  return f;
}

void EngineImpl::deliver(const Event& e) {
  // The sink first: with check_invariants it is the invariant checker, which must refuse an
  // inconsistent event before the collectors (whose own assertions would abort) take it in.
  if (sink_) sink_->on_event(e);
  collector_.on_event(e);
  intervals_.on_event(e);
}

TaskSlot EngineImpl::allocate_task() {
  if (!free_tasks_.empty()) {
    const TaskSlot slot = free_tasks_.back();
    free_tasks_.pop_back();
    // Keep the offers vector's buffer: a recycled slot then allocates nothing. Rebuilt in place
    // (no temporary TaskState to move from: this runs once per task).
    TaskState& task = tasks_[slot];
    std::vector<ReservationSlot> offers = std::move(task.offers);
    offers.clear();
    std::destroy_at(&task);
    std::construct_at(&task)->offers = std::move(offers);
    return slot;
  }
  return tasks_.add();
}

ReservationSlot EngineImpl::allocate_reservation() {
  if (!free_reservations_.empty()) {
    const ReservationSlot slot = free_reservations_.back();
    free_reservations_.pop_back();
    reservations_[slot] = ReservationState{};
    return slot;
  }
  return reservations_.add();
}

}  // namespace detail
}  // namespace trsim
