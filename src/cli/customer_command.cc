#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "report/customer_timeline.h"
#include "report/customer_view.h"

namespace winback::cli {
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

std::string OptionalText(const std::optional<double>& v, const char* format) {
  return v ? fmt::format(fmt::runtime(format), *v) : std::string("-");
}

void PrintScore(Date as_of, const store::CustomerScore& s) {
  fmt::print("scores as of {}\n", as_of.ToString());
  if (s.r > 0) {
    fmt::print(
        "  RFM       R{} F{} M{}  {} ({})  recency {} days, {} purchase days, mean order {}\n", s.r,
        s.f, s.m, s.segment, s.group, *s.recency_days, s.frequency,
        Money(s.monetary_mean_minor, s.currency));
  }
  fmt::print("  lifecycle {}{}  readiness {:.2f} ({})  let go: {}\n", s.lifecycle,
             s.inactive ? " (inactive: " + s.inactive_rules + ")" : std::string(), s.readiness,
             s.readiness_reasons.empty() ? "-" : s.readiness_reasons,
             s.let_go.empty() ? "no" : s.let_go);
  const auto money = [&s](const std::optional<double>& minor) {
    return minor ? Money(static_cast<std::int64_t>(std::llround(*minor)), s.currency)
                 : std::string("-");
  };
  fmt::print(
      "  models    P(alive) {}  expected purchases in 90 days {}  expected value {}  "
      "12-month CLV {}  churn risk {}\n",
      OptionalText(s.p_alive, "{:.3f}"), OptionalText(s.expected_purchases_90d, "{:.2f}"),
      money(s.expected_value_minor), money(s.clv_12m_minor), OptionalText(s.churn_risk, "{:.3f}"));
}

json OrderJson(const store::OrderRecord& o) {
  json doc = {{"type", "order"},
              {"id", o.id},
              {"time", FormatTimestamp(o.placed_at, o.utc_offset_minutes)},
              {"amount", Money(o.amount_minor, o.currency)},
              {"status", OrderStatusName(o.status)}};
  json items = json::array();
  for (const store::OrderItem& it : o.items) {
    items.push_back(
        {{"sku", it.sku}, {"quantity", it.quantity}, {"price", Money(it.price_minor, o.currency)}});
  }
  if (!items.empty()) doc["items"] = items;
  return doc;
}

json EventJson(const store::EventRecord& ev) {
  json doc = {{"type", EventTypeName(ev.type)},
              {"id", ev.id},
              {"time", FormatTimestamp(ev.at, ev.utc_offset_minutes)},
              {"channel", OrNull(ev.channel)},
              {"reason", OrNull(ev.reason)},
              {"score", ev.score ? json(*ev.score) : json(nullptr)},
              {"value", ev.value_minor ? json(Money(*ev.value_minor, ev.currency)) : json(nullptr)},
              {"ref", OrNull(ev.ref)},
              {"text", OrNull(ev.text)}};
  if (!ev.properties.empty()) doc["properties"] = json::parse(ev.properties, nullptr, false);
  return doc;
}

json MessageJson(const store::OutboxMessage& m) {
  const Instant at = m.sent_at.value_or(m.scheduled_at);
  return {{"type", "message"},
          {"key", m.key},
          {"time", FormatTimestamp(at, m.utc_offset_minutes)},
          {"campaign", m.campaign},
          {"step", m.step},
          {"variant", OrNull(m.variant)},
          {"channel", ChannelKindName(m.channel)},
          {"status", store::MessageStatusName(m.status)},
          {"offer", OrNull(m.offer)},
          {"coupon", OrNull(m.coupon)},
          {"detail", OrNull(m.detail)}};
}

json EntryJson(const report::CustomerView& v, const report::TimelineEntry& e) {
  switch (e.kind) {
    case report::TimelineEntry::Kind::kOrder:
      return OrderJson(v.orders[e.index]);
    case report::TimelineEntry::Kind::kEvent:
      return EventJson(v.events[e.index]);
    case report::TimelineEntry::Kind::kMessage:
      return MessageJson(v.messages[e.index]);
  }
  return json::object();
}

int RunCustomer(const GlobalOptions& globals, const std::string& id, bool as_json) {
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals);
  if (!store.ok()) return ReportError(store.status());
  // The same view the dashboard's customer page shows (report/customer_view.h).
  Result<report::CustomerView> view = report::LoadCustomerView(**store, id);
  if (!view.ok()) return ReportError(view.status());
  const store::CustomerProfile* p = &view->profile;
  const std::vector<store::Journey>* journeys = &view->journeys;
  const std::optional<Date>& score_date = view->score_date;
  const std::optional<store::CustomerScore>& score = view->score;
  const std::vector<report::TimelineEntry> timeline = report::CustomerTimeline(*view);

  const store::CustomerRecord& c = p->record;
  const store::CustomerAggregates& a = p->aggregates;
  if (as_json) {
    json consent = json::object();
    for (int ch = 0; ch < kChannelKindCount; ++ch) {
      consent[std::string(ChannelKindName(static_cast<ChannelKind>(ch)))] =
          ConsentName(c.consent[ch]);
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
    j["score"] = score ? ScoreJson(*score_date, *score) : json(nullptr);
    json js = json::array();
    for (const store::Journey& jr : *journeys) {
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
    for (const report::TimelineEntry& e : timeline) tl.push_back(EntryJson(*view, e));
    j["timeline"] = tl;
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  fmt::print("customer {}  {} {}\n", c.id, c.first_name, c.last_name);
  if (!c.email.empty() || !c.phone.empty()) fmt::print("  contact   {} {}\n", c.email, c.phone);
  fmt::print("  place     {} {} {}  time zone {}  language {}\n", c.country, c.region, c.city,
             c.time_zone.empty() ? "-" : c.time_zone, c.language.empty() ? "-" : c.language);
  fmt::print("  consent   email={} sms={} whatsapp={}  preferred={}\n", ConsentName(c.consent[0]),
             ConsentName(c.consent[1]), ConsentName(c.consent[2]),
             c.preferred_channel.empty() ? "-" : c.preferred_channel);
  fmt::print("  orders    {} completed on {} days, {} refunded, {} cancelled; revenue {}\n",
             a.orders, a.purchase_days, a.refunded_orders, a.cancelled_orders,
             a.currency.empty() ? "-" : Money(a.revenue_minor, a.currency));
  fmt::print("  first/last order  {}  {}\n", TimeOrDash(a.first_order_at),
             TimeOrDash(a.last_order_at));
  fmt::print("  engagement  email {}  visit {}  chat {}\n", TimeOrDash(a.last_engagement_at[0]),
             TimeOrDash(a.last_visit_at), TimeOrDash(a.last_chat_at));
  fmt::print("  complaints {}  tickets satisfied/unsatisfied {}/{}  referrals {}  exit reason {}\n",
             a.complaints, a.tickets_satisfied, a.tickets_unsatisfied, a.referrals,
             a.exit_reason.empty() ? "-" : a.exit_reason);
  if (score) PrintScore(*score_date, *score);
  fmt::print("journeys ({})\n", journeys->size());
  for (const store::Journey& jr : *journeys) {
    fmt::print("  {:<20} #{} {:<10}{} entered {}  next step {}{}{}\n", jr.campaign, jr.occurrence,
               store::JourneyStateName(jr.state), jr.holdout ? " holdout" : "",
               FormatTimestamp(jr.entered_at), jr.next_step,
               jr.next_due_at ? " due " + FormatTimestamp(*jr.next_due_at) : std::string(),
               jr.exit_reason.empty() ? std::string() : "  (" + jr.exit_reason + ")");
  }
  fmt::print("timeline ({} entries)\n", timeline.size());
  for (const report::TimelineEntry& e : timeline) {
    fmt::print("  {}  {:<22} {:<14} {}\n", FormatTimestamp(e.at, e.utc_offset_minutes), e.label,
               e.id, e.detail);
  }
  return kExitOk;
}

}  // namespace

void RegisterCustomerCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto id = std::make_shared<std::string>();
  auto json_flag = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("customer",
                                     "One customer: profile, consents, aggregates, the latest "
                                     "scores, campaign journeys and the timeline of orders, "
                                     "events and messages");
  cmd->add_option("id", *id, "the customer's id as imported")->required();
  cmd->add_flag("--json", *json_flag, "print one JSON document");
  cmd->callback(
      [&globals, id, json_flag, &exit_code] { exit_code = RunCustomer(globals, *id, *json_flag); });
}

}  // namespace winback::cli
