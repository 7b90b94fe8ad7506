// A data set's form for one unit and period as data entry shows it (see qpan/entry_form.h).
#include "qpan/entry_form.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "qpan/value_store.h"
#include "qpan/value_writer.h"

namespace qpan {
namespace {

// The stored value of one cell in `period`, or nullopt. The form's own period has a key for
// every cell; a period before it may not (the unit did not exist yet): no value then.
Result<std::optional<DataValue>> stored_value(const EntryFormSources& sources, const EntryFormCell& cell,
                                              std::string_view unit_code, const Period& period, bool own_period) {
  const std::string period_code = period.code();
  EntryText entry;
  entry.data_element = cell.element->code;
  entry.period = period_code;
  entry.org_unit = unit_code;
  if (cell.option != nullptr) entry.option = cell.option->code;
  Result<ValueKey> key = sources.writer.key_of(entry);
  if (!key) return own_period ? Result<std::optional<DataValue>>(key.status()) : std::optional<DataValue>();
  return sources.store.find_value(*key);
}

}  // namespace

Result<EntryForm> read_entry_form(const EntryFormSources& sources, std::string_view data_set,
                                  std::string_view unit_code, const Period& period) {
  Result<Workflow::FormSubject> subject = sources.workflow.form_subject(data_set, unit_code, period, sources.units);
  if (!subject) return subject.status();
  const std::shared_ptr<const DataSet> ds = subject->data_set;
  EntryForm form;
  form.data_set = ds;
  form.unit = *subject->unit;
  form.period = period;
  form.previous = period.previous();
  form.last_year = period.same_period_last_year();
  form.deadline = approval_deadline(*ds, period);
  Result<ApprovalRecord> approval = sources.workflow.state(data_set, unit_code, period);
  if (!approval) return approval.status();
  form.approval = std::move(*approval);

  for (const std::string& code : ds->elements) {
    const DataElement* element = sources.catalogue.element(code);
    if (element == nullptr) continue;  // the pack checker refuses such a data set
    auto section = std::find_if(form.sections.begin(), form.sections.end(),
                                [&](const EntryFormSection& s) { return s.area == element->area; });
    if (section == form.sections.end()) section = form.sections.insert(form.sections.end(), {element->area, {}});
    const Disaggregation* disaggregation = sources.catalogue.disaggregation_of(*element);
    if (disaggregation == nullptr) {
      section->cells.push_back(form.cells.size());
      form.cells.push_back({element, nullptr, {}, {}, {}, sources.writer.counted_from(code)});
      continue;
    }
    for (const DisaggregationOption& option : disaggregation->options) {
      section->cells.push_back(form.cells.size());
      form.cells.push_back({element, &option, {}, {}, {}, sources.writer.counted_from(code)});
    }
  }

  std::lock_guard lock(sources.store_mutex);
  for (EntryFormCell& cell : form.cells) {
    // Closed when any cell is: the workflow decides per element (a value may also belong to
    // another data set's approved form), and a form is written as a whole.
    if (!form.closed) form.closed = sources.workflow.write_refusal(cell.element->code, unit_code, period);
    for (auto [slot, when] : {std::pair{&cell.value, period}, std::pair{&cell.previous, form.previous},
                              std::pair{&cell.last_year, form.last_year}}) {
      Result<std::optional<DataValue>> value = stored_value(sources, cell, unit_code, when, slot == &cell.value);
      if (!value) return value.status();
      *slot = std::move(*value);
    }
  }
  return form;
}

}  // namespace qpan
