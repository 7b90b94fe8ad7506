// Tests for packing values created together into one change-log entry: the exact bytes of
// a small packing (the format is stored, so it must not drift), round trips over every
// kind and extreme keys, and malformed bytes refused with the byte named.
#include "store/packed_values.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace qpan {
namespace {

std::vector<ValueWrite> unpack(std::string_view bytes) {
  std::vector<ValueWrite> out;
  Status s = unpack_created_values(bytes, [&](const ValueWrite& w) { out.push_back(w); });
  EXPECT_TRUE(s.is_ok()) << s.message();
  return out;
}

ValueWrite integer_value(ValueKey key, int64_t v) {
  ValueWrite w;
  w.key = key;
  w.integer = v;
  return w;
}

TEST(PackedValuesTest, TheBytesOfASmallPackingAreFixed) {
  // Period 201601 then 201602 (difference 1), unit 5 then 5, element 3, options 0 and 2.
  std::vector<ValueWrite> rows{integer_value({201601, 5, 3, 0, 0}, -2), integer_value({201602, 5, 3, 2, 0}, 300)};
  const std::string packed = pack_created_values(rows);
  const std::string expected{
      "\x01"                           // version
      "\x82\xce\x18" "\x0a" "\x03" "\x00" "\x00" "\x00" "\x03"  // +201601, +5, 3, 0, 0, integer, zigzag(-2)=3
      "\x02" "\x00" "\x03" "\x02" "\x00" "\x00" "\xd8\x04",     // +1, +0, 3, 2, 0, integer, zigzag(300)=600
      18};
  EXPECT_EQ(packed, expected);
}

TEST(PackedValuesTest, EveryKindAndExtremeKeysRoundTrip) {
  std::vector<ValueWrite> rows;
  rows.push_back(integer_value({202506, 1, 1, 0, 0}, std::numeric_limits<int64_t>::min()));
  rows.push_back(integer_value({201601, std::numeric_limits<int32_t>::max(), 7, 9, 4}, std::numeric_limits<int64_t>::max()));
  ValueWrite real;
  real.key = {20161, 0, 2, 0, 0};
  real.kind = TypedValue::Kind::kReal;
  real.real = -67.716;
  rows.push_back(real);
  ValueWrite text;
  text.key = {2016, 3, 4, 0, 0};
  text.kind = TypedValue::Kind::kText;
  text.text = "Đồn Biên phòng Ma Lù Thàng";
  rows.push_back(text);
  ValueWrite flag = integer_value({2016, 3, 5, 0, 0}, 1);
  flag.kind = TypedValue::Kind::kBoolean;
  rows.push_back(flag);

  const std::vector<ValueWrite> back = unpack(pack_created_values(rows));
  ASSERT_EQ(back.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(back[i].key, rows[i].key) << i;
  EXPECT_EQ(back[0].integer, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(back[1].integer, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(back[2].kind, TypedValue::Kind::kReal);
  EXPECT_EQ(back[2].real, -67.716);
  EXPECT_EQ(back[3].kind, TypedValue::Kind::kText);
  EXPECT_TRUE(back[3].text.empty());  // as other log readers: a text value's kind only
  EXPECT_EQ(back[4].kind, TypedValue::Kind::kInteger);  // booleans are stored as integers
  EXPECT_EQ(back[4].integer, 1);
  for (const ValueWrite& w : back) EXPECT_FALSE(w.deleted);
}

TEST(PackedValuesTest, NothingPackedIsOneByte) {
  EXPECT_EQ(pack_created_values({}), std::string("\x01", 1));
  EXPECT_TRUE(unpack(std::string("\x01", 1)).empty());
}

TEST(PackedValuesTest, MalformedBytesAreRefusedNamingTheByte) {
  const std::string good = pack_created_values(std::vector<ValueWrite>{integer_value({201601, 5, 3, 0, 0}, 300)});
  auto refusal = [](std::string_view bytes) {
    return unpack_created_values(bytes, [](const ValueWrite&) {});
  };
  EXPECT_NE(refusal("").message().find("first byte"), std::string::npos);
  EXPECT_NE(refusal("\x02").message().find("first byte"), std::string::npos);
  Status truncated = refusal(std::string_view(good).substr(0, good.size() - 1));
  EXPECT_EQ(truncated.code(), StatusCode::kInvalidInput);
  EXPECT_NE(truncated.message().find("at byte 1"), std::string::npos) << truncated.message();
  std::string bad_tag = good;
  bad_tag[good.size() - 3] = '\x07';  // the kind byte
  EXPECT_FALSE(refusal(bad_tag).is_ok());
  std::string long_text = pack_created_values(std::vector<ValueWrite>{});
  long_text += std::string("\x00\x00\x00\x00\x00\x02\x7f", 7);  // a text of 127 bytes, none there
  EXPECT_FALSE(refusal(long_text).is_ok());
}

}  // namespace
}  // namespace qpan
