#pragma once
// The validated, immutable scenario: names resolved to dense ids, expressions compiled,
// distributions built. The engine runs on this and knows nothing of YAML.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/distribution.hpp"
#include "trsim/expression.hpp"
#include "trsim/time.hpp"
#include "trsim/value.hpp"

namespace trsim {

using ActivityId = std::uint32_t;
using ChannelId = std::uint32_t;
using QueueId = std::uint32_t;
using WorkflowId = std::uint32_t;
using BehaviorId = std::uint32_t;
using GroupId = std::uint32_t;
using WorkerId = std::uint32_t;
using StreamId = std::uint32_t;
inline constexpr std::uint32_t kNoId = UINT32_MAX;

/// Where something was written in the scenario (for diagnostics raised after loading).
struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

enum class TaskOrder : std::uint8_t { fifo, lifo };

struct Activity {
  std::string name;
  std::string sid;
  bool available = false;
};

struct Channel {
  std::string name;
};

struct WorkspaceSettings {
  ActivityId default_activity = kNoId;
  ActivityId timeout_activity = kNoId;
  bool multi_task = true;
  TaskOrder prioritize_queue_order = TaskOrder::fifo;
};

/// The most workers a task queue may offer one task to at once (TaskRouter's 1-50 range of
/// MaxReservedWorkers): the loader checks `max_reserved_workers` against it, the router sizes its
/// choice by it.
inline constexpr int kMaxReservedWorkers = 50;

/// TaskRouter cancels a task after this many pending -> reserved transitions ("Task reached the
/// limit of 1000 reservations").
inline constexpr std::uint32_t kMaxTaskTransitions = 1000;

struct TaskQueue {
  std::string name;
  std::string sid;
  Expression target_workers;
  TaskOrder task_order = TaskOrder::fifo;
  int max_reserved_workers = 1;
  ActivityId reservation_activity = kNoId;  ///< single-tasking only; kNoId = unchanged
  ActivityId assignment_activity = kNoId;   ///< single-tasking only; kNoId = unchanged
  SourceLocation where;
};

/// `worker.<attribute> ASC|DESC` of an order_by.
struct OrderByClause {
  std::string attribute;  ///< dotted path inside the worker attributes
  bool descending = false;
};

/// One step of a filter (a TaskRouter workflow target).
struct WorkflowTarget {
  QueueId queue = kNoId;
  std::optional<Expression> expression;  ///< over task. and worker.
  std::optional<std::int64_t> priority;  ///< overrides the task's priority
  std::optional<SimTime> timeout;        ///< this step's own timeout (deadlines are cumulative)
  std::vector<OrderByClause> order_by;
  std::optional<Expression> skip_if;
  /// known_worker_sid / known_worker_friendly_name: the task attribute naming the worker.
  std::string known_worker_sid_attribute;
  std::string known_worker_name_attribute;
  /// Transfers only (the engine builds these targets): the worker a transfer goes to (kNoId: any
  /// worker of the queue) and the worker it may not go to (the one warm-transferring it).
  WorkerId transfer_worker = kNoId;
  WorkerId excluded_worker = kNoId;
  /// Whether transfer_worker or excluded_worker is set (one test keeps the common case fast).
  bool transfer_conditions = false;
  SourceLocation where;
};

struct WorkflowFilter {
  std::string name;
  Expression expression;
  std::vector<WorkflowTarget> targets;
  SourceLocation where;
};

struct Workflow {
  std::string name;
  std::string sid;
  SimTime task_reservation_timeout = 120 * kMicrosPerSecond;
  std::vector<WorkflowFilter> filters;
  WorkflowTarget default_target;  ///< queue only, no timeout
  bool reservation_timeout_advances_step = false;
  /// A task skipped out of the last step of its last matching filter, having settled in a step
  /// before, is canceled with workflow.skipped instead of going to default_filter.
  bool skip_out_cancels = false;
  SourceLocation where;
};

/// One entry of a behaviour's `transfer:` list (docs/scenario.md, Transfers).
struct TransferRule {
  enum class Mode : std::uint8_t { cold = 1, warm = 2 };
  enum class Kind : std::uint8_t { queue = 1, worker = 2, workflow = 3 };
  double probability = 0;
  Mode mode = Mode::cold;
  Kind kind = Kind::queue;
  QueueId queue = kNoId;    ///< to_queue; with to_worker, the queue the offer is made from
  WorkerId worker = kNoId;  ///< to_worker
  /// How long the transfer may wait to be accepted; unset: the workflow's
  /// task_reservation_timeout.
  std::optional<SimTime> timeout;
  /// The talk time of the next leg; unset: the task's own handle time again.
  std::optional<Distribution> handle_time;
  std::optional<std::int64_t> priority;  ///< the task's priority from the transfer on
  SourceLocation where;
};

struct Behavior {
  std::string name;
  double p_accept = 1.0;
  double p_reject = 0.0;
  double p_no_response = 0.0;
  Distribution response_time;                        ///< default for both outcomes
  std::optional<Distribution> accept_response_time;  ///< overrides for accepting agents
  std::optional<Distribution> reject_response_time;  ///< overrides for rejecting agents
  ActivityId reject_activity = kNoId;                ///< kNoId = stay where it is
  /// After a reject that moved the worker to reject_activity: if reject_return_after is set it
  /// moves to after_reject_activity after that delay, else it stays there (`after_reject:`).
  std::optional<Distribution> reject_return_after;
  ActivityId after_reject_activity = kNoId;
  /// After a reservation timeout the worker sits in the timeout activity; if return_after is set
  /// it moves to after_timeout_activity after that delay, else it stays there.
  std::optional<Distribution> return_after;
  ActivityId after_timeout_activity = kNoId;
  Distribution wrapup_time;
  /// Single-tasking only: activity after a task completes; kNoId = the one held before.
  ActivityId after_task_activity = kNoId;
  /// `transfer:` what the worker does with an accepted task when its talk time ends: one rule is
  /// drawn (by probability; with the rest of the probability none applies and wrap-up starts).
  std::vector<TransferRule> transfers;
};

struct ScheduleEntry {
  SimTime at = 0;
  ActivityId activity = kNoId;
  bool reject_pending_reservations = false;
};

/// A change of every worker of a group during the run (`workers.<group>.changes[]`): what a
/// supervisor or an integration does through the Worker and WorkerChannel resources mid-day.
struct WorkerChange {
  SimTime at = 0;
  std::vector<std::pair<ChannelId, int>> capacity;       ///< new configured capacities
  std::vector<std::pair<ChannelId, bool>> availability;  ///< channels made (un)available
  Value attributes;  ///< merged into the workers' attributes (an object, maybe empty)
};

struct WorkerGroup {
  std::string name;
  WorkerId first_worker = 0;
  std::uint32_t count = 0;
  BehaviorId behavior = kNoId;
  std::vector<ScheduleEntry> schedule;     ///< sorted by `at`
  std::optional<SimTime> schedule_period;  ///< the schedule repeats every period
  double handle_time_factor = 1.0;
  std::vector<WorkerChange> changes;  ///< in ascending order of `at`
};

struct Worker {
  std::string name;
  std::string sid;
  GroupId group = kNoId;
  Value attributes;  ///< an object
  ActivityId initial_activity = kNoId;
  std::vector<int> capacity;  ///< per ChannelId
  /// The worker's own activity changes, sorted by `at`, in place of its group's schedule (which
  /// then does not apply to it; no period). Not a scenario key: `trsim staff --per-interval` and
  /// `trsim roster` give workers of one group different log-in times this way.
  std::vector<ScheduleEntry> schedule;
};

/// A categorical attribute drawn per task: {pick: {sales: 0.3, support: 0.7}} at `path`.
struct AttributePick {
  std::string path;                               ///< dotted path in the task attributes
  std::vector<std::pair<Value, double>> options;  ///< value, probability (summing to 1)
};

/// Draws one option of a pick: exactly one uniform from `rng`, walked down the cumulative
/// probabilities (so every pick costs the same draws and common random numbers hold).
std::size_t draw_option(const AttributePick& pick, Rng& rng);

struct TraceRow {
  SimTime time = 0;
  Value attributes;  ///< an object: overrides of the stream's attributes
  std::optional<SimTime> handle_time;
  std::optional<SimTime> patience;
  std::optional<std::int64_t> priority;
  ChannelId channel = kNoId;  ///< kNoId = the stream's channel
  int line = 0;               ///< the row's line in the trace file (for lints)
};

/// A change of a waiting task at a given age (`arrivals.<stream>.updates[]`): what a callback
/// request, an escalation flag or a bot hand-off does to a task in TaskRouter (an update of its
/// attributes or priority, which re-evaluates it against its workflow).
struct TaskUpdate {
  SimTime after = 0;         ///< the task's age when the update comes
  double probability = 1.0;  ///< the share of tasks that get it (drawn per task)
  Value attributes;          ///< merged into the task's attributes (an object, maybe empty)
  std::optional<std::int64_t> priority;  ///< the task's new priority
  /// `patience: never`: the caller stops abandoning (a callback request: the customer hangs up
  /// and keeps their place, so the task waits until a worker takes it or its TTL ends).
  bool ends_patience = false;
};

struct ArrivalStream {
  enum class Kind : std::uint8_t { poisson, piecewise, trace };
  std::string name;
  WorkflowId workflow = kNoId;
  ChannelId channel = kNoId;
  Value attributes;  ///< fixed attributes (an object)
  std::vector<AttributePick> picks;
  Kind kind = Kind::poisson;
  double rate_per_second = 0;            ///< poisson
  SimTime rate_interval = 0;             ///< piecewise: interval length
  std::vector<double> rates_per_second;  ///< piecewise: one per interval, repeating
  std::vector<TraceRow> trace;           ///< trace, sorted by time
  Distribution handle_time;
  std::optional<Distribution> patience;  ///< caller abandonment; none = never abandons
  std::int64_t priority = 0;
  SimTime ttl = 86400 * kMicrosPerSecond;
  std::vector<TaskUpdate> updates;  ///< in ascending order of `after`
  SourceLocation where;             ///< the stream's key (for lints)
  SourceLocation attributes_where;  ///< its `attributes` key, when given
  std::string trace_file;           ///< the trace as named in diagnostics
};

struct StatisticsSettings {
  std::vector<double> service_level_thresholds{0, 20, 60};  ///< seconds
  SimTime interval = 30 * 60 * kMicrosPerSecond;
  /// Keep each worker's cumulative statistics (statistics.worker_statistics.<worker>): off by
  /// default, since 10,000 workers would weigh on every summary.
  bool per_worker = false;
  /// Keep each live task's state for the interval table's real-time snapshots (tasks_by_status,
  /// ...) and handle times: off by default, it costs about 9% of an M/M/100 task.
  bool snapshots = false;
};

struct Expectation {
  std::string metric;  ///< dotted path in the statistics, e.g. workspace.service_level.20
  std::optional<double> min;
  std::optional<double> max;
  bool require_ci = false;  ///< the whole ci95 must lie on the right side
  SourceLocation where;
  /// The start of the one interval of `statistics.interval` the line bounds (its interval column,
  /// docs/scenario.md#expect); empty: the whole run.
  std::optional<SimTime> interval;
};

/// A break inside a shift (`shifts.<name>.breaks[]`): it starts between `earliest` and `latest`
/// after the shift's start, on the shift's start step.
struct ShiftBreak {
  SimTime length = 0;
  bool paid = false;
  SimTime earliest = 0;
  SimTime latest = 0;
  ActivityId activity = kNoId;  ///< kNoId = the activity workers log out to
};

/// A shift template of `trsim roster` (`shifts.<name>`): shifts of `length` starting every `step`
/// between `earliest_start` and `latest_start` (from the start of each of `days`), with breaks.
struct ShiftTemplate {
  std::string name;
  GroupId group = kNoId;
  SimTime earliest_start = 0;
  SimTime latest_start = 0;
  SimTime step = 0;  ///< 0 = statistics.interval
  SimTime length = 0;
  std::vector<std::int64_t> days;  ///< 0-based days from time 0; empty = every day of the horizon
  double cost = 1;                 ///< per paid hour
  std::vector<ShiftBreak> breaks;
  SourceLocation where;
};

/// One swept parameter of a sweep: a scalar's dotted path (as `--set` takes it) and the values it
/// takes, each as written (a YAML scalar, applied as the override PATH=VALUE).
struct SweepParameter {
  std::string path;
  std::vector<std::string> values;
  SourceLocation where;  ///< the path's key in the `sweep:` block (unset for --set lists)
};

/// A rule on a difference between two runs (`trsim compare`): `METRIC < THRESHOLD` fails when the
/// change's value minus the base's is below THRESHOLD, `METRIC > THRESHOLD` when it is above.
struct CompareRule {
  std::string metric;
  bool below = true;  ///< `<` (true) or `>`
  double threshold = 0;
  std::string text;  ///< as written, e.g. "workspace.service_level.20 < -0.02"
  SourceLocation where;
};

/// Parses "METRIC < NUMBER" or "METRIC > NUMBER" (spaces optional around the operator). Nullopt
/// with the reason in `error` when malformed.
std::optional<CompareRule> parse_compare_rule(std::string_view text, std::string* error);

/// The `compare:` block: what `trsim compare` reports and judges when this scenario is the base.
struct CompareSettings {
  std::vector<CompareRule> fail_if;
  std::vector<std::string> metrics;           ///< reported besides the headline metrics
  std::vector<SourceLocation> metrics_where;  ///< where each of `metrics` is written
  std::optional<bool> judge_on_mean;          ///< `judge: mean` (true) or `judge: ci95` (false)
};

struct Scenario {
  std::string name;
  std::string source_file;
  std::uint64_t seed = 1;
  std::int64_t start_epoch_seconds = 0;  ///< wall clock of time 0 (UTC)
  SimTime horizon = 8 * 3600 * kMicrosPerSecond;
  SimTime warmup = 0;
  /// `warmup: auto`: the runner chooses `warmup` by MSER-5 on a pilot run (docs/statistics.md).
  bool warmup_auto = false;
  bool drain = true;
  std::uint32_t replications = 1;
  /// The most events one replication may process (LoadLimits::max_events, --max-events): the
  /// engine stops with EventBudgetExceeded beyond it rather than running on.
  std::uint64_t max_events = 1'000'000'000;
  StatisticsSettings statistics;
  WorkspaceSettings workspace;
  std::vector<Activity> activities;
  std::vector<Channel> channels;
  std::vector<TaskQueue> task_queues;
  std::vector<Workflow> workflows;
  std::vector<Behavior> behaviors;
  std::vector<WorkerGroup> worker_groups;
  std::vector<Worker> workers;
  std::vector<ArrivalStream> arrivals;
  std::vector<Expectation> expectations;
  /// The `sweep:` block, in file order: the grid `trsim sweep` runs when given no swept --set.
  /// Other verbs ignore it.
  std::vector<SweepParameter> sweep;
  /// The `shifts:` block: the shift templates `trsim roster` chooses from. Other verbs ignore it.
  std::vector<ShiftTemplate> shifts;
  /// The `compare:` block (rules on differences); other verbs ignore it.
  CompareSettings compare;

  // Look-ups by name: the _or_none forms return kNoId when absent.
  ActivityId activity_by_name_or_none(std::string_view name) const;
  /// Whether some worker's behaviour has transfer rules (a behaviour no worker has does not
  /// count): the engine then draws transfers, and the statistics have the transfer counts.
  bool has_transfers() const;
  ChannelId channel_by_name_or_none(std::string_view name) const;
  QueueId queue_by_name_or_none(std::string_view name) const;
  WorkflowId workflow_by_name_or_none(std::string_view name) const;
};

/// TaskRouter-style sid: the two-letter prefix and 32 hex digits derived from `key`.
std::string make_sid(std::string_view prefix, std::string_view key);

}  // namespace trsim
