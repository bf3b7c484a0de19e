#include "messages/link_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdlib>

#include "messages/internal/base64.h"

namespace winback::messages {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest HmacSha256(std::string_view key, std::string_view data) {
  // HMAC() wants non-null pointers even for empty input; a string_view may hold nullptr.
  static const unsigned char kEmpty[1] = {0};
  const auto* key_bytes = key.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  const auto* data_bytes =
      data.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  Digest out{};
  unsigned int out_len = 0;
  // Cannot fail for SHA-256 with in-memory buffers short of an allocation failure, which
  // aborts elsewhere too; a failure would leave `out` zero and every VerifyToken false.
  HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()), data_bytes, data.size(), out.data(),
       &out_len);
  return out;
}

std::string_view Tag(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), kTokenTagBytes};
}

}  // namespace

std::string SignToken(std::string_view key, std::string_view payload) {
  const Digest digest = HmacSha256(key, payload);
  return internal::Base64UrlEncode(payload) + "." + internal::Base64UrlEncode(Tag(digest));
}

std::optional<std::string> VerifyToken(std::string_view key, std::string_view token) {
  const std::size_t dot = token.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::optional<std::string> payload = internal::Base64UrlDecode(token.substr(0, dot));
  std::optional<std::string> tag = internal::Base64UrlDecode(token.substr(dot + 1));
  if (!payload || !tag || tag->size() != kTokenTagBytes) return std::nullopt;
  const Digest digest = HmacSha256(key, *payload);
  if (CRYPTO_memcmp(digest.data(), tag->data(), kTokenTagBytes) != 0) return std::nullopt;
  return payload;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  const Digest digest = HmacSha256(key, data);
  std::string out;
  out.reserve(64);
  for (const unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

Result<std::string> SigningKeyFromEnv() {
  const char* value = std::getenv(std::string(kSigningKeyVariable).c_str());
  if (value == nullptr || *value == '\0') {
    return FailedPreconditionError(std::string(kSigningKeyVariable) +
                                   " is not set; link tokens need a secret of at least " +
                                   std::to_string(kMinSigningKeyBytes) + " bytes");
  }
  std::string key(value);
  if (key.size() < kMinSigningKeyBytes) {
    return FailedPreconditionError(std::string(kSigningKeyVariable) + " is too short (" +
                                   std::to_string(key.size()) + " bytes); at least " +
                                   std::to_string(kMinSigningKeyBytes) + " bytes are needed");
  }
  return key;
}

}  // namespace winback::messages
