// Tests for the lanes' arrays (value_lanes.h): growth keeps what was there, new elements are
// default-initialised or take the value given, and memory lent by a mapping is used in place
// until the array grows, when it copies and lets the lender go. And a lane planned for the
// slots of a bulk build: laid out once, widened only by a value outside the plan.
#include "aggregation/value_lanes.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace qpan::aggregation {
namespace {

TEST(ArrayTest, GrowingKeepsTheValuesAndFillsWithTheOneGiven) {
  Array<int64_t> a(3, 7);
  ASSERT_EQ(a.size(), 3u);
  for (size_t n = 4; n <= 5000; ++n) {
    a.resize(n, static_cast<int64_t>(n));
    ASSERT_EQ(a[n - 1], static_cast<int64_t>(n));
  }
  EXPECT_EQ(a[0], 7);
  EXPECT_EQ(a[2], 7);
  EXPECT_EQ(std::accumulate(a.begin() + 3, a.end(), int64_t{0}), int64_t{5000} * 5001 / 2 - 6);
  EXPECT_GE(a.capacity(), a.size());
  a.shrink_to_fit();
  EXPECT_EQ(a.capacity(), a.size());
  EXPECT_EQ(a[4999], 5000);
  // Large enough for huge pages: the same behaviour.
  Array<int64_t> big(1 << 20, kMissing);
  big.resize((1 << 20) + 1, 1);
  EXPECT_EQ(big[0], kMissing);
  EXPECT_EQ(big[1 << 20], 1);
}

TEST(ArrayTest, ElementsWithInitialisersAreInitialised) {
  struct Cell {
    int64_t sum = 0;
    int64_t count = 0;
  };
  Array<Cell> cells;
  cells.resize(1000);
  for (const Cell& c : cells) ASSERT_TRUE(c.sum == 0 && c.count == 0);
}

TEST(ArrayTest, LentMemoryIsUsedInPlaceUntilTheArrayGrows) {
  auto lender = std::make_shared<std::vector<int32_t>>(std::vector<int32_t>{1, 2, 3, 4});
  Array<int32_t> a = Array<int32_t>::lent(lender->data(), 4, lender);
  EXPECT_EQ(lender.use_count(), 2);
  a[1] = 20;  // written where it lies
  EXPECT_EQ((*lender)[1], 20);
  a.shrink_to_fit();  // nothing to give back: still the lent memory
  EXPECT_EQ(a.data(), lender->data());
  Array<int32_t> moved = std::move(a);
  EXPECT_EQ(lender.use_count(), 2);
  moved.resize(5, 5);  // grows into memory of its own, copying
  EXPECT_NE(moved.data(), lender->data());
  EXPECT_EQ(lender.use_count(), 1);
  EXPECT_EQ(std::vector<int32_t>(moved.begin(), moved.end()), (std::vector<int32_t>{1, 20, 3, 4, 5}));
  moved[0] = 10;
  EXPECT_EQ((*lender)[0], 1);
}

TEST(LaneTest, APlannedLaneKeepsItsLayoutForValuesInsideThePlan) {
  Lane lane(PeriodType::kMonth);
  lane.plan(100, 214);
  for (int32_t unit : {0, 5, 2}) {
    for (Slot slot = 213; slot >= 100; slot -= 7) {
      ASSERT_TRUE(lane.set(unit, slot, Decimal::integer(unit * 1000 + slot)).has_value());
    }
  }
  EXPECT_EQ(lane.first_slot(), 100);
  EXPECT_EQ(lane.end_slot(), 214);
  EXPECT_EQ(lane.cells(lane.row(5))[213 - 100], 5213);
  EXPECT_EQ(lane.cells(lane.row(2))[109 - 100], kMissing);  // 213 - 7k never lands on 109
  const size_t count = lane.count();
  // A value before the plan widens the lane, keeping every cell where its slot says.
  ASSERT_TRUE(lane.set(5, 90, Decimal::integer(-1)).has_value());
  EXPECT_LE(lane.first_slot(), 90);
  EXPECT_EQ(lane.end_slot(), 214);
  EXPECT_EQ(lane.cells(lane.row(5))[213 - lane.first_slot()], 5213);
  EXPECT_EQ(lane.cells(lane.row(5))[90 - lane.first_slot()], -1);
  EXPECT_EQ(lane.count(), count + 1);
  // compact() narrows to the used slots: 90 … 213.
  lane.compact();
  EXPECT_EQ(lane.first_slot(), 90);
  EXPECT_EQ(lane.end_slot(), 214);
  EXPECT_EQ(lane.cells(lane.row(0))[206 - 90], 206);
  EXPECT_EQ(lane.count(), count + 1);
}

TEST(LaneTest, CompactNarrowsAPlanWiderThanTheValues) {
  Lane lane(PeriodType::kYear);
  lane.plan(10, 30);
  ASSERT_TRUE(lane.set(3, 12, Decimal::integer(7)).has_value());
  ASSERT_TRUE(lane.set(1, 15, Decimal::integer(8)).has_value());
  lane.compact();
  EXPECT_EQ(lane.first_slot(), 12);
  EXPECT_EQ(lane.end_slot(), 16);
  EXPECT_EQ(lane.cells(lane.row(3))[0], 7);
  EXPECT_EQ(lane.cells(lane.row(1))[3], 8);
  EXPECT_EQ(lane.cells(lane.row(1))[0], kMissing);
}

TEST(LaneTest, APlanComesTooLateForALaneWithValues) {
  Lane lane(PeriodType::kMonth);
  ASSERT_TRUE(lane.set(0, 50, Decimal::integer(1)).has_value());
  const Slot first = lane.first_slot(), end = lane.end_slot();
  lane.plan(0, 500);
  EXPECT_EQ(lane.first_slot(), first);
  EXPECT_EQ(lane.end_slot(), end);
  EXPECT_EQ(lane.cells(lane.row(0))[50 - first], 1);
}

}  // namespace
}  // namespace qpan::aggregation
