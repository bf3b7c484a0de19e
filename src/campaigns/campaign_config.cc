#include "campaigns/campaign_config.h"

#include <array>
#include <set>

#include "core/country.h"
#include "core/money.h"
#include "core/time.h"

namespace winback::campaigns {
namespace {

using config::SectionView;
using config::Value;

constexpr std::array<std::string_view, kTriggerKindCount> kTriggerNames = {
    "winback",       "birthday",           "anniversary",    "holiday",
    "post_purchase", "onboarding",         "cart_abandoned", "spend_threshold",
    "long_inactive", "complaint_resolved", "feature_shipped"};

constexpr std::array<std::string_view, 7> kOfferKindNames = {
    "percent_off",   "amount_off",   "credit", "loyalty_points",
    "free_shipping", "new_products", "notify"};

constexpr std::int64_t kMaxDays = 36'500;

std::vector<std::string> Names(std::span<const std::string_view> names) {
  return {names.begin(), names.end()};
}

std::vector<std::string> MessageKindNames() {
  std::vector<std::string> out;
  for (int k = 0; k < kMessageKindCount; ++k) {
    out.emplace_back(MessageKindName(static_cast<MessageKind>(k)));
  }
  return out;
}

std::vector<std::string> Strings(const Value& v) {
  std::vector<std::string> out;
  for (const Value& e : v.AsArray()) out.push_back(e.AsString());
  return out;
}

// Campaign, step and offer names become parts of idempotency keys and file names.
Status CheckName(const SectionView& s, const Value& v, std::string_view key) {
  const std::string& name = v.AsString();
  if (name.empty()) return s.Error(v, key, "must not be empty");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return s.Error(v, key,
                     "'" + name +
                         "' may hold only a-z, 0-9, '_' and '-' (it becomes part of "
                         "message keys and file names)");
    }
  }
  return Status::Ok();
}

// "HH:MM" -> seconds since midnight.
Result<std::int32_t> ClockTime(const SectionView& s, const Value& v, std::string_view key) {
  const std::string& t = v.AsString();
  const bool shape = t.size() == 5 && t[2] == ':' &&
                     std::isdigit(static_cast<unsigned char>(t[0])) &&
                     std::isdigit(static_cast<unsigned char>(t[1])) &&
                     std::isdigit(static_cast<unsigned char>(t[3])) &&
                     std::isdigit(static_cast<unsigned char>(t[4]));
  const int h = shape ? (t[0] - '0') * 10 + (t[1] - '0') : 99;
  const int m = shape ? (t[3] - '0') * 10 + (t[4] - '0') : 99;
  if (h > 23 || m > 59) return s.Error(v, key, "expected a time \"HH:MM\", got \"" + t + "\"");
  return (h * 60 + m) * 60;
}

Result<std::int64_t> MoneyValue(const SectionView& s, const Value& v, std::string_view key,
                                const std::string& currency_code) {
  Result<Currency> currency = Currency::FromCode(currency_code);
  if (!currency.ok()) {
    return s.Error(v, key, "needs a valid currency; '" + currency_code + "' is not ISO 4217");
  }
  Result<std::int64_t> minor = ParseMinorUnits(v.AsString(), *currency);
  if (!minor.ok()) return s.Error(v, key, std::string(minor.status().message()));
  if (*minor < 0) return s.Error(v, key, "must not be negative");
  return *minor;
}

std::vector<config::Key> AudienceKeys() {
  return {config::StringList("segments"),
          config::StringList("groups"),
          config::StringList("lifecycle",
                             {"new", "active", "at_risk", "inactive", "lost", "reactivated"}),
          config::StringList("countries"),
          config::StringList("languages"),
          config::StringList("exit_reasons",
                             {"price", "service", "selection", "feature", "moved", "other"})};
}

std::vector<config::Key> CampaignKeys() {
  std::vector<config::Key> keys = {
      config::Required(config::String("name")),
      config::Required(config::OneOf("trigger", Names(kTriggerNames))),
      config::OneOf("kind", MessageKindNames()),
      config::Integer("priority", -1000, 1000),
      config::Number("holdout", 0, 0.9),
      config::Boolean("reenter"),
      config::Integer("reenter_after_days", 0, kMaxDays),
      config::Integer("max_entries", 1, 1000),
      config::Integer("send_hour", 0, 23),
      config::Integer("expires_after_days", 0, 365),
      config::String("language"),
      config::Integer("cart_hours", 1, std::int64_t{24} * 30),
      config::Integer("inactive_days", 1, kMaxDays),
      config::String("spend_threshold"),
      config::String("currency"),
      config::Integer("period_days", 1, kMaxDays),
      config::StringList("holidays"),
      config::Integer("lookback_days", 0, kMaxDays),
      config::TableArray(
          "step",
          {config::Required(config::String("name")), config::Integer("wait_days", 0, kMaxDays),
           config::Integer("wait_hours", 0, std::int64_t{24} * 365), config::String("template"),
           config::StringList("variants"), config::String("offer"),
           config::Integer("escalate", 0, 10), config::Boolean("auto_winner")}),
  };
  for (config::Key& k : AudienceKeys()) keys.push_back(std::move(k));
  return keys;
}

Status ParseStep(const SectionView& s, const Value& t, Step& step) {
  WINBACK_RETURN_IF_ERROR(CheckName(s, *t.Find("name"), "step.name"));
  step.name = t.Find("name")->AsString();
  step.line = t.line();
  if (const Value* v = t.Find("wait_days")) step.wait_days = v->AsInteger();
  if (const Value* v = t.Find("wait_hours")) step.wait_hours = v->AsInteger();
  step.template_name = step.name;
  if (const Value* v = t.Find("template")) {
    WINBACK_RETURN_IF_ERROR(CheckName(s, *v, "step.template"));
    step.template_name = v->AsString();
  }
  if (const Value* v = t.Find("variants")) {
    step.variants = Strings(*v);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < step.variants.size(); ++i) {
      WINBACK_RETURN_IF_ERROR(CheckName(s, v->AsArray()[i], "step.variants"));
      if (!seen.insert(step.variants[i]).second) {
        return s.Error(*v, "step.variants", "'" + step.variants[i] + "' is listed twice");
      }
    }
  }
  if (const Value* v = t.Find("offer")) step.offer = v->AsString();
  if (const Value* v = t.Find("escalate")) step.escalate = v->AsInteger();
  if (const Value* v = t.Find("auto_winner")) {
    step.auto_winner = v->AsBoolean();
    if (step.auto_winner && step.variants.size() < 2) {
      return s.Error(*v, "step.auto_winner",
                     "step '" + step.name +
                         "' has no A/B test to win: auto_winner needs at "
                         "least two variants");
    }
  }
  return Status::Ok();
}

Status ParseCampaign(const SectionView& s, CampaignSettings& out) {
  Campaign c;
  c.line = s.table().line();
  WINBACK_RETURN_IF_ERROR(CheckName(s, *s.Find("name"), "name"));
  c.name = s.Find("name")->AsString();
  c.trigger = *TriggerKindFromName(s.Find("trigger")->AsString());
  if (const Value* v = s.Find("kind")) c.kind = ParseMessageKind(v->AsString());
  if (const Value* v = s.Find("priority")) c.priority = v->AsInteger();
  if (const Value* v = s.Find("holdout")) c.holdout = v->AsNumber();
  if (const Value* v = s.Find("reenter")) c.reenter = v->AsBoolean();
  if (const Value* v = s.Find("reenter_after_days")) c.reenter_after_days = v->AsInteger();
  if (const Value* v = s.Find("max_entries")) c.max_entries = v->AsInteger();
  if (const Value* v = s.Find("send_hour")) c.send_hour = v->AsInteger();
  if (const Value* v = s.Find("expires_after_days")) c.expires_after_days = v->AsInteger();
  if (const Value* v = s.Find("language")) c.language_default = v->AsString();
  if (const Value* v = s.Find("cart_hours")) c.cart_hours = v->AsInteger();
  if (const Value* v = s.Find("inactive_days")) c.inactive_days = v->AsInteger();
  if (const Value* v = s.Find("currency")) c.currency = v->AsString();
  if (const Value* v = s.Find("spend_threshold")) {
    WINBACK_ASSIGN_OR_RETURN(c.spend_threshold_minor,
                             MoneyValue(s, *v, "spend_threshold", c.currency));
  } else if (c.trigger == TriggerKind::kSpendThreshold) {
    return s.Error(s.table(), "", "a spend_threshold campaign needs spend_threshold and currency");
  }
  if (const Value* v = s.Find("period_days")) c.period_days = v->AsInteger();
  if (const Value* v = s.Find("holidays")) c.holidays = Strings(*v);
  if (const Value* v = s.Find("lookback_days")) c.lookback_days = v->AsInteger();
  Audience& a = c.audience;
  if (const Value* v = s.Find("segments")) a.segments = Strings(*v);
  if (const Value* v = s.Find("groups")) a.groups = Strings(*v);
  if (const Value* v = s.Find("lifecycle")) a.lifecycle = Strings(*v);
  if (const Value* v = s.Find("languages")) a.languages = Strings(*v);
  if (const Value* v = s.Find("exit_reasons")) a.exit_reasons = Strings(*v);
  if (const Value* v = s.Find("countries")) {
    a.countries = Strings(*v);
    for (std::size_t i = 0; i < a.countries.size(); ++i) {
      if (!IsCountryCode(a.countries[i])) {
        return s.Error(v->AsArray()[i], "countries",
                       "'" + a.countries[i] + "' is not an ISO 3166-1 alpha-2 country code");
      }
    }
  }
  const Value* steps = s.Find("step");
  if (steps == nullptr || steps->AsArray().empty()) {
    return s.Error(s.table(), "", "campaign '" + c.name + "' needs at least one [[campaign.step]]");
  }
  std::set<std::string> seen;
  for (const Value& t : steps->AsArray()) {
    Step step;
    WINBACK_RETURN_IF_ERROR(ParseStep(s, t, step));
    if (!seen.insert(step.name).second) {
      return s.Error(t, "step.name",
                     "campaign '" + c.name + "' has two steps named '" + step.name + "'");
    }
    if (step.auto_winner && !(c.holdout > 0)) {
      return s.Error(*t.Find("auto_winner"), "step.auto_winner",
                     "campaign '" + c.name +
                         "' has holdout = 0: the winner is declared by "
                         "measuring the campaign, which needs a holdout");
    }
    c.steps.push_back(std::move(step));
  }
  for (const Campaign& other : out.campaigns) {
    if (other.name == c.name) {
      return s.Error(*s.Find("name"), "name",
                     "a campaign named '" + c.name + "' is already defined on line " +
                         std::to_string(other.line));
    }
  }
  out.campaigns.push_back(std::move(c));
  return Status::Ok();
}

Status ParseOffer(const SectionView& s, CampaignSettings& out) {
  Offer o;
  o.line = s.table().line();
  WINBACK_RETURN_IF_ERROR(CheckName(s, *s.Find("name"), "name"));
  o.name = s.Find("name")->AsString();
  const std::string kind = s.Find("kind")->AsString();
  for (std::size_t i = 0; i < kOfferKindNames.size(); ++i) {
    if (kOfferKindNames[i] == kind) o.kind = static_cast<OfferKind>(i);
  }
  if (const Value* v = s.Find("value")) o.value = v->AsInteger();
  if (o.kind == OfferKind::kPercentOff && (o.value < 1 || o.value > 100)) {
    return s.Error(s.Find("value") ? *s.Find("value") : s.table(), "value",
                   "a percent_off offer needs a value in 1..100");
  }
  if (const Value* v = s.Find("text")) o.text = v->AsString();
  if (const Value* v = s.Find("coupon")) o.coupon = v->AsBoolean();
  if (o.kind == OfferKind::kNewProducts || o.kind == OfferKind::kNotify) o.coupon = false;
  if (const Value* v = s.Find("valid_days")) o.valid_days = v->AsInteger();
  if (const Value* v = s.Find("currency")) o.currency = v->AsString();
  if (const Value* v = s.Find("cost")) {
    WINBACK_ASSIGN_OR_RETURN(o.cost_minor, MoneyValue(s, *v, "cost", o.currency));
  }
  if (const Value* v = s.Find("redemption_rate")) o.redemption_rate = v->AsNumber();
  if (const Value* v = s.Find("exit_reasons")) o.exit_reasons = Strings(*v);
  if (const Value* v = s.Find("segments")) o.segments = Strings(*v);
  if (const Value* v = s.Find("next")) o.next = v->AsString();
  if (const Value* v = s.Find("max_per_day")) o.max_per_day = v->AsInteger();
  for (const Offer& other : out.offers) {
    if (other.name == o.name) {
      return s.Error(*s.Find("name"), "name", "an offer named '" + o.name + "' is already defined");
    }
  }
  out.offers.push_back(std::move(o));
  return Status::Ok();
}

Status ParseHoliday(const SectionView& s, CampaignSettings& out) {
  Holiday h;
  h.name = s.Find("name")->AsString();
  const Value& dates = *s.Find("dates");
  h.dates = Strings(dates);
  for (std::size_t i = 0; i < h.dates.size(); ++i) {
    const std::string& d = h.dates[i];
    const bool yearly = d.size() == 5 && d[2] == '-';
    const bool ok = yearly ? ParseDate("2024-" + d).ok() : (d.size() == 10 && ParseDate(d).ok());
    if (!ok) {
      return s.Error(dates.AsArray()[i], "dates",
                     "'" + d + "' is neither YYYY-MM-DD nor MM-DD (every year)");
    }
  }
  if (const Value* v = s.Find("countries")) h.countries = Strings(*v);
  out.holidays.push_back(std::move(h));
  return Status::Ok();
}

Status ParsePolicy(const SectionView& s, CampaignSettings& out) {
  Policy& p = out.policy;
  if (const Value* v = s.Find("quiet_hours")) {
    WINBACK_ASSIGN_OR_RETURN(p.quiet_start_seconds,
                             ClockTime(s, *v->Find("start"), "quiet_hours.start"));
    WINBACK_ASSIGN_OR_RETURN(p.quiet_end_seconds, ClockTime(s, *v->Find("end"), "quiet_hours.end"));
  }
  if (const Value* v = s.Find("frequency_cap")) {
    p.cap_messages = v->Find("messages")->AsInteger();
    p.cap_days = v->Find("days")->AsInteger();
  }
  if (const Value* v = s.Find("daily_limit")) p.daily_limit = v->AsInteger();
  if (const Value* v = s.Find("channel_order")) {
    p.channel_order.clear();
    for (const std::string& name : Strings(*v)) {
      const std::optional<ChannelKind> kind = ParseChannelKind(name);
      for (ChannelKind k : p.channel_order) {
        if (k == *kind) return s.Error(*v, "channel_order", "'" + name + "' is listed twice");
      }
      p.channel_order.push_back(*kind);
    }
  }
  if (const Value* v = s.Find("learn_min_sample")) p.learn_min_sample = v->AsInteger();
  if (const Value* v = s.Find("languages")) p.languages = Strings(*v);
  if (const Value* v = s.Find("fallback_language")) p.fallback_language = v->AsString();
  if (const Value* v = s.Find("shop_name")) p.shop_name = v->AsString();
  if (const Value* v = s.Find("time_zone")) {
    if (!TimeZone::Find(v->AsString()).ok()) {
      return s.Error(*v, "time_zone", "'" + v->AsString() + "' is not an IANA time zone");
    }
    p.time_zone = v->AsString();
  }
  if (const Value* v = s.Find("expected_return")) p.expected_return = v->AsNumber();
  if (const Value* v = s.Find("currency")) p.currency = v->AsString();
  if (const Value* v = s.Find("message_cost")) {
    for (int c = 0; c < kChannelKindCount; ++c) {
      const std::string name(ChannelKindName(static_cast<ChannelKind>(c)));
      if (const Value* cost = v->Find(name)) {
        WINBACK_ASSIGN_OR_RETURN(p.message_cost_minor[c],
                                 MoneyValue(s, *cost, "message_cost." + name, p.currency));
      }
    }
  }
  if (const Value* v = s.Find("best_hour_min_events")) p.best_hour_min_events = v->AsInteger();
  bool fallback_listed = false;
  for (const std::string& l : p.languages) fallback_listed |= l == p.fallback_language;
  if (!fallback_listed) {
    return s.Error(s.table(), "fallback_language",
                   "'" + p.fallback_language + "' is not one of languages");
  }
  return Status::Ok();
}

Status ParseTracking(const SectionView& s, CampaignSettings& out) {
  if (const Value* v = s.Find("base_url")) {
    const std::string& url = v->AsString();
    if (!url.starts_with("https://") && !url.starts_with("http://")) {
      return s.Error(*v, "base_url", "expected an http(s) URL, got '" + url + "'");
    }
    out.tracking.base_url = url;
    while (!out.tracking.base_url.empty() && out.tracking.base_url.back() == '/') {
      out.tracking.base_url.pop_back();
    }
  }
  return Status::Ok();
}

Status ParseTemplates(const SectionView& s, CampaignSettings& out) {
  if (const Value* v = s.Find("dir")) {
    if (v->AsString().empty()) return s.Error(*v, "dir", "must not be empty");
    out.templates_dir = v->AsString();
  }
  return Status::Ok();
}

}  // namespace

std::string_view TriggerKindName(TriggerKind kind) {
  return kTriggerNames[static_cast<std::size_t>(kind)];
}

std::optional<TriggerKind> TriggerKindFromName(std::string_view name) {
  for (std::size_t i = 0; i < kTriggerNames.size(); ++i) {
    if (kTriggerNames[i] == name) return static_cast<TriggerKind>(i);
  }
  return std::nullopt;
}

std::string_view OfferKindName(OfferKind kind) {
  return kOfferKindNames[static_cast<std::size_t>(kind)];
}

const Campaign* CampaignSettings::FindCampaign(std::string_view name) const {
  for (const Campaign& c : campaigns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<MessageKind> CampaignSettings::KindsInUse() const {
  bool used[kMessageKindCount] = {};
  for (const Campaign& c : campaigns) used[static_cast<int>(KindOf(c))] = true;
  std::vector<MessageKind> out;
  for (int k = 0; k < kMessageKindCount; ++k) {
    if (used[k]) out.push_back(static_cast<MessageKind>(k));
  }
  return out;
}

MessageKind KindOf(const Campaign& campaign) {
  return campaign.kind.value_or(DefaultMessageKind(campaign.trigger));
}

MessageKind DefaultMessageKind(TriggerKind trigger) {
  switch (trigger) {
    case TriggerKind::kWinback:
    case TriggerKind::kLongInactive:
    case TriggerKind::kSpendThreshold:
      return MessageKind::kOffers;
    case TriggerKind::kCartAbandoned:
      return MessageKind::kReminders;
    case TriggerKind::kBirthday:
    case TriggerKind::kAnniversary:
    case TriggerKind::kHoliday:
      return MessageKind::kOccasions;
    case TriggerKind::kPostPurchase:
    case TriggerKind::kOnboarding:
    case TriggerKind::kComplaintResolved:
      return MessageKind::kService;
    case TriggerKind::kFeatureShipped:
      return MessageKind::kNews;
  }
  return MessageKind::kOffers;
}

const Offer* CampaignSettings::FindOffer(std::string_view name) const {
  for (const Offer& o : offers) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

void AddConfigSections(config::Registry& registry) {
  registry.AddArray<CampaignSettings>("campaign", CampaignKeys(), ParseCampaign);
  registry.AddArray<CampaignSettings>(
      "offer",
      {config::Required(config::String("name")),
       config::Required(config::OneOf("kind", Names(kOfferKindNames))),
       config::Integer("value", 0, 1'000'000'000), config::String("text"),
       config::Boolean("coupon"), config::Integer("valid_days", 1, 3650), config::String("cost"),
       config::String("currency"), config::Number("redemption_rate", 0, 1),
       config::StringList("exit_reasons"), config::StringList("segments"), config::String("next"),
       config::Integer("max_per_day", 0, 100'000'000)},
      ParseOffer);
  registry.AddArray<CampaignSettings>(
      "holiday",
      {config::Required(config::String("name")), config::Required(config::StringList("dates")),
       config::StringList("countries")},
      ParseHoliday);
  registry.Add<CampaignSettings>(
      "policy",
      {config::Table("quiet_hours", {config::Required(config::String("start")),
                                     config::Required(config::String("end"))}),
       config::Table("frequency_cap", {config::Required(config::Integer("messages", 1, 1000)),
                                       config::Required(config::Integer("days", 1, 365))}),
       config::Integer("daily_limit", 0, 1'000'000'000),
       config::StringList("channel_order", {"email", "sms", "whatsapp"}),
       config::Integer("learn_min_sample", 1, 1'000'000), config::StringList("languages"),
       config::String("fallback_language"), config::String("shop_name"),
       config::String("time_zone"), config::Number("expected_return", 0, 1),
       config::String("currency"),
       config::Table("message_cost",
                     {config::String("email"), config::String("sms"), config::String("whatsapp")}),
       config::Integer("best_hour_min_events", 1, 1000)},
      ParsePolicy);
  registry.Add<CampaignSettings>("tracking", {config::String("base_url")}, ParseTracking);
  registry.Add<CampaignSettings>("templates", {config::String("dir")}, ParseTemplates);
}

Status ValidateCampaignSettings(const CampaignSettings& settings, std::string_view file) {
  const auto error = [file](int line, const std::string& message) {
    return config::LineError(file, line, message);
  };
  for (const Offer& o : settings.offers) {
    if (!o.next.empty() && settings.FindOffer(o.next) == nullptr) {
      return error(o.line, "offer '" + o.name + "': next = '" + o.next + "' is not an [[offer]]");
    }
    // Escalation must end: follow `next` at most as many times as there are offers.
    const Offer* at = &o;
    for (std::size_t hops = 0; at != nullptr && !at->next.empty(); ++hops) {
      if (hops > settings.offers.size()) {
        return error(o.line, "offer '" + o.name + "': the chain of next offers loops");
      }
      at = settings.FindOffer(at->next);
    }
  }
  for (const Campaign& c : settings.campaigns) {
    for (const Step& step : c.steps) {
      if (step.offer.empty() || step.offer == "by_reason") continue;
      if (settings.FindOffer(step.offer) == nullptr) {
        return error(step.line, "campaign '" + c.name + "' step '" + step.name + "': offer '" +
                                    step.offer + "' is not an [[offer]] (or \"by_reason\")");
      }
    }
    for (const std::string& h : c.holidays) {
      bool found = false;
      for (const Holiday& holiday : settings.holidays) found |= holiday.name == h;
      if (!found) {
        return error(c.line, "campaign '" + c.name + "': holiday '" + h + "' is not a [[holiday]]");
      }
    }
  }
  return Status::Ok();
}

}  // namespace winback::campaigns
