// Per-worker attribute picks: {pick: {...}} inside a worker group's attributes is drawn once per
// worker, from the group's own random stream of the scenario seed.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "trsim/loader.hpp"

using namespace trsim;

namespace {

const char* const kYaml = R"(
task_queues: {ES: {target_workers: "lang == 'es'"}}
workflows: {wf: {configuration: {task_routing: {filters: [], default_filter: {queue: ES}}}}}
workers:
  a: {count: 1000, attributes: {lang: {pick: {en: 0.7, es: 0.3}}, skill: {level: {pick: {1: 0.5, 2: 0.5}}}, site: x}}
arrivals: {c: {workflow: wf, rate: 1/m, handle_time: 1m}}
)";

Scenario load(const std::string& yaml, std::vector<std::string> overrides = {}) {
  LoadOptions options;
  options.overrides = std::move(overrides);
  LoadResult r = load_scenario_text(yaml, "picks.yaml", ".", options);
  std::string errors;
  for (const Diagnostic& d : r.diagnostics) errors += d.format() + "\n";
  INFO(errors);
  REQUIRE(r.ok());
  return std::move(*r.scenario);
}

}  // namespace

TEST_CASE("a pick in worker attributes is drawn once per worker with its probabilities",
          "[loader]") {
  const Scenario sc = load(kYaml);
  REQUIRE(sc.workers.size() == 1000);
  int es = 0, level2 = 0;
  for (const Worker& w : sc.workers) {
    const Value* lang = w.attributes.find("lang");
    REQUIRE(lang != nullptr);
    REQUIRE(lang->is_string());
    CHECK((lang->as_string() == "en" || lang->as_string() == "es"));
    es += lang->as_string() == "es";
    const Value* level = w.attributes.find("skill")->find("level");
    REQUIRE(level->is_number());  // option keys read like YAML scalars
    CHECK((level->as_number() == 1 || level->as_number() == 2));
    level2 += level->as_number() == 2;
    CHECK(w.attributes.find("site")->as_string() == "x");  // fixed attributes stay
  }
  // Binomial(1000, p): 4.5 standard deviations, fixed in advance (sd 14.5 for p = 0.3, 15.8 for
  // 0.5).
  CHECK(std::abs(es - 300) <= 65);
  CHECK(std::abs(level2 - 500) <= 71);
}

TEST_CASE("worker picks depend on the scenario seed only", "[loader]") {
  const Scenario a = load(kYaml), b = load(kYaml), c = load(kYaml, {"seed=2"});
  bool all_same = true, any_different = false;
  for (std::size_t i = 0; i < a.workers.size(); ++i) {
    all_same = all_same && a.workers[i].attributes == b.workers[i].attributes;
    any_different = any_different || !(a.workers[i].attributes == c.workers[i].attributes);
  }
  CHECK(all_same);
  CHECK(any_different);
}

TEST_CASE("worker pick probabilities that do not sum to 1 are an error at the attributes",
          "[loader]") {
  LoadResult r = load_scenario_text(
      "workers: {a: {attributes: {lang: {pick: {en: 0.7, es: 0.2}}}}}\n", "bad.yaml", ".");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].format().rfind(
            "bad.yaml:1:27: pick probabilities for 'lang' must sum to 1", 0) == 0);
}
