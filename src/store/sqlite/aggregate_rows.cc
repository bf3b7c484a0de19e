#include "store/sqlite/aggregate_rows.h"

#include <string>

namespace winback::store::sqlite {

const char* const kSelectAggregates =
    "SELECT cid, first_order_at, last_order_at, orders, refunded_orders, cancelled_orders, "
    "purchase_days, revenue, currency, other_currency_orders, last_email_engagement_at, "
    "last_sms_engagement_at, last_whatsapp_engagement_at, last_visit_at, last_chat_at, "
    "complaints, last_complaint_at, tickets_opened, tickets_satisfied, tickets_unsatisfied, "
    "referrals, reviews, review_score_sum, carts_abandoned, last_cart_abandoned_at, "
    "payment_defaults, feature_requests, exit_reason, exit_at, unsubscribed_channels, "
    "bounced_channels, last_activity_at FROM customer_aggregates";

CustomerAggregates ReadAggregates(const Statement& s) {
  CustomerAggregates a;
  int i = 0;
  a.key = CustomerKey(s.ColumnInt(i++));
  a.first_order_at = OptionalInstant(s.ColumnOptionalInt(i++));
  a.last_order_at = OptionalInstant(s.ColumnOptionalInt(i++));
  a.orders = s.ColumnInt(i++);
  a.refunded_orders = s.ColumnInt(i++);
  a.cancelled_orders = s.ColumnInt(i++);
  a.purchase_days = s.ColumnInt(i++);
  a.revenue_minor = s.ColumnInt(i++);
  a.currency = s.ColumnText(i++);
  a.other_currency_orders = s.ColumnInt(i++);
  for (auto& t : a.last_engagement_at) t = OptionalInstant(s.ColumnOptionalInt(i++));
  a.last_visit_at = OptionalInstant(s.ColumnOptionalInt(i++));
  a.last_chat_at = OptionalInstant(s.ColumnOptionalInt(i++));
  a.complaints = s.ColumnInt(i++);
  a.last_complaint_at = OptionalInstant(s.ColumnOptionalInt(i++));
  a.tickets_opened = s.ColumnInt(i++);
  a.tickets_satisfied = s.ColumnInt(i++);
  a.tickets_unsatisfied = s.ColumnInt(i++);
  a.referrals = s.ColumnInt(i++);
  a.reviews = s.ColumnInt(i++);
  a.review_score_sum = s.ColumnInt(i++);
  a.carts_abandoned = s.ColumnInt(i++);
  a.last_cart_abandoned_at = OptionalInstant(s.ColumnOptionalInt(i++));
  a.payment_defaults = s.ColumnInt(i++);
  a.feature_requests = s.ColumnInt(i++);
  a.exit_reason = s.ColumnText(i++);
  a.exit_at = OptionalInstant(s.ColumnOptionalInt(i++));
  a.unsubscribed_channels = static_cast<std::uint32_t>(s.ColumnInt(i++));
  a.bounced_channels = static_cast<std::uint32_t>(s.ColumnInt(i++));
  a.last_activity_at = OptionalInstant(s.ColumnOptionalInt(i++));
  return a;
}

Result<CustomerAggregates> LoadAggregates(Database& db, CustomerKey key) {
  WINBACK_ASSIGN_OR_RETURN(Statement * cached,
                           db.Cached(std::string(kSelectAggregates) + " WHERE cid = ?"));
  StatementReset reset(*cached);
  Statement& s = *cached;
  s.BindInt(1, key.value());
  WINBACK_ASSIGN_OR_RETURN(bool r, s.Step());
  if (!r) {
    CustomerAggregates empty;
    empty.key = key;
    return empty;
  }
  return ReadAggregates(s);
}

}  // namespace winback::store::sqlite
