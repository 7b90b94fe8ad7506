// Pack files → Pack model, with file and JSON path on every problem (see pack_reader.h).
#include "pack/pack_reader.h"

#include <algorithm>

#include "qpan/text.h"

namespace qpan::pack_reader {
namespace {

namespace json = boost::json;

// Reads the fields of one JSON object, reporting missing, mistyped and unknown keys.
class Fields {
 public:
  Fields(const json::value& v, std::string path, const std::string& file, ImportProblems& problems,
         std::initializer_list<std::string_view> allowed)
      : path_(std::move(path)), file_(file), problems_(problems) {
    obj_ = v.if_object();
    if (obj_ == nullptr) {
      fail(path_, "expected an object");
      return;
    }
    for (const auto& [key, value] : *obj_) {
      if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
        fail(path_ + "." + std::string(key), "unknown key");
      }
    }
  }

  bool is_object() const { return obj_ != nullptr; }
  bool ok() const { return ok_; }
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

// The fields every definition has: a code, names in Vietnamese and English, and an
// optional description.
struct Names {
  std::string code, name_vi, name_en, description;
};

Names read_names(Fields& f) {
  Names n;
  n.code = f.text("code");
  n.name_vi = f.text("name_vi");
  n.name_en = f.text("name_en");
  n.description = f.text("description", false);
  return n;
}

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
const std::set<std::string_view> kFieldTypes = {"text", "date", "integer", "number", "boolean", "code"};

}  // namespace

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

void PackReader::read_file(const std::string& label, std::string_view text,
                           const std::set<std::string>& allowed) {
  if (size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    int64_t line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n');
    problems_.add({label, line, 0, "", "invalid UTF-8"});
    return;
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
    return;
  }
  json::value root = parser.release();
  const json::object* obj = root.if_object();
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

void PackReader::read_info(const std::string& file, const json::value& value) {
  Fields f(value, "$.pack", file, problems_, {"code", "version", "name_vi", "name_en", "description"});
  if (!f.is_object()) return;
  info_.code = f.text("code");
  info_.version = f.text("version");
  info_.name_vi = f.text("name_vi");
  info_.name_en = f.text("name_en");
  info_.description = f.text("description", false);
  if (!info_.code.empty() && !is_valid_code(info_.code) && info_.code.find('-') == std::string::npos) {
    f.fail(f.at("code"), "not a valid pack code");
  }
  if (!info_.version.empty() && !is_version(info_.version)) {
    f.fail(f.at("version"), "\"" + info_.version + "\" is not MAJOR.MINOR.PATCH (e.g. 1.2.0)");
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
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string path = base + "[" + std::to_string(i) + "]";
    const json::value& v = (*arr)[i];
    if (name == "disaggregations") read_disaggregation(file, path, v);
    else if (name == "elements") read_element(file, path, v);
    else if (name == "data_sets") read_data_set(file, path, v);
    else if (name == "indicators") read_indicator(file, path, v);
    else if (name == "validation_rules") read_rule(file, path, v);
    else if (name == "evaluation_sets") read_evaluation_set(file, path, v);
    else if (name == "registries") read_registry(file, path, v);
    else if (name == "report_templates") read_report_template(file, path, v);
  }
}

void PackReader::read_disaggregation(const std::string& file, const std::string& path, const json::value& v) {
  Fields f(v, path, file, problems_, {"code", "name_vi", "name_en", "options", "description"});
  if (!f.is_object()) return;
  Disaggregation d;
  Names names = read_names(f);
  d.code = names.code;
  d.name_vi = names.name_vi;
  d.name_en = names.name_en;
  bool claimed = claim_code("disaggregations", d.code, file, path);
  std::set<std::string> option_codes;
  if (const json::array* opts = f.array("options", true)) {
    if (opts->empty()) f.fail(f.at("options"), "a disaggregation needs at least one option");
    for (size_t k = 0; k < opts->size(); ++k) {
      const std::string opath = f.at("options") + "[" + std::to_string(k) + "]";
      Fields o(opts->at(k), opath, file, problems_, {"code", "name_vi", "name_en"});
      if (!o.is_object()) continue;
      DisaggregationOption option;
      option.code = o.text("code");
      option.name_vi = o.text("name_vi");
      option.name_en = o.text("name_en");
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
                                      "disaggregation", "area", "description"});
  if (!f.is_object()) return;
  DataElement e;
  Names names = read_names(f);
  e.code = names.code;
  e.name_vi = names.name_vi;
  e.name_en = names.name_en;
  e.description = names.description;
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
  if (!e.disaggregation.empty()) element_refs_.push_back({"disaggregation:" + e.disaggregation, {file, f.at("disaggregation")}});
  if (claimed) elements_.push_back(std::move(e));
}

void PackReader::read_data_set(const std::string& file, const std::string& path, const json::value& v) {
  Fields f(v, path, file, problems_, {"code", "name_vi", "name_en", "period_type", "calendar", "level",
                                      "deadline_days", "approval", "elements", "description"});
  if (!f.is_object()) return;
  DataSet d;
  Names names = read_names(f);
  d.code = names.code;
  d.name_vi = names.name_vi;
  d.name_en = names.name_en;
  bool claimed = claim_code("data_sets", d.code, file, path);
  if (claimed) definitions_.push_back({"data_sets", d.code, json::serialize(v)});
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
    else f.fail(f.at("approval") + "[" + std::to_string(i) + "]", l.status().message());
  }
  d.elements = f.strings("elements", true, true);
  std::set<std::string> seen;
  for (size_t i = 0; i < d.elements.size(); ++i) {
    const std::string epath = f.at("elements") + "[" + std::to_string(i) + "]";
    if (!seen.insert(d.elements[i]).second) f.fail(epath, "element \"" + d.elements[i] + "\" listed twice");
    element_refs_.push_back({d.elements[i], {file, epath}});
  }
  if (claimed) data_sets_.push_back(std::move(d));
}

void PackReader::read_indicator(const std::string& file, const std::string& path, const json::value& v) {
  Fields f(v, path, file, problems_, {"code", "name_vi", "name_en", "expression", "decimals", "unit", "description"});
  if (!f.is_object()) return;
  Indicator ind;
  Names names = read_names(f);
  ind.code = names.code;
  ind.name_vi = names.name_vi;
  ind.name_en = names.name_en;
  ind.description = names.description;
  ind.expression = f.text("expression");
  ind.unit = f.text("unit", false);
  if (std::optional<int64_t> decimals = f.integer("decimals", false)) {
    if (*decimals < 0 || *decimals > 6) f.fail(f.at("decimals"), "expected 0 to 6");
    ind.decimals = static_cast<int>(*decimals);
  }
  bool claimed = claim_code("indicators", ind.code, file, path);
  if (claimed) definitions_.push_back({"indicators", ind.code, json::serialize(v)});
  if (!ind.expression.empty()) {
    expressions_.push_back({ind.expression, {file, f.at("expression")}, ExpressionType::kNumber});
  }
  if (claimed) indicators_.push_back(std::move(ind));
}

void PackReader::read_rule(const std::string& file, const std::string& path, const json::value& v) {
  Fields f(v, path, file, problems_, {"code", "name_vi", "name_en", "left", "operator", "right",
                                      "importance", "description"});
  if (!f.is_object()) return;
  ValidationRule r;
  Names names = read_names(f);
  r.code = names.code;
  r.name_vi = names.name_vi;
  r.name_en = names.name_en;
  r.left = f.text("left");
  r.op = f.text("operator");
  r.right = f.text("right");
  r.importance = f.text("importance");
  bool claimed = claim_code("validation_rules", r.code, file, path);
  if (claimed) definitions_.push_back({"validation_rules", r.code, json::serialize(v)});
  if (!r.op.empty() && kOperators.count(r.op) == 0) f.fail(f.at("operator"), "expected <, <=, ==, !=, >= or >");
  if (!r.importance.empty() && kImportance.count(r.importance) == 0) {
    f.fail(f.at("importance"), "expected high, medium or low");
  }
  // Each side may be a number or a boolean; check_references() then compares their types.
  if (!r.left.empty()) expressions_.push_back({r.left, {file, f.at("left")}, std::nullopt});
  if (!r.right.empty()) expressions_.push_back({r.right, {file, f.at("right")}, std::nullopt});
  if (!r.left.empty() && !r.right.empty()) {
    rule_sides_.push_back({expressions_.size() - 2, expressions_.size() - 1, r.op, {file, path}});
  }
  if (claimed) rules_.push_back(std::move(r));
}

void PackReader::read_evaluation_set(const std::string& file, const std::string& path, const json::value& v) {
  Fields f(v, path, file, problems_, {"code", "name_vi", "name_en", "levels", "period_type", "versions", "description"});
  if (!f.is_object()) return;
  PackDefinition def{"evaluation_sets", read_names(f).code, json::serialize(v)};
  bool claimed = claim_code("evaluation_sets", def.code, file, path);
  std::vector<std::string> levels = f.strings("levels", true, true);
  for (size_t i = 0; i < levels.size(); ++i) {
    if (!parse_level(levels[i])) f.fail(f.at("levels") + "[" + std::to_string(i) + "]", parse_level(levels[i]).status().message());
  }
  if (std::string type = f.text("period_type"); !type.empty() && !parse_period_type(type)) {
    f.fail(f.at("period_type"), "expected day, month, quarter, six_month, year or five_year");
  }
  std::vector<std::pair<Date, std::optional<Date>>> spans;
  if (const json::array* versions = f.array("versions", true, true)) {
    for (size_t i = 0; i < versions->size(); ++i) {
      const std::string vpath = f.at("versions") + "[" + std::to_string(i) + "]";
      Fields ver(versions->at(i), vpath, file, problems_,
                 {"valid_from", "valid_until", "regulation", "applies_when", "criteria", "outcome"});
      if (!ver.is_object()) continue;
      ver.text("regulation");
      // Units where applies_when is false are not evaluated at all (not in the denominator).
      if (std::string e = ver.text("applies_when", false); !e.empty()) {
        expressions_.push_back({e, {file, ver.at("applies_when")}, ExpressionType::kBoolean});
      }
      std::optional<Date> from, until;
      if (std::string t = ver.text("valid_from"); !t.empty()) {
        Result<Date> d = parse_date(t);
        if (d) from = *d; else ver.fail(ver.at("valid_from"), d.status().message());
      }
      if (std::string t = ver.text("valid_until", false); !t.empty()) {
        Result<Date> d = parse_date(t);
        if (d) until = *d; else ver.fail(ver.at("valid_until"), d.status().message());
      }
      if (from && until && !(*from < *until)) ver.fail(ver.at("valid_until"), "must be after valid_from");
      if (from) {
        for (const auto& [other_from, other_until] : spans) {
          const bool overlap = (!until || other_from < *until) && (!other_until || *from < *other_until);
          if (overlap) ver.fail(vpath, "overlaps another version's validity");
        }
        spans.emplace_back(*from, until);
      }
      std::set<std::string> criteria_codes;
      const json::array* criteria = ver.array("criteria", false);
      if (criteria != nullptr) {
        for (size_t k = 0; k < criteria->size(); ++k) {
          const std::string cpath = ver.at("criteria") + "[" + std::to_string(k) + "]";
          Fields c(criteria->at(k), cpath, file, problems_, {"code", "name_vi", "name_en", "expression", "description"});
          if (!c.is_object()) continue;
          std::string code = c.text("code");
          c.text("name_vi");
          c.text("name_en");
          c.text("description", false);
          if (!code.empty() && !criteria_codes.insert(code).second) c.fail(c.at("code"), "duplicate criterion code \"" + code + "\"");
          if (std::string e = c.text("expression"); !e.empty()) {
            expressions_.push_back({e, {file, c.at("expression")}, ExpressionType::kBoolean});
          }
        }
      }
      if (const json::value* outcome = ver.value("outcome")) {
        Fields o(*outcome, ver.at("outcome"), file, problems_, {"kind", "classes"});
        if (!o.is_object()) continue;
        std::string kind = o.text("kind");
        if (kind == "classes") {
          if (const json::array* classes = o.array("classes", true, true)) {
            for (size_t k = 0; k < classes->size(); ++k) {
              const std::string kpath = o.at("classes") + "[" + std::to_string(k) + "]";
              Fields c(classes->at(k), kpath, file, problems_, {"code", "name_vi", "name_en", "condition"});
              if (!c.is_object()) continue;
              c.text("code");
              c.text("name_vi");
              c.text("name_en");
              if (std::string e = c.text("condition"); !e.empty()) {
                expressions_.push_back({e, {file, c.at("condition")}, ExpressionType::kBoolean});
              }
            }
          }
        } else if (kind == "all_criteria") {
          if (o.value("classes", false) != nullptr) o.fail(o.at("classes"), "only for kind \"classes\"");
          if (criteria == nullptr || criteria->empty()) {
            ver.fail(ver.at("criteria"), "all_criteria needs at least one criterion");
          }
        } else if (!kind.empty()) {
          o.fail(o.at("kind"), "expected all_criteria or classes");
        }
      }
    }
  }
  if (claimed) definitions_.push_back(std::move(def));
}

void PackReader::read_registry(const std::string& file, const std::string& path, const json::value& v) {
  Fields f(v, path, file, problems_, {"code", "name_vi", "name_en", "fields", "description"});
  if (!f.is_object()) return;
  PackDefinition def{"registries", read_names(f).code, json::serialize(v)};
  bool claimed = claim_code("registries", def.code, file, path);
  std::set<std::string> field_codes;
  if (const json::array* fields = f.array("fields", true, true)) {
    for (size_t i = 0; i < fields->size(); ++i) {
      const std::string fpath = f.at("fields") + "[" + std::to_string(i) + "]";
      Fields field(fields->at(i), fpath, file, problems_, {"code", "name_vi", "name_en", "type", "required", "description"});
      if (!field.is_object()) continue;
      std::string code = field.text("code");
      field.text("name_vi");
      field.text("name_en");
      field.text("description", false);
      field.boolean("required", false);
      if (!code.empty() && !field_codes.insert(code).second) field.fail(field.at("code"), "duplicate field code \"" + code + "\"");
      if (std::string type = field.text("type"); !type.empty() && kFieldTypes.count(type) == 0) {
        field.fail(field.at("type"), "expected text, date, integer, number, boolean or code");
      }
    }
  }
  if (claimed) definitions_.push_back(std::move(def));
}

void PackReader::read_report_template(const std::string& file, const std::string& path, const json::value& v) {
  Fields f(v, path, file, problems_, {"code", "name_vi", "name_en", "description"});
  if (!f.is_object()) return;
  PackDefinition def{"report_templates", read_names(f).code, json::serialize(v)};
  if (claim_code("report_templates", def.code, file, path)) definitions_.push_back(std::move(def));
}

void PackReader::check_references() {
  const Catalogue catalogue(disaggregations_, elements_);
  for (const auto& [ref, where] : element_refs_) {
    if (ref.rfind("disaggregation:", 0) == 0) {
      const std::string code = ref.substr(15);
      if (catalogue.disaggregation(code) == nullptr) {
        problem(where.file, where.path, "unknown disaggregation \"" + code + "\" (declare it under \"disaggregations\")");
      }
    } else if (catalogue.element(ref) == nullptr) {
      problem(where.file, where.path, "unknown data element \"" + ref + "\"");
    }
  }
  // An element code that is another element's code.option would take over the references to
  // that option (the whole code wins), silently changing what expressions read.
  for (const auto& [code, where] : codes_["elements"]) {
    const size_t dot = code.rfind('.');
    if (dot == std::string::npos) continue;
    const DataElement* owner = catalogue.element(std::string_view(code).substr(0, dot));
    const Disaggregation* d = owner == nullptr ? nullptr : catalogue.disaggregation_of(*owner);
    if (d != nullptr && d->option(std::string_view(code).substr(dot + 1)) != nullptr) {
      problem(where.file, where.path + ".code",
              "\"" + code + "\" is also option \"" + code.substr(dot + 1) + "\" of element \"" + owner->code +
                  "\": #{" + code + "} could not name that option (choose another code)");
    }
  }
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

Pack PackReader::take() {
  Pack pack;
  pack.info = std::move(info_);
  pack.catalogue = Catalogue(std::move(disaggregations_), std::move(elements_));
  pack.data_sets = std::move(data_sets_);
  pack.indicators = std::move(indicators_);
  pack.validation_rules = std::move(rules_);
  pack.definitions = std::move(definitions_);
  return pack;
}

}  // namespace qpan::pack_reader
