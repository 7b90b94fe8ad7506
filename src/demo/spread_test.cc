// The demo generator's arithmetic: exact totals, bounds respected, same seed same numbers.
#include "demo/spread.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

namespace qpan::demo {
namespace {

int64_t sum(const std::vector<int64_t>& v) { return std::accumulate(v.begin(), v.end(), int64_t{0}); }

TEST(Rng, SameSeedSameSequenceOtherSeedOther) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
}

TEST(Rng, KnownFirstValuesOfSplitMix64) {
  // Reference values of SplitMix64 with seed 0 (Vigna's reference implementation).
  Rng r(0);
  EXPECT_EQ(r.next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(r.next(), 0x6e789e6aa1b965f4ULL);
}

TEST(Rng, IntegerStaysInRangeAndHitsBothEnds) {
  Rng r(7);
  std::set<int64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const int64_t x = r.integer(-2, 3);
    ASSERT_GE(x, -2);
    ASSERT_LE(x, 3);
    seen.insert(x);
  }
  EXPECT_EQ(seen.size(), 6u);
  for (int i = 0; i < 100; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(DeriveSeed, DependsOnLabelAndBase) {
  EXPECT_EQ(derive_seed(1, "crime.ttxh.cases#0"), derive_seed(1, "crime.ttxh.cases#0"));
  EXPECT_NE(derive_seed(1, "crime.ttxh.cases#0"), derive_seed(1, "crime.ttxh.cases#1"));
  EXPECT_NE(derive_seed(1, "crime.ttxh.cases#0"), derive_seed(2, "crime.ttxh.cases#0"));
}

TEST(LargestRemainder, SplitsExactlyInProportion) {
  const std::vector<double> w{1, 1, 1};
  EXPECT_EQ(largest_remainder(10, w), (std::vector<int64_t>{4, 3, 3}));  // ties: lower index
  const std::vector<double> w2{5, 3, 2};
  EXPECT_EQ(largest_remainder(100, w2), (std::vector<int64_t>{50, 30, 20}));
  const std::vector<double> w3{0, 2, 1};
  EXPECT_EQ(largest_remainder(4, w3), (std::vector<int64_t>{0, 3, 1}));
  EXPECT_EQ(largest_remainder(0, w3), (std::vector<int64_t>{0, 0, 0}));
  // Awkward weights still sum exactly.
  std::vector<double> many;
  for (int i = 1; i <= 152; ++i) many.push_back(1.0 / (i % 7 + 0.3));
  EXPECT_EQ(sum(largest_remainder(1736, many)), 1736);
}

TEST(WeightedSampler, PicksOnlyPositiveWeightsInProportion) {
  WeightedSampler s(4);
  s.set(0, 1);
  s.set(1, 0);
  s.set(2, 3);
  s.set(3, 0);
  EXPECT_DOUBLE_EQ(s.total(), 4);
  Rng r(1);
  int hits[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4000; ++i) ++hits[s.pick(r.uniform())];
  EXPECT_EQ(hits[1], 0);
  EXPECT_EQ(hits[3], 0);
  EXPECT_NEAR(hits[2] / 4000.0, 0.75, 0.04);
  s.set(2, 0);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(s.pick(r.uniform()), 0u);
}

TEST(DrawWithCaps, ExactTotalWithinCapsAndGroupCaps) {
  DrawInput in;
  in.weights = {1, 1, 5, 5, 0};
  in.caps = {3, -1, 2, -1, -1};
  in.start = {1, 0, 0, 0, 0};
  in.group = {0, 0, 1, 1, -1};
  in.group_caps = {-1, 4};
  Rng r(9);
  std::optional<std::vector<int64_t>> got = draw_with_caps(20, in, r);
  ASSERT_TRUE(got);
  EXPECT_EQ(sum(*got), 21);  // the start counts stay
  EXPECT_LE((*got)[0], 3);
  EXPECT_LE((*got)[2], 2);
  EXPECT_LE((*got)[2] + (*got)[3], 4);
  EXPECT_EQ((*got)[4], 0);  // weight 0 never drawn
  EXPECT_GE((*got)[0], 1);
}

TEST(DrawWithCaps, NoRoomIsReported) {
  DrawInput in;
  in.weights = {1, 1};
  in.caps = {1, 2};
  Rng r(3);
  EXPECT_TRUE(draw_with_caps(3, in, r));
  Rng r2(3);
  EXPECT_FALSE(draw_with_caps(4, in, r2));
}

TEST(DrawWithCaps, SameSeedSameCounts) {
  DrawInput in;
  for (int i = 0; i < 500; ++i) in.weights.push_back(1 + i % 13);
  Rng a(11), b(11);
  EXPECT_EQ(*draw_with_caps(449, in, a), *draw_with_caps(449, in, b));
}

TEST(ChooseWeighted, DistinctAndSkipsZeroUntilNothingElse) {
  const std::vector<double> w{0, 1, 1, 0, 1};
  Rng r(5);
  std::vector<size_t> first = choose_weighted(3, w, r);
  EXPECT_EQ(std::set<size_t>(first.begin(), first.end()), (std::set<size_t>{1, 2, 4}));
  Rng r2(5);
  std::vector<size_t> all = choose_weighted(5, w, r2);
  EXPECT_EQ(std::set<size_t>(all.begin(), all.end()).size(), 5u);
  EXPECT_EQ(all[3], 0u);
  EXPECT_EQ(all[4], 3u);
}

TEST(SpreadDraws, FloorsUnitMinimumsAndUnitCapsHold) {
  SpreadWindow w;
  // Two units of three cells; unit 1's cells have no weight but it needs at least 2.
  for (int u = 0; u < 2; ++u) {
    for (int k = 0; k < 3; ++k) w.cells.push_back({u == 0 ? 1.0 : 0.0, -1, 0, u});
  }
  w.cells[0].floor = 2;
  w.units = {"A", "B"};
  w.unit_min = {0, 2};
  w.unit_cap = {6, -1};
  Rng r(4);
  SpreadResult got = spread_draws(8, w, r);
  ASSERT_EQ(got.error, "");
  EXPECT_EQ(sum(got.counts), 8);
  EXPECT_GE(got.counts[0], 2);
  EXPECT_EQ(got.counts[3] + got.counts[4] + got.counts[5], 2);  // only its minimum: no weight
  EXPECT_EQ(got.counts[0] + got.counts[1] + got.counts[2], 6);

  Rng r2(4);
  EXPECT_EQ(spread_draws(9, w, r2).error, "the caps (and cells without weight) leave no room for the whole total 9");
  w.unit_cap[1] = 1;
  Rng r3(4);
  EXPECT_EQ(spread_draws(5, w, r3).error, "unit B must get at least 2 but at most 1");
  w.unit_cap[1] = -1;
  Rng r4(4);
  EXPECT_EQ(spread_draws(3, w, r4).error,
            "the lower bounds (floors, at least one per unit, last year + 1) need 4, more than the total 3");
}

TEST(SpreadProportionalAndLumps, ExactAndShaped) {
  const std::vector<double> w{1, 2, 3, 4, 0};
  Rng r(8);
  const std::vector<int64_t> p = spread_proportional(4157, w, 0.2, r);
  EXPECT_EQ(sum(p), 4157);
  EXPECT_EQ(p[4], 0);
  EXPECT_GT(p[3], p[0]);
  Rng r2(8);
  const std::vector<int64_t> l = spread_lumps(67716, w, 2, r2);
  EXPECT_EQ(sum(l), 67716);
  EXPECT_EQ(std::count_if(l.begin(), l.end(), [](int64_t x) { return x > 0; }), 2);
  EXPECT_EQ(l[4], 0);
}

}  // namespace
}  // namespace qpan::demo
