#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/mutex.h"

namespace winback::server {

// A token bucket per key: each key's bucket holds up to `burst` tokens, refills at `rate`
// tokens per second, and a request takes one token; a request finding less than one token is
// refused. Time is a parameter (seconds on a monotonic clock), so the rule is tested without
// sleeping. Thread-safe.
class RateLimiter {
 public:
  // rate <= 0 disables the limit: Allow always returns true.
  RateLimiter(double rate_per_second, double burst);

  struct Decision {
    bool allowed = true;
    // When refused: seconds until one token is back (for Retry-After, rounded up by the caller).
    double retry_after_seconds = 0;
  };
  // Takes one token of `key`'s bucket at time `now_seconds`; a new key starts full.
  Decision Allow(std::string_view key, double now_seconds) EXCLUDES(mu_);

 private:
  struct Bucket {
    double tokens = 0;
    double updated = 0;
  };
  const double rate_;
  const double burst_;
  Mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_ GUARDED_BY(mu_);
};

}  // namespace winback::server
