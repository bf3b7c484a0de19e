#include "server/api_keys.h"

#include <sodium.h>

#include "core/hmac.h"

namespace winback::server {
namespace {

std::string RawSha256(std::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

std::string Hex(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (char c : raw) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (std::size_t k = 0; k < 2; ++k) {
      const char c = hex[i + k];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (d < 0) return std::nullopt;
      v = v * 16 + d;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

}  // namespace

std::string ApiKeys::Sha256Hex(std::string_view data) { return Hex(RawSha256(data)); }

Result<ApiKeys> ApiKeys::Make(const std::vector<std::string>& sha256_hex,
                              std::string_view env_key) {
  ApiKeys keys;
  for (const std::string& hex : sha256_hex) {
    std::optional<std::string> raw = Unhex(hex);
    if (!raw || raw->size() != crypto_hash_sha256_BYTES) {
      return InvalidArgumentError("api_key_sha256: '" + hex +
                                  "' is not a SHA-256 digest in 64 lower-case hex digits");
    }
    keys.digests_.push_back(std::move(*raw));
  }
  if (!env_key.empty()) keys.digests_.push_back(RawSha256(env_key));
  return keys;
}

std::optional<std::string> ApiKeys::Find(std::string_view key) const {
  const std::string digest = RawSha256(key);
  std::optional<std::string> found;
  for (const std::string& d : digests_) {
    // No early exit: every digest is compared whatever matched before.
    if (ConstantTimeEqual(digest, d) && !found) found = Hex(digest).substr(0, 12);
  }
  return found;
}

std::optional<std::string_view> ApiKeys::BearerToken(const Request& request) {
  const std::string* h = request.Header("authorization");
  if (h == nullptr) return std::nullopt;
  std::string_view v = *h;
  constexpr std::string_view kScheme = "bearer ";
  if (v.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = v[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kScheme[i]) return std::nullopt;
  }
  v.remove_prefix(kScheme.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  return v;
}

}  // namespace winback::server
