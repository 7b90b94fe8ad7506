// Roll-up lanes (see rollup.h).
#include "aggregation/rollup.h"

namespace qpan::aggregation {

std::optional<std::pair<Slot, Slot>> span_slots(const UnitStructure& structure, int32_t unit, PeriodType type,
                                               Day from, Day until, Slot first, Slot last) {
  if (first > last) return std::nullopt;
  if (!slots_partition(type)) {
    // Overlapping terms: at most one per year; the caller walks them one by one.
    Slot lo = last + 1, hi = first - 1;
    for (Slot slot = first; slot <= last; ++slot) {
      const Day eff = structure.previous_in_force(unit, slot_last_day(type, slot));
      if (eff >= slot_first_day(type, slot) && eff >= from && eff < until) {
        lo = std::min(lo, slot);
        hi = std::max(hi, slot);
      }
    }
    if (lo > hi) return std::nullopt;
    return std::pair(lo, hi);
  }
  const Day window_first = slot_first_day(type, first);
  const Day window_end = slot_last_day(type, last) + 1;
  const Day a = std::max(from, window_first), b = std::min(until, window_end);
  if (a >= b) return std::nullopt;
  const Slot lo = slot_containing(type, a);
  Slot hi = slot_containing(type, b - 1);
  // A slot belongs to the span holding the last day of it the unit was in force.
  if (structure.next_in_force(unit, b) <= slot_last_day(type, hi)) --hi;
  if (lo > hi) return std::nullopt;
  return std::pair(lo, hi);
}

bool Rollup::add_cell(int32_t ancestor, Slot slot, int64_t value, int32_t count) {
  const auto a = static_cast<size_t>(ancestor);
  if (a >= row_of_unit_.size()) row_of_unit_.resize(a + 1, -1);
  if (row_of_unit_[a] < 0) {
    row_of_unit_[a] = static_cast<int32_t>(cells_.size() / static_cast<size_t>(width_));
    cells_.resize(cells_.size() + static_cast<size_t>(width_));
  }
  const size_t i = static_cast<size_t>(row_of_unit_[a]) * static_cast<size_t>(width_) + static_cast<size_t>(slot - first_);
  if (__builtin_add_overflow(cells_[i].sum, value, &cells_[i].sum)) return false;
  cells_[i].count += count;
  return true;
}

std::unique_ptr<Rollup> Rollup::build(const Lane& lane, const UnitStructure& structure) {
  if (lane.is_real()) return nullptr;
  auto out = std::make_unique<Rollup>();
  out->first_ = lane.first_slot();
  out->width_ = lane.end_slot() - lane.first_slot();
  if (out->width_ <= 0) return out;
  const PeriodType type = lane.type();
  for (int32_t unit = 0; unit < static_cast<int32_t>(structure.id_count()); ++unit) {
    const int32_t row = lane.row(unit);
    if (row < 0) continue;
    const int64_t* cells = lane.cells(row) - lane.first_slot();
    for (const UnitStructure::Span& span : structure.spans_of(unit)) {
      if (span.ancestors.empty()) continue;
      const auto slots = span_slots(structure, unit, type, span.from, span.until, lane.first_slot(), lane.end_slot() - 1);
      if (!slots) continue;
      for (Slot slot = slots->first; slot <= slots->second; ++slot) {
        if (cells[slot] == kMissing) continue;
        if (!slots_partition(type)) {
          // Only the terms whose effective day lies in this span.
          const Day eff = structure.previous_in_force(unit, slot_last_day(type, slot));
          if (eff < span.from || eff >= span.until) continue;
        }
        for (int32_t ancestor : span.ancestors) {
          if (!out->add_cell(ancestor, slot, cells[slot], 1)) return nullptr;
        }
      }
    }
  }
  return out;
}

bool Rollup::apply(const Lane& lane, const UnitStructure& structure, int32_t unit, Slot slot, int64_t previous,
                   int64_t now) {
  if (slot < first_ || slot >= first_ + width_) return false;
  const PeriodType type = lane.type();
  const Day eff = structure.previous_in_force(unit, slot_last_day(type, slot));
  if (eff < slot_first_day(type, slot)) return true;  // not in force then: counted nowhere
  for (const UnitStructure::Span& span : structure.spans_of(unit)) {
    if (eff < span.from || eff >= span.until) continue;
    if (previous == kMissing && now == kMissing) return true;
    int64_t delta = 0;
    if (previous == kMissing) {
      delta = now;
    } else if (now == kMissing) {
      delta = -previous;  // a value deleted (previous is never kMissing, the one unnegatable)
    } else if (__builtin_sub_overflow(now, previous, &delta)) {
      return false;
    }
    const int32_t count = previous == kMissing ? 1 : now == kMissing ? -1 : 0;
    for (int32_t ancestor : span.ancestors) {
      if (!add_cell(ancestor, slot, delta, count)) return false;
    }
  }
  return true;
}

void Rollup::add(int32_t unit, Slot lo, Slot hi, __int128& sum, int64_t& count) const {
  const auto u = static_cast<size_t>(unit);
  if (u >= row_of_unit_.size() || row_of_unit_[u] < 0) return;
  lo = std::max(lo, first_);
  hi = std::min(hi, first_ + width_ - 1);
  const size_t base = static_cast<size_t>(row_of_unit_[u]) * static_cast<size_t>(width_);
  for (Slot slot = lo; slot <= hi; ++slot) {
    const Cell& cell = cells_[base + static_cast<size_t>(slot - first_)];
    sum += cell.sum;
    count += cell.count;
  }
}

}  // namespace qpan::aggregation
