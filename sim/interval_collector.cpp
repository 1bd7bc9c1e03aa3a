#include "interval_collector.hpp"

#include <algorithm>
#include <cassert>
#include <string>

#include "trsim/statistics.hpp"
#include "trsim/value.hpp"

namespace trsim::detail {

namespace {

double ratio(std::int64_t num, std::int64_t den) {
  return den == 0 ? kNull : static_cast<double>(num) / static_cast<double>(den);
}

// A threshold key is written the way JSON writes the number: "20", "0.5" (as in the statistics).
std::string number_key(double v) {
  std::string key;
  append_json_number(key, v);
  return key;
}

}  // namespace

IntervalCollector::IntervalCollector(const Scenario& scenario)
    : scenario_(scenario),
      length_(std::max<SimTime>(scenario.statistics.interval, 1)),
      horizon_(std::max<SimTime>(scenario.horizon, 1)),
      count_(static_cast<std::size_t>((horizon_ + length_ - 1) / length_)),
      queue_count_(scenario.task_queues.size()),
      group_count_(scenario.worker_groups.size()),
      activity_count_(scenario.activities.size()),
      scope_count_(1 + queue_count_ + group_count_) {
  std::vector<std::string> keys;
  const auto& raw = scenario.statistics.service_level_thresholds;
  for (std::size_t k = 0; k < raw.size(); ++k) {
    std::string key = number_key(raw[k]);
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    keys.push_back(std::move(key));
    thresholds_.push_back(from_seconds(raw[k]));
    threshold_source_.push_back(k);
  }
  field_count_ = kFixedFields + thresholds_.size() + activity_count_;
  for (std::size_t f = 0; f < field_count_; ++f)
    if (is_gauge(f)) gauge_fields_.push_back(f);

  activity_available_.resize(activity_count_);
  for (std::size_t a = 0; a < activity_count_; ++a)
    activity_available_[a] = scenario.activities[a].available ? 1 : 0;

  // Every worker starts idle in its initial activity at time 0.
  level_.assign(scope_count_ * field_count_, 0);
  const std::size_t worker_count = scenario.workers.size();
  workers_.resize(worker_count);
  worker_group_.resize(worker_count);
  for (std::size_t w = 0; w < worker_count; ++w) {
    const Worker& worker = scenario.workers[w];
    ActivityId a = worker.initial_activity;
    if (a == kNoId) a = scenario.workspace.default_activity;
    if (a >= activity_count_) a = kNoId;
    workers_[w].activity = a;
    worker_group_[w] = worker.group < group_count_ ? worker.group : kNoId;
    for (const std::size_t scope : {std::size_t{0}, worker_group_[w] != kNoId ? group_scope(worker_group_[w]) : SIZE_MAX}) {
      if (scope == SIZE_MAX || a == kNoId) continue;
      ++level_[scope * field_count_ + activity_field(a)];
      if (activity_available_[a] != 0) ++level_[scope * field_count_ + kIdle];
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
    std::int64_t* r = row(s);
    const std::int64_t* level = level_.data() + s * field_count_;
    for (const std::size_t f : gauge_fields_) r[f] = level[f] * len;
  }
}

void IntervalCollector::advance(SimTime now) {
  while (now >= current_end_ && current_ + 1 < count_) open_interval(current_ + 1);
}

// A gauge of `scope` changes by `delta` at `now`: the rest of the current interval (none after the
// horizon) sees the new level.
void IntervalCollector::gauge(std::size_t scope, std::size_t field, std::int64_t delta, SimTime now) {
  std::int64_t& level = level_[scope * field_count_ + field];
  level += delta;
  assert(level >= 0 && "an interval gauge went negative: the event stream is inconsistent");
  if (now < current_end_) row(scope)[field] += delta * (current_end_ - now);
}

// Worker `w` moves to `activity` (kNoId = unchanged) and its reservations held change by
// `held_delta`; the busy / idle / activity gauges of the workspace and of its group follow.
void IntervalCollector::change_worker(WorkerId w, ActivityId activity, int held_delta, SimTime now) {
  if (w >= workers_.size()) return;
  WorkerState& ws = workers_[w];
  const ActivityId before_activity = ws.activity;
  const bool before_busy = ws.held > 0;
  const bool before_idle = !before_busy && ws.activity != kNoId && activity_available_[ws.activity] != 0;
  if (activity != kNoId) ws.activity = activity < activity_count_ ? activity : kNoId;
  if (held_delta < 0 && ws.held == 0) held_delta = 0;  // a release without a hold: ignore
  ws.held = static_cast<std::uint32_t>(static_cast<std::int64_t>(ws.held) + held_delta);
  const bool busy = ws.held > 0;
  const bool idle = !busy && ws.activity != kNoId && activity_available_[ws.activity] != 0;
  if (busy == before_busy && idle == before_idle && ws.activity == before_activity) return;

  const GroupId g = worker_group_[w];
  const std::size_t scopes[2] = {0, g != kNoId ? group_scope(g) : SIZE_MAX};
  for (const std::size_t s : scopes) {
    if (s == SIZE_MAX) continue;
    if (busy != before_busy) gauge(s, kBusy, busy ? 1 : -1, now);
    if (idle != before_idle) gauge(s, kIdle, idle ? 1 : -1, now);
    if (ws.activity != before_activity) {
      if (before_activity != kNoId) gauge(s, activity_field(before_activity), -1, now);
      if (ws.activity != kNoId) gauge(s, activity_field(ws.activity), 1, now);
    }
  }
}

// Worker `w` enters or leaves the timeout activity's "parked by a timeout" state: the workers_parked
// gauge of the workspace and of its group follows.
void IntervalCollector::set_parked(WorkerId w, bool parked, SimTime now) {
  WorkerState& ws = workers_[w];
  if (ws.parked == parked) return;
  ws.parked = parked;
  gauge(0, kParked, parked ? 1 : -1, now);
  if (worker_group_[w] != kNoId) gauge(group_scope(worker_group_[w]), kParked, parked ? 1 : -1, now);
}

// A task stopped waiting: accepted (e.queue = the reservation's queue) or canceled (e.queue = the
// queue it waited in, kNoId if it never entered one).
void IntervalCollector::end_wait(const Event& e, bool accepted) {
  const std::int64_t wait = e.time - e.task_created_at;
  const std::size_t scopes[2] = {0, e.queue < queue_count_ ? queue_scope(e.queue) : SIZE_MAX};
  for (const std::size_t s : scopes) {
    if (s == SIZE_MAX) continue;
    gauge(s, kWaiting, -1, e.time);
    std::int64_t* r = row(s);
    if (accepted) {
      ++r[kAccepted];
      r[kWaitAccepted] += wait;
      // Accepted within s seconds means wait <= s (as in the statistics).
      for (std::size_t k = 0; k < thresholds_.size(); ++k)
        if (wait <= thresholds_[k]) ++r[below_field(k)];
    } else {
      ++r[kCanceled];
      if (e.reason == CancelReason::abandoned) ++r[kAbandoned];
    }
  }
}

void IntervalCollector::on_event(const Event& e) {
  advance(e.time);
  switch (e.type) {
    case EventType::task_created:
      count(0, kOffered);
      gauge(0, kWaiting, 1, e.time);
      return;
    case EventType::task_queue_entered:
      if (e.queue < queue_count_) {
        count(queue_scope(e.queue), kOffered);
        gauge(queue_scope(e.queue), kWaiting, 1, e.time);
      }
      return;
    case EventType::task_queue_moved:  // a task_queue_entered for the new queue follows
      if (e.previous_queue < queue_count_) gauge(queue_scope(e.previous_queue), kWaiting, -1, e.time);
      return;
    case EventType::reservation_created:
      change_worker(e.worker, kNoId, 1, e.time);
      return;
    case EventType::reservation_accepted:
      end_wait(e, true);
      if (e.worker < worker_group_.size() && worker_group_[e.worker] != kNoId)
        count(group_scope(worker_group_[e.worker]), kAccepted);
      return;
    case EventType::reservation_timeout:
      count(0, kTimedOut);
      if (e.queue < queue_count_) count(queue_scope(e.queue), kTimedOut);
      if (e.worker < worker_group_.size() && worker_group_[e.worker] != kNoId)
        count(group_scope(worker_group_[e.worker]), kTimedOut);
      change_worker(e.worker, kNoId, -1, e.time);
      // The engine moves the worker to the timeout activity next (worker.activity.update); a
      // worker already there is parked now.
      if (e.worker < workers_.size()) {
        if (workers_[e.worker].activity == scenario_.workspace.timeout_activity) set_parked(e.worker, true, e.time);
        else workers_[e.worker].timed_out = true;
      }
      return;
    case EventType::reservation_rejected:
    case EventType::reservation_canceled:
    case EventType::reservation_rescinded:
    case EventType::reservation_completed:
      change_worker(e.worker, kNoId, -1, e.time);
      return;
    case EventType::task_canceled:
      end_wait(e, false);
      return;
    case EventType::worker_activity_update:
      if (e.activity == kNoId || e.worker >= workers_.size()) return;
      change_worker(e.worker, e.activity, 0, e.time);
      set_parked(e.worker, workers_[e.worker].timed_out && e.activity == scenario_.workspace.timeout_activity, e.time);
      workers_[e.worker].timed_out = false;
      return;
    case EventType::workflow_entered:
    case EventType::workflow_target_matched:
    case EventType::task_queue_timeout:
    case EventType::workflow_timeout:  // a task_canceled follows and carries the counts
    case EventType::workflow_skipped:
    case EventType::reservation_wrapup:
    case EventType::task_wrapup:
    case EventType::task_completed:
      return;
  }
}

IntervalTable IntervalCollector::finish() {
  while (current_ + 1 < count_) open_interval(current_ + 1);

  IntervalTable t;
  t.length = length_;
  t.horizon = horizon_;
  t.count = count_;
  t.scopes.push_back({IntervalScope::Kind::workspace, "workspace"});
  for (const TaskQueue& q : scenario_.task_queues) t.scopes.push_back({IntervalScope::Kind::queue, q.name});
  for (const WorkerGroup& g : scenario_.worker_groups) t.scopes.push_back({IntervalScope::Kind::group, g.name});

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
  for (const std::size_t k : threshold_source_)
    column("service_level." + number_key(scenario_.statistics.service_level_thresholds[k]), W | Q);
  [[maybe_unused]] const std::size_t c_abandon_rate = t.columns.size();
  column("abandon_rate", W | Q);
  column("avg_task_acceptance_time", W | Q);
  column("reservations_timed_out", W | Q | G);
  column("occupancy", W | G);
  column("tasks_waiting", W | Q);
  column("workers_parked", W | G);
  [[maybe_unused]] const std::size_t c_workers = t.columns.size();
  for (const Activity& a : scenario_.activities) column("workers." + a.name, W | G);

  const std::size_t nc = t.columns.size();
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
      for (std::size_t i = 0; i < thresholds_.size(); ++i) out[c++] = ratio(r[below_field(i)], stopped);
      assert(c == c_abandon_rate);
      out[c++] = ratio(r[kAbandoned], stopped);
      out[c++] = r[kAccepted] == 0 ? kNull : static_cast<double>(r[kWaitAccepted]) / 1e6 / static_cast<double>(r[kAccepted]);
      out[c++] = static_cast<double>(r[kTimedOut]);
      out[c++] = ratio(r[kBusy], r[kBusy] + r[kIdle]);
      out[c++] = static_cast<double>(r[kWaiting]) / len;
      out[c++] = static_cast<double>(r[kParked]) / len;
      assert(c == c_workers);
      for (std::size_t a = 0; a < activity_count_; ++a)
        out[c++] = static_cast<double>(r[activity_field(static_cast<ActivityId>(a))]) / len;
      for (std::size_t i = 0; i < nc; ++i)
        if (t.defined[s * nc + i] == 0) out[i] = kNull;
    }
  }
  return t;
}

}  // namespace trsim::detail
