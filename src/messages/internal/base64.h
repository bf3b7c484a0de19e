#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace winback::messages::internal {

// RFC 4648 section 4: the standard alphabet (A-Z a-z 0-9 + /) with '=' padding, as MIME and
// RFC 2047 encoded-words use it.
std::string Base64Encode(std::string_view bytes);

// RFC 4648 section 5: the URL- and file-name-safe alphabet (- and _ for + and /), without
// padding, as our link tokens use it.
std::string Base64UrlEncode(std::string_view bytes);

// Decodes what Base64UrlEncode makes, strictly: nullopt for any character outside the
// alphabet, for padding, for a length that no encoding has (4k+1) and for non-zero bits in the
// last character's unused low bits, so each byte string has exactly one accepted encoding.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace winback::messages::internal
