#pragma once
// The engine's runtime state and the declaration of its parts. The definitions are split by job:
//   engine.cpp     the event loop, arrivals, schedules, run end and results
//   lifecycle.cpp  TaskRouter's state machines: every task, reservation and worker transition
//   router.cpp     the Workflow (filters, steps, timeouts, skip_if) and the matching of tasks to
//                  workers (per-queue pools of idle workers, per-queue waiting tasks)
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/event_queue.hpp"
#include "engine/idle_pool.hpp"
#include "engine/invariants.hpp"
#include "engine/ranked_pool.hpp"
#include "stats/interval_collector.hpp"
#include "stats/statistics_collector.hpp"
#include "trsim/engine.hpp"
#include "trsim/event.hpp"
#include "trsim/random.hpp"
#include "trsim/scenario.hpp"

namespace trsim::detail {

/// Event classes. The numeric value is the rank that orders coincident events (lower first):
/// work that frees capacity comes before work that takes it ("releases before seizes"), a
/// reservation's timeout before a response at the same instant (a response at the deadline is
/// too late), a worker's accept before the caller's abandonment at the same instant, and arrivals
/// last, so that a task arriving at t sees every worker freed at t.
enum EventKind : std::uint8_t {
  kHandleEnd = 0,           ///< the conversation ends; wrap-up starts
  kWrapupEnd = 1,           ///< wrap-up ends; the task completes and capacity frees
  kReservationTimeout = 2,  ///< task_reservation_timeout elapsed on a pending reservation
  kWorkerResponse = 3,      ///< the worker accepts or rejects a pending reservation
  kTaskTtl = 4,             ///< the oldest waiting task of a stream reached its TTL
  kTaskAbandon = 5,         ///< the caller's patience ran out while waiting
  kStepTimeout = 6,         ///< the current workflow step's (cumulative) deadline passed
  kTaskUpdate = 7,          ///< a waiting task's attributes or priority change (updates[])
  kWorkerSchedule = 8,      ///< a scheduled activity change
  kWorkerReturn = 9,        ///< a worker parked in the timeout activity comes back
  kTaskArrival = 10,        ///< the next task of an arrival stream
};

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
  std::uint32_t next_update = 0;      ///< index of its stream's next `updates[]` entry
  std::vector<std::uint32_t> offers;  ///< pending reservations (slots)
  std::uint32_t accepted = kNoId;     ///< the accepted reservation (slot)

  // Membership in a queue's waiting set (kNoId = not waiting for an offer).
  std::uint32_t waiting_index = kNoId;              ///< index into EngineImpl::waiting_
  std::set<WaitKey>::const_iterator waiting_entry;  ///< its entry there (erased without a search)

  Timer abandon_timer, step_timer, work_timer, update_timer;
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
  std::vector<QueueId> queues;      ///< queues whose target_workers it matches
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
  // Pool membership: the key it was inserted with, per active channel.
  SimTime pooled_idle_since = 0;
  bool queued_for_fill = false;
};

struct StreamState {
  Rng gap_rng, attribute_rng, handle_rng, patience_rng;
  Rng update_rng;  ///< whether a task gets an update whose probability is below 1
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

/// What the engine holds in memory, for tests that check it follows what is alive (workers,
/// waiting tasks, pending timers) and not the horizon.
struct EngineFootprint {
  std::size_t alive_tasks = 0;        ///< created, not yet completed or canceled
  std::size_t task_slots = 0;         ///< size of the task table (slots are recycled)
  std::size_t reservation_slots = 0;  ///< size of the reservation table (recycled)
  std::size_t heap_entries = 0;       ///< event list entries, live and not yet swept stale ones
  std::size_t ttl_entries = 0;        ///< entries of the streams' TTL FIFOs
};

class EngineImpl {
 public:
  /// Test-only access to the engine's state, to break an invariant on purpose and see it reported
  /// (defined by the tests, tests/unit/test_invariants.cpp; nothing in trsim defines it).
  friend struct EngineTestAccess;
  EngineImpl(const Scenario& scenario, EngineOptions options, EventSink* sink);
  ReplicationResult run();
  /// Test-only: the sizes of the engine's tables (after run()).
  EngineFootprint footprint() const;

 private:
  // ---- engine.cpp: loop, arrivals, schedules ----------------------------------------------
  void initialise();
  void dispatch(const ScheduledEvent& e);
  void schedule_next_arrival(StreamId s, SimTime after);
  void on_arrival(StreamId s, std::uint32_t row);
  void schedule_worker_entry(WorkerId w, std::uint32_t entry);
  void on_schedule(WorkerId w, std::uint32_t entry);
  void on_ttl(StreamId s);
  void arm_ttl(StreamId s);
  void compact_ttl(StreamId s);
  bool is_waiting(std::uint32_t slot, TaskId serial) const;
  const Value* task_attributes(StreamId s, std::uint32_t row, std::unique_ptr<Value>& owned);
  // invariants.cpp: the checks after every event (with check_invariants), and the two guards the
  // loop always applies (they throw).
  void check_invariants() const;
  [[noreturn]] void event_in_the_past(const ScheduledEvent& e) const;
  [[noreturn]] void event_budget_exceeded() const;

  // ---- lifecycle.cpp: state machines ----------------------------------------------------------
  std::uint32_t create_task(StreamId s, std::uint32_t row);
  void create_reservation(std::uint32_t t, WorkerId w);
  void on_reservation_timeout(std::uint32_t r);
  void on_worker_response(std::uint32_t r);
  void accept(std::uint32_t r);
  void reject(std::uint32_t r);
  void end_offer(std::uint32_t r, ReservationStatus outcome);
  void after_offer_ended(std::uint32_t t, bool timed_out);
  void on_task_update(std::uint32_t t);
  void arm_next_update(std::uint32_t t);
  void on_handle_end(std::uint32_t t);
  void on_wrapup_end(std::uint32_t t);
  void cancel_task(std::uint32_t t, CancelReason reason);
  void finish_task(std::uint32_t t);
  void set_activity(WorkerId w, ActivityId a);
  void on_worker_return(WorkerId w);
  void release_capacity(WorkerId w, std::uint32_t r);
  void free_reservation(std::uint32_t r);

  // ---- router.cpp: workflow and matching ---------------------------------------------------
  void initialise_routing_indexes();
  std::uint32_t ranking_for(const std::vector<OrderByClause>& clauses);
  void enter_workflow(std::uint32_t t);
  void reevaluate(std::uint32_t t);
  std::uint32_t next_matching_filter(const TaskState& task, std::uint32_t first);
  bool next_step(const TaskState& task, std::uint32_t& filter, std::uint32_t& step);
  void place(std::uint32_t t, std::uint32_t filter, std::uint32_t step, SimTime base);
  void advance_step(std::uint32_t t, bool deadline_passed);
  void on_step_timeout(std::uint32_t t);
  const WorkflowTarget& current_target(const TaskState& task) const;
  std::size_t route_task(std::uint32_t t);
  std::size_t make_offers(std::uint32_t t);
  void fill_worker(WorkerId w);
  void queue_fill(WorkerId w);
  void drain_fills();
  bool worker_takes(const TaskState& task, WorkerId w);
  bool target_accepts(const TaskState& task, const WorkflowTarget& target, WorkerId w);
  bool has_free_capacity(WorkerId w, ChannelId c) const;
  bool is_available(WorkerId w) const;
  void refresh_pools(WorkerId w);
  void refresh_ranked_pools(WorkerId w, std::uint32_t ac, bool enter);
  void refresh_waiting(std::uint32_t t);
  void leave_waiting(std::uint32_t t);
  WorkerCounts queue_counts(QueueId q);
  WorkerFacts worker_facts(WorkerId w);

  // ---- shared helpers --------------------------------------------------------------------------
  // Inline: an event is built on every transition, mostly to be read by the collectors at once.
  Event task_event(EventType type, const TaskState& task) const {
    Event e;
    e.time = now_;
    e.type = type;
    e.task = task.serial;
    e.workflow = task.workflow;
    e.channel = task.channel;
    e.priority = task.priority;
    e.task_created_at = task.created;
    e.task_queue_entered_at = task.queue_entered;
    e.queue = task.queue;
    return e;
  }
  Event reservation_event(EventType type, std::uint32_t r) const {
    const ReservationState& rs = reservations_[r];
    Event e = task_event(type, tasks_[rs.task]);
    e.reservation = rs.serial;
    e.worker = rs.worker;
    e.queue = rs.queue;
    return e;
  }
  /// Whether events of this type have a consumer: the sink (event log, invariant checker) reads
  /// every event, the collectors only some. Without a sink, an event nobody reads is not built.
  bool consumed(EventType type) const {
    return sink_ != nullptr || StatisticsCollector::reads(type) || IntervalCollector::reads(type);
  }
  /// Gives the event to the sink, then to the collectors (see engine.cpp).
  void emit(const Event& e) {
    if (consumed(e.type)) deliver(e);
  }
  void deliver(const Event& e);
  std::uint32_t allocate_task();
  std::uint32_t allocate_reservation();
  const Workflow& workflow_of(const TaskState& task) const {
    return scenario_.workflows[task.workflow];
  }
  const TaskQueue& queue_def(QueueId q) const { return scenario_.task_queues[q]; }
  std::int64_t wall_clock() const {
    return scenario_.start_epoch_seconds + now_ / kMicrosPerSecond;
  }

  const Scenario& scenario_;
  EngineOptions options_;
  std::unique_ptr<InvariantChecker> invariants_;  ///< with check_invariants: watches sink_'s events
  EventSink* sink_;
  StatisticsCollector collector_;
  IntervalCollector intervals_;
  EventQueue queue_;
  SimTime now_ = 0;
  std::uint64_t events_ = 0;
  bool single_tasking_ = false;

  std::vector<TaskState> tasks_;  ///< slots, recycled through free_tasks_
  std::vector<std::uint32_t> free_tasks_;
  std::uint32_t next_task_serial_ = 0;
  std::uint32_t alive_tasks_ = 0;  ///< tasks not yet completed or canceled
  std::vector<ReservationState> reservations_;
  std::vector<std::uint32_t> free_reservations_;
  std::uint32_t next_reservation_serial_ = 0;

  std::vector<WorkerState> workers_;
  std::vector<StreamState> streams_;

  // Matching indexes, per (queue, active channel): idle workers with room for that channel, and
  // tasks waiting for an offer on that channel.
  std::vector<ChannelId> active_channels_;   ///< channels some task can arrive on
  std::vector<std::uint32_t> active_index_;  ///< ChannelId -> index in active_channels_
  std::vector<IdlePool> pools_;              ///< [queue * active + index]
  std::vector<std::uint8_t> pooled_;         ///< [worker * active + index]
  std::vector<std::vector<std::uint32_t>> pool_generations_;  ///< [index][worker]
  std::vector<std::set<WaitKey>> waiting_;                    ///< [queue * active + index]
  std::size_t waiting_count_ = 0;                             ///< entries in all of waiting_
  std::vector<std::int32_t> queue_activity_counts_;           ///< [queue * activities + activity]
  /// Activity::available per ActivityId, flat: read on every pool refresh and fill, where the
  /// path through scenario_'s tables costs more loads than the answer.
  std::vector<std::uint8_t> activity_available_ = available_flags(scenario_);
  static std::vector<std::uint8_t> available_flags(const Scenario& sc) {
    std::vector<std::uint8_t> flags;
    for (const auto& a : sc.activities) flags.push_back(a.available ? 1 : 0);
    return flags;
  }
  /// The queue settings that every offer, fill and re-filing reads, per QueueId, flat (a
  /// TaskQueue is large; its few hot fields are a cache line apart from the next queue's).
  struct QueueFacts {
    int max_reserved_workers = 1;
    bool fifo = true;  ///< task_order
    ActivityId reservation_activity = kNoId;
    ActivityId assignment_activity = kNoId;
  };
  std::vector<QueueFacts> queue_facts_ = make_queue_facts(scenario_);
  static std::vector<QueueFacts> make_queue_facts(const Scenario& sc) {
    std::vector<QueueFacts> facts;
    for (const TaskQueue& q : sc.task_queues)
      facts.push_back({q.max_reserved_workers, q.task_order == TaskOrder::fifo,
                       q.reservation_activity, q.assignment_activity});
    return facts;
  }

  /// Idle workers ranked for an order_by target: one index per (queue, order_by clauses), with
  /// a pool per active channel, kept in step with pools_ by refresh_pools().
  struct Ranking {
    const std::vector<OrderByClause>* clauses = nullptr;
    std::vector<std::uint32_t> rank;  ///< [worker]: rank class (0 = offered first)
  };
  std::vector<Ranking> rankings_;  ///< one per distinct order_by
  struct OrderIndex {
    QueueId queue = kNoId;
    const std::vector<OrderByClause>* clauses = nullptr;
    std::uint32_t ranking = 0;          ///< index in rankings_
    std::vector<RankedIdlePool> pools;  ///< [active channel index]
  };
  std::vector<OrderIndex> order_indexes_;
  std::vector<std::vector<std::uint32_t>> queue_order_indexes_;  ///< [queue]: its order indexes
  std::unordered_map<const WorkflowTarget*, std::uint32_t> target_order_index_;

  /// Filter matches per shared attribute object, for workflows whose filters cannot change their
  /// answer over time (none reads taskrouter.*): [workflow] -> attributes -> match per filter.
  /// Only attribute objects that live for the whole run (not a task's owned_attributes) are keys.
  std::vector<std::uint8_t> filters_cacheable_;  ///< [workflow]
  std::vector<std::unordered_map<const Value*, std::vector<std::uint8_t>>> filter_matches_;

  std::map<std::string, WorkerId, std::less<>> worker_by_name_;  ///< known_worker_* look-ups
  std::map<std::string, WorkerId, std::less<>> worker_by_sid_;
  std::vector<WorkerId> fill_queue_;
  std::vector<std::size_t> pick_buffer_;  ///< task_attributes(): the options drawn  ///< workers
                                          ///< whose capacity freed during this event
  std::vector<std::pair<std::string_view, int>> count_buffer_;
  std::vector<ChannelFacts> channel_facts_buffer_;
};

}  // namespace trsim::detail
