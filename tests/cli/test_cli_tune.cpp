// `trsim tune`: finds the known best value of scenarios built to have one, writes its curve as CSV
// and JSON, is the same for any --threads, and rejects bad ranges, metrics and parameters (exit 2).
#include <cmath>

#include "cli_support.hpp"
#include "support/analytic.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const std::vector<std::string> kTimeoutTune = {
    "tune",         scenario_path("tune-timeout.yaml"),
    "--param",      "workflows.main.task_reservation_timeout",
    "--range",      "5..60",
    "--steps",      "12",
    "--objective",  "min:workspace.avg_task_acceptance_time",
    "--constraint", "workspace.abandon_rate<=0.2"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// An M/M/c help line: 100 calls/h of 5 minutes (8.3 Erlangs), agents who answer at once, no
// abandonment.
const char* const kMmc = R"(name: mmc
seed: 29
horizon: 10h
warmup: 1h
replications: 10
statistics: {service_level_thresholds: [20]}
task_queues: {Q: {}}
workflows: {main: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
workers: {agents: {count: 10, activity: Available}}
arrivals: {calls: {rate: 100/h, handle_time: {exponential: {mean: 5m}}}}
)";

}  // namespace

TEST_CASE("tune finds the shortest reservation timeout above the agents' 10 s answer time",
          "[cli][tune]") {
  // tune-timeout.yaml: a call waits 10 s + T per missed offer, and no answer comes in time with
  // T <= 10 s, so the best whole-second timeout is 11 s. The first grid steps by 5 s.
  TempDir dir;
  const CliResult r = run_trsim(with(kTimeoutTune, {"--json", "-"}), dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const Json out = parse_json(r.out);
  CHECK(out.get("param")->text == "workflows.main.task_reservation_timeout");
  const Json* rec = out.get("recommendation");
  REQUIRE(rec->is_object());
  const double best = rec->get("value")->number;
  CHECK(best > 10);
  CHECK(best <= 11 + 5);
  CHECK(best == std::round(best));  // a whole-number range stays whole
  // Timeouts of 10 s and less answer nobody: infeasible (no acceptance time, everyone abandons).
  int infeasible = 0;
  for (const Json& p : out.get("points")->items) {
    const double v = p.get("value")->number;
    CHECK(p.get("feasible")->boolean == (v > 10));
    infeasible += v <= 10 ? 1 : 0;
  }
  CHECK(infeasible == 2);  // 5 and 10
  // The second grid refined around the first grid's best (15).
  bool refined = false;
  for (const Json& p : out.get("points")->items)
    refined = refined || p.get("stage")->text == "fine";
  CHECK(refined);
}

TEST_CASE(
    "tune with a constraint on a monotone objective stops where the constraint cuts it, at the "
    "Erlang C staffing",
    "[cli][tune]") {
  // Occupancy falls as agents are added; the 20-second service level rises. The best feasible
  // count is the smallest that reaches 0.8: Erlang C's answer.
  int erlang = 0;
  for (int c = 9; c < 30 && erlang == 0; ++c) {
    const double a = 100.0 / 12.0;
    const double sl = 1 - erlang_c(c, a) * std::exp(-(c / 300.0 - 100.0 / 3600.0) * 20);
    if (sl >= 0.8) erlang = c;
  }
  REQUIRE(erlang == 12);
  TempDir dir;
  const std::string path = dir.write("mmc.yaml", kMmc);
  const CliResult r = run_trsim({"tune", path, "--param", "workers.agents.count", "--range",
                                 "6..20", "--steps", "8", "--objective", "max:workspace.occupancy",
                                 "--constraint", "workspace.service_level.20>=0.8", "--json", "-"},
                                dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const double best = parse_json(r.out).at_path("recommendation.value")->number;
  CHECK(std::abs(best - erlang) <= 1);
}

TEST_CASE("tune prints the curve and the recommendation, and writes the same curve as CSV",
          "[cli][tune]") {
  TempDir dir;
  const std::string csv = (fs::path(dir.path()) / "curve.csv").string();
  const CliResult r = run_trsim(with(kTimeoutTune, {"--csv", csv}), dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());  // no progress when stderr is not a terminal
  CHECK(contains(r.out, "recommended: workflows.main.task_reservation_timeout="));
  CHECK(contains(r.out, "statistically indistinguishable"));
  const std::vector<std::string> rows = lines_of(read_file(csv));
  REQUIRE(rows.size() > 13);  // header, 12 coarse points and the refined ones
  CHECK(rows[0] ==
        "value,stage,objective_mean,objective_ci95,constraint1_mean,constraint1_ci95,"
        "constraint1_met,feasible,difference_mean,difference_ci95,indistinguishable,recommended");
  CHECK(contains(rows[1], "5,coarse,,"));  // no acceptance time at 5 s: an empty cell
  int recommended = 0;
  for (const std::string& row : rows)
    recommended += row.size() > 5 && row.substr(row.size() - 5) == ",true" ? 1 : 0;
  CHECK(recommended == 1);
}

TEST_CASE("tune gives the same curve for any --threads", "[cli][tune]") {
  TempDir dir;
  const CliResult one = run_trsim(with(kTimeoutTune, {"--json", "-"}), dir);
  const CliResult two = run_trsim(with(kTimeoutTune, {"--json", "-", "--threads", "2"}), dir);
  REQUIRE(one.exit_code == 0);
  CHECK(one.out == two.out);
}

TEST_CASE("tune exits 1 when no value meets the constraints", "[cli][tune]") {
  TempDir dir;
  const std::vector<std::string> args = {"tune",         scenario_path("tune-timeout.yaml"),
                                         "--param",      "workflows.main.task_reservation_timeout",
                                         "--range",      "20..60",
                                         "--steps",      "3",
                                         "--objective",  "min:workspace.avg_task_acceptance_time",
                                         "--constraint", "workspace.abandon_rate<=0.001"};
  const CliResult r = run_trsim(args, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "no value in the range meets every constraint"));
}

TEST_CASE("tune rejects bad ranges, unknown metrics and parameters it cannot set, with exit 2",
          "[cli][tune]") {
  TempDir dir;
  const std::string s = scenario_path("tune-timeout.yaml");
  const std::string p = "workflows.main.task_reservation_timeout";
  const std::string o = "min:workspace.avg_task_acceptance_time";
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"tune", s, "--param", p, "--range", "60..5", "--objective", o},
       "from a lower to a higher value"},
      {{"tune", s, "--param", p, "--range", "5-60", "--objective", o}, "expected LO..HI"},
      {{"tune", s, "--param", p, "--range", "5..lots", "--objective", o},
       "'lots' is neither a number nor a duration"},
      {{"tune", s, "--param", p, "--range", "5..60", "--objective", "fastest"},
       "--objective must be max:METRIC or min:METRIC"},
      {{"tune", s, "--param", p, "--range", "5..60", "--objective", "min:workspace.avg_wait"},
       "unknown metric 'workspace.avg_wait' in --objective"},
      {{"tune", s, "--param", p, "--range", "5..60", "--objective", o, "--constraint",
        "workspace.abandon_rate<0.1"},
       "expected METRIC<=VALUE or METRIC>=VALUE"},
      {{"tune", s, "--param", p, "--range", "5..60", "--objective", o, "--constraint",
        "workspace.abandon<=0.1"},
       "unknown metric 'workspace.abandon' in --constraint"},
      {{"tune", s, "--param", "workflows.mian.task_reservation_timeout", "--range", "5..60",
        "--objective", o},
       "--set:1:11: no 'mian' in 'workflows'"},
      {{"tune", s, "--param", "task_queues.Helpdesk.task_order", "--range", "1..3", "--objective",
        o},
       "expected one of FIFO, LIFO"},
      {{"tune", s, "--param", "workers.agents.count", "--range", "1.5..3", "--objective", o},
       "expected an integer for 'count'"},
      // Whole ends written as decimals make a real grid, which a count cannot take: found before
      // any run.
      {{"tune", s, "--param", "workers.agents.count", "--range", "4.0..20", "--objective", o},
       "expected an integer for 'count', got '6.286'"},
      {{"tune", s, "--range", "5..60", "--objective", o}, "--param PATH is required"},
      {{"tune", s, "--param", p, "--range", "5..60", "--objective", o, "--steps", "1"},
       "--steps must be"},
  };
  for (const Case& c : cases) {
    const CliResult r = run_trsim(c.args, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, c.message));
    CHECK(r.out.empty());
  }
}

TEST_CASE("tune --help shows its options and examples, and the verb list names tune and staff",
          "[cli][tune]") {
  TempDir dir;
  const CliResult r = run_trsim({"tune", "--help"}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  for (const char* text :
       {"usage: trsim tune", "--param", "--range", "--objective", "--constraint", "--steps",
        "--refine-steps", "--csv", "--json", "examples:", "trsim tune scenarios/tune-timeout.yaml"})
    CHECK(contains(r.out, text));
  const CliResult verbs = run_trsim({"--help"}, dir);
  CHECK(contains(verbs.out, "  tune "));
  CHECK(contains(verbs.out, "  staff "));
  const CliResult staff = run_trsim({"staff", "--help"}, dir);
  CHECK(staff.exit_code == 0);
  for (const char* text :
       {"usage: trsim staff", "--group", "--min", "--max", "--json", "examples:"})
    CHECK(contains(staff.out, text));
}
