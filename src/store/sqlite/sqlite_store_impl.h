#pragma once

// The SQLite backend's Store (store.h), declared here so that its roles can live in files of
// their own: sqlite_store.cc (writes: imports, units of work, scores), sqlite_customer_reads.cc
// (CustomerReader), sqlite_scans.cc (Scanner), sqlite_outbox.cc (OutboxStore), sqlite_products.cc
// (ProductReader, and the product and coupon scans). Opened by
// OpenSqliteStore (sqlite_open.cc).

#include <memory>
#include <string>

#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/wal_checkpointer.h"
#include "store/store.h"

namespace winback::store::sqlite {

class SqliteStore final : public Store {
 public:
  // `db` is open on a winback store of the current schema version.
  explicit SqliteStore(Database db) : db_(std::move(db)), read_only_(db_.read_only()) {}
  // With `checkpointer` started on `db` (wal_checkpointer.h): destroyed before db_ closes.
  SqliteStore(Database db, std::unique_ptr<WalCheckpointer> checkpointer)
      : db_(std::move(db)), read_only_(db_.read_only()), checkpointer_(std::move(checkpointer)) {}

  int schema_version() const override;
  bool read_only() const override { return read_only_; }

  // ImportStore, WriteStore (sqlite_store.cc).
  Result<std::unique_ptr<ImportSession>> BeginImport(std::string_view description) override;
  Result<std::unique_ptr<WriteTransaction>> BeginWrite() override;

  // CustomerReader (sqlite_customer_reads.cc).
  Result<CustomerProfile> LoadCustomer(std::string_view id) override;
  Result<CustomerProfile> LoadCustomerByKey(CustomerKey key) override;
  Status ForEachCustomerInRange(
      KeyRange range, const std::function<Status(CustomerKey, const CustomerRecord&)>& fn) override;
  Result<std::vector<OrderRecord>> LoadOrders(CustomerKey customer) override;
  Result<std::vector<EventRecord>> LoadEvents(CustomerKey customer) override;
  Result<std::vector<std::string>> CustomerIds() override;
  Status ForEachConsent(const std::function<Status(const ConsentEntry&)>& fn) override;
  Result<std::optional<CustomerKey>> FindCustomerByPhone(std::string_view phone) override;
  Result<std::vector<std::optional<CustomerKey>>> FindCustomerKeys(
      std::span<const std::string_view> ids) override;
  Result<std::vector<bool>> HasEvents(std::span<const std::string_view> ids) override;
  Result<std::vector<KindOptOut>> LoadKindOptOuts(CustomerKey key) override;
  Status ForEachKindOptOut(const std::function<Status(const KindOptOut&)>& fn) override;

  // Scanner (sqlite_scans.cc).
  Result<StoreStats> Stats() override;
  Result<TimeRange> OrderTimeRange() override;
  Result<std::int64_t> CustomerKeyLimit() override;
  Status ForEachAggregates(const std::function<Status(const CustomerAggregates&)>& fn) override;
  Status ForEachAggregatesInRange(
      KeyRange range, AggregateFields fields,
      const std::function<Status(const CustomerAggregates&)>& fn) override;
  Status ForEachCustomerOrders(
      const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) override;
  Status ForEachCustomerOrdersInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) override;
  Status ForEachCustomerEvents(
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) override;
  Status ForEachCustomerEventsInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) override;
  Status ForEachCustomerEventsOfTypes(
      std::span<const EventType> types,
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) override;
  Status ForEachCompletedOrderTimesInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) override;
  Status CompletedOrderTimes(
      std::span<const CustomerKey> keys, Instant from, Instant to,
      const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) override;
  Status ForEachCustomerOrderItemsInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const OrderItemPoint>)>& fn) override;
  Result<std::vector<CouponRedemption>> CouponRedemptions(Instant from, Instant to) override;
  Status ForEachCampaignMessageEvent(std::string_view campaign,
                                     const std::function<Status(const MessageEvent&)>& fn) override;

  // ProductReader (sqlite_products.cc).
  Result<std::vector<ProductRecord>> LoadProducts() override;

  // ScoreStore (sqlite_store.cc; the work is in sqlite_scores.cc).
  Result<std::unique_ptr<ScoreWriter>> BeginScores(Date as_of) override;
  Result<std::vector<Date>> ScoreDates() override;
  Status ForEachScore(Date as_of, const std::function<Status(const CustomerScore&)>& fn) override;
  Result<std::optional<CustomerScore>> LoadScore(Date as_of, CustomerKey key) override;

  // OutboxStore (sqlite_outbox.cc).
  Status ForEachJourney(const std::function<Status(const Journey&)>& fn) override;
  Result<std::vector<Journey>> LoadJourneys(CustomerKey customer) override;
  Status ForEachMessage(const MessageFilter& filter,
                        const std::function<Status(const OutboxMessage&)>& fn) override;
  Status ForEachMessageSchedule(
      const std::function<Status(CustomerKey, Instant, MessageStatus)>& fn) override;
  Result<std::vector<OutboxMessage>> ClaimDue(const ClaimRequest& request) override;
  Status MarkInFlight(std::int64_t id, std::string_view owner, Instant lease_until) override;
  Status RecordOutcome(std::int64_t id, std::string_view owner,
                       const DeliveryRecord& record) override;
  Result<std::int64_t> RecoverClaims(std::optional<std::string_view> owner,
                                     Instant expired_before) override;
  Result<std::vector<std::string>> ClaimOwners() override;
  Status CancelMessage(std::int64_t id, std::string_view reason) override;
  Status Defer(std::int64_t id, std::string_view owner, Instant scheduled_at) override;
  Result<std::int64_t> RequeueUnknown(Instant now) override;
  Result<std::vector<std::int64_t>> CountByStatus() override;
  Result<OutboxMessage> LoadMessage(std::string_view key) override;
  Result<std::optional<OutboxMessage>> FindMessageByProviderId(
      ChannelKind channel, std::string_view provider_id) override;
  Result<bool> RecordDeliveryReport(std::int64_t id, MessageStatus status,
                                    std::string_view detail) override;

 private:
  // OK when this store may start a write: FailedPrecondition when it is read-only or already
  // has one open.
  Status CheckCanWrite(std::string_view what);
  // Runs `body` in a write transaction of its own (BEGIN IMMEDIATE, waiting up to the busy
  // timeout for another connection's write lock, then COMMIT), after CheckCanWrite(what); rolls
  // back when `body` or the commit fails. For the OutboxStore writes, which commit before they
  // return.
  Status WriteNow(std::string_view what, const std::function<Status()>& body);
  // The events of the customers in `range`, with `filter` (SQL after the key range) applied.
  Status StreamEvents(KeyRange range, std::string_view filter,
                      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn);

  Database db_;
  const bool read_only_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // After db_: destroyed first.
};

}  // namespace winback::store::sqlite
