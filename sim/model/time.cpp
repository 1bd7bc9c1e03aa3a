// Formatting of simulated time. Integer arithmetic only: the event log must print the same bytes on
// every machine, and going through double could print 12.000499 for 12000500 µs.
#include "trsim/time.hpp"

#include <fmt/format.h>

namespace trsim {

std::string format_seconds(SimTime t) {
  // Work on the magnitude as unsigned so that INT64_MIN, whose negation overflows, prints
  // correctly.
  const bool negative = t < 0;
  const std::uint64_t magnitude =
      negative ? std::uint64_t{0} - static_cast<std::uint64_t>(t) : static_cast<std::uint64_t>(t);
  constexpr auto kMicros = static_cast<std::uint64_t>(kMicrosPerSecond);
  return fmt::format("{}{}.{:06}", negative ? "-" : "", magnitude / kMicros, magnitude % kMicros);
}

}  // namespace trsim
