// Where accounts, sessions, API tokens and failed logins live (the accounts concern of the
// store; see qpan/store.h). Rows as stored: the rules (roles, hashing, expiry, throttling)
// are the accounts module's (qpan/accounts.h); the store keeps no secret in clear. Each
// call is one transaction.
//
// Thread-safety: an object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/status.h"

namespace qpan {

struct AccountRecord {
  int64_t id = 0;
  std::string username;       // lower-case, unique
  std::string display_name;
  std::string role;           // role_name() of qpan/accounts.h
  std::string scope_code;
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

// Times (Unix seconds, oldest first) of the failed logins for one username and from one
// address.
struct LoginFailures {
  std::vector<int64_t> account;
  std::vector<int64_t> address;
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
  // Stores display name, role, scope, password hash and disabled flag of account
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
  // Records a failed login and forgets the failures before `forget_before`.
  virtual Status add_login_failure(std::string_view username, std::string_view address,
                                   int64_t at, int64_t forget_before) = 0;
  // The failures at or after `since` for `username` and from `address`.
  virtual Result<LoginFailures> login_failures(std::string_view username,
                                               std::string_view address, int64_t since) = 0;
  // Forgets the failures of `username` (after a successful login).
  virtual Status clear_login_failures(std::string_view username) = 0;
};

}  // namespace qpan
