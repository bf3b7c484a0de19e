#include "ingest/row_source.h"

#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "ingest/csv_reader.h"

namespace winback::ingest {
namespace {

const std::vector<ColumnSpec> kCustomerColumns = {{"id", true},
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
                                                  {"consent_email", false},
                                                  {"consent_sms", false},
                                                  {"consent_whatsapp", false},
                                                  {"preferred_channel", false},
                                                  {"referred_by", false}};

const std::vector<ColumnSpec> kOrderColumns = {
    {"id", true},       {"customer_id", true}, {"time", true},  {"amount", true},
    {"currency", true}, {"status", false},     {"items", false}};

const std::vector<ColumnSpec> kEventColumns = {
    {"id", true},        {"customer_id", true}, {"type", true},   {"time", true},
    {"channel", false},  {"reason", false},     {"score", false}, {"value", false},
    {"currency", false}, {"ref", false},        {"text", false},  {"properties", false}};

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

class CsvRowSource final : public RowSource {
 public:
  CsvRowSource(FileKind kind, std::string_view data)
      : columns_(ColumnsOf(kind)), reader_(data), size_(data.size()) {}

  Status Open() override {
    Result<bool> r = reader_.Next();
    if (!r.ok()) return InvalidArgumentError("line 1: header: " + r.status().message());
    if (!*r) return InvalidArgumentError("line 1: header: the file is empty (no header row)");
    header_ = reader_.raw();
    std::vector<bool> seen(columns_.size(), false);
    for (std::string_view name : reader_.fields()) {
      std::size_t bad = 0;
      if (!IsValidUtf8(name, &bad)) {
        return InvalidArgumentError("line 1: header: invalid UTF-8 in a column name");
      }
      const int idx = ColumnIndex(columns_, name);
      if (idx >= 0 && seen[static_cast<std::size_t>(idx)]) {
        return InvalidArgumentError("line 1: header: column '" + std::string(name) +
                                    "' appears twice");
      }
      if (idx >= 0) seen[static_cast<std::size_t>(idx)] = true;
      if (idx < 0) unknown_.push_back(Printable(name));
      map_.push_back(idx);
    }
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].required && !seen[i]) {
        return InvalidArgumentError("line 1: header: missing required column '" +
                                    std::string(columns_[i].name) + "'");
      }
    }
    return Status::Ok();
  }

  bool Next(RawRow& row, RowError& error, bool& has_error, bool& fatal) override {
    has_error = false;
    fatal = false;
    Result<bool> r = reader_.Next();
    if (!r.ok()) {
      has_error = true;
      error.line = reader_.line();
      const std::size_t f = reader_.error_field();
      error.field = f < map_.size() && map_[f] >= 0
                        ? std::string(columns_[static_cast<std::size_t>(map_[f])].name)
                        : "row";
      error.message = r.status().message();
      row.line = reader_.line();
      row.raw = reader_.raw();
      fatal = reader_.offset() >= size_;
      return true;
    }
    if (!*r) return false;
    row.line = reader_.line();
    row.raw = reader_.raw();
    const auto& fields = reader_.fields();
    if (fields.size() != map_.size()) {
      has_error = true;
      error.line = row.line;
      error.field = "row";
      error.message = std::to_string(fields.size()) + " fields, expected " +
                      std::to_string(map_.size()) + " as in the header";
      return true;
    }
    row.present.fill(false);
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const int idx = map_[i];
      if (idx < 0 || fields[i].empty()) continue;
      row.values[static_cast<std::size_t>(idx)] = fields[i];
      row.present[static_cast<std::size_t>(idx)] = true;
    }
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (!row.present[i]) row.values[i] = {};
    }
    return true;
  }

  const std::vector<std::string>& unknown_columns() const override { return unknown_; }
  std::string_view header() const override { return header_; }
  std::size_t offset() const override { return reader_.offset(); }

 private:
  const std::vector<ColumnSpec>& columns_;
  CsvReader reader_;
  std::size_t size_;
  std::vector<int> map_;  // CSV field index -> column index, -1 for unknown columns.
  std::vector<std::string> unknown_;
  std::string_view header_;
};

class JsonlRowSource final : public RowSource {
 public:
  JsonlRowSource(FileKind kind, std::string_view data) : columns_(ColumnsOf(kind)), data_(data) {
    if (data_.size() >= 3 && data_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  Status Open() override { return Status::Ok(); }

  bool Next(RawRow& row, RowError& error, bool& has_error, bool& fatal) override {
    has_error = false;
    fatal = false;
    std::string_view line;
    while (true) {
      if (pos_ >= data_.size()) return false;
      const std::size_t nl = data_.find('\n', pos_);
      const std::size_t end = nl == std::string_view::npos ? data_.size() : nl;
      line = data_.substr(pos_, end - pos_);
      pos_ = nl == std::string_view::npos ? data_.size() : nl + 1;
      ++line_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") != std::string_view::npos) break;
    }
    row.line = line_;
    row.raw = line;
    row.present.fill(false);
    for (auto& v : row.values) v = {};
    auto fail = [&](std::string field, std::string message) {
      has_error = true;
      error.line = line_;
      error.field = std::move(field);
      error.message = std::move(message);
      return true;
    };
    std::size_t bad = 0;
    if (!IsValidUtf8(line, &bad)) {
      return fail("row", "invalid UTF-8 at byte " + std::to_string(bad + 1) + " of the line");
    }
    json_ = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (json_.is_discarded()) return fail("row", "not valid JSON");
    if (!json_.is_object()) return fail("row", "expected a JSON object");
    for (std::size_t i = 0; i < columns_.size(); ++i) storage_[i].clear();
    for (auto it = json_.begin(); it != json_.end(); ++it) {
      const int idx = ColumnIndex(columns_, it.key());
      if (idx < 0) {
        NoteUnknown(it.key());
        continue;
      }
      const auto i = static_cast<std::size_t>(idx);
      const nlohmann::json& v = it.value();
      const bool structured = columns_[i].name == "items" || columns_[i].name == "properties";
      if (v.is_null()) continue;
      if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        if (s.empty()) continue;
        row.values[i] = s;
      } else if (v.is_number() || v.is_boolean() || structured) {
        storage_[i] = v.dump();
        row.values[i] = storage_[i];
      } else {
        return fail(std::string(columns_[i].name), "expected a string, number or null");
      }
      row.present[i] = true;
    }
    return true;
  }

  const std::vector<std::string>& unknown_columns() const override { return unknown_; }
  std::string_view header() const override { return {}; }
  std::size_t offset() const override { return pos_; }

 private:
  void NoteUnknown(const std::string& key) {
    for (const auto& u : unknown_) {
      if (u == key) return;
    }
    if (unknown_.size() < 50) unknown_.push_back(Printable(key));
  }

  const std::vector<ColumnSpec>& columns_;
  std::string_view data_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 0;
  nlohmann::json json_;
  std::array<std::string, kMaxColumns> storage_;
  std::vector<std::string> unknown_;
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
  }
  return kCustomerColumns;
}

std::unique_ptr<RowSource> MakeRowSource(FileKind kind, FileFormat format, std::string_view data) {
  if (format == FileFormat::kJsonl) return std::make_unique<JsonlRowSource>(kind, data);
  return std::make_unique<CsvRowSource>(kind, data);
}

}  // namespace winback::ingest
