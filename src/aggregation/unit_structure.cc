// The engine's view of the effective-dated hierarchy (see unit_structure.h).
#include "aggregation/unit_structure.h"

#include <algorithm>

namespace qpan::aggregation {
namespace {

Day day_or(const std::optional<Date>& d, Day fallback) { return d ? to_days(*d) : fallback; }

// Deeper than any real hierarchy or lineage chain; guards against cycles in bad data.
constexpr int kMaxDepth = 16;

}  // namespace

UnitStructure::UnitStructure(const OrgUnitIndex& index,
                             const std::unordered_map<std::string, int64_t>& ids) {
  int64_t max_id = 0;
  for (const auto& [code, id] : ids) max_id = std::max(max_id, id);
  codes_.resize(static_cast<size_t>(max_id) + 1);
  for (const auto& [code, id] : ids) {
    id_by_code_.insert(code, static_cast<int32_t>(id));
    codes_[static_cast<size_t>(id)] = code;
  }
  if (id_by_code_.find(kCountryCode) < 0) {
    country_ = static_cast<int32_t>(codes_.size());
    codes_.emplace_back(kCountryCode);
  }
  within_.resize(codes_.size());
  in_force_.resize(codes_.size());
  spans_.resize(codes_.size());
  known_.resize(codes_.size(), false);
  formed_by_lineage_.resize(codes_.size(), false);

  for (const auto& [code, stored_id] : ids) {
    if (!index.knows(code)) continue;
    const auto id = static_cast<int32_t>(stored_id);
    known_[static_cast<size_t>(id)] = true;
    formed_by_lineage_[static_cast<size_t>(id)] = !index.predecessors(code).empty();
    const std::vector<Segment>& segments = timeline(index, code, 0);
    for (const Segment& s : segments) {
      within_[static_cast<size_t>(id)].push_back({id, s.from, s.until});
      for (int32_t ancestor : s.ancestors) within_[static_cast<size_t>(ancestor)].push_back({id, s.from, s.until});
      if (country_ >= 0) within_[static_cast<size_t>(country_)].push_back({id, s.from, s.until});
      Span span{s.from, s.until, s.ancestors};
      if (country_ >= 0) span.ancestors.push_back(country_);
      spans_[static_cast<size_t>(id)].push_back(std::move(span));
      auto& spans = in_force_[static_cast<size_t>(id)];
      if (!spans.empty() && spans.back().second == s.from) {
        spans.back().second = s.until;
      } else {
        spans.emplace_back(s.from, s.until);
      }
    }
  }
  timelines_.clear();
  for (auto& spans : within_) {
    std::sort(spans.begin(), spans.end(), [](const UnitSpan& a, const UnitSpan& b) {
      return a.unit != b.unit ? a.unit < b.unit : a.from < b.from;
    });
  }
}

int32_t UnitStructure::id(std::string_view code) const {
  const int32_t found = id_by_code_.find(code);
  if (found >= 0) return found;
  return code == kCountryCode ? country_ : -1;
}

const std::vector<UnitStructure::Segment>& UnitStructure::timeline(const OrgUnitIndex& index,
                                                                   const std::string& code, int depth) {
  if (auto it = timelines_.find(code); it != timelines_.end()) return it->second;
  std::vector<Segment> out;
  auto add = [&](Day from, Day until, std::vector<int32_t> ancestors) {
    if (from >= until) return;
    if (!out.empty() && out.back().until == from && out.back().ancestors == ancestors) {
      out.back().until = until;  // a new name or type, the same place in the tree
      return;
    }
    out.push_back({from, until, std::move(ancestors)});
  };
  for (const OrgUnitVersion* v : index.history(code)) {
    const Day from = day_or(v->valid_from, kMinDay), until = day_or(v->valid_until, kMaxDay);
    const int32_t parent = v->parent_code.empty() ? -1 : id(v->parent_code);
    if (parent < 0 || depth >= kMaxDepth || v->parent_code == code) {
      add(from, until, {});
      continue;
    }
    // Copy: the recursive call may rehash timelines_.
    const std::vector<Segment> parent_timeline = timeline(index, v->parent_code, depth + 1);
    Day cursor = from;
    for (const Segment& p : parent_timeline) {
      const Day a = std::max(p.from, from), b = std::min(p.until, until);
      if (a >= b) continue;
      add(cursor, a, {});  // the parent was not in force: the unit stands alone
      std::vector<int32_t> ancestors{parent};
      ancestors.insert(ancestors.end(), p.ancestors.begin(), p.ancestors.end());
      add(a, b, std::move(ancestors));
      cursor = b;
    }
    add(cursor, until, {});
  }
  return timelines_[code] = std::move(out);
}

void UnitStructure::spans_within(int32_t root, Day from, Day until, std::vector<UnitSpan>& out) const {
  for (const UnitSpan& s : within_[static_cast<size_t>(root)]) {
    const Day a = std::max(s.from, from), b = std::min(s.until, until);
    if (a < b) out.push_back({s.unit, a, b});
  }
}

Day UnitStructure::next_in_force(int32_t unit, Day day) const {
  for (const auto& [from, until] : in_force_[static_cast<size_t>(unit)]) {
    if (day < until) return std::max(day, from);
  }
  return kMaxDay;
}

Day UnitStructure::previous_in_force(int32_t unit, Day day) const {
  const auto& spans = in_force_[static_cast<size_t>(unit)];
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    if (it->first <= day) return std::min(day, it->second - 1);
  }
  return kMinDay;
}

Status UnitStructure::sources(const OrgUnitIndex& index, const UnitScope& scope, std::vector<Source>& out) const {
  out.clear();
  const int32_t root = id(scope.code);
  if (root < 0 || (!known_[static_cast<size_t>(root)] && root != country_)) {
    return Status::not_found("unknown org unit \"" + scope.code + "\"");
  }
  // The common case, asked at every request: a unit in its own structure, not formed by
  // lineage — no lookups beyond the id.
  if (root == country_ || (!scope.structure_at && !formed_by_lineage_[static_cast<size_t>(root)])) {
    out.push_back({root, kMinDay, kMaxDay, Source::Kind::kFull, 1, {}});
    return Status::ok();
  }
  const std::vector<const OrgUnitVersion*> history = index.history(scope.code);
  if (scope.structure_at) {
    const OrgUnitVersion* v = index.at(scope.code, *scope.structure_at);
    if (v == nullptr) {
      return Status::not_found("org unit \"" + scope.code + "\" is not in force on " +
                               format_date(*scope.structure_at));
    }
    Source self{root, day_or(v->valid_from, kMinDay), day_or(v->valid_until, kMaxDay), Source::Kind::kFull, 1, {}};
    out.push_back(self);
    if (v->valid_from) add_predecessors(index, scope.code, *v->valid_from, self, out);
  } else {
    Source self{root, kMinDay, kMaxDay, Source::Kind::kFull, 1, {}};
    out.push_back(self);
    if (!history.empty() && history.front()->valid_from) {
      add_predecessors(index, scope.code, *history.front()->valid_from, self, out);
    }
  }
  return Status::ok();
}

void UnitStructure::add_predecessors(const OrgUnitIndex& index, const std::string& code, Date began,
                                     const Source& self, std::vector<Source>& out) const {
  const std::vector<LineageStep> steps = index.lineage_ancestry(code, began);
  // Where each step's source went in `out`; -1 for a step not counted (its code has no id,
  // or the step it goes through was not counted).
  std::vector<int64_t> placed(steps.size(), -1);
  for (size_t i = 0; i < steps.size(); ++i) {
    const LineageEdge& e = *steps[i].edge;
    const Source* through = &self;
    if (steps[i].through >= 0) {
      const int64_t at = placed[static_cast<size_t>(steps[i].through)];
      if (at < 0) continue;
      through = &out[static_cast<size_t>(at)];
    }
    const int32_t old_id = id(e.old_code);
    if (old_id < 0) continue;
    Source s{old_id, kMinDay, to_days(e.effective), through->kind, through->weight, through->into};
    if (e.kind == LineageKind::kPartial && s.kind != Source::Kind::kUnallocated) {
      if (e.share) {
        s.kind = Source::Kind::kShared;
        s.weight *= *e.share;
      } else {
        s.kind = Source::Kind::kUnallocated;
      }
      s.into = e.new_code;
    }
    placed[i] = static_cast<int64_t>(out.size());
    out.push_back(std::move(s));
  }
}

}  // namespace qpan::aggregation
