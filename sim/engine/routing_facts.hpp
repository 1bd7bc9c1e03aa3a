#pragma once
// The routing facts of a scenario: everything the router and the matching read that follows from
// the Scenario alone and never changes during a run. Which queues each worker belongs to (every
// queue's target_workers evaluated per worker), the order_by rank of every worker, the worker
// look-ups by name and sid (known_worker_*), the hot fields of every queue, which channels tasks
// arrive on, which activities are available. Built once per scenario by build_routing_facts(),
// then sealed (only ever reached through a pointer to const) and shared by every replication of
// that scenario, on any number of threads.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "trsim/engine.hpp"
#include "trsim/expression.hpp"
#include "trsim/scenario.hpp"

namespace trsim {

struct RoutingFacts {
  RoutingFacts() = default;
  RoutingFacts(const RoutingFacts&) = delete;  ///< worker_queues points into member_queues
  RoutingFacts& operator=(const RoutingFacts&) = delete;

  const Scenario* scenario = nullptr;  ///< the facts' source; it must outlive them
  bool single_tasking = false;         ///< !workspace.multi_task
  bool fifo_first = true;              ///< workspace.prioritize_queue_order == fifo

  /// Channels some task can arrive on: only those get matching indexes.
  std::vector<ChannelId> active_channels;
  std::vector<std::uint32_t> active_index;  ///< ChannelId -> index in active_channels, or kNoId

  /// Activity::available per ActivityId, flat: read on every pool refresh and fill, where the
  /// path through the scenario's tables costs more loads than the answer.
  std::vector<std::uint8_t> activity_available;

  /// The queue settings that every offer, fill and re-filing reads, per QueueId, flat (a
  /// TaskQueue is large; its few hot fields are a cache line apart from the next queue's).
  struct Queue {
    int max_reserved_workers = 1;
    bool fifo = true;  ///< task_order
    ActivityId reservation_activity = kNoId;
    ActivityId assignment_activity = kNoId;
  };
  std::vector<Queue> queues;

  /// Queue membership: the queues whose target_workers each worker matches, in QueueId order
  /// (worker attributes do not change during a run). worker_queues[w] is a slice of member_queues.
  std::vector<QueueId> member_queues;
  std::vector<std::span<const QueueId>> worker_queues;  ///< [worker]
  std::vector<std::uint8_t> worker_ranked;  ///< [worker]: some of its queues has an order index

  /// The rank classes of every worker under one order_by (shared by the queues that use it):
  /// equal ranks share a class, classes are numbered in rank order (0 = offered first).
  struct Ranking {
    const std::vector<OrderByClause>* clauses = nullptr;
    std::vector<std::uint32_t> rank;  ///< [worker]
  };
  std::vector<Ranking> rankings;  ///< one per distinct order_by

  /// One ranked idle index per (queue, order_by) that some workflow target uses.
  struct OrderIndex {
    QueueId queue = kNoId;
    const std::vector<OrderByClause>* clauses = nullptr;
    std::uint32_t ranking = 0;  ///< index in rankings
  };
  std::vector<OrderIndex> order_indexes;
  std::vector<std::vector<std::uint32_t>> queue_order_indexes;  ///< [queue]: its order indexes
  /// The order index of each target with an order_by (keyed by the target, which lives in the
  /// scenario; looked up, never iterated).
  std::unordered_map<const WorkflowTarget*, std::uint32_t> target_order_index;

  /// [workflow]: its filters cannot change their answer over time (none reads taskrouter.*), so
  /// a replication may cache their matches per attribute object.
  std::vector<std::uint8_t> filters_cacheable;

  /// known_worker_sid / known_worker_name: the worker with this sid or name, or kNoId.
  WorkerId known_worker(bool by_sid, std::string_view key) const {
    const auto& index = by_sid ? worker_by_sid : worker_by_name;
    const auto it = index.find(key);
    return it == index.end() ? kNoId : it->second;
  }
  /// Names are unique (the loader refuses duplicates), and so are sids (declared ones are checked,
  /// the others are hashes of the names); with duplicates anyway, the first worker is the one.
  std::map<std::string, WorkerId, std::less<>> worker_by_name;
  std::map<std::string, WorkerId, std::less<>> worker_by_sid;
};

/// Queue membership: appends the queues whose target_workers `worker` matches, in QueueId order
/// (the one rule, for the sealed facts at the start and for a worker whose attributes change).
void append_member_queues(const Scenario& sc, const WorkerFacts& worker,
                          std::int64_t wall_clock_seconds, std::vector<QueueId>& out);

/// The rank class of every worker under `clauses`, from its attributes ([worker]): equal ranks
/// share a class, classes are numbered in rank order (0 = offered first).
std::vector<std::uint32_t> rank_classes(const std::vector<const Value*>& attributes,
                                        const std::vector<OrderByClause>& clauses);

// build_routing_facts() is declared with Engine (include/trsim/engine.hpp).

}  // namespace trsim
