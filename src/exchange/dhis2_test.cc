// Tests for DHIS2's vocabulary in qpan's terms: every relative period on fixed days (a
// golden table written from DHIS2's documented meaning, not from the code), the fixed forms
// qpan lacks, and analytics requests read into queries and layouts.
#include "qpan/dhis2.h"

#include <gtest/gtest.h>

#include <map>

namespace qpan {
namespace {

std::string codes(const Result<std::vector<Dhis2Period>>& periods) {
  if (!periods) return "error: " + periods.status().message();
  std::string out;
  for (const Dhis2Period& p : *periods) out += (out.empty() ? "" : " ") + p.code;
  return out;
}

struct RelativeCase {
  const char* item;
  Date today;
  const char* expected;
};

TEST(Dhis2PeriodTest, RelativePeriodsCountBackFromTheDay) {
  const Date mid_2019 = make_date(2019, 6, 30);
  const Date new_year = make_date(2020, 1, 1);
  const RelativeCase cases[] = {
      {"THIS_MONTH", mid_2019, "201906"},
      {"LAST_MONTH", mid_2019, "201905"},
      {"LAST_MONTH", new_year, "201912"},
      {"LAST_3_MONTHS", mid_2019, "201903 201904 201905"},
      {"LAST_6_MONTHS", new_year, "201907 201908 201909 201910 201911 201912"},
      {"LAST_12_MONTHS", mid_2019, "201806 201807 201808 201809 201810 201811 201812 201901 201902 201903 201904 201905"},
      {"MONTHS_THIS_YEAR", mid_2019, "201901 201902 201903 201904 201905 201906 201907 201908 201909 201910 201911 201912"},
      {"MONTHS_LAST_YEAR", new_year, "201901 201902 201903 201904 201905 201906 201907 201908 201909 201910 201911 201912"},
      {"THIS_BIMONTH", mid_2019, "201903B"},
      {"LAST_BIMONTH", new_year, "201906B"},
      {"LAST_6_BIMONTHS", mid_2019, "201803B 201804B 201805B 201806B 201901B 201902B"},
      {"BIMONTHS_THIS_YEAR", mid_2019, "201901B 201902B 201903B 201904B 201905B 201906B"},
      {"THIS_QUARTER", mid_2019, "2019Q2"},
      {"LAST_QUARTER", mid_2019, "2019Q1"},
      {"LAST_QUARTER", new_year, "2019Q4"},
      {"LAST_4_QUARTERS", mid_2019, "2018Q2 2018Q3 2018Q4 2019Q1"},
      {"QUARTERS_THIS_YEAR", mid_2019, "2019Q1 2019Q2 2019Q3 2019Q4"},
      {"QUARTERS_LAST_YEAR", mid_2019, "2018Q1 2018Q2 2018Q3 2018Q4"},
      {"THIS_SIX_MONTH", mid_2019, "2019S1"},
      {"LAST_SIX_MONTH", mid_2019, "2018S2"},
      {"LAST_2_SIXMONTHS", make_date(2019, 7, 1), "2018S2 2019S1"},
      {"THIS_YEAR", mid_2019, "2019"},
      {"LAST_YEAR", new_year, "2019"},
      {"LAST_5_YEARS", mid_2019, "2014 2015 2016 2017 2018"},
      {"LAST_10_YEARS", mid_2019, "2009 2010 2011 2012 2013 2014 2015 2016 2017 2018"},
  };
  for (const RelativeCase& c : cases) {
    EXPECT_EQ(codes(resolve_dhis2_period(c.item, c.today)), c.expected) << c.item << " on " << format_date(c.today);
  }
}

TEST(Dhis2PeriodTest, BimonthsAndFinancialYearsAreMonthRanges) {
  const Date today = make_date(2026, 1, 1);
  Result<std::vector<Dhis2Period>> bimonth = resolve_dhis2_period("201601B", today);
  ASSERT_TRUE(bimonth) << bimonth.status().message();
  EXPECT_EQ(bimonth->front().code, "201601B");
  EXPECT_EQ(bimonth->front().period.code(), "201601..201602");
  EXPECT_EQ(resolve_dhis2_period("201606B", today)->front().period.code(), "201611..201612");

  const std::map<std::string, std::string> financial = {{"2016April", "201604..201703"},
                                                         {"2016July", "201607..201706"},
                                                         {"2016Oct", "201610..201709"},
                                                         {"2016Nov", "201611..201710"}};
  for (const auto& [item, months] : financial) {
    Result<std::vector<Dhis2Period>> p = resolve_dhis2_period(item, today);
    ASSERT_TRUE(p) << item << ": " << p.status().message();
    EXPECT_EQ(p->front().code, item);
    EXPECT_EQ(p->front().period.code(), months) << item;
  }
  // qpan's own forms pass through.
  EXPECT_EQ(codes(resolve_dhis2_period("2016Q3", today)), "2016Q3");
  EXPECT_EQ(codes(resolve_dhis2_period("201601..201806", today)), "201601..201806");
}

TEST(Dhis2PeriodTest, WhatQpanCannotAnswerIsRefusedWithTheReason) {
  const Date today = make_date(2026, 1, 1);
  for (const char* weekly : {"2016W1", "2016W53", "2016BiW3", "2016SunW2"}) {
    Result<std::vector<Dhis2Period>> p = resolve_dhis2_period(weekly, today);
    ASSERT_FALSE(p) << weekly;
    EXPECT_NE(p.status().message().find("weekly"), std::string::npos) << p.status().message();
    EXPECT_NE(p.status().message().find(weekly), std::string::npos) << p.status().message();
  }
  EXPECT_NE(resolve_dhis2_period("LAST_7_DAYS", today).status().message().find("monthly"), std::string::npos);
  EXPECT_NE(resolve_dhis2_period("THIS_FINANCIAL_YEAR", today).status().message().find("calendar year"),
            std::string::npos);
  EXPECT_NE(resolve_dhis2_period("NEXT_YEAR_OR_SO", today).status().message().find("not a relative period"),
            std::string::npos);
  EXPECT_NE(resolve_dhis2_period("201613", today).status().message().find("malformed period \"201613\""),
            std::string::npos);
  EXPECT_FALSE(resolve_dhis2_period("201607B", today));
}

// A province with two districts, one of them with two communes.
OrgUnitIndex small_structure() {
  auto unit = [](std::string code, OrgUnitLevel level, std::string name, std::string parent) {
    OrgUnitVersion v;
    v.code = std::move(code);
    v.level = level;
    v.name = std::move(name);
    v.parent_code = std::move(parent);
    return v;
  };
  return OrgUnitIndex({unit("12", OrgUnitLevel::kProvince, "Tỉnh Lai Châu", ""),
                       unit("106", OrgUnitLevel::kDistrict, "Huyện Tam Đường", "12"),
                       unit("107", OrgUnitLevel::kDistrict, "Huyện Mường Tè", "12"),
                       unit("03400", OrgUnitLevel::kCommune, "Xã Tả Lèng", "106"),
                       unit("03403", OrgUnitLevel::kCommune, "Xã Hồ Thầu", "106")});
}

class Dhis2AnalyticsRequestTest : public ::testing::Test {
 protected:
  Result<Dhis2AnalyticsRequest> read(std::multimap<std::string, std::string> parameters) {
    context_.units = &units_;
    context_.user_units = {"12"};
    context_.today = make_date(2019, 6, 30);
    return read_dhis2_analytics_request(
        [&](std::string_view name) {
          std::vector<std::string> values;
          auto [first, last] = parameters.equal_range(std::string(name));
          for (auto it = first; it != last; ++it) values.push_back(it->second);
          return values;
        },
        context_);
  }
  static std::string period_codes(const AnalyticsQuery& q) {
    std::string out;
    for (const Period& p : q.pe) out += (out.empty() ? "" : " ") + p.code();
    return out;
  }

  OrgUnitIndex units_ = small_structure();
  Dhis2RequestContext context_;
};

using D = AnalyticsLayout::Dimension;

TEST_F(Dhis2AnalyticsRequestTest, DimensionsInTheirOrderAndFiltersOutOfTheRows) {
  Result<Dhis2AnalyticsRequest> r =
      read({{"dimension", "pe:LAST_YEAR;2016"}, {"dimension", "dx:crime.cases;drug.cases"}, {"filter", "ou:12"}});
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->query.dx, (std::vector<std::string>{"crime.cases", "drug.cases"}));
  EXPECT_EQ(r->query.ou, (std::vector<std::string>{"12"}));
  EXPECT_EQ(period_codes(r->query), "2018 2016");
  EXPECT_EQ(r->layout.columns, (std::vector<D>{D::kPe, D::kDx}));
  // Joined with a comma, as a client may send a list, the same.
  Result<Dhis2AnalyticsRequest> joined = read({{"dimension", "pe:LAST_YEAR;2016,dx:crime.cases;drug.cases"}, {"filter", "ou:12"}});
  ASSERT_TRUE(joined) << joined.status().message();
  EXPECT_EQ(joined->layout.columns, r->layout.columns);
  EXPECT_EQ(period_codes(joined->query), "2018 2016");
}

TEST_F(Dhis2AnalyticsRequestTest, UnitsOfTheUserAndOfALevel) {
  Result<Dhis2AnalyticsRequest> mine = read({{"dimension", "dx:a"}, {"dimension", "ou:USER_ORGUNIT"}, {"filter", "pe:2018"}});
  ASSERT_TRUE(mine) << mine.status().message();
  EXPECT_EQ(mine->query.ou, (std::vector<std::string>{"12"}));
  EXPECT_EQ(mine->layout.columns, (std::vector<D>{D::kDx, D::kOu}));

  Result<Dhis2AnalyticsRequest> children = read({{"dimension", "dx:a"}, {"dimension", "ou:USER_ORGUNIT_CHILDREN"}, {"dimension", "pe:2018"}});
  ASSERT_TRUE(children) << children.status().message();
  EXPECT_EQ(children->query.ou, (std::vector<std::string>{"106", "107"}));

  Result<Dhis2AnalyticsRequest> communes = read({{"dimension", "dx:a"}, {"dimension", "ou:LEVEL-3;12"}, {"dimension", "pe:2018"}});
  ASSERT_TRUE(communes) << communes.status().message();
  EXPECT_EQ(communes->query.ou, (std::vector<std::string>{"03400", "03403"}));
  Result<Dhis2AnalyticsRequest> named = read({{"dimension", "dx:a"}, {"dimension", "ou:LEVEL-district"}, {"dimension", "pe:2018"}});
  ASSERT_TRUE(named) << named.status().message();
  EXPECT_EQ(named->query.ou, (std::vector<std::string>{"106", "107"}));
  // Without ou the user's units.
  Result<Dhis2AnalyticsRequest> implied = read({{"dimension", "dx:a"}, {"dimension", "pe:2018"}});
  ASSERT_TRUE(implied) << implied.status().message();
  EXPECT_EQ(implied->query.ou, (std::vector<std::string>{"12"}));
}

TEST_F(Dhis2AnalyticsRequestTest, FilterPeriodsAndDateRangesAreOneRange) {
  Result<Dhis2AnalyticsRequest> months = read({{"dimension", "dx:a"}, {"filter", "pe:LAST_12_MONTHS"}});
  ASSERT_TRUE(months) << months.status().message();
  EXPECT_EQ(period_codes(months->query), "201806..201905");
  EXPECT_EQ(months->layout.columns, (std::vector<D>{D::kDx}));

  Result<Dhis2AnalyticsRequest> dates = read({{"dimension", "dx:a"}, {"startDate", "2016-01-01"}, {"endDate", "2018-06-30"}});
  ASSERT_TRUE(dates) << dates.status().message();
  EXPECT_EQ(period_codes(dates->query), "201601..201806");

  EXPECT_NE(read({{"dimension", "dx:a"}, {"filter", "pe:2016;2018"}}).status().message().find("follow one another"),
            std::string::npos);
  EXPECT_NE(read({{"dimension", "dx:a"}, {"startDate", "2016-01-02"}, {"endDate", "2018-06-30"}}).status().message().find("monthly"),
            std::string::npos);
}

TEST_F(Dhis2AnalyticsRequestTest, LayoutOptions) {
  Result<Dhis2AnalyticsRequest> r = read({{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"skipMeta", "true"},
                                          {"skipData", "false"}, {"hierarchyMeta", "true"}, {"outputIdScheme", "NAME"},
                                          {"locale", "en"}, {"displayProperty", "SHORTNAME"}, {"measureCriteria", "GE:10;LT:50.5"}});
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_TRUE(r->layout.skip_meta);
  EXPECT_FALSE(r->layout.skip_data);
  EXPECT_TRUE(r->layout.hierarchy_meta);
  EXPECT_TRUE(r->layout.names_as_ids);
  EXPECT_TRUE(r->layout.english);
  ASSERT_EQ(r->measure_criteria.size(), 2u);
  EXPECT_EQ(r->measure_criteria[0].op, MeasureCriterion::Operator::kGe);
  EXPECT_EQ(r->measure_criteria[1].value, 50.5);
}

TEST_F(Dhis2AnalyticsRequestTest, RefusalsNameTheParameter) {
  const std::pair<std::multimap<std::string, std::string>, std::string> cases[] = {
      {{{"dimension", "pe:2018"}}, "dx:"},
      {{{"dimension", "dx:a"}}, "pe:"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"dimension", "co"}}, "co dimension"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"dimension", "Zx8hUEpq:abc"}}, "unknown dimension"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"filter", "pe:2019"}}, "given twice"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"filter", "ou:106;107"}}, "one org unit in a filter"},
      {{{"filter", "dx:a;b"}, {"dimension", "pe:2018"}}, "one data item in a filter"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"dimension", "ou:LEVEL-9"}}, "LEVEL-9"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"tableLayout", "true"}}, "tableLayout"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"includeNumDen", "true"}}, "includeNumDen"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"outputIdScheme", "ATTRIBUTE:x"}}, "outputIdScheme"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"measureCriteria", "GE:ten"}}, "measureCriteria"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2016W1"}}, "weekly"},
      {{{"dimension", "dx:a"}, {"dimension", "pe:2018"}, {"relativePeriodDate", "2018-13-01"}}, "relativePeriodDate"},
  };
  for (const auto& [parameters, expected] : cases) {
    Result<Dhis2AnalyticsRequest> r = read(parameters);
    ASSERT_FALSE(r) << expected;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput) << expected;
    EXPECT_NE(r.status().message().find(expected), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace qpan
