#include "report/p_alive_histogram.h"

#include <cmath>

namespace winback::report {

int PAliveHistogram::Bin(double p) {
  if (!(p > 0)) return 0;  // also NaN
  if (p >= 1) return kBins - 1;
  const int bin = static_cast<int>(std::floor(p * kBins));
  return bin < kBins ? bin : kBins - 1;
}

void PAliveHistogram::Add(double p_alive, BuyerKind kind) {
  const auto bin = static_cast<std::size_t>(Bin(p_alive));
  ++(kind == BuyerKind::kRepeat ? repeat : one_time)[bin];
  ++customers;
  if (std::isfinite(p_alive)) sum += p_alive;
}

double PAliveHistogram::mean() const {
  return customers > 0 ? sum / static_cast<double>(customers) : 0;
}

}  // namespace winback::report
