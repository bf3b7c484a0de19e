#include "models/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>

#include "core/csv.h"
#include "core/memory.h"
#include "core/parallel.h"
#include "models/internal/parallel_summary.h"
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

namespace {

// The general parser: one pass in file order, any RFC 4180 input, every error reported.
Result<SummaryTable> ParseSummaryCsvSequential(std::string_view text, std::string_view name) {
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

// The header's columns, as the general parser maps them; nullopt when it would report an error.
struct HeaderColumns {
  std::size_t count = 0;               // fields in the header
  std::array<std::size_t, 5> index{};  // field of each Column
  std::array<bool, 5> present{};       // whether the Column is there
};

std::optional<HeaderColumns> MapHeader(std::string_view line) {
  HeaderColumns h;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::string_view field = line.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (const std::optional<Column> c = ColumnFromName(field)) {
      const auto ci = static_cast<std::size_t>(*c);
      if (h.present[ci]) return std::nullopt;
      h.present[ci] = true;
      h.index[ci] = h.count;
    }
    ++h.count;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  for (std::size_t ci = 0; ci < 4; ++ci) {
    if (!h.present[ci]) return std::nullopt;
  }
  return h;
}

}  // namespace

namespace internal {

// The parallel parser for the usual file: no '"' anywhere, so that every line is one record.
// The body is cut at line ends into parts; the parts' lines are counted, the columns sized once,
// and the parts parsed on all threads straight into their rows; ids are then checked for
// duplicates on all threads, each thread owning the ids of one hash class. Returns nullopt when
// the text does not qualify or holds anything the general parser would report (a bad row, a
// duplicate id), so that the general parser runs and names the first error in file order: for
// every text either both return the same table or this one returns nullopt.
std::optional<SummaryTable> ParseSummaryCsvParallel(std::string_view text, int workers) {
  // Each id class scans every row's hash, so the classes (and threads) are kept few.
  workers = std::clamp(workers, 1, 16);
  const std::size_t n = text.size();
  std::size_t pos = text.starts_with("\xEF\xBB\xBF") ? std::size_t{3} : std::size_t{0};
  while (pos < n &&
         (text[pos] == '\n' || (text[pos] == '\r' && pos + 1 < n && text[pos + 1] == '\n'))) {
    pos += text[pos] == '\n' ? std::size_t{1} : std::size_t{2};
  }
  const std::size_t header_end = text.find('\n', pos);
  if (header_end == std::string_view::npos) return std::nullopt;
  std::string_view header = text.substr(pos, header_end - pos);
  if (header.ends_with('\r')) header.remove_suffix(1);
  if (header.find('"') != std::string_view::npos) return std::nullopt;
  const std::optional<HeaderColumns> columns = MapHeader(header);
  if (!columns) return std::nullopt;
  const std::size_t body = header_end + 1;

  // Parts end just after a line end; a few per thread, so that a thread slowed down by other
  // processes takes fewer.
  const std::size_t part_count = 4 * static_cast<std::size_t>(workers);
  std::vector<std::size_t> bounds(part_count + 1, n);
  bounds[0] = body;
  for (std::size_t i = 1; i < part_count; ++i) {
    const std::size_t target = std::max(bounds[i - 1], body + (n - body) / part_count * i);
    const std::size_t end = target < n ? text.find('\n', target) : std::string_view::npos;
    bounds[i] = end == std::string_view::npos ? n : end + 1;
  }
  std::vector<std::size_t> lines(part_count, 0);
  std::atomic<bool> failed{false};
  ForEachTask(part_count, workers, [&](std::size_t i) {
    const std::string_view part = text.substr(bounds[i], bounds[i + 1] - bounds[i]);
    if (part.find('"') != std::string_view::npos) failed = true;
    lines[i] = static_cast<std::size_t>(std::count(part.begin(), part.end(), '\n'));
    if (i + 1 == part_count && !part.empty() && part.back() != '\n') ++lines[i];
  });
  if (failed) return std::nullopt;
  std::vector<std::size_t> first_row(part_count + 1, 0);
  for (std::size_t i = 0; i < part_count; ++i) first_row[i + 1] = first_row[i] + lines[i];
  const std::size_t max_rows = first_row[part_count];
  if (max_rows >= std::numeric_limits<std::uint32_t>::max()) return std::nullopt;

  // The columns, sized once, each on its own thread (the pages are faulted in as they are
  // zeroed, in huge pages).
  SummaryTable table;
  const bool monetary = columns->present[static_cast<std::size_t>(Column::kMonetary)];
  std::vector<std::size_t> hashes;
  ForEachTask(6, workers, [&](std::size_t task) {
    auto size = [&](auto& column) {
      ReserveLarge(column, max_rows);
      column.resize(max_rows);
    };
    switch (task) {
      case 0:
        size(table.ids);
        break;
      case 1:
        size(table.frequency);
        break;
      case 2:
        size(table.recency);
        break;
      case 3:
        size(table.age);
        break;
      case 4:
        if (monetary) size(table.monetary_value);
        break;
      default:
        size(hashes);
        break;
    }
  });

  std::vector<std::size_t> rows(part_count, 0);
  ForEachTask(part_count, workers, [&](std::size_t i) {
    std::size_t row = first_row[i];
    std::size_t at = bounds[i];
    const std::size_t end = bounds[i + 1];
    std::array<std::string_view, 64> fields;
    if (columns->count > fields.size()) {
      failed = true;
      return;
    }
    while (at < end) {
      if (failed.load(std::memory_order_relaxed)) return;
      // One scan of the line for its commas and its end (lines are short: a library call per
      // field would cost more than the scan).
      const char* const data = text.data();
      std::size_t count = 0;
      std::size_t field_start = at;
      std::size_t line_end = at;
      bool too_many = false;
      for (; line_end < end && data[line_end] != '\n'; ++line_end) {
        if (data[line_end] != ',') continue;
        if (count + 1 == columns->count) too_many = true;
        if (!too_many)
          fields[count++] = std::string_view(data + field_start, line_end - field_start);
        field_start = line_end + 1;
      }
      std::string_view last(data + field_start, line_end - field_start);
      const bool has_cr = line_end > at && data[line_end - 1] == '\r';
      if (has_cr) last.remove_suffix(1);
      const std::size_t line_size = line_end - at - (has_cr ? 1 : 0);
      at = line_end + 1;
      if (line_size == 0) {
        // "\r" alone at the very end is a record of one empty field for the general parser.
        if (has_cr && line_end == n) {
          failed = true;
          return;
        }
        continue;  // an empty line
      }
      if (too_many || count + 1 != columns->count) {
        failed = true;
        return;
      }
      fields[count++] = last;
      const std::string_view id = fields[columns->index[static_cast<std::size_t>(Column::kId)]];
      double values[5] = {0, 0, 0, 0, 0};
      bool ok = !id.empty();
      for (Column c : {Column::kFrequency, Column::kRecency, Column::kAge, Column::kMonetary}) {
        const auto ci = static_cast<std::size_t>(c);
        if (!columns->present[ci]) continue;
        const std::optional<double> v = ParseCsvDouble(fields[columns->index[ci]]);
        ok = ok && v.has_value();
        values[ci] = v.value_or(0);
      }
      const CustomerRfm rfm{values[static_cast<std::size_t>(Column::kFrequency)],
                            values[static_cast<std::size_t>(Column::kRecency)],
                            values[static_cast<std::size_t>(Column::kAge)]};
      const double m = values[static_cast<std::size_t>(Column::kMonetary)];
      // ValidateRfm's rules for finite numbers, and a monetary value that is not negative.
      const bool valid = rfm.frequency >= 0 && rfm.frequency == std::floor(rfm.frequency) &&
                         rfm.age > 0 && rfm.recency >= 0 && rfm.recency <= rfm.age &&
                         (rfm.frequency != 0 || rfm.recency == 0) && !(m < 0);
      if (!ok || !valid) {
        failed = true;
        return;
      }
      table.ids[row].assign(id);
      hashes[row] = IdIndex::Hash(id);
      table.frequency[row] = rfm.frequency;
      table.recency[row] = rfm.recency;
      table.age[row] = rfm.age;
      if (monetary) table.monetary_value[row] = m;
      ++row;
    }
    rows[i] = row - first_row[i];
  });
  if (failed) return std::nullopt;

  // Empty lines leave gaps at the ends of parts: close them (rare; nothing moves otherwise).
  std::size_t total = rows[0];
  for (std::size_t i = 1; i < part_count; ++i) {
    if (total != first_row[i]) {
      auto move_down = [&](auto& column) {
        std::move(column.begin() + static_cast<std::ptrdiff_t>(first_row[i]),
                  column.begin() + static_cast<std::ptrdiff_t>(first_row[i] + rows[i]),
                  column.begin() + static_cast<std::ptrdiff_t>(total));
      };
      move_down(table.ids);
      move_down(table.frequency);
      move_down(table.recency);
      move_down(table.age);
      if (monetary) move_down(table.monetary_value);
      move_down(hashes);
    }
    total += rows[i];
  }
  table.ids.resize(total);
  table.frequency.resize(total);
  table.recency.resize(total);
  table.age.resize(total);
  if (monetary) table.monetary_value.resize(total);

  // Duplicate ids: thread t checks, in row order, the ids whose hash is in class t (equal ids
  // have equal hashes, so every duplicate is found by exactly one class).
  const auto classes = static_cast<std::size_t>(workers);
  auto class_of = [&](std::size_t h) { return (h >> 32) % classes; };
  ForEachTask(classes, workers, [&](std::size_t t) {
    std::vector<std::uint32_t> mine;
    for (std::size_t r = 0; r < total; ++r) {
      if (class_of(hashes[r]) == t) mine.push_back(static_cast<std::uint32_t>(r));
    }
    IdIndex index(mine.size());
    for (std::size_t k = 0; k < mine.size(); ++k) {
      if (k + 8 < mine.size()) index.Prefetch(hashes[mine[k + 8]]);
      if (index.Insert(table.ids, mine[k], hashes[mine[k]])) {
        failed = true;
        return;
      }
    }
  });
  if (failed) return std::nullopt;
  return table;
}

}  // namespace internal

Result<SummaryTable> ParseSummaryCsv(std::string_view text, std::string_view name, int threads) {
  const int workers = ResolveThreads(threads);
  constexpr std::size_t kParallelFrom = std::size_t{1} << 16;  // bytes
  if (workers > 1 && text.size() >= kParallelFrom) {
    if (std::optional<SummaryTable> table = internal::ParseSummaryCsvParallel(text, workers)) {
      return *std::move(table);
    }
  }
  return ParseSummaryCsvSequential(text, name);
}

Result<SummaryTable> ReadSummaryCsv(const std::string& path, int threads) {
  Result<FileContents> file = FileContents::Open(path);
  if (!file.ok()) return NotFoundError("summary file: " + file.status().message());
  return ParseSummaryCsv(file->text(), path, threads);
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
