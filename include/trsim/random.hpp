#pragma once
// Random streams. Every stream (each arrival stream, each worker's behaviour, ...) is its own
// generator seeded from (seed, replication, stream name): adding a worker does not change the
// arrivals, and sweep points compare under common random numbers. Our own generator and
// distribution code keep results identical across compilers and standard libraries.
#include <bit>
#include <cstdint>
#include <string_view>

namespace trsim {

/// 64-bit hash of bytes (FNV-1a followed by a splitmix64 finaliser); stable forever.
std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed = 0);
/// splitmix64 step: a good 64-bit mixer.
std::uint64_t mix64(std::uint64_t x);

/// xoshiro256** generator.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);
  /// The stream `name` of replication `replication` of a run with `seed`.
  static Rng stream(std::uint64_t seed, std::uint32_t replication, std::string_view name);

  // The draws are defined here so that the callers on the hot path (every arrival gap and every
  // sampled duration) inline them; sim/model/random.cpp documents the formulas.
  std::uint64_t next_u64() {
    const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * kTwoPowMinus53; }
  /// Uniform double in (0, 1]: safe for log().
  double uniform_open0() { return static_cast<double>((next_u64() >> 11) + 1) * kTwoPowMinus53; }
  /// Uniform integer in [0, n) without modulo bias. Precondition: n > 0.
  std::uint64_t below(std::uint64_t n);

 private:
  // 2^-53: turns the top 53 bits of a draw into a double exactly (every such double is
  // representable).
  static constexpr double kTwoPowMinus53 = 1.0 / 9007199254740992.0;

  std::uint64_t s_[4];
};

/// The seed of replication `replication`: what `runs[i].seed` in the summary shows.
std::uint64_t replication_seed(std::uint64_t seed, std::uint32_t replication);

}  // namespace trsim
