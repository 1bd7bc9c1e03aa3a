#pragma once
// The engine's entities as one replication sees them: tasks, reservations, workers and arrival
// streams. lifecycle.cpp moves them from state to state; Matching (matching.hpp) owns the seats
// that place them in its indexes.
#include <compare>
#include <cstddef>
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
/// task.filter: the task is transferred (its step indexes its TransferState).
inline constexpr std::uint32_t kTransferFilter = UINT32_MAX - 2;

/// A slot of one of the engine's tables: an index, typed by the table (a TaskSlot cannot index
/// the reservations, nor be taken for a serial, TaskId or ReservationId, which events show). Slots
/// are recycled; serials are not.
template <class Tag>
struct Slot {
  std::uint32_t index = kNoId;
  constexpr Slot() = default;
  constexpr explicit Slot(std::uint32_t i) : index(i) {}
  constexpr bool valid() const { return index != kNoId; }
  friend constexpr bool operator==(Slot, Slot) = default;
  friend constexpr auto operator<=>(Slot, Slot) = default;
};
using TaskSlot = Slot<struct TaskSlotTag>;                ///< EngineImpl::tasks_
using ReservationSlot = Slot<struct ReservationSlotTag>;  ///< EngineImpl::reservations_

/// A table indexed by its own slot type only.
template <class SlotType, class T>
class SlotTable {
 public:
  T& operator[](SlotType s) { return rows_[s.index]; }
  const T& operator[](SlotType s) const { return rows_[s.index]; }
  std::size_t size() const { return rows_.size(); }
  /// A new row at the end, and its slot.
  SlotType add() {
    rows_.emplace_back();
    return SlotType(static_cast<std::uint32_t>(rows_.size() - 1));
  }
  auto begin() const { return rows_.begin(); }
  auto end() const { return rows_.end(); }

 private:
  std::vector<T> rows_;
};

/// Ordering key of a waiting task inside a queue (smaller = offered first): by priority (higher
/// first), then age (older first), then creation order under a FIFO task order; newest first,
/// priority ignored, under LIFO.
struct WaitKey {
  std::int64_t priority = 0;  ///< -priority (FIFO), 0 (LIFO)
  std::int64_t created = 0;   ///< the task's creation time (FIFO), negated (LIFO)
  std::int64_t sequence = 0;  ///< its serial (FIFO), negated (LIFO): ties of time
  TaskSlot slot;
  friend bool operator<(const WaitKey& x, const WaitKey& y) {
    if (x.priority != y.priority) return x.priority < y.priority;
    if (x.created != y.created) return x.created < y.created;
    if (x.sequence != y.sequence) return x.sequence < y.sequence;
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

/// A transfer in progress (transfers.cpp): made when a worker transfers its accepted task, gone
/// when the transfer completes or, having failed, the task has gone back to that worker.
struct TransferState {
  const TransferRule* rule = nullptr;
  /// Where offers go: `owned`, or (a requeue) the workflow target the task matches now.
  const WorkflowTarget* target = nullptr;
  WorkflowTarget owned;
  ReservationSlot from;           ///< the initiating reservation (warm: still accepted)
  ReservationId from_serial = 0;  ///< its serial (cold: the slot may be reused meanwhile)
  WorkerId from_worker = kNoId;   ///< its worker
  QueueId from_queue = kNoId;     ///< its queue
  QueueId entered = kNoId;        ///< the queue the transfer waits in (kNoId before)
  bool returning = false;         ///< a failed cold transfer, offered back to from_worker
  Timer timeout_timer;
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
  SimTime accepted_at = 0;  ///< when its reservation was accepted (assigned and later)

  // Position in the workflow.
  std::uint32_t filter = kNoId;  ///< filter index, kDefaultFilter, or kNoId before routing
  std::uint32_t step = 0;        ///< target index within the filter
  SimTime step_deadline = kNever;
  QueueId queue = kNoId;
  SimTime queue_entered = 0;  ///< when it entered `queue` (task-queue.entered)
  bool step_expired = false;  ///< the deadline passed while offers were pending
  bool ever_placed = false;   ///< has settled in a step at least once (for skip_if)
  /// Taken back by its worker after a failed cold transfer: that worker finishes it (no new draw).
  bool transfer_returned = false;

  std::uint32_t transitions = 0;        ///< pending -> reserved transitions
  std::uint32_t next_update = 0;        ///< index of its stream's next `updates[]` entry
  std::vector<ReservationSlot> offers;  ///< pending reservations
  ReservationSlot accepted;             ///< the accepted reservation

  WaitingSeat waiting;  ///< its place in a queue's waiting set: Matching's alone

  Timer abandon_timer, step_timer, work_timer, update_timer;
  // A transferred task has filter kTransferFilter and its step is the index of its TransferState
  // (EngineImpl::transfer_of): TaskState does not grow for transfers.
};

/// A transferring worker's reservation in its wrap-up while the task goes on: the
/// reservation.completed it ends with, built when the wrap-up starts (the task may have ended, and
/// its slot been reused, by then).
struct LegWrapup {
  ReservationSlot reservation;
  Event completed;
};

struct ReservationState {
  ReservationId serial = 0;
  ReservationStatus status = ReservationStatus::pending;
  TaskSlot task;
  WorkerId worker = kNoId;
  QueueId queue = kNoId;
  ChannelId channel = kNoId;
  bool will_accept = false;
  /// Pending: one of the two runs (a response, or the timeout). Once accepted, timeout_timer is
  /// free: a transferring worker's wrap-up (kLegWrapupEnd) runs on it.
  Timer timeout_timer, response_timer;
};

/// What `workers.<group>.changes[]` made of a worker's definition: made on its first change; until
/// then (and for every worker of a group without changes) the worker reads its definition.
struct WorkerOverrides {
  std::vector<int> configured;          ///< configured capacity per ChannelId
  std::vector<std::uint8_t> available;  ///< channel availability per ChannelId
  std::vector<int> effective;           ///< configured where available, else 0: what offers read
  /// Reservations held on a channel when its effective capacity was last lowered (they stay):
  /// the invariant checks allow them.
  std::vector<int> held_when_lowered;
  std::unique_ptr<Value> attributes;  ///< after an attribute change (null before one)
  std::vector<QueueId> queues;        ///< queue membership after an attribute change
  std::vector<QueueId> next_queues;   ///< the next membership, while the old one is left
};

struct WorkerState {
  ActivityId activity = kNoId;
  ActivityId activity_before_offer = kNoId;  ///< single-tasking: where to go after the task
  SimTime idle_since = 0;  ///< last finished, offered or became available: whichever is latest
  std::uint32_t reservations = 0;     ///< held: pending, accepted or wrapping
  std::vector<int> used;              ///< held reservations per ChannelId
  std::vector<ReservationSlot> held;  ///< those reservations, oldest first
  std::span<const QueueId> queues;    ///< queues whose target_workers it matches (RoutingFacts)
  Rng outcome_rng, response_rng, wrapup_rng, return_rng;
  Timer return_timer;
  ActivityId return_to = kNoId;  ///< where return_timer takes it (after a timeout or a reject)
  // Facts of the worker's definition that every offer and release reads, looked up once (the
  // definition does not change during a run) instead of through scenario_'s tables each time.
  const int* capacity = nullptr;       ///< Worker::capacity per ChannelId (or overrides->effective)
  const Behavior* behavior = nullptr;  ///< its group's behaviour
  double handle_time_factor = 1.0;     ///< its group's
  bool ranked = false;                 ///< some of its queues has an order_by index
  std::uint32_t schedule_cycle = 0;
  PoolSeat pools;  ///< its place in the idle pools and the fill queue: Matching's alone
  std::unique_ptr<WorkerOverrides> overrides;  ///< after its first `changes` entry
};

struct StreamState {
  Rng gap_rng, attribute_rng, handle_rng, patience_rng;
  Rng update_rng;  ///< whether a task gets an update whose probability is below 1
  /// TTL is a constant per stream and tasks arrive in time order, so TTL deadlines come in
  /// creation order: one timer per stream for the oldest task that may still be waiting, and a
  /// FIFO of (slot, serial) pruned from the front, instead of a heap timer per task that nearly
  /// always gets cancelled.
  std::deque<std::pair<TaskSlot, TaskId>> ttl_fifo;
  Timer ttl_timer;
  std::uint32_t next_trace_row = 0;
  /// Attribute objects per combination of picks (mixed-radix index), built on first use.
  std::vector<std::unique_ptr<Value>> combinations;
  std::vector<std::uint32_t> pick_radix;
  std::vector<std::unique_ptr<Value>> trace_attributes;  ///< per trace row (merged)
};

}  // namespace trsim::detail
