// The accounts concern of the SQLite store (see qpan/account_store.h): accounts, sessions,
// API tokens (hashes only) and failed logins.
#include <algorithm>
#include <vector>

#include <boost/json.hpp>

#include "qpan/store.h"
#include "store/account_log.h"
#include "store/sqlite.h"
#include "store/sqlite_stores.h"

namespace qpan::sqlite {

using store_detail::account_json;
using store_detail::account_update_json;

Result<int64_t> SqliteAccountStore::add_account(const AccountRecord& a) {
  Transaction tx(db_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  auto stmt = db_.prepare(
      "INSERT INTO user_account (username, display_name, role, scope_code, password_hash, "
      "disabled, created_at, scope_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT DO NOTHING");
  if (!stmt) return stmt.status();
  stmt->bind(1, a.username);
  stmt->bind(2, a.display_name);
  stmt->bind(3, a.role);
  stmt->bind(4, a.scope_code);
  stmt->bind(5, a.password_hash);
  stmt->bind(6, static_cast<int64_t>(a.disabled));
  stmt->bind(7, a.created_at);
  stmt->bind(8, format_date(a.scope_at));
  QPAN_RETURN_IF_ERROR(stmt->run());
  if (db_.changes() == 0) {
    return Status::conflict("tên đăng nhập " + a.username + " đã có — username " + a.username +
                            " is taken");
  }
  const int64_t id = db_.last_insert_rowid();
  QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kAccount, "", "account/" + a.username, std::nullopt, account_json(a)));
  QPAN_RETURN_IF_ERROR(tx.commit());
  return id;
}

Result<std::optional<AccountRecord>> SqliteAccountStore::find_account(std::string_view username) {
  return one_account("WHERE username = ?1", [&](Statement& s) { s.bind(1, username); });
}

Result<std::optional<AccountRecord>> SqliteAccountStore::account_by_id(int64_t id) {
  return one_account("WHERE id = ?1", [&](Statement& s) { s.bind(1, id); });
}

Result<std::vector<AccountRecord>> SqliteAccountStore::list_accounts() {
  return accounts("ORDER BY username", [](Statement&) {});
}

Status SqliteAccountStore::update_account(const AccountRecord& a, bool end_sessions) {
  Transaction tx(db_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  Result<std::optional<AccountRecord>> before = account_by_id(a.id);
  if (!before) return before.status();
  auto update = db_.prepare(
      "UPDATE user_account SET display_name = ?2, role = ?3, scope_code = ?4, "
      "password_hash = ?5, disabled = ?6, scope_at = ?7 WHERE id = ?1");
  if (!update) return update.status();
  update->bind(1, a.id);
  update->bind(2, a.display_name);
  update->bind(3, a.role);
  update->bind(4, a.scope_code);
  update->bind(5, a.password_hash);
  update->bind(6, static_cast<int64_t>(a.disabled));
  update->bind(7, format_date(a.scope_at));
  QPAN_RETURN_IF_ERROR(update->run());
  if (db_.changes() == 0) return Status::not_found("no account with id " + std::to_string(a.id));
  if (end_sessions) {
    auto end = db_.prepare("DELETE FROM user_session WHERE user_id = ?1");
    if (!end) return end.status();
    end->bind(1, a.id);
    QPAN_RETURN_IF_ERROR(end->run());
  }
  if (*before) {
    QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kAccount, "", "account/" + (*before)->username,
                                     account_json(**before), account_update_json(**before, a)));
  }
  return tx.commit();
}

Status SqliteAccountStore::add_session(const SessionRecord& s) {
  auto stmt = db_.prepare(
      "INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at, expires_at, "
      "remote_address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!stmt) return stmt.status();
  stmt->bind(1, s.token_hash);
  stmt->bind(2, s.user_id);
  stmt->bind(3, s.created_at);
  stmt->bind(4, s.last_seen_at);
  stmt->bind(5, s.expires_at);
  stmt->bind(6, s.remote_address);
  return stmt->run();
}

Result<std::optional<SessionRecord>> SqliteAccountStore::find_session(std::string_view token_hash) {
  auto stmt = db_.prepare(
      "SELECT id, token_hash, user_id, created_at, last_seen_at, expires_at, remote_address "
      "FROM user_session WHERE token_hash = ?1");
  if (!stmt) return stmt.status();
  stmt->bind(1, token_hash);
  if (!stmt->step()) {
    QPAN_RETURN_IF_ERROR(stmt->status());
    return std::optional<SessionRecord>();
  }
  SessionRecord s;
  s.id = stmt->column_int(0);
  s.token_hash = stmt->column_text(1);
  s.user_id = stmt->column_int(2);
  s.created_at = stmt->column_int(3);
  s.last_seen_at = stmt->column_int(4);
  s.expires_at = stmt->column_int(5);
  s.remote_address = stmt->column_text(6);
  return std::optional<SessionRecord>(std::move(s));
}

Status SqliteAccountStore::touch_session(int64_t session_id, int64_t last_seen_at) {
  auto stmt = db_.prepare("UPDATE user_session SET last_seen_at = ?2 WHERE id = ?1");
  if (!stmt) return stmt.status();
  stmt->bind(1, session_id);
  stmt->bind(2, last_seen_at);
  return stmt->run();
}

Status SqliteAccountStore::delete_session(std::string_view token_hash) {
  auto stmt = db_.prepare("DELETE FROM user_session WHERE token_hash = ?1");
  if (!stmt) return stmt.status();
  stmt->bind(1, token_hash);
  return stmt->run();
}

Status SqliteAccountStore::delete_expired_sessions(int64_t idle_before, int64_t now) {
  auto stmt = db_.prepare("DELETE FROM user_session WHERE last_seen_at < ?1 OR expires_at <= ?2");
  if (!stmt) return stmt.status();
  stmt->bind(1, idle_before);
  stmt->bind(2, now);
  return stmt->run();
}

Status SqliteAccountStore::add_api_token(const ApiTokenRecord& t) {
  auto stmt = db_.prepare(
      "INSERT INTO api_token (token_hash, user_id, name, created_at) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT DO NOTHING");
  if (!stmt) return stmt.status();
  stmt->bind(1, t.token_hash);
  stmt->bind(2, t.user_id);
  stmt->bind(3, t.name);
  stmt->bind(4, t.created_at);
  QPAN_RETURN_IF_ERROR(stmt->run());
  if (db_.changes() == 0) {
    return Status::conflict("đã có mã truy cập tên " + t.name + " — an active token named " +
                            t.name + " exists");
  }
  return Status::ok();
}

Result<std::optional<ApiTokenRecord>> SqliteAccountStore::find_api_token(std::string_view token_hash) {
  Result<std::vector<ApiTokenRecord>> found =
      api_token_rows("WHERE token_hash = ?1 AND revoked_at IS NULL",
                     [&](Statement& s) { s.bind(1, token_hash); });
  if (!found) return found.status();
  if (found->empty()) return std::optional<ApiTokenRecord>();
  return std::optional<ApiTokenRecord>(std::move(found->front()));
}

Result<std::vector<ApiTokenRecord>> SqliteAccountStore::api_tokens(int64_t user_id) {
  return api_token_rows("WHERE user_id = ?1 AND revoked_at IS NULL ORDER BY name",
                        [&](Statement& s) { s.bind(1, user_id); });
}

Result<bool> SqliteAccountStore::revoke_api_token(int64_t user_id, std::string_view name, int64_t at) {
  auto stmt = db_.prepare(
      "UPDATE api_token SET revoked_at = ?3 WHERE user_id = ?1 AND name = ?2 "
      "AND revoked_at IS NULL");
  if (!stmt) return stmt.status();
  stmt->bind(1, user_id);
  stmt->bind(2, name);
  stmt->bind(3, at);
  QPAN_RETURN_IF_ERROR(stmt->run());
  return db_.changes() > 0;
}

Status SqliteAccountStore::touch_api_token(int64_t token_id, int64_t last_used_at) {
  auto stmt = db_.prepare("UPDATE api_token SET last_used_at = ?2 WHERE id = ?1");
  if (!stmt) return stmt.status();
  stmt->bind(1, token_id);
  stmt->bind(2, last_used_at);
  return stmt->run();
}

Result<int64_t> SqliteAccountStore::login_blocked_until(std::string_view username,
                                                        std::string_view address, int64_t now,
                                                        const LoginLimits& limits) {
  // Older failures cannot be part of a run whose lockout lasts until now.
  const int64_t since = now - limits.window_seconds - limits.lockout_seconds;
  struct Count {
    const char* sql;
    int limit;
  };
  const Count counts[] = {
      {"SELECT failed_at FROM login_failure WHERE username = ?1 AND address = ?2 "
       "AND failed_at >= ?3 ORDER BY failed_at",
       limits.pair_limit},
      {"SELECT failed_at FROM login_failure WHERE address = ?2 AND failed_at >= ?3 "
       "ORDER BY failed_at",
       limits.address_limit},
      {"SELECT failed_at FROM login_failure WHERE username = ?1 AND failed_at >= ?3 "
       "ORDER BY failed_at",
       limits.account_limit},
  };
  int64_t until = 0;
  std::vector<int64_t> times;
  for (const Count& count : counts) {
    auto stmt = db_.prepare(count.sql);
    if (!stmt) return stmt.status();
    stmt->bind(1, username);
    stmt->bind(2, address);
    stmt->bind(3, since);
    times.clear();
    while (stmt->step()) times.push_back(stmt->column_int(0));
    QPAN_RETURN_IF_ERROR(stmt->status());
    until = std::max(until, failures_block_until(times, count.limit, limits));
  }
  return until;
}

Result<LoginAttempt> SqliteAccountStore::begin_login_attempt(std::string_view username,
                                                             std::string_view address, int64_t now,
                                                             const LoginLimits& limits) {
  // BEGIN IMMEDIATE: the write lock first, so another connection's attempt waits here
  // instead of reading the same count.
  Transaction tx(db_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  auto forget = db_.prepare("DELETE FROM login_failure WHERE failed_at < ?1");
  if (!forget) return forget.status();
  forget->bind(1, now - limits.window_seconds - limits.lockout_seconds);
  QPAN_RETURN_IF_ERROR(forget->run());
  Result<int64_t> until = login_blocked_until(username, address, now, limits);
  if (!until) return until.status();
  LoginAttempt attempt;
  if (*until > now) {
    attempt.blocked_until = *until;
  } else {
    auto add = db_.prepare(
        "INSERT INTO login_failure (username, address, failed_at) VALUES (?1, ?2, ?3)");
    if (!add) return add.status();
    add->bind(1, username);
    add->bind(2, address);
    add->bind(3, now);
    QPAN_RETURN_IF_ERROR(add->run());
    attempt.allowed = true;
  }
  QPAN_RETURN_IF_ERROR(tx.commit());
  return attempt;
}

Status SqliteAccountStore::clear_login_failures(std::string_view username, std::string_view address) {
  auto stmt = db_.prepare("DELETE FROM login_failure WHERE username = ?1 AND address = ?2");
  if (!stmt) return stmt.status();
  stmt->bind(1, username);
  stmt->bind(2, address);
  return stmt->run();
}

template <typename Bind>
Result<std::vector<AccountRecord>> SqliteAccountStore::accounts(const std::string& where, Bind&& bind) {
  auto stmt = db_.prepare(
      "SELECT id, username, display_name, role, scope_code, password_hash, disabled, created_at, "
      "scope_at FROM user_account " + where);
  if (!stmt) return stmt.status();
  bind(*stmt);
  std::vector<AccountRecord> out;
  while (stmt->step()) {
    AccountRecord a;
    a.id = stmt->column_int(0);
    a.username = stmt->column_text(1);
    a.display_name = stmt->column_text(2);
    a.role = stmt->column_text(3);
    a.scope_code = stmt->column_text(4);
    a.password_hash = stmt->column_text(5);
    a.disabled = stmt->column_int(6) != 0;
    a.created_at = stmt->column_int(7);
    Result<Date> scope_at = parse_date(stmt->column_text(8));
    if (!scope_at) {
      return Status::internal("account " + a.username + " has no valid scope date in the database");
    }
    a.scope_at = *scope_at;
    out.push_back(std::move(a));
  }
  QPAN_RETURN_IF_ERROR(stmt->status());
  return out;
}

template <typename Bind>
Result<std::optional<AccountRecord>> SqliteAccountStore::one_account(const std::string& where, Bind&& bind) {
  Result<std::vector<AccountRecord>> found = accounts(where, std::forward<Bind>(bind));
  if (!found) return found.status();
  if (found->empty()) return std::optional<AccountRecord>();
  return std::optional<AccountRecord>(std::move(found->front()));
}

template <typename Bind>
Result<std::vector<ApiTokenRecord>> SqliteAccountStore::api_token_rows(const std::string& where, Bind&& bind) {
  auto stmt = db_.prepare(
      "SELECT id, token_hash, user_id, name, created_at, last_used_at FROM api_token " + where);
  if (!stmt) return stmt.status();
  bind(*stmt);
  std::vector<ApiTokenRecord> out;
  while (stmt->step()) {
    ApiTokenRecord t;
    t.id = stmt->column_int(0);
    t.token_hash = stmt->column_text(1);
    t.user_id = stmt->column_int(2);
    t.name = stmt->column_text(3);
    t.created_at = stmt->column_int(4);
    if (!stmt->column_is_null(5)) t.last_used_at = stmt->column_int(5);
    out.push_back(std::move(t));
  }
  QPAN_RETURN_IF_ERROR(stmt->status());
  return out;
}

}  // namespace qpan::sqlite
