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

/// Erlang A's service level: the probability that an arrival is answered, and within `t` seconds
/// (P(W <= t, served), Mandelbaum & Zeltyn) — trsim's service_level.<t>, whose denominator counts
/// the answered and the abandoned. An arrival finding m callers waiting ahead of it reaches an
/// agent when m + 1 queue moves (rates nμ + rθ, r = m..0) are done before its own patience ends:
/// with probability nμ / (nμ + (m + 1)θ), and within t with, in addition, the regularized
/// incomplete beta I_{1−e^(−θt)}(m + 1, nμ/θ + 1) (the sum of exponentials with rates
/// nμ + rθ, r = 1..m+1, weighted by e^(−θ·wait), is a beta order statistic in e^(−θt)).
/// With an endless patience it is Erlang C's service_level.
double erlang_a_service_level(std::int64_t n, double a, double handle, double patience, double t);

}  // namespace trsim::erlang
