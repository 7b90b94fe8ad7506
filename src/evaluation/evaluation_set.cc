// Evaluation sets from the pack's typed definitions (qpan/pack.h) to the compiled model of
// qpan/evaluation.h: every criterion, class condition and applies_when compiled against the
// catalogue of the context that will answer them.
#include <algorithm>

#include "qpan/evaluation.h"

namespace qpan {
namespace {

// Compiles the boolean expressions of one set, naming the set and the JSON path on failure.
class SetCompiler {
 public:
  SetCompiler(const std::string& set, const Catalogue& catalogue) : set_(set), catalogue_(catalogue) {}

  Result<CompiledExpression> boolean(const std::string& text, const std::string& path) const {
    Result<CompiledExpression> compiled = CompiledExpression::compile(text, catalogue_, ExpressionType::kBoolean);
    if (!compiled) {
      return Status::invalid_input("evaluation set " + set_ + ": " + path + ": " + compiled.status().message() +
                                   " in \"" + text + "\"");
    }
    return compiled;
  }

 private:
  const std::string& set_;
  const Catalogue& catalogue_;
};

std::string item_path(const std::string& base, std::string_view key, size_t index) {
  return base + "." + std::string(key) + "[" + std::to_string(index) + "]";
}

Result<EvaluationSetVersion> compile_version(const EvaluationVersionDefinition& definition,
                                             const std::string& path, const SetCompiler& compiler) {
  // Aggregate initialisation: the compiled members have no default state.
  EvaluationSetVersion version{.valid_from = definition.valid_from,
                               .valid_until = definition.valid_until,
                               .regulation = definition.regulation,
                               .applies_when = std::nullopt,
                               .criteria = {},
                               .outcome = definition.outcome,
                               .classes = {}};
  if (!definition.applies_when.empty()) {
    Result<CompiledExpression> applies = compiler.boolean(definition.applies_when, path + ".applies_when");
    if (!applies) return applies.status();
    version.applies_when = *applies;
  }
  for (size_t i = 0; i < definition.criteria.size(); ++i) {
    const EvaluationCriterionDefinition& c = definition.criteria[i];
    Result<CompiledExpression> expression = compiler.boolean(c.expression, item_path(path, "criteria", i) + ".expression");
    if (!expression) return expression.status();
    version.criteria.push_back({c.code, c.name_vi, c.name_en, *expression});
  }
  for (size_t i = 0; i < definition.classes.size(); ++i) {
    const EvaluationClassDefinition& c = definition.classes[i];
    Result<CompiledExpression> condition =
        compiler.boolean(c.condition, item_path(path + ".outcome", "classes", i) + ".condition");
    if (!condition) return condition.status();
    version.classes.push_back({c.code, c.name_vi, c.name_en, *condition});
  }
  return version;
}

}  // namespace

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

Result<EvaluationSet> compile_evaluation_set(const EvaluationSetDefinition& definition,
                                             const Catalogue& catalogue) {
  EvaluationSet set;
  set.code = definition.code;
  set.name_vi = definition.name_vi;
  set.name_en = definition.name_en;
  set.description = definition.description;
  set.levels = definition.levels;
  set.period_type = definition.period_type;
  const SetCompiler compiler(definition.code, catalogue);
  for (size_t i = 0; i < definition.versions.size(); ++i) {
    Result<EvaluationSetVersion> version = compile_version(definition.versions[i], item_path("$", "versions", i), compiler);
    if (!version) return version.status();
    set.versions.push_back(std::move(*version));
  }
  std::sort(set.versions.begin(), set.versions.end(),
            [](const EvaluationSetVersion& a, const EvaluationSetVersion& b) { return a.valid_from < b.valid_from; });
  return set;
}

Result<std::vector<EvaluationSet>> compile_evaluation_sets(const Pack& pack, const Catalogue& catalogue,
                                                           const std::vector<std::string>& codes) {
  std::vector<const EvaluationSetDefinition*> chosen;
  if (codes.empty()) {
    for (const EvaluationSetDefinition& d : pack.evaluation_sets) chosen.push_back(&d);
  }
  for (const std::string& code : codes) {
    auto it = std::find_if(pack.evaluation_sets.begin(), pack.evaluation_sets.end(),
                           [&](const EvaluationSetDefinition& d) { return d.code == code; });
    if (it == pack.evaluation_sets.end()) {
      std::string known;
      for (const EvaluationSetDefinition& d : pack.evaluation_sets) known += (known.empty() ? "" : ", ") + d.code;
      return Status::not_found("unknown evaluation set \"" + code + "\" (" +
                               (known.empty() ? "no pack with evaluation sets is loaded" : "known: " + known) + ")");
    }
    chosen.push_back(&*it);
  }
  std::vector<EvaluationSet> sets;
  for (const EvaluationSetDefinition* d : chosen) {
    Result<EvaluationSet> set = compile_evaluation_set(*d, catalogue);
    if (!set) return set.status();
    sets.push_back(std::move(*set));
  }
  return sets;
}

}  // namespace qpan
