#pragma once
// One replication of a scenario: the event loop, TaskRouter's state machines and the router.
#include <cstdint>
#include <memory>

#include "trsim/scenario.hpp"
#include "trsim/sink.hpp"
#include "trsim/statistics.hpp"

namespace trsim {

struct ReplicationResult {
  std::uint32_t replication = 0;
  std::uint64_t seed = 0;        ///< the replication's own seed (derived from the run seed)
  std::uint64_t events = 0;      ///< events processed
  SimTime end_time = 0;          ///< simulated time of the last event
  MetricNode statistics;         ///< plain numbers, this replication only
};

struct EngineOptions {
  std::uint64_t seed = 1;          ///< the run seed (the replication seed is derived from it)
  std::uint32_t replication = 0;
  bool check_invariants = false;   ///< verify engine invariants after every event (slow)
};

namespace detail {
class EngineImpl;
}

class Engine {
 public:
  /// `sink` may be null; the engine never owns it. `scenario` must outlive the engine.
  Engine(const Scenario& scenario, EngineOptions options, EventSink* sink = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Runs to the end (horizon, then drain) and returns the replication's statistics.
  ReplicationResult run();

 private:
  std::unique_ptr<detail::EngineImpl> impl_;
};

}  // namespace trsim
