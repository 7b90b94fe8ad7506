// Tests of the data-entry form (qpan/entry_form.h) on the real units and the qpan-vn pack:
// cells as the pack defines them (counted from the pack file itself), stored values with
// their versions beside the previous period's and last year's, the state and why a form is
// closed, and every refusal in its order.
#include "qpan/entry_form.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "write/write_test_support.h"

namespace qpan {
namespace {

// The data set's elements and their disaggregations' option counts, read from the pack's own
// files (an oracle independent of the pack reader).
size_t cells_in_pack(const std::string& data_set) {
  auto read = [](const std::string& path) {
    std::ifstream in(std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn/" + path);
    std::stringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str());
  };
  std::map<std::string, size_t> options;
  const boost::json::value disaggregations = read("disaggregations.json");
  for (const auto& d : disaggregations.at("disaggregations").as_array()) {
    options[std::string(d.at("code").as_string())] = d.at("options").as_array().size();
  }
  std::map<std::string, std::string> disaggregation_of;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn/elements")) {
    const boost::json::value elements = read("elements/" + entry.path().filename().string());
    for (const auto& e : elements.at("elements").as_array()) {
      const auto* d = e.as_object().if_contains("disaggregation");
      disaggregation_of[std::string(e.at("code").as_string())] = d ? std::string(d->as_string()) : "";
    }
  }
  const boost::json::value data_sets = read("data_sets.json");
  for (const auto& ds : data_sets.at("data_sets").as_array()) {
    if (ds.at("code").as_string() != data_set) continue;
    size_t cells = 0;
    for (const auto& code : ds.at("elements").as_array()) {
      const std::string& d = disaggregation_of.at(std::string(code.as_string()));
      cells += d.empty() ? 1 : options.at(d);
    }
    return cells;
  }
  return 0;
}

class EntryFormTest : public write_test::WriterTest {
 protected:
  Result<EntryForm> form(std::string_view data_set, std::string_view unit, std::string_view period) {
    units_ = store_->load_org_units().value();
    catalogue_ = store_->load_catalogue().value();
    const EntryFormSources sources{*workflow_, *writer_, *store_, store_mutex_, catalogue_, units_};
    return read_entry_form(sources, data_set, unit, Period::parse(period).value());
  }

  static const EntryFormCell& cell(const EntryForm& f, std::string_view element, std::string_view option = "") {
    for (const EntryFormCell& c : f.cells) {
      if (c.element->code == element && (c.option ? c.option->code : "") == option) return c;
    }
    ADD_FAILURE() << "no cell " << element << "." << option;
    return f.cells.front();
  }

  OrgUnitIndex units_;
  Catalogue catalogue_;
};

TEST_F(EntryFormTest, CellsHoldTheValueItsVersionThePreviousPeriodAndLastYear) {
  const Writer system = Writer::system("test");
  write(entries(system, {{"crime.ttxh.cases", "202401", "03400", "", "4"},
                         {"crime.ttxh.cases", "202312", "03400", "", "3"},
                         {"crime.ttxh.cases", "202301", "03400", "", "2"},
                         {"drug.cases", "202312", "03400", "", "1"}}));
  write(entries(system, {{"crime.ttxh.cases", "202401", "03400", "", "5"}}));  // version 2

  Result<EntryForm> f = form("ds.antt.commune.monthly", "03400", "202401");
  ASSERT_TRUE(f.is_ok()) << f.status().message();
  EXPECT_EQ(f->data_set->code, "ds.antt.commune.monthly");
  EXPECT_EQ(f->unit.name, "Xã Tả Lèng");
  EXPECT_EQ(f->previous.code(), "202312");
  EXPECT_EQ(f->last_year.code(), "202301");
  // A cut-off month ends on the 14th (qpan/workflow.h); two days after it.
  EXPECT_EQ(format_date(f->deadline), "2024-01-16");
  EXPECT_EQ(f->approval.state, ApprovalState::kDraft);
  EXPECT_FALSE(f->closed.has_value());
  EXPECT_EQ(f->cells.size(), cells_in_pack("ds.antt.commune.monthly"));

  const EntryFormCell& cases = cell(*f, "crime.ttxh.cases");
  ASSERT_TRUE(cases.value && cases.previous && cases.last_year);
  EXPECT_EQ(cases.value->value, "5");
  EXPECT_EQ(cases.value->version, 2);
  EXPECT_EQ(cases.previous->value, "3");
  EXPECT_EQ(cases.last_year->value, "2");
  const EntryFormCell& drugs = cell(*f, "drug.cases");
  EXPECT_FALSE(drugs.value.has_value());
  ASSERT_TRUE(drugs.previous.has_value());
  EXPECT_EQ(drugs.previous->value, "1");
  EXPECT_FALSE(drugs.last_year.has_value());

  // Sections by subject area, in the order of their first element; every cell in one.
  ASSERT_FALSE(f->sections.empty());
  EXPECT_EQ(f->sections.front().area, "crime");
  size_t in_sections = 0;
  for (const EntryFormSection& s : f->sections) {
    in_sections += s.cells.size();
    for (size_t i : s.cells) EXPECT_EQ(f->cells[i].element->area, s.area);
  }
  EXPECT_EQ(in_sections, f->cells.size());
}

TEST_F(EntryFormTest, ADisaggregatedElementHasACellPerOption) {
  write(entries(Writer::system("test"), {{"border.gate.trade_usd", "202401", "12", "ma_lu_thang", "3"}}));
  Result<EntryForm> f = form("ds.border.gate.monthly", "12", "202401");
  ASSERT_TRUE(f.is_ok()) << f.status().message();
  EXPECT_EQ(f->cells.size(), cells_in_pack("ds.border.gate.monthly"));
  const EntryFormCell& ma_lu_thang = cell(*f, "border.gate.trade_usd", "ma_lu_thang");
  ASSERT_TRUE(ma_lu_thang.value.has_value());
  EXPECT_EQ(ma_lu_thang.value->value, "3");
  EXPECT_FALSE(cell(*f, "border.gate.trade_usd", "lao_cai").value.has_value());
  EXPECT_EQ(ma_lu_thang.counted_from, "");
  // Elements counted from registry records say from which.
  Result<EntryForm> foreign = form("ds.foreign.province.monthly", "12", "202401");
  ASSERT_TRUE(foreign.is_ok()) << foreign.status().message();
  EXPECT_EQ(cell(*foreign, "foreign.in.delegations", "van_nam").counted_from, "reg.foreign.delegation_in");
  EXPECT_EQ(cell(*foreign, "foreign.aid.vnd").counted_from, "");
}

TEST_F(EntryFormTest, AnApprovedFormSaysWhyItIsClosed) {
  write(entries(Writer::system("test"), {{"crime.ttxh.cases", "201601", "03400", "", "4"}}));
  approve("03400", "201601");
  Result<EntryForm> f = form("ds.antt.commune.monthly", "03400", "201601");
  ASSERT_TRUE(f.is_ok()) << f.status().message();
  EXPECT_EQ(f->approval.state, ApprovalState::kApproved);
  ASSERT_EQ(f->approval.history.size(), 2u);
  ASSERT_TRUE(f->closed.has_value());
  EXPECT_NE(f->closed->find("đã được duyệt"), std::string::npos) << *f->closed;
  // The month before is still open.
  EXPECT_FALSE(form("ds.antt.commune.monthly", "03400", "201512")->closed.has_value());
}

TEST_F(EntryFormTest, RefusalsComeInTheirOrder) {
  auto code = [&](std::string_view ds, std::string_view unit, std::string_view period) {
    return form(ds, unit, period).status().code();
  };
  EXPECT_EQ(code("ds.unknown", "99999", "2024"), StatusCode::kNotFound);                 // data set first
  EXPECT_EQ(code("ds.antt.commune.monthly", "99999", "2024"), StatusCode::kInvalidInput); // then the period type
  EXPECT_EQ(code("ds.antt.commune.monthly", "99999", "202401"), StatusCode::kNotFound);   // then the unit
  EXPECT_EQ(code("ds.antt.commune.monthly", "106", "202401"), StatusCode::kInvalidInput); // a district
  // Xã Tả Lèng 03400 merged into 03405 on 2025-07-01: no form of it after.
  EXPECT_EQ(code("ds.antt.commune.monthly", "03400", "202508"), StatusCode::kNotFound);
}

}  // namespace
}  // namespace qpan
