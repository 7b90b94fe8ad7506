// The approvals resource of the API: a form's state with its history, the transitions
// (submit, approve, return, lock, unlock), the completeness of a district's forms and each
// caller's worklist.
#include "http/api_support.h"
#include "qpan/worklist.h"

namespace qpan::http::api {
namespace {

Response approval(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<std::string> ds = required(r, "ds");
    if (!ds) return ds.status();
    Result<UnitPeriods> q = unit_periods(s, r, c, Action::kReadData, true);
    if (!q) return q.status();
    Result<ApprovalRecord> record = s.workflow.state(*ds, q->ou, q->pe.front());
    if (!record) return record.status();
    return json_response(200, approval_json(*record));
  });
}

Response transition(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<ApprovalAction> action = parse_approval_action(r.path_params.at("action"));
    if (!action) return action.status();
    Result<json::object> body = parse_object(r.body);
    if (!body) return body.status();
    BodyProblems problems;
    BodyFields fields(*body, "", problems);
    const std::string_view data_set = fields.text("dataSet"), unit = fields.text("orgUnit"),
                           period_text = fields.text("period"), comment = fields.text("comment");
    if (!problems.empty()) return invalid_body(std::move(problems));
    Result<Period> period = Period::parse(period_text);
    if (!period) return Status::invalid_input("period: " + period.status().message());
    // The workflow checks the role and scope itself, before it looks at the form. Under the
    // data store's lock: a group of writes is checked against the forms' states and written
    // as a whole before or after a transition, never across one.
    std::lock_guard lock(s.store_mutex);
    Result<ApprovalRecord> record =
        s.workflow.transition(c.user, *action, data_set, unit, *period, comment, *s.engine.units(), s.now());
    if (!record) return record.status();
    return json_response(200, approval_json(*record));
  });
}

Response completeness(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<std::string> ds = required(r, "ds");
    if (!ds) return ds.status();
    Result<UnitPeriods> q = unit_periods(s, r, c, Action::kReadData, true);
    if (!q) return q.status();
    Result<Completeness> result = s.workflow.completeness(*ds, q->ou, q->pe.front(), *s.engine.units(), today_utc());
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

// The caller's own worklist: what its role must submit or review under its scope.
Response worklist(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<Worklist> list = qpan::worklist(s.workflow, c.user, *s.engine.units(), today_utc());
    if (!list) return list.status();
    json::array items;
    for (const WorklistItem& i : list->items) {
      items.emplace_back(json::object{{"kind", worklist_kind_name(i.kind)}, {"dataSet", i.data_set},
                                      {"orgUnit", i.unit_code}, {"name", i.unit_name},
                                      {"period", i.period.code()}, {"periodName", i.period.label_vi()},
                                      {"periodNameEn", i.period.label_en()},
                                      {"state", approval_state_name(i.state)}, {"stateName", approval_state_name_vi(i.state)},
                                      {"deadline", format_date(i.deadline)}, {"status", timeliness_name(i.status)}});
    }
    return json_response(200, json::object{{"total", list->total}, {"items", std::move(items)}});
  });
}

}  // namespace

void add_approval_routes(Routes& routes, Services& s) {
  routes.add({"GET", "/api/approvals", "Trạng thái duyệt của một biểu (ds) cho đơn vị và kỳ, với lịch sử", {"ds", "ou", "pe"}, true, false},
             [&s](Request& r) { return approval(s, r); });
  routes.add({"POST", "/api/approvals/{action}",
              "Gửi (submit), duyệt (approve), trả lại (return, cần comment), khóa (lock), mở khóa (unlock) một biểu", {}, true, true},
             [&s](Request& r) { return transition(s, r); });
  routes.add({"GET", "/api/completeness", "Đơn vị đã gửi đúng hạn, muộn hoặc chưa gửi một biểu trong kỳ", {"ds", "ou", "pe"}, true, false},
             [&s](Request& r) { return completeness(s, r); });
  routes.add({"GET", "/api/worklist", "Việc chờ người dùng: biểu cần gửi (chưa gửi, bị trả lại) và biểu chờ duyệt trong phạm vi", {}, true, false},
             [&s](Request& r) { return worklist(s, r); });
}

}  // namespace qpan::http::api
