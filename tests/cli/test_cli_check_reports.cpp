// `trsim check` reports: `ci: true` asks the whole confidence interval to hold, and `--junit`
// writes a JUnit XML file that an XML parser (Python's xml.etree) reads back with the right counts.
#include <cstdlib>

#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const char* const kLine = R"(name: line
seed: 5
horizon: 2h
replications: 5
statistics: {service_level_thresholds: [20]}
task_queues:
  Helpdesk: {}
workflows:
  helpdesk:
    configuration:
      task_routing:
        filters: []
        default_filter: {queue: Helpdesk}
workers:
  agents: {count: 6, activity: Available}
arrivals:
  calls: {workflow: helpdesk, rate: 60/h, handle_time: {exponential: {mean: 5m}}}
)";

/// Runs python3 on `script` with `xml_path` as its argument; returns what it printed.
std::string run_python(const TempDir& dir, const std::string& script, const std::string& xml_path) {
  const std::string script_path = dir.write("read.py", script);
  const std::string out_path = (fs::path(dir.path()) / "python.out").string();
  const std::string command = "python3 " + shell_quote(script_path) + " " + shell_quote(xml_path) +
                              " >" + shell_quote(out_path) + " 2>&1";
  const int status = std::system(command.c_str());
  INFO(command);
  INFO(read_file(out_path));
  REQUIRE(status == 0);
  return read_file(out_path);
}

// Prints the counts of the root and the suite, then one line per test case: its name, and
// "FAIL <message>" or "pass". A file that is not well-formed XML makes the script fail.
const char* const kJunitReader = R"(import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1
s = suites[0]
print("root", root.get("tests"), root.get("failures"))
print("suite", s.get("name"), s.get("tests"), s.get("failures"))
props = {p.get("name"): p.get("value") for p in s.find("properties").findall("property")}
print("properties", props["seed"], props["replications"])
for case in s.findall("testcase"):
    f = case.find("failure")
    print("case", case.get("name"), "|", "FAIL " + f.get("message") if f is not None else "pass")
)";

}  // namespace

TEST_CASE("ci true fails an expectation whose mean passes but whose confidence interval does not",
          "[cli][check]") {
  TempDir dir;
  // Measure the metric first, then put the bound half a ci95 below the mean.
  const std::string measured = dir.write("measure.yaml", kLine);
  const CliResult run = run_trsim({"run", measured, "--json", "-"}, dir);
  INFO(describe(run));
  REQUIRE(run.exit_code == 0);
  const Json created = *parse_json(run.out).at_path("statistics.workspace.tasks_created");
  const double mean = created.get("mean")->number;
  const double ci95 = created.get("ci95")->number;
  REQUIRE(ci95 > 0);
  const std::string bound = std::to_string(mean - ci95 / 2);

  const std::string on_mean = dir.write(
      "mean.yaml",
      std::string(kLine) + "expect:\n  - {metric: workspace.tasks_created, min: " + bound + "}\n");
  const CliResult pass = run_trsim({"check", on_mean}, dir);
  INFO(describe(pass));
  CHECK(pass.exit_code == 0);

  const std::string on_ci =
      dir.write("ci.yaml", std::string(kLine) +
                               "expect:\n  - {metric: workspace.tasks_created, min: " + bound +
                               ", ci: true}\n");
  const CliResult fail = run_trsim({"check", on_ci}, dir);
  INFO(describe(fail));
  CHECK(fail.exit_code == 1);
  CHECK(contains(fail.out, "(ci95)"));
  CHECK(contains(fail.out, "FAILED: the ci95 reaches down to"));

  // A bound the whole interval clears passes with ci: true too.
  const std::string low = std::to_string(mean - 2 * ci95);
  const std::string clear =
      dir.write("clear.yaml", std::string(kLine) +
                                  "expect:\n  - {metric: workspace.tasks_created, min: " + low +
                                  ", ci: true}\n");
  const CliResult ok = run_trsim({"check", clear}, dir);
  INFO(describe(ok));
  CHECK(ok.exit_code == 0);
}

TEST_CASE("ci true with a single replication falls short and says it needs two", "[cli][check]") {
  TempDir dir;
  const std::string path = dir.write(
      "one.yaml",
      std::string(kLine) + "expect:\n  - {metric: workspace.tasks_created, min: 1, ci: true}\n");
  const CliResult r = run_trsim({"check", path, "--replications", "1"}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "needs at least 2 replications"));
  const CliResult two = run_trsim({"check", path, "--replications", "2"}, dir);
  INFO(describe(two));
  CHECK(two.exit_code == 0);
}

TEST_CASE(
    "check --junit writes JUnit XML that parses, with one case per expectation and the failures "
    "counted",
    "[cli][check]") {
  TempDir dir;
  const std::string xml = (fs::path(dir.path()) / "report.xml").string();
  const CliResult r = run_trsim({"check", scenario_path("check-fail.yaml"), "--junit", xml}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "FAILED"));  // the table is still printed
  const std::vector<std::string> lines = lines_of(run_python(dir, kJunitReader, xml));
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == "root 3 2");
  CHECK(lines[1] == "suite check-fail 3 2");
  CHECK(lines[2] == "properties 11 10");  // check-fail.yaml's seed and replications
  // The names carry the bounds unescaped once parsed (">=" was written as "&gt;=").
  CHECK(contains(lines[3],
                 "case workspace.service_level.20 >= 0.75 (ci95) | FAIL the ci95 reaches down to"));
  CHECK(contains(lines[4],
                 "case task_queues.Helpdesk.avg_task_acceptance_time <= 30 | FAIL the mean"));
  CHECK(lines[5] == "case workspace.tasks_completed >= 600 | pass");
  // No temporary file is left beside the report.
  CHECK(files_in(dir.path()) == std::vector<std::string>{"python.out", "read.py", "report.xml"});
}

TEST_CASE("check --junit on a passing scenario counts no failures", "[cli][check]") {
  TempDir dir;
  const std::string xml = (fs::path(dir.path()) / "pass.xml").string();
  const CliResult r =
      run_trsim({"check", scenario_path("check-pass.yaml"), "--junit", xml, "--quiet"}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  const std::vector<std::string> lines = lines_of(run_python(dir, kJunitReader, xml));
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == "root 3 0");
  for (std::size_t i = 3; i < lines.size(); ++i) CHECK(contains(lines[i], "| pass"));
}

TEST_CASE("check --junit to an unwritable path exits 2 before the run", "[cli][check]") {
  TempDir dir;
  const std::string xml = (fs::path(dir.path()) / "no-such-folder" / "report.xml").string();
  const CliResult r = run_trsim({"check", scenario_path("check-fail.yaml"), "--junit", xml}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "cannot write"));
  CHECK(r.out.empty());  // nothing ran
}

TEST_CASE("check --junit escapes what XML reserves in names and messages", "[cli][check]") {
  TempDir dir;
  std::string yaml = kLine;
  yaml.replace(yaml.find("name: line"), 10, "name: \"desk & <co> 'quoted' \\\"q\\\"\"");
  const std::string path =
      dir.write("escape.yaml", yaml + "expect:\n  - {metric: workspace.tasks_created, max: 1}\n");
  const std::string xml = (fs::path(dir.path()) / "escape.xml").string();
  const CliResult r = run_trsim({"check", path, "--junit", xml}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 1);
  const std::vector<std::string> lines = lines_of(run_python(dir, kJunitReader, xml));
  REQUIRE(lines.size() == 4);
  CHECK(lines[1] == "suite desk & <co> 'quoted' \"q\" 1 1");
  CHECK(contains(lines[3], "case workspace.tasks_created <= 1 | FAIL the mean"));
}
