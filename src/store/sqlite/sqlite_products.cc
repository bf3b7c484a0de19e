// The product catalogue (ProductReader) and the coupon redemptions (Scanner) of the SQLite
// store.
#include <string>
#include <vector>

#include "store/sqlite/aggregate_rows.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace winback::store::sqlite {

Result<std::vector<ProductRecord>> SqliteStore::LoadProducts() {
  WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(R"sql(
    SELECT sku, name, category, price, currency, launched_at, url, image_url
    FROM products ORDER BY sku)sql"));
  std::vector<ProductRecord> out;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ProductRecord& p = out.emplace_back();
    p.sku = s.ColumnText(0);
    p.name = s.ColumnText(1);
    p.category = s.ColumnText(2);
    p.price_minor = s.ColumnOptionalInt(3);
    p.currency = s.ColumnText(4);
    p.launched_at = OptionalInstant(s.ColumnOptionalInt(5));
    p.url = s.ColumnText(6);
    p.image_url = s.ColumnText(7);
  }
  return out;
}

Result<std::vector<CouponRedemption>> SqliteStore::CouponRedemptions(Instant from, Instant to) {
  // "coupon IS NOT NULL" lets SQLite use the partial index orders_by_coupon.
  WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(R"sql(
    SELECT cid, coupon, id, placed_at, amount, currency
    FROM orders INDEXED BY orders_by_coupon
    WHERE coupon IS NOT NULL AND placed_at >= ?1 AND placed_at < ?2 AND status = ?3
    ORDER BY placed_at, id)sql"));
  s.BindInt(1, from.unix_micros());
  s.BindInt(2, to.unix_micros());
  s.BindInt(3, static_cast<std::int64_t>(OrderStatus::kCompleted));
  std::vector<CouponRedemption> out;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CouponRedemption& r = out.emplace_back();
    r.customer = CustomerKey(s.ColumnInt(0));
    r.coupon = s.ColumnText(1);
    r.order_id = s.ColumnText(2);
    r.placed_at = Instant::FromUnixMicros(s.ColumnInt(3));
    r.amount_minor = s.ColumnInt(4);
    r.currency = s.ColumnText(5);
  }
  return out;
}

Status SqliteStore::ForEachCampaignMessageEvent(
    std::string_view campaign, const std::function<Status(const MessageEvent&)>& fn) {
  if (campaign.empty() || campaign.find('/') != std::string_view::npos) {
    return InvalidArgumentError("campaign name '" + std::string(campaign) +
                                "': must be non-empty and hold no '/'");
  }
  // Keys of the campaign's messages are "CAMPAIGN/...": the refs in ["CAMPAIGN/", "CAMPAIGN0"),
  // '0' being the byte after '/' (BINARY collation compares bytes).
  const std::string low = std::string(campaign) + "/";
  const std::string high = std::string(campaign) + "0";
  WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(R"sql(
    SELECT ref, cid, type, at, channel FROM events INDEXED BY events_by_ref
    WHERE ref IS NOT NULL AND ref >= ?1 AND ref < ?2
    ORDER BY ref, at, eid)sql"));
  s.BindText(1, low);
  s.BindText(2, high);
  MessageEvent e;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    e.message = s.ColumnText(0);
    e.customer = CustomerKey(s.ColumnInt(1));
    e.type = static_cast<EventType>(s.ColumnInt(2));
    e.at = Instant::FromUnixMicros(s.ColumnInt(3));
    e.channel = s.IsNull(4) ? std::string() : std::string(s.ColumnText(4));
    WINBACK_RETURN_IF_ERROR(fn(e));
  }
  return Status::Ok();
}

}  // namespace winback::store::sqlite
