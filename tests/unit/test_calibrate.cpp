// The event-history reader of `trsim import` (trsim/calibrate.hpp) on small hand-written
// histories: webhook-style PascalCase fields, task attributes into the trace, what counts as a
// return from the timeout activity and what as a schedule change, and patience censored by the
// answered tasks. TaskRouter's Event Streams deliver one event per line; webhooks name fields
// `TaskSid`, `WorkerSid`, ... ("EventType", "TaskAttributes" in the event callback parameters).
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "trsim/calibrate.hpp"

using namespace trsim;

namespace {

std::string event(const std::string& type, long long ms, const std::string& data) {
  return "{\"event_type\":\"" + type + "\",\"event_date_ms\":" + std::to_string(ms) +
         ",\"event_data\":{" + data + "}}\n";
}

const long long t0 = 1772438400000;  // 2026-03-02T08:00:00Z

}  // namespace

TEST_CASE("a history of two workers: returns, schedule changes and webhook field names",
          "[calibrate]") {
  CalibrationOptions options;
  options.worker_group = {{"WKa", "agents"}, {"WKb", "agents"}};
  options.activity_available = {{"Available", true}, {"Offline", false}, {"Break", false}};
  options.file_stem = "m";
  Calibration c(options);
  std::string h;
  // A task with attributes (webhook spelling), offered to a, who lets it time out; a sits in
  // Offline for 45 s and comes back to Available: one return sample.
  h += event("task.created", t0,
             "\"TaskSid\":\"WT1\",\"WorkflowName\":\"main\",\"TaskChannelUniqueName\":\"voice\","
             "\"TaskPriority\":3,\"TaskAttributes\":\"{\\\"zip\\\":\\\"00501\\\"}\"");
  h += event("reservation.created", t0 + 1000,
             "\"task_sid\":\"WT1\",\"reservation_sid\":\"WR1\",\"worker_sid\":\"WKa\"");
  h += event("reservation.timeout", t0 + 21000,
             "\"task_sid\":\"WT1\",\"reservation_sid\":\"WR1\",\"worker_sid\":\"WKa\"");
  h += event("worker.activity.update", t0 + 21000,
             "\"worker_sid\":\"WKa\",\"worker_activity_name\":\"Offline\","
             "\"worker_previous_activity_name\":\"Available\"");
  // b takes it and answers after 2 s; the caller waited 23 s (censored patience).
  h += event("reservation.created", t0 + 21000,
             "\"task_sid\":\"WT1\",\"reservation_sid\":\"WR2\",\"worker_sid\":\"WKb\"");
  h += event("reservation.accepted", t0 + 23000,
             "\"task_sid\":\"WT1\",\"reservation_sid\":\"WR2\",\"worker_sid\":\"WKb\"");
  h += event("worker.activity.update", t0 + 66000,
             "\"worker_sid\":\"WKa\",\"worker_activity_name\":\"Available\"");
  h += event("reservation.wrapup", t0 + 83000,
             "\"task_sid\":\"WT1\",\"reservation_sid\":\"WR2\",\"worker_sid\":\"WKb\"");
  h += event("reservation.completed", t0 + 93000,
             "\"task_sid\":\"WT1\",\"reservation_sid\":\"WR2\",\"worker_sid\":\"WKb\"");
  h += event("task.completed", t0 + 93000, "\"task_sid\":\"WT1\"");
  // A second timeout of a, then a move to Break (unavailable): a schedule change, not a return.
  h += event("task.created", t0 + 100000,
             "\"task_sid\":\"WT2\",\"workflow_name\":\"main\",\"task_channel_unique_name\":"
             "\"voice\"");
  h += event("reservation.created", t0 + 100000,
             "\"task_sid\":\"WT2\",\"reservation_sid\":\"WR3\",\"worker_sid\":\"WKa\"");
  h += event("reservation.timeout", t0 + 120000,
             "\"task_sid\":\"WT2\",\"reservation_sid\":\"WR3\",\"worker_sid\":\"WKa\"");
  h += event("worker.activity.update", t0 + 120000,
             "\"worker_sid\":\"WKa\",\"worker_activity_name\":\"Offline\"");
  // The caller of WT2 hangs up after 150 s: an observed patience.
  h += event("task.canceled", t0 + 250000,
             "\"task_sid\":\"WT2\",\"task_canceled_reason\":\"hangup\"");
  h += event("worker.activity.update", t0 + 3600000,
             "\"worker_sid\":\"WKa\",\"worker_activity_name\":\"Break\"");
  std::istringstream in(h);
  std::vector<Diagnostic> diags;
  const bool read = c.read(in, "h.jsonl", true, diags);
  std::string messages;
  for (const Diagnostic& d : diags) messages += d.format() + "\n";
  INFO(messages);
  REQUIRE(read);
  CHECK(diags.empty());
  c.finish();
  CHECK(c.events() == 16);
  const std::string summary = c.summary();
  INFO(summary);
  // One return (45 s), one stay ended by the break (left out).
  CHECK(summary.find("time in the timeout activity: n=1, sample mean 45s") != std::string::npos);
  CHECK(summary.find("1 stays ended by a move to an unavailable activity") != std::string::npos);
  // a's schedule: the break at 1 h (from the mirror's start, 08:00); its first activity Available.
  CHECK(c.initial_activity("WKa") == "Available");
  CHECK(c.group_fields({"WKa"}) ==
        ", behavior: \"agents\", schedule: [{at: 3600, activity: \"Break\"}]");
  CHECK(c.worker_key("WKb").empty());
  // Patience: two waits, one abandoned (150 s), one answered at 23 s (censored).
  CHECK(summary.find("patience: 2 waits, 1 abandoned, 1 censored (50.0%") != std::string::npos);
  // The trace: times from the start, channel, priority, handle time, attributes as JSON.
  REQUIRE(c.trace_files() == std::vector<std::string>{"m.main-voice.trace.csv"});
  std::ostringstream trace;
  c.write_trace(0, trace);
  CHECK(trace.str() ==
        "time,channel,priority,handle_time,attributes\n"
        "0.000,voice,3,60.000,\"{\"\"zip\"\":\"\"00501\"\"}\"\n"
        "100.000,voice,0,,\n");
}

TEST_CASE("an event page and an event with a missing field", "[calibrate]") {
  Calibration c({});
  std::istringstream page(
      "{\"meta\": {\"key\": \"events\"},\n \"events\": [\n  " +
      event("task.created", t0, "\"task_sid\":\"WT1\",\"workflow_name\":\"main\"") + "  ," +
      event("task.canceled", t0 + 5, "\"reason\":\"x\"") + "]}\n");
  std::vector<Diagnostic> diags;
  CHECK_FALSE(c.read(page, "p.json", false, diags));
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].format() ==
        "p.json:4:4: event 2 (task.canceled): missing field 'event_data.task_sid'");
}
