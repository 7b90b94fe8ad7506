// Counting an element's values from registry records (qpan/registry.h RecordCounter): the
// source checked against the pack, then per owner unit the records of each period counted
// (dated measures) or those in force on each period's last day (stocks).
#include <algorithm>
#include <charconv>
#include <map>

#include "qpan/registry.h"

namespace qpan {
namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

double number(const std::string& text) {
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return d;
}

bool overlaps(std::span<const DateRange> ranges, const DateRange& period) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const DateRange& r) { return r.overlaps(period); });
}

}  // namespace

Result<RecordCounter> RecordCounter::compile(const ElementSource& source, const Pack& pack) {
  auto fail = [&](std::string reason) { return Status::invalid_input(std::move(reason)); };
  RecordCounter counter;
  counter.source_ = source;
  const DataElement* element = pack.catalogue.element(source.element);
  if (element == nullptr) return fail("unknown data element " + quoted(source.element));
  const RegistryDefinition* registry = find_registry(pack, source.registry);
  if (registry == nullptr) return fail("unknown registry " + quoted(source.registry) + " (declare it under \"registries\")");

  if (source.measure == SourceMeasure::kSum) {
    const RegistryField* summed = registry->field(source.sum_field);
    if (summed == nullptr) return fail("measure: unknown field " + quoted(source.sum_field) + " of registry " + registry->code);
    if (summed->type != RegistryFieldType::kInteger && summed->type != RegistryFieldType::kNumber) {
      return fail("measure: field " + quoted(summed->code) + " is a " +
                  std::string(registry_field_type_name(summed->type)) + "; only integer and number fields add up");
    }
    if (element->value_type == ValueType::kBoolean || element->value_type == ValueType::kText ||
        element->value_type == ValueType::kPercentage) {
      return fail("a sum needs a count, integer, number or amount element; " + element->code + " is a " +
                  std::string(value_type_name(element->value_type)));
    }
  } else if (element->value_type != ValueType::kCount) {
    return fail("a count needs a count element; " + element->code + " is a " +
                std::string(value_type_name(element->value_type)));
  }

  if (source.in_force()) {
    if (!registry->lifecycle) {
      return fail("date: registry " + registry->code + " has no lifecycle, so nothing is in force (give a date field)");
    }
    if (element->aggregation != AggregationType::kLast) {
      return fail("records in force are a stock: element " + element->code + " needs aggregation \"last\"");
    }
    counter.from_field_ = registry->lifecycle->from;
    counter.to_field_ = registry->lifecycle->to;
  } else {
    const RegistryField* date = registry->field(source.date_field);
    if (date == nullptr) return fail("date: unknown field " + quoted(source.date_field) + " of registry " + registry->code);
    if (date->type != RegistryFieldType::kDate) return fail("date: field " + quoted(date->code) + " is not a date");
    if (element->aggregation != AggregationType::kSum) {
      return fail("records dated in a period are a flow: element " + element->code + " needs aggregation \"sum\"");
    }
  }

  if (!element->disaggregation.empty() && source.by.empty()) {
    return fail("element " + element->code + " is disaggregated by " + element->disaggregation +
                ": say which code field gives the option (\"by\")");
  }
  if (!source.by.empty()) {
    const RegistryField* by = registry->field(source.by);
    if (by == nullptr) return fail("by: unknown field " + quoted(source.by) + " of registry " + registry->code);
    if (element->disaggregation.empty()) return fail("by: element " + element->code + " has no disaggregation");
    if (by->type != RegistryFieldType::kCode || by->options != element->disaggregation) {
      return fail("by: field " + quoted(by->code) + " must be a code field with the options of " + element->disaggregation);
    }
    if (!by->required) return fail("by: field " + quoted(by->code) + " must be required (every record has an option)");
  }

  const DataSet* data_set = counting_data_set(pack, element->code);
  if (data_set == nullptr) {
    return fail("element " + element->code + " is in no data set: its periods and calendar come from the data set that lists it");
  }
  for (const DataSet& other : pack.data_sets) {
    if (std::find(other.elements.begin(), other.elements.end(), element->code) == other.elements.end()) continue;
    if (other.period_type != data_set->period_type || other.calendar != data_set->calendar) {
      return fail("data sets " + data_set->code + " and " + other.code + " list " + element->code +
                  " with different periods or calendars: a counted element is counted one way");
    }
  }
  if (data_set->period_type == PeriodType::kFiveYear || data_set->period_type == PeriodType::kMonthRange) {
    return fail("data set " + data_set->code + " reports " + std::string(period_type_name(data_set->period_type)) +
                " periods: counted elements need days, months, quarters, half-years or years");
  }
  counter.period_type_ = data_set->period_type;
  counter.calendar_ = data_set->calendar;

  Result<RecordFilter> filter = RecordFilter::compile(source.where, *registry, pack.catalogue);
  if (!filter) return fail("where: " + filter.status().message());
  counter.filter_ = std::move(*filter);
  return counter;
}

std::optional<Period> RecordCounter::period_of(const RegistryRecord& record) const {
  if (source_.in_force()) return std::nullopt;
  const std::string* date = record.field(source_.date_field);
  if (date == nullptr) return std::nullopt;
  Result<Date> day = parse_date(*date);
  if (!day) return std::nullopt;
  return period_containing(*day, period_type_, calendar_);
}

std::vector<CountedValue> RecordCounter::count(std::span<const RegistryRecord* const> records,
                                               std::span<const DateRange> unit_in_force, Date through) const {
  // (period key, option) → value; a map keeps the answer sorted.
  std::map<std::pair<int64_t, std::string>, double> values;
  auto amount = [&](const RegistryRecord& r) -> double {
    if (source_.measure == SourceMeasure::kCount) return 1;
    const std::string* v = r.field(source_.sum_field);
    return v == nullptr ? 0 : number(*v);
  };
  auto option_of = [&](const RegistryRecord& r) -> std::string {
    if (source_.by.empty()) return {};
    const std::string* v = r.field(source_.by);
    return v == nullptr ? std::string() : *v;
  };
  auto counted = [&](const RegistryRecord* r) { return r->registry == source_.registry && filter_.matches(*r); };

  if (!source_.in_force()) {
    for (const RegistryRecord* r : records) {
      if (!counted(r)) continue;
      const std::optional<Period> period = period_of(*r);
      if (!period || !overlaps(unit_in_force, period->dates())) continue;
      values[{period->key(), option_of(*r)}] += amount(*r);
    }
  } else {
    // Per option: its records' lifetimes, and the first period one of them is in force.
    struct Lifetime {
      Date from, until;  // until: the first day no longer in force
      double amount;
    };
    std::map<std::string, std::vector<Lifetime>> lifetimes;
    for (const RegistryRecord* r : records) {
      if (!counted(r)) continue;
      const std::string* from = r->field(from_field_);
      if (from == nullptr) continue;
      Result<Date> start = parse_date(*from);
      if (!start) continue;
      Date until = make_date(9999, 12, 31);
      if (const std::string* to = r->field(to_field_)) {
        if (Result<Date> end = parse_date(*to)) until = *end;
      }
      lifetimes[option_of(*r)].push_back({*start, until, amount(*r)});
    }
    const Period last = period_containing(through, period_type_, calendar_);
    for (const auto& [option, spans] : lifetimes) {
      Date earliest = spans.front().from;
      for (const Lifetime& l : spans) earliest = std::min(earliest, l.from);
      for (Period p = period_containing(earliest, period_type_, calendar_); p <= last; p = p.next()) {
        // A stock is the unit's while it is in force on the period's last day, as a roll-up
        // takes a unit's values (qpan/aggregation.h).
        const Date end = p.dates().last;
        if (std::none_of(unit_in_force.begin(), unit_in_force.end(), [&](const DateRange& r) { return r.contains(end); })) {
          continue;
        }
        const Date day = p.dates(calendar_).last;
        double total = 0;
        for (const Lifetime& l : spans) {
          if (l.from <= day && day < l.until) total += l.amount;
        }
        values[{p.key(), option}] = total;
      }
    }
  }

  std::vector<CountedValue> out;
  out.reserve(values.size());
  for (const auto& [key, value] : values) {
    Result<Period> period = Period::from_key(key.first);
    if (period) out.push_back({*period, key.second, value});
  }
  return out;
}

}  // namespace qpan
