// The type lints of `trsim validate` (docs/lints.md): a filter or target comparing a task
// attribute with a constant of a type no task of the workflow's streams ever holds there (trace
// rows, stream attributes, picks), and a filter that matches no row of the traces feeding its
// workflow. Each names the line of the filter and of the place that sets the attribute.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/lint.hpp"
#include "trsim/loader.hpp"

using trsim::Diagnostic;
using trsim::test::TempDir;

namespace {

std::vector<Diagnostic> lint_in(const TempDir& dir, const std::string& yaml) {
  const std::string path = dir.write("s.yaml", yaml);
  const trsim::LoadResult r = trsim::load_scenario_file(path);
  for (const Diagnostic& d : r.diagnostics) INFO(d.format());
  REQUIRE(r.ok());
  return trsim::lint_scenario(*r.scenario);
}

std::string listing(const std::vector<Diagnostic>& lints) {
  std::string out;
  for (const Diagnostic& d : lints) out += d.format() + "\n";
  return out;
}

std::size_t count(const std::vector<Diagnostic>& lints, const std::string& text) {
  std::size_t n = 0;
  for (const Diagnostic& d : lints) n += d.message.find(text) != std::string::npos ? 1 : 0;
  return n;
}

std::string desk(const std::string& expression, const std::string& arrivals) {
  return "task_queues:\n  Local: {}\n  Everyone: {}\nworkflows:\n  main:\n    configuration:\n"
         "      task_routing:\n        filters:\n          - filter_friendly_name: local\n"
         "            expression: \"" +
         expression +
         "\"\n            targets: [{queue: Local}]\n        default_filter: {queue: Everyone}\n"
         "workers:\n  all: {count: 2, activity: Available}\narrivals:\n" +
         arrivals;
}

}  // namespace

TEST_CASE("a filter comparing a trace attribute with another type warns with both lines",
          "[lint]") {
  TempDir dir;
  // TaskRouter keeps zip codes as strings ("00501"); trsim's trace reads a cell as a number only
  // when it is a JSON number literal, so 00501 stays a string.
  dir.write("t.csv", "time,zip\n0,00501\n10,02134\n");
  const auto lints = lint_in(dir, desk("zip == 501", "  day: {trace: t.csv, handle_time: 60}\n"));
  INFO(listing(lints));
  REQUIRE(count(lints, "compares 'zip' with 501 (a number)") == 1);
  for (const Diagnostic& d : lints) {
    if (d.message.find("compares 'zip'") == std::string::npos) continue;
    CHECK(d.where.line == 9);                               // the filter
    CHECK(d.message.find("t.csv:2") != std::string::npos);  // the first row holding it
    CHECK(d.message.find("always false") != std::string::npos);
  }
  // It matches no row either: the second lint.
  CHECK(count(lints, "matches none of the 2 rows of") == 1);
  // != with another type is always true.
  const auto ne = lint_in(dir, desk("zip != 501", "  day: {trace: t.csv, handle_time: 60}\n"));
  CHECK(count(ne, "always true") == 1);
  // The same type: silent; a stream where some task holds a number: silent.
  CHECK(count(lint_in(dir, desk("zip == '00501'", "  day: {trace: t.csv, handle_time: 60}\n")),
              "compares") == 0);
  dir.write("u.csv", "time,zip\n0,00501\n10,501\n");
  CHECK(lint_in(dir, desk("zip == 501", "  day: {trace: u.csv, handle_time: 60}\n")).empty());
}

TEST_CASE("a filter comparing a stream attribute or a pick with another type warns", "[lint]") {
  TempDir dir;
  const auto fixed = lint_in(
      dir,
      desk("vip == 'true'", "  calls: {rate: 1/m, handle_time: 60, attributes: {vip: true}}\n"));
  INFO(listing(fixed));
  REQUIRE(count(fixed, "compares 'vip' with \"true\" (a string)") == 1);
  CHECK(count(fixed, "s.yaml:16:39") == 1);  // the stream's `attributes`
  const auto picked = lint_in(
      dir,
      desk(
          "tier > '2'",
          "  calls: {rate: 1/m, handle_time: 60, attributes: {tier: {pick: {1: 0.5, 2: 0.5}}}}\n"));
  INFO(listing(picked));
  // The pick's options 1 and 2 are numbers (as YAML reads them): comparing with a string warns,
  // naming the stream.
  CHECK(count(picked, "compares 'tier' with \"2\" (a string)") == 1);
  CHECK(count(lint_in(dir, desk("tier > 1",
                                "  calls: {rate: 1/m, handle_time: 60, attributes: "
                                "{tier: {pick: {1: 0.5, 2: 0.5}}}}\n")),
              "compares") == 0);
  // No stream sets the attribute: no evidence, no lint.
  CHECK(count(lint_in(dir, desk("region == 5", "  calls: {rate: 1/m, handle_time: 60}\n")),
              "compares") == 0);
}

TEST_CASE("a filter that matches no trace row warns, naming the trace and the stream", "[lint]") {
  TempDir dir;
  dir.write("t.csv", "time,type\n0,sales\n10,support\n");
  const auto lints =
      lint_in(dir, desk("type == 'billing'", "  day: {trace: t.csv, handle_time: 60}\n"));
  INFO(listing(lints));
  REQUIRE(lints.size() == 1);
  CHECK(lints[0].where.line == 9);
  CHECK(lints[0].message.find("matches none of the 2 rows of") != std::string::npos);
  CHECK(lints[0].message.find("t.csv (arrival stream 'day' at") != std::string::npos);
  CHECK(lints[0].message.find("s.yaml:16:3") != std::string::npos);
  // One row matching is enough; a Poisson stream beside the trace silences it (its tasks are not
  // rows).
  CHECK(lint_in(dir, desk("type == 'sales'", "  day: {trace: t.csv, handle_time: 60}\n")).empty());
  CHECK(lint_in(dir, desk("type == 'billing'",
                          "  day: {trace: t.csv, handle_time: 60}\n  calls: "
                          "{rate: 1/m, handle_time: 60}\n"))
            .empty());
}
