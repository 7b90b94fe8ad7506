// Roll-up lanes: for one value lane, the sum and count of the values under every unit that
// has units under it, per slot, in the structure in force at each value's slot — kept up to
// date on every write (a write adds its change into the units above it in that period). A
// sum or mean over a province, a district or the country then reads a dozen cells instead
// of walking every commune-month.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "aggregation/slots.h"
#include "aggregation/unit_structure.h"
#include "aggregation/value_lanes.h"

namespace qpan::aggregation {

// The slots [lo, hi] of `type` whose values of `unit` belong to its span [from, until): a
// slot belongs to the span holding the last day of it the unit was in force. Clipped to
// [first, last]; nullopt when none.
std::optional<std::pair<Slot, Slot>> span_slots(const UnitStructure& structure, int32_t unit, PeriodType type,
                                               Day from, Day until, Slot first, Slot last);

class Rollup {
 public:
  // nullptr when the lane holds doubles or the sums would not fit 64 bits.
  static std::unique_ptr<Rollup> build(const Lane& lane, const UnitStructure& structure);

  // Adds the change of one cell (`previous` kMissing: a new value). False when the roll-up
  // can no longer follow the lane (a slot outside it, an overflow): rebuild it.
  // `now` kMissing: the value was deleted.
  bool apply(const Lane& lane, const UnitStructure& structure, int32_t unit, Slot slot, int64_t previous,
             int64_t now);

  // Adds the sums and counts of the values under `unit` over slots [lo, hi].
  void add(int32_t unit, Slot lo, Slot hi, __int128& sum, int64_t& count) const;

  size_t bytes() const { return cells_.capacity() * sizeof(Cell) + row_of_unit_.capacity() * 4; }

 private:
  bool add_cell(int32_t ancestor, Slot slot, int64_t value, int32_t count);

  Slot first_ = 0;
  int32_t width_ = 0;
  std::vector<int32_t> row_of_unit_;
  // A slot's sum and count side by side: a query reads both, from one cache line.
  struct Cell {
    int64_t sum = 0;
    int64_t count = 0;
  };
  Array<Cell> cells_;  // huge pages when large (value_lanes.h)
};

}  // namespace qpan::aggregation
