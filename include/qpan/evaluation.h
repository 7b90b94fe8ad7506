// Evaluation (đánh giá, xếp loại): the pack's rule sets that classify a unit for a period —
// a commune meets "An toàn về ANTT" or not (with the failing criteria named), a movement
// rated Tốt / Khá / Trung bình / Yếu, a drug-free commune, a commune on or off the list of
// key complex areas — and their roll-up over the units of a province or district: "36/108
// communes", "> 90 % rated khá or better", "+3,5 points on last year", "49 communes left the
// list".
//
// A set has effective-dated versions (Thông tư 23/2012 until 9 Feb 2022, Thông tư 124/2021
// after); a period is evaluated with the version in force on its last day. A version may say
// to which units it applies (`applies_when`, e.g. only registered communes): the others are
// "not applicable" and stay out of every share. Criteria and class conditions are
// expressions read through an ExpressionContext, so the same code evaluates from the live
// engine or from a map in tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/date.h"
#include "qpan/expression.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/status.h"

namespace qpan {

// ---- The model ------------------------------------------------------------------------------
// A pack's EvaluationSetDefinition (qpan/pack.h) with its expressions compiled.

struct EvaluationCriterion {
  std::string code, name_vi, name_en;
  CompiledExpression expression;  // boolean
};

struct EvaluationClass {
  std::string code, name_vi, name_en;
  CompiledExpression condition;  // boolean
};

struct EvaluationSetVersion {
  Date valid_from;
  std::optional<Date> valid_until;  // first day no longer in force; empty: still in force
  std::string regulation;           // "Thông tư 124/2021/TT-BCA"
  // Units for which it is false (or has no value) are not applicable.
  std::optional<CompiledExpression> applies_when;
  std::vector<EvaluationCriterion> criteria;
  EvaluationOutcomeKind outcome = EvaluationOutcomeKind::kAllCriteria;
  std::vector<EvaluationClass> classes;  // kClasses: best first

  bool in_force_on(Date day) const {
    return valid_from <= day && (!valid_until || day < *valid_until);
  }
};

struct EvaluationSet {
  std::string code, name_vi, name_en, description;
  std::vector<OrgUnitLevel> levels;  // the units it evaluates
  PeriodType period_type = PeriodType::kYear;  // how often it is declared (any period may be asked)
  std::vector<EvaluationSetVersion> versions;  // oldest first, not overlapping

  // The index of the version in force on the last day of `period` (calendar months), or
  // nullopt when none is.
  std::optional<size_t> version_for(const Period& period) const;
  // True when every version's outcome is all_criteria: such sets add up in one summary.
  bool all_criteria() const;
  bool evaluates(OrgUnitLevel level) const;
};

// Compiles one set's expressions against `catalogue` — the catalogue of the context that
// will answer them (an engine's: references carry its ids). Versions come oldest first.
// Errors are invalid input naming the set and the JSON path within it (a pack checked against
// another catalogue may refer to elements this one lacks).
Result<EvaluationSet> compile_evaluation_set(const EvaluationSetDefinition& definition,
                                             const Catalogue& catalogue);

// The pack's sets named by `codes`, in that order (every set, in the pack's order, when `codes`
// is empty), compiled against `catalogue`. An unknown code is not_found and lists the known
// ones.
Result<std::vector<EvaluationSet>> compile_evaluation_sets(const Pack& pack, const Catalogue& catalogue,
                                                           const std::vector<std::string>& codes = {});

// ---- One unit -------------------------------------------------------------------------------

enum class UnitOutcome : uint8_t {
  kNotApplicable,  // applies_when is false or has no value
  kNoData,         // a criterion, or a class condition before the first that holds, has no value
  kMet,            // all_criteria: every criterion holds
  kNotMet,         // all_criteria: at least one criterion does not hold
  kClassified,     // classes: class_index holds
  kUnclassified,   // classes: every condition has a value and none holds
};

struct UnitEvaluation {
  UnitOutcome outcome = UnitOutcome::kNoData;
  size_t version = 0;                // index into the set's versions
  std::vector<size_t> failing;       // criteria that do not hold (indices into criteria)
  std::vector<size_t> without_data;  // criteria without a value
  size_t class_index = 0;            // kClassified
};

// Evaluates `unit` for `period` with version `version` of `set`. Not-met is decided by any
// criterion that fails, even when others have no value (both lists are filled either way).
UnitEvaluation evaluate_unit(const EvaluationSet& set, size_t version,
                             const ExpressionContext& context, std::string_view unit,
                             const Period& period);

// The machine code of an outcome: "met", "not_met", "no_data", "not_applicable",
// "unclassified", or the class's code.
std::string outcome_code(const EvaluationSet& set, const UnitEvaluation& result);

// ---- Over units and periods -----------------------------------------------------------------

struct EvaluatedUnit {
  size_t set = 0;     // index into EvaluationReport::sets
  size_t period = 0;  // index into EvaluationReport::periods
  std::string code;
  std::string name;   // the name in force on the reference day
  OrgUnitLevel level = OrgUnitLevel::kCommune;
  // The unit directly under the report's unit that this one lies within (itself when it is
  // directly under it; empty for the report's unit itself).
  std::string under;
  UnitEvaluation result;
};

// Outcome counts of some units. "Assessed" units have a result (met, not met, a class or
// unclassified); units without data are counted and named but, like the not applicable
// ones, stay out of the denominator of every share.
struct OutcomeCounts {
  size_t units = 0;  // every unit evaluated
  size_t not_applicable = 0, no_data = 0, met = 0, not_met = 0, unclassified = 0;
  std::vector<size_t> classes;  // per class of the group, best first

  size_t assessed() const { return units - not_applicable - no_data; }
  // Percentages of the assessed units (nullopt when none is assessed).
  std::optional<double> share_met() const;
  std::optional<double> share_of_class(size_t k) const;
  // The share of class k and every better class ("Khá trở lên").
  std::optional<double> share_from_class(size_t k) const;
  size_t count_from_class(size_t k) const;
};

struct EvaluationSummary {
  std::string unit;    // the report's unit or a unit directly under it
  std::string name;
  size_t period = 0;
  OutcomeCounts counts;
  // Against the same unit's summary for the previous period of the report, in percentage
  // points (nullopt for the first period or when a share is missing).
  std::optional<double> change_met;
  std::vector<std::optional<double>> change_of_class, change_from_class;
};

struct OutcomeTransition {
  std::string from, to;  // outcome codes (see outcome_code)
  size_t count = 0;
};

struct ClassInfo {
  std::string code, name_vi, name_en;
};

// Sets whose results add up: all the all_criteria sets of a report together (communes and
// agencies "An toàn về ANTT"), each other set alone.
struct EvaluationGroup {
  std::vector<size_t> sets;  // indices into EvaluationReport::sets
  bool all_criteria = true;
  std::vector<ClassInfo> classes;  // the classes of every version, best first
  // The report's unit first, then the units directly under it by code; each by period.
  std::vector<EvaluationSummary> summaries;
  // Units of the report's unit evaluated in both the first and the last period (when the
  // report has several): how many went from each outcome to each, in outcome order.
  std::vector<OutcomeTransition> transitions;
};

struct EvaluationReport {
  std::vector<EvaluationSet> sets;
  std::string unit, unit_name;
  std::vector<Period> periods;
  // By period, then the unit directly under the report's unit, then code, then set.
  std::vector<EvaluatedUnit> units;
  std::vector<EvaluationGroup> groups;
};

// Evaluates with each set every unit at the set's levels that lies within `unit` (itself
// included) in the structure in force during the period and is in force on at least one of
// its days, for each period, and rolls the results up. Errors: no set or period; an unknown
// unit (not_found, naming "ou"); a unit not in force during a period; a set without a version
// in force at the end of a period.
Result<EvaluationReport> run_evaluation(const std::vector<EvaluationSet>& sets,
                                        const OrgUnitIndex& units,
                                        const ExpressionContext& context, std::string_view unit,
                                        const std::vector<Period>& periods);

enum class EvaluationFormat {
  kTable,  // for people: Vietnamese headers, names and number forms (1.009, 89,5 %)
  kCsv,    // record,set,ou,pe,item,value — codes and machine-form numbers
  kJson,   // the whole report, with English names beside the Vietnamese ones
};

enum class UnitRows : uint8_t {
  kAll,      // every evaluated unit
  kFailing,  // not met, no data or unclassified
  kNone,     // summaries only
};

struct EvaluationFormatOptions {
  int decimals = 1;  // of shares and changes (percent, percentage points)
  UnitRows unit_rows = UnitRows::kAll;
};

std::string format_evaluation(const EvaluationReport& report, EvaluationFormat format,
                              const EvaluationFormatOptions& options = {});

}  // namespace qpan
