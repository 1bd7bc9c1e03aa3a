// The report of `trsim staff --per-interval --json` (kind "staffing"): one chart of required
// against analytic agents per group, one of each target's achieved value with the target line.
#include <catch2/catch.hpp>
#include <string>

#include "report/report_html.hpp"
#include "trsim/json.hpp"

TEST_CASE("a staffing JSON renders required against analytic agents and the achieved targets",
          "[report][staffing]") {
  const auto doc = trsim::parse_json(R"({
    "kind": "staffing", "scenario": "desk", "replications": 4, "interval": 1800, "runs": 9,
    "simulated_days": 3.5, "method": "isa", "analytic_model": "erlang_a", "groups": ["agents"],
    "targets": [{"metric": "workspace.service_level.20", "bound": ">= 0.8", "min": 0.8}],
    "unmeetable": null,
    "intervals": [
      {"interval_start": 0, "offered_load": 2, "required": {"agents": 3}, "analytic": {"agents": 4},
       "achieved": [{"mean": 0.85, "ci95": 0.04, "met": true}]},
      {"interval_start": 1800, "offered_load": 6, "required": {"agents": 9}, "analytic": {"agents": 8},
       "achieved": [{"mean": 0.82, "ci95": 0.05, "met": true}]}]})");
  REQUIRE(doc);
  std::string error;
  const auto html = trsim::report::render_report(*doc, &error);
  INFO(error);
  REQUIRE(html);
  CHECK(html->find("Agents required: agents") != std::string::npos);
  CHECK(html->find("required (simulation)") != std::string::npos);
  CHECK(html->find("analytic (Erlang)") != std::string::npos);
  CHECK(html->find("target min") != std::string::npos);
  CHECK(html->find("<svg") != std::string::npos);
  CHECK(html->find("found by simulation (the iterative staffing algorithm)") != std::string::npos);
  CHECK(html->find("analytic: Erlang A (callers' patience)") != std::string::npos);
  CHECK(html->find("<script") == std::string::npos);
}

namespace {

// The subtitle of each target's chart: "<metric> <bound> per interval of the verifying run...".
std::string staffing_page(const std::string& targets) {
  const auto doc = trsim::parse_json(R"({
    "kind": "staffing", "scenario": "desk", "replications": 4, "interval": 1800, "runs": 9,
    "simulated_days": 3.5, "method": "isa", "analytic_model": "erlang_c", "groups": ["agents"],
    "targets": )" + targets + R"(, "unmeetable": null,
    "intervals": [
      {"interval_start": 0, "offered_load": 2, "required": {"agents": 3}, "analytic": {"agents": 4},
       "achieved": [{"mean": 0.85, "ci95": 0.04, "met": true}, {"mean": 0.85, "ci95": 0.04, "met": true}]}]})");
  REQUIRE(doc);
  std::string error;
  const auto html = trsim::report::render_report(*doc, &error);
  INFO(error);
  REQUIRE(html);
  return *html;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE(
    "a staffing target's bound reads as the tables print it: % and (ci95) once and its interval",
    "[report][staffing]") {
  // What `trsim staff --per-interval --json` writes: the fields, from which describe_bound makes
  // the text a ratio's bound in % (the `bound` field keeps fractions, for files).
  const std::string page = staffing_page(
      R"j([{"metric": "workspace.service_level.20", "bound": ">= 0.8 (ci95) at 0:30", "min": 0.8,
            "ci": true, "interval": 1800},
           {"metric": "workspace.avg_task_acceptance_time", "bound": "<= 30", "max": 30,
            "ci": false}])j");
  CHECK(count(page, "workspace.service_level.20 &gt;= 80% (ci95) at 0:30 per interval") == 1);
  CHECK(count(page, "(ci95)") == 1);
  CHECK(count(page, "workspace.avg_task_acceptance_time &lt;= 30 per interval") == 1);
  // A staffing JSON written before `ci` and `interval` were: its `bound` text as written.
  const std::string older = staffing_page(
      R"j([{"metric": "workspace.service_level.20", "bound": ">= 0.8 (ci95)", "min": 0.8},
           {"metric": "workspace.abandon_rate", "bound": "<= 0.05", "max": 0.05}])j");
  CHECK(count(older, "workspace.service_level.20 &gt;= 0.8 (ci95) per interval") == 1);
  CHECK(count(older, "workspace.abandon_rate &lt;= 0.05 per interval") == 1);
}
