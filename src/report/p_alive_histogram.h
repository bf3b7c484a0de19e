#pragma once

#include <array>
#include <cstdint>

namespace winback::report {

// P(alive) of the customers, counted in ten bins of width 0.1: [0, 0.1), [0.1, 0.2), ...,
// [0.9, 1.0]. One-time buyers are counted apart from repeat buyers because BG/NBD lets a
// customer drop out only after a repeat purchase: with x = 0 its P(alive) is exactly 1, so
// mixing them in would hide the shape of the rest.
// Whether a customer has made a repeat purchase (x >= 1).
enum class BuyerKind : std::uint8_t { kOneTime, kRepeat };

struct PAliveHistogram {
  static constexpr int kBins = 10;
  std::array<std::int64_t, kBins> one_time{};  // customers with no repeat purchase (x = 0)
  std::array<std::int64_t, kBins> repeat{};    // customers with x >= 1
  std::int64_t customers = 0;
  double sum = 0;  // of P(alive), for the mean

  // The bin of p: floor(10 p), with 1.0 in the last bin; values outside [0, 1] (or NaN) are
  // clamped into the first or last bin.
  static int Bin(double p);
  // Counts one customer of `kind` with this P(alive).
  void Add(double p_alive, BuyerKind kind);
  // Mean P(alive); 0 when empty.
  double mean() const;
};

}  // namespace winback::report
