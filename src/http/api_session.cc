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

Response me(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    json::object o{{"user", user_json(c.user)}};
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
