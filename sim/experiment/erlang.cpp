// Erlang C and Erlang A (include/trsim/erlang.hpp).
#include "trsim/erlang.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace trsim::erlang {

double erlang_b(std::int64_t n, double a) {
  double b = 1;
  for (std::int64_t k = 1; k <= n; ++k) b = a * b / (static_cast<double>(k) + a * b);
  return b;
}

double erlang_c(std::int64_t n, double a) {
  const double nd = static_cast<double>(n);
  if (n <= 0 || nd <= a) return 1;
  if (a <= 0) return 0;
  const double b = erlang_b(n, a);
  return nd * b / (nd - a * (1 - b));
}

double service_level(std::int64_t n, double a, double handle, double t) {
  const double nd = static_cast<double>(n);
  if (a <= 0) return 1;
  if (nd <= a) return 0;
  return 1 - erlang_c(n, a) * std::exp(-(nd - a) * t / handle);
}

double average_speed_of_answer(std::int64_t n, double a, double handle) {
  const double nd = static_cast<double>(n);
  if (a <= 0) return 0;
  if (nd <= a) return INFINITY;
  return erlang_c(n, a) * handle / (nd - a);
}

ErlangA erlang_a(std::int64_t n, double a, double handle, double patience) {
  ErlangA r;
  if (a <= 0) return r;
  // Unnormalised π_j relative to π_n: below n, π_{j−1} = π_j · j / a; above, π_{j+1} = π_j · λ /
  // (nμ + (j − n + 1)θ), with λ = a/h, μ = 1/h, θ = 1/patience.
  const double lambda = a / handle, mu = 1 / handle, theta = 1 / patience;
  double below = 0, term = 1;
  for (std::int64_t j = n; j > 0; --j) {
    term *= static_cast<double>(j) / a;
    below += term;
    if (term < 1e-300) break;
  }
  double at_or_above = 0, queue = 0, abandon_rate = 0;
  term = 1;
  for (std::int64_t m = 0; m < 100'000'000; ++m) {  // m waiting
    at_or_above += term;
    queue += static_cast<double>(m) * term;
    abandon_rate += static_cast<double>(m) * theta * term;
    term *= lambda / (static_cast<double>(n) * mu + static_cast<double>(m + 1) * theta);
    if (term < 1e-16 * at_or_above && m > 10) break;
  }
  const double total = below + at_or_above;
  r.p_wait = at_or_above / total;
  r.p_abandon = abandon_rate / total / lambda;
  r.mean_wait = queue / total / lambda;
  return r;
}

namespace {

/// The stationary probabilities of n + m in system, m = 0, 1, ... (truncated where they vanish),
/// and the probability of fewer than n: the chain of erlang_a, normalised.
struct ErlangAStates {
  double below = 0;                ///< P(fewer than n in system): answered at once
  std::vector<double> waiting_at;  ///< [m] = P(n + m in system)
};

ErlangAStates erlang_a_states(std::int64_t n, double a, double handle, double patience) {
  ErlangAStates s;
  const double lambda = a / handle, mu = 1 / handle, theta = 1 / patience;
  double below = 0, term = 1;
  for (std::int64_t j = n; j > 0; --j) {
    term *= static_cast<double>(j) / a;
    below += term;
    if (term < 1e-300) break;
  }
  double at_or_above = 0;
  term = 1;
  for (std::int64_t m = 0; m < 100'000'000; ++m) {
    s.waiting_at.push_back(term);
    at_or_above += term;
    term *= lambda / (static_cast<double>(n) * mu + static_cast<double>(m + 1) * theta);
    if (term < 1e-16 * at_or_above && m > 10) break;
  }
  const double total = below + at_or_above;
  s.below = below / total;
  for (double& p : s.waiting_at) p /= total;
  return s;
}

}  // namespace

double erlang_a_service_level(std::int64_t n, double a, double handle, double patience, double t) {
  if (a <= 0) return 1;
  if (n <= 0) return 0;
  const ErlangAStates s = erlang_a_states(n, a, handle, patience);
  const double nmu = static_cast<double>(n) / handle, theta = 1 / patience;
  // x = 1 − e^(−θt), b = nμ/θ + 1. I_x(m + 1, b) = Σ_{k ≥ m+1} T_k with T_k = C(k + b − 1, k)
  // · x^k (1 − x)^b, so Σ_m w_m I_x(m + 1, b) = Σ_{k≥1} T_k W_{k−1}, W_j = Σ_{m ≤ j} w_m and
  // w_m = P(n + m) · nμ / (nμ + (m + 1)θ). As Σ_{k≥1} T_k = I_x(1, b) = 1 − (1 − x)^b, that is
  // W_∞ (1 − (1 − x)^b) − Σ_k T_k (W_∞ − W_{k−1}): a finite sum (W_{k−1} = W_∞ past the last
  // state), whatever θt. T_k in logarithms (the first terms underflow when nμt is large).
  const double x = -std::expm1(-theta * t), b = nmu / theta + 1;
  if (!(x > 0)) return s.below;
  const std::size_t states = s.waiting_at.size();
  std::vector<double> w(states);
  double w_total = 0;
  for (std::size_t m = 0; m < states; ++m) {
    w[m] = s.waiting_at[m] * nmu / (nmu + static_cast<double>(m + 1) * theta);
    w_total += w[m];
  }
  const double log_x = std::log(x), log_1mx = -theta * t;
  double sum = w_total * -std::expm1(b * log_1mx), cumulative = 0;
  double log_t = std::log(b) + log_x + b * log_1mx;  // T_1 = b·x·(1 − x)^b
  for (std::size_t k = 1; k <= states; ++k) {
    cumulative += w[k - 1];
    sum -= std::exp(log_t) * std::max(0.0, w_total - cumulative);
    const double kd = static_cast<double>(k);
    log_t += log_x + std::log((kd + b) / (kd + 1));  // T_{k+1} / T_k = x (k + b) / (k + 1)
  }
  return std::clamp(s.below + sum, 0.0, 1.0);
}

}  // namespace trsim::erlang
