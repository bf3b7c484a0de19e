#pragma once

// Gradient-boosted trees for binary classification, an adapter over XGBoost's C API. The
// vendor header appears only in boosted_trees.cc.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"

namespace winback::models::internal {

struct BoostedTreesOptions {
  int trees = 200;  // boosting rounds
  int max_depth = 4;
  double learning_rate = 0.1;  // eta
  double subsample = 0.8;
  double min_child_weight = 5;
  int threads = 1;  // 0 = XGBoost's default (all cores)
  std::uint64_t seed = 1;
};

// A trained binary:logistic booster. Move-only (owns the XGBoost handle). Not thread-safe.
class BoostedTrees {
 public:
  // Trains on `features` (row-major, rows x cols, finite) and labels in {0, 1}. Errors:
  // InvalidArgument for mismatched input; Internal with XGBoost's message when it fails.
  static Result<BoostedTrees> Train(std::span<const double> features, std::size_t cols,
                                    std::span<const double> labels,
                                    const BoostedTreesOptions& options);

  // P(y = 1) for every row. Internal with XGBoost's message on failure.
  Result<std::vector<double>> PredictProbability(std::span<const double> features) const;

  ~BoostedTrees();
  BoostedTrees(BoostedTrees&& other) noexcept;
  BoostedTrees& operator=(BoostedTrees&& other) noexcept;
  BoostedTrees(const BoostedTrees&) = delete;
  BoostedTrees& operator=(const BoostedTrees&) = delete;

 private:
  BoostedTrees(void* booster, std::size_t cols) : booster_(booster), cols_(cols) {}
  void* booster_ = nullptr;  // BoosterHandle
  std::size_t cols_ = 0;
};

}  // namespace winback::models::internal
