#include "report/customer_timeline.h"

#include <fmt/core.h>

#include <algorithm>

#include "core/money.h"
#include "core/vocabulary.h"

namespace winback::report {
namespace {

// "12.50 EUR"; the bare number for a code that is not ISO 4217.
std::string FormatMinorWithCode(std::int64_t minor, const std::string& code) {
  Result<Currency> c = Currency::FromCode(code);
  if (!c.ok()) return std::to_string(minor);
  return FormatMinorUnits(minor, *c) + " " + code;
}

}  // namespace

std::vector<TimelineEntry> CustomerTimeline(const CustomerView& v) {
  std::vector<TimelineEntry> timeline;
  for (std::size_t i = 0; i < v.orders.size(); ++i) {
    const store::OrderRecord& o = v.orders[i];
    TimelineEntry e{
        TimelineEntry::Kind::kOrder, i, o.placed_at, o.utc_offset_minutes, "order", o.id, ""};
    e.detail = fmt::format("{} {}", FormatMinorWithCode(o.amount_minor, o.currency),
                           OrderStatusName(o.status));
    for (const store::OrderItem& it : o.items) {
      e.detail += fmt::format(" | {} x{}", it.sku, it.quantity);
    }
    timeline.push_back(std::move(e));
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
    timeline.push_back(std::move(e));
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
    timeline.push_back(std::move(e));
  }
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.at < b.at; });

  return timeline;
}

}  // namespace winback::report
