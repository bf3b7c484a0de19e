#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/check.h"

namespace winback {

// Canonical error codes, a subset of Abseil's. Each maps to one CLI exit code and one HTTP status.
enum class StatusCode : std::uint8_t {
  kOk = 0,
  kInvalidArgument,     // Bad input from a user or a file: exit code 2.
  kNotFound,            // A named object does not exist.
  kAlreadyExists,       // A unique object exists already.
  kFailedPrecondition,  // The system is not in a state the operation needs.
  kUnavailable,         // Transient: retrying may succeed (database busy, provider down).
  kInternal,            // A bug or a broken invariant of a dependency.
  kCancelled,           // The operation was stopped by its caller.
};

// Returns the canonical name of `code`, e.g. "INVALID_ARGUMENT".
std::string_view StatusCodeName(StatusCode code);

// The outcome of an operation that returns no value. Cheap to copy when ok.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: orders.csv:12: amount: ..." or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;

  // Explicitly ignores a status where the failure truly does not matter (e.g. a best-effort
  // cleanup); the call site documents why.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status UnavailableError(std::string message);
Status InternalError(std::string message);
Status CancelledError(std::string message);

// Either a value of type T or a non-ok Status. Like absl::StatusOr.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    WINBACK_CHECK(!std::get<Status>(data_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(data_); }

  // The error; an ok Status when the result holds a value.
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }

  // The value. Calling these on an error is a programmer error and aborts.
  const T& value() const& {
    WINBACK_CHECK(ok());
    return std::get<T>(data_);
  }
  T& value() & {
    WINBACK_CHECK(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    WINBACK_CHECK(ok());
    return std::get<T>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> data_;
};

namespace internal {
inline Status AsStatus(Status s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace winback

#define WINBACK_STATUS_CONCAT_INNER(a, b) a##b
#define WINBACK_STATUS_CONCAT(a, b) WINBACK_STATUS_CONCAT_INNER(a, b)

// Evaluates `expr` (a Status or Result<T>) and returns its error from the enclosing function.
#define WINBACK_RETURN_IF_ERROR(expr)                                          \
  do {                                                                         \
    ::winback::Status winback_status_ = ::winback::internal::AsStatus((expr)); \
    if (!winback_status_.ok()) return winback_status_;                         \
  } while (false)

// `WINBACK_ASSIGN_OR_RETURN(T x, ResultExpr());` declares x from the value, or returns the error.
#define WINBACK_ASSIGN_OR_RETURN(decl, expr) \
  WINBACK_ASSIGN_OR_RETURN_IMPL(WINBACK_STATUS_CONCAT(winback_result_, __LINE__), decl, expr)
// `tmp` is an identifier and `decl` a declaration: neither can take parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define WINBACK_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  decl = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
