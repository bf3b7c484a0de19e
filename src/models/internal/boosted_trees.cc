#include "models/internal/boosted_trees.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <string>
#include <utility>

namespace winback::models::internal {
namespace {

Status XgbError(const char* what) {
  return InternalError(std::string("xgboost: ") + what + ": " + XGBGetLastError());
}

// Owns a DMatrixHandle.
class Matrix {
 public:
  Matrix() = default;
  ~Matrix() {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
  }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;
  DMatrixHandle* out() { return &handle_; }
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

Status MakeMatrix(std::span<const double> features, std::size_t cols, Matrix& matrix) {
  std::vector<float> data(features.begin(), features.end());
  const std::size_t rows = cols == 0 ? 0 : features.size() / cols;
  if (XGDMatrixCreateFromMat(data.data(), static_cast<bst_ulong>(rows),
                             static_cast<bst_ulong>(cols), std::nanf(""), matrix.out()) != 0) {
    return XgbError("creating the feature matrix");
  }
  return Status::Ok();
}

}  // namespace

Result<BoostedTrees> BoostedTrees::Train(std::span<const double> features, std::size_t cols,
                                         std::span<const double> labels,
                                         const BoostedTreesOptions& options) {
  if (cols == 0 || labels.empty() || features.size() != labels.size() * cols) {
    return InvalidArgumentError("boosted trees: empty input or features are not rows x " +
                                std::to_string(cols));
  }
  if (options.trees < 1 || options.max_depth < 1 || !(options.learning_rate > 0)) {
    return InvalidArgumentError("boosted trees: trees, max_depth and learning_rate must be > 0");
  }
  Matrix train;
  WINBACK_RETURN_IF_ERROR(MakeMatrix(features, cols, train));
  std::vector<float> y(labels.begin(), labels.end());
  if (XGDMatrixSetFloatInfo(train.get(), "label", y.data(), static_cast<bst_ulong>(y.size())) !=
      0) {
    return XgbError("setting labels");
  }
  BoosterHandle booster = nullptr;
  const DMatrixHandle train_handle = train.get();
  if (XGBoosterCreate(&train_handle, 1, &booster) != 0) return XgbError("creating the booster");
  BoostedTrees model(booster, cols);
  const std::pair<const char*, std::string> params[] = {
      {"objective", "binary:logistic"},
      {"tree_method", "hist"},
      {"verbosity", "0"},
      {"max_depth", std::to_string(options.max_depth)},
      {"eta", std::to_string(options.learning_rate)},
      {"subsample", std::to_string(options.subsample)},
      {"min_child_weight", std::to_string(options.min_child_weight)},
      {"seed", std::to_string(options.seed)},
      {"nthread", std::to_string(options.threads)},
  };
  for (const auto& [name, value] : params) {
    if (XGBoosterSetParam(booster, name, value.c_str()) != 0) return XgbError(name);
  }
  for (int i = 0; i < options.trees; ++i) {
    if (XGBoosterUpdateOneIter(booster, i, train.get()) != 0) return XgbError("training");
  }
  return model;
}

Result<std::vector<double>> BoostedTrees::PredictProbability(
    std::span<const double> features) const {
  Matrix matrix;
  WINBACK_RETURN_IF_ERROR(MakeMatrix(features, cols_, matrix));
  bst_ulong length = 0;
  const float* result = nullptr;
  if (XGBoosterPredict(booster_, matrix.get(), 0, 0, 0, &length, &result) != 0) {
    return XgbError("predicting");
  }
  return std::vector<double>(result, result + length);
}

BoostedTrees::~BoostedTrees() {
  if (booster_ != nullptr) XGBoosterFree(booster_);
}

BoostedTrees::BoostedTrees(BoostedTrees&& other) noexcept
    : booster_(std::exchange(other.booster_, nullptr)), cols_(other.cols_) {}

BoostedTrees& BoostedTrees::operator=(BoostedTrees&& other) noexcept {
  if (this != &other) {
    if (booster_ != nullptr) XGBoosterFree(booster_);
    booster_ = std::exchange(other.booster_, nullptr);
    cols_ = other.cols_;
  }
  return *this;
}

}  // namespace winback::models::internal
