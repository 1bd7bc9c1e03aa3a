// WaitBuckets (sim/stats/wait_buckets.hpp): one bucket per wait must give, for every threshold,
// exactly the count of waits at or under it that a comparison per threshold gives, whatever the
// order of the thresholds and with repeats (two thresholds may round to the same microsecond).
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "stats/wait_buckets.hpp"

using trsim::SimTime;
using trsim::detail::WaitBuckets;

namespace {

void check_against_direct_count(const std::vector<SimTime>& thresholds,
                                const std::vector<std::int64_t>& waits) {
  const WaitBuckets buckets(thresholds);
  REQUIRE(buckets.count() == thresholds.size() + 1);
  std::vector<std::int64_t> counts(buckets.count(), 0);
  for (std::int64_t w : waits) {
    const std::size_t b = buckets.bucket(w);
    REQUIRE(b < buckets.count());
    ++counts[b];
  }
  for (std::size_t k = 0; k < thresholds.size(); ++k) {
    std::int64_t direct = 0;
    for (std::int64_t w : waits) direct += w <= thresholds[k] ? 1 : 0;
    INFO("threshold " << k << " = " << thresholds[k]);
    CHECK(buckets.at_or_under(counts.data(), k) == direct);
  }
}

}  // namespace

TEST_CASE("wait buckets count the waits at or under each threshold, in any order and with repeats",
          "[statistics]") {
  const std::vector<std::int64_t> waits = {0,  0,  1,  4,  5,  6,  9,  10,  10,
                                           11, 19, 20, 21, 29, 30, 31, 1000};
  check_against_direct_count({0, 20, 60}, waits);
  check_against_direct_count({20, 0, 10, 5, 10, 30}, waits);  // unsorted, 10 twice
  check_against_direct_count({10, 10, 10}, waits);
  check_against_direct_count({}, waits);
}

TEST_CASE("a wait exactly at a threshold is at or under it, and one microsecond more is above",
          "[statistics]") {
  const WaitBuckets buckets({20});
  std::vector<std::int64_t> counts(2, 0);
  ++counts[buckets.bucket(20)];
  CHECK(buckets.at_or_under(counts.data(), 0) == 1);
  ++counts[buckets.bucket(21)];
  CHECK(buckets.at_or_under(counts.data(), 0) == 1);
}
