// `trsim validate` lints: routing pitfalls in scenarios that load. Each lint is pinned by a
// scenario in scenarios/lint/ (one pitfall each, first line `# lint: FILE:LINE:COL: substring`)
// and by inline scenarios for the cases where it must stay silent.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "trsim/lint.hpp"
#include "trsim/loader.hpp"

namespace fs = std::filesystem;
using trsim::Diagnostic;

namespace {

std::string listing(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (const Diagnostic& d : ds) s += d.format() + "\n";
  return s;
}

std::vector<Diagnostic> lint_loaded(const trsim::LoadResult& result) {
  INFO(listing(result.diagnostics));
  REQUIRE(result.ok());
  return trsim::lint_scenario(*result.scenario);
}

std::vector<Diagnostic> lint_file(const std::string& name) {
  return lint_loaded(trsim::load_scenario_file((fs::path(TRSIM_SCENARIO_DIR) / name).string()));
}

std::vector<Diagnostic> lint_text(const std::string& yaml) {
  return lint_loaded(trsim::load_scenario_text(yaml, "inline.yaml", "."));
}

/// True when one lint sits exactly at FILE:LINE:COL (FILE by its name) and its message holds
/// `text`.
bool has_lint(const std::vector<Diagnostic>& lints, const std::string& file, int line, int column,
              const std::string& text) {
  return std::any_of(lints.begin(), lints.end(), [&](const Diagnostic& d) {
    return fs::path(d.where.file).filename() == file && d.where.line == line &&
           d.where.column == column && d.message.find(text) != std::string::npos &&
           d.severity == Diagnostic::Severity::warning;
  });
}

bool mentions(const std::vector<Diagnostic>& lints, const std::string& text) {
  return std::any_of(lints.begin(), lints.end(), [&](const Diagnostic& d) {
    return d.message.find(text) != std::string::npos;
  });
}

// A small desk for inline variations: {FILTERS} and {ARRIVALS} are spliced in.
std::string desk(const std::string& filters, const std::string& workers,
                 const std::string& arrivals) {
  return R"(
task_queues:
  Spanish: {target_workers: "languages HAS 'es'"}
  Everyone: {}
workflows:
  main:
    configuration:
      task_routing:
        filters:
)" + filters +
         R"(
        default_filter: {queue: Everyone}
workers:
)" + workers +
         R"(
arrivals:
)" + arrivals;
}

const std::string kWorkers =
    "  bilingual: {count: 2, name: \"es-{i}\", attributes: {languages: [en, es], level: 3}, "
    "activity: Available}\n  english: {count: 2, name: \"en-{i}\", attributes: {languages: [en], "
    "level: 2}, activity: Available}";
const std::string kCalls =
    "  calls: {attributes: {language: {pick: {es: 0.3, en: 0.7}}}, rate: 60/h, handle_time: 5m}";

}  // namespace

TEST_CASE("a final target with a timeout and no later filter warns that tasks are canceled",
          "[lint]") {
  const auto lints = lint_file("lint/final-timeout.yaml");
  INFO(listing(lints));
  CHECK(has_lint(lints, "final-timeout.yaml", 15, 23,
                 "has a timeout (1m) and no later filter can match"));
  CHECK(mentions(lints, "Task canceled on Workflow timeout"));
  CHECK(lints.size() == 1);

  SECTION("a later filter that could match takes the task instead: no lint") {
    const auto quiet = lint_text(desk(R"(
          - {expression: "language == 'es'", targets: [{queue: Spanish, timeout: 60}]}
          - {expression: "level > 0", targets: [{queue: Everyone}]})",
                                      kWorkers, kCalls));
    INFO(listing(quiet));
    CHECK(quiet.empty());
  }
  SECTION("a later filter that is constant-false does not count") {
    const auto loud = lint_text(desk(R"(
          - {expression: "language == 'es'", targets: [{queue: Spanish, timeout: 60}]}
          - {expression: "1 == 2 OR false", targets: [{queue: Everyone}]})",
                                     kWorkers, kCalls));
    INFO(listing(loud));
    CHECK(has_lint(loud, "inline.yaml", 11, 56, "the last target of filter #1 of workflow 'main'"));
  }
}

TEST_CASE("a filter below an always-true filter is reported unreachable", "[lint]") {
  const auto lints = lint_file("lint/unreachable-filter.yaml");
  INFO(listing(lints));
  CHECK(has_lint(lints, "unreachable-filter.yaml", 15, 13,
                 "filter 'spanish' of workflow 'main' is never used: filter 'everyone' above it"));
  CHECK(lints.size() == 1);

  SECTION("tasks fall through an always-true filter whose last target has a timeout: no lint") {
    const auto quiet = lint_text(desk(R"(
          - {expression: "1==1", targets: [{queue: Spanish, timeout: 30}]}
          - {expression: "language == 'es'", targets: [{queue: Everyone}]})",
                                      kWorkers, kCalls));
    INFO(listing(quiet));
    CHECK(quiet.empty());
  }
}

TEST_CASE("a task queue that no declared worker matches is reported", "[lint]") {
  const auto lints = lint_file("lint/queue-without-workers.yaml");
  INFO(listing(lints));
  CHECK(has_lint(lints, "queue-without-workers.yaml", 5, 3,
                 "no worker matches task queue 'French' (target_workers \"languages HAS 'fr'\" is "
                 "false for all 4 declared workers)"));
  CHECK(lints.size() == 1);
}

TEST_CASE("a routed queue whose workers have capacity 0 on its channels is reported", "[lint]") {
  const auto lints = lint_file("lint/queue-without-capacity.yaml");
  INFO(listing(lints));
  CHECK(has_lint(lints, "queue-without-capacity.yaml", 6, 3,
                 "task queue 'Chat' gets 'chat' tasks (from arrival streams 'chats') but all 3 of "
                 "its workers have capacity 0 on it"));
  CHECK(lints.size() == 1);
}

TEST_CASE("HAS on an attribute that is a scalar wherever it is set is reported", "[lint]") {
  const auto lints = lint_file("lint/has-on-scalar.yaml");
  INFO(listing(lints));
  CHECK(has_lint(lints, "has-on-scalar.yaml", 6, 3,
                 "task queue 'Spanish': 'languages' is a single value, not an array, in every "
                 "worker that has it (worker 'es-1' has languages: \"es\"), so languages HAS "
                 "\"es\" is always false (HAS tests membership in an array); write languages == "
                 "\"es\", or make the attribute an array (languages: [\"es\"])"));
  // The consequence is reported too: the queue matches nobody.
  CHECK(has_lint(lints, "has-on-scalar.yaml", 6, 3, "no worker matches task queue 'Spanish'"));

  SECTION("on task attributes, judged by the arrival streams") {
    const auto loud = lint_text(
        desk(R"(
          - {expression: "tags HAS 'vip'", targets: [{queue: Everyone}]})",
             kWorkers, "  calls: {attributes: {tags: vip}, rate: 60/h, handle_time: 5m}"));
    INFO(listing(loud));
    CHECK(has_lint(loud, "inline.yaml", 11, 13,
                   "'tags' is a single value, not an array, in every arrival stream that sets it "
                   "(arrival stream 'calls' has tags: \"vip\")"));
  }
  SECTION("one holder with an array is enough to stay silent") {
    const auto quiet =
        lint_text(desk(R"(
          - {expression: "tags HAS 'vip'", targets: [{queue: Everyone}]})",
                       kWorkers,
                       "  calls: {attributes: {tags: vip}, rate: 60/h, handle_time: 5m}\n  gold: "
                       "{attributes: {tags: [vip, gold]}, rate: 6/h, handle_time: 5m}"));
    INFO(listing(quiet));
    CHECK_FALSE(mentions(quiet, "HAS"));
  }
}

TEST_CASE("IN and NOT IN with a scalar attribute on the right are reported", "[lint]") {
  const auto lints = lint_file("lint/in-on-scalar.yaml");
  INFO(listing(lints));
  CHECK(has_lint(lints, "in-on-scalar.yaml", 15, 17,
                 "'worker.region' is a single value, not an array, in every worker that has it "
                 "(worker 'emea-1' has region: \"emea\"), so task.region IN worker.region (in "
                 "\"task.region IN worker.region OR worker.level >= 3\") is always false"));
  CHECK(mentions(lints, "write task.region == worker.region"));
  CHECK(lints.size() == 1);

  SECTION("a constant on the left, NOT IN, task attributes") {
    const auto loud = lint_text(
        desk(R"(
          - {expression: "'blocked' NOT IN status", targets: [{queue: Everyone}]})",
             kWorkers, "  calls: {attributes: {status: open}, rate: 60/h, handle_time: 5m}"));
    INFO(listing(loud));
    CHECK(has_lint(
        loud, "inline.yaml", 11, 13,
        "so \"blocked\" NOT IN status is always false (NOT IN looks the left side up in an array, "
        "and is false when the right side is not one); write \"blocked\" != status"));
  }
}

TEST_CASE("a target expression that no worker of its queue satisfies is reported", "[lint]") {
  const auto lints = lint_file("lint/target-expression-unsatisfiable.yaml");
  INFO(listing(lints));
  CHECK(has_lint(lints, "target-expression-unsatisfiable.yaml", 15, 17,
                 "expression \"worker.level >= task.required_level\" is false for every worker of "
                 "queue 'Support' (6 workers) with the tasks of arrival streams 'escalations'"));
  CHECK(mentions(lints, "tasks just wait out its timeout (5m)"));
  CHECK(lints.size() == 1);

  SECTION("one pick option that some worker satisfies is enough to stay silent") {
    const auto quiet = lint_text(desk(
        R"(
          - expression: "1==1"
            targets: [{queue: Everyone, expression: "worker.level >= task.need", timeout: 60}, {queue: Everyone}])",
        kWorkers,
        "  calls: {attributes: {need: {pick: {4: 0.9, 3: 0.1}}}, rate: 60/h, handle_time: 5m}"));
    INFO(listing(quiet));
    CHECK(quiet.empty());
  }
  SECTION("only tasks that match the filter count") {
    const auto loud = lint_text(desk(
        R"(
          - expression: "need > 3"
            targets: [{queue: Everyone, expression: "worker.level >= task.need", timeout: 60}, {queue: Everyone}])",
        kWorkers,
        "  calls: {attributes: {need: {pick: {4: 0.9, 3: 0.1}}}, rate: 60/h, handle_time: 5m}"));
    INFO(listing(loud));
    CHECK(has_lint(loud, "inline.yaml", 12, 23,
                   "is false for every worker of queue 'Everyone' (4 workers)"));
  }
  SECTION("an expression reading the worker's current state is not judged at time 0") {
    const auto quiet = lint_text(desk(R"(
          - expression: "1==1"
            targets: [{queue: Everyone, expression: "worker.activity_name == 'Break'", timeout: 60}, {queue: Everyone}])",
                                      kWorkers, kCalls));
    INFO(listing(quiet));
    CHECK(quiet.empty());
  }
}

TEST_CASE("a workflow that no arrival stream uses is reported", "[lint]") {
  const auto lints = lint_file("lint/unused-workflow.yaml");
  INFO(listing(lints));
  CHECK(has_lint(lints, "unused-workflow.yaml", 13, 3,
                 "workflow 'overflow' is used by no arrival stream, so it never routes a task"));
  CHECK(lints.size() == 1);
}

TEST_CASE("known_worker naming a task attribute no arrival stream sets is reported", "[lint]") {
  const auto lints = lint_file("lint/known-worker-attribute.yaml");
  INFO(listing(lints));
  CHECK(has_lint(lints, "known-worker-attribute.yaml", 16, 17,
                 "known_worker_friendly_name names task attribute 'agent', which no arrival stream "
                 "of workflow 'main' sets ('callbacks', 'calls')"));
  CHECK(lints.size() == 1);

  SECTION("an attribute set by a pick counts as set") {
    const auto quiet = lint_text(desk(R"(
          - expression: "1==1"
            targets: [{queue: Everyone, known_worker_sid: task.agent, timeout: 60}, {queue: Everyone}])",
                                      kWorkers,
                                      "  calls: {attributes: {agent: {pick: {WKx: 0.5, WKy: "
                                      "0.5}}}, rate: 60/h, handle_time: 5m}"));
    INFO(listing(quiet));
    CHECK(quiet.empty());
  }
}

TEST_CASE("a skip out of a filter's last step where TaskRouter's two readings differ is reported",
          "[lint]") {
  const auto lints = lint_file("lint/skip-out-readings.yaml");
  INFO(listing(lints));
  CHECK(has_lint(lints, "skip-out-readings.yaml", 19, 17,
                 "goes to default_filter (queue 'Everyone'), as TaskRouter's worker-presence page "
                 "evaluates a skipped filter as not matched"));
  CHECK(mentions(lints, "set skip_out_cancels: true on the workflow for the second"));
  CHECK(lints.size() == 1);

  SECTION("a filter whose only step has the skip_if: both readings go to default_filter") {
    const auto quiet = lint_text(desk(R"(
          - {expression: "1==1", targets: [{queue: Spanish, skip_if: "workers.available == 0"}]})",
                                      kWorkers, kCalls));
    INFO(listing(quiet));
    CHECK(quiet.empty());
  }
  SECTION("a later filter that may match takes the task: no lint") {
    const auto quiet = lint_text(desk(R"(
          - expression: "1==1"
            targets: [{queue: Spanish, timeout: 30}, {queue: Spanish, skip_if: "workers.available == 0"}]
          - {expression: "level > 0", targets: [{queue: Everyone}]})",
                                      kWorkers, kCalls));
    INFO(listing(quiet));
    CHECK(quiet.empty());
  }
}

TEST_CASE("the quickstart scenario has no lint", "[lint]") {
  const auto lints = lint_file("quickstart.yaml");
  INFO(listing(lints));
  CHECK(lints.empty());
}

TEST_CASE("every scenario in scenarios/lint gives the lint its first line names", "[lint]") {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(TRSIM_SCENARIO_DIR) / "lint"))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());  // directory order is unspecified
  CHECK(files.size() >= 9);
  for (const fs::path& path : files) {
    DYNAMIC_SECTION(path.filename().string()) {
      std::ifstream in(path);
      std::string first;
      std::getline(in, first);
      static const std::regex pattern(R"(^# lint: ([^:]+):(\d+):(\d+): (.+)$)");
      std::smatch m;
      REQUIRE(std::regex_match(first, m, pattern));
      const auto lints = lint_loaded(trsim::load_scenario_file(path.string()));
      INFO("expected " << first << "\ngot:\n" << listing(lints));
      CHECK(has_lint(lints, m[1], std::stoi(m[2]), std::stoi(m[3]), m[4]));
    }
  }
}

TEST_CASE("lints are warnings unless strict makes them errors that fail validation", "[lint]") {
  const auto result = trsim::load_scenario_file(
      (fs::path(TRSIM_SCENARIO_DIR) / "lint" / "final-timeout.yaml").string());
  REQUIRE(result.ok());
  const auto warnings = trsim::lint_scenario(*result.scenario);
  REQUIRE_FALSE(warnings.empty());
  CHECK(warnings.front().format().find(": warning: the last target of") != std::string::npos);
  CHECK(trsim::lint_exit_code(warnings) == 0);

  const auto errors = trsim::lint_scenario(*result.scenario, trsim::LintOptions{true});
  REQUIRE(errors.size() == warnings.size());
  CHECK(errors.front().severity == Diagnostic::Severity::error);
  CHECK(errors.front().message == warnings.front().message);
  CHECK(trsim::lint_exit_code(errors) == 2);
  CHECK(trsim::lint_exit_code({}) == 0);
}

TEST_CASE("lints are ordered by location", "[lint]") {
  // The unused workflow (line 3) is reported before the queue nobody matches (line 12), though
  // queues are linted first.
  const auto lints = lint_text(R"(
workflows:
  spare:
    configuration: {task_routing: {filters: [], default_filter: {queue: Everyone}}}
  main:
    configuration:
      task_routing:
        filters:
          - {expression: "1==1", targets: [{queue: Nobody}]}
          - {expression: "x == 1", targets: [{queue: Everyone}]}
        default_filter: {queue: Everyone}
task_queues:
  Nobody: {target_workers: "skill == 'none'"}
  Everyone: {}
workers:
  agents: {count: 2, activity: Available}
arrivals:
  calls: {workflow: main, rate: 60/h, handle_time: 5m}
)");
  INFO(listing(lints));
  REQUIRE(lints.size() == 3);
  CHECK(lints[0].where.line == 3);
  CHECK(lints[0].message.find("workflow 'spare'") != std::string::npos);
  CHECK(lints[1].where.line == 10);
  CHECK(lints[1].message.find("filter #2 of workflow 'main' is never used") != std::string::npos);
  CHECK(lints[2].where.line == 13);
  CHECK(lints[2].message.find("no worker matches task queue 'Nobody'") != std::string::npos);
}
