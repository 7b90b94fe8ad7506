// The effective-dated hierarchy as the engine walks it: for every unit, the stretches of
// time (segments) during which its chain of ancestors stayed the same, and for every unit
// the segments of all units ever under it — so "the units under Lào Cai in the structure in
// force at each value's period" is one list, read with each value's date. Also resolves a
// queried unit into its sources: itself and, through lineage, the old units it was formed
// from, each with the window of time it stands for and its weight.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "aggregation/code_index.h"
#include <vector>

#include "aggregation/slots.h"
#include "qpan/aggregation.h"
#include "qpan/org_unit.h"
#include "qpan/status.h"

namespace qpan::aggregation {

// A unit and a stretch of days [from, until).
struct UnitSpan {
  int32_t unit = 0;
  Day from = 0;
  Day until = 0;
};

// One unit whose subtree an answer reads, for a window of days.
struct Source {
  enum class Kind : uint8_t {
    kFull,         // counted whole
    kShared,       // an old unit split over several new ones, counted at `weight`
    kUnallocated,  // split without a share: reported, not counted
  };
  int32_t unit = 0;
  Day from = kMinDay;
  Day until = kMaxDay;
  Kind kind = Kind::kFull;
  double weight = 1;
  std::string into;  // for split units: the new unit the split went into
};

class UnitStructure {
 public:
  // The code of the whole country: every root (province) together.
  static constexpr std::string_view kCountryCode = kCountryUnitCode;

  UnitStructure(const OrgUnitIndex& index, const std::unordered_map<std::string, int64_t>& ids);

  // Store id of a code, or -1. The country code maps to a virtual id past the store's.
  int32_t id(std::string_view code) const;
  const std::string& code(int32_t id) const { return codes_[static_cast<size_t>(id)]; }
  size_t id_count() const { return codes_.size(); }
  bool is_country(std::string_view code) const { return code == kCountryCode && country_ >= 0; }

  // The spans of every unit within `root` (root included), clipped to [from, until), sorted
  // by unit then day.
  void spans_within(int32_t root, Day from, Day until, std::vector<UnitSpan>& out) const;

  // The first day >= `day` on which `unit` is in force (kMaxDay when none); the last day
  // <= `day` on which it is (kMinDay when none).
  Day next_in_force(int32_t unit, Day day) const;
  Day previous_in_force(int32_t unit, Day day) const;

  // A stretch of days [from, until) of a unit with the units above it (nearest first, the
  // country last).
  struct Span {
    Day from = 0, until = 0;
    std::vector<int32_t> ancestors;
  };
  // The unit's stretches, oldest first (empty for a unit never in force).
  const std::vector<Span>& spans_of(int32_t unit) const { return spans_[static_cast<size_t>(unit)]; }
  int32_t country_id() const { return country_; }

  // The sources of a queried unit (see qpan/aggregation.h: UnitScope).
  // Fills `out` (cleared first; a caller asking often reuses it).
  Status sources(const OrgUnitIndex& index, const UnitScope& scope, std::vector<Source>& out) const;

 private:
  struct Segment {
    Day from = 0, until = 0;
    std::vector<int32_t> ancestors;  // nearest first
  };
  const std::vector<Segment>& timeline(const OrgUnitIndex& index, const std::string& code, int depth);
  // Adds the sources of the lineage ancestry of `code` from `began` (OrgUnitIndex::
  // lineage_ancestry), each weighted through the steps that lead to it from `self`.
  void add_predecessors(const OrgUnitIndex& index, const std::string& code, Date began,
                        const Source& self, std::vector<Source>& out) const;

  CodeIndex id_by_code_;
  std::vector<std::string> codes_;
  int32_t country_ = -1;
  std::unordered_map<std::string, std::vector<Segment>> timelines_;  // by code, while building
  std::vector<std::vector<UnitSpan>> within_;                        // by root id
  std::vector<std::vector<std::pair<Day, Day>>> in_force_;           // by id, merged
  std::vector<std::vector<Span>> spans_;                              // by id
  std::vector<bool> known_;              // by id: the index has versions of the code
  std::vector<bool> formed_by_lineage_;  // by id: some lineage edge leads into the code
};

}  // namespace qpan::aggregation
