// The bulk build's reordering of values, from the store's order to the lanes'. The store
// gives values period by period (its key's order), while a lane keeps a unit's periods side
// by side: applied as they come, every value's cell is a cache miss, since the rest of the
// period has evicted the line after its neighbour was written (on 98.6 M values, writing
// the cells was 39 % of the server's time in a start over PostgreSQL). Held for a few
// periods and applied unit by unit, neighbouring cells are written one after the other.
// Any order is applied whole, each value once; only the gain depends on the store's order.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "aggregation/value_lanes.h"
#include "qpan/value_store.h"

namespace qpan::aggregation {

class BuildWindow {
 public:
  // Holds up to `max_periods` runs of one period and `max_values` values in all (24 bytes
  // each) before applying them.
  BuildWindow(size_t max_periods, size_t max_values) : max_periods_(max_periods), max_values_(max_values) {}

  // Holds `n`, first applying what is held when the window is full: `n` would start a run
  // beyond its periods, or its values are at the bound.
  // `apply(const ValueKey&, const Decimal&)` gets every value once; the key's attribute
  // is always 0 (the engine keeps none).
  template <typename Apply>
  void add(const StoredNumber& n, Apply&& apply) {
    if (held_.size() >= max_values_) flush(apply);  // a run may be cut: the window's memory is bounded
    if (runs_.empty() || n.key.period != runs_.back().period) {
      if (runs_.size() >= max_periods_) flush(apply);
      runs_.push_back({n.key.period, held_.size()});
    }
    held_.push_back({n.key.unit_id, n.key.element_id, n.key.option_id, n.is_real,
                     n.is_real ? std::bit_cast<int64_t>(n.real) : n.integer});
  }

  // Applies what is held: the runs' values of the lowest unit at the runs' heads, run by
  // run, then the next unit's. With each run in unit order (the store's), that is every
  // unit's values of the window's periods together.
  template <typename Apply>
  void flush(Apply&& apply) {
    std::vector<size_t>& next = next_;
    next.clear();
    for (const Run& run : runs_) next.push_back(run.begin);
    const auto end_of = [&](size_t r) { return r + 1 < runs_.size() ? runs_[r + 1].begin : held_.size(); };
    for (;;) {
      bool any = false;
      int32_t unit = 0;
      for (size_t r = 0; r < runs_.size(); ++r) {
        if (next[r] == end_of(r)) continue;
        unit = any ? std::min(unit, held_[next[r]].unit) : held_[next[r]].unit;
        any = true;
      }
      if (!any) break;
      for (size_t r = 0; r < runs_.size(); ++r) {
        const size_t end = end_of(r);
        for (; next[r] < end && held_[next[r]].unit == unit; ++next[r]) {
          const Held& h = held_[next[r]];
          apply(ValueKey{runs_[r].period, h.unit, h.element, h.option, 0},
                h.is_real ? Decimal::from_double(std::bit_cast<double>(h.bits)) : Decimal::integer(h.bits));
        }
      }
    }
    held_.clear();
    runs_.clear();
  }

 private:
  struct Held {
    int32_t unit, element, option;
    bool is_real;
    int64_t bits;  // the integer, or the double's bits
  };
  struct Run {
    int64_t period;
    size_t begin;  // its first value in held_
  };

  size_t max_periods_, max_values_;
  std::vector<Held> held_;
  std::vector<Run> runs_;
  std::vector<size_t> next_;
};

}  // namespace qpan::aggregation
