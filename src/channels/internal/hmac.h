#pragma once

#include <string>
#include <string_view>

namespace winback::channels::internal {

// Lower-case hex of HMAC-SHA256(key, data) (64 characters): the webhook signature.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace winback::channels::internal
