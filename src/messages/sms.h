#pragma once

#include <cstdint>
#include <string_view>

namespace winback::messages {

// How an SMS text travels and what it costs, as carriers bill it.
struct SmsSegments {
  enum class Encoding : std::uint8_t {
    kGsm7,  // GSM 03.38 default alphabet (+ extension table), 7-bit septets.
    kUcs2,  // Anything else: UTF-16 code units.
  };
  Encoding encoding = Encoding::kGsm7;
  int units = 0;     // Septets (kGsm7) or UTF-16 code units (kUcs2) of the whole text.
  int segments = 0;  // Messages the carrier sends and bills; 0 only for the empty text.
};

// Counts the segments of `utf8` (a message body, as it will be sent):
// - GSM-7 when every character is in the GSM 03.38 default alphabet or its extension table;
//   an extension character (^ { } \ [ ] ~ | euro sign, form feed) takes 2 septets (escape +
//   code). One segment holds 160 septets; a longer text is split into segments of 153 (7
//   septets go to the concatenation header).
// - UCS-2 otherwise (any one other character, e.g. Turkish "ş" or Persian letters, switches
//   the whole text): one unit per BMP character, 2 (a surrogate pair) outside it, e.g. emoji.
//   One segment holds 70 units; a longer text is split into segments of 67.
// A character is never split between two segments (neither an extension character's two
// septets nor a surrogate pair), so a segment of a long text may carry one unit less; the
// count packs greedily as phones and providers do. The empty text is 0 units and 0 segments:
// there is nothing to send, and channels refuse it. Invalid UTF-8 bytes count as U+FFFD each
// (UCS-2, 1 unit); callers validate text before this. Pure function, thread-safe.
SmsSegments CountSmsSegments(std::string_view utf8);

}  // namespace winback::messages
