// Status and Result<T>: how qpan reports errors a user can cause across module
// boundaries. A Status carries a code (mapped once to exit codes and HTTP statuses) and a
// message that names where and why; exceptions are kept for what cannot be handled locally.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace qpan {

enum class StatusCode {
  kOk = 0,
  kInvalidInput,   // the user's input is wrong (file, argument, value)
  kNotFound,       // a named thing (unit, element, database) does not exist
  kConflict,       // the change contradicts what is stored (e.g. removing a used element)
  kUnauthenticated,     // no valid session or token
  kPermissionDenied,    // the caller's role or org-unit scope does not allow it
  kPreconditionFailed,  // the stored state changed since the caller read it (If-Match)
  kTooManyRequests,     // throttled (e.g. repeated failed logins)
  kReadOnly,            // the database takes no writes (a PostgreSQL hot standby): use its primary
  kIoError,        // a file or the database could not be read or written
  kInternal,       // a bug or an unexpected state: never the user's fault
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status invalid_input(std::string m) { return {StatusCode::kInvalidInput, std::move(m)}; }
  static Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
  static Status permission_denied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status precondition_failed(std::string m) { return {StatusCode::kPreconditionFailed, std::move(m)}; }
  static Status too_many_requests(std::string m) { return {StatusCode::kTooManyRequests, std::move(m)}; }
  static Status read_only(std::string m) { return {StatusCode::kReadOnly, std::move(m)}; }
  static Status io_error(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // True for errors the user can fix (bad input, missing thing, conflict, access).
  bool is_user_error() const { return code_ != StatusCode::kOk && code_ != StatusCode::kIoError && code_ != StatusCode::kInternal; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).is_ok());
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return is_ok(); }

  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(state_); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace qpan

// Propagates a non-ok Status from an expression returning Status.
#define QPAN_RETURN_IF_ERROR(expr)            \
  do {                                        \
    ::qpan::Status qpan_status_ = (expr);     \
    if (!qpan_status_.is_ok()) return qpan_status_; \
  } while (false)
