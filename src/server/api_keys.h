#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/http.h"

namespace winback::server {

// The API keys the server accepts, held only as SHA-256 digests: from [server] api_key_sha256
// and from WINBACK_API_KEY (hashed as it is read; the key itself is not kept). Thread-safe once
// built (read-only).
class ApiKeys {
 public:
  // `sha256_hex`: 64 lower-case hex digits each (checked by the config loader; InvalidArgument
  // here too). `env_key`: the plaintext key from the environment, may be empty.
  static Result<ApiKeys> Make(const std::vector<std::string>& sha256_hex, std::string_view env_key);

  // The key's id when `key` is one of the accepted keys, else nullopt. The digest of `key` is
  // compared with every stored digest in constant time (ConstantTimeEqual, no early exit), so
  // the time taken says nothing about which bytes matched. The id is the first 12 hex digits of
  // the digest: safe to log and to use as a metrics or rate-limit label.
  std::optional<std::string> Find(std::string_view key) const;

  // The bearer token of an `Authorization: Bearer KEY` header (scheme case-insensitive), or
  // nullopt when the header is missing or another scheme.
  static std::optional<std::string_view> BearerToken(const Request& request);

  bool empty() const { return digests_.empty(); }
  std::size_t size() const { return digests_.size(); }

  // SHA-256 of `data` as 64 lower-case hex digits (libsodium).
  static std::string Sha256Hex(std::string_view data);

 private:
  std::vector<std::string> digests_;  // Raw 32-byte digests.
};

}  // namespace winback::server
