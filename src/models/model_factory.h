#pragma once

// Models by name: the four BTYD models `winback fit` offers (bgnbd, pareto, mbgnbd, gammagamma),
// fitted on a summary table or built from given parameters, with their parameters, standard
// errors and log-likelihood in one outcome, and their per-customer predictions written as CSV.
// The cli only parses flags and prints.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "models/clv.h"
#include "models/fit.h"
#include "models/gamma_gamma.h"
#include "models/summary.h"
#include "models/transaction_model.h"

namespace winback::models {

enum class ModelKind { kBgNbd, kParetoNbd, kMbgNbd, kGammaGamma };

// "bgnbd", "pareto", "mbgnbd" or "gammagamma". Errors: InvalidArgument naming the choices.
Result<ModelKind> ModelKindFromName(std::string_view name);
std::string_view ModelKindName(ModelKind kind);
// The model's name and reference, e.g. "BG/NBD (Fader, Hardie & Lee 2005)".
std::string_view ModelKindTitle(ModelKind kind);

// The outcome of fitting or evaluating one model. Value type.
struct ModelOutcome {
  std::vector<std::string> names;  // parameter names, literature order
  std::vector<double> estimates;
  std::vector<double> standard_errors;  // NaN when the parameters were given
  double log_likelihood = 0;            // summed over the customers used
  bool fitted = false;                  // false: parameters given, not fitted
  FitReport report;                     // of the fit; only `customers` when not fitted
  double seconds = 0;                   // wall-clock time of the fit
};

// A transaction model (BG/NBD, Pareto/NBD or MBG/NBD) and how it was obtained.
struct TransactionModelOutcome {
  std::unique_ptr<TransactionModel> model;
  ModelOutcome outcome;
};

// Fits the transaction model `kind` on `data`, or, when `given` holds its four parameters
// (r, alpha, a, b or r, alpha, s, beta), builds it and evaluates its log-likelihood on `data`.
// Errors: InvalidArgument when `kind` is kGammaGamma, `given` has not four values or they are
// out of range, or `data` is invalid; the fit's own errors otherwise. A fit that did not
// converge is returned with report.converged false.
Result<TransactionModelOutcome> FitTransactionModel(ModelKind kind, const SummaryTable& data,
                                                    std::optional<std::span<const double>> given,
                                                    const FitOptions& options);

// A Gamma-Gamma spend model and how it was obtained.
struct SpendModelOutcome {
  GammaGammaModel model;
  ModelOutcome outcome;
};

// Fits the Gamma-Gamma spend model on the repeat buyers of `data` (frequency > 0, monetary value
// > 0), or, when `given` holds p, q, gamma, builds it and evaluates its log-likelihood on them.
// Errors: InvalidArgument when `given` has not three values or they are out of range; the fit's
// errors (e.g. no monetary_value column) otherwise.
Result<SpendModelOutcome> FitSpendModel(const SummaryTable& data,
                                        std::optional<std::span<const double>> given,
                                        const FitOptions& options);

// Per-customer predictions of a transaction model and/or a spend model for every row of `data`.
struct CustomerPredictions {
  std::optional<Predictions> predictions;  // p_alive, expected purchases (transaction model)
  std::optional<CustomerValues> values;    // expected value; clv with both models
  std::string clv_note;  // why CLV is missing although both models were given, else empty
};

struct PredictionOptions {
  double horizon = 0;  // in the data's time unit
  ClvOptions clv;
};

// With a transaction model: p_alive and expected purchases over options.horizon. With a spend
// model too: expected value and CLV (when CLV fails, e.g. q <= 1, the values are left out and
// clv_note says why). With a spend model alone: the expected value of each customer's next
// transaction. At least one model must be given. Errors: InvalidArgument for a bad horizon or
// row, or a spend model alone on data without the monetary_value column.
Result<CustomerPredictions> PredictForCustomers(const TransactionModel* model,
                                                const GammaGammaModel* spend,
                                                const SummaryTable& data,
                                                const PredictionOptions& options);

// Writes id,p_alive,expected_purchases[,expected_value,clv] (or id,expected_value for a spend
// model alone) with 10 significant digits; ids are the table's, else the row number. "-" is
// standard output. Rows are formatted on up to `threads` threads (0 = all cores) and written in
// order; the bytes do not depend on the thread count. Errors: Unavailable when the file cannot
// be written.
Status WritePredictionsCsv(const std::string& path, const SummaryTable& data,
                           const CustomerPredictions& predictions, int threads = 0);

}  // namespace winback::models
