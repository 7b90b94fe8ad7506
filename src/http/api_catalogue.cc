// The catalogue resources of the API: units (search within the caller's scope, a unit and
// its children on a day) and the pack (elements, data sets, indicators, evaluation sets).
#include "http/api_support.h"
#include "qpan/text.h"

namespace qpan::http::api {
namespace {

Response unit(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    const std::string& code = r.path_params.at("code");
    Date at = today_utc();
    if (std::optional<std::string> a = r.query_param("at")) {
      Result<Date> d = parse_date(*a);
      if (!d) return Status::invalid_input("at: " + d.status().message());
      at = *d;
    }
    const auto units = s.engine.units();
    const OrgUnitVersion* v = units->at(code, at);
    if (v == nullptr) {
      return Status::not_found("đơn vị " + code + " không có hiệu lực ngày " + format_date(at) + " (no unit " + code +
                               " in force on that day)");
    }
    QPAN_RETURN_IF_ERROR(s.authorize(c, Action::kReadData, code, at));
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

Response search_units(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<std::string> text = required(r, "q");
    if (!text) return text.status();
    Result<std::vector<OrgUnitVersion>> found = [&] {
      std::lock_guard lock(s.store_mutex);
      return s.store.search_org_units(search_key(*text));
    }();
    if (!found) return found.status();
    const Date today = today_utc();
    json::array out;
    for (const OrgUnitVersion& v : *found) {
      // Only what the caller may read: a version in force today inside the scope.
      if (!v.valid_at(today) || !s.authorize(c, Action::kReadData, v.code, today).is_ok()) continue;
      out.emplace_back(json::object{{"code", v.code}, {"name", v.name}, {"level", level_name(v.level)}, {"parent", v.parent_code}});
      if (out.size() >= 50) break;
    }
    return json_response(200, json::object{{"units", std::move(out)}});
  });
}

Response pack(Services& s, Request& r) {
  return s.guarded(r, [&](Caller&) -> Result<Response> {
    const auto catalogue = s.engine.catalogue();
    const std::shared_ptr<const Definitions> definitions = s.definitions();
    json::array elements, indicators, sets, data_sets, areas;
    for (const DataElement& e : catalogue->elements()) {
      elements.emplace_back(json::object{{"code", e.code}, {"name", e.name_vi}, {"nameEn", e.name_en},
                                         {"valueType", value_type_name(e.value_type)},
                                         {"aggregation", aggregation_name(e.aggregation)},
                                         {"disaggregation", e.disaggregation}, {"area", e.area}});
    }
    for (const Indicator& i : definitions->indicators) {
      indicators.emplace_back(json::object{{"code", i.code}, {"name", i.name_vi}, {"nameEn", i.name_en},
                                           {"expression", i.expression}, {"decimals", i.decimals}, {"unit", i.unit}});
    }
    for (const EvaluationSet& set : definitions->evaluation_sets) {
      sets.emplace_back(json::object{{"code", set.code}, {"name", set.name_vi}, {"nameEn", set.name_en}});
    }
    for (const DataSet& ds : *s.workflow.data_sets()) data_sets.emplace_back(data_set_json(ds));
    for (const SubjectArea& a : definitions->areas) areas.emplace_back(json::object{{"code", a.code}, {"name", a.name_vi}, {"nameEn", a.name_en}});
    return json_response(200, json::object{{"dataElements", std::move(elements)},
                                           {"areas", std::move(areas)},
                                           {"dataSets", std::move(data_sets)},
                                           {"indicators", std::move(indicators)},
                                           {"evaluationSets", std::move(sets)}});
  });
}

}  // namespace

void add_catalogue_routes(Routes& routes, Services& s) {
  routes.add({"GET", "/api/units", "Tìm đơn vị (không phân biệt dấu) trong phạm vi của người dùng", {"q"}, true, false},
             [&s](Request& r) { return search_units(s, r); });
  routes.add({"GET", "/api/units/{code}", "Đơn vị và các đơn vị trực thuộc tại một ngày", {"at"}, true, false},
             [&s](Request& r) { return unit(s, r); });
  routes.add({"GET", "/api/pack", "Bộ chỉ tiêu: chỉ tiêu, biểu báo cáo, chỉ số, bộ tiêu chí đánh giá", {}, true, false},
             [&s](Request& r) { return pack(s, r); });
}

}  // namespace qpan::http::api
