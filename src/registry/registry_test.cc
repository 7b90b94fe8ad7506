// Registry records: field values, the record filter and the counting of element values
// from records, pinned against hand-worked tables.
#include "qpan/registry.h"

#include <gtest/gtest.h>

namespace qpan {
namespace {

RegistryField field(std::string code, RegistryFieldType type, bool required = false, std::string options = {}) {
  RegistryField f;
  f.code = std::move(code);
  f.name_vi = f.code;
  f.name_en = f.code;
  f.type = type;
  f.required = required;
  f.options = std::move(options);
  return f;
}

DataElement element(std::string code, ValueType type, AggregationType aggregation, std::string disaggregation = {}) {
  DataElement e;
  e.code = std::move(code);
  e.value_type = type;
  e.aggregation = aggregation;
  e.disaggregation = std::move(disaggregation);
  return e;
}

DataSet data_set(std::string code, PeriodType type, Calendar calendar, std::vector<std::string> elements) {
  DataSet d;
  d.code = std::move(code);
  d.period_type = type;
  d.calendar = calendar;
  d.elements = std::move(elements);
  return d;
}

// Two registries (delegations, teams) and elements counted from them under both calendars.
Pack test_pack() {
  Pack pack;
  Disaggregation partner;
  partner.code = "partner";
  partner.options = {{1, "van_nam", "Vân Nam", "Yunnan"}, {2, "bac_lao", "Bắc Lào", "Northern Laos"}};
  Disaggregation team_kind;
  team_kind.code = "team_kind";
  team_kind.options = {{3, "security", "An ninh", "Security"}, {4, "mediation", "Hòa giải", "Mediation"}};
  pack.catalogue = Catalogue(
      {partner, team_kind},
      {element("in.delegations", ValueType::kCount, AggregationType::kSum, "partner"),
       element("in.delegations.cutoff", ValueType::kCount, AggregationType::kSum),
       element("in.delegations.gregorian", ValueType::kCount, AggregationType::kSum),
       element("in.persons", ValueType::kCount, AggregationType::kSum),
       element("teams", ValueType::kCount, AggregationType::kLast),
       element("team.members", ValueType::kCount, AggregationType::kLast)});

  RegistryDefinition delegations;
  delegations.code = "reg.delegation";
  delegations.fields = {field("partner", RegistryFieldType::kCode, true, "partner"),
                        field("arrived", RegistryFieldType::kDate, true),
                        field("persons", RegistryFieldType::kInteger, true),
                        field("worked_with", RegistryFieldType::kBoolean, false),
                        field("head_title", RegistryFieldType::kText, false)};
  RegistryDefinition teams;
  teams.code = "reg.team";
  teams.fields = {field("kind", RegistryFieldType::kCode, true, "team_kind"),
                  field("established", RegistryFieldType::kDate, true),
                  field("dissolved", RegistryFieldType::kDate, false),
                  field("members", RegistryFieldType::kInteger, true)};
  teams.lifecycle = RegistryLifecycle{"established", "dissolved"};
  pack.registries = {delegations, teams};
  pack.data_sets = {
      data_set("ds.monthly", PeriodType::kMonth, Calendar::kGregorian, {"in.delegations", "in.persons"}),
      data_set("ds.cutoff.yearly", PeriodType::kYear, Calendar::kCutoff, {"in.delegations.cutoff"}),
      data_set("ds.gregorian.yearly", PeriodType::kYear, Calendar::kGregorian, {"in.delegations.gregorian"}),
      data_set("ds.teams", PeriodType::kYear, Calendar::kGregorian, {"teams", "team.members"}),
  };
  return pack;
}

ElementSource source(std::string element, std::string registry, std::string date, std::string by = {},
                     std::string where = {}) {
  ElementSource s;
  s.element = std::move(element);
  s.registry = std::move(registry);
  s.date_field = date == "in_force" ? "" : std::move(date);
  s.by = std::move(by);
  s.where = std::move(where);
  return s;
}

RegistryRecord record(std::string registry, RecordFields fields) {
  RegistryRecord r;
  r.registry = std::move(registry);
  r.org_unit = "12";
  r.fields = std::move(fields);
  return r;
}

std::vector<const RegistryRecord*> pointers(const std::vector<RegistryRecord>& records) {
  std::vector<const RegistryRecord*> out;
  for (const RegistryRecord& r : records) out.push_back(&r);
  return out;
}

const DateRange kAlways{make_date(1900, 1, 1), make_date(9999, 12, 31)};

TEST(PeriodContainingTest, CutoffMonthsBeginOnTheFifteenthOfTheMonthBefore) {
  // Each row: day, period type, calendar → period; checked against Period::dates() too.
  struct Row {
    Date day;
    PeriodType type;
    Calendar calendar;
    const char* period;
  };
  const Row rows[] = {
      {make_date(2021, 12, 20), PeriodType::kYear, Calendar::kCutoff, "2022"},
      {make_date(2021, 12, 20), PeriodType::kYear, Calendar::kGregorian, "2021"},
      {make_date(2021, 12, 14), PeriodType::kYear, Calendar::kCutoff, "2021"},
      {make_date(2021, 12, 15), PeriodType::kMonth, Calendar::kCutoff, "202201"},
      {make_date(2022, 3, 14), PeriodType::kQuarter, Calendar::kCutoff, "2022Q1"},
      {make_date(2022, 3, 15), PeriodType::kQuarter, Calendar::kCutoff, "2022Q2"},
      {make_date(2022, 6, 30), PeriodType::kSixMonth, Calendar::kGregorian, "2022S1"},
      {make_date(2022, 6, 30), PeriodType::kSixMonth, Calendar::kCutoff, "2022S2"},
      {make_date(2022, 6, 30), PeriodType::kDay, Calendar::kCutoff, "20220630"},
  };
  for (const Row& row : rows) {
    const Period p = period_containing(row.day, row.type, row.calendar);
    EXPECT_EQ(p.code(), row.period) << format_date(row.day);
    EXPECT_TRUE(p.dates(row.calendar).contains(row.day)) << format_date(row.day);
  }
}

TEST(RegistryFieldTest, ValuesAreBroughtToMachineFormOrRefusedWithTheReason) {
  const Pack pack = test_pack();
  const OrgUnitIndex units({OrgUnitVersion{"12", OrgUnitLevel::kProvince, "Tỉnh Lai Châu", "Tỉnh", "", std::nullopt, std::nullopt}});
  struct Row {
    RegistryField field;
    const char* text;
    const char* machine;  // nullptr: refused with `reason`
    const char* reason;
  };
  const Row rows[] = {
      {field("d", RegistryFieldType::kDate), "20/12/2021", "2021-12-20", nullptr},
      {field("d", RegistryFieldType::kDate), " 2021-12-20 ", "2021-12-20", nullptr},
      {field("d", RegistryFieldType::kDate), "31/02/2021", nullptr, "expected a date (2021-12-20 or 20/12/2021), found \"31/02/2021\""},
      {field("n", RegistryFieldType::kInteger), "12", "12", nullptr},
      {field("n", RegistryFieldType::kInteger), "12.5", nullptr, "expected a whole number, found \"12.5\""},
      {field("x", RegistryFieldType::kNumber), "67716000000.5", "67716000000.5", nullptr},
      {field("x", RegistryFieldType::kNumber), "67,7", nullptr, "expected a number with '.' as the decimal mark, found \"67,7\""},
      {field("b", RegistryFieldType::kBoolean), "Có", "true", nullptr},
      {field("b", RegistryFieldType::kBoolean), "không", "false", nullptr},
      {field("b", RegistryFieldType::kBoolean), "maybe", nullptr, "expected true or false (có / không), found \"maybe\""},
      {field("p", RegistryFieldType::kCode, false, "partner"), "van_nam", "van_nam", nullptr},
      {field("p", RegistryFieldType::kCode, false, "partner"), "lao", nullptr, "unknown code \"lao\" (expected one of: van_nam, bac_lao)"},
      {field("u", RegistryFieldType::kUnit), "12", "12", nullptr},
      {field("u", RegistryFieldType::kUnit), "99", nullptr, "unknown org unit \"99\""},
  };
  for (const Row& row : rows) {
    Result<std::string> parsed = parse_field_value(row.field, row.text, pack.catalogue, units);
    if (row.machine != nullptr) {
      ASSERT_TRUE(parsed) << row.text << ": " << parsed.status().message();
      EXPECT_EQ(*parsed, row.machine);
    } else {
      ASSERT_FALSE(parsed) << row.text;
      EXPECT_EQ(parsed.status().message(), row.reason);
    }
  }
}

TEST(RegistryFieldTest, RecordsAreCheckedAsAWhole) {
  const Pack pack = test_pack();
  const OrgUnitIndex units;
  RecordFields fields = {
      {"kind", "security"}, {"established", "2020-03-15"}, {"dissolved", "2019-01-01"}, {"members", "5"}};
  std::vector<FieldProblem> problems = check_record_fields(pack.registries[1], fields, pack.catalogue, units);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "dissolved");
  EXPECT_EQ(problems[0].reason, "before established (2020-03-15)");

  fields = {{"established", ""}, {"members", "x"}, {"colour", "red"}, {"dissolved", ""}};
  problems = check_record_fields(pack.registries[1], fields, pack.catalogue, units);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].field, "colour");
  EXPECT_EQ(problems[0].reason, "unknown field of registry reg.team");
  EXPECT_EQ(problems[1].field, "kind");
  EXPECT_EQ(problems[2].field, "established");
  EXPECT_EQ(problems[3].field, "members");
  EXPECT_FALSE(fields.contains("dissolved"));  // an empty optional value is no value
}

TEST(RecordFilterTest, FiltersCompileAgainstTheFieldsOrNameTheColumn) {
  const Pack pack = test_pack();
  const RegistryDefinition& delegations = pack.registries[0];
  struct Row {
    const char* where;
    const char* error;  // nullptr: compiles
  };
  const Row rows[] = {
      {"worked_with", nullptr},
      {"partner == 'van_nam' and persons >= 10", nullptr},
      {"partner in ('van_nam', 'bac_lao') or not worked_with", nullptr},
      {"head_title is not empty and arrived < '2022-01-01'", nullptr},
      {"partners == 'van_nam'", "column 1: unknown field \"partners\" of registry reg.delegation"},
      {"partner == 'lao'", "column 12: unknown code \"lao\" (expected one of: van_nam, bac_lao)"},
      {"persons > 'many'", "column 11: expected a number for field \"persons\", found \"many\""},
      {"partner < 'van_nam'", "column 9: \"<\" needs a number, integer or date field; \"partner\" is a code"},
      {"persons", "column 1: field \"persons\" is not a boolean: compare it (==, !=, <, in, is empty)"},
      {"worked_with and", "column 16: expected a field, found end of the filter"},
      {"(worked_with", "column 13: expected \")\", found end of the filter"},
      {"arrived == 'tomorrow'", "column 12: expected a date (2021-12-20 or 20/12/2021), found \"tomorrow\""},
      {"head_title == 'Phó Chủ tịch", "column 15: text not closed by '"},
  };
  for (const Row& row : rows) {
    Result<RecordFilter> filter = RecordFilter::compile(row.where, delegations, pack.catalogue);
    if (row.error == nullptr) {
      EXPECT_TRUE(filter) << row.where << ": " << filter.status().message();
    } else {
      ASSERT_FALSE(filter) << row.where;
      EXPECT_EQ(filter.status().message(), row.error) << row.where;
    }
  }
}

TEST(RecordFilterTest, EmptyFieldsMatchNoComparison) {
  const Pack pack = test_pack();
  const RegistryDefinition& delegations = pack.registries[0];
  const RegistryRecord with = record("reg.delegation", {{"partner", "van_nam"}, {"persons", "12"}, {"worked_with", "true"},
                                                        {"arrived", "2021-12-20"}});
  const RegistryRecord without = record("reg.delegation", {{"partner", "bac_lao"}, {"persons", "3"}});
  struct Row {
    const char* where;
    bool with, without;
  };
  const Row rows[] = {
      {"", true, true},
      {"worked_with", true, false},
      {"not worked_with", false, true},
      {"worked_with == false", false, false},
      {"persons > 10", true, false},
      {"persons in (3, 4)", false, true},
      {"arrived >= '2021-12-01' and arrived <= '2021-12-31'", true, false},
      {"arrived is empty", false, true},
      {"partner != 'van_nam'", false, true},
      {"(partner == 'van_nam' or persons == 3) and not head_title is not empty", true, true},
  };
  for (const Row& row : rows) {
    Result<RecordFilter> filter = RecordFilter::compile(row.where, delegations, pack.catalogue);
    ASSERT_TRUE(filter) << row.where << ": " << filter.status().message();
    EXPECT_EQ(filter->matches(with), row.with) << row.where;
    EXPECT_EQ(filter->matches(without), row.without) << row.where;
  }
}

TEST(RecordCounterTest, ADelegationOfTwentiethDecemberCountsInTheYearOfItsCalendar) {
  const Pack pack = test_pack();
  const std::vector<RegistryRecord> records = {
      record("reg.delegation", {{"partner", "van_nam"}, {"arrived", "2021-12-20"}, {"persons", "7"}}),
  };
  const std::vector<const RegistryRecord*> all = pointers(records);
  Result<RecordCounter> cutoff =
      RecordCounter::compile(source("in.delegations.cutoff", "reg.delegation", "arrived"), pack);
  Result<RecordCounter> gregorian =
      RecordCounter::compile(source("in.delegations.gregorian", "reg.delegation", "arrived"), pack);
  ASSERT_TRUE(cutoff) << cutoff.status().message();
  ASSERT_TRUE(gregorian) << gregorian.status().message();
  EXPECT_EQ(cutoff->count(all, {&kAlways, 1}, make_date(2026, 1, 1)),
            (std::vector<CountedValue>{{Period::year(2022), "", 1}}));
  EXPECT_EQ(gregorian->count(all, {&kAlways, 1}, make_date(2026, 1, 1)),
            (std::vector<CountedValue>{{Period::year(2021), "", 1}}));
}

TEST(RecordCounterTest, DatedRecordsAreCountedAndSummedByPeriodAndOption) {
  const Pack pack = test_pack();
  const std::vector<RegistryRecord> records = {
      record("reg.delegation", {{"partner", "van_nam"}, {"arrived", "2022-01-03"}, {"persons", "7"}, {"worked_with", "true"}}),
      record("reg.delegation", {{"partner", "van_nam"}, {"arrived", "2022-01-31"}, {"persons", "5"}, {"worked_with", "false"}}),
      record("reg.delegation", {{"partner", "bac_lao"}, {"arrived", "2022-01-10"}, {"persons", "12"}, {"worked_with", "true"}}),
      record("reg.delegation", {{"partner", "bac_lao"}, {"arrived", "2022-02-01"}, {"persons", "4"}}),
      record("reg.team", {{"kind", "security"}, {"established", "2022-01-05"}, {"members", "5"}}),  // another registry
  };
  const std::vector<const RegistryRecord*> all = pointers(records);
  Result<RecordCounter> by_partner = RecordCounter::compile(source("in.delegations", "reg.delegation", "arrived", "partner"), pack);
  ASSERT_TRUE(by_partner) << by_partner.status().message();
  EXPECT_EQ(by_partner->count(all, {&kAlways, 1}, make_date(2026, 1, 1)),
            (std::vector<CountedValue>{{Period::month(2022, 1), "bac_lao", 1},
                                       {Period::month(2022, 1), "van_nam", 2},
                                       {Period::month(2022, 2), "bac_lao", 1}}));
  ElementSource persons = source("in.persons", "reg.delegation", "arrived", "", "worked_with");
  persons.measure = SourceMeasure::kSum;
  persons.sum_field = "persons";
  Result<RecordCounter> summed = RecordCounter::compile(persons, pack);
  ASSERT_TRUE(summed) << summed.status().message();
  EXPECT_EQ(summed->count(all, {&kAlways, 1}, make_date(2026, 1, 1)),
            (std::vector<CountedValue>{{Period::month(2022, 1), "", 19}}));
  // Only periods in which the owner unit is in force get a value.
  const DateRange february{make_date(2022, 2, 1), make_date(2030, 1, 1)};
  EXPECT_EQ(by_partner->count(all, {&february, 1}, make_date(2026, 1, 1)),
            (std::vector<CountedValue>{{Period::month(2022, 2), "bac_lao", 1}}));
}

TEST(RecordCounterTest, ATeamDissolvedInMarch2020CountsIn2019sStockAndNotIn2020s) {
  const Pack pack = test_pack();
  const std::vector<RegistryRecord> records = {
      record("reg.team", {{"kind", "security"}, {"established", "2018-06-01"}, {"dissolved", "2020-03-15"}, {"members", "5"}}),
      record("reg.team", {{"kind", "security"}, {"established", "2019-12-31"}, {"members", "4"}}),
      record("reg.team", {{"kind", "mediation"}, {"established", "2017-01-01"}, {"members", "9"}}),
  };
  const std::vector<const RegistryRecord*> all = pointers(records);
  Result<RecordCounter> teams =
      RecordCounter::compile(source("teams", "reg.team", "in_force", "", "kind == 'security'"), pack);
  ASSERT_TRUE(teams) << teams.status().message();
  EXPECT_EQ(teams->count(all, {&kAlways, 1}, make_date(2021, 7, 1)),
            (std::vector<CountedValue>{{Period::year(2018), "", 1},
                                       {Period::year(2019), "", 2},
                                       {Period::year(2020), "", 1},
                                       {Period::year(2021), "", 1}}));
  ElementSource members = source("team.members", "reg.team", "in_force", "", "kind == 'security'");
  members.measure = SourceMeasure::kSum;
  members.sum_field = "members";
  Result<RecordCounter> summed = RecordCounter::compile(members, pack);
  ASSERT_TRUE(summed) << summed.status().message();
  EXPECT_EQ(summed->count(all, {&kAlways, 1}, make_date(2020, 1, 1)),
            (std::vector<CountedValue>{{Period::year(2018), "", 5}, {Period::year(2019), "", 9}, {Period::year(2020), "", 4}}));
  // A unit gone at the end of 2019: its stock ends with it.
  const DateRange until_2019{make_date(2010, 1, 1), make_date(2019, 12, 31)};
  EXPECT_EQ(teams->count(all, {&until_2019, 1}, make_date(2021, 7, 1)),
            (std::vector<CountedValue>{{Period::year(2018), "", 1}, {Period::year(2019), "", 2}}));
}

TEST(RecordCounterTest, SourcesThatCannotBeCountedAreRefusedWithTheReason) {
  const Pack pack = test_pack();
  struct Row {
    ElementSource source;
    const char* error;
  };
  ElementSource sum_of_text = source("in.persons", "reg.delegation", "arrived");
  sum_of_text.measure = SourceMeasure::kSum;
  sum_of_text.sum_field = "head_title";
  const Row rows[] = {
      {source("nothing", "reg.delegation", "arrived"), "unknown data element \"nothing\""},
      {source("in.persons", "reg.none", "arrived"), "unknown registry \"reg.none\" (declare it under \"registries\")"},
      {source("in.persons", "reg.delegation", "in_force"),
       "date: registry reg.delegation has no lifecycle, so nothing is in force (give a date field)"},
      {source("in.persons", "reg.delegation", "persons"), "date: field \"persons\" is not a date"},
      {source("in.delegations", "reg.delegation", "arrived"),
       "element in.delegations is disaggregated by partner: say which code field gives the option (\"by\")"},
      {source("in.persons", "reg.delegation", "arrived", "partner"), "by: element in.persons has no disaggregation"},
      {source("teams", "reg.team", "established"),
       "records dated in a period are a flow: element teams needs aggregation \"sum\""},
      {source("in.persons", "reg.team", "in_force"),
       "records in force are a stock: element in.persons needs aggregation \"last\""},
      {sum_of_text, "measure: field \"head_title\" is a text; only integer and number fields add up"},
      {source("in.persons", "reg.delegation", "arrived", "", "partner == 'x'"),
       "where: column 12: unknown code \"x\" (expected one of: van_nam, bac_lao)"},
  };
  for (const Row& row : rows) {
    Result<RecordCounter> counter = RecordCounter::compile(row.source, pack);
    ASSERT_FALSE(counter) << row.error;
    EXPECT_EQ(counter.status().message(), row.error);
  }
}

}  // namespace
}  // namespace qpan
