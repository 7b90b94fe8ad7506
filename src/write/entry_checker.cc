// One entry checked against the catalogue, the dated units, the writer's scope and closed
// forms (see entry_checker.h). The wording of every reason lives here, once.
#include "write/entry_checker.h"

#include "qpan/text.h"
#include "qpan/workflow.h"

namespace qpan::write {
namespace {

// Open ends of a unit's validity, as days far outside any period.
constexpr int32_t kOpenStart = -1'000'000, kOpenEnd = 10'000'000;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::string_view EntryChecker::Scratch::keep(std::string_view text) {
  const bool stable = !stable_.empty() && text.data() >= stable_.data() &&
                      text.data() + text.size() <= stable_.data() + stable_.size();
  if (stable && is_ascii(text)) return text;
  std::string nfc = to_nfc(text);
  if (stable && nfc == text) return text;
  kept_.push_back(std::move(nfc));
  return kept_.back();
}

const EntryChecker::Scratch::PeriodInfo& EntryChecker::Scratch::period(std::string_view code) {
  if (last_period_ != nullptr && last_period_code_ == code) return *last_period_;
  auto it = periods_.find(code);
  if (it == periods_.end()) {
    PeriodInfo info;
    Result<Period> p = Period::parse(code);
    if (!p) {
      info.error = code.empty() ? "empty: every value needs a period" : p.status().message();
    } else if (p->type() == PeriodType::kMonthRange) {
      info.error = quoted(code) +
                   " is a range; a value belongs to one day, month, quarter, half-year, year or "
                   "five-year term";
    } else {
      info.period = *p;
      const DateRange d = p->dates();
      info.first_day = to_days(d.first);
      info.last_day = to_days(d.last);
    }
    it = periods_.emplace(std::string(code), std::move(info)).first;
  }
  last_period_code_ = it->first;
  last_period_ = &it->second;
  return it->second;
}

EntryChecker::EntryChecker(Catalogue catalogue, std::shared_ptr<const OrgUnitIndex> units,
                           const std::unordered_map<std::string, int64_t>& unit_ids,
                           const std::vector<ElementSource>& counted)
    : catalogue_(std::move(catalogue)), units_(std::move(units)) {
  for (const ElementSource& source : counted) counted_.emplace(source.element, source.registry);
  for (const DataElement& e : catalogue_.elements()) {
    elements_.emplace(e.code, &e);
    elements_by_id_.emplace(e.id, &e);
  }
  for (const OrgUnitVersion& v : units_->versions()) {
    auto id = unit_ids.find(v.code);
    if (id == unit_ids.end()) continue;  // not stored: unknown to every write
    UnitValidity& u = validity_[v.code];
    u.id = id->second;
    unit_codes_.emplace(id->second, v.code);
    u.name = v.name;
    u.days.emplace_back(v.valid_from ? to_days(*v.valid_from) : kOpenStart,
                        v.valid_until ? to_days(*v.valid_until) : kOpenEnd);
  }
}

bool EntryChecker::check_key_fields(const EntryText& entry, Scratch& scratch, ValueKey& key,
                                    const Scratch::PeriodInfo*& period, const DataElement*& element,
                                    bool& unit_in_force, const ProblemFn& problem) const {
  bool ok = true;
  auto fail = [&](EntryField field, std::string reason) {
    ok = false;
    problem(field, Refusal::kInvalid, std::move(reason));
  };
  element = nullptr;
  period = nullptr;
  unit_in_force = false;

  auto found = elements_.find(entry.data_element);
  if (found == elements_.end()) {
    fail(EntryField::kDataElement, entry.data_element.empty()
                                       ? "empty: every value needs a data element code"
                                       : "unknown data element " + quoted(entry.data_element));
  } else {
    element = found->second;
    key.element_id = static_cast<int32_t>(element->id);
  }

  const Scratch::PeriodInfo& p = scratch.period(entry.period);
  if (!p.error.empty()) {
    fail(EntryField::kPeriod, p.error);
  } else {
    period = &p;
    key.period = p.period.key();
  }

  auto unit = validity_.find(entry.org_unit);
  if (unit == validity_.end()) {
    fail(EntryField::kOrgUnit, entry.org_unit.empty() ? "empty: every value needs an org unit code"
                                                      : "unknown org unit " + quoted(entry.org_unit));
  } else {
    key.unit_id = static_cast<int32_t>(unit->second.id);
    if (period != nullptr) {
      for (const auto& [from, until] : unit->second.days) {
        unit_in_force |= from <= p.last_day && p.first_day < until;
      }
      if (!unit_in_force) {
        fail(EntryField::kOrgUnit, "org unit " + std::string(entry.org_unit) + " (" + unit->second.name +
                                       ") is not in force in period " + std::string(entry.period) + " (" +
                                       p.period.label_vi() + ")");
      }
    }
  }

  if (!entry.option.empty() && element != nullptr) {
    const Disaggregation* dis = catalogue_.disaggregation_of(*element);
    const DisaggregationOption* option = dis ? dis->option(entry.option) : nullptr;
    if (dis == nullptr) {
      fail(EntryField::kCategoryOptionCombo, "data element " + element->code + " has no disaggregation; leave it empty");
    } else if (option == nullptr) {
      fail(EntryField::kCategoryOptionCombo,
           "unknown option " + quoted(entry.option) + " of disaggregation " + dis->code);
    } else {
      key.option_id = static_cast<int32_t>(option->id);
    }
  }
  if (!entry.attribute.empty()) {
    fail(EntryField::kAttributeOptionCombo, "attribute option combos are not used by qpan; leave it empty");
  }
  return ok;
}

bool EntryChecker::check_key(const EntryText& entry, Scratch& scratch, ValueKey& key, const ProblemFn& problem) const {
  const Scratch::PeriodInfo* period = nullptr;
  const DataElement* element = nullptr;
  bool in_force = false;
  return check_key_fields(entry, scratch, key, period, element, in_force, problem);
}

bool EntryChecker::check(const EntryText& entry, const Rules& rules, Scratch& scratch, ValueWrite& row,
                         const ProblemFn& problem) const {
  bool ok = true;
  auto fail = [&](EntryField field, Refusal kind, std::string reason) {
    ok = false;
    problem(field, kind, std::move(reason));
  };
  const Scratch::PeriodInfo* period = nullptr;
  const DataElement* element = nullptr;
  bool unit_in_force = false;
  ok = check_key_fields(entry, scratch, row.key, period, element, unit_in_force, problem);
  // Counted elements are read like any other (check_key) but written only by their records.
  if (element != nullptr) {
    if (const std::string* registry = counted_from(element->code)) {
      fail(EntryField::kDataElement, Refusal::kInvalid,
           "data element " + quoted(element->code) + " is counted from the records of registry " + *registry +
               ": write the records instead (qpan registry import, /api/registries/" + *registry + "/records)");
      element = nullptr;
    }
  }

  // The writer's scope, and closed forms, for an entry whose unit and period are sound.
  if (unit_in_force && rules.account != nullptr && rules.account->has_value()) {
    if (Status s = authorize(**rules.account, rules.action, entry.org_unit, period->period.dates().last, *units_); !s) {
      fail(EntryField::kOrgUnit, Refusal::kForbidden, s.message());
    }
  }
  if (unit_in_force && element != nullptr && rules.closed_forms != nullptr) {
    if (std::optional<std::string> refused = rules.closed_forms->write_refusal(element->code, entry.org_unit, period->period)) {
      fail(EntryField::kPeriod, Refusal::kFormClosed, std::move(*refused));
    }
  }

  // A deletion names its value by the key alone; its value field is not read.
  const bool deleting = rules.deleting || entry.deleted == "true" || entry.deleted == "1";
  if (!(entry.deleted.empty() || entry.deleted == "false" || entry.deleted == "0" || deleting)) {
    fail(EntryField::kDeleted, Refusal::kInvalid, quoted(entry.deleted) + " is not true or false");
  }
  row.deleted = deleting;

  // The value, of the element's type.
  if (deleting) {
    // nothing to check
  } else if (entry.value.empty()) {
    fail(EntryField::kValue, Refusal::kInvalid, "empty: every value needs a value");
  } else if (find_invalid_utf8(entry.value) != std::string_view::npos) {
    fail(EntryField::kValue, Refusal::kInvalid, "not valid UTF-8");
  } else if (element != nullptr) {
    Result<TypedValue> value = parse_value(element->value_type, entry.value);
    if (!value) {
      fail(EntryField::kValue, Refusal::kInvalid,
           quoted(entry.value) + " is not a valid " + std::string(value_type_name(element->value_type)) +
               " value for " + element->code + ": " + value.status().message());
    } else {
      // Only a text value's characters are needed beyond the entry.
      row.set_value(*value, value->kind == TypedValue::Kind::kText ? scratch.keep(entry.value) : std::string_view());
    }
  }

  // Who and when: the entry's, or the writer and now.
  if (entry.stored_by.empty()) {
    row.stored_by = rules.writer;
  } else if (find_invalid_utf8(entry.stored_by) != std::string_view::npos) {
    fail(EntryField::kStoredBy, Refusal::kInvalid, "not valid UTF-8");
  } else {
    row.stored_by = scratch.keep(entry.stored_by);
  }
  if (entry.last_updated.empty()) {
    row.last_updated = rules.now;
  } else if (entry.last_updated == scratch.last_timestamp_text_) {
    row.last_updated = scratch.last_timestamp_;
  } else {
    Result<int64_t> at = parse_timestamp(entry.last_updated);
    if (!at) {
      fail(EntryField::kLastUpdated, Refusal::kInvalid, at.status().message());
    } else {
      row.last_updated = *at;
      scratch.last_timestamp_text_.assign(entry.last_updated);
      scratch.last_timestamp_ = *at;
    }
  }
  if (find_invalid_utf8(entry.comment) != std::string_view::npos) {
    fail(EntryField::kComment, Refusal::kInvalid, "not valid UTF-8");
  } else if (!entry.comment.empty()) {
    row.comment = scratch.keep(entry.comment);
  }
  if (entry.followup == "true" || entry.followup == "1") {
    row.followup = true;
  } else if (!(entry.followup.empty() || entry.followup == "false" || entry.followup == "0")) {
    fail(EntryField::kFollowup, Refusal::kInvalid, quoted(entry.followup) + " is not true or false");
  }
  return ok;
}

std::string_view EntryChecker::unit_code(int64_t id) const {
  auto it = unit_codes_.find(id);
  return it == unit_codes_.end() ? std::string_view() : std::string_view(it->second);
}

const std::string* EntryChecker::counted_from(std::string_view element) const {
  auto it = counted_.find(element);
  return it == counted_.end() ? nullptr : &it->second;
}

const DataElement* EntryChecker::element_by_id(int64_t id) const {
  auto it = elements_by_id_.find(id);
  return it == elements_by_id_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<const EntryChecker>> load_entry_checker(Store& store, const std::vector<ElementSource>& counted,
                                                               std::shared_ptr<const OrgUnitIndex> units) {
  Result<Catalogue> catalogue = store.load_catalogue();
  if (!catalogue) return catalogue.status();
  if (units == nullptr) {
    Result<OrgUnitIndex> loaded = store.load_org_units();
    if (!loaded) return loaded.status();
    units = std::make_shared<const OrgUnitIndex>(std::move(*loaded));
  }
  Result<std::unordered_map<std::string, int64_t>> ids = store.unit_ids();
  if (!ids) return ids.status();
  return std::shared_ptr<const EntryChecker>(
      std::make_shared<EntryChecker>(std::move(*catalogue), std::move(units), *ids, counted));
}

}  // namespace qpan::write
