#pragma once
// MSER-5 (White's Marginal Standard Error Rule on batch means of 5): where to truncate the
// initial transient of an output series. docs/statistics.md, "Automatic warm-up".
#include <cstddef>
#include <span>

namespace trsim {

struct MserResult {
  std::size_t batches = 0;    ///< m: complete batches of `batch_size` observations
  std::size_t truncated = 0;  ///< d: batches to drop from the start (d < m / 2; 0 when m < 2)
  double statistic = 0;       ///< MSER(d) at the chosen d
};

/// Forms the batch means Z_1..Z_m of `batch_size` consecutive observations (a partial last batch
/// is left out) and returns the d in [0, ceil(m/2) − 1] that minimises
///   MSER(d) = Σ_{j=d+1..m} (Z_j − Z̄(d))² / (m − d)²,   Z̄(d) = mean of Z_{d+1..m},
/// the smallest such d on ties. Restricting d to the first half of the series follows White
/// (1997): a minimum in the second half means the series is too short to have reached steady state.
MserResult mser(std::span<const double> series, std::size_t batch_size = 5);

}  // namespace trsim
