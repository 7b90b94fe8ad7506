// Tests for reporting periods: codes, labels, both calendars, navigation and keys (qpan/period.h).
#include "qpan/period.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace qpan {
namespace {

Period parsed(std::string_view code) {
  auto period = Period::parse(code);
  EXPECT_TRUE(period.is_ok()) << code << ": " << period.status().message();
  return period.is_ok() ? *period : Period::year(1900);
}

// Expects parsing `code` to fail as invalid input, naming `position` and `reason`.
void expect_parse_error(std::string_view code, int position, const std::string& reason) {
  auto period = Period::parse(code);
  ASSERT_FALSE(period.is_ok()) << code << " parsed as " << period->code();
  const std::string message = period.status().message();
  EXPECT_EQ(period.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(message.rfind("malformed period \"" + std::string(code) + "\" at position " +
                              std::to_string(position) + ": ",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find(reason), std::string::npos) << message;
}

DateRange range(Date first, Date last) { return {first, last}; }

// One period of each type, plus ranges of every label shape.
const std::vector<std::string>& sample_codes() {
  static const std::vector<std::string> codes = {
      "20220315",       "20240229",       "19000101",       "29991231",       "202203",
      "190001",         "299912",         "2022Q1",         "2022Q4",         "2022S1",
      "2022S2",         "2022",           "1900",           "2999",           "2016-2020",
      "1900-1904",      "2995-2999",      "202201..202209", "202201..202201", "201601..201806",
      "201603..201806", "201803..201806", "190001..299912"};
  return codes;
}

TEST(PeriodParse, Day) {
  const Period p = parsed("20220315");
  EXPECT_EQ(p.type(), PeriodType::kDay);
  EXPECT_EQ(p, Period::day(make_date(2022, 3, 15)));
  EXPECT_EQ(p.year(), 2022);
  EXPECT_EQ(parsed("20240229"), Period::day(make_date(2024, 2, 29)));
  EXPECT_EQ(parsed("20000229"), Period::day(make_date(2000, 2, 29)));
}

TEST(PeriodParse, Month) {
  const Period p = parsed("202203");
  EXPECT_EQ(p.type(), PeriodType::kMonth);
  EXPECT_EQ(p, Period::month(2022, 3));
  EXPECT_EQ(p.year(), 2022);
  EXPECT_EQ(parsed("202212"), Period::month(2022, 12));
}

TEST(PeriodParse, QuarterAndHalf) {
  for (int q = 1; q <= 4; ++q) {
    const Period p = parsed("2022Q" + std::to_string(q));
    EXPECT_EQ(p.type(), PeriodType::kQuarter);
    EXPECT_EQ(p, Period::quarter(2022, q));
  }
  EXPECT_EQ(parsed("2022S1"), Period::six_month(2022, 1));
  EXPECT_EQ(parsed("2022S2"), Period::six_month(2022, 2));
  EXPECT_EQ(parsed("2022S2").type(), PeriodType::kSixMonth);
  EXPECT_EQ(parsed("2022S2").year(), 2022);
}

TEST(PeriodParse, YearAndFiveYearTerm) {
  EXPECT_EQ(parsed("2022"), Period::year(2022));
  EXPECT_EQ(parsed("2022").type(), PeriodType::kYear);
  EXPECT_EQ(parsed("1900"), Period::year(1900));
  EXPECT_EQ(parsed("2999"), Period::year(2999));
  const Period term = parsed("2016-2020");
  EXPECT_EQ(term.type(), PeriodType::kFiveYear);
  EXPECT_EQ(term, Period::five_year(2016));
  EXPECT_EQ(term.year(), 2016);
}

TEST(PeriodParse, RangesCoverWholeMonthsFromStartToEnd) {
  EXPECT_EQ(parsed("201601..201806"),
            Period::month_range(month_index(2016, 1), month_index(2018, 6)));
  EXPECT_EQ(parsed("2016..2018").code(), "201601..201812");
  EXPECT_EQ(parsed("2022Q1..2022Q3").code(), "202201..202209");
  EXPECT_EQ(parsed("2022S2..2023Q1").code(), "202207..202303");
  EXPECT_EQ(parsed("202203..2022").code(), "202203..202212");
  EXPECT_EQ(parsed("2021..2022S1").code(), "202101..202206");
  EXPECT_EQ(parsed("2022Q2..202204").code(), "202204..202204");  // ends inside its start
  EXPECT_EQ(parsed("202201..202201").code(), "202201..202201");
  const Period p = parsed("2022Q1..2022Q3");
  EXPECT_EQ(p.type(), PeriodType::kMonthRange);
  EXPECT_EQ(p.year(), 2022);
  EXPECT_EQ(p.month_count(), 9);
}

TEST(PeriodParse, RangeIsNotTheSamePeriodAsItsSingleCounterpart) {
  EXPECT_NE(parsed("2022Q1..2022Q1"), Period::quarter(2022, 1));
  EXPECT_NE(parsed("202203..202203"), Period::month(2022, 3));
  EXPECT_EQ(parsed("2022Q1..2022Q1").dates(), Period::quarter(2022, 1).dates());
}

TEST(PeriodParse, RejectsBadYears) {
  expect_parse_error("", 1, "expected a four-digit year, found end of text");
  expect_parse_error("202", 4, "expected a four-digit year, found end of text");
  expect_parse_error("20a2", 3, "expected a four-digit year, found 'a'");
  expect_parse_error("-2022", 1, "found '-'");
  expect_parse_error("+2022", 1, "found '+'");
  expect_parse_error(" 2022", 1, "found a space");
  expect_parse_error("２０２２", 1, "found a non-ASCII character");
  expect_parse_error("1899", 1, "year must be 1900–2999");
  expect_parse_error("3000", 1, "year must be 1900–2999");
  expect_parse_error("0000Q1", 1, "year must be 1900–2999");
  expect_parse_error("189912", 1, "year must be 1900–2999");
}

TEST(PeriodParse, RejectsBadQuartersAndHalves) {
  expect_parse_error("2022Q5", 6, "quarter must be 1–4");
  expect_parse_error("2022Q0", 6, "quarter must be 1–4");
  expect_parse_error("2022Q", 6, "expected quarter 1–4, found end of text");
  expect_parse_error("2022QI", 6, "expected quarter 1–4, found 'I'");
  expect_parse_error("2022Q12", 7, "found '2' after the quarter");
  expect_parse_error("2022Q1 ", 7, "found a space after the quarter");
  expect_parse_error("2022q1", 5, "found 'q'");
  expect_parse_error("2022S3", 6, "half must be 1 or 2");
  expect_parse_error("2022S0", 6, "half must be 1 or 2");
  expect_parse_error("2022S", 6, "expected half 1 or 2, found end of text");
  expect_parse_error("2022S1x", 7, "found 'x' after the half-year");
  expect_parse_error("2022H1", 5,
                     "expected a month (MM), day (MMDD), 'Q', 'S' or '-' after the year");
}

TEST(PeriodParse, RejectsBadMonthsAndDays) {
  expect_parse_error("202213", 5, "month must be 01–12");
  expect_parse_error("202200", 5, "month must be 01–12");
  expect_parse_error("20221", 5, "expected two digits for a month (YYYYMM) or four for a day");
  expect_parse_error("2022031", 5, "found 3");
  expect_parse_error("202203150", 9, "too many digits");
  expect_parse_error("2022.5", 5, "found '.'");
  expect_parse_error("2022 ", 5, "found a space");
  expect_parse_error("202203x", 7, "found 'x' after the month");
  expect_parse_error("20220230", 7, "day must be 01–28 in 2022-02");
  expect_parse_error("20230229", 7, "day must be 01–28 in 2023-02");
  expect_parse_error("21000229", 7, "day must be 01–28 in 2100-02");
  expect_parse_error("20220431", 7, "day must be 01–30 in 2022-04");
  expect_parse_error("20220100", 7, "day must be 01–31 in 2022-01");
  expect_parse_error("20221301", 5, "month must be 01–12");
  expect_parse_error("2022-03-15", 8, "expected a four-digit year, found '-'");
}

TEST(PeriodParse, RejectsFiveYearTermsOfOtherLengths) {
  expect_parse_error("2016-2021", 6,
                     "a five-year term spans exactly five years (2016-2020), not 2016-2021");
  expect_parse_error("2016-2019", 6, "spans exactly five years");
  expect_parse_error("2016-2016", 6, "spans exactly five years");
  expect_parse_error("2020-2016", 6, "spans exactly five years");
  expect_parse_error("2016-20", 8, "expected a four-digit year, found end of text");
  expect_parse_error("2016-", 6, "expected a four-digit year, found end of text");
  expect_parse_error("2016-2020x", 10, "found 'x' after the five-year term");
  expect_parse_error("2996-3000", 6, "year must be 1900–2999");
}

TEST(PeriodParse, RejectsBadRanges) {
  expect_parse_error("2022..2021", 7, "the range ends before it starts");
  expect_parse_error("202206..202205", 9, "the range ends before it starts");
  expect_parse_error("2022Q2..202203", 9, "the range ends before it starts");
  expect_parse_error("20220301..202203", 1,
                     "a range must start with a month, quarter, half-year or year");
  expect_parse_error("2016-2020..2022", 1, "a range must start with");
  expect_parse_error("202203..20220331", 9,
                     "a range must end with a month, quarter, half-year or year");
  expect_parse_error("2016..2016-2020", 7, "a range must end with");
  expect_parse_error("..2022", 1, "expected a four-digit year, found '.'");
  expect_parse_error("2022..", 7, "expected a four-digit year, found end of text");
  expect_parse_error("2022...2023", 7, "expected a four-digit year, found '.'");
  expect_parse_error("2016..2017..2018", 11, "found '.'");
  expect_parse_error("2022Q5..2022Q6", 6, "quarter must be 1–4");
  expect_parse_error("2022Q1..2022Q5", 14, "quarter must be 1–4");
  expect_parse_error("2022..3000", 7, "year must be 1900–2999");
  expect_parse_error("2022 .. 2023", 5, "found a space");
}

TEST(PeriodCode, RoundTripsForEveryType) {
  for (const std::string& code : sample_codes()) {
    const Period p = parsed(code);
    EXPECT_EQ(p.code(), code);
    EXPECT_EQ(parsed(p.code()), p) << code;
  }
}

TEST(PeriodCode, RoundTripsForEveryMonthAndManyDays) {
  for (int year = 1900; year <= 2999; ++year) {
    for (int month = 1; month <= 12; ++month) {
      const Period p = Period::month(year, month);
      auto back = Period::parse(p.code());
      ASSERT_TRUE(back.is_ok()) << p.code();
      ASSERT_EQ(*back, p);
    }
  }
  for (int32_t days = to_days(make_date(1900, 1, 1)); days <= to_days(make_date(2999, 12, 31));
       days += 37) {
    const Period p = Period::day(from_days(days));
    auto back = Period::parse(p.code());
    ASSERT_TRUE(back.is_ok()) << p.code();
    ASSERT_EQ(*back, p);
  }
}

TEST(PeriodCode, FactoriesProduceCanonicalCodes) {
  EXPECT_EQ(Period::day(make_date(2022, 1, 5)).code(), "20220105");
  EXPECT_EQ(Period::month(2022, 1).code(), "202201");
  EXPECT_EQ(Period::quarter(2022, 3).code(), "2022Q3");
  EXPECT_EQ(Period::six_month(2022, 2).code(), "2022S2");
  EXPECT_EQ(Period::year(2022).code(), "2022");
  EXPECT_EQ(Period::five_year(2021).code(), "2021-2025");
  EXPECT_EQ(Period::month_range(month_index(2016, 1), month_index(2018, 12)).code(),
            "201601..201812");
}

TEST(PeriodLabel, Vietnamese) {
  EXPECT_EQ(parsed("20220315").label_vi(), "ngày 15/3/2022");
  EXPECT_EQ(parsed("20220101").label_vi(), "ngày 1/1/2022");
  EXPECT_EQ(parsed("20221231").label_vi(), "ngày 31/12/2022");
  EXPECT_EQ(parsed("202203").label_vi(), "tháng 3/2022");
  EXPECT_EQ(parsed("202212").label_vi(), "tháng 12/2022");
  EXPECT_EQ(parsed("2022Q1").label_vi(), "quý I/2022");
  EXPECT_EQ(parsed("2022Q2").label_vi(), "quý II/2022");
  EXPECT_EQ(parsed("2022Q3").label_vi(), "quý III/2022");
  EXPECT_EQ(parsed("2022Q4").label_vi(), "quý IV/2022");
  EXPECT_EQ(parsed("2022S1").label_vi(), "6 tháng đầu năm 2022");
  EXPECT_EQ(parsed("2022S2").label_vi(), "6 tháng cuối năm 2022");
  EXPECT_EQ(parsed("2022").label_vi(), "năm 2022");
  EXPECT_EQ(parsed("2016-2020").label_vi(), "giai đoạn 2016\u20132020");
  EXPECT_EQ(parsed("2016-2020").label_vi(), "giai đoạn 2016–2020");
}

TEST(PeriodLabel, VietnameseMonthRanges) {
  EXPECT_EQ(parsed("202201..202209").label_vi(), "9 tháng đầu năm 2022");
  EXPECT_EQ(parsed("2022Q1..2022Q3").label_vi(), "9 tháng đầu năm 2022");
  EXPECT_EQ(parsed("202201..202206").label_vi(), "6 tháng đầu năm 2022");
  EXPECT_EQ(parsed("202201..202202").label_vi(), "2 tháng đầu năm 2022");
  EXPECT_EQ(parsed("202201..202201").label_vi(), "tháng 1/2022");
  EXPECT_EQ(parsed("202203..202203").label_vi(), "tháng 3/2022");
  EXPECT_EQ(parsed("201601..201806").label_vi(), "từ đầu năm 2016 đến tháng 6/2018");
  // Whole calendar years read as years.
  EXPECT_EQ(parsed("2016..2018").label_vi(), "giai đoạn 2016–2018");
  EXPECT_EQ(parsed("202201..202212").label_vi(), "năm 2022");
  EXPECT_EQ(parsed("201603..201806").label_vi(), "từ tháng 3/2016 đến tháng 6/2018");
  EXPECT_EQ(parsed("201712..201801").label_vi(), "từ tháng 12/2017 đến tháng 1/2018");
  EXPECT_EQ(parsed("201803..201806").label_vi(), "từ tháng 3 đến tháng 6/2018");
}

TEST(PeriodLabel, English) {
  EXPECT_EQ(parsed("20220315").label_en(), "15 March 2022");
  EXPECT_EQ(parsed("20220101").label_en(), "1 January 2022");
  EXPECT_EQ(parsed("202203").label_en(), "March 2022");
  EXPECT_EQ(parsed("202212").label_en(), "December 2022");
  EXPECT_EQ(parsed("2022Q1").label_en(), "Q1 2022");
  EXPECT_EQ(parsed("2022Q4").label_en(), "Q4 2022");
  EXPECT_EQ(parsed("2022S1").label_en(), "first half of 2022");
  EXPECT_EQ(parsed("2022S2").label_en(), "second half of 2022");
  EXPECT_EQ(parsed("2022").label_en(), "2022");
  EXPECT_EQ(parsed("2016-2020").label_en(), "2016–2020");
}

TEST(PeriodLabel, EnglishMonthRanges) {
  EXPECT_EQ(parsed("202201..202209").label_en(), "first 9 months of 2022");
  EXPECT_EQ(parsed("202201..202201").label_en(), "January 2022");
  EXPECT_EQ(parsed("201601..201806").label_en(), "January 2016 to June 2018");
  EXPECT_EQ(parsed("201603..201806").label_en(), "March 2016 to June 2018");
  EXPECT_EQ(parsed("201803..201806").label_en(), "March to June 2018");
  EXPECT_EQ(parsed("201803..201803").label_en(), "March 2018");
  EXPECT_EQ(parsed("2019..2024").label_en(), "2019–2024");
  EXPECT_EQ(parsed("202201..202212").label_en(), "2022");
}

TEST(PeriodDates, GregorianUsesCalendarMonths) {
  EXPECT_EQ(parsed("20220315").dates(), range(make_date(2022, 3, 15), make_date(2022, 3, 15)));
  EXPECT_EQ(parsed("202203").dates(), range(make_date(2022, 3, 1), make_date(2022, 3, 31)));
  EXPECT_EQ(parsed("202204").dates(), range(make_date(2022, 4, 1), make_date(2022, 4, 30)));
  EXPECT_EQ(parsed("202402").dates(), range(make_date(2024, 2, 1), make_date(2024, 2, 29)));
  EXPECT_EQ(parsed("202302").dates(), range(make_date(2023, 2, 1), make_date(2023, 2, 28)));
  EXPECT_EQ(parsed("190002").dates(), range(make_date(1900, 2, 1), make_date(1900, 2, 28)));
  EXPECT_EQ(parsed("2024Q1").dates(), range(make_date(2024, 1, 1), make_date(2024, 3, 31)));
  EXPECT_EQ(parsed("2022Q4").dates(), range(make_date(2022, 10, 1), make_date(2022, 12, 31)));
  EXPECT_EQ(parsed("2022S1").dates(), range(make_date(2022, 1, 1), make_date(2022, 6, 30)));
  EXPECT_EQ(parsed("2022S2").dates(), range(make_date(2022, 7, 1), make_date(2022, 12, 31)));
  EXPECT_EQ(parsed("2022").dates(), range(make_date(2022, 1, 1), make_date(2022, 12, 31)));
  EXPECT_EQ(parsed("2016-2020").dates(), range(make_date(2016, 1, 1), make_date(2020, 12, 31)));
  EXPECT_EQ(parsed("201601..201806").dates(), range(make_date(2016, 1, 1), make_date(2018, 6, 30)));
  EXPECT_EQ(parsed("202201..202402").dates(Calendar::kGregorian),
            range(make_date(2022, 1, 1), make_date(2024, 2, 29)));
}

TEST(PeriodDates, CutoffFollowsDecree09) {
  const Calendar cutoff = Calendar::kCutoff;
  EXPECT_EQ(parsed("20220315").dates(cutoff),
            range(make_date(2022, 3, 15), make_date(2022, 3, 15)));
  EXPECT_EQ(parsed("20220314").dates(cutoff),
            range(make_date(2022, 3, 14), make_date(2022, 3, 14)));
  EXPECT_EQ(parsed("202201").dates(cutoff), range(make_date(2021, 12, 15), make_date(2022, 1, 14)));
  EXPECT_EQ(parsed("202203").dates(cutoff), range(make_date(2022, 2, 15), make_date(2022, 3, 14)));
  EXPECT_EQ(parsed("202403").dates(cutoff),
            range(make_date(2024, 2, 15), make_date(2024, 3, 14)));  // leap February inside
  EXPECT_EQ(parsed("2022Q1").dates(cutoff), range(make_date(2021, 12, 15), make_date(2022, 3, 14)));
  EXPECT_EQ(parsed("2022Q2").dates(cutoff), range(make_date(2022, 3, 15), make_date(2022, 6, 14)));
  EXPECT_EQ(parsed("2022Q4").dates(cutoff), range(make_date(2022, 9, 15), make_date(2022, 12, 14)));
  EXPECT_EQ(parsed("2022S1").dates(cutoff), range(make_date(2021, 12, 15), make_date(2022, 6, 14)));
  EXPECT_EQ(parsed("2022S2").dates(cutoff), range(make_date(2022, 6, 15), make_date(2022, 12, 14)));
  EXPECT_EQ(parsed("2022").dates(cutoff), range(make_date(2021, 12, 15), make_date(2022, 12, 14)));
  EXPECT_EQ(parsed("2016-2020").dates(cutoff),
            range(make_date(2015, 12, 15), make_date(2020, 12, 14)));
  EXPECT_EQ(parsed("202201..202209").dates(cutoff),
            range(make_date(2021, 12, 15), make_date(2022, 9, 14)));
  EXPECT_EQ(parsed("201603..201806").dates(cutoff),
            range(make_date(2016, 2, 15), make_date(2018, 6, 14)));
}

TEST(PeriodDates, ConsecutivePeriodsTileBothCalendars) {
  for (const char* start : {"190001", "2022Q1", "2022S1", "2020", "2016-2020", "202201..202203"}) {
    Period p = parsed(start);
    for (int i = 0; i < 40; ++i) {
      const Period following = p.next();
      for (Calendar calendar : {Calendar::kGregorian, Calendar::kCutoff}) {
        EXPECT_EQ(add_days(p.dates(calendar).last, 1), following.dates(calendar).first)
            << p.code() << " then " << following.code();
      }
      p = following;
    }
  }
}

TEST(PeriodMonths, FirstLastAndCount) {
  EXPECT_EQ(parsed("20220315").first_month(), month_index(2022, 3));
  EXPECT_EQ(parsed("20220315").last_month(), month_index(2022, 3));
  EXPECT_EQ(parsed("20220315").month_count(), 1);
  EXPECT_EQ(parsed("202203").month_count(), 1);
  EXPECT_EQ(parsed("2022Q2").first_month(), month_index(2022, 4));
  EXPECT_EQ(parsed("2022Q2").last_month(), month_index(2022, 6));
  EXPECT_EQ(parsed("2022S2").first_month(), month_index(2022, 7));
  EXPECT_EQ(parsed("2022S2").last_month(), month_index(2022, 12));
  EXPECT_EQ(parsed("2022").month_count(), 12);
  EXPECT_EQ(parsed("2016-2020").first_month(), month_index(2016, 1));
  EXPECT_EQ(parsed("2016-2020").last_month(), month_index(2020, 12));
  EXPECT_EQ(parsed("2016-2020").month_count(), 60);
  EXPECT_EQ(parsed("201601..201806").month_count(), 30);
  EXPECT_EQ(year_of(month_index(2022, 12)), 2022);
  EXPECT_EQ(month_of(month_index(2022, 12)), 12);
}

TEST(PeriodNavigation, PreviousAndNextCrossYearBoundaries) {
  EXPECT_EQ(parsed("202201").previous(), parsed("202112"));
  EXPECT_EQ(parsed("202112").next(), parsed("202201"));
  EXPECT_EQ(parsed("2022Q1").previous(), parsed("2021Q4"));
  EXPECT_EQ(parsed("2021Q4").next(), parsed("2022Q1"));
  EXPECT_EQ(parsed("2022Q2").previous(), parsed("2022Q1"));
  EXPECT_EQ(parsed("2022S1").previous(), parsed("2021S2"));
  EXPECT_EQ(parsed("2022S1").next(), parsed("2022S2"));
  EXPECT_EQ(parsed("2022S2").next(), parsed("2023S1"));
  EXPECT_EQ(parsed("2022").previous(), parsed("2021"));
  EXPECT_EQ(parsed("2022").next(), parsed("2023"));
  EXPECT_EQ(parsed("2016-2020").previous(), parsed("2011-2015"));
  EXPECT_EQ(parsed("2016-2020").next(), parsed("2021-2025"));
  EXPECT_EQ(parsed("20220101").previous(), parsed("20211231"));
  EXPECT_EQ(parsed("20240228").next(), parsed("20240229"));
  EXPECT_EQ(parsed("20240229").next(), parsed("20240301"));
  EXPECT_EQ(parsed("20230228").next(), parsed("20230301"));
}

TEST(PeriodNavigation, RangesShiftByTheirOwnLength) {
  EXPECT_EQ(parsed("202201..202209").previous(), parsed("202104..202112"));
  EXPECT_EQ(parsed("202201..202209").next(), parsed("202210..202306"));
  EXPECT_EQ(parsed("2016..2018").previous(), parsed("201301..201512"));
  EXPECT_EQ(parsed("202203..202203").next(), parsed("202204..202204"));
  EXPECT_EQ(parsed("202203..202203").next().type(), PeriodType::kMonthRange);
}

TEST(PeriodNavigation, PreviousUndoesNext) {
  for (const std::string& code : sample_codes()) {
    const Period p = parsed(code);
    EXPECT_EQ(p.next().previous(), p) << code;
    EXPECT_EQ(p.previous().next(), p) << code;
    EXPECT_EQ(p.next().type(), p.type()) << code;
  }
}

TEST(PeriodNavigation, SamePeriodLastYear) {
  EXPECT_EQ(parsed("20220315").same_period_last_year(), parsed("20210315"));
  EXPECT_EQ(parsed("20240229").same_period_last_year(), parsed("20230228"));
  EXPECT_EQ(parsed("20250228").same_period_last_year(), parsed("20240228"));
  EXPECT_EQ(parsed("20220101").same_period_last_year(), parsed("20210101"));
  EXPECT_EQ(parsed("202203").same_period_last_year(), parsed("202103"));
  EXPECT_EQ(parsed("202201").same_period_last_year(), parsed("202101"));
  EXPECT_EQ(parsed("2022Q1").same_period_last_year(), parsed("2021Q1"));
  EXPECT_EQ(parsed("2022S2").same_period_last_year(), parsed("2021S2"));
  EXPECT_EQ(parsed("2022").same_period_last_year(), parsed("2021"));
  EXPECT_EQ(parsed("2016-2020").same_period_last_year(), parsed("2011-2015"));
  EXPECT_EQ(parsed("202201..202209").same_period_last_year(), parsed("202101..202109"));
  EXPECT_EQ(parsed("2016..2018").same_period_last_year(), parsed("201501..201712"));
}

TEST(PeriodContains, ComparesCalendarDays) {
  const Period year = parsed("2022");
  for (const char* inside : {"2022", "2022Q1", "2022Q4", "2022S2", "202203", "20220315", "20221231",
                             "202201..202209", "2022Q1..2022Q4"}) {
    EXPECT_TRUE(year.contains(parsed(inside))) << inside;
  }
  for (const char* outside : {"2023Q1", "202112..202201", "20230101", "2021", "2021-2025"}) {
    EXPECT_FALSE(year.contains(parsed(outside))) << outside;
  }
  EXPECT_TRUE(parsed("2016-2020").contains(parsed("2018")));
  EXPECT_TRUE(parsed("2016-2020").contains(parsed("2016..2020")));
  EXPECT_FALSE(parsed("2016-2020").contains(parsed("2021")));
  EXPECT_TRUE(parsed("2022Q1").contains(parsed("202203")));
  EXPECT_FALSE(parsed("2022Q1").contains(parsed("202204")));
  EXPECT_FALSE(parsed("2022Q1").contains(parsed("2022")));
  EXPECT_TRUE(parsed("20220315").contains(parsed("20220315")));
  EXPECT_FALSE(parsed("20220315").contains(parsed("202203")));
  EXPECT_TRUE(parsed("201601..201806").contains(parsed("2017")));
  EXPECT_TRUE(parsed("201601..201806").contains(parsed("2018S1")));
  EXPECT_FALSE(parsed("201601..201806").contains(parsed("2018")));
}

TEST(PeriodKey, EncodesTypeThenPayload) {
  EXPECT_EQ(parsed("20220315").key(), 1'000'020'220'315);
  EXPECT_EQ(parsed("202203").key(), 2'000'000'202'203);
  EXPECT_EQ(parsed("2022Q1").key(), 3'000'000'020'221);
  EXPECT_EQ(parsed("2022S2").key(), 4'000'000'020'222);
  EXPECT_EQ(parsed("2022").key(), 5'000'000'002'022);
  EXPECT_EQ(parsed("2016-2020").key(), 6'000'000'002'016);
  EXPECT_EQ(parsed("201601..201806").key(), 7'201'601'201'806);
}

TEST(PeriodKey, OrdersByTypeThenTime) {
  std::vector<Period> periods;
  for (const char* code :
       {"2022", "202201..202209", "2021Q4", "202112", "20220101", "2016-2020", "2022S1", "202201",
        "2022Q1", "20211231", "2021S2", "2021", "202201..202210", "202101..202312", "2011-2015"}) {
    periods.push_back(parsed(code));
  }
  std::sort(periods.begin(), periods.end());
  std::vector<std::string> codes;
  for (const Period& p : periods) codes.push_back(p.code());
  EXPECT_EQ(codes, (std::vector<std::string>{"20211231", "20220101", "202112", "202201", "2021Q4",
                                             "2022Q1", "2021S2", "2022S1", "2021", "2022",
                                             "2011-2015", "2016-2020", "202101..202312",
                                             "202201..202209", "202201..202210"}));
  EXPECT_LT(parsed("202112"), parsed("202201"));
  EXPECT_GT(parsed("2022Q1"), parsed("2021Q4"));
}

TEST(PeriodKey, FromKeyRoundTrips) {
  for (const std::string& code : sample_codes()) {
    const Period p = parsed(code);
    auto back = Period::from_key(p.key());
    ASSERT_TRUE(back.is_ok()) << code << ": " << back.status().message();
    EXPECT_EQ(*back, p);
    EXPECT_EQ(back->code(), code);
    EXPECT_EQ(back->type(), p.type());
  }
}

TEST(PeriodKey, FromKeyRejectsMalformedKeys) {
  struct Case {
    int64_t key;
    const char* reason;
  };
  const Case cases[] = {
      {-1, "never negative"},
      {0, "unknown period type 0"},
      {2022, "unknown period type 0"},
      {8'000'000'002'022, "unknown period type 8"},
      {1'000'000'000'000, "year must be 1900–2999"},
      {1'000'020'220'230, "the day does not exist"},
      {1'000'020'221'301, "month must be 01–12"},
      {2'000'000'202'213, "month must be 01–12"},
      {2'000'000'202'200, "month must be 01–12"},
      {2'000'000'189'912, "year must be 1900–2999"},
      {2'000'002'022'031, "year must be 1900–2999"},
      {3'000'000'020'225, "quarter must be 1–4"},
      {3'000'000'020'220, "quarter must be 1–4"},
      {3'000'000'030'001, "year must be 1900–2999"},
      {4'000'000'020'223, "half must be 1 or 2"},
      {5'000'000'003'000, "year must be 1900–2999"},
      {5'000'000'001'899, "year must be 1900–2999"},
      {6'000'000'002'996, "five-year term"},
      {7'202'206'202'205, "the range ends before it starts"},
      {7'202'213'202'214, "month must be 01–12"},
      {7'000'000'202'201, "year must be 1900–2999"},
      // Payloads that would look valid if narrowed to 32 bits (2^32 + 2022 and the like).
      {5'000'000'000'000 + 4'294'969'318, "year must be 1900–2999"},
      {6'000'000'000'000 + 4'294'969'312, "five-year term"},
      {3'000'000'000'000 + 42'949'693'181, "year must be 1900–2999"},
      {2'000'000'000'000 + 429'496'931'803, "year must be 1900–2999"},
  };
  for (const Case& c : cases) {
    auto result = Period::from_key(c.key);
    ASSERT_FALSE(result.is_ok()) << c.key << " decoded as " << result->code();
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(result.status().message().find("invalid period key " + std::to_string(c.key)),
              std::string::npos)
        << result.status().message();
    EXPECT_NE(result.status().message().find(c.reason), std::string::npos)
        << result.status().message();
  }
}

TEST(PeriodTypeName, RoundTripsEveryType) {
  const std::pair<PeriodType, const char*> names[] = {{PeriodType::kDay, "day"},
                                                      {PeriodType::kMonth, "month"},
                                                      {PeriodType::kQuarter, "quarter"},
                                                      {PeriodType::kSixMonth, "six_month"},
                                                      {PeriodType::kYear, "year"},
                                                      {PeriodType::kFiveYear, "five_year"},
                                                      {PeriodType::kMonthRange, "month_range"}};
  for (const auto& [type, name] : names) {
    EXPECT_EQ(period_type_name(type), name);
    auto parsed_type = parse_period_type(name);
    ASSERT_TRUE(parsed_type.is_ok()) << name;
    EXPECT_EQ(*parsed_type, type);
  }
}

TEST(PeriodTypeName, RejectsUnknownNames) {
  for (const char* name : {"weekly", "Month", "", "six-month", "month "}) {
    auto result = parse_period_type(name);
    ASSERT_FALSE(result.is_ok()) << name;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(result.status().message().find("unknown period type \"" + std::string(name) + "\""),
              std::string::npos)
        << result.status().message();
    EXPECT_NE(result.status().message().find(
                  "day, month, quarter, six_month, year, five_year, month_range"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace qpan

namespace qpan {
namespace {

TEST(PeriodContainedKeyRanges, ListsWholePeriodsOfEachType) {
  using Ranges = std::vector<std::pair<int64_t, int64_t>>;
  auto range = [](const Period& a, const Period& b) { return std::make_pair(a.key(), b.key()); };
  const Period y2016 = Period::year(2016);
  EXPECT_EQ(contained_key_ranges(y2016),
            (Ranges{range(Period::day(make_date(2016, 1, 1)), Period::day(make_date(2016, 12, 31))),
                    range(Period::month(2016, 1), Period::month(2016, 12)),
                    range(Period::quarter(2016, 1), Period::quarter(2016, 4)),
                    range(Period::six_month(2016, 1), Period::six_month(2016, 2)),
                    range(Period::year(2016), Period::year(2016))}));
  // February to June holds months and one whole quarter, no half-year.
  EXPECT_EQ(contained_key_ranges(Period::parse("201602..201606").value()),
            (Ranges{range(Period::day(make_date(2016, 2, 1)), Period::day(make_date(2016, 6, 30))),
                    range(Period::month(2016, 2), Period::month(2016, 6)),
                    range(Period::quarter(2016, 2), Period::quarter(2016, 2))}));
  // Five years hold one five-year term.
  Ranges term = contained_key_ranges(Period::five_year(2016));
  EXPECT_EQ(term.back(), range(Period::five_year(2016), Period::five_year(2016)));
  // A day holds only itself.
  const Period day = Period::day(make_date(2022, 3, 15));
  EXPECT_EQ(contained_key_ranges(day), (Ranges{range(day, day)}));
}

}  // namespace
}  // namespace qpan
