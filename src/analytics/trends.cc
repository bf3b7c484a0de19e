#include "analytics/trends.h"

#include <algorithm>
#include <iterator>

#include "analytics/rfm.h"
#include "core/check.h"

namespace winback::analytics {

void ExitReasonAccumulator::Add(std::span<const store::EventPoint> events) {
  for (const store::EventPoint& e : events) {
    if (e.at >= cutoff_) continue;
    if (std::find(std::begin(kTypes), std::end(kTypes), e.type) == std::end(kTypes)) continue;
    const Date d = UtcDate(e.at);
    auto& counts = months_[d.year() * 12 + d.month() - 1];
    ++counts[static_cast<std::size_t>(ParseExitReason(e.reason))];
  }
}

void ExitReasonAccumulator::Merge(const ExitReasonAccumulator& other) {
  WINBACK_CHECK(other.cutoff_ == cutoff_);
  for (const auto& [index, theirs] : other.months_) {
    auto& counts = months_[index];
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += theirs[i];
  }
}

std::vector<ExitReasonMonth> ExitReasonAccumulator::Months() const {
  std::vector<ExitReasonMonth> out;
  for (const auto& [index, counts] : months_) {
    ExitReasonMonth m;
    m.year = index / 12;
    m.month = index % 12 + 1;
    m.by_reason = counts;
    out.push_back(m);
  }
  return out;
}

std::array<std::int64_t, kExitReasonCount> ExitReasonAccumulator::Totals() const {
  std::array<std::int64_t, kExitReasonCount> t{};
  for (const auto& [index, counts] : months_) {
    for (std::size_t i = 0; i < t.size(); ++i) t[i] += counts[i];
  }
  return t;
}

namespace {

// total / n rounded half up (n > 0 customers; 0 for none), without overflowing near the int64
// limit.
std::int64_t RoundedMean(std::int64_t total, std::int64_t n) {
  if (n <= 0) return 0;
  std::int64_t rounded;
  if (!__builtin_add_overflow(total, n / 2, &rounded)) return rounded / n;
  return total / n + (2 * (total % n) >= n ? 1 : 0);
}

}  // namespace

void SegmentTableBuilder::Add(const store::CustomerScore& score) {
  if (score.segment.empty()) return;
  for (auto [map, name] :
       {std::pair{&segments_, &score.segment}, std::pair{&groups_, &score.group}}) {
    Acc& a = (*map)[*name];
    a.group = score.group;
    ++a.customers;
    if (score.currency == currency_) {
      ++a.in_currency;
      a.revenue.Add(score.monetary_total_minor);
    }
  }
  if (score.currency != currency_) ++other_;
}

SegmentTable SegmentTableBuilder::Finish() const {
  SegmentTable t;
  t.currency = currency_;
  t.other_currency_customers = other_;
  MoneySum revenue;
  for (const auto& [name, a] : segments_) {
    t.segmented += a.customers;
    revenue.Add(a.revenue);
  }
  t.revenue_saturated = revenue.saturated();
  auto make = [&](const std::string& name, const Acc& a) {
    SegmentRow r;
    r.name = name;
    r.group = a.group;
    r.customers = a.customers;
    r.share =
        t.segmented > 0 ? static_cast<double>(a.customers) / static_cast<double>(t.segmented) : 0;
    r.revenue_minor = a.revenue.minor();
    r.revenue_share = revenue.minor() > 0 ? static_cast<double>(a.revenue.minor()) /
                                                static_cast<double>(revenue.minor())
                                          : 0;
    r.mean_value_minor = RoundedMean(a.revenue.minor(), a.in_currency);
    t.revenue_saturated = t.revenue_saturated || a.revenue.saturated();
    return r;
  };
  for (const auto& [name, a] : segments_) t.segments.push_back(make(name, a));
  std::stable_sort(
      t.segments.begin(), t.segments.end(),
      [](const SegmentRow& x, const SegmentRow& y) { return x.customers > y.customers; });
  for (int g = 0; g < kGroupCount; ++g) {
    const std::string name(GroupName(static_cast<Group>(g)));
    auto it = groups_.find(name);
    Acc empty;
    empty.group = name;
    t.groups.push_back(make(name, it == groups_.end() ? empty : it->second));
    t.groups.back().group = name;
  }
  // Groups named in a custom map that are not among the five cannot happen: the config parser
  // only accepts the five names.
  return t;
}

std::uint16_t MigrationBuilder::Intern(const std::string& segment) {
  auto it = std::find(names_.begin(), names_.end(), segment);
  if (it != names_.end()) return static_cast<std::uint16_t>(it - names_.begin());
  names_.push_back(segment);
  return static_cast<std::uint16_t>(names_.size() - 1);
}

void MigrationBuilder::AddFrom(CustomerKey key, const std::string& segment) {
  auto [it, inserted] = by_key_.try_emplace(key.value(), -1, -1);
  if (!segment.empty()) it->second.first = Intern(segment);
}

void MigrationBuilder::AddTo(CustomerKey key, const std::string& segment) {
  auto [it, inserted] = by_key_.try_emplace(key.value(), -1, -1);
  if (!segment.empty()) it->second.second = Intern(segment);
}

MigrationMatrix MigrationBuilder::Finish() const {
  MigrationMatrix m;
  // Labels sorted by name, "none" last; map interned index -> label index.
  std::vector<std::size_t> order(names_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return names_[a] < names_[b]; });
  std::vector<std::size_t> label_of(names_.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    m.labels.push_back(names_[order[i]]);
    label_of[order[i]] = i;
  }
  m.labels.push_back("none");
  const std::size_t none = m.labels.size() - 1;
  m.counts.assign(m.labels.size(), std::vector<std::int64_t>(m.labels.size(), 0));
  for (const auto& [key, pair] : by_key_) {
    const std::size_t from = pair.first < 0 ? none : label_of[static_cast<std::size_t>(pair.first)];
    const std::size_t to = pair.second < 0 ? none : label_of[static_cast<std::size_t>(pair.second)];
    ++m.counts[from][to];
    if (from != to) ++m.moved;
  }
  return m;
}

SegmentChurnBuilder::SegmentChurnBuilder(Date from, std::int32_t horizon_days,
                                         std::int32_t activity_days)
    : start_(from.days() + 1),  // boundary at the end of the score date
      end_(from.days() + 1 + horizon_days),
      activity_days_(activity_days) {}

bool SegmentChurnBuilder::ActiveAt(std::span<const std::int32_t> days, std::int32_t t) const {
  auto it = std::lower_bound(days.begin(), days.end(), t);  // first order on or after t
  return it != days.begin() && *(it - 1) >= t - activity_days_;
}

void SegmentChurnBuilder::Add(const std::string& segment, std::span<const std::int32_t> days) {
  if (segment.empty() || !ActiveAt(days, start_)) return;
  auto& [active, churned] = acc_[segment];
  ++active;
  if (!ActiveAt(days, end_)) ++churned;
}

std::vector<SegmentChurn> SegmentChurnBuilder::Finish() const {
  std::vector<SegmentChurn> out;
  for (const auto& [name, counts] : acc_) {
    SegmentChurn c;
    c.segment = name;
    c.active = counts.first;
    c.churned = counts.second;
    c.churn_rate =
        c.active > 0 ? static_cast<double>(c.churned) / static_cast<double>(c.active) : 0;
    out.push_back(c);
  }
  return out;
}

}  // namespace winback::analytics
