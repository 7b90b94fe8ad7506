// Tests for ADX periods (a golden table of ISO 8601 start/duration forms) and the ADX reader:
// entries with their positions, disaggregations and annotations, and every problem named by
// line. The round trip through a database is tests/cli/values_roundtrip_test.sh.
#include <gtest/gtest.h>

#include "exchange/exchange_test_support.h"
#include "qpan/exchange.h"
#include "qpan/pack.h"

namespace qpan {
namespace {

TEST(AdxPeriodTest, EveryPeriodTypeHasItsStartAndDuration) {
  const std::pair<const char*, const char*> table[] = {
      {"20160315", "2016-03-15/P1D"}, {"201601", "2016-01-01/P1M"}, {"2016Q2", "2016-04-01/P3M"},
      {"2016S2", "2016-07-01/P6M"},   {"2016", "2016-01-01/P1Y"},   {"2016-2020", "2016-01-01/P5Y"},
      {"201601..201806", "2016-01-01/P30M"}, {"201602..201604", "2016-02-01/P3M"},
  };
  for (const auto& [code, adx] : table) {
    const Period p = Period::parse(code).value();
    EXPECT_EQ(adx_period(p), adx) << code;
    Result<Period> back = parse_adx_period(adx);
    ASSERT_TRUE(back.is_ok()) << adx << ": " << back.status().message();
    EXPECT_EQ(back->code(), code) << adx;
  }
  for (const char* bad : {"2016-01-01", "2016-01-01/P", "2016-01-15/P1M", "2016-02-15/P3M", "2016-13-01/P1M",
                          "2016-01-01/P0M", "2016-01-01/P2W"}) {
    Result<Period> p = parse_adx_period(bad);
    ASSERT_FALSE(p.is_ok()) << bad;
    EXPECT_NE(p.status().message().find(bad), std::string::npos) << p.status().message();
  }
}

class AdxReadTest : public testing::ExchangeTest {
 protected:
  void SetUp() override {
    ExchangeTest::SetUp();
    ASSERT_TRUE(import_elements(*store_, std::string(QPAN_SOURCE_DIR) + "/tests/data/elements.json").is_ok());
    catalogue_ = store_->load_catalogue().value();
  }
  Catalogue catalogue_;
};

TEST_F(AdxReadTest, GroupsGiveTheirUnitAndPeriodToTheirValues) {
  const std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"2026-12-04T10:00:00Z\">\n"
      "  <group orgUnit=\"03400\" period=\"2016-01-01/P1M\" dataSet=\"ds\">\n"
      "    <dataValue dataElement=\"crime.solved\" value=\"4\"/>\n"
      "    <dataValue dataElement=\"crime.occurred\" crime_category=\"drugs\" value=\"3\">\n"
      "      <annotation>Đoàn Vân Nam</annotation>\n"
      "    </dataValue>\n"
      "  </group>\n"
      "  <group orgUnit=\"106\" period=\"2016-04-01/P3M\">\n"
      "    <dataValue dataElement=\"crime.solved\" value=\"7\"/>\n"
      "  </group>\n"
      "</adx>\n";
  DocumentEntries read = read_adx(doc, "values.adx", catalogue_);
  ASSERT_TRUE(read.problems.empty()) << read.problems.to_string();
  ASSERT_EQ(read.entries.size(), 3u);
  EXPECT_EQ(read.entries[0].org_unit, "03400");
  EXPECT_EQ(read.entries[0].period, "201601");
  EXPECT_EQ(read.entries[0].value, "4");
  EXPECT_EQ(read.entries[1].option, "drugs");
  EXPECT_EQ(read.entries[1].comment, "Đoàn Vân Nam");
  EXPECT_EQ(read.entries[2].org_unit, "106");
  EXPECT_EQ(read.entries[2].period, "2016Q2");
  EXPECT_EQ(read.positions[0], "values.adx:4: ");
  EXPECT_EQ(read.positions[2], "values.adx:10: ");
}

TEST_F(AdxReadTest, ProblemsAreNamedByLine) {
  auto first_problem = [&](const std::string& doc) {
    DocumentEntries read = read_adx(doc, "bad.adx", catalogue_);
    return read.problems.empty() ? std::string("(none)") : read.problems.shown.front().to_string();
  };
  EXPECT_NE(first_problem("<dataValueSet/>").find("not an ADX document"), std::string::npos);
  EXPECT_NE(first_problem("<adx xmlns=\"urn:ihe:qrph:adx:2015\">\n<group orgUnit=\"03400\" period=\"2016-01-01/P1M\">\n"
                          "<dataValue dataElement=\"crime.solved\" value=\"4\">\n</group></adx>")
                .find("bad.adx:4: malformed XML"),
            std::string::npos)
      << first_problem("<adx xmlns=\"urn:ihe:qrph:adx:2015\">\n<group><dataValue>\n</group></adx>");
  EXPECT_EQ(first_problem("<adx xmlns=\"urn:ihe:qrph:adx:2015\">\n<group orgUnit=\"03400\" period=\"2016-02-15/P3M\"/></adx>"),
            "bad.adx:2: period: period \"2016-02-15/P3M\": no qpan period starts there with that length (expected the "
            "first day and a duration, as 2016-01-01/P1M)");
  EXPECT_EQ(first_problem("<adx xmlns=\"urn:ihe:qrph:adx:2015\">\n<group period=\"2016-01-01/P1M\"/></adx>"),
            "bad.adx:2: orgUnit: a group needs its orgUnit");
  EXPECT_EQ(first_problem("<adx xmlns=\"urn:ihe:qrph:adx:2015\">\n<group orgUnit=\"03400\" period=\"2016-01-01/P1M\">\n"
                          "<dataValue dataElement=\"crime.solved\" sex=\"f\" value=\"4\"/></group></adx>"),
            "bad.adx:3: sex: \"sex\" is no disaggregation of crime.solved (it has none)");
  // No entity is expanded, nothing is fetched.
  const std::string entity = "<!DOCTYPE adx [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
                             "<adx xmlns=\"urn:ihe:qrph:adx:2015\"><group orgUnit=\"03400\" period=\"2016-01-01/P1M\">"
                             "<dataValue dataElement=\"crime.solved\" value=\"4\"><annotation>&e;</annotation></dataValue>"
                             "</group></adx>";
  DocumentEntries read = read_adx(entity, "entity.adx", catalogue_);
  for (const EntryText& e : read.entries) EXPECT_EQ(e.comment.find("root:"), std::string_view::npos);
}

}  // namespace
}  // namespace qpan
