// Evaluating units with the pack's rule sets and rolling the results up over units and
// periods (see qpan/evaluation.h).
#include "qpan/evaluation.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace qpan {
namespace {

std::optional<double> percent(size_t part, size_t whole) {
  if (whole == 0) return std::nullopt;
  return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::optional<double> difference(std::optional<double> now, std::optional<double> before) {
  if (!now || !before) return std::nullopt;
  return *now - *before;
}

// A unit in scope for one period: what run_evaluation needs to evaluate and attribute it.
struct ScopedUnit {
  std::string code, name, under;
  OrgUnitLevel level;
};

// Every unit that lies within `ou` during `range` and is in force on some day of it, with the
// unit directly under `ou` it belongs to — both judged, like OrgUnitIndex::is_within, on the
// last day of `range` the unit was in force.
std::vector<ScopedUnit> units_in_scope(const OrgUnitIndex& index, const std::string& ou,
                                       const DateRange& range) {
  std::vector<ScopedUnit> out;
  for (const std::string& code : index.codes_ever_within(ou)) {
    std::vector<const OrgUnitVersion*> versions = index.during(code, range);
    if (versions.empty()) continue;
    const OrgUnitVersion* latest = versions.back();
    Date day = range.last;
    if (latest->valid_until && *latest->valid_until <= day) day = add_days(*latest->valid_until, -1);
    ScopedUnit unit{code, latest->name, "", latest->level};
    if (code != ou) {
      std::vector<const OrgUnitVersion*> ancestors = index.ancestors(code, day);
      auto at = std::find_if(ancestors.begin(), ancestors.end(),
                             [&](const OrgUnitVersion* a) { return a->code == ou; });
      if (at == ancestors.end()) continue;  // under `ou` at another time only
      unit.under = at == ancestors.begin() ? code : (*(at - 1))->code;
    }
    out.push_back(std::move(unit));
  }
  return out;
}

// Outcomes in the order reports list them: classes best first, then met, not met,
// unclassified, no data, not applicable.
size_t outcome_rank(const EvaluationGroup& group, std::string_view code) {
  for (size_t k = 0; k < group.classes.size(); ++k) {
    if (group.classes[k].code == code) return k;
  }
  static constexpr std::string_view kOrder[] = {"met", "not_met", "unclassified", "no_data",
                                                "not_applicable"};
  for (size_t k = 0; k < std::size(kOrder); ++k) {
    if (kOrder[k] == code) return group.classes.size() + k;
  }
  return group.classes.size() + std::size(kOrder);
}

void count(const EvaluationSet& set, const EvaluationGroup& group, const UnitEvaluation& r,
           OutcomeCounts& counts) {
  ++counts.units;
  switch (r.outcome) {
    case UnitOutcome::kNotApplicable: ++counts.not_applicable; break;
    case UnitOutcome::kNoData: ++counts.no_data; break;
    case UnitOutcome::kMet: ++counts.met; break;
    case UnitOutcome::kNotMet: ++counts.not_met; break;
    case UnitOutcome::kUnclassified: ++counts.unclassified; break;
    case UnitOutcome::kClassified: {
      const std::string& code = set.versions[r.version].classes[r.class_index].code;
      for (size_t k = 0; k < group.classes.size(); ++k) {
        if (group.classes[k].code == code) ++counts.classes[k];
      }
      break;
    }
  }
}

}  // namespace

UnitEvaluation evaluate_unit(const EvaluationSet& set, size_t version_index,
                             const ExpressionContext& context, std::string_view unit,
                             const Period& period) {
  const EvaluationSetVersion& version = set.versions[version_index];
  UnitEvaluation result;
  result.version = version_index;
  if (version.applies_when) {
    const ExpressionValue applies = version.applies_when->evaluate(context, unit, period);
    if (!applies.has_value() || !applies.as_boolean()) {
      result.outcome = UnitOutcome::kNotApplicable;
      return result;
    }
  }
  for (size_t i = 0; i < version.criteria.size(); ++i) {
    const ExpressionValue holds = version.criteria[i].expression.evaluate(context, unit, period);
    if (!holds.has_value()) {
      result.without_data.push_back(i);
    } else if (!holds.as_boolean()) {
      result.failing.push_back(i);
    }
  }
  if (version.outcome == EvaluationOutcomeKind::kAllCriteria) {
    result.outcome = !result.failing.empty()        ? UnitOutcome::kNotMet
                     : !result.without_data.empty() ? UnitOutcome::kNoData
                                                    : UnitOutcome::kMet;
    return result;
  }
  // Best first: a better class whose condition cannot be decided leaves the unit without a
  // class rather than placing it lower than it may belong.
  for (size_t k = 0; k < version.classes.size(); ++k) {
    const ExpressionValue holds = version.classes[k].condition.evaluate(context, unit, period);
    if (!holds.has_value()) {
      result.outcome = UnitOutcome::kNoData;
      return result;
    }
    if (holds.as_boolean()) {
      result.outcome = UnitOutcome::kClassified;
      result.class_index = k;
      return result;
    }
  }
  result.outcome = UnitOutcome::kUnclassified;
  return result;
}

std::string outcome_code(const EvaluationSet& set, const UnitEvaluation& result) {
  switch (result.outcome) {
    case UnitOutcome::kNotApplicable: return "not_applicable";
    case UnitOutcome::kNoData: return "no_data";
    case UnitOutcome::kMet: return "met";
    case UnitOutcome::kNotMet: return "not_met";
    case UnitOutcome::kUnclassified: return "unclassified";
    case UnitOutcome::kClassified: return set.versions[result.version].classes[result.class_index].code;
  }
  return "no_data";
}

std::optional<double> OutcomeCounts::share_met() const { return percent(met, assessed()); }

std::optional<double> OutcomeCounts::share_of_class(size_t k) const {
  return percent(classes.at(k), assessed());
}

size_t OutcomeCounts::count_from_class(size_t k) const {
  size_t n = 0;
  for (size_t i = 0; i <= k && i < classes.size(); ++i) n += classes[i];
  return n;
}

std::optional<double> OutcomeCounts::share_from_class(size_t k) const {
  return percent(count_from_class(k), assessed());
}

Result<EvaluationReport> run_evaluation(const std::vector<EvaluationSet>& sets,
                                        const OrgUnitIndex& units,
                                        const ExpressionContext& context, std::string_view unit,
                                        const std::vector<Period>& periods) {
  if (sets.empty()) return Status::invalid_input("set: give at least one evaluation set");
  if (periods.empty()) return Status::invalid_input("pe: give at least one period");
  const std::string ou(unit);
  if (!units.knows(ou)) return Status::not_found("ou: unknown unit \"" + ou + "\"");

  EvaluationReport report;
  report.sets = sets;
  report.unit = ou;
  report.periods = periods;

  // Which version of each set governs each period.
  std::vector<std::vector<size_t>> versions(sets.size());
  for (size_t s = 0; s < sets.size(); ++s) {
    for (const Period& period : periods) {
      std::optional<size_t> v = sets[s].version_for(period);
      if (!v) {
        return Status::invalid_input("set " + sets[s].code + " has no version in force on " +
                                     format_date(period.dates().last) + " (the end of " +
                                     period.label_vi() + ")");
      }
      versions[s].push_back(*v);
    }
  }

  // Evaluate.
  std::map<std::string, std::string> under_names;  // directly under `ou`: code → latest name
  for (size_t p = 0; p < periods.size(); ++p) {
    const DateRange range = periods[p].dates();
    std::vector<const OrgUnitVersion*> self = units.during(ou, range);
    if (self.empty()) {
      return Status::invalid_input("ou: unit " + ou + " is not in force in " + periods[p].label_vi());
    }
    report.unit_name = self.back()->name;
    std::vector<ScopedUnit> scoped = units_in_scope(units, ou, range);
    for (const ScopedUnit& u : scoped) {
      if (u.code == u.under) under_names[u.code] = u.name;
    }
    for (const ScopedUnit& u : scoped) {
      for (size_t s = 0; s < sets.size(); ++s) {
        if (!sets[s].evaluates(u.level)) continue;
        if (!u.under.empty() && under_names.count(u.under) == 0) {
          // Its district was not itself in scope (no version found): name it anyway.
          if (const OrgUnitVersion* v = units.at(u.under, range.last)) under_names[u.under] = v->name;
          else under_names[u.under] = u.under;
        }
        report.units.push_back({s, p, u.code, u.name, u.level, u.under,
                                evaluate_unit(sets[s], versions[s][p], context, u.code, periods[p])});
      }
    }
  }
  std::sort(report.units.begin(), report.units.end(), [](const EvaluatedUnit& a, const EvaluatedUnit& b) {
    return std::tie(a.period, a.under, a.code, a.set) < std::tie(b.period, b.under, b.code, b.set);
  });

  // Groups: the all_criteria sets together, each other set alone.
  std::vector<size_t> all_criteria;
  for (size_t s = 0; s < sets.size(); ++s) {
    if (sets[s].all_criteria()) all_criteria.push_back(s);
  }
  for (size_t s = 0; s < sets.size(); ++s) {
    if (sets[s].all_criteria()) {
      if (s == all_criteria.front()) {
        EvaluationGroup group;
        group.sets = all_criteria;
        report.groups.push_back(std::move(group));
      }
      continue;
    }
    EvaluationGroup group;
    group.sets = {s};
    group.all_criteria = false;
    for (const EvaluationSetVersion& v : sets[s].versions) {
      for (const EvaluationClass& c : v.classes) {
        auto known = std::find_if(group.classes.begin(), group.classes.end(),
                                  [&](const ClassInfo& k) { return k.code == c.code; });
        if (known == group.classes.end()) group.classes.push_back({c.code, c.name_vi, c.name_en});
      }
    }
    report.groups.push_back(std::move(group));
  }

  for (EvaluationGroup& group : report.groups) {
    std::vector<bool> in_group(sets.size(), false);
    for (size_t s : group.sets) in_group[s] = true;
    // Summaries: "" stands for the report's unit and sorts first.
    std::map<std::pair<std::string, size_t>, OutcomeCounts> counts;
    auto counts_of = [&](const std::string& key, size_t period) -> OutcomeCounts& {
      OutcomeCounts& c = counts[{key, period}];
      c.classes.resize(group.classes.size());
      return c;
    };
    for (size_t p = 0; p < periods.size(); ++p) counts_of("", p);
    for (const EvaluatedUnit& u : report.units) {
      if (!in_group[u.set]) continue;
      count(sets[u.set], group, u.result, counts_of("", u.period));
      if (!u.under.empty()) count(sets[u.set], group, u.result, counts_of(u.under, u.period));
    }
    for (const auto& [key, c] : counts) {
      EvaluationSummary summary;
      summary.unit = key.first.empty() ? ou : key.first;
      summary.name = key.first.empty() ? report.unit_name : under_names[key.first];
      summary.period = key.second;
      summary.counts = c;
      summary.change_of_class.resize(group.classes.size());
      summary.change_from_class.resize(group.classes.size());
      if (key.second > 0) {
        auto previous = counts.find({key.first, key.second - 1});
        if (previous != counts.end()) {
          const OutcomeCounts& before = previous->second;
          summary.change_met = group.all_criteria ? difference(c.share_met(), before.share_met())
                                                  : std::nullopt;
          for (size_t k = 0; k < group.classes.size(); ++k) {
            summary.change_of_class[k] = difference(c.share_of_class(k), before.share_of_class(k));
            summary.change_from_class[k] = difference(c.share_from_class(k), before.share_from_class(k));
          }
        }
      }
      group.summaries.push_back(std::move(summary));
    }

    // First → last period, for the units evaluated in both.
    if (periods.size() < 2) continue;
    std::map<std::pair<size_t, std::string>, std::string> first;
    for (const EvaluatedUnit& u : report.units) {
      if (in_group[u.set] && u.period == 0) first[{u.set, u.code}] = outcome_code(sets[u.set], u.result);
    }
    std::map<std::pair<std::string, std::string>, size_t> moves;
    for (const EvaluatedUnit& u : report.units) {
      if (!in_group[u.set] || u.period != periods.size() - 1) continue;
      auto before = first.find({u.set, u.code});
      if (before != first.end()) ++moves[{before->second, outcome_code(sets[u.set], u.result)}];
    }
    for (const auto& [move, n] : moves) group.transitions.push_back({move.first, move.second, n});
    std::sort(group.transitions.begin(), group.transitions.end(),
              [&](const OutcomeTransition& a, const OutcomeTransition& b) {
                return std::pair(outcome_rank(group, a.from), outcome_rank(group, a.to)) <
                       std::pair(outcome_rank(group, b.from), outcome_rank(group, b.to));
              });
  }
  return report;
}

}  // namespace qpan
