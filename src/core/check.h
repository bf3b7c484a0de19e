#pragma once

// WINBACK_CHECK(cond): a programmer-error assertion that stays on in release builds. It logs the
// failed condition with file and line and aborts. User input must never reach one: validate and
// return a Status instead.
#define WINBACK_CHECK(cond)                                                   \
  do {                                                                        \
    if (!(cond)) ::winback::internal::CheckFailed(#cond, __FILE__, __LINE__); \
  } while (false)

namespace winback::internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}  // namespace winback::internal
