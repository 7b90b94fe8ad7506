// Tests for the lanes' arrays (value_lanes.h): growth keeps what was there, new elements are
// default-initialised or take the value given, and memory lent by a mapping is used in place
// until the array grows, when it copies and lets the lender go.
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

}  // namespace
}  // namespace qpan::aggregation
