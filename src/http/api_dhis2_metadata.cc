// DHIS2's system and metadata resources, for DHIS2's clients: /api/system/info,
// /api/periodTypes and the organisationUnits, dataElements, indicators and dataSets lists
// (and one of each by id), with DHIS2's filter, fields and paging (qpan/dhis2.h). qpan's
// codes are the ids. Units: each code's latest (closed ones with their closedDate) that the
// caller's scope covers.
#include <algorithm>
#include <unordered_set>

#include "http/api_support.h"
#include "qpan/dhis2.h"

namespace qpan::http::api {
namespace {

// The DHIS2 version whose Web API qpan answers for aggregate data (see the README).
constexpr std::string_view kDhis2Version = "2.41.0";

bool english(const Request& r) { return r.query_param("locale").value_or("").starts_with("en"); }

// The identifiable fields every DHIS2 object has.
json::object identifiable(std::string_view code, std::string_view name_vi, std::string_view name_en, bool en) {
  const std::string_view shown = en && !name_en.empty() ? name_en : name_vi;
  return json::object{{"id", code},        {"code", code},         {"name", name_vi},
                      {"displayName", shown}, {"shortName", name_vi}, {"displayShortName", shown}};
}

// Every code's latest unit (a closed one with its closedDate), as it stood on its last day
// in force up to today, when the caller may read it then.
std::vector<json::object> org_units(Services& s, const Caller& c, Date today) {
  const auto units = s.engine.units();
  std::vector<json::object> out;
  std::unordered_set<std::string_view> seen;
  const std::vector<OrgUnitVersion>& versions = units->versions();
  for (auto v = versions.rbegin(); v != versions.rend(); ++v) {
    if (!seen.insert(v->code).second) continue;
    const OrgUnitVersion& latest = *units->history(v->code).back();
    Date day = latest.valid_until ? std::min(today, add_days(*latest.valid_until, -1)) : today;
    if (latest.valid_from && day < *latest.valid_from) day = *latest.valid_from;
    if (!s.authorize(c, Action::kReadData, latest.code, day).is_ok()) continue;
    json::object o = identifiable(latest.code, latest.name, latest.name, false);
    o["level"] = static_cast<int>(latest.level);
    std::string path;
    for (const OrgUnitVersion* above : units->ancestors(latest.code, day)) path = "/" + above->code + path;
    o["path"] = path + "/" + latest.code;
    if (!latest.parent_code.empty()) o["parent"] = json::object{{"id", latest.parent_code}};
    o["openingDate"] = latest.valid_from ? json::value(format_date(*latest.valid_from)) : json::value(nullptr);
    if (latest.valid_until) o["closedDate"] = format_date(*latest.valid_until);
    out.push_back(std::move(o));
  }
  std::sort(out.begin(), out.end(), [](const json::object& a, const json::object& b) {
    return a.at("path").as_string() < b.at("path").as_string();
  });
  return out;
}

std::vector<json::object> data_elements(Services& s, bool en) {
  std::vector<json::object> out;
  for (const DataElement& e : s.engine.catalogue()->elements()) {
    json::object o = identifiable(e.code, e.name_vi, e.name_en, en);
    o["valueType"] = dhis2_value_type(e.value_type);
    o["aggregationType"] = dhis2_aggregation_type(e.aggregation);
    o["domainType"] = "AGGREGATE";
    o["categoryCombo"] = json::object{{"id", e.disaggregation.empty() ? "default" : e.disaggregation}};
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<json::object> indicators(Services& s, bool en) {
  std::vector<json::object> out;
  for (const Indicator& i : s.definitions()->indicators) {
    json::object o = identifiable(i.code, i.name_vi, i.name_en, en);
    o["decimals"] = i.decimals;
    o["expression"] = i.expression;  // qpan's: not DHIS2's numerator / denominator
    o["unit"] = i.unit;
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<json::object> data_sets(Services& s, bool en) {
  std::vector<json::object> out;
  for (const DataSet& d : *s.workflow.data_sets()) {
    json::object o = identifiable(d.code, d.name_vi, d.name_en, en);
    const std::string_view type = dhis2_period_type(d.period_type);
    o["periodType"] = type.empty() ? period_type_name(d.period_type) : type;
    o["expiryDays"] = d.deadline_days;
    json::array elements;
    for (const std::string& code : d.elements) {
      elements.emplace_back(json::object{{"dataElement", json::object{{"id", code}}}});
    }
    o["dataSetElements"] = std::move(elements);
    out.push_back(std::move(o));
  }
  return out;
}

using Lister = std::function<std::vector<json::object>(Services&, const Caller&, const Request&)>;

Response list(Services& s, Request& r, std::string_view resource, const Lister& lister) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<Dhis2MetadataQuery> q = read_dhis2_metadata_query([&r](std::string_view n) { return r.query_params(n); });
    if (!q) return q.status();
    return json_response(200, dhis2_metadata_list(resource, lister(s, c, r), *q));
  });
}

Response one(Services& s, Request& r, std::string_view resource, const Lister& lister) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<Dhis2MetadataQuery> q = read_dhis2_metadata_query([&r](std::string_view n) {
      // Every field unless asked; the filters and paging of a list do not apply.
      return n == "fields" ? r.query_params(n) : std::vector<std::string>{};
    });
    if (!q) return q.status();
    if (r.query_params("fields").empty()) q->fields.clear();
    q->filters = {{"id", "eq", r.path_params.at("code")}};
    q->paging = false;
    json::object found = dhis2_metadata_list(resource, lister(s, c, r), *q);
    json::array& items = found.at(resource).as_array();
    if (items.empty()) return Status::not_found(std::string(resource) + ": không có " + r.path_params.at("code") + " (no such object, or not in your scope)");
    return json_response(200, items.front());
  });
}

}  // namespace

void add_dhis2_metadata_routes(Routes& routes, Services& s) {
  routes.add({"GET", "/api/system/info", "Thông tin hệ thống theo kiểu DHIS2 (version, serverDate)", {}, true, false},
             [&s](Request& r) {
               return s.guarded(r, [&](Caller&) -> Result<Response> {
                 const int64_t now = s.now();
                 std::string server_date = format_timestamp(now);
                 server_date.pop_back();  // DHIS2 writes local time without a zone: "…T12:00:00.000"
                 return json_response(200, json::object{{"version", kDhis2Version},
                                                        {"systemName", "qpan"},
                                                        {"serverDate", server_date + ".000"},
                                                        {"serverTimeZoneId", "Etc/UTC"},
                                                        {"calendar", "iso8601"},
                                                        {"dateFormat", "yyyy-mm-dd"},
                                                        {"contextPath", ""}});
               });
             });
  routes.add({"GET", "/api/periodTypes", "Các loại kỳ DHIS2 mà qpan trả lời được", {}, true, false}, [&s](Request& r) {
    return s.guarded(r, [](Caller&) -> Result<Response> {
      return json_response(200, json::object{{"periodTypes", dhis2_period_types()}});
    });
  });
  struct Resource {
    std::string_view name, summary;
    Lister lister;
  };
  static const std::vector<Resource> resources = {
      {"organisationUnits", "Đơn vị trong phạm vi của người dùng, cả đơn vị đã giải thể (DHIS2: closedDate)",
       [](Services& s, const Caller& c, const Request&) { return org_units(s, c, today_utc()); }},
      {"dataElements", "Chỉ tiêu của bộ chỉ tiêu (DHIS2)",
       [](Services& s, const Caller&, const Request& r) { return data_elements(s, english(r)); }},
      {"indicators", "Chỉ số của bộ chỉ tiêu (DHIS2)",
       [](Services& s, const Caller&, const Request& r) { return indicators(s, english(r)); }},
      {"dataSets", "Biểu báo cáo (DHIS2)",
       [](Services& s, const Caller&, const Request& r) { return data_sets(s, english(r)); }},
  };
  for (const Resource& resource : resources) {
    const std::string path = "/api/" + std::string(resource.name);
    routes.add({"GET", path, std::string(resource.summary) + ": filter, fields, paging, page, pageSize, locale",
                {"filter", "fields", "paging", "page", "pageSize", "rootJunction", "locale"}, true, false},
               [&s, &resource](Request& r) { return list(s, r, resource.name, resource.lister); });
    routes.add({"GET", path + "/{code}", std::string(resource.summary) + ": một đối tượng theo mã", {"fields", "locale"}, true, false},
               [&s, &resource](Request& r) { return one(s, r, resource.name, resource.lister); });
  }
}

}  // namespace qpan::http::api
