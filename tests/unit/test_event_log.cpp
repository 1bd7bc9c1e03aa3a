// The JSON Lines event log: exact line text, key order, times, seq numbering and the rep field.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "trsim/event.hpp"
#include "trsim/scenario.hpp"
#include "trsim/sink.hpp"
#include "trsim/time.hpp"

using namespace trsim;

namespace {

Scenario make_scenario() {
  Scenario s;
  s.name = "log";
  s.activities = {{"Offline", "WAoff", false}, {"Available", "WAav", true}};
  s.channels = {{"default"}, {"voice"}};
  s.task_queues.resize(2);
  s.task_queues[0].name = "Sales";
  s.task_queues[0].sid = "WQsales";
  s.task_queues[1].name = "Support";
  s.task_queues[1].sid = "WQsupport";
  s.workflows.resize(1);
  s.workflows[0].name = "main";
  s.workflows[0].sid = "WWmain";
  Worker w;
  w.name = "ana \"the best\"";
  w.sid = "WKana";
  w.group = 0;
  w.initial_activity = 1;
  s.workers.push_back(w);
  return s;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

Event task_created(SimTime t, TaskId task) {
  Event e;
  e.time = t;
  e.type = EventType::task_created;
  e.task = task;
  e.workflow = 0;
  e.channel = 1;
  e.priority = 5;
  e.task_created_at = t;
  return e;
}

}  // namespace

TEST_CASE("event type names use TaskRouter's vocabulary", "[event_log]") {
  CHECK(event_type_name(EventType::task_created) == "task.created");
  CHECK(event_type_name(EventType::workflow_target_matched) == "workflow.target-matched");
  CHECK(event_type_name(EventType::task_queue_entered) == "task-queue.entered");
  CHECK(event_type_name(EventType::task_queue_moved) == "task-queue.moved");
  CHECK(event_type_name(EventType::workflow_skipped) == "workflow.skipped");
  CHECK(event_type_name(EventType::reservation_timeout) == "reservation.timeout");
  CHECK(event_type_name(EventType::reservation_wrapup) == "reservation.wrapup");
  CHECK(event_type_name(EventType::task_canceled) == "task.canceled");
  CHECK(event_type_name(EventType::worker_activity_update) == "worker.activity.update");
}

TEST_CASE("cancel reasons have stable texts", "[event_log]") {
  CHECK(cancel_reason_text(CancelReason::none).empty());
  CHECK(cancel_reason_text(CancelReason::abandoned) == "Task abandoned");
  CHECK(cancel_reason_text(CancelReason::ttl_exceeded) == "Task TTL Exceeded");
  CHECK(cancel_reason_text(CancelReason::workflow_timeout) == "Task canceled on Workflow timeout");
  CHECK(cancel_reason_text(CancelReason::workflow_skipped) == "Task skipped out of Workflow");
  CHECK(cancel_reason_text(CancelReason::transition_limit) ==
        "Task reached the limit of 1000 reservations");
}

TEST_CASE("task and reservation sids derive from the replication and the id", "[event_log]") {
  CHECK(task_sid(0, 7) == make_sid("WT", "task:0:7"));
  CHECK(reservation_sid(3, 12) == make_sid("WR", "reservation:3:12"));
  CHECK(task_sid(0, 7) != task_sid(1, 7));
  CHECK(task_sid(0, 7).substr(0, 2) == "WT");
}

TEST_CASE("each event is one JSON line with its fields in the documented order", "[event_log]") {
  const Scenario s = make_scenario();
  std::ostringstream out;
  {
    JsonLinesSink sink(s, out, false);
    sink.begin_replication(0);
    sink.on_event(task_created(12'000'500, 3));

    Event r;
    r.time = 15 * kMicrosPerSecond;
    r.type = EventType::reservation_created;
    r.task = 3;
    r.reservation = 9;
    r.worker = 0;
    r.queue = 1;
    r.previous_queue = 1;  // reservations carry their queue here too: not printed
    r.workflow = 0;
    r.channel = 1;
    r.priority = 5;
    sink.on_event(r);

    Event moved = task_created(20 * kMicrosPerSecond, 3);
    moved.type = EventType::task_queue_moved;
    moved.queue = 1;
    moved.previous_queue = 0;
    sink.on_event(moved);

    Event c = task_created(21 * kMicrosPerSecond, 3);
    c.type = EventType::task_canceled;
    c.queue = 1;
    c.reason = CancelReason::ttl_exceeded;
    sink.on_event(c);

    Event a;
    a.time = 1;
    a.type = EventType::worker_activity_update;
    a.worker = 0;
    a.activity = 0;
    a.previous_activity = 1;
    sink.on_event(a);
    sink.end_replication();
  }
  const std::string t3 = task_sid(0, 3);
  const std::string r9 = reservation_sid(0, 9);
  const std::vector<std::string> expected{
      R"({"seq":1,"t":12.000500,"type":"task.created","task":")" + t3 +
          R"(","workflow":"main","workflow_sid":"WWmain","channel":"voice","priority":5})",
      R"({"seq":2,"t":15.000000,"type":"reservation.created","task":")" + t3 +
          R"(","reservation":")" + r9 +
          R"(","worker":"ana \"the best\"","worker_sid":"WKana","queue":"Support","queue_sid":"WQsupport","workflow":"main","workflow_sid":"WWmain","channel":"voice","priority":5})",
      R"({"seq":3,"t":20.000000,"type":"task-queue.moved","task":")" + t3 +
          R"(","queue":"Support","queue_sid":"WQsupport","previous_queue":"Sales","workflow":"main","workflow_sid":"WWmain","channel":"voice","priority":5})",
      R"({"seq":4,"t":21.000000,"type":"task.canceled","task":")" + t3 +
          R"(","queue":"Support","queue_sid":"WQsupport","workflow":"main","workflow_sid":"WWmain","channel":"voice","reason":"Task TTL Exceeded","priority":5})",
      R"({"seq":5,"t":0.000001,"type":"worker.activity.update","worker":"ana \"the best\"","worker_sid":"WKana","activity":"Offline","activity_sid":"WAoff","previous_activity":"Available"})",
  };
  CHECK(lines_of(out.str()) == expected);
  CHECK(out.str().back() == '\n');
}

TEST_CASE("times have exactly six decimals, as format_seconds prints them", "[event_log]") {
  const Scenario s = make_scenario();
  const std::vector<SimTime> times{0, 1, 999'999, 1'000'000, 3'600'000'000, 86'400'123'456};
  std::ostringstream out;
  JsonLinesSink sink(s, out, false);
  sink.begin_replication(0);
  for (SimTime t : times) {
    Event e;
    e.time = t;
    e.type = EventType::worker_activity_update;
    e.worker = 0;
    sink.on_event(e);
  }
  sink.end_replication();
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == times.size());
  const std::vector<std::string> texts{"0.000000", "0.000001",    "0.999999",
                                       "1.000000", "3600.000000", "86400.123456"};
  for (std::size_t i = 0; i < times.size(); ++i) {
    INFO(lines[i]);
    CHECK(format_seconds(times[i]) == texts[i]);
    CHECK(lines[i].find(",\"t\":" + texts[i] + ",") != std::string::npos);
  }
}

TEST_CASE("seq starts at 1 in each replication and rep follows type when asked", "[event_log]") {
  const Scenario s = make_scenario();
  std::ostringstream out;
  JsonLinesSink sink(s, out, true);
  for (std::uint32_t rep = 0; rep < 2; ++rep) {
    sink.begin_replication(rep);
    sink.on_event(task_created(0, 0));
    sink.on_event(task_created(kMicrosPerSecond, 1));
    sink.end_replication();
  }
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].rfind(
            R"({"seq":1,"t":0.000000,"type":"task.created","rep":0,"task":")" + task_sid(0, 0),
            0) == 0);
  CHECK(lines[1].rfind(
            R"({"seq":2,"t":1.000000,"type":"task.created","rep":0,"task":")" + task_sid(0, 1),
            0) == 0);
  CHECK(lines[2].rfind(
            R"({"seq":1,"t":0.000000,"type":"task.created","rep":1,"task":")" + task_sid(1, 0),
            0) == 0);
  CHECK(lines[3].rfind(
            R"({"seq":2,"t":1.000000,"type":"task.created","rep":1,"task":")" + task_sid(1, 1),
            0) == 0);
}

TEST_CASE("without the replication field there is no rep key", "[event_log]") {
  const Scenario s = make_scenario();
  std::ostringstream out;
  JsonLinesSink sink(s, out, false);
  sink.begin_replication(0);
  sink.on_event(task_created(0, 0));
  sink.end_replication();
  CHECK(out.str().find("\"rep\"") == std::string::npos);
}

TEST_CASE("lines are buffered and written in large chunks", "[event_log]") {
  const Scenario s = make_scenario();
  std::ostringstream out;
  JsonLinesSink sink(s, out, false);
  sink.begin_replication(0);
  sink.on_event(task_created(0, 0));
  CHECK(out.str().empty());  // a small log waits for end_replication
  // About 150 bytes a line: 20,000 lines pass the 1 MiB threshold at least once.
  for (TaskId i = 1; i < 20000; ++i) sink.on_event(task_created(i, i));
  CHECK_FALSE(out.str().empty());
  sink.end_replication();
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 20000);
  CHECK(lines.back().rfind(R"({"seq":20000,"t":0.019999,)", 0) == 0);
  // The sid cache returns the right sid for ids that share a cache slot.
  CHECK(lines[256].find(task_sid(0, 256)) != std::string::npos);
  CHECK(lines[512].find(task_sid(0, 512)) != std::string::npos);
}

TEST_CASE("the destructor writes what is still buffered", "[event_log]") {
  const Scenario s = make_scenario();
  std::ostringstream out;
  {
    JsonLinesSink sink(s, out, false);
    sink.on_event(task_created(0, 0));
  }
  CHECK(lines_of(out.str()).size() == 1);
}
