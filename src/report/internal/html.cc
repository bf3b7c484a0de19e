#include "report/internal/html.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "analytics/rfm.h"
#include "core/money.h"

namespace winback::report::internal {
namespace {

struct Rgb {
  int r, g, b;
};

Rgb Mix(Rgb a, Rgb b, double t) {
  auto lerp = [t](int x, int y) { return static_cast<int>(std::lround(x + (y - x) * t)); };
  return {lerp(a.r, b.r), lerp(a.g, b.g), lerp(a.b, b.b)};
}

// Article 004's colours: dark green, light green, yellow, orange, grey.
struct GroupStyle {
  std::string_view colour;
  bool light_text;
  std::string_view label;
};
constexpr GroupStyle kGroupStyles[analytics::kGroupCount] = {
    {"#1a7f4b", true, "Loyal"},          {"#9bd49b", false, "Potentially loyal"},
    {"#f6d55c", false, "Loyal at risk"}, {"#ef8a3c", false, "High-value lost"},
    {"#b8bec6", false, "Lost"},
};

std::optional<GroupStyle> StyleOf(std::string_view group) {
  const std::optional<analytics::Group> g = analytics::ParseGroup(group);
  if (!g) return std::nullopt;
  return kGroupStyles[static_cast<std::size_t>(*g)];
}

}  // namespace

std::string EscapeJsonForScript(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatCompactMoney(std::int64_t minor, std::string_view currency) {
  double units = static_cast<double>(minor);
  if (Result<Currency> c = Currency::FromCode(currency); c.ok()) {
    units /= std::pow(10.0, c->exponent());
  }
  const double a = std::fabs(units);
  if (a < 1e6) return FormatCount(static_cast<std::int64_t>(std::llround(units)));
  const double scaled = a < 1e9 ? units / 1e6 : a < 1e12 ? units / 1e9 : units / 1e12;
  const char* suffix = a < 1e9 ? "M" : a < 1e12 ? "B" : "T";
  const double s = std::fabs(scaled);
  const int decimals = s < 10 ? 2 : s < 100 ? 1 : 0;
  return fmt::format("{:.{}f}{}", scaled, decimals, suffix);
}

std::string FormatPercent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return "–";
  return fmt::format("{:.{}f}%", 100 * fraction, std::max(decimals, 0));
}

std::string HeatColour(double t) {
  t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0;
  // White through a light blue to a deep blue; two legs so mid values stay distinguishable.
  constexpr Rgb kLow{247, 251, 255}, kMid{107, 174, 214}, kHigh{8, 69, 148};
  const Rgb c = t < 0.5 ? Mix(kLow, kMid, t / 0.5) : Mix(kMid, kHigh, (t - 0.5) / 0.5);
  return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
}

bool HeatNeedsLightText(double t) { return std::isfinite(t) && t > 0.6; }

std::string GroupColour(std::string_view group) {
  const std::optional<GroupStyle> s = StyleOf(group);
  return std::string(s ? s->colour : "#b8bec6");
}

bool GroupNeedsLightText(std::string_view group) {
  const std::optional<GroupStyle> s = StyleOf(group);
  return s && s->light_text;
}

std::string GroupLabel(std::string_view group) {
  if (const std::optional<GroupStyle> s = StyleOf(group)) return std::string(s->label);
  std::string out(group);
  std::replace(out.begin(), out.end(), '_', ' ');
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

std::string SegmentLabel(std::string_view segment) {
  if (segment == "cant_lose_them") return "can't lose them";
  std::string out(segment);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

}  // namespace winback::report::internal
