// Tests for accounts: argon2id hashes, logins, disabled accounts, session expiry, CSRF,
// API tokens, throttling per (account, address), per address and per account — atomic under
// parallel logins over one or two connections —, the authorization matrix over every
// role × action × inside/outside scope on the real units, scopes as unit versions across the
// July 2025 reorganisation, and that no secret reaches a message or the database file.
#include "qpan/accounts.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <set>
#include <thread>

#include "accounts/credentials.h"
#include "qpan/exchange.h"
#include "exchange/exchange_test_support.h"
#include "store/sqlite.h"

namespace qpan {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1'780'000'000;  // 2026-05-28
constexpr std::string_view kPassword = "Mật khẩu đủ dài 2026";
constexpr std::string_view kAddress = "203.0.113.7";
// The day test accounts' scopes are resolved at: before the July 2025 reorganisation, when
// Tam Đường (106) and Tả Lèng (03400) were in force.
constexpr Date kScopeDay = make_date(2024, 1, 1);

class AccountsTest : public ::testing::Test {
 protected:
  // The real units of data/vn-admin, loaded at first need (once per test process): the
  // policy is checked on them.
  static const OrgUnitIndex& real_units() {
    static const OrgUnitIndex units = load_real_units();
    return units;
  }
  static OrgUnitIndex load_real_units() {
    const fs::path dir =
        fs::temp_directory_path() / ("qpan-accounts-units-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    OrgUnitIndex index;
    const fs::path made = testing::vn_units_template();
    if (!made.empty()) {
      testing::copy_template(made, dir / "u.db");
      Result<std::unique_ptr<Store>> store = open_sqlite_store((dir / "u.db").string());
      EXPECT_TRUE(store.is_ok()) << store.status().message();
      if (store.is_ok()) {
        Result<OrgUnitIndex> loaded = (*store)->load_org_units();
        EXPECT_TRUE(loaded.is_ok()) << loaded.status().message();
        if (loaded.is_ok()) index = std::move(*loaded);
      }
    }
    fs::remove_all(dir);
    return index;
  }

  // Enough units for giving accounts a scope: Lai Châu, Tam Đường, Tả Lèng.
  static const OrgUnitIndex& few_units() {
    static const OrgUnitIndex units({
        {"12", OrgUnitLevel::kProvince, "Tỉnh Lai Châu", "Tỉnh", "", {}, {}},
        {"106",
         OrgUnitLevel::kDistrict,
         "Huyện Tam Đường",
         "Huyện",
         "12",
         {},
         make_date(2025, 7, 1)},
        {"03400", OrgUnitLevel::kCommune, "Xã Tả Lèng", "Xã", "106", {}, make_date(2025, 7, 1)},
    });
    return units;
  }

  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("qpan-accounts-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Result<std::unique_ptr<Store>> s = open_sqlite_store(db_path(), {.create_if_missing = true});
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    store_ = std::move(*s);
    accounts_ = std::make_unique<Accounts>(*store_, fast_options());
  }
  void TearDown() override {
    accounts_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string db_path() const { return (dir_ / "q.db").string(); }

  // The cheapest argon2id: the rules are the same, the tests fast.
  static AccountsOptions fast_options() {
    AccountsOptions o;
    o.password_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    o.password_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    return o;
  }

  User add(const std::string& username, Role role, const std::string& scope,
           std::string_view password = kPassword) {
    Result<User> u =
        accounts_->add_user({username, "", role, scope, kScopeDay}, password, few_units(), kNow);
    EXPECT_TRUE(u.is_ok()) << u.status().message();
    return u.is_ok() ? *u : User{};
  }

  Result<LoginResult> login(std::string_view username, std::string_view password = kPassword,
                            int64_t at = kNow, std::string_view address = kAddress) {
    return accounts_->login(username, password, address, at);
  }

  // A commune account "nva" with a session and an API token, as most of a user's secrets.
  struct Signed {
    LoginResult session;
    IssuedApiToken token;
  };
  Signed signed_in_with_token(std::string_view token_label) {
    add("nva", Role::kCommuneEntry, "03400");
    Result<LoginResult> session = login("nva");
    EXPECT_TRUE(session.is_ok()) << session.status().message();
    Result<IssuedApiToken> token = accounts_->issue_api_token("nva", token_label, kNow);
    EXPECT_TRUE(token.is_ok()) << token.status().message();
    if (!session.is_ok() || !token.is_ok()) return {};
    return {*session, *token};
  }

  // Every byte of the database files, to look for secrets in.
  std::string database_bytes() const {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(db_path() + suffix, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Accounts> accounts_;
};

// ---- Users and passwords --------------------------------------------------------------------

TEST_F(AccountsTest, PasswordsAreArgon2idWithInteractiveLimitsByDefault) {
  Accounts standard(*store_);
  Result<User> u =
      standard.add_user({"nva", "Nguyễn Văn A", Role::kCommuneEntry, "03400", kScopeDay},
                        kPassword, few_units(), kNow);
  ASSERT_TRUE(u.is_ok()) << u.status().message();
  Result<std::optional<AccountRecord>> stored = store_->find_account("nva");
  ASSERT_TRUE(stored.is_ok() && stored->has_value());
  EXPECT_TRUE((*stored)->password_hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$"))
      << (*stored)->password_hash;
  EXPECT_EQ((*stored)->password_hash.find(kPassword), std::string::npos);
  EXPECT_TRUE(standard.login("nva", kPassword, kAddress, kNow).is_ok());
}

TEST_F(AccountsTest, AddUserKeepsRoleScopeAndNfcName) {
  // "Nguyễn" with a combining circumflex and dot below: stored in NFC.
  Result<User> u = accounts_->add_user(
      {"Tran.Thi-B", "Tra\xCC\x82\xCC\x80n Thi\xCC\xA3 B", Role::kDistrictReviewer, "106",
       kScopeDay},
      kPassword, few_units(), kNow);
  ASSERT_TRUE(u.is_ok()) << u.status().message();
  EXPECT_EQ(u->username, "tran.thi-b");
  EXPECT_EQ(u->display_name, "Trần Thị B");
  EXPECT_EQ(u->role, Role::kDistrictReviewer);
  EXPECT_EQ(u->scope_code, "106");
  EXPECT_EQ(u->scope_at, kScopeDay);
  EXPECT_EQ(u->created_at, kNow);
  Result<User> found = accounts_->find_user("TRAN.THI-B");
  ASSERT_TRUE(found.is_ok());
  EXPECT_EQ(found->id, u->id);
  Result<User> plain =
      accounts_->add_user({"viewer1", "", Role::kViewer, "VN"}, kPassword, few_units(), kNow);
  ASSERT_TRUE(plain.is_ok()) << plain.status().message();
  EXPECT_EQ(plain->display_name, "viewer1");
  EXPECT_EQ(plain->scope_at, make_date(2026, 5, 28)) << "by default the day it is made (UTC)";
  Result<std::vector<User>> all = accounts_->list_users();
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].username, "tran.thi-b");
  EXPECT_EQ((*all)[0].scope_at, kScopeDay) << "kept in the store";
  EXPECT_EQ((*all)[1].username, "viewer1");
}

TEST_F(AccountsTest, BadUsersAreRefusedWithTheReason) {
  struct Case {
    NewUser user;
    std::string password;
    StatusCode code;
    std::string message;
  };
  add("nva", Role::kViewer, "12");
  const std::string ok(kPassword);
  const std::vector<Case> cases = {
      {{"ab", "", Role::kViewer, "12"}, ok, StatusCode::kInvalidInput, "3–64 characters"},
      {{std::string(65, 'a'), "", Role::kViewer, "12"},
       ok,
       StatusCode::kInvalidInput,
       "3–64 characters"},
      {{"nguyễn", "", Role::kViewer, "12"}, ok, StatusCode::kInvalidInput, "only a-z, 0-9"},
      {{"a b c", "", Role::kViewer, "12"}, ok, StatusCode::kInvalidInput, "only a-z, 0-9"},
      {{".abc", "", Role::kViewer, "12"},
       ok,
       StatusCode::kInvalidInput,
       "starts with a letter or digit"},
      {{"NVA", "", Role::kViewer, "12"}, ok, StatusCode::kConflict, "username nva is taken"},
      {{"tvb", "", Role::kViewer, "99999"},
       ok,
       StatusCode::kInvalidInput,
       "no unit has the code \"99999\""},
      // Tả Lèng ended with the districts on 1 Jul 2025; by default the scope is resolved on
      // the day the account is made (2026-05-28).
      {{"tvb", "", Role::kCommuneEntry, "03400"},
       ok,
       StatusCode::kInvalidInput,
       "no unit has the code \"03400\" on 2026-05-28"},
      {{"tvb", "", Role::kCommuneEntry, "03400", make_date(2025, 7, 1)},
       ok,
       StatusCode::kInvalidInput,
       "không có hiệu lực ngày 2025-07-01"},
      {{"tvb", "", Role::kViewer, "12"},
       "ngắn 1234",
       StatusCode::kInvalidInput,
       "at least 10 characters"},
      {{"tvb", "", Role::kViewer, "12"},
       "bad\xff utf-8 password",
       StatusCode::kInvalidInput,
       "not valid UTF-8"},
      {{"tvb", "", Role::kViewer, "12"},
       std::string(1025, 'x'),
       StatusCode::kInvalidInput,
       "longer than 1024 bytes"},
      {{"tvb", "Tên\x01", Role::kViewer, "12"},
       ok,
       StatusCode::kInvalidInput,
       "without control characters"},
  };
  for (const Case& c : cases) {
    Result<User> u = accounts_->add_user(c.user, c.password, few_units(), kNow);
    ASSERT_FALSE(u.is_ok()) << c.user.username;
    EXPECT_EQ(u.status().code(), c.code) << u.status().message();
    EXPECT_NE(u.status().message().find(c.message), std::string::npos) << u.status().message();
    EXPECT_EQ(u.status().message().find(c.password), std::string::npos)
        << "the password is in the message";
  }
  Result<std::vector<User>> all = accounts_->list_users();
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(AccountsTest, PasswordLengthCountsCharactersNotBytes) {
  EXPECT_TRUE(normalize_password("mậtkhẩuđẹp").is_ok());  // 10 characters, 16 bytes
  EXPECT_FALSE(normalize_password("mậtkhẩuđẹ").is_ok());  // 9 characters
  // Typed with combining marks on one keyboard, precomposed on another: the same password.
  add("nva", Role::kViewer, "12", "mâ\xCC\xA3tkhẩuđẹp");
  EXPECT_TRUE(login("nva", "mậtkhẩuđẹp").is_ok());
}

// ---- Logins -----------------------------------------------------------------------------------

TEST_F(AccountsTest, LoginChecksThePasswordAndSaysTheSameForEveryFailure) {
  add("nva", Role::kCommuneEntry, "03400");
  Result<LoginResult> ok = login("NVA");
  ASSERT_TRUE(ok.is_ok()) << ok.status().message();
  EXPECT_EQ(ok->user.username, "nva");
  EXPECT_EQ(ok->session_token.size(), 43u);
  EXPECT_EQ(ok->csrf_token.size(), 43u);
  EXPECT_NE(ok->session_token, ok->csrf_token);
  EXPECT_EQ(ok->idle_expires_at, kNow + 30 * 60);
  EXPECT_EQ(ok->expires_at, kNow + 12 * 3600);

  Result<LoginResult> wrong = login("nva", "Mật khẩu sai rồi 2026");
  Result<LoginResult> unknown = login("nobody", kPassword);
  Result<LoginResult> malformed = login("x", "\xff\xfe");
  for (const Result<LoginResult>* r : {&wrong, &unknown, &malformed}) {
    ASSERT_FALSE(r->is_ok());
    EXPECT_EQ(r->status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(r->status().message(),
              "sai tên đăng nhập hoặc mật khẩu — wrong username or password");
  }
  EXPECT_EQ(wrong.status().message().find("sai rồi"), std::string::npos);
}

TEST_F(AccountsTest, DisabledAccountsCannotLogInAndLoseTheirSessions) {
  add("nva", Role::kCommuneEntry, "03400");
  Result<LoginResult> before = login("nva");
  ASSERT_TRUE(before.is_ok());
  ASSERT_TRUE(accounts_->set_disabled("nva", true).is_ok());
  EXPECT_EQ(accounts_->session_user(before->session_token, kNow + 1).status().code(),
            StatusCode::kUnauthenticated);
  Result<LoginResult> refused = login("nva", kPassword, kNow + 2);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(accounts_->find_user("nva")->disabled);
  ASSERT_TRUE(accounts_->set_disabled("nva", false).is_ok());
  EXPECT_TRUE(login("nva", kPassword, kNow + 3).is_ok());
  EXPECT_EQ(accounts_->set_disabled("nobody", true).code(), StatusCode::kNotFound);
}

TEST_F(AccountsTest, NewPasswordEndsSessionsAndReplacesTheOld) {
  add("nva", Role::kCommuneEntry, "03400");
  Result<LoginResult> session = login("nva");
  ASSERT_TRUE(session.is_ok());
  Status short_one = accounts_->set_password("nva", "123456789");
  EXPECT_EQ(short_one.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(short_one.message().find("123456789"), std::string::npos);
  EXPECT_TRUE(accounts_->session_user(session->session_token, kNow + 1).is_ok())
      << "a refused change ends nothing";
  ASSERT_TRUE(accounts_->set_password("nva", "Mật khẩu mới 2027").is_ok());
  EXPECT_FALSE(accounts_->session_user(session->session_token, kNow + 2).is_ok());
  EXPECT_FALSE(login("nva", kPassword, kNow + 3).is_ok());
  EXPECT_TRUE(login("nva", "Mật khẩu mới 2027", kNow + 4).is_ok());
  EXPECT_EQ(accounts_->set_password("nobody", "Mật khẩu mới 2027").code(), StatusCode::kNotFound);
}

TEST_F(AccountsTest, LoginRehashesAPasswordMadeWithOtherLimits) {
  add("nva", Role::kViewer, "12");  // fast limits
  const std::string fast_hash = (*store_->find_account("nva"))->password_hash;
  Accounts standard(*store_);
  ASSERT_TRUE(standard.login("nva", kPassword, kAddress, kNow).is_ok());
  const std::string upgraded = (*store_->find_account("nva"))->password_hash;
  EXPECT_NE(upgraded, fast_hash);
  EXPECT_TRUE(upgraded.starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << upgraded;
  EXPECT_TRUE(standard.login("nva", kPassword, kAddress, kNow + 1).is_ok());
}

// ---- Sessions and CSRF ------------------------------------------------------------------------

TEST_F(AccountsTest, SessionsExpireWhenIdleAndAtTheirEnd) {
  add("nva", Role::kCommuneEntry, "03400");
  Result<LoginResult> s = login("nva");
  ASSERT_TRUE(s.is_ok());
  // Used every 25 minutes: alive until the absolute end, 12 hours after login.
  int64_t t = kNow;
  for (; t + 25 * 60 < kNow + 12 * 3600;) {
    t += 25 * 60;
    Result<SessionInfo> info = accounts_->session_user(s->session_token, t);
    ASSERT_TRUE(info.is_ok()) << "at +" << (t - kNow) << " s: " << info.status().message();
    EXPECT_EQ(info->user.username, "nva");
    EXPECT_EQ(info->idle_expires_at, std::min(t + 30 * 60, kNow + 12 * 3600));
    EXPECT_EQ(info->csrf_token, s->csrf_token);
  }
  Result<SessionInfo> ended = accounts_->session_user(s->session_token, kNow + 12 * 3600);
  ASSERT_FALSE(ended.is_ok());
  EXPECT_EQ(ended.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(ended.status().message().find("expired"), std::string::npos);

  Result<LoginResult> idle = login("nva", kPassword, kNow + 100);
  ASSERT_TRUE(idle.is_ok());
  EXPECT_TRUE(accounts_->session_user(idle->session_token, kNow + 100 + 30 * 60 - 1).is_ok());
  EXPECT_FALSE(accounts_->session_user(idle->session_token, kNow + 100 + 60 * 60 - 1).is_ok());
  // An expired session is gone: it does not come back at an earlier clock either.
  EXPECT_FALSE(accounts_->session_user(idle->session_token, kNow + 200).is_ok());
}

TEST_F(AccountsTest, LogoutEndsTheSessionOnly) {
  add("nva", Role::kCommuneEntry, "03400");
  Result<LoginResult> a = login("nva");
  Result<LoginResult> b = login("nva");
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_NE(a->session_token, b->session_token);
  ASSERT_TRUE(accounts_->logout(a->session_token).is_ok());
  EXPECT_FALSE(accounts_->session_user(a->session_token, kNow + 1).is_ok());
  EXPECT_TRUE(accounts_->session_user(b->session_token, kNow + 1).is_ok());
  EXPECT_TRUE(accounts_->logout("not a token").is_ok());
  for (std::string_view bad :
       {"", "short", "qpan_", "a-token-that-is-far-too-long-to-be-one-of-ours-at-all"}) {
    Result<SessionInfo> r = accounts_->session_user(bad, kNow);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  }
}

// Over a hot standby (read_only): the primary's sessions and tokens are read, their last use
// is never written and an ended session is left for the primary to delete; logins, which
// must write, are refused as read-only.
TEST_F(AccountsTest, ReadOnlyAccountsReadSessionsAndTokensWithoutWriting) {
  const Signed nva = signed_in_with_token("dashboard");
  ASSERT_FALSE(HasFailure());
  const LoginResult& session = nva.session;
  const IssuedApiToken& token = nva.token;
  Result<std::unique_ptr<Store>> replica = open_sqlite_store(db_path());
  ASSERT_TRUE(replica.is_ok()) << replica.status().message();
  AccountsOptions options = fast_options();
  options.read_only = true;
  Accounts standby(**replica, options);
  const std::string session_hash = accounts::token_hash(session.session_token);

  Result<SessionInfo> read = standby.session_user(session.session_token, kNow + 25 * 60);
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read->user.username, "nva");
  EXPECT_EQ(read->idle_expires_at, kNow + 30 * 60) << "the idle expiry counts from the primary's last use";
  EXPECT_EQ(store_->find_session(session_hash).value()->last_seen_at, kNow) << "no last use written";
  ASSERT_TRUE(standby.token_user(token.token, kNow + 10).is_ok());
  EXPECT_FALSE(store_->find_api_token(accounts::token_hash(token.token)).value()->last_used_at.has_value());

  EXPECT_EQ(standby.session_user(session.session_token, kNow + 31 * 60).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(store_->find_session(session_hash).value().has_value()) << "left for the primary to delete";

  for (const Status& refused : {standby.login("nva", kPassword, kAddress, kNow).status(),
                                standby.password_user("nva", kPassword, kAddress, kNow).status()}) {
    EXPECT_EQ(refused.code(), StatusCode::kReadOnly);
    EXPECT_NE(refused.message().find("máy chủ chỉ đọc"), std::string::npos) << refused.message();
    EXPECT_NE(refused.message().find("read-only"), std::string::npos) << refused.message();
  }
}

TEST_F(AccountsTest, CsrfTokenBelongsToItsSession) {
  add("nva", Role::kCommuneEntry, "03400");
  Result<LoginResult> a = login("nva");
  Result<LoginResult> b = login("nva");
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  Result<SessionInfo> session = accounts_->session_user(a->session_token, kNow + 1);
  ASSERT_TRUE(session.is_ok());
  EXPECT_TRUE(Accounts::check_csrf(*session, a->csrf_token).is_ok());
  for (const std::string& wrong : {b->csrf_token, std::string(), a->csrf_token.substr(1),
                                   a->csrf_token + "x", a->session_token}) {
    Status s = Accounts::check_csrf(*session, wrong);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(s.message(),
              "thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF) — missing or wrong CSRF token");
  }
  EXPECT_FALSE(Accounts::check_csrf(SessionInfo{}, "").is_ok());
}

TEST_F(AccountsTest, TheDatabaseHoldsNoSecretInClear) {
  const Signed nva = signed_in_with_token("sync");
  ASSERT_FALSE(HasFailure());
  const LoginResult& s = nva.session;
  const IssuedApiToken& t = nva.token;
  const std::string bytes = database_bytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_NE(bytes.find("nva"), std::string::npos) << "the check reads the files";
  for (std::string_view secret : {std::string_view(kPassword), std::string_view(s.session_token),
                                  std::string_view(s.csrf_token), std::string_view(t.token)}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << "found in the database: a secret";
  }
  Result<std::optional<SessionRecord>> stored =
      store_->find_session(accounts::token_hash(s.session_token));
  ASSERT_TRUE(stored.is_ok() && stored->has_value());
  EXPECT_EQ((*stored)->remote_address, kAddress);
}

// ---- API tokens ---------------------------------------------------------------------------------

TEST_F(AccountsTest, ApiTokensResolveUntilRevoked) {
  add("sync-bot", Role::kCommuneEntry, "03400");
  Result<IssuedApiToken> t = accounts_->issue_api_token("sync-bot", "nightly", kNow);
  ASSERT_TRUE(t.is_ok()) << t.status().message();
  EXPECT_TRUE(t->token.starts_with("qpan_"));
  EXPECT_EQ(t->token.size(), 48u);
  Result<TokenUser> who = accounts_->token_user(t->token, kNow + 10);
  ASSERT_TRUE(who.is_ok()) << who.status().message();
  EXPECT_EQ(who->user.username, "sync-bot");
  EXPECT_EQ(who->token_name, "nightly");
  Result<std::vector<ApiTokenInfo>> listed = accounts_->api_tokens("sync-bot");
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "nightly");
  EXPECT_EQ((*listed)[0].last_used_at, kNow + 10);

  Result<IssuedApiToken> same_name = accounts_->issue_api_token("sync-bot", "nightly", kNow);
  ASSERT_FALSE(same_name.is_ok());
  EXPECT_EQ(same_name.status().code(), StatusCode::kConflict);
  EXPECT_EQ(accounts_->issue_api_token("sync-bot", "bad name", kNow).status().code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(accounts_->issue_api_token("nobody", "x", kNow).status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(accounts_->revoke_api_token("sync-bot", "nightly", kNow + 20).is_ok());
  Result<TokenUser> revoked = accounts_->token_user(t->token, kNow + 30);
  ASSERT_FALSE(revoked.is_ok());
  EXPECT_EQ(revoked.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(revoked.status().message().find(t->token), std::string::npos);
  EXPECT_EQ(accounts_->revoke_api_token("sync-bot", "nightly", kNow + 40).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(accounts_->api_tokens("sync-bot")->empty());
  // The name is free again; the new token is another one.
  Result<IssuedApiToken> again = accounts_->issue_api_token("sync-bot", "nightly", kNow + 50);
  ASSERT_TRUE(again.is_ok());
  EXPECT_NE(again->token, t->token);
  EXPECT_TRUE(accounts_->token_user(again->token, kNow + 60).is_ok());
}

TEST_F(AccountsTest, SessionAndApiTokensAreNotInterchangeable) {
  add("nva", Role::kCommuneEntry, "03400");
  Result<LoginResult> s = login("nva");
  Result<IssuedApiToken> t = accounts_->issue_api_token("nva", "sync", kNow);
  ASSERT_TRUE(s.is_ok() && t.is_ok());
  EXPECT_FALSE(accounts_->token_user(s->session_token, kNow).is_ok());
  EXPECT_FALSE(accounts_->token_user("qpan_" + s->session_token, kNow).is_ok());
  EXPECT_FALSE(accounts_->session_user(t->token, kNow).is_ok());
  EXPECT_FALSE(accounts_->session_user(t->token.substr(5), kNow).is_ok());
}

TEST_F(AccountsTest, ADisabledAccountsTokensStopWorking) {
  add("nva", Role::kCommuneEntry, "03400");
  Result<IssuedApiToken> t = accounts_->issue_api_token("nva", "sync", kNow);
  ASSERT_TRUE(t.is_ok());
  ASSERT_TRUE(accounts_->set_disabled("nva", true).is_ok());
  EXPECT_EQ(accounts_->token_user(t->token, kNow).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(accounts_->issue_api_token("nva", "other", kNow).status().code(),
            StatusCode::kInvalidInput);
  ASSERT_TRUE(accounts_->set_disabled("nva", false).is_ok());
  EXPECT_TRUE(accounts_->token_user(t->token, kNow).is_ok());
}

// ---- Throttling ----------------------------------------------------------------------------

TEST_F(AccountsTest, FailuresBlockAfterARunOfTheLimitWithinTheWindow) {
  const LoginLimits limits;  // 15 minutes window and lockout
  const std::vector<int64_t> four = {0, 10, 20, 30};
  EXPECT_EQ(failures_block_until(four, 5, limits), 0);
  const std::vector<int64_t> five = {0, 10, 20, 30, 40};
  EXPECT_EQ(failures_block_until(five, 5, limits), 940);
  const std::vector<int64_t> spread = {0, 300, 600, 899, 900};  // 900 s apart: not within
  EXPECT_EQ(failures_block_until(spread, 5, limits), 0);
  const std::vector<int64_t> later = {0, 1, 2, 3, 4, 905, 906, 907, 908, 909};
  EXPECT_EQ(failures_block_until(later, 5, limits), 1809);
  EXPECT_EQ(failures_block_until(five, 0, limits), 0);
}

TEST_F(AccountsTest, FiveFailuresFromOneAddressThrottleOnlyThatAccountThere) {
  add("nva", Role::kCommuneEntry, "03400");
  const std::string attacker = "198.51.100.7", office = "192.0.2.1";
  for (int i = 0; i < 5; ++i) {
    Result<LoginResult> r = login("nva", "Mật khẩu sai rồi 2026", kNow + i, attacker);
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << i;
  }
  // From the guessing address even the right password is not checked now…
  Result<LoginResult> blocked = login("nva", kPassword, kNow + 60, attacker);
  ASSERT_FALSE(blocked.is_ok());
  EXPECT_EQ(blocked.status().code(), StatusCode::kTooManyRequests);
  EXPECT_EQ(blocked.status().message(),
            "đăng nhập sai quá nhiều lần; thử lại sau 15 phút — too many failed logins; try again "
            "in 15 minutes");
  EXPECT_EQ(*accounts_->login_blocked_for("nva", attacker, kNow + 60), 4 + 900 - 60);
  EXPECT_EQ(*accounts_->login_blocked_for("NVA", office, kNow + 60), 0);
  // …but the officer logs in from their own office, on deadline day as any other.
  EXPECT_TRUE(login("nva", kPassword, kNow + 60, office).is_ok());
  EXPECT_EQ(login("nva", kPassword, kNow + 61, attacker).status().code(),
            StatusCode::kTooManyRequests)
      << "the officer's login does not release the attacker's pair";
  // Another account from the guessing address is not affected.
  add("ttb", Role::kViewer, "12");
  EXPECT_TRUE(login("ttb", kPassword, kNow + 60, attacker).is_ok());
  // Released 15 minutes after the fifth failure.
  EXPECT_EQ(login("nva", kPassword, kNow + 4 + 900 - 1, attacker).status().code(),
            StatusCode::kTooManyRequests);
  EXPECT_EQ(*accounts_->login_blocked_for("nva", attacker, kNow + 4 + 900), 0);
  EXPECT_TRUE(login("nva", kPassword, kNow + 4 + 900, attacker).is_ok());
}

// HTTP Basic: the password checked as a login is, sharing its failures and throttling, and
// no session opened.
TEST_F(AccountsTest, PasswordUserChecksAsLoginDoesAndSharesItsThrottling) {
  add("nva", Role::kCommuneEntry, "03400");
  const std::string client = "198.51.100.9";
  Result<User> right = accounts_->password_user("nva", kPassword, client, kNow);
  ASSERT_TRUE(right.is_ok()) << right.status().message();
  EXPECT_EQ(right->username, "nva");
  EXPECT_EQ(right->role, Role::kCommuneEntry);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(accounts_->password_user("nva", "Mật khẩu sai rồi 2026", client, kNow + i).status().code(),
              StatusCode::kUnauthenticated);
  }
  // The fifth failure is a login's: the pair is blocked for both ways in.
  EXPECT_EQ(login("nva", "Mật khẩu sai rồi 2026", kNow + 5, client).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(accounts_->password_user("nva", kPassword, client, kNow + 6).status().code(), StatusCode::kTooManyRequests);
  EXPECT_EQ(login("nva", kPassword, kNow + 6, client).status().code(), StatusCode::kTooManyRequests);
  EXPECT_EQ(accounts_->password_user("nobody", kPassword, "192.0.2.1", kNow).status().code(), StatusCode::kUnauthenticated);
}

TEST(BasicCredentialsTest, DecodesIdAndPasswordAtTheFirstColon) {
  struct Case {
    const char* encoded;
    std::optional<std::pair<std::string, std::string>> want;
  };
  using Pair = std::pair<std::string, std::string>;
  for (const Case& c : {Case{"dGluaDpN4bqtdCBraOG6qXU6Y8OzIGhhaSBjaOG6pW0=", Pair{"tinh", "Mật khẩu:có hai chấm"}},
                        Case{"YWRtaW46", Pair{"admin", ""}},
                        Case{"OnB3", Pair{"", "pw"}},
                        Case{"bm9jb2xvbg==", std::nullopt},
                        Case{"not base64!", std::nullopt},
                        Case{"", std::nullopt}}) {
    std::optional<BasicCredentials> got = decode_basic_credentials(c.encoded);
    ASSERT_EQ(got.has_value(), c.want.has_value()) << c.encoded;
    if (got) {
      EXPECT_EQ(got->username, c.want->first) << c.encoded;
      EXPECT_EQ(got->password, c.want->second) << c.encoded;
    }
  }
  EXPECT_FALSE(decode_basic_credentials(std::string(2000, 'A')).has_value()) << "over 1 KiB";
}

TEST_F(AccountsTest, UnknownUsernamesAreThrottledTheSameWay) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(login("ghost", kPassword, kNow + i).status().code(), StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(login("GHOST", kPassword, kNow + 10).status().code(), StatusCode::kTooManyRequests);
  EXPECT_EQ(*accounts_->login_blocked_for("ghost", kAddress, kNow + 10), 4 + 900 - 10);
}

TEST_F(AccountsTest, ASuccessfulLoginForgetsItsPairsFailuresOnly) {
  add("nva", Role::kCommuneEntry, "03400");
  const std::string other = "198.51.100.9";
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(login("nva", "Mật khẩu sai rồi 2026", kNow + i).is_ok());
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(login("nva", "Mật khẩu sai rồi 2026", kNow + i, other).is_ok());
  }
  ASSERT_TRUE(login("nva", kPassword, kNow + 5).is_ok());
  for (int i = 0; i < 4; ++i)
    ASSERT_FALSE(login("nva", "Mật khẩu sai rồi 2026", kNow + 6 + i).is_ok());
  EXPECT_TRUE(login("nva", kPassword, kNow + 11).is_ok());
  // The other address's four failures were not forgotten: a fifth throttles it.
  ASSERT_FALSE(login("nva", "Mật khẩu sai rồi 2026", kNow + 12, other).is_ok());
  EXPECT_EQ(login("nva", kPassword, kNow + 13, other).status().code(),
            StatusCode::kTooManyRequests);
}

TEST_F(AccountsTest, TwentyFailuresFromOneAddressThrottleItForEveryAccount) {
  add("nva", Role::kCommuneEntry, "03400");
  for (int i = 0; i < 20; ++i) {
    // Five usernames, four failures each: no (account, address) pair reaches its limit.
    ASSERT_EQ(login("guess" + std::to_string(i % 5), kPassword, kNow + i).status().code(),
              StatusCode::kUnauthenticated)
        << i;
  }
  Result<LoginResult> blocked = login("nva", kPassword, kNow + 30);
  EXPECT_EQ(blocked.status().code(), StatusCode::kTooManyRequests);
  EXPECT_EQ(*accounts_->login_blocked_for("nva", kAddress, kNow + 30), 19 + 900 - 30);
  EXPECT_EQ(*accounts_->login_blocked_for("someone-new", kAddress, kNow + 30), 19 + 900 - 30);
  EXPECT_TRUE(login("nva", kPassword, kNow + 30, "192.0.2.99").is_ok())
      << "other addresses are fine";
  EXPECT_TRUE(login("nva", kPassword, kNow + 19 + 900).is_ok()) << "released after the lockout";
}

TEST_F(AccountsTest, AHundredFailuresFromManyAddressesThrottleTheAccount) {
  add("nva", Role::kCommuneEntry, "03400");
  add("ttb", Role::kViewer, "12");
  // A guess spread over 25 addresses, four tries each: no pair and no address is throttled.
  for (int i = 0; i < 99; ++i) {
    ASSERT_EQ(login("nva", "Mật khẩu sai rồi 2026", kNow + i, "198.51.100." + std::to_string(i / 4))
                  .status()
                  .code(),
              StatusCode::kUnauthenticated)
        << i;
  }
  EXPECT_EQ(*accounts_->login_blocked_for("nva", "192.0.2.1", kNow + 99), 0)
      << "99 failures: not yet";
  ASSERT_EQ(login("nva", "Mật khẩu sai rồi 2026", kNow + 99, "198.51.100.24").status().code(),
            StatusCode::kUnauthenticated);
  // The hundredth slows the account everywhere, for 15 minutes after it.
  EXPECT_EQ(*accounts_->login_blocked_for("nva", "192.0.2.1", kNow + 100), 99 + 900 - 100);
  EXPECT_EQ(login("nva", kPassword, kNow + 100, "192.0.2.1").status().code(),
            StatusCode::kTooManyRequests);
  EXPECT_TRUE(login("ttb", kPassword, kNow + 100, "198.51.100.3").is_ok())
      << "the addresses may still log in to other accounts";
  EXPECT_TRUE(login("nva", kPassword, kNow + 99 + 900, "192.0.2.1").is_ok());
}

TEST_F(AccountsTest, OptionsSetTheLimits) {
  AccountsOptions o = fast_options();
  o.pair_failure_limit = 2;
  o.lockout_seconds = 60;
  o.session_idle_seconds = 120;
  o.session_lifetime_seconds = 600;
  Accounts strict(*store_, o);
  add("nva", Role::kCommuneEntry, "03400");
  ASSERT_FALSE(strict.login("nva", "Mật khẩu sai rồi 2026", kAddress, kNow).is_ok());
  ASSERT_FALSE(strict.login("nva", "Mật khẩu sai rồi 2026", kAddress, kNow + 1).is_ok());
  EXPECT_EQ(strict.login("nva", kPassword, kAddress, kNow + 2).status().code(),
            StatusCode::kTooManyRequests);
  Result<LoginResult> s = strict.login("nva", kPassword, kAddress, kNow + 61);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_EQ(s->idle_expires_at, kNow + 61 + 120);
  EXPECT_EQ(s->expires_at, kNow + 61 + 600);
  EXPECT_FALSE(strict.session_user(s->session_token, kNow + 61 + 120).is_ok());
}

// Wrong logins for one account from one address, all started at once from `threads` threads
// spread over `accounts`: how many were answered unauthenticated — each of those is one
// password check, since a throttled login is refused before the password is looked at — and
// how many too_many_requests.
struct ParallelOutcome {
  int checked = 0;
  int throttled = 0;
  int other = 0;
};
ParallelOutcome wrong_logins_at_once(const std::vector<Accounts*>& accounts, int threads) {
  std::atomic<int> checked = 0, throttled = 0, other = 0;
  std::latch start(threads);
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      start.arrive_and_wait();
      Result<LoginResult> r = accounts[static_cast<size_t>(t) % accounts.size()]->login(
          "nva", "Mật khẩu sai rồi 2026", kAddress, kNow);
      if (r.status().code() == StatusCode::kUnauthenticated) {
        ++checked;
      } else if (r.status().code() == StatusCode::kTooManyRequests) {
        ++throttled;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& t : running) t.join();
  return {checked.load(), throttled.load(), other.load()};
}

// The failed logins the database holds.
int64_t stored_failures(const std::string& path) {
  Result<sqlite::Database> db = sqlite::Database::open(path, false);
  EXPECT_TRUE(db.is_ok());
  if (!db.is_ok()) return -1;
  Result<sqlite::Statement> count = db->prepare("SELECT count(*) FROM login_failure");
  EXPECT_TRUE(count.is_ok() && count->step());
  return count.is_ok() ? count->column_int(0) : -1;
}

TEST_F(AccountsTest, ParallelWrongLoginsCheckNoMorePasswordsThanTheLimit) {
  add("nva", Role::kCommuneEntry, "03400");
  const ParallelOutcome outcome = wrong_logins_at_once({accounts_.get()}, 16);
  EXPECT_EQ(outcome.checked, 5);
  EXPECT_EQ(outcome.throttled, 11);
  EXPECT_EQ(outcome.other, 0);
  EXPECT_EQ(stored_failures(db_path()), 5);
  EXPECT_EQ(login("nva", kPassword, kNow + 1).status().code(), StatusCode::kTooManyRequests);
}

TEST_F(AccountsTest, ParallelWrongLoginsOverTwoConnectionsShareTheLimit) {
  add("nva", Role::kCommuneEntry, "03400");
  // A second server process, as it were: its own connection to the same database file.
  Result<std::unique_ptr<Store>> second_store = open_sqlite_store(db_path());
  ASSERT_TRUE(second_store.is_ok()) << second_store.status().message();
  Accounts second(**second_store, fast_options());
  const ParallelOutcome outcome = wrong_logins_at_once({accounts_.get(), &second}, 16);
  EXPECT_EQ(outcome.checked, 5);
  EXPECT_EQ(outcome.throttled, 11);
  EXPECT_EQ(outcome.other, 0);
  EXPECT_EQ(stored_failures(db_path()), 5);
  EXPECT_EQ(second.login("nva", kPassword, kAddress, kNow + 1).status().code(),
            StatusCode::kTooManyRequests);
}

TEST_F(AccountsTest, SeveralThreadsShareOneAccountsObject) {
  add("nva", Role::kCommuneEntry, "03400");
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        Result<LoginResult> s =
            accounts_->login("nva", kPassword, "192.0.2." + std::to_string(t), kNow + i);
        if (!s.is_ok() || !accounts_->session_user(s->session_token, kNow + i + 1).is_ok() ||
            !accounts_->logout(s->session_token).is_ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, 0);
}

// ---- The policy
// ----------------------------------------------------------------------------------

TEST_F(AccountsTest, RolesAndActionsHaveNames) {
  for (Role r : kAllRoles) EXPECT_EQ(*parse_role(role_name(r)), r);
  EXPECT_EQ(role_name_vi(Role::kCommuneEntry), "nhập liệu cấp xã");
  EXPECT_EQ(role_name_vi(Role::kDistrictReviewer), "duyệt cấp huyện");
  EXPECT_EQ(role_name_vi(Role::kProvinceAdmin), "quản trị cấp tỉnh");
  EXPECT_EQ(role_name_vi(Role::kViewer), "chỉ xem");
  Result<Role> bad = parse_role("admin");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(),
            "vai trò không hợp lệ \"admin\" — unknown role \"admin\"; valid roles: commune_entry, "
            "district_reviewer, province_admin, viewer");
  std::set<std::string_view> names;
  for (Action a : kAllActions) names.insert(action_name(a));
  EXPECT_EQ(names.size(), std::size(kAllActions));
}

TEST_F(AccountsTest, ThePolicyMatrix) {
  const std::vector<std::pair<Role, Action>> expected = {
      {Role::kCommuneEntry, Action::kReadData},     {Role::kCommuneEntry, Action::kWriteData},
      {Role::kCommuneEntry, Action::kImport},       {Role::kCommuneEntry, Action::kSubmit},
      {Role::kDistrictReviewer, Action::kReadData}, {Role::kDistrictReviewer, Action::kApprove},
      {Role::kDistrictReviewer, Action::kReturn},   {Role::kDistrictReviewer, Action::kReadAudit},
      {Role::kProvinceAdmin, Action::kReadData},    {Role::kProvinceAdmin, Action::kWriteData},
      {Role::kProvinceAdmin, Action::kImport},      {Role::kProvinceAdmin, Action::kSubmit},
      {Role::kProvinceAdmin, Action::kApprove},     {Role::kProvinceAdmin, Action::kReturn},
      {Role::kProvinceAdmin, Action::kReadAudit},   {Role::kProvinceAdmin, Action::kLock},
      {Role::kProvinceAdmin, Action::kUnlock},      {Role::kProvinceAdmin, Action::kManageUsers},
      {Role::kProvinceAdmin, Action::kManagePack},  {Role::kViewer, Action::kReadData},
  };
  EXPECT_EQ(allowed_role_actions(), expected);
}

TEST_F(AccountsTest, EveryRoleAndActionInsideAndOutsideTheScope) {
  // Scope: district 106 Tam Đường (Lai Châu) in mid-2020.
  const Date at = make_date(2020, 6, 30);
  const std::vector<std::string> inside = {"106", "03400"};  // itself, one of its communes
  const std::vector<std::string> outside = {"12", "105", "03385", "01", "nowhere", ""};
  int checked = 0;
  for (Role role : kAllRoles) {
    User user{1, "u", "U", role, "106", make_date(2020, 1, 1), false, kNow};
    for (Action action : kAllActions) {
      for (const std::string& unit : inside) {
        Status s = authorize(user, action, unit, at, real_units());
        EXPECT_EQ(s.is_ok(), role_allows(role, action))
            << role_name(role) << " " << action_name(action) << " " << unit;
        if (!s.is_ok()) {
          EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
          EXPECT_NE(s.message().find("vai trò " + std::string(role_name_vi(role)) + " không được " +
                                     std::string(action_name_vi(action)) + " cho đơn vị " + unit),
                    std::string::npos)
              << s.message();
          EXPECT_NE(s.message().find("role " + std::string(role_name(role)) + " may not"),
                    std::string::npos);
        }
        ++checked;
      }
      for (const std::string& unit : outside) {
        Status s = authorize(user, action, unit, at, real_units());
        ASSERT_FALSE(s.is_ok()) << role_name(role) << " " << action_name(action) << " " << unit;
        EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
        if (role_allows(role, action)) {
          EXPECT_NE(s.message().find(", scope 106 (at 2020-01-01), may not"), std::string::npos)
              << s.message();
          EXPECT_NE(s.message().find("outside its scope on 2020-06-30"), std::string::npos)
              << s.message();
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 4 * 11 * 8);
}

TEST_F(AccountsTest, ScopeFollowsTheStructureOfTheDay) {
  User reviewer{1, "u", "U", Role::kDistrictReviewer, "106", make_date(2019, 6, 1), false, kNow};
  // Sùng Phài lay under Tam Đường until it ended on 1 Feb 2020.
  EXPECT_TRUE(authorize(reviewer, Action::kApprove, "03397", make_date(2019, 12, 31), real_units())
                  .is_ok());
  EXPECT_FALSE(
      authorize(reviewer, Action::kApprove, "03397", make_date(2020, 6, 30), real_units()).is_ok());
  // Tả Lèng lies under the district until the districts ended on 1 Jul 2025.
  EXPECT_TRUE(
      authorize(reviewer, Action::kApprove, "03400", make_date(2025, 6, 30), real_units()).is_ok());
  EXPECT_FALSE(
      authorize(reviewer, Action::kApprove, "03400", make_date(2025, 7, 1), real_units()).is_ok());
  // A province scope covers its communes, a commune scope only itself.
  User province{2, "p", "P", Role::kProvinceAdmin, "12", kScopeDay, false, kNow};
  EXPECT_TRUE(
      authorize(province, Action::kLock, "03400", make_date(2024, 1, 1), real_units()).is_ok());
  EXPECT_FALSE(
      authorize(province, Action::kLock, "03385", make_date(2024, 1, 1), real_units()).is_ok());
  User commune{3, "c", "C", Role::kCommuneEntry, "03400", kScopeDay, false, kNow};
  EXPECT_TRUE(
      authorize(commune, Action::kWriteData, "03400", make_date(2024, 1, 1), real_units()).is_ok());
  EXPECT_FALSE(
      authorize(commune, Action::kWriteData, "106", make_date(2024, 1, 1), real_units()).is_ok());
  EXPECT_FALSE(
      authorize(commune, Action::kWriteData, "03397", make_date(2019, 1, 1), real_units()).is_ok());
}

// authorize(user, read_data, unit, day).is_ok() on the real units.
bool may_read(const User& user, std::string_view unit, Date day, const OrgUnitIndex& units) {
  return authorize(user, Action::kReadData, unit, day, units).is_ok();
}

TEST_F(AccountsTest, AScopeIsAUnitVersionAndAReusedProvinceCodeIsAnotherUnit) {
  const OrgUnitIndex& units = real_units();
  const Date before = make_date(2024, 6, 30), after = make_date(2025, 8, 1);
  // Province 15 was Yên Bái until 30 Jun 2025; the new Lào Cai from 1 Jul 2025 is Yên Bái
  // and old Lào Cai (10) together.
  User yen_bai{1, "yb", "YB", Role::kViewer, "15", make_date(2024, 1, 1), false, kNow};
  EXPECT_TRUE(may_read(yen_bai, "15", before, units));
  EXPECT_TRUE(may_read(yen_bai, "04249", before, units)) << "Phường Yên Thịnh, Yên Bái city";
  EXPECT_FALSE(may_read(yen_bai, "15", make_date(2025, 7, 1), units)) << "the new Lào Cai";
  EXPECT_FALSE(may_read(yen_bai, "04279", after, units)) << "Phường Văn Phú, new Lào Cai";
  EXPECT_FALSE(may_read(yen_bai, "10", before, units)) << "old Lào Cai";
  EXPECT_FALSE(may_read(yen_bai, "02635", before, units)) << "Phường Duyên Hải, old Lào Cai";
  const Status refused = authorize(yen_bai, Action::kReadData, "15", after, units);
  EXPECT_NE(refused.message().find("phạm vi 15 (ngày 2024-01-01)"), std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("scope 15 (at 2024-01-01)"), std::string::npos)
      << refused.message();

  User lao_cai{2, "lc", "LC", Role::kViewer, "15", make_date(2025, 7, 1), false, kNow};
  EXPECT_TRUE(may_read(lao_cai, "15", after, units));
  EXPECT_TRUE(may_read(lao_cai, "04279", after, units));
  // Its predecessors' past: Yên Bái under the same code, old Lào Cai, and what lay under them.
  EXPECT_TRUE(may_read(lao_cai, "15", before, units));
  EXPECT_TRUE(may_read(lao_cai, "10", before, units));
  EXPECT_TRUE(may_read(lao_cai, "04249", before, units));
  EXPECT_TRUE(may_read(lao_cai, "02635", make_date(2016, 12, 31), units));
  EXPECT_FALSE(may_read(lao_cai, "12", before, units)) << "Lai Châu was never part of it";
  EXPECT_FALSE(may_read(lao_cai, "03400", before, units));

  // Old Lào Cai's scope covers its own past, not its successor.
  User old_lao_cai{3, "olc", "OLC", Role::kViewer, "10", make_date(2020, 1, 1), false, kNow};
  EXPECT_TRUE(may_read(old_lao_cai, "02635", make_date(2020, 12, 31), units));
  EXPECT_FALSE(may_read(old_lao_cai, "15", after, units));
  EXPECT_FALSE(may_read(old_lao_cai, "02647", after, units)) << "Phường Lào Cai (new)";

  // A province that absorbed another without a new version (Tuyên Quang 08 took Hà Giang 02)
  // is a new unit from that day too; one that only kept its own (Lai Châu 12) is not.
  User tuyen_quang_2024{4, "tq", "TQ", Role::kViewer, "08", make_date(2024, 1, 1), false, kNow};
  EXPECT_TRUE(may_read(tuyen_quang_2024, "08", before, units));
  EXPECT_FALSE(may_read(tuyen_quang_2024, "08", after, units));
  User tuyen_quang{5, "tq2", "TQ", Role::kViewer, "08", make_date(2025, 7, 1), false, kNow};
  EXPECT_TRUE(may_read(tuyen_quang, "02", before, units)) << "Hà Giang's past";
  User lai_chau{6, "lch", "LCh", Role::kViewer, "12", make_date(2020, 1, 1), false, kNow};
  EXPECT_TRUE(may_read(lai_chau, "03405", after, units));
  EXPECT_TRUE(may_read(lai_chau, "03400", make_date(2019, 1, 1), units));
}

TEST_F(AccountsTest, ANewCommuneReadsWhatRollsUpIntoItAndNothingElse) {
  const OrgUnitIndex& units = real_units();
  const Date before = make_date(2024, 12, 31), after = make_date(2025, 8, 1);
  // 03405 Xã Tả Lèng from 1 Jul 2025 = old 03400 Tả Lèng + 03405 Giang Ma (the code's former
  // unit) + 03406 Hồ Thầu. Asked with structureAt=2025-07-01 its 2024 figures are theirs, so
  // its officer may read them directly too.
  User officer{1, "tl", "TL", Role::kCommuneEntry, "03405", make_date(2025, 7, 1), false, kNow};
  EXPECT_TRUE(may_read(officer, "03405", after, units));
  EXPECT_TRUE(may_read(officer, "03400", before, units));
  EXPECT_TRUE(may_read(officer, "03405", before, units)) << "Giang Ma is a predecessor";
  EXPECT_TRUE(may_read(officer, "03406", before, units));
  EXPECT_FALSE(may_read(officer, "03394", before, units)) << "Thèn Sin went elsewhere";
  EXPECT_FALSE(may_read(officer, "106", before, units)) << "not the district above them";
  EXPECT_FALSE(may_read(officer, "12", after, units));

  // Commune code 23710 (Gia Lai) was reused: Xã A Dơk until 30 Jun 2025 went into 23869 Xã
  // Ia Dơk; from 1 Jul 2025 23710 is Xã Ia Băng, made of 23716 Ia Pết and 23719 Ia Băng.
  User ia_bang{2, "ib", "IB", Role::kCommuneEntry, "23710", make_date(2025, 7, 1), false, kNow};
  EXPECT_TRUE(may_read(ia_bang, "23710", after, units));
  EXPECT_TRUE(may_read(ia_bang, "23716", before, units));
  EXPECT_TRUE(may_read(ia_bang, "23719", before, units));
  EXPECT_FALSE(may_read(ia_bang, "23710", before, units)) << "A Dơk, the code's former unit";
  User ia_dok{3, "id", "ID", Role::kCommuneEntry, "23869", make_date(2025, 7, 1), false, kNow};
  EXPECT_TRUE(may_read(ia_dok, "23710", before, units)) << "A Dơk went into Ia Dơk";
  EXPECT_FALSE(may_read(ia_dok, "23710", after, units)) << "but Ia Băng did not";
  User a_dok{4, "ad", "AD", Role::kCommuneEntry, "23710", make_date(2024, 1, 1), false, kNow};
  EXPECT_TRUE(may_read(a_dok, "23710", before, units));
  EXPECT_FALSE(may_read(a_dok, "23710", after, units)) << "the code's next unit";
  EXPECT_FALSE(may_read(a_dok, "23869", after, units)) << "its successor";

  // Every new commune of Lai Châu: on the last day of the old structure its officer may read
  // exactly the old communes with a lineage edge into it.
  const Date july = make_date(2025, 7, 1), june_30 = make_date(2025, 6, 30);
  std::vector<std::string> old_communes;
  for (const OrgUnitVersion* district : units.children("12", june_30)) {
    for (const OrgUnitVersion* c : units.children(district->code, june_30)) {
      old_communes.push_back(c->code);
    }
  }
  ASSERT_EQ(old_communes.size(), 106u);
  const std::vector<const OrgUnitVersion*> new_communes = units.children("12", july);
  ASSERT_EQ(new_communes.size(), 38u);
  int readable = 0;
  for (const OrgUnitVersion* n : new_communes) {
    User u{9, "x", "X", Role::kViewer, n->code, july, false, kNow};
    std::set<std::string> predecessors;
    for (const LineageEdge* e : units.predecessors(n->code)) {
      if (e->effective == july) predecessors.insert(e->old_code);
    }
    for (const std::string& old : old_communes) {
      EXPECT_EQ(may_read(u, old, june_30, units), predecessors.count(old) == 1)
          << n->code << " reading " << old;
      readable += may_read(u, old, june_30, units);
    }
  }
  EXPECT_GE(readable, 106) << "every old commune went somewhere";
}

TEST_F(AccountsTest, TheWholeCountryScopeAndDisabledUsers) {
  User national{1, "n", "N", Role::kViewer, "VN", kScopeDay, false, kNow};
  EXPECT_TRUE(
      authorize(national, Action::kReadData, "12", make_date(2024, 1, 1), real_units()).is_ok());
  EXPECT_TRUE(
      authorize(national, Action::kReadData, "03400", make_date(2024, 1, 1), real_units()).is_ok());
  EXPECT_TRUE(
      authorize(national, Action::kReadData, "15", make_date(2025, 7, 1), real_units()).is_ok());
  EXPECT_FALSE(
      authorize(national, Action::kWriteData, "12", make_date(2024, 1, 1), real_units()).is_ok());
  national.disabled = true;
  Status s = authorize(national, Action::kReadData, "12", make_date(2024, 1, 1), real_units());
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "tài khoản n đã bị vô hiệu hoá — account n is disabled");
}

TEST_F(AccountsTest, DenialsSayWhoMayNotDoWhatWhere) {
  User viewer{1, "xem", "X", Role::kViewer, "106", make_date(2023, 3, 1), false, kNow};
  EXPECT_EQ(
      authorize(viewer, Action::kWriteData, "03400", make_date(2024, 1, 1), real_units()).message(),
      "vai trò chỉ xem không được nhập số liệu cho đơn vị 03400 — role viewer may not write data "
      "for unit 03400");
  EXPECT_EQ(
      authorize(viewer, Action::kReadData, "105", make_date(2024, 1, 1), real_units()).message(),
      "vai trò chỉ xem, phạm vi 106 (ngày 2023-03-01), không được xem số liệu cho đơn vị 105: "
      "ngoài phạm vi ngày 2024-01-01 — role viewer, scope 106 (at 2023-03-01), may not read "
      "data for unit 105: outside its scope on 2024-01-01");
}

}  // namespace
}  // namespace qpan
