// Duration distributions (§2), implemented here rather than with <random>: the standard library's
// distributions are allowed to differ between implementations, which would break the promise of
// identical results on every machine.
//
// The number and order of draws per sample are part of the determinism contract (common random
// numbers across sweep points depend on them):
//   constant: 0 draws            exponential: 1 (uniform_open0)     uniform: 1 (uniform01)
//   normal: 2 per attempt (Box–Muller), attempts repeated while the value is negative
//   lognormal: 2 (one standard normal)                               weibull: 1 (uniform_open0)
//   gamma: Marsaglia–Tsang, 3 per attempt (a normal, then uniform_open0); shape < 1 adds one
//          uniform_open0 after the accepted attempt             empirical: 1 (below(n))
//   Degenerate cases (sd == 0) draw nothing.
#include "trsim/distribution.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

namespace trsim {

namespace {

// An exponential sample of mean `mean` seconds, by inversion; u in (0, 1] keeps log finite.
double exponential_seconds(double mean, Rng& rng) { return -mean * std::log(rng.uniform_open0()); }

// Resampling caps: the loader rejects parameters that would come near them, so they only guard
// against hangs with unchecked parameters (including NaN).
constexpr int kMaxAttempts = 1000;

// Box–Muller, keeping only the cosine branch: always exactly two draws per value, so the number of
// draws does not depend on cached state.
double standard_normal(Rng& rng) {
  const double u1 = rng.uniform_open0();  // (0, 1]: log() is finite
  const double u2 = rng.uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// Marsaglia & Tsang (2000), "A simple method for generating gamma variables", for shape >= 1 and
// unit scale; shape < 1 uses the boost gamma(shape + 1) * U^(1/shape).
double standard_gamma(Rng& rng, double shape) {
  if (shape < 1.0) {
    const double g = standard_gamma(rng, shape + 1.0);
    return g * std::pow(rng.uniform_open0(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const double x = standard_normal(rng);
    const double u = rng.uniform_open0();
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
  return shape;  // unreachable with a finite shape (acceptance is above 95% per attempt)
}

bool finite(double x) { return std::isfinite(x); }

}  // namespace

Distribution Distribution::constant(double seconds) {
  Distribution d;
  d.kind_ = Kind::constant;
  d.a_ = seconds;
  d.constant_sample_ = to_sample(seconds);
  return d;
}

Distribution Distribution::exponential(double mean) {
  Distribution d;
  d.kind_ = Kind::exponential;
  d.a_ = mean;
  return d;
}

Distribution Distribution::uniform(double min, double max) {
  Distribution d;
  d.kind_ = Kind::uniform;
  d.a_ = min;
  d.b_ = max;
  return d;
}

Distribution Distribution::normal(double mean, double sd) {
  Distribution d;
  d.kind_ = Kind::normal;
  d.a_ = mean;
  d.b_ = sd;
  return d;
}

Distribution Distribution::lognormal(double mean, double sd) {
  Distribution d;
  d.kind_ = Kind::lognormal;
  d.a_ = mean;
  d.b_ = sd;
  // c_ = mu, d_ = sigma of the underlying normal; d_ == 0 marks the degenerate case (sd == 0, or
  // parameters the loader rejects), sampled as the constant mean.
  if (mean > 0 && sd > 0 && finite(mean) && finite(sd)) {
    const double cv = sd / mean;
    const double sigma2 = std::log1p(cv * cv);  // log1p: exact for small cv, where 1 + cv² rounds
    d.c_ = std::log(mean) - 0.5 * sigma2;
    d.d_ = std::sqrt(sigma2);
  }
  return d;
}

Distribution Distribution::gamma(double mean, double sd) {
  Distribution d;
  d.kind_ = Kind::gamma;
  d.a_ = mean;
  d.b_ = sd;
  // c_ = shape k = mean²/sd², d_ = scale θ = sd²/mean; d_ == 0 marks the degenerate case.
  if (mean > 0 && sd > 0 && finite(mean) && finite(sd)) {
    const double ratio = mean / sd;
    d.c_ = ratio * ratio;
    d.d_ = sd / ratio;
  }
  return d;
}

Distribution Distribution::weibull(double shape, double scale) {
  Distribution d;
  d.kind_ = Kind::weibull;
  d.a_ = shape;
  d.b_ = scale;
  return d;
}

Distribution Distribution::empirical(std::vector<double> values) {
  Distribution d;
  d.kind_ = Kind::empirical;
  double sum = 0;
  for (const double v : values) sum += v;
  d.a_ = values.empty() ? 0.0 : sum / static_cast<double>(values.size());  // the mean, for mean()
  d.values_ = std::make_shared<const std::vector<double>>(std::move(values));
  return d;
}

double Distribution::sample_seconds(Rng& rng) const {
  switch (kind_) {
    case Kind::constant:
      return a_;
    case Kind::exponential:
      return exponential_seconds(a_, rng);
    case Kind::uniform:
      return a_ + (b_ - a_) * rng.uniform01();
    case Kind::normal: {
      if (!(b_ > 0)) return a_;
      for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
        const double x = a_ + b_ * standard_normal(rng);
        if (x >= 0) return x;
      }
      return 0;  // only with a mean far below 0, which the loader rejects
    }
    case Kind::lognormal:
      if (!(d_ > 0)) return a_;
      return std::exp(c_ + d_ * standard_normal(rng));
    case Kind::gamma:
      if (!(d_ > 0)) return a_;
      return d_ * standard_gamma(rng, c_);
    case Kind::weibull:
      if (!(a_ > 0)) return 0;
      return b_ * std::pow(-std::log(rng.uniform_open0()), 1.0 / a_);  // inversion
    case Kind::empirical:
      if (!values_ || values_->empty()) return 0;
      return (*values_)[rng.below(values_->size())];
  }
  return 0;
}

SimTime Distribution::sample_random(Rng& rng) const {
  // The exponential (the usual handle time) without the frame sample_seconds() sets up for the
  // distributions that loop.
  if (kind_ == Kind::exponential) return to_sample(exponential_seconds(a_, rng));
  return to_sample(sample_seconds(rng));
}

SimTime Distribution::to_sample(double seconds) {
  if (!(seconds > 0)) return 0;  // also NaN
  // Compare in seconds before converting: a huge double would overflow the integer conversion.
  if (seconds >= to_seconds(kMaxDuration)) return kMaxDuration;
  return from_seconds(seconds);
}

double Distribution::mean() const {
  switch (kind_) {
    case Kind::constant:
    case Kind::exponential:
    case Kind::normal:
    case Kind::lognormal:
    case Kind::gamma:
    case Kind::empirical:
      return a_;
    case Kind::uniform:
      return 0.5 * (a_ + b_);
    case Kind::weibull:
      return b_ * std::tgamma(1.0 + 1.0 / a_);
  }
  return a_;
}

std::string Distribution::describe() const {
  switch (kind_) {
    case Kind::constant:
      return fmt::format("constant({}s)", a_);
    case Kind::exponential:
      return fmt::format("exponential(mean={}s)", a_);
    case Kind::uniform:
      return fmt::format("uniform(min={}s, max={}s)", a_, b_);
    case Kind::normal:
      return fmt::format("normal(mean={}s, sd={}s)", a_, b_);
    case Kind::lognormal:
      return fmt::format("lognormal(mean={}s, sd={}s)", a_, b_);
    case Kind::gamma:
      return fmt::format("gamma(mean={}s, sd={}s)", a_, b_);
    case Kind::weibull:
      return fmt::format("weibull(shape={}, scale={}s)", a_, b_);
    case Kind::empirical:
      return fmt::format("empirical({} values, mean={}s)", values_ ? values_->size() : 0, a_);
  }
  return "unknown";
}

std::string Distribution::validation_error() const {
  const auto bad_mean_sd = [this](const char* name) -> std::string {
    if (!finite(a_) || !(a_ > 0)) return fmt::format("{}: mean must be > 0 (got {})", name, a_);
    if (!finite(b_) || !(b_ >= 0)) return fmt::format("{}: sd must be >= 0 (got {})", name, b_);
    return {};
  };
  switch (kind_) {
    case Kind::constant:
      if (!finite(a_) || !(a_ >= 0))
        return fmt::format("constant: value must be >= 0 (got {})", a_);
      return {};
    case Kind::exponential:
      if (!finite(a_) || !(a_ > 0))
        return fmt::format("exponential: mean must be > 0 (got {})", a_);
      return {};
    case Kind::uniform:
      if (!finite(a_) || !(a_ >= 0)) return fmt::format("uniform: min must be >= 0 (got {})", a_);
      if (!finite(b_) || !(b_ >= a_))
        return fmt::format("uniform: max must be >= min (got min {}, max {})", a_, b_);
      return {};
    case Kind::normal:
      if (!finite(a_)) return fmt::format("normal: mean must be a finite number (got {})", a_);
      if (!finite(b_) || !(b_ >= 0)) return fmt::format("normal: sd must be >= 0 (got {})", b_);
      // Truncation at 0 resamples negative values: below mean = -2 sd more than 97.7% of draws
      // would be thrown away and the distribution is almost surely not what the user meant.
      if (a_ < -2.0 * b_)
        return fmt::format(
            "normal: mean {} is too far below 0 for sd {} (it is truncated at 0; mean must be >= "
            "-2 sd)",
            a_, b_);
      return {};
    case Kind::lognormal:
      return bad_mean_sd("lognormal");
    case Kind::gamma:
      return bad_mean_sd("gamma");
    case Kind::weibull:
      if (!finite(a_) || !(a_ > 0)) return fmt::format("weibull: shape must be > 0 (got {})", a_);
      if (!finite(b_) || !(b_ >= 0)) return fmt::format("weibull: scale must be >= 0 (got {})", b_);
      return {};
    case Kind::empirical:
      if (!values_ || values_->empty()) return "empirical: needs at least one value";
      for (std::size_t i = 0; i < values_->size(); ++i) {
        const double v = (*values_)[i];
        if (!finite(v) || !(v >= 0))
          return fmt::format("empirical: value #{} must be >= 0 (got {})", i + 1, v);
      }
      return {};
  }
  return {};
}

}  // namespace trsim
