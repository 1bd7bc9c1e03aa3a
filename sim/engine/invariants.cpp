// The engine's self-checks: the event-stream laws and end-of-run conservation laws
// (InvariantChecker), and the checks of the engine's state after every event
// (EngineImpl::check_invariants). See invariants.hpp.
#include "engine/invariants.hpp"

#include <fmt/format.h>

#include <cmath>

#include "engine/engine_impl.hpp"

namespace trsim::detail {

void invariant_broken(const std::string& what) { throw InvariantViolation("invariant: " + what); }

namespace {

double metric(const MetricNode* node, std::string_view key) {
  const MetricNode* leaf = node == nullptr ? nullptr : node->child(key);
  return leaf == nullptr || std::isnan(leaf->value) ? 0.0 : leaf->value;
}

constexpr std::string_view kOutcomes[] = {"reservations_accepted", "reservations_rejected",
                                          "reservations_timed_out", "reservations_canceled",
                                          "reservations_rescinded"};

}  // namespace

InvariantChecker::InvariantChecker(const Scenario& scenario, EventSink* next)
    : scenario_(scenario), next_(next) {}

void InvariantChecker::begin_replication(std::uint32_t replication) {
  replication_ = replication;
  if (next_) next_->begin_replication(replication);
}

void InvariantChecker::end_replication() {
  if (next_) next_->end_replication();
}

InvariantChecker::Tracked& InvariantChecker::slot(std::vector<Tracked>& v, std::uint32_t id) {
  if (id == kNoId) invariant_broken("an event names no task or reservation where it must");
  if (id >= v.size()) v.resize(std::max<std::size_t>(id + 1, v.size() * 2));
  return v[id];
}

void InvariantChecker::open(std::vector<Tracked>& v, std::uint32_t id, const Event& e,
                            const char* what) {
  Tracked& t = slot(v, id);
  if (t.life != Life::unknown)
    invariant_broken(fmt::format("{} {} was created twice (at t={}us)", what, id, e.time));
  t.life = Life::open;
  t.counted = e.task_created_at >= scenario_.warmup;
}

void InvariantChecker::end(std::vector<Tracked>& v, std::uint32_t id, const Event& e,
                           const char* what) {
  Tracked& t = slot(v, id);
  if (t.life == Life::unknown)
    invariant_broken(
        fmt::format("{} {} ended ({}) without being created", what, id, event_type_name(e.type)));
  if (t.life == Life::ended)
    invariant_broken(fmt::format("{} {} ended twice: {}, then {} at t={}us", what, id,
                                 event_type_name(t.ended_by), event_type_name(e.type), e.time));
  t.life = Life::ended;
  t.ended_by = e.type;
}

void InvariantChecker::on_event(const Event& e) {
  if (e.time < last_time_)
    invariant_broken(fmt::format("time went back: {} at t={}us after an event at t={}us",
                                 event_type_name(e.type), e.time, last_time_));
  last_time_ = e.time;
  switch (e.type) {
    case EventType::task_created:
      open(tasks_, e.task, e, "task");
      ++open_tasks_;
      if (tasks_[e.task].counted) ++open_counted_tasks_;
      break;
    case EventType::task_completed:
    case EventType::task_canceled:
      end(tasks_, e.task, e, "task");
      --open_tasks_;
      if (tasks_[e.task].counted) --open_counted_tasks_;
      break;
    case EventType::task_updated:
      if (slot(tasks_, e.task).life != Life::open)
        invariant_broken(fmt::format("task {} was updated, but it is not open", e.task));
      break;
    case EventType::reservation_created:
      if (slot(tasks_, e.task).life != Life::open)
        invariant_broken(
            fmt::format("reservation {} offers task {}, which is not open", e.reservation, e.task));
      open(reservations_, e.reservation, e, "reservation");
      if (reservations_[e.reservation].counted) ++open_counted_reservations_;
      break;
    case EventType::reservation_accepted:
    case EventType::reservation_rejected:
    case EventType::reservation_timeout:
    case EventType::reservation_canceled:
    case EventType::reservation_rescinded:
      end(reservations_, e.reservation, e, "reservation");
      if (reservations_[e.reservation].counted) --open_counted_reservations_;
      break;
    case EventType::reservation_completed: {
      const Tracked& r = slot(reservations_, e.reservation);
      if (r.life != Life::ended || r.ended_by != EventType::reservation_accepted)
        invariant_broken(
            fmt::format("reservation {} completed without being accepted", e.reservation));
      break;
    }
    default:
      break;
  }
  if (next_) next_->on_event(e);
}

void InvariantChecker::finish(std::uint32_t alive_tasks, const MetricNode& statistics) const {
  if (open_tasks_ != alive_tasks)
    invariant_broken(fmt::format(
        "the engine counts {} tasks still alive at the end, but {} were created and never "
        "completed or canceled",
        alive_tasks, open_tasks_));
  check_statistics(statistics);
}

// Conservation laws of the statistics tree (only tasks created at or after warmup count, and so
// only the open tasks and reservations of those tasks).
void InvariantChecker::check_statistics(const MetricNode& statistics) const {
  const MetricNode* ws = statistics.child("workspace");
  const double created = metric(ws, "tasks_created");
  const double completed = metric(ws, "tasks_completed");
  const double canceled = metric(ws, "tasks_canceled");
  const auto open_tasks = static_cast<double>(open_counted_tasks_);
  if (created != completed + canceled + open_tasks)
    invariant_broken(fmt::format(
        "workspace tasks_created ({}) is not tasks_completed ({}) + tasks_canceled ({}) + tasks "
        "still open ({})",
        created, completed, canceled, open_tasks));
  const double reasons = metric(ws, "tasks_abandoned") + metric(ws, "tasks_ttl_expired") +
                         metric(ws, "tasks_timed_out_in_workflow");
  if (reasons > canceled)
    invariant_broken(
        fmt::format("workspace tasks canceled for a reason ({}) outnumber tasks_canceled ({})",
                    reasons, canceled));
  double entered = 0;
  if (const MetricNode* workflows = statistics.child("workflows"))
    for (const MetricNode& w : workflows->children) entered += metric(&w, "tasks_entered");
  if (entered != created)
    invariant_broken(
        fmt::format("the workflows' tasks_entered add up to {}, not workspace tasks_created ({})",
                    entered, created));

  const double offered = metric(ws, "reservations_created");
  double outcomes = static_cast<double>(open_counted_reservations_);
  for (std::string_view k : kOutcomes) outcomes += metric(ws, k);
  if (offered != outcomes)
    invariant_broken(fmt::format(
        "workspace reservations_created ({}) is not the sum of the outcomes and the reservations "
        "still open ({})",
        offered, outcomes));

  // Worker groups: their offers add up to the workspace's, and each worker spends the whole of
  // [warmup, horizon] in some activity.
  const MetricNode* groups = statistics.child("workers");
  double group_offers = 0;
  const double span = to_seconds(scenario_.horizon - scenario_.warmup);
  for (const WorkerGroup& g : scenario_.worker_groups) {
    const MetricNode* node = groups == nullptr ? nullptr : groups->child(g.name);
    group_offers += metric(node, "reservations_created");
    const MetricNode* durations = node == nullptr ? nullptr : node->child("activity_durations");
    double total = 0;
    if (durations != nullptr)
      for (const MetricNode& a : durations->children) total += metric(&a, "total");
    const double expected = span * g.count;
    if (std::abs(total - expected) > 1e-6 * std::max(1.0, expected))
      invariant_broken(fmt::format(
          "worker group '{}': activity durations add up to {}s, not {} workers x {}s = {}s", g.name,
          total, g.count, span, expected));
  }
  if (group_offers != offered)
    invariant_broken(fmt::format(
        "the worker groups' reservations_created add up to {}, not the workspace's ({})",
        group_offers, offered));
  // statistics.per_worker: each worker's stints fill [warmup, horizon] too.
  if (const MetricNode* each = statistics.child("worker_statistics")) {
    for (const MetricNode& w : each->children) {
      const MetricNode* durations = w.child("activity_durations");
      double total = 0;
      if (durations != nullptr)
        for (const MetricNode& a : durations->children) total += metric(&a, "total");
      if (std::abs(total - span) > 1e-6 * std::max(1.0, span))
        invariant_broken(
            fmt::format("worker '{}': its stints add up to {}s, not {}s", w.key, total, span));
    }
  }
}

// ---- the engine's guards and state checks
// --------------------------------------------------------

void EngineImpl::event_in_the_past(const ScheduledEvent& e) const {
  invariant_broken(fmt::format("an event (kind {}) was scheduled at t={}us, in the past of t={}us",
                               e.kind, e.time, now_));
}

void EngineImpl::event_budget_exceeded() const {
  throw EventBudgetExceeded(fmt::format(
      "replication {} stopped at t={}s after {} events: the event budget is {} events per "
      "replication (raise it with --max-events)",
      options_.replication, to_seconds(now_), events_ - 1, scenario_.max_events));
}

void EngineImpl::check_invariants() const {
  const std::size_t nc = scenario_.channels.size();
  std::vector<int> used(nc, 0);
  for (WorkerId w = 0; w < workers_.size(); ++w) {
    const WorkerState& ws = workers_[w];
    const std::string& name = scenario_.workers[w].name;
    std::fill(used.begin(), used.end(), 0);
    for (ReservationSlot r : ws.held) {
      const ReservationState& rs = reservations_[r];
      if (rs.worker != w)
        invariant_broken(fmt::format("worker {} holds a reservation of another worker", name));
      if (rs.status != ReservationStatus::pending && rs.status != ReservationStatus::accepted &&
          rs.status != ReservationStatus::wrapping)
        invariant_broken(fmt::format("worker {} still holds an ended reservation", name));
      ++used[rs.channel];
    }
    for (std::size_t c = 0; c < nc; ++c) {
      // A capacity lowered by a `changes` entry leaves the reservations held then in place.
      const int capacity = ws.overrides
                               ? std::max(ws.capacity[c], ws.overrides->held_when_lowered[c])
                               : scenario_.workers[w].capacity[c];
      if (used[c] > capacity)
        invariant_broken(fmt::format(
            "worker {} holds {} reservations on channel {}, more than its capacity of {}", name,
            used[c], scenario_.channels[c].name, capacity));
      if (used[c] != ws.used[c])
        invariant_broken(fmt::format(
            "worker {} holds {} reservations on channel {} but its capacity counter says {}", name,
            used[c], scenario_.channels[c].name, ws.used[c]));
    }
    if (single_tasking_ && ws.held.size() > 1)
      invariant_broken(
          fmt::format("single-tasking worker {} holds {} reservations", name, ws.held.size()));
    if (ws.reservations != ws.held.size())
      invariant_broken(fmt::format("worker {} counts {} reservations but holds {}", name,
                                   ws.reservations, ws.held.size()));
  }
  for (std::uint32_t i = 0; i < tasks_.size(); ++i) {
    const TaskSlot t(i);
    const TaskState& task = tasks_[t];
    if (task.status == TaskStatus::reserved && task.offers.empty())
      invariant_broken(fmt::format("reserved task {} has no pending reservation", task.serial));
    if (task.status == TaskStatus::pending && !task.offers.empty())
      invariant_broken(fmt::format("pending task {} has pending reservations", task.serial));
    for (ReservationSlot r : task.offers)
      if (reservations_[r].task != t || reservations_[r].status != ReservationStatus::pending)
        invariant_broken(
            fmt::format("task {} lists an offer that is not its pending reservation", task.serial));
  }
  matching_.check();
}

}  // namespace trsim::detail
