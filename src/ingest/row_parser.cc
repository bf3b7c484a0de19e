#include "ingest/row_parser.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/country.h"
#include "core/money.h"
#include "core/time.h"
#include "core/utf8.h"
#include "ingest/internal/json_scan.h"

namespace winback::ingest {
namespace {

// Column indexes, in the order of ColumnsOf() (row_source.cc).
namespace cust {
enum : std::size_t {
  kId,
  kEmail,
  kPhone,
  kFirstName,
  kLastName,
  kBirthDate,
  kBirthYear,
  kGender,
  kEducation,
  kCountry,
  kRegion,
  kCity,
  kTimeZone,
  kLanguage,
  kSignupAt,
  kConsentEmail,
  kConsentSms,
  kConsentWhatsapp,
  kPreferredChannel,
  kReferredBy
};
static_assert(kReferredBy - kEmail + 1 == static_cast<std::size_t>(store::CustomerField::kCount));
static_assert(kTimeZone - kEmail == static_cast<std::size_t>(store::CustomerField::kTimeZone));
}  // namespace cust
namespace ord {
enum : std::size_t { kId, kCustomerId, kTime, kAmount, kCurrency, kStatus, kItems, kCoupon };
}  // namespace ord
namespace prod {
enum : std::size_t { kSku, kName, kCategory, kPrice, kCurrency, kLaunchedAt, kUrl, kImageUrl };
}  // namespace prod
namespace ev {
enum : std::size_t {
  kId,
  kCustomerId,
  kType,
  kTime,
  kChannel,
  kReason,
  kScore,
  kValue,
  kCurrency,
  kRef,
  kText,
  kProperties
};
}  // namespace ev

std::string Quote(std::string_view s) {
  std::string out = "'";
  out.append(s.substr(0, 64));
  if (s.size() > 64) out += "...";
  out += "'";
  return out;
}

Status FieldError(std::string_view field, const std::string& message) {
  std::string m(field);
  m += ": ";
  m += message;
  return InvalidArgumentError(std::move(m));
}

// Text fields: valid UTF-8, no control characters except tab/newline in free text.
Status CheckText(std::string_view field, std::string_view v, bool free_text) {
  std::size_t bad = 0;
  if (!IsValidUtf8(v, &bad)) {
    return FieldError(field, "invalid UTF-8 at byte " + std::to_string(bad + 1));
  }
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && !(free_text && (c == '\n' || c == '\t' || c == '\r'))) {
      return FieldError(field, "contains a control character");
    }
  }
  return Status::Ok();
}

// Ids: valid UTF-8 without characters that do not print or print as something else, so that
// two different ids cannot look alike.
Status CheckId(std::string_view field, std::string_view v) {
  std::size_t bad = 0;
  if (!IsValidUtf8(v, &bad)) {
    return FieldError(field, "invalid UTF-8 at byte " + std::to_string(bad + 1));
  }
  if (const std::optional<CodePointAt> c = FindDisallowedInId(v)) {
    return FieldError(field, FormatCodePoint(c->code_point) + " at byte " +
                                 std::to_string(c->offset + 1) +
                                 " is a control, invisible or bidirectional-override character, "
                                 "not allowed in an id");
  }
  if (v.size() > 256) return FieldError(field, "longer than 256 bytes");
  return Status::Ok();
}

// Coupon codes: ids, at most 64 bytes.
Status CheckCoupon(std::string_view field, std::string_view v) {
  WINBACK_RETURN_IF_ERROR(CheckId(field, v));
  if (v.size() > 64) return FieldError(field, "longer than 64 bytes");
  return Status::Ok();
}

// An absolute http or https URL with a host, at most 2048 bytes, without spaces or control
// characters.
Status CheckUrl(std::string_view field, std::string_view v) {
  WINBACK_RETURN_IF_ERROR(CheckText(field, v, false));
  if (v.size() > 2048) return FieldError(field, "longer than 2048 bytes");
  auto starts_with_ci = [&v](std::string_view prefix) {
    if (v.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      char c = v[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  std::size_t host = 0;
  if (starts_with_ci("https://")) {
    host = 8;
  } else if (starts_with_ci("http://")) {
    host = 7;
  } else {
    return FieldError(field, Quote(v) + " is not an http or https URL");
  }
  if (host == v.size() || v[host] == '/' || v[host] == '?' || v[host] == '#') {
    return FieldError(field, Quote(v) + " has no host");
  }
  for (char c : v) {
    if (c == ' ' || c == 0x7F) return FieldError(field, Quote(v) + " contains a space");
  }
  return Status::Ok();
}

Result<std::int64_t> ParseInteger(std::string_view field, std::string_view v) {
  std::int64_t out = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return FieldError(field, Quote(v) + " is not an integer");
  }
  return out;
}

template <std::size_t N>
Status CheckOneOf(std::string_view field, std::string_view v,
                  const std::array<std::string_view, N>& allowed) {
  for (std::string_view a : allowed) {
    if (v == a) return Status::Ok();
  }
  std::string list;
  for (std::string_view a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
  }
  return FieldError(field, Quote(v) + " is not one of " + list);
}

Result<Consent> ParseConsent(std::string_view field, std::string_view v) {
  if (v == "yes" || v == "true" || v == "1" || v == "YES" || v == "Yes" || v == "TRUE" ||
      v == "True" || v == "y") {
    return Consent::kGranted;
  }
  if (v == "no" || v == "false" || v == "0" || v == "NO" || v == "No" || v == "FALSE" ||
      v == "False" || v == "n") {
    return Consent::kDenied;
  }
  return FieldError(field, Quote(v) + " is not yes or no");
}

Result<ParsedTimestamp> ParseTime(std::string_view field, std::string_view v) {
  Result<ParsedTimestamp> t = ParseTimestamp(v);
  if (!t.ok()) return FieldError(field, t.status().message());
  return t;
}

Result<Currency> ParseCurrency(std::string_view field, std::string_view v) {
  Result<Currency> c = Currency::FromCode(v);
  if (!c.ok()) return FieldError(field, c.status().message());
  return c;
}

Result<std::int64_t> ParseAmount(std::string_view field, std::string_view v, const Currency& c) {
  Result<std::int64_t> a = ParseMinorUnits(v, c);
  if (!a.ok()) return FieldError(field, a.status().message());
  if (*a < 0) return FieldError(field, Quote(v) + " is negative");
  return a;
}

bool IsAsciiLower(std::string_view v, std::size_t min, std::size_t max) {
  if (v.size() < min || v.size() > max) return false;
  for (char c : v) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

// A quantity is a JSON integer; a price a string or a number in the currency's decimals, read
// from its text as written (never through a double).
Result<std::vector<store::OrderItem>> ParseItems(std::string_view v, const Currency& currency,
                                                 internal::JsonObjectParser& parser) {
  if (Status st = internal::CheckJsonLimits(v); !st.ok()) return FieldError("items", st.message());
  Result<std::vector<internal::JsonValue>> elements = internal::SplitJsonArray(v);
  if (!elements.ok()) {
    const std::string& m = elements.status().message();
    return FieldError("items", m == "expected a JSON array" ? "expected a JSON array of items" : m);
  }
  std::vector<store::OrderItem> items;
  items.reserve(elements->size());
  for (std::size_t i = 0; i < elements->size(); ++i) {
    const std::string where = "item " + std::to_string(i + 1) + ": ";
    const internal::JsonValue& e = (*elements)[i];
    if (e.kind != internal::JsonKind::kObject)
      return FieldError("items", where + "expected an object");
    if (Status st = parser.Parse(e.text); !st.ok()) {
      const std::string key = parser.error_field() == "row" ? "" : parser.error_field() + ": ";
      return FieldError("items", where + key + st.message());
    }
    const internal::JsonValue* sku = nullptr;
    const internal::JsonValue* qty = nullptr;
    const internal::JsonValue* price = nullptr;
    for (const internal::JsonMember& m : parser.members()) {
      if (m.key == "sku") sku = &m.value;
      if (m.key == "quantity") qty = &m.value;
      if (m.key == "price") price = &m.value;
    }
    store::OrderItem item;
    if (sku == nullptr || sku->kind != internal::JsonKind::kString || sku->text.empty()) {
      return FieldError("items", where + "sku is missing or not a string");
    }
    item.sku = sku->text;
    WINBACK_RETURN_IF_ERROR(CheckId("items", item.sku));
    if (qty == nullptr || qty->kind != internal::JsonKind::kNumber) {
      return FieldError("items", where + "quantity is missing or not an integer");
    }
    const auto [end, ec] =
        std::from_chars(qty->text.data(), qty->text.data() + qty->text.size(), item.quantity);
    if (ec != std::errc() || end != qty->text.data() + qty->text.size()) {
      return FieldError("items", where + "quantity " + Quote(qty->text) +
                                     " is not an integer of at most 19 digits");
    }
    if (item.quantity < 0) {
      return FieldError("items",
                        where + "quantity " + std::to_string(item.quantity) + " is negative");
    }
    if (item.quantity == 0) return FieldError("items", where + "quantity is 0");
    if (price == nullptr || (price->kind != internal::JsonKind::kString &&
                             price->kind != internal::JsonKind::kNumber)) {
      return FieldError("items", where + "price is missing");
    }
    Result<std::int64_t> p = ParseMinorUnits(price->text, currency);
    if (!p.ok()) return FieldError("items", where + "price " + p.status().message());
    if (*p < 0) return FieldError("items", where + "price " + Quote(price->text) + " is negative");
    item.price_minor = *p;
    items.push_back(std::move(item));
  }
  return items;
}

constexpr std::array<std::string_view, 4> kGenders = {"female", "male", "other", "unknown"};
constexpr std::array<std::string_view, 6> kEducations = {"primary", "secondary", "bachelor",
                                                         "master",  "doctorate", "other"};
constexpr std::array<std::string_view, 3> kPreferredChannels = {"email", "sms", "whatsapp"};
constexpr std::array<std::string_view, 6> kEventChannels = {"email", "sms",   "whatsapp",
                                                            "web",   "phone", "chat"};
constexpr std::array<std::string_view, 6> kExitReasons = {"price",   "service", "selection",
                                                          "feature", "moved",   "other"};
constexpr std::array<std::string_view, 2> kResolutions = {"satisfied", "unsatisfied"};

}  // namespace

Status RowParser::CheckTimeZone(std::string_view name) {
  if (known_zones_.Find(name)) return Status::Ok();
  Result<TimeZone> z = TimeZone::Find(name);
  if (!z.ok()) return FieldError("time_zone", z.status().message());
  known_zones_.Insert(name, true);
  return Status::Ok();
}

Result<store::CustomerRecord> RowParser::ParseCustomer(const RawRow& row) {
  using namespace cust;  // NOLINT(google-build-using-namespace): local column enum.
  const auto& v = row.values;
  const auto& has = row.has_value;
  store::CustomerRecord c;
  if (!has[kId]) return FieldError("id", "missing");
  WINBACK_RETURN_IF_ERROR(CheckId("id", v[kId]));
  c.id = v[kId];
  if (has[kEmail]) {
    WINBACK_RETURN_IF_ERROR(CheckText("email", v[kEmail], false));
    const std::size_t at = v[kEmail].find('@');
    if (at == 0 || at == std::string_view::npos || at + 1 >= v[kEmail].size() ||
        v[kEmail].find('@', at + 1) != std::string_view::npos ||
        v[kEmail].find(' ') != std::string_view::npos) {
      return FieldError("email", Quote(v[kEmail]) + " is not an email address");
    }
    c.email = v[kEmail];
  }
  if (has[kPhone]) {
    const std::string_view p = v[kPhone];
    bool ok = p.size() >= 9 && p.size() <= 16 && p[0] == '+';
    for (std::size_t i = 1; ok && i < p.size(); ++i) ok = p[i] >= '0' && p[i] <= '9';
    if (!ok) return FieldError("phone", Quote(p) + " is not an E.164 number (+ and 8-15 digits)");
    c.phone = p;
  }
  for (auto [idx, name] : {std::pair{kFirstName, "first_name"}, std::pair{kLastName, "last_name"},
                           std::pair{kRegion, "region"}, std::pair{kCity, "city"}}) {
    if (!has[idx]) continue;
    WINBACK_RETURN_IF_ERROR(CheckText(name, v[idx], false));
  }
  c.first_name = v[kFirstName];
  c.last_name = v[kLastName];
  c.region = v[kRegion];
  c.city = v[kCity];
  if (has[kBirthDate]) {
    Result<Date> d = ParseDate(v[kBirthDate]);
    if (!d.ok()) return FieldError("birth_date", d.status().message());
    if (d->year() < 1900) return FieldError("birth_date", Quote(v[kBirthDate]) + " is before 1900");
    c.birth_date = *d;
  }
  if (has[kBirthYear]) {
    WINBACK_ASSIGN_OR_RETURN(std::int64_t y, ParseInteger("birth_year", v[kBirthYear]));
    if (y < 1900 || y > 2100)
      return FieldError("birth_year", Quote(v[kBirthYear]) + " is not in 1900..2100");
    c.birth_year = static_cast<int>(y);
  } else if (c.birth_date) {
    c.birth_year = c.birth_date->year();
  }
  if (has[kGender]) {
    WINBACK_RETURN_IF_ERROR(CheckOneOf("gender", v[kGender], kGenders));
    c.gender = v[kGender];
  }
  if (has[kEducation]) {
    WINBACK_RETURN_IF_ERROR(CheckOneOf("education", v[kEducation], kEducations));
    c.education = v[kEducation];
  }
  if (has[kCountry]) {
    const std::string_view k = v[kCountry];
    if (!IsCountryCode(k)) {
      WINBACK_RETURN_IF_ERROR(CheckText("country", k, false));
      const std::optional<std::string_view> hint = CountryCodeHint(k);
      return FieldError("country", Quote(k) + " is not an ISO 3166-1 alpha-2 country code " +
                                       (hint ? "(did you mean " + std::string(*hint) + "?)"
                                             : std::string("(e.g. TR)")));
    }
    c.country = k;
  }
  if (has[kTimeZone]) {
    WINBACK_RETURN_IF_ERROR(CheckText("time_zone", v[kTimeZone], false));
    WINBACK_RETURN_IF_ERROR(CheckTimeZone(v[kTimeZone]));
    c.time_zone = v[kTimeZone];
  }
  if (has[kLanguage]) {
    if (!IsAsciiLower(v[kLanguage], 2, 3)) {
      return FieldError("language",
                        Quote(v[kLanguage]) + " is not an ISO 639 code (e.g. tr, fa, en)");
    }
    c.language = v[kLanguage];
  }
  if (has[kSignupAt]) {
    WINBACK_ASSIGN_OR_RETURN(ParsedTimestamp t, ParseTime("signup_at", v[kSignupAt]));
    c.signup_at = t.instant;
  }
  const std::size_t consent_cols[] = {kConsentEmail, kConsentSms, kConsentWhatsapp};
  const char* consent_names[] = {"consent_email", "consent_sms", "consent_whatsapp"};
  for (std::size_t ch = 0; ch < 3; ++ch) {
    if (!has[consent_cols[ch]]) continue;
    WINBACK_ASSIGN_OR_RETURN(c.consent[ch], ParseConsent(consent_names[ch], v[consent_cols[ch]]));
  }
  if (has[kPreferredChannel]) {
    WINBACK_RETURN_IF_ERROR(
        CheckOneOf("preferred_channel", v[kPreferredChannel], kPreferredChannels));
    c.preferred_channel = v[kPreferredChannel];
  }
  if (has[kReferredBy]) {
    WINBACK_RETURN_IF_ERROR(CheckId("referred_by", v[kReferredBy]));
    c.referred_by = v[kReferredBy];
  }
  // Column kEmail + k is CustomerField k (static_assert below); a birth year taken from the
  // birth date is stated with it.
  for (std::size_t col = kEmail; col <= kReferredBy; ++col) {
    const bool stated = row.stated[col] || (col == kBirthYear && has[kBirthDate]);
    if (!stated) c.present.Clear(static_cast<store::CustomerField>(col - kEmail));
  }
  return c;
}

Result<store::OrderRecord> RowParser::ParseOrder(const RawRow& row) {
  using namespace ord;  // NOLINT(google-build-using-namespace): local column enum.
  const auto& v = row.values;
  const auto& has = row.has_value;
  store::OrderRecord o;
  if (!has[kId]) return FieldError("id", "missing");
  WINBACK_RETURN_IF_ERROR(CheckId("id", v[kId]));
  if (!has[kCustomerId]) return FieldError("customer_id", "missing");
  WINBACK_RETURN_IF_ERROR(CheckId("customer_id", v[kCustomerId]));
  if (!has[kTime]) return FieldError("time", "missing");
  WINBACK_ASSIGN_OR_RETURN(ParsedTimestamp t, ParseTime("time", v[kTime]));
  if (!has[kCurrency]) return FieldError("currency", "missing");
  WINBACK_ASSIGN_OR_RETURN(Currency currency, ParseCurrency("currency", v[kCurrency]));
  if (!has[kAmount]) return FieldError("amount", "missing");
  WINBACK_ASSIGN_OR_RETURN(o.amount_minor, ParseAmount("amount", v[kAmount], currency));
  if (has[kStatus]) {
    const std::optional<OrderStatus> s = ParseOrderStatus(v[kStatus]);
    if (!s)
      return FieldError("status",
                        Quote(v[kStatus]) + " is not one of completed, refunded, cancelled");
    o.status = *s;
  }
  if (has[kItems]) {
    WINBACK_RETURN_IF_ERROR(CheckText("items", v[kItems], true));
    WINBACK_ASSIGN_OR_RETURN(o.items, ParseItems(v[kItems], currency, json_));
  }
  if (has[kCoupon]) {
    WINBACK_RETURN_IF_ERROR(CheckCoupon("coupon", v[kCoupon]));
    o.coupon = v[kCoupon];
  }
  o.id = v[kId];
  o.customer_id = v[kCustomerId];
  o.placed_at = t.instant;
  o.utc_offset_minutes = t.utc_offset_minutes;
  o.currency = currency.code();
  if (!row.stated[kStatus]) o.present.Clear(store::OrderField::kStatus);
  if (!row.stated[kItems]) o.present.Clear(store::OrderField::kItems);
  if (!row.stated[kCoupon]) o.present.Clear(store::OrderField::kCoupon);
  return o;
}

Result<store::ProductRecord> RowParser::ParseProduct(const RawRow& row) {
  using namespace prod;  // NOLINT(google-build-using-namespace): local column enum.
  const auto& v = row.values;
  const auto& has = row.has_value;
  store::ProductRecord p;
  if (!has[kSku]) return FieldError("sku", "missing");
  WINBACK_RETURN_IF_ERROR(CheckId("sku", v[kSku]));
  if (!has[kName]) return FieldError("name", "missing");
  WINBACK_RETURN_IF_ERROR(CheckText("name", v[kName], false));
  if (has[kCategory]) WINBACK_RETURN_IF_ERROR(CheckText("category", v[kCategory], false));
  if (has[kCurrency]) {
    WINBACK_ASSIGN_OR_RETURN(Currency currency, ParseCurrency("currency", v[kCurrency]));
    p.currency = currency.code();
    if (has[kPrice]) {
      WINBACK_ASSIGN_OR_RETURN(std::int64_t price, ParseAmount("price", v[kPrice], currency));
      p.price_minor = price;
    }
  } else if (has[kPrice]) {
    return FieldError("currency", "missing (a price needs its currency)");
  }
  if (has[kLaunchedAt]) {
    WINBACK_ASSIGN_OR_RETURN(ParsedTimestamp t, ParseTime("launched_at", v[kLaunchedAt]));
    p.launched_at = t.instant;
  }
  if (has[kUrl]) WINBACK_RETURN_IF_ERROR(CheckUrl("url", v[kUrl]));
  if (has[kImageUrl]) WINBACK_RETURN_IF_ERROR(CheckUrl("image_url", v[kImageUrl]));
  p.sku = v[kSku];
  p.name = v[kName];
  p.category = v[kCategory];
  p.url = v[kUrl];
  p.image_url = v[kImageUrl];
  // price and currency are one field: stated when either column is.
  if (!row.stated[kCategory]) p.present.Clear(store::ProductField::kCategory);
  if (!row.stated[kPrice] && !row.stated[kCurrency]) p.present.Clear(store::ProductField::kPrice);
  if (!row.stated[kLaunchedAt]) p.present.Clear(store::ProductField::kLaunchedAt);
  if (!row.stated[kUrl]) p.present.Clear(store::ProductField::kUrl);
  if (!row.stated[kImageUrl]) p.present.Clear(store::ProductField::kImageUrl);
  return p;
}

Result<store::EventRecord> RowParser::ParseEvent(const RawRow& row) {
  using namespace ev;  // NOLINT(google-build-using-namespace): local column enum.
  const auto& v = row.values;
  const auto& has = row.has_value;
  store::EventRecord e;
  if (!has[kId]) return FieldError("id", "missing");
  WINBACK_RETURN_IF_ERROR(CheckId("id", v[kId]));
  if (!has[kCustomerId]) return FieldError("customer_id", "missing");
  WINBACK_RETURN_IF_ERROR(CheckId("customer_id", v[kCustomerId]));
  if (!has[kType]) return FieldError("type", "missing");
  const std::optional<EventType> type = ParseEventType(v[kType]);
  if (!type) {
    WINBACK_RETURN_IF_ERROR(CheckText("type", v[kType], false));
    return FieldError("type", Quote(v[kType]) + " is not an event type (see docs/formats.md)");
  }
  e.type = *type;
  if (!has[kTime]) return FieldError("time", "missing");
  WINBACK_ASSIGN_OR_RETURN(ParsedTimestamp t, ParseTime("time", v[kTime]));
  e.at = t.instant;
  e.utc_offset_minutes = t.utc_offset_minutes;
  if (has[kChannel]) {
    WINBACK_RETURN_IF_ERROR(CheckOneOf("channel", v[kChannel], kEventChannels));
    e.channel = v[kChannel];
  }
  if (has[kReason]) {
    WINBACK_RETURN_IF_ERROR(CheckText("reason", v[kReason], false));
    e.reason = v[kReason];
  }
  if (has[kScore]) {
    WINBACK_ASSIGN_OR_RETURN(std::int64_t s, ParseInteger("score", v[kScore]));
    e.score = s;
  }
  if (has[kValue] != has[kCurrency]) {
    return FieldError(has[kValue] ? "currency" : "value", "value and currency go together");
  }
  if (has[kValue]) {
    WINBACK_ASSIGN_OR_RETURN(Currency currency, ParseCurrency("currency", v[kCurrency]));
    WINBACK_ASSIGN_OR_RETURN(std::int64_t value, ParseAmount("value", v[kValue], currency));
    e.value_minor = value;
    e.currency = currency.code();
  }
  if (has[kRef]) {
    WINBACK_RETURN_IF_ERROR(CheckId("ref", v[kRef]));
    e.ref = v[kRef];
  }
  if (has[kText]) {
    WINBACK_RETURN_IF_ERROR(CheckText("text", v[kText], true));
    e.text = v[kText];
  }
  if (has[kProperties]) {
    WINBACK_RETURN_IF_ERROR(CheckText("properties", v[kProperties], true));
    if (Status st = internal::CheckJsonLimits(v[kProperties]); !st.ok()) {
      return FieldError("properties", st.message());
    }
    const nlohmann::json j =
        nlohmann::json::parse(v[kProperties], nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return FieldError("properties", "expected a JSON object");
    }
    e.properties = j.dump();
  }
  // Rules per type (docs/formats.md).
  switch (e.type) {
    case EventType::kTicketResolved:
      if (!has[kReason])
        return FieldError("reason", "missing (ticket_resolved needs satisfied or unsatisfied)");
      WINBACK_RETURN_IF_ERROR(CheckOneOf("reason", e.reason, kResolutions));
      break;
    case EventType::kExitSurvey:
    case EventType::kSubscriptionCancelled:
      if (!has[kReason]) {
        return FieldError("reason",
                          "missing (" + std::string(EventTypeName(e.type)) + " needs a reason)");
      }
      WINBACK_RETURN_IF_ERROR(CheckOneOf("reason", e.reason, kExitReasons));
      break;
    case EventType::kReview:
      if (!e.score) return FieldError("score", "missing (a review needs a score 1..5)");
      if (*e.score < 1 || *e.score > 5) {
        return FieldError("score", std::to_string(*e.score) + " is not in 1..5");
      }
      break;
    case EventType::kFeatureRequested:
    case EventType::kFeatureShipped:
      if (!has[kRef]) return FieldError("ref", "missing (the feature key)");
      break;
    case EventType::kUnsubscribe:
    case EventType::kBounce:
      if (!has[kChannel]) return FieldError("channel", "missing (email, sms or whatsapp)");
      if (!ParseChannelKind(e.channel)) {
        return FieldError("channel", Quote(e.channel) + " is not email, sms or whatsapp");
      }
      break;
    default:
      break;
  }
  e.id = v[kId];
  e.customer_id = v[kCustomerId];
  const auto& stated = row.stated;
  for (auto [col, field] :
       {std::pair{kChannel, store::EventField::kChannel},
        std::pair{kReason, store::EventField::kReason},
        std::pair{kScore, store::EventField::kScore}, std::pair{kRef, store::EventField::kRef},
        std::pair{kText, store::EventField::kText},
        std::pair{kProperties, store::EventField::kProperties}}) {
    if (!stated[col]) e.present.Clear(field);
  }
  if (!stated[kValue] && !stated[kCurrency]) e.present.Clear(store::EventField::kValue);
  return e;
}

}  // namespace winback::ingest
