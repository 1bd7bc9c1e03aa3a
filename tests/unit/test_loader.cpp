// The loader turns the §2 scenario format into a validated Scenario: names resolved to ids,
// defaults filled in, sids derived, distributions and expressions built, workers expanded.
#include <catch2/catch.hpp>
#include <string>

#include "trsim/loader.hpp"
#include "trsim/scenario.hpp"

using namespace trsim;

namespace {

// The SPEC §2 example, verbatim apart from a declared queue sid and a second workflow.
constexpr const char* kSpecExample = R"yaml(
name: support-desk
seed: 7
start: 2026-03-02T08:00:00Z
horizon: 8h
warmup: 30m
replications: 10
statistics: {service_level_thresholds: [0, 20, 60], interval: 30m}

workspace: {multi_task: true, timeout_activity: Offline, default_activity: Offline}
activities: {Offline: {available: false}, Available: {available: true}, Break: {available: false}}
channels: {voice: {}, chat: {}, email: {}}

task_queues:
  Spanish: {target_workers: "languages HAS 'es'"}
  Everyone: {target_workers: "1==1", task_order: FIFO, max_reserved_workers: 1,
             sid: WQ0123456789abcdef0123456789abcdef}

workflows:
  main:
    task_reservation_timeout: 30s
    configuration:
      task_routing:
        filters:
          - filter_friendly_name: spanish
            expression: "language == 'es'"
            targets: [{queue: Spanish, timeout: 60, priority: 5, order_by: "worker.level DESC"},
                      {timeout: 1m30s}, {queue: Everyone}]
        default_filter: {queue: Everyone}

behaviors:
  typical:
    outcome: {accept: 0.93, reject: 0.02, no_response: 0.05}
    response_time: {lognormal: {mean: 6s, sd: 4s}}
    reject_activity: Break
    after_timeout: {return_after: {exponential: {mean: 10m}}, activity: Available}
    wrapup_time: 30s

workers:
  es-agents:
    count: 12
    name: "es-{i}"
    attributes: {languages: [en, es], level: 3}
    channels: {voice: 1, chat: 2}
    behavior: typical
    activity: Available
    schedule: [{at: 4h, activity: Break}, {at: 4h15m, activity: Available}]
  lead:
    count: 1
    sid: WK00000000000000000000000000000001

arrivals:
  spanish-calls:
    workflow: main
    channel: voice
    attributes: {language: es, type: {pick: {sales: 0.3, support: 0.7}}, customer: {tier: {pick: {1: 0.5, 2: 0.5}}}}
    rate: 90/h
    handle_time: {lognormal: {mean: 6m, sd: 3m}}
    patience: {exponential: {mean: 3m}}
    priority: 0
    timeout: 24h
  email:
    channel: email
    rates: {interval: 1h, per_hour: [0, 30, 60]}
    handle_time: 1h30m

expect:
  - {metric: workspace.service_level.20, min: 0.80}
  - {metric: task_queues.Spanish.avg_task_acceptance_time, max: 30, ci: true}
)yaml";

LoadResult load(const std::string& yaml, std::vector<std::string> overrides = {}) {
  LoadOptions options;
  options.overrides = std::move(overrides);
  return load_scenario_text(yaml, "support.yaml", TRSIM_TEST_DATA_DIR, options);
}

std::string all_messages(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.format() + "\n";
  return out;
}

// Asserts that loading failed with a diagnostic at `where` ("FILE:LINE:COL") containing `text`.
void require_error(const LoadResult& r, const std::string& where, const std::string& text) {
  INFO(all_messages(r));
  REQUIRE_FALSE(r.ok());
  bool found = false;
  for (const Diagnostic& d : r.diagnostics) {
    const std::string f = d.format();
    if (f.rfind(where + ": ", 0) == 0 && f.find(text) != std::string::npos) found = true;
  }
  CHECK(found);
}

const Scenario& require_ok(const LoadResult& r) {
  INFO(all_messages(r));
  REQUIRE(r.ok());
  return *r.scenario;
}

}  // namespace

TEST_CASE("the SPEC example loads with names resolved to ids, sids and defaults", "[loader]") {
  const LoadResult r = load(kSpecExample);
  const Scenario& sc = require_ok(r);
  CHECK(r.diagnostics.empty());

  CHECK(sc.name == "support-desk");
  CHECK(sc.seed == 7);
  CHECK(sc.start_epoch_seconds == 1772438400);  // 2026-03-02T08:00:00Z
  CHECK(sc.horizon == 8 * 3600 * kMicrosPerSecond);
  CHECK(sc.warmup == 30 * 60 * kMicrosPerSecond);
  CHECK(sc.drain);
  CHECK(sc.replications == 10);
  CHECK(sc.statistics.service_level_thresholds == std::vector<double>{0, 20, 60});
  CHECK(sc.statistics.interval == 1800 * kMicrosPerSecond);

  REQUIRE(sc.activities.size() == 3);
  CHECK(sc.activities[1].name == "Available");
  CHECK(sc.activities[1].available);
  CHECK_FALSE(sc.activities[2].available);
  CHECK(sc.activities[2].sid == make_sid("WA", "activity:Break"));
  CHECK(sc.workspace.default_activity == sc.activity_by_name_or_none("Offline"));
  CHECK(sc.workspace.timeout_activity == 0);
  CHECK(sc.workspace.multi_task);

  // The five built-in channels first, then declared ones that are new.
  REQUIRE(sc.channels.size() == 6);
  CHECK(sc.channels[0].name == "voice");
  CHECK(sc.channels[4].name == "default");
  CHECK(sc.channels[5].name == "email");

  REQUIRE(sc.task_queues.size() == 2);
  const TaskQueue& spanish = sc.task_queues[0];
  CHECK(spanish.name == "Spanish");
  CHECK(spanish.sid == make_sid("WQ", "queue:Spanish"));
  CHECK(spanish.sid.size() == 34);
  CHECK(spanish.max_reserved_workers == 1);
  CHECK(spanish.where.line == 15);
  CHECK(spanish.where.column == 3);
  CHECK(sc.task_queues[1].sid == "WQ0123456789abcdef0123456789abcdef");
  CHECK(sc.task_queues[1].task_order == TaskOrder::fifo);

  // target_workers is compiled: evaluate it against a Spanish speaker and an English one.
  Value es =
      Value::object({{"languages", Value::array({Value::string("en"), Value::string("es")})}});
  Value en = Value::object({{"languages", Value::array({Value::string("en")})}});
  WorkerFacts es_worker{&es, "WK1", "es-1", "Available", {}, "WA1", true};
  WorkerFacts en_worker{&en, "WK2", "en-1", "Available", {}, "WA1", true};
  EvalContext ctx;
  ctx.worker = &es_worker;
  CHECK(spanish.target_workers.evaluate(ctx));
  ctx.worker = &en_worker;
  CHECK_FALSE(spanish.target_workers.evaluate(ctx));

  REQUIRE(sc.workflows.size() == 1);
  const Workflow& main = sc.workflows[0];
  CHECK(main.sid == make_sid("WW", "workflow:main"));
  CHECK(main.task_reservation_timeout == 30 * kMicrosPerSecond);
  CHECK_FALSE(main.reservation_timeout_advances_step);
  REQUIRE(main.filters.size() == 1);
  const WorkflowFilter& f = main.filters[0];
  CHECK(f.name == "spanish");
  Value task = Value::object({{"language", Value::string("es")}});
  EvalContext task_ctx;
  task_ctx.task = &task;
  CHECK(f.expression.evaluate(task_ctx));
  REQUIRE(f.targets.size() == 3);
  CHECK(f.targets[0].queue == 0);
  CHECK(f.targets[0].timeout == 60 * kMicrosPerSecond);
  CHECK(f.targets[0].priority == 5);
  REQUIRE(f.targets[0].order_by.size() == 1);
  CHECK(f.targets[0].order_by[0].attribute == "level");
  CHECK(f.targets[0].order_by[0].descending);
  CHECK(f.targets[1].queue == 0);  // inherited from the previous target
  CHECK(f.targets[1].timeout == 90 * kMicrosPerSecond);
  CHECK(f.targets[2].queue == 1);
  CHECK_FALSE(f.targets[2].timeout.has_value());
  CHECK(main.default_target.queue == 1);

  REQUIRE(sc.behaviors.size() == 2);  // typical, and the built-in default for the lead
  const Behavior& typical = sc.behaviors[0];
  CHECK(typical.p_accept == Approx(0.93));
  CHECK(typical.p_no_response == Approx(0.05));
  CHECK(typical.response_time.kind() == Distribution::Kind::lognormal);
  CHECK(typical.response_time.mean() == Approx(6.0));
  CHECK(typical.reject_activity == 2);
  REQUIRE(typical.return_after.has_value());
  CHECK(typical.return_after->kind() == Distribution::Kind::exponential);
  CHECK(typical.return_after->mean() == Approx(600.0));
  CHECK(typical.after_timeout_activity == 1);
  CHECK(typical.wrapup_time.kind() == Distribution::Kind::constant);
  CHECK(typical.wrapup_time.mean() == Approx(30.0));
  CHECK(sc.behaviors[1].name == "default");
  CHECK(sc.behaviors[1].p_accept == 1.0);

  REQUIRE(sc.worker_groups.size() == 2);
  const WorkerGroup& g = sc.worker_groups[0];
  CHECK(g.count == 12);
  CHECK(g.first_worker == 0);
  CHECK(g.behavior == 0);
  REQUIRE(g.schedule.size() == 2);
  CHECK(g.schedule[1].at == (4 * 3600 + 15 * 60) * kMicrosPerSecond);
  CHECK(g.schedule[1].activity == 1);
  CHECK(sc.worker_groups[1].behavior == 1);
  CHECK(sc.worker_groups[1].first_worker == 12);

  REQUIRE(sc.workers.size() == 13);
  CHECK(sc.workers[0].name == "es-1");
  CHECK(sc.workers[11].name == "es-12");
  CHECK(sc.workers[11].sid == make_sid("WK", "worker:es-12"));
  CHECK(sc.workers[11].initial_activity == 1);
  REQUIRE(sc.workers[0].capacity.size() == 6);
  CHECK(sc.workers[0].capacity[0] == 1);  // voice
  CHECK(sc.workers[0].capacity[1] == 2);  // chat
  CHECK(sc.workers[0].capacity[5] == 1);  // email: unspecified
  CHECK(to_json(sc.workers[0].attributes) == R"({"languages":["en","es"],"level":3})");
  CHECK(sc.workers[12].name == "lead-1");
  CHECK(sc.workers[12].sid == "WK00000000000000000000000000000001");
  CHECK(sc.workers[12].initial_activity == sc.workspace.default_activity);

  REQUIRE(sc.arrivals.size() == 2);
  const ArrivalStream& calls = sc.arrivals[0];
  CHECK(calls.workflow == 0);
  CHECK(calls.channel == 0);
  CHECK(calls.kind == ArrivalStream::Kind::poisson);
  CHECK(calls.rate_per_second == Approx(90.0 / 3600.0));
  CHECK(to_json(calls.attributes) == R"({"language":"es","customer":{}})");
  REQUIRE(calls.picks.size() == 2);
  CHECK(calls.picks[0].path == "type");
  REQUIRE(calls.picks[0].options.size() == 2);
  CHECK(calls.picks[0].options[0].first == Value::string("sales"));
  CHECK(calls.picks[0].options[0].second == Approx(0.3));
  CHECK(calls.picks[1].path == "customer.tier");
  CHECK(calls.picks[1].options[1].first == Value::number(2));  // numeric keys stay numbers
  CHECK(calls.handle_time.kind() == Distribution::Kind::lognormal);
  CHECK(calls.handle_time.mean() == Approx(360.0));
  REQUIRE(calls.patience.has_value());
  CHECK(calls.ttl == 86400 * kMicrosPerSecond);

  const ArrivalStream& email = sc.arrivals[1];
  CHECK(email.workflow == 0);  // the only workflow
  CHECK(email.channel == 5);
  CHECK(email.kind == ArrivalStream::Kind::piecewise);
  CHECK(email.rate_interval == 3600 * kMicrosPerSecond);
  REQUIRE(email.rates_per_second.size() == 3);
  CHECK(email.rates_per_second[2] == Approx(60.0 / 3600.0));
  CHECK(email.handle_time.mean() == Approx(5400.0));
  CHECK_FALSE(email.patience.has_value());

  REQUIRE(sc.expectations.size() == 2);
  CHECK(sc.expectations[0].metric == "workspace.service_level.20");
  CHECK(sc.expectations[0].min == 0.80);
  CHECK_FALSE(sc.expectations[0].max.has_value());
  CHECK(sc.expectations[1].require_ci);
}

TEST_CASE("a minimal scenario gets the documented defaults", "[loader]") {
  const LoadResult r = load_scenario_text("workers: {agents: {}}\n", "dir/minimal.yaml", "dir");
  const Scenario& sc = require_ok(r);
  CHECK(sc.name == "minimal");  // the file stem
  CHECK(sc.source_file == "dir/minimal.yaml");
  CHECK(sc.seed == 1);
  CHECK(sc.horizon == 8 * 3600 * kMicrosPerSecond);
  CHECK(sc.warmup == 0);
  CHECK(sc.drain);
  CHECK(sc.replications == 1);
  CHECK(sc.start_epoch_seconds == 0);
  CHECK(sc.statistics.service_level_thresholds == std::vector<double>{0, 20, 60});
  CHECK(sc.statistics.interval == 1800 * kMicrosPerSecond);
  REQUIRE(sc.activities.size() == 3);
  CHECK(sc.activities[0].name == "Offline");
  CHECK(sc.activities[1].name == "Available");
  CHECK(sc.activities[1].available);
  CHECK(sc.activities[2].name == "Unavailable");
  CHECK(sc.workspace.default_activity == 0);
  CHECK(sc.workspace.timeout_activity == 0);
  CHECK(sc.channels.size() == 5);
  REQUIRE(sc.workers.size() == 1);
  CHECK(sc.workers[0].name == "agents-1");
  CHECK(sc.workers[0].initial_activity == 0);
  CHECK(sc.workers[0].attributes.is_object());
  REQUIRE(sc.behaviors.size() == 1);
  CHECK(sc.behaviors[0].name == "default");
}

TEST_CASE("make_sid is a prefix and 32 lowercase hex digits, stable per key", "[loader]") {
  const std::string sid = make_sid("WQ", "queue:Spanish");
  REQUIRE(sid.size() == 34);
  CHECK(sid.substr(0, 2) == "WQ");
  CHECK(sid.find_first_not_of("0123456789abcdef", 2) == std::string::npos);
  CHECK(sid == make_sid("WQ", "queue:Spanish"));
  CHECK(sid != make_sid("WQ", "queue:spanish"));
}

TEST_CASE("durations and rates are read in their units", "[loader]") {
  const LoadResult r = load(R"(
horizon: 1h30m
warmup: 90
statistics: {interval: 500ms, service_level_thresholds: [0, 1m]}
workflows: {w: {task_reservation_timeout: "2m", configuration: {task_routing: {filters: []}}}}
arrivals:
  a: {rate: 3/m, handle_time: {uniform: {min: 1s, max: 2m}}}
  b: {rate: 0.5, handle_time: {weibull: {shape: 1.5, scale: 1m}}}
  c: {rate: 120/h, handle_time: {empirical: [1m, 90, 2m30s]}}
  d: {rate: 1/d, handle_time: {empirical: {file: handle_times.csv}}}
  e: {rate: 1, handle_time: {gamma: {mean: 1m, sd: 30s}}, timeout: 14d}
  f: {rate: 1, handle_time: {normal: {mean: 0, sd: 30s}}, patience: {constant: 45s}}
)");
  const Scenario& sc = require_ok(r);
  CHECK(sc.horizon == 5400 * kMicrosPerSecond);
  CHECK(sc.warmup == 90 * kMicrosPerSecond);
  CHECK(sc.statistics.interval == 500'000);
  CHECK(sc.statistics.service_level_thresholds == std::vector<double>{0, 60});
  CHECK(sc.workflows[0].task_reservation_timeout == 120 * kMicrosPerSecond);
  CHECK(sc.workflows[0].default_target.queue ==
        kNoId);  // no default filter: unmatched tasks cancel
  CHECK(sc.arrivals[0].rate_per_second == Approx(0.05));
  CHECK(sc.arrivals[0].handle_time.kind() == Distribution::Kind::uniform);
  CHECK(sc.arrivals[0].handle_time.mean() == Approx(60.5));
  CHECK(sc.arrivals[1].rate_per_second == 0.5);
  CHECK(sc.arrivals[1].handle_time.kind() == Distribution::Kind::weibull);
  CHECK(sc.arrivals[2].rate_per_second == Approx(1.0 / 30.0));
  CHECK(sc.arrivals[2].handle_time.mean() == Approx(100.0));
  CHECK(sc.arrivals[3].rate_per_second == Approx(1.0 / 86400.0));
  CHECK(sc.arrivals[3].handle_time.kind() == Distribution::Kind::empirical);
  CHECK(sc.arrivals[3].handle_time.mean() == Approx((120 + 180 + 90.5) / 3.0));
  CHECK(sc.arrivals[4].handle_time.mean() == Approx(60.0));
  CHECK(sc.arrivals[4].ttl == 14 * 86400 * kMicrosPerSecond);
  CHECK(sc.arrivals[5].patience->mean() == Approx(45.0));
}

TEST_CASE("overrides replace values before validation", "[loader][overrides]") {
  SECTION("top-level, nested and dotted paths") {
    const LoadResult r =
        load(kSpecExample,
             {"seed=9", "workflows.main.task_reservation_timeout=45s",
              "task_queues.Everyone.max_reserved_workers=2", "workers.es-agents.count=20"});
    const Scenario& sc = require_ok(r);
    CHECK(sc.seed == 9);
    CHECK(sc.workflows[0].task_reservation_timeout == 45 * kMicrosPerSecond);
    CHECK(sc.task_queues[1].max_reserved_workers == 2);
    CHECK(sc.worker_groups[0].count == 20);
    CHECK(sc.workers.size() == 21);
  }
  SECTION("a sequence index") {
    const LoadResult r = load(
        kSpecExample, {"workflows.main.configuration.task_routing.filters.0.targets.0.timeout=2m",
                       "expect.1.max=45"});
    const Scenario& sc = require_ok(r);
    CHECK(sc.workflows[0].filters[0].targets[0].timeout == 120 * kMicrosPerSecond);
    CHECK(sc.expectations[1].max == 45);
  }
  SECTION("a created final key, and a created fixed section") {
    const LoadResult r =
        load(kSpecExample, {"workflows.main.reservation_timeout_advances_step=true",
                            "behaviors.typical.after_task_activity=Break"});
    const Scenario& sc = require_ok(r);
    CHECK(sc.workflows[0].reservation_timeout_advances_step);
    const LoadResult minimal = load("workers: {a: {count: 2}}\n", {"workspace.multi_task=false"});
    CHECK_FALSE(require_ok(minimal).workspace.multi_task);
  }
  SECTION("a bad path is reported in the override with a hint") {
    const LoadResult r = load(kSpecExample, {"seed=9", "workers.es-agnts.count=20"});
    require_error(r, "--set:2:9", "no 'es-agnts' in 'workers'; did you mean 'es-agents'?");
    const LoadResult top = load(kSpecExample, {"horizn.x=8h"});
    require_error(top, "--set:1:1", "no 'horizn' at the top level; did you mean 'horizon'?");
    const LoadResult index = load(kSpecExample, {"expect.5.min=1"});
    require_error(index, "--set:1:8", "'5' is not an index of the list 'expect'");
    const LoadResult no_equals = load(kSpecExample, {"seed"});
    require_error(no_equals, "--set:1:1", "expected PATH=VALUE");
  }
  SECTION("later errors about an overridden value point at the override") {
    const LoadResult r = load(kSpecExample, {"replications=lots"});
    require_error(r, "--set:1:14", "expected an integer for 'replications', got 'lots'");
    const LoadResult x = load(kSpecExample, {"task_queues.Spanish.target_workers=\"a-b == 1\""});
    require_error(x, "--set:1:38", "hyphens are not allowed");
    const LoadResult created = load(kSpecExample, {"workspace.multitask=false"});
    require_error(created, "--set:1:11",
                  "unknown key 'multitask' in 'workspace'; did you mean 'multi_task'?");
  }
}

TEST_CASE("a configuration_file holds an exported TaskRouter workflow that refers to queue sids",
          "[loader]") {
  const LoadResult r = load(R"(
task_queues:
  Spanish: {sid: WQ0123456789abcdef0123456789abcdef, target_workers: "languages HAS 'es'"}
  Everyone: {sid: WQfedcba9876543210fedcba9876543210}
workflows:
  exported: {configuration_file: taskrouter_workflow.json, reservation_timeout_advances_step: true}
)");
  const Scenario& sc = require_ok(r);
  const Workflow& w = sc.workflows[0];
  CHECK(w.reservation_timeout_advances_step);
  REQUIRE(w.filters.size() == 2);
  const WorkflowFilter& vip = w.filters[0];
  CHECK(vip.name == "VIP Spanish");
  CHECK(vip.where.file == std::string(TRSIM_TEST_DATA_DIR) + "/taskrouter_workflow.json");
  CHECK(vip.where.line == 4);  // the filter's opening brace
  REQUIRE(vip.targets.size() == 3);
  CHECK(vip.targets[0].queue == 0);
  CHECK(vip.targets[0].priority == 10);
  CHECK(vip.targets[0].timeout == 30 * kMicrosPerSecond);
  REQUIRE(vip.targets[0].order_by.size() == 2);
  CHECK(vip.targets[0].order_by[1].attribute == "experience");
  CHECK_FALSE(vip.targets[0].order_by[1].descending);
  REQUIRE(vip.targets[0].expression.has_value());
  CHECK(vip.targets[0].expression->scope() == ExpressionScope::target);
  REQUIRE(vip.targets[0].skip_if.has_value());
  CHECK(vip.targets[1].queue == 0);  // inherited
  CHECK(vip.targets[1].known_worker_sid_attribute == "preferred_agent");
  CHECK(vip.targets[2].queue == 1);
  CHECK(w.filters[1].name == "Callbacks");
  CHECK(w.filters[1].targets[0].queue == 1);  // by name
  CHECK(w.filters[1].targets[0].known_worker_name_attribute == "last_agent");
  CHECK(w.default_target.queue == 1);

  SECTION("errors inside the file are reported in the file") {
    const LoadResult bad = load(R"(
task_queues: {Spanish: {}, Everyone: {}}
workflows: {exported: {configuration_file: taskrouter_workflow.json}}
)");
    require_error(bad, std::string(TRSIM_TEST_DATA_DIR) + "/taskrouter_workflow.json:9:22",
                  "unknown task queue sid 'WQ0123456789abcdef0123456789abcdef'");
  }
}

// TaskRouter's Workflow resource: "configuration: The JSON string that contains the rules to
// apply to the Workflow." (OpenAPI description, taskrouter.v1.workspace.workflow)
TEST_CASE("a configuration_file may hold a Workflow resource whose configuration is a string",
          "[loader]") {
  constexpr const char* kQueues = R"(
task_queues:
  Sales: {sid: WQ0123456789abcdef0123456789abcdef}
  Everyone: {sid: WQfedcba9876543210fedcba9876543210}
)";
  const LoadResult r = load(std::string(kQueues) + R"(
workflows:
  exported: {configuration_file: taskrouter_workflow_resource.json}
)");
  const Scenario& sc = require_ok(r);
  const Workflow& w = sc.workflows[0];
  CHECK(w.sid == "WW11111111111111111111111111111111");  // taken from the resource
  CHECK(w.task_reservation_timeout == 120 * kMicrosPerSecond);
  REQUIRE(w.filters.size() == 1);
  CHECK(w.filters[0].name == "Sales");
  REQUIRE(w.filters[0].targets.size() == 2);
  CHECK(w.filters[0].targets[0].queue == 0);
  CHECK(w.filters[0].targets[0].timeout == 30 * kMicrosPerSecond);
  CHECK(w.default_target.queue == 1);
  // The filter is located at its character inside the configuration string.
  CHECK(w.filters[0].where.file ==
        std::string(TRSIM_TEST_DATA_DIR) + "/taskrouter_workflow_resource.json");
  CHECK(w.filters[0].where.line == 4);
  CHECK(w.filters[0].where.column == 53);  // its opening brace

  SECTION("the scenario's own settings win over the resource's") {
    const LoadResult own = load(std::string(kQueues) + R"(
workflows:
  exported: {configuration_file: taskrouter_workflow_resource.json, task_reservation_timeout: 45}
)");
    CHECK(require_ok(own).workflows[0].task_reservation_timeout == 45 * kMicrosPerSecond);
  }
  SECTION("--set reaches a step of a workflow loaded from a file by the inline path") {
    const LoadResult set =
        load(std::string(kQueues) +
                 "workflows: {exported: {configuration_file: "
                 "taskrouter_workflow_resource.json}}\n",
             {"workflows.exported.configuration.task_routing.filters.0.targets.0.timeout=75"});
    CHECK(require_ok(set).workflows[0].filters[0].targets[0].timeout == 75 * kMicrosPerSecond);
    const LoadResult plain =
        load(std::string(kQueues) +
                 "workflows: {exported: {configuration_file: taskrouter_workflow.json}}\n",
             {"workflows.exported.configuration.task_routing.filters.0.targets.0.timeout=75"});
    CHECK(require_ok(plain).workflows[0].filters[0].targets[0].timeout == 75 * kMicrosPerSecond);
    const LoadResult bad =
        load(std::string(kQueues) +
                 "workflows: {exported: {configuration_file: taskrouter_workflow.json}}\n",
             {"workflows.exported.configuration.task_routing.filters.0.targets.0.timeout=0"});
    require_error(bad, "--set:1:75", "a target's 'timeout' must be > 0");
  }
  SECTION("--set may still replace the file itself") {
    const LoadResult other =
        load(std::string(kQueues) +
                 "workflows: {exported: {configuration_file: taskrouter_workflow.json}}\n",
             {"workflows.exported.configuration_file=taskrouter_workflow_resource.json"});
    CHECK(require_ok(other).workflows[0].filters[0].name == "Sales");
  }
  SECTION("a sweep path reaches it too") {
    const LoadResult sweep = load(std::string(kQueues) + R"(
workflows:
  exported: {configuration_file: taskrouter_workflow_resource.json}
sweep:
  workflows.exported.configuration.task_routing.filters.0.targets.0.timeout: [20, 40]
)");
    require_ok(sweep);
  }
}

// TaskRouter's task attributes are JSON ("attributes: The JSON string with custom attributes of
// the work", OpenAPI taskrouter.v1.workspace.task), where a phone number is a string.
TEST_CASE("a trace takes ISO 8601 times, a JSON attributes column and JSON number literals",
          "[loader]") {
  const LoadResult r = load(R"(
start: 2026-03-02T08:30:00Z
workflows: {w: {configuration: {task_routing: {filters: []}}}}
arrivals:
  replay: {trace: trace_taskrouter.csv, handle_time: 5m}
)");
  const Scenario& sc = require_ok(r);
  const ArrivalStream& s = sc.arrivals[0];
  REQUIRE(s.trace.size() == 2);
  CHECK(s.trace[0].time == 30 * 60 * kMicrosPerSecond);  // 09:00Z, from the start 08:30Z
  CHECK(s.trace[1].time == 30 * 60 * kMicrosPerSecond + 30'250'000);  // 09:00:30.25Z
  // The JSON object merges into the row; "+12625876034" and "00501" are no JSON numbers, so
  // they stay strings; "1." is no JSON number either; quoting keeps "42" a string.
  CHECK(
      to_json(s.trace[0].attributes) ==
      R"({"type":"sales","customer":{"tier":2,"name":"Ana"},"from":"+12625876034","zip":"00501","count":12,"ratio":-0.5,"code":"42"})");
  CHECK(to_json(s.trace[1].attributes) ==
        R"({"customer":{"tier":3},"from":"+1555","zip":0,"count":350,"ratio":"1.","code":7})");

  SECTION("a date-time before the start is an error at its cell") {
    const LoadResult late = load(R"(
start: 2026-03-02T09:30:00Z
workflows: {w: {configuration: {task_routing: {filters: []}}}}
arrivals:
  replay: {trace: trace_taskrouter.csv, handle_time: 5m}
)");
    require_error(
        late, std::string(TRSIM_TEST_DATA_DIR) + "/trace_taskrouter.csv:2:1",
        "time 2026-03-02T09:00:00Z is before the scenario's start (2026-03-02T09:30:00Z)");
  }
}

TEST_CASE("a trace CSV replays its rows with per-row channel, priority and attributes",
          "[loader]") {
  const LoadResult r = load(R"(
channels: {voice: {}}
workflows: {w: {configuration: {task_routing: {filters: []}}}}
arrivals:
  replay: {trace: trace.csv, channel: sms, attributes: {source: trace, type: unknown}}
)");
  const Scenario& sc = require_ok(r);
  const ArrivalStream& s = sc.arrivals[0];
  CHECK(s.kind == ArrivalStream::Kind::trace);
  CHECK(s.channel == 2);
  REQUIRE(s.trace.size() == 3);
  CHECK(s.trace[0].time == 0);
  CHECK(s.trace[1].time == 30 * kMicrosPerSecond);
  CHECK(s.trace[2].time == 90 * kMicrosPerSecond);
  CHECK(s.trace[0].handle_time == 300 * kMicrosPerSecond);
  CHECK(s.trace[2].handle_time == 300 * kMicrosPerSecond);
  CHECK_FALSE(s.trace[0].priority.has_value());  // empty cell: absent
  CHECK(s.trace[1].priority == 5);
  CHECK(s.trace[0].channel == 0);
  CHECK(s.trace[1].channel == kNoId);  // the stream's channel
  CHECK(s.trace[2].channel == 1);
  CHECK(to_json(s.trace[0].attributes) ==
        R"({"type":"sales","customer":{"tier":2,"name":"Smith, John"},"vip":true})");
  CHECK(
      to_json(s.trace[1].attributes) ==
      R"({"type":"support","customer":{"tier":1,"name":"O\"Brien"},"note":"plain text","vip":false})");
  CHECK(to_json(s.trace[2].attributes) ==
        R"({"type":"support","customer":{"name":"Ana"},"note":"multi\nline"})");
  CHECK(to_json(s.attributes) == R"({"source":"trace","type":"unknown"})");
}

TEST_CASE("every problem is reported, in file order, without cascades", "[loader]") {
  const LoadResult r = load(R"(horizon: 8x
seed: -1
task_queues:
  Q: {target_workers: "a ==", max_reserved_workers: 0}
workers:
  a: {count: two, activity: Avialable, behavior: nobody}
)");
  REQUIRE_FALSE(r.ok());
  std::vector<std::string> lines;
  for (const Diagnostic& d : r.diagnostics) lines.push_back(d.format());
  INFO(all_messages(r));
  REQUIRE(lines.size() == 7);
  CHECK(lines[0].rfind("support.yaml:1:10: 'horizon': invalid duration '8x'", 0) == 0);
  CHECK(lines[1].rfind("support.yaml:2:7: expected a non-negative integer for 'seed'", 0) == 0);
  // The expression ends early: the error points at the closing quote, just past "a ==".
  CHECK(lines[2].rfind("support.yaml:4:28: bad expression in 'target_workers'", 0) == 0);
  CHECK(lines[3].rfind("support.yaml:4:53: 'max_reserved_workers' must be between 1 and 50 (got 0)",
                       0) == 0);
  CHECK(lines[4].rfind("support.yaml:6:14: expected an integer for 'count', got 'two'", 0) == 0);
  CHECK(lines[5] == "support.yaml:6:29: unknown activity 'Avialable'; did you mean 'Available'?");
  CHECK(lines[6] == "support.yaml:6:50: unknown behavior 'nobody' (no behavior is declared)");
}

TEST_CASE("references into a section that failed to load are not reported again", "[loader]") {
  const LoadResult r = load(R"(
activities: [Offline, Available]
workers: {a: {activity: Available}}
)");
  INFO(all_messages(r));
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].format() ==
        "support.yaml:2:13: expected a map for 'activities', got a list");
}

TEST_CASE("hostile input never crashes or hangs", "[loader]") {
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  CHECK_FALSE(load(deep).ok());
  CHECK_FALSE(load("workers: {a: {attributes: &x {self: *x}}}").ok());
  CHECK_FALSE(load("a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                   "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n")
                  .ok());
  CHECK_FALSE(load(std::string("\0\xff\xfe: [", 5)).ok());
  CHECK_FALSE(load("---\na: 1\n---\nb: 2\n").ok());
  // yaml-cpp 0.7's LoadAll loops forever (allocating) on a stray comma; the loader must not.
  require_error(load(","), "support.yaml:1:1", "unexpected ','");
  require_error(load("{seed: 1},"), "support.yaml:1:10", "unexpected ','");
  require_error(load("seed: 1\n", {"seed=,"}), "--set:1:6", "unexpected ','");
  CHECK_FALSE(load_scenario_file("/nonexistent/scenario.yaml").ok());
  CHECK_FALSE(load(kSpecExample, {"=", ".", "a..b=1", "workers.es-agents.count=[1,"}).ok());
}
