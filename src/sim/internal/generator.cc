#include "sim/internal/generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>

#include "sim/internal/effects.h"
#include "sim/internal/text.h"

namespace winback::sim::internal {

// Clocks. Each customer lives on the window's operational-day clock t in [0, D), D the number
// of days in the window: day floor(t) is local calendar day start + floor(t) in the customer's
// time zone, and the fraction of the day is mapped to a local time of day by TimeOfDay, so a
// Poisson process that is homogeneous in t has the hourly profile of kHourWeights. The yearly
// season acts on top: the BG/NBD process is homogeneous in Tau(t) (see Seasonality).

namespace {

constexpr std::string_view kGenders[] = {"female", "male", "other", "unknown"};
constexpr std::string_view kEducation[] = {"primary", "secondary", "bachelor",
                                           "master",  "doctorate", "other"};
constexpr std::string_view kEmailDomains[] = {"example.com", "example.org", "example.net"};
constexpr std::string_view kChannels[] = {"email", "sms", "whatsapp"};
constexpr std::string_view kYesNo[] = {"no", "yes"};

template <std::size_t N>
constexpr std::array<double, N> Cumulative(const std::array<double, N>& weights) {
  std::array<double, N> cdf{};
  double total = 0;
  for (std::size_t i = 0; i < N; ++i) {
    total += weights[i];
    cdf[i] = total;
  }
  return cdf;
}

template <typename T>
const T& PickFrom(Rng& rng, std::span<const T> items) {
  return items[static_cast<std::size_t>(rng.Below(items.size()))];
}

std::uint64_t Pow10(int n) {
  std::uint64_t v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// The referral draw of customer n: a stateless hash, so both sides of a referral can compute it.
struct ReferralDraw {
  bool candidate;
  std::int64_t distance;  // 1..kReferralMaxDistance
  std::int64_t lead_seconds;
};

ReferralDraw DrawReferral(std::uint64_t seed, std::int64_t n) {
  const std::uint64_t h = StreamKey(seed, static_cast<std::uint64_t>(n), Stream::kReferral);
  ReferralDraw d;
  d.candidate = static_cast<double>(h >> 40) < kReferralCandidate * 16'777'216.0;
  d.distance = 1 + static_cast<std::int64_t>((h >> 8) % kReferralMaxDistance);
  d.lead_seconds = static_cast<std::int64_t>(h & 0xFF) * 900;
  return d;
}

constexpr std::array<double, 7> kEducationCdf = Cumulative(kEducationWeights);
constexpr std::array<double, 5> kScoreAliveCdf = Cumulative(kReviewScoreAlive);
constexpr std::array<double, 5> kScoreDropoutCdf = Cumulative(kReviewScoreAtDropout);

// Fills `order` with the indices of `records` sorted by (when, seq); sorting small keys is
// cheaper than moving the records.
template <typename Record>
void SortByTime(const std::vector<Record>& records, std::vector<std::uint32_t>& order) {
  order.resize(records.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&records](std::uint32_t a, std::uint32_t b) {
    const Record& x = records[a];
    const Record& y = records[b];
    return x.when != y.when ? x.when < y.when : x.seq < y.seq;
  });
}

char* PutCustomerId(char* p, std::int64_t n) {
  *p++ = 'c';
  return PutInt(p, n);
}

}  // namespace

void Chunk::Clear() {
  customers.clear();
  orders.clear();
  events.clear();
  truth.clear();
  customer_rows = order_rows = event_rows = buyers = alive = 0;
  orders_by_status.fill(0);
  events_by_type.fill(0);
}

Model::Model(const SimOptions& options, Currency currency)
    : options_(options),
      currency_(currency),
      start_day_(options.start.days()),
      window_days_(static_cast<double>(options.end.days() - options.start.days() + 1)),
      season_(options.seasonality, options.start.days()) {
  tau_end_ = season_.Tau(window_days_);
  minor_per_unit_ = static_cast<double>(Pow10(currency.exponent()));
}

Result<Model> Model::Create(const SimOptions& options) {
  WINBACK_ASSIGN_OR_RETURN(Currency currency, Currency::FromCode(options.currency));
  Model model(options, currency);
  // Zone tables cover the window plus margins for local-vs-UTC day differences, and the year
  // after it, where the campaign responder (responder.cc) continues the purchase process.
  const Date first = options.start.PlusDays(-3);
  const Date last = options.end.PlusDays(400);
  std::map<std::string_view, std::size_t> zone_index;
  const auto cities = Cities();
  const auto countries = Countries();
  double total = 0;
  for (const City& city : cities) {
    auto it = zone_index.find(city.zone);
    if (it == zone_index.end()) {
      Result<ZoneOffsets> table = ZoneOffsets::Build(city.zone, first, last);
      if (!table.ok()) {
        return InternalError("time zone '" + std::string(city.zone) +
                             "' is missing from the tz database: " + table.status().message());
      }
      it = zone_index.emplace(city.zone, model.zones_.size()).first;
      model.zones_.push_back(std::move(table).value());
    }
    model.city_zone_.push_back(it->second);
    total += countries[city.country].share * city.weight;
    model.city_cdf_.push_back(total);
  }
  return model;
}

Generator::Generator(const Model& model)
    : model_(model), start_year_(CivilFromDays(model.start_day()).year) {}

std::int64_t Generator::ToUnix(const ZoneOffsets& zone, double t) const {
  const double day = std::floor(t);
  const int second = model_.time_of_day().SecondOfDay(t - day);
  const std::int64_t local =
      (model_.start_day() + static_cast<std::int64_t>(day)) * 86'400 + second;
  return zone.LocalToUnix(local);
}

double Generator::TimeOf(const ZoneOffsets& zone, double unix_seconds) const {
  const double whole = std::floor(unix_seconds);
  const auto u = static_cast<std::int64_t>(whole);
  const std::int64_t local = u + std::int64_t{zone.OffsetMinutesAt(u)} * 60;
  const std::int64_t day = local >= 0 ? local / 86'400 : -((-local + 86'399) / 86'400);
  const double second = static_cast<double>(local - day * 86'400) + (unix_seconds - whole);
  return static_cast<double>(day - model_.start_day()) + model_.time_of_day().Fraction(second);
}

double Generator::SpendRateOf(std::int64_t n) const {
  const SimOptions& o = model_.options();
  Rng spend(o.seed, static_cast<std::uint64_t>(n), Stream::kSpend);
  return spend.Gamma(o.gg_q) / o.gg_gamma;
}

std::int64_t Generator::DrawAmount(Rng& rng, double nu) const {
  const double z = rng.Gamma(model_.options().gg_p) / nu;
  const double minor = std::round(z * model_.minor_per_unit());
  if (!(minor >= 1.0)) return 1;
  if (!(minor < 1e15)) return 1'000'000'000'000'000;
  return static_cast<std::int64_t>(minor);
}

Generator::Core Generator::CoreOf(std::int64_t n) const {
  const SimOptions& o = model_.options();
  Rng rng(o.seed, static_cast<std::uint64_t>(n), Stream::kCore);
  const double u_buyer = rng.Uniform();
  const double u_time = rng.Uniform();
  const std::vector<double>& cdf = model_.city_cdf();
  Core core;
  core.city = rng.Pick(cdf.data(), cdf.size());
  const double lead = rng.Bernoulli(kSignupSameSession) ? rng.Uniform() * 0.02
                                                        : rng.Exponential() * kSignupLeadMeanDays;
  const double d = model_.window_days();
  core.buyer = u_buyer >= o.never_buy_share;
  if (core.buyer) {
    core.t_acquired = u_time * d;
    core.t_signup = std::max(0.0, core.t_acquired - lead);
  } else {
    core.t_acquired = d;
    core.t_signup = u_time * d;
  }
  return core;
}

void Generator::PurchasesOf(std::int64_t n, const Core& core, PurchasePath& path) const {
  const SimOptions& o = model_.options();
  Rng rng(o.seed, static_cast<std::uint64_t>(n), Stream::kPurchases);
  path.lambda = rng.Gamma(o.r) / o.alpha;
  path.p = rng.Beta(o.a, o.b);
  path.times.clear();
  path.died = false;
  if (!core.buyer) return;
  const Seasonality& season = model_.season();
  const double d = model_.window_days();
  double t = core.t_acquired;
  double tau = season.Tau(t);
  path.times.push_back(t);
  if (!(path.lambda > 0.0)) return;
  while (path.times.size() < static_cast<std::size_t>(kMaxCompletedOrders)) {
    tau += rng.Exponential() / path.lambda;
    if (tau >= model_.tau_end()) break;
    t = season.Inverse(tau, t);
    if (t >= d) break;
    path.times.push_back(t);
    if (rng.Uniform() < path.p) {
      path.died = true;
      break;
    }
  }
}

std::optional<Generator::Referral> Generator::ReferralOf(std::int64_t n, const Core& core) {
  const SimOptions& o = model_.options();
  const ReferralDraw draw = DrawReferral(o.seed, n);
  const std::int64_t i = n - draw.distance;
  if (!draw.candidate || i < 1) return std::nullopt;
  const Core referrer = CoreOf(i);
  if (!referrer.buyer) return std::nullopt;
  const ZoneOffsets& zone_i = model_.zone_of_city(referrer.city);
  const std::int64_t when =
      ToUnix(model_.zone_of_city(core.city), core.t_signup) - draw.lead_seconds;
  if (when <= ToUnix(zone_i, referrer.t_acquired)) return std::nullopt;
  if (when >= ToUnix(zone_i, model_.window_days())) return std::nullopt;
  PurchasesOf(i, referrer, other_path_);
  if (other_path_.died && ToUnix(zone_i, other_path_.times.back()) <= when) return std::nullopt;
  return Referral{i, when};
}

Generator::Profile Generator::ProfileOf(std::int64_t n, const Core& core) const {
  const SimOptions& o = model_.options();
  Rng rng(o.seed, static_cast<std::uint64_t>(n), Stream::kProfile);
  const City& city = Cities()[core.city];
  const Country& country = Countries()[city.country];
  Profile p;
  const double u = rng.Uniform();
  p.gender = u < kGenderFemale ? 0
                               : (u < kGenderFemale + kGenderMale
                                      ? 1
                                      : (u < kGenderFemale + kGenderMale + kGenderOther ? 2 : 3));
  const bool female_name = p.gender == 0 || (p.gender >= 2 && rng.Bernoulli(0.5));
  p.first_name = &PickFrom(rng, female_name ? country.female : country.male);
  p.last_name = &PickFrom(rng, country.last);
  const double age = std::round(kAgeMean + kAgeSd * rng.Normal());
  p.age = static_cast<int>(std::clamp(age, 18.0, 85.0));
  p.birth_year = start_year_ - p.age;
  const std::int64_t jan1 = DaysFromCivil(p.birth_year, 1, 1);
  const std::int64_t year_days = DaysFromCivil(p.birth_year + 1, 1, 1) - jan1;
  p.birth_day = jan1 + static_cast<std::int64_t>(rng.Below(static_cast<std::uint64_t>(year_days)));
  const double ub = rng.Uniform();
  p.birth_known = ub < kBirthDateKnown ? 2 : (ub < kBirthDateKnown + kBirthYearOnly ? 1 : 0);
  const std::size_t edu = rng.Pick(kEducationCdf.data(), kEducationCdf.size());
  p.education = edu < std::size(kEducation) ? static_cast<int>(edu) : -1;
  p.has_email = rng.Bernoulli(kHasEmail);
  p.has_phone = rng.Bernoulli(kHasPhone);
  p.email_domain = static_cast<int>(rng.Below(std::size(kEmailDomains)));
  p.phone_number = rng.Below(Pow10(city.phone_digits));
  const double ue = rng.Uniform();
  const double us = rng.Uniform();
  const double uw = rng.Uniform();
  if (p.has_email) p.consent[0] = ue < country.consent_email ? 1 : 0;
  if (p.has_phone) {
    p.consent[1] = us < country.consent_sms ? 1 : 0;
    p.consent[2] = uw < country.consent_whatsapp ? 1 : 0;
  }
  // Older customers prefer e-mail, younger ones WhatsApp.
  const double a = static_cast<double>(p.age);
  std::array<double, 3> weights = {std::clamp(1.0 + (a - 35.0) / 30.0, 0.3, 2.0), 0.8,
                                   std::clamp(1.0 + (35.0 - a) / 25.0, 0.3, 2.0)};
  double total = 0;
  std::array<double, 3> cdf{};
  for (std::size_t c = 0; c < 3; ++c) {
    if (p.consent[c] != 1) weights[c] = 0;
    total += weights[c];
    cdf[c] = total;
  }
  const bool states_preference = rng.Bernoulli(kStatesPreference);
  if (total > 0 && states_preference) p.preferred = static_cast<int>(rng.Pick(cdf.data(), 3));
  return p;
}

void Generator::Generate(std::int64_t first, std::int64_t last, Chunk& out) {
  for (std::int64_t n = first; n <= last; ++n) GenerateOne(n, out);
}

void Generator::GenerateOne(std::int64_t n, Chunk& out) {
  number_ =
      std::string_view(number_buf_, static_cast<std::size_t>(PutInt(number_buf_, n) - number_buf_));
  const SimOptions& o = model_.options();
  const Core core = CoreOf(n);
  const ZoneOffsets& zone = model_.zone_of_city(core.city);
  const std::int64_t window_begin = zone.LocalToUnix(model_.start_day() * 86'400);
  PurchasesOf(n, core, path_);
  const Profile profile = ProfileOf(n, core);
  const std::optional<Referral> referral = ReferralOf(n, core);

  Rng spend(o.seed, static_cast<std::uint64_t>(n), Stream::kSpend);
  const double nu = spend.Gamma(o.gg_q) / o.gg_gamma;
  BuildOrders(zone, window_begin, nu, spend);
  BuildEvents(n, core, profile, zone, window_begin, nu);

  WriteCustomer(core, profile, zone, referral, out.customers);
  WriteOrders(zone, out);
  WriteEvents(zone, out);

  WriteTruth(core, zone, nu, out.truth);
  if (core.buyer) {
    ++out.buyers;
    if (!path_.died) ++out.alive;
  }
  ++out.customer_rows;
  out.order_rows += static_cast<std::int64_t>(orders_.size());
  out.event_rows += static_cast<std::int64_t>(events_.size());
}

void Generator::BuildOrders(const ZoneOffsets& zone, std::int64_t window_begin, double nu,
                            Rng& rng) {
  orders_.clear();
  completed_unix_.clear();
  completed_amount_.clear();
  std::uint32_t seq = 0;
  const bool with_items = model_.options().with_items;
  auto add = [&](std::int64_t when, OrderStatus status) {
    Order& order = orders_.emplace_back();
    order.when = when;
    order.seq = seq++;
    order.status = status;
    order.amount = DrawAmount(rng, nu);
    order.item_count = 0;
    if (!with_items) return;
    int k = 1;
    const double u = rng.Uniform();
    if (u < kItemsTwoOrMore) ++k;
    if (u < kItemsThree) ++k;
    if (order.amount < k) k = 1;
    std::int64_t remaining = order.amount;
    for (int i = 0; i < k; ++i) {
      Item& item = order.items[i];
      const double s = rng.Uniform();
      item.sku = 1 + static_cast<int>(kItemSkus * s * s);
      if (i == k - 1) {
        item.quantity = 1;
        item.price = remaining;
      } else {
        const std::int64_t max_share = remaining - (k - 1 - i);
        const auto share = std::clamp(static_cast<std::int64_t>(std::llround(
                                          static_cast<double>(remaining) * rng.Uniform(0.2, 0.6))),
                                      std::int64_t{1}, max_share);
        item.quantity = (share >= 2 && rng.Bernoulli(kItemQuantityTwo)) ? 2 : 1;
        item.price = share / item.quantity;
        remaining -= item.price * item.quantity;
      }
    }
    order.item_count = k;
  };
  for (double t : path_.times) {
    const std::int64_t when = ToUnix(zone, t);
    add(when, OrderStatus::kCompleted);
    completed_unix_.push_back(when);
    completed_amount_.push_back(orders_.back().amount);
    if (rng.Bernoulli(kRefundedPerCompleted)) {
      const std::int64_t w = when - rng.Between(3600, std::int64_t{48} * 3600);
      if (w >= window_begin) add(w, OrderStatus::kRefunded);
    }
    if (rng.Bernoulli(kCancelledPerCompleted)) {
      const std::int64_t w = when - rng.Between(300, 7200);
      if (w >= window_begin) add(w, OrderStatus::kCancelled);
    }
  }
}

// The state one customer's event drawing shares: its event stream, clock and window, and where
// its alive period ends. The parts of BuildEvents draw from `rng` in a fixed order, so the
// order of the calls in BuildEvents is part of the output.
struct Generator::EventDraw {
  EventDraw(Generator& generator, std::int64_t customer, const Core& core, const ZoneOffsets& z,
            std::int64_t begin, double spend_nu)
      : g(generator),
        rng(generator.model_.options().seed, static_cast<std::uint64_t>(customer), Stream::kEvents),
        zone(z),
        n(customer),
        window_begin(begin),
        nu(spend_nu),
        d(generator.model_.window_days()),
        window_end(
            z.LocalToUnix((generator.model_.start_day() + static_cast<std::int64_t>(d)) * 86'400)),
        language(Countries()[Cities()[core.city].country].language),
        buyer(core.buyer),
        died(generator.path_.died),
        s(core.t_signup),
        x(died ? generator.path_.times.back() : d) {}

  Event& Add(std::int64_t when, EventType type) {
    Event& e = g.events_.emplace_back();
    e.when = when;
    e.seq = seq++;
    e.type = type;
    return e;
  }
  std::int64_t At(double t) const { return g.ToUnix(zone, t); }
  // Calls f(t) for the points of a Poisson process with `rate` per day on [lo, hi).
  template <typename F>
  void Scatter(double rate, double lo, double hi, F&& f) {
    if (!(hi > lo) || !(rate > 0)) return;
    const std::int64_t count = rng.Poisson(rate * (hi - lo));
    for (std::int64_t i = 0; i < count; ++i) f(rng.Uniform(lo, hi));
  }
  std::string_view TextOf(TextKind kind) { return PickFrom(rng, Texts(language, kind)); }

  Generator& g;
  Rng rng;
  const ZoneOffsets& zone;
  const std::int64_t n;
  const std::int64_t window_begin;
  const double nu;
  const double d;  // window length in days
  const std::int64_t window_end;
  const Language language;
  const bool buyer;
  const bool died;
  const double s;  // signup
  const double x;  // end of the alive period
  double m = 0;    // engagement multiplier
  std::uint32_t seq = 0;
};

void Generator::BuildEvents(std::int64_t n, const Core& core, const Profile& profile,
                            const ZoneOffsets& zone, std::int64_t window_begin, double nu) {
  events_.clear();
  EventDraw e(*this, n, core, zone, window_begin, nu);
  e.m = e.rng.Gamma(kEngagementShape) / kEngagementShape;
  const double email_stop = AddOptOuts(e, profile);
  AddVisits(e);
  AddEmailEngagement(e, profile, email_stop);
  AddChatsAndCarts(e);
  const bool bad_service = AddSupportAndReviews(e);
  AddReferralsMade(e);
  AddExitEvents(e, bad_service);
  AddPaymentDefault(e);
}

double Generator::AddOptOuts(EventDraw& e, const Profile& profile) {
  // Unsubscribes and bounces come first: e-mail engagement stops at them.
  Rng& rng = e.rng;
  double email_stop = e.d;
  std::array<double, 3> cdf{};
  double total = 0;
  for (std::size_t c = 0; c < 3; ++c) {
    if (profile.consent[c] == 1) total += kUnsubscribeChannelWeights[c];
    cdf[c] = total;
  }
  if (total > 0) {
    const std::size_t channel = rng.Pick(cdf.data(), 3);
    double t = -1;
    if (rng.Bernoulli(kUnsubscribeWhileAlive)) {
      t = rng.Uniform(e.s, e.x);
    } else if (e.died && rng.Bernoulli(kUnsubscribeAfterDropout)) {
      t = e.x + rng.Exponential() * kUnsubscribeDelayMeanDays;
    }
    if (t >= 0 && t < e.d) {
      e.Add(e.At(t), EventType::kUnsubscribe).channel = kChannels[channel];
      if (channel == 0) email_stop = t;
    }
  }
  if (profile.consent[0] == 1 && rng.Bernoulli(kBounceShare)) {
    const double t = rng.Uniform(e.s, e.d);
    e.Add(e.At(t), EventType::kBounce).channel = "email";
    email_stop = std::min(email_stop, t);
  }
  return email_stop;
}

void Generator::AddVisits(EventDraw& e) {
  // One right before most orders, and background visits.
  for (std::int64_t when : completed_unix_) {
    if (e.rng.Bernoulli(kVisitBeforeOrder)) {
      const std::int64_t w = when - e.rng.Between(120, 2400);
      if (w >= e.window_begin) e.Add(w, EventType::kVisit).channel = "web";
    }
  }
  auto visit = [&](double t) { e.Add(e.At(t), EventType::kVisit).channel = "web"; };
  if (e.buyer) {
    e.Scatter(e.m * (kVisitBasePerDay + kVisitPerLambda * path_.lambda), e.s, e.x, visit);
    e.Scatter(e.m * kVisitDeadPerDay, e.x, e.d, visit);
  } else {
    e.Scatter(e.m * kVisitNeverBuyerPerDay, e.s, e.d, visit);
  }
}

void Generator::AddEmailEngagement(EventDraw& e, const Profile& profile, double email_stop) {
  // Opens and clicks of the monthly newsletter ("nl-YYYY-MM", local month).
  if (profile.consent[0] != 1) return;
  const double age_factor =
      profile.age < 30 ? kEmailAgeUnder30 : (profile.age >= 50 ? kEmailAge50Plus : 1.0);
  auto open = [&](double t, double click) {
    const std::int64_t when = e.At(t);
    const std::int64_t local = when + std::int64_t{e.zone.OffsetMinutesAt(when)} * 60;
    const CivilDay c = CivilFromDays(FloorDiv(local, 86'400));
    const std::int64_t campaign = std::int64_t{c.year} * 100 + c.month;
    Event& opened = e.Add(when, EventType::kEmailOpen);
    opened.channel = "email";
    opened.ref_kind = RefKind::kCampaign;
    opened.ref_number = campaign;
    if (e.rng.Bernoulli(click)) {
      const std::int64_t w = when + e.rng.Between(60, 3600);
      if (w < e.window_end) {
        Event& clicked = e.Add(w, EventType::kEmailClick);
        clicked.channel = "email";
        clicked.ref_kind = RefKind::kCampaign;
        clicked.ref_number = campaign;
      }
    }
  };
  const double rate = e.m * age_factor;
  if (e.buyer) {
    e.Scatter(rate * kEmailOpenPerDay, e.s, std::min(e.x, email_stop),
              [&](double t) { open(t, kEmailClickGivenOpen); });
    e.Scatter(rate * kEmailOpenDeadPerDay, e.x, email_stop,
              [&](double t) { open(t, kEmailClickGivenOpenDead); });
  } else {
    e.Scatter(rate * kEmailOpenNeverBuyerPerDay, e.s, email_stop,
              [&](double t) { open(t, kEmailClickGivenOpen); });
  }
}

void Generator::AddChatsAndCarts(EventDraw& e) {
  auto chat = [&](double t) {
    Event& c = e.Add(e.At(t), EventType::kChat);
    c.channel = "chat";
    c.text = e.TextOf(TextKind::kChat);
  };
  auto cart = [&](double t) {
    e.Add(e.At(t), EventType::kCartAbandoned).value = DrawAmount(e.rng, e.nu);
  };
  if (e.buyer) {
    e.Scatter(e.m * kChatPerDay, e.s, e.x, chat);
    e.Scatter(e.m * kChatDeadPerDay, e.x, e.d, chat);
    e.Scatter(e.m * kCartAbandonedPerDay, e.s, e.x, cart);
    e.Scatter(e.m * kCartAbandonedDeadPerDay, e.x, e.d, cart);
  } else {
    e.Scatter(e.m * kChatPerDay, e.s, e.d, chat);
    e.Scatter(e.m * kCartAbandonedNeverBuyerPerDay, e.s, e.d, cart);
  }
}

bool Generator::AddSupportAndReviews(EventDraw& e) {
  // Tickets, complaints and reviews after orders.
  Rng& rng = e.rng;
  const double d = e.d;
  bool bad_service = false;
  std::int64_t tickets = 0;
  for (std::size_t k = 0; k < path_.times.size(); ++k) {
    const double t_order = path_.times[k];
    if (rng.Bernoulli(kTicketPerOrder)) {
      const std::int64_t ticket = ++tickets;
      const double t_open = t_order + rng.Uniform(0.5, 10.0);
      const bool unsatisfied = rng.Bernoulli(kTicketUnsatisfied);
      const bool complaint =
          rng.Bernoulli(unsatisfied ? kComplaintIfUnsatisfied : kComplaintIfSatisfied);
      const double t_resolved = t_open + 1.0 / 24.0 + rng.Exponential() * kTicketResolveMeanDays;
      const double t_complaint = rng.Uniform(t_open, t_resolved);
      const std::string_view complaint_text = e.TextOf(TextKind::kComplaint);
      if (t_open < d) {
        Event& opened = e.Add(e.At(t_open), EventType::kTicketOpened);
        opened.ref_kind = RefKind::kTicket;
        opened.ref_number = ticket;
        if (complaint && t_complaint < d) {
          Event& c = e.Add(e.At(t_complaint), EventType::kComplaint);
          c.ref_kind = RefKind::kTicket;
          c.ref_number = ticket;
          c.text = complaint_text;
        }
        if (t_resolved < d) {
          Event& r = e.Add(e.At(t_resolved), EventType::kTicketResolved);
          r.ref_kind = RefKind::kTicket;
          r.ref_number = ticket;
          r.reason = unsatisfied ? "unsatisfied" : "satisfied";
        }
        if (unsatisfied || complaint) bad_service = true;
      }
    }
    if (rng.Bernoulli(kReviewPerOrder)) {
      const double t_review = t_order + rng.Uniform(2.0, 14.0);
      const bool at_dropout = e.died && k + 1 == path_.times.size();
      const int score = 1 + static_cast<int>(rng.Pick(
                                at_dropout ? kScoreDropoutCdf.data() : kScoreAliveCdf.data(), 5));
      const bool with_text = rng.Bernoulli(kReviewText);
      const TextKind kind = score >= 4
                                ? TextKind::kReviewGood
                                : (score == 3 ? TextKind::kReviewNeutral : TextKind::kReviewBad);
      const std::string_view text = e.TextOf(kind);
      if (t_review < d) {
        Event& review = e.Add(e.At(t_review), EventType::kReview);
        review.score = score;
        if (with_text) review.text = text;
      }
    }
  }
  return bad_service;
}

void Generator::AddReferralsMade(EventDraw& e) {
  // Customers n+1..n+32 that name n (see ReferralOf). Draws from their streams, not e.rng.
  if (!e.buyer) return;
  const SimOptions& o = model_.options();
  const std::int64_t n = e.n;
  for (std::int64_t k = 1; k <= kReferralMaxDistance && n + k <= o.customers; ++k) {
    const ReferralDraw draw = DrawReferral(o.seed, n + k);
    if (!draw.candidate || draw.distance != k) continue;
    const std::optional<Referral> r = ReferralOf(n + k, CoreOf(n + k));
    if (!r || r->referrer != n) continue;
    Event& referral = e.Add(r->unix_seconds, EventType::kReferral);
    referral.ref_kind = RefKind::kCustomer;
    referral.ref_number = n + k;
  }
}

void Generator::AddExitEvents(EventDraw& e, bool bad_service) {
  // After the dropout: exit survey, feature request, subscription cancellation.
  if (!e.died) return;
  Rng& rng = e.rng;
  std::array<double, kExitReasonCount> weights = kExitReasonWeights;
  if (bad_service) weights[1] *= kExitServiceBoostAfterBadTicket;
  const std::array<double, kExitReasonCount> cdf = Cumulative(weights);
  std::size_t survey_reason = kExitReasonCount;
  if (rng.Bernoulli(kExitSurveyGivenDropout)) {
    const double t = e.x + rng.Exponential() * kExitSurveyDelayMeanDays;
    const std::size_t reason = rng.Pick(cdf.data(), cdf.size());
    const bool with_text = rng.Bernoulli(kExitText);
    const std::string_view text = PickFrom(rng, ExitTexts(e.language, reason));
    const bool request = rng.Bernoulli(kFeatureRequestGivenFeatureReason);
    const std::string_view feature = PickFrom(rng, FeatureKeys());
    if (t < e.d) {
      survey_reason = reason;
      const std::int64_t when = e.At(t);
      Event& survey = e.Add(when, EventType::kExitSurvey);
      survey.reason = ExitReasonName(reason);
      if (with_text) survey.text = text;
      if (reason == 3 && request && when + 300 < e.window_end) {
        Event& f = e.Add(when + 300, EventType::kFeatureRequested);
        f.ref_kind = RefKind::kText;
        f.ref_text = feature;
      }
    }
  }
  if (rng.Bernoulli(kSubscriptionCancelGivenDropout)) {
    const double t = e.x + rng.Exponential() * kSubscriptionCancelDelayMeanDays;
    const std::size_t drawn = rng.Pick(cdf.data(), cdf.size());
    const std::size_t reason = survey_reason < kExitReasonCount ? survey_reason : drawn;
    if (t < e.d) e.Add(e.At(t), EventType::kSubscriptionCancelled).reason = ExitReasonName(reason);
  }
}

void Generator::AddPaymentDefault(EventDraw& e) {
  if (!e.buyer || !e.rng.Bernoulli(kPaymentDefaultPerBuyer)) return;
  const std::size_t k = static_cast<std::size_t>(e.rng.Below(path_.times.size()));
  const double t = path_.times[k] + e.rng.Uniform(30.0, 60.0);
  if (t < e.d) e.Add(e.At(t), EventType::kPaymentDefault).value = completed_amount_[k];
}

void Generator::WriteTruth(const Core& core, const ZoneOffsets& zone, double nu,
                           ByteBuffer& out) const {
  char* p = PutShort(PutChar(out.Reserve(256), 'c'), number_);
  if (!core.buyer) {
    out.Commit(PutStr(p, ",0,,,,,0,,0\n"));
    return;
  }
  p = PutStr(p, ",1,");
  const std::int64_t acquired = completed_unix_.front();
  p = PutTimestamp(p, acquired, zone.OffsetMinutesAt(acquired));
  p = PutDouble(PutChar(p, ','), path_.lambda);
  p = PutDouble(PutChar(p, ','), path_.p);
  p = PutDouble(PutChar(p, ','), model_.options().gg_p / nu);
  p = PutStr(p, path_.died ? ",0," : ",1,");
  if (path_.died) {
    const std::int64_t died = completed_unix_.back();
    p = PutTimestamp(p, died, zone.OffsetMinutesAt(died));
  }
  p = PutInt(PutChar(p, ','), static_cast<std::int64_t>(path_.times.size()) - 1);
  out.Commit(PutChar(p, '\n'));
}

void Generator::WriteCustomer(const Core& core, const Profile& pr, const ZoneOffsets& zone,
                              const std::optional<Referral>& referral, ByteBuffer& out) const {
  const City& city = Cities()[core.city];
  const Country& country = Countries()[city.country];
  const std::size_t texts = pr.first_name->native.size() + pr.last_name->native.size() +
                            city.region.size() + city.name.size();
  char* p = PutShort(PutChar(out.Reserve(512 + 2 * texts), 'c'), number_);
  *p++ = ',';
  if (pr.has_email) {
    p = PutStr(p, pr.first_name->ascii);
    *p++ = '.';
    p = PutStr(p, pr.last_name->ascii);
    p = PutShort(p, number_);
    *p++ = '@';
    p = PutStr(p, kEmailDomains[pr.email_domain]);
  }
  *p++ = ',';
  if (pr.has_phone) {
    p = PutStr(p, city.phone);
    std::uint64_t v = pr.phone_number;
    for (int i = city.phone_digits - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    p += city.phone_digits;
  }
  p = PutCsvField(PutChar(p, ','), pr.first_name->native);
  p = PutCsvField(PutChar(p, ','), pr.last_name->native);
  *p++ = ',';
  if (pr.birth_known == 2) p = PutDate(p, pr.birth_day);
  *p++ = ',';
  if (pr.birth_known >= 1) p = PutInt(p, pr.birth_year);
  p = PutStr(PutChar(p, ','), kGenders[pr.gender]);
  *p++ = ',';
  if (pr.education >= 0) p = PutStr(p, kEducation[pr.education]);
  p = PutStr(PutChar(p, ','), country.code);
  p = PutCsvField(PutChar(p, ','), city.region);
  p = PutCsvField(PutChar(p, ','), city.name);
  p = PutStr(PutChar(p, ','), city.zone);
  p = PutStr(PutChar(p, ','), country.language_code);
  *p++ = ',';
  const std::int64_t signup = ToUnix(zone, core.t_signup);
  p = PutTimestamp(p, signup, zone.OffsetMinutesAt(signup));
  for (int c : pr.consent) {
    *p++ = ',';
    if (c >= 0) p = PutStr(p, kYesNo[c]);
  }
  *p++ = ',';
  if (pr.preferred >= 0) p = PutStr(p, kChannels[pr.preferred]);
  *p++ = ',';
  if (referral) p = PutCustomerId(p, referral->referrer);
  out.Commit(PutChar(p, '\n'));
}

void Generator::WriteOrders(const ZoneOffsets& zone, Chunk& chunk) {
  SortByTime(orders_, order_);
  const Currency& currency = model_.currency();
  const bool with_items = model_.options().with_items;
  std::int64_t k = 0;
  for (std::uint32_t index : order_) {
    const Order& order = orders_[index];
    char* p = chunk.orders.Reserve(with_items ? 1024 : 256);
    *p++ = 'o';
    p = PutShort(p, number_);
    *p++ = '-';
    p = PutInt(p, ++k);
    p = PutShort(PutStr(p, ",c"), number_);
    *p++ = ',';
    p = PutTimestamp(p, order.when, zone.OffsetMinutesAt(order.when));
    p = PutStr(PutChar(p, ','), FormatMinorUnits(order.amount, currency));
    p = PutStr(PutChar(p, ','), currency.code());
    const auto status = static_cast<std::size_t>(order.status);
    p = PutStr(PutChar(p, ','), OrderStatusName(order.status));
    ++chunk.orders_by_status[status];
    if (with_items) {
      // A JSON array inside a quoted CSV field: every JSON quote is doubled.
      p = PutStr(p, ",\"[");
      for (int i = 0; i < order.item_count; ++i) {
        const Item& item = order.items[i];
        if (i > 0) *p++ = ',';
        p = PutStr(p, "{\"\"sku\"\":\"\"SKU-");
        p = Put4(p, item.sku);
        p = PutStr(p, "\"\",\"\"quantity\"\":");
        p = PutInt(p, item.quantity);
        p = PutStr(p, ",\"\"price\"\":\"\"");
        p = PutStr(p, FormatMinorUnits(item.price, currency));
        p = PutStr(p, "\"\"}");
      }
      p = PutStr(p, "]\"");
    }
    chunk.orders.Commit(PutChar(p, '\n'));
  }
}

void Generator::WriteEvents(const ZoneOffsets& zone, Chunk& chunk) {
  SortByTime(events_, order_);
  const Currency& currency = model_.currency();
  std::int64_t k = 0;
  for (std::uint32_t index : order_) {
    const Event& e = events_[index];
    char* p = chunk.events.Reserve(256 + e.ref_text.size() + 2 * e.text.size());
    *p++ = 'e';
    p = PutShort(p, number_);
    *p++ = '-';
    p = PutInt(p, ++k);
    p = PutShort(PutStr(p, ",c"), number_);
    const auto type = static_cast<std::size_t>(e.type);
    p = PutStr(PutChar(p, ','), EventTypeName(e.type));
    ++chunk.events_by_type[type];
    *p++ = ',';
    p = PutTimestamp(p, e.when, zone.OffsetMinutesAt(e.when));
    p = PutStr(PutChar(p, ','), e.channel);
    p = PutStr(PutChar(p, ','), e.reason);
    *p++ = ',';
    if (e.score > 0) p = PutInt(p, e.score);
    *p++ = ',';
    if (e.value >= 0) {
      p = PutStr(p, FormatMinorUnits(e.value, currency));
      p = PutStr(PutChar(p, ','), currency.code());
    } else {
      *p++ = ',';
    }
    *p++ = ',';
    switch (e.ref_kind) {
      case RefKind::kNone:
        break;
      case RefKind::kTicket:
        *p++ = 't';
        p = PutShort(p, number_);
        *p++ = '-';
        p = PutInt(p, e.ref_number);
        break;
      case RefKind::kCampaign:
        p = PutStr(p, "nl-");
        p = Put4(p, static_cast<int>(e.ref_number / 100));
        *p++ = '-';
        p = Put2(p, static_cast<int>(e.ref_number % 100));
        break;
      case RefKind::kCustomer:
        p = PutCustomerId(p, e.ref_number);
        break;
      case RefKind::kText:
        p = PutStr(p, e.ref_text);
        break;
    }
    p = PutCsvField(PutChar(p, ','), e.text);
    chunk.events.Commit(PutChar(p, '\n'));
  }
}

}  // namespace winback::sim::internal
