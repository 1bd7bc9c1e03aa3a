// Random streams: hashing, seeding and the xoshiro256** generator.
//
// Everything in this file is a forever-stable contract: scenario results (summary JSON, event log)
// are a pure function of (scenario, seed, version), and users keep seeds in CI expectations. Any
// change to a constant or to the order of operations below changes every result; the golden values
// in tests/unit/test_random.cpp exist to make such a change fail loudly.
//
// Exact derivation (all arithmetic modulo 2^64):
//   kGamma                     = 0x9e3779b97f4a7c15 (the splitmix64 increment)
//   finalise(z)                = z ^= z >> 30; z *= 0xbf58476d1ce4e5b9;
//                                z ^= z >> 27; z *= 0x94d049bb133111eb; z ^= z >> 31
//   mix64(x)                   = finalise(x + kGamma)   (the splitmix64 output for state x)
//   fnv1a(bytes)               = h = 0xcbf29ce484222325; for each byte b: h ^= b; h *=
//   0x100000001b3 stable_hash(bytes, seed)   = mix64(fnv1a(bytes) ^ seed) replication_seed(seed, r)
//   = mix64(seed) ^ mix64(r + kReplicationSalt),
//                                kReplicationSalt = 0x7472_7369_6d5f_7270 ("trsim_rp")
//   Rng(seed)                  = s[i] = mix64(seed + i * kGamma) for i = 0..3
//                                (the first four outputs of splitmix64 seeded with `seed`);
//                                an all-zero state, which xoshiro cannot leave, is replaced by
//                                s[0] = kGamma (never reached in practice: it needs four zero
//                                outputs of a bijection at consecutive inputs)
//   Rng::stream(seed, r, name) = Rng(stable_hash(name, replication_seed(seed, r)))
//   next_u64                   = xoshiro256** (Blackman & Vigna, 2018)
//   uniform01                  = (next_u64() >> 11) * 2^-53                in [0, 1)
//   uniform_open0              = ((next_u64() >> 11) + 1) * 2^-53          in (0, 1]
//   below(n)                   = draw x = next_u64() until x >= (2^64 - n) mod n; return x mod n
//                                (rejection of the short first block: no modulo bias, and almost
//                                always exactly one draw)
//
// So the streams of replication r are all keyed by `replication_seed(seed, r)`, which is what
// `runs[r].seed` in the summary shows.
#include "trsim/random.hpp"

namespace trsim {

namespace {

constexpr std::uint64_t kGamma = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kReplicationSalt = 0x747273696d5f7270ULL;  // "trsim_rp"
constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

constexpr std::uint64_t finalise(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t mix64(std::uint64_t x) { return finalise(x + kGamma); }

std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t h = kFnvOffset;
  for (const char c : bytes) {
    // Hash the byte value, not the (possibly signed) char, so the result is the same everywhere.
    h ^= static_cast<std::uint8_t>(c);
    h *= kFnvPrime;
  }
  return mix64(h ^ seed);
}

std::uint64_t replication_seed(std::uint64_t seed, std::uint32_t replication) {
  return mix64(seed) ^ mix64(std::uint64_t{replication} + kReplicationSalt);
}

Rng::Rng(std::uint64_t seed) {
  for (std::uint64_t i = 0; i < 4; ++i) s_[i] = mix64(seed + i * kGamma);
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = kGamma;
}

Rng Rng::stream(std::uint64_t seed, std::uint32_t replication, std::string_view name) {
  return Rng(stable_hash(name, replication_seed(seed, replication)));
}

std::uint64_t Rng::below(std::uint64_t n) {
  if (n == 0) return 0;  // precondition violated; answer something harmless rather than divide by 0
  // (2^64 - n) mod n, computed in 64 bits: the size of the incomplete block at the bottom of the
  // range, whose draws would favour small results.
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    const std::uint64_t x = next_u64();
    if (x >= threshold) return x % n;
  }
}

}  // namespace trsim
