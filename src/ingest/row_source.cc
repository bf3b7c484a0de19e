#include "ingest/row_source.h"

#include "core/utf8.h"
#include "ingest/csv_reader.h"
#include "ingest/internal/json_scan.h"

namespace winback::ingest {
namespace {

constexpr ColumnValue kId = ColumnValue::kId;
constexpr ColumnValue kConsent = ColumnValue::kConsent;
constexpr ColumnValue kJson = ColumnValue::kJson;

const std::vector<ColumnSpec> kCustomerColumns = {{"id", true, kId},
                                                  {"email", false},
                                                  {"phone", false},
                                                  {"first_name", false},
                                                  {"last_name", false},
                                                  {"birth_date", false},
                                                  {"birth_year", false},
                                                  {"gender", false},
                                                  {"education", false},
                                                  {"country", false},
                                                  {"region", false},
                                                  {"city", false},
                                                  {"time_zone", false},
                                                  {"language", false},
                                                  {"signup_at", false},
                                                  {"consent_email", false, kConsent},
                                                  {"consent_sms", false, kConsent},
                                                  {"consent_whatsapp", false, kConsent},
                                                  {"preferred_channel", false},
                                                  {"referred_by", false, kId}};

const std::vector<ColumnSpec> kOrderColumns = {{"id", true, kId},       {"customer_id", true, kId},
                                               {"time", true},          {"amount", true},
                                               {"currency", true},      {"status", false},
                                               {"items", false, kJson}, {"coupon", false, kId}};

const std::vector<ColumnSpec> kEventColumns = {{"id", true, kId},   {"customer_id", true, kId},
                                               {"type", true},      {"time", true},
                                               {"channel", false},  {"reason", false},
                                               {"score", false},    {"value", false},
                                               {"currency", false}, {"ref", false, kId},
                                               {"text", false},     {"properties", false, kJson}};

const std::vector<ColumnSpec> kProductColumns = {
    {"sku", true, kId},  {"name", true},         {"category", false}, {"price", false},
    {"currency", false}, {"launched_at", false}, {"url", false},      {"image_url", false}};

int ColumnIndex(const std::vector<ColumnSpec>& cols, std::string_view name) {
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? '?' : c;
  }
  return out;
}

// "an orders file (header id,customer_id,time,amount,...)" when the names match more columns
// of another kind than of `kind`; empty otherwise.
std::string OtherKindOf(FileKind kind, const std::vector<std::string_view>& names) {
  auto matches = [&](FileKind k) {
    int n = 0;
    for (std::string_view name : names) n += ColumnIndex(ColumnsOf(k), name) >= 0 ? 1 : 0;
    return n;
  };
  const int ours = matches(kind);
  FileKind best = kind;
  int best_matches = ours;
  for (FileKind k :
       {FileKind::kCustomers, FileKind::kOrders, FileKind::kEvents, FileKind::kProducts}) {
    if (matches(k) > best_matches) {
      best = k;
      best_matches = matches(k);
    }
  }
  if (best == kind) return {};
  std::string list;
  for (std::size_t i = 0; i < names.size() && i < 6; ++i) {
    if (i > 0) list += ',';
    list += Printable(names[i]);
  }
  if (names.size() > 6) list += ",...";
  return std::string(best == FileKind::kOrders || best == FileKind::kEvents ? "an " : "a ") +
         std::string(FileKindName(best)) + " file (" + list + "), not " +
         std::string(FileKindName(kind));
}

class CsvRowSource final : public RowSource {
 public:
  CsvRowSource(FileKind kind, std::string_view data)
      : kind_(kind), columns_(ColumnsOf(kind)), reader_(data), size_(data.size()) {}

  Status Open() override {
    auto header_error = [](const std::string& what) {
      return InvalidArgumentError("1: header: " + what);
    };
    Result<bool> r = reader_.Next();
    if (!r.ok()) return header_error(r.status().message());
    if (!*r) return header_error("the file is empty (no header row)");
    header_ = reader_.raw();
    std::vector<bool> seen(columns_.size(), false);
    for (std::string_view name : reader_.fields()) {
      std::size_t bad = 0;
      if (!IsValidUtf8(name, &bad)) return header_error("invalid UTF-8 in a column name");
      const int idx = ColumnIndex(columns_, name);
      if (idx >= 0 && seen[static_cast<std::size_t>(idx)]) {
        return header_error("column '" + std::string(name) + "' appears twice");
      }
      if (idx >= 0) seen[static_cast<std::size_t>(idx)] = true;
      if (idx < 0) unknown_.push_back(Printable(name));
      map_.push_back(idx);
    }
    const std::string other = OtherKindOf(kind_, reader_.fields());
    if (!other.empty()) return header_error("looks like " + other);
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].required && !seen[i]) {
        return header_error("missing required column '" + std::string(columns_[i].name) + "'");
      }
      row_.stated[i] = seen[i];
    }
    return Status::Ok();
  }

  RowRead Next() override {
    Result<bool> r = reader_.Next();
    if (!r.ok()) {
      error_.line = reader_.line();
      const std::size_t f = reader_.error_field();
      error_.field = f < map_.size() && map_[f] >= 0
                         ? std::string(columns_[static_cast<std::size_t>(map_[f])].name)
                         : "row";
      error_.message = r.status().message();
      row_.line = reader_.line();
      row_.raw = reader_.raw();
      return reader_.offset() >= size_ ? RowRead::kBadRowFinal : RowRead::kBadRow;
    }
    if (!*r) return RowRead::kEnd;
    row_.line = reader_.line();
    row_.raw = reader_.raw();
    const auto& fields = reader_.fields();
    if (fields.size() != map_.size()) {
      error_.line = row_.line;
      error_.field = "row";
      error_.message = std::to_string(fields.size()) + " fields, expected " +
                       std::to_string(map_.size()) + " as in the header";
      return RowRead::kBadRow;
    }
    row_.has_value.fill(false);
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const int idx = map_[i];
      if (idx < 0 || fields[i].empty()) continue;
      row_.values[static_cast<std::size_t>(idx)] = fields[i];
      row_.has_value[static_cast<std::size_t>(idx)] = true;
    }
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (!row_.has_value[i]) row_.values[i] = {};
    }
    return RowRead::kRow;
  }

  const RawRow& row() const override { return row_; }
  const RowError& error() const override { return error_; }
  const std::vector<std::string>& unknown_columns() const override { return unknown_; }
  bool unknown_columns_truncated() const override { return false; }
  std::string_view header() const override { return header_; }
  std::size_t offset() const override { return reader_.offset(); }

 private:
  FileKind kind_;
  const std::vector<ColumnSpec>& columns_;
  CsvReader reader_;
  std::size_t size_;
  std::vector<int> map_;  // CSV field index -> column index, -1 for unknown columns.
  std::vector<std::string> unknown_;
  std::string_view header_;
  RawRow row_;
  RowError error_;
};

class JsonlRowSource final : public RowSource {
 public:
  JsonlRowSource(FileKind kind, std::string_view data)
      : kind_(kind), columns_(ColumnsOf(kind)), data_(data) {
    if (data_.size() >= 3 && data_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  // JSONL has no header: the keys of the first object that parses stand in for one.
  Status Open() override {
    std::size_t pos = pos_;
    std::int64_t line_number = 0;
    std::string_view line;
    while (NextLine(pos, line_number, line)) {
      if (!IsValidUtf8(line) || !parser_.Parse(line).ok()) return Status::Ok();
      std::vector<std::string_view> keys;
      keys.reserve(parser_.members().size());
      for (const internal::JsonMember& m : parser_.members()) keys.push_back(m.key);
      const std::string other = OtherKindOf(kind_, keys);
      if (!other.empty()) {
        return InvalidArgumentError(std::to_string(line_number) + ": row: the keys look like " +
                                    other);
      }
      return Status::Ok();
    }
    return Status::Ok();
  }

  RowRead Next() override {
    std::string_view line;
    if (!NextLine(pos_, line_, line)) return RowRead::kEnd;
    row_.line = line_;
    row_.raw = line;
    row_.has_value.fill(false);
    row_.stated.fill(false);
    for (auto& v : row_.values) v = {};
    std::size_t bad = 0;
    if (!IsValidUtf8(line, &bad)) {
      return Fail("row", "invalid UTF-8 at byte " + std::to_string(bad + 1) + " of the line");
    }
    if (Status st = parser_.Parse(line); !st.ok()) return Fail(parser_.error_field(), st.message());
    for (const internal::JsonMember& m : parser_.members()) {
      const int idx = ColumnIndex(columns_, m.key);
      if (idx < 0) {
        NoteUnknown(m.key);
        continue;
      }
      const auto i = static_cast<std::size_t>(idx);
      const ColumnSpec& col = columns_[i];
      row_.stated[i] = true;
      const internal::JsonValue& v = m.value;
      switch (v.kind) {
        case internal::JsonKind::kNull:
          if (col.required) return Fail(col.name, "null; expected a string");
          continue;
        case internal::JsonKind::kString:
          if (v.text.empty()) continue;
          break;
        case internal::JsonKind::kNumber:
          if (col.value == ColumnValue::kJson) return WrongType(col, v);
          if (col.value == ColumnValue::kId &&
              v.text.find_first_of(".eE") != std::string_view::npos) {
            return Fail(col.name, std::string(v.text.substr(0, 40)) +
                                      " is a number but not an integer; give ids as strings");
          }
          break;
        case internal::JsonKind::kTrue:
        case internal::JsonKind::kFalse:
          if (col.value != ColumnValue::kConsent) return WrongType(col, v);
          break;
        case internal::JsonKind::kObject:
        case internal::JsonKind::kArray:
          if (col.value != ColumnValue::kJson) return WrongType(col, v);
          break;
      }
      row_.values[i] = v.text;
      row_.has_value[i] = true;
    }
    return RowRead::kRow;
  }

  const RawRow& row() const override { return row_; }
  const RowError& error() const override { return error_; }
  const std::vector<std::string>& unknown_columns() const override { return unknown_; }
  bool unknown_columns_truncated() const override { return unknown_truncated_; }
  std::string_view header() const override { return {}; }
  std::size_t offset() const override { return pos_; }

 private:
  // The next line with something other than blanks after `pos`, without its line end.
  bool NextLine(std::size_t& pos, std::int64_t& line_number, std::string_view& line) const {
    while (pos < data_.size()) {
      const std::size_t nl = data_.find('\n', pos);
      const std::size_t end = nl == std::string_view::npos ? data_.size() : nl;
      line = data_.substr(pos, end - pos);
      pos = nl == std::string_view::npos ? data_.size() : nl + 1;
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") != std::string_view::npos) return true;
    }
    return false;
  }

  RowRead Fail(std::string_view field, std::string message) {
    error_.line = line_;
    error_.field = field;
    error_.message = std::move(message);
    return RowRead::kBadRow;
  }

  RowRead WrongType(const ColumnSpec& col, const internal::JsonValue& v) {
    std::string expected = "a string";
    if (col.value == ColumnValue::kText) expected = "a string or a number";
    if (col.value == ColumnValue::kId) expected = "a string or an integer";
    if (col.value == ColumnValue::kConsent) expected = "a string, true or false";
    if (col.value == ColumnValue::kJson) {
      expected = col.name == "items" ? "an array" : "an object";
    }
    return Fail(col.name,
                "expected " + expected + ", got " + std::string(internal::JsonKindName(v.kind)));
  }

  void NoteUnknown(std::string_view key) {
    const std::string name = Printable(key);
    for (const auto& u : unknown_) {
      if (u == name) return;
    }
    if (unknown_.size() < kMaxUnknownColumns) {
      unknown_.push_back(name);
    } else {
      unknown_truncated_ = true;
    }
  }

  FileKind kind_;
  const std::vector<ColumnSpec>& columns_;
  std::string_view data_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 0;
  internal::JsonObjectParser parser_;
  std::vector<std::string> unknown_;
  bool unknown_truncated_ = false;
  RawRow row_;
  RowError error_;
};

}  // namespace

std::string_view FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kCustomers:
      return "customers";
    case FileKind::kOrders:
      return "orders";
    case FileKind::kEvents:
      return "events";
    case FileKind::kProducts:
      return "products";
  }
  return "?";
}

const std::vector<ColumnSpec>& ColumnsOf(FileKind kind) {
  switch (kind) {
    case FileKind::kCustomers:
      return kCustomerColumns;
    case FileKind::kOrders:
      return kOrderColumns;
    case FileKind::kEvents:
      return kEventColumns;
    case FileKind::kProducts:
      return kProductColumns;
  }
  return kCustomerColumns;
}

std::unique_ptr<RowSource> MakeRowSource(FileKind kind, FileFormat format, std::string_view data) {
  if (format == FileFormat::kJsonl) return std::make_unique<JsonlRowSource>(kind, data);
  return std::make_unique<CsvRowSource>(kind, data);
}

}  // namespace winback::ingest
