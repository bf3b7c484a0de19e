#include "report/customer_view.h"

#include <fmt/core.h>

#include <algorithm>

#include "core/money.h"
#include "core/vocabulary.h"

namespace winback::report {

std::string FormatMinorWithCode(std::int64_t minor, const std::string& code) {
  Result<Currency> c = Currency::FromCode(code);
  if (!c.ok()) return std::to_string(minor);
  return FormatMinorUnits(minor, *c) + " " + code;
}

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

  for (std::size_t i = 0; i < v.orders.size(); ++i) {
    const store::OrderRecord& o = v.orders[i];
    TimelineEntry e{
        TimelineEntry::Kind::kOrder, i, o.placed_at, o.utc_offset_minutes, "order", o.id, ""};
    e.detail = fmt::format("{} {}", FormatMinorWithCode(o.amount_minor, o.currency),
                           OrderStatusName(o.status));
    for (const store::OrderItem& it : o.items) {
      e.detail += fmt::format(" | {} x{}", it.sku, it.quantity);
    }
    v.timeline.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < v.events.size(); ++i) {
    const store::EventRecord& ev = v.events[i];
    TimelineEntry e{TimelineEntry::Kind::kEvent,         i,     ev.at, ev.utc_offset_minutes,
                    std::string(EventTypeName(ev.type)), ev.id, ""};
    std::vector<std::string> parts;
    if (!ev.channel.empty()) parts.push_back("channel=" + ev.channel);
    if (!ev.reason.empty()) parts.push_back("reason=" + ev.reason);
    if (ev.score) parts.push_back("score=" + std::to_string(*ev.score));
    if (ev.value_minor)
      parts.push_back("value=" + FormatMinorWithCode(*ev.value_minor, ev.currency));
    if (!ev.ref.empty()) parts.push_back("ref=" + ev.ref);
    if (!ev.text.empty()) parts.push_back("\"" + ev.text + "\"");
    for (const auto& part : parts) e.detail += (e.detail.empty() ? "" : " ") + part;
    v.timeline.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < v.messages.size(); ++i) {
    const store::OutboxMessage& m = v.messages[i];
    TimelineEntry e{TimelineEntry::Kind::kMessage,
                    i,
                    m.sent_at.value_or(m.scheduled_at),
                    m.utc_offset_minutes,
                    "message",
                    m.key,
                    ""};
    e.detail = fmt::format("{} {} via {}{}", m.campaign, m.step, ChannelKindName(m.channel),
                           m.variant.empty() ? "" : " (" + m.variant + ")");
    e.detail += fmt::format(" {}", store::MessageStatusName(m.status));
    if (!m.offer.empty()) e.detail += " offer=" + m.offer;
    if (!m.coupon.empty()) e.detail += " coupon=" + m.coupon;
    if (!m.detail.empty()) e.detail += " (" + m.detail + ")";
    v.timeline.push_back(std::move(e));
  }
  std::stable_sort(v.timeline.begin(), v.timeline.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.at < b.at; });

  WINBACK_ASSIGN_OR_RETURN(std::vector<Date> score_dates, store.ScoreDates());
  if (!score_dates.empty()) {
    v.score_date = score_dates.back();
    WINBACK_ASSIGN_OR_RETURN(v.score, store.LoadScore(*v.score_date, v.profile.key));
  }
  return v;
}

}  // namespace winback::report
