// ReportData over a live aggregation engine (qpan/report.h): figures through analytics, so a
// report's figure is the one `qpan analytics` and /api/analytics give, and evaluations
// through the pack's compiled sets.
#include <algorithm>

#include "qpan/aggregation.h"
#include "qpan/analytics.h"
#include "qpan/report.h"

namespace qpan {
namespace {

class EngineReportData final : public ReportData {
 public:
  EngineReportData(const AggregationEngine& engine, const Pack& pack, std::optional<Date> structure_at)
      : engine_(engine), pack_(pack), structure_at_(structure_at), units_(engine.units()),
        catalogue_(engine.catalogue()) {}

  Result<std::optional<double>> figure(const std::string& dx, const std::string& ou, const Period& pe) override {
    AnalyticsQuery query;
    query.dx = {dx};
    query.ou = {ou};
    query.pe = {pe};
    query.structure_at = structure_at_;
    Result<AnalyticsResult> result = run_analytics(engine_, query, pack_.indicators);
    if (!result) return result.status();
    if (result->cells.empty()) return std::optional<double>();
    return std::optional<double>(result->cells.front().value);
  }

  int decimals(const std::string& dx) override {
    for (const Indicator& i : pack_.indicators) {
      if (i.code == dx) return i.decimals;
    }
    Result<ElementReference> reference = catalogue_->resolve(dx);
    if (reference && reference->element != nullptr && reference->element->value_type == ValueType::kNumber) return 2;
    return 0;
  }

  Result<EvaluationReport> evaluate(const std::vector<std::string>& sets, const std::string& ou,
                                    const std::vector<Period>& periods) override {
    Result<std::vector<EvaluationSet>> compiled = compile_evaluation_sets(pack_, *catalogue_, sets);
    if (!compiled) return compiled.status();
    const EngineExpressionContext context(engine_);
    return run_evaluation(*compiled, *units_, context, ou, periods);
  }

  Result<ReportUnit> unit(const std::string& ou, Date day) override {
    if (!units_->knows(ou)) return Status::not_found("ou: unknown org unit \"" + ou + "\"");
    const OrgUnitVersion* v = units_->at(ou, structure_at_.value_or(day));
    if (v == nullptr) {
      return Status::invalid_input("ou: org unit " + ou + " is not in force on " +
                                   format_date(structure_at_.value_or(day)) +
                                   (structure_at_ ? " (--structure-at)" : ", the last day of the report's period"));
    }
    return ReportUnit{v->code, v->name, v->level};
  }

  Result<std::vector<ReportUnit>> children(const std::string& ou, Date day) override {
    std::vector<ReportUnit> out;
    for (const OrgUnitVersion* v : units_->children(ou, structure_at_.value_or(day))) out.push_back({v->code, v->name, v->level});
    std::sort(out.begin(), out.end(), [](const ReportUnit& a, const ReportUnit& b) { return a.code < b.code; });
    return out;
  }

 private:
  const AggregationEngine& engine_;
  const Pack& pack_;
  std::optional<Date> structure_at_;
  std::shared_ptr<const OrgUnitIndex> units_;
  std::shared_ptr<const Catalogue> catalogue_;
};

}  // namespace

std::unique_ptr<ReportData> engine_report_data(const AggregationEngine& engine, const Pack& pack,
                                               std::optional<Date> structure_at) {
  return std::make_unique<EngineReportData>(engine, pack, structure_at);
}

}  // namespace qpan
