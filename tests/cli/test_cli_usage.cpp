// The command line's usage surface: version, help, and every way of calling it wrongly. Usage
// errors exit 2 with a message on stderr that names what was wrong, and never start a run.
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

TEST_CASE("trsim --version prints the version and exits 0", "[cli]") {
  TempDir scratch;
  const CliResult r = run_trsim({"--version"}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out == std::string("trsim ") + TRSIM_VERSION + "\n");
  CHECK(r.err.empty());
}

TEST_CASE("trsim --help lists the verbs and exits 0", "[cli]") {
  TempDir scratch;
  for (const char* flag : {"--help", "-h", "help"}) {
    const CliResult r = run_trsim({flag}, scratch);
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "usage: trsim"));
    CHECK(contains(r.out, "run"));
    CHECK(contains(r.out, "validate"));
    CHECK(contains(r.out, "check"));
  }
}

TEST_CASE("trsim run --help lists the run options and exits 0 without needing a scenario", "[cli]") {
  TempDir scratch;
  const CliResult r = run_trsim({"run", "--help"}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "usage: trsim run"));
  for (const char* option : {"--json", "--events", "--set", "--seed", "--replications", "--threads",
                             "--quiet", "--check-invariants", "--help"})
    CHECK(contains(r.out, option));
}

TEST_CASE("trsim validate --help and trsim check --help list the common options and exit 0", "[cli]") {
  TempDir scratch;
  for (const char* verb : {"validate", "check"}) {
    const CliResult r = run_trsim({verb, "--help"}, scratch);
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, std::string("usage: trsim ") + verb));
    CHECK(contains(r.out, "--set"));
    CHECK(contains(r.out, "--seed"));
  }
}

TEST_CASE("trsim with no arguments prints the usage on stderr and exits 2", "[cli]") {
  TempDir scratch;
  const CliResult r = run_trsim({}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "usage: trsim"));
}

TEST_CASE("an unknown verb exits 2 and names the verb", "[cli]") {
  TempDir scratch;
  const CliResult r = run_trsim({"simulate", scenario_path("quickstart.yaml")}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "simulate"));
}

TEST_CASE("an unknown option exits 2 and names the option", "[cli]") {
  TempDir scratch;
  for (const char* verb : {"run", "validate", "check"}) {
    const CliResult r = run_trsim({verb, scenario_path("quickstart.yaml"), "--frobnicate"}, scratch);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "--frobnicate"));
  }
}

TEST_CASE("a verb without a scenario file exits 2", "[cli]") {
  TempDir scratch;
  for (const char* verb : {"run", "validate", "check"}) {
    const CliResult r = run_trsim({verb}, scratch);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "scenario"));
  }
}

TEST_CASE("two scenario files exit 2", "[cli]") {
  TempDir scratch;
  const std::string s = scenario_path("quickstart.yaml");
  const CliResult r = run_trsim({"run", s, s}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
}

TEST_CASE("a missing scenario file exits 2 with a message naming the file", "[cli]") {
  TempDir scratch;
  const std::string missing = (fs::path(scratch.path()) / "no-such-scenario.yaml").string();
  for (const char* verb : {"run", "validate", "check"}) {
    const CliResult r = run_trsim({verb, missing}, scratch);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, missing));
  }
}

TEST_CASE("a folder given as the scenario exits 2 with a message naming it", "[cli]") {
  TempDir scratch;
  const CliResult r = run_trsim({"validate", scratch.path()}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, scratch.path()));
}

TEST_CASE("run --threads 0 exits 2 before the run", "[cli]") {
  TempDir scratch;
  const CliResult r = run_trsim({"run", scenario_path("quickstart.yaml"), "--threads", "0"}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "--threads"));
}

TEST_CASE("numeric options reject negative, fractional and non-numeric values with exit 2", "[cli]") {
  // "-1" must not wrap around to the largest unsigned value.
  TempDir scratch;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--threads", "-1"},      {"--threads", "1.5"},     {"--threads", "two"},
      {"--replications", "-1"}, {"--replications", "x"},  {"--replications", "0"},
      {"--seed", "-1"},         {"--seed", "abc"},        {"--seed", "99999999999999999999999"},
  };
  for (const auto& [option, value] : bad) {
    const CliResult r = run_trsim({"run", scenario_path("quickstart.yaml"), option, value, "--quiet"}, scratch);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, option.substr(2)));
  }
}
