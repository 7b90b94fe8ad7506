// The analytical resources of the API: analytics (asked in qpan's form or DHIS2's, answered
// from the engine — or as known at a past time, asOf= — cached per question while nothing is
// written), validation and evaluation of a unit and period.
#include <algorithm>

#include "http/analytics_cache.h"
#include "http/api_support.h"
#include "qpan/form_workbook.h"
#include "qpan/dhis2.h"

namespace qpan::http::api {
namespace {

// Whether a request asks in DHIS2's form (dimension=dx:…) rather than qpan's (dx=…).
bool asks_as_dhis2(const Request& r) {
  return !r.query_params("dimension").empty() || !r.query_params("filter").empty() || r.query_param("startDate");
}

// The question of a request in either form, and how to lay out its JSON answer.
struct AnalyticsQuestion {
  AnalyticsQuery query;
  AnalyticsLayout layout;
  std::vector<MeasureCriterion> measure_criteria;
  bool dhis2 = false;      // asked in DHIS2's form
  std::string layout_key;  // what besides the query tells answers apart in the cache
};

Result<AnalyticsQuestion> question_of(Services& s, const Request& r, const Caller& c) {
  AnalyticsQuestion question;
  if (asks_as_dhis2(r)) {
    for (std::string_view own : {"dx", "ou", "pe"}) {
      if (r.query_param(own)) {
        return Status::invalid_input(std::string(own) + ": hỏi theo một trong hai cách, dx/ou/pe hoặc dimension/filter "
                                                        "(ask with either dx, ou, pe or DHIS2's dimension and filter)");
      }
    }
    const std::shared_ptr<const OrgUnitIndex> units = s.engine.units();
    Dhis2RequestContext context;
    context.units = units.get();
    context.user_units = {c.user.scope_code};
    context.today = from_days(static_cast<int32_t>(s.now() / 86400));
    Result<Dhis2AnalyticsRequest> read =
        read_dhis2_analytics_request([&r](std::string_view name) { return r.query_params(name); }, context);
    if (!read) return read.status();
    question.query = std::move(read->query);
    question.layout = std::move(read->layout);
    question.measure_criteria = std::move(read->measure_criteria);
    question.dhis2 = true;
    // The raw parameters besides the question: junk ones make more keys, each checked.
    question.layout_key = "dhis2?" + r.query;
    return question;
  }
  Result<AnalyticsQuery> q = parse_analytics_query(r.query_param("dx").value_or(""), r.query_param("ou").value_or(""),
                                                   r.query_param("pe").value_or(""));
  if (!q) return q.status();
  if (std::optional<std::string> at = r.query_param("structureAt"); at && !at->empty()) {
    Result<Date> d = parse_date(*at);
    if (!d) return Status::invalid_input("structureAt: " + d.status().message());
    q->structure_at = *d;
  }
  question.query = std::move(*q);
  return question;
}

Response analytics(Services& s, AnalyticsCache& cache, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<AnalyticsQuestion> question = question_of(s, r, c);
    if (!question) return question.status();
    const AnalyticsQuery& q = question->query;
    const std::string format = r.query_param("format").value_or("json");
    if (format != "json" && format != "csv" && format != "table" && format != "xlsx") {
      return Status::invalid_input("format: expected json, csv, table or xlsx");
    }
    // In a later structure the figures are of the units in force on that day (their
    // predecessors' past included, which a scope covers); otherwise of each period's own.
    for (const std::string& ou : q.ou) {
      QPAN_RETURN_IF_ERROR(q.structure_at ? s.authorize(c, Action::kReadData, ou, *q.structure_at)
                                          : s.authorize_over(c, Action::kReadData, ou, q.pe));
    }
    Result<std::shared_ptr<const AggregationEngine>> engine = s.engine_for(r);
    if (!engine) return engine.status();
    // Authorized above for every unit; the answer itself depends only on the question (and
    // the time it is asked as of).
    const std::shared_ptr<const Definitions> definitions = s.definitions();
    const std::string key = question_key(q, format) + question->layout_key + "@" + r.query_param("asOf").value_or("") +
                            "#" + std::to_string(definitions->epoch);
    const uint64_t generation = (*engine)->generation();
    if (std::optional<Response> cached = cache.find(key, generation)) return std::move(*cached);
    Result<AnalyticsResult> result = run_analytics(**engine, q, definitions->indicators);
    if (!result) {
      // DHIS2 answers a question about what it does not have with 409 (its E7xxx errors).
      const StatusCode code = result.status().code();
      if (question->dhis2 && (code == StatusCode::kNotFound || code == StatusCode::kInvalidInput)) {
        return Status::conflict(result.status().message());
      }
      return result.status();
    }
    if (!question->measure_criteria.empty()) keep_cells_meeting(*result, question->measure_criteria);
    Response response;
    if (format == "xlsx") {
      Result<std::string> workbook = analytics_workbook(*result);
      if (!workbook) return workbook.status();
      response = raw(200, std::string(kFormWorkbookMediaType), std::move(*workbook));
      response.headers.emplace_back("Content-Disposition", "attachment; filename=\"qpan-analytics.xlsx\"");
    } else {
      response =
          format == "csv"     ? raw(200, "text/csv; charset=utf-8", format_analytics(*result, AnalyticsFormat::kCsv))
          : format == "table" ? raw(200, "text/plain; charset=utf-8", format_analytics(*result, AnalyticsFormat::kTable))
                              : raw(200, "application/json; charset=utf-8", format_analytics_json(*result, question->layout));
    }
    cache.add(key, generation, response);
    return response;
  });
}

Response validation(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<UnitPeriods> q = unit_periods(s, r, c, Action::kReadData, true);
    if (!q) return q.status();
    const EngineExpressionContext context(s.engine);
    const std::shared_ptr<const Definitions> definitions = s.definitions();
    Result<ValidationReport> report = run_validation(*definitions->validation_rules, *s.engine.units(), context, q->ou, q->pe.front());
    if (!report) return report.status();
    return raw(200, "application/json; charset=utf-8", format_validation(*report, ValidationFormat::kJson));
  });
}

Response evaluation(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<std::vector<std::string>> codes = list(r, "set");
    if (!codes) return codes.status();
    Result<UnitPeriods> q = unit_periods(s, r, c, Action::kReadData, false);
    if (!q) return q.status();
    const std::shared_ptr<const Definitions> definitions = s.definitions();
    std::vector<EvaluationSet> sets;
    for (const std::string& code : *codes) {
      auto it = std::find_if(definitions->evaluation_sets.begin(), definitions->evaluation_sets.end(),
                             [&](const EvaluationSet& set) { return set.code == code; });
      if (it == definitions->evaluation_sets.end()) return Status::not_found("set: unknown evaluation set \"" + code + "\"");
      sets.push_back(*it);
    }
    Result<std::shared_ptr<const AggregationEngine>> engine = s.engine_for(r);
    if (!engine) return engine.status();
    const EngineExpressionContext context(**engine);
    Result<EvaluationReport> report = run_evaluation(sets, *(*engine)->units(), context, q->ou, q->pe);
    if (!report) return report.status();
    return raw(200, "application/json; charset=utf-8", format_evaluation(*report, EvaluationFormat::kJson));
  });
}

}  // namespace

void add_analytics_routes(Routes& routes, Services& s) {
  auto cache = std::make_shared<AnalyticsCache>();
  routes.add({"GET", "/api/analytics",
              "Tổng hợp số liệu: dx, ou, pe — hoặc như DHIS2: dimension, filter, kỳ tương đối, USER_ORGUNIT, LEVEL-n, "
              "startDate/endDate, skipMeta, skipData, hierarchyMeta, outputIdScheme, locale, measureCriteria",
              {"dx", "ou", "pe", "structureAt", "asOf", "format", "dimension", "filter", "relativePeriodDate", "startDate",
               "endDate", "skipMeta", "skipData", "hierarchyMeta", "displayProperty", "outputIdScheme", "locale",
               "measureCriteria"},
              true, false},
             [&s, cache](Request& r) { return analytics(s, *cache, r); });
  routes.add({"GET", "/api/validation", "Kiểm tra quy tắc cho một đơn vị và kỳ", {"ou", "pe"}, true, false},
             [&s](Request& r) { return validation(s, r); });
  routes.add({"GET", "/api/evaluation", "Đánh giá, xếp loại đơn vị theo bộ tiêu chí", {"set", "ou", "pe", "asOf"}, true, false},
             [&s](Request& r) { return evaluation(s, r); });
}

}  // namespace qpan::http::api
