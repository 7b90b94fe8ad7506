// DHIS2's metadata vocabulary (see qpan/dhis2.h): the names of qpan's types in DHIS2's
// terms, and metadata lists filtered, projected and paged as DHIS2's /api/{resource} does.
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <optional>

#include "qpan/dhis2.h"
#include "qpan/number_format.h"
#include "qpan/text.h"

namespace qpan {
namespace {

namespace json = boost::json;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

constexpr std::string_view kOperators[] = {"eq",  "!eq", "ne",    "like", "!like", "ilike", "!ilike", "$like", "like$",
                                           "in",  "!in", "gt",    "ge",   "lt",    "le",    "null",   "!null", "token"};

// A property's value as text for comparing (numbers in their shortest form, booleans as
// true/false); nullopt when absent or null.
std::optional<std::string> property_text(const json::object& object, std::string_view property) {
  const json::object* at = &object;
  std::string_view rest = property;
  while (true) {
    const size_t dot = rest.find('.');
    const json::value* v = at->if_contains(rest.substr(0, dot));
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (dot != std::string_view::npos) {
      if (!v->is_object()) return std::nullopt;
      at = &v->as_object();
      rest.remove_prefix(dot + 1);
      continue;
    }
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_bool()) return v->as_bool() ? "true" : "false";
    if (v->is_int64()) return std::to_string(v->as_int64());
    if (v->is_uint64()) return std::to_string(v->as_uint64());
    if (v->is_double()) return format_number_machine(v->as_double());
    return json::serialize(*v);
  }
}

std::optional<double> number_of(std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::vector<std::string> in_list(std::string_view value) {
  if (value.size() >= 2 && value.front() == '[' && value.back() == ']') value = value.substr(1, value.size() - 2);
  return split_list(value);
}

bool holds(const Dhis2MetadataQuery::Filter& f, const json::object& object) {
  const std::optional<std::string> text = property_text(object, f.property);
  if (f.op == "null") return !text;
  if (f.op == "!null") return text.has_value();
  if (!text) return f.op.front() == '!' || f.op == "ne";
  if (f.op == "eq") return *text == f.value;
  if (f.op == "!eq" || f.op == "ne") return *text != f.value;
  if (f.op == "like" || f.op == "!like") return (text->find(f.value) != std::string::npos) == (f.op == "like");
  if (f.op == "ilike" || f.op == "!ilike" || f.op == "token") {
    return (search_key(*text).find(search_key(f.value)) != std::string::npos) == (f.op != "!ilike");
  }
  if (f.op == "$like") return text->starts_with(f.value);
  if (f.op == "like$") return text->ends_with(f.value);
  if (f.op == "in" || f.op == "!in") {
    const std::vector<std::string> items = in_list(f.value);
    return (std::find(items.begin(), items.end(), *text) != items.end()) == (f.op == "in");
  }
  // gt, ge, lt, le: numbers when both are, else text order (dates in ISO form).
  const std::optional<double> a = number_of(*text), b = number_of(f.value);
  const int order = a && b ? (*a < *b ? -1 : *a > *b ? 1 : 0) : text->compare(f.value) < 0 ? -1 : text->compare(f.value) > 0;
  if (f.op == "gt") return order > 0;
  if (f.op == "ge") return order >= 0;
  if (f.op == "lt") return order < 0;
  return order <= 0;  // le
}

// "id,name,parent[id,name],children[id]" → "id", "name", "parent", "children".
std::vector<std::string> top_level_fields(std::string_view text) {
  std::vector<std::string> out;
  int depth = 0;
  std::string current;
  for (char c : text) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ',' && depth == 0) {
      if (!current.empty()) out.push_back(current);
      current.clear();
      continue;
    }
    if (depth == 0 && c != ']') current += c;
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

Result<int64_t> positive(std::string_view name, const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1) {
    return Status::invalid_input(std::string(name) + ": expected a whole number from 1, not " + quoted(text));
  }
  return v;
}

}  // namespace

std::string_view dhis2_value_type(ValueType type) {
  switch (type) {
    case ValueType::kCount: return "INTEGER_ZERO_OR_POSITIVE";
    case ValueType::kInteger: return "INTEGER";
    case ValueType::kNumber: return "NUMBER";
    case ValueType::kPercentage: return "PERCENTAGE";
    case ValueType::kAmountVnd:
    case ValueType::kAmountUsd: return "NUMBER";
    case ValueType::kBoolean: return "BOOLEAN";
    case ValueType::kText: return "TEXT";
  }
  return "TEXT";
}

std::string_view dhis2_aggregation_type(AggregationType type) {
  switch (type) {
    case AggregationType::kSum: return "SUM";
    case AggregationType::kLast: return "LAST";
    case AggregationType::kAverage: return "AVERAGE";
    case AggregationType::kCountTrue: return "COUNT";
    case AggregationType::kMin: return "MIN";
    case AggregationType::kMax: return "MAX";
    case AggregationType::kNone: return "NONE";
  }
  return "NONE";
}

std::string_view dhis2_period_type(PeriodType type) {
  switch (type) {
    case PeriodType::kDay: return "Daily";
    case PeriodType::kMonth: return "Monthly";
    case PeriodType::kQuarter: return "Quarterly";
    case PeriodType::kSixMonth: return "SixMonthly";
    case PeriodType::kYear: return "Yearly";
    case PeriodType::kFiveYear:
    case PeriodType::kMonthRange: return "";
  }
  return "";
}

json::array dhis2_period_types() {
  struct Type {
    std::string_view name, iso_duration, iso_format;
    int frequency_order;
  };
  // What qpan answers (resolve_dhis2_period): months and what months make up.
  constexpr Type types[] = {{"Monthly", "P1M", "yyyyMM", 30},          {"BiMonthly", "P2M", "yyyyMMB", 61},
                            {"Quarterly", "P3M", "yyyyQn", 91},        {"SixMonthly", "P6M", "yyyySn", 182},
                            {"Yearly", "P1Y", "yyyy", 365},            {"FinancialApril", "P1Y", "yyyyApril", 365},
                            {"FinancialJuly", "P1Y", "yyyyJuly", 365}, {"FinancialOct", "P1Y", "yyyyOct", 365},
                            {"FinancialNov", "P1Y", "yyyyNov", 365}};
  json::array out;
  for (const Type& t : types) {
    out.emplace_back(json::object{{"name", t.name}, {"isoDuration", t.iso_duration}, {"isoFormat", t.iso_format},
                                  {"frequencyOrder", t.frequency_order}});
  }
  return out;
}

Result<Dhis2MetadataQuery> read_dhis2_metadata_query(const QueryParameters& parameters) {
  Dhis2MetadataQuery q;
  for (const std::string& filter : parameters("filter")) {
    const size_t first = filter.find(':');
    if (first == std::string::npos || first == 0) {
      return Status::invalid_input("filter: " + quoted(filter) + ": expected property:operator:value");
    }
    const size_t second = filter.find(':', first + 1);
    Dhis2MetadataQuery::Filter f{filter.substr(0, first), filter.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1),
                                 second == std::string::npos ? std::string() : filter.substr(second + 1)};
    if (std::find(std::begin(kOperators), std::end(kOperators), f.op) == std::end(kOperators)) {
      return Status::invalid_input("filter: " + quoted(filter) + ": unknown operator " + quoted(f.op) +
                                   " (eq, !eq, like, ilike, in, gt, ge, lt, le, null, !null, …)");
    }
    if (second == std::string::npos && f.op != "null" && f.op != "!null") {
      return Status::invalid_input("filter: " + quoted(filter) + ": operator " + f.op + " needs a value");
    }
    q.filters.push_back(std::move(f));
  }
  for (const std::string& junction : parameters("rootJunction")) {
    if (junction != "AND" && junction != "OR") return Status::invalid_input("rootJunction: expected AND or OR");
    q.any_filter = junction == "OR";
  }
  const std::vector<std::string> fields = parameters("fields");
  if (fields.empty()) {
    q.fields = {"id", "displayName"};
  } else {
    for (const std::string& f : fields) {
      for (std::string& name : top_level_fields(f)) q.fields.push_back(std::move(name));
    }
    const bool all = std::any_of(q.fields.begin(), q.fields.end(), [](const std::string& f) {
      return f == "*" || f == ":all" || f == ":owner" || f == ":identifiable" || f == ":nameable";
    });
    if (all) q.fields.clear();
  }
  for (const std::string& paging : parameters("paging")) {
    if (paging != "true" && paging != "false") return Status::invalid_input("paging: expected true or false");
    q.paging = paging == "true";
  }
  for (const std::string& page : parameters("page")) {
    Result<int64_t> v = positive("page", page);
    if (!v) return v.status();
    q.page = *v;
  }
  for (const std::string& size : parameters("pageSize")) {
    Result<int64_t> v = positive("pageSize", size);
    if (!v) return v.status();
    q.page_size = std::min<int64_t>(*v, 100000);
  }
  return q;
}

json::object dhis2_metadata_list(std::string_view resource, const std::vector<json::object>& objects,
                                  const Dhis2MetadataQuery& query) {
  std::vector<const json::object*> kept;
  for (const json::object& o : objects) {
    auto check = [&](const Dhis2MetadataQuery::Filter& f) { return holds(f, o); };
    const bool ok = query.filters.empty() ||
                    (query.any_filter ? std::any_of(query.filters.begin(), query.filters.end(), check)
                                      : std::all_of(query.filters.begin(), query.filters.end(), check));
    if (ok) kept.push_back(&o);
  }
  const auto total = static_cast<int64_t>(kept.size());
  size_t first = 0, last = kept.size();
  if (query.paging) {
    first = static_cast<size_t>(std::min<int64_t>(total, (query.page - 1) * query.page_size));
    last = static_cast<size_t>(std::min<int64_t>(total, static_cast<int64_t>(first) + query.page_size));
  }
  json::array items;
  for (size_t i = first; i < last; ++i) {
    if (query.fields.empty()) {
      items.emplace_back(*kept[i]);
      continue;
    }
    json::object projected;
    for (const std::string& f : query.fields) {
      if (const json::value* v = kept[i]->if_contains(f)) projected[f] = *v;
    }
    items.emplace_back(std::move(projected));
  }
  json::object out;
  if (query.paging) {
    out["pager"] = json::object{{"page", query.page},
                                {"pageCount", total == 0 ? 1 : (total + query.page_size - 1) / query.page_size},
                                {"total", total},
                                {"pageSize", query.page_size}};
  }
  out[resource] = std::move(items);
  return out;
}

}  // namespace qpan
