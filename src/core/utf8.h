#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace winback {

// Returns true when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF). On failure and when `bad_offset` is not null, stores the byte offset
// of the first invalid sequence. Pure ASCII is checked eight bytes at a time.
bool IsValidUtf8(std::string_view text, std::size_t* bad_offset = nullptr);

// A code point and the byte offset where its encoding starts.
struct CodePointAt {
  char32_t code_point = 0;
  std::size_t offset = 0;
};

// The first code point of `text` that may not appear in an identifier, or nullopt. Forbidden are
// the characters that do not print or print as something else, so that two different ids could
// look alike: C0 controls, DEL, C1 controls (U+0080..U+009F), the soft hyphen U+00AD, the line
// and paragraph separators U+2028 and U+2029, zero-width characters (U+180E, U+200B..U+200D,
// U+2060..U+2064, U+FEFF) and bidirectional marks, embeddings, overrides and isolates (U+061C,
// U+200E, U+200F, U+202A..U+202E, U+2066..U+2069). `text` must be valid UTF-8 (IsValidUtf8).
// Pure ASCII is checked eight bytes at a time.
std::optional<CodePointAt> FindDisallowedInId(std::string_view text);

// "U+200B": the code point in the notation of the Unicode standard (at least four hex digits).
std::string FormatCodePoint(char32_t code_point);

// Appends the UTF-8 encoding of `cp` (a Unicode scalar value, at most U+10FFFF) to `out`.
void AppendUtf8(std::string& out, char32_t cp);

}  // namespace winback
