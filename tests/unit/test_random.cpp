// Random streams: the seeding derivation is a forever-stable contract (see sim/model/random.cpp).
// The golden values below were computed by an independent Python transcription of that derivation;
// if one of them fails, every published result changes — change the derivation only on purpose.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "trsim/random.hpp"

using trsim::Rng;

TEST_CASE("mix64 is the splitmix64 output for state x", "[random]") {
  // The first output of the reference splitmix64 seeded with 0.
  CHECK(trsim::mix64(0) == 0xe220a8397b1dcdafULL);
}

TEST_CASE("stable_hash is FNV-1a, xor seed, then mix64", "[random]") {
  // FNV-1a 64 of the empty string is its offset basis; of "a" a published test vector.
  constexpr std::uint64_t kGamma = 0x9e3779b97f4a7c15ULL;
  CHECK(trsim::stable_hash("") == trsim::mix64(0xcbf29ce484222325ULL));
  CHECK(trsim::stable_hash("a") == trsim::mix64(0xaf63dc4c8601ec8cULL));
  CHECK(trsim::stable_hash("a", kGamma) == trsim::mix64(0xaf63dc4c8601ec8cULL ^ kGamma));
  CHECK(trsim::stable_hash("") == 0xc3817c016ba4ff30ULL);
  CHECK(trsim::stable_hash("arrivals.calls", 7) == 0x912886e9bfa07c6cULL);
  // Bytes above 0x7f hash as unsigned values whatever the signedness of char.
  CHECK(trsim::stable_hash("\xe9") != trsim::stable_hash("\x69"));
}

TEST_CASE("golden values pin the seeding derivation", "[random]") {
  CHECK(trsim::replication_seed(7, 0) == 0x26add345b9f4c911ULL);
  CHECK(trsim::replication_seed(7, 1) == 0xd49a4a9a2f9320b0ULL);

  Rng plain(0);
  CHECK(plain.next_u64() == 0x99ec5f36cb75f2b4ULL);
  CHECK(plain.next_u64() == 0xbf6e1f784956452aULL);
  CHECK(plain.next_u64() == 0x1a5f849d4933e6e0ULL);

  Rng calls = Rng::stream(7, 0, "arrivals.calls");
  CHECK(calls.next_u64() == 0x62d55a94cec5344cULL);
  CHECK(calls.next_u64() == 0x277d8c9caeb10710ULL);
  CHECK(calls.next_u64() == 0x2a6d873ed472484bULL);

  Rng worker = Rng::stream(42, 3, "workers.es-1");
  CHECK(worker.next_u64() == 0x0ab9c1bd029507d7ULL);
  CHECK(worker.next_u64() == 0xc30bd4a930a9e8f9ULL);
  CHECK(worker.next_u64() == 0x2be5297c4e15aab4ULL);
}

TEST_CASE("a stream is keyed by its replication seed", "[random]") {
  // runs[r].seed in the summary is enough to rebuild every stream of replication r.
  Rng a = Rng::stream(7, 5, "workers.es-3");
  Rng b(trsim::stable_hash("workers.es-3", trsim::replication_seed(7, 5)));
  for (int i = 0; i < 10; ++i) CHECK(a.next_u64() == b.next_u64());
}

TEST_CASE("the same seed gives the same sequence", "[random]") {
  Rng a = Rng::stream(123, 2, "x");
  Rng b = Rng::stream(123, 2, "x");
  for (int i = 0; i < 1000; ++i) REQUIRE(a.next_u64() == b.next_u64());
}

TEST_CASE("streams differ by name, replication and seed", "[random]") {
  const auto first = [](Rng r) { return r.next_u64(); };
  std::set<std::uint64_t> seen;
  int made = 0;
  for (std::uint64_t seed : {0ULL, 1ULL, 7ULL}) {
    for (std::uint32_t rep : {0U, 1U, 2U}) {
      for (const char* name : {"", "a", "b", "arrivals.calls", "arrivals.call", "workers.es-1"}) {
        seen.insert(first(Rng::stream(seed, rep, name)));
        ++made;
      }
    }
  }
  CHECK(seen.size() == static_cast<std::size_t>(made));
  // Replications of one seed get distinct seeds.
  std::set<std::uint64_t> seeds;
  for (std::uint32_t rep = 0; rep < 1000; ++rep) seeds.insert(trsim::replication_seed(7, rep));
  CHECK(seeds.size() == 1000);
}

TEST_CASE("uniform01 lies in 0 <= u < 1 and uniform_open0 in 0 < u <= 1", "[random]") {
  Rng rng(99);
  double sum = 0;
  constexpr int kN = 100000;
  for (int i = 0; i < kN; ++i) {
    const double u = rng.uniform01();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    const double v = rng.uniform_open0();
    REQUIRE(v > 0.0);
    REQUIRE(v <= 1.0);
    sum += u;
  }
  // Mean of U(0,1) is 1/2 with variance 1/12: four standard errors is sqrt(1/12/N) * 4.
  CHECK(std::abs(sum / kN - 0.5) < 4 * std::sqrt(1.0 / 12.0 / kN));
}

TEST_CASE("uniform01 uses the top 53 bits", "[random]") {
  Rng a(5);
  Rng b(5);
  const std::uint64_t bits = a.next_u64();
  CHECK(b.uniform01() == static_cast<double>(bits >> 11) / 9007199254740992.0);
  CHECK(b.uniform_open0() == static_cast<double>((a.next_u64() >> 11) + 1) / 9007199254740992.0);
}

TEST_CASE("below(n) stays in 0..n-1 and hits every value evenly", "[random]") {
  Rng rng(2024);
  CHECK(rng.below(1) == 0);
  constexpr std::uint64_t kBins = 7;
  constexpr int kN = 70000;
  std::array<int, kBins> counts{};
  for (int i = 0; i < kN; ++i) {
    const std::uint64_t x = rng.below(kBins);
    REQUIRE(x < kBins);
    ++counts[x];
  }
  // Each count is Binomial(N, 1/7): expected 10000, sd sqrt(N p (1-p)) ≈ 92.6; allow 4 sd.
  const double sd = std::sqrt(kN * (1.0 / 7) * (6.0 / 7));
  for (const int c : counts) CHECK(std::abs(c - kN / 7.0) < 4 * sd);
  // Huge bounds: the rejection threshold is large, the result still below n.
  const std::uint64_t big = (1ULL << 63) + 12345;
  for (int i = 0; i < 1000; ++i) REQUIRE(rng.below(big) < big);
  for (int i = 0; i < 1000; ++i) REQUIRE(rng.below(UINT64_MAX) < UINT64_MAX);
}
