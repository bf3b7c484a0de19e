#pragma once

// The churn classifier's features and labels of one as-of date, materialised (the reference of
// what ChurnScorer streams). The design (time split, training sample, features) is described in
// churn_classifier.h.

#include <string>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "models/churn_options.h"
#include "store/scanner.h"

namespace winback::models {

// Features and labels of one as-of date. Row i is customer keys[i].
struct ChurnDataset {
  Date as_of;
  int horizon_days = 0;
  std::vector<std::string> feature_names;
  std::vector<CustomerKey> keys;
  std::vector<double> features;  // row-major, keys.size() x feature_names.size()
  std::vector<double> labels;    // 1 = no completed order in (as_of, as_of + H]
  std::size_t rows() const { return keys.size(); }
};

// What BuildChurnDataset computes: the features as of `as_of` and the labels over the next
// `horizon_days`.
struct ChurnDatasetOptions {
  Date as_of;
  int horizon_days = 90;  // >= 1
  BtydFeatures btyd_features = BtydFeatures::kInclude;
  int threads = 1;  // threads of the BG/NBD fit (0 = all cores)
};

// Computes the features as of options.as_of and the labels over the next options.horizon_days
// (labels are meaningful only when the store's data reaches as_of + horizon_days) for every
// customer. Two sequential passes over the store (orders, events; the BG/NBD summary comes from the
// orders pass). The materialised reference of what ChurnScorer streams. Errors: InvalidArgument for
// horizon_days < 1 or no customer with an order by as_of; store errors. A BG/NBD fit that
// fails (e.g. no repeat purchase yet) leaves the BTYD features at P(alive) = 1 and 0.
Result<ChurnDataset> BuildChurnDataset(store::Scanner& store, const ChurnDatasetOptions& options);

}  // namespace winback::models
