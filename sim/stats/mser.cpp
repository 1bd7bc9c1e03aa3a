// MSER-5 truncation (include/trsim/mser.hpp).
#include "trsim/mser.hpp"

#include <vector>

namespace trsim {

MserResult mser(std::span<const double> series, std::size_t batch_size) {
  MserResult result;
  if (batch_size == 0) return result;
  const std::size_t m = series.size() / batch_size;
  result.batches = m;
  if (m < 2) return result;
  std::vector<double> z(m);
  for (std::size_t j = 0; j < m; ++j) {
    double sum = 0;
    for (std::size_t k = 0; k < batch_size; ++k) sum += series[j * batch_size + k];
    z[j] = sum / static_cast<double>(batch_size);
  }
  // Welford's update, adding batches from the end, gives every MSER(d) in O(1) each and without
  // the cancellation of Σ Z² − (Σ Z)² / n; a two-pass sum per d would be O(m²).
  double mean = 0;
  double squares = 0;  // Σ (Z_j − mean)² over the suffix
  std::vector<double> stat(m, 0.0);
  for (std::size_t j = m; j-- > 0;) {
    const double n = static_cast<double>(m - j);
    const double delta = z[j] - mean;
    mean += delta / n;
    squares += delta * (z[j] - mean);
    stat[j] = squares / (n * n);
  }
  const std::size_t last = (m + 1) / 2;  // d ranges over [0, last)
  result.truncated = 0;
  result.statistic = stat[0];
  for (std::size_t d = 1; d < last; ++d) {
    if (stat[d] < result.statistic) {
      result.statistic = stat[d];
      result.truncated = d;
    }
  }
  return result;
}

}  // namespace trsim
