// `trsim staff`: on a single-skill M/M/c it gives the Erlang C staffing; with several groups the
// answer meets every expectation and one agent fewer in any group does not; errors exit 2.
#include <cmath>
#include <regex>

#include "cli_support.hpp"
#include "support/analytic.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

// 100 calls/h of 5 minutes (8.3 Erlangs), agents who answer at once, no abandonment: an M/M/c.
const char* const kMmc = R"(name: mmc
seed: 31
horizon: 12h
warmup: 1h
replications: 10
statistics: {service_level_thresholds: [20]}
task_queues: {Q: {}}
workflows: {main: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
workers: {agents: {count: 3, activity: Available}}
arrivals: {calls: {rate: 100/h, handle_time: {exponential: {mean: 5m}}}}
expect:
  - {metric: workspace.service_level.20, min: 0.8}
)";

// P(wait <= t) in an M/M/c with arrival rate lambda and service rate mu (per second).
double erlang_service_level(int c, double lambda, double mu, double t) {
  return 1 - erlang_c(c, lambda / mu) * std::exp(-(c * mu - lambda) * t);
}

}  // namespace

TEST_CASE("staff on an M/M/c with a 20-second service level target gives the Erlang C staffing",
          "[cli][staff]") {
  const double lambda = 100.0 / 3600, mu = 1.0 / 300;
  int erlang = 0;
  for (int c = 9; c < 40 && erlang == 0; ++c)
    if (erlang_service_level(c, lambda, mu, 20) >= 0.8) erlang = c;
  REQUIRE(erlang == 12);  // 0.862 at 12 agents, 0.749 at 11

  TempDir dir;
  const std::string path = dir.write("mmc.yaml", kMmc);
  const CliResult r = run_trsim({"staff", path, "--group", "agents", "--json", "-"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const Json out = parse_json(r.out);
  const Json* staffing = out.get("staffing");
  REQUIRE(staffing->is_object());
  const int found = static_cast<int>(staffing->at_path("counts.agents")->number);
  CHECK(staffing->get("met")->boolean);
  // The staffing meets the target and one agent fewer does not.
  const Json& fewer = out.get("one_fewer")->items.at(0);
  CHECK(fewer.at_path("counts.agents")->number == found - 1);
  CHECK_FALSE(fewer.get("met")->boolean);
  // One agent off Erlang C only where Erlang C's service level at the disputed count lies inside
  // the simulated ci95 there.
  if (found != erlang) {
    REQUIRE(std::abs(found - erlang) == 1);
    const Json& disputed = found > erlang ? fewer : *staffing;
    const int c = static_cast<int>(disputed.at_path("counts.agents")->number);
    const Json& sl = disputed.get("expectations")->items.at(0);
    const double mean = sl.get("mean")->number, ci = sl.get("ci95")->number;
    CHECK(std::abs(erlang_service_level(c, lambda, mu, 20) - mean) <= ci);
  }
  // The search ran far fewer staffings than a scan from 1 would.
  CHECK(out.get("evaluations")->number <= 8);
}

TEST_CASE(
    "staff over two groups meets every expectation and one agent fewer in either group does not",
    "[cli][staff]") {
  TempDir dir;
  const CliResult r = run_trsim({"staff", scenario_path("quickstart.yaml"), "--group", "bilingual",
                                 "--group", "english", "--json", "-", "--threads", "2"},
                                dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const Json out = parse_json(r.out);
  CHECK(out.at_path("staffing.met")->boolean);
  const auto& fewer = out.get("one_fewer")->items;
  REQUIRE(fewer.size() == 2);
  for (const Json& f : fewer) CHECK_FALSE(f.get("met")->boolean);
  CHECK(fewer[0].at_path("counts.bilingual")->number ==
        out.at_path("staffing.counts.bilingual")->number - 1);
  CHECK(fewer[1].at_path("counts.english")->number ==
        out.at_path("staffing.counts.english")->number - 1);
  // The same answer on one thread.
  const CliResult one = run_trsim({"staff", scenario_path("quickstart.yaml"), "--group",
                                   "bilingual", "--group", "english", "--json", "-"},
                                  dir);
  CHECK(one.out == r.out);
}

TEST_CASE("staff prints the staffing and the metrics at it and with one agent fewer",
          "[cli][staff]") {
  TempDir dir;
  const CliResult r =
      run_trsim({"staff", scenario_path("check-fail.yaml"), "--group", "agents"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const std::vector<std::string> lines = lines_of(r.out);
  REQUIRE(lines.size() >= 6);
  CHECK(contains(lines[0], "staffing: agents="));
  CHECK(contains(lines[2], "metric"));
  CHECK(contains(r.out, "workspace.service_level.20"));
  CHECK(contains(r.out, "FAILED"));  // one agent fewer falls short somewhere
  // Ratios in %, their bounds too, as run, check, sweep and tune print them; other metrics in
  // their own unit ("30" seconds, not "3000%"): "workspace.service_level.20  >= 75% (ci95)
  // 81.3 ± 2.1 % ok".
  std::string sl_row, asa_row;
  for (const std::string& line : lines) {
    if (contains(line, "workspace.service_level.20")) sl_row = line;
    if (contains(line, "avg_task_acceptance_time")) asa_row = line;
  }
  CHECK(contains(sl_row, ">= 75% (ci95)"));
  CHECK(std::regex_search(sl_row, std::regex(R"([0-9]+\.[0-9] ± [0-9.]+ % (ok|FAILED))")));
  CHECK_FALSE(std::regex_search(sl_row, std::regex(R"( 0\.[0-9]{3})")));  // no fraction left
  CHECK(contains(asa_row, "<= 30"));
  CHECK_FALSE(contains(asa_row, "%"));
}

TEST_CASE("staff exits 1 when even --max agents fall short", "[cli][staff]") {
  TempDir dir;
  const CliResult r = run_trsim(
      {"staff", scenario_path("check-fail.yaml"), "--group", "agents", "--max", "10"}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "no staffing up to 10"));
}

TEST_CASE("staff rejects bad groups, bounds and expectations with exit 2", "[cli][staff]") {
  TempDir dir;
  const std::string s = scenario_path("check-fail.yaml");
  const std::string no_expect =
      dir.write("plain.yaml", std::string(kMmc).substr(0, std::string(kMmc).find("expect:")));
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"staff", s, "--group", "agnets"}, "no worker group 'agnets'"},
      {{"staff", s}, "--group NAME is required"},
      {{"staff", s, "--group", "agents", "--min", "5", "--max", "3"},
       "--min (5) is above --max (3)"},
      {{"staff", s, "--group", "agents", "--max", "zero"}, "--max must be a whole number"},
      {{"staff", s, "--group", "agents", "--group", "agents"}, "given twice"},
      {{"staff", no_expect, "--group", "agents"}, "no `expect:` list"},
      {{"staff", s, "--group", "agents", "--replications", "1"},
       ":45:5: ci: true needs at least 2 replications"},
  };
  for (const Case& c : cases) {
    const CliResult r = run_trsim(c.args, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, c.message));
    CHECK(r.out.empty());
  }
}
