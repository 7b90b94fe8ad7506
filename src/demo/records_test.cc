// Demo registry records: the records made from figures count back to exactly those figures
// (counted by the test itself, not by qpan's counter).
#include "demo/records.h"

#include <gtest/gtest.h>

namespace qpan::demo {
namespace {

int64_t alive_on(const std::vector<DemoRecord>& records, const std::string& unit, Date day) {
  const std::string d = format_date(day);
  int64_t n = 0;
  for (const DemoRecord& r : records) {
    auto to = r.find("dissolved");
    if (r.at(kOwnerField) == unit && r.at("established") <= d && (to == r.end() || to->second > d)) ++n;
  }
  return n;
}

TEST(DemoRecordsTest, LevelsBecomeLifetimesInForceOnEachPeriodsLastDay) {
  RecordTemplate t;
  t.registry = "reg.team";
  t.calendar = Calendar::kCutoff;
  t.fields = {{"kind", "security"}};
  t.numbers = {{"members", {4, 6}}};
  // Unit A rises and falls; unit B leaves the series after 2016Q2 (its teams go with it).
  const std::vector<FigureCell> cells = {
      {"A", Period::quarter(2016, 1), 3}, {"A", Period::quarter(2016, 2), 5}, {"A", Period::quarter(2016, 3), 2},
      {"A", Period::quarter(2016, 4), 2}, {"B", Period::quarter(2016, 1), 4}, {"B", Period::quarter(2016, 2), 1}};
  Rng rng(7);
  std::vector<DemoRecord> out;
  records_in_force(cells, t, "established", "dissolved", 400, rng, out);
  for (const FigureCell& c : cells) {
    EXPECT_EQ(alive_on(out, c.unit, c.period.dates(Calendar::kCutoff).last), c.value) << c.unit << " " << c.period.code();
  }
  EXPECT_EQ(alive_on(out, "B", Period::quarter(2016, 3).dates(Calendar::kCutoff).last), 0);
  EXPECT_EQ(out.size(), 9u);  // A: 3 + 2 new; B: 4
  for (const DemoRecord& r : out) {
    EXPECT_EQ(r.at("kind"), "security");
    const int members = std::stoi(r.at("members"));
    EXPECT_TRUE(members >= 4 && members <= 6);
  }
}

TEST(DemoRecordsTest, CountedAndSummedRecordsAddUpToTheirCells) {
  RecordTemplate t;
  t.registry = "reg.work";
  t.texts = {{"name", {"Đường tuần tra", "Sở chỉ huy"}}};
  const std::vector<FigureCell> cells = {{"12", Period::year(2021), 2150000000}, {"12", Period::year(2022), 300000000}};
  Rng rng(3);
  std::vector<DemoRecord> works;
  records_summed(cells, t, "approved", "budget", {3, 5}, 100000000, rng, works);
  std::map<std::string, int64_t> by_year;
  for (const DemoRecord& r : works) {
    by_year[r.at("approved").substr(0, 4)] += std::stoll(r.at("budget"));
    EXPECT_EQ(std::stoll(r.at("budget")) % 50000000, 0);  // whole quanta, the last one takes the rest
  }
  EXPECT_EQ(by_year, (std::map<std::string, int64_t>{{"2021", 2150000000}, {"2022", 300000000}}));

  std::vector<DemoRecord> delegations;
  t.end_field = "date_to";
  t.end_days = {1, 3};
  records_counted({{"12", Period::month(2022, 1), 4}, {"12", Period::month(2022, 3), 2}}, t, "date_from", rng, delegations);
  ASSERT_EQ(delegations.size(), 6u);
  EXPECT_EQ(delegations[3].at("date_from").substr(0, 7), "2022-01");
  EXPECT_EQ(delegations[5].at("date_from").substr(0, 7), "2022-03");
  EXPECT_LT(delegations[0].at("date_from"), delegations[0].at("date_to"));

  // A window: 3 of the 4 January ones worked with, 20 persons over them, at least 2 each.
  RegisterWindow w{make_date(2022, 1, 1), make_date(2022, 1, 31), {{"worked_with", 3}}, {}};
  w.sums.push_back({"persons", "worked_with", "", 20, {}, 2});
  ASSERT_EQ(apply_window(delegations, "date_from", w, rng), "");
  int flagged = 0, persons = 0;
  for (const DemoRecord& r : delegations) {
    if (r.count("worked_with") && r.at("worked_with") == "true") {
      ++flagged;
      persons += std::stoi(r.at("persons"));
      EXPECT_GE(std::stoi(r.at("persons")), 2);
    }
  }
  EXPECT_EQ(flagged, 3);
  EXPECT_EQ(persons, 20);
  w.flags = {{"worked_with", 5}};
  EXPECT_EQ(apply_window(delegations, "date_from", w, rng), "worked_with: 5 true, but the window has only 4 records");
}

}  // namespace
}  // namespace qpan::demo
