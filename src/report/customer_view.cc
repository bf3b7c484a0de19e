#include "report/customer_view.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/money.h"
#include "core/vocabulary.h"

namespace winback::report {
namespace {

using nlohmann::json;

std::string Money(std::int64_t minor, const std::string& code) {
  Result<Currency> c = Currency::FromCode(code);
  if (!c.ok()) return std::to_string(minor);
  return FormatMinorUnits(minor, *c) + " " + code;
}

json TimeJson(const std::optional<Instant>& t) {
  return t ? json(FormatTimestamp(*t)) : json(nullptr);
}

json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json OptionalJson(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json OptionalJson(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

json ScoreJson(Date as_of, const store::CustomerScore& s) {
  return {{"as_of", as_of.ToString()},
          {"recency_days", OptionalJson(s.recency_days)},
          {"frequency", s.frequency},
          {"monetary_total",
           s.currency.empty() ? json(nullptr) : json(Money(s.monetary_total_minor, s.currency))},
          {"monetary_mean",
           s.currency.empty() ? json(nullptr) : json(Money(s.monetary_mean_minor, s.currency))},
          {"tenure_days", OptionalJson(s.tenure_days)},
          {"r", s.r},
          {"f", s.f},
          {"m", s.m},
          {"segment", OrNull(s.segment)},
          {"group", OrNull(s.group)},
          {"lifecycle", s.lifecycle},
          {"inactive", s.inactive},
          {"inactive_rules", OrNull(s.inactive_rules)},
          {"readiness", s.readiness},
          {"readiness_reasons", OrNull(s.readiness_reasons)},
          {"let_go", OrNull(s.let_go)},
          {"p_alive", OptionalJson(s.p_alive)},
          {"expected_purchases_90d", OptionalJson(s.expected_purchases_90d)},
          {"expected_value_minor", OptionalJson(s.expected_value_minor)},
          {"clv_12m_minor", OptionalJson(s.clv_12m_minor)},
          {"churn_risk", OptionalJson(s.churn_risk)}};
}

}  // namespace

Result<CustomerView> LoadCustomerView(store::Store& store, std::string_view id) {
  CustomerView v;
  WINBACK_ASSIGN_OR_RETURN(v.profile, store.LoadCustomer(id));
  WINBACK_ASSIGN_OR_RETURN(v.orders, store.LoadOrders(v.profile.key));
  WINBACK_ASSIGN_OR_RETURN(v.events, store.LoadEvents(v.profile.key));
  WINBACK_RETURN_IF_ERROR(store.ForEachMessage(
      store::MessageFilter{.status = std::nullopt, .campaign = "", .customer = v.profile.key},
      [&v](const store::OutboxMessage& m) {
        v.messages.push_back(m);
        return Status::Ok();
      }));
  WINBACK_ASSIGN_OR_RETURN(v.journeys, store.LoadJourneys(v.profile.key));
  WINBACK_ASSIGN_OR_RETURN(v.kind_opt_outs, store.LoadKindOptOuts(v.profile.key));
  WINBACK_ASSIGN_OR_RETURN(std::vector<Date> dates, store.ScoreDates());
  if (!dates.empty()) {
    v.score_date = dates.back();
    WINBACK_ASSIGN_OR_RETURN(v.score, store.LoadScore(*v.score_date, v.profile.key));
  }
  return v;
}

std::string CustomerViewJson(const CustomerView& v) {
  struct Entry {
    Instant at;
    json doc;
  };
  std::vector<Entry> timeline;
  for (const store::OrderRecord& o : v.orders) {
    json doc = {{"type", "order"},
                {"id", o.id},
                {"time", FormatTimestamp(o.placed_at, o.utc_offset_minutes)},
                {"amount", Money(o.amount_minor, o.currency)},
                {"status", OrderStatusName(o.status)}};
    json items = json::array();
    for (const store::OrderItem& it : o.items) {
      items.push_back({{"sku", it.sku},
                       {"quantity", it.quantity},
                       {"price", Money(it.price_minor, o.currency)}});
    }
    if (!items.empty()) doc["items"] = items;
    timeline.push_back({o.placed_at, std::move(doc)});
  }
  for (const store::EventRecord& ev : v.events) {
    json doc = {
        {"type", EventTypeName(ev.type)},
        {"id", ev.id},
        {"time", FormatTimestamp(ev.at, ev.utc_offset_minutes)},
        {"channel", OrNull(ev.channel)},
        {"reason", OrNull(ev.reason)},
        {"score", ev.score ? json(*ev.score) : json(nullptr)},
        {"value", ev.value_minor ? json(Money(*ev.value_minor, ev.currency)) : json(nullptr)},
        {"ref", OrNull(ev.ref)},
        {"text", OrNull(ev.text)}};
    if (!ev.properties.empty()) doc["properties"] = json::parse(ev.properties, nullptr, false);
    timeline.push_back({ev.at, std::move(doc)});
  }
  for (const store::OutboxMessage& m : v.messages) {
    const Instant at = m.sent_at.value_or(m.scheduled_at);
    timeline.push_back({at,
                        {{"type", "message"},
                         {"key", m.key},
                         {"time", FormatTimestamp(at, m.utc_offset_minutes)},
                         {"campaign", m.campaign},
                         {"step", m.step},
                         {"variant", OrNull(m.variant)},
                         {"channel", ChannelKindName(m.channel)},
                         {"status", store::MessageStatusName(m.status)},
                         {"offer", OrNull(m.offer)},
                         {"coupon", OrNull(m.coupon)},
                         {"detail", OrNull(m.detail)}}});
  }
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const Entry& a, const Entry& b) { return a.at < b.at; });

  const store::CustomerRecord& c = v.profile.record;
  const store::CustomerAggregates& a = v.profile.aggregates;
  json consent = json::object();
  for (int ch = 0; ch < kChannelKindCount; ++ch) {
    consent[std::string(ChannelKindName(static_cast<ChannelKind>(ch)))] =
        ConsentName(c.consent[ch]);
  }
  json opted_out = json::array();
  for (const store::KindOptOut& o : v.kind_opt_outs) {
    opted_out.push_back({{"kind", MessageKindName(o.kind)}, {"at", FormatTimestamp(o.at)}});
  }
  json j = {{"id", c.id},
            {"email", OrNull(c.email)},
            {"phone", OrNull(c.phone)},
            {"first_name", OrNull(c.first_name)},
            {"last_name", OrNull(c.last_name)},
            {"birth_date", c.birth_date ? json(c.birth_date->ToString()) : json(nullptr)},
            {"birth_year", c.birth_year ? json(*c.birth_year) : json(nullptr)},
            {"gender", OrNull(c.gender)},
            {"education", OrNull(c.education)},
            {"country", OrNull(c.country)},
            {"region", OrNull(c.region)},
            {"city", OrNull(c.city)},
            {"time_zone", OrNull(c.time_zone)},
            {"language", OrNull(c.language)},
            {"signup_at", TimeJson(c.signup_at)},
            {"consent", consent},
            {"opted_out_kinds", opted_out},
            {"preferred_channel", OrNull(c.preferred_channel)},
            {"referred_by", OrNull(c.referred_by)}};
  j["aggregates"] = {
      {"first_order_at", TimeJson(a.first_order_at)},
      {"last_order_at", TimeJson(a.last_order_at)},
      {"orders", a.orders},
      {"refunded_orders", a.refunded_orders},
      {"cancelled_orders", a.cancelled_orders},
      {"purchase_days", a.purchase_days},
      {"revenue", a.currency.empty() ? json(nullptr) : json(Money(a.revenue_minor, a.currency))},
      {"other_currency_orders", a.other_currency_orders},
      {"last_email_engagement_at", TimeJson(a.last_engagement_at[0])},
      {"last_sms_engagement_at", TimeJson(a.last_engagement_at[1])},
      {"last_whatsapp_engagement_at", TimeJson(a.last_engagement_at[2])},
      {"last_visit_at", TimeJson(a.last_visit_at)},
      {"last_chat_at", TimeJson(a.last_chat_at)},
      {"complaints", a.complaints},
      {"last_complaint_at", TimeJson(a.last_complaint_at)},
      {"tickets_opened", a.tickets_opened},
      {"tickets_satisfied", a.tickets_satisfied},
      {"tickets_unsatisfied", a.tickets_unsatisfied},
      {"referrals", a.referrals},
      {"reviews", a.reviews},
      {"carts_abandoned", a.carts_abandoned},
      {"payment_defaults", a.payment_defaults},
      {"feature_requests", a.feature_requests},
      {"exit_reason", OrNull(a.exit_reason)},
      {"exit_at", TimeJson(a.exit_at)}};
  j["score"] = v.score ? ScoreJson(*v.score_date, *v.score) : json(nullptr);
  json js = json::array();
  for (const store::Journey& jr : v.journeys) {
    js.push_back({{"campaign", jr.campaign},
                  {"occurrence", jr.occurrence},
                  {"state", store::JourneyStateName(jr.state)},
                  {"holdout", jr.holdout},
                  {"entered_at", FormatTimestamp(jr.entered_at)},
                  {"next_step", jr.next_step},
                  {"next_due_at", TimeJson(jr.next_due_at)},
                  {"exited_at", TimeJson(jr.exited_at)},
                  {"reason", OrNull(jr.exit_reason)}});
  }
  j["journeys"] = js;
  json tl = json::array();
  for (Entry& e : timeline) tl.push_back(std::move(e.doc));
  j["timeline"] = tl;
  return j.dump(2);
}

}  // namespace winback::report
