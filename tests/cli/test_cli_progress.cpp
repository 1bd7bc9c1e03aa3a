// Progress of `trsim run`: on a terminal, stderr shows the replications done, the time elapsed and
// an estimate of the time left; redirected, nothing at all.
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

TEST_CASE("run shows no progress when stderr is redirected", "[cli][progress]") {
  TempDir dir;
  const CliResult r = run_trsim({"run", scenario_path("quickstart.yaml"), "--replications", "3"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(!contains(r.out, "elapsed"));
  CHECK(!contains(r.out, "\r"));
}

TEST_CASE("run shows replications done, elapsed and time left on a terminal", "[cli][progress]") {
  // util-linux's `script` gives the command a pseudo-terminal and records what it printed.
  TempDir dir;
  const std::string log = dir.path() + "/terminal.log";
  const std::string command = shell_quote(TRSIM_BINARY) + " run " + shell_quote(scenario_path("quickstart.yaml")) +
                              " --replications 3 >/dev/null";  // only stderr stays on the terminal
  const std::string full = "script -qefc " + shell_quote(command) + " /dev/null </dev/null >" + shell_quote(log) + " 2>&1";
  const int status = std::system(full.c_str());
  const std::string out = read_file(log);
  INFO("$ " << full << "\n" << out);
  REQUIRE(status == 0);
  CHECK(contains(out, "replications 0/3, 0s elapsed"));
  CHECK(contains(out, "replications 1/3, "));
  CHECK(contains(out, "left"));  // an estimate while replications remain
  CHECK(contains(out, "replications 3/3, "));
  CHECK(contains(out, "\r\033[K"));  // the line is cleared at the end
}
