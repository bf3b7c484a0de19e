#include "models/churn_dataset.h"

#include <iterator>
#include <optional>
#include <span>

#include "models/bgnbd.h"
#include "models/internal/churn_features.h"

namespace winback::models {

Result<ChurnDataset> BuildChurnDataset(store::Scanner& store, const ChurnDatasetOptions& options) {
  const Date as_of = options.as_of;
  const int horizon_days = options.horizon_days;
  if (horizon_days < 1) return InvalidArgumentError("horizon must be at least 1 day");
  ChurnDataset out;
  out.as_of = as_of;
  out.horizon_days = horizon_days;
  out.feature_names.assign(std::begin(internal::kFeatureNames), std::end(internal::kFeatureNames));
  std::vector<std::optional<CustomerRfm>> rfm;
  const store::KeyRange all;
  WINBACK_RETURN_IF_ERROR(internal::AppendRows(store, std::span<const store::KeyRange>(&all, 1),
                                               as_of, horizon_days, out, rfm));
  if (out.keys.empty()) {
    return InvalidArgumentError("no customer has a completed order on or before " +
                                as_of.ToString());
  }
  if (options.btyd_features == BtydFeatures::kInclude) {
    FitOptions fo;
    fo.threads = options.threads;
    fo.standard_errors = false;
    Result<BgNbdFit> fit = FitBgNbd(internal::TableOf(rfm), fo);
    const BgNbdModel* model = fit.ok() ? &fit->model : nullptr;
    for (std::size_t row = 0; row < out.keys.size(); ++row) {
      internal::WriteBtydFeatures(model, rfm[row], horizon_days,
                                  &out.features[row * internal::kFeatureCount]);
    }
  }
  return out;
}

}  // namespace winback::models
