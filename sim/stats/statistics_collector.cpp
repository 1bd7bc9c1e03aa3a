#include "stats/statistics_collector.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "stats/collector_common.hpp"
#include "trsim/value.hpp"

namespace trsim::detail {

namespace {

double seconds(std::int64_t micros) { return static_cast<double>(micros) / 1e6; }

}  // namespace

StatisticsCollector::StatisticsCollector(const Scenario& scenario)
    : scenario_(scenario),
      warmup_(scenario.warmup),
      horizon_(scenario.horizon),
      queue_count_(scenario.task_queues.size()),
      workflow_count_(scenario.workflows.size()),
      activity_count_(scenario.activities.size()) {
  thresholds_.reserve(scenario.statistics.service_level_thresholds.size());
  for (double s : scenario.statistics.service_level_thresholds)
    thresholds_.push_back(from_seconds(s));
  buckets_ = WaitBuckets(thresholds_);
  counters_.resize(1 + queue_count_ + workflow_count_);
  wait_buckets_.assign(counters_.size() * 2 * buckets_.count(), 0);
  const std::size_t group_count = scenario.worker_groups.size();
  groups_.resize(group_count + 1);

  activity_available_.resize(activity_count_);
  for (std::size_t a = 0; a < activity_count_; ++a) {
    activity_available_[a] = scenario.activities[a].available ? 1 : 0;
  }

  const std::size_t worker_count = scenario.workers.size();
  workers_.resize(worker_count);
  worker_group_.resize(worker_count);
  activity_time_.assign(worker_count * activity_count_, 0);
  for (std::size_t w = 0; w < worker_count; ++w) {
    const Worker& worker = scenario.workers[w];
    ActivityId a = worker.initial_activity;
    if (a == kNoId) a = scenario.workspace.default_activity;
    workers_[w].activity = a < activity_count_ ? a : kNoId;
    worker_group_[w] =
        worker.group < group_count ? worker.group : static_cast<GroupId>(group_count);
  }
  per_worker_on_ = scenario.statistics.per_worker;
  if (scenario.has_transfers()) transfers_.resize(counters_.size());
  if (per_worker_on_) {
    per_worker_.resize(worker_count);
    stints_.resize(worker_count * activity_count_);
  }
}

// A stint counts when it has time inside the window [warmup, window_end], or when it starts
// there (a stint left at the instant it began lasts 0 s): its time inside the window is added.
void StatisticsCollector::end_stint(WorkerId w, SimTime end, SimTime window_end) {
  const WorkerState& s = workers_[w];
  if (s.activity == kNoId) return;
  const SimTime lo = std::max(s.stint_start, warmup_);
  const SimTime hi = std::min(end, window_end);
  const bool starts_inside = s.stint_start >= warmup_ && s.stint_start < window_end;
  if (hi > lo || starts_inside)
    stints_[w * activity_count_ + s.activity].add(std::max<SimTime>(hi - lo, 0));
}

// Integrates worker `w`'s state since its last change up to `now`, clipped to [warmup, horizon]
// (the end time clips it further in finish()).
void StatisticsCollector::integrate_worker(WorkerId w, SimTime now) {
  WorkerState& s = workers_[w];
  const SimTime lo = std::max(s.since, warmup_);
  const SimTime hi = std::min(now, horizon_);
  if (hi > lo) {
    const std::int64_t dt = hi - lo;
    if (s.held > 0) {
      s.busy += dt;
    } else if (s.activity != kNoId && activity_available_[s.activity] != 0) {
      s.idle_available += dt;
    }
    if (s.activity != kNoId) activity_time_[w * activity_count_ + s.activity] += dt;
  }
  if (now > s.since) s.since = now;
}

// A reservation of worker `w` ended: one unit of capacity frees.
void StatisticsCollector::release_worker(WorkerId w, SimTime now) {
  if (w >= workers_.size()) return;
  integrate_worker(w, now);
  if (workers_[w].held > 0) --workers_[w].held;
}

void StatisticsCollector::count_reservation(const Event& e,
                                            std::int64_t ReservationCounts::*field) {
  if (!counts(e)) return;
  ++(counters_[0].reservations.*field);
  if (e.queue < queue_count_) ++(counters_[queue_entity(e.queue)].reservations.*field);
  if (e.workflow < workflow_count_) ++(counters_[workflow_entity(e.workflow)].reservations.*field);
  if (e.worker < worker_group_.size()) {
    ++(groups_[worker_group_[e.worker]].reservations.*field);
    if (per_worker_on_) ++(per_worker_[e.worker].reservations.*field);
  }
}

// Boundary choice: a wait of exactly s seconds is "below" s and counts towards service_level.<s>
// (accepted within s seconds means wait <= s), so service_level.0 counts immediate accepts. Each
// wait goes in one bucket (wait_buckets.hpp); finish() sums the buckets per threshold.
//
// A wait ends: the task was accepted or canceled. An accept also counts the accepted reservation,
// which goes to the same entities: one pass checks the warm-up and the queue and workflow bounds
// once for both. The outcome is a template argument: the offsets are constants.
template <StatisticsCollector::WaitOutcome outcome, bool transfer>
void StatisticsCollector::end_wait(const Event& e) {
  if (!counts(e)) return;
  const std::int64_t wait = e.time - e.task_created_at;
  const std::size_t bucket = outcome * buckets_.count() + buckets_.bucket(wait);
  const std::size_t stride = 2 * buckets_.count();
  const auto record = [&](std::size_t entity) {
    TaskCounters& c = counters_[entity];
    if constexpr (outcome == kAccepted) ++c.reservations.accepted;
    c.waits[outcome].add(wait);
    ++wait_buckets_[entity * stride + bucket];
  };
  if constexpr (transfer) {
    if constexpr (outcome == kAccepted) ++counters_[0].reservations.accepted;
  } else {
    record(0);
  }
  if (e.queue < queue_count_) {
    record(queue_entity(e.queue));
    // The relative wait in the queue: from the moment the task entered it.
    TaskCounters& q = counters_[queue_entity(e.queue)];
    const std::int64_t in_queue = e.time - e.task_queue_entered_at;
    if constexpr (outcome == kAccepted) q.in_queue_accepted.add(in_queue);
    if (in_queue > q.longest_in_queue) q.longest_in_queue = in_queue;
  }
  if (e.workflow < workflow_count_) {
    if constexpr (transfer) {
      if constexpr (outcome == kAccepted)
        ++counters_[workflow_entity(e.workflow)].reservations.accepted;
    } else {
      record(workflow_entity(e.workflow));
    }
  }
  if constexpr (outcome == kAccepted)
    if (e.worker < worker_group_.size()) {
      ++groups_[worker_group_[e.worker]].reservations.accepted;
      if (per_worker_on_) ++per_worker_[e.worker].reservations.accepted;
    }
}

void StatisticsCollector::on_queue_moved(const Event& e) {
  if (!counts(e)) return;
  ++counters_[0].moved;
  if (e.previous_queue < queue_count_) {
    TaskCounters& q = counters_[queue_entity(e.previous_queue)];
    ++q.moved;
    q.longest_in_queue = std::max(q.longest_in_queue, e.time - e.task_queue_entered_at);
  }
  if (e.workflow < workflow_count_) ++counters_[workflow_entity(e.workflow)].moved;
}

void StatisticsCollector::on_reservation_created(const Event& e) {
  count_reservation(e, &ReservationCounts::created);
  if (e.worker < workers_.size()) {
    integrate_worker(e.worker, e.time);
    ++workers_[e.worker].held;
  }
}

void StatisticsCollector::on_reservation_accepted(const Event& e) { end_wait<kAccepted>(e); }
void StatisticsCollector::on_transfer_accepted(const Event& e) { end_wait<kAccepted, true>(e); }

// A reservation ended without being accepted: its worker's unit of capacity frees.
void StatisticsCollector::on_reservation_ended(const Event& e,
                                               std::int64_t ReservationCounts::*field) {
  count_reservation(e, field);
  release_worker(e.worker, e.time);
}

void StatisticsCollector::count_transfer(const Event& e, std::int64_t TransferCounters::*field,
                                         QueueId queue) {
  if (!counts(e) || transfers_.empty()) return;
  ++(transfers_[0].*field);
  if (queue < queue_count_) ++(transfers_[queue_entity(queue)].*field);
  if (e.workflow < workflow_count_) ++(transfers_[workflow_entity(e.workflow)].*field);
}

void StatisticsCollector::on_task_canceled(const Event& e) {
  if (e.transfer_mode != 0)
    end_wait<kCanceled, true>(e);
  else
    end_wait<kCanceled>(e);
  if (!counts(e)) return;
  const auto count_cancel = [&e](TaskCounters& c) {
    ++c.canceled;
    switch (e.reason) {
      case CancelReason::abandoned:
        ++c.abandoned;
        break;
      case CancelReason::ttl_exceeded:
        ++c.ttl_expired;
        break;
      case CancelReason::workflow_timeout:
        ++c.timed_out_in_workflow;
        break;
      default:
        break;
    }
  };
  count_cancel(counters_[0]);
  if (e.queue < queue_count_) count_cancel(counters_[queue_entity(e.queue)]);
  if (e.workflow < workflow_count_) count_cancel(counters_[workflow_entity(e.workflow)]);
}

void StatisticsCollector::on_completed(const Event& e) {
  release_worker(e.worker, e.time);
  // A transfer leg's reservation (marked by its mode) completes while the task goes on.
  if (e.transfer_mode != 0 || !counts(e)) return;
  ++counters_[0].completed;
  if (e.queue < queue_count_) ++counters_[queue_entity(e.queue)].completed;
  if (e.workflow < workflow_count_) ++counters_[workflow_entity(e.workflow)].completed;
  if (e.worker < worker_group_.size()) {
    ++groups_[worker_group_[e.worker]].tasks_completed;
    if (per_worker_on_) ++per_worker_[e.worker].tasks_completed;
  }
}

void StatisticsCollector::on_activity_update(const Event& e) {
  if (e.worker >= workers_.size()) return;
  integrate_worker(e.worker, e.time);
  const ActivityId to = e.activity < activity_count_ ? e.activity : kNoId;
  WorkerState& s = workers_[e.worker];
  if (per_worker_on_ && to != s.activity) {
    end_stint(e.worker, e.time, horizon_);
    s.stint_start = e.time;
  }
  s.activity = to;
}

namespace {

void add_reservations(MetricNode& n, std::int64_t created, std::int64_t accepted,
                      std::int64_t rejected, std::int64_t timed_out, std::int64_t canceled,
                      std::int64_t rescinded) {
  n.add("reservations_created", static_cast<double>(created));
  n.add("reservations_accepted", static_cast<double>(accepted));
  n.add("reservations_rejected", static_cast<double>(rejected));
  n.add("reservations_timed_out", static_cast<double>(timed_out));
  n.add("reservations_canceled", static_cast<double>(canceled));
  n.add("reservations_rescinded", static_cast<double>(rescinded));
}

// {avg, min, max, total} in seconds: null avg/min/max without data, total 0.
void add_durations(MetricNode& n, std::string key, std::int64_t count, std::int64_t total,
                   std::int64_t min, std::int64_t max) {
  MetricNode& g = n.add_group(std::move(key));
  const bool none = count == 0;
  g.add("avg", none ? kNull : seconds(total) / static_cast<double>(count));
  g.add("min", none ? kNull : seconds(min));
  g.add("max", none ? kNull : seconds(max));
  g.add("total", seconds(total));
}

}  // namespace

MetricNode StatisticsCollector::task_node(std::string key, std::size_t entity,
                                          bool workspace) const {
  const TaskCounters& c = counters_[entity];
  MetricNode n = MetricNode::group(std::move(key));
  n.add(workspace ? "tasks_created" : "tasks_entered", static_cast<double>(c.entered));
  n.add("tasks_completed", static_cast<double>(c.completed));
  n.add("tasks_canceled", static_cast<double>(c.canceled));
  n.add("tasks_abandoned", static_cast<double>(c.abandoned));
  n.add("tasks_timed_out_in_workflow", static_cast<double>(c.timed_out_in_workflow));
  n.add("tasks_ttl_expired", static_cast<double>(c.ttl_expired));
  n.add("tasks_moved", static_cast<double>(c.moved));
  if (!transfers_.empty()) {
    const TransferCounters& x = transfers_[entity];
    n.add("tasks_transferred", static_cast<double>(x.transferred));
    n.add("transfers_completed", static_cast<double>(x.completed));
    n.add("transfers_failed", static_cast<double>(x.failed));
  }
  const ReservationCounts& r = c.reservations;
  add_reservations(n, r.created, r.accepted, r.rejected, r.timed_out, r.canceled, r.rescinded);

  const DurationStats& acc = c.waits[kAccepted];
  const DurationStats& can = c.waits[kCanceled];
  n.add("avg_task_acceptance_time",
        acc.count == 0 ? kNull : seconds(acc.total) / static_cast<double>(acc.count));
  add_durations(n, "wait_duration_until_accepted", acc.count, acc.total, acc.min, acc.max);
  add_durations(n, "wait_duration_until_canceled", can.count, can.total, can.min, can.max);
  const bool queue = !workspace && entity < 1 + queue_count_;
  if (queue) {
    const DurationStats& in = c.in_queue_accepted;
    add_durations(n, "wait_duration_in_queue_until_accepted", in.count, in.total, in.min, in.max);
  }

  // Thresholds given twice would repeat a key: the first occurrence wins.
  const auto [keys, kept] = threshold_keys(scenario_.statistics.service_level_thresholds);
  // Waits at or below each kept threshold, per outcome: the buckets up to its rank.
  const std::int64_t* buckets = wait_buckets_.data() + entity * 2 * buckets_.count();
  const auto below = [&](std::size_t k, WaitOutcome outcome) {
    return buckets_.at_or_under(buckets + outcome * buckets_.count(), k);
  };
  MetricNode& by_wait = n.add_group("split_by_wait_time");
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const std::int64_t below_accepted = below(kept[i], kAccepted);
    const std::int64_t below_canceled = below(kept[i], kCanceled);
    MetricNode& t = by_wait.add_group(keys[i]);
    MetricNode& b = t.add_group("below");
    // TaskRouter names the accepted count reservations_accepted (one per accepted task).
    b.add("tasks_accepted", static_cast<double>(below_accepted));
    b.add("reservations_accepted", static_cast<double>(below_accepted));
    b.add("tasks_canceled", static_cast<double>(below_canceled));
    MetricNode& a = t.add_group("above");
    a.add("tasks_accepted", static_cast<double>(acc.count - below_accepted));
    a.add("reservations_accepted", static_cast<double>(acc.count - below_accepted));
    a.add("tasks_canceled", static_cast<double>(can.count - below_canceled));
  }
  const std::int64_t stopped_waiting = acc.count + can.count;
  MetricNode& sl = n.add_group("service_level");
  for (std::size_t i = 0; i < kept.size(); ++i) {
    sl.add(keys[i], ratio(below(kept[i], kAccepted), stopped_waiting));
  }
  n.add("abandon_rate", ratio(c.abandoned, stopped_waiting));
  if (workspace) {
    std::int64_t busy = 0;
    std::int64_t idle = 0;
    for (const WorkerState& w : workers_) {
      busy += w.busy;
      idle += w.idle_available;
    }
    n.add("occupancy", ratio(busy, busy + idle));
  }
  n.add("longest_task_waiting_age", c.longest_wait < 0 ? 0.0 : seconds(c.longest_wait));
  if (queue)
    n.add("longest_relative_task_age_in_queue",
          c.longest_in_queue < 0 ? 0.0 : seconds(c.longest_in_queue));
  return n;
}

MetricNode StatisticsCollector::finish(SimTime end_time,
                                       std::span<const WaitingTask> still_waiting) {
  for (std::size_t w = 0; w < workers_.size(); ++w)
    integrate_worker(static_cast<WorkerId>(w), end_time);
  // The stints still open end with the run (worker time stops at the horizon).
  if (per_worker_on_)
    for (std::size_t w = 0; w < workers_.size(); ++w)
      end_stint(static_cast<WorkerId>(w), end_time, std::min(end_time, horizon_));

  // The longest wait: the longest ended one, or the age at the end of a task still waiting. The
  // engine's list of those is the authority (it knows each task's current queue), so the
  // collector keeps nothing per task.
  for (TaskCounters& c : counters_) {
    for (const DurationStats& d : c.waits) {
      if (d.count > 0 && d.max > c.longest_wait) c.longest_wait = d.max;
    }
  }
  const auto age_at_end = [&](std::size_t entity, SimTime created_at) {
    const std::int64_t age = end_time - created_at;
    if (age > counters_[entity].longest_wait) counters_[entity].longest_wait = age;
  };
  for (const WaitingTask& t : still_waiting) {
    if (t.created_at < warmup_) continue;
    age_at_end(0, t.created_at);
    if (t.queue < queue_count_) {
      age_at_end(queue_entity(t.queue), t.created_at);
      TaskCounters& q = counters_[queue_entity(t.queue)];
      q.longest_in_queue = std::max(q.longest_in_queue, end_time - t.queue_entered_at);
    }
    if (t.workflow < workflow_count_) age_at_end(workflow_entity(t.workflow), t.created_at);
  }

  MetricNode root = MetricNode::group("statistics");
  root.children.push_back(task_node("workspace", 0, true));
  MetricNode& queues = root.add_group("task_queues");
  for (std::size_t q = 0; q < queue_count_; ++q) {
    queues.children.push_back(
        task_node(scenario_.task_queues[q].name, queue_entity(static_cast<QueueId>(q)), false));
  }
  MetricNode& workflows = root.add_group("workflows");
  for (std::size_t w = 0; w < workflow_count_; ++w) {
    workflows.children.push_back(
        task_node(scenario_.workflows[w].name, workflow_entity(static_cast<WorkflowId>(w)), false));
  }

  MetricNode& groups = root.add_group("workers");
  for (std::size_t g = 0; g < scenario_.worker_groups.size(); ++g) {
    const WorkerGroup& group = scenario_.worker_groups[g];
    const GroupCounters& gc = groups_[g];
    MetricNode& n = groups.add_group(group.name);
    n.add("tasks_completed", static_cast<double>(gc.tasks_completed));
    // Tasks assigned to the group's workers: one per accepted reservation.
    n.add("tasks_assigned", static_cast<double>(gc.reservations.accepted));
    const ReservationCounts& r = gc.reservations;
    add_reservations(n, r.created, r.accepted, r.rejected, r.timed_out, r.canceled, r.rescinded);

    const std::size_t first = std::min<std::size_t>(group.first_worker, workers_.size());
    const std::size_t last = std::min<std::size_t>(first + group.count, workers_.size());
    std::int64_t busy = 0;
    std::int64_t idle = 0;
    for (std::size_t w = first; w < last; ++w) {
      busy += workers_[w].busy;
      idle += workers_[w].idle_available;
    }
    n.add("occupancy", ratio(busy, busy + idle));

    // Over the group's workers, each counted once even if it never held the activity.
    MetricNode& durations = n.add_group("activity_durations");
    for (std::size_t a = 0; a < activity_count_; ++a) {
      std::int64_t total = 0;
      std::int64_t min = INT64_MAX;
      std::int64_t max = INT64_MIN;
      for (std::size_t w = first; w < last; ++w) {
        const std::int64_t d = activity_time_[w * activity_count_ + a];
        total += d;
        min = std::min(min, d);
        max = std::max(max, d);
      }
      add_durations(durations, scenario_.activities[a].name,
                    static_cast<std::int64_t>(last - first), total, min, max);
    }
  }

  // statistics.per_worker: TaskRouter's Worker statistics (cumulative), one node per worker.
  if (per_worker_on_) {
    MetricNode& each = root.add_group("worker_statistics");
    for (std::size_t w = 0; w < per_worker_.size(); ++w) {
      const GroupCounters& wc = per_worker_[w];
      MetricNode& n = each.add_group(scenario_.workers[w].name);
      n.add("tasks_completed", static_cast<double>(wc.tasks_completed));
      n.add("tasks_assigned", static_cast<double>(wc.reservations.accepted));
      const ReservationCounts& r = wc.reservations;
      add_reservations(n, r.created, r.accepted, r.rejected, r.timed_out, r.canceled, r.rescinded);
      n.add("occupancy", ratio(workers_[w].busy, workers_[w].busy + workers_[w].idle_available));
      // TaskRouter's activity_durations ("The minimum, average, maximum, and total time (in
      // seconds) that Workers spent in each Activity"), over the worker's stints.
      MetricNode& durations = n.add_group("activity_durations");
      for (std::size_t a = 0; a < activity_count_; ++a) {
        const DurationStats& d = stints_[w * activity_count_ + a];
        add_durations(durations, scenario_.activities[a].name, d.count, d.total, d.min, d.max);
      }
    }
  }
  return root;
}

}  // namespace trsim::detail
