// `trsim validate` and `trsim check`: every bundled invalid scenario is rejected through the
// command line with its FILE:LINE:COL diagnostic and exit 2; `check` exits 0 when the `expect:`
// list holds, 1 with a table naming what fell short, and 2 for an expectation it cannot evaluate.
#include <algorithm>
#include <regex>

#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

/// The first line of each scenarios/invalid/*.yaml: `# expect: FILE:LINE:COL: message-substring`.
/// FILE is the name of the file at fault (the scenario, or a trace or configuration file beside
/// it); the same reading as tests/unit/test_invalid_scenarios.cpp.
struct InvalidCase {
  std::string name;  ///< e.g. "bad-start.yaml"
  std::string file;
  std::string line;
  std::string column;
  std::string text;
};

std::vector<InvalidCase> invalid_cases() {
  std::vector<InvalidCase> cases;
  static const std::regex pattern(R"(^# expect: ([^:]+):(\d+):(\d+): (.+)$)");
  for (const auto& entry : fs::directory_iterator(fs::path(TRSIM_SCENARIO_DIR) / "invalid")) {
    if (entry.path().extension() != ".yaml") continue;
    std::ifstream in(entry.path());
    std::string first;
    std::getline(in, first);
    std::smatch m;
    InvalidCase c;
    c.name = entry.path().filename().string();
    if (std::regex_match(first, m, pattern)) {
      c.file = m[1];
      c.line = m[2];
      c.column = m[3];
      c.text = m[4];
    }
    cases.push_back(c);
  }
  std::sort(cases.begin(), cases.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return cases;
}

/// Whether a line of stderr is `PREFIX:LINE:COL: message` with the expected place and text. When
/// the scenario itself is at fault, PREFIX is the path exactly as given on the command line;
/// for a file beside it, a path that ends in that file's name.
bool has_diagnostic(const std::string& err, const InvalidCase& c, const std::string& passed_path) {
  const std::string place = ":" + c.line + ":" + c.column + ": ";
  for (const std::string& line : lines_of(err)) {
    const std::size_t at = line.find(place);
    if (at == std::string::npos) continue;
    const std::string prefix = line.substr(0, at);
    const std::string message = line.substr(at + place.size());
    const bool file_ok =
        c.file == c.name ? prefix == passed_path : fs::path(prefix).filename().string() == c.file;
    if (file_ok && contains(message, c.text)) return true;
  }
  return false;
}

/// A small valid scenario, for variations written to a temporary folder.
const char* const kDesk = R"(name: desk
seed: 3
horizon: 1h
replications: 2
statistics: {service_level_thresholds: [20]}
activities:
  Offline: {available: false}
  Available: {available: true}
task_queues:
  Helpdesk: {}
workflows:
  helpdesk:
    configuration:
      task_routing:
        filters: []
        default_filter: {queue: Helpdesk}
workers:
  agents: {count: 4, activity: Available}
arrivals:
  calls: {workflow: helpdesk, rate: 30/h, handle_time: {exponential: {mean: 5m}}}
)";

}  // namespace

TEST_CASE("every invalid scenario makes trsim validate exit 2 with its FILE:LINE:COL diagnostic",
          "[cli][validate]") {
  TempDir scratch;
  const std::vector<InvalidCase> cases = invalid_cases();
  CHECK(cases.size() >= 35);
  for (const InvalidCase& c : cases) {
    DYNAMIC_SECTION(c.name) {
      REQUIRE_FALSE(c.file.empty());  // the first line names the expected diagnostic
      // Run from scenarios/ with a relative path, as a user would type it.
      const std::string passed = "invalid/" + c.name;
      const CliResult r = run_trsim({"validate", passed}, scratch, TRSIM_SCENARIO_DIR);
      INFO(describe(r));
      INFO("expected " << c.file << ":" << c.line << ":" << c.column << ": " << c.text);
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      CHECK(has_diagnostic(r.err, c, passed));
    }
  }
}

TEST_CASE("invalid scenarios are rejected by run and check too, before any output",
          "[cli][validate]") {
  TempDir scratch;
  for (const char* name :
       {"bad-start.yaml", "unknown-queue.yaml", "yaml-syntax-error.yaml", "empty.yaml"}) {
    for (const char* verb : {"run", "check"}) {
      const std::string json = (fs::path(scratch.path()) / "summary.json").string();
      const CliResult r = run_trsim({verb, scenario_path(std::string("invalid/") + name)}, scratch);
      INFO(describe(r));
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      CHECK(contains(r.err, name));
    }
  }
}

TEST_CASE("trsim validate accepts the bundled scenarios with exit 0", "[cli][validate]") {
  TempDir scratch;
  for (const char* name : {"quickstart.yaml", "check-pass.yaml", "check-fail.yaml"}) {
    const CliResult r = run_trsim({"validate", scenario_path(name)}, scratch);
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "ok"));
  }
}

TEST_CASE("trsim validate --quiet prints nothing for a valid scenario", "[cli][validate]") {
  TempDir scratch;
  const CliResult r = run_trsim({"validate", scenario_path("quickstart.yaml"), "--quiet"}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
}

TEST_CASE("trsim check exits 0 and prints the table when every expectation holds", "[cli][check]") {
  TempDir scratch;
  const CliResult r = run_trsim({"check", scenario_path("check-pass.yaml")}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  const std::vector<std::string> lines = lines_of(r.out);
  REQUIRE(lines.size() == 5);  // header, three expectations, tally
  CHECK(contains(lines[0], "metric"));
  for (const char* metric :
       {"workspace.service_level.20", "task_queues.Helpdesk.avg_task_acceptance_time",
        "workspace.tasks_completed"}) {
    INFO(metric);
    const auto row = std::find_if(lines.begin(), lines.end(),
                                  [&](const auto& l) { return l.rfind(metric, 0) == 0; });
    REQUIRE(row != lines.end());
    CHECK(contains(*row, " ok"));
  }
  CHECK_FALSE(contains(r.out, "FAILED"));
  CHECK(contains(lines.back(), "3 of 3"));
}

TEST_CASE("trsim check exits 1 and the table names each metric that fell short with FAILED",
          "[cli][check]") {
  TempDir scratch;
  const CliResult r = run_trsim({"check", scenario_path("check-fail.yaml")}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 1);
  const std::vector<std::string> lines = lines_of(r.out);
  auto row = [&](const std::string& metric) {
    const auto it = std::find_if(lines.begin(), lines.end(),
                                 [&](const auto& l) { return l.rfind(metric, 0) == 0; });
    return it == lines.end() ? std::string() : *it;
  };
  CHECK(contains(row("workspace.service_level.20"), "FAILED"));
  CHECK(contains(row("task_queues.Helpdesk.avg_task_acceptance_time"), "FAILED"));
  const std::string completed = row("workspace.tasks_completed");
  CHECK(contains(completed, " ok"));
  CHECK_FALSE(contains(completed, "FAILED"));
  REQUIRE_FALSE(lines.empty());
  CHECK(contains(lines.back(), "1 of 3"));
}

TEST_CASE("trsim check --quiet is silent on success but still prints the table on failure",
          "[cli][check]") {
  TempDir scratch;
  const CliResult pass = run_trsim({"check", scenario_path("check-pass.yaml"), "--quiet"}, scratch);
  INFO(describe(pass));
  CHECK(pass.exit_code == 0);
  CHECK(pass.out.empty());
  const CliResult fail = run_trsim({"check", scenario_path("check-fail.yaml"), "--quiet"}, scratch);
  INFO(describe(fail));
  CHECK(fail.exit_code == 1);
  CHECK(contains(fail.out, "FAILED"));
}

TEST_CASE("trsim check is deterministic across --threads", "[cli][check]") {
  TempDir scratch;
  const CliResult one =
      run_trsim({"check", scenario_path("check-fail.yaml"), "--threads", "1"}, scratch);
  const CliResult two =
      run_trsim({"check", scenario_path("check-fail.yaml"), "--threads", "2"}, scratch);
  INFO(describe(two));
  CHECK(one.exit_code == 1);
  CHECK(two.exit_code == 1);
  CHECK(one.out == two.out);
}

TEST_CASE("check with --set workers.agents.count=12 turns the failing check into a passing one",
          "[cli][check]") {
  TempDir scratch;
  const CliResult r = run_trsim(
      {"check", scenario_path("check-fail.yaml"), "--set", "workers.agents.count=12"}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK_FALSE(contains(r.out, "FAILED"));
}

TEST_CASE("trsim check on an expectation with an unknown metric exits 2 with FILE:LINE:COL",
          "[cli][check]") {
  TempDir dir;
  const std::string path =
      dir.write("typo.yaml", std::string(kDesk) +
                                 "expect:\n"
                                 "  - {metric: workspace.tasks_created, min: 1}\n"
                                 "  - {metric: workspace.service_levle.20, min: 0.8}\n");
  // kDesk has 20 lines; the typo is the second expectation, on line 23, its map at column 5.
  const CliResult r = run_trsim({"check", path}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, path + ":23:5: unknown metric 'workspace.service_levle.20'"));
  CHECK_FALSE(contains(r.err, "workspace.tasks_created"));
}

TEST_CASE("trsim check on a scenario without expect exits 2 and says so", "[cli][check]") {
  TempDir dir;
  const std::string path = dir.write("desk.yaml", kDesk);
  const CliResult r = run_trsim({"check", path}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, path));
  CHECK(contains(r.err, "expect"));
  // The same scenario runs fine.
  const CliResult run = run_trsim({"run", path, "--quiet"}, dir);
  INFO(describe(run));
  CHECK(run.exit_code == 0);
}

TEST_CASE("trsim validate rejects an expectation naming no metric, before any run",
          "[cli][validate]") {
  TempDir dir;
  const std::string path =
      dir.write("typo.yaml", std::string(kDesk) +
                                 "expect:\n"
                                 "  - {metric: workspace.tasks_created, min: 1}\n"
                                 "  - {metric: workspace.service_levle.20, min: 0.8}\n"
                                 "  - {metric: workspace.wait_duration_until_accepted, max: 9}\n");
  const CliResult r = run_trsim({"validate", path}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, path + ":23:5: unknown metric 'workspace.service_levle.20'"));
  CHECK(contains(r.err, path + ":24:5: 'workspace.wait_duration_until_accepted' is a group"));
  CHECK_FALSE(contains(r.err, "workspace.tasks_created"));
}

TEST_CASE("trsim validate prints routing lints as warnings and fails on them with --strict",
          "[cli][validate]") {
  TempDir scratch;
  const CliResult warn =
      run_trsim({"validate", "lint/final-timeout.yaml"}, scratch, TRSIM_SCENARIO_DIR);
  INFO(describe(warn));
  CHECK(warn.exit_code == 0);
  CHECK(contains(warn.err,
                 "lint/final-timeout.yaml:15:23: warning: the last target of filter 'spanish'"));
  const CliResult strict =
      run_trsim({"validate", "lint/final-timeout.yaml", "--strict"}, scratch, TRSIM_SCENARIO_DIR);
  INFO(describe(strict));
  CHECK(strict.exit_code == 2);
  // --strict says what it made of the lint: an error.
  CHECK(contains(strict.err,
                 "lint/final-timeout.yaml:15:23: error: the last target of filter 'spanish'"));
  // A clean scenario passes --strict.
  const CliResult clean =
      run_trsim({"validate", "quickstart.yaml", "--strict"}, scratch, TRSIM_SCENARIO_DIR);
  INFO(describe(clean));
  CHECK(clean.exit_code == 0);
}

TEST_CASE("an expect line with interval: bounds that interval's cell, not the whole run",
          "[cli][check]") {
  // The agents log out at 30 minutes: in the first interval callers are answered, in the second
  // every caller who stops waiting hangs up (patience 1 minute). The whole run lies in between.
  TempDir dir;
  std::string scenario = kDesk;
  const auto swap = [&](const std::string& from, const std::string& to) {
    REQUIRE(scenario.find(from) != std::string::npos);
    scenario.replace(scenario.find(from), from.size(), to);
  };
  swap("statistics: {service_level_thresholds: [20]}",
       "statistics: {service_level_thresholds: [20], interval: 30m}");
  swap("agents: {count: 4, activity: Available}",
       "agents: {count: 4, activity: Available, schedule: [{at: 30m, activity: Offline}]}");
  swap("handle_time: {exponential: {mean: 5m}}}",
       "handle_time: {exponential: {mean: 5m}}, patience: 60}");
  const std::string pass = dir.write(
      "pass.yaml", scenario +
                       "expect:\n"
                       "  - {metric: workspace.abandon_rate, interval: 0, max: 0.2}\n"
                       "  - {metric: task_queues.Helpdesk.abandon_rate, interval: 30m, min: 0.99}\n"
                       "  - {metric: workspace.abandon_rate, min: 0.2, max: 0.99}\n");
  const CliResult ok = run_trsim({"check", pass}, dir);
  INFO(describe(ok));
  CHECK(ok.exit_code == 0);
  CHECK(contains(ok.out, "<= 20% at 0:00"));
  CHECK(contains(ok.out, ">= 99% at 0:30"));
  CHECK(contains(ok.out, "3 of 3 expectations met"));
  // The same bounds on the other interval fail.
  const std::string fail = dir.write(
      "fail.yaml", scenario +
                       "expect:\n"
                       "  - {metric: workspace.abandon_rate, interval: 30m, max: 0.2}\n"
                       "  - {metric: task_queues.Helpdesk.abandon_rate, interval: 0, min: 0.99}\n");
  const CliResult bad = run_trsim({"check", fail}, dir);
  INFO(describe(bad));
  CHECK(bad.exit_code == 1);
  CHECK(contains(bad.out, "0 of 2 expectations met"));
  // The summary JSON keeps the line's interval (seconds); lines without one are as before.
  const CliResult json = run_trsim({"run", pass, "-q", "--json", "-"}, dir);
  CHECK(contains(json.out,
                 "\"metric\": \"workspace.abandon_rate\", \"max\": 0.2, \"ci\": false, "
                 "\"interval\": 0}"));
  CHECK(contains(json.out, "\"min\": 0.2, \"max\": 0.99, \"ci\": false}"));
}

TEST_CASE("an expect line with interval: needs a metric with a value per interval",
          "[cli][check]") {
  TempDir dir;
  const std::string path =
      dir.write("total.yaml", std::string(kDesk) +
                                  "expect:\n"
                                  "  - {metric: workspace.tasks_created, interval: 0, min: 1}\n");
  for (const char* verb : {"validate", "check"}) {
    const CliResult r = run_trsim({verb, path}, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, path + ":22:5: 'workspace.tasks_created' has no value per interval"));
  }
  // The whole-run staffing search does not read a line on one interval.
  const std::string level = dir.write(
      "level.yaml", std::string(kDesk) +
                        "expect:\n"
                        "  - {metric: workspace.service_level.20, interval: 0, min: 0.5}\n");
  const CliResult staff = run_trsim({"staff", level, "--group", "agents"}, dir);
  INFO(describe(staff));
  CHECK(staff.exit_code == 2);
  CHECK(contains(staff.err, level + ":22:5: a line on one interval ('interval') is read by"));
}
