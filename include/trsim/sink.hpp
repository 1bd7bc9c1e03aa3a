#pragma once
// Sinks receive the engine's events. They are pure consumers: the event log, counters in tests.
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "trsim/event.hpp"

namespace trsim {

class EventSink {
 public:
  virtual ~EventSink() = default;
  /// Called once per replication before its first event.
  virtual void begin_replication(std::uint32_t /*replication*/) {}
  virtual void on_event(const Event& event) = 0;
  /// Called once per replication after its last event.
  virtual void end_replication() {}
};

/// Discards everything (benchmarks, runs without --events).
class NullSink final : public EventSink {
 public:
  void on_event(const Event&) override {}
};

/// Keeps every event in memory (tests).
class MemorySink final : public EventSink {
 public:
  void on_event(const Event& event) override { events.push_back(event); }
  std::vector<Event> events;
};

/// Writes JSON Lines (§4) to a stream. `replication_field` adds "rep" to every line (`trsim run`
/// always asks for it, so that a reader can group lines without knowing the replication count).
/// `seq` starts at 1 in each replication; lines are buffered and written in chunks of about 1 MiB,
/// and at end_replication().
class JsonLinesSink final : public EventSink {
 public:
  JsonLinesSink(const Scenario& scenario, std::ostream& out, bool replication_field);
  ~JsonLinesSink() override;
  void begin_replication(std::uint32_t replication) override;
  void on_event(const Event& event) override;
  void end_replication() override;

 private:
  void flush_buffer();
  const Scenario& scenario_;
  std::ostream& out_;
  bool replication_field_;
  std::uint32_t replication_ = 0;
  std::uint64_t seq_ = 0;
  std::string buffer_;
  // Pre-rendered fragments per dense id (`,"worker":"…","worker_sid":"WK…"`, ...): an event then
  // costs a few appends, without escaping or sid derivation.
  std::vector<std::string> worker_json_, queue_json_, previous_queue_json_, workflow_json_,
      channel_json_, activity_json_, previous_activity_json_;
  // Direct-mapped caches of task and reservation sids (id -> sid) of the current replication: a
  // task's events come close together, and deriving a sid hashes and allocates.
  std::vector<std::pair<std::uint32_t, std::string>> task_sids_, reservation_sids_;
};

}  // namespace trsim
