#include "core/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace winback {

HmacSha256Digest HmacSha256(std::string_view key, std::string_view data) {
  // HMAC() wants non-null pointers even for empty input; a string_view may hold nullptr.
  static const unsigned char kEmpty[1] = {0};
  const auto* key_bytes = key.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  const auto* data_bytes =
      data.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  HmacSha256Digest out{};
  unsigned int out_len = 0;
  // Cannot fail for SHA-256 with in-memory buffers short of an allocation failure, which
  // aborts elsewhere too; a failure would leave `out` zero and every verification false.
  HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()), data_bytes, data.size(), out.data(),
       &out_len);
  return out;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  const HmacSha256Digest digest = HmacSha256(key, data);
  std::string out;
  out.reserve(2 * digest.size());
  for (const unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string HmacSha1Base64(std::string_view key, std::string_view data) {
  static const unsigned char kEmpty[1] = {0};
  const auto* key_bytes = key.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  const auto* data_bytes =
      data.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  unsigned char digest[20] = {};
  unsigned int digest_len = 0;
  HMAC(EVP_sha1(), key_bytes, static_cast<int>(key.size()), data_bytes, data.size(), digest,
       &digest_len);
  unsigned char encoded[29] = {};  // 4 * ceil(20 / 3) = 28, and a NUL.
  const int n = EVP_EncodeBlock(encoded, digest, 20);
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace winback
