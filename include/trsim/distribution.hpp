#pragma once
// Duration distributions of the scenario (§2): constant, exponential, uniform, normal (truncated
// at 0), lognormal, gamma, weibull, empirical. Parameters are in seconds; samples are SimTime
// (microseconds, rounded, never negative).
#include <memory>
#include <string>
#include <vector>

#include "trsim/random.hpp"
#include "trsim/time.hpp"

namespace trsim {

class Distribution {
 public:
  enum class Kind { constant, exponential, uniform, normal, lognormal, gamma, weibull, empirical };

  Distribution() = default;  // constant 0
  static Distribution constant(double seconds);
  static Distribution exponential(double mean);
  static Distribution uniform(double min, double max);
  static Distribution normal(double mean, double sd);
  static Distribution lognormal(double mean, double sd);  ///< mean and sd of the variable itself
  static Distribution gamma(double mean, double sd);
  static Distribution weibull(double shape, double scale);
  static Distribution empirical(std::vector<double> values);  ///< resampled uniformly

  Kind kind() const { return kind_; }
  /// A sample rounded to the nearest microsecond, clamped to [0, kMaxDuration]. Inline for the
  /// constant case (instant accepts, zero wrap-up): the engine samples it several times a task.
  SimTime sample(Rng& rng) const {
    return kind_ == Kind::constant ? constant_sample_ : sample_random(rng);
  }
  /// Sample in seconds, before rounding to microseconds.
  double sample_seconds(Rng& rng) const;
  /// The mean in seconds (for normal, the mean before truncation).
  double mean() const;
  /// Human-readable form, e.g. "exponential(mean=180s)".
  std::string describe() const;
  /// Empty when the parameters are valid; otherwise why not, naming the parameter (for the loader's
  /// diagnostics), e.g. "lognormal: mean must be > 0". The factories accept any input, and sampling
  /// stays safe (finite, never negative, never hangs) even with parameters this rejects.
  std::string validation_error() const;

 private:
  SimTime sample_random(Rng& rng) const;
  static SimTime to_sample(double seconds);

  Kind kind_ = Kind::constant;
  SimTime constant_sample_ = 0;  ///< constant: to_sample(a_), computed once
  double a_ = 0, b_ = 0;         // kind-specific parameters, precomputed for sampling
  double c_ = 0, d_ = 0;
  std::shared_ptr<const std::vector<double>> values_;
};

}  // namespace trsim
