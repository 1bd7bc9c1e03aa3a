#include "stats/interval_collector.hpp"

#include <algorithm>
#include <string>

#include "model/assert.hpp"
#include "stats/collector_common.hpp"
#include "trsim/statistics.hpp"

namespace trsim::detail {

IntervalCollector::IntervalCollector(const Scenario& scenario)
    : scenario_(scenario),
      length_(std::max<SimTime>(scenario.statistics.interval, 1)),
      horizon_(std::max<SimTime>(scenario.horizon, 1)),
      count_(static_cast<std::size_t>((horizon_ + length_ - 1) / length_)),
      queue_count_(scenario.task_queues.size()),
      group_count_(scenario.worker_groups.size()),
      activity_count_(scenario.activities.size()),
      scope_count_(1 + queue_count_ + group_count_) {
  const auto& raw = scenario.statistics.service_level_thresholds;
  threshold_source_ = threshold_keys(raw).source;
  for (std::size_t k : threshold_source_) thresholds_.push_back(from_seconds(raw[k]));
  wait_buckets_ = WaitBuckets(thresholds_);
  tracking_ = scenario.statistics.snapshots;
  if (tracking_) priorities_ = task_priorities(scenario);
  // The snapshot fields exist only with statistics.snapshots: without it each (interval, scope)
  // row stays the size it was, and nothing reads past it. The size is the one the memory
  // estimate charges (model/interval_layout.hpp).
  static_assert(kFixedFields == kIntervalFixedFields && kSnapFixed == kIntervalSnapshotFixedFields,
                "model/interval_layout.hpp describes the record's fields");
  field_count_ =
      interval_row_size(thresholds_.size(), activity_count_, priorities_.size(), tracking_).fields;
  TRSIM_ASSERT(
      field_count_ == kFixedFields + wait_buckets_.count() + activity_count_ +
                          (tracking_ ? kSnapFixed + activity_count_ + priorities_.size() : 0),
      "the record's fields are not those of model/interval_layout.hpp");
  for (std::size_t f = 0; f < field_count_; ++f)
    if (is_gauge(f)) gauge_fields_.push_back(f);

  activity_available_.resize(activity_count_);
  for (std::size_t a = 0; a < activity_count_; ++a)
    activity_available_[a] = scenario.activities[a].available ? 1 : 0;

  // Every worker starts idle in its initial activity at time 0.
  level_.assign(scope_count_ * field_count_, 0);
  const std::size_t worker_count = scenario.workers.size();
  workers_.resize(worker_count);
  for (std::size_t w = 0; w < worker_count; ++w) {
    const Worker& worker = scenario.workers[w];
    WorkerState& ws = workers_[w];
    ActivityId a = worker.initial_activity;
    if (a == kNoId) a = scenario.workspace.default_activity;
    if (a >= activity_count_) a = kNoId;
    ws.activity = a;
    ws.available = a != kNoId ? activity_available_[a] : 0;
    if (worker.group < group_count_) ws.group_base = base(group_scope(worker.group));
    if (a == kNoId) continue;
    for (const std::size_t at : {std::size_t{0}, ws.group_base}) {
      if (at == kNoScope) continue;
      ++level_[at + activity_field(a)];
      level_[at + kIdle] += ws.available;
    }
  }
  open_interval(0);
}

// Opens interval k (the table grows by one row; the intervals in between are opened too, so that
// their gauges hold level × length).
void IntervalCollector::open_interval(std::size_t k) {
  current_ = k;
  raw_.resize((k + 1) * scope_count_ * field_count_, 0);
  current_row_ = raw_.data() + k * scope_count_ * field_count_;
  const SimTime start = static_cast<SimTime>(k) * length_;
  current_end_ = k + 1 >= count_ ? horizon_ : start + length_;
  const std::int64_t len = current_end_ - start;
  for (std::size_t s = 0; s < scope_count_; ++s) {
    std::int64_t* r = current_row_ + base(s);
    const std::int64_t* level = level_.data() + base(s);
    for (const std::size_t f : gauge_fields_) r[f] = level[f] * len;
  }
}

void IntervalCollector::advance(SimTime now) {
  while (now >= current_end_ && current_ + 1 < count_) {
    if (tracking_) snapshot(current_end_);
    open_interval(current_ + 1);
  }
  // The drain: the last interval's snapshot is the state at the horizon, before its events.
  if (tracking_ && now >= current_end_ && !final_snapshot_) {
    snapshot(current_end_);
    final_snapshot_ = true;
  }
}

// The real-time statistics at `now`, the current interval's end: every event before `now` has
// been counted, none at or after it.
void IntervalCollector::snapshot(SimTime now) {
  std::int64_t* const row = current_row_;
  // Tasks: a pass over the live ones. The finished ones at the front leave the window.
  std::size_t first = 0;
  while (first < tasks_.size() && tasks_[first].status == kDone) ++first;
  if (first > 0 && first * 2 >= tasks_.size()) {
    tasks_.erase(tasks_.begin(), tasks_.begin() + static_cast<std::ptrdiff_t>(first));
    task_base_ += static_cast<TaskId>(first);
    first = 0;
  }
  for (std::size_t i = first; i < tasks_.size(); ++i) {
    const TaskSlot& t = tasks_[i];
    if (t.status == kDone) continue;
    const std::size_t p = static_cast<std::size_t>(
        std::lower_bound(priorities_.begin(), priorities_.end(), t.priority) - priorities_.begin());
    const bool known_priority = p < priorities_.size() && priorities_[p] == t.priority;
    const bool waiting = t.status <= kReserved;
    const auto count = [&](std::int64_t* r, bool in_queue) {
      ++r[snapshot_field(kSnapPending + static_cast<std::size_t>(t.status))];
      if (known_priority) ++r[snapshot_priority_field(p)];
      if (!waiting) return;
      std::int64_t& oldest = r[snapshot_field(kSnapLongestWait)];
      oldest = std::max(oldest, now - t.created);
      if (!in_queue) return;
      std::int64_t& longest = r[snapshot_field(kSnapLongestInQueue)];
      longest = std::max(longest, now - t.entered);
    };
    count(row, false);
    if (t.queue < queue_count_) count(row + base(queue_scope(t.queue)), true);
  }
  // Workers: their activity, counted in the workspace, their group and each of their queues.
  for (std::size_t w = 0; w < workers_.size(); ++w) {
    const WorkerState& ws = workers_[w];
    const auto count = [&](std::int64_t* r) {
      ++r[snapshot_field(kSnapEligible)];
      if (ws.activity == kNoId) return;
      ++r[snapshot_activity_field(ws.activity)];
      r[snapshot_field(kSnapAvailable)] += ws.available;
    };
    count(row);
    if (ws.group_base != kNoScope) count(row + ws.group_base);
    if (membership_ == nullptr) continue;
    for (const QueueId q : membership_->queues_of(static_cast<WorkerId>(w)))
      if (q < queue_count_) count(row + base(queue_scope(q)));
  }
}

// A worker takes a reservation. Only its first one changes a gauge: it becomes busy, and is no
// longer idle if its activity is available (its activity does not change).
void IntervalCollector::on_hold(const Event& e) {
  if (e.worker >= workers_.size()) return;
  WorkerState& ws = workers_[e.worker];
  if (ws.held++ != 0) return;
  const std::int64_t rest = remaining(e.time);
  bump(0, kBusy, 1, rest);
  bump(0, kIdle, -ws.available, rest);
  const std::size_t group = ws.group_base;
  if (group == kNoScope) return;
  bump(group, kBusy, 1, rest);
  bump(group, kIdle, -ws.available, rest);
}

// A worker gives a reservation back (one it does not hold is ignored). Only its last one changes a
// gauge: it is no longer busy, and idle again if its activity is available.
void IntervalCollector::on_release(const Event& e) {
  if (e.worker >= workers_.size()) return;
  WorkerState& ws = workers_[e.worker];
  if (ws.held == 0 || --ws.held != 0) return;
  const std::int64_t rest = remaining(e.time);
  bump(0, kBusy, -1, rest);
  bump(0, kIdle, ws.available, rest);
  const std::size_t group = ws.group_base;
  if (group == kNoScope) return;
  bump(group, kBusy, -1, rest);
  bump(group, kIdle, ws.available, rest);
}

// A task's wrap-up ended: it is completed, and its handle time (accept -> now, talk plus wrap-up)
// counts in the workspace, the reservation's queue and the group of the worker who handled it;
// then the worker gives the reservation back.
void IntervalCollector::on_completed(const Event& e) {
  if (e.transfer_mode != 0) {  // a transfer leg's reservation: the task goes on
    on_release(e);
    return;
  }
  const std::int64_t handle = e.time - e.task_accepted_at;
  const auto count = [&](std::size_t at) {
    std::int64_t* r = current_row_ + at;
    ++r[kCompleted];
    r[kHandleTime] += handle;
  };
  count(0);
  if (e.queue < queue_count_) count(base(queue_scope(e.queue)));
  if (e.worker < workers_.size() && workers_[e.worker].group_base != kNoScope)
    count(workers_[e.worker].group_base);
  on_release(e);
}

// The worker moves to `activity` (out of range = none); the activity gauges of the workspace and
// of its group follow, and so does idle if it holds no reservation.
void IntervalCollector::move_worker(WorkerState& ws, ActivityId activity, SimTime now) {
  const ActivityId to = activity < activity_count_ ? activity : kNoId;
  if (to == ws.activity) return;
  const std::uint8_t available = to != kNoId ? activity_available_[to] : 0;
  const std::int64_t idle_delta = ws.held == 0 ? std::int64_t{available} - ws.available : 0;
  const std::int64_t rest = remaining(now);
  for (const std::size_t at : {std::size_t{0}, ws.group_base}) {
    if (at == kNoScope) continue;
    if (idle_delta != 0) bump(at, kIdle, idle_delta, rest);
    if (ws.activity != kNoId) bump(at, activity_field(ws.activity), -1, rest);
    if (to != kNoId) bump(at, activity_field(to), 1, rest);
  }
  ws.activity = to;
  ws.available = available;
}

// The worker enters or leaves the timeout activity's "parked by a timeout" state: the
// workers_parked gauge of the workspace and of its group follows.
void IntervalCollector::set_parked(WorkerState& ws, bool parked, SimTime now) {
  if (ws.parked == parked) return;
  ws.parked = parked;
  const std::int64_t rest = remaining(now);
  bump(0, kParked, parked ? 1 : -1, rest);
  if (ws.group_base != kNoScope) bump(ws.group_base, kParked, parked ? 1 : -1, rest);
}

void IntervalCollector::on_task_created(const Event& e) {
  ++current_row_[kOffered];
  bump(0, kWaiting, 1, remaining(e.time));
  if (tracking_) track(e);  // last: a tail call, so that the rest needs no saved registers
}

void IntervalCollector::on_queue_entered(const Event& e) {
  if (e.queue < queue_count_) {
    const std::size_t at = base(queue_scope(e.queue));
    ++current_row_[at + kOffered];
    bump(at, kWaiting, 1, remaining(e.time));
  }
  // A transfer's: the task waits again (the others follow a workflow_target_matched). Last: a
  // tail call, so that the rest needs no saved registers.
  if (e.transfer_mode != 0 && tracking_) [[unlikely]]
    track(e);
}

// A task_queue_entered for the new queue follows.
void IntervalCollector::on_queue_moved(const Event& e) {
  if (e.previous_queue >= queue_count_) return;
  bump(base(queue_scope(e.previous_queue)), kWaiting, -1, remaining(e.time));
}

// A task stopped waiting, accepted: the workspace and the reservation's queue (e.queue) count it
// and its wait; the worker's group counts it. `leg`: a transfer leg, whose wait ends in its queue
// only (the task's workspace wait ended at its first accept).
template <bool leg>
void IntervalCollector::end_wait_accepted(const Event& e) {
  const std::int64_t wait = e.time - e.task_created_at;
  const std::int64_t rest = remaining(e.time);
  // One bucket increment stands for every threshold the wait is at or under (wait_buckets.hpp).
  const std::size_t bucket = wait_buckets_.bucket(wait);
  const auto count = [&](std::size_t at) {
    bump(at, kWaiting, -1, rest);
    std::int64_t* r = current_row_ + at;
    ++r[kAccepted];
    r[kWaitAccepted] += wait;
    ++r[bucket_field(bucket)];
  };
  if constexpr (!leg) count(0);
  if (e.queue < queue_count_) count(base(queue_scope(e.queue)));
  if (e.worker < workers_.size() && workers_[e.worker].group_base != kNoScope)
    ++current_row_[workers_[e.worker].group_base + kAccepted];
  if (tracking_) track(e);
}

void IntervalCollector::on_accepted(const Event& e) {
  if (e.transfer_mode != 0) [[unlikely]] {
    on_transfer_accepted(e);
    return;
  }
  end_wait_accepted<false>(e);
}

void IntervalCollector::on_transfer_accepted(const Event& e) { end_wait_accepted<true>(e); }

// A task stopped waiting, canceled: the workspace and the queue it waited in (e.queue, kNoId if it
// never entered one) count it.
void IntervalCollector::on_canceled(const Event& e) {
  if (tracking_) track(e);
  const std::int64_t rest = remaining(e.time);
  const std::int64_t abandoned = e.reason == CancelReason::abandoned ? 1 : 0;
  const auto count = [&](std::size_t at) {
    bump(at, kWaiting, -1, rest);
    std::int64_t* r = current_row_ + at;
    ++r[kCanceled];
    r[kAbandoned] += abandoned;
  };
  if (e.transfer_mode == 0)
    count(0);
  else
    ++current_row_[kCanceled];  // counted, but its workspace wait had ended (a transfer leg)
  if (e.queue < queue_count_) count(base(queue_scope(e.queue)));
}

// A transfer failed while it waited in a queue: it leaves that queue's waiting tasks (a warm one
// goes back to its worker, a cold one is offered back to it through a new task_queue_entered).
void IntervalCollector::on_transfer_failed(const Event& e) {
  if (tracking_) track(e);
  if (e.queue >= queue_count_) return;
  bump(base(queue_scope(e.queue)), kWaiting, -1, remaining(e.time));
}

void IntervalCollector::on_timeout(const Event& e) {
  if (tracking_) track(e);
  std::int64_t* const row = current_row_;
  ++row[kTimedOut];
  if (e.queue < queue_count_) ++row[base(queue_scope(e.queue)) + kTimedOut];
  if (e.worker < workers_.size() && workers_[e.worker].group_base != kNoScope)
    ++row[workers_[e.worker].group_base + kTimedOut];
  on_release(e);
  // The engine moves the worker to the timeout activity next (worker.activity.update); a worker
  // already there is parked now.
  if (e.worker < workers_.size()) {
    WorkerState& ws = workers_[e.worker];
    if (ws.activity == scenario_.workspace.timeout_activity)
      set_parked(ws, true, e.time);
    else
      ws.timed_out = true;
  }
}

// statistics.snapshots: the live task an event is about changes (its slot; see the header).
void IntervalCollector::track(const Event& e) {
  if (e.type == EventType::task_created) {
    // Tasks are numbered in creation order: the new one is the window's next slot (a stream that
    // skips numbers, as a test's may, leaves finished slots in between).
    if (e.task < task_base_ + tasks_.size()) return;
    TaskSlot done;
    done.status = kDone;
    tasks_.resize(e.task - task_base_, done);
    TaskSlot& t = tasks_.emplace_back();
    t.created = e.time;
    t.priority = e.priority;
    return;
  }
  TaskSlot* t = slot(e.task);
  if (t == nullptr || t->status == kDone) return;
  switch (e.type) {
    case EventType::workflow_target_matched:
      // A step is entered: the task may have a new priority and a new queue.
      t->priority = e.priority;
      t->queue = e.queue;
      t->entered = e.task_queue_entered_at;
      return;
    case EventType::reservation_created:
      ++t->offers;
      t->status = kReserved;
      t->priority = e.priority;
      return;
    case EventType::reservation_accepted:
      if (t->offers > 0) --t->offers;
      t->status = kAssigned;
      t->queue = e.queue;
      return;
    case EventType::reservation_rejected:
    case EventType::reservation_timeout:
    case EventType::reservation_canceled:
    case EventType::reservation_rescinded:
      // A pending reservation ended unaccepted: with no other pending one, a reserved task is
      // pending again (an assigned one stays assigned).
      if (t->offers > 0 && --t->offers == 0 && t->status == kReserved) t->status = kPending;
      return;
    case EventType::task_queue_entered:
      // A transfer's (on_queue_entered() tracks no other): the task is pending again, in the
      // transfer's queue, its relative wait there starting now, with the transfer's priority.
      t->status = kPending;
      t->queue = e.queue;
      t->entered = e.time;
      t->priority = e.priority;
      return;
    case EventType::task_transfer_failed:
      // Warm: back with the initiating worker, who kept the call (its wrap-up follows). Cold: a
      // task_queue_entered follows (offered back to that worker).
      if (e.transfer_mode == static_cast<std::uint8_t>(TransferRule::Mode::warm)) {
        t->status = kAssigned;
        t->queue = e.previous_queue;
      }
      return;
    case EventType::reservation_wrapup:
      // A transfer leg's initiating reservation (transfer_mode) wraps up while the task goes on.
      if (e.transfer_mode == 0 && t->status == kAssigned) t->status = kWrapping;
      return;
    case EventType::reservation_completed:  // the wrap-up ended (a leg's: the task goes on)
      if (e.transfer_mode == 0) t->status = kDone;
      return;
    case EventType::task_canceled:
      t->status = kDone;
      return;
    default:
      return;
  }
}

void IntervalCollector::on_activity(const Event& e) {
  if (e.activity == kNoId || e.worker >= workers_.size()) return;
  WorkerState& ws = workers_[e.worker];
  move_worker(ws, e.activity, e.time);
  set_parked(ws, ws.timed_out && e.activity == scenario_.workspace.timeout_activity, e.time);
  ws.timed_out = false;
}

IntervalTable IntervalCollector::finish() {
  advance(horizon_);

  IntervalTable t;
  t.length = length_;
  t.horizon = horizon_;
  t.count = count_;
  t.scopes.push_back({IntervalScope::Kind::workspace, "workspace"});
  for (const TaskQueue& q : scenario_.task_queues)
    t.scopes.push_back({IntervalScope::Kind::queue, q.name});
  for (const WorkerGroup& g : scenario_.worker_groups)
    t.scopes.push_back({IntervalScope::Kind::group, g.name});

  // Columns, and the scope kinds each applies to (W workspace, Q queue, G group).
  enum Applies : unsigned { W = 1, Q = 2, G = 4 };
  std::vector<unsigned> applies;
  const auto column = [&](std::string name, unsigned kinds) {
    t.columns.push_back(std::move(name));
    applies.push_back(kinds);
  };
  column("offered", W | Q);
  column("accepted", W | Q | G);
  column("abandoned", W | Q);
  column("canceled", W | Q);
  column("completed", W | Q | G);
  for (const std::size_t k : threshold_source_)
    column("service_level." + number_key(scenario_.statistics.service_level_thresholds[k]), W | Q);
  [[maybe_unused]] const std::size_t c_abandon_rate = t.columns.size();
  column("abandon_rate", W | Q);
  column("avg_task_acceptance_time", W | Q);
  column("avg_handle_time", W | Q | G);
  column("reservations_timed_out", W | Q | G);
  column("occupancy", W | G);
  column("tasks_waiting", W | Q);
  column("workers_parked", W | G);
  [[maybe_unused]] const std::size_t c_workers = t.columns.size();
  for (const Activity& a : scenario_.activities) column("workers." + a.name, W | G);
  // statistics.snapshots: the real-time snapshot at the interval's end.
  [[maybe_unused]] const std::size_t c_snapshot = t.columns.size();
  if (tracking_) {
    for (const char* status : {"pending", "reserved", "assigned", "wrapping"})
      column(std::string("tasks_by_status.") + status, W | Q);
    for (const std::int64_t p : priorities_)
      column("tasks_by_priority." + std::to_string(p), W | Q);
    column("longest_task_waiting_age", W | Q);
    column("longest_relative_task_age_in_queue", Q);
    column("total_available_workers", W | Q | G);
    column("total_eligible_workers", Q);
    for (const Activity& a : scenario_.activities)
      column("activity_statistics." + a.name, W | Q | G);
  }

  const std::size_t nc = t.columns.size();
  TRSIM_ASSERT(
      nc == interval_row_size(thresholds_.size(), activity_count_, priorities_.size(), tracking_)
                .columns,
      "{} columns, not the row size of model/interval_layout.hpp", nc);
  t.defined.resize(scope_count_ * nc);
  for (std::size_t s = 0; s < scope_count_; ++s) {
    const unsigned kind = s == 0 ? W : (s <= queue_count_ ? Q : G);
    for (std::size_t c = 0; c < nc; ++c) t.defined[s * nc + c] = (applies[c] & kind) != 0 ? 1 : 0;
  }

  t.values.assign(count_ * scope_count_ * nc, kNull);
  for (std::size_t k = 0; k < count_; ++k) {
    const double len = static_cast<double>(t.end(k) - t.start(k));
    for (std::size_t s = 0; s < scope_count_; ++s) {
      const std::int64_t* r = raw_.data() + (k * scope_count_ + s) * field_count_;
      double* out = t.values.data() + t.cell(k, s, 0);
      const std::int64_t stopped = r[kAccepted] + r[kCanceled];
      std::size_t c = 0;
      out[c++] = static_cast<double>(r[kOffered]);
      out[c++] = static_cast<double>(r[kAccepted]);
      out[c++] = static_cast<double>(r[kAbandoned]);
      out[c++] = static_cast<double>(r[kCanceled]);
      out[c++] = static_cast<double>(r[kCompleted]);
      // Accepted within threshold i (at or under it): the buckets up to its rank.
      for (std::size_t i = 0; i < thresholds_.size(); ++i)
        out[c++] = ratio(wait_buckets_.at_or_under(r + bucket_field(0), i), stopped);
      TRSIM_ASSERT(c == c_abandon_rate, "column {} is not abandon_rate ({})", c, c_abandon_rate);
      out[c++] = ratio(r[kAbandoned], stopped);
      out[c++] = r[kAccepted] == 0 ? kNull
                                   : static_cast<double>(r[kWaitAccepted]) / 1e6 /
                                         static_cast<double>(r[kAccepted]);
      out[c++] = r[kCompleted] == 0 ? kNull
                                    : static_cast<double>(r[kHandleTime]) / 1e6 /
                                          static_cast<double>(r[kCompleted]);
      out[c++] = static_cast<double>(r[kTimedOut]);
      out[c++] = ratio(r[kBusy], r[kBusy] + r[kIdle]);
      out[c++] = static_cast<double>(r[kWaiting]) / len;
      out[c++] = static_cast<double>(r[kParked]) / len;
      TRSIM_ASSERT(c == c_workers, "column {} is not the first workers column ({})", c, c_workers);
      for (std::size_t a = 0; a < activity_count_; ++a)
        out[c++] = static_cast<double>(r[activity_field(static_cast<ActivityId>(a))]) / len;
      TRSIM_ASSERT(c == c_snapshot, "column {} is not the first snapshot column ({})", c,
                   c_snapshot);
      if (c < nc) {  // statistics.snapshots
        for (std::size_t f = kSnapPending; f <= kSnapWrapping; ++f)
          out[c++] = static_cast<double>(r[snapshot_field(f)]);
        for (std::size_t p = 0; p < priorities_.size(); ++p)
          out[c++] = static_cast<double>(r[snapshot_priority_field(p)]);
        out[c++] = static_cast<double>(r[snapshot_field(kSnapLongestWait)]) / 1e6;
        out[c++] = static_cast<double>(r[snapshot_field(kSnapLongestInQueue)]) / 1e6;
        out[c++] = static_cast<double>(r[snapshot_field(kSnapAvailable)]);
        out[c++] = static_cast<double>(r[snapshot_field(kSnapEligible)]);
        for (std::size_t a = 0; a < activity_count_; ++a)
          out[c++] = static_cast<double>(r[snapshot_activity_field(static_cast<ActivityId>(a))]);
      }
      TRSIM_ASSERT(c == nc, "{} columns written, {} declared", c, nc);
      for (std::size_t i = 0; i < nc; ++i)
        if (t.defined[s * nc + i] == 0) out[i] = kNull;
    }
  }
  return t;
}

}  // namespace trsim::detail
