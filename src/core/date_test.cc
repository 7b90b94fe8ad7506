// Tests for ISO-8601 dates and UTC timestamps (qpan/date.h).
#include "qpan/date.h"

#include <gtest/gtest.h>

#include <string>

namespace qpan {
namespace {

// Expects `result` to fail as invalid input with a message naming `position` and `reason`.
template <typename T>
void expect_error(const Result<T>& result, int position, const std::string& reason) {
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(result.status().message().find("at position " + std::to_string(position) + ":"),
            std::string::npos)
      << result.status().message();
  EXPECT_NE(result.status().message().find(reason), std::string::npos) << result.status().message();
}

TEST(ParseDate, AcceptsIsoDates) {
  auto date = parse_date("2022-03-15");
  ASSERT_TRUE(date.is_ok()) << date.status().message();
  EXPECT_EQ(*date, make_date(2022, 3, 15));
  EXPECT_EQ(*parse_date("1970-01-01"), make_date(1970, 1, 1));
  EXPECT_EQ(*parse_date("0001-01-01"), make_date(1, 1, 1));
  EXPECT_EQ(*parse_date("9999-12-31"), make_date(9999, 12, 31));
}

TEST(ParseDate, AcceptsLeapDaysOnlyInLeapYears) {
  EXPECT_TRUE(parse_date("2024-02-29").is_ok());
  EXPECT_TRUE(parse_date("2000-02-29").is_ok());  // divisible by 400
  expect_error(parse_date("2023-02-29"), 9, "day must be 01–28 in 2023-02");
  expect_error(parse_date("1900-02-29"), 9, "day must be 01–28 in 1900-02");  // by 100, not 400
}

TEST(ParseDate, RejectsDaysThatDoNotExist) {
  expect_error(parse_date("2022-02-30"), 9, "day must be 01–28 in 2022-02");
  expect_error(parse_date("2022-04-31"), 9, "day must be 01–30 in 2022-04");
  expect_error(parse_date("2022-01-32"), 9, "day must be 01–31");
  expect_error(parse_date("2022-01-00"), 9, "day must be 01–31");
  expect_error(parse_date("2022-13-01"), 6, "month must be 01–12");
  expect_error(parse_date("2022-00-10"), 6, "month must be 01–12");
}

TEST(ParseDate, RejectsWrongLengthsAndSigns) {
  expect_error(parse_date(""), 1, "expected 4-digit year, found end of text");
  expect_error(parse_date("2022-3-15"), 7, "expected 2-digit month, found '-'");
  expect_error(parse_date("2022-03-5"), 10, "expected 2-digit day, found end of text");
  expect_error(parse_date("22-03-15"), 3, "expected 4-digit year, found '-'");
  expect_error(parse_date("02022-03-15"), 5, "expected '-' after the year, found '2'");
  expect_error(parse_date("2022-03-150"), 11, "found '0' after the date");
  expect_error(parse_date("+2022-03-15"), 1, "found '+'");
  expect_error(parse_date("-2022-03-15"), 1, "found '-'");
  expect_error(parse_date("2022-+3-15"), 6, "found '+'");
  expect_error(parse_date(" 2022-03-15"), 1, "found a space");
  expect_error(parse_date("2022-03-15 "), 11, "found a space after the date");
  expect_error(parse_date("2022/03/15"), 5, "expected '-' after the year, found '/'");
  expect_error(parse_date("20220315"), 5, "expected '-' after the year");
  expect_error(parse_date("2022-03-15T00:00"), 11, "after the date");
  expect_error(parse_date("２022-03-15"), 1, "found a non-ASCII character");
}

TEST(ParseDate, MessageQuotesTheInput) {
  auto date = parse_date("2022-02-30");
  ASSERT_FALSE(date.is_ok());
  EXPECT_EQ(date.status().message(),
            "malformed date \"2022-02-30\" at position 9: day must be 01–28 in 2022-02");
  EXPECT_TRUE(date.status().is_user_error());
}

TEST(FormatDate, PadsEveryField) {
  EXPECT_EQ(format_date(make_date(2022, 3, 5)), "2022-03-05");
  EXPECT_EQ(format_date(make_date(987, 12, 31)), "0987-12-31");
  EXPECT_EQ(format_date(make_date(2024, 2, 29)), "2024-02-29");
}

TEST(FormatDate, RoundTripsThroughParse) {
  for (int32_t days = to_days(make_date(1, 1, 1)); days <= to_days(make_date(9999, 12, 31));
       days += 997) {
    const Date date = from_days(days);
    auto parsed = parse_date(format_date(date));
    ASSERT_TRUE(parsed.is_ok()) << format_date(date);
    EXPECT_EQ(*parsed, date);
  }
}

TEST(DayNumbers, CountFromTheUnixEpoch) {
  EXPECT_EQ(to_days(make_date(1970, 1, 1)), 0);
  EXPECT_EQ(to_days(make_date(1970, 1, 2)), 1);
  EXPECT_EQ(to_days(make_date(1969, 12, 31)), -1);
  EXPECT_EQ(to_days(make_date(2000, 1, 1)), 10957);
  EXPECT_EQ(to_days(make_date(2022, 3, 15)), 19066);
  EXPECT_EQ(from_days(19066), make_date(2022, 3, 15));
  EXPECT_EQ(from_days(-1), make_date(1969, 12, 31));
  for (int32_t days = -1000; days <= 1000; ++days) EXPECT_EQ(to_days(from_days(days)), days);
}

TEST(DayNumbers, AddDaysCrossesMonthsYearsAndLeapDays) {
  EXPECT_EQ(add_days(make_date(2022, 12, 31), 1), make_date(2023, 1, 1));
  EXPECT_EQ(add_days(make_date(2024, 2, 28), 1), make_date(2024, 2, 29));
  EXPECT_EQ(add_days(make_date(2023, 2, 28), 1), make_date(2023, 3, 1));
  EXPECT_EQ(add_days(make_date(2022, 1, 1), -1), make_date(2021, 12, 31));
  EXPECT_EQ(add_days(make_date(2022, 3, 15), 0), make_date(2022, 3, 15));
  EXPECT_EQ(add_days(make_date(2024, 1, 1), 366), make_date(2025, 1, 1));
}

TEST(TodayUtc, IsARecentValidDate) {
  const Date today = today_utc();
  EXPECT_TRUE(today.ok());
  EXPECT_GE(today, make_date(2024, 1, 1));
  EXPECT_LE(today, make_date(2200, 1, 1));
}

constexpr int64_t kMarch1st2022 = 1646092800;  // 2022-03-01T00:00:00Z

TEST(ParseTimestamp, DateAloneIsMidnightUtc) {
  EXPECT_EQ(*parse_timestamp("1970-01-01"), 0);
  EXPECT_EQ(*parse_timestamp("2022-03-01"), kMarch1st2022);
  EXPECT_EQ(*parse_timestamp("1969-12-31"), -86400);
}

TEST(ParseTimestamp, AcceptsEveryTimeForm) {
  EXPECT_EQ(*parse_timestamp("2022-03-01T07:30"), kMarch1st2022 + 7 * 3600 + 30 * 60);
  EXPECT_EQ(*parse_timestamp("2022-03-01T07:30:15"), kMarch1st2022 + 7 * 3600 + 30 * 60 + 15);
  EXPECT_EQ(*parse_timestamp("2022-03-01 07:30:15"), kMarch1st2022 + 7 * 3600 + 30 * 60 + 15);
  EXPECT_EQ(*parse_timestamp("2022-03-01T23:59:59"), kMarch1st2022 + 86399);
  EXPECT_EQ(*parse_timestamp("2022-03-01T00:00:00Z"), kMarch1st2022);
  EXPECT_EQ(*parse_timestamp("2022-03-01T00:00Z"), kMarch1st2022);
}

TEST(ParseTimestamp, TruncatesFractionsToSeconds) {
  EXPECT_EQ(*parse_timestamp("2022-03-01T00:00:05.999"), kMarch1st2022 + 5);
  EXPECT_EQ(*parse_timestamp("2022-03-01T00:00:05.1Z"), kMarch1st2022 + 5);
  EXPECT_EQ(*parse_timestamp("2022-03-01T00:00:05.123456789+00:00"), kMarch1st2022 + 5);
}

TEST(ParseTimestamp, ConvertsOffsetsToUtc) {
  EXPECT_EQ(*parse_timestamp("2022-03-01T07:00:00+07:00"), kMarch1st2022);
  EXPECT_EQ(format_timestamp(*parse_timestamp("2022-03-01T07:00:00+07:00")),
            "2022-03-01T00:00:00Z");
  EXPECT_EQ(*parse_timestamp("2022-03-01T07:00:00+0700"), kMarch1st2022);
  EXPECT_EQ(*parse_timestamp("2022-03-01T07:00+07:00"), kMarch1st2022);
  EXPECT_EQ(*parse_timestamp("2022-03-01T00:00:00+0000"), kMarch1st2022);
  EXPECT_EQ(*parse_timestamp("2022-03-01T00:00:00-00:00"), kMarch1st2022);
  EXPECT_EQ(*parse_timestamp("2022-02-28T19:00:00-05:00"), kMarch1st2022);
  EXPECT_EQ(*parse_timestamp("2022-03-01T05:30:00+05:30"), kMarch1st2022);
  EXPECT_EQ(*parse_timestamp("2022-03-01T00:00:00.5+07:00"), kMarch1st2022 - 7 * 3600);
  // An offset can move the instant into the previous year.
  EXPECT_EQ(format_timestamp(*parse_timestamp("2022-01-01T03:00:00+07:00")),
            "2021-12-31T20:00:00Z");
}

TEST(ParseTimestamp, RejectsMalformedTimes) {
  expect_error(parse_timestamp("2022-03-01X07:00"), 11, "expected 'T' or a space");
  expect_error(parse_timestamp("2022-03-01T"), 12, "expected 2-digit hour, found end of text");
  expect_error(parse_timestamp("2022-03-01T7:00"), 13, "expected 2-digit hour, found ':'");
  expect_error(parse_timestamp("2022-03-01T07"), 14, "expected ':' after the hour");
  expect_error(parse_timestamp("2022-03-01T24:00"), 12, "hour must be 00–23");
  expect_error(parse_timestamp("2022-03-01T07:60"), 15, "minute must be 00–59");
  expect_error(parse_timestamp("2022-03-01T07:00:60"), 18, "second must be 00–59");
  expect_error(parse_timestamp("2022-03-01T07:00:0"), 19, "expected 2-digit second");
  expect_error(parse_timestamp("2022-03-01T07:00:00."), 21, "expected digits after '.'");
  expect_error(parse_timestamp("2022-03-01T07:00.5"), 17, "expected 'Z'");
  expect_error(parse_timestamp("2022-03-01T07:00:00Z "), 21, "after the timestamp");
  expect_error(parse_timestamp("2022-03-01T07:00:00ZZ"), 21, "found 'Z' after the timestamp");
  expect_error(parse_timestamp("2022-03-01T07:00:00 +07:00"), 20, "expected 'Z'");
  expect_error(parse_timestamp("2022-03-01T07:00:00z"), 20, "expected 'Z'");
}

TEST(ParseTimestamp, RejectsMalformedOffsets) {
  expect_error(parse_timestamp("2022-03-01T07:00:00+07"), 23,
               "expected 2-digit offset minute, found end of text");
  expect_error(parse_timestamp("2022-03-01T07:00:00+7:00"), 22, "expected 2-digit offset hour");
  expect_error(parse_timestamp("2022-03-01T07:00:00+24:00"), 21, "offset hour must be 00–23");
  expect_error(parse_timestamp("2022-03-01T07:00:00+07:60"), 24, "offset minute must be 00–59");
  expect_error(parse_timestamp("2022-03-01T07:00:00+07:00:00"), 26, "after the timestamp");
}

TEST(ParseTimestamp, RejectsBadDatesWithTheirPosition) {
  expect_error(parse_timestamp("2022-02-30T00:00"), 9, "day must be 01–28 in 2022-02");
  expect_error(parse_timestamp("2022-3-01"), 7, "expected 2-digit month");
  auto result = parse_timestamp("2022-13-01T00:00");
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().message(),
            "malformed timestamp \"2022-13-01T00:00\" at position 6: month must be 01–12");
}

TEST(FormatTimestamp, WritesUtcWithSeconds) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(kMarch1st2022 + 7 * 3600 + 30 * 60 + 15), "2022-03-01T07:30:15Z");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59Z");  // floors, does not truncate
  EXPECT_EQ(format_timestamp(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_timestamp(4102444799), "2099-12-31T23:59:59Z");
}

TEST(FormatTimestamp, RoundTripsThroughParse) {
  for (int64_t t = -2'000'000'000; t <= 4'000'000'000; t += 7'777'777) {
    auto parsed = parse_timestamp(format_timestamp(t));
    ASSERT_TRUE(parsed.is_ok()) << format_timestamp(t);
    EXPECT_EQ(*parsed, t);
  }
}

}  // namespace
}  // namespace qpan
