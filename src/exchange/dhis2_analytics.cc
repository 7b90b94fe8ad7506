// DHIS2's analytics parameters read into a qpan analytics query and layout (see
// qpan/dhis2.h): dimensions and filters, their special items, and the layout options.
#include <algorithm>
#include <charconv>
#include <optional>

#include "qpan/aggregation.h"
#include "qpan/dhis2.h"
#include "qpan/text.h"

namespace qpan {
namespace {

using Dimension = AnalyticsLayout::Dimension;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// "dx:a;b" as given in a dimension or filter parameter.
struct DimensionSpec {
  std::string name;
  std::vector<std::string> items;
  bool filter = false;
};

Result<std::vector<DimensionSpec>> dimension_specs(const QueryParameters& parameters) {
  std::vector<DimensionSpec> out;
  for (const bool filter : {false, true}) {
    const std::string_view parameter = filter ? "filter" : "dimension";
    for (const std::string& value : parameters(parameter)) {
      // A client may join several dimensions with commas (Spring's list binding).
      for (const std::string& spec : split_list(value)) {
        const size_t colon = spec.find(':');
        const std::string name = spec.substr(0, colon);
        if (name == "co") {
          return Status::invalid_input(std::string(parameter) + ": " + quoted(spec) +
                                       ": chiều co không được hỗ trợ — hãy hỏi dx là MÃ.PHÂN_TỔ (the co dimension "
                                       "is not supported: ask the option as a data item, dx:CODE.OPTION)");
        }
        if (name != "dx" && name != "ou" && name != "pe") {
          return Status::invalid_input(std::string(parameter) + ": " + quoted(spec) +
                                       ": qpan chỉ có các chiều dx, ou, pe (unknown dimension " + quoted(name) +
                                       "; qpan has dx, ou and pe)");
        }
        if (colon == std::string::npos) {
          return Status::invalid_input(std::string(parameter) + ": " + quoted(spec) +
                                       ": thiếu các mục của chiều (expected " + name + ":item;item)");
        }
        for (const DimensionSpec& earlier : out) {
          if (earlier.name == name) {
            return Status::invalid_input(std::string(parameter) + ": chiều " + name +
                                         " được nêu hai lần (dimension " + name +
                                         " given twice, or as a dimension and a filter)");
          }
        }
        DimensionSpec d{name, split_list(std::string_view(spec).substr(colon + 1), ';'), filter};
        if (d.items.empty()) {
          return Status::invalid_input(std::string(parameter) + ": " + quoted(spec) + ": chiều " + name +
                                       " không có mục nào (dimension without items)");
        }
        out.push_back(std::move(d));
      }
    }
  }
  return out;
}

// The single value of a parameter, or nullopt; several values are an error.
Result<std::optional<std::string>> single(const QueryParameters& parameters, std::string_view name) {
  std::vector<std::string> values = parameters(name);
  if (values.empty()) return std::optional<std::string>();
  if (values.size() > 1) return Status::invalid_input(std::string(name) + ": given more than once");
  return std::optional<std::string>(std::move(values.front()));
}

Result<bool> flag(const QueryParameters& parameters, std::string_view name) {
  Result<std::optional<std::string>> value = single(parameters, name);
  if (!value) return value.status();
  if (!*value || **value == "false") return false;
  if (**value == "true" || (*value)->empty()) return true;
  return Status::invalid_input(std::string(name) + ": expected true or false, not " + quoted(**value));
}

Result<Date> date_parameter(const std::string& name, const std::string& text) {
  Result<Date> d = parse_date(text);
  if (!d) return Status::invalid_input(name + ": " + d.status().message());
  return *d;
}

Result<std::vector<MeasureCriterion>> measure_criteria(std::string_view text) {
  std::vector<MeasureCriterion> out;
  for (const std::string& item : split_list(text, ';')) {
    const size_t colon = item.find(':');
    const std::string op = item.substr(0, colon);
    MeasureCriterion c;
    using Op = MeasureCriterion::Operator;
    if (op == "EQ") c.op = Op::kEq;
    else if (op == "GT") c.op = Op::kGt;
    else if (op == "GE") c.op = Op::kGe;
    else if (op == "LT") c.op = Op::kLt;
    else if (op == "LE") c.op = Op::kLe;
    else return Status::invalid_input("measureCriteria: " + quoted(item) + ": expected EQ, GT, GE, LT or LE:number");
    const std::string number = colon == std::string::npos ? std::string() : item.substr(colon + 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), c.value);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size()) {
      return Status::invalid_input("measureCriteria: " + quoted(item) + ": expected a number after the colon");
    }
    out.push_back(c);
  }
  return out;
}

// The units at `level` under `boundary` on `day` (the boundary itself when it is at that
// level); the country code stands for every unit.
void add_units_at_level(const OrgUnitIndex& units, const std::string& boundary, OrgUnitLevel level, Date day,
                        std::vector<std::string>& out) {
  if (boundary == kCountryUnitCode && !units.knows(boundary)) {
    for (const OrgUnitVersion& v : units.versions()) {
      if (v.level == level && v.valid_at(day)) out.push_back(v.code);
    }
    return;
  }
  const OrgUnitVersion* b = units.at(boundary, day);
  if (b == nullptr) return;
  if (b->level == level) {
    out.push_back(b->code);
    return;
  }
  std::vector<const OrgUnitVersion*> frontier = {b};
  while (!frontier.empty()) {
    std::vector<const OrgUnitVersion*> next;
    for (const OrgUnitVersion* v : frontier) {
      for (const OrgUnitVersion* child : units.children(v->code, day)) {
        if (child->level == level) out.push_back(child->code);
        else if (static_cast<int>(child->level) < static_cast<int>(level)) next.push_back(child);
      }
    }
    frontier = std::move(next);
  }
}

Result<OrgUnitLevel> level_of(std::string_view text) {
  int number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size()) {
    if (number >= 1 && number <= 4) return static_cast<OrgUnitLevel>(number);
    return Status::invalid_input("ou: LEVEL-" + std::string(text) +
                                 ": cấp 1 tỉnh, 2 huyện, 3 xã, 4 thôn (levels are 1 province, 2 district, 3 commune, "
                                 "4 village)");
  }
  Result<OrgUnitLevel> named = parse_level(text);
  if (!named) return Status::invalid_input("ou: LEVEL-" + std::string(text) + ": " + named.status().message());
  return *named;
}

Result<std::vector<std::string>> org_unit_items(const std::vector<std::string>& items, const Dhis2RequestContext& context,
                                                Date day) {
  const OrgUnitIndex& units = *context.units;
  std::vector<std::string> boundaries;
  std::vector<OrgUnitLevel> levels;
  auto children_of = [&](const std::vector<std::string>& codes) {
    std::vector<std::string> out;
    for (const std::string& code : codes) {
      for (const OrgUnitVersion* child : units.children(code, day)) out.push_back(child->code);
    }
    return out;
  };
  for (const std::string& item : items) {
    if (item == "USER_ORGUNIT") {
      boundaries.insert(boundaries.end(), context.user_units.begin(), context.user_units.end());
    } else if (item == "USER_ORGUNIT_CHILDREN") {
      for (std::string& code : children_of(context.user_units)) boundaries.push_back(std::move(code));
    } else if (item == "USER_ORGUNIT_GRANDCHILDREN") {
      for (std::string& code : children_of(children_of(context.user_units))) boundaries.push_back(std::move(code));
    } else if (item.starts_with("LEVEL-")) {
      Result<OrgUnitLevel> level = level_of(std::string_view(item).substr(6));
      if (!level) return level.status();
      levels.push_back(*level);
    } else if (item.starts_with("OU_GROUP-")) {
      return Status::invalid_input("ou: " + quoted(item) + ": qpan không có nhóm đơn vị (org unit groups are not kept)");
    } else {
      boundaries.push_back(item);
    }
  }
  if (levels.empty()) return boundaries;
  if (boundaries.empty()) boundaries = context.user_units;
  std::vector<std::string> out;
  for (OrgUnitLevel level : levels) {
    for (const std::string& b : boundaries) add_units_at_level(units, b, level, day, out);
  }
  if (out.empty()) {
    return Status::not_found("ou: không có đơn vị nào ở cấp đã hỏi (no unit at the level asked under " +
                             quoted(boundaries.front()) + " on " + format_date(day) + ")");
  }
  return out;
}

// The periods of a filter answered as one: they must follow one another.
Result<Dhis2Period> merged_filter_period(std::vector<Dhis2Period> periods) {
  if (periods.size() == 1) return periods.front();
  std::sort(periods.begin(), periods.end(), [](const Dhis2Period& a, const Dhis2Period& b) {
    return a.period.first_month() < b.period.first_month();
  });
  for (size_t k = 1; k < periods.size(); ++k) {
    if (periods[k].period.first_month() != periods[k - 1].period.last_month() + 1) {
      return Status::invalid_input("filter: pe: " + quoted(periods[k - 1].code) + " và " + quoted(periods[k].code) +
                                   " không liền nhau (the periods of a filter must follow one another: they are "
                                   "answered as one range)");
    }
  }
  const Period range = Period::month_range(periods.front().period.first_month(), periods.back().period.last_month());
  return Dhis2Period{range, range.code()};
}

}  // namespace

Result<Dhis2AnalyticsRequest> read_dhis2_analytics_request(const QueryParameters& parameters,
                                                           const Dhis2RequestContext& context) {
  Result<std::vector<DimensionSpec>> specs = dimension_specs(parameters);
  if (!specs) return specs.status();
  Dhis2AnalyticsRequest request;
  AnalyticsLayout& layout = request.layout;

  // Options that change what is answered, refused rather than ignored.
  for (std::string_view refused : {"tableLayout", "includeNumDen", "showHierarchy"}) {
    Result<bool> on = flag(parameters, refused);
    if (!on) return on.status();
    if (*on) {
      return Status::invalid_input(std::string(refused) +
                                   ": không được hỗ trợ (not supported by qpan: ask without it; rows come as "
                                   "dx/ou/pe columns in the order of the dimensions)");
    }
  }
  for (std::string_view refused : {"aggregationType", "approvalLevel", "userOrgUnit"}) {
    if (!parameters(refused).empty()) {
      return Status::invalid_input(std::string(refused) + ": không được hỗ trợ (not supported by qpan: each element "
                                                          "aggregates as its pack defines)");
    }
  }

  Date today = context.today;
  Result<std::optional<std::string>> relative_date = single(parameters, "relativePeriodDate");
  if (!relative_date) return relative_date.status();
  if (*relative_date) {
    Result<Date> d = date_parameter("relativePeriodDate", **relative_date);
    if (!d) return d.status();
    today = *d;
  }
  Result<std::optional<std::string>> structure_at = single(parameters, "structureAt");
  if (!structure_at) return structure_at.status();
  if (*structure_at && !(*structure_at)->empty()) {
    Result<Date> d = date_parameter("structureAt", **structure_at);
    if (!d) return d.status();
    request.query.structure_at = *d;
  }

  // Periods first: the units' structure is that of the latest day asked.
  const DimensionSpec* pe_spec = nullptr;
  for (const DimensionSpec& d : *specs) {
    if (d.name == "pe") pe_spec = &d;
  }
  Result<std::optional<std::string>> start = single(parameters, "startDate");
  Result<std::optional<std::string>> end = single(parameters, "endDate");
  if (!start) return start.status();
  if (!end) return end.status();
  std::vector<Dhis2Period> periods;
  if (*start || *end) {
    if (pe_spec != nullptr) return Status::invalid_input("startDate: give either pe or startDate and endDate, not both");
    if (!*start || !*end) return Status::invalid_input(std::string(*start ? "endDate" : "startDate") + ": missing");
    Result<Date> first = date_parameter("startDate", **start);
    Result<Date> last = date_parameter("endDate", **end);
    if (!first) return first.status();
    if (!last) return last.status();
    if (first->day() != std::chrono::day{1} || add_days(*last, 1).day() != std::chrono::day{1} || *last < *first) {
      return Status::invalid_input("startDate: số liệu theo tháng — từ ngày đầu tháng đến ngày cuối tháng (qpan's "
                                   "figures are monthly: startDate must be the first day of a month and endDate the "
                                   "last day of a month at or after it)");
    }
    const Period range = Period::month_range(month_index(static_cast<int>(first->year()), static_cast<unsigned>(first->month())),
                                             month_index(static_cast<int>(last->year()), static_cast<unsigned>(last->month())));
    periods.push_back({range, range.code()});
  } else if (pe_spec == nullptr) {
    return Status::invalid_input("pe: hãy nêu kỳ (give the periods: dimension=pe:… or filter=pe:…, or startDate "
                                 "and endDate)");
  } else {
    for (const std::string& item : pe_spec->items) {
      Result<std::vector<Dhis2Period>> resolved = resolve_dhis2_period(item, today);
      if (!resolved) return resolved.status();
      for (Dhis2Period& p : *resolved) {
        const bool seen = std::any_of(periods.begin(), periods.end(), [&](const Dhis2Period& q) { return q.period == p.period; });
        if (!seen) periods.push_back(std::move(p));
      }
    }
    if (pe_spec->filter) {
      Result<Dhis2Period> merged = merged_filter_period(std::move(periods));
      if (!merged) return merged.status();
      periods = {std::move(*merged)};
    }
  }
  Date latest = periods.front().period.dates().last;
  for (const Dhis2Period& p : periods) {
    request.query.pe.push_back(p.period);
    layout.period_codes.push_back(p.code);
    latest = std::max(latest, p.period.dates().last);
  }
  const Date structure_day = request.query.structure_at.value_or(latest);

  bool has_dx = false, has_ou = false;
  for (const DimensionSpec& d : *specs) {
    if (d.name == "dx") {
      has_dx = true;
      if (d.filter && d.items.size() > 1) {
        return Status::invalid_input("filter: dx: chỉ một chỉ tiêu trong bộ lọc (one data item in a filter: qpan "
                                     "does not add different items together)");
      }
      request.query.dx = d.items;
    } else if (d.name == "ou") {
      has_ou = true;
      Result<std::vector<std::string>> codes = org_unit_items(d.items, context, structure_day);
      if (!codes) return codes.status();
      if (d.filter && codes->size() > 1) {
        return Status::invalid_input("filter: ou: chỉ một đơn vị trong bộ lọc (one org unit in a filter: ask its "
                                     "parent for the sum of several)");
      }
      request.query.ou = std::move(*codes);
    }
  }
  if (!has_dx) return Status::invalid_input("dx: hãy nêu chỉ tiêu (give at least one data item: dimension=dx:…)");
  if (!has_ou) request.query.ou = context.user_units;
  if (request.query.ou.empty()) return Status::invalid_input("ou: hãy nêu đơn vị (give at least one org unit)");
  if (request.query.ou.size() > 1 && !has_ou) {
    return Status::invalid_input("ou: hãy nêu đơn vị (give the org unit: the account has several)");
  }

  layout.columns.clear();
  for (const DimensionSpec& d : *specs) {
    if (d.filter) continue;
    layout.columns.push_back(d.name == "dx" ? Dimension::kDx : d.name == "ou" ? Dimension::kOu : Dimension::kPe);
  }

  // Layout options.
  struct FlagOption {
    std::string_view name;
    bool* target;
  };
  for (const FlagOption& f : {FlagOption{"skipMeta", &layout.skip_meta}, FlagOption{"skipData", &layout.skip_data},
                              FlagOption{"hierarchyMeta", &layout.hierarchy_meta}}) {
    Result<bool> on = flag(parameters, f.name);
    if (!on) return on.status();
    *f.target = *on;
  }
  Result<std::optional<std::string>> display = single(parameters, "displayProperty");
  if (!display) return display.status();
  if (*display && **display != "NAME" && **display != "SHORTNAME") {
    return Status::invalid_input("displayProperty: expected NAME or SHORTNAME, not " + quoted(**display));
  }
  Result<std::optional<std::string>> scheme = single(parameters, "outputIdScheme");
  if (!scheme) return scheme.status();
  if (*scheme) {
    if (**scheme == "NAME") {
      layout.names_as_ids = true;
    } else if (**scheme != "UID" && **scheme != "ID" && **scheme != "CODE") {
      return Status::invalid_input("outputIdScheme: expected UID, CODE or NAME (qpan's ids are its codes), not " +
                                   quoted(**scheme));
    }
  }
  for (std::string_view name : {"locale", "language"}) {
    Result<std::optional<std::string>> locale = single(parameters, name);
    if (!locale) return locale.status();
    if (*locale) layout.english = (*locale)->starts_with("en");
  }
  Result<std::optional<std::string>> criteria = single(parameters, "measureCriteria");
  if (!criteria) return criteria.status();
  if (*criteria) {
    Result<std::vector<MeasureCriterion>> parsed = measure_criteria(**criteria);
    if (!parsed) return parsed.status();
    request.measure_criteria = std::move(*parsed);
  }
  return request;
}

}  // namespace qpan
