// `trsim sweep` and `trsim merge` (SPEC §3, §7): the grid's rows in order, the JSON schema,
// output identical for any --threads, shards merged byte for byte into the unsharded output, and
// every usage and merge error exiting 2 with its message.
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const std::string kSweepScenario = scenario_path("sweep-timeout.yaml");

std::string in(const TempDir& dir, const std::string& name) {
  return (fs::path(dir.path()) / name).string();
}

// The sweep-timeout scenario's own grid (3 timeouts × 2 agent counts), 2 replications each.
std::vector<std::string> sweep_args(std::vector<std::string> extra) {
  std::vector<std::string> args = {"sweep", kSweepScenario, "--replications", "2", "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

CliResult must_run(const std::vector<std::string>& args, const TempDir& dir) {
  const CliResult r = run_trsim(args, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  return r;
}

void require_usage_error(const CliResult& r, const std::string& message) {
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, message));
}

}  // namespace

TEST_CASE("sweep runs the sweep block's grid in order, the first parameter slowest",
          "[cli][sweep]") {
  TempDir dir;
  const CliResult r = must_run(sweep_args({"--csv", "-"}), dir);
  const std::vector<std::string> rows = lines_of(r.out);
  REQUIRE(rows.size() == 7);
  CHECK(rows[0].rfind("workflows.main.task_reservation_timeout,workflows.main.task_reservation_"
                      "timeout.value,workers.agents.count,workers.agents.count.value,"
                      "workspace.tasks_created.mean,workspace.tasks_created.ci95,"
                      "workspace.tasks_created.diff,workspace.tasks_created.diff_ci95,",
                      0) == 0);
  // Each value as written, then in base units (seconds for a duration).
  const std::vector<std::string> expected = {"15s,15,10,10,", "15s,15,12,12,", "30s,30,10,10,",
                                             "30s,30,12,12,", "60s,60,10,10,", "60s,60,12,12,"};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(rows[i + 1]);
    CHECK(rows[i + 1].rfind(expected[i], 0) == 0);
  }
  // The baseline row has no difference; the others do.
  CHECK(contains(rows[1], ",,"));

  // A single-value --set on a path of the block fixes it and drops it from the grid.
  const std::vector<std::string> fixed =
      lines_of(must_run(sweep_args({"--set", "workers.agents.count=11", "--csv", "-"}), dir).out);
  REQUIRE(fixed.size() == 4);
  CHECK(fixed[0].rfind(
            "workflows.main.task_reservation_timeout,workflows.main.task_reservation_timeout.value,"
            "workspace.",
            0) == 0);
  CHECK(fixed[1].rfind("15s,15,", 0) == 0);
  CHECK(fixed[3].rfind("60s,60,", 0) == 0);
}

TEST_CASE("sweep --set lists form the grid, and single values fix a setting for every point",
          "[cli][sweep]") {
  TempDir dir;
  const std::string json = in(dir, "sweep.json");
  const CliResult r = must_run(
      sweep_args({"--set", "workers.agents.count=9,11", "--set",
                  "workflows.main.task_reservation_timeout=20s", "--set", "name=[a, \"b,c\"]",
                  "--metric", "workspace.service_level.20", "--json", json, "--csv", "-"}),
      dir);
  const std::vector<std::string> rows = lines_of(r.out);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] ==
        "workers.agents.count,workers.agents.count.value,name,name.value,"
        "workspace.service_level.20.mean,workspace.service_level.20.ci95,"
        "workspace.service_level.20.diff,workspace.service_level.20.diff_ci95");
  // Each value as written, then as a number in base units (empty for text).
  CHECK(rows[1].rfind("9,9,a,,", 0) == 0);
  CHECK(rows[2].rfind("9,9,\"\"\"b,c\"\"\",,", 0) == 0);
  CHECK(rows[3].rfind("11,11,a,,", 0) == 0);
  CHECK(rows[4].rfind("11,11,\"\"\"b,c\"\"\",,", 0) == 0);

  const Json root = parse_json(read_file(json));
  CHECK(root.keys() == std::vector<std::string>{"scenario", "version", "seed", "replications",
                                                "parameters", "baseline", "metrics", "points"});
  CHECK(root.get("scenario")->text == "sweep-timeout");
  CHECK(root.get("version")->text == TRSIM_VERSION);
  CHECK(root.get("replications")->text == "2");
  REQUIRE(root.get("parameters")->items.size() == 2);
  CHECK(root.get("parameters")->items[1].text == "name");
  const std::vector<Json>& points = root.get("points")->items;
  REQUIRE(points.size() == 4);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Json& p = points[i];
    CHECK(p.keys() == std::vector<std::string>{"index", "values", "replications", "metrics",
                                               "difference", "statistics"});
    CHECK(p.get("index")->number == static_cast<double>(i));
    CHECK(p.at_path("values.workers.agents.count") == nullptr);  // keys are whole paths
    CHECK(p.get("values")->get("workers.agents.count")->text == (i < 2 ? "9" : "11"));
    CHECK(p.get("metrics")->get("workspace.service_level.20")->keys() ==
          std::vector<std::string>{"mean", "ci95", "min", "max"});
    if (i == 0) {
      CHECK(p.get("difference")->kind == Json::Kind::null);
    } else {
      CHECK(p.get("difference")->get("workspace.service_level.20")->keys() ==
            std::vector<std::string>{"mean", "ci95"});
    }
    CHECK(p.at_path("statistics.workspace.tasks_created.mean") != nullptr);
  }
  // The fixed override applies to every point.
  CHECK(points[0].at_path("statistics.workspace.reservations_created.mean")->number > 0);
}

TEST_CASE("a sweep prints the same table and writes the same files for 1 and 3 threads",
          "[cli][sweep]") {
  TempDir dir;
  std::vector<std::string> outputs;
  for (const char* threads : {"1", "3"}) {
    const std::string tag = threads;
    const CliResult r =
        must_run({"sweep", kSweepScenario, "--replications", "3", "--threads", threads, "--csv",
                  in(dir, "s" + tag + ".csv"), "--json", in(dir, "s" + tag + ".json")},
                 dir);
    outputs.push_back(r.out + read_file(in(dir, "s" + tag + ".csv")) +
                      read_file(in(dir, "s" + tag + ".json")));
  }
  CHECK(contains(outputs[0], "paired difference to point 0"));
  CHECK(outputs[0] == outputs[1]);
}

TEST_CASE("merged shards are byte-identical to the unsharded sweep, for any number of shards",
          "[cli][sweep]") {
  TempDir dir;
  must_run(sweep_args({"--csv", in(dir, "whole.csv"), "--json", in(dir, "whole.json")}), dir);
  const std::string whole_csv = read_file(in(dir, "whole.csv"));
  const std::string whole_json = read_file(in(dir, "whole.json"));
  REQUIRE_FALSE(whole_json.empty());
  // 6 points × 2 replications = 12 units; 13 and 20 shards leave some empty.
  for (const int n : {1, 4, 13, 20}) {
    INFO(n << " shards");
    std::vector<std::string> merge = {"merge", "--quiet"};
    for (int k = 0; k < n; ++k) {
      const std::string part =
          in(dir, "part-" + std::to_string(n) + "-" + std::to_string(k) + ".json");
      must_run(sweep_args({"--shard", std::to_string(k) + "/" + std::to_string(n), "--json", part,
                           "--threads", "2"}),
               dir);
      merge.push_back(part);
    }
    merge.insert(merge.end(), {"--csv", in(dir, "merged.csv"), "--json", in(dir, "merged.json")});
    must_run(merge, dir);
    CHECK(read_file(in(dir, "merged.csv")) == whole_csv);
    CHECK(read_file(in(dir, "merged.json")) == whole_json);
  }
}

TEST_CASE("merge rejects missing, repeated, foreign and malformed parts with exit 2",
          "[cli][sweep]") {
  TempDir dir;
  const auto shard = [&](const std::string& name, const std::string& slice,
                         std::vector<std::string> extra) {
    std::vector<std::string> args = sweep_args({"--shard", slice, "--json", in(dir, name)});
    args.insert(args.end(), extra.begin(), extra.end());
    must_run(args, dir);
    return in(dir, name);
  };
  const std::string a = shard("a.json", "0/2", {});
  const std::string b = shard("b.json", "1/2", {});
  must_run({"merge", a, b, "--quiet"}, dir);

  require_usage_error(
      run_trsim({"merge", a}, dir),
      "no part holds unit (point 3, replication 0): the part of shard 1/2 is missing");
  require_usage_error(run_trsim({"merge", a, b, b}, dir),
                      b + ": unit (point 3, replication 0) is also in " + b);
  const std::string other_grid = shard("grid.json", "1/2", {"--set", "workers.agents.count=10,13"});
  require_usage_error(run_trsim({"merge", a, other_grid}, dir),
                      other_grid + ": comes from another scenario or other overrides than " + a);
  const std::string other_set = shard("set.json", "1/2", {"--set", "statistics.interval=1h"});
  require_usage_error(run_trsim({"merge", a, other_set}, dir), "comes from another scenario");
  const std::string other_seed = shard("seed.json", "1/2", {"--seed", "99"});
  require_usage_error(run_trsim({"merge", a, other_seed}, dir), "comes from another scenario");

  const std::string broken = dir.write("broken.json", "{\"kind\": \"trsim-sweep-partial\",\n");
  require_usage_error(run_trsim({"merge", a, broken}, dir), broken + ":2:1: ");
  const std::string summary = dir.write("summary.json", "{\"scenario\": \"x\"}\n");
  require_usage_error(run_trsim({"merge", a, summary}, dir),
                      summary + ": not a partial sweep result");
  require_usage_error(run_trsim({"merge", a, in(dir, "absent.json")}, dir),
                      in(dir, "absent.json") + ": cannot read it (No such file or directory)");
  require_usage_error(run_trsim({"merge"}, dir), "no parts given");
}

TEST_CASE("sweep usage errors exit 2 before running anything", "[cli][sweep]") {
  TempDir dir;
  const std::string quick = scenario_path("quickstart.yaml");
  require_usage_error(run_trsim({"sweep", quick}, dir), "nothing to sweep");
  require_usage_error(run_trsim({"sweep", quick, "--set", "workers.english.count=1,,2"}, dir),
                      "empty value before the comma");
  require_usage_error(run_trsim({"sweep", quick, "--set", "workers.english.count=[1,2"}, dir),
                      "unclosed bracket");
  require_usage_error(run_trsim({"sweep", quick, "--set", "workers.english.count=1,1"}, dir),
                      "listed twice");
  require_usage_error(run_trsim({"sweep", quick, "--set", "workers.english.count=1,2", "--set",
                                 "workers.english.count=3"},
                                dir),
                      "is both swept and fixed");
  for (const char* bad : {"2/2", "1", "a/3", "-1/3", "1/0", "1/2/3"})
    require_usage_error(run_trsim(sweep_args({"--shard", bad, "--json", in(dir, "p.json")}), dir),
                        "--shard expects K/N");
  require_usage_error(run_trsim(sweep_args({"--shard", "0/2"}), dir), "--shard writes a partial");
  require_usage_error(run_trsim(sweep_args({"--shard", "0/2", "--json", in(dir, "p.json"),
                                            "--precision", "workspace.abandon_rate=0.01"}),
                                dir),
                      "--precision and --shard cannot be combined");
  require_usage_error(run_trsim(sweep_args({"--precision", "workspace.abandon_rate"}), dir),
                      "--precision expects METRIC=HALF_WIDTH");
  require_usage_error(run_trsim(sweep_args({"--baseline", "6"}), dir),
                      "--baseline 6 is not a point");
  require_usage_error(run_trsim(sweep_args({"--metric", "workspace.nonsense"}), dir),
                      "--metric workspace.nonsense: no such number");
  require_usage_error(run_trsim({"sweep", quick, "--set", "workers.english.count=5,x"}, dir),
                      "point 1 (workers.english.count=x) is invalid");
  // Outputs are checked before the run.
  require_usage_error(run_trsim(sweep_args({"--json", in(dir, "no/such/folder/s.json")}), dir),
                      "cannot write");
  CHECK(files_in(dir.path()).size() <= 2);  // only the captured stdout/stderr, if any
}

TEST_CASE("a bad sweep block is a FILE:LINE:COL error, and a bad value names its point",
          "[cli][sweep]") {
  TempDir dir;
  const std::string text = read_file(kSweepScenario);
  const std::string unknown = dir.write("unknown.yaml", text + "  workers.agentz.count: [1, 2]\n");
  const int line = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  require_usage_error(run_trsim({"sweep", unknown}, dir),
                      unknown + ":" + std::to_string(line) +
                          ":3: sweep: no 'agentz' in 'workers'; did you mean 'agents'?");
  std::string bad_value = text;
  bad_value.replace(bad_value.find("[10, 12]"), 8, "[10, -3]");
  const std::string path = dir.write("bad-value.yaml", bad_value);
  const CliResult r = run_trsim({"sweep", path}, dir);
  require_usage_error(r,
                      "trsim sweep: point 1 (workflows.main.task_reservation_timeout=15s, "
                      "workers.agents.count=-3) is invalid:\n" +
                          path + ":" + std::to_string(line - 1) + ":3: 'count' must be between");
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 2);  // once, not once per point
}

TEST_CASE("sweep --precision reaches the half-width with the same replications in every point",
          "[cli][sweep]") {
  TempDir dir;
  const std::string json = in(dir, "p.json");
  must_run({"sweep", kSweepScenario, "--replications", "3", "--set", "workers.agents.count=10,12",
            "--set", "workflows.main.task_reservation_timeout=30s", "--metric",
            "workspace.service_level.20", "--precision", "workspace.service_level.20=0.03",
            "--threads", "2", "--quiet", "--json", json},
           dir);
  const Json root = parse_json(read_file(json));
  const Json* precision = root.get("precision");
  REQUIRE(precision);
  CHECK(precision->get("met")->boolean);
  const double reps = root.get("replications")->number;
  CHECK(reps > 3);
  for (const Json& p : root.get("points")->items) {
    CHECK(p.get("replications")->number == reps);
    CHECK(p.at_path("metrics")->get("workspace.service_level.20")->get("ci95")->number <= 0.03);
  }
  const CliResult capped =
      must_run({"sweep", kSweepScenario, "--replications", "2", "--precision",
                "workspace.service_level.20=0.000001", "--max-replications", "4", "--quiet"},
               dir);
  CHECK(contains(capped.err, "the precision targets were not met within 4 replications"));
  // Without a grid, --precision runs the scenario alone (one point) to the precision.
  const CliResult alone = must_run({"sweep", scenario_path("check-pass.yaml"), "--replications",
                                    "2", "--metric", "workspace.service_level.20", "--precision",
                                    "workspace.service_level.20=0.05", "--csv", "-"},
                                   dir);
  const std::vector<std::string> rows = lines_of(alone.out);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].rfind("workspace.service_level.20.mean,", 0) == 0);
  const std::string ci95 = rows[1].substr(rows[1].find(',') + 1);
  CHECK(std::stod(ci95.substr(0, ci95.find(','))) <= 0.05);
}

TEST_CASE("sweep and merge --help show their options and examples", "[cli][sweep]") {
  TempDir dir;
  const CliResult sweep = must_run({"sweep", "--help"}, dir);
  for (const char* option : {"--set", "--csv", "--json", "--metric", "--baseline", "--shard",
                             "--precision", "--max-replications", "examples:"})
    CHECK(contains(sweep.out, option));
  const CliResult merge = must_run({"merge", "--help"}, dir);
  for (const char* option : {"--csv", "--json", "examples:"}) CHECK(contains(merge.out, option));
}
