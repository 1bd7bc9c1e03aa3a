#pragma once
// What the statistics collector and the interval collector compute alike, so that a statistic and
// its interval column cannot drift apart: a ratio that is null when nothing was counted, and the
// service-level threshold keys ("20", "0.5") with repeats left out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "trsim/value.hpp"

namespace trsim::detail {

/// num / den, or null (kNull) when den is 0: a rate of nothing is unknown, not 0.
inline double ratio(std::int64_t num, std::int64_t den) {
  return den == 0 ? kNull : static_cast<double>(num) / static_cast<double>(den);
}

/// A threshold key is written the way JSON writes the number: "20", "0.5".
inline std::string number_key(double v) {
  std::string key;
  append_json_number(key, v);
  return key;
}

/// The service-level thresholds' keys, each once: a threshold given twice would repeat a key, so
/// the first occurrence wins. `source[i]` is the index in `thresholds` that `keys[i]` came from.
struct ThresholdKeys {
  std::vector<std::string> keys;
  std::vector<std::size_t> source;
};
inline ThresholdKeys threshold_keys(const std::vector<double>& thresholds) {
  ThresholdKeys out;
  for (std::size_t k = 0; k < thresholds.size(); ++k) {
    std::string key = number_key(thresholds[k]);
    bool seen = false;
    for (const std::string& other : out.keys) seen = seen || other == key;
    if (seen) continue;
    out.keys.push_back(std::move(key));
    out.source.push_back(k);
  }
  return out;
}

}  // namespace trsim::detail
