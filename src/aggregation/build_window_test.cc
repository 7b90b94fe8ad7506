// Tests for the bulk build's window (build_window.h): values in the store's order come out
// unit by unit across the window's periods; any order comes out whole, each value once; the
// window's bounds on periods and values hold.
#include "aggregation/build_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace qpan::aggregation {
namespace {

StoredNumber number(int64_t period, int32_t unit, int32_t element, int64_t v) {
  StoredNumber n;
  n.key = {period, unit, element, 0, 0};
  n.integer = v;
  return n;
}

// What `window` applies for `input`, as "period/unit/element=value", in order.
std::vector<std::string> applied(BuildWindow& window, const std::vector<StoredNumber>& input) {
  std::vector<std::string> out;
  const auto record = [&](const ValueKey& k, const Decimal& d) {
    EXPECT_EQ(k.attribute_id, 0);
    out.push_back(std::to_string(k.period) + "/" + std::to_string(k.unit_id) + "/" + std::to_string(k.element_id) +
                  "=" + (d.is_real  ? std::to_string(d.real)
                   : d.scale ? std::to_string(d.mantissa) + "/10^" + std::to_string(d.scale)
                             : std::to_string(d.mantissa)));
  };
  for (const StoredNumber& n : input) window.add(n, record);
  window.flush(record);
  return out;
}

// Periods 1..3, units 10 and 20, elements 1 and 2, in key order (period, unit, element).
std::vector<StoredNumber> store_order() {
  std::vector<StoredNumber> in;
  for (int64_t p = 1; p <= 3; ++p) {
    for (int32_t u : {10, 20}) {
      for (int32_t e : {1, 2}) in.push_back(number(p, u, e, p * 100 + u + e));
    }
  }
  return in;
}

TEST(BuildWindowTest, TheStoresOrderComesOutUnitByUnitAcrossThePeriods) {
  BuildWindow window(8, 1000);
  EXPECT_EQ(applied(window, store_order()),
            (std::vector<std::string>{"1/10/1=111", "1/10/2=112", "2/10/1=211", "2/10/2=212", "3/10/1=311", "3/10/2=312",
                                      "1/20/1=121", "1/20/2=122", "2/20/1=221", "2/20/2=222", "3/20/1=321",
                                      "3/20/2=322"}));
}

TEST(BuildWindowTest, AWindowOfTwoPeriodsAppliesThemBeforeTheThird) {
  BuildWindow window(2, 1000);
  EXPECT_EQ(applied(window, store_order()),
            (std::vector<std::string>{"1/10/1=111", "1/10/2=112", "2/10/1=211", "2/10/2=212", "1/20/1=121", "1/20/2=122",
                                      "2/20/1=221", "2/20/2=222", "3/10/1=311", "3/10/2=312", "3/20/1=321",
                                      "3/20/2=322"}));
}

TEST(BuildWindowTest, TheBoundOnValuesCutsARun) {
  BuildWindow window(8, 3);
  // Held and applied in threes: 1/10/1 1/10/2 1/20/1; 1/20/2 2/10/1 2/10/2 (unit 10 first);
  // 2/20/1 2/20/2 3/10/1 (unit 10 first); 3/10/2 3/20/1 3/20/2.
  EXPECT_EQ(applied(window, store_order()),
            (std::vector<std::string>{"1/10/1=111", "1/10/2=112", "1/20/1=121", "2/10/1=211", "2/10/2=212", "1/20/2=122",
                                      "3/10/1=311", "2/20/1=221", "2/20/2=222", "3/10/2=312", "3/20/1=321",
                                      "3/20/2=322"}));
}

TEST(BuildWindowTest, AnyOrderComesOutWholeEachValueOnce) {
  std::vector<StoredNumber> in = store_order();
  std::reverse(in.begin(), in.end());  // units descending in each run
  StoredNumber real = number(2, 15, 3, 0);
  real.is_real = true;
  real.real = -2.75;
  in.insert(in.begin() + 5, real);
  in.push_back(number(1, 30, 1, 7));  // period 1 again, after the others
  in.push_back(number(1, 5, 1, 8));
  for (size_t periods : {1, 2, 8}) {
    for (size_t values : {1, 4, 1000}) {
      BuildWindow window(periods, values);
      std::vector<std::string> out = applied(window, in);
      std::vector<std::string> want = applied(*std::make_unique<BuildWindow>(1, 1), in);  // as they come
      EXPECT_EQ(want.size(), in.size());
      std::sort(out.begin(), out.end());
      std::sort(want.begin(), want.end());
      EXPECT_EQ(out, want) << periods << " periods, " << values << " values";
      EXPECT_NE(std::find(out.begin(), out.end(), "2/15/3=-275/10^2"), out.end());
    }
  }
}

}  // namespace
}  // namespace qpan::aggregation
