#pragma once

#include <array>
#include <string>
#include <string_view>

// HMAC-SHA256 (RFC 2104 with SHA-256), one implementation for every module that signs: link
// tokens (messages), webhook signatures (channels), and later the server's checks. OpenSSL
// stays behind this header.
namespace winback {

using HmacSha256Digest = std::array<unsigned char, 32>;

// HMAC-SHA256(key, data). Either may be empty. Thread-safe.
HmacSha256Digest HmacSha256(std::string_view key, std::string_view data);

// The same as 64 lower-case hex digits. Thread-safe.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// base64 (RFC 4648 section 4, with padding) of HMAC-SHA1(key, data): Twilio's
// X-Twilio-Signature. SHA-1 only because the provider defines it so; sign nothing of ours
// with it. Thread-safe.
std::string HmacSha1Base64(std::string_view key, std::string_view data);

// True when a and b hold the same bytes, in time that depends only on their lengths (for
// comparing secrets and signatures: CRYPTO_memcmp).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace winback
