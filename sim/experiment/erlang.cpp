// Erlang C and Erlang A (include/trsim/erlang.hpp).
#include "trsim/erlang.hpp"

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

}  // namespace trsim::erlang
