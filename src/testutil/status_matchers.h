#pragma once

#include <gmock/gmock.h>

#include <ostream>

#include "core/status.h"

namespace winback {

inline void PrintTo(const Status& s, std::ostream* os) { *os << s.ToString(); }
template <typename T>
void PrintTo(const Result<T>& r, std::ostream* os) {
  *os << (r.ok() ? std::string("OK (value)") : r.status().ToString());
}

namespace testing_internal {
inline Status ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace testing_internal

// EXPECT_THAT(store.Open(), IsOk());
MATCHER(IsOk, "is OK") {
  const Status s = ::winback::testing_internal::ToStatus(arg);
  if (!s.ok()) *result_listener << s.ToString();
  return s.ok();
}

// EXPECT_THAT(ParseDate("x"), StatusIs(StatusCode::kInvalidArgument));
MATCHER_P(StatusIs, code, "has status code " + std::string(StatusCodeName(code))) {
  const Status s = ::winback::testing_internal::ToStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code;
}

// EXPECT_THAT(r, StatusIs(code, HasSubstr("bad month")));
MATCHER_P2(StatusIsWith, code, message_matcher, "has status code and message") {
  const Status s = ::winback::testing_internal::ToStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, s.message(), result_listener);
}

}  // namespace winback

#define WINBACK_ASSERT_OK_AND_ASSIGN(decl, expr) \
  WINBACK_ASSERT_OK_AND_ASSIGN_IMPL(WINBACK_STATUS_CONCAT(winback_test_, __LINE__), decl, expr)
// `tmp` is an identifier and `decl` a declaration: neither can take parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define WINBACK_ASSERT_OK_AND_ASSIGN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                                       \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();        \
  decl = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
