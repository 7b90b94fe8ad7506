// Tests for importing the element catalogue from JSON: good files, every class of error
// with its JSON path or line and column, and all-or-nothing writes.
#include "exchange/exchange_test_support.h"
#include "qpan/pack.h"

namespace qpan {
namespace {

class ElementsImportTest : public testing::ExchangeTest {
 protected:
  std::string rejected(const std::string& json) {
    Result<ElementImportResult> r = import_elements(*store_, write("elements.json", json));
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    EXPECT_FALSE(r->problems.empty());
    EXPECT_TRUE(store_->load_catalogue()->elements().empty()) << "nothing may be written";
    return r->problems.to_string();
  }
};

TEST_F(ElementsImportTest, ImportsElementsAndDisaggregations) {
  Result<ElementImportResult> r = import_elements(*store_, write("e.json", R"({
    "disaggregations": [{"code": "gate", "name_vi": "Cửa khẩu", "name_en": "Border gate",
      "options": [{"code": "ma_lu_thang", "name_vi": "Ma Lù Thàng", "name_en": "Ma Lu Thang"}]}],
    "elements": [{"code": "border.gate.trade_usd", "name_vi": "Kim ngạch xuất nhập khẩu",
      "name_en": "Trade turnover", "value_type": "amount_usd", "aggregation": "sum",
      "disaggregation": "gate", "description": "USD"}]})"));
  ASSERT_TRUE(r.is_ok() && r->problems.empty()) << r->problems.to_string();
  EXPECT_EQ(r->elements, 1u);
  Catalogue c = *store_->load_catalogue();
  const DataElement* e = c.element("border.gate.trade_usd");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value_type, ValueType::kAmountUsd);
  EXPECT_EQ(c.disaggregation_of(*e)->options[0].name_vi, "Ma Lù Thàng");
}

TEST_F(ElementsImportTest, SchemaErrorsNameTheJsonPath) {
  std::string all = rejected(R"({"elements": [
    {"code": "a", "name_vi": "A", "name_en": "A", "value_type": "cnt", "aggregation": "sum"},
    {"code": "b", "name_en": "B", "value_type": "count", "aggregation": "sum"},
    {"code": "a", "name_vi": "A", "name_en": "A", "value_type": "count", "aggregation": "total"},
    {"code": "c", "name_vi": "C", "name_en": "C", "value_type": "count", "aggregation": "sum",
     "disaggregation": "partner", "colour": "red"},
    "not an object"]})");
  EXPECT_NE(all.find("elements.json: $.elements[0].value_type: unknown value type \"cnt\""), std::string::npos) << all;
  EXPECT_NE(all.find("$.elements[1].name_vi: missing"), std::string::npos) << all;
  EXPECT_NE(all.find("$.elements[2].code: duplicate code \"a\" (first declared in elements.json at $.elements[0])"), std::string::npos) << all;
  EXPECT_NE(all.find("$.elements[2].aggregation: unknown aggregation \"total\""), std::string::npos) << all;
  EXPECT_NE(all.find("$.elements[3].disaggregation: unknown disaggregation \"partner\""), std::string::npos) << all;
  EXPECT_NE(all.find("$.elements[3].colour: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find("$.elements[4]: expected an object"), std::string::npos) << all;
}

TEST_F(ElementsImportTest, SyntaxErrorsNameLineAndColumn) {
  std::string all = rejected("{\n  \"elements\": [\n    {\"code\": \"a\",,}\n  ]\n}\n");
  EXPECT_NE(all.find("elements.json:3:"), std::string::npos) << all;
  EXPECT_NE(all.find("invalid JSON"), std::string::npos) << all;
}

TEST_F(ElementsImportTest, DisaggregationsNeedOptions) {
  std::string all = rejected(R"({"disaggregations": [{"code": "p", "name_vi": "P", "name_en": "P", "options": []}],
                                 "elements": []})");
  EXPECT_NE(all.find("$.disaggregations[0].options: a disaggregation needs at least one option"), std::string::npos) << all;
}

}  // namespace
}  // namespace qpan
