// The demo generator on a small made-up province: every kind hits its targets exactly,
// respects its bounds and plans, gives the same bytes for the same specification, and
// names file, JSON path and reason for what is wrong.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include <fstream>

#include "demo/generator.h"
#include "qpan/demo.h"
#include "qpan/pack.h"

namespace qpan::demo {
namespace {

OrgUnitVersion unit(std::string code, OrgUnitLevel level, std::string type, std::string parent,
                    std::optional<Date> from = std::nullopt, std::optional<Date> until = std::nullopt) {
  OrgUnitVersion v;
  v.code = code;
  v.level = level;
  v.type = type;
  v.name = type + " " + code;
  v.parent_code = parent;
  v.valid_from = from;
  v.valid_until = until;
  return v;
}

// Province 90 with districts 901 (5 communes, one a ward) and 902 (3 communes, one of which
// ends on 1 Feb 2020) and an agency under 902.
OrgUnitIndex test_units() {
  std::vector<OrgUnitVersion> v;
  v.push_back(unit("90", OrgUnitLevel::kProvince, "Tỉnh", ""));
  v.push_back(unit("901", OrgUnitLevel::kDistrict, "Thành phố", "90"));
  v.push_back(unit("902", OrgUnitLevel::kDistrict, "Huyện", "90"));
  v.push_back(unit("90101", OrgUnitLevel::kCommune, "Phường", "901"));
  for (std::string c : {"90102", "90103", "90104", "90105"}) v.push_back(unit(c, OrgUnitLevel::kCommune, "Xã", "901"));
  v.push_back(unit("90201", OrgUnitLevel::kCommune, "Xã", "902"));
  v.push_back(unit("90202", OrgUnitLevel::kCommune, "Xã", "902"));
  v.push_back(unit("90203", OrgUnitLevel::kCommune, "Xã", "902", std::nullopt, make_date(2020, 2, 1)));
  v.push_back(unit("A9001", OrgUnitLevel::kAgency, "Trường học", "902", make_date(2016, 1, 1)));
  return OrgUnitIndex(std::move(v));
}

Catalogue test_catalogue() {
  Disaggregation partner;
  partner.code = "partner";
  partner.options = {{0, "a", "A", "A"}, {0, "b", "B", "B"}};
  auto element = [](std::string code, ValueType type, std::string dis = "") {
    DataElement e;
    e.code = code;
    e.name_vi = code;
    e.name_en = code;
    e.value_type = type;
    e.disaggregation = dis;
    return e;
  };
  return Catalogue({partner}, {element("cases", ValueType::kCount), element("solved", ValueType::kCount),
                               element("suspects", ValueType::kCount), element("visits", ValueType::kCount, "partner"),
                               element("aid", ValueType::kAmountVnd), element("flag", ValueType::kBoolean),
                               element("total", ValueType::kCount), element("safe", ValueType::kCount),
                               element("points", ValueType::kNumber)});
}

struct Row {
  std::string element, period, unit, option, value, comment;
};

std::vector<Row> rows_of(const std::string& csv) {
  std::vector<Row> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string field;
    std::istringstream ls(line);
    while (std::getline(ls, field, ',')) f.push_back(field);
    while (f.size() < 10) f.emplace_back();
    rows.push_back({f[0], f[1], f[2], f[3], f[5], f[8]});
  }
  return rows;
}

class GeneratorTest : public ::testing::Test {
 protected:
  Result<GeneratedDataset> generate(const std::string& series, const std::string& partitions = "[]") {
    const std::string spec = R"({
      "demo": {"code": "t", "name_vi": "Thử", "seed": 7},
      "groups": {"communes": {"under": "90", "levels": ["commune"]},
                 "province": {"codes": ["90"]},
                 "rated": {"under": "90", "levels": ["commune", "agency"]}},
      "weights": {"w": {"by_type": {"Phường": 3}, "jitter": [0.5, 1.5]}},
      "seasonality": {"tet": [2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.5]},
      "partitions": )" + partitions + R"(,
      "series": )" + series + "}";
    return generate_from_text(spec, "t.json", units_, catalogue_);
  }

  std::map<std::string, int64_t> sum_by(const std::vector<Row>& rows, const std::string& element,
                                        auto key) {
    std::map<std::string, int64_t> out;
    for (const Row& r : rows) {
      if (r.element == element) out[key(r)] += std::stoll(r.value);
    }
    return out;
  }

  OrgUnitIndex units_ = test_units();
  Catalogue catalogue_ = test_catalogue();
};

TEST_F(GeneratorTest, SpreadTotalIsExactWithBoundsAndOnlyUnitsInForce) {
  Result<GeneratedDataset> d = generate(R"([
    {"kind": "spread_total", "element": "cases", "units": "communes", "weights": "w", "seasonality": "tet",
     "windows": [{"periods": "201901..202012", "total": 97}]},
    {"kind": "spread_total", "element": "solved", "units": "communes",
     "caps": [{"series": "cases"}], "windows": [{"periods": "201901..202012", "total": 80}]},
    {"kind": "spread_total", "element": "suspects", "units": "communes",
     "floors": [{"series": "solved"}], "support": ["cases"], "windows": [{"periods": "201901..202012", "total": 120}]}
  ])");
  ASSERT_TRUE(d) << d.status().message();
  const std::vector<Row> rows = rows_of(d->csv);
  auto total = [&](const std::string& e) {
    int64_t s = 0;
    for (const Row& r : rows) s += r.element == e ? std::stoll(r.value) : 0;
    return s;
  };
  EXPECT_EQ(total("cases"), 97);
  EXPECT_EQ(total("solved"), 80);
  EXPECT_EQ(total("suspects"), 120);
  std::map<std::pair<std::string, std::string>, std::map<std::string, int64_t>> cell;
  for (const Row& r : rows) cell[{r.period, r.unit}][r.element] = std::stoll(r.value);
  for (const auto& [k, v] : cell) {
    EXPECT_LE(v.at("solved"), v.at("cases")) << k.first << " " << k.second;
    EXPECT_GE(v.at("suspects"), v.at("solved")) << k.first << " " << k.second;
    if (v.at("cases") == 0) {
      EXPECT_EQ(v.at("suspects"), 0);
    }
  }
  // 90203 reports until January 2020, not after; zeros are written.
  EXPECT_TRUE(cell.count({"202001", "90203"}));
  EXPECT_FALSE(cell.count({"202002", "90203"}));
  EXPECT_EQ(cell.size(), 24u * 7 + 13);
}

TEST_F(GeneratorTest, SameSpecificationSameBytes) {
  const std::string series = R"([
    {"kind": "spread_total", "element": "cases", "units": "communes", "weights": "w",
     "windows": [{"periods": "2019", "total": 40}]},
    {"kind": "spread_total", "element": "aid", "units": "province", "method": "lumps", "lumps": 3,
     "quantum": 1000000, "windows": [{"periods": "2019", "total": 67716000000}]}])";
  Result<GeneratedDataset> a = generate(series);
  Result<GeneratedDataset> b = generate(series);
  ASSERT_TRUE(a) << a.status().message();
  ASSERT_TRUE(b);
  EXPECT_EQ(a->csv, b->csv);
  int64_t aid = 0, months_with_aid = 0;
  for (const Row& r : rows_of(a->csv)) {
    if (r.element != "aid") continue;
    aid += std::stoll(r.value);
    months_with_aid += r.value != "0";
    EXPECT_EQ(std::stoll(r.value) % 1000000, 0);
  }
  EXPECT_EQ(aid, 67716000000);
  EXPECT_EQ(months_with_aid, 3);
}

TEST_F(GeneratorTest, ZeroUnitsAndAtLeastOneForTheOthers) {
  Result<GeneratedDataset> d = generate(R"([
    {"kind": "spread_total", "element": "cases", "units": "communes", "weights": "w",
     "windows": [{"periods": "201601..201806", "total": 50, "zero_units": {"count": 3}},
                 {"periods": "201807..201812", "total": 10}]}])");
  ASSERT_TRUE(d) << d.status().message();
  std::map<std::string, int64_t> per_unit;
  for (const Row& r : rows_of(d->csv)) {
    if (r.period <= "201806") per_unit[r.unit] += std::stoll(r.value);
  }
  ASSERT_EQ(per_unit.size(), 8u);
  int zero = 0;
  for (const auto& [u, n] : per_unit) zero += n == 0;
  EXPECT_EQ(zero, 3);
}

TEST_F(GeneratorTest, YearOnYearKeepsUnitsAtOrBelowLastYearExceptTheUpSet) {
  Result<GeneratedDataset> d = generate(R"([
    {"kind": "spread_total", "element": "cases", "units": "communes", "weights": "w",
     "year_on_year": {"years": "2019", "up": {"2019": ["up"]}, "max_rise": 2},
     "windows": [{"periods": "2018", "total": 60}, {"periods": "2019", "total": 50}]}])",
                                        R"([{"code": "p", "pool": {"group": "communes", "in_force": "2018..2019"},
                                            "parts": [{"set": "up", "codes": ["90104"]}]}])");
  ASSERT_TRUE(d) << d.status().message();
  std::map<std::string, std::map<std::string, int64_t>> by_year;
  for (const Row& r : rows_of(d->csv)) by_year[r.period.substr(0, 4)][r.unit] += std::stoll(r.value);
  for (const auto& [u, n] : by_year["2019"]) {
    if (u == "90104") {
      EXPECT_GT(n, by_year["2018"][u]);
      EXPECT_LE(n, by_year["2018"][u] + 2);
    } else {
      EXPECT_LE(n, by_year["2018"][u]) << u;
    }
  }
}

TEST_F(GeneratorTest, PartitionsSetValuesRatiosStocksAndPoints) {
  Result<GeneratedDataset> d = generate(R"([
    {"kind": "set_values", "element": "flag", "units": "communes", "periods": "2016..2020", "default": false,
     "overrides": [{"sets": ["off2018"], "periods": "2016..2017", "value": true},
                   {"sets": ["always"], "periods": "2016..2020", "value": true, "comment": "vẫn trọng điểm"}]},
    {"kind": "stock_levels", "element": "total", "units": "communes", "weights": "w", "min": 3,
     "targets": [{"periods": "2019", "total": 80}, {"periods": "2020", "total": 70}]},
    {"kind": "ratio_of", "element": "safe", "of": "total", "ratio": [0.75, 1.0],
     "overrides": [{"sets": ["low"], "periods": "2020", "ratio": [0.6, 0.69]}]},
    {"kind": "points", "element": "points", "units": "rated", "step": 0.5,
     "targets": [{"periods": "2020", "low_first": ["low"],
                  "bands": [{"min": 50, "max": 74.5, "count": 2}, {"min": 75, "max": 89.5, "count": 4},
                            {"min": 90, "max": 100, "count": 2}]}]}])",
                                        R"([{"code": "key", "pool": {"group": "communes", "in_force": "2016..2020"},
                                            "parts": [{"set": "off2018", "count": 3}, {"set": "always", "count": 1}]},
                                           {"code": "eval", "pool": {"group": "communes", "in_force": "2016..2020"},
                                            "parts": [{"set": "low", "count": 2}]}])");
  ASSERT_TRUE(d) << d.status().message();
  const std::vector<Row> rows = rows_of(d->csv);
  int on2016 = 0, on2020 = 0, left = 0;
  std::map<std::string, std::map<std::string, std::string>> flag;
  std::map<std::string, int64_t> total2020, safe2020;
  int64_t sum2019 = 0, sum2020 = 0;
  std::vector<double> points;
  for (const Row& r : rows) {
    if (r.element == "flag") flag[r.unit][r.period] = r.value;
    if (r.element == "total") (r.period == "2019" ? sum2019 : sum2020) += std::stoll(r.value);
    if (r.element == "total" && r.period == "2020") total2020[r.unit] = std::stoll(r.value);
    if (r.element == "safe" && r.period == "2020") safe2020[r.unit] = std::stoll(r.value);
    if (r.element == "points") points.push_back(std::stod(r.value));
  }
  for (const auto& [u, years] : flag) {
    on2016 += years.count("2016") && years.at("2016") == "true";
    on2020 += years.count("2020") && years.at("2020") == "true";
    left += years.count("2016") && years.at("2016") == "true" && years.count("2020") && years.at("2020") == "false";
  }
  EXPECT_EQ(on2016, 4);
  EXPECT_EQ(on2020, 1);
  EXPECT_EQ(left, 3);
  EXPECT_EQ(sum2019, 80);
  EXPECT_EQ(sum2020, 70);
  int low = 0;
  for (const auto& [u, t] : total2020) {
    EXPECT_GE(t, 3);
    EXPECT_LE(safe2020[u], t);
    low += safe2020[u] < 0.7 * static_cast<double>(t);
  }
  EXPECT_EQ(low, 2);
  ASSERT_EQ(points.size(), 8u);  // 7 communes in force at the end of 2020 and the agency
  int below75 = 0;
  for (double p : points) {
    EXPECT_GE(p, 50);
    EXPECT_LE(p, 100);
    EXPECT_EQ(p * 2, static_cast<int>(p * 2));
    below75 += p < 75;
  }
  EXPECT_EQ(below75, 2);
  EXPECT_NE(d->csv.find("vẫn trọng điểm"), std::string::npos);
}

TEST_F(GeneratorTest, ErrorsNameFilePathAndReason) {
  Result<GeneratedDataset> d = generate(R"([{"kind": "spread_total", "element": "nope", "units": "communes",
                                             "windows": []}])");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.status().message(), "t.json: $.series[0].element: unknown data element \"nope\" (not in the pack)");

  d = generate(R"([{"kind": "spread_total", "element": "solved", "units": "communes",
                    "caps": [{"series": "cases"}], "windows": []}])");
  ASSERT_FALSE(d);
  EXPECT_NE(d.status().message().find("$.series[0].caps[0].series: unknown series \"cases\""), std::string::npos)
      << d.status().message();

  d = generate(R"([
    {"kind": "spread_total", "element": "cases", "units": "communes", "windows": [{"periods": "2019", "total": 5}]},
    {"kind": "spread_total", "element": "solved", "units": "communes", "caps": [{"series": "cases"}],
     "windows": [{"periods": "2019", "total": 6}]}])");
  ASSERT_FALSE(d);
  EXPECT_NE(d.status().message().find("$.series[1].windows[0]: the caps"), std::string::npos) << d.status().message();

  d = generate(R"([{"kind": "set_values", "element": "flag", "units": "communes", "periods": "2019",
                    "default": 1}])");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.status().message(), "t.json: $.series[0].default: element flag is boolean: expected true or false");

  d = generate(R"([{"kind": "spread_total", "element": "cases", "units": "communes", "typo": 1, "windows": []}])");
  ASSERT_FALSE(d);
  EXPECT_NE(d.status().message().find("$.series[0].typo: unknown key"), std::string::npos);

  d = generate("[]", R"([{"code": "p", "pool": {"group": "communes", "in_force": "2016..2020"},
                          "parts": [{"set": "s", "count": 8}]}])");
  ASSERT_FALSE(d);
  EXPECT_NE(d.status().message().find("the parts need 8 units but the pool has 7 left"), std::string::npos)
      << d.status().message();

  d = generate_from_text("{\n  \"demo\": ,\n}", "bad.json", units_, catalogue_);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.status().message().rfind("bad.json:2: invalid JSON", 0), 0u) << d.status().message();
}

// The demo holds no typed figure of an element counted from records: every series of a
// counted element in the shipped specifications is written as its register's records.
TEST(DemoSpecificationTest, CountedElementsComeOnlyFromRecords) {
  Result<PackReadResult> pack = read_pack(std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn");
  ASSERT_TRUE(pack.is_ok() && pack->pack.has_value());
  std::set<std::string> counted;
  for (const ElementSource& s : pack->pack->sources) counted.insert(s.element);
  ASSERT_GE(counted.size(), 15u);
  auto read_json = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str());
  };
  const std::string dir = std::string(QPAN_SOURCE_DIR) + "/demo/";
  const boost::json::value manifest = read_json(dir + "demo.json");
  size_t checked = 0, as_records = 0;
  for (const boost::json::value& name : manifest.at("datasets").as_array()) {
    const boost::json::value spec = read_json(dir + std::string(name.as_string()));
    for (const boost::json::value& series : spec.at("series").as_array()) {
      const std::string element(series.at("element").as_string());
      ++checked;
      if (!counted.contains(element)) continue;
      EXPECT_TRUE(series.as_object().contains("records"))
          << name.as_string() << ": series of " << element << " types figures of an element counted from "
          << "records; give it a \"records\" plan";
      ++as_records;
    }
  }
  EXPECT_GT(checked, 50u);
  EXPECT_GE(as_records, 20u);  // delegations in and out by partner, works, teams, models, awards
}

}  // namespace
}  // namespace qpan::demo
