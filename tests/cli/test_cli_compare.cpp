// `trsim compare`: the base against a change under common random numbers, paired replication by
// replication; rules on the differences (--fail-if, a `compare:` block) and the reports a pull
// request shows (JUnit, markdown, JSON).
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <regex>

#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

// A help line: 12 agents answering 100 calls an hour of 5 minutes (the check-pass desk), short.
const char* const kHelpLine = R"(name: help-line
seed: 11
horizon: 2h
replications: 10
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
  agents: {count: 12, name: "agent-{i}", activity: Available}
arrivals:
  calls: {workflow: helpdesk, rate: 100/h, handle_time: {exponential: {mean: 5m}}}
)";

const Json& metric_of(const Json& comparison, const std::string& metric) {
  for (const Json& m : comparison.get("metrics")->items)
    if (m.get("metric")->text == metric) return m;
  FAIL("no metric " << metric);
  throw std::logic_error("unreachable");
}

bool exists(const std::string& path) { return fs::exists(path); }

}  // namespace

TEST_CASE("a scenario compared with itself differs by exactly 0 ± 0 in every metric",
          "[cli][compare]") {
  TempDir dir;
  const std::string s = dir.write("line.yaml", kHelpLine);
  const CliResult r = run_trsim({"compare", s, s, "--replications", "5", "--threads", "2", "--json",
                                 "-", "--fail-if", "workspace.service_level.20 < -0.0001",
                                 "--metric", "task_queues.Helpdesk.avg_task_acceptance_time"},
                                dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const Json doc = parse_json(r.out);
  REQUIRE(doc.get("comparisons")->items.size() == 1);
  const Json& c = doc.get("comparisons")->items[0];
  CHECK(c.at_path("pairing.complete")->boolean);
  const std::vector<Json>& metrics = c.get("metrics")->items;
  REQUIRE(metrics.size() >= 14);  // the headline metrics and the --metric
  for (const Json& m : metrics) {
    INFO(m.get("metric")->text);
    const Json* base = m.at_path("base.mean");
    REQUIRE(base->is_number());  // every metric of this line has data
    // Pairing is exact: the same replication of the same scenario, so every difference is 0.
    CHECK(m.at_path("difference.mean")->text == "0");
    CHECK(m.at_path("difference.ci95")->text == "0");
    CHECK(m.at_path("difference.n")->number == 5);
    CHECK_FALSE(m.get("significant")->boolean);
  }
  // The rule is judged and holds.
  REQUIRE(c.get("rules")->items.size() == 1);
  CHECK_FALSE(c.get("rules")->items[0].get("failed")->boolean);
  // The same bytes with one thread.
  const CliResult one =
      run_trsim({"compare", s, s, "--replications", "5", "--threads", "1", "--json", "-",
                 "--fail-if", "workspace.service_level.20 < -0.0001", "--metric",
                 "task_queues.Helpdesk.avg_task_acceptance_time"},
                dir);
  CHECK(one.out == r.out);
}

TEST_CASE("9 agents instead of 12: a significant service-level drop fails the rule, exit 1",
          "[cli][compare]") {
  TempDir dir;
  const std::string s = dir.write("line.yaml", kHelpLine);
  const std::string junit = (fs::path(dir.path()) / "compare.xml").string();
  const std::string md = (fs::path(dir.path()) / "compare.md").string();
  const std::string json = (fs::path(dir.path()) / "compare.json").string();
  const std::string rule = "workspace.service_level.20 < -0.02";
  const CliResult r = run_trsim({"compare", s, "--change", "workers.agents.count=9", "--fail-if",
                                 rule, "--junit", junit, "--markdown", md, "--json", json},
                                dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 1);
  CHECK(contains(r.out, "FAILED: the whole ci95"));
  // The rule's difference and its reason in percentage points, as the metric table prints it.
  CHECK(std::regex_search(
      r.out,
      std::regex(R"(workspace\.service_level\.20 < -0\.02 +ci95 +-[0-9.]+ ± [0-9.]+ pp  FAILED: )"
                 R"(the whole ci95 \[-[0-9.]+ pp, -[0-9.]+ pp\] is below -2 pp)")));
  const Json c = parse_json(read_file(json)).get("comparisons")->items.at(0);
  const Json& sl = metric_of(c, "workspace.service_level.20");
  const double diff = sl.at_path("difference.mean")->number;
  const double paired = sl.at_path("difference.ci95")->number;
  const double unpaired = sl.get("unpaired_ci95")->number;
  INFO("difference " << diff << " ± " << paired << " (unpaired ± " << unpaired << ")");
  CHECK(sl.get("significant")->boolean);
  CHECK(diff + paired < -0.02);  // the whole interval lies below the threshold
  // Common random numbers: the same callers on both sides, so the paired interval is narrower
  // than the one two independent runs would give.
  CHECK(paired < unpaired);
  // Workers agent-10..12 exist only in the base: the pairing is partial, and says so.
  CHECK_FALSE(c.at_path("pairing.complete")->boolean);
  CHECK(contains(r.out, "pairing is partial"));
  CHECK(contains(r.out, "agent-10"));
  // The same arrivals: the number of calls does not change at all.
  CHECK(metric_of(c, "workspace.tasks_created").at_path("difference.ci95")->text == "0");
  // Ratios in %, differences of ratios in percentage points (one convention with run, check and
  // sweep); the JSON keeps the fractions.
  const std::string row = fmt::format("{:.1f} ± {:.1f} pp", diff * 100, paired * 100);
  INFO(r.out);
  CHECK(contains(r.out, row));
  CHECK(contains(r.out, fmt::format("{:.1f} ± {:.1f} %", sl.at_path("base.mean")->number * 100,
                                    sl.at_path("base.ci95")->number * 100)));

  // The JUnit file: the rule's test case fails and names the rule; one case per metric.
  const std::string xml = read_file(junit);
  CHECK(contains(xml, "<testcase classname=\"help-line vs help-line\" name=\"rule: " +
                          std::string("workspace.service_level.20 &lt; -0.02 (ci95)\">")));
  CHECK(contains(xml, "<failure message=\"workspace.service_level.20 &lt; -0.02: the whole ci95"));
  CHECK(contains(xml, "name=\"metric: workspace.occupancy\""));
  CHECK(contains(xml, "failures=\"1\""));
  // The markdown: the failed row is marked and names the rule.
  const std::string text = read_file(md);
  CHECK(contains(text, "| ❌ | `workspace.service_level.20` |"));
  CHECK(contains(text, row));
  CHECK(contains(text, "| `" + rule + "` |"));
  CHECK(contains(text, "1 of 1 rules failed"));

  // Judged on the mean rather than the whole interval: a threshold between the interval's upper
  // end and the mean fails only on the mean.
  const std::string between = std::to_string(diff + paired / 2);
  const std::string loose = "workspace.service_level.20 < " + between;
  const CliResult on_ci =
      run_trsim({"compare", s, "--change", "workers.agents.count=9", "--fail-if", loose}, dir);
  INFO(describe(on_ci));
  CHECK(on_ci.exit_code == 0);
  const CliResult on_mean = run_trsim(
      {"compare", s, "--change", "workers.agents.count=9", "--fail-if", loose, "--judge", "mean"},
      dir);
  INFO(describe(on_mean));
  CHECK(on_mean.exit_code == 1);
  CHECK(contains(on_mean.out, "FAILED: the mean difference"));
  // The same from a compare block with `judge: mean`; --judge overrides it.
  const std::string kept =
      dir.write("kept.yaml", std::string(kHelpLine) + "compare:\n  fail_if: [\"" + loose +
                                 "\"]\n  judge: mean\n");
  const CliResult block = run_trsim({"compare", kept, "--change", "workers.agents.count=9"}, dir);
  INFO(describe(block));
  CHECK(block.exit_code == 1);
  const CliResult overridden =
      run_trsim({"compare", kept, "--change", "workers.agents.count=9", "--judge", "ci95"}, dir);
  INFO(describe(overridden));
  CHECK(overridden.exit_code == 0);
}

TEST_CASE("a scenario's compare block holds its rules, and the change can be a second file",
          "[cli][compare]") {
  TempDir dir;
  const std::string base =
      dir.write("base.yaml", std::string(kHelpLine) +
                                 "compare:\n  fail_if: [\"workspace.service_level.20 < -0.02\"]\n"
                                 "  metrics: [task_queues.Helpdesk.avg_task_acceptance_time]\n");
  std::string changed_text = kHelpLine;
  changed_text.replace(changed_text.find("count: 12"), 9, "count: 9");
  changed_text.replace(changed_text.find("seed: 11"), 8, "seed: 99");  // the base's seed is used
  const std::string changed = dir.write("changed.yaml", changed_text);
  const CliResult r = run_trsim({"compare", base, changed, "--json", "-"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 1);
  const Json c = parse_json(r.out).get("comparisons")->items.at(0);
  CHECK(c.get("seed")->number == 11);
  CHECK(metric_of(c, "workspace.tasks_created").at_path("difference.ci95")->text == "0");
  metric_of(c, "task_queues.Helpdesk.avg_task_acceptance_time");
  REQUIRE(c.get("rules")->items.size() == 1);
  CHECK(c.get("rules")->items[0].get("failed")->boolean);
  // The other way round (more agents) nothing drops: the same rule holds.
  const std::string better = dir.write(
      "better.yaml", std::string(changed_text) +
                         "compare:\n  fail_if: [\"workspace.service_level.20 < -0.02\"]\n");
  const CliResult back = run_trsim({"compare", better, base}, dir);
  INFO(describe(back));
  CHECK(back.exit_code == 0);
}

TEST_CASE("a change file: a pull request lengthening a workflow step's timeout, end to end",
          "[cli][compare]") {
  TempDir dir;
  // Tier 1 (3 agents) gets each call first; after the step's timeout it is offered to everyone.
  const std::string s = dir.write("tiers.yaml", R"(name: tiers
seed: 3
horizon: 2h
replications: 8
statistics: {service_level_thresholds: [20]}
task_queues:
  Tier1: {target_workers: "tier == 1"}
  Everyone: {target_workers: "tier >= 1"}
workflows:
  support:
    configuration_file: routing.json
workers:
  first: {count: 3, activity: Available, attributes: {tier: 1}}
  second: {count: 3, activity: Available, attributes: {tier: 2}}
arrivals:
  calls: {workflow: support, rate: 50/h, handle_time: {exponential: {mean: 4m}}}
)");
  const std::string routing = R"({"task_routing": {"filters": [{"filter_friendly_name": "all",
  "expression": "1 == 1", "targets": [{"queue": "Tier1", "timeout": 10}, {"queue": "Everyone"}]}]}}
)";
  dir.write("routing.json", routing);
  std::string pr = routing;
  pr.replace(pr.find("\"timeout\": 10"), 13, "\"timeout\": 300");
  fs::create_directories(fs::path(dir.path()) / "pr");
  dir.write("pr/routing.json", pr);
  // Run from the folder, as a CI job would: the new file is named relative to it.
  const CliResult r = run_trsim({"compare", "tiers.yaml", "--change-file",
                                 "workflows.support.configuration_file=pr/routing.json", "--metric",
                                 "task_queues.Everyone.tasks_entered", "--fail-if",
                                 "workspace.avg_task_acceptance_time > 10", "--json", "out.json"},
                                dir, dir.path());
  INFO(describe(r));
  REQUIRE(r.exit_code == 1);
  const Json c = parse_json(read_file((fs::path(dir.path()) / "out.json").string()))
                     .get("comparisons")
                     ->items.at(0);
  // Waiting 300 s for tier 1 instead of 10 s: fewer calls reach the second step, and callers
  // wait longer.
  const Json& second_step = metric_of(c, "task_queues.Everyone.tasks_entered");
  CHECK(second_step.get("significant")->boolean);
  CHECK(second_step.at_path("difference.mean")->number < 0);
  CHECK(metric_of(c, "workspace.avg_task_acceptance_time").at_path("difference.mean")->number > 0);
  CHECK(c.at_path("pairing.complete")->boolean);
  CHECK(c.get("rules")->items.at(0).get("failed")->boolean);
}

TEST_CASE("compare and check refuse an output naming any file they read with exit 2",
          "[cli][compare][files]") {
  TempDir dir;
  const std::string base = dir.write("base.yaml", kHelpLine);
  std::string changed_text = kHelpLine;
  changed_text.replace(changed_text.find("count: 12"), 9, "count: 9");
  const std::string changed = dir.write("changed.yaml", changed_text);
  for (const std::string& input : {base, changed}) {
    for (const char* option : {"--json", "--junit", "--markdown"}) {
      const std::string before = read_file(input);
      const CliResult r = run_trsim({"compare", base, changed, option, input}, dir);
      INFO(describe(r));
      CHECK(r.exit_code == 2);
      CHECK(contains(r.err, std::string(option) + " '" + input + "' would overwrite"));
      CHECK(read_file(input) == before);
    }
  }
  // A configuration file of the base and the one --change-file names.
  const std::string routing = R"({"task_routing": {"filters": [], "default_filter": {"queue":
  "Helpdesk"}}}
)";
  std::string with_file = kHelpLine;
  with_file.replace(with_file.find("    configuration:\n"), std::string::npos,
                    "    configuration_file: routing.json\n");
  with_file +=
      "workers:\n  agents: {count: 12, name: \"agent-{i}\", activity: Available}\n"
      "arrivals:\n  calls: {workflow: helpdesk, rate: 100/h, handle_time: {exponential: "
      "{mean: 5m}}}\n";
  dir.write("files.yaml", with_file);
  dir.write("routing.json", routing);
  dir.write("new-routing.json", routing);
  const CliResult ok = run_trsim({"compare", "files.yaml", "--change-file",
                                  "workflows.helpdesk.configuration_file=new-routing.json"},
                                 dir, dir.path());
  INFO(describe(ok));
  REQUIRE(ok.exit_code == 0);
  for (const char* input : {"routing.json", "new-routing.json"}) {
    const CliResult r = run_trsim({"compare", "files.yaml", "--change-file",
                                   "workflows.helpdesk.configuration_file=new-routing.json",
                                   "--json", std::string("./") + input},
                                  dir, dir.path());
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "would overwrite"));
    CHECK(read_file(path_in(dir, input)) == routing);
  }
  // check with several scenarios: every one's files, not only the last one's.
  const std::string scenario = read_file(base);
  for (const std::string& input : {base, changed}) {
    const CliResult r = run_trsim({"check", base, changed, "--junit", input}, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--junit '" + input + "' would overwrite"));
  }
  CHECK(read_file(base) == scenario);
}

TEST_CASE("compare: bad input is exit 2 with a clear error, and nothing is written",
          "[cli][compare]") {
  TempDir dir;
  const std::string s = dir.write("line.yaml", kHelpLine);
  const std::string junit = (fs::path(dir.path()) / "out.xml").string();
  const std::string md = (fs::path(dir.path()) / "out.md").string();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{s, s, "--fail-if", "workspace.service_levle.20 < -0.02"},
       "--fail-if 'workspace.service_levle.20 < -0.02': unknown metric "
       "'workspace.service_levle.20'"},
      {{s, s, "--fail-if", "workspace.service_level.20 <= -0.02"}, "'<=' and '>=' are not rules"},
      {{s, s, "--fail-if", "workspace.service_level.20 -0.02"}, "expected 'METRIC < NUMBER'"},
      {{s, s, "--fail-if", "workspace.service_level.20 < much"},
       "expected a number after '<', got 'much'"},
      {{s, s, "--fail-if", "workspace < 1"}, "'workspace' is a group of metrics"},
      {{s, s, "--metric", "task_queues.Nowhere.abandon_rate"},
       "unknown metric 'task_queues.Nowhere.abandon_rate'"},
      {{s, (fs::path(dir.path()) / "missing.yaml").string()}, "missing.yaml"},
      {{s, "--change-file", "workflows.helpdesk.configuration_file=nowhere.json"},
       "--change-file: cannot read 'nowhere.json'"},
      {{s}, "nothing to compare with"},
      {{s, s, "--judge", "median"}, "--judge is ci95 or mean"},
      {{s, s, "--replications", "1", "--fail-if", "workspace.occupancy > 0"},
       "need at least 2 replications"},
      {{"--base-dir", dir.path()}, "--base-dir and --change-dir go together"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"compare"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--junit", junit, "--markdown", md});
    const CliResult r = run_trsim(args, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, c.message));
    CHECK_FALSE(exists(junit));
    CHECK_FALSE(exists(md));
  }
  // In the scenario's compare block: FILE:LINE:COL.
  const std::string bad_rule =
      dir.write("bad-rule.yaml", std::string(kHelpLine) + "compare:\n  fail_if: [\"occupancy\"]\n");
  const CliResult r1 = run_trsim({"compare", bad_rule, bad_rule}, dir);
  INFO(describe(r1));
  CHECK(r1.exit_code == 2);
  CHECK(contains(r1.err, "bad-rule.yaml:19:13: compare: expected 'METRIC < NUMBER'"));
  const std::string bad_metric =
      dir.write("bad-metric.yaml", std::string(kHelpLine) +
                                       "compare:\n  fail_if:\n    - \"workspace.occupancy > 0.1\"\n"
                                       "    - \"workspace.ocupancy > 0.1\"\n");
  const CliResult r2 = run_trsim({"compare", bad_metric, bad_metric}, dir);
  INFO(describe(r2));
  CHECK(r2.exit_code == 2);
  CHECK(contains(r2.err, "bad-metric.yaml:21:7: unknown metric 'workspace.ocupancy'"));
  const std::string bad_judge =
      dir.write("bad-judge.yaml", std::string(kHelpLine) + "compare: {judge: median}\n");
  const CliResult r3 = run_trsim({"compare", bad_judge, bad_judge}, dir);
  INFO(describe(r3));
  CHECK(r3.exit_code == 2);
  CHECK(contains(r3.err, "bad-judge.yaml:18:18: expected one of ci95, mean for 'judge'"));
}

TEST_CASE("compare's paired differences are the sweep's, to the last digit", "[cli][compare]") {
  TempDir dir;
  const std::string s = dir.write("line.yaml", kHelpLine);
  const CliResult sweep = run_trsim({"sweep", s, "--set", "workers.agents.count=12,9", "--metric",
                                     "workspace.service_level.20", "--json", "-", "--quiet"},
                                    dir);
  INFO(describe(sweep));
  REQUIRE(sweep.exit_code == 0);
  const CliResult cmp =
      run_trsim({"compare", s, "--change", "workers.agents.count=9", "--json", "-"}, dir);
  INFO(describe(cmp));
  REQUIRE(cmp.exit_code == 0);
  const Json point = parse_json(sweep.out).get("points")->items.at(1);
  const Json doc = parse_json(cmp.out);
  const Json& m = metric_of(doc.get("comparisons")->items.at(0), "workspace.service_level.20");
  const Json* diff = point.get("difference")->get("workspace.service_level.20");
  REQUIRE(diff != nullptr);
  CHECK(m.at_path("difference.mean")->text == diff->get("mean")->text);
  CHECK(m.at_path("difference.ci95")->text == diff->get("ci95")->text);
}
