#include "core/random.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace winback {
namespace {

// Pins the generator against the reference algorithms, not against itself: a change here
// changes every simulated byte. The constants come from Vigna's public-domain reference C files
// (prng.di.unimi.it: splitmix64.c and xoshiro256starstar.c) compiled outside the tree.
TEST(RandomTest, SplitMix64MatchesReference) {
  std::uint64_t state = 0;
  EXPECT_EQ(SplitMix64(state), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(SplitMix64(state), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(SplitMix64(state), 0x06C45D188009454FULL);
  EXPECT_EQ(SplitMix64(state), 0xF88BB8A8724C81ECULL);
  EXPECT_EQ(state, 4 * 0x9E3779B97F4A7C15ULL);
}

TEST(RandomTest, Mix64IsOneStatelessStep) {
  EXPECT_EQ(Mix64(0), 0xE220A8397B1DCDAFULL);
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  EXPECT_EQ(Mix64(0x9E3779B97F4A7C15ULL), SplitMix64(state));
}

TEST(RandomTest, Xoshiro256MatchesReference) {
  // Xoshiro256(0) starts from the four splitmix64 outputs above.
  Xoshiro256 rng(0);
  EXPECT_EQ(rng.Next(), 0x99EC5F36CB75F2B4ULL);
  EXPECT_EQ(rng.Next(), 0xBF6E1F784956452AULL);
  EXPECT_EQ(rng.Next(), 0x1A5F849D4933E6E0ULL);
  EXPECT_EQ(rng.Next(), 0x6AA594F1262D2D2CULL);
}

TEST(RandomTest, UniformsUseTheTop53Bits) {
  Xoshiro256 a(0);
  Xoshiro256 b(0);
  Xoshiro256 c(0);
  const std::uint64_t bits = a.Next() >> 11;
  EXPECT_EQ(b.Uniform(), static_cast<double>(bits) * 0x1.0p-53);
  EXPECT_EQ(c.UniformOpen(), (static_cast<double>(bits) + 0.5) * 0x1.0p-53);
  Xoshiro256 rng(3);
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    const double v = rng.UniformOpen();
    ASSERT_GT(v, 0.0);
    ASSERT_LT(v, 1.0);
  }
}

}  // namespace
}  // namespace winback
