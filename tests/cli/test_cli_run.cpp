// `trsim run`: the summary JSON (SPEC §4), the event log, determinism through the command line
// (SPEC §5), --set overrides, --quiet, and output files that appear whole or not at all.
#include <regex>

#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const std::string kQuickstart = scenario_path("quickstart.yaml");

struct RunOutputs {
  CliResult result;
  std::string summary;  ///< the --json file
  std::string events;   ///< the --events file
};

/// `trsim run quickstart --json F --events E EXTRA...`, with F and E read back.
RunOutputs run_quickstart(const TempDir& dir, const std::vector<std::string>& extra) {
  static int counter = 0;
  const std::string tag = std::to_string(counter++);
  const std::string json = (fs::path(dir.path()) / ("summary-" + tag + ".json")).string();
  const std::string events = (fs::path(dir.path()) / ("events-" + tag + ".jsonl")).string();
  std::vector<std::string> args = {"run",      kQuickstart, "--json", json,
                                   "--events", events,      "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunOutputs o;
  o.result = run_trsim(args, dir);
  o.summary = read_file(json);
  o.events = read_file(events);
  return o;
}

void require_aggregate(const Json& root, const std::string& path) {
  INFO(path);
  const Json* a = root.at_path(path);
  REQUIRE(a);
  REQUIRE(a->is_object());
  CHECK(a->keys() == std::vector<std::string>{"mean", "ci95", "min", "max"});
  const Json* mean = a->get("mean");
  const Json* ci = a->get("ci95");
  const Json* min = a->get("min");
  const Json* max = a->get("max");
  REQUIRE((mean && min && max && ci));
  REQUIRE(mean->is_number());
  REQUIRE(min->is_number());
  REQUIRE(max->is_number());
  CHECK((ci->is_number() || ci->kind == Json::Kind::null));
  CHECK(min->number <= mean->number);
  CHECK(mean->number <= max->number);
}

}  // namespace

TEST_CASE("run writes the summary JSON with the SPEC 4 structure", "[cli][run]") {
  TempDir dir;
  const std::string json = (fs::path(dir.path()) / "summary.json").string();
  const std::string events = (fs::path(dir.path()) / "events.jsonl").string();
  const CliResult r = run_trsim(
      {"run", kQuickstart, "--replications", "2", "--json", json, "--events", events}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  // Without --quiet the human summary goes to stdout.
  CHECK(contains(r.out, "quickstart"));
  CHECK(contains(r.out, "workspace"));

  Json root;
  REQUIRE_NOTHROW(root = parse_json(read_file(json)));
  REQUIRE(root.is_object());
  CHECK(root.keys() == std::vector<std::string>{"scenario", "seed", "replications", "horizon",
                                                "warmup", "start", "timeout_activity", "expect",
                                                "statistics", "intervals", "runs"});
  CHECK(root.get("start")->text == "2026-03-02T08:00:00Z");
  CHECK(root.get("timeout_activity")->text == "Offline");
  // quickstart's expect: list, in order, with the bounds it states.
  const Json* expect = root.get("expect");
  REQUIRE(expect);
  REQUIRE(expect->items.size() == 3);
  CHECK(expect->items[0].get("metric")->text == "workspace.service_level.60");
  CHECK(expect->items[0].get("min")->number == 0.70);
  CHECK(!expect->items[0].get("max"));
  CHECK(expect->items[1].get("max")->number == 60);
  CHECK(root.get("scenario")->text == "quickstart");
  CHECK(root.get("seed")->text == "7");
  CHECK(root.get("replications")->text == "2");
  CHECK(root.get("horizon")->number == 28800);  // 8h, in seconds
  CHECK(root.get("warmup")->number == 1800);    // 30m

  const Json* stats = root.get("statistics");
  REQUIRE(stats);
  for (const char* group : {"workspace", "task_queues", "workflows", "workers"})
    CHECK(stats->get(group));
  for (const char* queue : {"Spanish", "English", "Chat"})
    CHECK(stats->at_path(std::string("task_queues.") + queue));
  CHECK(stats->at_path("workflows.support"));
  for (const char* group : {"bilingual", "english", "chat"})
    CHECK(stats->at_path(std::string("workers.") + group));

  for (const char* metric :
       {"workspace.tasks_created", "workspace.tasks_completed", "workspace.service_level.0",
        "workspace.service_level.20", "workspace.service_level.60", "workspace.abandon_rate",
        "workspace.occupancy", "task_queues.Spanish.avg_task_acceptance_time",
        "task_queues.English.service_level.20"})
    require_aggregate(*stats, metric);
  // Two replications give a confidence half-width.
  CHECK(stats->at_path("workspace.service_level.20.ci95")->is_number());

  const Json* runs = root.get("runs");
  REQUIRE(runs);
  REQUIRE(runs->kind == Json::Kind::array);
  REQUIRE(runs->items.size() == 2);
  for (const Json& run : runs->items) {
    CHECK(run.get("seed"));
    REQUIRE(run.get("events"));
    CHECK(run.get("events")->is_number());
    CHECK(run.get("events")->number > 0);
    const Json* created = run.at_path("statistics.workspace.tasks_created");
    REQUIRE(created);
    CHECK(created->is_number());  // plain numbers per replication
  }
  // The run's tasks_created range is the aggregate's min and max.
  const double a = runs->items[0].at_path("statistics.workspace.tasks_created")->number;
  const double b = runs->items[1].at_path("statistics.workspace.tasks_created")->number;
  CHECK(stats->at_path("workspace.tasks_created.min")->number == std::min(a, b));
  CHECK(stats->at_path("workspace.tasks_created.max")->number == std::max(a, b));
}

TEST_CASE("one replication gives a null ci95", "[cli][run]") {
  TempDir dir;
  const RunOutputs o = run_quickstart(dir, {"--replications", "1"});
  INFO(describe(o.result));
  REQUIRE(o.result.exit_code == 0);
  const Json root = parse_json(o.summary);
  CHECK(root.at_path("statistics.workspace.service_level.20.ci95")->kind == Json::Kind::null);
  CHECK(root.get("runs")->items.size() == 1);
}

TEST_CASE("the event log is JSON Lines with seq, t to exactly 6 decimals and type", "[cli][run]") {
  TempDir dir;
  const RunOutputs o = run_quickstart(dir, {"--replications", "2"});
  INFO(describe(o.result));
  REQUIRE(o.result.exit_code == 0);
  REQUIRE(!o.events.empty());
  CHECK(o.events.back() == '\n');
  const std::vector<std::string> lines = lines_of(o.events);
  REQUIRE(lines.size() > 1000);

  // The reader keeps values, not their spelling: the spelling of t is checked on the line itself.
  static const std::regex six_decimals(R"(^\{"seq":\d+,"t":\d+\.\d{6},)");
  std::int64_t last_rep = -1;
  double last_seq = 0;
  double last_t = 0;
  std::vector<std::string> bad;  // the first few offending lines, with the reason
  for (std::size_t i = 0; i < lines.size() && bad.size() < 5; ++i) {
    const std::string& line = lines[i];
    auto complain = [&](const std::string& why) {
      bad.push_back("line " + std::to_string(i + 1) + ": " + why + ": " + line);
    };
    if (line.rfind("{\"seq\":", 0) != 0) {
      complain("does not start with {\"seq\":");
      continue;
    }
    Json e;
    try {
      e = parse_json(line);
    } catch (const std::exception& ex) {
      complain(ex.what());
      continue;
    }
    const Json* seq = e.get("seq");
    const Json* t = e.get("t");
    const Json* type = e.get("type");
    const Json* rep = e.get("rep");  // present because there is more than one replication
    if (!seq || !seq->is_number()) {
      complain("no numeric seq");
      continue;
    }
    if (!t || !t->is_number() || !std::regex_search(line, six_decimals)) {
      complain("t is not written with exactly 6 decimals");
      continue;
    }
    if (!type || type->kind != Json::Kind::string || type->text.empty()) {
      complain("no type");
      continue;
    }
    if (!rep || !rep->is_number()) {
      complain("no rep");
      continue;
    }
    // In processing order: replications one after the other; within one, seq counts from 1 and
    // time never goes back.
    const auto r = static_cast<std::int64_t>(rep->number);
    if (r != last_rep) {
      if (r != last_rep + 1 || seq->number != 1)
        complain("a replication that does not start at seq 1 after the previous one");
      last_rep = r;
    } else if (seq->number != last_seq + 1 || t->number < last_t) {
      complain("out of order");
    }
    last_seq = seq->number;
    last_t = t->number;
  }
  INFO(joined(bad));
  CHECK(bad.empty());
  CHECK(last_rep == 1);
  CHECK(contains(o.events, "\"type\":\"task.created\""));
  CHECK(contains(o.events, "\"type\":\"reservation.accepted\""));
  CHECK(contains(o.events, "\"type\":\"task.completed\""));
}

TEST_CASE("the same command twice gives byte-identical summary and event log",
          "[cli][determinism]") {
  TempDir dir;
  const RunOutputs first = run_quickstart(dir, {"--replications", "2"});
  const RunOutputs second = run_quickstart(dir, {"--replications", "2"});
  INFO(describe(first.result));
  REQUIRE(first.result.exit_code == 0);
  REQUIRE(second.result.exit_code == 0);
  REQUIRE(!first.summary.empty());
  REQUIRE(!first.events.empty());
  CHECK(first.summary == second.summary);
  CHECK(first.events == second.events);
}

TEST_CASE("running on 1, 2 or 8 threads gives byte-identical summary and event log",
          "[cli][determinism]") {
  TempDir dir;
  const RunOutputs one = run_quickstart(dir, {"--replications", "4", "--threads", "1"});
  const RunOutputs two = run_quickstart(dir, {"--replications", "4", "--threads", "2"});
  const RunOutputs many = run_quickstart(dir, {"--replications", "4", "--threads", "8"});
  INFO(describe(two.result));
  REQUIRE(one.result.exit_code == 0);
  REQUIRE(two.result.exit_code == 0);
  REQUIRE(many.result.exit_code == 0);
  REQUIRE(!one.summary.empty());
  CHECK(one.summary == two.summary);
  CHECK(one.events == two.events);
  CHECK(one.summary == many.summary);
  CHECK(one.events == many.events);
}

TEST_CASE("a different --seed gives a different summary, and the summary records the seed",
          "[cli][determinism]") {
  TempDir dir;
  const RunOutputs base = run_quickstart(dir, {"--replications", "2"});
  const RunOutputs other = run_quickstart(dir, {"--replications", "2", "--seed", "8"});
  INFO(describe(other.result));
  REQUIRE(base.result.exit_code == 0);
  REQUIRE(other.result.exit_code == 0);
  CHECK(base.summary != other.summary);
  CHECK(base.events != other.events);
  CHECK(parse_json(other.summary).get("seed")->text == "8");
  // --seed 7 is the scenario's own seed: the same results as no --seed at all.
  const RunOutputs same = run_quickstart(dir, {"--replications", "2", "--seed", "7"});
  CHECK(base.summary == same.summary);
}

TEST_CASE(
    "overriding workflows.support.task_reservation_timeout=15s with --set changes the results",
    "[cli][set]") {
  TempDir dir;
  const RunOutputs base = run_quickstart(dir, {"--replications", "2"});
  const RunOutputs shorter = run_quickstart(
      dir, {"--replications", "2", "--set", "workflows.support.task_reservation_timeout=15s"});
  INFO(describe(shorter.result));
  REQUIRE(base.result.exit_code == 0);
  REQUIRE(shorter.result.exit_code == 0);
  CHECK(base.summary != shorter.summary);
  // Setting the value the scenario already has changes nothing.
  const RunOutputs same = run_quickstart(
      dir, {"--replications", "2", "--set", "workflows.support.task_reservation_timeout=30s"});
  REQUIRE(same.result.exit_code == 0);
  CHECK(base.summary == same.summary);
  CHECK(base.events == same.events);
}

TEST_CASE("a --set path the scenario does not have exits 2 with a diagnostic", "[cli][set]") {
  TempDir dir;
  for (const char* verb : {"run", "validate", "check"}) {
    const CliResult r = run_trsim(
        {verb, kQuickstart, "--set", "workflows.nosuch.task_reservation_timeout=15s"}, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "nosuch"));
  }
}

TEST_CASE("an invalid --set value exits 2 with a diagnostic", "[cli][set]") {
  TempDir dir;
  for (const char* value : {"workflows.support.task_reservation_timeout=0s",
                            "workflows.support.task_reservation_timeout=soon", "horizon=-1h"}) {
    const CliResult r = run_trsim({"run", kQuickstart, "--set", value}, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(!r.err.empty());
  }
}

TEST_CASE("a --set without '=' exits 2 with a diagnostic", "[cli][set]") {
  TempDir dir;
  const CliResult r = run_trsim({"run", kQuickstart, "--set", "horizon"}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "horizon"));
}

TEST_CASE("run --quiet prints nothing on stdout but still writes the files", "[cli][run]") {
  TempDir dir;
  const std::string json = (fs::path(dir.path()) / "summary.json").string();
  const CliResult r =
      run_trsim({"run", kQuickstart, "--replications", "1", "--quiet", "--json", json}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK_NOTHROW(parse_json(read_file(json)));
}

TEST_CASE("run --json - writes only the summary JSON on stdout", "[cli][run]") {
  TempDir dir;
  const CliResult r = run_trsim({"run", kQuickstart, "--replications", "1", "--json", "-"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  Json root;
  REQUIRE_NOTHROW(root = parse_json(r.out));  // no human summary mixed in
  CHECK(root.get("scenario")->text == "quickstart");
  // The same bytes as --json FILE.
  const RunOutputs file = run_quickstart(dir, {"--replications", "1"});
  CHECK(file.summary == r.out);
}

TEST_CASE("run --events - writes only the event log on stdout", "[cli][run]") {
  TempDir dir;
  const CliResult r = run_trsim({"run", kQuickstart, "--replications", "1", "--events", "-"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const RunOutputs file = run_quickstart(dir, {"--replications", "1"});
  CHECK(file.events == r.out);
}

TEST_CASE("an unwritable --json path exits 2 before the run and leaves no file", "[cli][files]") {
  TempDir dir;
  const std::string events = (fs::path(dir.path()) / "events.jsonl").string();
  const CliResult r =
      run_trsim({"run", kQuickstart, "--json", "/nonexistent-dir/x.json", "--events", events}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());  // no summary printed: the run never started
  CHECK(contains(r.err, "/nonexistent-dir/x.json"));
  CHECK_FALSE(fs::exists("/nonexistent-dir/x.json"));
  CHECK(files_in(dir.path()).empty());  // the events file was not even begun
}

TEST_CASE("an unwritable --events path exits 2 and removes the summary file already begun",
          "[cli][files]") {
  TempDir dir;
  const std::string json = (fs::path(dir.path()) / "summary.json").string();
  const CliResult r =
      run_trsim({"run", kQuickstart, "--json", json, "--events", "/nonexistent-dir/e.jsonl"}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "/nonexistent-dir/e.jsonl"));
  CHECK(files_in(dir.path()).empty());
}

TEST_CASE("a folder given as the --json path exits 2 before the run", "[cli][files]") {
  TempDir dir;
  const std::string folder = (fs::path(dir.path()) / "out").string();
  fs::create_directories(folder);
  const CliResult r = run_trsim({"run", kQuickstart, "--json", folder}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(contains(r.err, folder));
  CHECK(fs::is_directory(folder));
  CHECK(files_in(dir.path()) == std::vector<std::string>{"out"});
  CHECK(files_in(folder).empty());
}

TEST_CASE("a successful run leaves exactly its output files and no .tmp-trsim files",
          "[cli][files]") {
  TempDir dir;
  const std::string json = (fs::path(dir.path()) / "summary.json").string();
  const std::string events = (fs::path(dir.path()) / "events.jsonl").string();
  std::ofstream(json) << "stale contents from an earlier run";
  const CliResult r = run_trsim(
      {"run", kQuickstart, "--replications", "2", "--json", json, "--events", events, "--quiet"},
      dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(files_in(dir.path()) == std::vector<std::string>{"events.jsonl", "summary.json"});
  CHECK_NOTHROW(parse_json(read_file(json)));  // replaced whole
}

TEST_CASE("run --check-invariants on the quickstart succeeds and changes no result", "[cli][run]") {
  TempDir dir;
  const RunOutputs checked = run_quickstart(dir, {"--replications", "2", "--check-invariants"});
  const RunOutputs plain = run_quickstart(dir, {"--replications", "2"});
  INFO(describe(checked.result));
  CHECK(checked.result.exit_code == 0);
  CHECK(checked.result.err.empty());
  CHECK(checked.summary == plain.summary);  // checking observes, never changes
}

TEST_CASE("run with --json and --events naming the same destination exits 2 before the run",
          "[cli][files]") {
  TempDir dir;
  const std::string same = (fs::path(dir.path()) / "out.json").string();
  for (const std::string& target : {same, std::string("-")}) {
    const CliResult r = run_trsim({"run", kQuickstart, "--json", target, "--events", target}, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, target));
    CHECK(files_in(dir.path()).empty());
  }
}
