// Effective-dated org unit index (see qpan/org_unit.h).
#include "qpan/org_unit.h"

#include <algorithm>

namespace qpan {

std::string_view level_name(OrgUnitLevel level) {
  switch (level) {
    case OrgUnitLevel::kProvince: return "province";
    case OrgUnitLevel::kDistrict: return "district";
    case OrgUnitLevel::kCommune: return "commune";
    case OrgUnitLevel::kVillage: return "village";
    case OrgUnitLevel::kAgency: return "agency";
  }
  return "?";
}

Result<OrgUnitLevel> parse_level(std::string_view name) {
  for (auto level : {OrgUnitLevel::kProvince, OrgUnitLevel::kDistrict, OrgUnitLevel::kCommune,
                     OrgUnitLevel::kVillage, OrgUnitLevel::kAgency}) {
    if (level_name(level) == name) return level;
  }
  return Status::invalid_input("unknown level \"" + std::string(name) +
                               "\" (expected province, district, commune, village or agency)");
}

std::string_view lineage_kind_name(LineageKind kind) {
  return kind == LineageKind::kFull ? "full" : "partial";
}

Result<LineageKind> parse_lineage_kind(std::string_view name) {
  if (name == "full") return LineageKind::kFull;
  if (name == "partial") return LineageKind::kPartial;
  return Status::invalid_input("unknown lineage kind \"" + std::string(name) +
                               "\" (expected full or partial)");
}

OrgUnitIndex::OrgUnitIndex(std::vector<OrgUnitVersion> versions, std::vector<LineageEdge> lineage)
    : versions_(std::move(versions)), lineage_(std::move(lineage)) {
  auto starts_before = [&](uint32_t a, uint32_t b) {
    const auto& fa = versions_[a].valid_from;
    const auto& fb = versions_[b].valid_from;
    if (!fa || !fb) return !fa && fb;  // "since always" comes first
    return *fa < *fb;
  };
  for (uint32_t i = 0; i < versions_.size(); ++i) {
    by_code_[versions_[i].code].push_back(i);
    if (!versions_[i].parent_code.empty()) by_parent_[versions_[i].parent_code].push_back(i);
  }
  for (auto& [code, ids] : by_code_) std::sort(ids.begin(), ids.end(), starts_before);
  for (auto& [code, ids] : by_parent_) {
    std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
      if (versions_[a].code != versions_[b].code) return versions_[a].code < versions_[b].code;
      return starts_before(a, b);
    });
  }
  for (uint32_t i = 0; i < lineage_.size(); ++i) {
    lineage_by_old_[lineage_[i].old_code].push_back(i);
    lineage_by_new_[lineage_[i].new_code].push_back(i);
  }
}

const OrgUnitVersion* OrgUnitIndex::at(std::string_view code, Date date) const {
  auto it = by_code_.find(std::string(code));
  if (it == by_code_.end()) return nullptr;
  for (uint32_t i : it->second) {
    if (versions_[i].valid_at(date)) return &versions_[i];
  }
  return nullptr;
}

std::vector<const OrgUnitVersion*> OrgUnitIndex::history(std::string_view code) const {
  std::vector<const OrgUnitVersion*> out;
  auto it = by_code_.find(std::string(code));
  if (it == by_code_.end()) return out;
  for (uint32_t i : it->second) out.push_back(&versions_[i]);
  return out;
}

std::vector<const OrgUnitVersion*> OrgUnitIndex::during(std::string_view code,
                                                        const DateRange& range) const {
  std::vector<const OrgUnitVersion*> out;
  auto it = by_code_.find(std::string(code));
  if (it == by_code_.end()) return out;
  for (uint32_t i : it->second) {
    if (versions_[i].overlaps(range)) out.push_back(&versions_[i]);
  }
  return out;
}

std::vector<const OrgUnitVersion*> OrgUnitIndex::children(std::string_view code, Date date) const {
  std::vector<const OrgUnitVersion*> out;
  auto it = by_parent_.find(std::string(code));
  if (it == by_parent_.end()) return out;
  for (uint32_t i : it->second) {
    if (versions_[i].valid_at(date)) out.push_back(&versions_[i]);
  }
  return out;
}

std::vector<const OrgUnitVersion*> OrgUnitIndex::ancestors(std::string_view code, Date date) const {
  std::vector<const OrgUnitVersion*> out;
  const OrgUnitVersion* current = at(code, date);
  // The depth bound guards against a cycle in user-supplied parent codes.
  while (current != nullptr && !current->parent_code.empty() && out.size() < 16) {
    current = at(current->parent_code, date);
    if (current != nullptr) out.push_back(current);
  }
  return out;
}

bool OrgUnitIndex::is_within(std::string_view code, std::string_view ancestor,
                             const DateRange& range) const {
  if (code == ancestor) return true;
  std::vector<const OrgUnitVersion*> versions = during(code, range);
  if (versions.empty()) return false;
  const OrgUnitVersion* latest = versions.back();
  Date day = range.last;
  if (latest->valid_until && *latest->valid_until <= day) day = add_days(*latest->valid_until, -1);
  for (const OrgUnitVersion* a : ancestors(code, day)) {
    if (a->code == ancestor) return true;
  }
  return false;
}

std::vector<std::string> OrgUnitIndex::codes_ever_within(std::string_view code) const {
  std::vector<std::string> out{std::string(code)};
  std::unordered_map<std::string, bool> seen{{std::string(code), true}};
  for (size_t i = 0; i < out.size(); ++i) {
    auto it = by_parent_.find(out[i]);
    if (it == by_parent_.end()) continue;
    for (uint32_t child : it->second) {
      const std::string& c = versions_[child].code;
      if (seen.emplace(c, true).second) out.push_back(c);
    }
  }
  return out;
}

std::vector<const LineageEdge*> OrgUnitIndex::successors(std::string_view old_code) const {
  std::vector<const LineageEdge*> out;
  auto it = lineage_by_old_.find(std::string(old_code));
  if (it != lineage_by_old_.end()) {
    for (uint32_t i : it->second) out.push_back(&lineage_[i]);
  }
  return out;
}

std::vector<const LineageEdge*> OrgUnitIndex::predecessors(std::string_view new_code) const {
  std::vector<const LineageEdge*> out;
  auto it = lineage_by_new_.find(std::string(new_code));
  if (it != lineage_by_new_.end()) {
    for (uint32_t i : it->second) out.push_back(&lineage_[i]);
  }
  return out;
}

bool OrgUnitIndex::forms_new_unit(std::string_view code, Date day) const {
  int edges = 0;
  bool only_itself_whole = true;
  for (const LineageEdge* e : predecessors(code)) {
    if (e->effective != day) continue;
    ++edges;
    only_itself_whole = only_itself_whole && e->old_code == code && e->kind == LineageKind::kFull;
  }
  return edges > 0 && !(edges == 1 && only_itself_whole);
}

std::optional<UnitLifetime> OrgUnitIndex::lifetime(std::string_view code, Date date) const {
  const OrgUnitVersion* version = at(code, date);
  if (version == nullptr) return std::nullopt;
  UnitLifetime life{version->valid_from, version->valid_until};
  // Back and forth over versions that follow one another without a new unit between them.
  // The step bound guards against versions that overlap in bad data.
  for (size_t step = 0; life.from && step < versions_.size() && !forms_new_unit(code, *life.from);
       ++step) {
    const OrgUnitVersion* before = at(code, add_days(*life.from, -1));
    if (before == nullptr || before->valid_until != life.from) break;
    life.from = before->valid_from;
  }
  for (size_t step = 0; life.until && step < versions_.size() && !forms_new_unit(code, *life.until);
       ++step) {
    const OrgUnitVersion* after = at(code, *life.until);
    if (after == nullptr || after->valid_from != life.until) break;
    life.until = after->valid_until;
  }
  // Lineage may form a new unit in the middle of a version (a province that absorbed others
  // and kept its name).
  for (const LineageEdge* e : predecessors(code)) {
    if (!life.contains(e->effective) || !forms_new_unit(code, e->effective)) continue;
    if (e->effective <= date) {
      if (!life.from || *life.from < e->effective) life.from = e->effective;
    } else {
      life.until = e->effective;
    }
  }
  return life;
}

std::vector<LineageStep> OrgUnitIndex::lineage_ancestry(std::string_view code, Date began) const {
  std::vector<LineageStep> steps;
  add_ancestry(code, began, -1, 0, steps);
  return steps;
}

void OrgUnitIndex::add_ancestry(std::string_view code, Date began, int through, int depth,
                                std::vector<LineageStep>& steps) const {
  if (depth >= kMaxLineageDepth) return;
  for (const LineageEdge* e : predecessors(code)) {
    if (e->effective != began) continue;
    const bool seen = std::any_of(steps.begin(), steps.end(), [&](const LineageStep& s) {
      return s.edge->old_code == e->old_code && s.edge->effective == e->effective;
    });
    if (seen) continue;
    steps.push_back({e, through});
    // The old unit may itself have been formed from older ones.
    const auto first = by_code_.find(e->old_code);
    if (first == by_code_.end()) continue;
    const std::optional<Date>& first_day = versions_[first->second.front()].valid_from;
    if (first_day && *first_day < began) {
      add_ancestry(e->old_code, *first_day, static_cast<int>(steps.size()) - 1, depth + 1, steps);
    }
  }
}

}  // namespace qpan
