#pragma once

#include <cstdint>

namespace winback {

// The one pseudo-random generator of winback: xoshiro256** 1.0 (Blackman & Vigna 2018) seeded
// by splitmix64 (Steele, Lea & Flood 2014), both exactly as in Vigna's public-domain reference C
// files (prng.di.unimi.it), so a seed gives the same numbers with every compiler and standard
// library (std:: distributions are implementation-defined; nothing here uses them). Samplers
// for particular distributions sit with their users (sim/internal/random.h, models/btyd_sim.h),
// because each user's output for a seed is pinned by its tests.

// One step of splitmix64: advances `state` by the golden-ratio increment and returns a well
// mixed 64-bit value.
inline std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A stateless 64-bit mixer (hash): the splitmix64 output for state `x`.
inline std::uint64_t Mix64(std::uint64_t x) { return SplitMix64(x); }

// xoshiro256**: 32 bytes of state, period 2^256 - 1. Its four state words are successive
// splitmix64 outputs from state `key`, the seeding the reference recommends. Not thread-safe;
// cheap to copy.
class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t key) {
    std::uint64_t state = key;
    for (std::uint64_t& word : s_) word = SplitMix64(state);
  }

  // The next 64 random bits.
  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1), 53 random bits shifted by half a step: never 0 or 1, so log() of it is
  // finite.
  double UniformOpen() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t s_[4];
};

}  // namespace winback
