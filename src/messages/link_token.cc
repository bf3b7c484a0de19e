#include "messages/link_token.h"

#include <array>
#include <cstdlib>

#include "core/hmac.h"
#include "messages/internal/base64.h"

namespace winback::messages {
namespace {

std::string_view Tag(const HmacSha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), kTokenTagBytes};
}

}  // namespace

std::string SignToken(std::string_view key, std::string_view payload) {
  const HmacSha256Digest digest = HmacSha256(key, payload);
  return internal::Base64UrlEncode(payload) + "." + internal::Base64UrlEncode(Tag(digest));
}

std::optional<std::string> VerifyToken(std::string_view key, std::string_view token) {
  const std::size_t dot = token.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::optional<std::string> payload = internal::Base64UrlDecode(token.substr(0, dot));
  std::optional<std::string> tag = internal::Base64UrlDecode(token.substr(dot + 1));
  if (!payload || !tag || tag->size() != kTokenTagBytes) return std::nullopt;
  const HmacSha256Digest digest = HmacSha256(key, *payload);
  if (!ConstantTimeEqual(Tag(digest), *tag)) return std::nullopt;
  return payload;
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
