// The runner: results, summary JSON and event log independent of the number of threads; the
// summary JSON's exact layout.
#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "trsim/loader.hpp"
#include "trsim/random.hpp"
#include "trsim/runner.hpp"
#include "trsim/scenario.hpp"

using namespace trsim;

namespace {

// One queue, one workflow, three agents who mostly accept, callers who abandon: a small scenario
// with every kind of event, built without the loader.
Scenario make_scenario(std::uint32_t replications) {
  Scenario s;
  s.name = "runner \"test\"";
  s.seed = 42;
  s.horizon = 30 * 60 * kMicrosPerSecond;
  s.warmup = 60 * kMicrosPerSecond;
  s.replications = replications;
  s.activities = {{"Offline", make_sid("WA", "activity:Offline"), false},
                  {"Available", make_sid("WA", "activity:Available"), true},
                  {"Unavailable", make_sid("WA", "activity:Unavailable"), false}};
  s.workspace.default_activity = 0;
  s.workspace.timeout_activity = 0;
  s.channels = {{"default"}};

  TaskQueue q;
  q.name = "Everyone";
  q.sid = make_sid("WQ", "queue:Everyone");
  s.task_queues.push_back(q);

  Workflow wf;
  wf.name = "main";
  wf.sid = make_sid("WW", "workflow:main");
  wf.task_reservation_timeout = 20 * kMicrosPerSecond;
  wf.default_target.queue = 0;
  s.workflows.push_back(wf);

  Behavior b;
  b.name = "typical";
  b.p_accept = 0.8;
  b.p_reject = 0.1;
  b.p_no_response = 0.1;
  b.response_time = Distribution::exponential(5);
  b.return_after = Distribution::exponential(60);
  b.after_timeout_activity = 1;
  b.wrapup_time = Distribution::constant(10);
  s.behaviors.push_back(b);

  WorkerGroup g;
  g.name = "agents";
  g.first_worker = 0;
  g.count = 3;
  g.behavior = 0;
  s.worker_groups.push_back(g);
  for (int i = 0; i < 3; ++i) {
    Worker w;
    w.name = "agent-" + std::to_string(i);
    w.sid = make_sid("WK", w.name);
    w.group = 0;
    w.attributes = Value::object();
    w.initial_activity = 1;
    w.capacity = {1};
    s.workers.push_back(w);
  }

  ArrivalStream a;
  a.name = "calls";
  a.workflow = 0;
  a.channel = 0;
  a.attributes = Value::object();
  a.rate_per_second = 1.0 / 30;
  a.handle_time = Distribution::exponential(120);
  a.patience = Distribution::exponential(120);
  s.arrivals.push_back(a);
  return s;
}

struct Output {
  std::string summary;
  std::string events;
  RunSummary result;
};

Output run(const Scenario& s, std::uint32_t threads) {
  std::ostringstream events;
  RunSettings settings;
  settings.threads = threads;
  settings.events = &events;
  settings.check_invariants = true;
  Output out;
  out.result = run_scenario(s, settings);
  out.summary = summary_json(s, out.result);
  out.events = events.str();
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("summary and event log are byte-identical for every thread count", "[runner]") {
  const Scenario s = make_scenario(5);
  const Output one = run(s, 1);
  REQUIRE(one.result.runs.size() == 5);
  REQUIRE_FALSE(one.events.empty());
  for (std::uint32_t threads : {2u, 3u, 8u}) {
    INFO("threads " << threads);
    const Output many = run(s, threads);
    CHECK(many.summary == one.summary);
    CHECK(many.events == one.events);
  }
}

// Without an event log the engine skips the events no collector reads (StatisticsCollector::reads,
// IntervalCollector::reads): if a collector came to read one of them, its statistics would differ
// with and without the log. Every bundled scenario, two replications (warm-up, schedules, skips,
// workflow timeouts, TTL, abandonment and parked workers between them).
TEST_CASE("summaries are byte-identical with and without the event log", "[runner]") {
  const char* names[] = {"quickstart.yaml",      "support-centre.yaml", "chat-centre.yaml",
                         "timeout-cascade.yaml", "trace-day.yaml",      "warmup-backlog.yaml",
                         "sweep-timeout.yaml",   "tune-timeout.yaml",   "check-fail.yaml"};
  for (const char* name : names) {
    INFO(name);
    LoadOptions options;
    options.overrides = {"replications=2"};
    LoadResult loaded = load_scenario_file(std::string(TRSIM_SCENARIO_DIR) + "/" + name, options);
    REQUIRE(loaded.ok());
    const Scenario& s = *loaded.scenario;
    const Output logged = run(s, 1);
    REQUIRE_FALSE(logged.events.empty());
    RunSettings quiet;
    const std::string unlogged = summary_json(s, run_scenario(s, quiet));
    CHECK(unlogged == logged.summary);
  }
}

TEST_CASE("runs are stored in replication order with their own seeds", "[runner]") {
  const Scenario s = make_scenario(4);
  const Output out = run(s, 3);
  REQUIRE(out.result.runs.size() == 4);
  for (std::uint32_t i = 0; i < 4; ++i) {
    CHECK(out.result.runs[i].replication == i);
    CHECK(out.result.runs[i].seed == replication_seed(42, i));
    CHECK(out.result.runs[i].events > 0);
  }
  // Different replications see different random streams.
  CHECK(out.result.runs[0].events != out.result.runs[1].events);
  const AggregateNode* created = out.result.statistics.find("workspace.tasks_created");
  REQUIRE(created != nullptr);
  CHECK(created->value.n == 4);
}

TEST_CASE("the event log of several replications carries rep, with seq restarting", "[runner]") {
  const Scenario s = make_scenario(3);
  const Output out = run(s, 2);
  const auto lines = lines_of(out.events);
  std::vector<std::uint32_t> firsts;  // the rep of each line with seq 1
  for (const std::string& line : lines) {
    REQUIRE(line.find(",\"type\":\"") != std::string::npos);
    REQUIRE(line.find(",\"rep\":") != std::string::npos);
    if (line.rfind("{\"seq\":1,", 0) == 0) {
      const auto at = line.find(",\"rep\":") + 7;
      firsts.push_back(static_cast<std::uint32_t>(std::stoul(line.substr(at))));
    }
  }
  CHECK(firsts == std::vector<std::uint32_t>{0, 1, 2});
}

TEST_CASE("a single replication's log names its replication on every line too", "[runner]") {
  const Scenario s = make_scenario(1);
  const Output out = run(s, 4);
  REQUIRE_FALSE(out.events.empty());
  std::size_t lines = 0, with_rep = 0;
  for (std::size_t at = 0; at < out.events.size(); at = out.events.find('\n', at) + 1) {
    ++lines;
    const std::string line = out.events.substr(at, out.events.find('\n', at) - at);
    if (line.find(",\"rep\":0,") != std::string::npos) ++with_rep;
  }
  CHECK(with_rep == lines);
  CHECK(out.events.rfind("{\"seq\":1,\"t\":", 0) == 0);
}

TEST_CASE("progress is reported once per replication", "[runner]") {
  const Scenario s = make_scenario(5);
  for (std::uint32_t threads : {1u, 3u}) {
    std::vector<std::uint32_t> done;
    RunSettings settings;
    settings.threads = threads;
    settings.on_progress = [&done](std::uint32_t d, std::uint32_t total) {
      CHECK(total == 5);
      done.push_back(d);
    };
    run_scenario(s, settings);
    CHECK(done == std::vector<std::uint32_t>{1, 2, 3, 4, 5});
  }
}

TEST_CASE("an exception in a worker thread reaches the caller", "[runner]") {
  const Scenario s = make_scenario(4);
  std::ostringstream events;
  RunSettings settings;
  settings.threads = 2;
  settings.events = &events;
  settings.on_progress = [](std::uint32_t, std::uint32_t) { throw std::runtime_error("boom"); };
  CHECK_THROWS_WITH(run_scenario(s, settings), "boom");
}

TEST_CASE("the summary JSON has a stable, documented layout", "[runner]") {
  Scenario s;
  s.name = "tiny";
  s.seed = 18446744073709551615ull;  // all 64 bits survive
  s.replications = 2;
  s.horizon = 3600 * kMicrosPerSecond;
  s.warmup = 1'500'000;
  s.start_epoch_seconds = 1772438400;  // 2026-03-02T08:00:00Z
  s.activities.push_back({"Offline", "WA1", false});
  s.workspace.timeout_activity = 0;
  s.expectations.push_back(
      {"workspace.service_level.20", 0.8, std::nullopt, false, {}, std::nullopt});
  s.expectations.push_back({"workspace.abandon_rate", std::nullopt, 0.05, true, {}, std::nullopt});

  RunSummary summary;
  for (std::uint32_t i = 0; i < 2; ++i) {
    ReplicationResult r;
    r.replication = i;
    r.seed = 100 + i;
    r.events = 10 + i;
    r.end_time = 3'600'500'000;
    r.statistics = MetricNode::group("statistics");
    MetricNode& ws = r.statistics.add_group("workspace");
    ws.add("tasks_created", i == 0 ? 4 : 6);
    ws.add("abandon_rate", kNull);
    r.statistics.add_group("task_queues");
    // Two 30-minute intervals; the workspace and one worker group, which has only the activity
    // column.
    IntervalTable& t = r.intervals;
    t.length = 1800 * kMicrosPerSecond;
    t.horizon = 3600 * kMicrosPerSecond;
    t.count = 2;
    t.scopes = {{IntervalScope::Kind::workspace, "workspace"},
                {IntervalScope::Kind::group, "agents"}};
    t.columns = {"offered", "service_level.20", "workers.Available"};
    t.defined = {1, 1, 1, 0, 0, 1};
    t.values = {i == 0 ? 3.0 : 5.0,
                i == 0 ? 0.5 : 1.0,
                2,
                kNull,
                kNull,
                2,  // interval 0
                1,
                kNull,
                i == 0 ? 1.5 : 0.5,
                kNull,
                kNull,
                i == 0 ? 1.5 : 0.5};  // interval 1
    summary.runs.push_back(r);
  }
  summary.statistics = aggregate_trees({&summary.runs[0].statistics, &summary.runs[1].statistics});
  summary.intervals = aggregate_intervals(summary.runs);
  const auto ci_of = [](std::vector<double> values) {
    std::string text;
    append_json_number(text, aggregate(values).ci95);
    return text;
  };
  const AggregateNode* created = summary.statistics.find("workspace.tasks_created");
  REQUIRE(created != nullptr);
  const double ci = created->value.ci95;  // 12.706 * 1.414 / sqrt(2): computed by statistics.cpp
  std::string ci_text;
  append_json_number(ci_text, ci);

  const std::string expected =
      "{\n"
      "  \"scenario\": \"tiny\",\n"
      "  \"seed\": 18446744073709551615,\n"
      "  \"replications\": 2,\n"
      "  \"horizon\": 3600,\n"
      "  \"warmup\": 1.5,\n"
      "  \"start\": \"2026-03-02T08:00:00Z\",\n"
      "  \"timeout_activity\": \"Offline\",\n"
      "  \"expect\": [\n"
      "    {\"metric\": \"workspace.service_level.20\", \"min\": 0.8, \"ci\": false},\n"
      "    {\"metric\": \"workspace.abandon_rate\", \"max\": 0.05, \"ci\": true}\n"
      "  ],\n"
      "  \"statistics\": {\n"
      "    \"workspace\": {\n"
      "      \"tasks_created\": {\"mean\": 5, \"ci95\": " +
      ci_text +
      ", \"min\": 4, \"max\": 6},\n"
      "      \"abandon_rate\": {\"mean\": null, \"ci95\": null, \"min\": null, \"max\": null}\n"
      "    },\n"
      "    \"task_queues\": {}\n"
      "  },\n"
      "  \"intervals\": {\n"
      "    \"length\": 1800,\n"
      "    \"start\": [0, 1800],\n"
      "    \"end\": [1800, 3600],\n"
      "    \"workspace\": {\n"
      "      \"offered\": {\"mean\": [4, 1], \"ci95\": [" +
      ci_of({3, 5}) +
      ", 0]},\n"
      "      \"service_level\": {\n"
      "        \"20\": {\"mean\": [0.75, null], \"ci95\": [" +
      ci_of({0.5, 1}) +
      ", null]}\n"
      "      },\n"
      "      \"workers\": {\n"
      "        \"Available\": {\"mean\": [2, 1], \"ci95\": [0, " +
      ci_of({1.5, 0.5}) +
      "]}\n"
      "      }\n"
      "    },\n"
      "    \"task_queues\": {},\n"
      "    \"workers\": {\n"
      "      \"agents\": {\n"
      "        \"workers\": {\n"
      "          \"Available\": {\"mean\": [2, 1], \"ci95\": [0, " +
      ci_of({1.5, 0.5}) +
      "]}\n"
      "        }\n"
      "      }\n"
      "    }\n"
      "  },\n"
      "  \"runs\": [\n"
      "    {\n"
      "      \"replication\": 0,\n"
      "      \"seed\": 100,\n"
      "      \"events\": 10,\n"
      "      \"end_time\": 3600.5,\n"
      "      \"statistics\": {\n"
      "        \"workspace\": {\n"
      "          \"tasks_created\": 4,\n"
      "          \"abandon_rate\": null\n"
      "        },\n"
      "        \"task_queues\": {}\n"
      "      },\n"
      "      \"intervals\": {\n"
      "        \"workspace\": {\n"
      "          \"offered\": [3, 1],\n"
      "          \"service_level\": {\n"
      "            \"20\": [0.5, null]\n"
      "          },\n"
      "          \"workers\": {\n"
      "            \"Available\": [2, 1.5]\n"
      "          }\n"
      "        },\n"
      "        \"task_queues\": {},\n"
      "        \"workers\": {\n"
      "          \"agents\": {\n"
      "            \"workers\": {\n"
      "              \"Available\": [2, 1.5]\n"
      "            }\n"
      "          }\n"
      "        }\n"
      "      }\n"
      "    },\n"
      "    {\n"
      "      \"replication\": 1,\n"
      "      \"seed\": 101,\n"
      "      \"events\": 11,\n"
      "      \"end_time\": 3600.5,\n"
      "      \"statistics\": {\n"
      "        \"workspace\": {\n"
      "          \"tasks_created\": 6,\n"
      "          \"abandon_rate\": null\n"
      "        },\n"
      "        \"task_queues\": {}\n"
      "      },\n"
      "      \"intervals\": {\n"
      "        \"workspace\": {\n"
      "          \"offered\": [5, 1],\n"
      "          \"service_level\": {\n"
      "            \"20\": [1, null]\n"
      "          },\n"
      "          \"workers\": {\n"
      "            \"Available\": [2, 0.5]\n"
      "          }\n"
      "        },\n"
      "        \"task_queues\": {},\n"
      "        \"workers\": {\n"
      "          \"agents\": {\n"
      "            \"workers\": {\n"
      "              \"Available\": [2, 0.5]\n"
      "            }\n"
      "          }\n"
      "        }\n"
      "      }\n"
      "    }\n"
      "  ]\n"
      "}\n";
  CHECK(summary_json(s, summary) == expected);
}
