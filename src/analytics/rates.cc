#include "analytics/rates.h"

#include <algorithm>
#include <limits>

#include "core/check.h"
#include "core/parallel.h"

namespace winback::analytics {

std::string_view PeriodName(Period p) {
  switch (p) {
    case Period::kDay:
      return "day";
    case Period::kWeek:
      return "week";
    case Period::kMonth:
      return "month";
    case Period::kYear:
      return "year";
  }
  return "?";
}

std::optional<Period> ParsePeriod(std::string_view name) {
  for (Period p : {Period::kDay, Period::kWeek, Period::kMonth, Period::kYear}) {
    if (PeriodName(p) == name) return p;
  }
  return std::nullopt;
}

Date PeriodStart(Period p, Date d) {
  switch (p) {
    case Period::kDay:
      return d;
    case Period::kWeek:
      return d.PlusDays(-d.weekday());
    case Period::kMonth:
      return Date::FromDays(DaysFromCivil(d.year(), d.month(), 1));
    case Period::kYear:
      return Date::FromDays(DaysFromCivil(d.year(), 1, 1));
  }
  return d;
}

Date NextPeriodStart(Period p, Date start) {
  switch (p) {
    case Period::kDay:
      return start.PlusDays(1);
    case Period::kWeek:
      return start.PlusDays(7);
    case Period::kMonth:
      return start.month() == 12
                 ? Date::FromDays(DaysFromCivil(start.year() + 1, 1, 1))
                 : Date::FromDays(DaysFromCivil(start.year(), start.month() + 1, 1));
    case Period::kYear:
      return Date::FromDays(DaysFromCivil(start.year() + 1, 1, 1));
  }
  return start;
}

Result<std::vector<Date>> PeriodBoundaries(Period p, Date from, Date to) {
  if (to < from) {
    return InvalidArgumentError("period range: to " + to.ToString() + " is before from " +
                                from.ToString());
  }
  std::vector<Date> out;
  Date d = PeriodStart(p, from);
  while (d <= to) {
    out.push_back(d);
    if (out.size() > 100'000) {
      return InvalidArgumentError("period range " + from.ToString() + " .. " + to.ToString() +
                                  " has more than 100,000 " + std::string(PeriodName(p)) +
                                  " periods");
    }
    d = NextPeriodStart(p, d);
  }
  out.push_back(d);
  return out;
}

std::optional<double> PeriodRates::crr() const {
  if (s == 0) return std::nullopt;
  return static_cast<double>(e - n) / static_cast<double>(s) * 100.0;
}

std::optional<double> PeriodRates::churn_rate() const {
  if (s == 0) return std::nullopt;
  return static_cast<double>(churned) / static_cast<double>(s);
}

std::optional<double> TenureBucket::churn_rate() const {
  if (at_risk == 0) return std::nullopt;
  return static_cast<double>(churned) / static_cast<double>(at_risk);
}

RatesAccumulator::RatesAccumulator(std::vector<Date> boundaries, std::int32_t activity_days)
    : boundaries_(std::move(boundaries)), activity_days_(activity_days) {
  WINBACK_CHECK(boundaries_.size() >= 2);
  WINBACK_CHECK(activity_days_ >= 1);
  rates_.resize(boundaries_.size() - 1);
  for (std::size_t i = 0; i + 1 < boundaries_.size(); ++i) {
    rates_[i].start = boundaries_[i];
    rates_[i].end = boundaries_[i + 1];
  }
  std::int32_t lo = 0;
  for (std::size_t b = 0; b < tenure_.size(); ++b) {
    tenure_[b].min_days = lo;
    tenure_[b].max_days =
        b < kTenureEdges.size() ? kTenureEdges[b] : std::numeric_limits<std::int32_t>::max();
    lo = tenure_[b].max_days;
  }
  active_.resize(boundaries_.size());
}

void RatesAccumulator::Add(std::span<const std::int32_t> days) {
  if (days.empty()) return;
  const std::int32_t first = days.front();
  if (first >= boundaries_.back().days()) return;  // Not a customer yet in the whole range.
  // Nothing happens before the first boundary after the first order: not active at any
  // earlier boundary, and the first order falls in the period ending there.
  const std::size_t first_b = static_cast<std::size_t>(
      std::upper_bound(boundaries_.begin(), boundaries_.end(), Date::FromDays(first)) -
      boundaries_.begin());
  // Two pointers: `idx` = number of orders before boundary b.
  std::size_t idx = 0;
  for (std::size_t b = first_b; b < boundaries_.size(); ++b) {
    const std::int32_t t = boundaries_[b].days();
    while (idx < days.size() && days[idx] < t) ++idx;
    active_[b] = idx > 0 && days[idx - 1] >= t - activity_days_;
  }
  if (first_b > 0) active_[first_b - 1] = 0;
  for (std::size_t i = first_b > 0 ? first_b - 1 : 0; i < rates_.size(); ++i) {
    PeriodRates& r = rates_[i];
    const bool at_start = active_[i] != 0;
    const bool at_end = active_[i + 1] != 0;
    const std::int32_t start = boundaries_[i].days();
    if (at_start) {
      ++r.s;
      const std::int32_t tenure = start - first;
      std::size_t bucket = 0;
      while (bucket < kTenureEdges.size() && tenure >= kTenureEdges[bucket]) ++bucket;
      ++tenure_[bucket].at_risk;
      if (at_end) {
        ++r.retained;
      } else {
        ++r.churned;
        ++tenure_[bucket].churned;
      }
    } else if (at_end && first < start) {
      ++r.reactivated;
    }
    if (at_end) ++r.e;
    if (first >= start && first < boundaries_[i + 1].days()) ++r.n;
  }
}

void RatesAccumulator::Merge(const RatesAccumulator& other) {
  WINBACK_CHECK(other.boundaries_ == boundaries_ && other.activity_days_ == activity_days_);
  for (std::size_t i = 0; i < rates_.size(); ++i) {
    PeriodRates& r = rates_[i];
    const PeriodRates& o = other.rates_[i];
    r.s += o.s;
    r.e += o.e;
    r.n += o.n;
    r.retained += o.retained;
    r.churned += o.churned;
    r.reactivated += o.reactivated;
  }
  for (std::size_t b = 0; b < tenure_.size(); ++b) {
    tenure_[b].at_risk += other.tenure_[b].at_risk;
    tenure_[b].churned += other.tenure_[b].churned;
  }
}

std::vector<PeriodRates> RatesAccumulator::Rates() const { return rates_; }

std::vector<TenureBucket> RatesAccumulator::Tenure() const {
  return {tenure_.begin(), tenure_.end()};
}

std::array<std::optional<double>, 12> ChurnByCalendarMonth(std::span<const PeriodRates> rates) {
  std::array<std::int64_t, 12> s{}, churned{};
  for (const PeriodRates& r : rates) {
    const auto m = static_cast<std::size_t>(r.start.month() - 1);
    s[m] += r.s;
    churned[m] += r.churned;
  }
  std::array<std::optional<double>, 12> out;
  for (std::size_t m = 0; m < 12; ++m) {
    if (s[m] > 0) out[m] = static_cast<double>(churned[m]) / static_cast<double>(s[m]);
  }
  return out;
}

Result<OrderDayHistory> OrderDayHistory::Load(std::span<store::Scanner* const> readers) {
  WINBACK_CHECK(!readers.empty());
  WINBACK_ASSIGN_OR_RETURN(std::int64_t limit, readers[0]->CustomerKeyLimit());
  const std::vector<store::KeyRange> ranges =
      store::KeyRange::Split(limit, static_cast<int>(readers.size()));
  std::vector<OrderDayHistory> parts(ranges.size());
  std::vector<Status> status(ranges.size());
  auto load = [&](std::size_t i) {
    OrderDayHistory& part = parts[i];
    status[i] = readers[i]->ForEachCompletedOrderTimesInRange(
        ranges[i], [&part](CustomerKey, std::span<const Instant> times) {
          for (const Instant t : times) part.days_.push_back(DayOf(t));
          part.ends_.push_back(static_cast<std::uint32_t>(part.days_.size()));
          return Status::Ok();
        });
  };
  // One task per reader, each on its own thread.
  ForEachTask(ranges.size(), static_cast<int>(ranges.size()), load);
  for (const Status& s : status) WINBACK_RETURN_IF_ERROR(s);
  OrderDayHistory out = std::move(parts[0]);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto offset = static_cast<std::uint32_t>(out.days_.size());
    out.days_.insert(out.days_.end(), parts[i].days_.begin(), parts[i].days_.end());
    for (std::uint32_t e : parts[i].ends_) out.ends_.push_back(offset + e);
    parts[i] = OrderDayHistory();
  }
  if (out.days_.size() > std::numeric_limits<std::uint32_t>::max()) {
    return FailedPreconditionError("more than 4 billion completed orders");
  }
  std::size_t begin = 0;
  for (std::uint32_t e : out.ends_) {
    if (out.first_ == kNever || out.days_[begin] < out.first_) out.first_ = out.days_[begin];
    out.last_ = std::max(out.last_, out.days_[e - 1]);
    begin = e;
  }
  return out;
}

std::span<const std::int32_t> OrderDayHistory::customer(std::size_t i) const {
  const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
  return std::span<const std::int32_t>(days_).subspan(begin, ends_[i] - begin);
}

void OrderDayHistory::AddTo(RatesAccumulator& acc) const {
  for (std::size_t i = 0; i < ends_.size(); ++i) acc.Add(customer(i));
}

}  // namespace winback::analytics
