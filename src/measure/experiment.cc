#include "measure/experiment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/csv.h"
#include "core/money.h"
#include "core/utf8.h"
#include "measure/outcomes.h"

namespace winback::measure {
namespace {

constexpr std::size_t kMaxIdBytes = 256;

// Problems found while reading a file: the first kMaxListedErrors verbatim, the rest counted.
class ErrorList {
 public:
  void Add(std::string message) {
    if (listed_.size() < kMaxListedErrors) listed_.push_back(std::move(message));
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  Status ToStatus() const {
    std::string text;
    for (const std::string& m : listed_) text += (text.empty() ? "" : "\n") + m;
    if (count_ > listed_.size()) {
      text += "\n(and " + std::to_string(count_ - listed_.size()) + " more)";
    }
    return InvalidArgumentError(std::move(text));
  }

 private:
  std::vector<std::string> listed_;
  std::size_t count_ = 0;
};

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// The rules of ids in the input files (ingest's CheckId): "" when `v` is a valid id.
std::string IdProblem(std::string_view v) {
  if (v.empty()) return "empty";
  std::size_t bad = 0;
  if (!IsValidUtf8(v, &bad)) return "invalid UTF-8 at byte " + std::to_string(bad + 1);
  if (const std::optional<CodePointAt> c = FindDisallowedInId(v)) {
    return FormatCodePoint(c->code_point) + " at byte " + std::to_string(c->offset + 1) +
           " is a control, invisible or bidirectional-override character, not allowed in an id";
  }
  if (v.size() > kMaxIdBytes) return "longer than 256 bytes";
  return "";
}

// Adds `minor` to `total`, staying at the int64 limit it passes.
void AddSaturating(std::int64_t& total, std::int64_t minor) {
  if (__builtin_add_overflow(total, minor, &total)) {
    total = minor > 0 ? std::numeric_limits<std::int64_t>::max()
                      : std::numeric_limits<std::int64_t>::min();
  }
}

std::string ArmList(const std::vector<std::string>& arms) {
  std::string out;
  for (const std::string& a : arms) out += (out.empty() ? "" : ", ") + a;
  return out;
}

}  // namespace

std::string_view MetricName(Metric metric) {
  switch (metric) {
    case Metric::kVisitRate:
      return "visit_rate";
    case Metric::kConversionRate:
      return "conversion_rate";
    case Metric::kRevenuePerCustomer:
      return "revenue_per_customer";
  }
  return "unknown";
}

Result<Experiment> ParseExperiment(std::string_view text, std::string_view file) {
  Experiment out;
  out.file = std::string(file);
  const std::string where = std::string(file) + ":";
  CsvReader reader(text);
  Result<bool> header = reader.Next();
  if (!header.ok()) return InvalidArgumentError(where + header.status().message());
  if (!*header) {
    return InvalidArgumentError(std::string(file) +
                                ": empty file; expected the header customer_id,arm");
  }
  std::optional<std::size_t> id_column;
  std::optional<std::size_t> arm_column;
  ErrorList errors;
  const std::size_t columns = reader.fields().size();
  for (std::size_t i = 0; i < columns; ++i) {
    const std::string_view name = reader.fields()[i];
    std::optional<std::size_t>* slot = name == "customer_id" ? &id_column
                                       : name == "arm"       ? &arm_column
                                                             : nullptr;
    if (slot == nullptr) {
      errors.Add(where + std::to_string(reader.line()) + ": header: unknown column " + Quote(name) +
                 "; the columns are customer_id and arm");
    } else if (slot->has_value()) {
      errors.Add(where + std::to_string(reader.line()) + ": header: column " + Quote(name) +
                 " appears twice");
    } else {
      *slot = i;
    }
  }
  for (const auto& [slot, name] : {std::pair{&id_column, "customer_id"}, {&arm_column, "arm"}}) {
    if (!slot->has_value()) {
      errors.Add(where + std::to_string(reader.line()) + ": header: missing column '" + name +
                 "'; expected the header customer_id,arm");
    }
  }
  if (!errors.empty()) return errors.ToStatus();

  std::unordered_map<std::string, std::size_t> first_line;  // customer id -> line
  std::unordered_map<std::string, std::size_t> arm_index;
  while (true) {
    Result<bool> more = reader.Next();
    if (!more.ok()) {
      errors.Add(where + more.status().message());
      break;  // The reader cannot resynchronize after a broken quote.
    }
    if (!*more) break;
    const std::string line = where + std::to_string(reader.line()) + ": ";
    const std::span<const std::string_view> fields = reader.fields();
    if (fields.size() != columns) {
      errors.Add(line + std::to_string(fields.size()) + " fields, expected " +
                 std::to_string(columns));
      continue;
    }
    const std::string_view id = fields[*id_column];
    const std::string_view arm = fields[*arm_column];
    bool ok = true;
    for (const auto& [field, value] : {std::pair{"customer_id", id}, std::pair{"arm", arm}}) {
      if (const std::string problem = IdProblem(value); !problem.empty()) {
        std::string message = line;
        message.append(field).append(": ").append(problem);
        errors.Add(std::move(message));
        ok = false;
      }
    }
    if (!ok) continue;
    const auto [it, inserted] = first_line.try_emplace(std::string(id), reader.line());
    if (!inserted) {
      errors.Add(line + "customer_id: " + Quote(id) + " is listed twice (first on line " +
                 std::to_string(it->second) + ")");
      continue;
    }
    const auto [arm_it, new_arm] = arm_index.try_emplace(std::string(arm), out.arms.size());
    if (new_arm) out.arms.emplace_back(arm);
    out.assignments.push_back({std::string(id), arm_it->second, reader.line()});
  }
  if (!errors.empty()) return errors.ToStatus();
  if (out.assignments.empty()) {
    return InvalidArgumentError(std::string(file) + ": no assignments after the header");
  }
  return out;
}

Result<Experiment> ReadExperiment(const std::string& path) {
  WINBACK_ASSIGN_OR_RETURN(FileContents contents, FileContents::Open(path));
  return ParseExperiment(contents.text(), path);
}

Result<ExperimentResult> MeasureExperiment(const Experiment& experiment,
                                           const ExperimentOptions& options,
                                           store::CustomerReader& customers,
                                           store::Scanner& scanner) {
  const std::size_t arm_count = experiment.arms.size();
  if (arm_count < 2) {
    return InvalidArgumentError(experiment.file + ": an experiment needs at least 2 arms, found " +
                                std::to_string(arm_count) + " (" + ArmList(experiment.arms) + ")");
  }
  if (!(options.start < options.end)) {
    return InvalidArgumentError("the outcome window must end after it starts");
  }
  ExperimentResult result;
  result.start = options.start;
  result.end = options.end;
  auto arm_named = [&](std::string_view name) -> std::optional<std::size_t> {
    const auto it = std::find(experiment.arms.begin(), experiment.arms.end(), name);
    if (it == experiment.arms.end()) return std::nullopt;
    return static_cast<std::size_t>(it - experiment.arms.begin());
  };
  if (!options.control.empty()) {
    const std::optional<std::size_t> c = arm_named(options.control);
    if (!c) {
      return InvalidArgumentError("control arm " + Quote(options.control) + " is not in " +
                                  experiment.file + "; its arms are " + ArmList(experiment.arms));
    }
    result.control = *c;
  } else {
    result.control = arm_named("control").value_or(0);
  }
  std::vector<double> shares;
  if (!options.expected_shares.empty()) {
    result.equal_shares = false;
    shares.assign(arm_count, 0.0);
    std::vector<bool> given(arm_count, false);
    for (const auto& [name, share] : options.expected_shares) {
      const std::optional<std::size_t> a = arm_named(name);
      if (!a) {
        return InvalidArgumentError("share for arm " + Quote(name) + ", which is not in " +
                                    experiment.file + "; its arms are " + ArmList(experiment.arms));
      }
      if (!(share > 0) || !std::isfinite(share)) {
        return InvalidArgumentError("share of arm " + Quote(name) + " must be positive");
      }
      shares[*a] = share;
      given[*a] = true;
    }
    for (std::size_t a = 0; a < arm_count; ++a) {
      if (!given[a]) {
        return InvalidArgumentError("no share given for arm " + Quote(experiment.arms[a]) +
                                    "; give one for every arm or none");
      }
    }
  }

  // Customer ids to keys: one pass over the store's ids against a map of the file's.
  std::unordered_map<std::string_view, std::size_t> by_id;
  by_id.reserve(experiment.assignments.size());
  for (std::size_t i = 0; i < experiment.assignments.size(); ++i) {
    by_id.emplace(experiment.assignments[i].customer_id, i);
  }
  WINBACK_ASSIGN_OR_RETURN(std::vector<std::string> ids, customers.CustomerIds());
  std::vector<std::pair<CustomerKey, std::size_t>> keyed;  // (key, assignment)
  keyed.reserve(experiment.assignments.size());
  std::vector<bool> known(experiment.assignments.size(), false);
  for (std::size_t k = 1; k < ids.size(); ++k) {
    const auto it = by_id.find(ids[k]);
    if (it == by_id.end()) continue;
    keyed.emplace_back(CustomerKey(static_cast<std::int64_t>(k)), it->second);
    known[it->second] = true;
  }
  ErrorList unknown;
  for (std::size_t i = 0; i < known.size(); ++i) {
    if (known[i]) continue;
    const Assignment& a = experiment.assignments[i];
    unknown.Add(experiment.file + ":" + std::to_string(a.line) + ": customer_id: no customer " +
                Quote(a.customer_id) + " in the store");
  }
  if (!unknown.empty()) return unknown.ToStatus();
  std::sort(keyed.begin(), keyed.end());
  std::vector<CustomerKey> keys;
  keys.reserve(keyed.size());
  for (const auto& [key, index] : keyed) keys.push_back(key);

  WINBACK_ASSIGN_OR_RETURN(WindowOutcomes outcomes,
                           CollectOutcomes(keys, options.start, options.end, scanner));
  result.currency = outcomes.currency;
  double scale = 1.0;  // minor units per major unit
  if (!result.currency.empty()) {
    WINBACK_ASSIGN_OR_RETURN(Currency currency, Currency::FromCode(result.currency));
    scale = std::pow(10.0, currency.exponent());
  }

  result.arms.resize(arm_count);
  std::vector<Moments> revenue(arm_count);
  for (std::size_t a = 0; a < arm_count; ++a) result.arms[a].arm = experiment.arms[a];
  for (std::size_t j = 0; j < keyed.size(); ++j) {
    const CustomerOutcome& o = outcomes.customers[j];
    const std::size_t a = experiment.assignments[keyed[j].second].arm;
    ArmResult& arm = result.arms[a];
    ++arm.n;
    arm.visitors += o.visited;
    arm.converters += o.converted;
    arm.orders += o.orders;
    AddSaturating(arm.revenue_minor, o.revenue_minor);
    revenue[a].Add(static_cast<double>(o.revenue_minor) / scale);
  }
  std::vector<std::int64_t> counts;
  for (std::size_t a = 0; a < arm_count; ++a) {
    ArmResult& arm = result.arms[a];
    if (arm.n < 2) {
      return InvalidArgumentError(
          experiment.file + ": arm " + Quote(arm.arm) + " has " + std::to_string(arm.n) +
          (arm.n == 1 ? " customer" : " customers") + "; a comparison needs at least 2 per arm");
    }
    const double n = static_cast<double>(arm.n);
    arm.visit_rate = static_cast<double>(arm.visitors) / n;
    arm.conversion_rate = static_cast<double>(arm.converters) / n;
    arm.revenue_per_customer = revenue[a].mean_y();
    counts.push_back(arm.n);
  }
  WINBACK_ASSIGN_OR_RETURN(result.sample_ratio, CheckSampleRatio(counts, shares));

  const std::size_t c = result.control;
  const ArmResult& control = result.arms[c];
  for (std::size_t a = 0; a < arm_count; ++a) {
    if (a == c) continue;
    ArmResult& arm = result.arms[a];
    arm.lift.resize(kMetricCount);
    WINBACK_ASSIGN_OR_RETURN(
        arm.lift[0].comparison,
        CompareProportions(arm.visitors, arm.n, control.visitors, control.n, options.alpha));
    WINBACK_ASSIGN_OR_RETURN(
        arm.lift[1].comparison,
        CompareProportions(arm.converters, arm.n, control.converters, control.n, options.alpha));
    WINBACK_ASSIGN_OR_RETURN(
        arm.lift[2].comparison,
        CompareMeans(revenue[a].Outcome(), revenue[c].Outcome(), options.alpha));
    const double control_variance[kMetricCount] = {
        ProportionSummary(control.visitors, control.n).variance,
        ProportionSummary(control.converters, control.n).variance, revenue[c].variance_y()};
    for (std::size_t m = 0; m < kMetricCount; ++m) {
      arm.lift[m].mde =
          MinimumDetectableEffect(arm.n, control.n, control_variance[m], options.alpha);
    }
  }
  for (std::size_t m = 0; m < kMetricCount; ++m) {
    std::vector<double> p;
    for (std::size_t a = 0; a < arm_count; ++a) {
      if (a != c) p.push_back(result.arms[a].lift[m].comparison.p_value);
    }
    const std::vector<double> adjusted = HolmAdjust(p);
    std::size_t k = 0;
    for (std::size_t a = 0; a < arm_count; ++a) {
      if (a != c) result.arms[a].lift[m].holm_p_value = adjusted[k++];
    }
  }
  return result;
}

}  // namespace winback::measure
