// Workflow routing against queueing theory: per-queue and per-workflow statistics of routed
// traffic, with instant-accepting agents (response time 0, no wrap-up) and exponential handle
// times.
//
// Tolerance, as in test_erlang.cpp: each replication yields one estimate; the theoretical value
// must lie inside the 99.9% Student-t interval of the mean over the replications (t_{0.9995, R-1}
// standard errors), fixed before looking at the results. The seeds are fixed, so the outcome is
// deterministic.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "support/analytic.hpp"
#include "support/scenario_fixture.hpp"
#include "trsim/runner.hpp"

using namespace trsim;
using namespace trsim::test;

TEST_CASE("two skill pools routed by a filter each match Erlang C in their own queue statistics",
          "[analytic]") {
  // Pool A: 8 agents, mean handle 240 s, 6 Erlang (ρ = 0.75). Pool B: 5 agents, mean handle
  // 180 s, 4.25 Erlang (ρ = 0.85). One workflow routes on the task's `skill` attribute; queue A
  // targets only A-agents and queue B only B-agents, so the two are independent M/M/c queues.
  const int c_a = 8, c_b = 5;
  const double mu_a = 1.0 / 240, mu_b = 1.0 / 180;
  const double a_a = 6.0, a_b = 4.25;
  const double lambda_a = a_a * mu_a, lambda_b = a_b * mu_b;
  const Scenario sc = load_yaml(fmt::format(R"(
name: skill-pools
seed: 4242
horizon: 600h
warmup: 2h
replications: 30
statistics: {{service_level_thresholds: [0, 20, 60]}}
task_queues:
  A: {{target_workers: "skill == 'A'"}}
  B: {{target_workers: "skill == 'B'"}}
workflows:
  route:
    configuration:
      task_routing:
        filters:
          - {{filter_friendly_name: pool-a, expression: "skill == 'A'", targets: [{{queue: A}}]}}
          - {{filter_friendly_name: pool-b, expression: "skill == 'B'", targets: [{{queue: B}}]}}
workers:
  a-agents: {{count: {}, attributes: {{skill: A}}, activity: Available}}
  b-agents: {{count: {}, attributes: {{skill: B}}, activity: Available}}
arrivals:
  a-calls: {{workflow: route, channel: voice, attributes: {{skill: A}}, rate: {},
            handle_time: {{exponential: {{mean: 240}}}}}}
  b-calls: {{workflow: route, channel: voice, attributes: {{skill: B}}, rate: {},
            handle_time: {{exponential: {{mean: 180}}}}}}
)",
                                            c_a, c_b, lambda_a, lambda_b));
  RunSettings settings;
  settings.threads = 2;
  settings.check_invariants = true;
  const RunSummary summary = run_scenario(sc, settings);

  const double pw_a = erlang_c(c_a, a_a), decay_a = c_a * mu_a - lambda_a;
  const double pw_b = erlang_c(c_b, a_b), decay_b = c_b * mu_b - lambda_b;
  CHECK_WITHIN_CI(summary, "task_queues.A.service_level.20", 1 - pw_a * std::exp(-decay_a * 20));
  CHECK_WITHIN_CI(summary, "task_queues.A.avg_task_acceptance_time", pw_a / decay_a);
  CHECK_WITHIN_CI(summary, "task_queues.B.service_level.20", 1 - pw_b * std::exp(-decay_b * 20));
  CHECK_WITHIN_CI(summary, "task_queues.B.avg_task_acceptance_time", pw_b / decay_b);
}

TEST_CASE(
    "two priority classes in one M/M/c queue wait as the non-preemptive priority formula says",
    "[analytic]") {
  // One queue, c = 8 agents, mean handle 300 s for both classes. High-priority calls (2.4 Erlang)
  // come through workflow `high`, whose target raises them to priority 10; low-priority calls
  // (4.4 Erlang) through workflow `low` at their own priority 0. ρ = 6.8 / 8 = 0.85. Each
  // workflow's avg_task_acceptance_time is its class's mean wait (agents accept at once).
  //
  // Non-preemptive priorities in M/M/c with the same exponential service rate μ for every class
  // (Cobham 1954; Gross, Shortle, Thompson & Harris, Fundamentals of Queueing Theory, 4th ed.,
  // §3.4.1, "M/M/c with nonpreemptive priorities"). While all c servers are busy, departures form a
  // Poisson process of rate cμ, so the system behaves like one server of rate cμ:
  //   W0 = P(all busy) · E[time until a server frees | all busy] = C(c, a) / (cμ)
  // (by PASTA an arrival finds all busy with the Erlang C probability; the residual is Exp(cμ)).
  // A class-k arrival waits W0, plus the service (at rate cμ) of the class ≤ k customers it finds
  // waiting, plus that of class < k customers arriving while it waits; with Little's law this
  // gives
  //   W_k = W0 / ((1 − σ_{k−1}) (1 − σ_k)),   σ_k = Σ_{i≤k} λ_i / (cμ),  σ_0 = 0.
  // With one class it reduces to Erlang C's C(c, a) / (cμ − λ).
  const int c = 8;
  const double mu = 1.0 / 300;
  const double a_high = 2.4, a_low = 4.4;
  const double lambda_high = a_high * mu, lambda_low = a_low * mu;
  const Scenario sc = load_yaml(fmt::format(R"(
name: priority-classes
seed: 777
horizon: 800h
warmup: 3h
replications: 30
task_queues: {{Q: {{}}}}
workflows:
  high:
    configuration:
      task_routing:
        filters: [{{filter_friendly_name: urgent, expression: "1==1", targets: [{{queue: Q, priority: 10}}]}}]
  low:
    configuration: {{task_routing: {{filters: [], default_filter: {{queue: Q}}}}}}
workers:
  agents: {{count: {}, activity: Available}}
arrivals:
  urgent: {{workflow: high, channel: voice, rate: {}, handle_time: {{exponential: {{mean: 300}}}}}}
  routine: {{workflow: low, channel: voice, rate: {}, priority: 0,
            handle_time: {{exponential: {{mean: 300}}}}}}
)",
                                            c, lambda_high, lambda_low));
  RunSettings settings;
  settings.threads = 2;
  settings.check_invariants = true;
  const RunSummary summary = run_scenario(sc, settings);

  const double w0 = erlang_c(c, a_high + a_low) / (c * mu);
  const double sigma1 = lambda_high / (c * mu);
  const double sigma2 = (lambda_high + lambda_low) / (c * mu);
  const double w_high = w0 / (1 - sigma1);
  const double w_low = w0 / ((1 - sigma1) * (1 - sigma2));
  CHECK_WITHIN_CI(summary, "workflows.high.avg_task_acceptance_time", w_high);
  CHECK_WITHIN_CI(summary, "workflows.low.avg_task_acceptance_time", w_low);
  // The classes together are still an M/M/c queue: the overall mean wait is Erlang C's.
  CHECK_WITHIN_CI(summary, "workspace.avg_task_acceptance_time",
                  erlang_c(c, a_high + a_low) / (c * mu - lambda_high - lambda_low));
}
