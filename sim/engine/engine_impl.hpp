#pragma once
// The engine's runtime state and the declaration of its parts. The definitions are split by job,
// and each file calls only what its job needs:
//   engine.cpp        the event loop and its handlers: arrivals, schedules, TTL, the responses and
//                     timeouts of offers (a lifecycle transition, then the workflow's reaction),
//                     the run's end and its results
//   lifecycle.cpp     TaskRouter's state machines: every task, reservation and worker transition.
//                     It only moves entities, emits their events and keeps the capacity books; it
//                     tells matching_ what changed and never decides where a task goes
//   router.cpp        the Workflow (filters, steps, timeouts, skip_if) and the offers: which
//                     worker gets which task, asked of matching_
//   transfers.cpp     transfers and requeues of accepted tasks (a behaviour's `transfer` rules):
//                     the transfer's own transitions and events, routed through router.cpp
//   matching.hpp/cpp  Matching: the indexes of who could take what (idle pools, waiting sets,
//                     activity counts, the fill queue), with their invariants
//   routing_facts.*   RoutingFacts: the per-scenario facts routing reads (queue membership,
//                     rankings, name and sid look-ups, queue facts), built once, shared, read-only
//   state.hpp         the entities: tasks, reservations, workers, arrival streams
//   invariants.cpp    the checks of the engine's state after every event
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/event_queue.hpp"
#include "engine/invariants.hpp"
#include "engine/matching.hpp"
#include "engine/routing_facts.hpp"
#include "engine/state.hpp"
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
  kHandleEnd = 0,           ///< the conversation ends; wrap-up (or a transfer) starts
  kWrapupEnd = 1,           ///< wrap-up ends; the task completes and capacity frees
  kLegWrapupEnd = 2,        ///< a transferring worker's wrap-up ends; its capacity frees
  kReservationTimeout = 3,  ///< task_reservation_timeout elapsed on a pending reservation
  kTransferTimeout = 4,     ///< a transfer's timeout elapsed unaccepted (an accept then is late)
  kWorkerResponse = 5,      ///< the worker accepts or rejects a pending reservation
  kTaskTtl = 6,             ///< the oldest waiting task of a stream reached its TTL
  kTaskAbandon = 7,         ///< the caller's patience ran out while waiting
  kStepTimeout = 8,         ///< the current workflow step's (cumulative) deadline passed
  kTaskUpdate = 9,          ///< a waiting task's attributes or priority change (updates[])
  kWorkerSchedule = 10,     ///< a scheduled activity change
  kWorkerChange = 11,       ///< a group's capacity, channels or attributes change (changes[])
  kWorkerReturn = 12,       ///< a worker parked in the timeout activity comes back
  kTaskArrival = 13,        ///< the next task of an arrival stream
};

/// An offer that ended unaccepted, kept by value (its slot is free, and may be reused, once it has
/// ended): what a transfer's task.transfer-attempt-failed names.
struct EndedOffer {
  ReservationId serial = kNoId;
  WorkerId worker = kNoId;
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
  /// With the scenario's routing facts (build_routing_facts(scenario)), shared with other engines.
  EngineImpl(const Scenario& scenario, std::shared_ptr<const RoutingFacts> facts,
             EngineOptions options, EventSink* sink);
  /// Not copied or moved: the interval collector holds membership_, which refers to the engine.
  EngineImpl(const EngineImpl&) = delete;
  EngineImpl& operator=(const EngineImpl&) = delete;
  ReplicationResult run();
  /// Test-only: the sizes of the engine's tables (after run()).
  EngineFootprint footprint() const;

 private:
  // ---- engine.cpp: loop, arrivals, schedules ----------------------------------------------
  static std::shared_ptr<const RoutingFacts> checked(const Scenario& scenario,
                                                     std::shared_ptr<const RoutingFacts> facts);
  void initialise();
  void dispatch(const ScheduledEvent& e);
  void schedule_next_arrival(StreamId s, SimTime after);
  void on_arrival(StreamId s, std::uint32_t row);
  void schedule_worker_entry(WorkerId w, std::uint32_t entry);
  void on_schedule(WorkerId w, std::uint32_t entry);
  void schedule_worker_change(GroupId g, std::uint32_t entry);
  void on_worker_change(GroupId g, std::uint32_t entry);
  void on_ttl(StreamId s);
  void on_worker_response(ReservationSlot r);
  void on_reservation_timeout(ReservationSlot r);
  void arm_ttl(StreamId s);
  void compact_ttl(StreamId s);
  bool is_waiting(TaskSlot slot, TaskId serial) const;
  const Value* task_attributes(StreamId s, std::uint32_t row, std::unique_ptr<Value>& owned);
  // invariants.cpp: the checks after every event (with check_invariants), and the two guards the
  // loop always applies (they throw).
  void check_invariants() const;
  [[noreturn]] void event_in_the_past(const ScheduledEvent& e) const;
  [[noreturn]] void event_budget_exceeded() const;

  // ---- lifecycle.cpp: state machines ----------------------------------------------------------
  TaskSlot create_task(StreamId s, std::uint32_t row);
  void create_reservation(TaskSlot t, WorkerId w);
  void accept(ReservationSlot r);
  [[gnu::noinline]] void accept_transfer(ReservationSlot r);
  template <bool transfer>
  void accept_as(ReservationSlot r);
  void reject(ReservationSlot r);
  void time_out(ReservationSlot r);
  void end_offer(ReservationSlot r, ReservationStatus outcome);
  void unreserve(TaskSlot t);
  void update_task(TaskSlot t, const TaskUpdate& update);
  void arm_next_update(TaskSlot t);
  void on_handle_end(TaskSlot t);
  void on_wrapup_end(TaskSlot t);
  void end_wrapup(WorkerId w, ReservationSlot r);
  void cancel_task(TaskSlot t, CancelReason reason);
  void finish_task(TaskSlot t);
  void set_activity(WorkerId w, ActivityId a);
  bool change_worker(WorkerId w, const WorkerChange& change);
  void on_worker_return(WorkerId w);
  void release_capacity(WorkerId w, ReservationSlot r);
  void free_reservation(ReservationSlot r);

  // ---- transfers.cpp: transfers and requeues of accepted tasks ---------------------------
  bool draw_transfer(TaskSlot t);
  void start_transfer(TaskSlot t, const TransferRule& rule);
  void enter_transfer_queue(TaskSlot t, QueueId q);
  void complete_transfer(TaskSlot t, ReservationSlot r);
  void transfer_offer_ended(TaskSlot t, EndedOffer ended);
  void on_transfer_timeout(TaskSlot t);
  void fail_transfer(TaskSlot t, TransferFailure why);
  void begin_leg_wrapup(ReservationSlot r, TransferRule::Mode mode);
  void on_leg_wrapup_end(ReservationSlot r);
  void arm_transfer_timeout(TaskSlot t);
  bool queue_has_members(QueueId q) const;
  Event transfer_event(EventType type, const TaskState& task) const;
  TransferState& new_transfer(TaskState& task);
  void end_transfer(TaskState& task);
  static bool transferred(const TaskState& task) { return task.filter == kTransferFilter; }
  TransferState& transfer_of(const TaskState& task) const { return *transfer_states_[task.step]; }

  // ---- router.cpp: workflow and offers -----------------------------------------------------
  void enter_workflow(TaskSlot t);
  void on_task_update(TaskSlot t);
  void reevaluate(TaskSlot t);
  std::uint32_t next_matching_filter(const TaskState& task, std::uint32_t first);
  bool next_step(const TaskState& task, std::uint32_t& filter, std::uint32_t& step);
  void place(TaskSlot t, std::uint32_t filter, std::uint32_t step, SimTime base);
  void advance_step(TaskSlot t, bool deadline_passed);
  void on_step_timeout(TaskSlot t);
  void after_offer_ended(TaskSlot t, bool timed_out, EndedOffer ended);
  [[gnu::noinline]] void offer_unaccepted(ReservationSlot r, bool timed_out);
  const WorkflowTarget& current_target(const TaskState& task) const;
  std::size_t route_task(TaskSlot t);
  std::size_t make_offers(TaskSlot t);
  void fill_worker(WorkerId w);
  bool worker_takes(const TaskState& task, WorkerId w);
  bool target_accepts(const TaskState& task, const WorkflowTarget& target, WorkerId w);
  WorkerId known_worker(const TaskState& task, const WorkflowTarget& target) const;
  WorkerCounts queue_counts(QueueId q);
  WorkerFacts worker_facts(WorkerId w);
  void reevaluate_membership(WorkerId w);
  const Value& worker_attributes(WorkerId w) const {
    const WorkerState& ws = workers_[w];
    return ws.overrides && ws.overrides->attributes ? *ws.overrides->attributes
                                                    : scenario_.workers[w].attributes;
  }

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
  Event reservation_event(EventType type, ReservationSlot r) const {
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
    return sink_ != nullptr || StatisticsCollector::reads(type) || IntervalCollector::reads(type) ||
           (IntervalCollector::reads_when_tracking(type) && intervals_.tracks_tasks());
  }
  /// Gives the event to the sink, then to the collectors (see engine.cpp).
  void emit(const Event& e) {
    if (consumed(e.type)) deliver(e);
  }
  void deliver(const Event& e);
  TaskSlot allocate_task();
  ReservationSlot allocate_reservation();
  const Workflow& workflow_of(const TaskState& task) const {
    return scenario_.workflows[task.workflow];
  }
  const TaskQueue& queue_def(QueueId q) const { return scenario_.task_queues[q]; }
  std::int64_t wall_clock() const {
    return scenario_.start_epoch_seconds + now_ / kMicrosPerSecond;
  }

  const Scenario& scenario_;
  const std::shared_ptr<const RoutingFacts> facts_;  ///< shared with the scenario's other engines
  EngineOptions options_;
  std::unique_ptr<InvariantChecker> invariants_;  ///< with check_invariants: watches sink_'s events
  EventSink* sink_;
  StatisticsCollector collector_;
  IntervalCollector intervals_;
  /// What the interval snapshots read each worker's queues from: its current membership.
  struct Membership final : QueueMembership {
    explicit Membership(const EngineImpl& e) : engine(e) {}
    std::span<const QueueId> queues_of(WorkerId w) const override {
      return w < engine.workers_.size() ? engine.workers_[w].queues : std::span<const QueueId>();
    }
    const EngineImpl& engine;
  } membership_{*this};
  EventQueue agenda_;  ///< the future event list (not a TaskQueue)
  SimTime now_ = 0;
  std::uint64_t events_ = 0;
  bool single_tasking_ = false;
  bool transfers_on_ = false;           ///< Scenario::has_transfers()
  std::vector<LegWrapup> leg_wrapups_;  ///< transferring workers in wrap-up (a handful)
  std::vector<Rng> transfer_rngs_;      ///< [worker] with transfers_on_: whether and where to
  /// The transfers in progress, by the index a transferred task keeps in its step (recycled).
  std::vector<std::unique_ptr<TransferState>> transfer_states_;
  std::vector<std::uint32_t> free_transfer_states_;

  SlotTable<TaskSlot, TaskState> tasks_;  ///< recycled through free_tasks_
  std::vector<TaskSlot> free_tasks_;
  TaskId next_task_serial_ = 0;
  std::uint32_t alive_tasks_ = 0;  ///< tasks not yet completed or canceled
  SlotTable<ReservationSlot, ReservationState> reservations_;  ///< recycled too
  std::vector<ReservationSlot> free_reservations_;
  ReservationId next_reservation_serial_ = 0;

  std::vector<WorkerState> workers_;
  std::vector<StreamState> streams_;

  /// Filter matches per shared attribute object, for workflows whose filters cannot change their
  /// answer over time (none reads taskrouter.*): [workflow] -> attributes -> match per filter.
  /// Only attribute objects that live for the whole run (not a task's owned_attributes) are keys.
  /// (RoutingFacts::filters_cacheable says which.)
  std::vector<std::unordered_map<const Value*, std::vector<std::uint8_t>>> filter_matches_;

  Matching matching_{*facts_, workers_, tasks_};
  std::vector<std::size_t> pick_buffer_;  ///< task_attributes(): the options drawn
  std::vector<std::pair<std::string_view, int>> count_buffer_;
  std::vector<ChannelFacts> channel_facts_buffer_;
};

}  // namespace trsim::detail
