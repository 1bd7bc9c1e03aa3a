// Maximum likelihood fits of duration distributions, and censored fits (docs/import.md).
#include "trsim/fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>

namespace trsim::fit {

namespace {

constexpr double kPi = 3.14159265358979323846;

double log_mean(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += std::log(v);
  return s / static_cast<double>(x.size());
}

// KS distance between the sorted sample `x` and a distribution function.
template <typename Cdf>
double ks_distance(const std::vector<double>& sorted, Cdf cdf) {
  const double n = static_cast<double>(sorted.size());
  double d = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;  // ties: one step of the ECDF
    const double f = cdf(sorted[i]);
    d = std::max(
        {d, std::abs(f - static_cast<double>(i) / n), std::abs(f - static_cast<double>(j) / n)});
    i = j;
  }
  return d;
}

// The root of a monotone function on [lo, hi] by bisection in log space (robust; 200 steps reach
// the double's precision on any bracket used here).
template <typename F>
double bisect_log(F f, double lo, double hi) {
  const double f_lo = f(lo);
  for (int i = 0; i < 200 && hi > lo * (1 + 1e-10); ++i) {
    const double mid = std::sqrt(lo * hi);
    if (mid <= lo || mid >= hi) break;
    const double v = f(mid);
    if ((v > 0) == (f_lo > 0))
      lo = mid;
    else
      hi = mid;
  }
  return std::sqrt(lo * hi);
}

std::string number(double v) { return fmt::format("{:.6g}", v); }

}  // namespace

const char* family_name(Family family) {
  switch (family) {
    case Family::constant:
      return "constant";
    case Family::exponential:
      return "exponential";
    case Family::lognormal:
      return "lognormal";
    case Family::gamma:
      return "gamma";
    case Family::weibull:
      return "weibull";
    case Family::empirical:
      return "empirical";
  }
  return "?";
}

double digamma(double x) {
  double r = 0;
  while (x < 12) {
    r -= 1 / x;
    x += 1;
  }
  const double f = 1 / (x * x);
  return r + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

double trigamma(double x) {
  double r = 0;
  while (x < 12) {
    r += 1 / (x * x);
    x += 1;
  }
  const double f = 1 / (x * x);
  return r + 1 / x + f / 2 +
         f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30 - f * 5.0 / 66))));
}

double regularized_gamma_p(double a, double x) {
  if (x <= 0) return 0;
  const double log_prefix = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1) {  // series
    double term = 1 / a, sum = term;
    for (int n = 1; n < 10000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::abs(term) < std::abs(sum) * 1e-15) break;
    }
    return std::min(1.0, sum * std::exp(log_prefix));
  }
  // Continued fraction for Q (modified Lentz).
  constexpr double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 10000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1) < 1e-15) break;
  }
  return std::max(0.0, 1 - std::exp(log_prefix) * h);
}

Distribution Fitted::distribution() const {
  const auto round = [](double v) { return std::strtod(number(v).c_str(), nullptr); };
  switch (family) {
    case Family::constant:
      return Distribution::constant(round(p1));
    case Family::exponential:
      return Distribution::exponential(round(p1));
    case Family::lognormal:
      return Distribution::lognormal(round(p1), round(p2));
    case Family::gamma:
      return Distribution::gamma(round(p1), round(p2));
    case Family::weibull:
      return Distribution::weibull(round(p1), round(p2));
    case Family::empirical: {
      std::vector<double> rounded;
      for (double v : values) rounded.push_back(round(v));
      return Distribution::empirical(std::move(rounded));
    }
  }
  return {};
}

double Fitted::cdf(double x) const {
  if (x < 0) return 0;
  switch (family) {
    case Family::constant:
      return x >= p1 ? 1 : 0;
    case Family::exponential:
      return 1 - std::exp(-x / p1);
    case Family::lognormal: {
      if (x <= 0) return 0;
      const double s2 = std::log(1 + p2 * p2 / (p1 * p1));
      const double mu = std::log(p1) - s2 / 2;
      return 0.5 * std::erfc(-(std::log(x) - mu) / std::sqrt(2 * s2));
    }
    case Family::gamma: {
      const double k = p1 * p1 / (p2 * p2), theta = p2 * p2 / p1;
      return regularized_gamma_p(k, x / theta);
    }
    case Family::weibull:
      return 1 - std::exp(-std::pow(x / p2, p1));
    case Family::empirical: {
      const auto it = std::upper_bound(values.begin(), values.end(), x);
      return values.empty()
                 ? 1
                 : static_cast<double>(it - values.begin()) / static_cast<double>(values.size());
    }
  }
  return 0;
}

std::string Fitted::yaml() const {
  switch (family) {
    case Family::constant:
      return number(p1);
    case Family::exponential:
      return fmt::format("{{exponential: {{mean: {}}}}}", number(p1));
    case Family::lognormal:
    case Family::gamma:
      return fmt::format("{{{}: {{mean: {}, sd: {}}}}}", family_name(family), number(p1),
                         number(p2));
    case Family::weibull:
      return fmt::format("{{weibull: {{shape: {}, scale: {}}}}}", number(p1), number(p2));
    case Family::empirical: {
      std::string out = "{empirical: [";
      for (std::size_t i = 0; i < values.size(); ++i)
        out += (i == 0 ? "" : ", ") + number(values[i]);
      return out + "]}";
    }
  }
  return "0";
}

Fitted fit_lognormal(const std::vector<double>& x) {
  Fitted f;
  f.family = Family::lognormal;
  const double n = static_cast<double>(x.size());
  if (x.size() < 2) return f;
  const double mu = log_mean(x);
  double s2 = 0, sum_log = 0;
  for (double v : x) {
    const double l = std::log(v);
    s2 += (l - mu) * (l - mu);
    sum_log += l;
  }
  s2 /= n;  // the MLE divides by n
  if (!(s2 > 0)) return f;
  f.p1 = std::exp(mu + s2 / 2);
  f.p2 = f.p1 * std::sqrt(std::expm1(s2));
  f.log_likelihood = -sum_log - n / 2 * std::log(2 * kPi * s2) - n / 2;
  f.aic = 4 - 2 * f.log_likelihood;
  f.ok = std::isfinite(f.p1) && std::isfinite(f.p2) && f.p2 > 0;
  return f;
}

Fitted fit_gamma(const std::vector<double>& x) {
  Fitted f;
  f.family = Family::gamma;
  if (x.size() < 2) return f;
  const double n = static_cast<double>(x.size());
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double ml = log_mean(x);
  const double s = std::log(mean) - ml;
  if (!(s > 0)) return f;
  // Minka's (2002) starting value, then Newton on log k - digamma(k) = s.
  double k = (3 - s + std::sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
  for (int i = 0; i < 100; ++i) {
    const double step = (std::log(k) - digamma(k) - s) / (1 / k - trigamma(k));
    double next = k - step;
    if (!(next > 0)) next = k / 2;
    if (std::abs(next - k) < 1e-12 * k) {
      k = next;
      break;
    }
    k = next;
  }
  const double theta = mean / k;
  f.p1 = mean;
  f.p2 = std::sqrt(k) * theta;
  f.log_likelihood =
      (k - 1) * ml * n - n * mean / theta - n * (std::lgamma(k) + k * std::log(theta));
  f.aic = 4 - 2 * f.log_likelihood;
  f.ok = std::isfinite(f.log_likelihood) && k > 0;
  return f;
}

Fitted fit_weibull(const std::vector<double>& x) {
  Fitted f;
  f.family = Family::weibull;
  if (x.size() < 2) return f;
  const double n = static_cast<double>(x.size());
  // Scaled by the geometric mean, so that y^k neither overflows nor underflows.
  const double gm = std::exp(log_mean(x));
  std::vector<double> ly(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) ly[i] = std::log(x[i] / gm);
  if (std::all_of(ly.begin(), ly.end(), [](double v) { return v == 0; })) return f;
  // The shape solves sum(y^k ln y) / sum(y^k) - 1/k - mean(ln y) = 0 (mean(ln y) = 0 here); the
  // left side increases with k.
  const auto g = [&](double k) {
    double a = 0, b = 0;
    for (double l : ly) {
      const double p = std::exp(k * l);
      a += p * l;
      b += p;
    }
    return a / b - 1 / k;
  };
  const double k = bisect_log(g, 0.02, 100);
  double sum = 0, sum_ly = 0;
  for (double l : ly) {
    sum += std::exp(k * l);
    sum_ly += l;
  }
  const double lambda_y = std::pow(sum / n, 1 / k);  // scale of y
  f.p1 = k;
  f.p2 = gm * lambda_y;
  // log L = n ln k - n k ln lambda + (k - 1) sum ln x - sum (x / lambda)^k; (x/lambda)^k sums to n.
  const double sum_lx = sum_ly + n * std::log(gm);
  f.log_likelihood = n * std::log(k) - n * k * std::log(f.p2) + (k - 1) * sum_lx - n;
  f.aic = 4 - 2 * f.log_likelihood;
  f.ok = std::isfinite(f.log_likelihood) && k > 0.0201 && k < 99;
  return f;
}

Fitted fit_empirical(std::vector<double> x) {
  Fitted f;
  f.family = Family::empirical;
  std::sort(x.begin(), x.end());
  if (x.size() <= kMaxEmpiricalValues) {
    f.values = x;
  } else {  // quantiles at (i + 0.5) / m, linearly interpolated
    const double m = static_cast<double>(kMaxEmpiricalValues);
    for (std::size_t i = 0; i < kMaxEmpiricalValues; ++i) {
      const double pos = (static_cast<double>(i) + 0.5) / m * static_cast<double>(x.size() - 1);
      const auto lo = static_cast<std::size_t>(pos);
      const double frac = pos - static_cast<double>(lo);
      f.values.push_back(x[lo] + (lo + 1 < x.size() ? frac * (x[lo + 1] - x[lo]) : 0));
    }
  }
  f.ks = ks_distance(x, [&](double v) { return f.cdf(v); });
  f.ok = !x.empty();
  return f;
}

FitReport fit_duration(std::vector<double> x) {
  FitReport r;
  r.n = x.size();
  std::sort(x.begin(), x.end());
  if (x.empty()) {
    r.note = "no data";
    return r;
  }
  r.sample_mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  if (x.front() == x.back()) {
    r.chosen.family = Family::constant;
    r.chosen.p1 = x.front();
    r.chosen.ok = true;
    r.note = "every value is the same";
    return r;
  }
  if (x.front() <= 0) {
    r.chosen = fit_empirical(x);
    r.note = "values of 0 s: no lognormal, gamma or weibull fits them";
    return r;
  }
  for (Fitted f : {fit_lognormal(x), fit_gamma(x), fit_weibull(x)}) {
    if (!f.ok) continue;
    f.ks = ks_distance(x, [&](double v) { return f.cdf(v); });
    r.candidates.push_back(f);
  }
  if (x.size() < kMinParametricSamples || r.candidates.empty()) {
    r.chosen = fit_empirical(x);
    r.note = fmt::format("fewer than {} values", kMinParametricSamples);
    return r;
  }
  r.chosen = *std::min_element(r.candidates.begin(), r.candidates.end(),
                               [](const Fitted& a, const Fitted& b) { return a.aic < b.aic; });
  const double critical = 1.63 / std::sqrt(static_cast<double>(x.size()));  // KS at 1%
  if (r.chosen.ks > critical && r.chosen.ks > 0.05) {
    r.note = fmt::format("the best family ({}) is off by KS {:.3f}", family_name(r.chosen.family),
                         r.chosen.ks);
    r.chosen = fit_empirical(x);
  }
  return r;
}

double KaplanMeier::at(double t) const {
  const auto it = std::upper_bound(times.begin(), times.end(), t);
  return it == times.begin() ? 1 : survival[static_cast<std::size_t>(it - times.begin()) - 1];
}

KaplanMeier kaplan_meier(const std::vector<double>& time, const std::vector<bool>& event) {
  KaplanMeier km;
  std::vector<std::size_t> order(time.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return time[a] != time[b] ? time[a] < time[b] : (event[a] && !event[b]);
  });
  double s = 1, area = 0, last = 0;
  std::size_t at_risk = time.size();
  for (std::size_t i = 0; i < order.size();) {
    const double t = time[order[i]];
    std::size_t d = 0, c = 0;
    while (i < order.size() && time[order[i]] == t) {
      (event[order[i]] ? d : c) += 1;
      ++i;
    }
    area += s * (t - last);
    last = t;
    if (d > 0) {
      s *= 1 - static_cast<double>(d) / static_cast<double>(at_risk);
      km.times.push_back(t);
      km.survival.push_back(s);
      km.at_risk.push_back(at_risk);
    }
    at_risk -= d + c;
  }
  km.restricted_mean = area;
  km.complete = s == 0;
  return km;
}

CompetingRisks competing_risks(const std::vector<double>& time,
                               const std::vector<std::uint8_t>& cause, std::size_t causes) {
  CompetingRisks r;
  r.share.assign(causes, 0.0);
  r.count.assign(causes, 0);
  std::vector<std::size_t> order(time.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // At a tie, events before censorings (the usual convention).
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return time[a] != time[b] ? time[a] < time[b] : (cause[a] != 0 && cause[b] == 0);
  });
  double s = 1;
  std::size_t at_risk = time.size();
  std::vector<std::size_t> d(causes);
  for (std::size_t i = 0; i < order.size();) {
    const double t = time[order[i]];
    std::fill(d.begin(), d.end(), 0);
    std::size_t events = 0, censored = 0;
    while (i < order.size() && time[order[i]] == t) {
      const std::uint8_t c = cause[order[i]];
      if (c == 0 || c > causes) {
        ++censored;
      } else {
        ++d[c - 1];
        ++r.count[c - 1];
        ++events;
      }
      ++i;
    }
    if (events > 0) {
      const double n = static_cast<double>(at_risk);
      for (std::size_t k = 0; k < causes; ++k) r.share[k] += s * static_cast<double>(d[k]) / n;
      s *= 1 - static_cast<double>(events) / n;
    }
    r.censored += censored;
    at_risk -= events + censored;
  }
  r.unresolved = s;
  double total = 0;
  for (double v : r.share) total += v;
  if (total > 0)
    for (double& v : r.share) v /= total;
  return r;
}

Fitted fit_exponential_censored(const std::vector<double>& time, const std::vector<bool>& event) {
  Fitted f;
  f.family = Family::exponential;
  double exposure = 0, d = 0;
  for (std::size_t i = 0; i < time.size(); ++i) {
    exposure += time[i];
    d += event[i] ? 1 : 0;
  }
  if (d == 0 || exposure <= 0) return f;
  const double rate = d / exposure;
  f.p1 = 1 / rate;
  f.log_likelihood = d * std::log(rate) - rate * exposure;
  f.aic = 2 - 2 * f.log_likelihood;
  f.ok = true;
  return f;
}

Fitted fit_weibull_censored(const std::vector<double>& time, const std::vector<bool>& event) {
  Fitted f;
  f.family = Family::weibull;
  double d = 0, sum_log_all = 0;
  std::vector<double> lt(time.size());
  for (std::size_t i = 0; i < time.size(); ++i) {
    lt[i] = std::log(std::max(time[i], 1e-3));
    sum_log_all += lt[i];
    d += event[i] ? 1 : 0;
  }
  if (d < 2) return f;
  const double shift =
      sum_log_all / static_cast<double>(time.size());  // scale by the geometric mean
  double sum_log_obs = 0;
  for (std::size_t i = 0; i < time.size(); ++i) {
    lt[i] -= shift;
    if (event[i]) sum_log_obs += lt[i];
  }
  // The profile score in the shape k: d/k + sum_obs ln t - d sum(t^k ln t) / sum(t^k), decreasing.
  const auto score = [&](double k) {
    double a = 0, b = 0;
    for (double l : lt) {
      const double p = std::exp(k * l);
      a += p * l;
      b += p;
    }
    return d / k + sum_log_obs - d * a / b;
  };
  const double k = bisect_log(score, 0.02, 100);
  double sum = 0;
  for (double l : lt) sum += std::exp(k * l);
  const double lambda_scaled = std::pow(sum / d, 1 / k);
  f.p1 = k;
  f.p2 = std::exp(shift) * lambda_scaled;
  // log L = d ln k - d k ln lambda + (k-1) sum_obs ln t - sum (t/lambda)^k, the last sum being d.
  const double log_lambda = std::log(f.p2);
  const double sum_log_obs_abs = sum_log_obs + d * shift;
  f.log_likelihood = d * std::log(k) - d * k * log_lambda + (k - 1) * sum_log_obs_abs - d;
  f.aic = 4 - 2 * f.log_likelihood;
  f.ok = std::isfinite(f.log_likelihood) && k > 0.0201 && k < 99;
  return f;
}

CensoredReport fit_censored(const std::vector<double>& time, const std::vector<bool>& event) {
  CensoredReport r;
  r.n = time.size();
  double observed_sum = 0;
  for (std::size_t i = 0; i < time.size(); ++i)
    if (event[i]) {
      ++r.events;
      observed_sum += time[i];
    }
  if (r.events == 0) {
    r.note = "no observation: every time is censored";
    return r;
  }
  r.naive_mean = observed_sum / static_cast<double>(r.events);
  r.km = kaplan_meier(time, event);
  for (Fitted f : {fit_exponential_censored(time, event), fit_weibull_censored(time, event)}) {
    if (!f.ok) continue;
    double d = 0;
    const std::size_t min_risk = std::max<std::size_t>(10, r.n / 100);
    for (std::size_t j = 0; j < r.km.times.size() && r.km.at_risk[j] >= min_risk; ++j) {
      const double before = j == 0 ? 1 : r.km.survival[j - 1];
      const double s = 1 - f.cdf(r.km.times[j]);
      d = std::max({d, std::abs(s - r.km.survival[j]), std::abs(s - before)});
    }
    f.ks = d;
    r.candidates.push_back(f);
  }
  if (r.candidates.empty()) {
    r.note = "no family converged";
    return r;
  }
  r.chosen = *std::min_element(r.candidates.begin(), r.candidates.end(),
                               [](const Fitted& a, const Fitted& b) { return a.aic < b.aic; });
  return r;
}

}  // namespace trsim::fit
