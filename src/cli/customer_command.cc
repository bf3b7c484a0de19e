#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "report/customer_timeline.h"
#include "report/customer_view.h"

namespace winback::cli {
namespace {

std::string Money(std::int64_t minor, const std::string& code) {
  Result<Currency> c = Currency::FromCode(code);
  if (!c.ok()) return std::to_string(minor);
  return FormatMinorUnits(minor, *c) + " " + code;
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

int RunCustomer(const GlobalOptions& globals, const std::string& id, bool as_json) {
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals);
  if (!store.ok()) return ReportError(store.status());
  Result<report::CustomerView> view = report::LoadCustomerView(**store, id);
  if (!view.ok()) return ReportError(view.status());
  if (as_json) {
    fmt::print("{}\n", report::CustomerViewJson(*view));
    return kExitOk;
  }

  // The same timeline as the dashboard's customer page (report/customer_timeline.h).
  const std::vector<report::TimelineEntry> timeline = report::CustomerTimeline(*view);

  const store::CustomerRecord& c = view->profile.record;
  const store::CustomerAggregates& a = view->profile.aggregates;
  const std::vector<store::Journey>* journeys = &view->journeys;
  fmt::print("customer {}  {} {}\n", c.id, c.first_name, c.last_name);
  if (!c.email.empty() || !c.phone.empty()) fmt::print("  contact   {} {}\n", c.email, c.phone);
  fmt::print("  place     {} {} {}  time zone {}  language {}\n", c.country, c.region, c.city,
             c.time_zone.empty() ? "-" : c.time_zone, c.language.empty() ? "-" : c.language);
  fmt::print("  consent   email={} sms={} whatsapp={}  preferred={}\n", ConsentName(c.consent[0]),
             ConsentName(c.consent[1]), ConsentName(c.consent[2]),
             c.preferred_channel.empty() ? "-" : c.preferred_channel);
  std::string opted_out;
  for (const store::KindOptOut& o : view->kind_opt_outs) {
    opted_out += fmt::format("{}{} since {}", opted_out.empty() ? "" : ", ",
                             MessageKindName(o.kind), FormatTimestamp(o.at));
  }
  fmt::print("  opted out {}\n", opted_out.empty() ? "-" : opted_out);
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
  if (view->score) PrintScore(*view->score_date, *view->score);
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
