// Tests for value types, aggregation names and typed value parsing.
#include "qpan/data_element.h"

#include <gtest/gtest.h>

namespace qpan {
namespace {

TEST(ParseValue, CountsAreWholeAndNonNegative) {
  EXPECT_EQ(parse_value(ValueType::kCount, "0")->integer, 0);
  EXPECT_EQ(parse_value(ValueType::kCount, "449")->integer, 449);
  for (const char* bad : {"-1", "1.5", "abc", "1e3", "+3", "01", "1.009", " 5", ""}) {
    EXPECT_FALSE(parse_value(ValueType::kCount, bad).is_ok()) << bad;
  }
  EXPECT_EQ(parse_value(ValueType::kInteger, "-12")->integer, -12);
}

TEST(ParseValue, NumbersKeepIntegersExact) {
  Result<TypedValue> whole = parse_value(ValueType::kAmountVnd, "67716000000");
  ASSERT_TRUE(whole.is_ok());
  EXPECT_EQ(whole->kind, TypedValue::Kind::kInteger);
  EXPECT_EQ(whole->integer, 67716000000);
  Result<TypedValue> usd = parse_value(ValueType::kAmountUsd, "41570000.25");
  ASSERT_TRUE(usd.is_ok());
  EXPECT_EQ(usd->kind, TypedValue::Kind::kReal);
  EXPECT_EQ(usd->to_string(), "41570000.25");
  EXPECT_EQ(parse_value(ValueType::kNumber, "41.57")->to_string(), "41.57");
  EXPECT_EQ(parse_value(ValueType::kNumber, "-0.5")->to_string(), "-0.5");
  // "12.0" and "12" are the same number and are stored the same way.
  EXPECT_EQ(*parse_value(ValueType::kNumber, "12.0"), *parse_value(ValueType::kNumber, "12"));
  for (const char* bad : {"67,716", "1.2.3", "1.", ".5", "1e5", "nan", "inf"}) {
    EXPECT_FALSE(parse_value(ValueType::kNumber, bad).is_ok()) << bad;
  }
  EXPECT_FALSE(parse_value(ValueType::kAmountVnd, "-5").is_ok());
}

TEST(ParseValue, PercentagesStayWithinZeroToHundred) {
  EXPECT_EQ(parse_value(ValueType::kPercentage, "98.9")->to_string(), "98.9");
  EXPECT_TRUE(parse_value(ValueType::kPercentage, "100").is_ok());
  EXPECT_FALSE(parse_value(ValueType::kPercentage, "100.1").is_ok());
  EXPECT_FALSE(parse_value(ValueType::kPercentage, "-1").is_ok());
}

TEST(ParseValue, BooleansAndText) {
  EXPECT_EQ(parse_value(ValueType::kBoolean, "true")->to_string(), "true");
  EXPECT_EQ(parse_value(ValueType::kBoolean, "0")->to_string(), "false");
  EXPECT_NE(parse_value(ValueType::kBoolean, "yes").status().message().find("true or false"),
            std::string::npos);
  EXPECT_EQ(parse_value(ValueType::kText, "Ma Lù Thàng")->to_string(), "Ma Lù Thàng");
}

TEST(Names, RoundTripAndRejectUnknown) {
  for (auto t : {ValueType::kCount, ValueType::kInteger, ValueType::kNumber, ValueType::kPercentage,
                 ValueType::kAmountVnd, ValueType::kAmountUsd, ValueType::kBoolean, ValueType::kText}) {
    EXPECT_EQ(*parse_value_type(value_type_name(t)), t);
  }
  for (auto a : {AggregationType::kSum, AggregationType::kLast, AggregationType::kAverage,
                 AggregationType::kCountTrue, AggregationType::kMin, AggregationType::kMax,
                 AggregationType::kNone}) {
    EXPECT_EQ(*parse_aggregation(aggregation_name(a)), a);
  }
  Status s = parse_value_type("cnt").status();
  EXPECT_NE(s.message().find("count, integer"), std::string::npos);
  EXPECT_FALSE(parse_aggregation("total").is_ok());
}

}  // namespace
}  // namespace qpan
