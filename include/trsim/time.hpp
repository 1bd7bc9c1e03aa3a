#pragma once
// Simulated time: an integer count of microseconds since time 0 of the run. Integer time makes
// event ordering exact and the same on every machine.
#include <cstdint>
#include <string>

namespace trsim {

using SimTime = std::int64_t;

inline constexpr SimTime kMicrosPerSecond = 1'000'000;
inline constexpr SimTime kNever = INT64_MAX;
/// The longest duration a scenario may state or a distribution may sample: 100 years (36525 days).
/// Far below kNever, so `now + duration` cannot overflow in any run.
inline constexpr SimTime kMaxDuration = SimTime{36525} * 86400 * kMicrosPerSecond;

/// Seconds (possibly fractional) to microseconds, rounded to nearest.
constexpr SimTime from_seconds(double seconds) {
  return static_cast<SimTime>(seconds * 1e6 + (seconds >= 0 ? 0.5 : -0.5));
}
constexpr double to_seconds(SimTime t) { return static_cast<double>(t) / 1e6; }

/// `t` in seconds with exactly six decimals, as the event log prints it ("12.000500").
std::string format_seconds(SimTime t);

}  // namespace trsim
