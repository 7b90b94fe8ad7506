// The data-entry form resource of the API: a data set's form for one unit and period in one
// answer (qpan/entry_form.h) — cells with their values and ETags, the previous period's and
// last year's values beside them, the approval state, why the form is closed if it is, and
// what the caller may do with it, so that a screen opens a form with one request.
#include "http/api_support.h"
#include "qpan/entry_form.h"
#include "qpan/form_workbook.h"

namespace qpan::http::api {
namespace {

json::object period_json(const Period& p) {
  return {{"code", p.code()}, {"name", p.label_vi()}, {"nameEn", p.label_en()}};
}

json::value stored_json(const std::optional<DataValue>& v) { return v ? json::value(v->value) : json::value(nullptr); }

json::object cell_json(const EntryFormCell& c) {
  json::object o{{"dataElement", c.element->code},
                 {"categoryOptionCombo", c.option ? c.option->code : ""},
                 {"name", c.element->name_vi},
                 {"nameEn", c.element->name_en},
                 {"optionName", c.option ? c.option->name_vi : ""},
                 {"optionNameEn", c.option ? c.option->name_en : ""},
                 {"valueType", value_type_name(c.element->value_type)},
                 {"value", stored_json(c.value)},
                 {"previous", stored_json(c.previous)},
                 {"lastYear", stored_json(c.last_year)},
                 // Counted from this registry's records: shown, not entered (empty: reported).
                 {"countedFrom", c.counted_from}};
  if (c.value) {
    // The If-Match of the cell's next write, and who wrote it last.
    o["etag"] = etag_of(c.value->version);
    o["storedBy"] = c.value->stored_by;
    o["lastUpdated"] = format_timestamp(c.value->last_updated);
    o["comment"] = c.value->comment;
  }
  return o;
}

// What the caller may do with the form: the same checks the write path and the workflow
// make, asked beforehand so a screen can hide what would be refused (which is refused anyway).
json::object permissions_json(Services& s, const Caller& c, const EntryForm& f) {
  const Date at = form_decision_day(*f.data_set, f.unit, f.period);
  auto may = [&](Action action) { return s.authorize(c, action, f.unit.code, at).is_ok(); };
  const bool write = !f.closed && !s.writer->refusal_by_role(Writer::user(c.user), false) && may(Action::kWriteData);
  return {{"write", write},          {"submit", may(Action::kSubmit)}, {"approve", may(Action::kApprove)},
          {"return", may(Action::kReturn)}, {"lock", may(Action::kLock)},     {"unlock", may(Action::kUnlock)}};
}

Response form(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    const std::string& data_set = r.path_params.at("ds");
    const std::string format =
        r.query_param("format").value_or(r.header("accept").starts_with(kFormWorkbookMediaType) ? "xlsx" : "json");
    if (format != "json" && format != "xlsx") return Status::invalid_input("format: expected json or xlsx");
    Result<UnitPeriods> q = unit_periods(s, r, c, Action::kReadData, true);
    if (!q) return q.status();
    const auto units = s.engine.units();
    const auto catalogue = s.engine.catalogue();
    const EntryFormSources sources{s.workflow, *s.writer, s.store, s.store_mutex, *catalogue, *units};
    Result<EntryForm> f = read_entry_form(sources, data_set, q->ou, q->pe.front());
    if (!f) return f.status();
    if (format == "xlsx") {
      Result<std::string> workbook = write_form_workbook(*f, s.definitions()->areas);
      if (!workbook) return workbook.status();
      Response response = raw(200, std::string(kFormWorkbookMediaType), std::move(*workbook));
      response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + form_workbook_file_name(*f) + "\"");
      return response;
    }

    json::array sections;
    for (const EntryFormSection& section : f->sections) {
      json::array cells;
      for (size_t i : section.cells) cells.emplace_back(i);
      sections.emplace_back(json::object{{"area", section.area}, {"cells", std::move(cells)}});
    }
    json::array cells;
    for (const EntryFormCell& cell : f->cells) cells.emplace_back(cell_json(cell));
    return json_response(
        200, json::object{{"dataSet", data_set_json(*f->data_set)},
                          {"orgUnit", json::object{{"code", f->unit.code}, {"name", f->unit.name},
                                                   {"level", level_name(f->unit.level)}, {"parent", f->unit.parent_code}}},
                          {"period", period_json(f->period)},
                          {"previousPeriod", period_json(f->previous)},
                          {"lastYearPeriod", period_json(f->last_year)},
                          {"deadline", format_date(f->deadline)},
                          {"approval", approval_json(f->approval)},
                          {"closed", f->closed ? json::value(*f->closed) : json::value(nullptr)},
                          {"may", permissions_json(s, c, *f)},
                          {"sections", std::move(sections)},
                          {"cells", std::move(cells)}});
  });
}

}  // namespace

void add_form_routes(Routes& routes, Services& s) {
  routes.add({"GET", "/api/forms/{ds}",
              "Biểu nhập liệu của một đơn vị và kỳ: ô, số liệu với ETag, kỳ trước, cùng kỳ năm trước, trạng thái duyệt; "
              "format=xlsx: biểu Excel để điền rồi tải lên POST /api/dataValueSets",
              {"ou", "pe", "format"}, true, false},
             [&s](Request& r) { return form(s, r); });
}

}  // namespace qpan::http::api
