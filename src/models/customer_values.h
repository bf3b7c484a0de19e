#pragma once

// Per-customer BTYD scores as of a date, for `winback score`: P(alive), expected purchases in
// the next 90 days, expected value of one future purchase and 12-month CLV.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "models/bgnbd.h"
#include "models/fit.h"
#include "models/gamma_gamma.h"
#include "models/store_summary.h"
#include "store/store.h"

namespace winback::models {

struct CustomerValueOptions {
  // Time unit of the fit: 7 = weeks (as the literature), 1 = days. Predictions are converted,
  // so the outputs below do not depend on it beyond rounding of the fit.
  double days_per_unit = 7.0;
  double horizon_days = 90;  // horizon of expected_purchases
  int clv_months = 12;
  double monthly_discount_rate = 0.01;
  int threads = 1;  // fitting and CLV threads (0 = all cores); results do not depend on it
};

// Scores of one customer. Money in minor units of the table's spend_currency (cents), like
// store::CustomerScore.
struct CustomerValue {
  double p_alive = 0;
  double expected_purchases = 0;  // repeat purchases expected in (as_of, as_of + horizon_days]
  // Gamma-Gamma E[Z | m_x, x] and CLV; absent when no spend model could be fitted, or when the
  // customer's main currency is not `spend_currency` (one spend model cannot mix currencies).
  std::optional<double> expected_value_minor;
  std::optional<double> clv_minor;
};

struct CustomerValueTable {
  // Indexed by CustomerKey::value() (size = largest key with an order + 1). Absent for keys
  // without a completed order before as_of (no first purchase yet, so no (x, t_x, T)).
  std::vector<std::optional<CustomerValue>> by_key;
  BgNbdParams purchase_params;  // fitted BG/NBD, in the unit of days_per_unit
  FitReport purchase_report;
  std::optional<GammaGammaParams> spend_params;  // currency units (major units)
  FitReport spend_report;                        // empty when spend_params is absent
  std::string spend_currency;                    // most common main currency among the customers
  std::string spend_note;                        // why spend_params is absent, when it is
  std::size_t customers = 0;                     // customers scored
};

// Summarises the store as of `as_of` (SummarizeStore: completed orders, same local day merged,
// calibration_end = as_of), fits BG/NBD on (x, t_x, T) and Gamma-Gamma on the repeat buyers of
// the most common currency, and returns for every customer with a completed order before
// as_of: P(alive at as_of), E[purchases in the next horizon_days], E[value of one purchase] and
// the discounted CLV over clv_months (lifetimes' convention, clv.h; units_per_month = 30 days
// expressed in the fit's unit). Reads the store once; never calls now().
// Errors: InvalidArgument for bad options or when the store has no repeat purchase before
// as_of (BG/NBD cannot be fitted); whatever the store returns. A failed or degenerate spend fit
// (e.g. q <= 1) is not an error: values are then absent and spend_note says why.
Result<CustomerValueTable> ComputeCustomerValues(store::Store& store, Date as_of,
                                                 const CustomerValueOptions& options = {});

// The same from `summary` = SummarizeStore(store, {calibration_end = as_of, days_per_unit =
// options.days_per_unit}) computed elsewhere (ChurnScorer::Prepare can fill it in its own pass
// over the orders); table.ids are not needed. Touches no store. Errors as above.
Result<CustomerValueTable> ComputeCustomerValues(StoreSummary summary, Date as_of,
                                                 const CustomerValueOptions& options = {});

}  // namespace winback::models
