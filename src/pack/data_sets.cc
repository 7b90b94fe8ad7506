// Data sets as the store keeps them (loaded with the pack), read back into the model.
#include <boost/json.hpp>

#include "qpan/pack.h"
#include "qpan/store.h"

namespace qpan {
namespace {

namespace json = boost::json;

std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The data set as the pack reader checked it when the pack was loaded.
Result<DataSet> data_set_from_json(const PackDefinition& d) {
  const Status unreadable = Status::internal("data set " + d.code + ": stored definition is unreadable");
  boost::system::error_code ec;
  json::value v = json::parse(d.json, ec);
  if (ec || !v.is_object()) return unreadable;
  const json::object& o = v.as_object();
  DataSet set;
  set.code = d.code;
  set.name_vi = string_field(o, "name_vi");
  set.name_en = string_field(o, "name_en");
  Result<PeriodType> type = parse_period_type(string_field(o, "period_type"));
  Result<OrgUnitLevel> level = parse_level(string_field(o, "level"));
  if (!type || !level) return unreadable;
  set.period_type = *type;
  set.level = *level;
  const std::string calendar = string_field(o, "calendar");
  if (calendar == "cutoff") set.calendar = Calendar::kCutoff;
  else if (calendar.empty() || calendar == "gregorian") set.calendar = Calendar::kGregorian;
  else return unreadable;
  if (const json::value* days = o.if_contains("deadline_days"); days != nullptr) {
    if (!days->is_int64()) return unreadable;
    set.deadline_days = static_cast<int>(days->as_int64());
  }
  if (const json::value* approval = o.if_contains("approval"); approval != nullptr && approval->is_array()) {
    for (const json::value& a : approval->as_array()) {
      Result<OrgUnitLevel> l = a.is_string() ? parse_level(a.as_string()) : Result<OrgUnitLevel>(unreadable);
      if (!l) return unreadable;
      set.approval.push_back(*l);
    }
  }
  if (const json::value* elements = o.if_contains("elements"); elements != nullptr && elements->is_array()) {
    for (const json::value& e : elements->as_array()) {
      if (e.is_string()) set.elements.emplace_back(e.as_string());
    }
  }
  return set;
}

}  // namespace

Result<std::vector<DataSet>> load_data_sets(Store& store) {
  Result<std::vector<PackDefinition>> stored = store.pack_definitions("data_sets");
  if (!stored) return stored.status();
  std::vector<DataSet> out;
  out.reserve(stored->size());
  for (const PackDefinition& d : *stored) {
    Result<DataSet> set = data_set_from_json(d);
    if (!set) return set.status();
    out.push_back(std::move(*set));
  }
  return out;
}

}  // namespace qpan
