// The arithmetic of the demo generator: a seeded pseudo-random sequence that is the same on
// every platform, and exact ways to spread a whole total over weighted cells — largest
// remainders (proportional), weighted draws with capacities (a multinomial that respects
// upper bounds), and weighted choice without replacement. Only integer and basic floating
// point arithmetic is used (no library distributions or transcendental functions), so a
// seed gives the same numbers with any standard library and optimisation level.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qpan::demo {

// SplitMix64: small, fast, and fully specified. Not for cryptography.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [0, 1), 53 random bits.
  double uniform();
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform whole number in [lo, hi] (inclusive); lo <= hi.
  int64_t integer(int64_t lo, int64_t hi);

 private:
  uint64_t state_;
};

// A seed derived from a base seed and a label ("crime.ttxh.cases#0"): different labels give
// unrelated sequences, the same label always the same one.
uint64_t derive_seed(uint64_t base, std::string_view label);

// Splits `total` (>= 0) over items in proportion to `weights` (>= 0, not all zero when
// total > 0): each item gets the floor of its share, and the units left over go to the
// largest remainders (ties: the lower index). The parts sum to `total` exactly.
std::vector<int64_t> largest_remainder(int64_t total, std::span<const double> weights);

// Picks items by weight, with weights that change as it goes (a Fenwick tree over the
// weights: O(log n) per change and per pick).
class WeightedSampler {
 public:
  explicit WeightedSampler(size_t n);
  void set(size_t i, double weight);
  double weight(size_t i) const { return weights_[i]; }
  double total() const { return total_; }
  size_t size() const { return weights_.size(); }
  // The item whose cumulative weight range holds `u` * total(), for `u` in [0, 1). Only
  // items with positive weight are returned. Precondition: total() > 0.
  size_t pick(double u) const;

 private:
  std::vector<double> tree_;
  std::vector<double> weights_;
  double total_ = 0;
};

// Draws `count` units one at a time; each falls on item i with probability proportional
// to weights[i] among the items still below their cap (caps[i] < 0: no cap), starting
// from `start` (the counts already placed, e.g. lower bounds). Items may belong to groups
// (`group[i]`, -1: none) whose summed counts may not pass `group_caps[g]` (< 0: no cap).
// Returns the counts, or nothing when the caps leave no room for all `count` units.
struct DrawInput {
  std::vector<double> weights;
  std::vector<int64_t> caps;         // empty: no caps
  std::vector<int64_t> start;        // empty: all zero
  std::vector<int32_t> group;        // empty: no groups
  std::vector<int64_t> group_caps;
};
std::optional<std::vector<int64_t>> draw_with_caps(int64_t count, const DrawInput& input, Rng& rng);

// One window of a spread_total: cells (a unit in one period) with a weight and bounds, and
// per-unit bounds over the window. Counts are in quanta.
struct SpreadCell {
  double weight = 0;
  int64_t cap = -1;   // at most; -1: no cap
  int64_t floor = 0;  // at least
  int32_t unit = 0;   // index into the unit vectors
};
struct SpreadWindow {
  std::vector<SpreadCell> cells;
  std::vector<std::string> units;  // names, for messages
  std::vector<int64_t> unit_min;   // at least, over the window
  std::vector<int64_t> unit_cap;   // at most, over the window; -1: no cap
};
struct SpreadResult {
  std::vector<int64_t> counts;  // per cell; empty when `error` is set
  std::string error;            // why the bounds cannot hold the total
};

// Spreads `total` over the window by weighted draws within the bounds: cell floors first,
// then each unit below its minimum gets draws among its own cells (evenly when none has
// weight), then the rest is drawn over all cells (draw_with_caps).
SpreadResult spread_draws(int64_t total, const SpreadWindow& window, Rng& rng);
// Spreads by largest remainders of the weights, each scaled by a uniform factor in
// [1 - jitter, 1 + jitter].
std::vector<int64_t> spread_proportional(int64_t total, std::span<const double> weights, double jitter, Rng& rng);
// Puts the total in `lumps` cells chosen by weight, in random sizes (0.5 to 1.5 of the mean).
std::vector<int64_t> spread_lumps(int64_t total, std::span<const double> weights, size_t lumps, Rng& rng);

// Chooses `count` distinct items, each next one with probability proportional to its
// weight among those left (items of weight 0 only when nothing else is left). Returns them
// in the order chosen. Precondition: count <= weights.size().
std::vector<size_t> choose_weighted(size_t count, std::span<const double> weights, Rng& rng);

}  // namespace qpan::demo
