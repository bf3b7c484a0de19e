#pragma once

// Per-customer calibration summaries, the input of every BTYD model, and their CSV format.
//
// Notation (Fader, Hardie & Lee 2005), all times in one unit chosen by the caller (the CDNOW
// literature uses weeks = days / 7):
//   x   = frequency: number of REPEAT purchases in the calibration period (the first purchase
//         is not counted; purchases on the same day are merged into one), a non-negative integer;
//   t_x = recency: time of the last purchase, measured from the first purchase (0 when x = 0);
//   T   = age: time from the first purchase to the end of the calibration period;
//   m_x = monetary value: mean value of the x repeat purchases (Gamma-Gamma input; 0 when x = 0).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace winback::models {

// One customer's (x, t_x, T). Value type.
struct CustomerRfm {
  double frequency = 0;  // x
  double recency = 0;    // t_x
  double age = 0;        // T
};

// Checks the rules every model relies on: x is a finite non-negative integer, T > 0 and finite,
// 0 <= t_x <= T, and t_x = 0 when x = 0. Returns InvalidArgument naming the broken rule, e.g.
// "recency 40 is greater than T 38.86".
Status ValidateRfm(const CustomerRfm& c);

// A table of customer summaries, one row per customer, stored by column. `ids` and
// `monetary_value` are either empty or have one entry per row. Value type.
struct SummaryTable {
  std::vector<std::string> ids;
  std::vector<double> frequency;       // x
  std::vector<double> recency;         // t_x
  std::vector<double> age;             // T
  std::vector<double> monetary_value;  // m_x (optional column)

  std::size_t size() const { return frequency.size(); }
  bool has_ids() const { return !ids.empty(); }
  bool has_monetary_value() const { return !monetary_value.empty(); }
  CustomerRfm rfm(std::size_t i) const { return {frequency[i], recency[i], age[i]}; }
  void Reserve(std::size_t n);
};

// Checks column lengths and every row with ValidateRfm (and monetary value >= 0 and finite).
// Returns InvalidArgument "row <i> (id <id>): <rule>" for the first bad row (0-based i).
Status ValidateSummaryTable(const SummaryTable& table);

// Reads a summary CSV file. The first line is a header; columns are recognised by name, in any
// order (unknown columns are ignored):
//   id:             "id", "ID", "customer_id"                       (required)
//   frequency x:    "frequency", "x"                                (required)
//   recency t_x:    "recency", "t_x"                                (required)
//   age T:          "T"                                             (required)
//   monetary value: "monetary_value", "monetary", "zbar", "m_x"     (optional)
// This covers winback's own format (id,frequency,recency,T,monetary_value) and both CDNOW files
// (ID,frequency,recency,T and ID,x,t_x,T,zbar). Fields are separated by commas and may be
// quoted with '"' (RFC 4180, read by core/csv.h: a doubled quote inside a quoted field is a
// quote, and a quoted field may span lines). Lines end in LF or CRLF; a UTF-8 BOM and empty lines
// are skipped. Numbers are plain decimals ("2", "30.43", "1e3" is accepted too); x may be written
// "2.0" but must be an integer. Ids must be unique. The file is read with one read and parsed
// without allocating per row (beyond ids longer than the small-string buffer): 2.36M rows in well
// under a second. Errors: NotFound when the file cannot be opened or read; InvalidArgument
// "<file>:<line>: <field>: <what>" for anything else, e.g. "s.csv:12: recency: 40 is greater than T
// (38.86)".
// Threads: a text of 64 KiB or more without any '"' (so that every line is one record) is cut at
// line ends into parts parsed on up to `threads` threads (0 = all cores), ids checked for
// duplicates on all of them; the table is the one a single thread reads. When that pass meets
// anything wrong, the text is read again on one thread, which reports the first error in file
// order.
Result<SummaryTable> ReadSummaryCsv(const std::string& path, int threads = 0);

// The same parser on text already in memory; `name` stands for the file name in messages.
Result<SummaryTable> ParseSummaryCsv(std::string_view text, std::string_view name, int threads = 0);

// One purchase, for summarising a transaction log. `day` is the calendar day (days since
// 1970-01-01, as core::Date::days()); `value` its amount in any currency unit.
struct TransactionRecord {
  std::string customer_id;
  std::int32_t day = 0;
  double value = 0;
};

// The calibration / holdout design of Fader, Hardie & Lee (2005).
struct CalibrationOptions {
  std::int32_t calibration_end_day = 0;  // last day of the calibration period (inclusive)
  std::int32_t holdout_end_day = 0;      // last day of the holdout period (inclusive); may equal
                                         // calibration_end_day for no holdout
  double days_per_unit = 7.0;            // 7: times in weeks; 1: in days
};

// Calibration summaries plus what each customer did in the holdout period.
struct CalibrationHoldout {
  SummaryTable calibration;               // customers whose first purchase is in calibration,
                                          // ordered by customer id (string order)
  std::vector<double> holdout_frequency;  // purchase days in (calibration_end, holdout_end]
  std::vector<double> holdout_value;      // total value bought in the holdout period
  double holdout_length = 0;              // (holdout_end - calibration_end) / days_per_unit
};

// Summarises a transaction log: purchases of a customer on the same day are merged (values
// added); T = (calibration_end_day - first day) / days_per_unit; t_x = (last calibration
// purchase day - first day) / days_per_unit; x = number of distinct calibration purchase days
// after the first; monetary_value = mean value of those x repeat purchase days (0 when x = 0).
// Customers whose first purchase is on or after calibration_end_day are left out (their T would
// be 0). Input order is irrelevant.
// Errors: InvalidArgument when holdout_end_day < calibration_end_day, days_per_unit <= 0, or a
// record has an empty customer id or a non-finite value.
Result<CalibrationHoldout> SummarizeTransactions(std::span<const TransactionRecord> records,
                                                 const CalibrationOptions& options);

}  // namespace winback::models
