// Period slots (see slots.h).
#include "aggregation/slots.h"

#include "qpan/date.h"

namespace qpan::aggregation {
namespace {

Day first_day_of_month(MonthIndex m) {
  return to_days(make_date(year_of(m), static_cast<unsigned>(month_of(m)), 1));
}

// The first month and the number of months of a slot of a month-based type.
std::pair<MonthIndex, int> month_span(PeriodType type, Slot slot) {
  switch (type) {
    case PeriodType::kMonth: return {slot, 1};
    case PeriodType::kQuarter: return {slot * 3, 3};
    case PeriodType::kSixMonth: return {slot * 6, 6};
    case PeriodType::kYear: return {slot * 12, 12};
    case PeriodType::kFiveYear: return {slot * 12, 60};
    default: return {0, 0};
  }
}

}  // namespace

Slot slot_of(const Period& p) {
  switch (p.type()) {
    case PeriodType::kDay: return to_days(p.dates().first);
    case PeriodType::kMonth: return p.first_month();
    case PeriodType::kQuarter: return p.first_month() / 3;
    case PeriodType::kSixMonth: return p.first_month() / 6;
    case PeriodType::kYear:
    case PeriodType::kFiveYear: return p.year();
    case PeriodType::kMonthRange: break;
  }
  return 0;
}

Period period_of(PeriodType type, Slot slot) {
  switch (type) {
    case PeriodType::kDay: return Period::day(from_days(slot));
    case PeriodType::kMonth: return Period::month(year_of(slot), month_of(slot));
    case PeriodType::kQuarter: return Period::quarter(slot / 4, slot % 4 + 1);
    case PeriodType::kSixMonth: return Period::six_month(slot / 2, slot % 2 + 1);
    case PeriodType::kYear: return Period::year(slot);
    case PeriodType::kFiveYear: return Period::five_year(slot);
    case PeriodType::kMonthRange: break;
  }
  return Period::year(slot);
}

Day slot_first_day(PeriodType type, Slot slot) {
  if (type == PeriodType::kDay) return slot;
  return first_day_of_month(month_span(type, slot).first);
}

Day slot_last_day(PeriodType type, Slot slot) {
  if (type == PeriodType::kDay) return slot;
  const auto [first, months] = month_span(type, slot);
  return first_day_of_month(first + months) - 1;
}

Slot slot_containing(PeriodType type, Day day) {
  if (type == PeriodType::kDay) return day;
  const Date d = from_days(day);
  const MonthIndex m = month_index(static_cast<int>(d.year()), static_cast<int>(unsigned(d.month())));
  switch (type) {
    case PeriodType::kMonth: return m;
    case PeriodType::kQuarter: return m / 3;
    case PeriodType::kSixMonth: return m / 6;
    case PeriodType::kYear:
    case PeriodType::kFiveYear: return m / 12;
    default: return m;
  }
}

SlotRanges slots_within(const Period& p) {
  SlotRanges out;
  for (const auto& [lo, hi] : contained_key_ranges(p)) {
    Result<Period> first = Period::from_key(lo), last = Period::from_key(hi);
    if (!first || !last) continue;
    out.by_type[type_index(first->type())] = std::pair(slot_of(*first), slot_of(*last));
  }
  return out;
}

}  // namespace qpan::aggregation
