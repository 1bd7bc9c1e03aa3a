// The fits behind `trsim import`'s calibration (docs/import.md#how-each-quantity-is-fitted):
// maximum likelihood against closed forms on small known samples, recovery of known parameters
// from large samples drawn with a fixed seed (tolerances of four standard errors), the choice of
// family by AIC, the fallbacks, and censored data (Kaplan-Meier by hand, censored MLE against the
// truth, the naive mean shown biased).
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "trsim/distribution.hpp"
#include "trsim/fit.hpp"

using namespace trsim;
using namespace trsim::fit;

namespace {

std::vector<double> draw(const Distribution& d, std::uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<double> xs(static_cast<std::size_t>(n));
  for (double& x : xs) x = d.sample_seconds(rng);
  return xs;
}

}  // namespace

TEST_CASE("special functions match their known values", "[fit]") {
  CHECK(digamma(1.0) == Approx(-0.5772156649015329).epsilon(1e-11));
  CHECK(digamma(0.5) == Approx(-1.9635100260214235).epsilon(1e-11));
  CHECK(trigamma(1.0) == Approx(std::numbers::pi * std::numbers::pi / 6).epsilon(1e-11));
  CHECK(regularized_gamma_p(1.0, 2.0) == Approx(1 - std::exp(-2.0)).epsilon(1e-12));
  CHECK(regularized_gamma_p(0.5, 3.0) == Approx(std::erf(std::sqrt(3.0))).epsilon(1e-12));
  CHECK(regularized_gamma_p(5.0, 0.5) == Approx(1.7211562995584067e-4).epsilon(1e-9));
}

TEST_CASE("the lognormal MLE is the mean and the n-divided variance of the logs", "[fit]") {
  // ln x = 1, 2, 3: mu = 2, sigma^2 = 2/3; mean = exp(mu + sigma^2 / 2).
  const std::vector<double> x{std::exp(1.0), std::exp(2.0), std::exp(3.0)};
  const Fitted f = fit_lognormal(x);
  REQUIRE(f.ok);
  const double s2 = 2.0 / 3.0;
  CHECK(f.p1 == Approx(std::exp(2 + s2 / 2)));
  CHECK(f.p2 == Approx(f.p1 * std::sqrt(std::exp(s2) - 1)));
  // log L = -sum ln x - n/2 ln(2 pi s2) - n/2
  CHECK(f.log_likelihood == Approx(-6 - 1.5 * std::log(2 * std::numbers::pi * s2) - 1.5));
}

TEST_CASE("the gamma MLE solves ln k - digamma(k) = ln mean - mean ln x", "[fit]") {
  const std::vector<double> x{1, 2, 3, 4, 10};
  const Fitted f = fit_gamma(x);
  REQUIRE(f.ok);
  CHECK(f.p1 == Approx(4.0));  // the MLE of the mean is the sample mean
  const double k = f.p1 * f.p1 / (f.p2 * f.p2);
  double ml = 0;
  for (double v : x) ml += std::log(v);
  ml /= 5;
  CHECK(std::log(k) - digamma(k) == Approx(std::log(4.0) - ml).epsilon(1e-10));
}

TEST_CASE("the weibull MLE solves its shape equation", "[fit]") {
  const std::vector<double> x{0.5, 1.2, 2.0, 2.2, 3.9, 5.0};
  const Fitted f = fit_weibull(x);
  REQUIRE(f.ok);
  const double k = f.p1;
  double a = 0, b = 0, ml = 0;
  for (double v : x) {
    a += std::pow(v, k) * std::log(v);
    b += std::pow(v, k);
    ml += std::log(v);
  }
  CHECK(a / b - 1 / k - ml / 6 == Approx(0).margin(1e-9));
  CHECK(f.p2 == Approx(std::pow(b / 6, 1 / k)));
}

TEST_CASE("fit_duration recovers the family and the parameters of a known sample", "[fit]") {
  const int n = 20000;
  SECTION("lognormal") {
    const FitReport r = fit_duration(draw(Distribution::lognormal(120, 60), 11, n));
    CHECK(r.chosen.family == Family::lognormal);
    CHECK(r.chosen.p1 == Approx(120).margin(4 * 60 / std::sqrt(n)));
    CHECK(r.chosen.p2 == Approx(60).epsilon(0.05));
    CHECK(r.chosen.ks < 1.63 / std::sqrt(n));
  }
  SECTION("gamma") {
    const FitReport r = fit_duration(draw(Distribution::gamma(30, 10), 12, n));
    CHECK(r.chosen.family == Family::gamma);
    CHECK(r.chosen.p1 == Approx(30).margin(4 * 10 / std::sqrt(n)));
    CHECK(r.chosen.p2 == Approx(10).epsilon(0.05));
  }
  SECTION("weibull") {
    const FitReport r = fit_duration(draw(Distribution::weibull(1.5, 200), 13, n));
    CHECK(r.chosen.family == Family::weibull);
    CHECK(r.chosen.p1 == Approx(1.5).epsilon(0.03));
    CHECK(r.chosen.p2 == Approx(200).epsilon(0.02));
  }
  CHECK(fit_duration({}).n == 0);
}

TEST_CASE("fit_duration falls back to empirical or constant when no family applies", "[fit]") {
  const FitReport few = fit_duration({5, 7, 9, 12});
  CHECK(few.chosen.family == Family::empirical);
  CHECK(few.chosen.values == std::vector<double>{5, 7, 9, 12});
  CHECK(few.note.find("fewer than 30") != std::string::npos);
  const FitReport same = fit_duration(std::vector<double>(50, 3.0));
  CHECK(same.chosen.family == Family::constant);
  CHECK(same.chosen.yaml() == "3");
  std::vector<double> zeros = draw(Distribution::exponential(10), 3, 100);
  zeros[7] = 0;
  const FitReport z = fit_duration(zeros);
  CHECK(z.chosen.family == Family::empirical);
  CHECK(z.chosen.values.size() == kMaxEmpiricalValues / 2);
  // Two far-apart modes: no family fits, the empirical quantiles stand in (at most 200 values).
  std::vector<double> bimodal = draw(Distribution::normal(10, 1), 4, 2000);
  const std::vector<double> high = draw(Distribution::normal(100, 2), 5, 2000);
  bimodal.insert(bimodal.end(), high.begin(), high.end());
  const FitReport b = fit_duration(bimodal);
  CHECK(b.chosen.family == Family::empirical);
  CHECK(b.chosen.values.size() == kMaxEmpiricalValues);
  CHECK(b.chosen.mean() == Approx(55).epsilon(0.02));
  CHECK(b.note.find("off by KS") != std::string::npos);
}

TEST_CASE("Kaplan-Meier on a small censored sample, by hand", "[fit]") {
  // times 1 2 2+ 3 4+ ('+': censored). S: 1 -> 4/5, 2 -> 0.8 * 3/4 = 0.6, 3 -> 0.6 * 1/2 = 0.3.
  const KaplanMeier km = kaplan_meier({1, 2, 2, 3, 4}, {true, true, false, true, false});
  CHECK(km.times == std::vector<double>{1, 2, 3});
  CHECK(km.survival[0] == Approx(0.8));
  CHECK(km.survival[1] == Approx(0.6));
  CHECK(km.survival[2] == Approx(0.3));
  CHECK(km.at(2.5) == Approx(0.6));
  CHECK(km.restricted_mean == Approx(1 + 0.8 + 0.6 + 0.3));
  CHECK_FALSE(km.complete);
}

TEST_CASE("censored MLE recovers patience that the naive mean underestimates", "[fit]") {
  // Patience exponential(60 s), each caller answered after an exponential(30 s) wait: about 2/3
  // are censored (answered first).
  const int n = 20000;
  const std::vector<double> patience = draw(Distribution::exponential(60), 21, n);
  const std::vector<double> answer = draw(Distribution::exponential(30), 22, n);
  std::vector<double> time;
  std::vector<bool> event;
  for (int i = 0; i < n; ++i) {
    time.push_back(std::min(patience[i], answer[i]));
    event.push_back(patience[i] <= answer[i]);
  }
  const CensoredReport r = fit_censored(time, event);
  CHECK(static_cast<double>(r.events) / n == Approx(1.0 / 3).margin(0.02));
  REQUIRE(r.chosen.ok);
  // The exponential MLE's standard error is mean / sqrt(events).
  const double se = 60 / std::sqrt(static_cast<double>(r.events));
  CHECK(r.chosen.mean() == Approx(60).margin(4 * se));
  // The mean of the abandoned waits alone is the mean of min(P, A) given P < A: 20 s.
  CHECK(r.naive_mean == Approx(20).epsilon(0.05));
  CHECK(std::abs(r.naive_mean - 60) > 0.5 * 60);
  // Weibull patience (shape 2): the censored weibull fit wins by AIC and finds the shape.
  const std::vector<double> w = draw(Distribution::weibull(2, 90), 23, n);
  time.clear();
  event.clear();
  for (int i = 0; i < n; ++i) {
    time.push_back(std::min(w[i], answer[i]));
    event.push_back(w[i] <= answer[i]);
  }
  const CensoredReport rw = fit_censored(time, event);
  CHECK(rw.chosen.family == Family::weibull);
  CHECK(rw.chosen.p1 == Approx(2).epsilon(0.05));
  CHECK(rw.chosen.mean() == Approx(90 * std::tgamma(1.5)).epsilon(0.05));
  CHECK(rw.chosen.ks < 0.02);
}

TEST_CASE("competing risks: the Aalen-Johansen shares of outcomes cut short by censoring",
          "[fit]") {
  // 1 (cause 1), 2 (censored), 3 (cause 2), 4 (cause 1). CIF1 = 1/4 + (3/4 * 1/2) * 1/1 = 0.625,
  // CIF2 = 3/4 * 1/2 = 0.375; counting the uncensored alone would say 2/3 and 1/3.
  const CompetingRisks r = competing_risks({1, 2, 3, 4}, {1, 0, 2, 1}, 2);
  CHECK(r.share[0] == Approx(0.625));
  CHECK(r.share[1] == Approx(0.375));
  CHECK(r.count == std::vector<std::size_t>{2, 1});
  CHECK(r.censored == 1);
  CHECK(r.unresolved == Approx(0));
  // Offers accepted after ~gamma(6 s) (80%) or left to time out at 30 s (20%), each canceled by
  // the caller after an exponential(20 s): the cancels cut the timeouts short far more often.
  Rng rng(7);
  const Distribution accept = Distribution::gamma(6, 2), cancel = Distribution::exponential(20);
  std::vector<double> time;
  std::vector<std::uint8_t> cause;
  std::size_t accepted = 0, timed_out = 0;
  for (int i = 0; i < 20000; ++i) {
    const bool acc = rng.uniform01() < 0.8;
    const double t = acc ? accept.sample_seconds(rng) : 30.0;
    const double c = cancel.sample_seconds(rng);
    time.push_back(std::min(t, c));
    cause.push_back(c < t ? 0 : (acc ? 1 : 2));
    if (c >= t) ++(acc ? accepted : timed_out);
  }
  const CompetingRisks s = competing_risks(time, cause, 2);
  // Within 4 standard errors of a proportion over the offers.
  CHECK(s.share[0] == Approx(0.8).margin(4 * std::sqrt(0.16 / 20000) * 2));
  const double naive = static_cast<double>(accepted) / static_cast<double>(accepted + timed_out);
  CHECK(naive > 0.9);  // the uncorrected share is far off
}
