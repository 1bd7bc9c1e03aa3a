// Resource limits from the command line: a billion workers, a rate of 1e12/s and a horizon of a
// thousand years are rejected at load with exit 2 and a FILE:LINE:COL message naming the option
// that raises the limit; --max-workers, --max-events and --max-horizon lower or raise the limits;
// a replication that goes beyond --max-events stops with exit 2 and leaves no output behind.
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;
using Catch::Matchers::Contains;

namespace {

// A help line with `workers` agents, a call a second for `horizon`, and intervals of a day.
std::string help_line(int workers, const std::string& horizon, const std::string& rate) {
  return "horizon: " + horizon + R"(
statistics: {interval: 1d}
task_queues: {Everyone: {}}
workflows:
  main: {configuration: {task_routing: {filters: [], default_filter: {queue: Everyone}}}}
workers:
  agents: {count: )" +
         std::to_string(workers) + R"(, activity: Available}
arrivals:
  calls: {rate: )" +
         rate + R"(, handle_time: 1m}
)";
}

}  // namespace

TEST_CASE(
    "a billion workers, a rate of 1e12/s and a thousand-year horizon exit 2 naming the option",
    "[cli][limits]") {
  TempDir scratch;
  const struct {
    const char* file;
    const char* message;
  } cases[] = {
      {"billion-workers.yaml",
       "billion-workers.yaml:10:1: too many workers (1000000000); the limit "
       "is 1000000 (raise it with --max-workers)"},
      {"rate-1e12.yaml",
       "rate-1e12.yaml:13:17: arrival stream 'flood' would create about "
       "2.88e+16 tasks over the horizon, more than the event budget of "
       "1000000000 events per replication (each task is at least one event; "
       "raise it with --max-events)"},
      {"horizon-thousand-years.yaml",
       "horizon-thousand-years.yaml:2:10: 'horizon' must be at most 366d (got 365250d); raise the "
       "limit with --max-horizon (up to 100 years)"},
  };
  for (const auto& c : cases) {
    for (const char* verb : {"run", "validate"}) {
      const CliResult r =
          run_trsim({verb, scenario_path(std::string("invalid/") + c.file)}, scratch);
      INFO(r.command << "\n" << r.err);
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.err, Contains(c.message));
    }
  }
}

TEST_CASE("option --max-workers lowers and raises the worker limit", "[cli][limits]") {
  TempDir scratch;
  const std::string path = scratch.write("twelve.yaml", help_line(12, "1h", "60/h"));
  const CliResult lowered = run_trsim({"validate", path, "--max-workers", "10"}, scratch);
  CHECK(lowered.exit_code == 2);
  CHECK_THAT(lowered.err,
             Contains("too many workers (12); the limit is 10 (raise it with --max-workers)"));
  const CliResult enough = run_trsim({"run", path, "--max-workers", "12", "--quiet"}, scratch);
  INFO(enough.err);
  CHECK(enough.exit_code == 0);
}

TEST_CASE("option --max-horizon lets a modest over-limit horizon run", "[cli][limits]") {
  TempDir scratch;
  // 400 days at a call a day: over the default limit of 366d, but cheap to simulate.
  const std::string path = scratch.write("long.yaml", help_line(2, "400d", "1/d"));
  const CliResult refused = run_trsim({"run", path}, scratch);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err,
             Contains("long.yaml:1:10: 'horizon' must be between 1s and 366d (got 400d); "
                      "raise the limit with --max-horizon"));
  const CliResult raised =
      run_trsim({"run", path, "--max-horizon", "400d", "--json", "-"}, scratch);
  INFO(raised.err);
  CHECK(raised.exit_code == 0);
  CHECK_THAT(raised.out, Contains("\"horizon\": 34560000"));
}

TEST_CASE(
    "option --max-events rejects a scenario at load, and stops a replication that goes beyond it",
    "[cli][limits]") {
  TempDir scratch;
  // A call a second for an hour: about 3600 tasks, and several events each.
  const std::string path = scratch.write("busy.yaml", help_line(80, "1h", "1"));
  const CliResult at_load = run_trsim({"validate", path, "--max-events", "1000"}, scratch);
  CHECK(at_load.exit_code == 2);
  CHECK_THAT(at_load.err, Contains("busy.yaml:9:") &&
                              Contains("would create about 3.6e+03 tasks over the horizon, more "
                                       "than the event budget of 1000 events per replication"));
  const std::string json = (fs::path(scratch.path()) / "summary.json").string();
  const CliResult during =
      run_trsim({"run", path, "--max-events", "5000", "--json", json}, scratch);
  CHECK(during.exit_code == 2);
  CHECK_THAT(during.err, Contains("after 5000 events: the event budget is 5000 events per "
                                  "replication (raise it with --max-events)"));
  CHECK_FALSE(fs::exists(json));  // a stopped run leaves no half-written summary
  const CliResult enough =
      run_trsim({"run", path, "--max-events", "100000", "--json", json}, scratch);
  INFO(enough.err);
  CHECK(enough.exit_code == 0);
  CHECK(fs::exists(json));
}

TEST_CASE("limit options with a wrong value are usage errors", "[cli][limits]") {
  TempDir scratch;
  const std::string path = scratch.write("ok.yaml", help_line(2, "1h", "60/h"));
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--max-workers", "0"},
                                               {"--max-workers", "-5"},
                                               {"--max-workers", "2000000000"},
                                               {"--max-events", "many"},
                                               {"--max-events", "0"},
                                               {"--max-horizon", "5x"},
                                               {"--max-horizon", "0"},
                                               {"--max-horizon", "200000d"}}) {
    std::vector<std::string> command = {"validate", path};
    command.insert(command.end(), args.begin(), args.end());
    const CliResult r = run_trsim(command, scratch);
    INFO(r.command << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("trsim validate: " + args[0] + " must be"));
  }
}
