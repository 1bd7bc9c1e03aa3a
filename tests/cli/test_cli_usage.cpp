// The command line's usage surface: version, help, and every way of calling it wrongly. Usage
// errors exit 2 with a message on stderr that names what was wrong, and never start a run.
#include <regex>

#include "cli_commands.hpp"
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

/// The version `project(trsim VERSION x.y.z ...)` in CMakeLists.txt declares.
std::string project_version() {
  const std::string cmake = read_file((source_dir() / "CMakeLists.txt").string());
  std::smatch m;
  REQUIRE(std::regex_search(cmake, m, std::regex(R"(project\(trsim\s+VERSION\s+([0-9][0-9.]*))")));
  return m[1].str();
}

std::vector<std::string> verbs_of_this_binary(const TempDir& scratch) {
  const CliResult r = run_trsim({"--help"}, scratch);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const std::vector<std::string> verbs = listed_verbs(r.out);
  REQUIRE_FALSE(verbs.empty());
  return verbs;
}

}  // namespace

TEST_CASE("trsim --version prints the project version of CMakeLists.txt and exits 0", "[cli]") {
  TempDir scratch;
  const CliResult r = run_trsim({"--version"}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out == "trsim " + project_version() + "\n");
  CHECK(r.err.empty());
}

TEST_CASE("every verb trsim --help lists has a --help with a usage line, options and examples",
          "[cli]") {
  TempDir scratch;
  const std::vector<std::string> verbs = verbs_of_this_binary(scratch);
  for (const char* verb : {"run", "validate", "check"})
    CHECK(std::find(verbs.begin(), verbs.end(), verb) != verbs.end());
  for (const std::string& verb : verbs) {
    const CliResult r = run_trsim({verb, "--help"}, scratch);
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(contains(r.out, "usage: trsim " + verb));
    CHECK(listed_options(r.out).count("--help") == 1);
    CHECK_FALSE(help_examples(r.out).empty());
  }
}

// An example must work when copied. It is one command, or a chain of them (`|`, `&&`) such as
// `trsim run ... --json s.json && trsim report s.json -o r.html`; a verb's examples may show the
// commands that prepare its input, but at least one calls the verb itself. Each command calls a
// verb of this binary with options that verb has, on scenarios that exist in the repository (paths
// from its root). Other file names (`summary.json`, `results.xml`) are what a command writes, or
// read outputs of earlier commands. Its --set overrides must load: the scenario is validated with
// them, except values with a comma, which are lists of sweep points rather than one value.
TEST_CASE("the examples of every verb's --help name existing scenarios and options the verb has",
          "[cli]") {
  TempDir scratch;
  const std::vector<std::string> verbs = verbs_of_this_binary(scratch);
  std::map<std::string, std::set<std::string>> options_by_verb;
  std::map<std::string, std::vector<std::string>> examples_by_verb;
  for (const std::string& verb : verbs) {
    const CliResult help = run_trsim({verb, "--help"}, scratch);
    options_by_verb[verb] = listed_options(help.out);
    examples_by_verb[verb] = help_examples(help.out);
  }
  for (const std::string& verb : verbs) {
    bool calls_own_verb = false;
    for (const std::string& example : examples_by_verb[verb]) {
      INFO("trsim " << verb << " --help shows: " << example);
      const CommandLine whole = split_command_line(example);
      std::vector<std::vector<std::string>> commands(1);
      for (const std::string& word : whole.words) {
        if (word == "|" || word == "&&")
          commands.emplace_back();
        else
          commands.back().push_back(word);
      }
      for (const std::vector<std::string>& words : commands) {
        REQUIRE(words.size() >= 2);
        CHECK(words[0] == "trsim");
        const std::string& called = words[1];
        REQUIRE(options_by_verb.count(called) == 1);
        calls_own_verb = calls_own_verb || called == verb;
        CommandLine cl;
        cl.words = words;
        for (const std::string& option : options_of(cl)) {
          INFO("option " << option << " of trsim " << called);
          CHECK(options_by_verb[called].count(option) == 1);
        }
        std::vector<std::string> validate = {"validate"};
        for (std::size_t i = 2; i < words.size(); ++i) {
          const std::string& word = words[i];
          const bool written = words[i - 1] == "-o" || words[i - 1] == "--output";
          if (names_scenario(word) && !written) {  // `import -o S.yaml` writes S.yaml
            INFO("scenario " << word);
            CHECK(fs::is_regular_file(source_dir() / word));
            validate.push_back((source_dir() / word).string());
          } else if (word == "--set" && i + 1 < words.size() &&
                     words[i + 1].find(',') == std::string::npos) {
            validate.push_back("--set");
            validate.push_back(words[i + 1]);
          }
        }
        if (validate.size() > 1) {
          const CliResult r = run_trsim(validate, scratch);
          INFO(describe(r));
          CHECK(r.exit_code == 0);
        }
      }
    }
    INFO("trsim " << verb << " --help");
    CHECK(calls_own_verb);
  }
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

TEST_CASE("trsim run --help lists the run options and exits 0 without needing a scenario",
          "[cli]") {
  TempDir scratch;
  const CliResult r = run_trsim({"run", "--help"}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "usage: trsim run"));
  for (const char* option : {"--json", "--events", "--set", "--seed", "--replications", "--threads",
                             "--quiet", "--check-invariants", "--help"})
    CHECK(contains(r.out, option));
}

TEST_CASE("trsim validate --help and trsim check --help list the common options and exit 0",
          "[cli]") {
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
    const CliResult r =
        run_trsim({verb, scenario_path("quickstart.yaml"), "--frobnicate"}, scratch);
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

TEST_CASE("run --threads 0 runs on every core, and a fraction exits 2 before the run", "[cli]") {
  TempDir scratch;
  const CliResult all = run_trsim(
      {"run", scenario_path("quickstart.yaml"), "--threads", "0", "--replications", "2"}, scratch);
  INFO(describe(all));
  CHECK(all.exit_code == 0);
  const CliResult r =
      run_trsim({"run", scenario_path("quickstart.yaml"), "--threads", "1.5"}, scratch);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "--threads"));
}

TEST_CASE("numeric options reject negative, fractional and non-numeric values with exit 2",
          "[cli]") {
  // "-1" must not wrap around to the largest unsigned value.
  TempDir scratch;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--threads", "-1"},      {"--threads", "1.5"},    {"--threads", "two"},
      {"--replications", "-1"}, {"--replications", "x"}, {"--replications", "0"},
      {"--seed", "-1"},         {"--seed", "abc"},       {"--seed", "99999999999999999999999"},
  };
  for (const auto& [option, value] : bad) {
    const CliResult r =
        run_trsim({"run", scenario_path("quickstart.yaml"), option, value, "--quiet"}, scratch);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, option.substr(2)));
  }
}
