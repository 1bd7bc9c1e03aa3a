#pragma once
// Reading a duration distribution (§2): a plain duration is a constant; otherwise a one-key map
// naming the family and its parameters, or an empirical list or file.
#include <optional>

#include "load/context.hpp"
#include "trsim/distribution.hpp"

namespace trsim::detail {

/// The distribution `item` describes; parameters are checked (positive means, min <= max, ...)
/// and reported where they were written.
std::optional<Distribution> read_distribution(LoadContext& ctx, const Reader& reader,
                                              const Item& item);

}  // namespace trsim::detail
