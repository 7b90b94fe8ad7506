// Tests for the effective-dated org unit index: versions at a date, children and
// ancestors before and after a reorganisation, reused codes, lineage lookups.
#include "qpan/org_unit.h"

#include <gtest/gtest.h>

namespace qpan {
namespace {

OrgUnitVersion unit(std::string code, OrgUnitLevel level, std::string name, std::string parent,
                    std::optional<Date> from = std::nullopt, std::optional<Date> until = std::nullopt) {
  OrgUnitVersion v;
  v.code = std::move(code);
  v.level = level;
  v.name = std::move(name);
  v.parent_code = std::move(parent);
  v.valid_from = from;
  v.valid_until = until;
  return v;
}

// A miniature of the 2025 reorganisation: province 15 is Yên Bái until 30 Jun 2025 and
// (code reused) the new Lào Cai after; district 132 disappears; communes move up.
OrgUnitIndex sample() {
  const Date july = make_date(2025, 7, 1);
  std::vector<OrgUnitVersion> v = {
      unit("10", OrgUnitLevel::kProvince, "Tỉnh Lào Cai", "", std::nullopt, july),
      unit("15", OrgUnitLevel::kProvince, "Tỉnh Yên Bái", "", std::nullopt, july),
      unit("15", OrgUnitLevel::kProvince, "Tỉnh Lào Cai", "", july),
      unit("132", OrgUnitLevel::kDistrict, "Thành phố Yên Bái", "15", std::nullopt, july),
      unit("04246", OrgUnitLevel::kCommune, "Phường Yên Thịnh", "132", std::nullopt, july),
      unit("04249", OrgUnitLevel::kCommune, "Phường Yên Ninh", "132", std::nullopt, july),
      unit("04249", OrgUnitLevel::kCommune, "Phường Yên Bái", "15", july),
      unit("00001", OrgUnitLevel::kCommune, "Xã Cũ", "132", std::nullopt, make_date(2020, 2, 1)),
  };
  std::vector<LineageEdge> lineage = {
      {"10", "15", july, LineageKind::kFull, std::nullopt},
      {"15", "15", july, LineageKind::kFull, std::nullopt},
      {"04246", "04249", july, LineageKind::kPartial, 0.5},
      {"04249", "04249", july, LineageKind::kFull, std::nullopt},
  };
  return OrgUnitIndex(std::move(v), std::move(lineage));
}

TEST(OrgUnitIndex, ResolvesReusedCodeByDate) {
  OrgUnitIndex index = sample();
  ASSERT_NE(index.at("15", make_date(2024, 1, 1)), nullptr);
  EXPECT_EQ(index.at("15", make_date(2024, 1, 1))->name, "Tỉnh Yên Bái");
  EXPECT_EQ(index.at("15", make_date(2025, 6, 30))->name, "Tỉnh Yên Bái");
  EXPECT_EQ(index.at("15", make_date(2025, 7, 1))->name, "Tỉnh Lào Cai");
  EXPECT_EQ(index.at("10", make_date(2025, 7, 1)), nullptr);
  EXPECT_EQ(index.at("99", make_date(2025, 7, 1)), nullptr);
  EXPECT_EQ(index.history("15").size(), 2u);
  EXPECT_EQ(index.history("15").front()->name, "Tỉnh Yên Bái");
}

TEST(OrgUnitIndex, ChildrenFollowTheStructureInForce) {
  OrgUnitIndex index = sample();
  auto before = index.children("15", make_date(2025, 6, 30));
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0]->code, "132");
  auto district = index.children("132", make_date(2019, 1, 1));
  ASSERT_EQ(district.size(), 3u);  // 00001 still in force in 2019, ordered by code
  EXPECT_EQ(district[0]->code, "00001");
  EXPECT_EQ(index.children("132", make_date(2021, 1, 1)).size(), 2u);
  auto after = index.children("15", make_date(2025, 7, 1));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]->name, "Phường Yên Bái");
}

TEST(OrgUnitIndex, AncestorsAtADate) {
  OrgUnitIndex index = sample();
  auto before = index.ancestors("04249", make_date(2025, 6, 30));
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0]->code, "132");
  EXPECT_EQ(before[1]->name, "Tỉnh Yên Bái");
  auto after = index.ancestors("04249", make_date(2025, 7, 1));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]->name, "Tỉnh Lào Cai");
}

TEST(OrgUnitIndex, IsWithinUsesTheUnitsLastDayInThePeriod) {
  OrgUnitIndex index = sample();
  DateRange june{make_date(2025, 6, 1), make_date(2025, 6, 30)};
  DateRange july{make_date(2025, 7, 1), make_date(2025, 7, 31)};
  EXPECT_TRUE(index.is_within("04249", "132", june));
  EXPECT_FALSE(index.is_within("04249", "132", july));
  EXPECT_TRUE(index.is_within("04249", "15", july));
  // 00001 ended on 31 Jan 2020: during 2020 it is under 132 on its last day.
  DateRange year2020{make_date(2020, 1, 1), make_date(2020, 12, 31)};
  EXPECT_TRUE(index.is_within("00001", "132", year2020));
  EXPECT_FALSE(index.is_within("00001", "132", july));
  EXPECT_TRUE(index.is_within("132", "132", july));  // a unit is within itself
}

TEST(OrgUnitIndex, CodesEverWithinCoverAllDates) {
  OrgUnitIndex index = sample();
  auto codes = index.codes_ever_within("15");
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<std::string>{"00001", "04246", "04249", "132", "15"}));
}

TEST(OrgUnitIndex, LineageBothWays) {
  OrgUnitIndex index = sample();
  auto into = index.predecessors("04249");
  ASSERT_EQ(into.size(), 2u);
  auto from = index.successors("04246");
  ASSERT_EQ(from.size(), 1u);
  EXPECT_EQ(from[0]->kind, LineageKind::kPartial);
  ASSERT_TRUE(from[0]->share.has_value());
  EXPECT_DOUBLE_EQ(*from[0]->share, 0.5);
  EXPECT_EQ(index.predecessors("15").size(), 2u);
}

TEST(OrgUnitIndex, AUnitOutlivesRenamesButNotLineageThatFormsANewOne) {
  const Date july = make_date(2025, 7, 1);
  const Date jan = make_date(2025, 1, 1);
  OrgUnitIndex index(
      {
          // Renamed (Thừa Thiên Huế → Thành phố Huế), then only its own full edge in July.
          unit("46", OrgUnitLevel::kProvince, "Tỉnh Thừa Thiên Huế", "", std::nullopt, jan),
          unit("46", OrgUnitLevel::kProvince, "Thành phố Huế", "", jan),
          // Absorbed Hà Giang in July without a new version.
          unit("08", OrgUnitLevel::kProvince, "Tỉnh Tuyên Quang", ""),
          unit("02", OrgUnitLevel::kProvince, "Tỉnh Hà Giang", "", std::nullopt, july),
          // Out of use for five years, then a code again.
          unit("07693", OrgUnitLevel::kCommune, "Xã Cũ", "08", std::nullopt, make_date(2020, 1, 1)),
          unit("07693", OrgUnitLevel::kCommune, "Xã Mới", "08", jan),
      },
      {
          {"46", "46", july, LineageKind::kFull, std::nullopt},
          {"02", "08", july, LineageKind::kFull, std::nullopt},
          {"08", "08", july, LineageKind::kFull, std::nullopt},
      });
  std::optional<UnitLifetime> hue = index.lifetime("46", make_date(2020, 1, 1));
  ASSERT_TRUE(hue.has_value());
  EXPECT_FALSE(hue->from.has_value());
  EXPECT_FALSE(hue->until.has_value()) << "a rename and its own full edge keep the unit";
  EXPECT_TRUE(hue->contains(make_date(2026, 1, 1)));

  std::optional<UnitLifetime> before = index.lifetime("08", make_date(2024, 1, 1));
  ASSERT_TRUE(before.has_value());
  EXPECT_FALSE(before->from.has_value());
  EXPECT_EQ(before->until, july) << "absorbing Hà Giang made a new unit";
  std::optional<UnitLifetime> after = index.lifetime("08", july);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->from, july);
  EXPECT_FALSE(after->until.has_value());

  std::optional<UnitLifetime> reused = index.lifetime("07693", make_date(2026, 1, 1));
  ASSERT_TRUE(reused.has_value());
  EXPECT_EQ(reused->from, jan) << "a gap ends a unit";
  EXPECT_EQ(index.lifetime("07693", make_date(2019, 1, 1))->until, make_date(2020, 1, 1));
  EXPECT_FALSE(index.lifetime("07693", make_date(2022, 1, 1)).has_value());
  EXPECT_FALSE(index.lifetime("99", make_date(2022, 1, 1)).has_value());

  // The sample's province 15: Yên Bái until July, the new Lào Cai from then.
  OrgUnitIndex reorganised = sample();
  EXPECT_EQ(reorganised.lifetime("15", make_date(2024, 1, 1))->until, july);
  EXPECT_EQ(reorganised.lifetime("15", july)->from, july);
  // 04249 took part of 04246 in July: a new unit too.
  EXPECT_EQ(reorganised.lifetime("04249", july)->from, july);
}

TEST(OrgUnitIndex, LineageAncestryWalksBackThroughEveryStepOnce) {
  const Date july = make_date(2025, 7, 1);
  const Date y2020 = make_date(2020, 1, 1);
  OrgUnitIndex index(
      {
          unit("A", OrgUnitLevel::kCommune, "A", "", std::nullopt, y2020),
          unit("B", OrgUnitLevel::kCommune, "B", "", y2020, july),
          unit("B2", OrgUnitLevel::kCommune, "B2", "", y2020, july),
          unit("C", OrgUnitLevel::kCommune, "C", "", july),
          unit("D", OrgUnitLevel::kCommune, "D", "", std::nullopt, july),
      },
      {
          {"A", "B", y2020, LineageKind::kPartial, 0.5},
          {"A", "B2", y2020, LineageKind::kPartial, 0.5},
          {"B", "C", july, LineageKind::kFull, std::nullopt},
          {"B2", "C", july, LineageKind::kFull, std::nullopt},
          {"D", "C", july, LineageKind::kFull, std::nullopt},
          {"A", "D", make_date(2010, 1, 1), LineageKind::kFull, std::nullopt},  // not D's start
      });
  const std::vector<LineageStep> steps = index.lineage_ancestry("C", july);
  std::vector<std::string> walked;
  for (const LineageStep& s : steps) {
    walked.push_back(s.edge->old_code + ">" + s.edge->new_code + "@" +
                     std::to_string(s.through));
  }
  // A reached through B, not again through B2; D began before the records, so nothing before it.
  EXPECT_EQ(walked, (std::vector<std::string>{"B>C@-1", "A>B@0", "B2>C@-1", "D>C@-1"}));
  EXPECT_TRUE(index.lineage_ancestry("C", make_date(2025, 7, 2)).empty()) << "only edges of that day";
  EXPECT_TRUE(index.lineage_ancestry("A", july).empty());
}

TEST(OrgUnitVersion, HalfOpenValidity) {
  OrgUnitVersion v = unit("x", OrgUnitLevel::kCommune, "X", "", make_date(2020, 1, 1), make_date(2020, 2, 1));
  EXPECT_FALSE(v.valid_at(make_date(2019, 12, 31)));
  EXPECT_TRUE(v.valid_at(make_date(2020, 1, 1)));
  EXPECT_TRUE(v.valid_at(make_date(2020, 1, 31)));
  EXPECT_FALSE(v.valid_at(make_date(2020, 2, 1)));
  EXPECT_TRUE(v.overlaps({make_date(2019, 12, 1), make_date(2020, 1, 1)}));
  EXPECT_FALSE(v.overlaps({make_date(2020, 2, 1), make_date(2020, 2, 29)}));
}

TEST(OrgUnitNames, LevelsAndKindsParse) {
  EXPECT_EQ(*parse_level("district"), OrgUnitLevel::kDistrict);
  EXPECT_FALSE(parse_level("ward").is_ok());
  EXPECT_EQ(*parse_lineage_kind("partial"), LineageKind::kPartial);
  EXPECT_NE(parse_lineage_kind("half").status().message().find("full or partial"), std::string::npos);
}

}  // namespace
}  // namespace qpan
