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
