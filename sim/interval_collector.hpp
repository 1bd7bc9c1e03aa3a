#pragma once
// The interval statistics of one replication (statistics.interval), a pure function of the event
// stream like StatisticsCollector, and fed the same events.
//
// Cost: on_event() is a switch and a few additions into flat arrays indexed by
// (interval, scope, field); nothing is allocated per event except when time enters a new interval
// (the table grows by one row). Time-averaged quantities (workers busy, idle, in each activity,
// tasks waiting) are gauges: when a gauge changes by d at time t inside the current interval
// [a, b), its integral over the interval changes by d * (b - t), so each change is one
// multiply-add and opening an interval writes level * (b - a) for every gauge.
//
// Scopes: 0 = the workspace, then one per task queue, then one per worker group. Every event
// counts, warm-up or not (the table is a time series); events after the horizon (the drain) count
// in the last interval, and gauges are integrated up to the horizon.
#include <cstdint>
#include <vector>

#include "trsim/engine.hpp"
#include "trsim/event.hpp"
#include "trsim/scenario.hpp"

namespace trsim::detail {

class IntervalCollector {
 public:
  /// `scenario` must outlive the collector.
  explicit IntervalCollector(const Scenario& scenario);

  void on_event(const Event& event);

  /// Whether on_event() reads events of this type (it ignores the others). Without an event log
  /// the engine does not build the events no collector reads.
  static constexpr bool reads(EventType type) {
    switch (type) {
      case EventType::workflow_entered:
      case EventType::workflow_target_matched:
      case EventType::task_queue_timeout:
      case EventType::workflow_timeout:
      case EventType::workflow_skipped:
      case EventType::reservation_wrapup:
      case EventType::task_wrapup:
      case EventType::task_completed:
        return false;
      default:
        return true;
    }
  }

  /// Completes the table up to the horizon and computes the metrics. Call once.
  IntervalTable finish();

 private:
  // Raw fields of one (interval, scope) record: counts, integer sums in µs, and gauge integrals in
  // µs × workers (or tasks). Thresholds and activities follow the fixed fields.
  enum Field : std::size_t {
    kOffered,
    kAccepted,
    kAbandoned,
    kCanceled,
    kWaitAccepted,  // sum of the waits of the tasks accepted, µs
    kTimedOut,
    kBusy,     // gauge: workers holding a reservation
    kIdle,     // gauge: workers in an available activity holding none
    kWaiting,  // gauge: tasks waiting (pending or reserved)
    kParked,   // gauge: workers in the timeout activity because a reservation timed out
    kFixedFields
  };

  struct WorkerState {
    ActivityId activity = kNoId;
    std::uint32_t held = 0;  // reservations held: pending, accepted or wrapping
    bool timed_out = false;  // a reservation timed out; the move to the timeout activity follows
    bool parked = false;     // in the timeout activity since a reservation timeout
  };

  std::size_t queue_scope(QueueId q) const { return 1 + q; }
  std::size_t group_scope(GroupId g) const { return 1 + queue_count_ + g; }
  std::size_t below_field(std::size_t threshold) const { return kFixedFields + threshold; }
  std::size_t activity_field(ActivityId a) const { return kFixedFields + thresholds_.size() + a; }
  bool is_gauge(std::size_t field) const {
    return field == kBusy || field == kIdle || field == kWaiting || field == kParked ||
           field >= activity_field(0);
  }

  std::int64_t* row(std::size_t scope) { return current_row_ + scope * field_count_; }
  void count(std::size_t scope, std::size_t field, std::int64_t n = 1) { row(scope)[field] += n; }
  void gauge(std::size_t scope, std::size_t field, std::int64_t delta, SimTime now);
  void advance(SimTime now);
  void open_interval(std::size_t k);
  void change_worker(WorkerId w, ActivityId activity, int held_delta, SimTime now);
  void end_wait(const Event& e, bool accepted);
  void set_parked(WorkerId w, bool parked, SimTime now);

  const Scenario& scenario_;
  SimTime length_;
  SimTime horizon_;
  std::size_t count_;  // intervals in [0, horizon)
  std::size_t queue_count_;
  std::size_t group_count_;
  std::size_t activity_count_;
  std::size_t scope_count_;
  std::size_t field_count_;
  std::vector<SimTime> thresholds_;  // µs, keys deduplicated (first occurrence wins)
  std::vector<std::size_t> threshold_source_;  // index in statistics.service_level_thresholds
  std::vector<std::size_t> gauge_fields_;
  std::vector<unsigned char> activity_available_;
  std::vector<WorkerState> workers_;
  std::vector<GroupId> worker_group_;
  std::vector<std::int64_t> level_;  // [scope * fields + field]: current value of each gauge
  std::vector<std::int64_t> raw_;    // [(interval * scopes + scope) * fields + field]
  std::size_t current_ = 0;          // the interval events go to
  std::int64_t* current_row_ = nullptr;  // its first record in raw_
  SimTime current_end_ = 0;
};

}  // namespace trsim::detail
