#pragma once
// Fitting duration distributions to observed samples (docs/import.md#how-each-quantity-is-fitted):
// maximum likelihood for lognormal, gamma and weibull, the family chosen by AIC, the empirical
// distribution as a fallback; and right-censored samples (caller patience, where a caller answered
// first tells only that its patience was longer) by Kaplan-Meier and censored maximum likelihood
// (exponential, weibull). Times are in seconds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "trsim/distribution.hpp"

namespace trsim::fit {

enum class Family : std::uint8_t { constant, exponential, lognormal, gamma, weibull, empirical };

/// "lognormal", "gamma", ...
const char* family_name(Family family);

/// One fitted distribution. Parameters as trsim's scenario keys take them (docs/scenario.md,
/// `<distribution>`): lognormal and gamma `mean` and `sd` (p1, p2); weibull `shape` and `scale`
/// (p1, p2); exponential `mean` (p1); constant the value (p1); empirical `values`.
struct Fitted {
  Family family = Family::constant;
  double p1 = 0, p2 = 0;
  std::vector<double> values;  ///< empirical: at most kMaxEmpiricalValues quantiles
  double log_likelihood = 0;   ///< at the MLE (0 for constant and empirical)
  double aic = 0;              ///< 2k - 2 log L
  /// Goodness of fit: the Kolmogorov-Smirnov distance between the sample's (or, censored, the
  /// Kaplan-Meier) distribution function and the fitted one.
  double ks = 0;
  bool ok = false;  ///< the fit converged to valid parameters

  /// The distribution the scenario gets: the parameters to 6 significant digits, as yaml()
  /// writes them. Its mean and description are the fit's (mean(), describe()).
  Distribution distribution() const;
  double mean() const { return distribution().mean(); }
  double cdf(double x) const;
  /// The scenario's distribution map, e.g. "{lognormal: {mean: 12.5, sd: 3.25}}".
  std::string yaml() const;
  /// "lognormal(mean=12.5s, sd=3.25s)" (Distribution::describe()).
  std::string describe() const { return distribution().describe(); }
};

inline constexpr std::size_t kMinParametricSamples = 30;
inline constexpr std::size_t kMaxEmpiricalValues = 200;

/// The result of fitting one quantity: the chosen distribution, every candidate tried, and why
/// the choice was made.
struct FitReport {
  Fitted chosen;
  std::vector<Fitted> candidates;  ///< lognormal, gamma, weibull (those that converged)
  std::size_t n = 0;
  double sample_mean = 0;
  std::string note;  ///< why empirical or constant, when so
};

/// Maximum likelihood fits of each family to `x` (every value > 0).
Fitted fit_lognormal(const std::vector<double>& x);
Fitted fit_gamma(const std::vector<double>& x);
Fitted fit_weibull(const std::vector<double>& x);
Fitted fit_empirical(std::vector<double> x);

/// Fits lognormal, gamma and weibull and chooses the lowest AIC. Falls back to the empirical
/// distribution with fewer than kMinParametricSamples values, with values <= 0 among them, or when
/// even the best family is rejected by the KS test at 1% and is off by more than 0.05; to a
/// constant when every value is the same.
FitReport fit_duration(std::vector<double> x);

/// The Kaplan-Meier estimate of a survival function from right-censored times.
struct KaplanMeier {
  std::vector<double> times;         ///< distinct event times, ascending
  std::vector<double> survival;      ///< S(t) just after each of them
  std::vector<std::size_t> at_risk;  ///< how many were at risk just before each of them
  double restricted_mean = 0;        ///< the area under S up to the largest time observed
  bool complete = false;      ///< the largest time is an event (S reaches 0): the mean is exact
  double at(double t) const;  ///< S(t)
};

KaplanMeier kaplan_meier(const std::vector<double>& time, const std::vector<bool>& event);

/// Censored maximum likelihood: `event[i]` true when time[i] is an observation, false when the
/// quantity is only known to exceed time[i].
Fitted fit_exponential_censored(const std::vector<double>& time, const std::vector<bool>& event);
Fitted fit_weibull_censored(const std::vector<double>& time, const std::vector<bool>& event);

struct CensoredReport {
  Fitted chosen;
  std::vector<Fitted> candidates;  ///< exponential, weibull
  KaplanMeier km;
  std::size_t n = 0, events = 0;
  double naive_mean = 0;  ///< the mean of the observed times alone (biased low; reported only)
  std::string note;
};

/// Fits exponential and weibull to censored data and chooses by AIC; `ks` of each is the largest
/// distance between its survival function and the Kaplan-Meier curve at the event times where at
/// least max(10, 1% of n) were at risk (the curve's tail, over a handful, says little).
CensoredReport fit_censored(const std::vector<double>& time, const std::vector<bool>& event);

/// Competing risks (reservations: accepted, rejected or timed out, unless canceled first): the
/// Aalen-Johansen cumulative incidence of each cause at the last time. `cause[i]` is 0 for a
/// censored time, else 1..causes. The shares are those incidences divided by their sum (when the
/// curve ends above 0, the remaining mass is spread in proportion); counting the outcomes of the
/// uncensored alone would under-count the slower ones, which censoring cuts short more often.
struct CompetingRisks {
  std::vector<double> share;  ///< per cause 1..causes, at index cause - 1
  std::vector<std::size_t> count;
  std::size_t censored = 0;
  double unresolved = 0;  ///< S at the last time: the mass no cause claimed
};
CompetingRisks competing_risks(const std::vector<double>& time,
                               const std::vector<std::uint8_t>& cause, std::size_t causes);

/// Special functions used by the fits (exposed for the tests).
double digamma(double x);
double trigamma(double x);
double regularized_gamma_p(double a, double x);

}  // namespace trsim::fit
