// trsim against queueing theory. With instant-accepting agents and exponential handle times a
// single queue is M/M/c (Erlang C); with exponential patience it is M/M/c+M (Erlang A).
//
// Tolerance: each replication yields one estimate; over R replications the mean has a Student-t
// confidence interval. The test asserts that the theoretical value lies inside the 99.9%
// interval (t_{0.9995, R-1} standard errors), fixed before looking at the results. The seeds are
// fixed, so the outcome is deterministic; the interval says how far from theory a correct
// simulator can honestly be.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "support/analytic.hpp"
#include "support/scenario_fixture.hpp"
#include "trsim/erlang.hpp"
#include "trsim/runner.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

std::string single_queue_yaml(int agents, double rate, double mean_handle, double mean_patience,
                              int replications, double hours) {
  std::string patience =
      mean_patience > 0 ? fmt::format(", patience: {{exponential: {{mean: {}}}}}", mean_patience)
                        : "";
  return fmt::format(R"(
name: erlang
seed: 2026
horizon: {}h
warmup: 2h
replications: {}
statistics: {{service_level_thresholds: [0, 20, 60]}}
task_queues: {{Q: {{}}}}
workflows: {{wf: {{configuration: {{task_routing: {{filters: [], default_filter: {{queue: Q}}}}}}}}}}
workers: {{agents: {{count: {}, activity: Available}}}}
arrivals:
  calls: {{workflow: wf, channel: voice, rate: {}, handle_time: {{exponential: {{mean: {}}}}}{}}}
)",
                     hours, replications, agents, rate, mean_handle, patience);
}

}  // namespace

TEST_CASE("M/M/c: service level and average speed of answer match Erlang C", "[analytic]") {
  // c = 10 agents, mean handle 300 s, offered load a = 8.5 Erlang (ρ = 0.85).
  const int c = 10;
  const double mu = 1.0 / 300, a = 8.5, lambda = a * mu;
  const Scenario sc = load_yaml(single_queue_yaml(c, lambda, 300, 0, 20, 150));
  RunSettings settings;
  settings.threads = 2;
  settings.check_invariants = true;
  const RunSummary summary = run_scenario(sc, settings);

  const double pw = erlang_c(c, a);
  const double decay = c * mu - lambda;
  CHECK_WITHIN_CI(summary, "workspace.service_level.0", 1 - pw);
  CHECK_WITHIN_CI(summary, "workspace.service_level.20", 1 - pw * std::exp(-decay * 20));
  CHECK_WITHIN_CI(summary, "workspace.service_level.60", 1 - pw * std::exp(-decay * 60));
  CHECK_WITHIN_CI(summary, "workspace.avg_task_acceptance_time", pw / decay);
  CHECK_WITHIN_CI(summary, "workspace.occupancy", a / c);
}

TEST_CASE("M/M/c+M: abandonment and probability of waiting match Erlang A", "[analytic]") {
  // c = 10, mean handle 300 s, mean patience 180 s, offered load 10 Erlang (ρ = 1: only
  // abandonment keeps the queue stable).
  const int c = 10;
  const double mu = 1.0 / 300, theta = 1.0 / 180, lambda = 10 * mu;
  const Scenario sc = load_yaml(single_queue_yaml(c, lambda, 300, 180, 20, 150));
  RunSettings settings;
  settings.threads = 2;
  settings.check_invariants = true;
  const RunSummary summary = run_scenario(sc, settings);

  // Birth-death chain: births λ, deaths min(n,c)μ + max(n−c,0)θ; truncated far in the tail.
  const int n_max = c + 2000;
  std::vector<double> p(n_max + 1);
  p[0] = 1;
  double total = 1;
  for (int n = 1; n <= n_max; ++n) {
    const double death = std::min(n, c) * mu + std::max(n - c, 0) * theta;
    p[n] = p[n - 1] * lambda / death;
    total += p[n];
  }
  double p_wait = 0, mean_queue = 0;
  for (int n = 0; n <= n_max; ++n) {
    p[n] /= total;
    if (n >= c) p_wait += p[n];
    if (n > c) mean_queue += (n - c) * p[n];
  }
  const double p_abandon = theta * mean_queue / lambda;
  CHECK_WITHIN_CI(summary, "workspace.abandon_rate", p_abandon);
  CHECK_WITHIN_CI(summary, "workspace.service_level.0", 1 - p_wait);
  // The service level under Erlang A (answered, and within t; Mandelbaum & Zeltyn), as the
  // library computes it for `staff --per-interval`'s analytic estimate.
  CHECK(erlang::erlang_a_service_level(c, 10, 300, 180, 0) == Approx(1 - p_wait).epsilon(1e-9));
  CHECK_WITHIN_CI(summary, "workspace.service_level.20",
                  erlang::erlang_a_service_level(c, 10, 300, 180, 20));
  CHECK_WITHIN_CI(summary, "workspace.service_level.60",
                  erlang::erlang_a_service_level(c, 10, 300, 180, 60));
}

TEST_CASE("Erlang A's service level: a hand-computed M/M/1+M, Erlang C's limit and its ends",
          "[analytic]") {
  // M/M/1+M with λ = μ = θ = 1: π_{1+m} = π_0/(m + 1)! (deaths at 1 + m), so π_0 = 1/e. A caller
  // finding m waiting is answered with probability 1/(m + 2) (its patience against m + 1 queue
  // moves at rates 1 + r), and within t with, in addition, the probability that m + 1 of m + 2
  // exponential clocks of rate 1 have rung by t: I_x(m + 1, 2) = P(Bin(m + 2, x) >= m + 1) =
  // (m + 2) x^(m+1) (1 − x) + x^(m+2), x = 1 − e^−t. For t → ∞ that is 1 − 1/e (P(abandon) = 1/e).
  const auto by_hand = [](double t) {
    const double p0 = std::exp(-1.0), x = 1 - std::exp(-t);
    double sl = p0, factorial = 1;  // (m + 1)!
    for (int m = 0; m < 40; ++m) {
      factorial *= m + 1;
      const double incomplete_beta = (m + 2) * std::pow(x, m + 1) * (1 - x) + std::pow(x, m + 2);
      sl += p0 / factorial / (m + 2) * incomplete_beta;
    }
    return sl;
  };
  REQUIRE(by_hand(100) == Approx(1 - std::exp(-1.0)));
  for (double t : {0.0, 0.1, 0.5, 1.0, 2.0, 5.0}) {
    INFO("t = " << t);
    CHECK(erlang::erlang_a_service_level(1, 1, 1, 1, t) == Approx(by_hand(t)).epsilon(1e-10));
  }
  // An endless patience is Erlang C (here 50 agents, 45 Erlangs, 20 s of 180 s calls).
  for (double t : {0.0, 20.0, 60.0})
    CHECK(erlang::erlang_a_service_level(50, 45, 180, 1e9, t) ==
          Approx(erlang::service_level(50, 45, 180, t)).epsilon(1e-6));
  // At t = 0 the callers answered at once; for a long t every caller who is answered.
  const erlang::ErlangA a = erlang::erlang_a(100, 105, 240, 180);
  CHECK(erlang::erlang_a_service_level(100, 105, 240, 180, 0) == Approx(1 - a.p_wait));
  CHECK(erlang::erlang_a_service_level(100, 105, 240, 180, 1e5) ==
        Approx(1 - a.p_abandon).epsilon(1e-9));
  // Overloaded (105 Erlangs on 100 agents) yet stable: patience keeps the service level finite
  // and increasing in t.
  double previous = 0;
  for (double t : {0.0, 10.0, 20.0, 60.0, 300.0}) {
    const double sl = erlang::erlang_a_service_level(100, 105, 240, 180, t);
    CHECK(sl > previous);
    previous = sl;
  }
}
