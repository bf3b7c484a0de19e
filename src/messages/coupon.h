#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace winback::messages {

// The 32 symbols a coupon code is made of: digits and capital letters without the look-alikes
// 0/O and 1/I, so a code read aloud or typed from a phone screen has one spelling.
inline constexpr std::string_view kCouponAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

// The fewest symbols NewCouponCode accepts: 8 symbols x 5 bits = 40 bits.
inline constexpr int kMinCouponLength = 8;
// The most symbols NewCouponCode accepts (a code is typed by people).
inline constexpr int kMaxCouponLength = 64;

// Returns a new coupon code of `length` symbols from kCouponAlphabet, each symbol 5 uniformly
// random bits from the operating system's CSPRNG (getrandom(2)); the default 10 symbols carry
// 50 bits. Errors: InvalidArgument when `length` is outside [kMinCouponLength,
// kMaxCouponLength] (fewer than 40 bits can be guessed); Internal when the kernel's random
// source fails. Thread-safe.
Result<std::string> NewCouponCode(int length = 10);

}  // namespace winback::messages
