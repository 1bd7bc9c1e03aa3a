// Arrivals against their definition: a `rates:` forecast is a piecewise-constant Poisson process
// (counts per interval Poisson with the forecast's mean, independent across intervals and
// replications, no gap drawn at one interval's rate leaking into the next), and a `trace:` replays
// exactly the tasks it lists.
//
// Tolerances are fixed in advance from the test statistic's own distribution, at a significance
// of about 0.001 (a correct simulator fails one check in a thousand seeds; the seeds are fixed, so
// the outcome is deterministic): a chi-square statistic is compared with its 0.999 quantile, a
// Poisson count with its mean ± 3.29 standard deviations.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "support/scenario_fixture.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

// Records the creation time of every task.
class ArrivalTimes final : public EventSink {
 public:
  void on_event(const Event& e) override {
    if (e.type == EventType::task_created) times.push_back(e.time);
  }
  std::vector<SimTime> times;
};

std::vector<SimTime> arrivals(const Scenario& sc, std::uint32_t replication) {
  ArrivalTimes sink;
  Engine engine(sc, EngineOptions{sc.seed, replication, false}, &sink);
  engine.run();
  return std::move(sink.times);
}

// The chi-square quantile q(p) by Wilson–Hilferty (relative error well under 1% for df >= 3),
// from the standard normal quantile z(p).
double chi_square_quantile(double df, double z) {
  const double h = 2.0 / (9.0 * df);
  return df * std::pow(1.0 - h + z * std::sqrt(h), 3.0);
}

constexpr double kZ999 = 3.090;   // one-sided 0.999
constexpr double kZ9995 = 3.291;  // two-sided 0.999

// Tasks wait in a queue nobody serves; the run stops at the horizon (drain: false), so only the
// arrival process costs anything.
std::string arrivals_yaml(const std::string& horizon, const std::string& stream) {
  return R"(
name: arrivals
seed: 4242
horizon: )" +
         horizon + R"(
drain: false
workspace: {timeout_activity: Offline, default_activity: Offline}
activities: {Offline: {available: false}, Available: {available: true}}
task_queues: {Q: {target_workers: "1==1"}}
workflows:
  wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}
workers: {nobody: {count: 1, activity: Offline}}
arrivals:
  calls:
    workflow: wf
    channel: voice
    handle_time: 60s
)" + stream;
}

}  // namespace

TEST_CASE("arrivals per interval of a rates forecast are Poisson with the forecast's mean",
          "[arrivals]") {
  // Eight 30-minute intervals, one of them at rate 0; a 6 h horizon, so the list repeats after 4 h
  // (intervals 8-11 follow the first four rates again).
  const std::vector<double> per_hour = {60, 120, 30, 240, 0, 90, 180, 45};
  const Scenario sc = load_yaml(arrivals_yaml("6h", R"(
    rates: {interval: 30m, per_hour: [60, 120, 30, 240, 0, 90, 180, 45]}
)"));
  constexpr std::uint32_t kReplications = 200;
  constexpr std::size_t kIntervals = 12;
  const SimTime len = 1800 * kMicrosPerSecond;
  std::vector<std::vector<double>> counts(kIntervals, std::vector<double>(kReplications, 0));
  std::size_t late = 0;  // arrivals at or after the horizon: none expected
  for (std::uint32_t rep = 0; rep < kReplications; ++rep) {
    for (const SimTime t : arrivals(sc, rep)) {
      if (t >= sc.horizon)
        ++late;
      else
        ++counts[static_cast<std::size_t>(t / len)][rep];
    }
  }
  REQUIRE(late == 0);

  // Pearson's chi-square over the intervals with a positive rate: the totals over the
  // replications are independent Poisson counts, so the statistic is chi-square with one degree of
  // freedom per interval. A rate of 0 gives exactly no arrivals.
  double chi2 = 0;
  int df = 0;
  for (std::size_t k = 0; k < kIntervals; ++k) {
    const double expected = per_hour[k % per_hour.size()] / 2.0 * kReplications;
    double observed = 0;
    for (double c : counts[k]) observed += c;
    INFO(fmt::format("interval {}: observed {}, expected {}", k, observed, expected));
    if (expected == 0) {
      CHECK(observed == 0);
      continue;
    }
    chi2 += (observed - expected) * (observed - expected) / expected;
    ++df;
    // Each interval on its own, too: within 3.29 standard deviations of its mean.
    CHECK(std::fabs(observed - expected) <= kZ9995 * std::sqrt(expected));
  }
  REQUIRE(df == 11);
  INFO("chi-square " << chi2 << " on " << df << " degrees of freedom");
  CHECK(chi2 <= chi_square_quantile(df, kZ999));

  // Poisson, not just the right mean: across replications the variance of an interval's count
  // equals its mean (index of dispersion about the known mean: chi-square with R degrees of
  // freedom, two-sided).
  for (const std::size_t k : {std::size_t{1}, std::size_t{3}, std::size_t{6}}) {
    const double mean = per_hour[k] / 2.0;
    double ss = 0;
    for (double c : counts[k]) ss += (c - mean) * (c - mean);
    const double dispersion = ss / mean;
    INFO("interval " << k << ": dispersion " << dispersion);
    CHECK(dispersion >= chi_square_quantile(kReplications, -kZ9995));
    CHECK(dispersion <= chi_square_quantile(kReplications, kZ9995));
  }
}

TEST_CASE("no gap drawn at the night rate leaks into the morning", "[arrivals]") {
  // 0.001/s (3.6/h) for 8 h, then 2/s (7200/h). A simulator that drew the next gap at the current
  // interval's rate would often start the morning with a night-sized gap (mean 1000 s); inverting
  // the cumulative rate starts it at once, at 2/s.
  const Scenario sc = load_yaml(arrivals_yaml("8h2m", R"(
    rates: {interval: 8h, per_hour: [3.6, 7200]}
)"));
  constexpr std::uint32_t kReplications = 100;
  const SimTime morning = 8 * 3600 * kMicrosPerSecond;
  double night = 0, first_minute = 0, first_ten_seconds = 0, wait_for_first = 0;
  for (std::uint32_t rep = 0; rep < kReplications; ++rep) {
    const std::vector<SimTime> times = arrivals(sc, rep);
    SimTime first = kNever;
    for (const SimTime t : times) {
      if (t < morning) {
        ++night;
        continue;
      }
      if (first == kNever) first = t;
      if (t < morning + 60 * kMicrosPerSecond) ++first_minute;
      if (t < morning + 10 * kMicrosPerSecond) ++first_ten_seconds;
    }
    REQUIRE(first != kNever);
    wait_for_first += to_seconds(first - morning);
  }
  // Night: 28.8 per replication; the first morning minute: 120; its first ten seconds: 20. Each
  // total is Poisson: within 3.29 standard deviations of its mean.
  const auto poisson_ok = [](double observed, double expected) {
    INFO("observed " << observed << ", expected " << expected);
    CHECK(std::fabs(observed - expected) <= kZ9995 * std::sqrt(expected));
  };
  poisson_ok(night, 0.001 * 8 * 3600 * kReplications);
  poisson_ok(first_minute, 2.0 * 60 * kReplications);
  poisson_ok(first_ten_seconds, 2.0 * 10 * kReplications);
  // The wait from 08:00 to the first morning arrival is exponential with mean 0.5 s; the mean of
  // 100 of them lies within 3.29 standard errors (0.5 / 10 each) of 0.5 s.
  const double mean_wait = wait_for_first / kReplications;
  INFO("mean wait for the first morning arrival " << mean_wait << " s");
  CHECK(std::fabs(mean_wait - 0.5) <= kZ9995 * 0.5 / std::sqrt(double{kReplications}));
}

TEST_CASE(
    "a trace replays exactly its rows: times, attributes, handle times, patience, priorities, "
    "channels",
    "[arrivals]") {
  TempDir dir;
  // Row 1: a gold customer (nested customer.tier) whose quoted account "00501" must stay a string.
  // Row 2: a chat in Spanish; no priority cell, so the stream's priority (0); no tier (absent).
  // Row 3: patience 5 s and nobody free on voice: it hangs up at 30.
  // Row 4: no channel cell (the stream's: voice), language fr overriding the stream's en; a
  //        duration as handle time.
  dir.write("rows.csv",
            "time,handle_time,patience,priority,channel,language,customer.tier,account\n"
            "10,60,,3,voice,en,gold,\"00501\"\n"
            "20,30,,,chat,es,,\n"
            "25,45,5,1,voice,en,,\n"
            "40,1m30s,,,,fr,,\n");
  const Scenario sc = load_yaml(R"(
name: trace
horizon: 1h
workspace: {timeout_activity: Offline, default_activity: Offline}
activities: {Offline: {available: false}, Available: {available: true}}
channels: {voice: {}, chat: {}}
task_queues:
  VIP: {target_workers: "1==1"}
  ES: {target_workers: "1==1"}
  EN: {target_workers: "1==1"}
  Other: {target_workers: "1==1"}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - {expression: "customer.tier == 'gold' AND account == '00501' AND source == 'crm'", targets: [{queue: VIP}]}
          - {expression: "language == 'es'", targets: [{queue: ES}]}
          - {expression: "language == 'en'", targets: [{queue: EN}]}
        default_filter: {queue: Other}
workers: {w: {count: 1, name: "w-{i}", channels: {voice: 1, chat: 1}, activity: Available}}
arrivals:
  rows:
    workflow: wf
    channel: voice
    priority: 0
    attributes: {language: en, source: crm}
    trace: rows.csv
)",
                                dir);
  const Run run = run_once(sc);
  std::string lines;
  for (const Event& e : run.events) {
    if (e.type != EventType::task_created && e.type != EventType::task_queue_entered &&
        e.type != EventType::reservation_accepted && e.type != EventType::task_wrapup &&
        e.type != EventType::task_canceled)
      continue;
    lines += describe(sc, e) +
             fmt::format(" priority={} channel={}\n", e.priority, sc.channels[e.channel].name);
  }
  // w-1 takes the gold call at once (60 s) and the chat beside it (30 s, its own channel
  // capacity); row 3 finds voice busy and hangs up after its 5 s of patience; row 4 waits until
  // the gold call ends at 70 and lasts 90 s.
  CHECK(lines == R"(10 task.created task=0 priority=3 channel=voice
10 task-queue.entered task=0 queue=VIP priority=3 channel=voice
10 reservation.accepted task=0 worker=w-1 queue=VIP priority=3 channel=voice
20 task.created task=1 priority=0 channel=chat
20 task-queue.entered task=1 queue=ES priority=0 channel=chat
20 reservation.accepted task=1 worker=w-1 queue=ES priority=0 channel=chat
25 task.created task=2 priority=1 channel=voice
25 task-queue.entered task=2 queue=EN priority=1 channel=voice
30 task.canceled task=2 queue=EN reason=Task abandoned priority=1 channel=voice
40 task.created task=3 priority=0 channel=voice
40 task-queue.entered task=3 queue=Other priority=0 channel=voice
50 task.wrapup task=1 worker=w-1 queue=ES priority=0 channel=chat
70 task.wrapup task=0 worker=w-1 queue=VIP priority=3 channel=voice
70 reservation.accepted task=3 worker=w-1 queue=Other priority=0 channel=voice
160 task.wrapup task=3 worker=w-1 queue=Other priority=0 channel=voice
)");
  // The statistics count exactly the rows, and the interval table puts them where they arrived.
  CHECK(run.result.statistics.find("workspace.tasks_created")->value == 4);
  CHECK(run.result.statistics.find("workspace.tasks_abandoned")->value == 1);
  const IntervalTable& t = run.result.intervals;
  CHECK(t.at(0, 0, t.column_index("offered")) == 4);
  // Every replication replays the same rows.
  const Run again = run_once(sc, 1);
  CHECK(again.result.statistics.find("workspace.tasks_created")->value == 4);
}
