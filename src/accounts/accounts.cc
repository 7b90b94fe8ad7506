// Accounts: users, password logins with throttling, sessions with CSRF tokens, API tokens
// (see qpan/accounts.h). Slow work (argon2id) happens outside the store mutex; every store
// call happens inside it.
#include "qpan/accounts.h"

#include <algorithm>
#include <mutex>

#include "accounts/credentials.h"
#include "qpan/text.h"

namespace qpan {
namespace {

using accounts::PasswordCost;

constexpr size_t kMaxPasswordBytes = 1024;
constexpr size_t kMinPasswordChars = 10;
constexpr size_t kMaxDisplayNameChars = 100;
constexpr size_t kMaxAddressBytes = 128;

size_t code_points(std::string_view utf8) {
  return static_cast<size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

// The key failed logins are counted under: what was typed, ASCII lower-cased and cut to 64
// bytes, whether or not such an account exists.
std::string failure_key(std::string_view username) {
  std::string key(username.substr(0, 64));
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

Status no_such_account(std::string_view username) {
  const std::string shown = failure_key(username);
  return Status::not_found("không có tài khoản " + shown + " — no account " + shown);
}

Result<User> to_user(const AccountRecord& a) {
  Result<Role> role = parse_role(a.role);
  if (!role)
    return Status::internal("account " + a.username + " has an unknown role in the database");
  return User{a.id,         a.username, a.display_name, *role, a.scope_code,
              a.scope_at,   a.disabled, a.created_at};
}

Status wrong_credentials() {
  return Status::unauthenticated("sai tên đăng nhập hoặc mật khẩu — wrong username or password");
}

Status not_signed_in() {
  return Status::unauthenticated(
      "chưa đăng nhập hoặc phiên không hợp lệ — not signed in, or the "
      "session is not valid");
}

Status read_only_refusal() {
  return Status::read_only(
      "máy chủ chỉ đọc (bản sao dự phòng của cơ sở dữ liệu), không đăng nhập được ở đây: hãy đăng nhập qua máy chủ "
      "chính — this server is read-only (a standby of the database): log in through the primary");
}

Status throttled(int64_t seconds) {
  const std::string minutes = std::to_string((seconds + 59) / 60);
  return Status::too_many_requests("đăng nhập sai quá nhiều lần; thử lại sau " + minutes +
                                   " phút — too many failed logins; "
                                   "try again in " +
                                   minutes + " minutes");
}

// The UTC day of a Unix time: the day "today" is for the CLI and the server.
Date utc_day(int64_t unix_seconds) {
  const int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
  return from_days(static_cast<int32_t>(days));
}

// A copy of a secret that is overwritten when it goes.
struct WipedString {
  std::string text;
  ~WipedString() { accounts::wipe(text); }
};

}  // namespace

Result<std::string> normalize_username(std::string_view username) {
  if (username.size() < 3 || username.size() > 64) {
    return Status::invalid_input(
        "tên đăng nhập dài 3–64 ký tự — the username must be 3–64 "
        "characters long");
  }
  std::string out = failure_key(username);
  const bool ok = std::all_of(out.begin(), out.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
  const bool starts_well = (out[0] >= 'a' && out[0] <= 'z') || (out[0] >= '0' && out[0] <= '9');
  if (!ok || !starts_well) {
    return Status::invalid_input(
        "tên đăng nhập chỉ gồm a-z, 0-9, '.', '_', '-' và bắt đầu bằng chữ hoặc số — the "
        "username may hold only a-z, 0-9, '.', '_', '-' and starts with a letter or digit");
  }
  return out;
}

Result<std::string> normalize_display_name(std::string_view name, const std::string& username) {
  if (name.empty()) return username;
  if (find_invalid_utf8(name) != std::string_view::npos || has_control_character(name)) {
    return Status::invalid_input(
        "họ tên phải là UTF-8 và không có ký tự điều khiển — the display name must be "
        "UTF-8 without control characters");
  }
  std::string nfc = to_nfc(name);
  if (code_points(nfc) > kMaxDisplayNameChars) {
    return Status::invalid_input(
        "họ tên dài quá 100 ký tự — the display name is longer than 100 characters");
  }
  return nfc;
}

Status check_scope(std::string_view code, Date day, const OrgUnitIndex& units) {
  if (code == kWholeCountryScope || units.at(code, day) != nullptr) return Status::ok();
  const std::string shown(code);
  if (!units.knows(code)) {
    return Status::invalid_input("không có đơn vị mã \"" + shown + "\" — no unit has the code \"" +
                                 shown + "\"");
  }
  const std::string shown_day = format_date(day);
  return Status::invalid_input("đơn vị mã \"" + shown + "\" không có hiệu lực ngày " + shown_day +
                               " — no unit has the code \"" + shown + "\" on " + shown_day);
}

Status check_api_token_name(std::string_view name) {
  const bool ok =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
      });
  if (ok) return Status::ok();
  return Status::invalid_input(
      "tên mã truy cập gồm 1–64 ký tự a-z, A-Z, 0-9, '.', '_', '-' — the token name must be "
      "1–64 characters of a-z, A-Z, 0-9, '.', '_', '-'");
}

Result<std::string> normalize_password(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return Status::invalid_input(
        "mật khẩu dài quá 1024 byte — the password is longer than 1024 bytes");
  }
  if (find_invalid_utf8(password) != std::string_view::npos) {
    return Status::invalid_input(
        "mật khẩu không phải UTF-8 hợp lệ — the password is not valid UTF-8");
  }
  std::string nfc = to_nfc(password);
  if (code_points(nfc) < kMinPasswordChars) {
    accounts::wipe(nfc);
    return Status::invalid_input(
        "mật khẩu quá ngắn: cần ít nhất 10 ký tự — the password is too short: "
        "at least 10 characters");
  }
  return nfc;
}

// The dummy hash that an unknown username is checked against, made once at first need.
struct Accounts::Hasher {
  PasswordCost cost;
  std::once_flag dummy_once;
  std::string dummy_hash;

  const std::string& dummy() {
    std::call_once(dummy_once, [this] {
      Result<std::string> h = accounts::hash_password(accounts::random_token(), cost);
      if (h) dummy_hash = std::move(*h);
    });
    return dummy_hash;
  }
};

Accounts::Accounts(Store& store, AccountsOptions options)
    : store_(store), options_(options), hasher_(std::make_unique<Hasher>()) {
  accounts::ensure_sodium();
  hasher_->cost =
      accounts::effective_cost({options_.password_opslimit, options_.password_memlimit});
}

Accounts::~Accounts() = default;

Result<std::string> Accounts::hash_password(std::string_view normalized_password) const {
  return accounts::hash_password(normalized_password, hasher_->cost);
}

Result<User> Accounts::add_user(const NewUser& user, std::string_view password,
                                const OrgUnitIndex& units, int64_t now) {
  Result<std::string> username = normalize_username(user.username);
  if (!username) return username.status();
  Result<std::string> display = normalize_display_name(user.display_name, *username);
  if (!display) return display.status();
  const Date scope_at = user.scope_at.value_or(utc_day(now));
  QPAN_RETURN_IF_ERROR(check_scope(user.scope_code, scope_at, units));
  Result<std::string> normalized = normalize_password(password);
  if (!normalized) return normalized.status();
  WipedString secret{std::move(*normalized)};
  {
    // Fail before the slow hash when the name is taken (add_account checks again).
    std::lock_guard lock(store_mutex_);
    Result<std::optional<AccountRecord>> existing = store_.find_account(*username);
    if (!existing) return existing.status();
    if (*existing) {
      return Status::conflict("tên đăng nhập " + *username + " đã có — username " + *username +
                              " is taken");
    }
  }
  Result<std::string> hash = hash_password(secret.text);
  if (!hash) return hash.status();
  AccountRecord record{0,
                       *username,
                       *display,
                       std::string(role_name(user.role)),
                       user.scope_code,
                       scope_at,
                       std::move(*hash),
                       false,
                       now};
  std::lock_guard lock(store_mutex_);
  Result<int64_t> id = store_.add_account(record);
  if (!id) return id.status();
  record.id = *id;
  return to_user(record);
}

Result<User> Accounts::find_user_locked(std::string_view username) {
  Result<std::string> canonical = normalize_username(username);
  if (!canonical) return no_such_account(username);
  Result<std::optional<AccountRecord>> found = store_.find_account(*canonical);
  if (!found) return found.status();
  if (!*found) return no_such_account(username);
  return to_user(**found);
}

Result<User> Accounts::find_user(std::string_view username) {
  std::lock_guard lock(store_mutex_);
  return find_user_locked(username);
}

Result<std::vector<User>> Accounts::list_users() {
  std::lock_guard lock(store_mutex_);
  Result<std::vector<AccountRecord>> records = store_.list_accounts();
  if (!records) return records.status();
  std::vector<User> out;
  for (const AccountRecord& r : *records) {
    Result<User> u = to_user(r);
    if (!u) return u.status();
    out.push_back(std::move(*u));
  }
  return out;
}

Status Accounts::set_password(std::string_view username, std::string_view password) {
  int64_t id = 0;
  {
    std::lock_guard lock(store_mutex_);
    Result<User> user = find_user_locked(username);
    if (!user) return user.status();
    id = user->id;
  }
  Result<std::string> normalized = normalize_password(password);
  if (!normalized) return normalized.status();
  WipedString secret{std::move(*normalized)};
  Result<std::string> hash = hash_password(secret.text);
  if (!hash) return hash.status();
  std::lock_guard lock(store_mutex_);
  Result<std::optional<AccountRecord>> found = store_.account_by_id(id);
  if (!found) return found.status();
  if (!*found) return no_such_account(username);
  AccountRecord record = std::move(**found);
  record.password_hash = std::move(*hash);
  return store_.update_account(record, /*end_sessions=*/true);
}

Status Accounts::set_disabled(std::string_view username, bool disabled) {
  std::lock_guard lock(store_mutex_);
  token_cache_.clear();
  Result<User> user = find_user_locked(username);
  if (!user) return user.status();
  Result<std::optional<AccountRecord>> found = store_.account_by_id(user->id);
  if (!found) return found.status();
  if (!*found) return no_such_account(username);
  AccountRecord record = std::move(**found);
  record.disabled = disabled;
  return store_.update_account(record, /*end_sessions=*/disabled);
}

Result<Accounts::VerifiedAccount> Accounts::verify_password_throttled(std::string_view username,
                                                                      std::string_view password,
                                                                      std::string_view remote_address, int64_t now) {
  // A login is recorded (throttling, then the session): none over a read-only database.
  if (options_.read_only) return read_only_refusal();
  const std::string key = failure_key(username);
  const std::string address(remote_address.substr(0, kMaxAddressBytes));
  std::optional<AccountRecord> account;
  {
    std::lock_guard lock(store_mutex_);
    // Decided and recorded in one store transaction: refused before the password is looked
    // at (nothing to learn from the answer or its time), or counted as a failure until the
    // password proves right.
    Result<LoginAttempt> attempt = store_.begin_login_attempt(key, address, now, login_limits());
    if (!attempt) return attempt.status();
    if (!attempt->allowed) return throttled(attempt->blocked_until - now);
    if (normalize_username(username)) {
      Result<std::optional<AccountRecord>> found = store_.find_account(key);
      if (!found) return found.status();
      account = std::move(*found);
    }
  }

  // The same argon2id work whether or not the account exists, is enabled, or the password is
  // well-formed.
  const bool well_formed =
      password.size() <= kMaxPasswordBytes && find_invalid_utf8(password) == std::string_view::npos;
  WipedString candidate{well_formed ? to_nfc(password)
                                    : std::string(password.substr(0, kMaxPasswordBytes))};
  const std::string& hash = account ? account->password_hash : hasher_->dummy();
  const bool password_ok = accounts::verify_password(hash, candidate.text);
  // The attempt stays recorded as a failure.
  if (!password_ok || !well_formed || !account || account->disabled) return wrong_credentials();

  Result<User> user = to_user(*account);
  if (!user) return user.status();
  std::optional<std::string> new_hash;
  if (accounts::needs_rehash(account->password_hash, hasher_->cost)) {
    Result<std::string> h = hash_password(candidate.text);
    if (h) new_hash = std::move(*h);  // otherwise keep the old one: the login itself is fine
  }
  std::lock_guard lock(store_mutex_);
  if (new_hash) {
    AccountRecord upgraded = *account;
    upgraded.password_hash = std::move(*new_hash);
    QPAN_RETURN_IF_ERROR(store_.update_account(upgraded, /*end_sessions=*/false));
  }
  QPAN_RETURN_IF_ERROR(store_.clear_login_failures(key, address));
  return VerifiedAccount{std::move(*account), std::move(*user)};
}

Result<LoginResult> Accounts::login(std::string_view username, std::string_view password,
                                    std::string_view remote_address, int64_t now) {
  Result<VerifiedAccount> verified = verify_password_throttled(username, password, remote_address, now);
  if (!verified) return verified.status();
  LoginResult result;
  result.session_token = accounts::random_token();
  result.csrf_token = accounts::csrf_token_for(result.session_token);
  result.user = std::move(verified->user);
  result.expires_at = now + options_.session_lifetime_seconds;
  result.idle_expires_at = std::min(now + options_.session_idle_seconds, result.expires_at);
  SessionRecord session{0,   accounts::token_hash(result.session_token), verified->account.id, now, now,
                        result.expires_at, std::string(remote_address.substr(0, kMaxAddressBytes))};
  std::lock_guard lock(store_mutex_);
  QPAN_RETURN_IF_ERROR(store_.delete_expired_sessions(now - options_.session_idle_seconds, now));
  QPAN_RETURN_IF_ERROR(store_.add_session(session));
  return result;
}

Result<User> Accounts::password_user(std::string_view username, std::string_view password,
                                     std::string_view remote_address, int64_t now) {
  Result<VerifiedAccount> verified = verify_password_throttled(username, password, remote_address, now);
  if (!verified) return verified.status();
  return std::move(verified->user);
}

Result<int64_t> Accounts::login_blocked_for(std::string_view username,
                                            std::string_view remote_address, int64_t now) {
  const std::string address(remote_address.substr(0, kMaxAddressBytes));
  std::lock_guard lock(store_mutex_);
  Result<int64_t> until =
      store_.login_blocked_until(failure_key(username), address, now, login_limits());
  if (!until) return until.status();
  return std::max<int64_t>(0, *until - now);
}

LoginLimits Accounts::login_limits() const {
  return {options_.pair_failure_limit, options_.address_failure_limit,
          options_.account_failure_limit, options_.failure_window_seconds,
          options_.lockout_seconds};
}

Result<SessionInfo> Accounts::session_user(std::string_view session_token, int64_t now) {
  if (!accounts::is_token_text(session_token)) return not_signed_in();
  const std::string hash = accounts::token_hash(session_token);
  std::lock_guard lock(store_mutex_);
  Result<std::optional<SessionRecord>> found = store_.find_session(hash);
  if (!found) return found.status();
  if (!*found) return not_signed_in();
  SessionRecord& session = **found;
  // Read-only: an ended session is refused but left for the primary to delete; its last use
  // is not written, so the idle expiry counts from the last use the primary saw.
  if (now >= session.last_seen_at + options_.session_idle_seconds || now >= session.expires_at) {
    if (!options_.read_only) QPAN_RETURN_IF_ERROR(store_.delete_session(hash));
    return Status::unauthenticated("phiên đăng nhập đã hết hạn — the session has expired");
  }
  Result<std::optional<AccountRecord>> account = store_.account_by_id(session.user_id);
  if (!account) return account.status();
  if (!*account || (*account)->disabled) {
    if (!options_.read_only) QPAN_RETURN_IF_ERROR(store_.delete_session(hash));
    return not_signed_in();
  }
  if (!options_.read_only && now - session.last_seen_at >= options_.session_touch_seconds) {
    QPAN_RETURN_IF_ERROR(store_.touch_session(session.id, now));
    session.last_seen_at = now;
  }
  Result<User> user = to_user(**account);
  if (!user) return user.status();
  SessionInfo info;
  info.user = std::move(*user);
  info.csrf_token = accounts::csrf_token_for(session_token);
  info.created_at = session.created_at;
  info.expires_at = session.expires_at;
  info.idle_expires_at =
      std::min(session.last_seen_at + options_.session_idle_seconds, session.expires_at);
  return info;
}

Status Accounts::logout(std::string_view session_token) {
  if (!accounts::is_token_text(session_token)) return Status::ok();
  const std::string hash = accounts::token_hash(session_token);
  std::lock_guard lock(store_mutex_);
  return store_.delete_session(hash);
}

Status Accounts::check_csrf(const SessionInfo& session, std::string_view header_value) {
  if (!session.csrf_token.empty() && accounts::equal_secrets(session.csrf_token, header_value)) {
    return Status::ok();
  }
  return Status::permission_denied(
      "thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF) — missing or "
      "wrong CSRF token");
}

Result<IssuedApiToken> Accounts::issue_api_token(std::string_view username, std::string_view name,
                                                 int64_t now) {
  QPAN_RETURN_IF_ERROR(check_api_token_name(name));
  std::lock_guard lock(store_mutex_);
  Result<User> user = find_user_locked(username);
  if (!user) return user.status();
  if (user->disabled) {
    return Status::invalid_input("tài khoản " + user->username + " đã bị vô hiệu hoá — account " +
                                 user->username + " is disabled");
  }
  IssuedApiToken issued;
  issued.token = std::string(accounts::kApiTokenPrefix) + accounts::random_token();
  issued.info.name = std::string(name);
  issued.info.created_at = now;
  QPAN_RETURN_IF_ERROR(store_.add_api_token(
      ApiTokenRecord{0, accounts::token_hash(issued.token), user->id, issued.info.name, now, {}}));
  return issued;
}

Status Accounts::revoke_api_token(std::string_view username, std::string_view name, int64_t now) {
  std::lock_guard lock(store_mutex_);
  token_cache_.clear();
  Result<User> user = find_user_locked(username);
  if (!user) return user.status();
  Result<bool> revoked = store_.revoke_api_token(user->id, name, now);
  if (!revoked) return revoked.status();
  if (!*revoked) {
    const std::string n(name);
    return Status::not_found("tài khoản " + user->username + " không có mã truy cập " + n +
                             " — account " + user->username + " has no active token named " + n);
  }
  return Status::ok();
}

Result<std::vector<ApiTokenInfo>> Accounts::api_tokens(std::string_view username) {
  std::lock_guard lock(store_mutex_);
  Result<User> user = find_user_locked(username);
  if (!user) return user.status();
  Result<std::vector<ApiTokenRecord>> records = store_.api_tokens(user->id);
  if (!records) return records.status();
  std::vector<ApiTokenInfo> out;
  for (const ApiTokenRecord& r : *records) out.push_back({r.name, r.created_at, r.last_used_at});
  return out;
}

Result<TokenUser> Accounts::token_user(std::string_view token, int64_t now) {
  const auto invalid = [] {
    return Status::unauthenticated(
        "mã truy cập không hợp lệ hoặc đã bị thu hồi — the API token is "
        "not valid or was revoked");
  };
  if (!token.starts_with(accounts::kApiTokenPrefix) ||
      !accounts::is_token_text(token.substr(accounts::kApiTokenPrefix.size()))) {
    return invalid();
  }
  const std::string hash = accounts::token_hash(token);
  std::lock_guard lock(store_mutex_);
  // A machine calls many times a second: answer from memory for a few seconds. Revoking or
  // disabling through this object clears the cache at once; through another process (the
  // CLI beside a running server) it takes effect within kTokenCacheSeconds.
  if (auto cached = token_cache_.find(hash);
      cached != token_cache_.end() && now >= cached->second.first && now - cached->second.first < kTokenCacheSeconds) {
    return cached->second.second;
  }
  Result<std::optional<ApiTokenRecord>> found = store_.find_api_token(hash);
  if (!found) return found.status();
  if (!*found) return invalid();
  Result<std::optional<AccountRecord>> account = store_.account_by_id((*found)->user_id);
  if (!account) return account.status();
  if (!*account || (*account)->disabled) return invalid();
  if (!options_.read_only &&
      (!(*found)->last_used_at || now - *(*found)->last_used_at >= options_.session_touch_seconds)) {
    QPAN_RETURN_IF_ERROR(store_.touch_api_token((*found)->id, now));
  }
  Result<User> user = to_user(**account);
  if (!user) return user.status();
  TokenUser out{std::move(*user), (*found)->name};
  if (token_cache_.size() >= kTokenCacheEntries) token_cache_.clear();
  token_cache_[hash] = {now, out};
  return out;
}

}  // namespace qpan
