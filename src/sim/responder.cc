#include "sim/responder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "core/money.h"
#include "sim/internal/generator.h"
#include "sim/internal/random.h"
#include "sim/internal/text.h"

namespace winback::sim {

namespace in = internal;

const char* ResponseSegmentName(ResponseSegment segment) {
  switch (segment) {
    case ResponseSegment::kActive:
      return "active";
    case ResponseSegment::kLapsed:
      return "lapsed";
    case ResponseSegment::kNeverBought:
      return "never_bought";
  }
  return "?";
}

std::vector<ResponseEffect> DefaultResponseEffects() {
  using S = ResponseSegment;
  return {
      // Active customers (still buying, slowly): a reminder helps a little, an offer more.
      {S::kActive, "no_offer/plain", 0.02},
      {S::kActive, "no_offer/emoji", 0.03},
      {S::kActive, "no_offer", 0.02},
      {S::kActive, "welcome_back_10", 0.04},
      {S::kActive, "welcome_back_15", 0.05},
      {S::kActive, "price_10", 0.06},
      {S::kActive, "price_20", 0.08},
      {S::kActive, "service_credit", 0.04},
      {S::kActive, "service_credit_big", 0.05},
      {S::kActive, "newest_arrivals", 0.02},
      {S::kActive, "feature_notify", 0.0},
      // Lapsed customers (dropped out): a plain hello does nothing, the emoji one annoys, a
      // discount brings some back, a feature promise annoys.
      {S::kLapsed, "no_offer/plain", 0.0},
      {S::kLapsed, "no_offer/emoji", -0.02},
      {S::kLapsed, "no_offer", 0.0},
      {S::kLapsed, "welcome_back_10", 0.03},
      {S::kLapsed, "welcome_back_15", 0.04},
      {S::kLapsed, "price_10", 0.05},
      {S::kLapsed, "price_20", 0.07},
      {S::kLapsed, "service_credit", 0.03},
      {S::kLapsed, "service_credit_big", 0.04},
      {S::kLapsed, "newest_arrivals", 0.0},
      {S::kLapsed, "feature_notify", -0.03},
      // Never-bought customers: nothing (every offer not listed has effect 0).
  };
}

namespace {

constexpr double kDay = 86'400.0;
constexpr double kMinDelaySeconds = 3'600.0;

std::string EffectKey(const CampaignContact& c) {
  if (!c.offer.empty()) return c.offer;
  return c.variant.empty() ? std::string("no_offer") : "no_offer/" + c.variant;
}

double EffectOf(const std::vector<ResponseEffect>& effects, ResponseSegment segment,
                const std::string& key) {
  for (const ResponseEffect& e : effects) {
    if (e.segment == segment && e.offer == key) return e.effect;
  }
  return 0.0;
}

double Seconds(Instant t) { return static_cast<double>(t.unix_micros()) / 1e6; }

// The number n of id "c<n>", or 0.
std::int64_t CustomerNumber(const std::string& id, std::int64_t customers) {
  if (id.size() < 2 || id[0] != 'c') return 0;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
  if (ec != std::errc() || end != id.data() + id.size() || n < 1 || n > customers) return 0;
  return n;
}

// One customer's latent state and its baseline probabilities.
struct Baseline {
  const in::Model* model = nullptr;
  const in::Generator* generator = nullptr;
  const in::ZoneOffsets* zone = nullptr;
  in::Generator::Core core;
  in::Generator::PurchasePath path;
  double history_end = 0;       // unix seconds: the end of the window in the customer's zone
  std::vector<double> history;  // unix seconds of the completed orders in the window

  bool alive() const { return core.buyer && !path.died && path.lambda > 0; }
  // Operational time of an instant after the window.
  double TauAt(double unix_seconds) const {
    return model->season().Tau(generator->TimeOf(*zone, unix_seconds));
  }
  // B(s, x): the probability of a completed order of the baseline process in [s, x), x <= the
  // end of the window. History orders are realized (probability 0 or 1). After the window
  // (from history_end = h), a customer alive at h orders at rate lambda in operational time
  // tau and drops out after each order with probability p, so with a = max(s, h):
  //   P(still alive at a) = exp(-p lambda (tau(a) - tau(h)))
  //   P(an order in [a, x) | alive at a) = 1 - exp(-lambda (tau(x) - tau(a))).
  double P(double s, double x) const {
    const double history_to = std::min(x, history_end);
    for (double h : history) {
      if (h >= s && h < history_to) return 1.0;
    }
    if (!alive()) return 0.0;
    const double a = std::max(s, history_end);
    if (!(x > a)) return 0.0;
    const double tau_h = model->tau_end();
    const double tau_a = TauAt(a);
    const double tau_x = TauAt(x);
    const double lambda = path.lambda;
    return std::exp(-path.p * lambda * (tau_a - tau_h)) *
           (1.0 - std::exp(-lambda * (tau_x - tau_a)));
  }
};

struct Row {
  double when;
  std::string text;
};

Status WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  const std::string temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.close();
    if (!out) return UnavailableError(temp + ": cannot write");
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return UnavailableError(path.string() + ": cannot rename: " + ec.message());
  return Status::Ok();
}

std::string Fixed(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9f", v);
  return buf;
}

}  // namespace

Result<ResponseStats> Respond(const SimOptions& options, const ResponseOptions& response,
                              const std::vector<CampaignContact>& contacts,
                              const std::string& dir) {
  if (response.attribution_days < 1) {
    return InvalidArgumentError("responses: attribution_days must be at least 1");
  }
  for (const ResponseEffect& e : response.effects) {
    if (!(e.effect >= -1.0 && e.effect <= 1.0)) {
      return InvalidArgumentError("responses: effect of " + e.offer + " for " +
                                  ResponseSegmentName(e.segment) + " must be in [-1, 1]");
    }
  }
  WINBACK_ASSIGN_OR_RETURN(in::Model model, in::Model::Create(options));
  in::Generator generator(model);
  const double horizon = Seconds(response.horizon);
  const double window_end_utc =
      static_cast<double>(options.end.PlusDays(1).StartUtc().unix_seconds());
  if (!(horizon > window_end_utc + kDay)) {
    return InvalidArgumentError("responses: the horizon " + FormatTimestamp(response.horizon) +
                                " must be more than a day after the end of the window " +
                                options.end.ToString());
  }

  // The first entry's messages of each targeted customer, by customer number.
  std::unordered_map<std::int64_t, std::vector<const CampaignContact*>> entries;
  for (const CampaignContact& c : contacts) {
    const std::int64_t n = CustomerNumber(c.customer_id, options.customers);
    if (n == 0) {
      return InvalidArgumentError("responses: message " + c.key + ": customer '" + c.customer_id +
                                  "' is not one of the simulated c1..c" +
                                  std::to_string(options.customers));
    }
    std::vector<const CampaignContact*>& list = entries[n];
    if (!list.empty() && c.occurrence > list.front()->occurrence) continue;
    if (!list.empty() && c.occurrence < list.front()->occurrence) list.clear();
    list.push_back(&c);
  }

  const Currency& currency = model.currency();
  const double d = model.window_days();
  const double attribution = static_cast<double>(response.attribution_days) * kDay;
  ResponseStats stats;
  std::string orders_csv = "id,customer_id,time,amount,currency,status,coupon\n";
  std::string events_csv(in::kEventsHeader);
  std::string truth_csv = "id,arm,segment,start,p0,p1,difference,delivered,responded,annoyed\n";
  double lift_sum = 0;
  double p0_sum = 0;
  std::vector<Row> orders;
  std::vector<Row> events;
  Baseline b;
  b.model = &model;
  b.generator = &generator;

  for (std::int64_t n = 1; n <= options.customers; ++n) {
    const std::string id = "c" + std::to_string(n);
    b.core = generator.CoreOf(n);
    generator.PurchasesOf(n, b.core, b.path);
    b.zone = &model.zone_of_city(b.core.city);
    b.history_end = static_cast<double>(generator.ToUnix(*b.zone, d));
    b.history.clear();
    for (double t : b.path.times)
      b.history.push_back(static_cast<double>(generator.ToUnix(*b.zone, t)));
    const double nu = generator.SpendRateOf(n);
    const ResponseSegment segment = !b.core.buyer ? ResponseSegment::kNeverBought
                                    : b.path.died ? ResponseSegment::kLapsed
                                                  : ResponseSegment::kActive;

    // The baseline: the BG/NBD process continued from the end of the window, the same for
    // every customer, treated, held out or not targeted.
    std::vector<std::pair<double, std::int64_t>> continued;  // (unix, amount)
    {
      const std::uint64_t key =
          in::StreamKey(options.seed, static_cast<std::uint64_t>(n), in::Stream::kContinuation) ^
          Mix64(response.replicate);
      in::Rng rng(key);
      if (b.alive()) {
        double tau = model.tau_end();
        double t = d;
        const double tau_horizon = b.TauAt(horizon);
        while (continued.size() < 10'000) {
          tau += rng.Exponential() / b.path.lambda;
          if (!(tau < tau_horizon)) break;
          t = model.season().Inverse(tau, t);
          const double when = static_cast<double>(generator.ToUnix(*b.zone, t));
          if (!(when < horizon)) break;
          continued.emplace_back(when, generator.DrawAmount(rng, nu));
          if (rng.Uniform() < b.path.p) break;
        }
      }
    }

    double cut = horizon;  // an annoyed customer's continued orders end here
    orders.clear();
    events.clear();
    const auto found = entries.find(n);
    if (found != entries.end()) {
      std::vector<const CampaignContact*>& entry = found->second;
      std::sort(entry.begin(), entry.end(), [](const CampaignContact* x, const CampaignContact* y) {
        return x->time != y->time ? x->time < y->time : x->key < y->key;
      });
      bool held = true;
      for (const CampaignContact* c : entry) held = held && c->held_out;
      const double s = Seconds(entry.front()->time);
      const double e = s + attribution;
      const double p0 = b.P(s, e);
      in::Rng rng(
          in::StreamKey(options.seed, static_cast<std::uint64_t>(n), in::Stream::kResponse) ^
          Mix64(response.replicate + 0x9E3779B97F4A7C15ULL));
      // The exact probability of an order in [s, e) with the campaign: the customer meets the
      // delivered messages in time order while "neutral"; message m with effect u > 0 makes it
      // order (an order in the window for sure), with u < 0 makes it drop out at t_m (then only
      // baseline orders before t_m count: B(s, max(t_m, h))); afterwards it is no longer
      // neutral. Neutral to the end, the baseline P0 = B(s, e) applies.
      double neutral = 1.0;
      double p1 = 0.0;
      bool any_delivered = false;
      bool responded = false;
      bool annoyed = false;
      std::int64_t k_event = 0;
      for (const CampaignContact* c : entry) {
        // Every message draws the same six numbers, used or not, so one message's fate never
        // shifts another's.
        const double u_bounce = rng.Uniform();
        const double u_response = rng.Uniform();
        const double u_delay = rng.Uniform();
        const double u_open = rng.Uniform();
        const double u_open_delay = rng.Uniform();
        const double u_click = rng.Uniform();
        const double t = Seconds(c->time);
        const bool bounced = c->channel == ChannelKind::kEmail && u_bounce < response.bounce;
        // A held-out message would have been delivered unless it bounced.
        const bool delivered = (held || c->sent) && !bounced;
        const double u = delivered && t + kResponseMaxDelayDays * kDay <= e
                             ? EffectOf(response.effects, segment, EffectKey(*c))
                             : 0.0;
        if (u > 0) {
          p1 += neutral * u;
          neutral *= 1.0 - u;
        } else if (u < 0) {
          p1 += neutral * (-u) * b.P(s, std::min(std::max(t, b.history_end), e));
          neutral *= 1.0 + u;
        }
        if (held) continue;
        auto event = [&](double when, EventType type, bool with_channel) {
          if (!(when < horizon)) return;
          std::string row = "re" + std::to_string(n) + "-" + std::to_string(++k_event) + "," + id +
                            "," + std::string(EventTypeName(type)) + ",";
          const auto w = static_cast<std::int64_t>(std::floor(when));
          in::AppendTimestamp(row, w, b.zone->OffsetMinutesAt(w));
          row += ",";
          if (with_channel) row += std::string(ChannelKindName(c->channel));
          row += ",,,,,";
          in::AppendCsvField(row, c->key);
          row += ",\n";
          events.push_back({when, std::move(row)});
        };
        if (c->sent && bounced) event(t + 60, EventType::kBounce, true);
        if (!delivered) continue;
        any_delivered = true;
        // Engagement, whatever the effect.
        const double open_at = t + 600 + u_open_delay * 2 * kDay;
        const double p_open = segment == ResponseSegment::kActive   ? response.open_active
                              : segment == ResponseSegment::kLapsed ? response.open_lapsed
                                                                    : response.open_never_bought;
        bool engaged = false;
        switch (c->channel) {
          case ChannelKind::kEmail:
            if (u_open < p_open) {
              engaged = true;
              event(open_at, EventType::kEmailOpen, false);
              if (u_click < response.click_given_open)
                event(open_at + 120, EventType::kEmailClick, false);
            }
            break;
          case ChannelKind::kSms:
            if (u_open < response.sms_click) {
              engaged = true;
              event(open_at, EventType::kSmsClick, false);
            }
            break;
          case ChannelKind::kWhatsapp:
            if (u_open < response.whatsapp_read) {
              engaged = true;
              event(open_at, EventType::kWhatsappRead, false);
            }
            break;
        }
        if (responded || annoyed || u == 0.0) continue;
        if (u_response >= std::abs(u)) continue;
        if (u > 0) {
          responded = true;
          const double at =
              t + kMinDelaySeconds + u_delay * (kResponseMaxDelayDays * kDay - kMinDelaySeconds);
          if (!engaged) {
            event(at - 900,
                  c->channel == ChannelKind::kEmail ? EventType::kEmailClick
                  : c->channel == ChannelKind::kSms ? EventType::kSmsClick
                                                    : EventType::kWhatsappRead,
                  false);
          }
          if (at < horizon) {
            std::string row = "rw" + std::to_string(n) + "-1," + id + ",";
            const auto w = static_cast<std::int64_t>(std::floor(at));
            in::AppendTimestamp(row, w, b.zone->OffsetMinutesAt(w));
            in::Rng amount_rng(Mix64(rng.Next()));
            row += "," + FormatMinorUnits(generator.DrawAmount(amount_rng, nu), currency) + "," +
                   std::string(currency.code()) + ",completed," + c->coupon + "\n";
            orders.push_back({at, std::move(row)});
          }
        } else {
          annoyed = true;
          cut = t;
          event(t + 1800, EventType::kUnsubscribe, true);
        }
      }
      p1 += neutral * p0;
      const double difference = p1 - p0;
      ++stats.targeted;
      (held ? stats.held_out : stats.treated) += 1;
      stats.delivered += !held && any_delivered;
      stats.responded += responded;
      stats.annoyed += annoyed;
      const auto seg = static_cast<std::size_t>(segment);
      ++stats.by_segment[seg];
      stats.lift_by_segment[seg] += difference;
      lift_sum += difference;
      p0_sum += p0;
      truth_csv += id + (held ? ",holdout," : ",treated,") + ResponseSegmentName(segment) + "," +
                   FormatTimestamp(entry.front()->time) + "," + Fixed(p0) + "," + Fixed(p1) + "," +
                   Fixed(difference) + "," + (any_delivered ? "1" : "0") + "," +
                   (responded ? "1" : "0") + "," + (annoyed ? "1" : "0") + "\n";
    }
    std::int64_t k_order = 0;
    for (const auto& [when, amount] : continued) {
      if (!(when < cut)) break;
      std::string row = "r" + std::to_string(n) + "-" + std::to_string(++k_order) + "," + id + ",";
      const auto w = static_cast<std::int64_t>(std::floor(when));
      in::AppendTimestamp(row, w, b.zone->OffsetMinutesAt(w));
      row += "," + FormatMinorUnits(amount, currency) + "," + std::string(currency.code()) +
             ",completed,\n";
      orders.push_back({when, std::move(row)});
    }
    auto by_time = [](const Row& x, const Row& y) { return x.when < y.when; };
    std::stable_sort(orders.begin(), orders.end(), by_time);
    std::stable_sort(events.begin(), events.end(), by_time);
    for (const Row& r : orders) orders_csv += r.text;
    for (const Row& r : events) events_csv += r.text;
    stats.orders += static_cast<std::int64_t>(orders.size());
    stats.events += static_cast<std::int64_t>(events.size());
  }
  if (stats.targeted > 0) {
    stats.true_conversion_lift = lift_sum / static_cast<double>(stats.targeted);
    stats.mean_p0 = p0_sum / static_cast<double>(stats.targeted);
  }
  for (int s = 0; s < kResponseSegmentCount; ++s) {
    if (stats.by_segment[s] > 0)
      stats.lift_by_segment[s] /= static_cast<double>(stats.by_segment[s]);
  }

  const std::filesystem::path folder(dir);
  WINBACK_RETURN_IF_ERROR(WriteFile(folder / "response_orders.csv", orders_csv));
  WINBACK_RETURN_IF_ERROR(WriteFile(folder / "response_events.csv", events_csv));
  WINBACK_RETURN_IF_ERROR(WriteFile(folder / "response_truth.csv", truth_csv));

  // truth.json gains the responses' parameters and the campaign's truth.
  const std::filesystem::path truth_path = folder / "truth.json";
  nlohmann::ordered_json truth = nlohmann::ordered_json::object();
  {
    std::ifstream in_file(truth_path);
    if (in_file) {
      std::stringstream text;
      text << in_file.rdbuf();
      truth = nlohmann::ordered_json::parse(text.str(), nullptr, false);
      if (truth.is_discarded() || !truth.is_object()) {
        return UnavailableError(truth_path.string() + ": not a JSON object");
      }
    }
  }
  nlohmann::ordered_json effects = nlohmann::ordered_json::array();
  for (const ResponseEffect& e : response.effects) {
    effects.push_back(
        {{"segment", ResponseSegmentName(e.segment)}, {"offer", e.offer}, {"effect", e.effect}});
  }
  truth["responses"] = {
      {"meaning",
       "after the window, every customer's BG/NBD process goes on (same lambda, p, spend); each "
       "delivered message of a campaign's first entry, in time order, with effect u > 0 makes a "
       "still-neutral customer order within 1 h..3 days with probability u (with the message's "
       "coupon), with u < 0 makes it unsubscribe and drop out with probability -u; a message "
       "less than 3 days before the end of the attribution window has no effect"},
      {"segments",
       {{"active", "a buyer who had not dropped out at the end of the window"},
        {"lapsed", "a buyer who had dropped out"},
        {"never_bought", "never ordered"}}},
      {"offer_key", "the offer's name; without an offer no_offer/VARIANT (or no_offer)"},
      {"effects", effects},
      {"effect_otherwise", 0.0},
      {"max_delay_days", kResponseMaxDelayDays},
      {"open_active", response.open_active},
      {"open_lapsed", response.open_lapsed},
      {"open_never_bought", response.open_never_bought},
      {"click_given_open", response.click_given_open},
      {"sms_click", response.sms_click},
      {"whatsapp_read", response.whatsapp_read},
      {"bounce", response.bounce},
      {"replicate", response.replicate},
      {"horizon", FormatTimestamp(response.horizon)},
  };
  nlohmann::ordered_json by_segment = nlohmann::ordered_json::object();
  for (int s = 0; s < kResponseSegmentCount; ++s) {
    by_segment[ResponseSegmentName(static_cast<ResponseSegment>(s))] = {
        {"customers", stats.by_segment[s]}, {"true_conversion_lift", stats.lift_by_segment[s]}};
  }
  if (!truth.contains("campaigns") || !truth["campaigns"].is_object()) {
    truth["campaigns"] = nlohmann::ordered_json::object();
  }
  truth["campaigns"][response.campaign] = {
      {"true_conversion_lift", stats.true_conversion_lift},
      {"meaning",
       "mean over the targeted customers (treated and held out, first entry) of P(a completed "
       "order in [start, start + attribution_days) | campaign) - P(same | no campaign), each "
       "exact from the customer's latent state; see response_truth.csv"},
      {"attribution_days", response.attribution_days},
      {"mean_p0", stats.mean_p0},
      {"targeted", stats.targeted},
      {"treated", stats.treated},
      {"held_out", stats.held_out},
      {"delivered", stats.delivered},
      {"responded", stats.responded},
      {"annoyed", stats.annoyed},
      {"by_segment", by_segment},
  };
  std::string text = truth.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  text.push_back('\n');
  WINBACK_RETURN_IF_ERROR(WriteFile(truth_path, text));
  return stats;
}

}  // namespace winback::sim
