#include "store/sqlite/outbox_rows.h"

#include <optional>

#include "store/sqlite/aggregate_rows.h"

namespace winback::store::sqlite {
namespace {

std::optional<std::int64_t> Micros(const std::optional<Instant>& t) {
  if (!t) return std::nullopt;
  return t->unix_micros();
}

}  // namespace

const char* const kInsertMessage =
    "INSERT INTO outbox (key, cid, campaign, step, occurrence, variant, channel, channel_reason, "
    "status, planned_at, scheduled_at, utc_offset, language, offer, coupon, coupon_expires_at, "
    "offer_cost, currency, address, subject, body_text, body_html, attempts, next_attempt_at, "
    "detail, provider_id, sent_at, in_flight, claim_owner, lease_until) VALUES (?1, ?2, ?3, ?4, "
    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, "
    "?24, ?25, ?26, ?27, ?28, ?29, ?30) ON CONFLICT (key) DO NOTHING";

const char* const kPutJourney =
    "INSERT OR REPLACE INTO journeys (cid, campaign, occurrence, state, holdout, entered_at, "
    "next_step, next_due_at, exited_at, exit_reason, trigger_ref) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9, ?10, ?11)";

void BindString(Statement& s, int index, std::string_view value) {
  s.BindText(index, value.empty() ? std::string_view("") : value);
}

void BindMessage(Statement& s, const OutboxMessage& m) {
  BindString(s, 1, m.key);
  s.BindInt(2, m.customer.value());
  BindString(s, 3, m.campaign);
  BindString(s, 4, m.step);
  s.BindInt(5, m.occurrence);
  BindString(s, 6, m.variant);
  s.BindInt(7, static_cast<std::int64_t>(m.channel));
  BindString(s, 8, m.channel_reason);
  s.BindInt(9, static_cast<std::int64_t>(m.status));
  s.BindInt(10, m.planned_at.unix_micros());
  s.BindInt(11, m.scheduled_at.unix_micros());
  s.BindInt(12, m.utc_offset_minutes);
  BindString(s, 13, m.language);
  BindString(s, 14, m.offer);
  BindString(s, 15, m.coupon);
  s.BindOptionalInt(16, Micros(m.coupon_expires_at));
  s.BindInt(17, m.offer_cost_minor);
  BindString(s, 18, m.currency);
  BindString(s, 19, m.address);
  BindString(s, 20, m.subject);
  BindString(s, 21, m.body_text);
  BindString(s, 22, m.body_html);
  s.BindInt(23, m.attempts);
  s.BindOptionalInt(24, Micros(m.next_attempt_at));
  BindString(s, 25, m.detail);
  BindString(s, 26, m.provider_id);
  s.BindOptionalInt(27, Micros(m.sent_at));
  s.BindInt(28, m.in_flight ? 1 : 0);
  BindString(s, 29, m.claim_owner);
  s.BindOptionalInt(30, Micros(m.lease_until));
}

OutboxMessage ReadMessage(const Statement& s) {
  OutboxMessage m;
  m.id = s.ColumnInt(0);
  m.key = s.ColumnText(1);
  m.customer = CustomerKey(s.ColumnInt(2));
  m.campaign = s.ColumnText(3);
  m.step = s.ColumnText(4);
  m.occurrence = static_cast<std::int32_t>(s.ColumnInt(5));
  m.variant = s.ColumnText(6);
  m.channel = static_cast<ChannelKind>(s.ColumnInt(7));
  m.channel_reason = s.ColumnText(8);
  m.status = static_cast<MessageStatus>(s.ColumnInt(9));
  m.planned_at = Instant::FromUnixMicros(s.ColumnInt(10));
  m.scheduled_at = Instant::FromUnixMicros(s.ColumnInt(11));
  m.utc_offset_minutes = static_cast<std::int32_t>(s.ColumnInt(12));
  m.language = s.ColumnText(13);
  m.offer = s.ColumnText(14);
  m.coupon = s.ColumnText(15);
  m.coupon_expires_at = OptionalInstant(s.ColumnOptionalInt(16));
  m.offer_cost_minor = s.ColumnInt(17);
  m.currency = s.ColumnText(18);
  m.address = s.ColumnText(19);
  m.subject = s.ColumnText(20);
  m.body_text = s.ColumnText(21);
  m.body_html = s.ColumnText(22);
  m.attempts = static_cast<std::int32_t>(s.ColumnInt(23));
  m.next_attempt_at = OptionalInstant(s.ColumnOptionalInt(24));
  m.detail = s.ColumnText(25);
  m.provider_id = s.ColumnText(26);
  m.sent_at = OptionalInstant(s.ColumnOptionalInt(27));
  m.in_flight = s.ColumnInt(28) != 0;
  m.claim_owner = s.ColumnText(29);
  m.lease_until = OptionalInstant(s.ColumnOptionalInt(30));
  return m;
}

void BindJourney(Statement& s, const Journey& j) {
  s.BindInt(1, j.customer.value());
  BindString(s, 2, j.campaign);
  s.BindInt(3, j.occurrence);
  s.BindInt(4, static_cast<std::int64_t>(j.state));
  s.BindInt(5, j.holdout ? 1 : 0);
  s.BindInt(6, j.entered_at.unix_micros());
  s.BindInt(7, j.next_step);
  s.BindOptionalInt(8, Micros(j.next_due_at));
  s.BindOptionalInt(9, Micros(j.exited_at));
  BindString(s, 10, j.exit_reason);
  BindString(s, 11, j.trigger_ref);
}

Journey ReadJourney(const Statement& s) {
  Journey j;
  j.customer = CustomerKey(s.ColumnInt(0));
  j.campaign = s.ColumnText(1);
  j.occurrence = static_cast<std::int32_t>(s.ColumnInt(2));
  j.state = static_cast<JourneyState>(s.ColumnInt(3));
  j.holdout = s.ColumnInt(4) != 0;
  j.entered_at = Instant::FromUnixMicros(s.ColumnInt(5));
  j.next_step = static_cast<std::int32_t>(s.ColumnInt(6));
  j.next_due_at = OptionalInstant(s.ColumnOptionalInt(7));
  j.exited_at = OptionalInstant(s.ColumnOptionalInt(8));
  j.exit_reason = s.ColumnText(9);
  j.trigger_ref = s.ColumnText(10);
  return j;
}

}  // namespace winback::store::sqlite
