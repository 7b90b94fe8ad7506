// The qpan JSON API (see api.h): authentication, authorization and the routes.
#include "http/api.h"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "qpan/text.h"

namespace qpan::http {
namespace json = boost::json;

namespace {

constexpr std::string_view kSessionCookie = "qpan_session";

std::optional<std::string> string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  if (v->is_double()) return format_number_machine(v->as_double());
  if (v->is_bool()) return v->as_bool() ? "true" : "false";
  return std::nullopt;
}

// `storage`: where the parsed values live (an arena for a large body read once).
Result<json::object> parse_object(const std::string& body, json::storage_ptr storage = {}) {
  if (find_invalid_utf8(body) != std::string::npos) {
    return Status::invalid_input("body: not valid UTF-8 (nội dung không phải UTF-8 hợp lệ)");
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, std::move(storage));
  if (ec) return Status::invalid_input("body: invalid JSON (JSON không hợp lệ): " + ec.message());
  if (!v.is_object()) return Status::invalid_input("body: expected a JSON object");
  return std::move(v.as_object());
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

json::object user_json(const User& u) {
  return {{"username", u.username}, {"displayName", u.display_name}, {"role", role_name(u.role)},
          {"roleName", role_name_vi(u.role)}, {"scope", u.scope_code}};
}

}  // namespace

struct Api::Caller {
  User user;
  std::optional<SessionInfo> session;
};

// The handlers, with the helpers every route shares.
class Api::Handlers {
 public:
  explicit Handlers(Api& api) : api_(api) {}

  // ---- Authentication and authorization --------------------------------------------------

  Result<Caller> authenticate(const Request& r) {
    const std::string_view authorization = r.header("authorization");
    if (authorization.starts_with("Bearer ")) {
      Result<TokenUser> t = api_.accounts_.token_user(authorization.substr(7), api_.now());
      if (!t) return Status::unauthenticated("mã truy cập không hợp lệ (invalid API token)");
      return Caller{t->user, std::nullopt};
    }
    std::optional<std::string> token = r.cookie(kSessionCookie);
    if (!token) return Status::unauthenticated("chưa đăng nhập (not logged in)");
    Result<SessionInfo> s = api_.accounts_.session_user(*token, api_.now());
    if (!s) return Status::unauthenticated("phiên đăng nhập đã hết hạn (session expired or unknown)");
    // A cookie rides along with every request a browser makes, so a state change must also
    // carry the token only our pages can read.
    if (r.method != "GET" && r.method != "HEAD") {
      QPAN_RETURN_IF_ERROR(Accounts::check_csrf(*s, r.header("x-csrf-token")));
    }
    return Caller{s->user, std::move(*s)};
  }

  Status authorize(const Caller& c, Action action, std::string_view unit, Date at) {
    return qpan::authorize(c.user, action, unit, at, *api_.engine_.units());
  }

  // Runs `body` for an authenticated caller; maps errors to responses.
  Response guarded(Request& r, const std::function<Result<Response>(Caller&)>& body) {
    Result<Caller> caller = authenticate(r);
    if (!caller) return error_response(caller.status());
    r.headers["x-qpan-user"] = caller->user.username;  // for the access log
    Result<Response> response = body(*caller);
    if (!response) return error_response(response.status());
    return std::move(*response);
  }

  // The same for a route that replies later: `body` either starts the work (which replies)
  // and returns ok, or fails, and the error is the reply.
  void async_guarded(Request& r, const Reply& reply, const std::function<Status(Caller&)>& body) {
    auto fail = [&](const Status& s) { reply([response = error_response(s)] { return response; }); };
    Result<Caller> caller = authenticate(r);
    if (!caller) return fail(caller.status());
    r.headers["x-qpan-user"] = caller->user.username;
    if (Status started = body(*caller); !started) fail(started);
  }

  static Result<std::string> required(const Request& r, std::string_view name) {
    std::optional<std::string> v = r.query_param(name);
    if (!v || v->empty()) return Status::invalid_input(std::string(name) + ": required query parameter");
    return *v;
  }

  static Result<std::vector<std::string>> list(const Request& r, std::string_view name) {
    Result<std::string> v = required(r, name);
    if (!v) return v.status();
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= v->size()) {
      const size_t comma = v->find(',', start);
      std::string item = v->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!item.empty()) out.push_back(std::move(item));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }

  static Result<std::vector<Period>> periods(const Request& r) {
    Result<std::vector<std::string>> items = list(r, "pe");
    if (!items) return items.status();
    std::vector<Period> out;
    for (const std::string& item : *items) {
      Result<Period> p = Period::parse(item);
      if (!p) return Status::invalid_input("pe: malformed period \"" + item + "\": " + p.status().message());
      out.push_back(*p);
    }
    if (out.empty()) return Status::invalid_input("pe: give at least one period");
    return out;
  }

  // The `ou` and `pe` of a request about one unit, authorized for `action` at the end of the
  // periods; `single`: exactly one period.
  struct UnitPeriods {
    std::string ou;
    std::vector<Period> pe;
  };
  Result<UnitPeriods> unit_periods(const Request& r, const Caller& c, Action action, bool single) {
    Result<std::string> ou = required(r, "ou");
    if (!ou) return ou.status();
    Result<std::vector<Period>> pe = periods(r);
    if (!pe) return pe.status();
    if (single && pe->size() != 1) return Status::invalid_input("pe: give one period");
    QPAN_RETURN_IF_ERROR(authorize(c, action, *ou, last_day(*pe)));
    return UnitPeriods{std::move(*ou), std::move(*pe)};
  }

  static Date last_day(const std::vector<Period>& periods) {
    Date last = periods.front().dates().last;
    for (const Period& p : periods) last = std::max(last, p.dates().last);
    return last;
  }

  // ---- Routes ----------------------------------------------------------------------------

  Response login(Request& r) {
    Result<json::object> body = parse_object(r.body);
    if (!body) return error_response(body.status());
    const std::string username = string_field(*body, "username").value_or("");
    const std::string password = string_field(*body, "password").value_or("");
    Result<LoginResult> login = api_.accounts_.login(username, password, r.remote_address, api_.now());
    if (!login) {
      Response e = error_response(login.status());
      if (login.status().code() == StatusCode::kTooManyRequests) {
        Result<int64_t> wait = api_.accounts_.login_blocked_for(username, r.remote_address, api_.now());
        if (wait) e.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(*wait, 1)));
      }
      return e;
    }
    Response out = json_response(200, json::object{{"user", user_json(login->user)},
                                                   {"csrfToken", login->csrf_token},
                                                   {"expiresAt", format_timestamp(login->expires_at)}});
    std::string cookie = std::string(kSessionCookie) + "=" + login->session_token +
                         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                         std::to_string(login->expires_at - api_.now());
    if (api_.options_.secure_cookies) cookie += "; Secure";
    out.headers.emplace_back("Set-Cookie", std::move(cookie));
    r.headers["x-qpan-user"] = login->user.username;
    return out;
  }

  Response logout(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      if (std::optional<std::string> token = r.cookie(kSessionCookie); token && c.session) {
        QPAN_RETURN_IF_ERROR(api_.accounts_.logout(*token));
      }
      Response out = json_response(200, json::object{{"loggedOut", true}});
      out.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
      return out;
    });
  }

  Response me(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      json::object o{{"user", user_json(c.user)}};
      if (c.session) o["csrfToken"] = c.session->csrf_token;
      return json_response(200, o);
    });
  }

  Response unit(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      const std::string& code = r.path_params.at("code");
      Date at = today_utc();
      if (std::optional<std::string> a = r.query_param("at")) {
        Result<Date> d = parse_date(*a);
        if (!d) return Status::invalid_input("at: " + d.status().message());
        at = *d;
      }
      const auto units = api_.engine_.units();
      const OrgUnitVersion* v = units->at(code, at);
      if (v == nullptr) {
        return Status::not_found("đơn vị " + code + " không có hiệu lực ngày " + format_date(at) +
                                 " (no unit " + code + " in force on that day)");
      }
      QPAN_RETURN_IF_ERROR(authorize(c, Action::kReadData, code, at));
      json::array children;
      for (const OrgUnitVersion* child : units->children(code, at)) {
        children.emplace_back(json::object{{"code", child->code}, {"name", child->name}, {"level", level_name(child->level)}});
      }
      return json_response(200, json::object{{"code", v->code},
                                             {"name", v->name},
                                             {"level", level_name(v->level)},
                                             {"parent", v->parent_code},
                                             {"at", format_date(at)},
                                             {"children", std::move(children)}});
    });
  }

  Response search_units(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      Result<std::string> text = required(r, "q");
      if (!text) return text.status();
      Result<std::vector<OrgUnitVersion>> found = [&] {
        std::lock_guard lock(api_.store_mutex_);
        return api_.store_.search_org_units(search_key(*text));
      }();
      if (!found) return found.status();
      const auto units = api_.engine_.units();
      const Date today = today_utc();
      json::array out;
      for (const OrgUnitVersion& v : *found) {
        // Only what the caller may read: a version in force today inside the scope.
        if (!v.valid_at(today) || !authorize(c, Action::kReadData, v.code, today).is_ok()) continue;
        out.emplace_back(json::object{{"code", v.code}, {"name", v.name}, {"level", level_name(v.level)}, {"parent", v.parent_code}});
        if (out.size() >= 50) break;
      }
      return json_response(200, json::object{{"units", std::move(out)}});
    });
  }

  Response pack(Request& r) {
    return guarded(r, [&](Caller&) -> Result<Response> {
      const auto catalogue = api_.engine_.catalogue();
      json::array elements, indicators, sets;
      for (const DataElement& e : catalogue->elements()) {
        elements.emplace_back(json::object{{"code", e.code}, {"name", e.name_vi}, {"nameEn", e.name_en},
                                           {"valueType", value_type_name(e.value_type)},
                                           {"aggregation", aggregation_name(e.aggregation)},
                                           {"disaggregation", e.disaggregation}, {"area", e.area}});
      }
      for (const Indicator& i : api_.indicators_) {
        indicators.emplace_back(json::object{{"code", i.code}, {"name", i.name_vi}, {"nameEn", i.name_en},
                                             {"expression", i.expression}, {"decimals", i.decimals}, {"unit", i.unit}});
      }
      for (const EvaluationSet& s : api_.evaluation_sets_) {
        sets.emplace_back(json::object{{"code", s.code}, {"name", s.name_vi}, {"nameEn", s.name_en}});
      }
      return json_response(200, json::object{{"dataElements", std::move(elements)},
                                             {"indicators", std::move(indicators)},
                                             {"evaluationSets", std::move(sets)}});
    });
  }

  Response analytics(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      Result<AnalyticsQuery> q = parse_analytics_query(r.query_param("dx").value_or(""), r.query_param("ou").value_or(""),
                                                       r.query_param("pe").value_or(""));
      if (!q) return q.status();
      if (std::optional<std::string> s = r.query_param("structureAt"); s && !s->empty()) {
        Result<Date> d = parse_date(*s);
        if (!d) return Status::invalid_input("structureAt: " + d.status().message());
        q->structure_at = *d;
      }
      if (!q->pe.empty()) {
        const Date at = q->structure_at.value_or(last_day(q->pe));
        for (const std::string& ou : q->ou) QPAN_RETURN_IF_ERROR(authorize(c, Action::kReadData, ou, at));
      }
      // Authorized above for every unit; the answer itself depends only on the query.
      const std::string format = r.query_param("format").value_or("json");
      const std::string key = format + '\x1f' + r.query;
      const uint64_t generation = api_.engine_.generation();
      {
        std::lock_guard lock(api_.cache_mutex_);
        if (auto it = api_.analytics_cache_.find(key); it != api_.analytics_cache_.end() && it->second.generation == generation) {
          return it->second.response;
        }
      }
      Result<AnalyticsResult> result = run_analytics(api_.engine_, *q, api_.indicators_);
      if (!result) return result.status();
      Response response =
          format == "csv"     ? raw(200, "text/csv; charset=utf-8", format_analytics(*result, AnalyticsFormat::kCsv))
          : format == "table" ? raw(200, "text/plain; charset=utf-8", format_analytics(*result, AnalyticsFormat::kTable))
                              : raw(200, "application/json; charset=utf-8", format_analytics(*result, AnalyticsFormat::kJson));
      std::lock_guard lock(api_.cache_mutex_);
      if (api_.analytics_cache_.size() >= 1024) api_.analytics_cache_.clear();
      api_.analytics_cache_[key] = {generation, response};
      return response;
    });
  }

  // The stored value of an entry's key, if any (the caller holds the store).
  static Result<std::optional<DataValue>> stored_value(Store& store, const ValueWrite& key_row) {
    std::optional<DataValue> found;
    ValueFilter filter;
    filter.unit_ids = {key_row.key.unit_id};
    filter.period_key_ranges = {{key_row.key.period, key_row.key.period}};
    Status s = store.scan_values(filter, [&](const ValueKey& k, const DataValue& v) {
      if (k == key_row.key) found = v;
    });
    if (!s) return s;
    return found;
  }

  Response get_value(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      ValueEntry entry{r.query_param("de").value_or(""), r.query_param("pe").value_or(""),
                       r.query_param("ou").value_or(""), r.query_param("co").value_or(""), "0", ""};
      Result<ValueWrite> row = check_key(entry);
      if (!row) return row.status();
      QPAN_RETURN_IF_ERROR(authorize(c, Action::kReadData, entry.org_unit, Period::parse(entry.period)->dates().last));
      std::lock_guard lock(api_.store_mutex_);
      Result<std::optional<DataValue>> stored = stored_value(api_.store_, *row);
      if (!stored) return stored.status();
      if (!*stored) return Status::not_found("chưa có số liệu (no value stored for this key)");
      Response out = json_response(200, value_json(**stored));
      out.headers.emplace_back("ETag", etag_of((*stored)->version));
      return out;
    });
  }

  // Checks the key fields of an entry (its value is set to a placeholder of the right type).
  Result<ValueWrite> check_key(ValueEntry& entry) {
    const DataElement* element = api_.engine_.catalogue()->element(entry.data_element);
    entry.value = element != nullptr && element->value_type == ValueType::kBoolean ? "true" : "0";
    auto checked = api_.checker_->check(entry, "", 0);
    if (auto* problems = std::get_if<std::vector<ValueEntryChecker::Problem>>(&checked)) {
      const auto& p = problems->front();
      return Status::invalid_input(p.field + ": " + p.reason);
    }
    return std::get<ValueWrite>(checked);
  }

  Result<ValueEntry> entry_from(const json::object& o) {
    ValueEntry e;
    e.data_element = string_field(o, "dataElement").value_or("");
    e.period = string_field(o, "period").value_or("");
    e.org_unit = string_field(o, "orgUnit").value_or("");
    e.option = string_field(o, "categoryOptionCombo").value_or("");
    e.value = string_field(o, "value").value_or("");
    e.comment = string_field(o, "comment").value_or("");
    return e;
  }

  // A write checked on an I/O thread and waiting for the group-commit writer; owns what its
  // rows' string views point into.
  struct PendingWrite {
    std::string user;
    std::vector<ValueEntry> entries;
    std::vector<std::optional<std::string>> if_match;  // by entry: nullopt = create only, "*" = any
    std::vector<ValueWrite> rows;                       // sorted by key
    std::vector<size_t> entry_of;                       // the entry of each row
    bool single = false;
    // Found by the check in the writer (inside the transaction).
    json::array conflicts;
    json::array refusals;
    std::optional<int32_t> stored_version;  // single writes: the version before this one
  };

  // Checks entries (type, unit, period, the caller's scope) here, then hands the rows to
  // the writer, which checks versions and open forms inside its transaction and writes them
  // with the other requests waiting, all or nothing per request.
  void write_async(Caller& c, std::shared_ptr<PendingWrite> w, const Reply& reply) {
    auto refuse = [&](Response response) { reply([response = std::move(response)] { return response; }); };
    w->user = c.user.username;
    json::array problems;
    std::vector<ValueWrite> rows;
    std::vector<size_t> entry_of;
    rows.reserve(w->entries.size());
    for (size_t i = 0; i < w->entries.size(); ++i) {
      auto checked = api_.checker_->check(w->entries[i], w->user, api_.now());
      const std::string at = w->single ? "" : "dataValues[" + std::to_string(i) + "].";
      if (auto* list = std::get_if<std::vector<ValueEntryChecker::Problem>>(&checked)) {
        for (const auto& p : *list) problems.emplace_back(json::object{{"field", at + p.field}, {"reason", p.reason}});
        continue;
      }
      const Period period = *Period::parse(w->entries[i].period);
      if (Status s = authorize(c, Action::kWriteData, w->entries[i].org_unit, period.dates().last); !s) {
        return refuse(error_response(s));
      }
      rows.push_back(std::get<ValueWrite>(checked));
      entry_of.push_back(i);
    }
    if (!problems.empty()) return refuse(invalid_values(std::move(problems)));
    std::vector<size_t> order(rows.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rows[a].key < rows[b].key; });
    for (size_t k = 0; k < order.size(); ++k) {
      if (k > 0 && rows[order[k]].key == rows[order[k - 1]].key) {
        return refuse(error_response(Status::invalid_input("dataValues[" + std::to_string(entry_of[order[k]]) +
                                                           "]: the same value as dataValues[" +
                                                           std::to_string(entry_of[order[k - 1]]) + "]")));
      }
      w->rows.push_back(rows[order[k]]);
      w->entry_of.push_back(entry_of[order[k]]);
    }
    ValueWriteQueue::Job job;
    job.rows = w->rows;
    job.context = {w->user, api_.now(), w->single ? "api:dataValues" : "api:dataValueSets"};
    job.storage = w;
    job.check = [this, w](Store& store) { return check_in_writer(store, *w); };
    job.done = [this, w, reply](Result<ValueWriteSummary> summary) {
      reply([this, w, summary = std::move(summary)] { return written(*w, summary); });
    };
    api_.write_queue_->submit(std::move(job));
  }

  static Response invalid_values(json::array problems) {
    return error_response(400, "invalid_input", "Số liệu không hợp lệ, không ghi gì (invalid values, nothing was written)",
                          json::object{{"problems", std::move(problems)}});
  }

  // In the writer's transaction, just before the rows are written (it sees what the requests
  // before this one wrote): forms approved or locked since the request came, and what each
  // writer last read must still be what is stored (optimistic concurrency).
  Status check_in_writer(Store& store, PendingWrite& w) {
    std::string_view period_text;  // rows of a request mostly share their period
    Period period = Period::year(2000);
    for (size_t k = 0; k < w.rows.size(); ++k) {
      const ValueEntry& e = w.entries[w.entry_of[k]];
      if (e.period != period_text) {
        period_text = e.period;
        period = *Period::parse(e.period);
      }
      if (std::optional<std::string> refused = api_.workflow_.write_refusal(e.data_element, e.org_unit, period)) {
        const std::string at = w.single ? "" : "dataValues[" + std::to_string(w.entry_of[k]) + "].";
        w.refusals.emplace_back(json::object{{"field", at + "period"}, {"reason", *refused}});
      }
    }
    if (!w.refusals.empty()) return Status::invalid_input("form closed");
    for (size_t k = 0; k < w.rows.size(); ++k) {
      const std::optional<std::string>& expected = w.if_match[w.entry_of[k]];
      if (expected && *expected == "*" && !w.single) continue;  // "whatever is there": nothing to compare
      Result<std::optional<DataValue>> stored = stored_value(store, w.rows[k]);
      if (!stored) return stored.status();
      if (w.single && *stored) w.stored_version = (*stored)->version;
      const bool ok = !*stored ? (!expected || *expected == "*")
                               : (expected && (*expected == "*" || *expected == etag_of((*stored)->version)));
      if (ok) continue;
      json::object conflict{{"index", w.entry_of[k]}};
      if (*stored) {
        conflict["current"] = value_json(**stored);
        conflict["etag"] = etag_of((*stored)->version);
      } else {
        conflict["current"] = nullptr;
      }
      w.conflicts.emplace_back(std::move(conflict));
    }
    if (!w.conflicts.empty()) return Status::precondition_failed("changed since read");
    return Status::ok();
  }

  // The answer to a write, on the connection's I/O thread once the writer is done.
  Response written(const PendingWrite& w, const Result<ValueWriteSummary>& summary) {
    if (!w.refusals.empty()) return invalid_values(w.refusals);
    if (!w.conflicts.empty()) {
      return error_response(412, "precondition_failed",
                            "Số liệu đã bị người khác thay đổi; hãy xem giá trị hiện tại (the value changed since you "
                            "read it; nothing was written)",
                            json::object{{"conflicts", w.conflicts}});
    }
    if (!summary) return error_response(summary.status());
    api_.metrics_.add("values_written", static_cast<int64_t>(w.rows.size()));
    json::object out{{"created", summary->created}, {"updated", summary->updated}, {"unchanged", summary->unchanged},
                     {"warnings", validation_warnings(w.entries)}};
    Response response = json_response(200, out);
    if (w.single) {
      // The new version, for the writer's next If-Match.
      const int32_t version = summary->created > 0 ? 1 : w.stored_version.value_or(0) + (summary->updated > 0 ? 1 : 0);
      response.headers.emplace_back("ETag", etag_of(version));
    }
    return response;
  }

  // Validation rules reading an element just written, on the cells written, from the engine
  // (which has the values already).
  json::array validation_warnings(const std::vector<ValueEntry>& entries) {
    std::vector<ValueCell> cells;
    for (const ValueEntry& e : entries) {
      ValueCell cell{e.org_unit, *Period::parse(e.period), {}};
      auto it = std::find(cells.begin(), cells.end(), cell);
      if (it == cells.end()) it = cells.insert(cells.end(), std::move(cell));
      if (std::find(it->elements.begin(), it->elements.end(), e.data_element) == it->elements.end()) {
        it->elements.push_back(e.data_element);
      }
    }
    const EngineExpressionContext context(api_.engine_);
    const ValidationReport report = validate_cells(api_.validation_rules_, *api_.engine_.units(), context, cells);
    json::array out;
    for (const ValidationViolation& v : report.violations) {
      const CompiledValidationRule& rule = report.rules[v.rule];
      out.emplace_back(json::object{{"rule", rule.code}, {"name", rule.name_vi}, {"orgUnit", v.unit}, {"period", v.period.code()},
                                    {"left", v.left ? json::value(*v.left) : json::value(nullptr)},
                                    {"operator", comparison_operator_text(rule.op)},
                                    {"right", v.right ? json::value(*v.right) : json::value(nullptr)}});
    }
    return out;
  }

  void put_value(Request& r, const Reply& reply) {
    async_guarded(r, reply, [&](Caller& c) -> Status {
      Result<json::object> body = parse_object(r.body);
      if (!body) return body.status();
      Result<ValueEntry> entry = entry_from(*body);
      if (!entry) return entry.status();
      auto w = std::make_shared<PendingWrite>();
      w->single = true;
      w->entries.push_back(std::move(*entry));
      std::optional<std::string> if_match;
      if (!r.header("if-match").empty()) if_match = std::string(r.header("if-match"));
      w->if_match.push_back(std::move(if_match));
      write_async(c, std::move(w), reply);
      return Status::ok();
    });
  }

  void post_value_set(Request& r, const Reply& reply) {
    async_guarded(r, reply, [&](Caller& c) -> Status {
      // Read once and copied into entries: parsed into one arena, freed at once.
      json::monotonic_resource arena(r.body.size() * 2);
      Result<json::object> body = parse_object(r.body, &arena);
      if (!body) return body.status();
      const json::value* values = body->if_contains("dataValues");
      if (values == nullptr || !values->is_array()) return Status::invalid_input("dataValues: expected an array");
      auto w = std::make_shared<PendingWrite>();
      w->entries.reserve(values->as_array().size());
      for (size_t i = 0; i < values->as_array().size(); ++i) {
        const json::value& v = values->as_array()[i];
        if (!v.is_object()) return Status::invalid_input("dataValues[" + std::to_string(i) + "]: expected an object");
        Result<ValueEntry> e = entry_from(v.as_object());
        if (!e) return e.status();
        w->entries.push_back(std::move(*e));
        // A batch replaces what is there unless an item says which version it read.
        w->if_match.push_back(string_field(v.as_object(), "ifMatch").value_or("*"));
      }
      write_async(c, std::move(w), reply);
      return Status::ok();
    });
  }

  Response import_values(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      if (!r.body_file) return Status::invalid_input("body: send the CSV file as the request body");
      // The role first (before the file is read), then every row's unit.
      QPAN_RETURN_IF_ERROR(authorize(c, Action::kImport, c.user.scope_code, today_utc()));
      const auto units = api_.engine_.units();
      bool outside_scope = false;
      ValueImportOptions options;
      options.user = c.user.username;
      options.now = api_.now();
      options.allow_unit = [&](std::string_view unit, const Period& period) -> std::optional<std::string> {
        Status s = qpan::authorize(c.user, Action::kImport, unit, period.dates().last, *units);
        if (s) return std::nullopt;
        outside_scope = true;
        return s.message();
      };
      options.allow_value = [&](std::string_view element, std::string_view unit, const Period& period) {
        return api_.workflow_.write_refusal(element, unit, period);
      };
      Result<ValueImportResult> result = [&] {
        std::lock_guard lock(api_.store_mutex_);
        return import_values_csv(api_.store_, r.body_file->string(), options);
      }();
      if (!result) return result.status();
      if (!result->problems.empty()) {
        json::array problems;
        for (const ImportProblem& p : result->problems.shown) {
          problems.emplace_back(json::object{{"line", p.line}, {"column", p.column}, {"field", p.field}, {"reason", p.reason}});
        }
        if (outside_scope) {
          return error_response(403, "forbidden",
                                "Tệp có số liệu ngoài phạm vi của bạn, không nhập gì (rows outside your scope; nothing "
                                "was imported)",
                                json::object{{"total", result->problems.total}, {"problems", std::move(problems)}});
        }
        return error_response(400, "invalid_input",
                              "Tệp có lỗi, không nhập gì (the file has problems; nothing was imported)",
                              json::object{{"total", result->problems.total}, {"problems", std::move(problems)}});
      }
      api_.metrics_.add("imports");
      api_.metrics_.add("values_written", result->rows);
      return json_response(200, json::object{{"rows", result->rows}, {"created", result->summary.created},
                                             {"updated", result->summary.updated}, {"unchanged", result->summary.unchanged}});
    });
  }

  Response validation(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      Result<UnitPeriods> q = unit_periods(r, c, Action::kReadData, true);
      if (!q) return q.status();
      const EngineExpressionContext context(api_.engine_);
      Result<ValidationReport> report = run_validation(api_.validation_rules_, *api_.engine_.units(), context, q->ou, q->pe.front());
      if (!report) return report.status();
      return raw(200, "application/json; charset=utf-8", format_validation(*report, ValidationFormat::kJson));
    });
  }

  Response evaluation(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      Result<std::vector<std::string>> codes = list(r, "set");
      if (!codes) return codes.status();
      Result<UnitPeriods> q = unit_periods(r, c, Action::kReadData, false);
      if (!q) return q.status();
      std::vector<EvaluationSet> sets;
      for (const std::string& code : *codes) {
        auto it = std::find_if(api_.evaluation_sets_.begin(), api_.evaluation_sets_.end(),
                               [&](const EvaluationSet& s) { return s.code == code; });
        if (it == api_.evaluation_sets_.end()) return Status::not_found("set: unknown evaluation set \"" + code + "\"");
        sets.push_back(*it);
      }
      const EngineExpressionContext context(api_.engine_);
      Result<EvaluationReport> report = run_evaluation(sets, *api_.engine_.units(), context, q->ou, q->pe);
      if (!report) return report.status();
      return raw(200, "application/json; charset=utf-8", format_evaluation(*report, EvaluationFormat::kJson));
    });
  }

  static json::object approval_json(const ApprovalRecord& a) {
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

  Response approval(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      Result<std::string> ds = required(r, "ds");
      if (!ds) return ds.status();
      Result<UnitPeriods> q = unit_periods(r, c, Action::kReadData, true);
      if (!q) return q.status();
      Result<ApprovalRecord> record = api_.workflow_.state(*ds, q->ou, q->pe.front());
      if (!record) return record.status();
      return json_response(200, approval_json(*record));
    });
  }

  Response transition(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      Result<ApprovalAction> action = parse_approval_action(r.path_params.at("action"));
      if (!action) return action.status();
      Result<json::object> body = parse_object(r.body);
      if (!body) return body.status();
      Result<Period> period = Period::parse(string_field(*body, "period").value_or(""));
      if (!period) return Status::invalid_input("period: " + period.status().message());
      // The workflow checks the role and scope itself, before it looks at the form. Under the
      // data store's lock: a group of writes is checked against the forms' states and written
      // as a whole before or after a transition, never across one.
      std::lock_guard lock(api_.store_mutex_);
      Result<ApprovalRecord> record =
          api_.workflow_.transition(c.user, *action, string_field(*body, "dataSet").value_or(""),
                                    string_field(*body, "orgUnit").value_or(""), *period,
                                    string_field(*body, "comment").value_or(""), *api_.engine_.units(), api_.now());
      if (!record) return record.status();
      return json_response(200, approval_json(*record));
    });
  }

  Response completeness(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      Result<std::string> ds = required(r, "ds");
      if (!ds) return ds.status();
      Result<UnitPeriods> q = unit_periods(r, c, Action::kReadData, true);
      if (!q) return q.status();
      Result<Completeness> result = api_.workflow_.completeness(*ds, q->ou, q->pe.front(), *api_.engine_.units(), today_utc());
      if (!result) return result.status();
      json::array units;
      for (const CompletenessRow& row : result->units) {
        units.emplace_back(json::object{{"orgUnit", row.unit_code}, {"name", row.unit_name},
                                        {"state", approval_state_name(row.state)}, {"status", timeliness_name(row.status)},
                                        {"firstSubmittedAt", row.first_submitted_at ? json::value(format_timestamp(*row.first_submitted_at))
                                                                                    : json::value(nullptr)}});
      }
      return json_response(200, json::object{{"dataSet", result->data_set}, {"orgUnit", result->parent_code},
                                             {"period", result->period.code()}, {"deadline", format_date(result->deadline)},
                                             {"onTime", result->on_time}, {"late", result->late}, {"pending", result->pending},
                                             {"units", std::move(units)}});
    });
  }

  Response audit(Request& r) {
    return guarded(r, [&](Caller& c) -> Result<Response> {
      Result<UnitPeriods> q = unit_periods(r, c, Action::kReadAudit, true);
      if (!q) return q.status();
      const std::string& ou = q->ou;
      const std::vector<Period>& pe = q->pe;
      const auto units = api_.engine_.units();
      if (!units->knows(ou)) return Status::not_found("ou: unknown org unit \"" + ou + "\"");
      ValueFilter filter;
      for (const auto& range : contained_key_ranges(pe.front())) filter.period_key_ranges.push_back(range);
      std::lock_guard lock(api_.store_mutex_);
      Result<std::unordered_map<std::string, int64_t>> ids = api_.store_.unit_ids();
      if (!ids) return ids.status();
      for (const std::string& code : units->codes_ever_within(ou)) {
        if (auto it = ids->find(code); it != ids->end()) filter.unit_ids.push_back(it->second);
      }
      Result<std::vector<AuditEntry>> entries = api_.store_.audit_entries(filter);
      if (!entries) return entries.status();
      json::array out;
      for (const AuditEntry& e : *entries) {
        if (!units->is_within(e.org_unit, ou, e.period.dates())) continue;
        out.emplace_back(json::object{{"action", e.action == AuditAction::kCreate   ? "create"
                                                 : e.action == AuditAction::kUpdate ? "update"
                                                                                    : "delete"},
                                      {"dataElement", e.element}, {"period", e.period.code()}, {"orgUnit", e.org_unit},
                                      {"categoryOptionCombo", e.option}, {"oldValue", e.old_value},
                                      {"newValue", e.new_value}, {"changedBy", e.changed_by},
                                      {"changedAt", format_timestamp(e.changed_at)}});
      }
      return json_response(200, json::object{{"entries", std::move(out)}});
    });
  }

 private:
  Api& api_;
};

Api::Api(Store& store, AggregationEngine& engine, Accounts& accounts, Workflow& workflow, Metrics& metrics,
         ApiOptions options)
    : store_(store), engine_(engine), accounts_(accounts), workflow_(workflow), metrics_(metrics), options_(std::move(options)),
      write_queue_(std::make_unique<ValueWriteQueue>(store_, store_mutex_)),
      handlers_(std::make_shared<Handlers>(*this)) {}

// The queue's jobs call back into the handlers: it is drained and stopped before they go.
Api::~Api() { write_queue_.reset(); }

int64_t Api::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Status Api::load() {
  std::lock_guard lock(store_mutex_);
  Result<Pack> pack = read_loaded_pack(store_);
  if (!pack) return pack.status();
  indicators_ = std::move(pack->indicators);
  const auto catalogue = engine_.catalogue();
  Result<std::vector<EvaluationSet>> sets = compile_evaluation_sets(*pack, *catalogue);
  if (!sets) return sets.status();
  evaluation_sets_ = std::move(*sets);
  Result<std::vector<CompiledValidationRule>> rules = compile_validation_rules(*pack, *catalogue);
  if (!rules) return rules.status();
  validation_rules_ = std::move(*rules);
  Result<std::unordered_map<std::string, int64_t>> ids = store_.unit_ids();
  if (!ids) return ids.status();
  checker_ = std::make_unique<ValueEntryChecker>(catalogue, engine_.units(), std::move(*ids));
  return Status::ok();
}

void Api::add_routes(Router& router) {
  auto h = handlers_;
  auto add = [&](RouteDoc doc, Handler handler, BodyKind body = BodyKind::kBuffered) {
    router.add(doc.method, doc.pattern, std::move(handler), body);
    docs_.push_back(std::move(doc));
  };
  add({"GET", "/healthz", "Tình trạng máy chủ (liveness)", {}, false, false},
      [](Request&) { return json_response(200, json::object{{"status", "ok"}}); });
  add({"GET", "/metrics", "Số đo cho Prometheus (Prometheus metrics)", {}, false, false},
      [this](Request&) { return raw(200, "text/plain; version=0.0.4; charset=utf-8", metrics_.exposition()); });
  add({"GET", "/api/openapi.json", "Tài liệu OpenAPI 3 (this document)", {}, false, false},
      [this](Request&) { return json_response(200, openapi()); });
  add({"POST", "/api/login", "Đăng nhập: phiên trong cookie HttpOnly, SameSite=Strict và mã CSRF", {}, false, true},
      [h](Request& r) { return h->login(r); });
  add({"POST", "/api/logout", "Đăng xuất", {}, true, false}, [h](Request& r) { return h->logout(r); });
  add({"GET", "/api/me", "Người dùng hiện tại và mã CSRF", {}, true, false}, [h](Request& r) { return h->me(r); });
  add({"GET", "/api/units", "Tìm đơn vị (không phân biệt dấu) trong phạm vi của người dùng", {"q"}, true, false},
      [h](Request& r) { return h->search_units(r); });
  add({"GET", "/api/units/{code}", "Đơn vị và các đơn vị trực thuộc tại một ngày", {"at"}, true, false},
      [h](Request& r) { return h->unit(r); });
  add({"GET", "/api/pack", "Bộ chỉ tiêu: chỉ tiêu, chỉ số, bộ tiêu chí đánh giá", {}, true, false},
      [h](Request& r) { return h->pack(r); });
  add({"GET", "/api/analytics", "Tổng hợp số liệu (dx, ou, pe như DHIS2)", {"dx", "ou", "pe", "structureAt", "format"}, true, false},
      [h](Request& r) { return h->analytics(r); });
  add({"GET", "/api/dataValues", "Một số liệu, với ETag", {"de", "pe", "ou", "co"}, true, false},
      [h](Request& r) { return h->get_value(r); });
  // Writes reply once the group-commit writer has made them durable; the I/O threads go on
  // serving meanwhile.
  auto add_async = [&](RouteDoc doc, AsyncHandler handler) {
    router.add_async(doc.method, doc.pattern, std::move(handler));
    docs_.push_back(std::move(doc));
  };
  add_async({"PUT", "/api/dataValues", "Ghi một số liệu (If-Match: ETag đã đọc; thiếu If-Match: chỉ tạo mới)", {}, true, true},
            [h](Request& r, Reply reply) { h->put_value(r, reply); });
  add_async({"POST", "/api/dataValueSets", "Ghi nhiều số liệu trong một giao dịch (tất cả hoặc không)", {}, true, true},
            [h](Request& r, Reply reply) { h->post_value_set(r, reply); });
  add({"POST", "/api/imports/dataValues", "Nhập tệp CSV dataValueSets (tải lên theo luồng; tất cả hoặc không)", {}, true, true},
      [h](Request& r) { return h->import_values(r); }, BodyKind::kUpload);
  add({"GET", "/api/validation", "Kiểm tra quy tắc cho một đơn vị và kỳ", {"ou", "pe"}, true, false},
      [h](Request& r) { return h->validation(r); });
  add({"GET", "/api/evaluation", "Đánh giá, xếp loại đơn vị theo bộ tiêu chí", {"set", "ou", "pe"}, true, false},
      [h](Request& r) { return h->evaluation(r); });
  add({"GET", "/api/audit", "Nhật ký thay đổi số liệu", {"ou", "pe"}, true, false}, [h](Request& r) { return h->audit(r); });
  add({"GET", "/api/approvals", "Trạng thái duyệt của một biểu (ds) cho đơn vị và kỳ, với lịch sử", {"ds", "ou", "pe"}, true, false},
      [h](Request& r) { return h->approval(r); });
  add({"POST", "/api/approvals/{action}",
       "Gửi (submit), duyệt (approve), trả lại (return, cần comment), khóa (lock), mở khóa (unlock) một biểu", {}, true, true},
      [h](Request& r) { return h->transition(r); });
  add({"GET", "/api/completeness", "Đơn vị đã gửi đúng hạn, muộn hoặc chưa gửi một biểu trong kỳ", {"ds", "ou", "pe"}, true, false},
      [h](Request& r) { return h->completeness(r); });
}

json::object Api::openapi() const {
  json::object paths;
  for (const RouteDoc& d : docs_) {
    json::object op{{"summary", d.summary}};
    json::array params;
    std::string pattern = d.pattern;
    for (size_t open = pattern.find('{'); open != std::string::npos; open = pattern.find('{', open + 1)) {
      const size_t close = pattern.find('}', open);
      params.emplace_back(json::object{{"name", pattern.substr(open + 1, close - open - 1)}, {"in", "path"},
                                       {"required", true}, {"schema", json::object{{"type", "string"}}}});
    }
    for (const std::string& q : d.query) {
      params.emplace_back(json::object{{"name", q}, {"in", "query"}, {"schema", json::object{{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    if (d.has_body) {
      op["requestBody"] = json::object{{"required", true}, {"content", json::object{{d.pattern == "/api/imports/dataValues" ? "text/csv" : "application/json", json::object{}}}}};
    }
    json::object responses{{"200", json::object{{"description", "OK"}}}};
    if (d.authenticated) {
      responses["401"] = json::object{{"description", "Chưa đăng nhập (not authenticated)"}};
      responses["403"] = json::object{{"description", "Ngoài quyền hoặc phạm vi (role or scope)"}};
      op["security"] = json::array{json::object{{"session", json::array{}}}, json::object{{"token", json::array{}}}};
    }
    op["responses"] = std::move(responses);
    std::string method = d.method;
    std::transform(method.begin(), method.end(), method.begin(), [](char ch) { return static_cast<char>(std::tolower(ch)); });
    json::value& path = paths[d.pattern];
    if (!path.is_object()) path.emplace_object();
    path.as_object()[method] = std::move(op);
  }
  return {{"openapi", "3.0.3"},
          {"info", json::object{{"title", "qpan API"}, {"version", "0.1.0"},
                                {"description", "Hệ thống thông tin quốc phòng – an ninh cấp tỉnh"}}},
          {"paths", std::move(paths)},
          {"components",
           json::object{{"securitySchemes",
                         json::object{{"session", json::object{{"type", "apiKey"}, {"in", "cookie"}, {"name", kSessionCookie}}},
                                      {"token", json::object{{"type", "http"}, {"scheme", "bearer"}}}}}}}};
}

}  // namespace qpan::http
