#include "models/churn_sample.h"

#include <algorithm>
#include <cmath>

#include "core/random.h"

namespace winback::models {

bool internal::BlockInSample(std::int64_t block, double fraction) {
  if (fraction >= 1) return true;
  if (!(fraction > 0)) return false;
  // fraction * 2^64 without overflow: compare the top 53 bits.
  const auto threshold = static_cast<std::uint64_t>(std::ldexp(fraction, 53));
  return (Mix64(static_cast<std::uint64_t>(block)) >> 11) < threshold;
}

bool InChurnTrainingSample(CustomerKey key, double fraction) {
  return internal::BlockInSample(key.value() / kChurnSampleBlock, fraction);
}

double internal::SampleFraction(std::int64_t key_limit, std::size_t max_rows) {
  const auto customers = static_cast<std::size_t>(std::max<std::int64_t>(key_limit - 1, 0));
  return customers <= max_rows ? 1.0
                               : static_cast<double>(max_rows) / static_cast<double>(customers);
}

std::vector<store::KeyRange> internal::SampleRanges(std::int64_t key_limit, double fraction) {
  std::vector<store::KeyRange> ranges;
  for (std::int64_t b = 0; b * kChurnSampleBlock < key_limit; ++b) {
    if (!BlockInSample(b, fraction)) continue;
    if (!ranges.empty() && ranges.back().end == b * kChurnSampleBlock) {
      ranges.back().end = (b + 1) * kChurnSampleBlock;
    } else {
      ranges.push_back({b * kChurnSampleBlock, (b + 1) * kChurnSampleBlock});
    }
  }
  return ranges;
}

}  // namespace winback::models
