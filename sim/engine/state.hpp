#pragma once
// The engine's entities as one replication sees them: tasks, reservations, workers and arrival
// streams. lifecycle.cpp moves them from state to state; Matching (matching.hpp) owns the seats
// that place them in its indexes.
#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "engine/event_queue.hpp"
#include "trsim/event.hpp"
#include "trsim/random.hpp"
#include "trsim/scenario.hpp"
#include "trsim/time.hpp"

namespace trsim::detail {

enum class TaskStatus : std::uint8_t { pending, reserved, assigned, wrapping, completed, canceled };
enum class ReservationStatus : std::uint8_t {
  pending,
  accepted,
  wrapping,
  completed,
  rejected,
  timeout,
  canceled,
  rescinded
};

inline constexpr std::uint32_t kDefaultFilter = UINT32_MAX - 1;  ///< task.filter: default_filter

/// Ordering key of a waiting task inside a queue (smaller = offered first).
struct WaitKey {
  std::int64_t a = 0, b = 0, c = 0;
  std::uint32_t slot = 0;
  friend bool operator<(const WaitKey& x, const WaitKey& y) {
    if (x.a != y.a) return x.a < y.a;
    if (x.b != y.b) return x.b < y.b;
    if (x.c != y.c) return x.c < y.c;
    return x.slot < y.slot;
  }
};

class Matching;

/// A task's place in a queue's waiting set. Only Matching reads or writes it (the fields are
/// private): the rest of the engine tells Matching what changed and asks it what it needs.
class WaitingSeat {
 public:
  bool waiting() const { return index_ != kNoId; }

 private:
  friend class Matching;
  std::uint32_t index_ = kNoId;              ///< the waiting set (kNoId = not waiting for an offer)
  std::set<WaitKey>::const_iterator entry_;  ///< its entry there (erased without a search)
};

/// A worker's place in the idle pools and the fill queue, Matching's alone like WaitingSeat.
class PoolSeat {
 private:
  friend class Matching;
  SimTime idle_since_ = 0;       ///< the idle time it was entered into the pools with
  bool fill_requested_ = false;  ///< in the fill queue of the current event
};

struct TaskState {
  TaskId serial = 0;  ///< creation number: what events and sids show
  TaskStatus status = TaskStatus::pending;
  StreamId stream = kNoId;
  WorkflowId workflow = kNoId;
  ChannelId channel = kNoId;
  const Value* attributes = nullptr;
  std::unique_ptr<Value> owned_attributes;  ///< when the attributes are unique to this task
  std::int64_t priority = 0;  ///< its own, until a target sets another (which then stays)
  SimTime created = 0;
  SimTime handle_time = 0;

  // Position in the workflow.
  std::uint32_t filter = kNoId;  ///< filter index, kDefaultFilter, or kNoId before routing
  std::uint32_t step = 0;        ///< target index within the filter
  SimTime step_deadline = kNever;
  QueueId queue = kNoId;
  SimTime queue_entered = 0;  ///< when it entered `queue` (task-queue.entered)
  bool step_expired = false;  ///< the deadline passed while offers were pending
  bool ever_placed = false;   ///< has settled in a step at least once (for skip_if)

  std::uint32_t transitions = 0;      ///< pending -> reserved transitions
  std::vector<std::uint32_t> offers;  ///< pending reservations (slots)
  std::uint32_t accepted = kNoId;     ///< the accepted reservation (slot)

  WaitingSeat waiting;  ///< its place in a queue's waiting set: Matching's alone

  Timer abandon_timer, step_timer, work_timer;
};

struct ReservationState {
  ReservationId serial = 0;
  ReservationStatus status = ReservationStatus::pending;
  std::uint32_t task = kNoId;  ///< slot
  WorkerId worker = kNoId;
  QueueId queue = kNoId;
  ChannelId channel = kNoId;
  bool will_accept = false;
  Timer timeout_timer, response_timer;
};

struct WorkerState {
  ActivityId activity = kNoId;
  ActivityId activity_before_offer = kNoId;  ///< single-tasking: where to go after the task
  SimTime idle_since = 0;  ///< last finished, offered or became available: whichever is latest
  std::uint32_t reservations = 0;   ///< held: pending, accepted or wrapping
  std::vector<int> used;            ///< held reservations per ChannelId
  std::vector<std::uint32_t> held;  ///< those reservations (slots), oldest first
  std::span<const QueueId> queues;  ///< queues whose target_workers it matches (RoutingFacts)
  Rng outcome_rng, response_rng, wrapup_rng, return_rng;
  Timer return_timer;
  ActivityId return_to = kNoId;  ///< where return_timer takes it (after a timeout or a reject)
  // Facts of the worker's definition that every offer and release reads, looked up once (the
  // definition does not change during a run) instead of through scenario_'s tables each time.
  const int* capacity = nullptr;       ///< Worker::capacity, per ChannelId
  const Behavior* behavior = nullptr;  ///< its group's behaviour
  double handle_time_factor = 1.0;     ///< its group's
  bool ranked = false;                 ///< some of its queues has an order_by index
  std::uint32_t schedule_cycle = 0;
  PoolSeat pools;  ///< its place in the idle pools and the fill queue: Matching's alone
};

struct StreamState {
  Rng gap_rng, attribute_rng, handle_rng, patience_rng;
  /// TTL is a constant per stream and tasks arrive in time order, so TTL deadlines come in
  /// creation order: one timer per stream for the oldest task that may still be waiting, and a
  /// FIFO of (slot, serial) pruned from the front, instead of a heap timer per task that nearly
  /// always gets cancelled.
  std::deque<std::pair<std::uint32_t, TaskId>> ttl_fifo;
  Timer ttl_timer;
  std::uint32_t next_trace_row = 0;
  /// Attribute objects per combination of picks (mixed-radix index), built on first use.
  std::vector<std::unique_ptr<Value>> combinations;
  std::vector<std::uint32_t> pick_radix;
  std::vector<std::unique_ptr<Value>> trace_attributes;  ///< per trace row (merged)
};

}  // namespace trsim::detail
