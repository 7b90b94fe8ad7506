// Tests for CodeIndex: unit codes of every length found again after the table grows, codes
// longer than 8 bytes, replacing an id, and codes that differ only in their last byte.
#include "aggregation/code_index.h"

#include <gtest/gtest.h>

#include <string>

namespace qpan::aggregation {
namespace {

// "00042": a five-digit commune code.
std::string code_of(int i) {
  const std::string digits = std::to_string(i);
  return std::string(5 - digits.size(), '0') + digits;
}

TEST(CodeIndexTest, FindsEveryCodeAfterGrowing) {
  CodeIndex index;
  EXPECT_EQ(index.find("01"), -1);
  for (int i = 0; i < 20'000; ++i) index.insert(code_of(i), i);
  index.insert("VN", 20'000);
  index.insert("LC-TRUONG-01", 20'001);  // longer than 8 bytes
  for (int i = 0; i < 20'000; ++i) ASSERT_EQ(index.find(code_of(i)), i) << code_of(i);
  EXPECT_EQ(index.find("VN"), 20'000);
  EXPECT_EQ(index.find("LC-TRUONG-01"), 20'001);
  EXPECT_EQ(index.find("LC-TRUONG-02"), -1);
  EXPECT_EQ(index.find("0000"), -1);    // a prefix of "00001" is another code
  EXPECT_EQ(index.find("000010"), -1);  // and so is a longer one
  EXPECT_EQ(index.find(""), -1);
  index.insert("VN", 7);
  EXPECT_EQ(index.find("VN"), 7);
}

}  // namespace
}  // namespace qpan::aggregation
