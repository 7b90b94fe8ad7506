// `qpan users`: accounts on the command line — add, passwd, disable, enable, list, and API
// tokens (token, tokens, revoke-token). Whoever can write the database file administers its
// accounts, so these commands ask for no login; they are how the first administrator is made.
// Passwords come from standard input (a terminal prompt without echo, or one line from a
// pipe), never from the command line, and are never printed.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "qpan/accounts.h"

namespace qpan::cli {
namespace {

struct UsersArgs {
  std::string db;
  std::string username;
  std::string role;
  std::string scope;
  std::string scope_at;  // empty: today
  std::string display_name;
  std::string token_name;
  std::string format = "table";
};

// A line from the terminal with echo off; restores the terminal however it ends.
Result<std::string> read_hidden_line(const char* prompt) {
  std::cerr << prompt << std::flush;
  termios saved{};
  const bool have_terminal = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (have_terminal) {
    termios quiet = saved;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (have_terminal) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  std::cerr << "\n";
  if (!got) return Status::invalid_input("không nhận được mật khẩu — no password was given");
  return line;
}

// The new password: typed twice at a terminal, or the first line of standard input.
Result<std::string> read_new_password() {
  if (isatty(STDIN_FILENO)) {
    Result<std::string> first = read_hidden_line("Mật khẩu mới / New password: ");
    if (!first) return first.status();
    Result<std::string> again = read_hidden_line("Nhập lại / Again: ");
    if (!again) return again.status();
    if (*first != *again) {
      return Status::invalid_input("hai lần nhập mật khẩu không khớp — the two passwords differ");
    }
    return first;
  }
  std::string line;
  if (!std::getline(std::cin, line) && line.empty()) {
    return Status::invalid_input(
        "không có mật khẩu trên đầu vào chuẩn — no password on standard input (give it as one "
        "line, e.g. from a file: < password.txt)");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// A scope for messages: the code, the name of the unit it names on its day, and the day.
std::string scope_label(const std::string& code, Date day, const OrgUnitIndex& units) {
  const std::string on = " (ngày / at " + format_date(day) + ")";
  if (code == kWholeCountryScope && !units.knows(code)) return code + " cả nước";
  const OrgUnitVersion* unit = units.at(code, day);
  return unit == nullptr ? code + on : code + " " + unit->name + on;
}

size_t display_width(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Rows as columns padded to the widest cell (by characters), two spaces apart.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], display_width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - display_width(row[i]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string date_of(int64_t unix_seconds) { return format_timestamp(unix_seconds).substr(0, 10); }

Status add_user_command(const UsersArgs& args) {
  Result<Role> role = parse_role(args.role);
  if (!role) return Status::invalid_input("--role: " + role.status().message());
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Result<OrgUnitIndex> units = (*store)->load_org_units();
  if (!units) return units.status();
  Accounts accounts(**store);
  // Every argument is checked, and named in the error, before the password is asked for
  // (add_user checks them all again).
  Result<std::string> username = normalize_username(args.username);
  if (!username) return Status::invalid_input("USERNAME: " + username.status().message());
  if (accounts.find_user(*username).is_ok()) {
    return Status::conflict("tên đăng nhập " + *username + " đã có — username " + *username +
                            " is taken");
  }
  Result<std::string> name = normalize_display_name(args.display_name, *username);
  if (!name) return Status::invalid_input("--name: " + name.status().message());
  Date scope_at = today_utc();
  if (!args.scope_at.empty()) {
    Result<Date> day = parse_date(args.scope_at);
    if (!day) return Status::invalid_input("--scope-at: " + day.status().message());
    scope_at = *day;
  }
  if (Status scope = check_scope(args.scope, scope_at, *units); !scope) {
    return Status::invalid_input("--scope: " + scope.message());
  }
  Result<std::string> password = read_new_password();
  if (!password) return password.status();
  Result<User> user = accounts.add_user(
      {args.username, args.display_name, *role, args.scope, scope_at}, *password, *units,
      now_unix());
  if (!user) return user.status();
  std::cout << "đã thêm tài khoản " << user->username << " — added user " << user->username << ": "
            << role_name_vi(user->role) << " (" << role_name(user->role) << "), phạm vi / scope "
            << scope_label(user->scope_code, user->scope_at, *units) << "\n";
  return Status::ok();
}

Status passwd_command(const UsersArgs& args) {
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Accounts accounts(**store);
  // Fail on an unknown user before asking for a password.
  Result<User> user = accounts.find_user(args.username);
  if (!user) return user.status();
  Result<std::string> password = read_new_password();
  if (!password) return password.status();
  QPAN_RETURN_IF_ERROR(accounts.set_password(user->username, *password));
  std::cout << "đã đổi mật khẩu của " << user->username << "; các phiên đăng nhập đã kết thúc — "
            << "password of " << user->username << " changed; its sessions have ended\n";
  return Status::ok();
}

Status set_disabled_command(const UsersArgs& args, bool disabled) {
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Accounts accounts(**store);
  Result<User> user = accounts.find_user(args.username);
  if (!user) return user.status();
  QPAN_RETURN_IF_ERROR(accounts.set_disabled(user->username, disabled));
  if (disabled) {
    std::cout << "đã vô hiệu hoá " << user->username << " — disabled " << user->username
              << " (sessions ended, API tokens stopped)\n";
  } else {
    std::cout << "đã kích hoạt lại " << user->username << " — enabled " << user->username << "\n";
  }
  return Status::ok();
}

Status list_users_command(const UsersArgs& args) {
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Accounts accounts(**store);
  Result<std::vector<User>> users = accounts.list_users();
  if (!users) return users.status();
  std::string out;
  if (args.format == "csv") {
    out = "username,display_name,role,scope,scope_at,disabled,created_at\n";
    for (const User& u : *users) {
      out += u.username + "," + csv_field(u.display_name) + "," + std::string(role_name(u.role)) +
             "," + csv_field(u.scope_code) + "," + format_date(u.scope_at) + "," +
             (u.disabled ? "true" : "false") + "," + format_timestamp(u.created_at) + "\n";
    }
  } else {
    std::vector<std::vector<std::string>> rows = {{"Tên đăng nhập", "Vai trò", "Phạm vi",
                                                   "Ngày phạm vi", "Trạng thái", "Ngày tạo",
                                                   "Họ tên"}};
    for (const User& u : *users) {
      rows.push_back({u.username, std::string(role_name(u.role)), u.scope_code,
                      format_date(u.scope_at), u.disabled ? "vô hiệu" : "hoạt động",
                      date_of(u.created_at), u.display_name});
    }
    out = table(rows);
  }
  std::cout << out << std::flush;
  if (!std::cout) return Status::io_error("cannot write the list");
  return Status::ok();
}

Status issue_token_command(const UsersArgs& args) {
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Status name = check_api_token_name(args.token_name);
  if (!name) return Status::invalid_input("--name: " + name.message());
  Accounts accounts(**store);
  Result<IssuedApiToken> issued =
      accounts.issue_api_token(args.username, args.token_name, now_unix());
  if (!issued) return issued.status();
  // The token alone on stdout, so a script can take it; it is not shown again.
  std::cout << issued->token << "\n" << std::flush;
  std::cerr
      << "mã truy cập \"" << issued->info.name << "\" của " << args.username
      << " chỉ hiện một lần, hãy giữ bí mật — API token \"" << issued->info.name
      << "\" is shown only once; keep it secret and send it as `Authorization: Bearer <token>`\n";
  return Status::ok();
}

Status list_tokens_command(const UsersArgs& args) {
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Accounts accounts(**store);
  Result<std::vector<ApiTokenInfo>> tokens = accounts.api_tokens(args.username);
  if (!tokens) return tokens.status();
  std::vector<std::vector<std::string>> rows = {{"Tên", "Ngày tạo", "Dùng lần cuối"}};
  for (const ApiTokenInfo& t : *tokens) {
    rows.push_back(
        {t.name, date_of(t.created_at), t.last_used_at ? format_timestamp(*t.last_used_at) : "-"});
  }
  std::cout << table(rows) << std::flush;
  return Status::ok();
}

Status revoke_token_command(const UsersArgs& args) {
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Accounts accounts(**store);
  QPAN_RETURN_IF_ERROR(accounts.revoke_api_token(args.username, args.token_name, now_unix()));
  std::cout << "đã thu hồi mã truy cập \"" << args.token_name << "\" của " << args.username
            << " — revoked API token \"" << args.token_name << "\" of " << args.username << "\n";
  return Status::ok();
}

}  // namespace

void add_users_command(CLI::App& app, Status& status) {
  auto args = std::make_shared<UsersArgs>();
  auto* users = app.add_subcommand(
      "users", "Accounts (tài khoản): add, passwd, disable, enable, list, API tokens");
  users->require_subcommand(1);
  auto common = [&args](CLI::App* cmd, bool with_username) {
    cmd->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
    if (with_username) {
      cmd->add_option("USERNAME", args->username, "Username (3–64 of a-z, 0-9, . _ -)")->required();
    }
  };

  auto* add = users->add_subcommand(
      "add",
      "Add an account; the password is read from standard input (one line), never from "
      "the command line");
  common(add, true);
  add->add_option("--role", args->role,
                  "commune_entry (nhập liệu cấp xã), district_reviewer (duyệt cấp huyện), "
                  "province_admin (quản trị cấp tỉnh) or viewer (chỉ xem)")
      ->required();
  add->add_option("--scope", args->scope,
                  "Org unit code: with --scope-at, the unit whose subtree the user may touch "
                  "(VN: the whole country)")
      ->required();
  add->add_option("--scope-at", args->scope_at,
                  "The day the scope code is resolved at, YYYY-MM-DD (codes are reused: 15 is "
                  "Yên Bái until 2025-06-30, the new Lào Cai after); default: today (UTC)");
  add->add_option("--name", args->display_name, "Display name (họ tên); default: the username");
  add->callback([args, &status] { status = add_user_command(*args); });

  auto* passwd = users->add_subcommand(
      "passwd", "Set a new password (from standard input); ends the user's sessions");
  common(passwd, true);
  passwd->callback([args, &status] { status = passwd_command(*args); });

  auto* disable = users->add_subcommand(
      "disable", "Disable an account: it cannot log in, its sessions end, its API tokens stop");
  common(disable, true);
  disable->callback([args, &status] { status = set_disabled_command(*args, true); });

  auto* enable = users->add_subcommand("enable", "Enable a disabled account again");
  common(enable, true);
  enable->callback([args, &status] { status = set_disabled_command(*args, false); });

  auto* list = users->add_subcommand("list", "List the accounts (never their secrets)");
  common(list, false);
  list->add_option("--format", args->format, "table (for people; the default) or csv")
      ->check(CLI::IsMember({"table", "csv"}));
  list->callback([args, &status] { status = list_users_command(*args); });

  auto* token = users->add_subcommand(
      "token", "Issue an API token for a machine; it is printed once, only its hash is kept");
  common(token, true);
  token->add_option("--name", args->token_name, "Token name, unique among the user's active tokens")
      ->required();
  token->callback([args, &status] { status = issue_token_command(*args); });

  auto* tokens =
      users->add_subcommand("tokens", "List a user's active API tokens (names and dates)");
  common(tokens, true);
  tokens->callback([args, &status] { status = list_tokens_command(*args); });

  auto* revoke = users->add_subcommand("revoke-token", "Revoke one of a user's API tokens");
  common(revoke, true);
  revoke->add_option("--name", args->token_name, "Token name")->required();
  revoke->callback([args, &status] { status = revoke_token_command(*args); });
}

}  // namespace qpan::cli
