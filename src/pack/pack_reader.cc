// Pack files and stored definitions → the typed Pack, with file (or stored definition) and
// JSON path on every problem (see pack_reader.h).
#include "pack/pack_reader.h"

#include <algorithm>
#include <type_traits>

#include "qpan/registry.h"
#include "qpan/text.h"

namespace qpan::pack_reader {
namespace json = boost::json;

// Reads the fields of one JSON object, reporting missing, mistyped and unknown keys: the one
// JSON field reader of definitions.
class Fields {
 public:
  // Keys outside `allowed` and `also_allowed` are problems (a typo must not pass silently).
  Fields(const json::value& v, std::string path, const std::string& file, ImportProblems& problems,
         std::initializer_list<std::string_view> allowed, std::initializer_list<std::string_view> also_allowed = {})
      : path_(std::move(path)), file_(file), problems_(problems) {
    obj_ = v.if_object();
    if (obj_ == nullptr) {
      fail(path_, "expected an object");
      return;
    }
    auto listed = [](std::initializer_list<std::string_view> keys, std::string_view key) {
      return std::find(keys.begin(), keys.end(), key) != keys.end();
    };
    for (const auto& [key, value] : *obj_) {
      if (!listed(allowed, key) && !listed(also_allowed, key)) fail(path_ + "." + std::string(key), "unknown key");
    }
  }

  bool is_object() const { return obj_ != nullptr; }
  bool ok() const { return ok_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  std::string at(std::string_view key) const { return path_ + "." + std::string(key); }

  void fail(const std::string& path, std::string reason) {
    ok_ = false;
    problems_.add({file_, 0, 0, path, std::move(reason)});
  }

  std::string text(std::string_view key, bool required = true) {
    const json::value* v = find(key, required);
    if (v == nullptr) return {};
    const json::string* s = v->if_string();
    if (s == nullptr) {
      fail(at(key), "expected a string");
      return {};
    }
    if (s->empty() && required) fail(at(key), "must not be empty");
    return to_nfc(std::string_view(s->data(), s->size()));
  }

  std::optional<int64_t> integer(std::string_view key, bool required = true) {
    const json::value* v = find(key, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_int64() && !v->is_uint64()) {
      fail(at(key), "expected a whole number");
      return std::nullopt;
    }
    return v->is_int64() ? v->as_int64() : static_cast<int64_t>(v->as_uint64());
  }

  std::optional<bool> boolean(std::string_view key, bool required = true) {
    const json::value* v = find(key, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_bool()) {
      fail(at(key), "expected true or false");
      return std::nullopt;
    }
    return v->as_bool();
  }

  const json::array* array(std::string_view key, bool required = true, bool non_empty = false) {
    const json::value* v = find(key, required);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      fail(at(key), "expected an array");
      return nullptr;
    }
    if (non_empty && v->as_array().empty()) fail(at(key), "must not be empty");
    return &v->as_array();
  }

  const json::value* value(std::string_view key, bool required = true) { return find(key, required); }

  // A list of strings (codes).
  std::vector<std::string> strings(std::string_view key, bool required = true, bool non_empty = false) {
    std::vector<std::string> out;
    const json::array* arr = array(key, required, non_empty);
    if (arr == nullptr) return out;
    for (size_t i = 0; i < arr->size(); ++i) {
      const json::string* s = (*arr)[i].if_string();
      if (s == nullptr) {
        fail(at(key) + "[" + std::to_string(i) + "]", "expected a string");
        continue;
      }
      out.emplace_back(s->data(), s->size());
    }
    return out;
  }

 private:
  const json::value* find(std::string_view key, bool required) {
    if (obj_ == nullptr) return nullptr;
    const json::value* v = obj_->if_contains(key);
    if (v == nullptr && required) fail(at(key), "missing");
    return v;
  }

  const json::object* obj_ = nullptr;
  std::string path_;
  const std::string& file_;
  ImportProblems& problems_;
  bool ok_ = true;
};

namespace {

// The fields every definition has (see DefinitionNames), into a definition or a catalogue
// entry; a description is checked even where the entry keeps none (disaggregations).
template <typename Named>
void read_names(Fields& f, Named& named) {
  named.code = f.text("code");
  named.name_vi = f.text("name_vi");
  named.name_en = f.text("name_en");
  std::string description = f.text("description", false);
  if constexpr (requires { named.description; }) named.description = std::move(description);
}

std::string item_path(const std::string& base, size_t index) { return base + "[" + std::to_string(index) + "]"; }

bool is_version(std::string_view v) {
  int parts = 0;
  size_t i = 0;
  while (i < v.size()) {
    size_t start = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    if (i == start) return false;
    ++parts;
    if (i < v.size()) {
      if (v[i] != '.') return false;
      ++i;
      if (i == v.size()) return false;
    }
  }
  return parts == 3;
}

const std::set<std::string_view> kOperators = {"<", "<=", "==", "!=", ">=", ">"};
const std::set<std::string_view> kImportance = {"high", "medium", "low"};

}  // namespace

const std::set<std::string> kSections = {"disaggregations", "elements",        "data_sets",
                                         "indicators",      "validation_rules", "evaluation_sets",
                                         "registries",      "report_templates", "areas"};
// "sources" are the elements' `source` objects, kept apart from the catalogue's columns.
const std::vector<std::string> kDefinitionKinds = {"data_sets",       "indicators", "validation_rules",
                                                   "evaluation_sets", "registries", "report_templates",
                                                   "areas",           "sources"};

bool is_valid_code(std::string_view code) {
  if (code.empty() || code.front() == '.' || code.back() == '.') return false;
  char previous = 0;
  for (char c : code) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!word && c != '.') return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

std::vector<std::string> expression_references(std::string_view expression) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = expression.find("#{", pos)) != std::string_view::npos) {
    size_t end = expression.find('}', pos + 2);
    if (end == std::string_view::npos) {
      out.emplace_back(expression.substr(pos + 2));
      break;
    }
    out.emplace_back(expression.substr(pos + 2, end - pos - 2));
    pos = end + 1;
  }
  return out;
}

void PackReader::problem(const std::string& file, std::string path, std::string reason) {
  problems_.add({file, 0, 0, std::move(path), std::move(reason)});
}

bool PackReader::claim_code(const std::string& section, const std::string& code,
                            const std::string& file, const std::string& path) {
  if (code.empty()) return false;  // already reported as missing or empty
  if (!is_valid_code(code)) {
    problem(file, path + ".code",
            "\"" + code + "\" is not a valid code (lower-case letters, digits and _ joined by dots)");
    return false;
  }
  auto [it, inserted] = codes_[section].emplace(code, Where{file, path});
  if (!inserted) {
    problem(file, path + ".code",
            "duplicate code \"" + code + "\" (first declared in " + it->second.file + " at " +
                it->second.path + ")");
    return false;
  }
  return true;
}

std::optional<json::value> PackReader::parse(const std::string& label, std::string_view text) {
  if (size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    int64_t line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n');
    problems_.add({label, line, 0, "", "invalid UTF-8"});
    return std::nullopt;
  }
  json::stream_parser parser;
  boost::system::error_code ec;
  size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    size_t offset = std::min(consumed, text.size());
    int64_t line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n');
    size_t line_start = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
    int column = static_cast<int>(offset - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
    problems_.add({label, line, column, "", "invalid JSON: " + ec.message()});
    return std::nullopt;
  }
  return parser.release();
}

void PackReader::read_file(const std::string& label, std::string_view text,
                           const std::set<std::string>& allowed) {
  std::optional<json::value> root = parse(label, text);
  if (!root) return;
  const json::object* obj = root->if_object();
  if (obj == nullptr) {
    problem(label, "$", "expected an object whose keys are sections");
    return;
  }
  for (const auto& [key, value] : *obj) {
    const std::string name(key);
    if (allowed.count(name) == 0) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      problem(label, "$." + name, "unknown section (expected " + list + ")");
      continue;
    }
    if (name == "pack") {
      read_info(label, value);
    } else {
      read_section(label, name, value);
    }
  }
}

void PackReader::start_from(const Catalogue& catalogue) {
  disaggregations_ = catalogue.disaggregations();
  elements_ = catalogue.elements();
}

void PackReader::read_stored_definition(const PackDefinition& definition) {
  const std::string label = "stored " + definition.kind + " \"" + definition.code + "\"";
  if (std::find(kDefinitionKinds.begin(), kDefinitionKinds.end(), definition.kind) == kDefinitionKinds.end()) {
    problem(label, "", "unknown kind of definition");
    return;
  }
  std::optional<json::value> root = parse(label, definition.json);
  if (!root) return;
  // The row's code is the one everything else refers to; the text must agree with it.
  const json::object* obj = root->if_object();
  const json::value* code = obj == nullptr ? nullptr : obj->if_contains("code");
  if (code != nullptr && code->is_string() && code->as_string() != definition.code) {
    problem(label, "$.code", "\"" + std::string(code->as_string()) + "\" is not the code it is stored under");
    return;
  }
  reading_stored_ = true;
  read_item(label, definition.kind, "$", *root);
  reading_stored_ = false;
}

void PackReader::read_info(const std::string& file, const json::value& value) {
  Fields f(value, "$.pack", file, problems_, {"code", "version", "name_vi", "name_en", "description"});
  if (!f.is_object()) return;
  read_names(f, pack_.info);
  pack_.info.version = f.text("version");
  const PackInfo& info = pack_.info;
  if (!info.code.empty() && !is_valid_code(info.code) && info.code.find('-') == std::string::npos) {
    f.fail(f.at("code"), "not a valid pack code");
  }
  if (!info.version.empty() && !is_version(info.version)) {
    f.fail(f.at("version"), "\"" + info.version + "\" is not MAJOR.MINOR.PATCH (e.g. 1.2.0)");
  }
  has_info_ = true;
}

void PackReader::read_section(const std::string& file, const std::string& name, const json::value& value) {
  const std::string base = "$." + name;
  const json::array* arr = value.if_array();
  if (arr == nullptr) {
    problem(file, base, "expected an array");
    return;
  }
  for (size_t i = 0; i < arr->size(); ++i) read_item(file, name, item_path(base, i), (*arr)[i]);
}

void PackReader::read_item(const std::string& file, const std::string& kind, const std::string& path,
                           const json::value& v) {
  if (kind == "disaggregations") read_disaggregation(file, path, v);
  else if (kind == "elements") read_element(file, path, v);
  else if (kind == "data_sets") {
    read_definition(kind, pack_.data_sets, file, path, v,
                    {"period_type", "calendar", "level", "deadline_days", "approval", "elements"},
                    &PackReader::read_data_set);
  } else if (kind == "indicators") {
    read_definition(kind, pack_.indicators, file, path, v, {"expression", "decimals", "unit"},
                    &PackReader::read_indicator);
  } else if (kind == "validation_rules") {
    read_definition(kind, pack_.validation_rules, file, path, v, {"left", "operator", "right", "importance"},
                    &PackReader::read_rule);
  } else if (kind == "evaluation_sets") {
    read_definition(kind, pack_.evaluation_sets, file, path, v, {"levels", "period_type", "versions"},
                    &PackReader::read_evaluation_set);
  } else if (kind == "registries") {
    read_definition(kind, pack_.registries, file, path, v, {"fields", "lifecycle"}, &PackReader::read_registry);
  } else if (kind == "report_templates") {
    read_definition(kind, pack_.report_templates, file, path, v, {"file", "text"}, &PackReader::read_report_template);
  } else if (kind == "areas") {
    read_definition(kind, pack_.areas, file, path, v, {}, &PackReader::read_area);
  } else if (kind == "sources") {
    // Only stored: {"code": element, "source": {…}} as read_element() keeps it.
    Fields f(v, path, file, problems_, {"code", "source"});
    if (!f.is_object()) return;
    const std::string element = f.text("code");
    const json::value* source = f.value("source");
    if (source != nullptr && read_source(file, f.at("source"), *source, element)) {
      pack_.definitions.push_back({kind, element, json::serialize(v)});
    }
  }
}

template <typename Definition>
void PackReader::read_definition(const std::string& kind, std::vector<Definition>& list, const std::string& file,
                                 const std::string& path, const json::value& v,
                                 std::initializer_list<std::string_view> keys,
                                 void (PackReader::*read_rest)(Fields&, Definition&)) {
  Fields f(v, path, file, problems_, {"code", "name_vi", "name_en", "description"}, keys);
  if (!f.is_object()) return;
  Definition definition;
  read_names(f, definition);
  const bool claimed = claim_code(kind, definition.code, file, path);
  (this->*read_rest)(f, definition);
  if (!claimed) return;
  if constexpr (std::is_same_v<Definition, ReportTemplate>) {
    // The store keeps the template's text with its definition: a database needs no pack folder.
    if (v.is_object() && !v.as_object().contains("text")) {
      json::object stored = v.as_object();
      stored["text"] = definition.text;
      pack_.definitions.push_back({kind, definition.code, json::serialize(stored)});
      list.push_back(std::move(definition));
      return;
    }
  }
  pack_.definitions.push_back({kind, definition.code, json::serialize(v)});
  list.push_back(std::move(definition));
}

size_t PackReader::expect_expression(std::string text, const std::string& file, std::string path,
                                     std::optional<ExpressionType> type) {
  expressions_.push_back({std::move(text), {file, std::move(path)}, type});
  return expressions_.size() - 1;
}

void PackReader::read_disaggregation(const std::string& file, const std::string& path, const json::value& v) {
  Fields f(v, path, file, problems_, {"code", "name_vi", "name_en", "options", "description"});
  if (!f.is_object()) return;
  Disaggregation d;
  read_names(f, d);
  bool claimed = claim_code("disaggregations", d.code, file, path);
  std::set<std::string> option_codes;
  if (const json::array* opts = f.array("options", true)) {
    if (opts->empty()) f.fail(f.at("options"), "a disaggregation needs at least one option");
    for (size_t k = 0; k < opts->size(); ++k) {
      Fields o(opts->at(k), item_path(f.at("options"), k), file, problems_, {"code", "name_vi", "name_en"});
      if (!o.is_object()) continue;
      DisaggregationOption option;
      read_names(o, option);
      if (option.code.find('.') != std::string::npos) {
        // Catalogue::resolve reads #{element.option} by splitting at the last dot.
        o.fail(o.at("code"), "\"" + option.code + "\" is not a valid option code: an option code has no dot "
                             "(a reference #{element.option} splits at its last dot)");
      } else if (!option.code.empty() && !is_valid_code(option.code)) {
        o.fail(o.at("code"), "\"" + option.code + "\" is not a valid code");
      } else if (!option.code.empty() && !option_codes.insert(option.code).second) {
        o.fail(o.at("code"), "duplicate option code \"" + option.code + "\"");
      }
      d.options.push_back(std::move(option));
    }
  }
  if (claimed) disaggregations_.push_back(std::move(d));
}

void PackReader::read_element(const std::string& file, const std::string& path, const json::value& v) {
  Fields f(v, path, file, problems_, {"code", "name_vi", "name_en", "value_type", "aggregation",
                                      "disaggregation", "area", "source", "description"});
  if (!f.is_object()) return;
  DataElement e;
  read_names(f, e);
  e.disaggregation = f.text("disaggregation", false);
  e.area = f.text("area", false);
  bool claimed = claim_code("elements", e.code, file, path);
  if (std::string type = f.text("value_type"); !type.empty()) {
    Result<ValueType> t = parse_value_type(type);
    if (t) e.value_type = *t; else f.fail(f.at("value_type"), t.status().message());
  }
  if (std::string agg = f.text("aggregation"); !agg.empty()) {
    Result<AggregationType> a = parse_aggregation(agg);
    if (a) e.aggregation = *a; else f.fail(f.at("aggregation"), a.status().message());
  }
  if (e.value_type == ValueType::kText && e.aggregation != AggregationType::kNone) {
    f.fail(f.at("aggregation"), "a text element cannot aggregate: use \"none\"");
  }
  if (e.aggregation == AggregationType::kCountTrue && e.value_type != ValueType::kBoolean) {
    f.fail(f.at("aggregation"), "count_true needs a boolean element");
  }
  if (!e.area.empty()) area_refs_.push_back({e.area, {file, f.at("area")}});
  if (!e.disaggregation.empty()) disaggregation_refs_.push_back({e.disaggregation, {file, f.at("disaggregation")}});
  if (const json::value* source = f.value("source", false); source != nullptr && claimed) {
    if (read_source(file, f.at("source"), *source, e.code)) {
      json::object stored;
      stored["code"] = e.code;
      stored["source"] = *source;
      pack_.definitions.push_back({"sources", e.code, json::serialize(stored)});
    }
  }
  if (claimed) elements_.push_back(std::move(e));
}

bool PackReader::read_source(const std::string& file, const std::string& path, const json::value& v,
                             const std::string& element) {
  Fields f(v, path, file, problems_, {"registry", "measure", "date", "by", "where"});
  if (!f.is_object()) return false;
  ElementSource source;
  source.element = element;
  source.registry = f.text("registry");
  const std::string measure = f.text("measure");
  if (measure == "count") {
    source.measure = SourceMeasure::kCount;
  } else if (measure.starts_with("sum:") && measure.size() > 4) {
    source.measure = SourceMeasure::kSum;
    source.sum_field = measure.substr(4);
  } else if (!measure.empty()) {
    f.fail(f.at("measure"), "expected \"count\" or \"sum:FIELD\"");
  }
  const std::string date = f.text("date");
  if (date != "in_force") source.date_field = date;
  source.by = f.text("by", false);
  source.where = f.text("where", false);
  if (!f.ok()) return false;
  sources_.push_back({element, {file, path}});
  pack_.sources.push_back(std::move(source));
  return true;
}

void PackReader::read_data_set(Fields& f, DataSet& d) {
  if (std::string type = f.text("period_type"); !type.empty()) {
    Result<PeriodType> t = parse_period_type(type);
    if (!t || *t == PeriodType::kMonthRange) {
      f.fail(f.at("period_type"), "expected day, month, quarter, six_month, year or five_year");
    } else {
      d.period_type = *t;
    }
  }
  if (std::string calendar = f.text("calendar"); !calendar.empty()) {
    if (calendar == "gregorian") d.calendar = Calendar::kGregorian;
    else if (calendar == "cutoff") d.calendar = Calendar::kCutoff;
    else f.fail(f.at("calendar"), "expected gregorian or cutoff");
  }
  if (std::string level = f.text("level"); !level.empty()) {
    Result<OrgUnitLevel> l = parse_level(level);
    if (l) d.level = *l; else f.fail(f.at("level"), l.status().message());
  }
  if (std::optional<int64_t> days = f.integer("deadline_days")) {
    if (*days < 0 || *days > 366) f.fail(f.at("deadline_days"), "expected 0 to 366 days");
    d.deadline_days = static_cast<int>(*days);
  }
  std::vector<std::string> approval = f.strings("approval", false);
  for (size_t i = 0; i < approval.size(); ++i) {
    Result<OrgUnitLevel> l = parse_level(approval[i]);
    if (l) d.approval.push_back(*l);
    else f.fail(item_path(f.at("approval"), i), l.status().message());
  }
  d.elements = f.strings("elements", true, true);
  std::set<std::string> seen;
  for (size_t i = 0; i < d.elements.size(); ++i) {
    const std::string epath = item_path(f.at("elements"), i);
    if (!seen.insert(d.elements[i]).second) f.fail(epath, "element \"" + d.elements[i] + "\" listed twice");
    element_refs_.push_back({d.elements[i], {f.file(), epath}});
  }
}

void PackReader::read_indicator(Fields& f, Indicator& ind) {
  ind.expression = f.text("expression");
  ind.unit = f.text("unit", false);
  if (std::optional<int64_t> decimals = f.integer("decimals", false)) {
    if (*decimals < 0 || *decimals > 6) f.fail(f.at("decimals"), "expected 0 to 6");
    ind.decimals = static_cast<int>(*decimals);
  }
  if (!ind.expression.empty()) expect_expression(ind.expression, f.file(), f.at("expression"), ExpressionType::kNumber);
}

void PackReader::read_rule(Fields& f, ValidationRule& r) {
  r.left = f.text("left");
  r.op = f.text("operator");
  r.right = f.text("right");
  r.importance = f.text("importance");
  if (!r.op.empty() && kOperators.count(r.op) == 0) f.fail(f.at("operator"), "expected <, <=, ==, !=, >= or >");
  if (!r.importance.empty() && kImportance.count(r.importance) == 0) {
    f.fail(f.at("importance"), "expected high, medium or low");
  }
  // Each side may be a number or a boolean; check_references() then compares their types.
  std::optional<size_t> left, right;
  if (!r.left.empty()) left = expect_expression(r.left, f.file(), f.at("left"), std::nullopt);
  if (!r.right.empty()) right = expect_expression(r.right, f.file(), f.at("right"), std::nullopt);
  if (left && right) rule_sides_.push_back({*left, *right, r.op, {f.file(), f.path()}});
}

void PackReader::read_evaluation_set(Fields& f, EvaluationSetDefinition& set) {
  std::vector<std::string> levels = f.strings("levels", true, true);
  for (size_t i = 0; i < levels.size(); ++i) {
    Result<OrgUnitLevel> level = parse_level(levels[i]);
    if (level) set.levels.push_back(*level); else f.fail(item_path(f.at("levels"), i), level.status().message());
  }
  if (std::string type = f.text("period_type"); !type.empty()) {
    Result<PeriodType> t = parse_period_type(type);
    if (t) set.period_type = *t; else f.fail(f.at("period_type"), "expected day, month, quarter, six_month, year or five_year");
  }
  if (const json::array* versions = f.array("versions", true, true)) {
    for (size_t i = 0; i < versions->size(); ++i) {
      read_evaluation_version(f.file(), item_path(f.at("versions"), i), versions->at(i), set);
    }
  }
}

void PackReader::read_evaluation_version(const std::string& file, const std::string& path, const json::value& v,
                                         EvaluationSetDefinition& set) {
  Fields ver(v, path, file, problems_, {"valid_from", "valid_until", "regulation", "applies_when", "criteria", "outcome"});
  if (!ver.is_object()) return;
  EvaluationVersionDefinition version;
  version.regulation = ver.text("regulation");
  // Units where applies_when is false are not evaluated at all (not in the denominator).
  version.applies_when = ver.text("applies_when", false);
  if (!version.applies_when.empty()) {
    expect_expression(version.applies_when, file, ver.at("applies_when"), ExpressionType::kBoolean);
  }
  std::optional<Date> from;
  if (std::string t = ver.text("valid_from"); !t.empty()) {
    Result<Date> d = parse_date(t);
    if (d) from = *d; else ver.fail(ver.at("valid_from"), d.status().message());
  }
  if (std::string t = ver.text("valid_until", false); !t.empty()) {
    Result<Date> d = parse_date(t);
    if (d) version.valid_until = *d; else ver.fail(ver.at("valid_until"), d.status().message());
  }
  if (from && version.valid_until && !(*from < *version.valid_until)) {
    ver.fail(ver.at("valid_until"), "must be after valid_from");
  }
  if (from) {
    for (const EvaluationVersionDefinition& other : set.versions) {
      const bool overlap = (!version.valid_until || other.valid_from < *version.valid_until) &&
                           (!other.valid_until || *from < *other.valid_until);
      if (overlap) ver.fail(path, "overlaps another version's validity");
    }
  }
  std::set<std::string> criteria_codes;
  const json::array* criteria = ver.array("criteria", false);
  if (criteria != nullptr) {
    for (size_t k = 0; k < criteria->size(); ++k) {
      Fields c(criteria->at(k), item_path(ver.at("criteria"), k), file, problems_,
               {"code", "name_vi", "name_en", "expression", "description"});
      if (!c.is_object()) continue;
      EvaluationCriterionDefinition criterion;
      read_names(c, criterion);
      if (!criterion.code.empty() && !criteria_codes.insert(criterion.code).second) {
        c.fail(c.at("code"), "duplicate criterion code \"" + criterion.code + "\"");
      }
      criterion.expression = c.text("expression");
      if (!criterion.expression.empty()) {
        expect_expression(criterion.expression, file, c.at("expression"), ExpressionType::kBoolean);
      }
      version.criteria.push_back(std::move(criterion));
    }
  }
  if (const json::value* outcome = ver.value("outcome")) {
    Fields o(*outcome, ver.at("outcome"), file, problems_, {"kind", "classes"});
    if (!o.is_object()) return;
    std::string kind = o.text("kind");
    if (kind == outcome_kind_name(EvaluationOutcomeKind::kClasses)) {
      version.outcome = EvaluationOutcomeKind::kClasses;
      if (const json::array* classes = o.array("classes", true, true)) {
        for (size_t k = 0; k < classes->size(); ++k) {
          Fields c(classes->at(k), item_path(o.at("classes"), k), file, problems_, {"code", "name_vi", "name_en", "condition"});
          if (!c.is_object()) continue;
          EvaluationClassDefinition cls;
          read_names(c, cls);
          cls.condition = c.text("condition");
          if (!cls.condition.empty()) expect_expression(cls.condition, file, c.at("condition"), ExpressionType::kBoolean);
          version.classes.push_back(std::move(cls));
        }
      }
    } else if (kind == outcome_kind_name(EvaluationOutcomeKind::kAllCriteria)) {
      if (o.value("classes", false) != nullptr) o.fail(o.at("classes"), "only for kind \"classes\"");
      if (criteria == nullptr || criteria->empty()) {
        ver.fail(ver.at("criteria"), "all_criteria needs at least one criterion");
      }
    } else if (!kind.empty()) {
      o.fail(o.at("kind"), "expected all_criteria or classes");
    }
  }
  if (!from) return;  // reported above; the version cannot be placed in time
  version.valid_from = *from;
  set.versions.push_back(std::move(version));
}

void PackReader::read_registry(Fields& f, RegistryDefinition& registry) {
  std::set<std::string> field_codes;
  if (const json::array* fields = f.array("fields", true, true)) {
    for (size_t i = 0; i < fields->size(); ++i) {
      Fields field(fields->at(i), item_path(f.at("fields"), i), f.file(), problems_,
                   {"code", "name_vi", "name_en", "type", "required", "options", "description"});
      if (!field.is_object()) continue;
      RegistryField typed;
      read_names(field, typed);
      typed.required = field.boolean("required", false).value_or(false);
      if (!typed.code.empty() && !field_codes.insert(typed.code).second) {
        field.fail(field.at("code"), "duplicate field code \"" + typed.code + "\"");
      }
      if (std::string type = field.text("type"); !type.empty()) {
        Result<RegistryFieldType> t = parse_registry_field_type(type);
        if (t) typed.type = *t; else field.fail(field.at("type"), t.status().message());
      }
      typed.options = field.text("options", false);
      if (typed.type == RegistryFieldType::kCode && typed.options.empty() && field.ok()) {
        field.fail(field.at("options"), "a code field names the disaggregation whose options it takes");
      } else if (typed.type != RegistryFieldType::kCode && !typed.options.empty()) {
        field.fail(field.at("options"), "only code fields take options");
      }
      if (!typed.options.empty()) disaggregation_refs_.push_back({typed.options, {f.file(), field.at("options")}});
      registry.fields.push_back(std::move(typed));
    }
  }
  if (const json::value* lifecycle = f.value("lifecycle", false)) {
    Fields l(*lifecycle, f.at("lifecycle"), f.file(), problems_, {"from", "to"});
    if (!l.is_object()) return;
    RegistryLifecycle typed{l.text("from"), l.text("to")};
    auto date_field = [&](const std::string& code, const char* key, bool required) {
      const RegistryField* field = registry.field(code);
      if (field == nullptr) {
        if (!code.empty()) l.fail(l.at(key), "unknown field \"" + code + "\"");
      } else if (field->type != RegistryFieldType::kDate) {
        l.fail(l.at(key), "field \"" + code + "\" is not a date");
      } else if (field->required != required) {
        l.fail(l.at(key), required ? "the start of the lifecycle must be a required field"
                                   : "the end of the lifecycle must be optional (empty: still in force)");
      }
    };
    date_field(typed.from, "from", true);
    date_field(typed.to, "to", false);
    registry.lifecycle = std::move(typed);
  }
}

// The template's text: from the pack folder's file when read from a folder, from the stored
// definition otherwise (where it was kept with the file's name).
void PackReader::read_report_template(Fields& f, ReportTemplate& report) {
  report.file = f.text("file", false);
  report.text = f.text("text", false);
  // A database loaded with a pack of names only (before 1.4.0) keeps its templates without
  // text: readable, and `qpan report` asks for the pack to be loaded again.
  if (!report.text.empty() || reading_stored_) return;
  if (report.file.empty()) {
    f.fail(f.at("file"), "missing: the template's text file in the pack folder (reports/….txt)");
    return;
  }
  auto attached = attachments_.find(report.file);
  if (attached == attachments_.end()) {
    f.fail(f.at("file"), "no file \"" + report.file + "\" in the pack folder (templates are text files, e.g. "
                         "reports/midterm_review.txt)");
    return;
  }
  report.text = attached->second;
}

// Names only: an area is a heading.
void PackReader::read_area(Fields&, SubjectArea&) {}

void PackReader::check_references() {
  const Catalogue catalogue(disaggregations_, elements_);
  for (const auto& [code, where] : disaggregation_refs_) {
    if (catalogue.disaggregation(code) == nullptr) {
      problem(where.file, where.path, "unknown disaggregation \"" + code + "\" (declare it under \"disaggregations\")");
    }
  }
  // The areas named by the elements read here (not those of a catalogue started from).
  for (const auto& [code, where] : area_refs_) {
    if (!codes_["areas"].contains(code)) {
      problem(where.file, where.path, "unknown area \"" + code + "\" (declare it under \"areas\")");
    }
  }
  for (const auto& [code, where] : element_refs_) {
    if (catalogue.element(code) == nullptr) problem(where.file, where.path, "unknown data element \"" + code + "\"");
  }
  // An element code that is another element's code.option would take over the references to
  // that option (the whole code wins), silently changing what expressions read.
  for (const auto& [code, where] : codes_["elements"]) {
    Result<ElementReference> hidden = catalogue.resolve_as_option(code);
    if (!hidden) continue;
    problem(where.file, where.path + ".code",
            "\"" + code + "\" is also option \"" + hidden->option->code + "\" of element \"" + hidden->element->code +
                "\": #{" + code + "} could not name that option (choose another code)");
  }
  check_sources(catalogue);
  // Reference problems first, named the way a pack author thinks of them; expressions whose
  // references are sound are then compiled for syntax and types.
  std::vector<bool> references_ok(expressions_.size(), true);
  for (size_t i = 0; i < expressions_.size(); ++i) {
    const auto& [expression, where, type] = expressions_[i];
    if (std::count(expression.begin(), expression.end(), '{') != std::count(expression.begin(), expression.end(), '}')) {
      problem(where.file, where.path, "unbalanced braces in \"" + expression + "\"");
      references_ok[i] = false;
    }
    for (const std::string& ref : expression_references(expression)) {
      Result<ElementReference> resolved = catalogue.resolve(ref);
      if (resolved) continue;
      references_ok[i] = false;
      problem(where.file, where.path, resolved.status().message() + " in #{" + ref + "}");
    }
  }

  std::vector<std::optional<ExpressionType>> compiled_types(expressions_.size());
  for (size_t i = 0; i < expressions_.size(); ++i) {
    if (!references_ok[i]) continue;
    const PendingExpression& e = expressions_[i];
    Result<CompiledExpression> compiled = CompiledExpression::compile(e.text, catalogue, e.type);
    if (compiled) {
      compiled_types[i] = compiled->type();
    } else {
      problem(e.where.file, e.where.path, compiled.status().message() + " in \"" + e.text + "\"");
    }
  }
  for (const PendingRule& rule : rule_sides_) {
    const std::optional<ExpressionType> left = compiled_types[rule.left];
    const std::optional<ExpressionType> right = compiled_types[rule.right];
    if (!left || !right) continue;  // already reported
    if (*left != *right) {
      problem(rule.where.file, rule.where.path + ".right",
              "the left side is a " + std::string(expression_type_name(*left)) + " but the right side a " +
                  std::string(expression_type_name(*right)));
    } else if (*left == ExpressionType::kBoolean && rule.op != "==" && rule.op != "!=") {
      problem(rule.where.file, rule.where.path + ".operator",
              "booleans compare only with == or != (not " + rule.op + ")");
    }
  }
}

void PackReader::check_sources(const Catalogue& catalogue) {
  Pack view;
  view.catalogue = catalogue;
  view.registries = pack_.registries;
  view.data_sets = pack_.data_sets;
  for (size_t i = 0; i < pack_.sources.size(); ++i) {
    Result<RecordCounter> counter = RecordCounter::compile(pack_.sources[i], view);
    if (!counter) problem(sources_[i].second.file, sources_[i].second.path, counter.status().message());
  }
}

Pack PackReader::take() {
  pack_.catalogue = Catalogue(std::move(disaggregations_), std::move(elements_));
  return std::move(pack_);
}

}  // namespace qpan::pack_reader

namespace qpan {

// The names of the pack format's enumerations (declared in qpan/pack.h).

std::string_view outcome_kind_name(EvaluationOutcomeKind kind) {
  return kind == EvaluationOutcomeKind::kClasses ? "classes" : "all_criteria";
}

}  // namespace qpan
