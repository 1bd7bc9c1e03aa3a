// MSER-5 and `warmup: auto`: the truncation point on series with a known transient, how it becomes
// a time, and the loader's reading of `warmup: auto`.
#include <catch2/catch.hpp>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/loader.hpp"
#include "trsim/mser.hpp"
#include "trsim/runner.hpp"
#include "trsim/warmup.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

// `transient` observations decaying from 100 towards 0, then a stationary pattern whose every
// batch of 5 has the same mean (3), so the steady part has zero MSER variance.
std::vector<double> transient_then_steady(std::size_t transient, std::size_t total) {
  static constexpr double kPattern[5] = {1, 3, 2, 5, 4};
  std::vector<double> s;
  for (std::size_t i = 0; i < transient; ++i)
    s.push_back(100.0 * static_cast<double>(transient - i) / static_cast<double>(transient));
  while (s.size() < total) s.push_back(kPattern[(s.size() - transient) % 5]);
  return s;
}

}  // namespace

TEST_CASE("MSER-5 truncates a series exactly at the end of a transient of whole batches",
          "[mser]") {
  const std::vector<double> s = transient_then_steady(40, 500);
  const MserResult r = mser(s);
  CHECK(r.batches == 100);
  CHECK(r.truncated == 8);  // the 40 transient observations are batches 1..8
  CHECK(r.statistic == Approx(0.0).margin(1e-12));
}

TEST_CASE("MSER-5 keeps the batch a transient ends in out too", "[mser]") {
  // 42 transient observations: batch 9 (observations 40..44) still holds two of them.
  CHECK(mser(transient_then_steady(42, 500)).truncated == 9);
}

TEST_CASE("MSER-5 truncates nothing on a stationary series and ignores a partial last batch",
          "[mser]") {
  const MserResult r = mser(transient_then_steady(0, 503));
  CHECK(r.batches == 100);
  CHECK(r.truncated == 0);
  CHECK(mser(std::vector<double>{5, 5, 5}).batches == 0);  // too short: no batch at all
  CHECK(mser(std::vector<double>{5, 5, 5}).truncated == 0);
}

TEST_CASE("MSER-5 only looks for the truncation point in the first half of the series", "[mser]") {
  // Steady, then a jump in the last tenth: the best d overall would drop 90 % of the data.
  std::vector<double> s = transient_then_steady(0, 450);
  for (int i = 0; i < 50; ++i) s.push_back(200.0);
  const MserResult r = mser(s);
  REQUIRE(r.batches == 100);
  CHECK(r.truncated < 50);
}

TEST_CASE(
    "the automatic warm-up is the mean creation time of the first task kept, in whole seconds",
    "[mser]") {
  // Two replications of 500 tasks with the same transient of 40 tasks; task k is created at
  // k seconds in the first and at k + 0.9 s in the second.
  WaitSeries a, b;
  a.waits = b.waits = transient_then_steady(40, 500);
  for (std::size_t k = 0; k < 500; ++k) {
    a.created.push_back(static_cast<SimTime>(k) * kMicrosPerSecond);
    b.created.push_back(static_cast<SimTime>(k) * kMicrosPerSecond + 900'000);
  }
  b.waits.push_back(7.0);  // an extra task in one replication: the series stops at the shorter
  b.created.push_back(501 * kMicrosPerSecond);
  WarmupSeries series;
  series.add(a);
  series.add(b);
  const AutoWarmup w = series.choose();
  CHECK(w.tasks == 500);
  CHECK(w.mser.truncated == 8);
  CHECK(w.tasks_truncated() == 40);
  CHECK(w.warmup == 40 * kMicrosPerSecond);  // mean of 40 s and 40.9 s, rounded down
  CHECK(WarmupSeries().choose().warmup == 0);
}

TEST_CASE("warmup auto loads as automatic and another word is a duration error", "[mser]") {
  const std::string base = R"(horizon: 2h
task_queues: {Q: {}}
workflows: {main: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
workers: {agents: {count: 2, activity: Available}}
arrivals: {calls: {rate: 60/h, handle_time: 5m}}
)";
  const Scenario sc = load_yaml(base + "warmup: auto\n");
  CHECK(sc.warmup_auto);
  CHECK(sc.warmup == 0);
  CHECK_FALSE(load_yaml(base + "warmup: 10m\n").warmup_auto);
  TempDir dir;
  const LoadResult bad =
      load_scenario_text(base + "warmup: automatic\n", "test.yaml", dir.path(), {});
  CHECK_FALSE(bad.ok());
  // --set warmup=auto works like the key.
  CHECK(load_yaml(base, dir, {"warmup=auto"}).warmup_auto);
}

TEST_CASE("warmup auto gives the same choice and results for any number of threads", "[mser]") {
  const Scenario sc = load_yaml(R"(horizon: 4h
warmup: auto
replications: 4
workers: {agents: {count: 9, activity: Offline, schedule: [{at: 30m, activity: Available}]}}
task_queues: {Q: {}}
workflows: {main: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
arrivals: {calls: {rate: 80/h, handle_time: {exponential: {mean: 5m}}}}
)");
  RunSettings one, three;
  three.threads = 3;
  const RunSummary a = run_scenario(sc, one);
  const RunSummary b = run_scenario(sc, three);
  REQUIRE(a.auto_warmup);
  CHECK(a.auto_warmup->warmup > 30 * 60 * kMicrosPerSecond);  // past the half hour nobody answers
  CHECK(a.auto_warmup->warmup < sc.horizon / 2);
  CHECK(summary_json(sc, a) == summary_json(sc, b));
}
