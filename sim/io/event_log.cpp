// The event log (§4): event type names, cancel reasons, and the JSON Lines sink.
#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>

#include "trsim/event.hpp"
#include "trsim/scenario.hpp"
#include "trsim/sink.hpp"
#include "trsim/value.hpp"

namespace trsim {

std::string_view event_type_name(EventType type) {
  switch (type) {
    case EventType::task_created:
      return "task.created";
    case EventType::workflow_entered:
      return "workflow.entered";
    case EventType::workflow_target_matched:
      return "workflow.target-matched";
    case EventType::task_queue_entered:
      return "task-queue.entered";
    case EventType::task_queue_timeout:
      return "task-queue.timeout";
    case EventType::task_queue_moved:
      return "task-queue.moved";
    case EventType::workflow_timeout:
      return "workflow.timeout";
    case EventType::workflow_skipped:
      return "workflow.skipped";
    case EventType::reservation_created:
      return "reservation.created";
    case EventType::reservation_accepted:
      return "reservation.accepted";
    case EventType::reservation_rejected:
      return "reservation.rejected";
    case EventType::reservation_timeout:
      return "reservation.timeout";
    case EventType::reservation_canceled:
      return "reservation.canceled";
    case EventType::reservation_rescinded:
      return "reservation.rescinded";
    case EventType::reservation_wrapup:
      return "reservation.wrapup";
    case EventType::reservation_completed:
      return "reservation.completed";
    case EventType::task_canceled:
      return "task.canceled";
    case EventType::task_wrapup:
      return "task.wrapup";
    case EventType::task_completed:
      return "task.completed";
    case EventType::worker_activity_update:
      return "worker.activity.update";
    case EventType::task_updated:
      return "task.updated";
    case EventType::worker_capacity_update:
      return "worker.capacity.update";
    case EventType::worker_channel_availability_update:
      return "worker.channel.availability.update";
    case EventType::worker_attributes_update:
      return "worker.attributes.update";
    case EventType::task_transfer_initiated:
      return "task.transfer-initiated";
    case EventType::task_transfer_attempt_failed:
      return "task.transfer-attempt-failed";
    case EventType::task_transfer_failed:
      return "task.transfer-failed";
    case EventType::task_transfer_completed:
      return "task.transfer-completed";
  }
  return "unknown";
}

std::string_view transfer_failure_text(TransferFailure failure) {
  switch (failure) {
    case TransferFailure::none:
      return "";
    case TransferFailure::timeout:
      return "Transfer timed out";
    case TransferFailure::rejected:
      return "Transfer rejected";
    case TransferFailure::no_eligible_worker:
      return "No eligible worker for the transfer";
  }
  return "";
}

std::string_view transfer_mode_text(std::uint8_t mode) {
  return mode == static_cast<std::uint8_t>(TransferRule::Mode::warm) ? "WARM" : "COLD";
}

std::string_view transfer_kind_text(std::uint8_t kind) {
  switch (static_cast<TransferRule::Kind>(kind)) {
    case TransferRule::Kind::worker:
      return "WORKER";
    case TransferRule::Kind::workflow:
      return "WORKFLOW";
    default:
      return "QUEUE";
  }
}

// These texts are part of the event log's contract: users grep for them. TaskRouter's own
// wording where it has one (TTL, workflow timeout); ours, in the same style, elsewhere.
std::string_view cancel_reason_text(CancelReason reason) {
  switch (reason) {
    case CancelReason::none:
      return "";
    case CancelReason::abandoned:
      return "Task abandoned";
    case CancelReason::ttl_exceeded:
      return "Task TTL Exceeded";
    case CancelReason::workflow_timeout:
      return "Task canceled on Workflow timeout";
    case CancelReason::workflow_skipped:
      return "Task skipped out of Workflow";
    case CancelReason::transition_limit:
      static_assert(kMaxTaskTransitions == 1000, "the reason text states the limit");
      return "Task reached the limit of 1000 reservations";
    case CancelReason::transfer_failed:
      return "Task canceled on failed transfer";
  }
  return "";
}

std::string task_sid(std::uint32_t replication, TaskId task) {
  fmt::memory_buffer key;
  fmt::format_to(std::back_inserter(key), "task:{}:{}", replication, task);
  return make_sid("WT", std::string_view(key.data(), key.size()));
}

std::string reservation_sid(std::uint32_t replication, ReservationId reservation) {
  fmt::memory_buffer key;
  fmt::format_to(std::back_inserter(key), "reservation:{}:{}", replication, reservation);
  return make_sid("WR", std::string_view(key.data(), key.size()));
}

namespace {

constexpr std::size_t kFlushThreshold = std::size_t{1} << 20;  // 1 MiB
constexpr std::size_t kSidCacheSize = 256;                     // a power of two

// `,"<key>":"<escaped name>"` and, when `sid` is not empty, `,"<key>_sid":"<sid>"`.
std::string fragment(std::string_view key, std::string_view name, std::string_view sid) {
  std::string out;
  out += ",\"";
  out += key;
  out += "\":";
  append_json_string(out, name);
  if (!sid.empty()) {
    out += ",\"";
    out += key;
    out += "_sid\":";
    append_json_string(out, sid);
  }
  return out;
}

void append_fragment(std::string& out, const std::vector<std::string>& fragments,
                     std::uint32_t id) {
  if (id < fragments.size()) out += fragments[id];
}

// The sid of `id` through a direct-mapped cache; `derive` computes it on a miss.
template <typename Derive>
const std::string& cached_sid(std::vector<std::pair<std::uint32_t, std::string>>& cache,
                              std::uint32_t id, Derive derive) {
  auto& entry = cache[id & (kSidCacheSize - 1)];
  if (entry.first != id) {
    entry.first = id;
    entry.second = derive(id);
  }
  return entry.second;
}

void reset_cache(std::vector<std::pair<std::uint32_t, std::string>>& cache) {
  cache.assign(kSidCacheSize, {kNoId, std::string()});
}

}  // namespace

JsonLinesSink::JsonLinesSink(const Scenario& scenario, std::ostream& out, bool replication_field)
    : scenario_(scenario), out_(out), replication_field_(replication_field) {
  buffer_.reserve(kFlushThreshold + 4096);
  for (const Worker& w : scenario.workers)
    worker_json_.push_back(fragment("worker", w.name, w.sid));
  for (const TaskQueue& q : scenario.task_queues) {
    queue_json_.push_back(fragment("queue", q.name, q.sid));
    previous_queue_json_.push_back(fragment("previous_queue", q.name, {}));
  }
  for (const Workflow& w : scenario.workflows)
    workflow_json_.push_back(fragment("workflow", w.name, w.sid));
  for (const Channel& c : scenario.channels)
    channel_json_.push_back(fragment("channel", c.name, {}));
  for (const Activity& a : scenario.activities) {
    activity_json_.push_back(fragment("activity", a.name, a.sid));
    previous_activity_json_.push_back(fragment("previous_activity", a.name, {}));
  }
  reset_cache(task_sids_);
  reset_cache(reservation_sids_);
}

JsonLinesSink::~JsonLinesSink() { flush_buffer(); }

void JsonLinesSink::begin_replication(std::uint32_t replication) {
  // Task and reservation ids restart with each replication, and their sids include it.
  if (replication != replication_) {
    reset_cache(task_sids_);
    reset_cache(reservation_sids_);
  }
  replication_ = replication;
  seq_ = 0;
}

void JsonLinesSink::end_replication() {
  flush_buffer();
  out_.flush();
}

void JsonLinesSink::flush_buffer() {
  if (buffer_.empty()) return;
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
}

// Keys in this order, each when it applies: seq, t, type, rep, task, reservation, worker,
// worker_sid, queue, queue_sid, previous_queue, workflow, workflow_sid, channel, activity,
// activity_sid, previous_activity, reason, priority, capacity, available, attributes,
// transfer_mode, transfer_type, transfer_to (transfers only).
void JsonLinesSink::on_event(const Event& e) {
  auto out = std::back_inserter(buffer_);
  ++seq_;
  // Six decimals from the integer microseconds: exact, with no floating point involved.
  const SimTime t = e.time;
  const std::uint64_t magnitude =
      t < 0 ? static_cast<std::uint64_t>(-(t + 1)) + 1 : static_cast<std::uint64_t>(t);
  fmt::format_to(out, "{{\"seq\":{},\"t\":{}{}.{:06},\"type\":\"{}\"", seq_, t < 0 ? "-" : "",
                 magnitude / 1'000'000, magnitude % 1'000'000, event_type_name(e.type));
  if (replication_field_) fmt::format_to(out, ",\"rep\":{}", replication_);
  if (e.task != kNoId) {
    buffer_ += ",\"task\":\"";
    buffer_ += cached_sid(task_sids_, e.task,
                          [this](std::uint32_t id) { return task_sid(replication_, id); });
    buffer_ += '"';
  }
  if (e.reservation != kNoId) {
    buffer_ += ",\"reservation\":\"";
    buffer_ += cached_sid(reservation_sids_, e.reservation,
                          [this](std::uint32_t id) { return reservation_sid(replication_, id); });
    buffer_ += '"';
  }
  append_fragment(buffer_, worker_json_, e.worker);
  append_fragment(buffer_, queue_json_, e.queue);
  // Reservation events carry their queue in previous_queue too; only a move has a queue left.
  if (e.type == EventType::task_queue_moved)
    append_fragment(buffer_, previous_queue_json_, e.previous_queue);
  append_fragment(buffer_, workflow_json_, e.workflow);
  append_fragment(buffer_, channel_json_, e.channel);
  append_fragment(buffer_, activity_json_, e.activity);
  append_fragment(buffer_, previous_activity_json_, e.previous_activity);
  if (e.reason != CancelReason::none) {
    buffer_ += ",\"reason\":";
    append_json_string(buffer_, cancel_reason_text(e.reason));
  } else if (e.transfer_failure != TransferFailure::none) {
    buffer_ += ",\"reason\":";
    append_json_string(buffer_, transfer_failure_text(e.transfer_failure));
  }
  if (e.task != kNoId) fmt::format_to(std::back_inserter(buffer_), ",\"priority\":{}", e.priority);
  if (e.capacity >= 0) fmt::format_to(std::back_inserter(buffer_), ",\"capacity\":{}", e.capacity);
  if (e.available >= 0)
    buffer_ += e.available != 0 ? ",\"available\":true" : ",\"available\":false";
  // A created task's attributes are the TaskRouter-shaped log's (task_attributes); this log has
  // kept them out since its start (its lines stay as they were).
  if (e.attributes != nullptr && e.type != EventType::task_created) {
    buffer_ += ",\"attributes\":";
    buffer_ += to_json(*e.attributes);
  }
  if (e.transfer_mode != 0) [[unlikely]]
    append_transfer(e);
  buffer_ += "}\n";
  if (buffer_.size() > kFlushThreshold) flush_buffer();
}

void JsonLinesSink::append_transfer(const Event& e) {
  buffer_ += ",\"transfer_mode\":\"";
  buffer_ += transfer_mode_text(e.transfer_mode);
  buffer_ += '"';
  if (e.transfer_kind == 0) return;
  buffer_ += ",\"transfer_type\":\"";
  buffer_ += transfer_kind_text(e.transfer_kind);
  buffer_ += '"';
  if (e.transfer_to == kNoId) return;
  buffer_ += ",\"transfer_to\":";
  switch (static_cast<TransferRule::Kind>(e.transfer_kind)) {
    case TransferRule::Kind::worker:
      append_json_string(buffer_, scenario_.workers[e.transfer_to].name);
      break;
    case TransferRule::Kind::workflow:
      append_json_string(buffer_, scenario_.workflows[e.transfer_to].name);
      break;
    default:
      append_json_string(buffer_, scenario_.task_queues[e.transfer_to].name);
      break;
  }
}

}  // namespace trsim
