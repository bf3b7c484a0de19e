#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace winback::report::internal {

// HTML escaping: EscapeHtml of core/html.h.

// Makes JSON text safe inside <script type="application/json">: every <, > and & becomes
// \u003c, \u003e, \u0026. In valid JSON these characters occur only inside strings, where the
// escapes mean the same characters, so JSON.parse gives the same value, and neither "</script"
// nor "<!--" can appear.
std::string EscapeJsonForScript(std::string_view json);

// Counts and money amounts in full: FormatCount and FormatMoney of core/money.h.

// Minor units in whole currency units, shortened for a headline: below a million with
// separators ("12,346"), then "1.51M", "2.3B" (three significant digits). An unknown or empty
// code counts the minor units as whole units.
std::string FormatCompactMoney(std::int64_t minor, std::string_view currency);

// A fraction as a percentage with `decimals` places: 0.1234 -> "12.3%".
std::string FormatPercent(double fraction, int decimals = 1);

// An RGB colour on a white-to-blue scale for t in [0, 1] (clamped), as "#rrggbb"; and whether
// text on it should be white for contrast.
std::string HeatColour(double t);
bool HeatNeedsLightText(double t);

// The colour of a group of article 004 (dark green, light green, yellow, orange, grey) by its
// name; grey for an unknown name. And whether its text should be white.
std::string GroupColour(std::string_view group);
bool GroupNeedsLightText(std::string_view group);
// "loyal_at_risk" -> "Loyal at risk", "high_value_lost" -> "High-value lost"; other names get
// their underscores replaced by spaces and a capital first letter.
std::string GroupLabel(std::string_view group);
// "potential_loyalist" -> "potential loyalist", "cant_lose_them" -> "can't lose them".
std::string SegmentLabel(std::string_view segment);

}  // namespace winback::report::internal
