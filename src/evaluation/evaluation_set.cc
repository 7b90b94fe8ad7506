// Evaluation sets from their stored JSON (as `qpan pack load` keeps them) to the typed,
// compiled model of qpan/evaluation.h. The pack reader has checked the JSON fully on load;
// this parse still names set and path, because a database may hold an older pack's text.
#include <boost/json.hpp>

#include <algorithm>

#include "qpan/evaluation.h"
#include "qpan/store.h"

namespace qpan {
namespace {

namespace json = boost::json;

// Reads the fields of one object of a set, turning every problem into one error that names
// the set and the JSON path.
class Reader {
 public:
  Reader(const json::value& value, std::string set, std::string path)
      : set_(std::move(set)), path_(std::move(path)), object_(value.if_object()) {}

  const std::string& path() const { return path_; }
  bool is_object() const { return object_ != nullptr; }

  Status error(std::string_view key, std::string_view reason) const {
    return Status::invalid_input("evaluation set " + (set_.empty() ? std::string("?") : set_) + ": " +
                                 path_ + (key.empty() ? "" : ".") + std::string(key) + ": " +
                                 std::string(reason));
  }

  Result<std::string> text(std::string_view key, bool required = true) const {
    const json::value* v = object_ == nullptr ? nullptr : object_->if_contains(key);
    if (v == nullptr) {
      if (required) return error(key, "missing");
      return std::string();
    }
    if (!v->is_string()) return error(key, "expected a string");
    return std::string(v->as_string());
  }

  Result<const json::array*> array(std::string_view key, bool required = true) const {
    const json::value* v = object_ == nullptr ? nullptr : object_->if_contains(key);
    if (v == nullptr) {
      if (required) return error(key, "missing");
      return static_cast<const json::array*>(nullptr);
    }
    if (!v->is_array()) return error(key, "expected an array");
    return &v->as_array();
  }

  const json::value* value(std::string_view key) const {
    return object_ == nullptr ? nullptr : object_->if_contains(key);
  }

  Result<CompiledExpression> expression(std::string_view key, const Catalogue& catalogue) const {
    Result<std::string> source = text(key);
    if (!source) return source.status();
    Result<CompiledExpression> compiled =
        CompiledExpression::compile(*source, catalogue, ExpressionType::kBoolean);
    if (!compiled) return error(key, compiled.status().message() + " in \"" + *source + "\"");
    return compiled;
  }

 private:
  std::string set_;
  std::string path_;
  const json::object* object_;
};

std::string item_path(const std::string& base, std::string_view key, size_t index) {
  return base + "." + std::string(key) + "[" + std::to_string(index) + "]";
}

Result<EvaluationSetVersion> parse_version(const json::value& value, const std::string& set,
                                           const std::string& path, const Catalogue& catalogue) {
  Reader r(value, set, path);
  if (!r.is_object()) return r.error("", "expected an object");
  Result<std::string> from = r.text("valid_from");
  if (!from) return from.status();
  Result<Date> from_date = parse_date(*from);
  if (!from_date) return r.error("valid_from", from_date.status().message());
  Result<std::string> until = r.text("valid_until", false);
  if (!until) return until.status();
  Result<std::string> regulation = r.text("regulation");
  if (!regulation) return regulation.status();

  // Aggregate initialisation: the compiled members have no default state.
  EvaluationSetVersion version{.valid_from = *from_date,
                               .valid_until = std::nullopt,
                               .regulation = *regulation,
                               .applies_when = std::nullopt,
                               .criteria = {},
                               .outcome = EvaluationOutcomeKind::kAllCriteria,
                               .classes = {}};
  if (!until->empty()) {
    Result<Date> d = parse_date(*until);
    if (!d) return r.error("valid_until", d.status().message());
    version.valid_until = *d;
  }
  if (r.value("applies_when") != nullptr) {
    Result<CompiledExpression> applies = r.expression("applies_when", catalogue);
    if (!applies) return applies.status();
    version.applies_when = *applies;
  }
  Result<const json::array*> criteria = r.array("criteria", false);
  if (!criteria) return criteria.status();
  if (*criteria != nullptr) {
    for (size_t i = 0; i < (*criteria)->size(); ++i) {
      Reader c((**criteria)[i], set, item_path(path, "criteria", i));
      if (!c.is_object()) return c.error("", "expected an object");
      Result<std::string> code = c.text("code"), name_vi = c.text("name_vi"), name_en = c.text("name_en");
      if (!code) return code.status();
      if (!name_vi) return name_vi.status();
      if (!name_en) return name_en.status();
      Result<CompiledExpression> expression = c.expression("expression", catalogue);
      if (!expression) return expression.status();
      version.criteria.push_back({*code, *name_vi, *name_en, *expression});
    }
  }
  const json::value* outcome_value = r.value("outcome");
  if (outcome_value == nullptr) return r.error("outcome", "missing");
  Reader outcome(*outcome_value, set, path + ".outcome");
  if (!outcome.is_object()) return outcome.error("", "expected an object");
  Result<std::string> kind = outcome.text("kind");
  if (!kind) return kind.status();
  if (*kind == "all_criteria") {
    if (version.criteria.empty()) return r.error("criteria", "all_criteria needs at least one criterion");
  } else if (*kind == "classes") {
    version.outcome = EvaluationOutcomeKind::kClasses;
    Result<const json::array*> classes = outcome.array("classes");
    if (!classes) return classes.status();
    if ((*classes)->empty()) return outcome.error("classes", "must not be empty");
    for (size_t i = 0; i < (*classes)->size(); ++i) {
      Reader c((**classes)[i], set, item_path(outcome.path(), "classes", i));
      if (!c.is_object()) return c.error("", "expected an object");
      Result<std::string> code = c.text("code"), name_vi = c.text("name_vi"), name_en = c.text("name_en");
      if (!code) return code.status();
      if (!name_vi) return name_vi.status();
      if (!name_en) return name_en.status();
      Result<CompiledExpression> condition = c.expression("condition", catalogue);
      if (!condition) return condition.status();
      version.classes.push_back({*code, *name_vi, *name_en, *condition});
    }
  } else {
    return outcome.error("kind", "expected all_criteria or classes");
  }
  return version;
}

}  // namespace

std::string_view outcome_kind_name(EvaluationOutcomeKind kind) {
  return kind == EvaluationOutcomeKind::kClasses ? "classes" : "all_criteria";
}

std::optional<size_t> EvaluationSet::version_for(const Period& period) const {
  const Date last = period.dates().last;
  for (size_t i = 0; i < versions.size(); ++i) {
    if (versions[i].in_force_on(last)) return i;
  }
  return std::nullopt;
}

bool EvaluationSet::all_criteria() const {
  return std::all_of(versions.begin(), versions.end(), [](const EvaluationSetVersion& v) {
    return v.outcome == EvaluationOutcomeKind::kAllCriteria;
  });
}

bool EvaluationSet::evaluates(OrgUnitLevel level) const {
  return std::find(levels.begin(), levels.end(), level) != levels.end();
}

Result<EvaluationSet> parse_evaluation_set(std::string_view text, const Catalogue& catalogue) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return Status::invalid_input("evaluation set: invalid JSON: " + ec.message());
  const json::object* object = root.if_object();
  std::string code;
  if (object != nullptr) {
    if (const json::value* c = object->if_contains("code"); c != nullptr && c->is_string()) {
      code = std::string(c->as_string());
    }
  }
  Reader r(root, code, "$");
  if (!r.is_object()) return r.error("", "expected an object");
  if (code.empty()) return r.error("code", "missing");

  EvaluationSet set;
  set.code = code;
  Result<std::string> name_vi = r.text("name_vi"), name_en = r.text("name_en"),
                      description = r.text("description", false), period_type = r.text("period_type");
  if (!name_vi) return name_vi.status();
  if (!name_en) return name_en.status();
  if (!description) return description.status();
  if (!period_type) return period_type.status();
  set.name_vi = *name_vi;
  set.name_en = *name_en;
  set.description = *description;
  Result<PeriodType> type = parse_period_type(*period_type);
  if (!type) return r.error("period_type", type.status().message());
  set.period_type = *type;

  Result<const json::array*> levels = r.array("levels");
  if (!levels) return levels.status();
  for (size_t i = 0; i < (*levels)->size(); ++i) {
    const json::value& v = (**levels)[i];
    Result<OrgUnitLevel> level = v.is_string() ? parse_level(std::string_view(v.as_string()))
                                               : Result<OrgUnitLevel>(Status::invalid_input("expected a string"));
    if (!level) return r.error("levels[" + std::to_string(i) + "]", level.status().message());
    set.levels.push_back(*level);
  }
  if (set.levels.empty()) return r.error("levels", "must not be empty");

  Result<const json::array*> versions = r.array("versions");
  if (!versions) return versions.status();
  if ((*versions)->empty()) return r.error("versions", "must not be empty");
  for (size_t i = 0; i < (*versions)->size(); ++i) {
    Result<EvaluationSetVersion> version =
        parse_version((**versions)[i], code, item_path("$", "versions", i), catalogue);
    if (!version) return version.status();
    set.versions.push_back(std::move(*version));
  }
  std::sort(set.versions.begin(), set.versions.end(),
            [](const EvaluationSetVersion& a, const EvaluationSetVersion& b) {
              return a.valid_from < b.valid_from;
            });
  return set;
}

Result<std::vector<EvaluationSet>> load_evaluation_sets(Store& store, const Catalogue& catalogue,
                                                        const std::vector<std::string>& codes) {
  Result<std::vector<PackDefinition>> definitions = store.pack_definitions("evaluation_sets");
  if (!definitions) return definitions.status();
  auto parse = [&](const PackDefinition& d) { return parse_evaluation_set(d.json, catalogue); };
  std::vector<EvaluationSet> sets;
  if (codes.empty()) {
    for (const PackDefinition& d : *definitions) {
      Result<EvaluationSet> set = parse(d);
      if (!set) return set.status();
      sets.push_back(std::move(*set));
    }
    return sets;
  }
  for (const std::string& code : codes) {
    auto it = std::find_if(definitions->begin(), definitions->end(),
                           [&](const PackDefinition& d) { return d.code == code; });
    if (it == definitions->end()) {
      std::string known;
      for (const PackDefinition& d : *definitions) known += (known.empty() ? "" : ", ") + d.code;
      return Status::not_found("unknown evaluation set \"" + code + "\" (" +
                               (known.empty() ? "no pack with evaluation sets is loaded"
                                              : "known: " + known) +
                               ")");
    }
    Result<EvaluationSet> set = parse(*it);
    if (!set) return set.status();
    sets.push_back(std::move(*set));
  }
  return sets;
}

}  // namespace qpan
