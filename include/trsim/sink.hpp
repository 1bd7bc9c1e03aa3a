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
  void append_transfer(const Event& event);  ///< transfer_mode, transfer_type, transfer_to
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

/// The event log's formats: trsim's own JSON Lines (§4), or TaskRouter's Event resource as the
/// Events API returns it (docs/import.md#event-log-in-taskrouters-shape).
enum class EventLogFormat : std::uint8_t { jsonl, taskrouter };

/// Writes each event as a TaskRouter Event resource (`event_type`, `event_date`, `event_date_ms`,
/// `resource_type`, `resource_sid`, `sid`, `event_data` with the Events API's snake_case fields:
/// task_sid, task_age, task_priority, task_channel_unique_name, task_queue_sid, ...), one per
/// line; with `separator` every one is preceded by "," (the items of an `{"events": [...]}` page
/// whose brackets the caller writes, blanking the first comma after the run: so the output is the
/// same whatever the threads and whichever replication has the first event). `event_date` is the
/// scenario's `start` plus the simulated time.
class TaskRouterEventSink final : public EventSink {
 public:
  TaskRouterEventSink(const Scenario& scenario, std::ostream& out, bool replication_field,
                      bool separator);
  ~TaskRouterEventSink() override;
  void begin_replication(std::uint32_t replication) override;
  void on_event(const Event& event) override;
  void end_replication() override;

 private:
  void flush_buffer();
  const Scenario& scenario_;
  std::ostream& out_;
  bool replication_field_;
  bool separator_;
  std::uint32_t replication_ = 0;
  std::uint64_t seq_ = 0;
  std::string buffer_;
};

/// The sink of `format` writing to `out` (`separator`: see TaskRouterEventSink).
std::unique_ptr<EventSink> make_event_sink(EventLogFormat format, const Scenario& scenario,
                                           std::ostream& out, bool replication_field,
                                           bool separator);

}  // namespace trsim
