// CustomerReader of the SQLite store (customer_reader.h).
#include <string>
#include <vector>

#include "store/sqlite/aggregate_rows.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace winback::store::sqlite {
namespace {

constexpr std::string_view kCustomerColumns =
    "SELECT cid, id, email, phone, first_name, last_name, birth_date, birth_year, gender, "
    "education, country, region, city, time_zone, language, signup_at, preferred_channel, "
    "referred_by FROM customers ";

// The columns of kCustomerColumns of the current row into `c` (consents aside).
void ReadCustomerRow(Statement& s, CustomerRecord& c) {
  c.id = s.ColumnText(1);
  c.email = s.ColumnText(2);
  c.phone = s.ColumnText(3);
  c.first_name = s.ColumnText(4);
  c.last_name = s.ColumnText(5);
  if (auto d = s.ColumnOptionalInt(6)) c.birth_date = Date::FromDays(static_cast<std::int32_t>(*d));
  if (auto y = s.ColumnOptionalInt(7)) c.birth_year = static_cast<int>(*y);
  c.gender = s.ColumnText(8);
  c.education = s.ColumnText(9);
  c.country = s.ColumnText(10);
  c.region = s.ColumnText(11);
  c.city = s.ColumnText(12);
  c.time_zone = s.ColumnText(13);
  c.language = s.ColumnText(14);
  c.signup_at = OptionalInstant(s.ColumnOptionalInt(15));
  c.preferred_channel = s.ColumnText(16);
  c.referred_by = s.ColumnText(17);
}

// The customer whose row `where` ("id = ?1" or "cid = ?1") selects, with its consents and
// aggregates; `bind` binds ?1. NotFound with `missing` when there is none.
template <typename Bind>
Result<CustomerProfile> LoadProfile(Database& db, std::string_view where, const Bind& bind,
                                    const std::string& missing) {
  // Cached: the sender loads a profile per message.
  WINBACK_ASSIGN_OR_RETURN(
      Statement * cached, db.Cached(std::string(kCustomerColumns) + "WHERE " + std::string(where)));
  StatementReset reset(*cached);
  Statement& s = *cached;
  bind(s);
  WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFoundError(missing);
  CustomerProfile p;
  p.key = CustomerKey(s.ColumnInt(0));
  CustomerRecord& c = p.record;
  ReadCustomerRow(s, c);
  WINBACK_ASSIGN_OR_RETURN(Statement * cached_consents,
                           db.Cached("SELECT channel, state FROM consents WHERE cid = ?"));
  StatementReset reset_consents(*cached_consents);
  Statement& consents = *cached_consents;
  consents.BindInt(1, p.key.value());
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool r, consents.Step());
    if (!r) break;
    const std::int64_t ch = consents.ColumnInt(0);
    if (ch >= 0 && ch < kChannelKindCount)
      c.consent[ch] = static_cast<Consent>(consents.ColumnInt(1));
  }
  WINBACK_ASSIGN_OR_RETURN(p.aggregates, LoadAggregates(db, p.key));
  return p;
}

}  // namespace

Result<CustomerProfile> SqliteStore::LoadCustomer(std::string_view id) {
  return LoadProfile(
      db_, "id = ?1", [id](Statement& s) { s.BindText(1, id); },
      "no customer with id '" + std::string(id) + "'");
}

Result<CustomerProfile> SqliteStore::LoadCustomerByKey(CustomerKey key) {
  return LoadProfile(
      db_, "cid = ?1", [key](Statement& s) { s.BindInt(1, key.value()); },
      "no customer with key " + std::to_string(key.value()));
}

Result<std::vector<OrderRecord>> SqliteStore::LoadOrders(CustomerKey customer) {
  WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(R"sql(
    SELECT o.oid, o.id, c.id, o.placed_at, o.utc_offset, o.amount, o.currency, o.status,
      o.coupon
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
    o.coupon = s.ColumnText(8);
    items.BindInt(1, s.ColumnInt(0));
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool ir, items.Step());
      if (!ir) break;
      o.items.push_back({std::string(items.ColumnText(0)), items.ColumnInt(1), items.ColumnInt(2)});
    }
    items.Reset();
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<EventRecord>> SqliteStore::LoadEvents(CustomerKey customer) {
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

Result<std::vector<std::string>> SqliteStore::CustomerIds() {
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

Status SqliteStore::ForEachCustomerInRange(
    KeyRange range, const std::function<Status(CustomerKey, const CustomerRecord&)>& fn) {
  WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string(kCustomerColumns) +
                                                    "WHERE cid >= ?1 AND cid < ?2 ORDER BY cid"));
  s.BindInt(1, range.begin);
  s.BindInt(2, range.end);
  // Consents of the same range, merged by key: both are read in cid order.
  WINBACK_ASSIGN_OR_RETURN(Statement consents,
                           db_.Prepare("SELECT cid, channel, state FROM consents WHERE cid >= ?1 "
                                       "AND cid < ?2 ORDER BY cid, channel"));
  consents.BindInt(1, range.begin);
  consents.BindInt(2, range.end);
  WINBACK_ASSIGN_OR_RETURN(bool consent_row, consents.Step());
  CustomerRecord c;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    const std::int64_t cid = s.ColumnInt(0);
    c = CustomerRecord();
    ReadCustomerRow(s, c);
    while (consent_row && consents.ColumnInt(0) <= cid) {
      const std::int64_t ch = consents.ColumnInt(1);
      if (consents.ColumnInt(0) == cid && ch >= 0 && ch < kChannelKindCount) {
        c.consent[ch] = static_cast<Consent>(consents.ColumnInt(2));
      }
      WINBACK_ASSIGN_OR_RETURN(consent_row, consents.Step());
    }
    WINBACK_RETURN_IF_ERROR(fn(CustomerKey(cid), c));
  }
}

Status SqliteStore::ForEachConsent(const std::function<Status(const ConsentEntry&)>& fn) {
  // The primary key (cid, channel) is the table's order: one sequential read.
  WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT cid, channel, state FROM consents "
                                                    "WHERE state != 0 ORDER BY cid, channel"));
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    const std::int64_t channel = s.ColumnInt(1);
    const std::int64_t state = s.ColumnInt(2);
    if (channel < 0 || channel >= kChannelKindCount || state < 0 || state > 2) {
      return InternalError("consents: customer " + std::to_string(s.ColumnInt(0)) +
                           " has channel " + std::to_string(channel) + " in state " +
                           std::to_string(state) + ", which no winback writes");
    }
    WINBACK_RETURN_IF_ERROR(
        fn(ConsentEntry{CustomerKey(s.ColumnInt(0)), static_cast<ChannelKind>(channel),
                        static_cast<Consent>(state)}));
  }
}

Result<std::optional<CustomerKey>> SqliteStore::FindCustomerByPhone(std::string_view phone) {
  if (phone.empty()) return std::optional<CustomerKey>();
  WINBACK_ASSIGN_OR_RETURN(Statement * s,
                           db_.Cached("SELECT min(cid) FROM customers WHERE phone = ?1"));
  StatementReset reset(*s);
  s->BindText(1, phone);
  WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
  const std::optional<std::int64_t> cid = row ? s->ColumnOptionalInt(0) : std::nullopt;
  if (!cid) return std::optional<CustomerKey>();
  return std::optional<CustomerKey>(CustomerKey(*cid));
}

namespace {

// Runs `sql` (one parameter: an id) once for each of `ids` inside one read transaction, and
// `row(has_row, statement)` on each result: one snapshot for all, and SQLite takes the WAL's
// read lock once rather than once per id (each is a system call).
template <typename T, typename RowFn>
Result<std::vector<T>> LookUpEach(Database& db, std::string_view sql,
                                  std::span<const std::string_view> ids, RowFn row) {
  std::vector<T> out;
  out.reserve(ids.size());
  if (ids.empty()) return out;
  WINBACK_ASSIGN_OR_RETURN(Statement * s, db.Cached(sql));
  WINBACK_ASSIGN_OR_RETURN(Statement * begin, db.Cached("BEGIN"));
  WINBACK_ASSIGN_OR_RETURN(Statement * end, db.Cached("COMMIT"));
  {
    StatementReset reset(*begin);
    WINBACK_RETURN_IF_ERROR(begin->Step().status());
  }
  Status status = Status::Ok();
  for (const std::string_view id : ids) {
    StatementReset reset(*s);
    s->BindText(1, id);
    Result<bool> has_row = s->Step();
    if (!has_row.ok()) {
      status = has_row.status();
      break;
    }
    out.push_back(row(*has_row, *s));
  }
  Status ended = Status::Ok();  // A read transaction: ends whatever happened.
  {
    StatementReset reset(*end);
    ended = end->Step().status();
  }
  WINBACK_RETURN_IF_ERROR(status);
  WINBACK_RETURN_IF_ERROR(ended);
  return out;
}

}  // namespace

Result<std::vector<std::optional<CustomerKey>>> SqliteStore::FindCustomerKeys(
    std::span<const std::string_view> ids) {
  return LookUpEach<std::optional<CustomerKey>>(
      db_, "SELECT cid FROM customers WHERE id = ?1", ids,
      [](bool has_row, Statement& s) -> std::optional<CustomerKey> {
        if (!has_row) return std::nullopt;
        return CustomerKey(s.ColumnInt(0));
      });
}

Result<std::vector<bool>> SqliteStore::HasEvents(std::span<const std::string_view> ids) {
  return LookUpEach<bool>(db_, "SELECT 1 FROM events WHERE id = ?1 LIMIT 1", ids,
                          [](bool has_row, Statement&) { return has_row; });
}

namespace {

// One row of kind_optouts (cid, kind, at) as a KindOptOut; Internal for a kind no winback writes.
Result<KindOptOut> KindOptOutRow(Statement& s) {
  const std::int64_t kind = s.ColumnInt(1);
  if (kind < 0 || kind >= kMessageKindCount) {
    return InternalError("kind_optouts: customer " + std::to_string(s.ColumnInt(0)) + " has kind " +
                         std::to_string(kind) + ", which no winback writes");
  }
  return KindOptOut{CustomerKey(s.ColumnInt(0)), static_cast<MessageKind>(kind),
                    Instant::FromUnixMicros(s.ColumnInt(2))};
}

}  // namespace

Result<std::vector<KindOptOut>> SqliteStore::LoadKindOptOuts(CustomerKey key) {
  WINBACK_ASSIGN_OR_RETURN(
      Statement * s,
      db_.Cached("SELECT cid, kind, at FROM kind_optouts WHERE cid = ?1 ORDER BY kind"));
  StatementReset reset(*s);
  s->BindInt(1, key.value());
  std::vector<KindOptOut> out;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return out;
    WINBACK_ASSIGN_OR_RETURN(KindOptOut o, KindOptOutRow(*s));
    out.push_back(o);
  }
}

Status SqliteStore::ForEachKindOptOut(const std::function<Status(const KindOptOut&)>& fn) {
  // The primary key (cid, kind) is the table's order: one sequential read.
  WINBACK_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare("SELECT cid, kind, at FROM kind_optouts ORDER BY cid, kind"));
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    WINBACK_ASSIGN_OR_RETURN(KindOptOut o, KindOptOutRow(s));
    WINBACK_RETURN_IF_ERROR(fn(o));
  }
}

}  // namespace winback::store::sqlite
