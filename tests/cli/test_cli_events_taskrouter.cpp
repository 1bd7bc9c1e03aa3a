// `trsim run --events F --events-format taskrouter`: the event log as TaskRouter's Events API
// returns events. The OpenAPI schema taskrouter.v1.workspace.event: "event_type: The identifier
// for the event", "event_date: The time the event was sent, specified in ISO 8601 format",
// "event_date_ms: The time the event was sent in milliseconds", "resource_sid: The SID of the
// object the event is most relevant to, such as a TaskSid, ReservationSid, or a WorkerSid".
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

TEST_CASE("the event log in TaskRouter's shape is an Events API page, or one event per line",
          "[cli]") {
  TempDir scratch;
  const std::string scenario = scenario_path("quickstart.yaml");
  const std::vector<std::string> shorter = {"--set", "horizon=40m", "--set", "replications=2"};
  const auto run = [&](const std::string& file, const std::string& format,
                       const std::string& threads) {
    std::vector<std::string> args = {"run", scenario, "-q", "--events", file, "--threads", threads};
    args.insert(args.end(), shorter.begin(), shorter.end());
    if (!format.empty()) args.insert(args.end(), {"--events-format", format});
    const CliResult r = run_trsim(args, scratch);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    return read_file(file);
  };
  const std::string own = run(scratch.path() + "/own.jsonl", "", "1");
  const std::string page = run(scratch.path() + "/page.json", "taskrouter", "1");
  const std::string lines = run(scratch.path() + "/lines.jsonl", "taskrouter", "1");
  // The same bytes for any number of threads.
  CHECK(run(scratch.path() + "/page2.json", "taskrouter", "2") == page);

  const Json doc = parse_json(page);
  const Json* events = doc.get("events");
  REQUIRE(events != nullptr);
  REQUIRE(doc.at_path("meta.key") != nullptr);
  CHECK(doc.at_path("meta.key")->text == "events");
  const std::vector<std::string> own_lines = lines_of(own);
  const std::vector<std::string> tr_lines = lines_of(lines);
  REQUIRE(events->items.size() == own_lines.size());
  REQUIRE(tr_lines.size() == own_lines.size());
  REQUIRE(own_lines.size() > 100);
  const double start_ms = 1772438400000.0;  // 2026-03-02T08:00:00Z, the scenario's start
  for (std::size_t i = 0; i < own_lines.size(); ++i) {
    const Json mine = parse_json(own_lines[i]);
    const Json& tr = events->items[i];
    INFO(own_lines[i] << "\n" << tr_lines[i]);
    // The page's items and the lines are the same events.
    CHECK(parse_json(tr_lines[i]).get("sid")->text == tr.get("sid")->text);
    CHECK(tr.get("event_type")->text == mine.get("type")->text);
    // event_date_ms is the start plus the simulated time, in whole milliseconds.
    CHECK(tr.get("event_date_ms")->number ==
          std::floor(start_ms + mine.get("t")->number * 1000.0 + 1e-6));
    CHECK(tr.get("event_date")->text.rfind("2026-03-02T", 0) == 0);
    const Json* data = tr.get("event_data");
    REQUIRE(data != nullptr);
    if (const Json* task = mine.get("task")) {
      CHECK(data->get("task_sid")->text == task->text);
    }
    const std::string& type = mine.get("type")->text;
    if (const Json* reservation = mine.get("reservation")) {
      CHECK(data->get("reservation_sid")->text == reservation->text);
      CHECK(data->get("worker_sid")->text == mine.get("worker_sid")->text);
    }
    if (type.rfind("reservation.", 0) == 0) {
      CHECK(tr.get("resource_type")->text == "reservation");
      CHECK(tr.get("resource_sid")->text == mine.get("reservation")->text);
    } else if (type == "worker.activity.update") {
      CHECK(tr.get("resource_sid")->text == mine.get("worker_sid")->text);
      CHECK(data->get("worker_activity_name")->text == mine.get("activity")->text);
    } else {
      CHECK(tr.get("resource_sid")->text == mine.get("task")->text);
    }
    if (const Json* queue = mine.get("queue_sid")) {
      CHECK(data->get("task_queue_sid")->text == queue->text);
    }
    if (const Json* reason = mine.get("reason")) {
      CHECK(data->get("task_canceled_reason")->text == reason->text);
    }
  }

  SECTION("an unknown format is a usage error") {
    const CliResult r = run_trsim({"run", scenario, "--events-format", "xml"}, scratch);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--events-format must be jsonl or taskrouter (got 'xml')"));
  }
}
