#pragma once
// Matching: who could take what, in one replication. Per (queue, active channel) it keeps the idle
// workers that have room for a task on that channel (longest idle first, and one ranked index per
// order_by target), and the tasks waiting for an offer (in the queue's task order); per queue the
// workers in each activity (for skip_if); and the fill queue: the workers whose room may have
// grown during the current event, which look for work once the event's own transitions are done.
//
// The rest of the engine never touches these indexes (a task's and a worker's seat in them are
// private to Matching). It changes its entities, then says what changed:
//
//   worker_capacity_taken(w)        an offer took some of the worker's room
//   worker_capacity_changed(w)      its room grew (or changed in any other way): the pools
//                                   follow and it is queued to look for work, so that no change
//                                   of capacity can forget the fill
//   worker_activity_changed(w, was) its activity changed (the counts, the pools, a fill if
//                                   it is available now)
//   worker_queues_changed(w, qs)    its queue membership changed
//   request_fill(w)                 look for work for it at the end of the event anyway
//   task_changed(t)                 its status, step, queue, offers or priority changed: it is
//                                   re-filed (or leaves) its queue's waiting set
//   task_left(t)                    it stopped waiting (assigned, canceled, its step expired)
//
// and asks: the idle candidates for a task (for_each_idle, idle_in), the best waiting task for a
// worker (best_task), the workers to fill at the end of an event (drain). Whether a worker may take
// a particular task (target expressions, known_worker_*, one offer per worker and task) is the
// router's question: the queries take it as a predicate.
//
// Invariants (check() verifies them, with --check-invariants): a worker is in the idle pools of a
// channel exactly when it is available and has room on that channel; a task sits in a waiting set
// exactly when its state asks for one; the activity counts are those of the workers' activities;
// after an event the fill queue is empty.
#include <algorithm>
#include <cstdint>
#include <set>
#include <span>
#include <vector>

#include "engine/idle_pool.hpp"
#include "engine/ranked_pool.hpp"
#include "engine/routing_facts.hpp"
#include "engine/state.hpp"

namespace trsim::detail {

class Matching {
 public:
  /// Reads the engine's worker and task tables (which it never resizes); writes only the seats.
  Matching(const RoutingFacts& facts, std::vector<WorkerState>& workers,
           SlotTable<TaskSlot, TaskState>& tasks);
  Matching(const Matching&) = delete;
  Matching& operator=(const Matching&) = delete;

  /// Once every worker has its initial state: the activity counts and the idle pools.
  void start();

  // ---- what changed --------------------------------------------------------------------------

  /// An offer took some of the worker's room (or moved its idle time): taking room never makes a
  /// new match, so there is nothing to fill.
  void worker_capacity_taken(WorkerId w) { refresh_pools(w); }
  /// The worker's room grew (an offer ended, a task completed) or changed in any other way.
  void worker_capacity_changed(WorkerId w) {
    refresh_pools(w);
    request_fill(w);
  }
  /// The worker went from activity `previous` to its current one (its idle time may have moved).
  void worker_activity_changed(WorkerId w, ActivityId previous);
  /// The worker's queue membership changed (its attributes changed during the run): it leaves the
  /// pools and activity counts of its old queues, joins those of `queues` (kept alive by the
  /// caller, in QueueId order) and looks for work. Its order_by ranks follow with rerank().
  void worker_queues_changed(WorkerId w, std::span<const QueueId> queues);
  /// Workers' attributes changed: every order_by ranking is computed again from `attributes`
  /// ([worker]) and the ranked pools re-filled (a replication-local copy of the rankings).
  void rerank(const std::vector<const Value*>& attributes);
  /// The worker looks for work once the current event's transitions are done (once per event, in
  /// the order of the requests).
  void request_fill(WorkerId w) {
    PoolSeat& seat = workers_[w].pools;
    if (seat.fill_requested_) return;
    seat.fill_requested_ = true;
    fill_queue_.push_back(w);
  }

  /// The task's status, queue, step, offers or priority changed: it waits for an offer while it
  /// is pending or reserved with fewer offers than max_reserved_workers, in a step whose deadline
  /// has not passed, keyed by the queue's task order.
  void task_changed(TaskSlot t);
  /// The task no longer waits for an offer (assigned, canceled, skipped, its step expired).
  void task_left(TaskSlot t) {
    WaitingSeat& seat = tasks_[t].waiting;
    if (seat.index_ == kNoId) return;
    waiting_[seat.index_].erase(seat.entry_);
    seat.index_ = kNoId;
    --waiting_count_;
  }

  // ---- questions -----------------------------------------------------------------------------

  bool is_available(WorkerId w) const {
    return facts_.activity_available[workers_[w].activity] != 0;
  }
  bool has_free_capacity(WorkerId w, ChannelId c) const {
    const WorkerState& ws = workers_[w];
    const int capacity = ws.capacity[c];
    if (facts_.single_tasking) return ws.reservations == 0 && capacity > 0;
    return ws.used[c] < capacity;
  }

  /// Whether the worker is among the idle candidates of queue q for a task on channel c.
  bool idle_in(WorkerId w, QueueId q, ChannelId c) const {
    const std::span<const QueueId> queues = workers_[w].queues;
    return pooled_[w * na_ + facts_.active_index[c]] &&
           std::find(queues.begin(), queues.end(), q) != queues.end();
  }

  /// Calls visit(worker) for each idle candidate of queue q for a task on channel c, in the order
  /// `target` offers them (its order_by ranking, else longest idle first), until it returns false.
  template <class Visit>
  void for_each_idle(QueueId q, ChannelId c, const WorkflowTarget& target, Visit&& visit) {
    const std::uint32_t ac = facts_.active_index[c];
    if (!target.order_by.empty())
      order_pools_[facts_.target_order_index.at(&target)][ac].for_each(visit);
    else
      pools_[q * na_ + ac].for_each(visit);
  }

  /// Some task waits for an offer (under light load, most of the time none does).
  bool any_waiting() const { return waiting_count_ != 0; }

  /// The best waiting task the worker has room for and `takes(slot)` accepts, across its queues:
  /// queues of the workspace's prioritized order (FIFO or LIFO) first, then by the queue's key
  /// (priority, age, sequence). An invalid slot when there is none.
  template <class Takes>
  TaskSlot best_task(WorkerId w, Takes&& takes) const {
    TaskSlot best_task;
    int best_class = 0;
    WaitKey best_key;
    for (QueueId q : workers_[w].queues) {
      const int cls = facts_.queues[q].fifo == facts_.fifo_first ? 0 : 1;
      if (best_task.valid() && cls > best_class) continue;
      for (std::uint32_t ac = 0; ac < na_; ++ac) {
        if (!has_free_capacity(w, facts_.active_channels[ac])) continue;
        for (const WaitKey& key : waiting_[q * na_ + ac]) {
          if (best_task.valid() && cls == best_class && !(key < best_key)) break;
          if (!takes(key.slot)) continue;
          best_task = key.slot;
          best_class = cls;
          best_key = key;
          break;
        }
      }
    }
    return best_task;
  }

  /// Calls fill(worker) for each worker whose fill was requested during the event, in the order
  /// of the requests (a fill may request more), while some task waits (with none, a fill has
  /// nothing to find).
  template <class Fill>
  void drain(Fill&& fill) {
    for (std::size_t i = 0; i < fill_queue_.size(); ++i) {
      const WorkerId w = fill_queue_[i];
      workers_[w].pools.fill_requested_ = false;
      if (waiting_count_ != 0) fill(w);
    }
    fill_queue_.clear();
  }

  /// Workers of queue q in activity a (skip_if's workers.<activity>).
  int activity_count(QueueId q, ActivityId a) const { return activity_counts_[q * nact_ + a]; }

  /// Verifies the invariants above (throws InvariantViolation); after an event only.
  void check() const;

 private:
  /// Whether the task waits for an offer (task_changed()'s rule).
  bool wants_to_wait(const TaskState& task) const {
    return (task.status == TaskStatus::pending || task.status == TaskStatus::reserved) &&
           task.queue != kNoId && !task.step_expired &&
           static_cast<int>(task.offers.size()) < facts_.queues[task.queue].max_reserved_workers;
  }
  void refresh_pools(WorkerId w);
  /// Inlined into both callers: out of line, refresh_pools() (a hot function) pays for the call's
  /// set-up even for workers with no order_by index (measured: +3 instructions per call).
  [[gnu::always_inline]] inline void refresh_ranked_pools(WorkerId w, std::uint32_t ac, bool enter);

  std::uint32_t rank(std::uint32_t order_index, WorkerId w) const {
    return (*rankings_)[facts_.order_indexes[order_index].ranking].rank[w];
  }

  const RoutingFacts& facts_;
  /// facts_.rankings, or own_rankings_ once a change of attributes re-ranked the workers.
  const std::vector<RoutingFacts::Ranking>* rankings_ = &facts_.rankings;
  std::vector<RoutingFacts::Ranking> own_rankings_;
  std::vector<WorkerState>& workers_;
  SlotTable<TaskSlot, TaskState>& tasks_;
  const std::size_t na_;    ///< active channels
  const std::size_t nact_;  ///< activities

  std::vector<std::vector<std::uint32_t>> pool_generations_;  ///< [active channel][worker]
  std::vector<IdlePool> pools_;                               ///< [queue * na_ + channel]
  std::vector<std::uint8_t> pooled_;                          ///< [worker * na_ + channel]
  /// [order index][active channel]: the idle workers by the index's ranking, kept in step with
  /// pools_ by refresh_pools().
  std::vector<std::vector<RankedIdlePool>> order_pools_;
  std::vector<std::set<WaitKey>> waiting_;     ///< [queue * na_ + channel]
  std::size_t waiting_count_ = 0;              ///< entries in all of waiting_
  std::vector<std::int32_t> activity_counts_;  ///< [queue * nact_ + activity]
  std::vector<WorkerId> fill_queue_;           ///< workers to fill at the end of the event
};

}  // namespace trsim::detail
