#pragma once

// Row validation of summary tables on the hot paths (fits, batch predictions).

#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/status.h"
#include "models/summary.h"

namespace winback::models::internal {

// ValidateRfm's rules (and, when the table has the column, a finite non-negative monetary
// value) as one branch-light predicate for row i; the error message is built only for a row
// that fails. x is an integer when it is at least 2^52 (every such double is) or equal to its
// truncation.
inline bool SummaryRowIsValid(const SummaryTable& table, std::size_t i) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const double x = table.frequency[i];
  const double t_x = table.recency[i];
  const double t_cal = table.age[i];
  const bool x_ok =
      x >= 0 && x < kInf && (x >= 0x1p52 || static_cast<double>(static_cast<std::int64_t>(x)) == x);
  const bool t_ok = t_cal > 0 && t_cal < kInf;
  const bool tx_ok = t_x >= 0 && t_x <= t_cal && (x != 0 || t_x == 0);
  bool m_ok = true;
  if (!table.monetary_value.empty()) {
    const double m = table.monetary_value[i];
    m_ok = m >= 0 && m < kInf;
  }
  return x_ok && t_ok && tx_ok && m_ok;
}

// ValidateSummaryTable with the rows checked on up to `threads` threads: the same result (the
// first bad row's error, built by ValidateSummaryTable).
Status ValidateSummaryTableParallel(const SummaryTable& table, int threads);

}  // namespace winback::models::internal
