// Accounts (tài khoản): who may use qpan and what they may do.
//
// A user has exactly one role and one scope. A scope is a unit version: an org-unit code and
// the day it is resolved at (the unit the code named that day; "VN" = the whole country).
// authorize() is the policy — a pure function of the user, the action, the unit, the date
// the request is about, and the effective-dated structure. Every server route calls it;
// nothing else grants access. A unit U on a day D is within the scope when:
//  - the scope is the whole country; or
//  - on D the scope's code still names the scope's unit (qpan/org_unit.h: a unit outlives
//    renames and new parents, not lineage that forms a new unit under its code) and U is
//    that unit or lies under it on D; or
//  - U, or a unit U lies under on D, is a lineage predecessor of the scope's unit
//    (OrgUnitIndex::lineage_ancestry, followed back through full and partial edges) and D
//    comes before that lineage took effect: the units whose figures roll up into the scope's
//    unit for the time before it began, which the aggregation engine reads for it.
// So a successor is never within an old scope: an account scoped to Yên Bái (15 at
// 2024-01-01) covers neither the new Lào Cai (15 from 2025-07-01) nor old Lào Cai (10); one
// scoped to the new Lào Cai covers Yên Bái's and old Lào Cai's past.
//
// Accounts keeps the secrets and never lets one out after it was handed over:
//  - passwords are stored as argon2id hashes (libsodium crypto_pwhash_str), at least 10
//    characters, NFC-normalised, never logged and never part of a message;
//  - a login gives a session token (32 random bytes, base64url) for an HttpOnly,
//    SameSite=Strict cookie and a CSRF token that every state-changing request must echo;
//    the store keeps only a BLAKE2b hash of the session token, so a copy of the database
//    holds no live session; the CSRF token is derived from the session token (keyed
//    BLAKE2b), so it is never stored and can be given again for as long as the session lives;
//  - API tokens for machines ("qpan_" + 43 characters) are shown once and stored hashed;
//    they are sent as `Authorization: Bearer`, need no CSRF token, and can be revoked;
//  - failed logins are counted in the database (so several server threads and processes
//    agree) per (account, address) pair, per address and per account (AccountsOptions has
//    the limits); past a limit a login is refused with too_many_requests before the password
//    is looked at. The decision and the record of the attempt are one store transaction, so
//    parallel attempts never check more passwords than a limit leaves. A pair's limit is low
//    and an account's high: a guesser at one address is stopped after a few tries without
//    locking the officer out from their own address. An unknown username costs the same hash
//    verification as a known one and is counted and throttled the same way.
// Sessions expire after 30 minutes idle and 12 hours at most (AccountsOptions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qpan/date.h"
#include "qpan/org_unit.h"
#include "qpan/status.h"
#include "qpan/store.h"

namespace qpan {

// ---- Roles, actions, the policy ---------------------------------------------------------

enum class Role : uint8_t {
  kCommuneEntry,      // nhập liệu cấp xã: enters, imports and submits figures
  kDistrictReviewer,  // duyệt cấp huyện: reads, approves or returns, reads the audit trail
  kProvinceAdmin,     // quản trị cấp tỉnh: everything, including locks, users and the pack
  kViewer,            // chỉ xem: reads
};
inline constexpr Role kAllRoles[] = {Role::kCommuneEntry, Role::kDistrictReviewer,
                                     Role::kProvinceAdmin, Role::kViewer};

std::string_view role_name(Role role);     // "commune_entry", "district_reviewer", …
std::string_view role_name_vi(Role role);  // "nhập liệu cấp xã", "duyệt cấp huyện", …
// Parses a role name; the error lists the valid ones.
Result<Role> parse_role(std::string_view name);

enum class Action : uint8_t {
  kReadData,     // read values, analytics, evaluations, reports
  kWriteData,    // enter or change values
  kImport,       // bulk-import values
  kSubmit,       // submit a form for review
  kApprove,      // approve a submitted form
  kReturn,       // return a submitted form with a comment
  kReadAudit,    // read the audit trail
  kLock,         // lock a period against changes
  kUnlock,       // unlock it
  kManageUsers,  // add, change or disable accounts whose scope lies within the unit
  kManagePack,   // load or upgrade the catalogue (pass the root unit the instance serves)
};
inline constexpr Action kAllActions[] = {Action::kReadData,    Action::kWriteData, Action::kImport,
                                         Action::kSubmit,      Action::kApprove,   Action::kReturn,
                                         Action::kReadAudit,   Action::kLock,      Action::kUnlock,
                                         Action::kManageUsers, Action::kManagePack};

std::string_view action_name(Action action);     // "read_data", "write_data", …
std::string_view action_name_vi(Action action);  // "đọc số liệu", "ghi số liệu", …

// The scope code that covers every unit: the whole country (qpan/aggregation.h's
// kCountryUnitCode).
inline constexpr std::string_view kWholeCountryScope = "VN";

// An account as the rest of qpan sees it (no secrets).
struct User {
  int64_t id = 0;
  std::string username;      // lower-case ASCII [a-z0-9._-], 3–64 characters
  std::string display_name;  // NFC
  Role role = Role::kViewer;
  std::string scope_code;  // with scope_at: the unit version whose subtree the user may touch
  Date scope_at{};         // the day scope_code is resolved at
  bool disabled = false;
  int64_t created_at = 0;  // Unix seconds
};

// True when the role may take the action at all (inside its scope).
bool role_allows(Role role, Action action);
// Every (role, action) pair the policy allows, roles and actions in declaration order.
std::vector<std::pair<Role, Action>> allowed_role_actions();

// The role alone: ok when the user is enabled and the role allows the action somewhere in
// its scope; permission_denied naming the account, role and action otherwise. What a
// request is refused by before its content is read (a viewer's batch of writes).
Status authorize_role(const User& user, Action action);

// The policy: ok when the user is enabled, the role allows the action and `unit_code` on `at`
// is within the user's scope (see the top of this file); pass the day the request is about
// (the end of the period for data; the structure date when a roll-up is asked in a later
// structure; today for current work). Otherwise permission_denied naming the account, role,
// scope ("CODE (at DATE)"), action and unit, in Vietnamese then English. Pure; thread-safe.
Status authorize(const User& user, Action action, std::string_view unit_code, Date at,
                 const OrgUnitIndex& units);

// ---- Input rules ---------------------------------------------------------------------------

// The canonical (lower-case) form of a username, or invalid_input saying why.
Result<std::string> normalize_username(std::string_view username);
// The NFC form of a display name (valid UTF-8, no control characters, at most 100
// characters); `username` when it is empty.
Result<std::string> normalize_display_name(std::string_view name, const std::string& username);
// ok when `code` names a unit on `day` in `units` (the whole country's code always does):
// what an account's scope must be. invalid_input naming the code (and the day) otherwise.
Status check_scope(std::string_view code, Date day, const OrgUnitIndex& units);
// ok for an API token name: 1–64 of a-z, A-Z, 0-9, '.', '_', '-'.
Status check_api_token_name(std::string_view name);
// The NFC form of an acceptable password (valid UTF-8, at least 10 characters, at most 1024
// bytes), or invalid_input saying which rule failed — never the password itself.
Result<std::string> normalize_password(std::string_view password);

// The user-id and password of an HTTP Basic authorization (RFC 7617: base64 of "id:password",
// split at the first colon), or nullopt when `encoded` is not that (bad base64, no colon,
// more than 1 KiB).
struct BasicCredentials {
  std::string username;
  std::string password;
};
std::optional<BasicCredentials> decode_basic_credentials(std::string_view encoded);

// ---- Accounts ------------------------------------------------------------------------------

struct AccountsOptions {
  int64_t session_idle_seconds = 30 * 60;        // a session unused this long ends
  int64_t session_lifetime_seconds = 12 * 3600;  // and every session ends this long after login
  // A session's last use is written at most this often (a request is not a disk write).
  int64_t session_touch_seconds = 60;
  // Throttling (qpan/account_store.h's LoginLimits): failed logins are counted per
  // (account, address) pair, per address over every account, and per account over every
  // address. `limit` failures of one count within `failure_window_seconds` make that pair,
  // that address or that account wait `lockout_seconds` after the last of them. The account
  // limit is high, so that it slows a guess spread over many addresses without letting a few
  // addresses lock an officer out; the account name is what was typed, existing or not.
  int pair_failure_limit = 5;
  int address_failure_limit = 20;
  int account_failure_limit = 100;
  int64_t failure_window_seconds = 15 * 60;
  int64_t lockout_seconds = 15 * 60;
  // argon2id cost; 0 = libsodium's INTERACTIVE limits (2 passes, 64 MiB). Only tests lower
  // them; a stored hash made with other limits is rehashed at the next login.
  uint64_t password_opslimit = 0;
  size_t password_memlimit = 0;
  // Over a read-only database (a hot standby): sessions and API tokens made on the primary
  // are read but never written (no last-use time, no deletion of an expired session: the
  // primary's own reads do that), and logins, which must write, are refused (kReadOnly).
  bool read_only = false;
};

struct NewUser {
  std::string username;
  std::string display_name;  // empty: the username
  Role role = Role::kViewer;
  std::string scope_code;
  std::optional<Date> scope_at = std::nullopt;  // empty: the day the account is created (UTC)
};

struct LoginResult {
  std::string session_token;  // for the HttpOnly, SameSite=Strict cookie; shown only here
  std::string csrf_token;     // for the client to echo in a header on state-changing requests
  User user;
  int64_t idle_expires_at = 0;  // Unix seconds, unless used before
  int64_t expires_at = 0;       // Unix seconds, at the latest
};

struct SessionInfo {
  User user;
  std::string csrf_token;
  int64_t created_at = 0;
  int64_t idle_expires_at = 0;
  int64_t expires_at = 0;
};

struct ApiTokenInfo {
  std::string name;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
};

struct IssuedApiToken {
  std::string token;  // shown once; only its hash is stored
  ApiTokenInfo info;
};

struct TokenUser {
  User user;
  std::string token_name;
};

// Thread-safe: every method may be called from several threads at once. The store is used
// under an internal mutex (a Store is single-threaded), which is never held while hashing
// passwords; give Accounts a store no other thread uses at the same time (its own connection
// to the database file). `store` must outlive the Accounts object.
class Accounts {
 public:
  explicit Accounts(Store& store, AccountsOptions options = {});
  ~Accounts();
  Accounts(const Accounts&) = delete;
  Accounts& operator=(const Accounts&) = delete;

  // Adds a user. invalid_input for a bad username, name or password, or a scope code that
  // is not in force on the scope date in `units` ("VN" always is); conflict when the
  // username is taken.
  Result<User> add_user(const NewUser& user, std::string_view password, const OrgUnitIndex& units,
                        int64_t now);
  // Sets a new password and ends the user's sessions (API tokens stay).
  Status set_password(std::string_view username, std::string_view password);
  // Disables (ending every session; API tokens stop working) or enables an account.
  Status set_disabled(std::string_view username, bool disabled);
  Result<User> find_user(std::string_view username);
  // Every user, by username.
  Result<std::vector<User>> list_users();

  // Checks the password and opens a session. too_many_requests (with the wait, password not
  // checked) when the (account, `remote_address`) pair, the address or the account is
  // throttled; otherwise unauthenticated with the same message for an unknown user, a wrong
  // password and a disabled account. A right password forgets the pair's failures.
  Result<LoginResult> login(std::string_view username, std::string_view password,
                            std::string_view remote_address, int64_t now);
  // The user whose password this is, checked exactly as login() checks it (the same
  // throttling, refusals and work) but without opening a session: for clients that send
  // their credentials with every request (HTTP Basic, as DHIS2's clients may).
  Result<User> password_user(std::string_view username, std::string_view password,
                             std::string_view remote_address, int64_t now);
  // Seconds until a login for `username` from `remote_address` is allowed again (0: now),
  // for a Retry-After header.
  Result<int64_t> login_blocked_for(std::string_view username, std::string_view remote_address,
                                    int64_t now);
  // The session's user; extends its idle expiry. unauthenticated when the token is unknown,
  // expired, or its user disabled.
  Result<SessionInfo> session_user(std::string_view session_token, int64_t now);
  // Ends the session (nothing happens for an unknown token).
  Status logout(std::string_view session_token);
  // ok when `header_value` is the session's CSRF token (constant-time comparison);
  // permission_denied otherwise.
  static Status check_csrf(const SessionInfo& session, std::string_view header_value);

  // Issues an API token named `name` (unique among the user's active tokens).
  Result<IssuedApiToken> issue_api_token(std::string_view username, std::string_view name,
                                         int64_t now);
  // Revokes the user's active token `name`; not_found when there is none.
  Status revoke_api_token(std::string_view username, std::string_view name, int64_t now);
  // The user's active tokens, by name.
  Result<std::vector<ApiTokenInfo>> api_tokens(std::string_view username);
  // The user of an API token; unauthenticated when it is unknown, revoked, or its user
  // disabled.
  Result<TokenUser> token_user(std::string_view token, int64_t now);

 private:
  struct Hasher;
  struct VerifiedAccount {
    AccountRecord account;
    User user;
  };
  // login() and password_user(): the throttled password check, the hash upgraded to the
  // current cost, the pair's failures forgotten.
  Result<VerifiedAccount> verify_password_throttled(std::string_view username, std::string_view password,
                                                    std::string_view remote_address, int64_t now);
  Result<User> find_user_locked(std::string_view username);
  Result<std::string> hash_password(std::string_view normalized_password) const;
  LoginLimits login_limits() const;

  static constexpr int64_t kTokenCacheSeconds = 5;
  static constexpr size_t kTokenCacheEntries = 4096;

  Store& store_;
  const AccountsOptions options_;
  // API token hash → (when checked, its user), guarded by store_mutex_.
  std::unordered_map<std::string, std::pair<int64_t, TokenUser>> token_cache_;
  std::unique_ptr<Hasher> hasher_;
  std::mutex store_mutex_;  // guards every call on store_
};

}  // namespace qpan
