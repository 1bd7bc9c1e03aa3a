// The event log in TaskRouter's own shape: each event as an Event resource of the Events API
// (OpenAPI schema taskrouter.v1.workspace.event), so that a simulated day loads into the same
// tools as a real export, and `trsim import` can be tested on a round trip with a known truth.
#include <fmt/format.h>

#include <iterator>
#include <string>

#include "model/units.hpp"
#include "trsim/event.hpp"
#include "trsim/scenario.hpp"
#include "trsim/sink.hpp"
#include "trsim/value.hpp"

namespace trsim {

namespace {

constexpr std::size_t kFlushThreshold = std::size_t{1} << 20;  // 1 MiB

std::string_view resource_type(EventType type) {
  switch (type) {
    case EventType::reservation_created:
    case EventType::reservation_accepted:
    case EventType::reservation_rejected:
    case EventType::reservation_timeout:
    case EventType::reservation_canceled:
    case EventType::reservation_rescinded:
    case EventType::reservation_wrapup:
    case EventType::reservation_completed:
      return "reservation";
    case EventType::worker_activity_update:
    case EventType::worker_capacity_update:
    case EventType::worker_channel_availability_update:
    case EventType::worker_attributes_update:
      return "worker";
    default:
      return "task";
  }
}

// Microseconds as whole milliseconds, rounded down (also below zero).
std::int64_t floor_millis(std::int64_t micros) {
  return micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
}

void add_string(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  append_json_string(out, value);
}

}  // namespace

TaskRouterEventSink::TaskRouterEventSink(const Scenario& scenario, std::ostream& out,
                                         bool replication_field, bool separator)
    : scenario_(scenario), out_(out), replication_field_(replication_field), separator_(separator) {
  buffer_.reserve(kFlushThreshold + 4096);
}

TaskRouterEventSink::~TaskRouterEventSink() { flush_buffer(); }

void TaskRouterEventSink::begin_replication(std::uint32_t replication) {
  replication_ = replication;
  seq_ = 0;
}

void TaskRouterEventSink::end_replication() {
  flush_buffer();
  out_.flush();
}

void TaskRouterEventSink::flush_buffer() {
  if (buffer_.empty()) return;
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
}

void TaskRouterEventSink::on_event(const Event& e) {
  ++seq_;
  if (separator_) buffer_ += ',';
  const std::int64_t epoch_micros = scenario_.start_epoch_seconds * kMicrosPerSecond + e.time;
  const std::int64_t ms = floor_millis(epoch_micros);
  const std::int64_t seconds = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  std::string task, reservation;
  if (e.task != kNoId) task = task_sid(replication_, e.task);
  if (e.reservation != kNoId) reservation = reservation_sid(replication_, e.reservation);
  const std::string_view type = resource_type(e.type);
  const std::string& resource = type == "reservation" ? reservation
                                : type == "worker"    ? scenario_.workers[e.worker].sid
                                                      : task;
  auto out = std::back_inserter(buffer_);
  buffer_ += "{\"event_type\":\"";
  buffer_ += event_type_name(e.type);
  buffer_ += '"';
  // ISO 8601 with milliseconds, as the Events API writes event_date.
  const std::string date = detail::format_iso8601_utc(seconds);
  fmt::format_to(out, ",\"event_date\":\"{}.{:03}Z\",\"event_date_ms\":{}",
                 date.substr(0, date.size() - 1), ms - seconds * 1000, ms);
  add_string(buffer_, "resource_type", type);
  add_string(buffer_, "resource_sid", resource);
  fmt::format_to(out, ",\"sid\":\"{}\"",
                 make_sid("EV", fmt::format("event:{}:{}", replication_, seq_)));
  if (replication_field_) fmt::format_to(out, ",\"replication\":{}", replication_);
  buffer_ += ",\"event_data\":{";
  std::string data;
  if (!task.empty()) {
    add_string(data, "task_sid", task);
    // Whole seconds, as TaskRouter states a task's age.
    fmt::format_to(std::back_inserter(data), ",\"task_age\":{},\"task_priority\":{}",
                   (e.time - e.task_created_at) / kMicrosPerSecond, e.priority);
    fmt::format_to(std::back_inserter(data), ",\"task_age_ms\":{}",
                   (e.time - e.task_created_at) / 1000);
  }
  if (e.channel != kNoId)
    add_string(data, "task_channel_unique_name", scenario_.channels[e.channel].name);
  if (e.queue != kNoId) {
    add_string(data, "task_queue_sid", scenario_.task_queues[e.queue].sid);
    add_string(data, "task_queue_name", scenario_.task_queues[e.queue].name);
  }
  if (e.type == EventType::task_queue_moved && e.previous_queue != kNoId)
    add_string(data, "task_queue_previous_sid", scenario_.task_queues[e.previous_queue].sid);
  if (e.workflow != kNoId) {
    add_string(data, "workflow_sid", scenario_.workflows[e.workflow].sid);
    add_string(data, "workflow_name", scenario_.workflows[e.workflow].name);
  }
  if (!reservation.empty()) add_string(data, "reservation_sid", reservation);
  if (e.worker != kNoId) {
    add_string(data, "worker_sid", scenario_.workers[e.worker].sid);
    add_string(data, "worker_name", scenario_.workers[e.worker].name);
  }
  if (e.activity != kNoId) {
    add_string(data, "worker_activity_sid", scenario_.activities[e.activity].sid);
    add_string(data, "worker_activity_name", scenario_.activities[e.activity].name);
  }
  if (e.previous_activity != kNoId) {
    add_string(data, "worker_previous_activity_sid", scenario_.activities[e.previous_activity].sid);
    add_string(data, "worker_previous_activity_name",
               scenario_.activities[e.previous_activity].name);
  }
  if (e.reason != CancelReason::none)
    add_string(data, "task_canceled_reason", cancel_reason_text(e.reason));
  // The transfer fields of the TaskRouter SDK's Transfer object (mode, type, to,
  // transferFailedReason) in the Events API's snake_case.
  if (e.transfer_mode != 0) {
    add_string(data, "transfer_mode", transfer_mode_text(e.transfer_mode));
    if (e.transfer_kind != 0)
      add_string(data, "transfer_type", transfer_kind_text(e.transfer_kind));
    if (e.transfer_to != kNoId) {
      switch (static_cast<TransferRule::Kind>(e.transfer_kind)) {
        case TransferRule::Kind::worker:
          add_string(data, "transfer_to", scenario_.workers[e.transfer_to].sid);
          break;
        case TransferRule::Kind::workflow:
          add_string(data, "transfer_to", scenario_.workflows[e.transfer_to].sid);
          break;
        default:
          add_string(data, "transfer_to", scenario_.task_queues[e.transfer_to].sid);
          break;
      }
    }
    if (e.transfer_failure != TransferFailure::none)
      add_string(data, "transfer_failed_reason", transfer_failure_text(e.transfer_failure));
  }
  if (e.capacity >= 0)
    fmt::format_to(std::back_inserter(data), ",\"worker_channel_capacity\":{}", e.capacity);
  if (e.available >= 0)
    data += e.available != 0 ? ",\"worker_channel_available\":true"
                             : ",\"worker_channel_available\":false";
  // TaskRouter's event data carries attributes as a JSON string: task_attributes (task.created,
  // task.updated), worker_attributes (worker.attributes.update).
  if (e.attributes != nullptr)
    add_string(
        data,
        e.type == EventType::worker_attributes_update ? "worker_attributes" : "task_attributes",
        to_json(*e.attributes));
  if (!data.empty()) buffer_.append(data, 1, std::string::npos);  // without the first ','
  buffer_ += "}}\n";
  if (buffer_.size() > kFlushThreshold) flush_buffer();
}

std::unique_ptr<EventSink> make_event_sink(EventLogFormat format, const Scenario& scenario,
                                           std::ostream& out, bool replication_field,
                                           bool separator) {
  if (format == EventLogFormat::taskrouter)
    return std::make_unique<TaskRouterEventSink>(scenario, out, replication_field, separator);
  return std::make_unique<JsonLinesSink>(scenario, out, replication_field);
}

}  // namespace trsim
