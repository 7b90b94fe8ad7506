// Where a figure comes from (`qpan explain`, GET /api/analytics/explain): one analytics figure
// (dx, ou, pe) broken down into the stored values that make it — each with its unit, period
// and how it counts (directly, through lineage from an old unit, at the share of a split old
// unit, or unallocated) — found by the engine's own walk (AggregationEngine::visit_counted),
// so the parts combine by the element's aggregation to exactly the figure the engine gives.
// Each listed value can carry its history (every change: who, when, old → new) and the
// approval state of the forms it belongs to. An indicator is explained by its formula and
// the breakdown of each element it reads for the same unit and period.
//
// Output is bounded: at most ExplainOptions::max_parts values are listed per series (the
// ones that weigh most in the figure); the rest are counted and, for sums and stocks, their
// total given, so a national figure does not list millions of rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/aggregation.h"
#include "qpan/data_value.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/status.h"
#include "qpan/store.h"
#include "qpan/workflow.h"

namespace qpan {

using PartBasis = ContributingValue::Basis;

// "direct", "lineage", "share", "unallocated".
std::string_view part_basis_name(PartBasis basis);

// One change of a stored value (from the audit trail and the current row).
struct ValueChange {
  AuditAction action = AuditAction::kCreate;
  std::string old_value;  // machine form; empty for a creation
  std::string new_value;  // empty for a deletion
  std::string changed_by;
  int64_t changed_at = 0;  // Unix seconds
};

// The approval state of a form (data set × unit × period) a value belongs to.
struct FormApproval {
  std::string data_set;
  std::string data_set_name_vi, data_set_name_en;
  std::string unit;
  Period period = Period::year(2000);  // the form's period (the month a day value lies in, …)
  ApprovalState state = ApprovalState::kDraft;
  std::string changed_by;  // the last transition's; empty while never moved
  int64_t changed_at = 0;
};

// One stored value a figure combines.
struct FigurePart {
  std::string unit;       // the value's unit
  std::string unit_name;  // its name in the value's period
  Period period = Period::year(2000);
  std::string option;     // disaggregation option code; empty: none
  double value = 0;
  PartBasis basis = PartBasis::kDirect;
  std::string source;       // not kDirect: the old unit the value comes through
  std::string source_name;  // its name in the value's period
  std::string into;         // kShare, kUnallocated: the new unit the split went into
  double share = 1;         // kShare: the weight it is counted at
  std::vector<ValueChange> history;  // oldest first; empty until add_value_history()
  std::vector<FormApproval> forms;   // the forms listing the element at the value's level
};

// The breakdown of one series (an element, or one option of it) for the unit and period.
struct SeriesBreakdown {
  std::string code;  // "crime.solved", "crime.occurred.drugs"
  std::string name_vi, name_en;
  ValueType value_type = ValueType::kCount;
  AggregationType aggregation = AggregationType::kSum;
  std::optional<double> value;  // the engine's figure; nullopt when no value counts
  bool uses_shares = false;
  std::vector<UnallocatedPart> unallocated;  // as the engine reports them
  // The listed parts: by basis (direct, lineage, share, unallocated), then unit, period and
  // option. When there are more than max_parts, the ones that weigh most in the figure.
  std::vector<FigurePart> parts;
  size_t part_count = 0;     // every value that counts or is reported unallocated
  size_t omitted = 0;        // part_count - parts.size()
  double omitted_total = 0;  // sum and last: the counted contribution (value × share) of the
                             // parts not listed
};

struct FigureExplanation {
  std::string dx;
  std::string ou;
  std::string unit_name;  // the unit's name (in force on structure_at, else at the end of pe)
  Period period = Period::year(2000);
  std::optional<Date> structure_at;
  bool indicator = false;
  std::string name_vi, name_en;
  std::string formula;  // an indicator's expression
  int decimals = 1;     // an indicator's
  ValueType value_type = ValueType::kCount;
  std::optional<double> value;  // the figure as analytics gives it (an indicator rounded)
  // An element: its own breakdown. An indicator: each element it reads, in the order of the
  // formula (elements that do not aggregate are left out).
  std::vector<SeriesBreakdown> series;
  bool history_included = false;  // add_value_history() ran
};

struct ExplainOptions {
  std::optional<Date> structure_at;  // as in AnalyticsQuery
  size_t max_parts = 100;            // listed per series (at least 1)
};

// Explains the figure of `dx` (an element, element.option or indicator code) for unit `ou`
// and period `pe`. Errors name the parameter and the reason: "dx: no element or indicator
// \"x\"", "dx: data element \"note\" does not aggregate …" (invalid_input); "ou: no org unit
// \"x\"", "ou: org unit \"x\" is not in force during pe …" (not_found).
Result<FigureExplanation> explain_figure(const AggregationEngine& engine, const std::vector<Indicator>& indicators,
                                         std::string_view dx, std::string_view ou, const Period& pe,
                                         const ExplainOptions& options = {});

// Adds to every listed part its history (one read of the audit trail) and, when `workflow` is
// given, the approval state of the forms of its data sets at its unit's level. `store` is
// used from the calling thread only.
Status add_value_history(FigureExplanation& explanation, Store& store, Workflow* workflow,
                         const OrgUnitIndex& units, const Catalogue& catalogue);

enum class ExplainFormat {
  kTable,  // for people: a heading, the figure, the parts as an aligned table, their history
  kJson,   // {"dx", "ou", "pe", "value", "indicator", "formula", "series": [{…, "parts": […]}]}
};
// Vietnamese by default; `english` for English labels (unit names have no English form).
std::string format_explanation(const FigureExplanation& explanation, ExplainFormat format,
                               bool english = false);

}  // namespace qpan
