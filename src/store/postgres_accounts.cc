// The accounts concern of the PostgreSQL store (see qpan/account_store.h): accounts,
// sessions, API tokens (hashes only) and failed logins.
#include <algorithm>
#include <vector>

#include <boost/json.hpp>

#include "store/account_log.h"
#include "store/postgres_stores.h"

namespace qpan::postgres {

using store_detail::account_json;
using store_detail::account_update_json;

namespace {

constexpr std::string_view kAccountColumns =
    "SELECT id, username, display_name, role, scope_code, password_hash, disabled, created_at, scope_at "
    "FROM user_account ";

}  // namespace

Result<int64_t> PostgresAccountStore::add_account(const AccountRecord& a) {
  WriteTransaction tx(db_, log_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  Result<Rows> added = db_.query(
      "INSERT INTO user_account (id, username, display_name, role, scope_code, password_hash, disabled, "
      "created_at, scope_at) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM user_account), $1, $2, $3, $4, $5, $6, "
      "$7, $8) ON CONFLICT DO NOTHING RETURNING id",
      Params().add(a.username).add(a.display_name).add(a.role).add(a.scope_code).add(a.password_hash)
          .add(a.disabled).add(a.created_at).add(format_date(a.scope_at)));
  if (!added) return added.status();
  if (added->empty()) {
    return Status::conflict("tên đăng nhập " + a.username + " đã có — username " + a.username + " is taken");
  }
  const int64_t id = added->get_int(0, 0);
  QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kAccount, "", "account/" + a.username, std::nullopt, account_json(a)));
  QPAN_RETURN_IF_ERROR(tx.commit());
  return id;
}

Result<std::optional<AccountRecord>> PostgresAccountStore::find_account(std::string_view username) {
  return one_account("WHERE username = $1", Params().add(username));
}

Result<std::optional<AccountRecord>> PostgresAccountStore::account_by_id(int64_t id) {
  return one_account("WHERE id = $1", Params().add(id));
}

Result<std::vector<AccountRecord>> PostgresAccountStore::list_accounts() {
  return accounts("ORDER BY username COLLATE \"C\"", Params());
}

Status PostgresAccountStore::update_account(const AccountRecord& a, bool end_sessions) {
  WriteTransaction tx(db_, log_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  Result<std::optional<AccountRecord>> before = account_by_id(a.id);
  if (!before) return before.status();
  Result<int64_t> updated = db_.run(
      "UPDATE user_account SET display_name = $2, role = $3, scope_code = $4, password_hash = $5, disabled = $6, "
      "scope_at = $7 WHERE id = $1",
      Params().add(a.id).add(a.display_name).add(a.role).add(a.scope_code).add(a.password_hash).add(a.disabled)
          .add(format_date(a.scope_at)));
  if (!updated) return updated.status();
  if (*updated == 0) return Status::not_found("no account with id " + std::to_string(a.id));
  if (end_sessions) {
    Result<int64_t> ended = db_.run("DELETE FROM user_session WHERE user_id = $1", Params().add(a.id));
    if (!ended) return ended.status();
  }
  if (*before) {
    QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kAccount, "", "account/" + (*before)->username,
                                     account_json(**before), account_update_json(**before, a)));
  }
  return tx.commit();
}

Status PostgresAccountStore::add_session(const SessionRecord& s) {
  return db_.run(
                "INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at, expires_at, remote_address) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                Params().add(s.token_hash).add(s.user_id).add(s.created_at).add(s.last_seen_at).add(s.expires_at)
                    .add(s.remote_address))
      .status();
}

Result<std::optional<SessionRecord>> PostgresAccountStore::find_session(std::string_view token_hash) {
  Result<Rows> rows = db_.query(
      "SELECT id, token_hash, user_id, created_at, last_seen_at, expires_at, remote_address FROM user_session "
      "WHERE token_hash = $1",
      Params().add(token_hash));
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<SessionRecord>();
  SessionRecord s;
  s.id = rows->get_int(0, 0);
  s.token_hash = rows->get_text(0, 1);
  s.user_id = rows->get_int(0, 2);
  s.created_at = rows->get_int(0, 3);
  s.last_seen_at = rows->get_int(0, 4);
  s.expires_at = rows->get_int(0, 5);
  s.remote_address = rows->get_text(0, 6);
  return std::optional<SessionRecord>(std::move(s));
}

Status PostgresAccountStore::touch_session(int64_t session_id, int64_t last_seen_at) {
  return db_.run("UPDATE user_session SET last_seen_at = $2 WHERE id = $1", Params().add(session_id).add(last_seen_at))
      .status();
}

Status PostgresAccountStore::delete_session(std::string_view token_hash) {
  return db_.run("DELETE FROM user_session WHERE token_hash = $1", Params().add(token_hash)).status();
}

Status PostgresAccountStore::delete_expired_sessions(int64_t idle_before, int64_t now) {
  return db_.run("DELETE FROM user_session WHERE last_seen_at < $1 OR expires_at <= $2",
                 Params().add(idle_before).add(now))
      .status();
}

Status PostgresAccountStore::add_api_token(const ApiTokenRecord& t) {
  Result<int64_t> added = db_.run(
      "INSERT INTO api_token (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
      Params().add(t.token_hash).add(t.user_id).add(t.name).add(t.created_at));
  if (!added) return added.status();
  if (*added == 0) {
    return Status::conflict("đã có mã truy cập tên " + t.name + " — an active token named " + t.name + " exists");
  }
  return Status::ok();
}

Result<std::optional<ApiTokenRecord>> PostgresAccountStore::find_api_token(std::string_view token_hash) {
  Result<std::vector<ApiTokenRecord>> found =
      api_token_rows("WHERE token_hash = $1 AND revoked_at IS NULL", Params().add(token_hash));
  if (!found) return found.status();
  if (found->empty()) return std::optional<ApiTokenRecord>();
  return std::optional<ApiTokenRecord>(std::move(found->front()));
}

Result<std::vector<ApiTokenRecord>> PostgresAccountStore::api_tokens(int64_t user_id) {
  return api_token_rows("WHERE user_id = $1 AND revoked_at IS NULL ORDER BY name COLLATE \"C\"",
                        Params().add(user_id));
}

Result<bool> PostgresAccountStore::revoke_api_token(int64_t user_id, std::string_view name, int64_t at) {
  Result<int64_t> revoked = db_.run(
      "UPDATE api_token SET revoked_at = $3 WHERE user_id = $1 AND name = $2 AND revoked_at IS NULL",
      Params().add(user_id).add(name).add(at));
  if (!revoked) return revoked.status();
  return *revoked > 0;
}

Status PostgresAccountStore::touch_api_token(int64_t token_id, int64_t last_used_at) {
  return db_.run("UPDATE api_token SET last_used_at = $2 WHERE id = $1", Params().add(token_id).add(last_used_at))
      .status();
}

Result<int64_t> PostgresAccountStore::login_blocked_until(std::string_view username, std::string_view address,
                                                          int64_t now, const LoginLimits& limits) {
  // Older failures cannot be part of a run whose lockout lasts until now.
  const int64_t since = now - limits.window_seconds - limits.lockout_seconds;
  struct Count {
    const char* sql;
    int limit;
  };
  // Each statement uses every parameter, so that their types are known ($1, $2 text).
  const Count counts[] = {
      {"SELECT failed_at FROM login_failure WHERE username = $1 AND address = $2 AND failed_at >= $3 "
       "ORDER BY failed_at",
       limits.pair_limit},
      {"SELECT failed_at FROM login_failure WHERE address = $2 AND failed_at >= $3 AND $1::text IS NOT NULL "
       "ORDER BY failed_at",
       limits.address_limit},
      {"SELECT failed_at FROM login_failure WHERE username = $1 AND failed_at >= $3 AND $2::text IS NOT NULL "
       "ORDER BY failed_at",
       limits.account_limit},
  };
  int64_t until = 0;
  std::vector<int64_t> times;
  for (const Count& count : counts) {
    Result<Rows> rows = db_.query(count.sql, Params().add(username).add(address).add(since));
    if (!rows) return rows.status();
    times.clear();
    for (int r = 0; r < rows->size(); ++r) times.push_back(rows->get_int(r, 0));
    until = std::max(until, failures_block_until(times, count.limit, limits));
  }
  return until;
}

Result<LoginAttempt> PostgresAccountStore::begin_login_attempt(std::string_view username, std::string_view address,
                                                               int64_t now, const LoginLimits& limits) {
  // The writers' lock first (WriteTransaction), so another connection's attempt waits here
  // instead of reading the same count.
  WriteTransaction tx(db_, log_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  Result<int64_t> forgotten = db_.run("DELETE FROM login_failure WHERE failed_at < $1",
                                      Params().add(now - limits.window_seconds - limits.lockout_seconds));
  if (!forgotten) return forgotten.status();
  Result<int64_t> until = login_blocked_until(username, address, now, limits);
  if (!until) return until.status();
  LoginAttempt attempt;
  if (*until > now) {
    attempt.blocked_until = *until;
  } else {
    Result<int64_t> added = db_.run("INSERT INTO login_failure (username, address, failed_at) VALUES ($1, $2, $3)",
                                    Params().add(username).add(address).add(now));
    if (!added) return added.status();
    attempt.allowed = true;
  }
  QPAN_RETURN_IF_ERROR(tx.commit());
  return attempt;
}

Status PostgresAccountStore::clear_login_failures(std::string_view username, std::string_view address) {
  return db_.run("DELETE FROM login_failure WHERE username = $1 AND address = $2", Params().add(username).add(address))
      .status();
}

Result<std::vector<AccountRecord>> PostgresAccountStore::accounts(const std::string& where, const Params& params) {
  Result<Rows> rows = db_.query(std::string(kAccountColumns) + where, params);
  if (!rows) return rows.status();
  std::vector<AccountRecord> out;
  for (int r = 0; r < rows->size(); ++r) {
    AccountRecord a;
    a.id = rows->get_int(r, 0);
    a.username = rows->get_text(r, 1);
    a.display_name = rows->get_text(r, 2);
    a.role = rows->get_text(r, 3);
    a.scope_code = rows->get_text(r, 4);
    a.password_hash = rows->get_text(r, 5);
    a.disabled = rows->get_bool(r, 6);
    a.created_at = rows->get_int(r, 7);
    Result<Date> scope_at = parse_date(rows->text(r, 8));
    if (!scope_at) return Status::internal("account " + a.username + " has no valid scope date in the database");
    a.scope_at = *scope_at;
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::optional<AccountRecord>> PostgresAccountStore::one_account(const std::string& where,
                                                                       const Params& params) {
  Result<std::vector<AccountRecord>> found = accounts(where, params);
  if (!found) return found.status();
  if (found->empty()) return std::optional<AccountRecord>();
  return std::optional<AccountRecord>(std::move(found->front()));
}

Result<std::vector<ApiTokenRecord>> PostgresAccountStore::api_token_rows(const std::string& where,
                                                                         const Params& params) {
  Result<Rows> rows =
      db_.query("SELECT id, token_hash, user_id, name, created_at, last_used_at FROM api_token " + where, params);
  if (!rows) return rows.status();
  std::vector<ApiTokenRecord> out;
  for (int r = 0; r < rows->size(); ++r) {
    ApiTokenRecord t;
    t.id = rows->get_int(r, 0);
    t.token_hash = rows->get_text(r, 1);
    t.user_id = rows->get_int(r, 2);
    t.name = rows->get_text(r, 3);
    t.created_at = rows->get_int(r, 4);
    if (!rows->is_null(r, 5)) t.last_used_at = rows->get_int(r, 5);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace qpan::postgres
