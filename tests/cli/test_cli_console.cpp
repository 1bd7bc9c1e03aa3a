// What a person sees in a terminal: `--help` wrapped at word boundaries to the width (COLUMNS, or
// the terminal's), colour on a pseudo-terminal and never on a pipe or with NO_COLOR, counted
// nouns in the singular for one, --strict lints as errors, and service levels in % everywhere.
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

// Runs a shell command line, stdout and stderr together; its exit code and output.
std::pair<int, std::string> shell(const TempDir& dir, const std::string& command) {
  const std::string out = dir.path() + "/shell.out";
  const int status = std::system((command + " >" + shell_quote(out) + " 2>&1").c_str());
  return {(status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1, read_file(out)};
}

std::size_t columns(const std::string& line) {
  return static_cast<std::size_t>(std::count_if(line.begin(), line.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

TEST_CASE(
    "the --help text wraps at word boundaries to 60, 80 and 120 columns, with no double blank "
    "lines",
    "[cli][console]") {
  TempDir dir;
  for (const char* verb : {"run", "sweep", "validate", "check", "report", "merge"}) {
    std::string previous;
    for (const int width : {60, 80, 120}) {
      const std::string command = "COLUMNS=" + std::to_string(width) + " " +
                                  shell_quote(TRSIM_BINARY) + " " + verb + " --help </dev/null";
      const auto [code, out] = shell(dir, command);
      INFO(verb << " at " << width << " columns:\n" << out);
      REQUIRE(code == 0);
      CHECK(!contains(out, "\n\n\n"));
      CHECK(out.back() == '\n');
      CHECK(out[out.size() - 2] != '\n');
      for (const std::string& line : lines_of(out)) {
        INFO(line);
        // Every line fits, unless it is a single word too long for any line (never cut), in an
        // example followed by its continuation mark " \".
        if (columns(line) > static_cast<std::size_t>(width)) {
          std::string word = line;
          if (word.size() > 2 && word.compare(word.size() - 2, 2, " \\") == 0)
            word.resize(word.size() - 2);
          CHECK(word.find(' ', word.find_first_not_of(' ')) == std::string::npos);
        }
        CHECK(line.find_last_not_of(' ') + 1 == line.size());  // no trailing spaces
      }
      // An identifier is never cut at the line's end: the dotted path stays whole.
      if (std::string(verb) != "report" && std::string(verb) != "merge") {
        CHECK(contains(out, "workflows.main.task_reservation_timeout=45s"));
        CHECK(!contains(out, "task_reservation_ti\n"));
      }
      // A wider terminal gives fewer lines.
      if (!previous.empty()) CHECK(lines_of(out).size() <= lines_of(previous).size());
      previous = out;
    }
  }
}

TEST_CASE("colour on a pseudo-terminal, none on a pipe, none with NO_COLOR", "[cli][console]") {
  TempDir dir;
  const std::string check = shell_quote(TRSIM_BINARY) + " check " +
                            shell_quote(scenario_path("check-fail.yaml")) + " --replications 2";
  const std::string validate =
      shell_quote(TRSIM_BINARY) + " validate " + shell_quote(scenario_path("quickstart.yaml"));
  // `script` gives the command a pseudo-terminal and copies what it printed.
  const auto on_tty = [&](const std::string& command, const std::string& env) {
    return shell(dir, env + " script -qec " + shell_quote(command) + " /dev/null </dev/null");
  };
  {
    const auto [code, out] = on_tty(check, "env -u NO_COLOR");
    INFO(out);
    CHECK(code == 1);
    CHECK(contains(out, "\x1b[1;31mFAILED\x1b[0m"));  // FAILED in red
    const auto [vcode, vout] = on_tty(validate, "env -u NO_COLOR");
    INFO(vout);
    CHECK(contains(vout, "\x1b[32mok\x1b[0m"));  // ok in green
  }
  {
    const auto [code, out] = on_tty(check, "NO_COLOR=1");
    INFO(out);
    CHECK(code == 1);
    CHECK(contains(out, "FAILED"));
    CHECK(!contains(out, "\x1b[1;31m"));  // (progress on the terminal still erases its line)
    CHECK(!contains(out, "\x1b[32m"));
  }
  {
    const auto [code, out] = shell(dir, "env -u NO_COLOR " + check + " | cat");
    INFO(out);
    CHECK(contains(out, "FAILED"));
    CHECK(!contains(out, "\x1b["));
  }
}

TEST_CASE("counted nouns are singular for one, and --strict lints say error:", "[cli][console]") {
  TempDir dir;
  const CliResult ok = run_trsim({"validate", scenario_path("quickstart.yaml")}, dir);
  INFO(describe(ok));
  CHECK(ok.exit_code == 0);
  CHECK(contains(ok.out, " 1 workflow,"));
  CHECK(!contains(ok.out, "1 workflows"));
  const CliResult lint =
      run_trsim({"validate", "lint/final-timeout.yaml"}, dir, TRSIM_SCENARIO_DIR);
  INFO(describe(lint));
  CHECK(contains(lint.out, ", 1 lint warning)"));
  const CliResult strict =
      run_trsim({"validate", "lint/final-timeout.yaml", "--strict"}, dir, TRSIM_SCENARIO_DIR);
  CHECK(strict.exit_code == 2);
  CHECK(contains(strict.err, ": error: "));
  CHECK(!contains(strict.err, "warning:"));
}

TEST_CASE("service levels are in % in run, sweep, check and staff alike", "[cli][console]") {
  TempDir dir;
  const CliResult run =
      run_trsim({"run", scenario_path("quickstart.yaml"), "--replications", "2"}, dir);
  CHECK(contains(run.out, "service level (20s)"));
  CHECK(contains(run.out, " %\n"));
  const CliResult check =
      run_trsim({"check", scenario_path("quickstart.yaml"), "--replications", "2"}, dir);
  INFO(describe(check));
  // The bound min: 0.7 of workspace.service_level.60 is shown as 70%, the value in %.
  CHECK(contains(check.out, ">= 70%"));
  CHECK(contains(check.out, " %  ok"));
  const CliResult sweep =
      run_trsim({"sweep", scenario_path("sweep-timeout.yaml"), "--replications", "2", "--metric",
                 "workspace.service_level.20", "--metric", "workspace.avg_task_acceptance_time"},
                dir);
  INFO(describe(sweep));
  CHECK(contains(sweep.out, "service_level.20 (%):"));
  // Metrics as blocks of rows: the table fits an 80-column terminal (338 columns once).
  for (const std::string& line : lines_of(sweep.out)) {
    INFO(line);
    CHECK(columns(line) <= 80);
  }
  // tune and staff print ratios in % too, their bounds included (">= 80%", not ">= 0.8").
  const CliResult staff =
      run_trsim({"staff", scenario_path("check-fail.yaml"), "--group", "agents"}, dir);
  INFO(describe(staff));
  CHECK(contains(staff.out, ">= 75% (ci95)"));
  CHECK(!contains(staff.out, ">= 0.75"));
}

TEST_CASE("run prints the transfers of a scenario that transfers, and no transfer rows otherwise",
          "[cli][console]") {
  // The summary JSON had tasks_transferred, transfers_completed and transfers_failed, but the
  // console summary a planner reads showed none of them.
  TempDir dir;
  const CliResult transfers =
      run_trsim({"run", scenario_path("transfer-day.yaml"), "--replications", "2"}, dir);
  INFO(describe(transfers));
  REQUIRE(transfers.exit_code == 0);
  const std::string billing = transfers.out.substr(transfers.out.find("task queue Billing"));
  const std::string workspace = transfers.out.substr(0, transfers.out.find("task queue"));
  for (const std::string* block : {&workspace, &billing}) {
    CHECK(contains(*block, "  tasks transferred "));
    CHECK(contains(*block, "    transfers completed "));
    CHECK(contains(*block, "    transfers failed "));
  }
  const CliResult plain =
      run_trsim({"run", scenario_path("quickstart.yaml"), "--replications", "2"}, dir);
  CHECK_FALSE(contains(plain.out, "transfer"));
}
