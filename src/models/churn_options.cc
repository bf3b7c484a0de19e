#include "models/churn_options.h"

namespace winback::models {

std::string_view ChurnModelName(ChurnModelKind kind) {
  return kind == ChurnModelKind::kXgboost ? "xgboost" : "logistic";
}

std::optional<ChurnModelKind> ParseChurnModelKind(std::string_view name) {
  if (name == "logistic") return ChurnModelKind::kLogistic;
  if (name == "xgboost") return ChurnModelKind::kXgboost;
  return std::nullopt;
}

Status ValidateChurnOptions(const ChurnOptions& options) {
  if (options.horizon_days < 1) return InvalidArgumentError("horizon must be at least 1 day");
  if (options.calibration_bins < 1) return InvalidArgumentError("calibration bins must be >= 1");
  if (options.max_training_rows < 1) {
    return InvalidArgumentError("max training rows must be >= 1");
  }
  return Status::Ok();
}

}  // namespace winback::models
