#pragma once

#include <cstddef>
#include <string_view>

namespace winback {

// Returns true when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF). On failure and when `bad_offset` is not null, stores the byte offset
// of the first invalid sequence. Pure ASCII is checked eight bytes at a time.
bool IsValidUtf8(std::string_view text, std::size_t* bad_offset = nullptr);

}  // namespace winback
