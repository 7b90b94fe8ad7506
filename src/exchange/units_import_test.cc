// Tests for importing org units and lineage: the real vn-admin data (Lai Châu before and
// after 2020 and 2025, the reused code 15, lineage kinds) and every class of bad unit file.
#include <set>

#include "exchange/exchange_test_support.h"

namespace qpan {
namespace {

class UnitsImportTest : public testing::ExchangeTest {
 protected:
  // Units `levels_below` under `code` on `date`.
  size_t count_below(const OrgUnitIndex& index, const std::string& code, Date date, int levels_below) {
    std::vector<const OrgUnitVersion*> layer = {index.at(code, date)};
    for (int i = 0; i < levels_below; ++i) {
      std::vector<const OrgUnitVersion*> next;
      for (const OrgUnitVersion* u : layer) {
        for (const OrgUnitVersion* c : index.children(u->code, date)) next.push_back(c);
      }
      layer = next;
    }
    return layer.size();
  }

  ImportProblems rejected(const std::string& path) {
    const size_t before = store_->load_org_units()->versions().size();
    Result<UnitImportResult> r = import_units(*store_, path);
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    EXPECT_FALSE(r->problems.empty());
    EXPECT_EQ(store_->load_org_units()->versions().size(), before) << "nothing may be written";
    return r->problems;
  }

  static constexpr const char* kHeader = "level,code,name,type,parent_code,valid_from,valid_until\n";
};

TEST_F(UnitsImportTest, RealDataGivesLaiChauAtEveryDate) {
  load_real_units();
  OrgUnitIndex index = *store_->load_org_units();
  EXPECT_EQ(index.versions().size(), 16616u);
  EXPECT_EQ(count_below(index, "12", make_date(2018, 6, 30), 1), 8u);
  EXPECT_EQ(count_below(index, "12", make_date(2018, 6, 30), 2), 108u);
  EXPECT_EQ(count_below(index, "12", make_date(2020, 1, 31), 2), 108u);
  EXPECT_EQ(count_below(index, "12", make_date(2020, 2, 1), 2), 106u);
  EXPECT_EQ(count_below(index, "12", make_date(2025, 3, 1), 2), 106u);
  EXPECT_EQ(count_below(index, "12", make_date(2025, 7, 1), 1), 38u);
  EXPECT_EQ(count_below(index, "12", make_date(2025, 7, 1), 2), 0u);
  EXPECT_EQ(index.at("15", make_date(2024, 1, 1))->name, "Tỉnh Yên Bái");
  EXPECT_EQ(index.at("15", make_date(2025, 8, 1))->name, "Tỉnh Lào Cai");
  // 03403 Xã Nậm Loỏng was renamed Xã Sùng Phài on 1 Feb 2020.
  EXPECT_EQ(index.at("03403", make_date(2020, 1, 31))->name, "Xã Nậm Loỏng");
  EXPECT_EQ(index.at("03403", make_date(2020, 2, 1))->name, "Xã Sùng Phài");
}

TEST_F(UnitsImportTest, RealLineageKeepsKinds) {
  load_real_units();
  OrgUnitIndex index = *store_->load_org_units();
  EXPECT_EQ(index.lineage().size(), 10604u + 63u);
  size_t partial = 0;
  std::set<std::string> split_communes;
  for (const LineageEdge& e : index.lineage()) {
    EXPECT_EQ(e.effective, make_date(2025, 7, 1));
    if (e.kind == LineageKind::kPartial) split_communes.insert(e.old_code), ++partial;
  }
  EXPECT_EQ(split_communes.size(), 460u);
  // Lào Cai 10 and Yên Bái 15 became the new Lào Cai 15.
  std::set<std::string> into_15;
  for (const LineageEdge* e : index.predecessors("15")) {
    if (e->old_code.size() == 2) into_15.insert(e->old_code);
  }
  EXPECT_EQ(into_15, (std::set<std::string>{"10", "15"}));
}

TEST_F(UnitsImportTest, ImportIsIdempotent) {
  load_real_units();
  Result<UnitImportResult> again = import_units(*store_, vn_admin());
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->summary.versions_added, 0);
  EXPECT_EQ(again->summary.versions_unchanged, 16616);
}

TEST_F(UnitsImportTest, BadUnitRowsAreNamed) {
  std::string body = std::string(kHeader) +
                     "province,90,Tỉnh Thử,Tỉnh,,,\n"
                     "county,901,Huyện A,Huyện,90,,\n"                    // 3: bad level
                     "district,902,Huyện B,Huyện,90,2020-02-30,\n"        // 4: bad date
                     "district,903,Huyện C,Huyện,90,2020-01-01,2019-01-01\n"  // 5: until <= from
                     "district,904,Huyện D,Huyện,77,,\n"                  // 6: unknown parent
                     "district,905,,Huyện,90,,\n"                          // 7: empty name
                     "district,906,Huyện E,Huyện,90,,2020-01-01\n"
                     "district,906,Huyện E2,Huyện,90,2019-06-01,\n"       // 9: overlaps line 8
                     "district,907,Huyện F,Huyện,90\n";                   // 10: column count
  ImportProblems p = rejected(write("units.csv", body));
  std::string all = p.to_string();
  EXPECT_NE(all.find("units.csv:3:1: level: unknown level \"county\""), std::string::npos) << all;
  EXPECT_NE(all.find("units.csv:4:6: valid_from:"), std::string::npos) << all;
  EXPECT_NE(all.find("units.csv:5:7: valid_until: must be after valid_from"), std::string::npos) << all;
  EXPECT_NE(all.find("units.csv:6:5: parent_code: unknown parent unit \"77\""), std::string::npos) << all;
  EXPECT_NE(all.find("units.csv:7:3: name: empty"), std::string::npos) << all;
  EXPECT_NE(all.find("units.csv:9:6: valid_from: overlaps another version of 906"), std::string::npos) << all;
  EXPECT_NE(all.find("units.csv:10: expected 7 columns"), std::string::npos) << all;
}

TEST_F(UnitsImportTest, ParentMustBeInForce) {
  std::string body = std::string(kHeader) +
                     "province,90,Tỉnh Thử,Tỉnh,,,2020-01-01\n"
                     "district,901,Huyện A,Huyện,90,2019-01-01,2021-01-01\n";
  ImportProblems p = rejected(write("units.csv", body));
  EXPECT_NE(p.to_string().find("units.csv:3:5: parent_code: parent 90 is not in force on 2020-12-31"),
            std::string::npos) << p.to_string();
}

TEST_F(UnitsImportTest, LineageMustJoinAnEndingUnitToABeginningOne) {
  load_real_units();
  // 00004 Phường Trúc Bạch ended on 1 Jul 2025; 12 Lai Châu did not begin then, but it is
  // in force, which is all lineage needs of the new side. 99999 never existed.
  ImportProblems p = rejected(write("fix-2025-07.csv",
                                    "old_code,new_code,kind,share\n"
                                    "99999,00004,partial,0.5\n"
                                    "00004,00008,partial,1.5\n"
                                    "00004,00008,half,\n"));
  std::string all = p.to_string();
  EXPECT_NE(all.find("fix-2025-07.csv:2:1: old_code: unit 99999 is not in force on 2025-06-30"), std::string::npos) << all;
  EXPECT_NE(all.find("fix-2025-07.csv:3:4: share: expected a fraction"), std::string::npos) << all;
  EXPECT_NE(all.find("fix-2025-07.csv:4:3: kind: unknown lineage kind \"half\""), std::string::npos) << all;
  ImportProblems undated = rejected(write("fix.csv", "old_code,new_code,kind\n00004,00008,partial\n"));
  EXPECT_NE(undated.to_string().find("cannot tell when this lineage takes effect"), std::string::npos);
}

TEST_F(UnitsImportTest, UserLineageWithSharesIsStored) {
  load_real_units();
  Result<UnitImportResult> r = import_units(*store_, write("shares.csv",
                                                           "old_code,new_code,kind,share,effective\n"
                                                           "00007,00008,partial,0.6,2025-07-01\n"));
  ASSERT_TRUE(r.is_ok() && r->problems.empty()) << r->problems.to_string();
  OrgUnitIndex index = *store_->load_org_units();
  bool found = false;
  for (const LineageEdge* e : index.successors("00007")) {
    if (e->new_code == "00008") {
      found = true;
      EXPECT_DOUBLE_EQ(e->share.value_or(0), 0.6);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(UnitsImportTest, UnknownLayoutAndMissingPath) {
  ImportProblems p = rejected(write("odd.csv", "a,b,c\n1,2,3\n"));
  EXPECT_NE(p.to_string().find("odd.csv:1: unrecognised layout"), std::string::npos);
  Result<UnitImportResult> missing = import_units(*store_, (dir_ / "nowhere").string());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace qpan
