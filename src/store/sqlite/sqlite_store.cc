#include "store/sqlite/sqlite_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <vector>

#include "store/sqlite/row_batch.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_scores.h"

namespace winback::store {
namespace {

using sqlite::Database;
using sqlite::RowBatch;
using sqlite::Statement;

std::optional<Instant> OptInstant(std::optional<std::int64_t> us) {
  if (!us) return std::nullopt;
  return Instant::FromUnixMicros(*us);
}

// Extends `range` to include the time `us` (microseconds).
void Widen(TimeRange& range, std::int64_t us) {
  const Instant t = Instant::FromUnixMicros(us);
  if (!range.first || t < *range.first) range.first = t;
  if (!range.last || t > *range.last) range.last = t;
}

std::optional<std::int64_t> OptMicros(std::optional<Instant> t) {
  return t ? std::optional<std::int64_t>(t->unix_micros()) : std::nullopt;
}

// Binds values to the parameters of a statement in order, from ?1, with RowBatch's interface:
// the column lists below serve both the row-by-row statements and the bulk batches.
class ParameterWriter {
 public:
  explicit ParameterWriter(Statement& s) : s_(s) {}
  void Int(std::int64_t v) { s_.BindInt(next_++, v); }
  void Text(std::string_view v) { s_.BindText(next_++, v); }  // Not copied.
  void TextOrNull(std::string_view v) { s_.BindTextOrNull(next_++, v); }
  void OptionalInt(std::optional<std::int64_t> v) { s_.BindOptionalInt(next_++, v); }

 private:
  Statement& s_;
  int next_ = 1;
};

// FNV-1a over the items, so an order's items take part in change detection without storing
// them twice. 0 means "no items".
std::int64_t ItemsHash(const std::vector<OrderItem>& items) {
  if (items.empty()) return 0;
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) {
      h ^= b[i];
      h *= 1099511628211ULL;
    }
  };
  for (const OrderItem& item : items) {
    const std::uint64_t len = item.sku.size();
    mix(&len, sizeof len);
    mix(item.sku.data(), item.sku.size());
    mix(&item.quantity, sizeof item.quantity);
    mix(&item.price_minor, sizeof item.price_minor);
  }
  const auto signed_h = static_cast<std::int64_t>(h);
  return signed_h == 0 ? 1 : signed_h;
}

// The columns of one record, in the order of the statements that write it: a customer's are
// id, email, phone, first_name, last_name, birth_date, birth_year, gender, education, country,
// region, city, time_zone, language, signup_at, preferred_channel, referred_by, batch.
template <typename Row>
void AddCustomerColumns(Row& row, const CustomerRecord& c, std::int64_t batch) {
  row.Text(c.id);
  row.TextOrNull(c.email);
  row.TextOrNull(c.phone);
  row.TextOrNull(c.first_name);
  row.TextOrNull(c.last_name);
  row.OptionalInt(c.birth_date ? std::optional<std::int64_t>(c.birth_date->days()) : std::nullopt);
  row.OptionalInt(c.birth_year);
  row.TextOrNull(c.gender);
  row.TextOrNull(c.education);
  row.TextOrNull(c.country);
  row.TextOrNull(c.region);
  row.TextOrNull(c.city);
  row.TextOrNull(c.time_zone);
  row.TextOrNull(c.language);
  row.OptionalInt(OptMicros(c.signup_at));
  row.TextOrNull(c.preferred_channel);
  row.TextOrNull(c.referred_by);
  row.Int(batch);
}

// id, cid, placed_at, utc_offset, amount, currency, status, items_hash, batch.
template <typename Row>
void AddOrderColumns(Row& row, CustomerKey customer, const OrderRecord& o, std::int64_t batch) {
  row.Text(o.id);
  row.Int(customer.value());
  row.Int(o.placed_at.unix_micros());
  row.Int(o.utc_offset_minutes);
  row.Int(o.amount_minor);
  row.Text(o.currency);
  row.Int(static_cast<std::int64_t>(o.status));
  row.Int(ItemsHash(o.items));
  row.Int(batch);
}

// id, cid, type, at, utc_offset, channel, reason, score, value, currency, ref, text,
// properties, batch.
template <typename Row>
void AddEventColumns(Row& row, CustomerKey customer, const EventRecord& e, std::int64_t batch) {
  row.Text(e.id);
  row.Int(customer.value());
  row.Int(static_cast<std::int64_t>(e.type));
  row.Int(e.at.unix_micros());
  row.Int(e.utc_offset_minutes);
  row.TextOrNull(e.channel);
  row.TextOrNull(e.reason);
  row.OptionalInt(e.score);
  row.OptionalInt(e.value_minor);
  row.TextOrNull(e.currency);
  row.TextOrNull(e.ref);
  row.TextOrNull(e.text);
  row.TextOrNull(e.properties);
  row.Int(batch);
}

class SqliteImportSession final : public ImportSession {
 public:
  SqliteImportSession(Database& db, std::int64_t batch) : db_(db), batch_(batch) {}

  ~SqliteImportSession() override {
    if (!finished_) db_.Exec("ROLLBACK").IgnoreError();  // Nothing of the import survives.
  }

  Status Prepare() {
    // An empty orders or events table is bulk loaded: its indexes go now and are built once in
    // Commit(), and rows are plain INSERTs in batches (the importer never writes one id twice
    // in a session; if a caller did, building the unique index fails and nothing is
    // committed). Otherwise rows go one statement each.
    WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> any_order,
                             db_.QueryInt("SELECT EXISTS (SELECT 1 FROM orders)"));
    WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> any_event,
                             db_.QueryInt("SELECT EXISTS (SELECT 1 FROM events)"));
    // Customers and their consents likewise, when both tables are empty (a first import): keys
    // are assigned here, rows go in batches, and the unique id index is kept (it is part of the
    // table), so a caller that wrote one id twice gets the constraint's error.
    WINBACK_ASSIGN_OR_RETURN(
        std::optional<std::int64_t> any_customer,
        db_.QueryInt("SELECT EXISTS (SELECT 1 FROM customers) OR EXISTS (SELECT 1 FROM consents)"));
    bulk_customers_ = any_customer.value_or(0) == 0;
    bulk_orders_ = any_order.value_or(0) == 0;
    bulk_events_ = any_event.value_or(0) == 0;
    if (bulk_orders_) WINBACK_RETURN_IF_ERROR(sqlite::DropBulkIndexes(db_, "orders"));
    if (bulk_events_) WINBACK_RETURN_IF_ERROR(sqlite::DropBulkIndexes(db_, "events"));
    // A customer already stored is found by id and updated by key only when a field differs
    // (one index seek and one row seek; an INSERT ... ON CONFLICT DO UPDATE probes the id
    // index, and its key then needs a lookup of its own).
    WINBACK_ASSIGN_OR_RETURN(update_customer_, db_.Prepare(R"sql(
      UPDATE customers SET email=?2, phone=?3, first_name=?4, last_name=?5, birth_date=?6,
        birth_year=?7, gender=?8, education=?9, country=?10, region=?11, city=?12,
        time_zone=?13, language=?14, signup_at=?15, preferred_channel=?16, referred_by=?17,
        batch=?18
      WHERE cid = ?19 AND (email IS NOT ?2 OR phone IS NOT ?3 OR first_name IS NOT ?4
        OR last_name IS NOT ?5 OR birth_date IS NOT ?6 OR birth_year IS NOT ?7
        OR gender IS NOT ?8 OR education IS NOT ?9 OR country IS NOT ?10 OR region IS NOT ?11
        OR city IS NOT ?12 OR time_zone IS NOT ?13 OR language IS NOT ?14
        OR signup_at IS NOT ?15 OR preferred_channel IS NOT ?16 OR referred_by IS NOT ?17))sql"));
    WINBACK_ASSIGN_OR_RETURN(insert_customer_, db_.Prepare(R"sql(
      INSERT INTO customers (id, email, phone, first_name, last_name, birth_date, birth_year,
        gender, education, country, region, city, time_zone, language, signup_at,
        preferred_channel, referred_by, batch)
      VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18))sql"));
    if (bulk_customers_) {
      WINBACK_ASSIGN_OR_RETURN(
          bulk_customer_insert_,
          db_.Prepare(
              "INSERT INTO customers (cid, id, email, phone, first_name, last_name, birth_date, "
              "birth_year, gender, education, country, region, city, time_zone, language, "
              "signup_at, preferred_channel, referred_by, batch) SELECT " +
              sqlite::RowBatchColumns(kCustomerColumns) + " FROM winback_rows(?1)"));
    }
    WINBACK_ASSIGN_OR_RETURN(find_customer_, db_.Prepare("SELECT cid FROM customers WHERE id = ?"));
    // Consents go in batches either way: nothing in a session reads them. ("WHERE true" lets
    // the parser tell the upsert's ON from a join's.)
    WINBACK_ASSIGN_OR_RETURN(
        consent_upsert_,
        db_.Prepare("INSERT INTO consents (cid, channel, state, batch) SELECT " +
                    sqlite::RowBatchColumns(kConsentColumns) +
                    " FROM winback_rows(?1) WHERE true ON CONFLICT (cid, channel) DO UPDATE SET "
                    "state = excluded.state, batch = excluded.batch "
                    "WHERE state IS NOT excluded.state"));
    if (!bulk_orders_) {
      WINBACK_ASSIGN_OR_RETURN(upsert_order_, db_.Prepare(R"sql(
        INSERT INTO orders (id, cid, placed_at, utc_offset, amount, currency, status, items_hash,
          batch)
        VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)
        ON CONFLICT (id) DO UPDATE SET cid=excluded.cid, placed_at=excluded.placed_at,
          utc_offset=excluded.utc_offset, amount=excluded.amount, currency=excluded.currency,
          status=excluded.status, items_hash=excluded.items_hash, batch=excluded.batch
        WHERE cid IS NOT excluded.cid OR placed_at IS NOT excluded.placed_at
          OR utc_offset IS NOT excluded.utc_offset OR amount IS NOT excluded.amount
          OR currency IS NOT excluded.currency OR status IS NOT excluded.status
          OR items_hash IS NOT excluded.items_hash)sql"));
      WINBACK_ASSIGN_OR_RETURN(find_order_, db_.Prepare("SELECT oid FROM orders WHERE id = ?"));
    } else {
      // Rows go in batches, one statement each (row_batch.h), with keys assigned here so
      // that items can name their order before it is written.
      WINBACK_ASSIGN_OR_RETURN(
          bulk_order_insert_,
          db_.Prepare(
              "INSERT INTO orders (oid, id, cid, placed_at, utc_offset, amount, currency, status, "
              "items_hash, batch) SELECT " +
              sqlite::RowBatchColumns(kOrderColumns) + " FROM winback_rows(?1)"));
      WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> max_oid,
                               db_.QueryInt("SELECT max(oid) FROM orders"));
      next_oid_ = max_oid.value_or(0) + 1;
    }
    WINBACK_ASSIGN_OR_RETURN(delete_items_, db_.Prepare("DELETE FROM order_items WHERE oid = ?"));
    WINBACK_ASSIGN_OR_RETURN(
        insert_item_,
        db_.Prepare(
            "INSERT INTO order_items (oid, line, sku, quantity, price) VALUES (?,?,?,?,?)"));
    if (!bulk_events_) {
      WINBACK_ASSIGN_OR_RETURN(upsert_event_, db_.Prepare(R"sql(
        INSERT INTO events (id, cid, type, at, utc_offset, channel, reason, score, value, currency,
          ref, text, properties, batch)
        VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)
        ON CONFLICT (id) DO UPDATE SET cid=excluded.cid, type=excluded.type, at=excluded.at,
          utc_offset=excluded.utc_offset, channel=excluded.channel, reason=excluded.reason,
          score=excluded.score, value=excluded.value, currency=excluded.currency,
          ref=excluded.ref, text=excluded.text, properties=excluded.properties,
          batch=excluded.batch
        WHERE cid IS NOT excluded.cid OR type IS NOT excluded.type OR at IS NOT excluded.at
          OR utc_offset IS NOT excluded.utc_offset OR channel IS NOT excluded.channel
          OR reason IS NOT excluded.reason OR score IS NOT excluded.score
          OR value IS NOT excluded.value OR currency IS NOT excluded.currency
          OR ref IS NOT excluded.ref OR text IS NOT excluded.text
          OR properties IS NOT excluded.properties)sql"));
    } else {
      WINBACK_ASSIGN_OR_RETURN(
          bulk_event_insert_,
          db_.Prepare(
              "INSERT INTO events (id, cid, type, at, utc_offset, channel, reason, score, value, "
              "currency, ref, text, properties, batch) SELECT " +
              sqlite::RowBatchColumns(kEventColumns) + " FROM winback_rows(?1)"));
    }
    return Status::Ok();
  }

  Result<CustomerKey> UpsertCustomer(const CustomerRecord& c) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    if (bulk_customers_) return AddBulkCustomer(c);
    WINBACK_ASSIGN_OR_RETURN(std::optional<CustomerKey> found, FindCustomer(c.id));
    Statement& s = found ? update_customer_ : insert_customer_;
    ParameterWriter p(s);
    AddCustomerColumns(p, c, batch_);
    if (found) s.BindInt(19, found->value());
    WINBACK_RETURN_IF_ERROR(s.Run());
    CustomerKey key;
    if (found) {
      key = *found;
      if (db_.changes() > 0) ++counts_.customers_written;
    } else {
      key = CustomerKey(db_.last_insert_rowid());
      ++counts_.customers_written;
      // A new customer needs its aggregates row; a stored one's aggregates do not read the
      // customers table.
      Touch(key.value());
    }
    WINBACK_RETURN_IF_ERROR(AddConsents(key.value(), c));
    return key;
  }

  // Batches the consents that `c` states (not kUnknown): they replace the stored ones; unstated
  // consents are left as they are.
  Status AddConsents(std::int64_t cid, const CustomerRecord& c) {
    for (int ch = 0; ch < kChannelKindCount; ++ch) {
      if (c.consent[ch] == Consent::kUnknown) continue;
      consents_batch_.Int(cid);
      consents_batch_.Int(ch);
      consents_batch_.Int(static_cast<std::int64_t>(c.consent[ch]));
      consents_batch_.Int(batch_);
    }
    if (consents_batch_.rows() >= kBulkBatchRows) {
      return sqlite::FlushRows(consent_upsert_, consents_batch_);
    }
    return Status::Ok();
  }

  // A new customer of a bulk load: it and its consents join the batches.
  Result<CustomerKey> AddBulkCustomer(const CustomerRecord& c) {
    const std::int64_t cid = next_cid_++;
    RowBatch& b = customers_batch_;
    b.Int(cid);
    AddCustomerColumns(b, c, batch_);
    ++counts_.customers_written;
    Touch(cid);
    if (b.rows() == kBulkBatchRows) WINBACK_RETURN_IF_ERROR(FlushCustomers());
    WINBACK_RETURN_IF_ERROR(AddConsents(cid, c));
    return CustomerKey(cid);
  }

  // Writes the batched customers and consents, so that statements reading them see them.
  Status FlushCustomers() {
    if (bulk_customers_) {
      Status s = sqlite::FlushRows(bulk_customer_insert_, customers_batch_);
      if (!s.ok() && s.message().find("UNIQUE constraint failed") != std::string::npos) {
        return InternalError("bulk load of customers: a customer id written twice in one import: " +
                             s.message());
      }
      WINBACK_RETURN_IF_ERROR(s);
    }
    return sqlite::FlushRows(consent_upsert_, consents_batch_);
  }

  Result<std::optional<CustomerKey>> FindCustomer(std::string_view id) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    // Only batched customers need writing first; consents are not read here, and outside a
    // bulk load this runs for every customer of the file.
    if (bulk_customers_) WINBACK_RETURN_IF_ERROR(FlushCustomers());
    find_customer_.BindText(1, id);
    WINBACK_ASSIGN_OR_RETURN(bool row, find_customer_.Step());
    std::optional<CustomerKey> out;
    if (row) out = CustomerKey(find_customer_.ColumnInt(0));
    find_customer_.Reset();
    return out;
  }

  Result<std::int64_t> CustomerCountBound() override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    WINBACK_RETURN_IF_ERROR(FlushCustomers());
    // cid is the rowid: max() reads one B-tree edge.
    WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> max_cid,
                             db_.QueryInt("SELECT max(cid) FROM customers"));
    return max_cid.value_or(0);
  }

  Status ForEachCustomer(
      const std::function<void(std::string_view id, CustomerKey key)>& fn) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    WINBACK_RETURN_IF_ERROR(FlushCustomers());
    WINBACK_ASSIGN_OR_RETURN(Statement all, db_.Prepare("SELECT id, cid FROM customers"));
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool row, all.Step());
      if (!row) return Status::Ok();
      fn(all.ColumnText(0), CustomerKey(all.ColumnInt(1)));
    }
  }

  Result<bool> UpsertOrder(CustomerKey customer, const OrderRecord& o) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    if (bulk_orders_) return AddBulkOrder(customer, o);
    Statement& s = upsert_order_;
    ParameterWriter p(s);
    AddOrderColumns(p, customer, o, batch_);
    WINBACK_ASSIGN_OR_RETURN(Write w, RunUpsert(s));
    if (!w.written) return false;
    ++counts_.orders_written;
    Touch(customer.value());
    std::int64_t oid = w.rowid;
    if (!w.inserted) {  // An update: find the row, and the old items go.
      find_order_.BindText(1, o.id);
      WINBACK_ASSIGN_OR_RETURN(bool found, find_order_.Step());
      if (!found) return InternalError("order '" + o.id + "' vanished during upsert");
      oid = find_order_.ColumnInt(0);
      find_order_.Reset();
      delete_items_.BindInt(1, oid);
      WINBACK_RETURN_IF_ERROR(delete_items_.Run());
    }
    WINBACK_RETURN_IF_ERROR(InsertItems(oid, o));
    return true;
  }

  // An eighth more than the hint: capacity not yet written takes address space, not memory,
  // while growing copies every order into a buffer twice as large (540 MB at 10M orders).
  void ExpectOrders(std::int64_t n) override {
    if (bulk_orders_ && n > 0) {
      bulk_orders_seen_.reserve(bulk_orders_seen_.size() + static_cast<std::size_t>(n + n / 8));
    }
  }

  // A new order of a bulk load: it joins the batch, its items are written now.
  Result<bool> AddBulkOrder(CustomerKey customer, const OrderRecord& o) {
    const std::int64_t oid = next_oid_++;
    orders_batch_.Int(oid);
    AddOrderColumns(orders_batch_, customer, o, batch_);
    ++counts_.orders_written;
    Touch(customer.value());
    if (o.currency.size() == 3) {
      sqlite::AggregateOrder& a = bulk_orders_seen_.emplace_back();
      a.cid = customer.value();
      a.placed_at_us = o.placed_at.unix_micros();
      a.amount_minor = o.amount_minor;
      a.utc_offset_minutes = o.utc_offset_minutes;
      a.status = static_cast<std::uint8_t>(o.status);
      o.currency.copy(a.currency, 3);
    } else {
      all_bulk_orders_seen_ = false;  // Cannot happen after validation; read them back then.
    }
    WINBACK_RETURN_IF_ERROR(InsertItems(oid, o));
    if (orders_batch_.rows() == kBulkBatchRows) {
      WINBACK_RETURN_IF_ERROR(sqlite::FlushRows(bulk_order_insert_, orders_batch_));
    }
    return true;
  }

  // Marks customer `cid` for the commit's aggregate recompute. Rows of one customer often come
  // together (a file sorted by customer), so a repeat of the last one is not stored again: at
  // 10M orders of 4.4M customers, half the vector.
  void Touch(std::int64_t cid) {
    if (touched_.empty() || touched_.back() != cid) touched_.push_back(cid);
  }

  Status InsertItems(std::int64_t oid, const OrderRecord& o) {
    for (std::size_t i = 0; i < o.items.size(); ++i) {
      insert_item_.BindInt(1, oid);
      insert_item_.BindInt(2, static_cast<std::int64_t>(i));
      insert_item_.BindText(3, o.items[i].sku);
      insert_item_.BindInt(4, o.items[i].quantity);
      insert_item_.BindInt(5, o.items[i].price_minor);
      WINBACK_RETURN_IF_ERROR(insert_item_.Run());
    }
    return Status::Ok();
  }

  Result<bool> UpsertEvent(CustomerKey customer, const EventRecord& e) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    if (bulk_events_) return AddBulkEvent(customer, e);
    Statement& s = upsert_event_;
    ParameterWriter p(s);
    AddEventColumns(p, customer, e, batch_);
    WINBACK_ASSIGN_OR_RETURN(Write w, RunUpsert(s));
    if (w.written) {
      ++counts_.events_written;
      Touch(customer.value());
    }
    return w.written;
  }

  Result<bool> AddBulkEvent(CustomerKey customer, const EventRecord& e) {
    RowBatch& b = events_batch_;
    AddEventColumns(b, customer, e, batch_);
    ++counts_.events_written;
    Touch(customer.value());
    if (b.rows() == kBulkBatchRows)
      WINBACK_RETURN_IF_ERROR(sqlite::FlushRows(bulk_event_insert_, b));
    return true;
  }

  Result<ImportCounts> Commit() override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    WINBACK_RETURN_IF_ERROR(FlushCustomers());
    if (bulk_orders_) WINBACK_RETURN_IF_ERROR(sqlite::FlushRows(bulk_order_insert_, orders_batch_));
    if (bulk_events_) WINBACK_RETURN_IF_ERROR(sqlite::FlushRows(bulk_event_insert_, events_batch_));
    for (auto [bulk, table] :
         {std::pair{bulk_orders_, "orders"}, std::pair{bulk_events_, "events"}}) {
      if (!bulk) continue;
      Status s = sqlite::CreateBulkIndexes(db_, table);
      if (!s.ok()) {
        return InternalError(
            std::string("rebuilding the ") + table +
            " indexes after a bulk load (an id written twice in one import?): " + s.message());
      }
    }
    {
      // Customers who lost an order or event to another customer (see the triggers of
      // BeginImport) changed too.
      WINBACK_ASSIGN_OR_RETURN(Statement moved, db_.Prepare("SELECT cid FROM temp.touched"));
      while (true) {
        WINBACK_ASSIGN_OR_RETURN(bool row, moved.Step());
        if (!row) break;
        Touch(moved.ColumnInt(0));
      }
    }
    WINBACK_RETURN_IF_ERROR(db_.Exec("DELETE FROM temp.touched"));
    std::sort(touched_.begin(), touched_.end());
    touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
    // A bulk load of orders saw every order of the customers it touched (the table was
    // empty): their aggregates need not read the orders back.
    std::optional<std::span<const sqlite::AggregateOrder>> known_orders;
    if (bulk_orders_ && all_bulk_orders_seen_) {
      std::sort(bulk_orders_seen_.begin(), bulk_orders_seen_.end(),
                [](const sqlite::AggregateOrder& a, const sqlite::AggregateOrder& b) {
                  return a.cid < b.cid;
                });
      known_orders = bulk_orders_seen_;
    }
    WINBACK_ASSIGN_OR_RETURN(counts_.aggregates_updated,
                             sqlite::RecomputeAggregates(db_, touched_, known_orders));
    WINBACK_ASSIGN_OR_RETURN(
        Statement log, db_.Prepare("UPDATE imports SET customers_written = ?, orders_written = ?, "
                                   "events_written = ? WHERE batch = ?"));
    log.BindInt(1, counts_.customers_written);
    log.BindInt(2, counts_.orders_written);
    log.BindInt(3, counts_.events_written);
    log.BindInt(4, batch_);
    WINBACK_RETURN_IF_ERROR(log.Run());
    WINBACK_RETURN_IF_ERROR(db_.Exec("COMMIT"));
    finished_ = true;
    return counts_;
  }

 private:
  // What an INSERT ... ON CONFLICT DO UPDATE ... WHERE <changed> did. RETURNING would say it
  // directly, but SQLite implements it with an ephemeral table per execution, which made bulk
  // imports ten times slower; changes() and last_insert_rowid() cost nothing.
  struct Write {
    bool written = false;   // A row was inserted or changed.
    bool inserted = false;  // It was a new row; `rowid` is its key.
    std::int64_t rowid = 0;
  };

  Result<Write> RunUpsert(Statement& s) {
    const std::int64_t rowid_before = db_.last_insert_rowid();
    WINBACK_RETURN_IF_ERROR(s.Run());
    Write w;
    w.written = db_.changes() > 0;
    const std::int64_t rowid_after = db_.last_insert_rowid();
    w.inserted = w.written && rowid_after != rowid_before;
    w.rowid = rowid_after;
    return w;
  }

  Status CheckOpen() const {
    if (finished_) return FailedPreconditionError("import session already committed");
    return Status::Ok();
  }

  Database& db_;
  const std::int64_t batch_;
  bool finished_ = false;
  bool bulk_customers_ = false;
  bool bulk_orders_ = false;
  bool bulk_events_ = false;
  ImportCounts counts_;
  // Customers whose aggregates the commit recomputes (Touch); sorted and made unique there.
  std::vector<std::int64_t> touched_;
  Statement update_customer_, insert_customer_, find_customer_, consent_upsert_, upsert_order_,
      find_order_, delete_items_, insert_item_, upsert_event_, bulk_customer_insert_,
      bulk_order_insert_, bulk_event_insert_;
  // Bulk loads: the rows not yet written, and the keys of the next customer and order.
  static constexpr int kCustomerColumns = 19;
  static constexpr int kConsentColumns = 4;
  static constexpr int kOrderColumns = 10;
  static constexpr int kEventColumns = 14;
  static constexpr std::size_t kBulkBatchRows = 4096;
  RowBatch customers_batch_{kCustomerColumns};
  RowBatch consents_batch_{kConsentColumns};
  RowBatch orders_batch_{kOrderColumns};
  RowBatch events_batch_{kEventColumns};
  std::int64_t next_cid_ = 1;
  std::int64_t next_oid_ = 1;
  // What the aggregates read of each bulk-loaded order (32 bytes an order).
  std::vector<sqlite::AggregateOrder> bulk_orders_seen_;
  bool all_bulk_orders_seen_ = true;
};

// Runs `s` (rows ordered by cid in column 0), groups consecutive rows of one customer with
// `read`, and hands each group to `fn`.
template <typename Point, typename Fn, typename Read>
Status StreamByCustomer(Statement& s, const Fn& fn, const Read& read) {
  std::vector<Point> group;
  std::int64_t current = 0;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    const std::int64_t cid = row ? s.ColumnInt(0) : -1;
    if (cid != current && !group.empty()) {
      WINBACK_RETURN_IF_ERROR(fn(CustomerKey(current), std::span<const Point>(group)));
      group.clear();
    }
    if (!row) break;
    current = cid;
    read(s, group.emplace_back());
  }
  return Status::Ok();
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Database db) : db_(std::move(db)) {}

  int schema_version() const override { return sqlite::kSchemaVersion; }

  Result<std::unique_ptr<ImportSession>> BeginImport(std::string_view description) override {
    WINBACK_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    auto session = [&]() -> Result<std::unique_ptr<ImportSession>> {
      WINBACK_RETURN_IF_ERROR(
          db_.Exec("CREATE TEMP TABLE IF NOT EXISTS touched (cid INTEGER PRIMARY KEY);"
                   "DELETE FROM temp.touched;"
                   // An order or event moved to another customer changes the old one too.
                   "CREATE TEMP TRIGGER IF NOT EXISTS orders_moved AFTER UPDATE OF cid ON "
                   "main.orders WHEN OLD.cid != NEW.cid BEGIN "
                   "INSERT OR IGNORE INTO touched VALUES (OLD.cid); END;"
                   "CREATE TEMP TRIGGER IF NOT EXISTS events_moved AFTER UPDATE OF cid ON "
                   "main.events WHEN OLD.cid != NEW.cid BEGIN "
                   "INSERT OR IGNORE INTO touched VALUES (OLD.cid); END;"));
      WINBACK_ASSIGN_OR_RETURN(Statement log,
                               db_.Prepare("INSERT INTO imports (description) VALUES (?)"));
      log.BindText(1, description);
      WINBACK_RETURN_IF_ERROR(log.Run());
      WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> batch,
                               db_.QueryInt("SELECT last_insert_rowid()"));
      auto s = std::make_unique<SqliteImportSession>(db_, batch.value_or(0));
      WINBACK_RETURN_IF_ERROR(s->Prepare());
      return std::unique_ptr<ImportSession>(std::move(s));
    }();
    if (!session.ok()) db_.Exec("ROLLBACK").IgnoreError();  // Report the original error.
    return session;
  }

  Result<StoreStats> Stats() override {
    StoreStats st;
    st.schema_version = sqlite::kSchemaVersion;
    auto count = [&](const char* sql) -> Result<std::int64_t> {
      WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> v, db_.QueryInt(sql));
      return v.value_or(0);
    };
    WINBACK_ASSIGN_OR_RETURN(st.customers, count("SELECT count(*) FROM customers"));
    WINBACK_ASSIGN_OR_RETURN(st.order_items, count("SELECT count(*) FROM order_items"));
    WINBACK_ASSIGN_OR_RETURN(st.consents_granted,
                             count("SELECT count(*) FROM consents WHERE state = 1"));
    WINBACK_ASSIGN_OR_RETURN(st.imports, count("SELECT count(*) FROM imports"));
    // One pass over each covering (cid, time) index, counting in C++: separate count, min and
    // max subqueries and a GROUP BY type (a sort of every event) took 14 s for 2.3M orders and
    // 7.4M events.
    WINBACK_ASSIGN_OR_RETURN(Statement orders, db_.Prepare("SELECT placed_at, status FROM orders "
                                                           "INDEXED BY orders_by_customer"));
    TimeRange order_times;
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool row, orders.Step());
      if (!row) break;
      ++st.orders;
      if (orders.ColumnInt(1) == static_cast<std::int64_t>(OrderStatus::kCompleted)) {
        ++st.completed_orders;
      }
      Widen(order_times, orders.ColumnInt(0));
    }
    st.first_order_at = order_times.first;
    st.last_order_at = order_times.last;
    WINBACK_ASSIGN_OR_RETURN(
        Statement events, db_.Prepare("SELECT at, type FROM events INDEXED BY events_by_customer"));
    TimeRange event_times;
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool row, events.Step());
      if (!row) break;
      ++st.events;
      const std::int64_t t = events.ColumnInt(1);
      if (t >= 0 && t < kEventTypeCount) ++st.events_by_type[t];
      Widen(event_times, events.ColumnInt(0));
    }
    st.first_event_at = event_times.first;
    st.last_event_at = event_times.last;
    return st;
  }

  Result<TimeRange> OrderTimeRange() override {
    WINBACK_ASSIGN_OR_RETURN(Statement s,
                             db_.Prepare("SELECT min(placed_at), max(placed_at) FROM orders "
                                         "INDEXED BY orders_by_customer"));
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    TimeRange range;
    if (row) {
      range.first = OptInstant(s.ColumnOptionalInt(0));
      range.last = OptInstant(s.ColumnOptionalInt(1));
    }
    return range;
  }

  Result<CustomerProfile> LoadCustomer(std::string_view id) override {
    WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(R"sql(
      SELECT cid, id, email, phone, first_name, last_name, birth_date, birth_year, gender,
        education, country, region, city, time_zone, language, signup_at, preferred_channel,
        referred_by FROM customers WHERE id = ?)sql"));
    s.BindText(1, id);
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NotFoundError("no customer with id '" + std::string(id) + "'");
    CustomerProfile p;
    p.key = CustomerKey(s.ColumnInt(0));
    CustomerRecord& c = p.record;
    c.id = s.ColumnText(1);
    c.email = s.ColumnText(2);
    c.phone = s.ColumnText(3);
    c.first_name = s.ColumnText(4);
    c.last_name = s.ColumnText(5);
    if (auto d = s.ColumnOptionalInt(6))
      c.birth_date = Date::FromDays(static_cast<std::int32_t>(*d));
    if (auto y = s.ColumnOptionalInt(7)) c.birth_year = static_cast<int>(*y);
    c.gender = s.ColumnText(8);
    c.education = s.ColumnText(9);
    c.country = s.ColumnText(10);
    c.region = s.ColumnText(11);
    c.city = s.ColumnText(12);
    c.time_zone = s.ColumnText(13);
    c.language = s.ColumnText(14);
    c.signup_at = OptInstant(s.ColumnOptionalInt(15));
    c.preferred_channel = s.ColumnText(16);
    c.referred_by = s.ColumnText(17);
    WINBACK_ASSIGN_OR_RETURN(Statement consents,
                             db_.Prepare("SELECT channel, state FROM consents WHERE cid = ?"));
    consents.BindInt(1, p.key.value());
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool r, consents.Step());
      if (!r) break;
      const std::int64_t ch = consents.ColumnInt(0);
      if (ch >= 0 && ch < kChannelKindCount)
        c.consent[ch] = static_cast<Consent>(consents.ColumnInt(1));
    }
    WINBACK_ASSIGN_OR_RETURN(p.aggregates, LoadAggregates(p.key));
    return p;
  }

  Result<std::vector<OrderRecord>> LoadOrders(CustomerKey customer) override {
    WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(R"sql(
      SELECT o.oid, o.id, c.id, o.placed_at, o.utc_offset, o.amount, o.currency, o.status
      FROM orders o JOIN customers c ON c.cid = o.cid
      WHERE o.cid = ? ORDER BY o.placed_at, o.oid)sql"));
    WINBACK_ASSIGN_OR_RETURN(
        Statement items,
        db_.Prepare("SELECT sku, quantity, price FROM order_items WHERE oid = ? ORDER BY line"));
    s.BindInt(1, customer.value());
    std::vector<OrderRecord> out;
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool r, s.Step());
      if (!r) break;
      OrderRecord o;
      o.id = s.ColumnText(1);
      o.customer_id = s.ColumnText(2);
      o.placed_at = Instant::FromUnixMicros(s.ColumnInt(3));
      o.utc_offset_minutes = static_cast<std::int32_t>(s.ColumnInt(4));
      o.amount_minor = s.ColumnInt(5);
      o.currency = s.ColumnText(6);
      o.status = static_cast<OrderStatus>(s.ColumnInt(7));
      items.BindInt(1, s.ColumnInt(0));
      while (true) {
        WINBACK_ASSIGN_OR_RETURN(bool ir, items.Step());
        if (!ir) break;
        o.items.push_back(
            {std::string(items.ColumnText(0)), items.ColumnInt(1), items.ColumnInt(2)});
      }
      items.Reset();
      out.push_back(std::move(o));
    }
    return out;
  }

  Result<std::vector<EventRecord>> LoadEvents(CustomerKey customer) override {
    WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(R"sql(
      SELECT e.id, c.id, e.type, e.at, e.utc_offset, e.channel, e.reason, e.score, e.value,
        e.currency, e.ref, e.text, e.properties
      FROM events e JOIN customers c ON c.cid = e.cid
      WHERE e.cid = ? ORDER BY e.at, e.eid)sql"));
    s.BindInt(1, customer.value());
    std::vector<EventRecord> out;
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool r, s.Step());
      if (!r) break;
      EventRecord e;
      e.id = s.ColumnText(0);
      e.customer_id = s.ColumnText(1);
      e.type = static_cast<EventType>(s.ColumnInt(2));
      e.at = Instant::FromUnixMicros(s.ColumnInt(3));
      e.utc_offset_minutes = static_cast<std::int32_t>(s.ColumnInt(4));
      e.channel = s.ColumnText(5);
      e.reason = s.ColumnText(6);
      e.score = s.ColumnOptionalInt(7);
      e.value_minor = s.ColumnOptionalInt(8);
      e.currency = s.ColumnText(9);
      e.ref = s.ColumnText(10);
      e.text = s.ColumnText(11);
      e.properties = s.ColumnText(12);
      out.push_back(std::move(e));
    }
    return out;
  }

  Status ForEachAggregates(const std::function<Status(const CustomerAggregates&)>& fn) override {
    return ForEachAggregatesInRange(KeyRange{}, AggregateFields::kAll, fn);
  }

  Status ForEachAggregatesInRange(
      KeyRange range, AggregateFields fields,
      const std::function<Status(const CustomerAggregates&)>& fn) override {
    if (fields != AggregateFields::kAll) {
      return sqlite::ForEachAggregateSubset(db_, range, fields, fn);  // sqlite_scores.cc
    }
    WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string(kSelectAggregates) +
                                                      " WHERE cid >= ? AND cid < ? ORDER BY cid"));
    s.BindInt(1, range.begin);
    s.BindInt(2, range.end);
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool r, s.Step());
      if (!r) break;
      WINBACK_RETURN_IF_ERROR(fn(ReadAggregates(s)));
    }
    return Status::Ok();
  }

  Status ForEachCustomerOrders(
      const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) override {
    return ForEachCustomerOrdersInRange(KeyRange{}, fn);
  }

  Status ForEachCustomerOrdersInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) override {
    sqlite::ScopedSmallCache cache(db_);  // one pass: the pages are not read again
    // Reads only the covering index orders_by_customer.
    WINBACK_ASSIGN_OR_RETURN(
        Statement s, db_.Prepare("SELECT cid, placed_at, utc_offset, amount, currency, status "
                                 "FROM orders INDEXED BY orders_by_customer "
                                 "WHERE cid >= ? AND cid < ? ORDER BY cid, placed_at"));
    s.BindInt(1, range.begin);
    s.BindInt(2, range.end);
    return StreamByCustomer<OrderPoint>(s, fn, [](const Statement& row, OrderPoint& o) {
      o.placed_at = Instant::FromUnixMicros(row.ColumnInt(1));
      o.utc_offset_minutes = static_cast<std::int32_t>(row.ColumnInt(2));
      o.amount_minor = row.ColumnInt(3);
      o.currency = row.ColumnText(4);
      o.status = static_cast<OrderStatus>(row.ColumnInt(5));
    });
  }

  Status ForEachCustomerEvents(
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) override {
    return ForEachCustomerEventsInRange(KeyRange{}, fn);
  }

  Status ForEachCustomerEventsInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) override {
    return StreamEvents(range, "", fn);
  }

  Status ForEachCustomerEventsOfTypes(
      std::span<const EventType> types,
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) override {
    if (types.empty()) return Status::Ok();
    std::string filter = " AND type IN (";
    for (std::size_t i = 0; i < types.size(); ++i) {
      if (i > 0) filter += ", ";
      filter += std::to_string(static_cast<int>(types[i]));
    }
    filter += ")";
    return StreamEvents(KeyRange{}, filter, fn);
  }

  // The events of the customers in `range`, with `filter` (SQL after the key range) applied.
  Status StreamEvents(KeyRange range, std::string_view filter,
                      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) {
    sqlite::ScopedSmallCache cache(db_);  // one pass: the pages are not read again
    WINBACK_ASSIGN_OR_RETURN(Statement s,
                             db_.Prepare("SELECT cid, at, type, channel, reason, score "
                                         "FROM events INDEXED BY events_by_customer "
                                         "WHERE cid >= ? AND cid < ?" +
                                         std::string(filter) + " ORDER BY cid, at"));
    s.BindInt(1, range.begin);
    s.BindInt(2, range.end);
    return StreamByCustomer<EventPoint>(s, fn, [](const Statement& row, EventPoint& e) {
      e.at = Instant::FromUnixMicros(row.ColumnInt(1));
      e.type = static_cast<EventType>(row.ColumnInt(2));
      e.channel = row.ColumnText(3);
      e.reason = row.ColumnText(4);
      e.score = row.ColumnOptionalInt(5);
    });
  }

  Result<std::vector<std::string>> CustomerIds() override {
    WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> max_cid,
                             db_.QueryInt("SELECT max(cid) FROM customers"));
    std::vector<std::string> ids(static_cast<std::size_t>(max_cid.value_or(0) + 1));
    WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT cid, id FROM customers"));
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ids[static_cast<std::size_t>(s.ColumnInt(0))] = s.ColumnText(1);
    }
    return ids;
  }

  // Scoring reads and scores live in sqlite_scores.cc.
  Result<std::int64_t> CustomerKeyLimit() override { return sqlite::CustomerKeyLimit(db_); }

  Status ForEachCompletedOrderTimesInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) override {
    return sqlite::ForEachCompletedOrderTimesInRange(db_, range, fn);
  }

  Status CompletedOrderTimes(
      std::span<const CustomerKey> keys, Instant from, Instant to,
      const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) override {
    return sqlite::CompletedOrderTimes(db_, keys, from, to, fn);
  }

  Result<std::unique_ptr<ScoreWriter>> BeginScores(Date as_of) override {
    return sqlite::BeginScores(db_, as_of);
  }

  Result<std::vector<Date>> ScoreDates() override { return sqlite::ScoreDates(db_); }

  Status ForEachScore(Date as_of, const std::function<Status(const CustomerScore&)>& fn) override {
    return sqlite::ForEachScore(db_, as_of, fn);
  }

  Result<std::optional<CustomerScore>> LoadScore(Date as_of, CustomerKey key) override {
    return sqlite::LoadScore(db_, as_of, key);
  }

 private:
  static constexpr const char* kSelectAggregates =
      "SELECT cid, first_order_at, last_order_at, orders, refunded_orders, cancelled_orders, "
      "purchase_days, revenue, currency, other_currency_orders, last_email_engagement_at, "
      "last_sms_engagement_at, last_whatsapp_engagement_at, last_visit_at, last_chat_at, "
      "complaints, last_complaint_at, tickets_opened, tickets_satisfied, tickets_unsatisfied, "
      "referrals, reviews, review_score_sum, carts_abandoned, last_cart_abandoned_at, "
      "payment_defaults, feature_requests, exit_reason, exit_at, unsubscribed_channels, "
      "bounced_channels, last_activity_at FROM customer_aggregates";

  static CustomerAggregates ReadAggregates(const Statement& s) {
    CustomerAggregates a;
    int i = 0;
    a.key = CustomerKey(s.ColumnInt(i++));
    a.first_order_at = OptInstant(s.ColumnOptionalInt(i++));
    a.last_order_at = OptInstant(s.ColumnOptionalInt(i++));
    a.orders = s.ColumnInt(i++);
    a.refunded_orders = s.ColumnInt(i++);
    a.cancelled_orders = s.ColumnInt(i++);
    a.purchase_days = s.ColumnInt(i++);
    a.revenue_minor = s.ColumnInt(i++);
    a.currency = s.ColumnText(i++);
    a.other_currency_orders = s.ColumnInt(i++);
    for (auto& t : a.last_engagement_at) t = OptInstant(s.ColumnOptionalInt(i++));
    a.last_visit_at = OptInstant(s.ColumnOptionalInt(i++));
    a.last_chat_at = OptInstant(s.ColumnOptionalInt(i++));
    a.complaints = s.ColumnInt(i++);
    a.last_complaint_at = OptInstant(s.ColumnOptionalInt(i++));
    a.tickets_opened = s.ColumnInt(i++);
    a.tickets_satisfied = s.ColumnInt(i++);
    a.tickets_unsatisfied = s.ColumnInt(i++);
    a.referrals = s.ColumnInt(i++);
    a.reviews = s.ColumnInt(i++);
    a.review_score_sum = s.ColumnInt(i++);
    a.carts_abandoned = s.ColumnInt(i++);
    a.last_cart_abandoned_at = OptInstant(s.ColumnOptionalInt(i++));
    a.payment_defaults = s.ColumnInt(i++);
    a.feature_requests = s.ColumnInt(i++);
    a.exit_reason = s.ColumnText(i++);
    a.exit_at = OptInstant(s.ColumnOptionalInt(i++));
    a.unsubscribed_channels = static_cast<std::uint32_t>(s.ColumnInt(i++));
    a.bounced_channels = static_cast<std::uint32_t>(s.ColumnInt(i++));
    a.last_activity_at = OptInstant(s.ColumnOptionalInt(i++));
    return a;
  }

  Result<CustomerAggregates> LoadAggregates(CustomerKey key) {
    WINBACK_ASSIGN_OR_RETURN(Statement s,
                             db_.Prepare(std::string(kSelectAggregates) + " WHERE cid = ?"));
    s.BindInt(1, key.value());
    WINBACK_ASSIGN_OR_RETURN(bool r, s.Step());
    if (!r) {
      CustomerAggregates empty;
      empty.key = key;
      return empty;
    }
    return ReadAggregates(s);
  }

  Database db_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode,
                                               const UpgradeNoticeFn& upgrade_notice) {
  if (mode == OpenMode::kMustExist && path != ":memory:") {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      return NotFoundError("no winback database at '" + path +
                           "' (run `winback import` or `winback demo` first, or pass --db)");
    }
  }
  WINBACK_ASSIGN_OR_RETURN(Database db, Database::Open(path));
  // WAL lets readers run beside an import; NORMAL sync is crash-safe in WAL mode.
  WINBACK_RETURN_IF_ERROR(
      db.Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
              "PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY; "
              "PRAGMA cache_size = -262144; "
              // Sorts (index builds at the end of a bulk import) may use a
              // second core.
              "PRAGMA threads = 2;"));
  WINBACK_RETURN_IF_ERROR(sqlite::Migrate(db, sqlite::kSchemaVersion, upgrade_notice));
  return std::unique_ptr<Store>(new SqliteStore(std::move(db)));
}

}  // namespace winback::store
