#include "models/customer_values.h"

#include <cmath>
#include <map>

#include "core/money.h"
#include "models/clv.h"
#include "models/store_summary.h"

namespace winback::models {

namespace {

Status CheckValueOptions(const CustomerValueOptions& options) {
  if (!(options.horizon_days >= 0) || !std::isfinite(options.horizon_days)) {
    return InvalidArgumentError("horizon must be a non-negative number of days");
  }
  if (options.clv_months < 1) return InvalidArgumentError("clv months must be >= 1");
  return Status::Ok();
}

}  // namespace

Result<CustomerValueTable> ComputeCustomerValues(store::Store& store, Date as_of,
                                                 const CustomerValueOptions& options) {
  WINBACK_RETURN_IF_ERROR(CheckValueOptions(options));
  StoreSummaryOptions so;
  so.calibration_end = as_of;
  so.days_per_unit = options.days_per_unit;
  so.with_ids = false;
  WINBACK_ASSIGN_OR_RETURN(StoreSummary summary, SummarizeStore(store, so));
  return ComputeCustomerValues(std::move(summary), as_of, options);
}

Result<CustomerValueTable> ComputeCustomerValues(StoreSummary summary, Date as_of,
                                                 const CustomerValueOptions& options) {
  WINBACK_RETURN_IF_ERROR(CheckValueOptions(options));
  const SummaryTable& table = summary.table;
  if (table.size() == 0) {
    return InvalidArgumentError("no customer has a completed order before " + as_of.ToString());
  }
  FitOptions fit_options;
  fit_options.threads = options.threads;
  fit_options.standard_errors = false;
  WINBACK_ASSIGN_OR_RETURN(BgNbdFit bg, FitBgNbd(table, fit_options));
  CustomerValueTable out;
  out.purchase_params = bg.model.params();
  out.purchase_report = bg.report;
  out.customers = table.size();
  WINBACK_ASSIGN_OR_RETURN(
      Predictions predictions,
      PredictCustomers(bg.model, table, options.horizon_days / options.days_per_unit,
                       options.threads));

  // The spend model is fitted on one currency: the most common main currency.
  std::map<std::string, std::size_t> currency_counts;
  for (const std::string& c : summary.currencies) ++currency_counts[c];
  std::size_t best = 0;
  for (const auto& [code, count] : currency_counts) {
    if (count > best) {
      best = count;
      out.spend_currency = code;
    }
  }
  SummaryTable spend_table;
  spend_table.Reserve(best);
  spend_table.monetary_value.reserve(best);
  std::vector<std::size_t> spend_rows;
  spend_rows.reserve(best);
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (summary.currencies[i] != out.spend_currency) continue;
    // A repeat buyer whose repeat orders were all free (or in another currency) has no
    // positive mean value: keep their purchases, drop them from the spend likelihood.
    const bool priced = table.frequency[i] == 0 || table.monetary_value[i] > 0;
    spend_table.frequency.push_back(priced ? table.frequency[i] : 0.0);
    spend_table.recency.push_back(priced ? table.recency[i] : 0.0);
    spend_table.age.push_back(table.age[i]);
    spend_table.monetary_value.push_back(priced ? table.monetary_value[i] : 0.0);
    spend_rows.push_back(i);
  }
  std::optional<models::CustomerValues> values;
  std::vector<std::string>().swap(summary.currencies);
  Result<GammaGammaFit> gg = FitGammaGamma(spend_table, fit_options);
  spend_table = SummaryTable();  // the CLV reads the unmodified rows from `table`
  if (!gg.ok()) {
    out.spend_note = "no spend model: " + gg.status().message();
  } else if (Status finite = gg->model.CheckFiniteMean(); !finite.ok()) {
    out.spend_note = "no spend model: " + finite.message();
  } else {
    out.spend_params = gg->model.params();
    out.spend_report = gg->report;
    // CLV on the same rows as the spend fit, with their own (x, t_x, T) for the purchases
    // (`table` itself when every customer is in the spend currency).
    SummaryTable clv_rows;
    if (spend_rows.size() != table.size()) {
      clv_rows.Reserve(spend_rows.size());
      clv_rows.monetary_value.reserve(spend_rows.size());
      for (std::size_t i : spend_rows) {
        clv_rows.frequency.push_back(table.frequency[i]);
        clv_rows.recency.push_back(table.recency[i]);
        clv_rows.age.push_back(table.age[i]);
        clv_rows.monetary_value.push_back(table.monetary_value[i]);
      }
    }
    const SummaryTable& clv_table = spend_rows.size() != table.size() ? clv_rows : table;
    ClvOptions clv;
    clv.months = options.clv_months;
    clv.monthly_discount_rate = options.monthly_discount_rate;
    clv.units_per_month = 30.0 / options.days_per_unit;
    clv.threads = options.threads;
    Result<models::CustomerValues> v = CustomerLifetimeValues(bg.model, gg->model, clv_table, clv);
    if (v.ok()) {
      values = *std::move(v);
    } else {
      out.spend_note = "no CLV: " + v.status().message();
    }
  }
  const std::size_t rows = table.size();
  summary.table = SummaryTable();  // what is left needs only the keys and the predictions
  double minor_per_unit = 1;
  if (Result<Currency> c = Currency::FromCode(out.spend_currency); c.ok()) {
    for (int e = 0; e < c->exponent(); ++e) minor_per_unit *= 10;
  }

  std::int64_t max_key = 0;
  for (CustomerKey k : summary.keys) max_key = std::max(max_key, k.value());
  out.by_key.resize(static_cast<std::size_t>(max_key) + 1);
  for (std::size_t i = 0; i < rows; ++i) {
    CustomerValue v;
    v.p_alive = predictions.p_alive[i];
    v.expected_purchases = predictions.expected_purchases[i];
    out.by_key[static_cast<std::size_t>(summary.keys[i].value())] = v;
  }
  if (values) {
    for (std::size_t j = 0; j < spend_rows.size(); ++j) {
      auto& v = out.by_key[static_cast<std::size_t>(summary.keys[spend_rows[j]].value())];
      v->expected_value_minor = values->expected_value[j] * minor_per_unit;
      v->clv_minor = values->clv[j] * minor_per_unit;
    }
  }
  return out;
}

}  // namespace winback::models
