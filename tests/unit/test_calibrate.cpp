// The event-history reader of `trsim import` (trsim/calibrate.hpp) on small hand-written
// histories: webhook-style PascalCase fields, task attributes into the trace, what counts as a
// return from the timeout activity and what as a schedule change, and patience censored by the
// answered tasks. TaskRouter's Event Streams deliver one event per line; webhooks name fields
// `TaskSid`, `WorkerSid`, ... ("EventType", "TaskAttributes" in the event callback parameters).
#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "trsim/calibrate.hpp"
#include "trsim/workspace_import.hpp"

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

TEST_CASE("trace files of streams whose names give one slug are told apart", "[calibrate]") {
  // Workflow "a b" on channel "c" and workflow "a" on channel "b c" both slug to "a-b-c"; a
  // workflow named in another script (non-ASCII) keeps a file name of its own too.
  CalibrationOptions options;
  options.file_stem = "m";
  Calibration c(options);
  std::string h;
  h += event("task.created", t0,
             "\"task_sid\":\"WT1\",\"workflow_name\":\"a b\",\"task_channel_unique_name\":\"c\"");
  h += event("task.created", t0 + 1,
             "\"task_sid\":\"WT2\",\"workflow_name\":\"a\",\"task_channel_unique_name\":\"b c\"");
  h += event("task.created", t0 + 2,
             "\"task_sid\":\"WT3\",\"workflow_name\":\"a_b\",\"task_channel_unique_name\":\"c\"");
  std::istringstream in(h);
  std::vector<Diagnostic> diags;
  REQUIRE(c.read(in, "h.jsonl", true, diags));
  c.finish();
  CHECK(c.trace_files() ==
        std::vector<std::string>{"m.a-b-c.trace.csv", "m.stream-2.trace.csv", "m.a_b-c.trace.csv"});
}

TEST_CASE("file names from friendly names: a slug, and a fallback when two collide",
          "[calibrate]") {
  CHECK(file_slug("Sales EU/2", "x") == "Sales-EU-2");
  CHECK(file_slug("ventes_é", "x") == "ventes_--");  // each byte of é
  CHECK(file_slug("", "workflow") == "workflow");
  std::set<std::string> taken;
  CHECK(unique_file_name(taken, "m.", "Sales EU", "WW1", ".json") == "m.Sales-EU.json");
  CHECK(unique_file_name(taken, "m.", "Sales-EU", "WW2", ".json") == "m.WW2.json");
  CHECK(unique_file_name(taken, "m.", "Sales.EU", "WW2", ".json") == "m.WW2-2.json");
  CHECK(taken.size() == 3);
}

TEST_CASE("a schedule whose days repeat folds into the first day and schedule_period",
          "[calibrate]") {
  CalibrationOptions options;
  options.worker_group = {{"WKa", "agents"}, {"WKb", "agents"}};
  options.activity_available = {{"Available", true}, {"Offline", false}};
  const long long day = 86'400'000;
  std::string h;
  // a logs in at 1 h and out at 9 h on three days (the history ends at 2 days 2 h, before the
  // third day's log-out); b does so on the first two days but logs in at 2 h on the third.
  for (int d = 0; d < 3; ++d) {
    h += event("worker.activity.update", t0 + d * day + 3'600'000,
               "\"worker_sid\":\"WKa\",\"worker_activity_name\":\"Available\","
               "\"worker_previous_activity_name\":\"Offline\"");
    h += event("worker.activity.update", t0 + d * day + (d < 2 ? 3'600'000 : 7'200'000),
               "\"worker_sid\":\"WKb\",\"worker_activity_name\":\"Available\"");
    if (d < 2) {
      h += event("worker.activity.update", t0 + d * day + 9 * 3'600'000,
                 "\"worker_sid\":\"WKa\",\"worker_activity_name\":\"Offline\"");
      h += event("worker.activity.update", t0 + d * day + 9 * 3'600'000,
                 "\"worker_sid\":\"WKb\",\"worker_activity_name\":\"Offline\"");
    }
  }
  Calibration c(options);
  std::istringstream in(h);
  std::vector<Diagnostic> diags;
  REQUIRE(c.read(in, "h.jsonl", true, diags));
  c.finish();
  // The mirror starts at the hour of the first event (09:00): times count from there.
  CHECK(c.group_fields({"WKa"}) ==
        ", schedule: [{at: 0, activity: \"Available\"}, {at: 28800, activity: \"Offline\"}], "
        "schedule_period: 86400");
  // b's third day differs: its schedule stays the list of every change.
  CHECK(c.group_fields({"WKb"}) ==
        ", schedule: [{at: 0, activity: \"Available\"}, {at: 28800, activity: \"Offline\"}, "
        "{at: 86400, activity: \"Available\"}, {at: 115200, activity: \"Offline\"}, {at: 176400, "
        "activity: \"Available\"}]");
  CHECK(c.worker_key("WKa") != c.worker_key("WKb"));
}

TEST_CASE("response times censored by cancels are weighted back (IPCW)", "[calibrate]") {
  // Workers answer half of the offers after 2 s and half after 10 s (true mean 6 s). Callers hang
  // up 5 s into half of the slow offers: those end canceled before the answer. The answered ones
  // are 80 at 2 s and 40 at 10 s, a mean of 4.67 s; 1/G(t) gives the 10 s answers a weight of 2
  // (half of the offers still unanswered at 5 s were canceled), and the weighted mean is 6 s.
  CalibrationOptions options;
  options.worker_group = {{"WKa", "agents"}};
  Calibration c(options);
  std::string h;
  for (int i = 0; i < 160; ++i) {
    const long long at = t0 + i * 20'000LL;
    const std::string task = "\"task_sid\":\"WT" + std::to_string(i) + "\"";
    const std::string ids =
        task + ",\"reservation_sid\":\"WR" + std::to_string(i) + "\",\"worker_sid\":\"WKa\"";
    h += event("task.created", at, task + ",\"workflow_name\":\"main\"");
    h += event("reservation.created", at, ids);
    if (i % 2 == 0)
      h += event("reservation.accepted", at + 2000, ids);
    else if (i % 4 == 1)
      h += event("reservation.accepted", at + 10'000, ids);
    else
      h += event("reservation.canceled", at + 5000, ids);
  }
  std::istringstream in(h);
  std::vector<Diagnostic> diags;
  REQUIRE(c.read(in, "h.jsonl", true, diags));
  c.finish();
  const std::string summary = c.summary();
  INFO(summary);
  CHECK(summary.find("accept response time: n=120, sample mean 4.667s") != std::string::npos);
  CHECK(summary.find("censored by the 40 offers canceled or rescinded before an answer") !=
        std::string::npos);
  CHECK(summary.find("weighted means: accept 6s") != std::string::npos);
}
