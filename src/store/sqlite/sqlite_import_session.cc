#include "store/sqlite/sqlite_import_session.h"

#include <sqlite3.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/sqlite/aggregate_merge.h"
#include "store/sqlite/aggregate_recompute.h"
#include "store/sqlite/row_batch.h"
#include "store/sqlite/schema.h"

namespace winback::store::sqlite {
namespace {

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
  void Null() { s_.BindNull(next_++); }

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

// An optional column of a record: its name, its parameter in the statements below (?N), and
// the bit of the record's `present` set that states it.
struct OptionalColumn {
  const char* name;
  int param;
  unsigned field;
};

template <typename Field>
constexpr unsigned Bit(Field f) {
  return 1u << static_cast<unsigned>(f);
}

// The optional columns of customers, orders and events (docs/formats.md). An update writes
// only those its record states; see ImportSession.
constexpr OptionalColumn kCustomerOptional[] = {
    {"email", 2, Bit(CustomerField::kEmail)},
    {"phone", 3, Bit(CustomerField::kPhone)},
    {"first_name", 4, Bit(CustomerField::kFirstName)},
    {"last_name", 5, Bit(CustomerField::kLastName)},
    {"birth_date", 6, Bit(CustomerField::kBirthDate)},
    {"birth_year", 7, Bit(CustomerField::kBirthYear)},
    {"gender", 8, Bit(CustomerField::kGender)},
    {"education", 9, Bit(CustomerField::kEducation)},
    {"country", 10, Bit(CustomerField::kCountry)},
    {"region", 11, Bit(CustomerField::kRegion)},
    {"city", 12, Bit(CustomerField::kCity)},
    {"time_zone", 13, Bit(CustomerField::kTimeZone)},
    {"language", 14, Bit(CustomerField::kLanguage)},
    {"signup_at", 15, Bit(CustomerField::kSignupAt)},
    {"preferred_channel", 16, Bit(CustomerField::kPreferredChannel)},
    {"referred_by", 17, Bit(CustomerField::kReferredBy)},
};
constexpr OptionalColumn kOrderOptional[] = {
    {"status", 7, Bit(OrderField::kStatus)},
    {"items_hash", 8, Bit(OrderField::kItems)},
    {"coupon", 10, Bit(OrderField::kCoupon)},
};
constexpr OptionalColumn kEventOptional[] = {
    {"channel", 6, Bit(EventField::kChannel)}, {"reason", 7, Bit(EventField::kReason)},
    {"score", 8, Bit(EventField::kScore)},     {"value", 9, Bit(EventField::kValue)},
    {"currency", 10, Bit(EventField::kValue)}, {"ref", 11, Bit(EventField::kRef)},
    {"text", 12, Bit(EventField::kText)},      {"properties", 13, Bit(EventField::kProperties)},
};

// The optional columns of `columns` that `present` states, as "<prefix>name<suffix>" joined
// by `separator`.
template <std::size_t N>
std::string StatedColumns(const OptionalColumn (&columns)[N], std::uint32_t present,
                          std::string_view separator,
                          const std::function<std::string(const OptionalColumn&)>& format) {
  std::string out;
  for (const OptionalColumn& c : columns) {
    if ((present & c.field) == 0) continue;
    if (!out.empty()) out += separator;
    out += format(c);
  }
  return out;
}

// The UPDATE of a stored customer that writes the fields `present` states, and only when one
// of them differs (parameters as AddCustomerColumns, then ?19 = cid). Empty when it states
// none.
std::string CustomerUpdateSql(std::uint32_t present) {
  const std::string set = StatedColumns(kCustomerOptional, present, ", ", [](const auto& c) {
    return std::string(c.name) + "=?" + std::to_string(c.param);
  });
  if (set.empty()) return {};
  return "UPDATE customers SET " + set + ", batch=?18 WHERE cid = ?19 AND (" +
         StatedColumns(kCustomerOptional, present, " OR ",
                       [](const auto& c) {
                         return std::string(c.name) + " IS NOT ?" + std::to_string(c.param);
                       }) +
         ")";
}

// An INSERT ... ON CONFLICT (id) DO UPDATE that writes `always` and the optional columns
// `present` states, and only when one of them differs.
template <std::size_t N>
std::string UpsertSql(std::string_view insert, std::span<const char* const> always,
                      const OptionalColumn (&optional)[N], std::uint32_t present) {
  std::string set, changed;
  for (const char* c : always) {
    if (!set.empty()) set += ", ", changed += " OR ";
    set += std::string(c) + "=excluded." + c;
    changed += std::string(c) + " IS NOT excluded." + c;
  }
  auto assign = [](const OptionalColumn& c) { return std::string(c.name) + "=excluded." + c.name; };
  auto differs = [](const OptionalColumn& c) {
    return std::string(c.name) + " IS NOT excluded." + c.name;
  };
  if (const std::string more = StatedColumns(optional, present, ", ", assign); !more.empty()) {
    set += ", " + more;
    changed += " OR " + StatedColumns(optional, present, " OR ", differs);
  }
  return std::string(insert) + " ON CONFLICT (id) DO UPDATE SET " + set +
         ", batch=excluded.batch WHERE " + changed;
}

std::string OrderUpsertSql(std::uint32_t present) {
  static constexpr const char* kAlways[] = {"cid", "placed_at", "utc_offset", "amount", "currency"};
  return UpsertSql(
      "INSERT INTO orders (id, cid, placed_at, utc_offset, amount, currency, status, items_hash, "
      "batch, coupon) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
      kAlways, kOrderOptional, present);
}

std::string EventUpsertSql(std::uint32_t present) {
  static constexpr const char* kAlways[] = {"cid", "type", "at", "utc_offset"};
  return UpsertSql(
      "INSERT INTO events (id, cid, type, at, utc_offset, channel, reason, score, value, "
      "currency, ref, text, properties, batch) "
      "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
      kAlways, kEventOptional, present);
}

// Prepared statements by the set of fields their records state: a file states the same set
// on every row, so there is one statement per file kind, prepared at its first row.
class StatementsByFields {
 public:
  // The statement for `present`, prepared from sql(present) the first time.
  Result<Statement*> Get(Database& db, std::uint32_t present,
                         std::string (*sql)(std::uint32_t present)) {
    auto it = statements_.find(present);
    if (it == statements_.end()) {
      WINBACK_ASSIGN_OR_RETURN(Statement s, db.Prepare(sql(present)));
      it = statements_.emplace(present, std::move(s)).first;
    }
    return &it->second;
  }

 private:
  std::map<std::uint32_t, Statement> statements_;
};

// Writes the optional columns of a record: a field the record states is written (an empty
// text as NULL), a field it does not state is NULL.
template <typename Row, typename Field>
class StatedRowWriter {
 public:
  StatedRowWriter(Row& row, FieldSet<Field> stated) : row_(row), stated_(stated) {}
  void Text(Field f, const std::string& v) {
    if (stated_.Has(f)) {
      row_.TextOrNull(v);
    } else {
      row_.Null();
    }
  }
  void Int(Field f, std::optional<std::int64_t> v) {
    row_.OptionalInt(stated_.Has(f) ? v : std::nullopt);
  }

 private:
  Row& row_;
  const FieldSet<Field> stated_;
};

// The columns of one record, in the order of the statements that write it: a customer's are
// id, email, phone, first_name, last_name, birth_date, birth_year, gender, education, country,
// region, city, time_zone, language, signup_at, preferred_channel, referred_by, batch. A
// column the record does not state is NULL.
template <typename Row>
void AddCustomerColumns(Row& row, const CustomerRecord& c, std::int64_t batch) {
  StatedRowWriter<Row, CustomerField> stated(row, c.present);
  row.Text(c.id);
  stated.Text(CustomerField::kEmail, c.email);
  stated.Text(CustomerField::kPhone, c.phone);
  stated.Text(CustomerField::kFirstName, c.first_name);
  stated.Text(CustomerField::kLastName, c.last_name);
  stated.Int(CustomerField::kBirthDate,
             c.birth_date ? std::optional<std::int64_t>(c.birth_date->days()) : std::nullopt);
  stated.Int(CustomerField::kBirthYear, c.birth_year);
  stated.Text(CustomerField::kGender, c.gender);
  stated.Text(CustomerField::kEducation, c.education);
  stated.Text(CustomerField::kCountry, c.country);
  stated.Text(CustomerField::kRegion, c.region);
  stated.Text(CustomerField::kCity, c.city);
  stated.Text(CustomerField::kTimeZone, c.time_zone);
  stated.Text(CustomerField::kLanguage, c.language);
  stated.Int(CustomerField::kSignupAt, OptMicros(c.signup_at));
  stated.Text(CustomerField::kPreferredChannel, c.preferred_channel);
  stated.Text(CustomerField::kReferredBy, c.referred_by);
  row.Int(batch);
}

// id, cid, placed_at, utc_offset, amount, currency, status, items_hash, batch, coupon. A new
// order whose record does not state status, items or coupon has the record's defaults
// (completed, none, none).
template <typename Row>
void AddOrderColumns(Row& row, CustomerKey customer, const OrderRecord& o, std::int64_t batch) {
  StatedRowWriter<Row, OrderField> stated(row, o.present);
  row.Text(o.id);
  row.Int(customer.value());
  row.Int(o.placed_at.unix_micros());
  row.Int(o.utc_offset_minutes);
  row.Int(o.amount_minor);
  row.Text(o.currency);
  row.Int(static_cast<std::int64_t>(o.status));
  row.Int(ItemsHash(o.items));
  row.Int(batch);
  stated.Text(OrderField::kCoupon, o.coupon);
}

// id, cid, type, at, utc_offset, channel, reason, score, value, currency, ref, text,
// properties, batch; a column the record does not state is NULL.
template <typename Row>
void AddEventColumns(Row& row, CustomerKey customer, const EventRecord& e, std::int64_t batch) {
  StatedRowWriter<Row, EventField> stated(row, e.present);
  row.Text(e.id);
  row.Int(customer.value());
  row.Int(static_cast<std::int64_t>(e.type));
  row.Int(e.at.unix_micros());
  row.Int(e.utc_offset_minutes);
  stated.Text(EventField::kChannel, e.channel);
  stated.Text(EventField::kReason, e.reason);
  stated.Int(EventField::kScore, e.score);
  stated.Int(EventField::kValue, e.value_minor);
  stated.Text(EventField::kValue, e.currency);
  stated.Text(EventField::kRef, e.ref);
  stated.Text(EventField::kText, e.text);
  stated.Text(EventField::kProperties, e.properties);
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
    if (bulk_orders_) WINBACK_RETURN_IF_ERROR(DropBulkIndexes(db_, "orders"));
    if (bulk_events_) WINBACK_RETURN_IF_ERROR(DropBulkIndexes(db_, "events"));
    // A customer already stored is found by id and updated by key only when a field differs
    // (one index seek and one row seek; an INSERT ... ON CONFLICT DO UPDATE probes the id
    // index, and its key then needs a lookup of its own): CustomerUpdate(), per set of stated
    // fields.
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
              RowBatchColumns(kCustomerColumns) + " FROM winback_rows(?1)"));
    }
    WINBACK_ASSIGN_OR_RETURN(find_customer_, db_.Prepare("SELECT cid FROM customers WHERE id = ?"));
    // Consents go in batches either way: nothing in a session reads them. ("WHERE true" lets
    // the parser tell the upsert's ON from a join's.)
    WINBACK_ASSIGN_OR_RETURN(
        consent_upsert_,
        db_.Prepare("INSERT INTO consents (cid, channel, state, batch) SELECT " +
                    RowBatchColumns(kConsentColumns) +
                    " FROM winback_rows(?1) WHERE true ON CONFLICT (cid, channel) DO UPDATE SET "
                    "state = excluded.state, batch = excluded.batch "
                    "WHERE state IS NOT excluded.state"));
    if (!bulk_orders_) {
      WINBACK_ASSIGN_OR_RETURN(find_order_, db_.Prepare("SELECT oid FROM orders WHERE id = ?"));
    } else {
      // Rows go in batches, one statement each (row_batch.h), with keys assigned here so
      // that items can name their order before it is written.
      WINBACK_ASSIGN_OR_RETURN(
          bulk_order_insert_,
          db_.Prepare(
              "INSERT INTO orders (oid, id, cid, placed_at, utc_offset, amount, currency, status, "
              "items_hash, batch, coupon) SELECT " +
              RowBatchColumns(kOrderColumns) + " FROM winback_rows(?1)"));
      WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> max_oid,
                               db_.QueryInt("SELECT max(oid) FROM orders"));
      next_oid_ = max_oid.value_or(0) + 1;
    }
    WINBACK_ASSIGN_OR_RETURN(delete_items_, db_.Prepare("DELETE FROM order_items WHERE oid = ?"));
    WINBACK_ASSIGN_OR_RETURN(
        insert_item_,
        db_.Prepare(
            "INSERT INTO order_items (oid, line, sku, quantity, price) VALUES (?,?,?,?,?)"));
    // Otherwise rows go one statement each: EventUpsert(), per set of stated fields.
    if (bulk_events_) {
      WINBACK_ASSIGN_OR_RETURN(
          bulk_event_insert_,
          db_.Prepare(
              "INSERT INTO events (id, cid, type, at, utc_offset, channel, reason, score, value, "
              "currency, ref, text, properties, batch) SELECT " +
              RowBatchColumns(kEventColumns) + " FROM winback_rows(?1)"));
    }
    return Status::Ok();
  }

  Result<CustomerKey> UpsertCustomer(const CustomerRecord& c) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    if (bulk_customers_) return AddBulkCustomer(c);
    WINBACK_ASSIGN_OR_RETURN(std::optional<CustomerKey> found, FindCustomer(c.id));
    CustomerKey key;
    if (found) {
      key = *found;
      // Only the fields the record states; none stated leaves the row alone.
      WINBACK_ASSIGN_OR_RETURN(Statement * update,
                               customer_updates_.Get(db_, c.present.bits(), CustomerUpdateSql));
      if (update->valid()) {
        ParameterWriter p(*update);
        AddCustomerColumns(p, c, batch_);
        update->BindInt(19, key.value());
        WINBACK_RETURN_IF_ERROR(update->Run());
        if (db_.changes() > 0) ++counts_.customers_written;
      }
    } else {
      ParameterWriter p(insert_customer_);
      AddCustomerColumns(p, c, batch_);
      WINBACK_RETURN_IF_ERROR(insert_customer_.Run());
      // The rowid alias cid gets one more than the largest key (no AUTOINCREMENT), under this
      // import's write lock: keys stay dense (store.h).
      key = CustomerKey(db_.last_insert_rowid());
      ++counts_.customers_written;
      // A new customer needs its aggregates row; a stored one's aggregates do not read the
      // customers table.
      Touch(key.value());
      WINBACK_ASSIGN_OR_RETURN(AggregateDelta * delta, Delta(key.value()));
      delta->new_customer = true;
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
      return FlushRows(consent_upsert_, consents_batch_);
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
    recompute_.push_back(cid);
    if (b.rows() == kBulkBatchRows) WINBACK_RETURN_IF_ERROR(FlushCustomers());
    WINBACK_RETURN_IF_ERROR(AddConsents(cid, c));
    return CustomerKey(cid);
  }

  // Writes the batched customers and consents, so that statements reading them see them.
  Status FlushCustomers() {
    if (bulk_customers_) {
      Status s = FlushRows(bulk_customer_insert_, customers_batch_);
      if (s.code() == StatusCode::kAlreadyExists) {  // SQLITE_CONSTRAINT_UNIQUE
        return InternalError("bulk load of customers: a customer id written twice in one import: " +
                             s.message());
      }
      WINBACK_RETURN_IF_ERROR(s);
    }
    return FlushRows(consent_upsert_, consents_batch_);
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
    WINBACK_ASSIGN_OR_RETURN(Statement * s,
                             order_upserts_.Get(db_, o.present.bits(), OrderUpsertSql));
    ParameterWriter p(*s);
    AddOrderColumns(p, customer, o, batch_);
    WINBACK_ASSIGN_OR_RETURN(Write w, RunUpsert(*s));
    if (!w.written) return false;
    ++counts_.orders_written;
    Touch(customer.value());
    if (w.inserted) {
      WINBACK_ASSIGN_OR_RETURN(AggregateDelta * delta, Delta(customer.value()));
      delta->rows.AddOrder(o.placed_at, o.utc_offset_minutes, o.amount_minor, o.currency, o.status);
    } else {
      recompute_.push_back(customer.value());  // A stored order changed or moved here.
    }
    std::int64_t oid = w.rowid;
    if (!w.inserted) {
      // An update keeps the stored items unless the record states them.
      if (!o.present.Has(OrderField::kItems)) return true;
      // Find the row, and the old items go.
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
    recompute_.push_back(customer.value());
    if (o.currency.size() == 3) {
      AggregateOrder& a = bulk_orders_seen_.emplace_back();
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
      WINBACK_RETURN_IF_ERROR(FlushRows(bulk_order_insert_, orders_batch_));
    }
    return true;
  }

  // Counts customer `cid` among those whose aggregates the import brings up to date. Rows of
  // one customer often come together (a file sorted by customer), so a repeat of the last one
  // is not stored again: at 10M orders of 4.4M customers, half the vector.
  void Touch(std::int64_t cid) {
    if (touched_.empty() || touched_.back() != cid) touched_.push_back(cid);
  }

  // The new rows of customer `cid` so far (aggregate_merge.h). When kMaxDeltas customers have
  // some, they are merged into the stored aggregates first, so that memory stays bounded; a
  // later row of one of them starts a new delta on the merged row.
  Result<AggregateDelta*> Delta(std::int64_t cid) {
    auto it = delta_at_.find(cid);
    if (it != delta_at_.end()) return &deltas_[it->second];
    if (deltas_.size() >= kMaxDeltas) WINBACK_RETURN_IF_ERROR(MergeDeltas());
    delta_at_.emplace(cid, deltas_.size());
    return &deltas_.emplace_back(cid);
  }

  // Merges the deltas of customers not marked for recompute into their stored aggregates;
  // those it cannot merge are marked.
  Status MergeDeltas() {
    std::sort(recompute_.begin(), recompute_.end());
    recompute_.erase(std::unique(recompute_.begin(), recompute_.end()), recompute_.end());
    // Pointers, sorted: the deltas themselves are a few hundred bytes each.
    std::vector<AggregateDelta*> merge;
    merge.reserve(deltas_.size());
    for (AggregateDelta& d : deltas_) {
      if (!std::binary_search(recompute_.begin(), recompute_.end(), d.cid)) merge.push_back(&d);
    }
    std::sort(merge.begin(), merge.end(),
              [](const AggregateDelta* a, const AggregateDelta* b) { return a->cid < b->cid; });
    WINBACK_ASSIGN_OR_RETURN(std::vector<std::int64_t> unmerged, MergeAggregates(db_, merge));
    recompute_.insert(recompute_.end(), unmerged.begin(), unmerged.end());
    deltas_.clear();
    delta_at_.clear();
    return Status::Ok();
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
    WINBACK_ASSIGN_OR_RETURN(Statement * s,
                             event_upserts_.Get(db_, e.present.bits(), EventUpsertSql));
    ParameterWriter p(*s);
    AddEventColumns(p, customer, e, batch_);
    WINBACK_ASSIGN_OR_RETURN(Write w, RunUpsert(*s));
    if (!w.written) return false;
    ++counts_.events_written;
    Touch(customer.value());
    if (w.inserted) {
      // The columns as stored: a field the record does not state is NULL, read back as empty.
      WINBACK_ASSIGN_OR_RETURN(AggregateDelta * delta, Delta(customer.value()));
      delta->rows.AddEvent(e.type, e.at, e.present.Has(EventField::kChannel) ? e.channel : "",
                           e.present.Has(EventField::kReason) ? e.reason : "",
                           e.present.Has(EventField::kScore) ? e.score : std::nullopt);
    } else {
      recompute_.push_back(customer.value());  // A stored event changed or moved here.
    }
    return true;
  }

  Result<bool> AddBulkEvent(CustomerKey customer, const EventRecord& e) {
    RowBatch& b = events_batch_;
    AddEventColumns(b, customer, e, batch_);
    ++counts_.events_written;
    Touch(customer.value());
    recompute_.push_back(customer.value());
    if (b.rows() == kBulkBatchRows) WINBACK_RETURN_IF_ERROR(FlushRows(bulk_event_insert_, b));
    return true;
  }

  Result<bool> UpsertProduct(const ProductRecord& p) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    if (!upsert_product_.valid()) {
      // ?10 is the mask of stated optional fields (ProductField bits): an update writes only
      // those, and only when one of them (or the name) differs.
      WINBACK_ASSIGN_OR_RETURN(upsert_product_, db_.Prepare(R"sql(
        INSERT INTO products (sku, name, category, price, currency, launched_at, url, image_url,
          batch)
        VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)
        ON CONFLICT (sku) DO UPDATE SET name=excluded.name,
          category=CASE WHEN ?10 & 1 THEN excluded.category ELSE category END,
          price=CASE WHEN ?10 & 2 THEN excluded.price ELSE price END,
          currency=CASE WHEN ?10 & 2 THEN excluded.currency ELSE currency END,
          launched_at=CASE WHEN ?10 & 4 THEN excluded.launched_at ELSE launched_at END,
          url=CASE WHEN ?10 & 8 THEN excluded.url ELSE url END,
          image_url=CASE WHEN ?10 & 16 THEN excluded.image_url ELSE image_url END,
          batch=excluded.batch
        WHERE name IS NOT excluded.name
          OR (?10 & 1 AND category IS NOT excluded.category)
          OR (?10 & 2 AND (price IS NOT excluded.price OR currency IS NOT excluded.currency))
          OR (?10 & 4 AND launched_at IS NOT excluded.launched_at)
          OR (?10 & 8 AND url IS NOT excluded.url)
          OR (?10 & 16 AND image_url IS NOT excluded.image_url))sql"));
    }
    static_assert(static_cast<int>(ProductField::kImageUrl) == 4, "bits of ?10 above");
    ParameterWriter row(upsert_product_);
    StatedRowWriter<ParameterWriter, ProductField> stated(row, p.present);
    row.Text(p.sku);
    row.Text(p.name);
    stated.Text(ProductField::kCategory, p.category);
    stated.Int(ProductField::kPrice, p.price_minor);
    stated.Text(ProductField::kPrice, p.currency);
    stated.Int(ProductField::kLaunchedAt, OptMicros(p.launched_at));
    stated.Text(ProductField::kUrl, p.url);
    stated.Text(ProductField::kImageUrl, p.image_url);
    row.Int(batch_);
    row.Int(p.present.bits());
    WINBACK_RETURN_IF_ERROR(upsert_product_.Run());
    const bool written = db_.changes() > 0;
    if (written) ++counts_.products_written;
    return written;
  }

  Result<ImportCounts> Commit() override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    WINBACK_RETURN_IF_ERROR(FlushCustomers());
    if (bulk_orders_) WINBACK_RETURN_IF_ERROR(FlushRows(bulk_order_insert_, orders_batch_));
    if (bulk_events_) WINBACK_RETURN_IF_ERROR(FlushRows(bulk_event_insert_, events_batch_));
    for (auto [bulk, table] :
         {std::pair{bulk_orders_, "orders"}, std::pair{bulk_events_, "events"}}) {
      if (!bulk) continue;
      Status s = CreateBulkIndexes(db_, table);
      if (s.code() == StatusCode::kAlreadyExists) {  // SQLITE_CONSTRAINT_UNIQUE
        return InternalError(
            std::string("rebuilding the ") + table +
            " indexes after a bulk load: an id written twice in one import: " + s.message());
      }
      WINBACK_RETURN_IF_ERROR(
          s.WithContext(std::string("rebuilding the ") + table + " indexes after a bulk load"));
    }
    {
      // Customers who lost an order or event to another customer (see the triggers of
      // BeginImport) changed too.
      WINBACK_ASSIGN_OR_RETURN(Statement moved, db_.Prepare("SELECT cid FROM temp.touched"));
      while (true) {
        WINBACK_ASSIGN_OR_RETURN(bool row, moved.Step());
        if (!row) break;
        Touch(moved.ColumnInt(0));
        recompute_.push_back(moved.ColumnInt(0));
      }
    }
    WINBACK_RETURN_IF_ERROR(db_.Exec("DELETE FROM temp.touched"));
    // Customers with only new rows: from their stored aggregates and those rows alone; the
    // others (and those the merge cannot do exactly) from all their rows.
    WINBACK_RETURN_IF_ERROR(MergeDeltas());
    std::sort(recompute_.begin(), recompute_.end());
    recompute_.erase(std::unique(recompute_.begin(), recompute_.end()), recompute_.end());
    std::sort(touched_.begin(), touched_.end());
    touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
    // A bulk load of orders saw every order of the customers it touched (the table was
    // empty): their aggregates need not read the orders back.
    std::optional<std::span<const AggregateOrder>> known_orders;
    if (bulk_orders_ && all_bulk_orders_seen_) {
      // In the order of orders_by_customer, as RecomputeAggregates reads the table: the
      // aggregates depend on it when two currencies tie on both count and first order time.
      std::sort(bulk_orders_seen_.begin(), bulk_orders_seen_.end(),
                [](const AggregateOrder& a, const AggregateOrder& b) {
                  const std::string_view ac(a.currency, 3), bc(b.currency, 3);
                  return std::tie(a.cid, a.placed_at_us, a.utc_offset_minutes, a.amount_minor, ac,
                                  a.status) < std::tie(b.cid, b.placed_at_us, b.utc_offset_minutes,
                                                       b.amount_minor, bc, b.status);
                });
      known_orders = bulk_orders_seen_;
    }
    WINBACK_RETURN_IF_ERROR(RecomputeAggregates(db_, recompute_, known_orders).status());
    counts_.aggregates_updated = static_cast<std::int64_t>(touched_.size());
    WINBACK_ASSIGN_OR_RETURN(
        Statement log, db_.Prepare("UPDATE imports SET customers_written = ?, orders_written = ?, "
                                   "events_written = ?, products_written = ? WHERE batch = ?"));
    log.BindInt(1, counts_.customers_written);
    log.BindInt(2, counts_.orders_written);
    log.BindInt(3, counts_.events_written);
    log.BindInt(4, counts_.products_written);
    log.BindInt(5, batch_);
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
    // An insert sets the connection's last rowid (keys are 1 and up); an update does not.
    sqlite3_set_last_insert_rowid(db_.handle(), 0);
    WINBACK_RETURN_IF_ERROR(s.Run());
    Write w;
    w.written = db_.changes() > 0;
    const std::int64_t rowid_after = db_.last_insert_rowid();
    w.inserted = w.written && rowid_after != 0;
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
  // Customers whose aggregates the import brings up to date (Touch); sorted and made unique
  // in Commit().
  std::vector<std::int64_t> touched_;
  // Of those, the ones whose aggregates are recomputed from all their rows: a stored row
  // changed or moved, bulk-loaded rows (RecomputeAggregates reads those fastest), and those
  // MergeAggregates could not do. May hold repeats until sorted.
  std::vector<std::int64_t> recompute_;
  // The others' new rows, by customer (delta_at_: the index in deltas_).
  static constexpr std::size_t kMaxDeltas = std::size_t{1} << 16;
  std::deque<AggregateDelta> deltas_;  // A deque: growing moves none of them.
  std::unordered_map<std::int64_t, std::size_t> delta_at_;
  Statement insert_customer_, find_customer_, consent_upsert_, find_order_, delete_items_,
      insert_item_, bulk_customer_insert_, bulk_order_insert_, bulk_event_insert_, upsert_product_;
  // Updates of stored rows, by the fields their records state.
  StatementsByFields customer_updates_, order_upserts_, event_upserts_;
  // Bulk loads: the rows not yet written, and the keys of the next customer and order.
  static constexpr int kCustomerColumns = 19;
  static constexpr int kConsentColumns = 4;
  static constexpr int kOrderColumns = 11;
  static constexpr int kEventColumns = 14;
  static constexpr std::size_t kBulkBatchRows = 4096;
  RowBatch customers_batch_{kCustomerColumns};
  RowBatch consents_batch_{kConsentColumns};
  RowBatch orders_batch_{kOrderColumns};
  RowBatch events_batch_{kEventColumns};
  std::int64_t next_cid_ = 1;
  std::int64_t next_oid_ = 1;
  // What the aggregates read of each bulk-loaded order (32 bytes an order).
  std::vector<AggregateOrder> bulk_orders_seen_;
  bool all_bulk_orders_seen_ = true;
};

}  // namespace

Result<std::unique_ptr<ImportSession>> BeginSqliteImport(Database& db,
                                                         std::string_view description) {
  WINBACK_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  auto session = [&]() -> Result<std::unique_ptr<ImportSession>> {
    WINBACK_RETURN_IF_ERROR(
        db.Exec("CREATE TEMP TABLE IF NOT EXISTS touched (cid INTEGER PRIMARY KEY);"
                "DELETE FROM temp.touched;"
                // An order or event moved to another customer changes the old one too.
                // Not INSERT OR IGNORE: the upsert that fires the trigger imposes its own
                // conflict policy (ABORT), so a second move away from one customer would fail.
                "CREATE TEMP TRIGGER IF NOT EXISTS orders_moved AFTER UPDATE OF cid ON "
                "main.orders WHEN OLD.cid != NEW.cid BEGIN "
                "INSERT INTO touched SELECT OLD.cid WHERE NOT EXISTS "
                "(SELECT 1 FROM touched WHERE cid = OLD.cid); END;"
                "CREATE TEMP TRIGGER IF NOT EXISTS events_moved AFTER UPDATE OF cid ON "
                "main.events WHEN OLD.cid != NEW.cid BEGIN "
                "INSERT INTO touched SELECT OLD.cid WHERE NOT EXISTS "
                "(SELECT 1 FROM touched WHERE cid = OLD.cid); END;"));
    WINBACK_ASSIGN_OR_RETURN(Statement log,
                             db.Prepare("INSERT INTO imports (description) VALUES (?)"));
    log.BindText(1, description);
    WINBACK_RETURN_IF_ERROR(log.Run());
    WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> batch,
                             db.QueryInt("SELECT last_insert_rowid()"));
    auto s = std::make_unique<SqliteImportSession>(db, batch.value_or(0));
    WINBACK_RETURN_IF_ERROR(s->Prepare());
    return std::unique_ptr<ImportSession>(std::move(s));
  }();
  if (!session.ok()) db.Exec("ROLLBACK").IgnoreError();  // Report the original error.
  return session;
}

}  // namespace winback::store::sqlite
