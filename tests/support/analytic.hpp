#pragma once
// Test support for analytic tests: Erlang C and the replication estimate of a metric with its
// 99.9% Student-t half-width. The tolerance is fixed before looking at results: the theoretical
// value must lie inside the interval.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "trsim/runner.hpp"

namespace trsim::test {

/// t_{0.9995, df} for the degrees of freedom the analytic tests use.
inline double t_9995(std::size_t df) {
  switch (df) {
    case 19:
      return 3.883;
    case 29:
      return 3.659;
    default:
      FAIL("no t quantile tabulated for df=" << df);
      return 0;
  }
}

/// Erlang C: probability that an arrival waits, c servers, offered load a = λ/μ.
inline double erlang_c(int c, double a) {
  double term = 1, sum = 1;  // Σ_{k<c} a^k/k!
  for (int k = 1; k < c; ++k) {
    term *= a / k;
    sum += term;
  }
  const double top = term * a / c * (c / (c - a));  // a^c/c! · c/(c−a)
  return top / (sum + top);
}

struct Estimate {
  double mean = 0, half_width = 0;
};

/// Mean over replications and its 99.9% half-width.
inline Estimate estimate(const RunSummary& summary, const std::string& metric) {
  std::vector<double> xs;
  for (const ReplicationResult& r : summary.runs) {
    const MetricNode* n = r.statistics.find(metric);
    REQUIRE(n != nullptr);
    xs.push_back(n->value);
  }
  double mean = 0;
  for (double x : xs) mean += x;
  mean /= static_cast<double>(xs.size());
  double ss = 0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  const double sd = std::sqrt(ss / static_cast<double>(xs.size() - 1));
  return {mean, t_9995(xs.size() - 1) * sd / std::sqrt(static_cast<double>(xs.size()))};
}

#define CHECK_WITHIN_CI(summary, metric, theory)                                          \
  do {                                                                                    \
    const Estimate est_ = estimate(summary, metric);                                      \
    INFO(metric << ": simulated " << est_.mean << " ± " << est_.half_width << ", theory " \
                << (theory));                                                             \
    CHECK(std::abs(est_.mean - (theory)) <= est_.half_width);                             \
  } while (0)

}  // namespace trsim::test
