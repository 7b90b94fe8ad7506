// What waits for an account on a day (see qpan/worklist.h), from the completeness of each
// data set's latest periods within the account's scope.
#include "qpan/worklist.h"

#include <algorithm>
#include <optional>
#include <tuple>

namespace qpan {
namespace {

// The period of `type` that `today` falls in, in `calendar` (a cut-off month can start in
// the calendar month before); nullopt for types no data set is entered by.
std::optional<Period> current_period(PeriodType type, Calendar calendar, Date today) {
  const int y = static_cast<int>(today.year());
  const int m = static_cast<int>(static_cast<unsigned>(today.month()));
  std::optional<Period> p;
  switch (type) {
    case PeriodType::kMonth: p = Period::month(y, m); break;
    case PeriodType::kQuarter: p = Period::quarter(y, (m - 1) / 3 + 1); break;
    case PeriodType::kSixMonth: p = Period::six_month(y, m <= 6 ? 1 : 2); break;
    case PeriodType::kYear: p = Period::year(y); break;
    default: return std::nullopt;
  }
  while (p->dates(calendar).first > today) p = p->previous();
  while (p->next().dates(calendar).first <= today) p = p->next();
  return p;
}

bool waits(WorklistItem::Kind kind, ApprovalState state) {
  return kind == WorklistItem::Kind::kToReview
             ? state == ApprovalState::kSubmitted
             : state == ApprovalState::kDraft || state == ApprovalState::kReturned;
}

}  // namespace

std::string_view worklist_kind_name(WorklistItem::Kind kind) {
  return kind == WorklistItem::Kind::kToReview ? "to_review" : "to_submit";
}

Result<Worklist> worklist(Workflow& workflow, const User& user, const OrgUnitIndex& units, Date today, int periods,
                          size_t limit) {
  std::vector<WorklistItem::Kind> kinds;
  if (role_allows(user.role, Action::kSubmit)) kinds.push_back(WorklistItem::Kind::kToSubmit);
  if (role_allows(user.role, Action::kApprove)) kinds.push_back(WorklistItem::Kind::kToReview);
  Worklist out;
  if (kinds.empty()) return out;

  for (const DataSet& ds : *workflow.data_sets()) {
    std::optional<Period> period = current_period(ds.period_type, ds.calendar, today);
    for (int i = 0; period && i < periods; ++i, period = period->previous()) {
      Result<Completeness> forms = workflow.completeness(ds.code, user.scope_code, *period, units, today);
      if (!forms) {
        if (forms.status().code() == StatusCode::kNotFound) continue;  // the scope's unit did not exist then
        return forms.status();
      }
      for (const CompletenessRow& row : forms->units) {
        for (WorklistItem::Kind kind : kinds) {
          if (!waits(kind, row.state)) continue;
          // A code the scope names may have named another unit in that period (codes reused
          // by the 2025 merger): only forms the account may decide on, on the day it would.
          const Action action = kind == WorklistItem::Kind::kToReview ? Action::kApprove : Action::kSubmit;
          Result<const OrgUnitVersion*> unit = workflow.form_unit(ds.code, row.unit_code, *period, units);
          if (!unit || !authorize(user, action, row.unit_code, form_decision_day(ds, **unit, *period), units).is_ok()) {
            continue;
          }
          out.items.push_back({kind, ds.code, row.unit_code, row.unit_name, *period, row.state, forms->deadline,
                               row.status});
        }
      }
    }
  }
  std::sort(out.items.begin(), out.items.end(), [](const WorklistItem& a, const WorklistItem& b) {
    const bool a_late = a.status == Timeliness::kLate, b_late = b.status == Timeliness::kLate;
    if (a_late != b_late) return a_late;
    return std::tie(a.deadline, a.data_set, a.unit_code) < std::tie(b.deadline, b.data_set, b.unit_code);
  });
  out.total = out.items.size();
  if (out.items.size() > limit) out.items.resize(limit);
  return out;
}

}  // namespace qpan
