#pragma once
// The engine's self-checks (EngineOptions::check_invariants: on in tests and with
// --check-invariants). Laws of the event stream are checked as events go by: time never goes
// back, a task is created once and ends once (completed or canceled), a reservation is created
// once and ends in exactly one outcome. At the end of a replication, the tasks and reservations
// still open must match the engine's own count, and the statistics must obey their conservation
// laws (created = completed + canceled + still open; reservations created = the sum of their
// outcomes + still open; per-group activity durations add up to the simulated worker time).
// The checks of the engine's state after each event (capacity held per worker, task and
// reservation statuses) are EngineImpl::check_invariants(), defined in invariants.cpp too, and
// the matching indexes' own (Matching::check(), matching.cpp).
//
// A broken law throws trsim::InvariantViolation (a bug in trsim, never bad input).
#include <cstdint>
#include <string>
#include <vector>

#include "trsim/engine.hpp"
#include "trsim/event.hpp"
#include "trsim/scenario.hpp"
#include "trsim/sink.hpp"
#include "trsim/statistics.hpp"

namespace trsim::detail {

/// Throws InvariantViolation("invariant: " + what).
[[noreturn]] void invariant_broken(const std::string& what);

/// Watches the event stream on its way to the user's sink (which may be null), so that it costs
/// nothing when the checks are off.
class InvariantChecker final : public EventSink {
 public:
  InvariantChecker(const Scenario& scenario, EventSink* next);
  void begin_replication(std::uint32_t replication) override;
  void on_event(const Event& event) override;
  void end_replication() override;

  /// End of the replication: `alive_tasks` is the engine's count of tasks not yet ended,
  /// `statistics` the replication's tree.
  void finish(std::uint32_t alive_tasks, const MetricNode& statistics) const;

 private:
  enum class Life : std::uint8_t { unknown, open, ended };
  struct Tracked {
    Life life = Life::unknown;
    bool counted = false;  ///< its task was created at or after warmup (it is in the statistics)
    EventType ended_by = EventType::task_created;
  };
  static Tracked& slot(std::vector<Tracked>& v, std::uint32_t id);
  void open(std::vector<Tracked>& v, std::uint32_t id, const Event& e, const char* what);
  void end(std::vector<Tracked>& v, std::uint32_t id, const Event& e, const char* what);
  void check_statistics(const MetricNode& statistics) const;

  const Scenario& scenario_;
  EventSink* next_;
  std::uint32_t replication_ = 0;
  SimTime last_time_ = 0;
  std::vector<Tracked> tasks_, reservations_;  ///< by serial
  std::uint64_t open_tasks_ = 0, open_counted_tasks_ = 0, open_counted_reservations_ = 0;
};

}  // namespace trsim::detail
