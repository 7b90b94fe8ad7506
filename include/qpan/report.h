// Review reports written from the data: a pack's report template (a Vietnamese narrative with
// placeholders, packs/README.md "Report templates") filled in for one org unit and period
// into a ReportDocument (qpan/report_document.h), which the writers of qpan/report_render.h
// turn into DOCX, PDF, XLSX or HTML. Every figure comes from the aggregation engine or from
// evaluation and carries the question that produced it; none is typed into a template.
//
// Checks, in order, with errors that name the template file, line and column:
//   1. parse_report_template: the template's syntax, the functions it calls, their arity and
//      options (at `qpan pack check`);
//   2. check_report_template: every code it names exists in the pack — elements, options,
//      indicators, evaluation sets and their classes (at `qpan pack check` and load);
//   3. build_report: the unit is known and in force at the end of the period, the period is
//      of a type the template accepts; then each placeholder is asked of ReportData.
#pragma once

#include <memory>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

#include "qpan/evaluation.h"
#include "qpan/import_problem.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/report_document.h"
#include "qpan/report_render.h"
#include "qpan/status.h"

namespace qpan {

class AggregationEngine;
struct CompiledTemplate;  // the parsed template (report/template_parser.h)

// A parsed report template, ready to be checked and filled in. Immutable and cheap to share.
class ReportTemplateProgram {
 public:
  ReportTemplateProgram();
  ~ReportTemplateProgram();
  ReportTemplateProgram(ReportTemplateProgram&&) noexcept;
  ReportTemplateProgram& operator=(ReportTemplateProgram&&) noexcept;

  const std::string& code() const;
  const std::string& file() const;
  // The period types the template is written for (its @period line).
  const std::vector<PeriodType>& period_types() const;
  const CompiledTemplate& compiled() const { return *compiled_; }

 private:
  friend Result<ReportTemplateProgram> parse_report_template(const ReportTemplate& definition);
  std::shared_ptr<const CompiledTemplate> compiled_;
};

// Parses a pack's template text. Errors are invalid_input "file:line:column: reason".
Result<ReportTemplateProgram> parse_report_template(const ReportTemplate& definition);

// The codes the template names that the pack lacks, each a problem at file:line:column.
ImportProblems check_report_template(const ReportTemplateProgram& program, const Pack& pack);

// Parses and checks every template of the pack (qpan pack check, pack load).
ImportProblems check_report_templates(const Pack& pack);

// A unit as a report names it.
struct ReportUnit {
  std::string code;
  std::string name;  // in force on the day asked: "Tỉnh Lai Châu", "Huyện Mường Tè"
  OrgUnitLevel level = OrgUnitLevel::kProvince;
};

// What a report asks of the data. The engine-backed one answers a server's or the CLI's
// questions; tests answer from tables.
class ReportData {
 public:
  virtual ~ReportData() = default;
  // The figure of element, "element.option" or indicator `dx` for `ou` over `pe`; nullopt
  // when no value counts. Errors: an unknown code, a unit not in force during `pe`.
  virtual Result<std::optional<double>> figure(const std::string& dx, const std::string& ou, const Period& pe) = 0;
  // The decimals a figure of `dx` is written with by default (an indicator's own; 0 for
  // counts and integers; 2 for other numbers).
  virtual int decimals(const std::string& dx) = 0;
  // The evaluation of `sets` over the units within `ou` for `periods` (qpan/evaluation.h).
  virtual Result<EvaluationReport> evaluate(const std::vector<std::string>& sets, const std::string& ou,
                                            const std::vector<Period>& periods) = 0;
  // The unit in force on `day`; not_found when unknown, invalid_input when not in force.
  virtual Result<ReportUnit> unit(const std::string& ou, Date day) = 0;
  // The units directly under `ou` in force on `day`, by code.
  virtual Result<std::vector<ReportUnit>> children(const std::string& ou, Date day) = 0;
};

// ReportData over a live engine with the pack's indicators and evaluation sets; with
// `structure_at`, unit codes name the units in force on that day (analytics' structure_at).
// Holds references: the engine and pack must outlive it. Not thread-safe (one per report).
std::unique_ptr<ReportData> engine_report_data(const AggregationEngine& engine, const Pack& pack,
                                               std::optional<Date> structure_at = std::nullopt);

// What to write: the unit and period, the issue date (nullopt: left blank "ngày … tháng …")
// and the language of the labels the writers add.
struct ReportRequest {
  std::string ou;
  Period pe = Period::year(2000);
  std::optional<Date> issued;
  std::string language = "vi";
};

// Fills the template in. Errors: the unit unknown or not in force at the period's end
// (not_found / invalid_input naming "ou"), a period of a type the template does not accept
// (invalid_input naming "pe" and the accepted types), a code the data does not know
// (invalid_input naming file:line:column).
Result<ReportDocument> build_report(const ReportTemplateProgram& program, const ReportRequest& request,
                                    ReportData& data);

// The pack's template `code`, parsed; not_found listing the pack's templates otherwise.
Result<ReportTemplateProgram> find_report_template(const Pack& pack, std::string_view code);

// The files a report is written as.
enum class ReportFormat : uint8_t { kDocx, kPdf, kXlsx, kHtml };
// "docx", "pdf", "xlsx", "html"; invalid_input naming the four otherwise.
Result<ReportFormat> parse_report_format(std::string_view name);
std::string_view report_format_name(ReportFormat format);
// The media type of an answer in that format.
std::string_view report_content_type(ReportFormat format);
// The document as a file of that format (qpan/report_render.h); `html` for kHtml.
Result<std::string> render_report(const ReportDocument& document, ReportFormat format, const HtmlOptions& html = {});

}  // namespace qpan
