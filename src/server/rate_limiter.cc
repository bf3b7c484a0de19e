#include "server/rate_limiter.h"

#include <algorithm>

namespace winback::server {

RateLimiter::RateLimiter(double rate_per_second, double burst)
    : rate_(rate_per_second), burst_(std::max(1.0, burst)) {}

RateLimiter::Decision RateLimiter::Allow(std::string_view key, double now_seconds) {
  if (rate_ <= 0) return {};
  MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    it = buckets_.emplace(std::string(key), Bucket{burst_, now_seconds}).first;
  }
  Bucket& b = it->second;
  // tokens(t) = min(burst, tokens(t0) + rate * (t - t0)); a clock going backwards adds nothing.
  const double elapsed = std::max(0.0, now_seconds - b.updated);
  b.tokens = std::min(burst_, b.tokens + rate_ * elapsed);
  b.updated = std::max(b.updated, now_seconds);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {};
  }
  return Decision{false, (1.0 - b.tokens) / rate_};
}

}  // namespace winback::server
