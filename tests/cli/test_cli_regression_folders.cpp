// Many regression scenarios in one call: `trsim check A.yaml B.yaml ...` and `trsim compare
// --base-dir B --change-dir C` run the scenarios in parallel and write one JUnit file (one suite
// per scenario or pair, accepted by xmllint) and one markdown summary; a broken scenario is an
// error for its own suite while the others still run.
#include <cstdlib>

#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

std::string help_line(int agents, const std::string& expect) {
  return "name: line\nseed: 5\nhorizon: 1h\nreplications: 4\n"
         "statistics: {service_level_thresholds: [20]}\n"
         "task_queues:\n  Helpdesk: {}\n"
         "workflows:\n  helpdesk:\n    configuration:\n      task_routing:\n"
         "        filters: []\n        default_filter: {queue: Helpdesk}\n"
         "workers:\n  agents: {count: " +
         std::to_string(agents) +
         ", activity: Available}\n"
         "arrivals:\n  calls: {workflow: helpdesk, rate: 100/h, handle_time: {exponential: "
         "{mean: 5m}}}\n" +
         expect;
}

const char* const kExpect =
    "expect:\n  - {metric: workspace.service_level.20, min: 0.6}\n"
    "  - {metric: workspace.tasks_created, min: 1}\n";

/// Runs a command through the shell; returns its exit status and what it printed.
std::pair<int, std::string> shell(const TempDir& dir, const std::string& command) {
  const std::string out = (fs::path(dir.path()) / "shell.out").string();
  const int status = std::system((command + " >" + shell_quote(out) + " 2>&1").c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out)};
}

// Prints the root's counts, then per suite: name tests failures errors, and per case its name and
// "FAIL"/"ERROR <message>"/"pass".
const char* const kJunitReader = R"(import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
print("root", root.get("tests"), root.get("failures"), root.get("errors"))
for s in root.findall("testsuite"):
    print("suite", s.get("name"), s.get("tests"), s.get("failures"), s.get("errors"))
    for case in s.findall("testcase"):
        f = case.find("failure")
        e = case.find("error")
        state = "FAIL " + f.get("message") if f is not None else ("ERROR " + e.get("message") if e is not None else "pass")
        print("  case", case.get("name"), "|", state)
)";

std::string junit_outline(const TempDir& dir, const std::string& xml_path) {
  const std::string script = dir.write("read.py", kJunitReader);
  const auto [status, out] =
      shell(dir, "python3 " + shell_quote(script) + " " + shell_quote(xml_path));
  INFO(out);
  REQUIRE(status == 0);
  return out;
}

void require_xmllint_accepts(const TempDir& dir, const std::string& xml_path) {
  const auto [status, out] = shell(dir, "xmllint --noout " + shell_quote(xml_path));
  INFO(out);
  REQUIRE(status == 0);
}

}  // namespace

TEST_CASE("check over a folder: one JUnit file, one suite per scenario, a broken one an error",
          "[cli][check][regression]") {
  TempDir dir;
  fs::create_directories(fs::path(dir.path()) / "regression");
  const std::string pass = dir.write("regression/a-pass.yaml", help_line(12, kExpect));
  const std::string fail = dir.write("regression/b-fail.yaml", help_line(7, kExpect));
  const std::string broken =
      dir.write("regression/c-broken.yaml", help_line(12, kExpect) + "horizon: 3h\n");
  const std::string junit = (fs::path(dir.path()) / "r.xml").string();
  const std::string md = (fs::path(dir.path()) / "r.md").string();
  const CliResult r = run_trsim(
      {"check", pass, fail, broken, "--threads", "2", "--junit", junit, "--markdown", md}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);  // a broken scenario is bad input, after the others ran
  CHECK(contains(r.err, "c-broken.yaml:21:1: duplicate key 'horizon'"));
  require_xmllint_accepts(dir, junit);
  const std::string outline = junit_outline(dir, junit);
  INFO(outline);
  const std::vector<std::string> lines = lines_of(outline);
  REQUIRE(lines.size() == 9);
  CHECK(lines[0] == "root 5 1 1");
  CHECK(lines[1] == "suite " + pass + " 2 0 0");
  CHECK(lines[4] == "suite " + fail + " 2 1 0");
  CHECK(contains(lines[5], "workspace.service_level.20 >= 0.6 | FAIL the mean"));
  CHECK(lines[7] == "suite " + broken + " 1 0 1");
  CHECK(contains(lines[8], "| ERROR the scenario is invalid"));
  // The markdown: one section per scenario.
  const std::string text = read_file(md);
  CHECK(contains(text, "### ✅ " + pass));
  CHECK(contains(text, "### ❌ " + fail));
  CHECK(contains(text, "### ⛔ " + broken));
  CHECK(contains(text, "| ❌ | `workspace.service_level.20` | >= 0.6 |"));

  // Without the broken one: exit 1; the results do not depend on the threads.
  const std::string junit1 = (fs::path(dir.path()) / "r1.xml").string();
  const std::string junit2 = (fs::path(dir.path()) / "r2.xml").string();
  const CliResult one = run_trsim({"check", pass, fail, "--threads", "1", "--junit", junit1}, dir);
  const CliResult two = run_trsim({"check", pass, fail, "--threads", "2", "--junit", junit2}, dir);
  INFO(describe(one));
  CHECK(one.exit_code == 1);
  CHECK(two.exit_code == 1);
  CHECK(read_file(junit1) == read_file(junit2));
  CHECK(one.out == two.out);
  // The verdicts of the whole-folder run are those of one scenario at a time.
  const CliResult alone = run_trsim({"check", fail, "--junit", "-"}, dir);
  const std::size_t failure = alone.out.find("<failure");
  REQUIRE(failure != std::string::npos);
  CHECK(contains(read_file(junit1),
                 alone.out.substr(failure, alone.out.find('\n', failure) - failure)));
  // Every scenario passing: exit 0.
  const CliResult ok = run_trsim({"check", pass, pass, "--quiet"}, dir);
  INFO(describe(ok));
  CHECK(ok.exit_code == 0);
}

TEST_CASE("compare over two folders: pairs matched by name, one suite per pair",
          "[cli][compare][regression]") {
  TempDir dir;
  for (const char* d : {"base", "pr"}) fs::create_directories(fs::path(dir.path()) / d);
  dir.write("base/desk.yaml", help_line(12, ""));
  dir.write("pr/desk.yaml", help_line(8, ""));  // the pull request removes four agents
  dir.write("base/same.yaml", help_line(10, ""));
  dir.write("pr/same.yaml", help_line(10, ""));
  dir.write("base/gone.yaml", help_line(10, ""));
  dir.write("pr/new.yaml", help_line(10, ""));
  const std::string rule = "workspace.service_level.20 < -0.05";
  const CliResult r = run_trsim({"compare", "--base-dir", "base", "--change-dir", "pr", "--fail-if",
                                 rule, "--threads", "2", "--junit", "r.xml", "--markdown", "r.md"},
                                dir, dir.path());
  INFO(describe(r));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "gone.yaml: only in --base-dir"));
  CHECK(contains(r.out, "new.yaml: only in --change-dir"));
  const std::string junit = (fs::path(dir.path()) / "r.xml").string();
  require_xmllint_accepts(dir, junit);
  const std::string outline = junit_outline(dir, junit);
  INFO(outline);
  CHECK(contains(outline, "suite desk.yaml 14 1 0"));  // 13 headline metrics and the rule
  CHECK(contains(outline, "suite same.yaml 14 0 0"));
  CHECK(contains(outline, "rule: " + rule + " (ci95) | FAIL " + rule + ": the whole ci95"));
  const std::string md = read_file((fs::path(dir.path()) / "r.md").string());
  CHECK(contains(md, "### ❌ desk.yaml"));
  CHECK(contains(md, "### ✅ same.yaml"));

  // A broken file in the change: an error for its pair, the other pair still compared.
  dir.write("pr/same.yaml", help_line(10, "") + "workers: {}\n");
  const CliResult broken = run_trsim({"compare", "--base-dir", "base", "--change-dir", "pr",
                                      "--fail-if", rule, "--junit", "r.xml"},
                                     dir, dir.path());
  INFO(describe(broken));
  CHECK(broken.exit_code == 2);
  const std::string outline2 = junit_outline(dir, junit);
  INFO(outline2);
  CHECK(contains(outline2, "suite desk.yaml 14 1 0"));
  CHECK(contains(outline2, "suite same.yaml 1 0 1"));
}
