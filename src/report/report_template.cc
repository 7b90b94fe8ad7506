// Report templates as programs (qpan/report.h): parsed from a pack's template text and
// checked against the pack's codes. Needs nothing but the pack's definitions, so that reading
// a pack checks its templates (qpan pack check, pack load) without the engine.
#include <set>

#include "qpan/report.h"
#include "report/template_functions.h"
#include "report/template_parser.h"

namespace qpan {

ReportTemplateProgram::ReportTemplateProgram() = default;
ReportTemplateProgram::~ReportTemplateProgram() = default;
ReportTemplateProgram::ReportTemplateProgram(ReportTemplateProgram&&) noexcept = default;
ReportTemplateProgram& ReportTemplateProgram::operator=(ReportTemplateProgram&&) noexcept = default;

const std::string& ReportTemplateProgram::code() const { return compiled_->code; }
const std::string& ReportTemplateProgram::file() const { return compiled_->file; }
const std::vector<PeriodType>& ReportTemplateProgram::period_types() const { return compiled_->period_types; }

Result<ReportTemplateProgram> parse_report_template(const ReportTemplate& definition) {
  const std::string file = definition.file.empty() ? definition.code : definition.file;
  Result<CompiledTemplate> compiled = parse_template_text(definition.text, file);
  if (!compiled) return compiled.status();
  compiled->code = definition.code;
  ReportTemplateProgram program;
  program.compiled_ = std::make_shared<const CompiledTemplate>(std::move(*compiled));
  return program;
}

namespace {

const EvaluationSetDefinition* find_set(const Pack& pack, std::string_view code) {
  for (const EvaluationSetDefinition& s : pack.evaluation_sets) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

}  // namespace

ImportProblems check_report_template(const ReportTemplateProgram& program, const Pack& pack) {
  ImportProblems problems;
  const CompiledTemplate& t = program.compiled();
  auto problem = [&](TemplatePosition at, std::string reason) {
    problems.add({t.file, at.line, at.column, "", std::move(reason)});
  };
  std::set<std::string_view> indicators;
  for (const Indicator& i : pack.indicators) indicators.insert(i.code);
  for (const TemplateCall* call : template_calls(t)) {
    const TemplateFunction* function = find_template_function(call->function);
    if (function == nullptr) continue;  // the parser refuses those
    const EvaluationSetDefinition* set = nullptr;
    for (const auto& [argument, role] : argument_roles(*function, *call)) {
      const std::string& code = argument->text;
      switch (role) {
        case ArgumentRole::kData:
          if (!indicators.contains(code) && !pack.catalogue.resolve(code)) {
            problem(argument->at, call->function + ": no element, element.option or indicator \"" + code +
                                      "\" in pack " + pack.info.code);
          }
          break;
        case ArgumentRole::kSet:
          set = find_set(pack, code);
          if (set == nullptr) problem(argument->at, call->function + ": no evaluation set \"" + code + "\" in the pack");
          break;
        case ArgumentRole::kClass:
        case ArgumentRole::kOutcome: {
          if (set == nullptr) break;
          static const std::set<std::string_view> kOutcomes = {"met", "not_met", "no_data", "not_applicable",
                                                               "unclassified"};
          bool known = role == ArgumentRole::kOutcome && kOutcomes.contains(code);
          for (const EvaluationVersionDefinition& v : set->versions) {
            for (const EvaluationClassDefinition& c : v.classes) known = known || c.code == code;
          }
          if (!known) {
            problem(argument->at, call->function + ": set " + set->code + " has no " +
                                      (role == ArgumentRole::kClass ? "class" : "outcome") + " \"" + code + "\"");
          }
          break;
        }
        case ArgumentRole::kCount:
        case ArgumentRole::kText: break;
      }
    }
  }
  return problems;
}

ImportProblems check_report_templates(const Pack& pack) {
  ImportProblems problems;
  for (const ReportTemplate& definition : pack.report_templates) {
    if (definition.text.empty()) {
      problems.add({definition.file.empty() ? "report_templates.json" : definition.file, 0, 0, definition.code,
                    "the template is empty"});
      continue;
    }
    Result<ReportTemplateProgram> program = parse_report_template(definition);
    if (!program) {
      problems.add({"", 0, 0, "", program.status().message()});
      continue;
    }
    problems.merge(check_report_template(*program, pack));
  }
  return problems;
}

Result<ReportTemplateProgram> find_report_template(const Pack& pack, std::string_view code) {
  std::string known;
  for (const ReportTemplate& t : pack.report_templates) {
    if (t.code == code) {
      if (t.text.empty()) {
        return Status::invalid_input("template: " + t.code + " has no text in this database (loaded from a pack "
                                     "before 1.4.0): load the pack again (qpan pack load)");
      }
      return parse_report_template(t);
    }
    known += (known.empty() ? "" : ", ") + t.code;
  }
  return Status::not_found("template: no report template \"" + std::string(code) + "\" (known: " + known + ")");
}

}  // namespace qpan
