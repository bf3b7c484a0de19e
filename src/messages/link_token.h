#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace winback::messages {

// The environment variable that holds the key for signing link tokens.
inline constexpr std::string_view kSigningKeyVariable = "WINBACK_SIGNING_KEY";
// The shortest signing key accepted, in bytes (the output size of SHA-256).
inline constexpr std::size_t kMinSigningKeyBytes = 32;
// Bytes of HMAC-SHA256 kept in a token: the first 16 of 32 (128 bits; RFC 2104 section 5
// allows truncation to half the output).
inline constexpr std::size_t kTokenTagBytes = 16;

// Returns a signed opaque token for unsubscribe, click and open links:
//   base64url(payload) "." base64url(first 16 bytes of HMAC-SHA256(key, payload))
// base64url is RFC 4648 section 5 without padding, so the token needs no escaping in a URL
// path or query. The payload is readable by anyone (signed, not encrypted): put ids in it, not
// secrets. `payload` may hold any bytes. Thread-safe.
std::string SignToken(std::string_view key, std::string_view payload);

// Returns the payload of `token` when it was made by SignToken with `key`, else nullopt
// (tampered, truncated, extended, wrong key, not base64url, padding, no "."). The tag is
// compared in constant time (ConstantTimeEqual, core/hmac.h). Thread-safe.
std::optional<std::string> VerifyToken(std::string_view key, std::string_view token);

// Returns the value of WINBACK_SIGNING_KEY. Errors: FailedPrecondition naming the variable
// when it is unset or shorter than kMinSigningKeyBytes bytes. The key itself never appears
// in a message.
Result<std::string> SigningKeyFromEnv();

}  // namespace winback::messages
