// `warmup: auto` from the command line: on a day that starts with a backlog (the agents log in an
// hour late) the chosen warm-up lies after the backlog and before the middle of the horizon, and
// is reported in the summary JSON and the human summary.
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

TEST_CASE("warmup auto cuts the backlog of a late start and reports the choice", "[cli][warmup]") {
  TempDir dir;
  const CliResult r = run_trsim({"run", scenario_path("warmup-backlog.yaml"), "--json", "-"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const Json summary = parse_json(r.out);
  const double warmup = summary.get("warmup")->number;
  // Nobody answers before 1 h and the backlog of ~100 calls takes over an hour to clear at
  // 5.7 spare Erlangs; the horizon is 8 h.
  CHECK(warmup > 1.5 * 3600);
  CHECK(warmup < 4 * 3600);
  const Json* automatic = summary.get("warmup_auto");
  REQUIRE(automatic);
  CHECK(automatic->get("method")->text == "MSER-5");
  const double d = automatic->get("batches_truncated")->number;
  CHECK(d > 0);
  CHECK(d < automatic->get("batches")->number / 2);
  CHECK(automatic->get("tasks_truncated")->number == 5 * d);

  // The statistics count only the tasks after the chosen warm-up: the same run with warmup 0
  // counts more tasks and a worse service level (the backlog's waits).
  const CliResult plain = run_trsim(
      {"run", scenario_path("warmup-backlog.yaml"), "--set", "warmup=0", "--json", "-"}, dir);
  REQUIRE(plain.exit_code == 0);
  const Json all = parse_json(plain.out);
  CHECK(all.get("warmup_auto") == nullptr);
  CHECK(summary.at_path("statistics.workspace.tasks_created.mean")->number <
        all.at_path("statistics.workspace.tasks_created.mean")->number);
  CHECK(summary.at_path("statistics.workspace.service_level.20.mean")->number >
        all.at_path("statistics.workspace.service_level.20.mean")->number + 0.1);

  // The human summary says what was chosen.
  const CliResult human = run_trsim({"run", scenario_path("warmup-backlog.yaml")}, dir);
  CHECK(contains(human.out, "chosen by MSER-5"));
}

TEST_CASE("warmup auto is identical for any --threads", "[cli][warmup]") {
  TempDir dir;
  const CliResult one =
      run_trsim({"run", scenario_path("warmup-backlog.yaml"), "--json", "-"}, dir);
  const CliResult two = run_trsim(
      {"run", scenario_path("warmup-backlog.yaml"), "--json", "-", "--threads", "2"}, dir);
  INFO(describe(two));
  REQUIRE(one.exit_code == 0);
  CHECK(one.out == two.out);
}
