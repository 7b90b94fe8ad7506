// Values entered one by one (see qpan/exchange.h: ValueEntryChecker): the checks of the CSV
// import for a form or a JSON client, with the same wording.
#include "qpan/exchange.h"
#include "qpan/text.h"

namespace qpan {

ValueEntryChecker::ValueEntryChecker(std::shared_ptr<const Catalogue> catalogue,
                                     std::shared_ptr<const OrgUnitIndex> units,
                                     std::unordered_map<std::string, int64_t> unit_ids)
    : catalogue_(std::move(catalogue)), units_(std::move(units)), unit_ids_(std::move(unit_ids)) {}

std::variant<ValueWrite, std::vector<ValueEntryChecker::Problem>> ValueEntryChecker::check(
    ValueEntry& entry, std::string_view stored_by, int64_t now) const {
  std::vector<Problem> problems;
  ValueWrite row;
  auto problem = [&](std::string field, std::string reason) { problems.push_back({std::move(field), std::move(reason)}); };

  const DataElement* element = catalogue_->element(entry.data_element);
  if (element == nullptr) {
    problem("dataElement", entry.data_element.empty() ? "empty: every value needs a data element code"
                                                      : "unknown data element \"" + entry.data_element + "\"");
  } else {
    row.key.element_id = static_cast<int32_t>(element->id);
  }

  std::optional<Period> period;
  if (Result<Period> p = Period::parse(entry.period); !p) {
    problem("period", p.status().message());
  } else if (p->type() == PeriodType::kMonthRange) {
    problem("period", "\"" + entry.period +
                          "\" is a range; a value belongs to one day, month, quarter, half-year, year or five-year term");
  } else {
    period = *p;
    row.key.period = p->key();
  }

  auto id = unit_ids_.find(entry.org_unit);
  if (id == unit_ids_.end() || !units_->knows(entry.org_unit)) {
    problem("orgUnit", entry.org_unit.empty() ? "empty: every value needs an org unit code"
                                              : "unknown org unit \"" + entry.org_unit + "\"");
  } else {
    row.key.unit_id = static_cast<int32_t>(id->second);
    if (period && units_->during(entry.org_unit, period->dates()).empty()) {
      const auto history = units_->history(entry.org_unit);
      problem("orgUnit", "org unit " + entry.org_unit + " (" + history.back()->name + ") is not in force in period " +
                             entry.period + " (" + period->label_vi() + ")");
    }
  }

  if (!entry.option.empty() && element != nullptr) {
    const Disaggregation* dis = catalogue_->disaggregation_of(*element);
    const DisaggregationOption* option = dis ? dis->option(entry.option) : nullptr;
    if (dis == nullptr) {
      problem("categoryOptionCombo", "data element " + element->code + " has no disaggregation; leave it empty");
    } else if (option == nullptr) {
      problem("categoryOptionCombo", "unknown option \"" + entry.option + "\" of disaggregation " + dis->code);
    } else {
      row.key.option_id = static_cast<int32_t>(option->id);
    }
  }

  if (entry.value.empty()) {
    problem("value", "empty: every value needs a value");
  } else if (find_invalid_utf8(entry.value) != std::string::npos) {
    problem("value", "not valid UTF-8");
  } else if (element != nullptr) {
    entry.value = to_nfc(entry.value);
    Result<TypedValue> value = parse_value(element->value_type, entry.value);
    if (!value) {
      problem("value", "\"" + entry.value + "\" is not a valid " + std::string(value_type_name(element->value_type)) +
                           " value for " + element->code + ": " + value.status().message());
    } else {
      row.set_value(*value, entry.value);
    }
  }
  if (find_invalid_utf8(entry.comment) != std::string::npos) {
    problem("comment", "not valid UTF-8");
  } else if (!entry.comment.empty()) {
    entry.comment = to_nfc(entry.comment);
    row.comment = entry.comment;
  }
  row.stored_by = stored_by;
  row.last_updated = now;
  if (!problems.empty()) return problems;
  return row;
}

}  // namespace qpan
