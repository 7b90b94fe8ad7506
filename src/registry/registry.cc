// Registry records: field values checked and brought to machine form, and the periods a
// record counts in (qpan/registry.h).
#include "qpan/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "qpan/text.h"

namespace qpan {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// dd/mm/yyyy (day and month of one or two digits), as offices write dates in Excel.
std::optional<Date> parse_vietnamese_date(std::string_view s) {
  int parts[3] = {0, 0, 0};
  size_t part = 0;
  size_t digits = 0;
  for (char c : s) {
    if (c == '/') {
      if (digits == 0 || ++part > 2) return std::nullopt;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 4) return std::nullopt;
      parts[part] = parts[part] * 10 + (c - '0');
    } else {
      return std::nullopt;
    }
  }
  if (part != 2 || digits != 4) return std::nullopt;
  const Date d = make_date(parts[2], static_cast<unsigned>(parts[1]), static_cast<unsigned>(parts[0]));
  if (!d.ok()) return std::nullopt;
  return d;
}

}  // namespace

const std::string* RegistryRecord::field(std::string_view code) const {
  auto it = fields.find(code);
  return it == fields.end() ? nullptr : &it->second;
}

Result<std::string> parse_field_value(const RegistryField& field, std::string_view text,
                                      const Catalogue& catalogue, const OrgUnitIndex& units) {
  const std::string value = to_nfc(trim(text));
  switch (field.type) {
    case RegistryFieldType::kText:
      return value;
    case RegistryFieldType::kDate: {
      if (Result<Date> iso = parse_date(value)) return format_date(*iso);
      if (std::optional<Date> vn = parse_vietnamese_date(value)) return format_date(*vn);
      return Status::invalid_input("expected a date (2021-12-20 or 20/12/2021), found " + quoted(value));
    }
    case RegistryFieldType::kInteger: {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
        return Status::invalid_input("expected a whole number, found " + quoted(value));
      }
      return std::to_string(n);
    }
    case RegistryFieldType::kNumber: {
      double d = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty() || !std::isfinite(d)) {
        return Status::invalid_input("expected a number with '.' as the decimal mark, found " + quoted(value));
      }
      return value.front() == '+' ? value.substr(1) : value;
    }
    case RegistryFieldType::kBoolean: {
      const std::string key = search_key(value);
      if (key == "true" || key == "1" || key == "co") return std::string("true");
      if (key == "false" || key == "0" || key == "khong") return std::string("false");
      return Status::invalid_input("expected true or false (có / không), found " + quoted(value));
    }
    case RegistryFieldType::kCode: {
      const Disaggregation* options = catalogue.disaggregation(field.options);
      if (options != nullptr && options->option(value) != nullptr) return value;
      std::string list;
      if (options != nullptr) {
        for (const DisaggregationOption& o : options->options) list += (list.empty() ? "" : ", ") + o.code;
      }
      return Status::invalid_input("unknown code " + quoted(value) + " (expected one of: " + list + ")");
    }
    case RegistryFieldType::kUnit:
      if (units.knows(value)) return value;
      return Status::invalid_input("unknown org unit " + quoted(value));
  }
  return Status::internal("unknown field type");
}

std::vector<FieldProblem> check_record_fields(const RegistryDefinition& registry,
                                              RecordFields& fields,
                                              const Catalogue& catalogue, const OrgUnitIndex& units) {
  std::vector<FieldProblem> problems;
  for (const auto& [code, value] : fields) {
    if (registry.field(code) == nullptr) {
      problems.push_back({code, "unknown field of registry " + registry.code});
    }
  }
  for (const RegistryField& field : registry.fields) {
    auto it = fields.find(field.code);
    const bool empty = it == fields.end() || trim(it->second).empty();
    if (empty) {
      if (field.required) problems.push_back({field.code, "required: " + field.name_vi + " (" + field.name_en + ")"});
      if (it != fields.end()) fields.erase(it);
      continue;
    }
    Result<std::string> parsed = parse_field_value(field, it->second, catalogue, units);
    if (parsed) {
      it->second = std::move(*parsed);
    } else {
      problems.push_back({field.code, parsed.status().message()});
    }
  }
  if (registry.lifecycle && problems.empty()) {
    auto from = fields.find(registry.lifecycle->from);
    auto to = fields.find(registry.lifecycle->to);
    // ISO dates order as text.
    if (from != fields.end() && to != fields.end() && to->second < from->second) {
      problems.push_back({registry.lifecycle->to, "before " + registry.lifecycle->from + " (" + from->second + ")"});
    }
  }
  return problems;
}

namespace {

// By RegistryFieldType value.
constexpr std::string_view kFieldTypeNames[] = {"text", "date", "integer", "number", "boolean", "code", "unit"};

}  // namespace

std::string_view registry_field_type_name(RegistryFieldType type) {
  return kFieldTypeNames[static_cast<size_t>(type)];
}

Result<RegistryFieldType> parse_registry_field_type(std::string_view text) {
  const auto* known = std::find(std::begin(kFieldTypeNames), std::end(kFieldTypeNames), text);
  if (known == std::end(kFieldTypeNames)) {
    return Status::invalid_input("expected text, date, integer, number, boolean, code or unit");
  }
  return static_cast<RegistryFieldType>(known - std::begin(kFieldTypeNames));
}

const RegistryDefinition* find_registry(const Pack& pack, std::string_view code) {
  auto it = std::find_if(pack.registries.begin(), pack.registries.end(),
                         [&](const RegistryDefinition& r) { return r.code == code; });
  return it == pack.registries.end() ? nullptr : &*it;
}

const ElementSource* find_source(const Pack& pack, std::string_view element) {
  auto it = std::find_if(pack.sources.begin(), pack.sources.end(),
                         [&](const ElementSource& s) { return s.element == element; });
  return it == pack.sources.end() ? nullptr : &*it;
}

const DataSet* counting_data_set(const Pack& pack, std::string_view element) {
  for (const DataSet& d : pack.data_sets) {
    if (std::find(d.elements.begin(), d.elements.end(), element) != d.elements.end()) return &d;
  }
  return nullptr;
}

const RegistryField* RegistryDefinition::field(std::string_view code) const {
  auto it = std::find_if(fields.begin(), fields.end(), [&](const RegistryField& f) { return f.code == code; });
  return it == fields.end() ? nullptr : &*it;
}

Period period_containing(Date day, PeriodType type, Calendar calendar) {
  if (type == PeriodType::kDay) return Period::day(day);
  int year = static_cast<int>(day.year());
  int month = static_cast<int>(static_cast<unsigned>(day.month()));
  // Decree 09/2019 Art. 12: a month runs from the 15th of the month before to the 14th.
  if (calendar == Calendar::kCutoff && static_cast<unsigned>(day.day()) >= 15) {
    if (++month == 13) {
      month = 1;
      ++year;
    }
  }
  switch (type) {
    case PeriodType::kMonth: return Period::month(year, month);
    case PeriodType::kQuarter: return Period::quarter(year, (month - 1) / 3 + 1);
    case PeriodType::kSixMonth: return Period::six_month(year, month <= 6 ? 1 : 2);
    default: return Period::year(year);
  }
}

}  // namespace qpan
