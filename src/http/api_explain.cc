// GET /api/analytics/explain: where one analytics figure comes from (qpan/explain.h) — the
// values that make it, with lineage and unallocated parts named, each value's history and its
// form's approval state, and an indicator's formula. Authorized as analytics is; the history
// (who changed what) only for callers who may read the audit trail.
#include <charconv>

#include "http/api_support.h"
#include "qpan/explain.h"

namespace qpan::http::api {
namespace {

Response explain(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<std::string> dx = required(r, "dx");
    if (!dx) return dx.status();
    Result<std::string> ou = required(r, "ou");
    if (!ou) return ou.status();
    Result<std::vector<Period>> pe = periods(r);
    if (!pe) return pe.status();
    if (pe->size() != 1) return Status::invalid_input("pe: give one period");
    ExplainOptions options;
    if (std::optional<std::string> at = r.query_param("structureAt"); at && !at->empty()) {
      Result<Date> d = parse_date(*at);
      if (!d) return Status::invalid_input("structureAt: " + d.status().message());
      options.structure_at = *d;
    }
    if (std::optional<std::string> n = r.query_param("maxParts"); n && !n->empty()) {
      size_t parsed = 0;
      const auto [end, ec] = std::from_chars(n->data(), n->data() + n->size(), parsed);
      if (ec != std::errc() || end != n->data() + n->size() || parsed < 1 || parsed > 10000) {
        return Status::invalid_input("maxParts: expected a whole number from 1 to 10000");
      }
      options.max_parts = parsed;
    }
    const std::string lang = r.query_param("lang").value_or("vi");
    if (lang != "vi" && lang != "en") return Status::invalid_input("lang: expected vi or en");
    // As analytics: in a later structure the unit in force on that day (its predecessors' past
    // included, which a scope covers); otherwise each unit the code named in the period.
    auto allowed = [&](Action action) {
      return options.structure_at ? s.authorize(c, action, *ou, *options.structure_at)
                                  : s.authorize_over(c, action, *ou, *pe);
    };
    QPAN_RETURN_IF_ERROR(allowed(Action::kReadData));
    Result<std::shared_ptr<const AggregationEngine>> engine = s.engine_for(r);
    if (!engine) return engine.status();
    const std::shared_ptr<const Definitions> definitions = s.definitions();
    Result<FigureExplanation> explanation = explain_figure(**engine, definitions->indicators, *dx, *ou, pe->front(), options);
    if (!explanation) return explanation.status();
    if (allowed(Action::kReadAudit).is_ok()) {
      const auto units = s.engine.units();
      const auto catalogue = s.engine.catalogue();
      std::lock_guard lock(s.store_mutex);
      QPAN_RETURN_IF_ERROR(add_value_history(*explanation, s.store, &s.workflow, *units, *catalogue));
    }
    return raw(200, "application/json; charset=utf-8",
               format_explanation(*explanation, ExplainFormat::kJson, lang == "en"));
  });
}

}  // namespace

void add_explain_routes(Routes& routes, Services& s) {
  routes.add({"GET", "/api/analytics/explain",
              "Nguồn gốc một số liệu tổng hợp: các số liệu cấu thành (kể cả đơn vị cũ, phần chưa phân bổ), lịch sử "
              "sửa đổi và trạng thái duyệt biểu; với chỉ số: công thức",
              {"dx", "ou", "pe", "structureAt", "asOf", "maxParts", "lang"}, true, false},
             [&s](Request& r) { return explain(s, r); });
}

}  // namespace qpan::http::api
