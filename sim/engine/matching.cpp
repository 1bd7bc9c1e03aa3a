// Matching: the idle pools, the waiting sets, the activity counts and the fill queue of one
// replication (see matching.hpp).
#include "engine/matching.hpp"

#include <fmt/format.h>

#include "engine/invariants.hpp"

namespace trsim::detail {

Matching::Matching(const RoutingFacts& facts, std::vector<WorkerState>& workers,
                   SlotTable<TaskSlot, TaskState>& tasks)
    : facts_(facts),
      workers_(workers),
      tasks_(tasks),
      na_(facts.active_channels.size()),
      nact_(facts.scenario->activities.size()) {}

void Matching::start() {
  const Scenario& sc = *facts_.scenario;
  const std::size_t nq = sc.task_queues.size();
  const std::size_t nw = workers_.size();
  // Generations first: each pool keeps a pointer to its channel's vector.
  pool_generations_.assign(na_, std::vector<std::uint32_t>(nw, 0));
  pools_.reserve(nq * na_);
  for (std::size_t q = 0; q < nq; ++q)
    for (std::size_t ac = 0; ac < na_; ++ac) pools_.emplace_back(&pool_generations_[ac]);
  order_pools_.assign(facts_.order_indexes.size(), std::vector<RankedIdlePool>(na_));
  waiting_.resize(nq * na_);
  pooled_.assign(nw * na_, 0);
  activity_counts_.assign(nq * nact_, 0);
  for (WorkerId w = 0; w < nw; ++w)
    for (QueueId q : workers_[w].queues) ++activity_counts_[q * nact_ + workers_[w].activity];
  for (WorkerId w = 0; w < nw; ++w) refresh_pools(w);
}

void Matching::worker_activity_changed(WorkerId w, ActivityId previous) {
  const WorkerState& ws = workers_[w];
  for (QueueId q : ws.queues) {
    --activity_counts_[q * nact_ + previous];
    ++activity_counts_[q * nact_ + ws.activity];
  }
  refresh_pools(w);
  if (is_available(w)) request_fill(w);
}

void Matching::worker_queues_changed(WorkerId w, std::span<const QueueId> queues) {
  WorkerState& ws = workers_[w];
  // Out of every pool of the old queues, as refresh_pools() takes a worker out.
  for (std::uint32_t ac = 0; ac < na_; ++ac) {
    std::uint8_t& pooled = pooled_[w * na_ + ac];
    if (!pooled) continue;
    ++pool_generations_[ac][w];
    for (QueueId q : ws.queues) pools_[q * na_ + ac].invalidated();
    if (ws.ranked) refresh_ranked_pools(w, ac, false);
    pooled = 0;
  }
  for (QueueId q : ws.queues) --activity_counts_[q * nact_ + ws.activity];
  ws.queues = queues;
  ws.ranked = false;
  for (QueueId q : ws.queues) {
    ++activity_counts_[q * nact_ + ws.activity];
    ws.ranked = ws.ranked || !facts_.queue_order_indexes[q].empty();
  }
  refresh_pools(w);
  request_fill(w);
}

// Re-files a worker in the idle pools of its queues after its activity, room or idle time changed.
void Matching::refresh_pools(WorkerId w) {
  WorkerState& ws = workers_[w];
  const bool available = is_available(w);
  const SimTime idle_since = ws.idle_since;
  const bool idle_moved = ws.pools.idle_since_ != idle_since;
  for (std::uint32_t ac = 0; ac < na_; ++ac) {
    std::uint8_t& pooled = pooled_[w * na_ + ac];
    const bool want = available && has_free_capacity(w, facts_.active_channels[ac]);
    if (pooled == want && !(want && idle_moved)) continue;  // in or out already, in place
    std::uint32_t& generation = pool_generations_[ac][w];
    if (pooled) {
      ++generation;  // invalidates the worker's entry in every pool of this channel at once
      for (QueueId q : ws.queues) pools_[q * na_ + ac].invalidated();
      if (ws.ranked) refresh_ranked_pools(w, ac, false);
    }
    if (want) {
      for (QueueId q : ws.queues) pools_[q * na_ + ac].insert({idle_since, w, generation});
      if (ws.ranked) refresh_ranked_pools(w, ac, true);
    }
    pooled = want ? 1 : 0;
  }
  ws.pools.idle_since_ = idle_since;
}

// The order_by indexes' side of refresh_pools(), apart because few workers have any: enters the
// worker (at its idle time) or takes it out (at the idle time it was entered with).
void Matching::refresh_ranked_pools(WorkerId w, std::uint32_t ac, bool enter) {
  const WorkerState& ws = workers_[w];
  for (QueueId q : ws.queues) {
    for (std::uint32_t i : facts_.queue_order_indexes[q]) {
      const std::uint32_t r = rank(i, w);
      if (enter)
        order_pools_[i][ac].insert(r, ws.idle_since, w);
      else
        order_pools_[i][ac].erase(r, ws.pools.idle_since_, w);
    }
  }
}

void Matching::rerank(const std::vector<const Value*>& attributes) {
  own_rankings_.clear();
  for (const RoutingFacts::Ranking& r : facts_.rankings) {
    RoutingFacts::Ranking& own = own_rankings_.emplace_back();
    own.clauses = r.clauses;
    own.rank = rank_classes(attributes, *r.clauses);
  }
  rankings_ = &own_rankings_;
  // Every ranked pool again, from the workers pooled now (at the idle time they were pooled with).
  for (auto& pools : order_pools_)
    for (RankedIdlePool& pool : pools) pool = RankedIdlePool{};
  for (WorkerId w = 0; w < workers_.size(); ++w) {
    const WorkerState& ws = workers_[w];
    if (!ws.ranked) continue;
    for (std::uint32_t ac = 0; ac < na_; ++ac)
      if (pooled_[w * na_ + ac])
        for (QueueId q : ws.queues)
          for (std::uint32_t i : facts_.queue_order_indexes[q])
            order_pools_[i][ac].insert(rank(i, w), ws.pools.idle_since_, w);
  }
}

void Matching::task_changed(TaskSlot t) {
  TaskState& task = tasks_[t];
  const bool want = wants_to_wait(task);
  WaitKey key;
  std::uint32_t index = kNoId;
  if (want) {
    index = static_cast<std::uint32_t>(task.queue * na_ + facts_.active_index[task.channel]);
    key.slot = t;
    if (facts_.queues[task.queue].fifo) {
      key.priority = -task.priority;
      key.created = task.created;
      key.sequence = task.serial;
    } else {  // LIFO: newest first, priority ignored
      key.created = -task.created;
      key.sequence = -static_cast<std::int64_t>(task.serial);
    }
  }
  WaitingSeat& seat = task.waiting;
  if (seat.index_ != kNoId) {
    if (want && index == seat.index_ && !(key < *seat.entry_) && !(*seat.entry_ < key)) return;
    task_left(t);
  }
  if (want) {
    // Keys mostly arrive in order (FIFO: by creation), so the end is the likely place.
    std::set<WaitKey>& waiting = waiting_[index];
    seat.entry_ = waiting.emplace_hint(waiting.end(), key);
    seat.index_ = index;
    ++waiting_count_;
  }
}

void Matching::check() const {
  const Scenario& sc = *facts_.scenario;
  if (!fill_queue_.empty())
    invariant_broken(fmt::format("{} workers are still queued to look for work after the event",
                                 fill_queue_.size()));
  for (WorkerId w = 0; w < workers_.size(); ++w) {
    const WorkerState& ws = workers_[w];
    for (std::uint32_t ac = 0; ac < na_; ++ac) {
      const ChannelId c = facts_.active_channels[ac];
      const bool want = is_available(w) && has_free_capacity(w, c);
      const std::string& name = sc.workers[w].name;
      const std::string& channel = sc.channels[c].name;
      if (want && pooled_[w * na_ + ac] == 0)
        invariant_broken(
            fmt::format("worker {} is missing from the idle pools of channel {}, "
                        "though it is available with room there",
                        name, channel));
      if (!want && pooled_[w * na_ + ac] != 0)
        invariant_broken(
            fmt::format("worker {} is in the idle pools of channel {}, though it is "
                        "unavailable or has no room there",
                        name, channel));
    }
    if (ws.pools.fill_requested_)
      invariant_broken(
          fmt::format("worker {} is marked for a fill after the event", sc.workers[w].name));
  }
  std::size_t entries = 0;
  for (std::size_t i = 0; i < waiting_.size(); ++i) {
    entries += waiting_[i].size();
    for (const WaitKey& key : waiting_[i]) {
      const WaitingSeat& seat = tasks_[key.slot].waiting;
      if (seat.index_ != i || &*seat.entry_ != &key)
        invariant_broken(fmt::format("task {} sits in a waiting set its seat does not point to",
                                     tasks_[key.slot].serial));
    }
  }
  if (entries != waiting_count_)
    invariant_broken(fmt::format("the waiting sets hold {} tasks but their count says {}", entries,
                                 waiting_count_));
  for (const TaskState& task : tasks_) {
    if (task.status != TaskStatus::pending && task.status != TaskStatus::reserved) continue;
    const bool waits = task.waiting.index_ != kNoId;
    if (waits && !wants_to_wait(task))
      invariant_broken(
          fmt::format("task {} waits for an offer it should not wait for", task.serial));
    if (!waits && wants_to_wait(task))
      invariant_broken(fmt::format("task {} is missing from its queue's waiting set", task.serial));
    if (waits && task.waiting.index_ != task.queue * na_ + facts_.active_index[task.channel])
      invariant_broken(fmt::format("task {} waits in another queue's waiting set", task.serial));
  }
  std::vector<std::int32_t> counts(activity_counts_.size(), 0);
  for (const WorkerState& ws : workers_)
    for (QueueId q : ws.queues) ++counts[q * nact_ + ws.activity];
  for (QueueId q = 0; q < sc.task_queues.size(); ++q)
    for (ActivityId a = 0; a < nact_; ++a)
      if (counts[q * nact_ + a] != activity_counts_[q * nact_ + a])
        invariant_broken(fmt::format("queue {} counts {} workers in activity {}, but {} are there",
                                     sc.task_queues[q].name, activity_counts_[q * nact_ + a],
                                     sc.activities[a].name, counts[q * nact_ + a]));
}

}  // namespace trsim::detail
