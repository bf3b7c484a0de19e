#pragma once

// Measuring any experiment, not only winback's own: a file assigns customers to arms, the store
// says what they did in a window, and every arm is compared with the control on visit rate,
// conversion rate and revenue per customer (`winback measure --experiment`).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "measure/stats.h"
#include "store/customer_reader.h"
#include "store/scanner.h"

namespace winback::measure {

// One row of an experiment file: a customer and the arm it was assigned to.
struct Assignment {
  std::string customer_id;
  std::size_t arm = 0;   // index into Experiment::arms
  std::size_t line = 0;  // 1-based line of the file
};

// An experiment as its file states it. Value type.
struct Experiment {
  std::string file;                     // the name errors cite
  std::vector<std::string> arms;        // in order of first appearance in the file
  std::vector<Assignment> assignments;  // in file order
};

// At most this many problems are listed in one error; the rest are counted.
inline constexpr std::size_t kMaxListedErrors = 10;

// Parses an experiment file: CSV (RFC 4180) with the header `customer_id,arm` (columns in any
// order, no others) and one row per customer. Ids and arm names follow the rules of ids in
// the input files: valid UTF-8, no control, invisible or bidirectional-override characters, at
// most 256 bytes. Errors: InvalidArgument listing up to kMaxListedErrors problems, one per line,
// each "file:line: field: what" (a missing or wrong header, a row with the wrong number of
// fields, an empty or malformed id or arm, a customer listed twice, with the line of its
// first listing), and "file: no assignments" for a file with a header only.
Result<Experiment> ParseExperiment(std::string_view text, std::string_view file);

// Reads the file at `path` and parses it, citing `path`. NotFound when the file cannot be
// opened, Unavailable when reading fails, else as ParseExperiment.
Result<Experiment> ReadExperiment(const std::string& path);

// The metrics compared per arm, in the order they are reported.
enum class Metric : std::uint8_t { kVisitRate, kConversionRate, kRevenuePerCustomer };
inline constexpr std::size_t kMetricCount = 3;
inline constexpr std::array<Metric, kMetricCount> kMetrics = {
    Metric::kVisitRate, Metric::kConversionRate, Metric::kRevenuePerCustomer};
// "visit_rate", "conversion_rate", "revenue_per_customer": the keys of the JSON output.
std::string_view MetricName(Metric metric);

struct ExperimentOptions {
  Instant start;  // outcomes in [start, end)
  Instant end;
  // The arm the others are compared with. Empty: the arm named "control" if there is one,
  // else the first arm of the file.
  std::string control;
  // The designed share of each arm, by arm name, for the sample-ratio check (weights; they are
  // normalized). Empty: equal shares, the usual design; an arm missing from a non-empty list is
  // an error.
  std::vector<std::pair<std::string, double>> expected_shares;
  double alpha = 0.05;  // 1 - the intervals' confidence
};

// One metric of one arm against the control.
struct MetricLift {
  // Rates: the unpooled two-proportion comparison (normal reference); revenue per customer:
  // Welch's comparison of means. Units: proportions, and money in major units of the currency.
  Comparison comparison;
  // The p-value adjusted by Holm over the non-control arms for this metric (equal to
  // comparison.p_value when there is one non-control arm).
  double holm_p_value = 1;
  // The smallest difference this test could detect with 80% power at alpha, with the control's
  // per-customer variance (MinimumDetectableEffect).
  double mde = 0;
};

// One arm's outcomes. Rates are fractions of the arm's customers; revenue is in major units of
// ExperimentResult::currency (12.5 = 12.50 USD).
struct ArmResult {
  std::string arm;
  std::int64_t n = 0;  // customers assigned
  std::int64_t visitors = 0;
  std::int64_t converters = 0;
  std::int64_t orders = 0;
  std::int64_t revenue_minor = 0;  // total, in minor units (saturates at the int64 range)
  double visit_rate = 0;
  double conversion_rate = 0;
  double revenue_per_customer = 0;
  // Against the control, indexed by Metric; empty for the control itself.
  std::vector<MetricLift> lift;
};

struct ExperimentResult {
  Instant start;
  Instant end;
  std::string currency;         // ISO 4217 code of the revenue; empty when nobody ordered
  std::size_t control = 0;      // index into arms
  std::vector<ArmResult> arms;  // in file order
  SampleRatioCheck sample_ratio;
  bool equal_shares = true;  // the check assumed equal shares (no expected_shares given)
};

// Measures `experiment` on the store: resolves the customer ids (CustomerReader::CustomerIds),
// reads their outcomes in [start, end) (CollectOutcomes), checks the split and compares every
// arm with the control. Errors: InvalidArgument when customers of the file are not in the store
// (listing up to kMaxListedErrors as "file:line: customer_id: no customer 'x' in the store"),
// when there are fewer than 2 arms or an arm has fewer than 2 customers, when the control or a
// share names no arm, when a share is not positive, when start >= end, and CollectOutcomes'
// errors (more than one currency); Unavailable from the store.
Result<ExperimentResult> MeasureExperiment(const Experiment& experiment,
                                           const ExperimentOptions& options,
                                           store::CustomerReader& customers,
                                           store::Scanner& scanner);

}  // namespace winback::measure
