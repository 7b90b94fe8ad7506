// Where accounts, sessions, API tokens and failed logins live (the accounts concern of the
// store; see qpan/store.h). Rows as stored: the rules (roles, hashing, expiry) are the
// accounts module's (qpan/accounts.h); the store keeps no secret in clear. Login throttling
// is decided here, because the decision and the record of the attempt must be one
// transaction for every process sharing the database. Each call is one transaction.
//
// Thread-safety: an object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/date.h"
#include "qpan/status.h"

namespace qpan {

struct AccountRecord {
  int64_t id = 0;
  std::string username;       // lower-case, unique
  std::string display_name;
  std::string role;           // role_name() of qpan/accounts.h
  std::string scope_code;
  Date scope_at{};            // the day `scope_code` is resolved at
  std::string password_hash;  // crypto_pwhash_str output (argon2id)
  bool disabled = false;
  int64_t created_at = 0;     // Unix seconds
};

struct SessionRecord {
  int64_t id = 0;
  std::string token_hash;     // hex hash of the session token, never the token
  int64_t user_id = 0;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;     // absolute end
  std::string remote_address;
};

struct ApiTokenRecord {
  int64_t id = 0;
  std::string token_hash;     // hex hash of the token, never the token
  int64_t user_id = 0;
  std::string name;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
};

// The throttling rule for password logins (qpan/accounts.h's AccountsOptions sets it).
// Failed logins are counted three ways: of one username from one address (the pair), from
// one address for any username, and of one username from any address. When the failures of
// one count include `limit` within less than `window_seconds`, that pair, address or
// username may not try again until `lockout_seconds` after the last of them.
struct LoginLimits {
  int pair_limit = 5;
  int address_limit = 20;
  int account_limit = 100;
  int64_t window_seconds = 15 * 60;
  int64_t lockout_seconds = 15 * 60;
};

// When failures at `times` (Unix seconds, oldest first) stop blocking logins under one count
// with `limit`: for every run of `limit` failures spanning less than the window, the last of
// them + the lockout; 0 when there is no such run or `limit` <= 0. Pure.
int64_t failures_block_until(std::span<const int64_t> times, int limit, const LoginLimits& limits);

// What begin_login_attempt decided.
struct LoginAttempt {
  bool allowed = false;       // recorded as a failure at `now`: check the password
  int64_t blocked_until = 0;  // when not allowed: Unix seconds when a login may be tried again
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Adds an account and returns its id; conflict when the username is taken.
  virtual Result<int64_t> add_account(const AccountRecord& account) = 0;
  virtual Result<std::optional<AccountRecord>> find_account(std::string_view username) = 0;
  virtual Result<std::optional<AccountRecord>> account_by_id(int64_t id) = 0;
  // Every account, by username.
  virtual Result<std::vector<AccountRecord>> list_accounts() = 0;
  // Stores display name, role, scope (code and date), password hash and disabled flag of account
  // `account.id`; with `end_sessions`, deletes its sessions in the same transaction.
  virtual Status update_account(const AccountRecord& account, bool end_sessions) = 0;
  virtual Status add_session(const SessionRecord& session) = 0;
  virtual Result<std::optional<SessionRecord>> find_session(std::string_view token_hash) = 0;
  virtual Status touch_session(int64_t session_id, int64_t last_seen_at) = 0;
  virtual Status delete_session(std::string_view token_hash) = 0;
  // Deletes the sessions last seen before `idle_before` or ending at or before `now`.
  virtual Status delete_expired_sessions(int64_t idle_before, int64_t now) = 0;
  // Adds an API token; conflict when the user has an active token with that name.
  virtual Status add_api_token(const ApiTokenRecord& token) = 0;
  // The active (not revoked) token with this hash.
  virtual Result<std::optional<ApiTokenRecord>> find_api_token(std::string_view token_hash) = 0;
  // The user's active tokens, by name.
  virtual Result<std::vector<ApiTokenRecord>> api_tokens(int64_t user_id) = 0;
  // Revokes the user's active token `name`; false when there is none.
  virtual Result<bool> revoke_api_token(int64_t user_id, std::string_view name, int64_t at) = 0;
  virtual Status touch_api_token(int64_t token_id, int64_t last_used_at) = 0;
  // The throttled login, one transaction that takes the write lock before it reads (so two
  // connections never both read the count before either records): forgets the failures
  // older than the window and lockout; then, unless the failures of (`username`,
  // `address`), of `address` or of `username` block a login at `now` under `limits`,
  // records this attempt as a failure at `now` — provisional: the caller checks the
  // password only when `allowed`, and on success calls clear_login_failures. So however many
  // threads and processes try at once, no more attempts are allowed than a limit leaves.
  // `username` and `address` are the keys to count under, as the caller normalised them.
  virtual Result<LoginAttempt> begin_login_attempt(std::string_view username,
                                                   std::string_view address, int64_t now,
                                                   const LoginLimits& limits) = 0;
  // Forgets the failures of `username` from `address` (after a right password; the
  // attempt's own provisional failure is among them). Other addresses' failures stay.
  virtual Status clear_login_failures(std::string_view username, std::string_view address) = 0;
  // When a login of `username` from `address` may be tried again (<= `now`: now), as
  // begin_login_attempt would decide; records nothing.
  virtual Result<int64_t> login_blocked_until(std::string_view username, std::string_view address,
                                              int64_t now, const LoginLimits& limits) = 0;
};

}  // namespace qpan
