// Distributions: each is checked against its known moments and its CDF with tolerances derived
// from sampling theory (four standard errors for moments; the Kolmogorov–Smirnov critical value at
// alpha = 0.001 for shape), with a fixed seed so the result is reproducible.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include "trsim/distribution.hpp"

using trsim::Distribution;
using trsim::Rng;
using trsim::SimTime;

namespace {

std::vector<double> draw(const Distribution& d, std::uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<double> xs(static_cast<std::size_t>(n));
  for (double& x : xs) x = d.sample_seconds(rng);
  return xs;
}

// Sample mean within 4 standard errors (sd / sqrt(n)) of `mean`, and the unbiased sample variance
// within 4 standard errors of `var`; the variance's standard error is sqrt((mu4 - var²) / n),
// mu4 being the fourth central moment.
void check_moments(const std::vector<double>& xs, double mean, double var, double mu4) {
  const auto n = static_cast<double>(xs.size());
  double sum = 0;
  for (const double x : xs) sum += x;
  const double m = sum / n;
  double squares = 0;
  for (const double x : xs) squares += (x - m) * (x - m);
  const double v = squares / (n - 1);
  INFO("sample mean " << m << " vs " << mean << ", sample variance " << v << " vs " << var);
  CHECK(std::abs(m - mean) < 4 * std::sqrt(var / n));
  CHECK(std::abs(v - var) < 4 * std::sqrt((mu4 - var * var) / n));
}

// Kolmogorov–Smirnov statistic against `cdf`, compared with the asymptotic critical value at
// alpha = 0.001: sqrt(-ln(alpha / 2) / 2) / sqrt(n) = 1.9495 / sqrt(n).
void check_ks(std::vector<double> xs, const std::function<double(double)>& cdf) {
  std::sort(xs.begin(), xs.end());
  const auto n = static_cast<double>(xs.size());
  double d = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double f = cdf(xs[i]);
    d = std::max({d, std::abs(f - static_cast<double>(i) / n),
                  std::abs(static_cast<double>(i + 1) / n - f)});
  }
  INFO("KS statistic " << d);
  CHECK(d < 1.9495 / std::sqrt(n));
}

double phi_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }
double phi_pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi); }

// Regularised lower incomplete gamma P(a, x) (series for x < a + 1, else Lentz's continued
// fraction).
double gamma_p(double a, double x) {
  if (x <= 0) return 0;
  const double log_prefix = -x + a * std::log(x) - std::lgamma(a);
  if (x < a + 1) {
    double term = 1 / a, sum = term;
    for (int i = 1; i < 10000 && std::abs(term) > std::abs(sum) * 1e-16; ++i) {
      term *= x / (a + i);
      sum += term;
    }
    return sum * std::exp(log_prefix);
  }
  constexpr double kTiny = 1e-300;
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < 10000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1) < 1e-16) break;
  }
  return 1 - std::exp(log_prefix) * h;
}

constexpr int kMomentSamples = 200000;
constexpr int kShapeSamples = 20000;

}  // namespace

TEST_CASE("constant samples exactly, without drawing", "[distribution]") {
  const Distribution d = Distribution::constant(30.5);
  Rng rng(1), untouched(1);
  CHECK(d.sample(rng) == 30'500'000);
  CHECK(d.mean() == 30.5);
  CHECK(rng.next_u64() == untouched.next_u64());
  CHECK(Distribution().sample(rng) == 0);
}

TEST_CASE("samples round to the nearest microsecond", "[distribution]") {
  Rng rng(1);
  CHECK(Distribution::constant(0.0000014).sample(rng) == 1);
  CHECK(Distribution::constant(0.0000016).sample(rng) == 2);
  CHECK(Distribution::constant(0.0000004).sample(rng) == 0);
  CHECK(Distribution::constant(12.0005).sample(rng) == 12'000'500);
  // sample() is sample_seconds() rounded, from the same draws.
  const Distribution e = Distribution::exponential(180);
  Rng a(77), b(77);
  for (int i = 0; i < 1000; ++i) REQUIRE(e.sample(a) == trsim::from_seconds(e.sample_seconds(b)));
}

TEST_CASE("samples are clamped to 0..kMaxDuration", "[distribution]") {
  Rng rng(1);
  CHECK(Distribution::constant(-5).sample(rng) == 0);
  CHECK(Distribution::constant(std::nan("")).sample(rng) == 0);
  CHECK(Distribution::constant(1e300).sample(rng) == trsim::kMaxDuration);
  CHECK(Distribution::constant(INFINITY).sample(rng) == trsim::kMaxDuration);
}

TEST_CASE("exponential matches its mean, variance and CDF", "[distribution]") {
  const double m = 180;
  const Distribution d = Distribution::exponential(m);
  CHECK(d.mean() == m);
  check_moments(draw(d, 11, kMomentSamples), m, m * m, 9 * m * m * m * m);
  check_ks(draw(d, 12, kShapeSamples), [m](double x) { return 1 - std::exp(-x / m); });
}

TEST_CASE("uniform matches its mean, variance and CDF", "[distribution]") {
  const double a = 10, b = 50, w = b - a;
  const Distribution d = Distribution::uniform(a, b);
  CHECK(d.mean() == 30);
  const auto xs = draw(d, 21, kMomentSamples);
  CHECK(*std::min_element(xs.begin(), xs.end()) >= a);
  CHECK(*std::max_element(xs.begin(), xs.end()) < b);
  check_moments(xs, 30, w * w / 12, w * w * w * w / 80);
  check_ks(draw(d, 22, kShapeSamples), [=](double x) { return (x - a) / w; });
}

TEST_CASE("normal far from 0 matches its mean, variance and CDF", "[distribution]") {
  // mean 100, sd 15: truncation at 0 (6.7 sd away) removes a fraction 1e-11, invisible here.
  const double mu = 100, sigma = 15;
  const Distribution d = Distribution::normal(mu, sigma);
  CHECK(d.mean() == mu);
  const double var = sigma * sigma;
  check_moments(draw(d, 31, kMomentSamples), mu, var, 3 * var * var);
  check_ks(draw(d, 32, kShapeSamples), [=](double x) { return phi_cdf((x - mu) / sigma); });
}

TEST_CASE("normal near 0 is truncated at 0, never negative", "[distribution]") {
  const double mu = 1, sigma = 2;
  const Distribution d = Distribution::normal(mu, sigma);
  CHECK(d.mean() == mu);  // documented: the mean before truncation
  const auto xs = draw(d, 41, kMomentSamples);
  CHECK(*std::min_element(xs.begin(), xs.end()) >= 0);
  // Moments of the normal truncated below at 0: with alpha = -mu/sigma, Z = 1 - Phi(alpha),
  // lambda = phi(alpha)/Z: mean = mu + sigma lambda, var = sigma² (1 + alpha lambda - lambda²).
  const double alpha = -mu / sigma;
  const double lambda = phi_pdf(alpha) / (1 - phi_cdf(alpha));
  const double mean = mu + sigma * lambda;
  const double var = sigma * sigma * (1 + alpha * lambda - lambda * lambda);
  double sum = 0;
  for (const double x : xs) sum += x;
  CHECK(std::abs(sum / static_cast<double>(xs.size()) - mean) <
        4 * std::sqrt(var / static_cast<double>(xs.size())));
  const double z = 1 - phi_cdf(alpha);
  check_ks(draw(d, 42, kShapeSamples),
           [=](double x) { return (phi_cdf((x - mu) / sigma) - phi_cdf(alpha)) / z; });
}

TEST_CASE("normal with a hopeless mean returns 0 instead of hanging", "[distribution]") {
  const Distribution d = Distribution::normal(-1e9, 1);
  Rng rng(5);
  CHECK(d.sample(rng) == 0);
  CHECK_FALSE(d.validation_error().empty());
}

TEST_CASE("lognormal is parameterised by its own mean and sd", "[distribution]") {
  const double mean = 360, sd = 180;
  const Distribution d = Distribution::lognormal(mean, sd);
  CHECK(d.mean() == mean);
  const double s2 = std::log(1 + (sd / mean) * (sd / mean));
  const double mu = std::log(mean) - s2 / 2;
  const double excess_kurtosis = std::exp(4 * s2) + 2 * std::exp(3 * s2) + 3 * std::exp(2 * s2) - 6;
  const double var = sd * sd;
  check_moments(draw(d, 51, kMomentSamples), mean, var, (excess_kurtosis + 3) * var * var);
  check_ks(draw(d, 52, kShapeSamples),
           [=](double x) { return x <= 0 ? 0.0 : phi_cdf((std::log(x) - mu) / std::sqrt(s2)); });
}

TEST_CASE("gamma with shape >= 1 matches its moments and CDF", "[distribution]") {
  const double mean = 6, sd = 3;  // shape 4, scale 1.5
  const Distribution d = Distribution::gamma(mean, sd);
  CHECK(d.mean() == mean);
  const double k = 4, theta = 1.5, var = sd * sd;
  check_moments(draw(d, 61, kMomentSamples), mean, var, (3 + 6 / k) * var * var);
  check_ks(draw(d, 62, kShapeSamples), [=](double x) { return gamma_p(k, x / theta); });
}

TEST_CASE("gamma with shape < 1 matches its moments and CDF", "[distribution]") {
  const double mean = 2, sd = 4;  // shape 0.25, scale 8
  const Distribution d = Distribution::gamma(mean, sd);
  const double k = 0.25, theta = 8, var = sd * sd;
  check_moments(draw(d, 71, kMomentSamples), mean, var, (3 + 6 / k) * var * var);
  check_ks(draw(d, 72, kShapeSamples), [=](double x) { return gamma_p(k, x / theta); });
}

TEST_CASE("weibull matches its moments and CDF", "[distribution]") {
  const double k = 1.5, lambda = 60;
  const Distribution d = Distribution::weibull(k, lambda);
  // Raw moments E[X^n] = lambda^n Gamma(1 + n/k).
  const auto raw = [=](int n) { return std::pow(lambda, n) * std::tgamma(1 + n / k); };
  const double m1 = raw(1), m2 = raw(2), m3 = raw(3), m4 = raw(4);
  CHECK(d.mean() == Approx(m1).epsilon(1e-12));
  const double var = m2 - m1 * m1;
  const double mu4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 * m1 * m1 * m1;
  check_moments(draw(d, 81, kMomentSamples), m1, var, mu4);
  check_ks(draw(d, 82, kShapeSamples),
           [=](double x) { return x <= 0 ? 0.0 : 1 - std::exp(-std::pow(x / lambda, k)); });
}

TEST_CASE("empirical resamples only the given values, uniformly", "[distribution]") {
  const Distribution d = Distribution::empirical({1, 2, 3, 10});
  CHECK(d.mean() == 4);
  const auto xs = draw(d, 91, kMomentSamples);
  const std::set<double> allowed{1, 2, 3, 10};
  for (const double x : xs) REQUIRE(allowed.count(x) == 1);
  // Population variance of {1,2,3,10} is 12.5, fourth central moment 348.5.
  check_moments(xs, 4, 12.5, 348.5);
}

TEST_CASE("sd == 0 degenerates to the constant mean without dividing by zero", "[distribution]") {
  Rng rng(3), untouched(3);
  CHECK(Distribution::normal(5, 0).sample(rng) == 5'000'000);
  CHECK(Distribution::lognormal(5, 0).sample(rng) == 5'000'000);
  CHECK(Distribution::gamma(5, 0).sample(rng) == 5'000'000);
  CHECK(rng.next_u64() == untouched.next_u64());  // and nothing was drawn
}

TEST_CASE("draws per sample are fixed, so streams stay aligned", "[distribution]") {
  // exponential, uniform, weibull, empirical: one draw; lognormal: two (Box–Muller).
  // b skips n draws, then both must agree: n is the number of draws the sample consumed.
  const auto consumed = [](const Distribution& d) {
    for (int n = 0; n < 10; ++n) {
      Rng a(8), b(8);
      (void)d.sample(a);
      for (int i = 0; i < n; ++i) (void)b.next_u64();
      if (a.next_u64() == b.next_u64()) return n;
    }
    return -1;
  };
  CHECK(consumed(Distribution::exponential(10)) == 1);
  CHECK(consumed(Distribution::uniform(1, 2)) == 1);
  CHECK(consumed(Distribution::weibull(2, 10)) == 1);
  CHECK(consumed(Distribution::empirical({1, 2, 3})) == 1);
  CHECK(consumed(Distribution::lognormal(10, 5)) == 2);
  CHECK(consumed(Distribution::normal(100, 1)) == 2);  // accepted at the first attempt
}

TEST_CASE("describe names the distribution and its parameters", "[distribution]") {
  CHECK(Distribution::exponential(180).describe() == "exponential(mean=180s)");
  CHECK(Distribution::constant(30).describe() == "constant(30s)");
  CHECK(Distribution::uniform(1, 2.5).describe() == "uniform(min=1s, max=2.5s)");
  CHECK(Distribution::normal(60, 10).describe() == "normal(mean=60s, sd=10s)");
  CHECK(Distribution::lognormal(360, 180).describe() == "lognormal(mean=360s, sd=180s)");
  CHECK(Distribution::gamma(6, 3).describe() == "gamma(mean=6s, sd=3s)");
  CHECK(Distribution::weibull(1.5, 60).describe() == "weibull(shape=1.5, scale=60s)");
  CHECK(Distribution::empirical({1, 2, 3}).describe() == "empirical(3 values, mean=2s)");
}

TEST_CASE("validation_error names the bad parameter", "[distribution]") {
  CHECK(Distribution::exponential(180).validation_error().empty());
  CHECK(Distribution::normal(-1, 1).validation_error().empty());  // truncated, but plausible
  CHECK(Distribution::exponential(0).validation_error() == "exponential: mean must be > 0 (got 0)");
  CHECK(Distribution::constant(-1).validation_error() == "constant: value must be >= 0 (got -1)");
  CHECK(Distribution::uniform(5, 1).validation_error() ==
        "uniform: max must be >= min (got min 5, max 1)");
  CHECK(Distribution::lognormal(0, 1).validation_error() == "lognormal: mean must be > 0 (got 0)");
  CHECK(Distribution::gamma(1, -1).validation_error() == "gamma: sd must be >= 0 (got -1)");
  CHECK(Distribution::weibull(0, 1).validation_error() == "weibull: shape must be > 0 (got 0)");
  CHECK(Distribution::empirical({}).validation_error() == "empirical: needs at least one value");
  CHECK(Distribution::empirical({1, -2}).validation_error() ==
        "empirical: value #2 must be >= 0 (got -2)");
  CHECK(Distribution::normal(-3, 1).validation_error().find("too far below 0") !=
        std::string::npos);
  CHECK_FALSE(Distribution::normal(std::nan(""), 1).validation_error().empty());
}

TEST_CASE("golden samples pin the sampling algorithms", "[distribution]") {
  // Computed by an independent Python transcription of the documented algorithms, drawing in turn
  // from one stream: a change here changes every published result.
  Rng rng = Rng::stream(7, 0, "arrivals.calls");
  const Distribution u = Distribution::uniform(10, 50);
  const Distribution e = Distribution::exponential(180);
  const Distribution n = Distribution::normal(60, 10);
  for (const SimTime want : {25442721, 16170379, 16629351}) CHECK(u.sample(rng) == want);
  for (const SimTime want : {364030649, 511788584, 72163298}) CHECK(e.sample(rng) == want);
  for (const SimTime want : {48163140, 47814348, 55510001}) CHECK(n.sample(rng) == want);
}
