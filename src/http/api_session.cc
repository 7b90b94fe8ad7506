// The session resource of the API: login (a session cookie and a CSRF token), logout, and
// who the caller is.
#include <algorithm>

#include "http/api_support.h"

namespace qpan::http::api {
namespace {

Response login(Services& s, Request& r) {
  Result<json::object> body = parse_object(r.body);
  if (!body) return error_response(body.status());
  BodyProblems problems;
  BodyFields fields(*body, "", problems);
  const std::string username(fields.text("username"));
  const std::string password(fields.text("password"));
  if (!problems.empty()) return invalid_body(std::move(problems));
  Result<LoginResult> login = s.accounts.login(username, password, r.remote_address, s.now());
  if (!login) {
    Response e = error_response(login.status());
    if (login.status().code() == StatusCode::kTooManyRequests) {
      Result<int64_t> wait = s.accounts.login_blocked_for(username, r.remote_address, s.now());
      if (wait) e.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(*wait, 1)));
    }
    return e;
  }
  Response out = json_response(200, json::object{{"user", user_json(login->user)},
                                                 {"csrfToken", login->csrf_token},
                                                 {"expiresAt", format_timestamp(login->expires_at)}});
  out.may_compress = false;  // holds the CSRF token
  std::string cookie = std::string(kSessionCookie) + "=" + login->session_token +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(login->expires_at - s.now());
  if (s.options.secure_cookies) cookie += "; Secure";
  out.headers.emplace_back("Set-Cookie", std::move(cookie));
  r.user = login->user.username;
  return out;
}

Response logout(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    if (std::optional<std::string> token = r.cookie(kSessionCookie); token && c.session) {
      QPAN_RETURN_IF_ERROR(s.accounts.logout(*token));
    }
    Response out = json_response(200, json::object{{"loggedOut", true}});
    out.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return out;
  });
}

// What the role may do, by qpan's action names and, where DHIS2 has one, its authority.
json::array authorities(Role role) {
  json::array out;
  for (Action a : kAllActions) {
    if (!role_allows(role, a)) continue;
    out.emplace_back("qpan:" + std::string(action_name(a)));
    switch (a) {
      case Action::kWriteData: out.emplace_back("F_DATAVALUE_ADD"); out.emplace_back("F_DATAVALUE_DELETE"); break;
      case Action::kImport: out.emplace_back("F_IMPORT_DATA"); break;
      case Action::kApprove: out.emplace_back("F_APPROVE_DATA"); break;
      case Action::kManageUsers: out.emplace_back("F_USER_ADD"); break;
      case Action::kManagePack: out.emplace_back("F_METADATA_IMPORT"); break;
      default: break;
    }
  }
  return out;
}

Response me(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    // qpan's own member, and DHIS2's shape of /api/me beside it for DHIS2's clients.
    const json::array unit{json::object{{"id", c.user.scope_code}}};
    json::object o{{"user", user_json(c.user)},
                   {"id", std::to_string(c.user.id)},
                   {"username", c.user.username},
                   {"name", c.user.display_name},
                   {"displayName", c.user.display_name},
                   {"organisationUnits", unit},
                   {"dataViewOrganisationUnits", unit},
                   {"authorities", authorities(c.user.role)},
                   {"userRoles", json::array{json::object{{"id", role_name(c.user.role)}, {"name", role_name_vi(c.user.role)}}}},
                   {"settings", json::object{{"keyUiLocale", "vi"}, {"keyDbLocale", "vi"}}}};
    if (c.session) o["csrfToken"] = c.session->csrf_token;
    Response out = json_response(200, o);
    out.may_compress = false;  // holds the CSRF token
    return out;
  });
}

}  // namespace

void add_session_routes(Routes& routes, Services& s) {
  routes.add({"POST", "/api/login", "Đăng nhập: phiên trong cookie HttpOnly, SameSite=Strict và mã CSRF", {}, false, true},
             [&s](Request& r) { return login(s, r); });
  routes.add({"POST", "/api/logout", "Đăng xuất", {}, true, false}, [&s](Request& r) { return logout(s, r); });
  routes.add({"GET", "/api/me", "Người dùng hiện tại và mã CSRF", {}, true, false}, [&s](Request& r) { return me(s, r); });
}

}  // namespace qpan::http::api
