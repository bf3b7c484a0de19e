#include "messages/coupon.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace winback::messages {
namespace {

// Fills `out` from getrandom(2), which blocks only until the kernel's pool is first seeded.
// A read may be cut short by a signal (EINTR) or return fewer bytes than asked; both go on.
Status FillRandom(unsigned char* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = getrandom(out + done, n - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return InternalError(std::string("getrandom failed: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(got);
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> NewCouponCode(int length) {
  static_assert(kCouponAlphabet.size() == 32);
  if (length < kMinCouponLength || length > kMaxCouponLength) {
    return InvalidArgumentError("coupon length " + std::to_string(length) + ": must be " +
                                std::to_string(kMinCouponLength) + ".." +
                                std::to_string(kMaxCouponLength) +
                                " symbols (5 bits each, at least 40 bits)");
  }
  unsigned char bytes[kMaxCouponLength];
  const auto n = static_cast<std::size_t>(length);
  WINBACK_RETURN_IF_ERROR(FillRandom(bytes, n));
  std::string code(n, ' ');
  // 32 divides 256, so the low 5 bits of a uniform byte are uniform: no modulo bias and no
  // rejection loop.
  for (std::size_t i = 0; i < n; ++i) code[i] = kCouponAlphabet[bytes[i] & 31U];
  return code;
}

}  // namespace winback::messages
