#include "models/cdnow.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "core/time.h"

namespace winback::models {
namespace {

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Result<std::vector<TransactionRecord>> ReadCdnowTransactions(const std::string& path,
                                                             CdnowLayout layout) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot open CDNOW file " + path);
  std::vector<TransactionRecord> out;
  std::string line;
  std::size_t line_no = 0;
  const std::size_t id_field = layout == CdnowLayout::kSample ? 1 : 0;
  const std::size_t date_field = id_field + 1;
  const std::size_t value_field = id_field + 3;
  while (std::getline(in, line)) {
    ++line_no;
    std::istringstream fields(line);
    std::vector<std::string> f;
    std::string token;
    while (fields >> token) f.push_back(token);
    if (f.empty() || !AllDigits(f[0])) continue;
    auto error = [&](std::string_view field, const std::string& what) {
      return InvalidArgumentError(fmt::format("{}:{}: {}: {}", path, line_no, field, what));
    };
    if (f.size() < value_field + 1) {
      return error("line", fmt::format("expected {} fields, got {}", value_field + 1, f.size()));
    }
    const std::string& id = f[id_field];
    if (!AllDigits(id)) return error("customer id", "'" + id + "' is not a number");
    const std::size_t nz = id.find_first_not_of('0');
    const std::string& date = f[date_field];
    if (date.size() != 8 || !AllDigits(date)) {
      return error("date", "'" + date + "' is not YYYYMMDD");
    }
    const int year = std::stoi(date.substr(0, 4));
    const int month = std::stoi(date.substr(4, 2));
    const int day = std::stoi(date.substr(6, 2));
    Result<Date> d = Date::FromYmd(year, month, day);
    if (!d.ok()) return error("date", d.status().message());
    double value = 0;
    const std::string& v = f[value_field];
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
    if (ec != std::errc() || ptr != v.data() + v.size()) {
      return error("dollar value", "'" + v + "' is not a number");
    }
    out.push_back({nz == std::string::npos ? std::string("0") : id.substr(nz), d->days(), value});
  }
  return out;
}

CalibrationOptions CdnowCalibrationOptions() {
  CalibrationOptions o;
  o.calibration_end_day = DaysFromCivil(1997, 9, 30);
  o.holdout_end_day = DaysFromCivil(1998, 6, 30);
  o.days_per_unit = 7.0;
  return o;
}

}  // namespace winback::models
