#!/usr/bin/env bash
# End-to-end: `qpan users` — accounts with a role and an org-unit scope (a code and the day it
# is resolved at, migrated for old databases), passwords read from
# standard input and stored only as argon2id hashes, disable / enable, API tokens shown once
# and stored hashed, and clear errors that never repeat a secret.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

PW='Mật khẩu đủ dài 2026'
PW2='Mật khẩu mới dài 2027'

# add_user USERNAME ROLE SCOPE [NAME]: adds an account with password $PW. SCOPE is a code
# (resolved today) or CODE@YYYY-MM-DD (resolved on that day: --scope-at).
add_user() {
  local scope=(--scope "${3%%@*}")
  if [[ $3 == *@* ]]; then scope+=(--scope-at "${3#*@}"); fi
  if [ $# -ge 4 ]; then
    q users add --db "$DB" "$1" --role "$2" "${scope[@]}" --name "$4" <<<"$PW"
  else
    q users add --db "$DB" "$1" --role "$2" "${scope[@]}" <<<"$PW"
  fi
  assert_exit 0 "users add $1"
}

TODAY=$(date -u +%F)

# in_database TEXT: how many times TEXT occurs in what the database keeps.
in_database() { database_text "$DB" | grep -aoF -- "$1" | wc -l; }

case_add_and_list() {
  new_db users
  add_user NVA commune_entry 03400@2024-01-01 "Nguyễn Văn A"
  assert_contains "$(stdout)" \
    "added user nva: nhập liệu cấp xã (commune_entry), phạm vi / scope 03400 Xã Tả Lèng (ngày / at 2024-01-01)" \
    "says who was added, with role and scope"
  add_user tam.duong district_reviewer 106@2024-01-01 "Trần Thị B"
  add_user admin province_admin VN
  add_user xem viewer 12
  assert_contains "$(stdout)" "phạm vi / scope 12 Tỉnh Lai Châu (ngày / at $TODAY)" "by default the scope is resolved today"

  qok users list --db "$DB"
  assert_eq "Tên đăng nhập  Vai trò            Phạm vi  Ngày phạm vi  Trạng thái  Ngày tạo    Họ tên" \
    "$(stdout | head -n 1)" "the table has a header"
  assert_matches "$(stdout)" '^nva +commune_entry +03400 +2024-01-01 +hoạt động +[0-9]{4}-[0-9]{2}-[0-9]{2} +Nguyễn Văn A$' \
    "one row per user, in columns"
  assert_matches "$(stdout)" "^xem +viewer +12 +$TODAY +hoạt động " "the scope day of today"
  assert_eq "admin nva tam.duong xem" "$(stdout | tail -n +2 | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')" \
    "users by username"

  qok users list --db "$DB" --format csv
  assert_eq "username,display_name,role,scope,scope_at,disabled,created_at" "$(stdout | head -n 1)" "the csv header"
  assert_matches "$(stdout)" '^tam\.duong,Trần Thị B,district_reviewer,106,2024-01-01,false,[0-9-]{10}T[0-9:]{8}Z$' \
    "a csv row"
  assert_not_contains "$(stdout)" 'argon2' "no hash in the list"

  assert_eq 4 "$(sql "$DB" "SELECT count(*) FROM user_account WHERE password_hash LIKE '\$argon2id\$v=19\$m=65536,t=2,p=1\$%'")" \
    "every password is an argon2id hash with the interactive limits"
  # Twice: the account and its entry in the change log (which keeps no password hash).
  assert_eq 2 "$(in_database 'Trần Thị B')" "the database files are searched"
  assert_eq 0 "$(in_database "$PW")" "the password is nowhere in the database"
}

case_bad_input_is_refused_and_writes_nothing() {
  new_db bad
  add_user nva commune_entry 03400@2024-01-01
  local before
  before=$(sql "$DB" 'SELECT count(*) FROM user_account')

  q users add --db "$DB" ttb --role admin --scope 12 <<<"$PW"
  assert_exit 1 "an unknown role"
  assert_contains "$(stderr)" '--role: vai trò không hợp lệ "admin" — unknown role "admin"' "names the role"
  assert_contains "$(stderr)" 'valid roles: commune_entry, district_reviewer, province_admin, viewer' \
    "lists the valid roles"

  q users add --db "$DB" ttb --role viewer --scope 99999 <<<"$PW"
  assert_exit 1 "an unknown scope"
  assert_contains "$(stderr)" '--scope: không có đơn vị mã "99999" — no unit has the code "99999"' "names the scope"

  q users add --db "$DB" ttb --role viewer --scope 03400 <<<"$PW"
  assert_exit 1 "a scope code not in force today"
  assert_contains "$(stderr)" "--scope: đơn vị mã \"03400\" không có hiệu lực ngày $TODAY — no unit has the code \"03400\" on $TODAY" \
    "names the scope and the day"

  q users add --db "$DB" ttb --role viewer --scope 03405 --scope-at 2025-07-01x <<<"$PW"
  assert_exit 1 "a bad scope day"
  assert_contains "$(stderr)" "--scope-at: " "names the option"

  q users add --db "$DB" NVA --role viewer --scope 12 <<<"$PW"
  assert_exit 1 "a taken username"
  assert_contains "$(stderr)" "username nva is taken" "says the username is taken, in any case"

  q users add --db "$DB" "ng văn" --role viewer --scope 12 <<<"$PW"
  assert_exit 1 "a username with spaces and accents"
  assert_contains "$(stderr)" "USERNAME: " "names the argument"
  assert_contains "$(stderr)" "only a-z, 0-9" "says what is allowed"

  q users add --db "$DB" ttb --role viewer --scope 12 <<<"ngắn quá"
  assert_exit 1 "a short password"
  assert_contains "$(stderr)" "the password is too short: at least 10 characters" "says the rule"
  assert_not_contains "$(stderr)$(stdout)" "ngắn quá" "does not repeat the password"

  q users add --db "$DB" ttb --role viewer --scope 12 </dev/null
  assert_exit 1 "no password on standard input"
  assert_contains "$(stderr)" "no password on standard input" "says so"

  q users add --db "$DB" ttb --role viewer --scope 12 "$PW" <<<"$PW"
  assert_exit 1 "a password on the command line"
  assert_not_contains "$(sql "$DB" 'SELECT group_concat(username) FROM user_account')" "ttb" "is not taken"

  assert_eq "$before" "$(sql "$DB" 'SELECT count(*) FROM user_account')" "nothing was written"
}

case_passwd_disable_enable() {
  new_db passwd
  add_user nva commune_entry 03400@2024-01-01
  local old_hash
  old_hash=$(sql "$DB" "SELECT password_hash FROM user_account WHERE username = 'nva'")
  # A live session, as the server would have made it.
  sql "$DB" "INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at, expires_at)
             SELECT 'ab', id, 1, 1, 99999999999 FROM user_account WHERE username = 'nva'"

  q users passwd --db "$DB" nva <<<"short"
  assert_exit 1 "a short new password"
  assert_eq "$old_hash" "$(sql "$DB" "SELECT password_hash FROM user_account WHERE username = 'nva'")" \
    "the old password stays"
  assert_eq 1 "$(sql "$DB" 'SELECT count(*) FROM user_session')" "the session stays"

  q users passwd --db "$DB" NVA <<<"$PW2"
  assert_exit 0 "users passwd"
  assert_contains "$(stdout)" "password of nva changed; its sessions have ended" "says what happened"
  [ "$old_hash" != "$(sql "$DB" "SELECT password_hash FROM user_account WHERE username = 'nva'")" ] ||
    fail "the hash did not change"
  pass "the hash changed"
  assert_eq 0 "$(sql "$DB" 'SELECT count(*) FROM user_session')" "the session ended"

  q users passwd --db "$DB" nobody <<<"$PW2"
  assert_exit 1 "passwd of an unknown user"
  assert_contains "$(stderr)" "no account nobody" "names the user"

  sql "$DB" "INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at, expires_at)
             SELECT 'cd', id, 1, 1, 99999999999 FROM user_account WHERE username = 'nva'"
  qok users disable --db "$DB" nva
  assert_eq "$SQL_TRUE" "$(sql "$DB" "SELECT disabled FROM user_account WHERE username = 'nva'")" "disabled"
  assert_eq 0 "$(sql "$DB" 'SELECT count(*) FROM user_session')" "disabling ends the sessions"
  qok users list --db "$DB"
  assert_matches "$(stdout)" '^nva +commune_entry +03400 +2024-01-01 +vô hiệu ' "the list shows it"
  qok users enable --db "$DB" nva
  assert_eq "$SQL_FALSE" "$(sql "$DB" "SELECT disabled FROM user_account WHERE username = 'nva'")" "enabled again"
  q users disable --db "$DB" nobody
  assert_exit 1 "disabling an unknown user"
}

case_api_tokens() {
  new_db tokens
  add_user sync-bot commune_entry 03400@2024-01-01
  qok users token --db "$DB" sync-bot --name nightly
  local token
  token=$(stdout)
  assert_matches "$token" '^qpan_[A-Za-z0-9_-]{43}$' "the token alone on stdout"
  assert_contains "$(stderr)" "is shown only once" "says it is shown once"
  assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM api_token WHERE name = 'nightly' AND revoked_at IS NULL")" "stored"
  assert_eq 0 "$(in_database "${token#qpan_}")" "only its hash is stored"

  q users token --db "$DB" sync-bot --name nightly
  assert_exit 1 "a second active token with the same name"
  assert_contains "$(stderr)" "an active token named nightly exists" "says so"
  q users token --db "$DB" sync-bot --name "bad name"
  assert_exit 1 "a bad token name"
  assert_contains "$(stderr)" "--name: " "names the argument"

  qok users tokens --db "$DB" sync-bot
  assert_matches "$(stdout)" '^nightly +[0-9]{4}-[0-9]{2}-[0-9]{2} +-$' "listed, never used"
  assert_not_contains "$(stdout)" "$token" "the list has no token"

  qok users revoke-token --db "$DB" sync-bot --name nightly
  assert_contains "$(stdout)" 'revoked API token "nightly" of sync-bot' "says which"
  assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM api_token WHERE revoked_at IS NOT NULL")" "kept as revoked"
  q users revoke-token --db "$DB" sync-bot --name nightly
  assert_exit 1 "revoking it again"
  assert_contains "$(stderr)" "account sync-bot has no active token named nightly" "says there is none"
  qok users token --db "$DB" sync-bot --name nightly
  assert_not_contains "$(stdout)" "$token" "the name is free again, for a new token"

  qok users disable --db "$DB" sync-bot
  q users token --db "$DB" sync-bot --name other
  assert_exit 1 "a token for a disabled account"
  assert_contains "$(stderr)" "account sync-bot is disabled" "says why"
}

case_scope_is_a_unit_version() {
  new_db scopes
  # Province 15 was Yên Bái until 30 Jun 2025 and is the new Lào Cai since 1 Jul 2025.
  add_user yenbai viewer 15@2024-01-01
  assert_contains "$(stdout)" "phạm vi / scope 15 Tỉnh Yên Bái (ngày / at 2024-01-01)" "the code on its day"
  add_user laocai viewer 15@2025-07-01
  assert_contains "$(stdout)" "phạm vi / scope 15 Tỉnh Lào Cai (ngày / at 2025-07-01)" "the same code, another unit"
  add_user laocai.cu viewer 10@2020-01-01
  q users add --db "$DB" laocai.moi --role viewer --scope 10 <<<"$PW"
  assert_exit 1 "old Lào Cai, ended 30 Jun 2025, resolved today"
  assert_contains "$(stderr)" "no unit has the code \"10\" on $TODAY" "says why"
  assert_eq "laocai|15|2025-07-01 laocai.cu|10|2020-01-01 yenbai|15|2024-01-01" \
    "$(sql "$DB" 'SELECT username, scope_code, scope_at FROM user_account ORDER BY username' | tr '\n' ' ' | sed 's/ $//')" \
    "stored as code and day"
}

case_accounts_made_before_scope_days_get_their_creation_day() {
  new_db migrated
  add_user nva commune_entry 03400@2024-01-01
  # The schema as it was before scope days (migration 4, so before the registers of
  # migration 6 and the change log of 7 too), an account made on 14 Nov 2023 (UTC).
  sql "$DB" "ALTER TABLE user_account DROP COLUMN scope_at; DROP TABLE registry_record_audit; DROP TABLE registry_record;
             DROP TABLE change_log; DROP TABLE change_log_start;
             UPDATE user_account SET created_at = 1699999999; PRAGMA user_version = 4"
  qok users list --db "$DB" --format csv
  assert_matches "$(stdout)" '^nva,nva,commune_entry,03400,2023-11-14,false,2023-11-14T22:13:19Z$' \
    "the scope is resolved on the day the account was made"
  assert_eq 7 "$(sql "$DB" 'PRAGMA user_version')" "the database is migrated"
}

case_missing_database() {
  local db="$WORK/missing.db"
  q users list --db "$db"
  assert_exit 1 "users list on a missing database"
  assert_contains "$(stderr)" "missing.db does not exist" "says it does not exist"
  q users add --db "$db" nva --role viewer --scope 12 <<<"$PW"
  assert_exit 1 "users add on a missing database"
  [ ! -e "$db" ] || fail "users add created $db"
  pass "creates no file"
}

run_cases "$@"
