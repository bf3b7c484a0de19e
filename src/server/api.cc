#include "server/api.h"

#include <nlohmann/json.hpp>

#include "analytics/analytics_config.h"
#include "analytics/rates.h"
#include "analytics/revenue.h"
#include "analytics/trends.h"
#include "campaigns/campaign_config.h"
#include "measure/campaign.h"
#include "report/campaign_json.h"
#include "report/customer_view.h"
#include "report/report_json.h"
#include "server/http_server.h"

namespace winback::server {
namespace {

using nlohmann::json;

Response InvalidRecords(const std::vector<FieldError>& errors) {
  nlohmann::ordered_json details = nlohmann::ordered_json::array();
  for (const FieldError& e : errors) {
    details.push_back({{"record", e.index}, {"field", e.field}, {"message", e.message}});
  }
  std::string message = std::to_string(errors.size()) +
                        (errors.size() == 1 ? " error" : " errors") +
                        "; nothing was written. First: " + errors.front().ToString();
  nlohmann::ordered_json body = {
      {"error", {{"code", "invalid_records"}, {"message", message}, {"details", details}}}};
  return Response::Json(body.dump(), 400);
}

// A date query parameter, when given.
Result<std::optional<Date>> DateParam(const Request& request, std::string_view name) {
  const std::string* v = request.Query(name);
  if (v == nullptr || v->empty()) return std::optional<Date>();
  Result<Date> d = ParseDate(*v);
  if (!d.ok()) {
    return InvalidArgumentError(std::string(name) + ": expected YYYY-MM-DD, got '" + *v + "'");
  }
  return std::optional<Date>(*d);
}

// A reading store for a request that must see every write answered before it (the ingest
// log's batches are applied a moment after their answer).
Result<StorePool::Lease> BorrowForRead(const ApiContext& ctx) {
  if (ctx.writer != nullptr) ctx.writer->WaitApplied();
  return ctx.readers->Borrow();
}

Response Segments(const ApiContext& ctx, const Request& request) {
  Result<std::optional<Date>> asked = DateParam(request, "as_of");
  if (!asked.ok()) return ErrorResponse(asked.status());
  Result<StorePool::Lease> store = BorrowForRead(ctx);
  if (!store.ok()) return ErrorResponse(store.status());
  Result<std::vector<Date>> dates = (*store)->ScoreDates();
  if (!dates.ok()) return ErrorResponse(dates.status());
  if (dates->empty()) {
    return ErrorResponse(
        FailedPreconditionError("no scores yet; run `winback score --as-of DATE` first"));
  }
  Date as_of = dates->back();
  if (*asked) {
    if (std::find(dates->begin(), dates->end(), **asked) == dates->end()) {
      return ErrorResponse(NotFoundError("no scores as of " + (*asked)->ToString()));
    }
    as_of = **asked;
  }
  Result<std::string> currency =
      analytics::RevenueCurrency(**store, ctx.config->Get<analytics::AnalyticsConfig>().currency);
  if (!currency.ok()) return ErrorResponse(currency.status());
  analytics::SegmentTableBuilder builder(*currency);
  Status scan = (*store)->ForEachScore(as_of, [&](const store::CustomerScore& s) {
    builder.Add(s);
    return Status::Ok();
  });
  if (!scan.ok()) return ErrorResponse(scan);
  return Response::Json(report::SegmentsJson(as_of, builder.Finish(), std::nullopt));
}

Response Rates(const ApiContext& ctx, const Request& request) {
  const std::string* period_name = request.Query("period");
  std::optional<analytics::Period> period =
      analytics::ParsePeriod(period_name ? *period_name : "month");
  if (!period) {
    return ErrorResponse(InvalidArgumentError("period: expected day, week, month or year, got '" +
                                              (period_name ? *period_name : "") + "'"));
  }
  Result<std::optional<Date>> from_param = DateParam(request, "from");
  if (!from_param.ok()) return ErrorResponse(from_param.status());
  Result<std::optional<Date>> to_param = DateParam(request, "to");
  if (!to_param.ok()) return ErrorResponse(to_param.status());
  const std::int32_t activity_days = ctx.config->Get<analytics::AnalyticsConfig>().activity_days;
  Result<StorePool::Lease> store = BorrowForRead(ctx);
  if (!store.ok()) return ErrorResponse(store.status());
  store::Scanner* readers[] = {&**store};
  Result<analytics::OrderDayHistory> history = analytics::OrderDayHistory::Load(readers);
  if (!history.ok()) return ErrorResponse(history.status());
  if (history->orders() == 0) {
    return ErrorResponse(
        FailedPreconditionError("the store has no completed orders; import some first"));
  }
  const Date from = from_param->value_or(Date::FromDays(history->first_day()));
  const Date to = to_param->value_or(Date::FromDays(history->last_day()));
  Result<std::vector<Date>> boundaries = analytics::PeriodBoundaries(*period, from, to);
  if (!boundaries.ok()) return ErrorResponse(boundaries.status());
  analytics::RatesAccumulator acc(*boundaries, activity_days);
  history->AddTo(acc);
  const Date data_end = Date::FromDays(history->last_day()).PlusDays(1);
  return Response::Json(
      report::RatesJson(*period, activity_days, acc.Rates(), acc.Tenure(), data_end));
}

Response Campaigns(const ApiContext& ctx) {
  Result<StorePool::Lease> store = BorrowForRead(ctx);
  if (!store.ok()) return ErrorResponse(store.status());
  Result<std::string> doc =
      report::CampaignsJson(ctx.config->Get<campaigns::CampaignSettings>(), **store);
  if (!doc.ok()) return ErrorResponse(doc.status());
  return Response::Json(std::move(*doc));
}

Response CampaignResults(const ApiContext& ctx, const Request& request) {
  const std::string name(request.Param("name"));
  const auto& settings = ctx.config->Get<campaigns::CampaignSettings>();
  const campaigns::Campaign* campaign = settings.FindCampaign(name);
  if (campaign == nullptr) {
    return ErrorResponse(NotFoundError("no campaign '" + name + "' in the config"));
  }
  if (!(campaign->holdout > 0)) {
    return ErrorResponse(FailedPreconditionError("campaign '" + name +
                                                 "' has holdout = 0: no holdout to measure "
                                                 "against"));
  }
  Result<std::optional<Date>> as_of = DateParam(request, "as_of");
  if (!as_of.ok()) return ErrorResponse(as_of.status());
  const auto& measurement = ctx.config->Get<measure::MeasurementSettings>();
  measure::CampaignOptions options;
  options.as_of = *as_of ? (*as_of)->PlusDays(1).StartUtc() : ctx.now();
  options.attribution_days = measurement.attribution_days;
  options.pre_period_days = measurement.pre_period_days;
  options.alpha = measurement.alpha;
  for (int c = 0; c < kChannelKindCount; ++c) {
    options.message_cost_minor[c] = settings.policy.message_cost_minor[c];
  }
  options.message_cost_currency = settings.policy.currency;
  options.holdout_share = campaign->holdout;
  Result<StorePool::Lease> store = BorrowForRead(ctx);
  if (!store.ok()) return ErrorResponse(store.status());
  Result<measure::CampaignResult> r = measure::MeasureCampaign(name, options, **store, **store);
  if (!r.ok()) return ErrorResponse(r.status());
  return Response::Json(report::CampaignResultJson(*r));
}

Response Customer(const ApiContext& ctx, const Request& request) {
  Result<StorePool::Lease> store = BorrowForRead(ctx);
  if (!store.ok()) return ErrorResponse(store.status());
  Result<report::CustomerView> view = report::LoadCustomerView(**store, request.Param("id"));
  if (!view.ok()) return ErrorResponse(view.status());
  return Response::Json(report::CustomerViewJson(*view));
}

Response Health(const ApiContext& ctx) {
  Result<StorePool::Lease> store = ctx.readers->Borrow();
  if (!store.ok()) {
    return Response::Error(503, "unavailable", "the store cannot be opened");
  }
  json body = {{"status", "ok"}, {"schema_version", (*store)->schema_version()}};
  return Response::Json(body.dump());
}

Response MetricsText(const ApiContext& ctx) {
  std::string text = ctx.metrics ? ctx.metrics->Render() : std::string();
  Result<StorePool::Lease> store = ctx.readers->Borrow();
  if (!store.ok()) return ErrorResponse(store.status());
  Result<std::string> gauges = RenderStoreGauges(**store);
  if (!gauges.ok()) return ErrorResponse(gauges.status());
  text += *gauges;
  if (ctx.writer != nullptr) text += RenderIngestMetrics(ctx.writer->stats());
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = std::move(text);
  return r;
}

}  // namespace

Response HandleIngest(const ApiContext& ctx, ingest::FileKind kind, const Request& request) {
  if (const std::string* type = request.Header("content-type")) {
    if (type->find("json") == std::string::npos) {
      return Response::Error(415, "unsupported_media_type",
                             "expected Content-Type: application/json, got '" + *type + "'");
    }
  }
  ParsedBatch parsed = ParseRecordBatch(kind, request.body);
  if (!parsed.errors.empty()) return InvalidRecords(parsed.errors);
  const std::size_t records = parsed.batch.size();
  std::vector<std::string> ignored = parsed.batch.ignored_keys;
  WriteOutcome outcome = ctx.writer->Write(std::move(parsed.batch), request.body);
  if (!outcome.errors.empty()) return InvalidRecords(outcome.errors);
  if (!outcome.status.ok()) return ErrorResponse(outcome.status);
  json body = {
      {"records", records},
      {"written", kind == ingest::FileKind::kCustomers ? json(nullptr) : json(outcome.written)},
      {"ignored_keys", ignored}};
  return Response::Json(body.dump());
}

void AddApiRoutes(Router& router, const ApiContext& context) {
  const ApiContext ctx = context;
  const std::pair<const char*, ingest::FileKind> kinds[] = {
      {"/v1/customers", ingest::FileKind::kCustomers},
      {"/v1/orders", ingest::FileKind::kOrders},
      {"/v1/events", ingest::FileKind::kEvents},
      {"/v1/products", ingest::FileKind::kProducts}};
  for (const auto& [path, kind] : kinds) {
    const ingest::FileKind k = kind;
    router.Add("POST", path, Access::kApiKey,
               [ctx, k](const Request& r) { return HandleIngest(ctx, k, r); });
  }
  router.Add("GET", "/v1/customers/{id}", Access::kApiKey,
             [ctx](const Request& r) { return Customer(ctx, r); });
  router.Add("GET", "/v1/segments", Access::kApiKey,
             [ctx](const Request& r) { return Segments(ctx, r); });
  router.Add("GET", "/v1/campaigns", Access::kApiKey,
             [ctx](const Request&) { return Campaigns(ctx); });
  router.Add("GET", "/v1/campaigns/{name}/results", Access::kApiKey,
             [ctx](const Request& r) { return CampaignResults(ctx, r); });
  router.Add("GET", "/v1/rates", Access::kApiKey,
             [ctx](const Request& r) { return Rates(ctx, r); });
  router.Add("GET", "/healthz", Access::kPublic, [ctx](const Request&) { return Health(ctx); });
  router.Add("GET", "/metrics", Access::kApiKey,
             [ctx](const Request&) { return MetricsText(ctx); });
}

}  // namespace winback::server
