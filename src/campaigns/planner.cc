#include "campaigns/planner.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <vector>

#include "analytics/recommendations.h"
#include "campaigns/journey_engine.h"
#include "core/money.h"
#include "core/parallel.h"
#include "messages/coupon.h"
#include "messages/link_token.h"
#include "messages/mime.h"

namespace winback::campaigns {
namespace {

using store::CustomerScore;
using store::Journey;
using store::MessageStatus;
using store::OutboxMessage;

constexpr EventType kEngagementTypes[] = {EventType::kEmailOpen, EventType::kEmailClick,
                                          EventType::kSmsClick, EventType::kWhatsappRead,
                                          EventType::kWhatsappReply};

bool IsEngagement(EventType t) {
  return std::find(std::begin(kEngagementTypes), std::end(kEngagementTypes), t) !=
         std::end(kEngagementTypes);
}

// Messages that take a place under the frequency cap: everything decided for a customer
// except what was cancelled, expired or never delivered.
bool CountsForCap(MessageStatus s) {
  return s != MessageStatus::kCancelled && s != MessageStatus::kExpired &&
         s != MessageStatus::kDead;
}

messages::Parts PartsFor(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::kEmail:
      return messages::Parts::Email();
    case ChannelKind::kSms:
      return messages::Parts::Sms();
    case ChannelKind::kWhatsapp:
      return messages::Parts::Whatsapp();
  }
  return messages::Parts::Email();
}

// The step's template: its own name unless `template` says otherwise.
const std::string& BaseTemplate(const Step& step) {
  return step.template_name.empty() ? step.name : step.template_name;
}

// The template of a step's variant: "TEMPLATE.VARIANT" when that file exists, else the step's.
std::string TemplateFor(const Step& step, const std::string& variant,
                        const messages::TemplateSet& templates, const std::string& language,
                        const std::string& fallback) {
  if (!variant.empty()) {
    std::string name = BaseTemplate(step) + "." + variant;
    if (templates.Require(name, language, fallback, messages::Parts{}).ok()) return name;
  }
  return BaseTemplate(step);
}

// Everything read once per plan, before the chunks.
struct Shared {
  std::vector<std::optional<CustomerScore>> scores;                     // By key.
  std::vector<std::vector<Journey>> journeys;                           // By key.
  std::vector<std::vector<Instant>> scheduled;                          // By key, sorted.
  std::unordered_map<std::int64_t, std::vector<TriggerEvent>> shipped;  // By key.
  std::vector<std::uint32_t> opted_out_kinds;                           // By key (KindBit).
  // Favourite categories, new and recommended products, when the store has products.
  std::optional<analytics::Recommender> recommender;
};

// A product as templates show it, its price formatted in its currency.
messages::Product TemplateProduct(const store::ProductRecord& p) {
  messages::Product out;
  out.sku = p.sku;
  out.name = p.name;
  out.category = p.category;
  out.url = p.url;
  out.image_url = p.image_url;
  if (p.price_minor) {
    if (Result<Currency> c = Currency::FromCode(p.currency); c.ok()) {
      out.price = FormatMinorUnits(*p.price_minor, *c) + " " + p.currency;
    }
  }
  return out;
}

Status LoadShared(store::Store& store, const CampaignSettings& settings, const PlanOptions& o,
                  std::int64_t limit, Shared& shared, PlanContext& ctx, PlanSummary& summary) {
  const auto n = static_cast<std::size_t>(limit);
  shared.scores.assign(n, std::nullopt);
  shared.journeys.assign(n, {});
  shared.scheduled.assign(n, {});
  // The latest scoring run on or before as_of.
  WINBACK_ASSIGN_OR_RETURN(std::vector<Date> dates, store.ScoreDates());
  std::optional<Date> score_date;
  for (Date d : dates) {
    if (d <= o.as_of && (!score_date || d > *score_date)) score_date = d;
  }
  if (score_date) {
    summary.score_date = score_date->ToString();
    WINBACK_RETURN_IF_ERROR(store.ForEachScore(*score_date, [&](const CustomerScore& s) {
      const auto k = static_cast<std::size_t>(s.key.value());
      if (k < n) shared.scores[k] = s;
      return Status::Ok();
    }));
  }
  WINBACK_RETURN_IF_ERROR(store.ForEachJourney([&](const Journey& j) {
    const auto k = static_cast<std::size_t>(j.customer.value());
    if (k < n) shared.journeys[k].push_back(j);
    return Status::Ok();
  }));
  WINBACK_RETURN_IF_ERROR(
      store.ForEachMessageSchedule([&](CustomerKey customer, Instant at, MessageStatus status) {
        if (!CountsForCap(status)) return Status::Ok();
        const auto k = static_cast<std::size_t>(customer.value());
        if (k < n) shared.scheduled[k].push_back(at);
        ++ctx.messages_per_day[UtcDate(at).days()];
        return Status::Ok();
      }));
  for (std::vector<Instant>& v : shared.scheduled) std::sort(v.begin(), v.end());
  shared.opted_out_kinds.assign(n, 0);
  WINBACK_RETURN_IF_ERROR(store.ForEachKindOptOut([&](const store::KindOptOut& opt_out) {
    const auto k = static_cast<std::size_t>(opt_out.key.value());
    if (k < n) shared.opted_out_kinds[k] |= KindBit(opt_out.kind);
    return Status::Ok();
  }));

  // Channel learning: per cell of customers like them, the share of those with consent on a
  // channel who engaged on it.
  std::vector<std::uint8_t> engaged(n, 0);
  WINBACK_RETURN_IF_ERROR(store.ForEachAggregatesInRange(
      store::KeyRange{}, store::AggregateFields::kScoring, [&](const store::CustomerAggregates& a) {
        const auto k = static_cast<std::size_t>(a.key.value());
        for (int c = 0; c < kChannelKindCount && k < n; ++c) {
          if (a.last_engagement_at[c]) engaged[k] |= static_cast<std::uint8_t>(1u << c);
        }
        return Status::Ok();
      }));
  std::map<std::string, std::array<std::int64_t, std::size_t{2} * kChannelKindCount>> tally;
  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerInRange(
      store::KeyRange{}, [&](CustomerKey key, const store::CustomerRecord& r) {
        auto& t = tally[LikeThemCell(r, o.as_of)];
        const auto k = static_cast<std::size_t>(key.value());
        for (int c = 0; c < kChannelKindCount; ++c) {
          if (r.consent[c] != Consent::kGranted) continue;
          ++t[static_cast<std::size_t>(c)];
          if (k < n && ((engaged[k] >> c) & 1) != 0)
            ++t[static_cast<std::size_t>(kChannelKindCount) + static_cast<std::size_t>(c)];
        }
        return Status::Ok();
      }));
  for (const auto& [cell, t] : tally) {
    ChannelRates& rates = ctx.rates_by_cell[cell];
    for (int c = 0; c < kChannelKindCount; ++c) {
      const std::int64_t with_consent = t[static_cast<std::size_t>(c)];
      rates.samples[c] = with_consent;
      rates.rate[c] =
          with_consent == 0
              ? 0.0
              : static_cast<double>(
                    t[static_cast<std::size_t>(kChannelKindCount) + static_cast<std::size_t>(c)]) /
                    static_cast<double>(with_consent);
    }
  }

  WINBACK_ASSIGN_OR_RETURN(std::vector<store::ProductRecord> products, store.LoadProducts());
  if (!products.empty()) {
    WINBACK_ASSIGN_OR_RETURN(shared.recommender,
                             analytics::Recommender::Build(store, std::move(products)));
  }

  // Features shipped to those who asked for them (ref = the feature key).
  bool features = false;
  for (const Campaign& c : settings.campaigns)
    features |= c.trigger == TriggerKind::kFeatureShipped;
  if (features) {
    std::map<std::string, Instant> shipped_at;
    std::vector<CustomerKey> requesters;
    const EventType types[] = {EventType::kFeatureShipped, EventType::kFeatureRequested};
    WINBACK_RETURN_IF_ERROR(store.ForEachCustomerEventsOfTypes(
        types, [&](CustomerKey key, std::span<const store::EventPoint>) {
          requesters.push_back(key);
          return Status::Ok();
        }));
    std::vector<std::pair<CustomerKey, store::EventRecord>> requests;
    for (CustomerKey key : requesters) {
      WINBACK_ASSIGN_OR_RETURN(std::vector<store::EventRecord> events, store.LoadEvents(key));
      for (store::EventRecord& e : events) {
        if (e.type == EventType::kFeatureShipped) {
          auto [it, added] = shipped_at.emplace(e.ref, e.at);
          if (!added && e.at < it->second) it->second = e.at;
        } else if (e.type == EventType::kFeatureRequested) {
          requests.emplace_back(key, std::move(e));
        }
      }
    }
    for (const auto& [key, e] : requests) {
      auto it = shipped_at.find(e.ref);
      if (it == shipped_at.end() || it->second < e.at) continue;
      shared.shipped[key.value()].push_back(
          TriggerEvent{EventType::kFeatureShipped, it->second, e.ref});
    }
  }
  return Status::Ok();
}

// The zone named `name`, or `fallback` for a name the tz database lacks (import validates
// zones, so only a tz database older than the data's gets here).
TimeZone ZoneOr(const std::string& name, TimeZone fallback) {
  Result<TimeZone> zone = TimeZone::Find(name);
  return zone.ok() ? *zone : fallback;
}

// The local hour most of the customer's engagements and orders happened at, when there are
// enough of them.
std::optional<int> BestHour(const std::array<std::int64_t, 24>& hours, std::int64_t min_events) {
  std::int64_t total = 0;
  int best = 0;
  for (int h = 0; h < 24; ++h) {
    total += hours[static_cast<std::size_t>(h)];
    if (hours[static_cast<std::size_t>(h)] > hours[static_cast<std::size_t>(best)]) best = h;
  }
  if (total < min_events) return std::nullopt;
  return best;
}

// Messages rendered per task of the parallel render.
constexpr std::size_t kRenderChunk = 64;

class ChunkPlanner {
 public:
  ChunkPlanner(store::Store& store, const CampaignSettings& settings, const PlanOptions& options,
               Shared& shared, PlanContext& ctx, PlanSummary& summary)
      : store_(store),
        settings_(settings),
        options_(options),
        shared_(shared),
        ctx_(ctx),
        summary_(summary),
        default_zone_(ZoneOr(settings.policy.time_zone, TimeZone())) {}

  // The state of the one customer with `key` (Gather over its key alone).
  Result<CustomerState*> One(CustomerKey key) {
    WINBACK_RETURN_IF_ERROR(Gather(store::KeyRange{key.value(), key.value() + 1}));
    CustomerState* s = Find(key);
    if (s == nullptr) return NotFoundError("no customer with key " + std::to_string(key.value()));
    return s;
  }

  Status Run(store::KeyRange range) {
    WINBACK_RETURN_IF_ERROR(Gather(range));
    std::vector<Journey> journeys;
    // Decide on this thread in key order, then render on all (Render reads only the customer's
    // state and what is shared and immutable during the chunk).
    std::vector<std::pair<const CustomerState*, MessageDraft>> drafts;
    for (CustomerState& s : states_) {
      CustomerPlan plan;
      PlanCustomer(s, ctx_, plan);
      ++summary_.customers;
      for (Journey& j : plan.journeys) {
        Count(j);
        journeys.push_back(std::move(j));
      }
      for (MessageDraft& d : plan.messages) drafts.emplace_back(&s, std::move(d));
    }
    std::vector<Status> rendered(ChunkCount(drafts.size(), kRenderChunk));
    ForEachChunk(drafts.size(), kRenderChunk, ResolveThreads(options_.threads),
                 [&](std::size_t chunk, std::size_t begin, std::size_t end) {
                   for (std::size_t i = begin; i < end && rendered[chunk].ok(); ++i) {
                     rendered[chunk] = Render(*drafts[i].first, drafts[i].second);
                   }
                 });
    for (const Status& status : rendered) WINBACK_RETURN_IF_ERROR(status);
    std::vector<OutboxMessage> messages;
    messages.reserve(drafts.size());
    for (auto& [s, d] : drafts) messages.push_back(std::move(d.message));
    if (options_.dry_run) {
      for (const OutboxMessage& m : messages) CountMessage(m);
      return Status::Ok();
    }
    WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::WriteTransaction> tx, store_.BeginWrite());
    for (const Journey& j : journeys) WINBACK_RETURN_IF_ERROR(tx->PutJourney(j));
    for (OutboxMessage& m : messages) {
      for (int attempt = 0;; ++attempt) {
        Result<bool> added = tx->AddMessage(m);
        if (added.ok()) {
          if (*added) {
            ++summary_.added;
            CountMessage(m);
          } else {
            ++summary_.already_planned;
          }
          break;
        }
        // A coupon code drawn twice (about one in 10^9 per pair at 50 bits): draw again.
        if (added.status().code() != StatusCode::kAlreadyExists || attempt == 5) {
          return added.status();
        }
        WINBACK_ASSIGN_OR_RETURN(m.coupon, messages::NewCouponCode());
      }
    }
    return tx->Commit();
  }

 private:
  Status Gather(store::KeyRange range) {
    states_.clear();
    index_.clear();
    const auto size = static_cast<std::size_t>(std::max<std::int64_t>(0, range.end - range.begin));
    if (range.end != store::KeyRange{}.end) {
      states_.reserve(size);
      index_.reserve(size);
    }
    WINBACK_RETURN_IF_ERROR(
        store_.ForEachCustomerInRange(range, [&](CustomerKey key, const store::CustomerRecord& r) {
          index_[key.value()] = states_.size();
          CustomerState& s = states_.emplace_back();
          s.key = key;
          s.record = r;
          s.zone = ZoneOf(r.time_zone);
          const auto k = static_cast<std::size_t>(key.value());
          if (k < shared_.scores.size()) {
            s.score = shared_.scores[k];
            s.journeys = shared_.journeys[k];
            s.scheduled = shared_.scheduled[k];
            s.opted_out_kinds = shared_.opted_out_kinds[k];
          }
          if (auto it = shared_.shipped.find(key.value()); it != shared_.shipped.end()) {
            s.shipped_features = it->second;
          }
          return Status::Ok();
        }));
    hours_.assign(states_.size(), {});
    WINBACK_RETURN_IF_ERROR(store_.ForEachAggregatesInRange(
        range, store::AggregateFields::kAll, [&](const store::CustomerAggregates& a) {
          if (CustomerState* s = Find(a.key)) s->aggregates = a;
          return Status::Ok();
        }));
    WINBACK_RETURN_IF_ERROR(store_.ForEachCustomerOrdersInRange(
        range, [&](CustomerKey key, std::span<const store::OrderPoint> orders) {
          CustomerState* s = Find(key);
          if (s == nullptr) return Status::Ok();
          auto& hours = hours_[static_cast<std::size_t>(s - states_.data())];
          for (const store::OrderPoint& o : orders) {
            if (o.status != OrderStatus::kCompleted) continue;
            s->order_times.push_back(o.placed_at);
            s->order_amounts_minor.push_back(o.amount_minor);
            s->order_currencies.push_back(o.currency);
            ++hours[static_cast<std::size_t>(s->zone.LocalSecondsOfDay(o.placed_at) / 3600)];
          }
          return Status::Ok();
        }));
    const Instant lookback = ctx_.as_of.StartUtc().PlusDays(-MaxLookback());
    WINBACK_RETURN_IF_ERROR(store_.ForEachCustomerEventsInRange(
        range, [&](CustomerKey key, std::span<const store::EventPoint> events) {
          CustomerState* s = Find(key);
          if (s == nullptr) return Status::Ok();
          auto& hours = hours_[static_cast<std::size_t>(s - states_.data())];
          for (const store::EventPoint& e : events) {
            if (IsEngagement(e.type)) {
              ++hours[static_cast<std::size_t>(s->zone.LocalSecondsOfDay(e.at) / 3600)];
            }
            if ((e.type == EventType::kCartAbandoned || e.type == EventType::kTicketResolved) &&
                e.at >= lookback) {
              s->events.push_back(TriggerEvent{e.type, e.at, std::to_string(e.at.unix_micros())});
            }
          }
          return Status::Ok();
        }));
    for (std::size_t i = 0; i < states_.size(); ++i) {
      states_[i].best_hour = BestHour(hours_[i], settings_.policy.best_hour_min_events);
    }
    return Status::Ok();
  }

  std::int64_t MaxLookback() const {
    std::int64_t days = 0;
    for (const Campaign& c : settings_.campaigns) days = std::max(days, c.lookback_days);
    return days + 1;
  }

  CustomerState* Find(CustomerKey key) {
    auto it = index_.find(key.value());
    return it == index_.end() ? nullptr : &states_[it->second];
  }

  TimeZone ZoneOf(const std::string& name) {
    if (name.empty()) return default_zone_;
    auto it = zones_.find(name);
    if (it == zones_.end()) {
      it = zones_.emplace(name, ZoneOr(name, default_zone_)).first;
    }
    return it->second;
  }

 public:
  // The message of `step` as of the planning day, decided as the engine would, then rendered.
  Result<OutboxMessage> Preview(const CustomerState& s, const Campaign& c, const Step& step) {
    MessageDraft d;
    d.campaign = &c;
    d.step = &step;
    OutboxMessage& m = d.message;
    m.key = MessageKey(c.name, step.name, s.record.id, 0);
    m.customer = s.key;
    m.campaign = c.name;
    m.step = step.name;
    m.occurrence = 0;
    m.variant = ChooseVariant(c, step, s.record.id, ctx_.winners);
    ContactInfo contact = ContactOf(s);
    for (int ch = 0; ch < kChannelKindCount; ++ch) {
      if (!options_.channel_enabled[static_cast<std::size_t>(ch)]) contact.has_address[ch] = false;
    }
    const ChannelChoice choice = ChooseChannel(
        contact, ctx_.rates_by_cell[LikeThemCell(s.record, ctx_.as_of)], settings_.policy);
    if (!choice.channel) {
      return FailedPreconditionError("customer '" + s.record.id + "': " + choice.reason);
    }
    m.channel = *choice.channel;
    m.channel_reason = choice.reason;
    const std::int64_t hour = s.best_hour ? *s.best_hour : c.send_hour;
    m.scheduled_at =
        AfterQuietHours(s.zone.AtLocalTime(ctx_.as_of, static_cast<std::int32_t>(hour * 3600)),
                        s.zone, settings_.policy);
    m.utc_offset_minutes = s.zone.OffsetMinutesAt(m.scheduled_at);
    m.planned_at = ctx_.as_of.StartUtc();
    const Policy& p = settings_.policy;
    m.language =
        std::find(p.languages.begin(), p.languages.end(), s.record.language) != p.languages.end()
            ? s.record.language
            : (c.language_default.empty() ? p.fallback_language : c.language_default);
    d.offer = ChooseOffer(step, s, settings_);
    if (d.offer != nullptr) m.offer = d.offer->name;
    WINBACK_RETURN_IF_ERROR(Render(s, d));
    return m;
  }

 private:
  // Thread-safe for different drafts: reads the state, settings and shared data only.
  Status Render(const CustomerState& s, MessageDraft& d) const {
    OutboxMessage& m = d.message;
    if (m.status != MessageStatus::kPlanned) return Status::Ok();  // Holdout, expired.
    const Policy& policy = settings_.policy;
    messages::TemplateFields f;
    f.first_name = s.record.first_name;
    f.last_name = s.record.last_name;
    f.customer_id = s.record.id;
    f.shop_name = policy.shop_name;
    f.language = m.language;
    if (s.aggregates.last_order_at) {
      f.days_since_last_order =
          (m.scheduled_at.unix_seconds() - s.aggregates.last_order_at->unix_seconds()) / 86'400;
    }
    f.favourite_category = s.favourite_category;
    if (const std::optional<analytics::Recommender>& rec = shared_.recommender) {
      f.favourite_category = rec->FavouriteCategory(s.key);
      // "What you missed": launches since the last order (for a never-buyer, the newest).
      const Instant since = s.aggregates.last_order_at.value_or(Instant::FromUnixSeconds(0));
      for (const store::ProductRecord* p : rec->NewSince(since, 3)) {
        f.new_products.push_back(TemplateProduct(*p));
      }
      for (const std::string& sku : rec->Recommend(s.key, 6)) {
        if (f.recommended_products.size() == 3) break;
        if (const store::ProductRecord* p = rec->FindProduct(sku)) {
          f.recommended_products.push_back(TemplateProduct(*p));
        }
      }
    }
    // An offer without a coupon (the newest products, a notice when a feature ships) is the
    // message itself: templates show their no-offer text for it, never "code ,".
    if (d.offer != nullptr && d.offer->coupon) {
      f.has_offer = true;
      f.offer_name = d.offer->name;
      f.offer_text = d.offer->text;
      WINBACK_ASSIGN_OR_RETURN(m.coupon, messages::NewCouponCode());
      m.coupon_expires_at = m.scheduled_at.PlusDays(d.offer->valid_days);
      f.coupon = m.coupon;
      f.offer_deadline = s.zone.LocalDate(*m.coupon_expires_at).ToString();
    }
    if (!options_.signing_key.empty()) {
      const std::string token = messages::SignToken(options_.signing_key, m.key);
      f.unsubscribe_url = settings_.tracking.base_url + "/u/" + token;
      f.preferences_url = settings_.tracking.base_url + "/p/" + token;
    }
    const std::string name =
        TemplateFor(*d.step, m.variant, *options_.templates, m.language, policy.fallback_language);
    WINBACK_ASSIGN_OR_RETURN(
        messages::RenderedMessage r,
        options_.templates->Render(name, m.language, policy.fallback_language, f));
    m.language = r.language;
    switch (m.channel) {
      case ChannelKind::kEmail:
        m.address = s.record.email;
        m.subject = std::move(r.subject);
        m.body_text = std::move(r.text);
        // The outbox keeps no preheader of its own: it goes into the HTML part here.
        m.body_html = messages::HtmlWithPreheader(r.html, r.preheader);
        break;
      case ChannelKind::kSms:
        m.address = s.record.phone;
        m.body_text = std::move(r.sms);
        break;
      case ChannelKind::kWhatsapp: {
        m.address = s.record.phone;
        // The sender's WhatsApp body (sender.cc): the approved template, its language and
        // the rendered body parameters, in order (imports keep text valid UTF-8; anything
        // else would be replaced, never thrown).
        m.body_text = nlohmann::json{{"template", r.whatsapp_template},
                                     {"language", r.language},
                                     {"parameters", r.whatsapp_parameters}}
                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        break;
      }
    }
    return Status::Ok();
  }

  // Reasons are counted by their kind, the text before any ':' ("negative expected value",
  // not each customer's number); the journey keeps the whole reason.
  static std::string ReasonKind(const std::string& reason) {
    return reason.substr(0, reason.find(':'));
  }

  void Count(const Journey& j) {
    if (j.state == store::JourneyState::kSuppressed) {
      ++summary_.suppressed[j.campaign + ": " + ReasonKind(j.exit_reason)];
      return;
    }
    if (j.state == store::JourneyState::kExited) {
      ++summary_.exited[j.campaign + ": " + ReasonKind(j.exit_reason)];
      return;
    }
    // A journey is new when the customer had none of that occurrence before this plan.
    bool known = false;
    const auto k = static_cast<std::size_t>(j.customer.value());
    if (k < shared_.journeys.size()) {
      for (const Journey& old : shared_.journeys[k]) {
        known |= old.campaign == j.campaign && old.occurrence == j.occurrence;
      }
    }
    if (!known) {
      ++summary_.entered[j.campaign];
      if (j.holdout) ++summary_.holdout[j.campaign];
    }
  }

  void CountMessage(const OutboxMessage& m) {
    if (m.status == MessageStatus::kExpired) ++summary_.expired[m.campaign];
    ++summary_.messages[{m.campaign, m.step, std::string(ChannelKindName(m.channel)), m.variant,
                         std::string(store::MessageStatusName(m.status))}];
    if (const auto w = summary_.winner_messages.find({m.campaign, m.step});
        w != summary_.winner_messages.end()) {
      ++w->second;
    }
  }

  store::Store& store_;
  const CampaignSettings& settings_;
  const PlanOptions& options_;
  Shared& shared_;
  PlanContext& ctx_;
  PlanSummary& summary_;
  TimeZone default_zone_;
  std::map<std::string, TimeZone> zones_;
  std::vector<CustomerState> states_;
  std::unordered_map<std::int64_t, std::size_t> index_;
  std::vector<std::array<std::int64_t, 24>> hours_;
};

// What one plan (or preview) reads once before its chunks: the context of the day, the shared
// state and the summary it fills.
struct PlanRun {
  PlanRun(const CampaignSettings& s, const PlanOptions& o) : settings(s), options(o) {
    ctx.settings = &settings;
    ctx.as_of = options.as_of;
    ctx.channel_enabled = options.channel_enabled;
    ctx.winners = &options.winners;
    for (const auto& [ref, variant] : options.winners) {
      const Campaign* c = settings.FindCampaign(ref.first);
      if (c == nullptr) continue;
      for (const Step& step : c->steps) {
        if (step.name == ref.second && step.auto_winner) summary.winner_messages[ref] = 0;
      }
    }
  }
  Status Load(store::Store& store) {
    WINBACK_ASSIGN_OR_RETURN(limit, store.CustomerKeyLimit());
    return LoadShared(store, settings, options, limit, shared, ctx, summary);
  }

  const CampaignSettings& settings;
  const PlanOptions& options;
  PlanContext ctx;
  Shared shared;
  PlanSummary summary;
  std::int64_t limit = 1;
};

// Every winner names a campaign, a step and one of its variants.
Status CheckWinners(const CampaignSettings& settings,
                    const std::map<StepRef, std::string>& winners) {
  for (const auto& [ref, variant] : winners) {
    const Campaign* c = settings.FindCampaign(ref.first);
    if (c == nullptr) {
      return InvalidArgumentError("winner for unknown campaign '" + ref.first + "'");
    }
    const auto step = std::find_if(c->steps.begin(), c->steps.end(),
                                   [&](const Step& s) { return s.name == ref.second; });
    if (step == c->steps.end()) {
      return InvalidArgumentError("winner for campaign '" + ref.first + "': no step '" +
                                  ref.second + "'");
    }
    if (std::find(step->variants.begin(), step->variants.end(), variant) == step->variants.end()) {
      return InvalidArgumentError("winner for campaign '" + ref.first + "' step '" + ref.second +
                                  "': '" + variant + "' is not one of its variants");
    }
  }
  return Status::Ok();
}

// The key ranges a plan visits, in key order: every key below `limit` in chunks of `chunk`
// when `only` is empty; else the keys of `only` (1 <= key < limit), runs of consecutive keys
// as one range of at most `chunk` keys.
std::vector<store::KeyRange> PlanRanges(std::vector<CustomerKey> only, std::int64_t limit,
                                        std::int64_t chunk) {
  std::vector<store::KeyRange> ranges;
  if (only.empty()) {
    for (std::int64_t begin = 1; begin < limit; begin += chunk) {
      ranges.push_back(store::KeyRange{begin, std::min(limit, begin + chunk)});
    }
    return ranges;
  }
  std::vector<std::int64_t> keys;
  keys.reserve(only.size());
  for (CustomerKey k : only) {
    if (k.value() >= 1 && k.value() < limit) keys.push_back(k.value());
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (std::int64_t k : keys) {
    if (!ranges.empty() && ranges.back().end == k && k - ranges.back().begin < chunk) {
      ranges.back().end = k + 1;
    } else {
      ranges.push_back(store::KeyRange{k, k + 1});
    }
  }
  return ranges;
}

}  // namespace

Status CheckTemplates(const CampaignSettings& settings, const messages::TemplateSet& templates,
                      const std::array<bool, kChannelKindCount>& channel_enabled) {
  const Policy& p = settings.policy;
  for (const Campaign& c : settings.campaigns) {
    for (const Step& step : c.steps) {
      std::vector<std::string> names = {BaseTemplate(step)};
      for (const std::string& v : step.variants) {
        const std::string name = BaseTemplate(step) + "." + v;
        if (templates.Require(name, p.fallback_language, p.fallback_language, messages::Parts{})
                .ok()) {
          names.push_back(name);
        }
      }
      for (const std::string& name : names) {
        for (const std::string& language : p.languages) {
          for (int ch = 0; ch < kChannelKindCount; ++ch) {
            if (!channel_enabled[static_cast<std::size_t>(ch)]) continue;
            Status s = templates.Require(name, language, p.fallback_language,
                                         PartsFor(static_cast<ChannelKind>(ch)));
            if (!s.ok()) {
              return InvalidArgumentError(
                  "campaign '" + c.name + "' step '" + step.name + "' (" +
                  std::string(ChannelKindName(static_cast<ChannelKind>(ch))) +
                  "): " + std::string(s.message()));
            }
          }
        }
      }
    }
  }
  return Status::Ok();
}

Result<store::OutboxMessage> PreviewMessage(store::Store& store, const CampaignSettings& settings,
                                            const PlanOptions& options, std::string_view campaign,
                                            std::string_view step, std::string_view customer_id) {
  if (options.templates == nullptr) return InvalidArgumentError("preview: no templates");
  const Campaign* c = settings.FindCampaign(campaign);
  if (c == nullptr) return NotFoundError("no campaign named '" + std::string(campaign) + "'");
  const Step* s = nullptr;
  for (const Step& x : c->steps) {
    if (x.name == step) s = &x;
  }
  if (s == nullptr) {
    std::string names;
    for (const Step& x : c->steps) names += (names.empty() ? "" : ", ") + x.name;
    return NotFoundError("campaign '" + c->name + "' has no step '" + std::string(step) +
                         "' (steps: " + names + ")");
  }
  WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile profile, store.LoadCustomer(customer_id));
  PlanRun run(settings, options);
  WINBACK_RETURN_IF_ERROR(run.Load(store));
  ChunkPlanner planner(store, settings, options, run.shared, run.ctx, run.summary);
  WINBACK_ASSIGN_OR_RETURN(CustomerState * state, planner.One(profile.key));
  return planner.Preview(*state, *c, *s);
}

Result<PlanSummary> Plan(store::Store& store, const CampaignSettings& settings,
                         const PlanOptions& options) {
  if (options.templates == nullptr) return InvalidArgumentError("plan: no templates");
  if (options.signing_key.empty() && !options.dry_run) {
    return FailedPreconditionError(
        "plan: the links in messages need a signing key (set WINBACK_SIGNING_KEY)");
  }
  WINBACK_RETURN_IF_ERROR(CheckTemplates(settings, *options.templates, options.channel_enabled));
  WINBACK_RETURN_IF_ERROR(CheckWinners(settings, options.winners));
  PlanRun run(settings, options);
  WINBACK_RETURN_IF_ERROR(run.Load(store));
  ChunkPlanner planner(store, settings, options, run.shared, run.ctx, run.summary);
  const std::int64_t chunk = std::max<std::int64_t>(1, options.chunk_customers);
  for (const store::KeyRange& range : PlanRanges(options.only_customers, run.limit, chunk)) {
    WINBACK_RETURN_IF_ERROR(planner.Run(range));
    if (options.progress && options.only_customers.empty()) {
      options.progress(range.end - 1, run.limit - 1);
    }
  }
  return std::move(run.summary);
}

}  // namespace winback::campaigns
