#include "cli/analytics_config.h"

#include <toml++/toml.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

#include "core/money.h"

namespace winback::cli {
namespace {

using analytics::ActivitySignal;

// Builds "file:line: key" prefixes and type-checked readers for one file.
class Reader {
 public:
  explicit Reader(std::string path) : file_(std::filesystem::path(path).filename().string()) {}

  Status Error(const toml::node& node, const std::string& key, const std::string& what) const {
    return InvalidArgumentError(file_ + ":" + std::to_string(node.source().begin.line) + ": " +
                                key + ": " + what);
  }

  // For validator messages that already name their key.
  Status ErrorAt(const toml::node& node, const std::string& message) const {
    return InvalidArgumentError(file_ + ":" + std::to_string(node.source().begin.line) + ": " +
                                message);
  }

  Result<std::int32_t> Int(const toml::node& node, const std::string& key, std::int64_t min,
                           std::int64_t max = std::numeric_limits<std::int32_t>::max()) const {
    const auto* v = node.as_integer();
    if (!v || v->get() < min || v->get() > max) {
      return Error(node, key,
                   "expected an integer in " + std::to_string(min) + ".." + std::to_string(max));
    }
    return static_cast<std::int32_t>(v->get());
  }

  Result<double> Number(const toml::node& node, const std::string& key, double min,
                        double max) const {
    double x;
    if (const auto* i = node.as_integer()) {
      x = static_cast<double>(i->get());
    } else if (const auto* f = node.as_floating_point()) {
      x = f->get();
    } else {
      return Error(node, key, "expected a number");
    }
    if (!std::isfinite(x) || x < min || x > max) {
      return Error(node, key, "expected a number in [" + Fmt(min) + ", " + Fmt(max) + "]");
    }
    return x;
  }

  Result<bool> Bool(const toml::node& node, const std::string& key) const {
    const auto* b = node.as_boolean();
    if (!b) return Error(node, key, "expected true or false");
    return b->get();
  }

  Result<std::string> String(const toml::node& node, const std::string& key) const {
    const auto* s = node.as_string();
    if (!s) return Error(node, key, "expected a string");
    return s->get();
  }

  Result<const toml::table*> Table(const toml::node& node, const std::string& key) const {
    const auto* t = node.as_table();
    if (!t) return Error(node, key, "expected a table");
    return t;
  }

  Result<analytics::ScoreRange> Range(const toml::node& node, const std::string& key) const {
    const auto* a = node.as_array();
    if (a && a->size() == 2) {
      const auto* lo = (*a)[0].as_integer();
      const auto* hi = (*a)[1].as_integer();
      if (lo && hi && lo->get() >= 1 && hi->get() <= 5 && lo->get() <= hi->get()) {
        return analytics::ScoreRange{static_cast<int>(lo->get()), static_cast<int>(hi->get())};
      }
    }
    if (const auto* i = node.as_integer(); i && i->get() >= 1 && i->get() <= 5) {
      return analytics::ScoreRange{static_cast<int>(i->get()), static_cast<int>(i->get())};
    }
    return Error(node, key, "expected a score 1..5 or a range [lo, hi] with 1 <= lo <= hi <= 5");
  }

 private:
  static std::string Fmt(double x) {
    std::string s = std::to_string(x);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  std::string file_;
};

Status ParseInactivity(const Reader& rd, const toml::table& t, AnalyticsConfig& c) {
  for (auto&& [k, node] : t) {
    const std::string key = "inactivity." + std::string(k.str());
    if (k.str() == "combine") {
      WINBACK_ASSIGN_OR_RETURN(std::string v, rd.String(node, key));
      if (v == "all") {
        c.scoring.inactivity.combine = analytics::RuleCombination::kAll;
      } else if (v == "any") {
        c.scoring.inactivity.combine = analytics::RuleCombination::kAny;
      } else {
        return rd.Error(node, key, "expected \"all\" or \"any\", got \"" + v + "\"");
      }
    } else if (k.str() == "rule") {
      const auto* rules = node.as_array();
      if (!rules) return rd.Error(node, key, "expected [[inactivity.rule]] tables");
      c.scoring.inactivity.rules.clear();
      for (std::size_t i = 0; i < rules->size(); ++i) {
        const std::string rkey = key + "[" + std::to_string(i + 1) + "]";
        WINBACK_ASSIGN_OR_RETURN(const toml::table* rt, rd.Table((*rules)[i], rkey));
        analytics::InactivityRule rule;
        bool has_signal = false, has_days = false;
        for (auto&& [rk, rnode] : *rt) {
          const std::string fkey = rkey + "." + std::string(rk.str());
          if (rk.str() == "name") {
            WINBACK_ASSIGN_OR_RETURN(rule.name, rd.String(rnode, fkey));
          } else if (rk.str() == "signal") {
            WINBACK_ASSIGN_OR_RETURN(std::string s, rd.String(rnode, fkey));
            std::optional<ActivitySignal> sig = analytics::ParseActivitySignal(s);
            if (!sig) {
              return rd.Error(rnode, fkey,
                              "unknown signal \"" + s +
                                  "\" (order, email, sms, whatsapp, engagement, chat, visit, any)");
            }
            rule.signal = *sig;
            has_signal = true;
          } else if (rk.str() == "days") {
            WINBACK_ASSIGN_OR_RETURN(rule.days, rd.Int(rnode, fkey, 1, 36'500));
            has_days = true;
          } else {
            return rd.Error(rnode, fkey, "unknown key");
          }
        }
        if (!has_signal || !has_days) {
          return rd.Error((*rules)[i], rkey, "needs signal and days");
        }
        if (rule.name.empty()) {
          rule.name = "no_" + std::string(analytics::ActivitySignalName(rule.signal)) + "_" +
                      std::to_string(rule.days) + "d";
        }
        c.scoring.inactivity.rules.push_back(std::move(rule));
      }
    } else {
      return rd.Error(node, key, "unknown key");
    }
  }
  Status s = analytics::ValidateInactivityConfig(c.scoring.inactivity);
  if (!s.ok()) return rd.ErrorAt(t, s.message());
  return Status::Ok();
}

Status ParseRfm(const Reader& rd, const toml::table& t, AnalyticsConfig& c) {
  for (auto&& [k, node] : t) {
    const std::string key = "rfm." + std::string(k.str());
    if (k.str() == "monetary") {
      WINBACK_ASSIGN_OR_RETURN(std::string v, rd.String(node, key));
      if (v == "mean") {
        c.scoring.monetary = analytics::MonetaryBasis::kMean;
      } else if (v == "total") {
        c.scoring.monetary = analytics::MonetaryBasis::kTotal;
      } else {
        return rd.Error(node, key, "expected \"mean\" or \"total\", got \"" + v + "\"");
      }
    } else if (k.str() == "segment") {
      const auto* segs = node.as_array();
      if (!segs) return rd.Error(node, key, "expected [[rfm.segment]] tables");
      std::vector<analytics::SegmentRule> rules;
      for (std::size_t i = 0; i < segs->size(); ++i) {
        const std::string skey = key + "[" + std::to_string(i + 1) + "]";
        WINBACK_ASSIGN_OR_RETURN(const toml::table* st, rd.Table((*segs)[i], skey));
        analytics::SegmentRule rule;
        bool has_group = false;
        for (auto&& [sk, snode] : *st) {
          const std::string fkey = skey + "." + std::string(sk.str());
          if (sk.str() == "name") {
            WINBACK_ASSIGN_OR_RETURN(rule.name, rd.String(snode, fkey));
          } else if (sk.str() == "r") {
            WINBACK_ASSIGN_OR_RETURN(rule.r, rd.Range(snode, fkey));
          } else if (sk.str() == "f") {
            WINBACK_ASSIGN_OR_RETURN(rule.f, rd.Range(snode, fkey));
          } else if (sk.str() == "m") {
            WINBACK_ASSIGN_OR_RETURN(rule.m, rd.Range(snode, fkey));
          } else if (sk.str() == "group") {
            WINBACK_ASSIGN_OR_RETURN(std::string g, rd.String(snode, fkey));
            std::optional<analytics::Group> group = analytics::ParseGroup(g);
            if (!group) {
              return rd.Error(snode, fkey,
                              "unknown group \"" + g +
                                  "\" (loyal, potentially_loyal, loyal_at_risk, "
                                  "high_value_lost, lost)");
            }
            rule.group = *group;
            has_group = true;
          } else {
            return rd.Error(snode, fkey, "unknown key");
          }
        }
        if (rule.name.empty() || !has_group) {
          return rd.Error((*segs)[i], skey, "needs name and group");
        }
        rules.push_back(std::move(rule));
      }
      Result<analytics::SegmentMap> map = analytics::SegmentMap::Create(std::move(rules));
      if (!map.ok()) return rd.ErrorAt(node, map.status().message());
      c.scoring.segments = std::move(map).value();
    } else {
      return rd.Error(node, key, "unknown key");
    }
  }
  return Status::Ok();
}

Status ParseLifecycle(const Reader& rd, const toml::table& t, AnalyticsConfig& c) {
  analytics::LifecycleConfig& l = c.scoring.lifecycle;
  const std::map<std::string, std::int32_t*, std::less<>> fields = {
      {"new_days", &l.new_days},
      {"at_risk_days", &l.at_risk_days},
      {"inactive_days", &l.inactive_days},
      {"lost_days", &l.lost_days},
      {"reactivation_gap_days", &l.reactivation_gap_days},
      {"reactivated_days", &l.reactivated_days}};
  for (auto&& [k, node] : t) {
    const std::string key = "lifecycle." + std::string(k.str());
    auto it = fields.find(k.str());
    if (it == fields.end()) return rd.Error(node, key, "unknown key");
    WINBACK_ASSIGN_OR_RETURN(*it->second, rd.Int(node, key, 1, 36'500));
  }
  Status s = analytics::ValidateLifecycleConfig(l);
  if (!s.ok()) return rd.ErrorAt(t, s.message());
  return Status::Ok();
}

Status ParseReadiness(const Reader& rd, const toml::table& t, AnalyticsConfig& c) {
  analytics::ReadinessConfig& r = c.scoring.readiness;
  const std::map<std::string, double*, std::less<>> fields = {
      {"referred_others", &r.referred_others},
      {"never_complained", &r.never_complained},
      {"issues_resolved", &r.issues_resolved},
      {"left_over_price", &r.left_over_price}};
  for (auto&& [k, node] : t) {
    const std::string key = "readiness." + std::string(k.str());
    auto it = fields.find(k.str());
    if (it == fields.end()) return rd.Error(node, key, "unknown key");
    WINBACK_ASSIGN_OR_RETURN(*it->second, rd.Number(node, key, 0, 1e6));
  }
  Status s = analytics::ValidateReadinessConfig(r);
  if (!s.ok()) return rd.ErrorAt(t, s.message());
  return Status::Ok();
}

Status ParseLetGo(const Reader& rd, const toml::table& t, AnalyticsConfig& c) {
  analytics::LetGoConfig& g = c.scoring.let_go;
  for (auto&& [k, node] : t) {
    const std::string key = "let_go." + std::string(k.str());
    if (k.str() == "payment_defaults") {
      WINBACK_ASSIGN_OR_RETURN(g.payment_defaults, rd.Int(node, key, 0, 1'000'000));
    } else if (k.str() == "unresolved_complaints") {
      WINBACK_ASSIGN_OR_RETURN(g.unresolved_complaints, rd.Int(node, key, 0, 1'000'000));
    } else if (k.str() == "max_refund_share") {
      WINBACK_ASSIGN_OR_RETURN(g.max_refund_share, rd.Number(node, key, 0, 1));
    } else if (k.str() == "unsubscribed_everywhere") {
      WINBACK_ASSIGN_OR_RETURN(g.unsubscribed_everywhere, rd.Bool(node, key));
    } else {
      return rd.Error(node, key, "unknown key");
    }
  }
  return Status::Ok();
}

Status ParseRates(const Reader& rd, const toml::table& t, AnalyticsConfig& c) {
  for (auto&& [k, node] : t) {
    const std::string key = "rates." + std::string(k.str());
    if (k.str() == "activity_days") {
      WINBACK_ASSIGN_OR_RETURN(c.activity_days, rd.Int(node, key, 1, 36'500));
    } else if (k.str() == "currency") {
      WINBACK_ASSIGN_OR_RETURN(c.currency, rd.String(node, key));
      if (!c.currency.empty() && !Currency::FromCode(c.currency).ok()) {
        return rd.Error(node, key, "'" + c.currency + "' is not an ISO 4217 currency code");
      }
    } else {
      return rd.Error(node, key, "unknown key");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<AnalyticsConfig> LoadAnalyticsConfig(const GlobalOptions& globals) {
  AnalyticsConfig config;
  const std::string& path = globals.config_path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (globals.config_given) return NotFoundError("config file '" + path + "' does not exist");
    return config;
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return InvalidArgumentError(std::filesystem::path(path).filename().string() + ":" +
                                std::to_string(e.source().begin.line) + ": " +
                                std::string(e.description()));
  }
  const Reader rd(path);
  using Parser = Status (*)(const Reader&, const toml::table&, AnalyticsConfig&);
  const std::pair<const char*, Parser> sections[] = {
      {"inactivity", ParseInactivity}, {"rfm", ParseRfm},      {"lifecycle", ParseLifecycle},
      {"readiness", ParseReadiness},   {"let_go", ParseLetGo}, {"rates", ParseRates}};
  for (const auto& [name, parse] : sections) {
    const toml::node* node = root.get(name);
    if (!node) continue;
    WINBACK_ASSIGN_OR_RETURN(const toml::table* table, rd.Table(*node, name));
    WINBACK_RETURN_IF_ERROR(parse(rd, *table, config));
  }
  return config;
}

std::string ExampleAnalyticsConfig() {
  return R"toml(
# ---- Analytics: `winback score`, `rates`, `cohorts`, `segments`, `report` ----------------
# Every key below is optional; the values shown are the defaults.

[inactivity]
# A customer who has ordered is *inactive* when all (or any) of the rules match. A rule
# "no <signal> for <days> days" matches when the latest <signal> is at least <days> days
# before the score date, or never happened. Signals: order, email (open or click), sms,
# whatsapp, engagement (email, sms or whatsapp), chat (chat or call), visit, any.
# Writing any [[inactivity.rule]] replaces the three defaults.
combine = "all"   # "all" or "any"

[[inactivity.rule]]
name = "no_order_180d"
signal = "order"
days = 180

[[inactivity.rule]]
name = "no_email_90d"
signal = "email"
days = 90

[[inactivity.rule]]
name = "no_chat_90d"
signal = "chat"
days = 90

[rfm]
# R, F and M are quintile scores 1..5 over the customers who have ordered; equal values
# always share a score. M ranks the "mean" order value (article 004) or the "total" spent,
# among customers with the same main currency.
monetary = "mean"
# Segments: write [[rfm.segment]] tables to replace the default map (first match wins; every
# (R, F, M) cell must be covered; group is one of loyal, potentially_loyal, loyal_at_risk,
# high_value_lost, lost). The default map, for reference:
#   [[rfm.segment]]
#   name = "champions"
#   r = [4, 5]
#   f = [4, 5]
#   m = [4, 5]
#   group = "loyal"
#   ... loyal (R 3-5, F 4-5), potential_loyalist (R 4-5, F 2-3), new (R 5, F 1),
#   promising (R 4, F 1), need_attention (R 3, F 2-3), about_to_sleep (R 3, F 1),
#   cant_lose_them (R 1-2, F 4-5, M 4-5), at_risk (R 1-2, F 4-5), hibernating (R 2, F 1-3),
#   lost (R 1, F 1-3).

[lifecycle]
# recency = days since the last order. First match: lost, inactive (or the inactivity rules
# match), at_risk, new, reactivated, active; "prospect" has never ordered.
new_days = 90               # first order less than this many days ago
at_risk_days = 90           # recency >= this
inactive_days = 180         # recency >= this
lost_days = 365             # recency >= this
reactivation_gap_days = 180 # an order after a gap this long is a return ...
reactivated_days = 90       # ... and a return less than this many days ago is "reactivated"

[readiness]
# Win-back readiness (article 004): weights of the four criteria; score = met / total.
referred_others = 1.0
never_complained = 1.0
issues_resolved = 1.0
left_over_price = 1.0

[let_go]
# Customers not to target (0 switches a rule off).
payment_defaults = 1           # this many payment_default events
unresolved_complaints = 2      # complaints minus satisfied resolutions
max_refund_share = 0.5         # refunded / (completed + refunded), with at least 2 refunds
unsubscribed_everywhere = true # unsubscribed from email, sms and whatsapp

[rates]
activity_days = 180  # active = ordered within this many days
currency = ""        # revenue currency of reports; "" = the main currency of most customers
)toml";
}

Result<Date> ParseDateOption(std::string_view option, std::string_view text) {
  Result<Date> d = ParseDate(text);
  if (!d.ok()) {
    return InvalidArgumentError(std::string(option) + ": " + d.status().message());
  }
  return d;
}

}  // namespace winback::cli
