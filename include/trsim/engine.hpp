#pragma once
// One replication of a scenario: the event loop, TaskRouter's state machines and the router.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/scenario.hpp"
#include "trsim/sink.hpp"
#include "trsim/statistics.hpp"

namespace trsim {

/// One scope of the interval table: the workspace, a task queue or a worker group.
struct IntervalScope {
  enum class Kind : std::uint8_t { workspace, queue, group };
  Kind kind = Kind::workspace;
  std::string name;  ///< the queue's or group's name; "workspace" for the workspace
  /// "workspace", "queue:<name>" or "group:<name>" (the CSV's `scope` column).
  std::string label() const {
    return kind == Kind::workspace ? std::string("workspace")
                                   : (kind == Kind::queue ? "queue:" : "group:") + name;
  }
};

/// The interval statistics of a replication (statistics.interval, docs/statistics.md): for each
/// interval [k*length, min((k+1)*length, horizon)) and each scope, one number per column (NaN =
/// null: no data, or the column does not apply to the scope). Counts are by the interval in which
/// the event happened; what happens after the horizon (the drain) counts in the last interval.
struct IntervalTable {
  SimTime length = 0;     ///< statistics.interval
  SimTime horizon = 0;    ///< the last interval ends here (it may be shorter than `length`)
  std::size_t count = 0;  ///< number of intervals: ceil(horizon / length)
  std::vector<IntervalScope> scopes;  ///< workspace, then the task queues, then the worker groups
  std::vector<std::string> columns;   ///< "offered", "service_level.20", "workers.Available", ...
  std::vector<std::uint8_t>
      defined;                 ///< [scope * columns + column]: 0 = does not apply (always NaN)
  std::vector<double> values;  ///< [(interval * scopes + scope) * columns + column]

  SimTime start(std::size_t k) const { return static_cast<SimTime>(k) * length; }
  SimTime end(std::size_t k) const { return std::min(start(k) + length, horizon); }
  std::size_t cell(std::size_t k, std::size_t scope, std::size_t column) const {
    return (k * scopes.size() + scope) * columns.size() + column;
  }
  double at(std::size_t k, std::size_t scope, std::size_t column) const {
    return values[cell(k, scope, column)];
  }
  bool applies(std::size_t scope, std::size_t column) const {
    return defined[scope * columns.size() + column] != 0;
  }
  /// Index of a column or a scope (by label), or SIZE_MAX when absent.
  std::size_t column_index(std::string_view name) const {
    const auto it = std::find(columns.begin(), columns.end(), name);
    return it == columns.end() ? SIZE_MAX : static_cast<std::size_t>(it - columns.begin());
  }
  std::size_t scope_index(std::string_view label) const {
    for (std::size_t s = 0; s < scopes.size(); ++s)
      if (scopes[s].label() == label) return s;
    return SIZE_MAX;
  }
};

struct ReplicationResult {
  std::uint32_t replication = 0;
  std::uint64_t seed = 0;    ///< the replication's own seed (derived from the run seed)
  std::uint64_t events = 0;  ///< events processed
  SimTime end_time = 0;      ///< simulated time of the last event
  MetricNode statistics;     ///< plain numbers, this replication only
  IntervalTable intervals;   ///< this replication's interval statistics
};

/// A broken engine invariant (EngineOptions::check_invariants, and an event scheduled in the past,
/// which is always checked): a bug in trsim, never a problem of the input.
struct InvariantViolation : std::logic_error {
  using std::logic_error::logic_error;
};

/// A replication processed more events than Scenario::max_events (--max-events).
struct EventBudgetExceeded : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct EngineOptions {
  std::uint64_t seed = 1;  ///< the run seed (the replication seed is derived from it)
  std::uint32_t replication = 0;
  /// Verify the engine's invariants after every event and the conservation laws at the end
  /// (slow); a broken one throws InvariantViolation. On in tests.
  bool check_invariants = false;
};

namespace detail {
class EngineImpl;
}

/// The routing facts of a scenario (queue membership per worker, order_by rankings, worker look-ups
/// by name and sid, queue facts): what every replication of the scenario reads and none changes.
/// Opaque here (sim/engine/routing_facts.hpp); build them once and give them to every Engine of the
/// scenario, on any number of threads, instead of having each engine build its own.
struct RoutingFacts;
/// The routing facts of `scenario`, which must outlive them.
std::shared_ptr<const RoutingFacts> build_routing_facts(const Scenario& scenario);

class Engine {
 public:
  /// `sink` may be null; the engine never owns it. `scenario` must outlive the engine. Builds the
  /// scenario's routing facts itself: for many replications, build them once and use the other
  /// constructor.
  Engine(const Scenario& scenario, EngineOptions options, EventSink* sink = nullptr);
  /// With `facts` = build_routing_facts(scenario), shared with the scenario's other engines (an
  /// std::invalid_argument if they were built for another scenario).
  Engine(const Scenario& scenario, std::shared_ptr<const RoutingFacts> facts, EngineOptions options,
         EventSink* sink = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Runs to the end (horizon, then drain) and returns the replication's statistics.
  ReplicationResult run();

 private:
  std::unique_ptr<detail::EngineImpl> impl_;
};

}  // namespace trsim
