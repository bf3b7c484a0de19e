#include "models/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>

#include "core/csv.h"
#include "core/memory.h"
#include "models/internal/validate.h"

namespace winback::models {
namespace {

std::string Num(double v) { return fmt::format("{}", v); }

enum class Column { kId, kFrequency, kRecency, kAge, kMonetary };

std::optional<Column> ColumnFromName(std::string_view name) {
  if (name == "id" || name == "ID" || name == "Id" || name == "customer_id") return Column::kId;
  if (name == "frequency" || name == "x") return Column::kFrequency;
  if (name == "recency" || name == "t_x") return Column::kRecency;
  if (name == "T") return Column::kAge;
  if (name == "monetary_value" || name == "monetary" || name == "zbar" || name == "m_x") {
    return Column::kMonetary;
  }
  return std::nullopt;
}

std::string_view ColumnName(Column c) {
  switch (c) {
    case Column::kId:
      return "id";
    case Column::kFrequency:
      return "frequency";
    case Column::kRecency:
      return "recency";
    case Column::kAge:
      return "T";
    case Column::kMonetary:
      return "monetary_value";
  }
  return "?";
}

// The rows' ids by hash, for the duplicate check: open addressing over row numbers, each slot
// holding row + 1 (0 = empty) and the top half of the id's hash, so that a probe rarely
// compares strings. One allocation for the whole file instead of a node per id.
class IdIndex {
 public:
  explicit IdIndex(std::size_t max_rows)
      : mask_(std::bit_ceil(std::max<std::size_t>(max_rows + max_rows / 2, 16)) - 1) {
    ReserveLarge(slots_, mask_ + 1);
    slots_.resize(mask_ + 1);
  }

  static std::size_t Hash(std::string_view id) { return std::hash<std::string_view>{}(id); }

  // Starts loading the slot where the id of hash `h` is looked for first.
  void Prefetch(std::size_t h) const { __builtin_prefetch(&slots_[h & mask_]); }

  // Records ids[row], of hash `h`; returns the row of an earlier equal id instead, if any.
  std::optional<std::size_t> Insert(const std::vector<std::string>& ids, std::size_t row,
                                    std::size_t h) {
    const std::string_view id = ids[row];
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.row == 0) {
        s.row = static_cast<std::uint32_t>(row + 1);
        s.tag = tag;
        return std::nullopt;
      }
      if (s.tag == tag && ids[s.row - 1] == id) return s.row - 1;
    }
  }

 private:
  struct Slot {
    std::uint32_t row = 0;
    std::uint32_t tag = 0;
  };
  std::size_t mask_;
  std::vector<Slot> slots_;
};

// The line on which data row `row` (0-based, after the header) starts; for error messages.
std::size_t LineOfRow(std::string_view text, std::size_t row) {
  CsvReader reader(text);
  for (std::size_t i = 0; i <= row + 1; ++i) {
    Result<bool> more = reader.Next();
    if (!more.ok() || !*more) return 0;
  }
  return reader.line();
}

}  // namespace

Status ValidateRfm(const CustomerRfm& c) {
  if (!std::isfinite(c.frequency) || c.frequency < 0 || c.frequency != std::floor(c.frequency)) {
    return InvalidArgumentError("frequency " + Num(c.frequency) + " is not a non-negative integer");
  }
  if (!std::isfinite(c.age) || !(c.age > 0)) {
    return InvalidArgumentError("T " + Num(c.age) + " is not a positive number");
  }
  if (!std::isfinite(c.recency) || c.recency < 0) {
    return InvalidArgumentError("recency " + Num(c.recency) + " is not a non-negative number");
  }
  if (c.recency > c.age) {
    return InvalidArgumentError("recency " + Num(c.recency) + " is greater than T " + Num(c.age));
  }
  if (c.frequency == 0 && c.recency != 0) {
    return InvalidArgumentError("recency " + Num(c.recency) + " must be 0 when frequency is 0");
  }
  return Status::Ok();
}

void SummaryTable::Reserve(std::size_t n) {
  ReserveLarge(frequency, n);
  ReserveLarge(recency, n);
  ReserveLarge(age, n);
}

Status ValidateSummaryTable(const SummaryTable& table) {
  const std::size_t n = table.size();
  if (table.recency.size() != n || table.age.size() != n ||
      (!table.ids.empty() && table.ids.size() != n) ||
      (!table.monetary_value.empty() && table.monetary_value.size() != n)) {
    return InvalidArgumentError("summary table columns have different lengths");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (internal::SummaryRowIsValid(table, i)) continue;
    Status s = ValidateRfm(table.rfm(i));
    if (s.ok() && table.has_monetary_value()) {
      const double m = table.monetary_value[i];
      if (!std::isfinite(m) || m < 0) {
        s = InvalidArgumentError("monetary value " + Num(m) + " is not a non-negative number");
      }
    }
    if (!s.ok()) {
      std::string where = "row " + std::to_string(i);
      if (table.has_ids()) where += " (id " + table.ids[i] + ")";
      return s.WithContext(where);
    }
  }
  return Status::Ok();
}

Result<SummaryTable> ParseSummaryCsv(std::string_view text, std::string_view name) {
  SummaryTable table;
  std::vector<std::optional<Column>> columns;
  std::size_t column_index[5] = {0, 0, 0, 0, 0};
  bool has_column[5] = {false, false, false, false, false};
  // Every record takes at least one line.
  const std::size_t max_rows =
      static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (max_rows >= std::numeric_limits<std::uint32_t>::max()) {
    return InvalidArgumentError(fmt::format("{}: more than 4 billion lines", name));
  }
  // Ids are checked for duplicates in blocks, prefetching each slot a few rows ahead (the table
  // is far larger than the cache); a block is checked before any later error is reported, so
  // the first error in file order wins.
  std::optional<IdIndex> id_index;
  std::vector<std::size_t> pending_hash;
  std::vector<std::size_t> pending_line;
  std::size_t pending_first = 0;  // the row of pending_hash[0]
  auto check_ids = [&]() -> Status {
    const std::size_t n = pending_hash.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i + 8 < n) id_index->Prefetch(pending_hash[i + 8]);
      const std::size_t row = pending_first + i;
      if (const std::optional<std::size_t> first =
              id_index->Insert(table.ids, row, pending_hash[i])) {
        return InvalidArgumentError(fmt::format("{}:{}: id: '{}' appears twice (first on line {})",
                                                name, pending_line[i], table.ids[row],
                                                LineOfRow(text, *first)));
      }
    }
    pending_first += n;
    pending_hash.clear();
    pending_line.clear();
    return Status::Ok();
  };
  constexpr std::size_t kIdBlock = 4096;
  CsvReader reader(text);
  std::size_t line_no = 1;
  bool have_header = false;
  auto error = [&](std::string_view field, const std::string& what) -> Status {
    if (id_index) WINBACK_RETURN_IF_ERROR(check_ids());
    return InvalidArgumentError(fmt::format("{}:{}: {}: {}", name, line_no, field, what));
  };
  while (true) {
    Result<bool> more = reader.Next();
    if (!more.ok()) {
      if (id_index) WINBACK_RETURN_IF_ERROR(check_ids());
      return InvalidArgumentError(fmt::format("{}:{}", name, more.status().message()));
    }
    if (!*more) break;
    line_no = reader.line();
    const std::span<const std::string_view> fields = reader.fields();
    if (!have_header) {
      have_header = true;
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::optional<Column> c = ColumnFromName(fields[i]);
        columns.push_back(c);
        if (!c) continue;
        const auto ci = static_cast<std::size_t>(*c);
        if (has_column[ci]) {
          return error("header", "column " + std::string(ColumnName(*c)) + " appears twice (as '" +
                                     std::string(fields[i]) + "')");
        }
        has_column[ci] = true;
        column_index[ci] = i;
      }
      for (Column c : {Column::kId, Column::kFrequency, Column::kRecency, Column::kAge}) {
        if (!has_column[static_cast<std::size_t>(c)]) {
          return error("header", "missing column " + std::string(ColumnName(c)));
        }
      }
      ReserveLarge(table.ids, max_rows);
      table.Reserve(max_rows);
      if (has_column[static_cast<std::size_t>(Column::kMonetary)]) {
        ReserveLarge(table.monetary_value, max_rows);
      }
      id_index.emplace(max_rows);
      pending_hash.reserve(kIdBlock);
      pending_line.reserve(kIdBlock);
      continue;
    }
    if (fields.size() != columns.size()) {
      return error("line",
                   fmt::format("has {} fields, the header has {}", fields.size(), columns.size()));
    }
    const std::string_view id = fields[column_index[static_cast<std::size_t>(Column::kId)]];
    if (id.empty()) return error("id", "is empty");
    double values[5] = {0, 0, 0, 0, 0};
    for (Column c : {Column::kFrequency, Column::kRecency, Column::kAge, Column::kMonetary}) {
      const auto ci = static_cast<std::size_t>(c);
      if (!has_column[ci]) continue;
      const std::string_view f = fields[column_index[ci]];
      const std::optional<double> v = ParseCsvDouble(f);
      if (!v) return error(ColumnName(c), "'" + std::string(f) + "' is not a number");
      values[ci] = *v;
    }
    const CustomerRfm rfm{values[static_cast<std::size_t>(Column::kFrequency)],
                          values[static_cast<std::size_t>(Column::kRecency)],
                          values[static_cast<std::size_t>(Column::kAge)]};
    if (Status s = ValidateRfm(rfm); !s.ok()) {
      // Name the field the rule is about.
      std::string_view field = "recency";
      if (s.message().starts_with("frequency")) field = "frequency";
      if (s.message().starts_with("T ")) field = "T";
      return error(field, s.message());
    }
    const double monetary = values[static_cast<std::size_t>(Column::kMonetary)];
    if (monetary < 0) return error("monetary_value", Num(monetary) + " is negative");
    table.ids.emplace_back(id);
    pending_hash.push_back(IdIndex::Hash(id));
    pending_line.push_back(line_no);
    if (pending_hash.size() == kIdBlock) WINBACK_RETURN_IF_ERROR(check_ids());
    table.frequency.push_back(rfm.frequency);
    table.recency.push_back(rfm.recency);
    table.age.push_back(rfm.age);
    if (has_column[static_cast<std::size_t>(Column::kMonetary)]) {
      table.monetary_value.push_back(monetary);
    }
  }
  if (!have_header) {
    return InvalidArgumentError(fmt::format("{}:1: header: the file is empty", name));
  }
  WINBACK_RETURN_IF_ERROR(check_ids());
  return table;
}

Result<SummaryTable> ReadSummaryCsv(const std::string& path) {
  Result<FileContents> file = FileContents::Open(path);
  if (!file.ok()) return NotFoundError("summary file: " + file.status().message());
  return ParseSummaryCsv(file->text(), path);
}

Result<CalibrationHoldout> SummarizeTransactions(std::span<const TransactionRecord> records,
                                                 const CalibrationOptions& options) {
  if (options.holdout_end_day < options.calibration_end_day) {
    return InvalidArgumentError("holdout end is before calibration end");
  }
  if (!(options.days_per_unit > 0) || !std::isfinite(options.days_per_unit)) {
    return InvalidArgumentError("days_per_unit must be positive");
  }
  // Per customer: purchase day -> value (same-day purchases merged).
  std::map<std::string, std::map<std::int32_t, double>> by_customer;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const TransactionRecord& rec = records[i];
    if (rec.customer_id.empty()) {
      return InvalidArgumentError("record " + std::to_string(i) + ": empty customer id");
    }
    if (!std::isfinite(rec.value)) {
      return InvalidArgumentError("record " + std::to_string(i) + ": value is not finite");
    }
    by_customer[rec.customer_id][rec.day] += rec.value;
  }
  CalibrationHoldout out;
  out.holdout_length = static_cast<double>(options.holdout_end_day - options.calibration_end_day) /
                       options.days_per_unit;
  for (const auto& [id, days] : by_customer) {
    const std::int32_t first = days.begin()->first;
    if (first >= options.calibration_end_day) continue;
    double x = 0;
    double value_sum = 0;
    std::int32_t last = first;
    double holdout_x = 0;
    double holdout_value = 0;
    for (const auto& [day, value] : days) {
      if (day == first) continue;
      if (day <= options.calibration_end_day) {
        x += 1;
        value_sum += value;
        last = day;
      } else if (day <= options.holdout_end_day) {
        holdout_x += 1;
        holdout_value += value;
      }
    }
    out.calibration.ids.push_back(id);
    out.calibration.frequency.push_back(x);
    out.calibration.recency.push_back(static_cast<double>(last - first) / options.days_per_unit);
    out.calibration.age.push_back(static_cast<double>(options.calibration_end_day - first) /
                                  options.days_per_unit);
    out.calibration.monetary_value.push_back(x > 0 ? value_sum / x : 0.0);
    out.holdout_frequency.push_back(holdout_x);
    out.holdout_value.push_back(holdout_value);
  }
  return out;
}

}  // namespace winback::models
