// A data set's form for one unit and period as data entry shows it: the elements grouped in
// sections, a cell per element (or per option of its disaggregation), each cell's stored
// value with its version (the If-Match of its next write), the values of the previous period
// and of the same period last year beside it, and the form's approval state with why it is
// closed to writes when it is.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/data_value.h"
#include "qpan/date.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/status.h"
#include "qpan/workflow.h"

namespace qpan {

class ValueStore;
class ValueWriter;

// One input of the form: an element's total, or one option of its disaggregation.
struct EntryFormCell {
  const DataElement* element = nullptr;
  const DisaggregationOption* option = nullptr;  // nullptr: the total
  std::optional<DataValue> value;                // stored now, with its version
  std::optional<DataValue> previous;             // the previous period's
  std::optional<DataValue> last_year;            // the same period a year before
  // Not typed but counted from this registry's records (its value is shown, not entered);
  // empty for a reported element.
  std::string counted_from;
};

// The form's elements of one subject area (DataElement::area), in the data set's order.
struct EntryFormSection {
  std::string area;  // "" for elements without one
  std::vector<size_t> cells;  // indices into EntryForm::cells
};

struct EntryForm {
  std::shared_ptr<const DataSet> data_set;  // the workflow's, as it was when the form was read
  OrgUnitVersion unit;                // the version in force at the end of the period
  Period period = Period::year(1970);
  Period previous = Period::year(1970);
  Period last_year = Period::year(1970);
  Date deadline;            // of submission (approval_deadline())
  ApprovalRecord approval;  // state and history
  // Why no value of the form may be written now (approved or locked; Vietnamese, then
  // English), or nullopt. A submitted form may still be written through the API; a screen
  // may choose to show it read-only until it is returned.
  std::optional<std::string> closed;
  std::vector<EntryFormSection> sections;  // in the order their first element appears
  std::vector<EntryFormCell> cells;
};

// What a form is read from. All must outlive the call; `store` is used under `store_mutex`
// (the writer's, see qpan/value_writer.h).
struct EntryFormSources {
  Workflow& workflow;
  const ValueWriter& writer;  // the storage keys of the cells
  ValueStore& store;
  std::mutex& store_mutex;
  const Catalogue& catalogue;
  const OrgUnitIndex& units;
};

// Reads the form of `data_set` for `unit_code` and `period`. Checks, in this order: the data
// set is known (not_found); the period has its period type (invalid_input); the unit is in
// force during the period, in the data set's calendar (not_found), at the data set's level
// (invalid_input). Who may read it is the caller's to check (qpan/accounts.h authorize()).
Result<EntryForm> read_entry_form(const EntryFormSources& sources, std::string_view data_set,
                                  std::string_view unit_code, const Period& period);

}  // namespace qpan
