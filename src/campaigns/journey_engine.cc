#include "campaigns/journey_engine.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace winback::campaigns {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// The wait before step `i` of `c`, in seconds; a cart campaign's first step adds cart_hours.
std::int64_t WaitSeconds(const Campaign& c, std::size_t i) {
  const Step& s = c.steps[i];
  std::int64_t wait = s.wait_days * kSecondsPerDay + s.wait_hours * 3600;
  if (i == 0 && c.trigger == TriggerKind::kCartAbandoned) wait += c.cart_hours * 3600;
  return wait;
}

// Triggers whose steps are timed to the hour from an event rather than to a day.
bool HourTimed(const Campaign& c) { return c.trigger == TriggerKind::kCartAbandoned; }

// Triggers that come back on dates: one journey per occurrence (the year, or the holiday's
// date), whatever the re-entry rules.
bool Dated(TriggerKind t) {
  return t == TriggerKind::kBirthday || t == TriggerKind::kAnniversary ||
         t == TriggerKind::kHoliday;
}

// Win-back triggers respect let-go.
bool IsWinback(TriggerKind t) {
  return t == TriggerKind::kWinback || t == TriggerKind::kLongInactive;
}

struct Entry {
  Instant at;
  std::int32_t occurrence = 0;  // 0: the next sequential occurrence.
  std::string ref;
};

// This year's (or an earlier year's) date for month/day, 29 February -> 28 February in common
// years.
Date OnYear(int year, int month, int day) {
  if (month == 2 && day == 29 && !IsLeapYear(year)) day = 28;
  return Date::FromDays(DaysFromCivil(year, month, day));
}

// The latest yearly date (month, day) on or before as_of, at most `lookback` days before it,
// from year `first_year` on.
std::optional<Date> RecentYearly(Date as_of, int month, int day, std::int64_t lookback,
                                 int first_year) {
  for (int year = as_of.year(); year >= as_of.year() - 1; --year) {
    if (year < first_year) break;
    const Date d = OnYear(year, month, day);
    if (d <= as_of) {
      if (as_of.days() - d.days() <= lookback) return d;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<Entry> DatedEntry(Date d, const CustomerState& s, std::int32_t occurrence) {
  Entry e;
  e.at = s.zone.AtLocalTime(d, 0);
  e.occurrence = occurrence;
  return e;
}

std::string MicrosRef(Instant t) { return std::to_string(t.unix_micros()); }

std::optional<Entry> FindEntry(const Campaign& c, const CustomerState& s, const PlanContext& ctx) {
  const Date as_of = ctx.as_of;
  const Instant end = as_of.PlusDays(1).StartUtc();
  const Instant lookback_start = end.PlusDays(-c.lookback_days - 1);
  const store::CustomerAggregates& a = s.aggregates;
  switch (c.trigger) {
    case TriggerKind::kWinback: {
      if (!s.score) return std::nullopt;
      const store::CustomerScore& sc = *s.score;
      bool match = false;
      if (c.audience.lifecycle.empty() && c.audience.segments.empty()) {
        match = sc.lifecycle == "inactive" || sc.lifecycle == "lost" || sc.inactive;
      } else {
        match = Contains(c.audience.lifecycle, sc.lifecycle) ||
                Contains(c.audience.segments, sc.segment);
      }
      if (!match) return std::nullopt;
      return Entry{as_of.StartUtc(), 0, ""};
    }
    case TriggerKind::kBirthday: {
      if (!s.record.birth_date) return std::nullopt;
      const Date today = as_of;
      std::optional<Date> d =
          RecentYearly(today, s.record.birth_date->month(), s.record.birth_date->day(),
                       c.lookback_days, s.record.birth_date->year() + 1);
      if (!d) return std::nullopt;
      return DatedEntry(*d, s, d->year());
    }
    case TriggerKind::kAnniversary: {
      if (!a.first_order_at) return std::nullopt;
      const Date first = s.zone.LocalDate(*a.first_order_at);
      std::optional<Date> d =
          RecentYearly(as_of, first.month(), first.day(), c.lookback_days, first.year() + 1);
      if (!d) return std::nullopt;
      return DatedEntry(*d, s, d->year());
    }
    case TriggerKind::kHoliday: {
      std::optional<Entry> best;
      for (const Holiday& h : ctx.settings->holidays) {
        if (!c.holidays.empty() && !Contains(c.holidays, h.name)) continue;
        if (!h.countries.empty() && !Contains(h.countries, s.record.country)) continue;
        for (const std::string& text : h.dates) {
          std::optional<Date> d;
          if (text.size() == 5) {
            const int month = std::stoi(text.substr(0, 2));
            const int day = std::stoi(text.substr(3, 2));
            d = RecentYearly(as_of, month, day, c.lookback_days, 1);
          } else if (Result<Date> exact = ParseDate(text);
                     exact.ok() && *exact <= as_of &&
                     as_of.days() - exact->days() <= c.lookback_days) {
            d = *exact;
          }
          if (!d) continue;
          const auto occurrence =
              static_cast<std::int32_t>(d->year() * 10'000 + d->month() * 100 + d->day());
          if (!best || occurrence > best->occurrence) {
            best = DatedEntry(*d, s, occurrence);
            best->ref = h.name;
          }
        }
      }
      return best;
    }
    case TriggerKind::kPostPurchase: {
      if (s.order_times.empty()) return std::nullopt;
      const Instant last = s.order_times.back();
      if (last < lookback_start || last >= end) return std::nullopt;
      return Entry{last, 0, MicrosRef(last)};
    }
    case TriggerKind::kOnboarding: {
      std::optional<Instant> start = s.record.signup_at;
      if (a.first_order_at && (!start || *a.first_order_at < *start)) start = a.first_order_at;
      if (!start || *start < lookback_start || *start >= end) return std::nullopt;
      return Entry{*start, 1, ""};
    }
    case TriggerKind::kCartAbandoned: {
      for (auto it = s.events.rbegin(); it != s.events.rend(); ++it) {
        if (it->type != EventType::kCartAbandoned) continue;
        if (it->at < lookback_start || it->at >= end) return std::nullopt;
        // An order after the cart was left: nothing to remind them of.
        if (a.last_order_at && *a.last_order_at > it->at) return std::nullopt;
        return Entry{it->at, 0, it->ref};
      }
      return std::nullopt;
    }
    case TriggerKind::kSpendThreshold: {
      const Instant from = end.PlusDays(-c.period_days);
      std::int64_t sum = 0;
      for (std::size_t i = 0; i < s.order_times.size(); ++i) {
        if (s.order_times[i] < from || s.order_times[i] >= end) continue;
        if (s.order_currencies[i] != c.currency) continue;
        sum += s.order_amounts_minor[i];
        if (sum >= c.spend_threshold_minor) {
          return Entry{s.order_times[i], 0, MicrosRef(s.order_times[i])};
        }
      }
      return std::nullopt;
    }
    case TriggerKind::kLongInactive: {
      if (!a.last_order_at) return std::nullopt;
      const Instant lapse = a.last_order_at->PlusDays(c.inactive_days);
      if (lapse >= end) return std::nullopt;
      return Entry{std::max(lapse, as_of.StartUtc().PlusDays(-c.lookback_days)), 0,
                   MicrosRef(*a.last_order_at)};
    }
    case TriggerKind::kComplaintResolved: {
      if (a.complaints == 0) return std::nullopt;
      for (auto it = s.events.rbegin(); it != s.events.rend(); ++it) {
        if (it->type != EventType::kTicketResolved) continue;
        if (it->at < lookback_start || it->at >= end) return std::nullopt;
        return Entry{it->at, 0, it->ref};
      }
      return std::nullopt;
    }
    case TriggerKind::kFeatureShipped: {
      for (auto it = s.shipped_features.rbegin(); it != s.shipped_features.rend(); ++it) {
        if (it->at < lookback_start || it->at >= end) continue;
        return Entry{it->at, 0, it->ref};
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

bool InAudience(const Campaign& c, const CustomerState& s) {
  const Audience& a = c.audience;
  if (!a.countries.empty() && !Contains(a.countries, s.record.country)) return false;
  if (!a.languages.empty() && !Contains(a.languages, s.record.language)) return false;
  if (!a.exit_reasons.empty() && !Contains(a.exit_reasons, s.aggregates.exit_reason)) {
    return false;
  }
  // For win-back, lifecycle and segments are the trigger itself (an "or"); elsewhere they
  // narrow the audience.
  if (c.trigger != TriggerKind::kWinback) {
    const std::string lifecycle = s.score ? s.score->lifecycle : "";
    const std::string segment = s.score ? s.score->segment : "";
    if (!a.lifecycle.empty() && !Contains(a.lifecycle, lifecycle)) return false;
    if (!a.segments.empty() && !Contains(a.segments, segment)) return false;
  }
  if (!a.groups.empty() && !(s.score && Contains(a.groups, s.score->group))) return false;
  return true;
}

// Why a journey of `c` ends now, or "".
std::string ExitReason(const Campaign& c, const store::Journey& j, const CustomerState& s,
                       const ContactInfo& contact) {
  if (ExitsOnOrder(c.trigger) && s.aggregates.last_order_at &&
      *s.aggregates.last_order_at > j.entered_at) {
    return std::string(kOrderedExitReason);
  }
  if (!WantsKind(contact, KindOf(c))) return KindRefusal(KindOf(c));
  if (IsWinback(c.trigger) && s.score && !s.score->let_go.empty()) {
    return "let go: " + s.score->let_go;
  }
  bool any = false;
  for (int ch = 0; ch < kChannelKindCount; ++ch) {
    any |= Contactable(contact, static_cast<ChannelKind>(ch));
  }
  if (!any) return "no channel: unsubscribed, bounced or no consent";
  return "";
}

std::string Language(const Campaign& c, const CustomerState& s, const Policy& p) {
  if (Contains(p.languages, s.record.language)) return s.record.language;
  if (!c.language_default.empty()) return c.language_default;
  return p.fallback_language;
}

struct Advance {
  const CustomerState& state;
  PlanContext& ctx;
  const ContactInfo& contact;
  std::vector<Instant>& scheduled;  // Sorted; grows with each message placed.
  CustomerPlan& out;
};

// Places the message of step `index` of journey `j`, due at `due`. Returns its time.
Instant PlaceMessage(Advance& a, const Campaign& c, store::Journey& j, std::size_t index,
                     Instant due) {
  const Policy& policy = a.ctx.settings->policy;
  const Step& step = c.steps[index];
  const CustomerState& s = a.state;
  Instant wish = due;
  if (!HourTimed(c)) {
    const std::int64_t hour = s.best_hour ? *s.best_hour : c.send_hour;
    const auto seconds = static_cast<std::int32_t>(hour * 3600);
    const Date day = s.zone.LocalDate(due);
    wish = s.zone.AtLocalTime(day, seconds);
    if (wish < due) wish = s.zone.AtLocalTime(day.PlusDays(1), seconds);
  }
  Instant t = EarliestAllowed(a.scheduled, wish, s.zone, policy);
  if (policy.daily_limit > 0) {
    for (int guard = 0; guard < 366; ++guard) {
      const std::int32_t day = UtcDate(t).days();
      if (a.ctx.messages_per_day[day] < policy.daily_limit) break;
      t = EarliestAllowed(a.scheduled, Date::FromDays(day + 1).StartUtc(), s.zone, policy);
    }
  }
  MessageDraft draft;
  store::OutboxMessage& m = draft.message;
  draft.campaign = &c;
  draft.step = &step;
  m.key = MessageKey(c.name, step.name, s.record.id, j.occurrence);
  m.customer = s.key;
  m.campaign = c.name;
  m.step = step.name;
  m.occurrence = j.occurrence;
  m.variant = ChooseVariant(c, step, s.record.id, a.ctx.winners);
  const std::string cell = LikeThemCell(s.record, a.ctx.as_of);
  const ChannelChoice choice = ChooseChannel(a.contact, a.ctx.rates_by_cell[cell], policy);
  m.channel = choice.channel.value_or(ChannelKind::kEmail);
  m.channel_reason = choice.reason;
  m.planned_at = a.ctx.as_of.StartUtc();
  m.scheduled_at = t;
  m.utc_offset_minutes = s.zone.OffsetMinutesAt(t);
  m.language = Language(c, s, policy);
  const bool expired = t > due.PlusDays(c.expires_after_days);
  if (expired) {
    m.status = store::MessageStatus::kExpired;
    m.detail = "the frequency cap and quiet hours left no time before the trigger expired";
  } else if (j.holdout) {
    m.status = store::MessageStatus::kHoldout;
  } else {
    m.status = store::MessageStatus::kPlanned;
  }
  if (!expired) {
    a.scheduled.insert(std::upper_bound(a.scheduled.begin(), a.scheduled.end(), t), t);
    ++a.ctx.messages_per_day[UtcDate(t).days()];
    draft.offer = ChooseOffer(step, s, *a.ctx.settings);
    if (draft.offer != nullptr && draft.offer->max_per_day > 0 &&
        a.ctx.offers_today[draft.offer->name] >= draft.offer->max_per_day) {
      draft.offer = nullptr;  // The offer's cap for the day is reached: the message goes
                              // without it.
    }
    if (draft.offer != nullptr) {
      if (!j.holdout) ++a.ctx.offers_today[draft.offer->name];
      m.offer = draft.offer->name;
      m.offer_cost_minor = static_cast<std::int64_t>(std::llround(
          static_cast<double>(draft.offer->cost_minor) * draft.offer->redemption_rate));
      m.currency = draft.offer->currency;
    }
  }
  a.out.messages.push_back(std::move(draft));
  return t;
}

// Plans every step of `j` that is due by the end of as_of.
void AdvanceJourney(Advance& a, const Campaign& c, store::Journey& j) {
  const Instant end = a.ctx.as_of.PlusDays(1).StartUtc();
  while (j.state == store::JourneyState::kActive && j.next_due_at && *j.next_due_at < end) {
    const auto index = static_cast<std::size_t>(j.next_step);
    if (index >= c.steps.size()) {
      j.state = store::JourneyState::kCompleted;
      j.next_due_at.reset();
      break;
    }
    const Instant placed = PlaceMessage(a, c, j, index, *j.next_due_at);
    ++j.next_step;
    if (static_cast<std::size_t>(j.next_step) >= c.steps.size()) {
      j.state = store::JourneyState::kCompleted;
      j.next_due_at.reset();
    } else {
      // The next wait counts from when this message goes out, so a delay keeps the gap.
      j.next_due_at = std::max(placed, *j.next_due_at)
                          .PlusSeconds(WaitSeconds(c, static_cast<std::size_t>(j.next_step)));
    }
  }
}

}  // namespace

std::string LikeThemCell(const store::CustomerRecord& record, Date as_of) {
  std::optional<int> year = record.birth_year;
  if (record.birth_date) year = record.birth_date->year();
  std::string band = "?";
  if (year) {
    const int age = as_of.year() - *year;
    band = age < 25   ? "<25"
           : age < 35 ? "25-34"
           : age < 45 ? "35-44"
           : age < 55 ? "45-54"
           : age < 65 ? "55-64"
                      : "65+";
  }
  return band + "|" + record.country + "|" + record.language;
}

std::string ChooseVariant(
    const Campaign& campaign, const Step& step, std::string_view customer_id,
    const std::map<std::pair<std::string, std::string>, std::string>* winners) {
  if (step.variants.empty()) return std::string();
  if (step.auto_winner && winners != nullptr) {
    const auto it = winners->find({campaign.name, step.name});
    if (it != winners->end()) return it->second;
  }
  return step.variants[VariantIndex(campaign.name, step.name, customer_id, step.variants.size())];
}

std::string MessageKey(std::string_view campaign, std::string_view step,
                       std::string_view customer_id, std::int32_t occurrence) {
  std::string key;
  key.reserve(campaign.size() + step.size() + customer_id.size() + 16);
  key.append(campaign).append("/").append(step).append("/").append(customer_id).append("/");
  key += std::to_string(occurrence);
  return key;
}

std::optional<std::int32_t> OccurrenceOfKey(std::string_view key) {
  const std::size_t slash = key.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == key.size()) return std::nullopt;
  std::int32_t n = 0;
  const char* last = key.data() + key.size();
  const auto [end, ec] = std::from_chars(key.data() + slash + 1, last, n);
  if (ec != std::errc() || end != last) return std::nullopt;
  return n;
}

ContactInfo ContactOf(const CustomerState& state) {
  ContactInfo c;
  for (int ch = 0; ch < kChannelKindCount; ++ch) c.consent[ch] = state.record.consent[ch];
  c.has_address[static_cast<int>(ChannelKind::kEmail)] = !state.record.email.empty();
  c.has_address[static_cast<int>(ChannelKind::kSms)] = !state.record.phone.empty();
  c.has_address[static_cast<int>(ChannelKind::kWhatsapp)] = !state.record.phone.empty();
  c.unsubscribed_channels = state.aggregates.unsubscribed_channels;
  c.bounced_channels = state.aggregates.bounced_channels;
  c.preferred = ParseChannelKind(state.record.preferred_channel);
  c.opted_out_kinds = state.opted_out_kinds;
  return c;
}

const Offer* ChooseOffer(const Step& step, const CustomerState& state,
                         const CampaignSettings& settings) {
  const Offer* offer = nullptr;
  if (step.offer.empty()) return nullptr;
  if (step.offer != "by_reason") {
    offer = settings.FindOffer(step.offer);
  } else {
    const std::string& reason = state.aggregates.exit_reason;
    const std::string segment = state.score ? state.score->segment : "";
    for (const Offer& o : settings.offers) {
      const bool reason_ok = o.exit_reasons.empty() || Contains(o.exit_reasons, reason);
      const bool segment_ok = o.segments.empty() || Contains(o.segments, segment);
      // An offer that is another's `next` is a step up, not a starting point.
      bool is_next = false;
      for (const Offer& other : settings.offers) is_next |= other.next == o.name;
      if (reason_ok && segment_ok && !is_next) {
        offer = &o;
        break;
      }
    }
  }
  for (std::int64_t i = 0; offer != nullptr && i < step.escalate && !offer->next.empty(); ++i) {
    offer = settings.FindOffer(offer->next);
  }
  return offer;
}

double ExpectedWinbackValue(const Campaign& campaign, const CustomerState& state,
                            ChannelKind channel, const CampaignSettings& settings) {
  const Policy& p = settings.policy;
  double value = 0;
  if (state.score && state.score->expected_value_minor) {
    value = *state.score->expected_value_minor;
  } else if (state.aggregates.orders > 0) {
    value = static_cast<double>(state.aggregates.revenue_minor) /
            static_cast<double>(state.aggregates.orders);
  }
  double cost = 0;
  for (const Step& step : campaign.steps) {
    cost += static_cast<double>(p.message_cost_minor[static_cast<int>(channel)]);
    if (const Offer* o = ChooseOffer(step, state, settings)) {
      cost += static_cast<double>(o->cost_minor) * o->redemption_rate;
    }
  }
  return p.expected_return * value - cost;
}

bool ExitsOnOrder(TriggerKind t) {
  return t == TriggerKind::kWinback || t == TriggerKind::kLongInactive ||
         t == TriggerKind::kCartAbandoned;
}

void PlanCustomer(const CustomerState& state, PlanContext& ctx, CustomerPlan& out) {
  const CampaignSettings& settings = *ctx.settings;
  ContactInfo contact = ContactOf(state);
  for (int c = 0; c < kChannelKindCount; ++c) {
    if (!ctx.channel_enabled[static_cast<std::size_t>(c)]) contact.has_address[c] = false;
  }
  std::vector<Instant> scheduled = state.scheduled;
  Advance advance{state, ctx, contact, scheduled, out};
  const Instant today = ctx.as_of.StartUtc();

  // 1. Journeys under way: leave, or take the steps that are due.
  for (const store::Journey& stored : state.journeys) {
    if (stored.state != store::JourneyState::kActive) continue;
    store::Journey j = stored;
    const Campaign* c = settings.FindCampaign(j.campaign);
    std::string reason =
        c == nullptr ? "campaign removed from the config" : ExitReason(*c, j, state, contact);
    if (!reason.empty()) {
      j.state = store::JourneyState::kExited;
      j.exit_reason = std::move(reason);
      j.exited_at = today;
      j.next_due_at.reset();
      out.journeys.push_back(std::move(j));
      continue;
    }
    const std::int32_t before = j.next_step;
    AdvanceJourney(advance, *c, j);
    if (j.next_step != before || j.state != stored.state) out.journeys.push_back(std::move(j));
  }

  // 2. Entries, the highest priority first so that the cap leaves room for them.
  std::vector<const Campaign*> order;
  for (const Campaign& c : settings.campaigns) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(),
                   [](const Campaign* x, const Campaign* y) { return x->priority > y->priority; });
  for (const Campaign* c : order) {
    std::int32_t entries = 0;
    bool active = false;
    const store::Journey* last = nullptr;
    std::optional<Entry> entry = FindEntry(*c, state, ctx);
    if (!entry) continue;
    bool same_occurrence = false;
    for (const store::Journey& j : state.journeys) {
      if (j.campaign != c->name) continue;
      ++entries;
      active |= j.state == store::JourneyState::kActive;
      if (last == nullptr || j.entered_at > last->entered_at) last = &j;
      if (entry->occurrence != 0 && j.occurrence == entry->occurrence) same_occurrence = true;
      if (!entry->ref.empty() && j.trigger_ref == entry->ref) same_occurrence = true;
    }
    for (const store::Journey& j : out.journeys) {
      if (j.campaign == c->name && j.state == store::JourneyState::kActive) active = true;
    }
    if (active || same_occurrence) continue;
    if (!Dated(c->trigger) && last != nullptr) {
      if (!c->reenter || entries >= c->max_entries) continue;
      const Instant ended = last->exited_at.value_or(last->entered_at);
      if (ended.PlusDays(c->reenter_after_days) > today) continue;
    }
    if (!InAudience(*c, state)) continue;
    store::Journey j;
    j.customer = state.key;
    j.campaign = c->name;
    j.occurrence = entry->occurrence != 0 ? entry->occurrence : entries + 1;
    j.entered_at = entry->at;
    j.trigger_ref = entry->ref;
    j.holdout = InHoldout(c->name, state.record.id, c->holdout);
    j.next_step = 0;
    j.next_due_at = entry->at.PlusSeconds(WaitSeconds(*c, 0));
    // Who is not let in, and why: recorded, so the choice can be reviewed.
    std::string suppressed;
    const ChannelChoice choice = ChooseChannel(
        contact, ctx.rates_by_cell[LikeThemCell(state.record, ctx.as_of)], settings.policy);
    if (!WantsKind(contact, KindOf(*c))) {
      suppressed = KindRefusal(KindOf(*c));
    } else if (!choice.channel) {
      suppressed = choice.reason;
    } else if (IsWinback(c->trigger) && state.score && !state.score->let_go.empty()) {
      suppressed = "let go: " + state.score->let_go;
    } else if (IsWinback(c->trigger)) {
      const double ev = ExpectedWinbackValue(*c, state, *choice.channel, settings);
      if (ev < 0) {
        char text[128];
        std::snprintf(text, sizeof text,
                      "negative expected value: %.2f minor units of %s (expected_return x "
                      "value - offer and message costs)",
                      ev, settings.policy.currency.c_str());
        suppressed = text;
      }
    }
    if (!suppressed.empty()) {
      j.state = store::JourneyState::kSuppressed;
      j.exit_reason = std::move(suppressed);
      j.exited_at = today;
      j.next_due_at.reset();
      out.journeys.push_back(std::move(j));
      continue;
    }
    AdvanceJourney(advance, *c, j);
    out.journeys.push_back(std::move(j));
  }
}

}  // namespace winback::campaigns
