#pragma once

// The churn classifier's training sample rule (described in churn_classifier.h): whole blocks of
// 256 customer keys, each in the sample when a hash of its number falls below the fraction.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/ids.h"
#include "store/store.h"

namespace winback::models {

// Customer keys per sample block and the sample rule described at the top of this file:
// whether `key` is in the training sample that keeps `fraction` (in [0, 1]) of the customers.
// fraction >= 1 keeps everyone.
inline constexpr std::int64_t kChurnSampleBlock = 256;
bool InChurnTrainingSample(CustomerKey key, double fraction);

namespace internal {

// Whether sample block `block` (key / kChurnSampleBlock) is in the sample keeping `fraction`.
bool BlockInSample(std::int64_t block, double fraction);

// The fraction that keeps about `max_rows` of the key_limit - 1 customers (1 when all fit).
double SampleFraction(std::int64_t key_limit, std::size_t max_rows);

// The sampled blocks below `key_limit` as ascending, disjoint key ranges (adjacent blocks merged).
std::vector<store::KeyRange> SampleRanges(std::int64_t key_limit, double fraction);

}  // namespace internal

}  // namespace winback::models
