// What the API's resources share (see api_support.h): authentication, authorization, query
// parameters, JSON bodies and response shapes.
#include "http/api_support.h"

#include "qpan/as_of.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "qpan/number_format.h"
#include "qpan/text.h"

namespace qpan::http::api {

// A route that needs a caller is not public: the router's admission (Services::admit)
// authenticates it before a byte of its body is read.
void Routes::add(Api::RouteDoc doc, Handler handler, BodyKind body) {
  router_.add(doc.method, doc.pattern, std::move(handler), body).is_public = !doc.authenticated && !refused(doc);
  docs_.push_back(std::move(doc));
}

void Routes::add_async(Api::RouteDoc doc, AsyncHandler handler) {
  router_.add_async(doc.method, doc.pattern, std::move(handler)).is_public = !doc.authenticated && !refused(doc);
  docs_.push_back(std::move(doc));
}

Result<std::shared_ptr<const Definitions>> make_definitions(const Pack& pack, const Catalogue& catalogue, uint64_t epoch) {
  auto definitions = std::make_shared<Definitions>();
  definitions->indicators = pack.indicators;
  definitions->areas = pack.areas;
  Result<std::vector<EvaluationSet>> sets = compile_evaluation_sets(pack, catalogue);
  if (!sets) return sets.status();
  definitions->evaluation_sets = std::move(*sets);
  Result<std::vector<CompiledValidationRule>> rules = compile_validation_rules(pack, catalogue);
  if (!rules) return rules.status();
  definitions->validation_rules = std::make_shared<const std::vector<CompiledValidationRule>>(std::move(*rules));
  definitions->epoch = epoch;
  return std::shared_ptr<const Definitions>(std::move(definitions));
}

std::shared_ptr<const Definitions> Services::definitions() const {
  std::lock_guard lock(definitions_mutex);
  return definitions_;
}

void Services::set_definitions(std::shared_ptr<const Definitions> definitions) {
  std::lock_guard lock(definitions_mutex);
  definitions_ = std::move(definitions);
}

int64_t Services::now() const {
  if (options.clock) return options.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<std::shared_ptr<const AggregationEngine>> Services::engine_for(const Request& r) {
  const std::optional<std::string> as_of = r.query_param("asOf");
  // The live engine is not owned here: an aliasing pointer that owns nothing.
  if (!as_of || as_of->empty()) return std::shared_ptr<const AggregationEngine>(std::shared_ptr<void>(), &engine);
  Result<int64_t> at = parse_as_of(*as_of);
  if (!at) return at.status();
  std::lock_guard as_of_lock(as_of_mutex);
  int64_t position = 0;
  {
    std::lock_guard lock(store_mutex);
    Result<int64_t> found = store.last_change_at(*at);
    if (!found) return Status(found.status().code(), "asOf: " + found.status().message());
    position = *found;
  }
  if (auto it = as_of_engines.find(position); it != as_of_engines.end()) return it->second;
  Result<AsOfEngine> then = [&] {
    std::lock_guard lock(store_mutex);
    return build_engine_as_of(store, *at);
  }();
  if (!then) return Status(then.status().code(), "asOf: " + then.status().message());
  constexpr size_t kKept = 4;
  if (as_of_engines.size() >= kKept) as_of_engines.erase(as_of_engines.begin());
  std::shared_ptr<const AggregationEngine> built = std::move(then->engine);
  as_of_engines.emplace(position, built);
  return built;
}

Result<Caller> Services::authenticate(const Request& r) {
  const std::string_view authorization = r.header("authorization");
  // "ApiToken" is how DHIS2's clients send a personal access token.
  const size_t scheme = authorization.starts_with("Bearer ") ? 7 : authorization.starts_with("ApiToken ") ? 9 : 0;
  if (scheme > 0) {
    Result<TokenUser> t = accounts.token_user(authorization.substr(scheme), now());
    if (!t) return Status::unauthenticated("mã truy cập không hợp lệ (invalid API token)");
    return Caller{t->user, std::nullopt};
  }
  if (authorization.starts_with("Basic ")) {
    // DHIS2's clients may send a password with every request: checked as a login is (the same
    // throttling and argon2id work, so an API token is the faster choice), no session opened.
    std::optional<BasicCredentials> credentials = decode_basic_credentials(authorization.substr(6));
    if (!credentials) return Status::unauthenticated("tiêu đề Authorization: Basic không hợp lệ (malformed Basic credentials)");
    Result<User> user = accounts.password_user(credentials->username, credentials->password, r.remote_address, now());
    sodium_memzero(credentials->password.data(), credentials->password.size());
    if (!user) return user.status();
    return Caller{std::move(*user), std::nullopt};
  }
  std::optional<std::string> token = r.cookie(kSessionCookie);
  if (!token) return Status::unauthenticated("chưa đăng nhập (not logged in)");
  Result<SessionInfo> s = accounts.session_user(*token, now());
  if (!s) return Status::unauthenticated("phiên đăng nhập đã hết hạn (session expired or unknown)");
  // A cookie rides along with every request a browser makes, so a state change must also
  // carry the token only our pages can read.
  if (r.method != "GET" && r.method != "HEAD") {
    QPAN_RETURN_IF_ERROR(Accounts::check_csrf(*s, r.header("x-csrf-token")));
  }
  return Caller{s->user, std::move(*s)};
}

Status Services::authorize(const Caller& c, Action action, std::string_view unit, Date at) const {
  return qpan::authorize(c.user, action, unit, at, *engine.units());
}

Status Services::authorize_over(const Caller& c, Action action, std::string_view unit,
                                const std::vector<Period>& periods) const {
  const auto units = engine.units();
  bool named = false;
  for (const Period& period : periods) {
    const DateRange days = period.dates();
    for (const OrgUnitVersion* v : units->during(unit, days)) {
      named = true;
      const Date first = v->valid_from ? std::max(*v->valid_from, days.first) : days.first;
      const Date last = v->valid_until ? std::min(add_days(*v->valid_until, -1), days.last) : days.last;
      QPAN_RETURN_IF_ERROR(qpan::authorize(c.user, action, unit, first, *units));
      if (last != first) QPAN_RETURN_IF_ERROR(qpan::authorize(c.user, action, unit, last, *units));
    }
  }
  if (!named && !periods.empty()) return qpan::authorize(c.user, action, unit, last_day(periods), *units);
  return Status::ok();
}

std::optional<Response> Services::admit(Request& r) {
  // Over a hot standby nothing can be written, not even a login: refused before anything is
  // looked at or read, whoever asks.
  if (options.read_only && r.method != "GET" && r.method != "HEAD") {
    return error_response(Status::read_only(
        "máy chủ chỉ đọc (bản sao dự phòng của cơ sở dữ liệu): hãy ghi và đăng nhập qua máy chủ chính — this server is "
        "read-only (a standby of the database): write and log in through the primary"));
  }
  Result<Caller> caller = authenticate(r);
  if (!caller) {
    Response refusal = error_response(caller.status());
    // A throttled Basic request says when to try again, as a throttled login does.
    const std::string_view authorization = r.header("authorization");
    if (caller.status().code() == StatusCode::kTooManyRequests && authorization.starts_with("Basic ")) {
      if (std::optional<BasicCredentials> c = decode_basic_credentials(authorization.substr(6))) {
        sodium_memzero(c->password.data(), c->password.size());
        Result<int64_t> wait = accounts.login_blocked_for(c->username, r.remote_address, now());
        if (wait) refusal.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(*wait, 1)));
      }
    }
    return refusal;
  }
  r.user = caller->user.username;
  r.context = std::move(*caller);
  return std::nullopt;
}

Result<Caller> Services::caller_of(Request& r) {
  // Admitted: the caller found before the body was read. Otherwise (a router without the
  // admission, as in a test calling a route directly) authenticated here.
  if (Caller* admitted = std::any_cast<Caller>(&r.context)) return *admitted;
  Result<Caller> caller = authenticate(r);
  if (caller) r.user = caller->user.username;
  return caller;
}

Response Services::guarded(Request& r, const std::function<Result<Response>(Caller&)>& body) {
  Result<Caller> caller = caller_of(r);
  if (!caller) return error_response(caller.status());
  Result<Response> response = body(*caller);
  if (!response) return error_response(response.status());
  return std::move(*response);
}

void Services::async_guarded(Request& r, const Reply& reply, const std::function<Status(Caller&)>& body) {
  auto fail = [&](const Status& s) { reply([response = error_response(s)] { return response; }); };
  Result<Caller> caller = caller_of(r);
  if (!caller) return fail(caller.status());
  if (Status started = body(*caller); !started) fail(started);
}

Result<std::string> required(const Request& r, std::string_view name) {
  std::optional<std::string> v = r.query_param(name);
  if (!v || v->empty()) return Status::invalid_input(std::string(name) + ": required query parameter");
  return *v;
}

Result<std::vector<std::string>> list(const Request& r, std::string_view name) {
  Result<std::string> v = required(r, name);
  if (!v) return v.status();
  std::vector<std::string> out = split_list(*v);
  if (out.empty()) return Status::invalid_input(std::string(name) + ": give at least one item");
  return out;
}

Result<std::vector<Period>> periods(const Request& r) {
  Result<std::vector<std::string>> items = list(r, "pe");
  if (!items) return items.status();
  std::vector<Period> out;
  for (const std::string& item : *items) {
    Result<Period> p = Period::parse(item);
    if (!p) return Status::invalid_input("pe: malformed period \"" + item + "\": " + p.status().message());
    out.push_back(*p);
  }
  return out;
}

Date last_day(const std::vector<Period>& periods) {
  Date last = periods.front().dates().last;
  for (const Period& p : periods) last = std::max(last, p.dates().last);
  return last;
}

Result<UnitPeriods> unit_periods(Services& services, const Request& r, const Caller& c, Action action, bool single) {
  Result<std::string> ou = required(r, "ou");
  if (!ou) return ou.status();
  Result<std::vector<Period>> pe = periods(r);
  if (!pe) return pe.status();
  if (single && pe->size() != 1) return Status::invalid_input("pe: give one period");
  QPAN_RETURN_IF_ERROR(services.authorize_over(c, action, *ou, *pe));
  return UnitPeriods{std::move(*ou), std::move(*pe)};
}

Result<json::object> parse_object(const std::string& body, json::storage_ptr storage) {
  if (find_invalid_utf8(body) != std::string::npos) {
    return Status::invalid_input("body: not valid UTF-8 (nội dung không phải UTF-8 hợp lệ)");
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, std::move(storage));
  if (ec) return Status::invalid_input("body: invalid JSON (JSON không hợp lệ): " + ec.message());
  if (!v.is_object()) return Status::invalid_input("body: expected a JSON object");
  return std::move(v.as_object());
}

void BodyProblems::add(std::string field, std::string reason) {
  ++total;
  if (shown.size() < 100) shown.emplace_back(json::object{{"field", std::move(field)}, {"reason", std::move(reason)}});
}

std::string_view BodyFields::text(std::string_view key) {
  const json::value* v = object_.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (const json::string* s = v->if_string()) return std::string_view(s->data(), s->size());
  problems_.add(path_ + std::string(key), "expected a string (\"202401\", not 202401)");
  return {};
}

std::string_view BodyFields::value(std::string_view key, std::deque<std::string>& kept) {
  const json::value* v = object_.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (const json::string* s = v->if_string()) return std::string_view(s->data(), s->size());
  if (v->is_int64()) return kept.emplace_back(std::to_string(v->as_int64()));
  if (v->is_uint64()) return kept.emplace_back(std::to_string(v->as_uint64()));
  if (v->is_double()) return kept.emplace_back(format_number_machine(v->as_double()));
  if (v->is_bool()) return v->as_bool() ? "true" : "false";
  problems_.add(path_ + std::string(key), "expected a string, a number or true/false");
  return {};
}

std::string_view BodyFields::boolean(std::string_view key) {
  const json::value* v = object_.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (v->is_bool()) return v->as_bool() ? "true" : "false";
  problems_.add(path_ + std::string(key), "expected true or false");
  return {};
}

Response invalid_body(BodyProblems problems) {
  return error_response(400, "invalid_input", "Nội dung không hợp lệ, không ghi gì (invalid request body, nothing was written)",
                        json::object{{"total", problems.total}, {"problems", std::move(problems.shown)}});
}

std::optional<ExpectedVersion> expected_version(std::string_view etag) {
  if (etag == "*") return ExpectedVersion::any();
  if (etag.size() < 4 || etag.front() != '"' || etag[1] != 'v' || etag.back() != '"') return std::nullopt;
  int32_t version = 0;
  const char* first = etag.data() + 2;
  const char* last = etag.data() + etag.size() - 1;
  auto [end, ec] = std::from_chars(first, last, version);
  if (ec != std::errc() || end != last || version < 1) return std::nullopt;
  return ExpectedVersion::of(version);
}

json::array problems_json(const ImportProblems& problems) {
  json::array out;
  for (const ImportProblem& p : problems.shown) {
    json::object o{{"field", p.field}, {"reason", p.reason}};
    if (p.line > 0) {
      o["line"] = p.line;
      o["column"] = p.column;
    }
    out.emplace_back(std::move(o));
  }
  return out;
}

Response raw(int status, std::string content_type, std::string body) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

std::string etag_of(int32_t version) { return "\"v" + std::to_string(version) + "\""; }

json::object value_json(const DataValue& v) {
  return {{"dataElement", v.element}, {"period", v.period.code()},        {"orgUnit", v.org_unit},
          {"categoryOptionCombo", v.option}, {"value", v.value},           {"storedBy", v.stored_by},
          {"lastUpdated", format_timestamp(v.last_updated)}, {"comment", v.comment},
          {"followup", v.followup}, {"version", v.version}};
}

json::object data_set_json(const DataSet& ds) {
  json::array approval, elements;
  for (OrgUnitLevel level : ds.approval) approval.emplace_back(level_name(level));
  for (const std::string& code : ds.elements) elements.emplace_back(code);
  return {{"code", ds.code},
          {"name", ds.name_vi},
          {"nameEn", ds.name_en},
          {"periodType", period_type_name(ds.period_type)},
          {"level", level_name(ds.level)},
          {"deadlineDays", ds.deadline_days},
          {"approval", std::move(approval)},
          {"dataElements", std::move(elements)}};
}

json::object approval_json(const ApprovalRecord& a) {
  json::array history;
  for (const ApprovalEvent& e : a.history) {
    history.emplace_back(json::object{{"from", approval_state_name(e.from)}, {"to", approval_state_name(e.to)},
                                      {"action", approval_action_name(e.action)}, {"actor", e.actor},
                                      {"at", format_timestamp(e.at)}, {"comment", e.comment}});
  }
  return {{"dataSet", a.data_set}, {"orgUnit", a.unit_code}, {"period", a.period.code()},
          {"state", approval_state_name(a.state)}, {"stateName", approval_state_name_vi(a.state)},
          {"changedBy", a.changed_by}, {"comment", a.comment}, {"history", std::move(history)}};
}

json::object user_json(const User& u) {
  return {{"username", u.username}, {"displayName", u.display_name}, {"role", role_name(u.role)},
          {"roleName", role_name_vi(u.role)}, {"scope", u.scope_code}, {"scopeAt", format_date(u.scope_at)}};
}

}  // namespace qpan::http::api
