#pragma once
// Erlang C (M/M/n) and Erlang A (M/M/n+M) formulas: the analytic estimate `trsim staff
// --per-interval` starts from and reports beside the simulated requirement (docs/experiments.md).
// Loads are in Erlangs (a = λ / μ), times in seconds.
#include <cstdint>

namespace trsim::erlang {

/// Erlang B: the blocking probability of n servers offered a Erlangs (the stable recursion
/// B(k) = a·B(k−1) / (k + a·B(k−1))).
double erlang_b(std::int64_t n, double a);
/// Erlang C: the probability that an arrival waits; 1 when n <= a (the queue is unstable).
double erlang_c(std::int64_t n, double a);
/// Erlang C's service level: P(wait <= t) = 1 − C(n, a)·exp(−(n − a)·t / h), h the mean handle
/// time.
double service_level(std::int64_t n, double a, double handle, double t);
/// Erlang C's average speed of answer (mean wait of all arrivals): C(n, a)·h / (n − a).
double average_speed_of_answer(std::int64_t n, double a, double handle);

/// Erlang A (exponential patience with mean `patience`): the stationary birth–death chain of the
/// number in system, truncated where its terms vanish.
struct ErlangA {
  double p_wait = 0;     ///< an arrival finds every server busy
  double p_abandon = 0;  ///< an arrival abandons
  double mean_wait = 0;  ///< mean time in queue of every arrival (served or not), s
};
ErlangA erlang_a(std::int64_t n, double a, double handle, double patience);

}  // namespace trsim::erlang
