// Progress of `trsim run`: on a terminal, stderr shows the replications done, the time elapsed and
// an estimate of the time left; redirected, nothing at all. `tune` and `staff` show one line for
// the whole search (the point or the staffing being tried).
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

TEST_CASE("run shows no progress when stderr is redirected", "[cli][progress]") {
  TempDir dir;
  const CliResult r =
      run_trsim({"run", scenario_path("quickstart.yaml"), "--replications", "3"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(!contains(r.out, "elapsed"));
  CHECK(!contains(r.out, "\r"));
}

namespace {

// Runs `trsim ARGS >/dev/null` on a pseudo-terminal (util-linux's `script`), so that only stderr
// stays on the terminal, and returns what the terminal showed; `status` gets the exit status.
std::string on_terminal(const TempDir& dir, const std::string& args, int& status) {
  const std::string log = dir.path() + "/terminal.log";
  const std::string command = shell_quote(TRSIM_BINARY) + " " + args + " >/dev/null";
  const std::string full = "script -qefc " + shell_quote(command) + " /dev/null </dev/null >" +
                           shell_quote(log) + " 2>&1";
  status = std::system(full.c_str());
  return "$ " + full + "\n" + read_file(log);
}

}  // namespace

TEST_CASE("run shows replications done, elapsed and time left on a terminal", "[cli][progress]") {
  TempDir dir;
  int status = -1;
  const std::string out = on_terminal(
      dir, "run " + shell_quote(scenario_path("quickstart.yaml")) + " --replications 3", status);
  INFO(out);
  REQUIRE(status == 0);
  CHECK(contains(out, "replications 0/3, 0s elapsed"));
  CHECK(contains(out, "replications 1/3, "));
  CHECK(contains(out, "left"));  // an estimate while replications remain
  CHECK(contains(out, "replications 3/3, "));
  CHECK(contains(out, "\r\033[K"));  // the line is cleared at the end
}

TEST_CASE("tune and staff show the point being tried on a terminal, and clear it",
          "[cli][progress]") {
  TempDir dir;
  int status = -1;
  std::string out =
      on_terminal(dir,
                  "tune " + shell_quote(scenario_path("tune-timeout.yaml")) +
                      " --param workflows.main.task_reservation_timeout --range 5..60 --steps 3"
                      " --objective min:workspace.avg_task_acceptance_time",
                  status);
  INFO(out);
  CHECK(status == 0);
  CHECK(contains(out, "\r\033[Ktune: point 1, workflows.main.task_reservation_timeout="));
  CHECK(contains(out, "\r\033[K"));

  out = on_terminal(
      dir, "staff " + shell_quote(scenario_path("check-fail.yaml")) + " --group agents", status);
  INFO(out);
  CHECK(status == 0);
  CHECK(contains(out, "\r\033[Kstaff: trying agents="));

  out = on_terminal(
      dir, "staff " + shell_quote(scenario_path("check-fail.yaml")) + " --group agents --quiet",
      status);
  INFO(out);
  CHECK(!contains(out, "staff: trying"));
}
