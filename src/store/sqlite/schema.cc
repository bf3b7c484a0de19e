#include "store/sqlite/schema.h"

#include <string>
#include <vector>

#include "store/sqlite/sqlite_scores.h"

namespace winback::store::sqlite {
namespace {

// Times are INTEGER microseconds since 1970-01-01T00:00:00Z; dates are INTEGER days since
// 1970-01-01; money is INTEGER minor units beside an ISO 4217 code; enums are small INTEGERs
// (store/records.h). `batch` is the import that last wrote a row. Every table carries the
// customer key `cid`, the future distribution key for a sharded PostgreSQL store.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE customers (
  cid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  email TEXT, phone TEXT, first_name TEXT, last_name TEXT,
  birth_date INTEGER, birth_year INTEGER, gender TEXT, education TEXT,
  country TEXT, region TEXT, city TEXT, time_zone TEXT, language TEXT,
  signup_at INTEGER, preferred_channel TEXT, referred_by TEXT,
  batch INTEGER NOT NULL
);
CREATE TABLE consents (
  cid INTEGER NOT NULL,
  channel INTEGER NOT NULL,
  state INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  PRIMARY KEY (cid, channel)
) WITHOUT ROWID;
CREATE TABLE orders (
  oid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  cid INTEGER NOT NULL,
  placed_at INTEGER NOT NULL,
  utc_offset INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status INTEGER NOT NULL,
  items_hash INTEGER NOT NULL,
  batch INTEGER NOT NULL
);
CREATE TABLE order_items (
  oid INTEGER NOT NULL,
  line INTEGER NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  price INTEGER NOT NULL,
  PRIMARY KEY (oid, line)
) WITHOUT ROWID;
CREATE TABLE events (
  eid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  cid INTEGER NOT NULL,
  type INTEGER NOT NULL,
  at INTEGER NOT NULL,
  utc_offset INTEGER NOT NULL,
  channel TEXT, reason TEXT, score INTEGER, value INTEGER, currency TEXT,
  ref TEXT, text TEXT, properties TEXT,
  batch INTEGER NOT NULL
);
-- The indexes of orders and events are created from BulkIndexes() below.
CREATE TABLE imports (
  batch INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  customers_written INTEGER NOT NULL DEFAULT 0,
  orders_written INTEGER NOT NULL DEFAULT 0,
  events_written INTEGER NOT NULL DEFAULT 0
);
)sql";

// Version 2: per-customer aggregates, backfilled from the rows already stored (by migration 5,
// which rebuilds the table).
constexpr const char* kMigration2 = R"sql(
CREATE TABLE customer_aggregates (
  cid INTEGER PRIMARY KEY,
  first_order_at INTEGER, last_order_at INTEGER,
  orders INTEGER NOT NULL, refunded_orders INTEGER NOT NULL, cancelled_orders INTEGER NOT NULL,
  purchase_days INTEGER NOT NULL,
  revenue INTEGER NOT NULL, currency TEXT, other_currency_orders INTEGER NOT NULL,
  last_email_engagement_at INTEGER, last_sms_engagement_at INTEGER,
  last_whatsapp_engagement_at INTEGER,
  last_visit_at INTEGER, last_chat_at INTEGER,
  complaints INTEGER NOT NULL, last_complaint_at INTEGER,
  tickets_opened INTEGER NOT NULL, tickets_satisfied INTEGER NOT NULL,
  tickets_unsatisfied INTEGER NOT NULL,
  referrals INTEGER NOT NULL, reviews INTEGER NOT NULL, review_score_sum INTEGER NOT NULL,
  carts_abandoned INTEGER NOT NULL, last_cart_abandoned_at INTEGER,
  payment_defaults INTEGER NOT NULL, feature_requests INTEGER NOT NULL,
  exit_reason TEXT, exit_at INTEGER,
  unsubscribed_channels INTEGER NOT NULL, bounced_channels INTEGER NOT NULL
);
)sql";

// Version 3: per-customer scores by as_of date (days since the epoch), kept for every date so
// that runs can be compared. Money in minor units of `currency`; times in days.
constexpr const char* kMigration3 = R"sql(
CREATE TABLE customer_scores (
  as_of INTEGER NOT NULL,
  cid INTEGER NOT NULL,
  recency_days INTEGER, frequency INTEGER NOT NULL,
  monetary_total INTEGER NOT NULL, monetary_mean INTEGER NOT NULL, currency TEXT,
  tenure_days INTEGER,
  r INTEGER NOT NULL, f INTEGER NOT NULL, m INTEGER NOT NULL,
  segment TEXT, grp TEXT, lifecycle TEXT,
  inactive INTEGER NOT NULL, inactive_rules TEXT,
  readiness REAL NOT NULL, readiness_reasons TEXT, let_go TEXT,
  p_alive REAL, expected_purchases_90d REAL, expected_value REAL, clv_12m REAL, churn_risk REAL,
  PRIMARY KEY (as_of, cid)
) WITHOUT ROWID;
)sql";

// Version 4: (1) customer_aggregates.last_activity_at, the latest order or event of the
// customer: scoring as of a date on or after it reads the aggregates instead of the streams;
// (2) scores stored per run in chunks of 1024 customers (sqlite_scores.h): writing a million
// scores as a million rows took 10 s, as a thousand chunks well under one. The v3 scores are
// converted by ConvertV3Scores, which then drops customer_scores.
constexpr const char* kMigration4 = R"sql(
ALTER TABLE customer_aggregates ADD COLUMN last_activity_at INTEGER;
CREATE TABLE score_runs (
  as_of INTEGER PRIMARY KEY,
  customers INTEGER NOT NULL,
  labels BLOB NOT NULL
);
CREATE TABLE score_chunks (
  as_of INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (as_of, chunk)
);
)sql";

// Version 5: customer_aggregates.scoring, the fields scoring reads packed in one BLOB
// (aggregate_codec.h), so that a scan decodes one column per customer instead of 23. The table
// is rebuilt with `scoring` right after the key, because SQLite reaches a column by walking the
// record header of every column before it (the 34th column cost a sixth of the scan), and
// backfilled like every aggregate change. Every column is written by name (WriteAggregates).
constexpr const char* kMigration5 = R"sql(
DROP TABLE customer_aggregates;
CREATE TABLE customer_aggregates (
  cid INTEGER PRIMARY KEY,
  scoring BLOB NOT NULL,
  first_order_at INTEGER, last_order_at INTEGER,
  orders INTEGER NOT NULL, refunded_orders INTEGER NOT NULL, cancelled_orders INTEGER NOT NULL,
  purchase_days INTEGER NOT NULL,
  revenue INTEGER NOT NULL, currency TEXT, other_currency_orders INTEGER NOT NULL,
  last_email_engagement_at INTEGER, last_sms_engagement_at INTEGER,
  last_whatsapp_engagement_at INTEGER,
  last_visit_at INTEGER, last_chat_at INTEGER,
  complaints INTEGER NOT NULL, last_complaint_at INTEGER,
  tickets_opened INTEGER NOT NULL, tickets_satisfied INTEGER NOT NULL,
  tickets_unsatisfied INTEGER NOT NULL,
  referrals INTEGER NOT NULL, reviews INTEGER NOT NULL, review_score_sum INTEGER NOT NULL,
  carts_abandoned INTEGER NOT NULL, last_cart_abandoned_at INTEGER,
  payment_defaults INTEGER NOT NULL, feature_requests INTEGER NOT NULL,
  exit_reason TEXT, exit_at INTEGER,
  unsubscribed_channels INTEGER NOT NULL, bounced_channels INTEGER NOT NULL,
  last_activity_at INTEGER
);
)sql";

// Version 6: the action half's state (store/outbox_store.h). `outbox` holds every message the
// planner made, one row per idempotency key; `journeys` where each customer stands in each
// campaign. Enums are their numbers (MessageStatus, ChannelKind, JourneyState), instants unix
// microseconds, optional instants NULL, absent strings ''. The sender's claim is (status 1 =
// sending, claim_owner, lease_until); in_flight is 1 from the commit before a message is handed
// to a channel until its outcome is recorded. The indexes serve the sender: outbox_due (the
// claim query: planned and retry rows by due time; only those rows are in it, so sent messages
// cost the claim nothing), outbox_claims (recovery and the owners of the sending rows), and
// the planner (outbox_by_customer). outbox_by_coupon makes a coupon code unique when there is
// one. The journeys key is (campaign, cid, occurrence), stored customer first: ForEachJourney
// reads in that order and a sharded backend distributes by cid.
constexpr const char* kMigration6 = R"sql(
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  cid INTEGER NOT NULL,
  campaign TEXT NOT NULL,
  step TEXT NOT NULL,
  occurrence INTEGER NOT NULL,
  variant TEXT NOT NULL,
  channel INTEGER NOT NULL,
  channel_reason TEXT NOT NULL,
  status INTEGER NOT NULL,
  planned_at INTEGER NOT NULL,
  scheduled_at INTEGER NOT NULL,
  utc_offset INTEGER NOT NULL,
  language TEXT NOT NULL,
  offer TEXT NOT NULL,
  coupon TEXT NOT NULL,
  coupon_expires_at INTEGER,
  offer_cost INTEGER NOT NULL,
  currency TEXT NOT NULL,
  address TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  body_html TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER,
  detail TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  sent_at INTEGER,
  in_flight INTEGER NOT NULL,
  claim_owner TEXT NOT NULL,
  lease_until INTEGER
);
CREATE UNIQUE INDEX outbox_by_coupon ON outbox (coupon) WHERE coupon <> '';
CREATE INDEX outbox_due ON outbox (scheduled_at, id) WHERE status IN (0, 3);
CREATE INDEX outbox_claims ON outbox (claim_owner, lease_until) WHERE status = 1;
CREATE INDEX outbox_by_customer ON outbox (cid);
CREATE TABLE journeys (
  cid INTEGER NOT NULL,
  campaign TEXT NOT NULL,
  occurrence INTEGER NOT NULL,
  state INTEGER NOT NULL,
  holdout INTEGER NOT NULL,
  entered_at INTEGER NOT NULL,
  next_step INTEGER NOT NULL,
  next_due_at INTEGER,
  exited_at INTEGER,
  exit_reason TEXT NOT NULL,
  trigger_ref TEXT NOT NULL,
  PRIMARY KEY (cid, campaign, occurrence)
) WITHOUT ROWID;
)sql";

// Version 7: products and coupon redemptions. `orders.coupon` is the coupon code an order
// redeemed (NULL when none; the import writes it only when the file states the column), found
// by the bulk index orders_by_coupon (created below from BulkIndexes), which holds only the
// orders with a coupon. `products` is the catalogue by sku; a product import replaces whole
// rows. Money as everywhere: `price` in minor units of `currency`, both NULL when absent.
constexpr const char* kMigration7 = R"sql(
ALTER TABLE orders ADD COLUMN coupon TEXT;
CREATE TABLE products (
  sku TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT,
  price INTEGER,
  currency TEXT,
  launched_at INTEGER,
  url TEXT,
  image_url TEXT,
  batch INTEGER NOT NULL
) WITHOUT ROWID;
ALTER TABLE imports ADD COLUMN products_written INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 8: tracking events by message. The bulk index events_by_ref (created below from
// BulkIndexes) holds the events that carry a ref, by ref: an event about an outbox message
// carries its key, so a campaign's tracking events are one range of it.
constexpr const char* kMigration8 = "SELECT 1;";

// Version 9: the kinds of message each customer opted out of (store/customer_reader.h:
// KindOptOut), one row per (customer, kind) with the time of the opt-out in unix microseconds;
// `kind` is MessageKind's number. A table of its own, so that imports (which write customers and
// consents) never touch it.
constexpr const char* kMigration9 = R"sql(
CREATE TABLE kind_optouts (
  cid INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (cid, kind)
) WITHOUT ROWID;
)sql";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kAll = {
      {kMigration1, false, nullptr}, {kMigration2, false, nullptr},
      {kMigration3, false, nullptr}, {kMigration4, false, ConvertV3Scores},
      {kMigration5, true, nullptr},  {kMigration6, false, nullptr},
      {kMigration7, false, nullptr}, {kMigration8, false, nullptr},
      {kMigration9, false, nullptr}};
  return kAll;
}

// The secondary indexes of the bulk-loadable tables. They are dropped while an import fills an
// empty table and built once at the end: building an index from sorted keys is several times
// faster than inserting a million random keys one by one. orders_by_customer and
// events_by_customer cover the columns the aggregates read, so RecomputeAggregates never
// touches the tables themselves.
const std::vector<BulkIndex>& BulkIndexes(std::string_view table) {
  static const std::vector<BulkIndex> kOrders = {
      {"orders_by_id", "CREATE UNIQUE INDEX orders_by_id ON orders (id)", 1},
      {"orders_by_customer",
       "CREATE INDEX orders_by_customer ON orders (cid, placed_at, utc_offset, amount, currency, "
       "status)",
       1},
      // Only orders with a coupon: redemptions are read by time (CouponRedemptions).
      {"orders_by_coupon",
       "CREATE INDEX orders_by_coupon ON orders (placed_at, coupon) WHERE coupon IS NOT NULL", 7}};
  static const std::vector<BulkIndex> kEvents = {
      {"events_by_id", "CREATE UNIQUE INDEX events_by_id ON events (id)", 1},
      {"events_by_customer",
       "CREATE INDEX events_by_customer ON events (cid, at, type, channel, reason, score)", 1},
      // Only events with a ref: tracking events by message (ForEachCampaignMessageEvent).
      {"events_by_ref", "CREATE INDEX events_by_ref ON events (ref, at) WHERE ref IS NOT NULL", 8}};
  static const std::vector<BulkIndex> kNone;
  if (table == "orders") return kOrders;
  if (table == "events") return kEvents;
  return kNone;
}

Status CreateBulkIndexes(Database& db, std::string_view table, int only_version) {
  for (const BulkIndex& index : BulkIndexes(table)) {
    if (only_version != 0 && index.version != only_version) continue;
    WINBACK_RETURN_IF_ERROR(db.Exec(index.create_sql));
  }
  return Status::Ok();
}

Status DropBulkIndexes(Database& db, std::string_view table) {
  for (const BulkIndex& index : BulkIndexes(table)) {
    WINBACK_RETURN_IF_ERROR(db.Exec(std::string("DROP INDEX ") + index.name));
  }
  return Status::Ok();
}

}  // namespace winback::store::sqlite
