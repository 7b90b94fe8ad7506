// Period slots: each single period type numbered consecutively in time (a month is its
// MonthIndex, a quarter year*4+q-1, a half year*2+h-1, a year itself, a day its day number,
// a five-year term its first year), so the values of one type sit in an array indexed by
// slot and "every quarter within 2016..2018" is one slot range.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "qpan/period.h"

namespace qpan::aggregation {

using Slot = int32_t;
using Day = int32_t;  // days since 1970-01-01 (to_days)

inline constexpr Day kMinDay = -100000;  // open "since always" ends
inline constexpr Day kMaxDay = 1000000;  // open "still in force" ends

// The period types values are stored with (month ranges are query-only).
inline constexpr int kStoredTypes = 6;
inline int type_index(PeriodType t) { return static_cast<int>(t) - 1; }  // day = 0 … five_year = 5
inline PeriodType type_at(int index) { return static_cast<PeriodType>(index + 1); }

// The slot of a stored period (not a month range).
Slot slot_of(const Period& p);
Period period_of(PeriodType type, Slot slot);

// The days of a slot (calendar months).
Day slot_first_day(PeriodType type, Slot slot);
Day slot_last_day(PeriodType type, Slot slot);

// The slot containing `day`; for five-year terms (which overlap) the term starting that year.
Slot slot_containing(PeriodType type, Day day);

// Whether slots of this type partition time (every type but five-year terms).
inline bool slots_partition(PeriodType t) { return t != PeriodType::kFiveYear; }

// For each stored type, the inclusive slot range of the periods of that type lying within
// `p`, or nullopt when none does.
struct SlotRanges {
  std::optional<std::pair<Slot, Slot>> by_type[kStoredTypes];
};
SlotRanges slots_within(const Period& p);

}  // namespace qpan::aggregation
