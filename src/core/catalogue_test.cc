// Tests for the catalogue's reference rule: a golden table of references and what they
// resolve to (element, option) or the error that names them.
#include "qpan/catalogue.h"

#include <gtest/gtest.h>

#include <string>

namespace qpan {
namespace {

DataElement element(std::string code, std::string disaggregation = "") {
  DataElement e;
  e.code = std::move(code);
  e.name_vi = e.name_en = e.code;
  e.disaggregation = std::move(disaggregation);
  return e;
}

// Element codes with dots, one disaggregated element, and an element whose code is another's
// code.option ("border.gate.trade.export" beside option "export" of "border.gate.trade").
Catalogue test_catalogue() {
  Disaggregation partner{.id = 1, .code = "partner", .name_vi = "Đối tác", .name_en = "Partner",
                         .options = {{11, "van_nam", "Vân Nam", "Yunnan"}, {12, "bac_lao", "Bắc Lào", "North Laos"}}};
  Disaggregation direction{.id = 2, .code = "direction", .name_vi = "Chiều", .name_en = "Direction",
                           .options = {{21, "export", "Xuất", "Export"}, {22, "import", "Nhập", "Import"}}};
  return Catalogue({partner, direction},
                   {element("crime.ttxh.cases"), element("foreign.in.delegations", "partner"), element("drugs"),
                    element("border.gate.trade", "direction"), element("border.gate.trade.export")});
}

TEST(CatalogueResolve, GoldenTable) {
  const Catalogue catalogue = test_catalogue();
  struct Case {
    const char* reference;
    // Resolved: "element" or "element|option". Refused: the status code and message.
    const char* resolved;
    StatusCode code = StatusCode::kOk;
    const char* message = "";
  };
  const Case cases[] = {
      {"crime.ttxh.cases", "crime.ttxh.cases"},
      {"drugs", "drugs"},
      {"foreign.in.delegations", "foreign.in.delegations"},
      {"foreign.in.delegations.van_nam", "foreign.in.delegations|van_nam"},
      {"foreign.in.delegations.bac_lao", "foreign.in.delegations|bac_lao"},
      // The whole reference first: an element code wins over element.option.
      {"border.gate.trade.export", "border.gate.trade.export"},
      {"border.gate.trade.import", "border.gate.trade|import"},
      // Otherwise split at the last dot only: "foreign.in" is no element, so no option "delegations".
      {"foreign.in", "", StatusCode::kNotFound, "unknown data element \"foreign.in\""},
      {"foreign.in.delegations.van_nam.x", "", StatusCode::kNotFound,
       "unknown data element \"foreign.in.delegations.van_nam.x\""},
      {"nope", "", StatusCode::kNotFound, "unknown data element \"nope\""},
      {"nope.van_nam", "", StatusCode::kNotFound, "unknown data element \"nope.van_nam\""},
      {"", "", StatusCode::kNotFound, "unknown data element \"\""},
      {".van_nam", "", StatusCode::kNotFound, "unknown data element \".van_nam\""},
      {"foreign.in.delegations.", "", StatusCode::kNotFound, "unknown data element \"foreign.in.delegations.\""},
      {"crime.ttxh.cases.van_nam", "", StatusCode::kInvalidInput,
       "data element \"crime.ttxh.cases\" has no disaggregation, so no option \"van_nam\""},
      {"foreign.in.delegations.my_tho", "", StatusCode::kNotFound,
       "data element \"foreign.in.delegations\" has no option \"my_tho\" (its options: van_nam, bac_lao)"},
      {"Foreign.in.delegations", "", StatusCode::kNotFound, "unknown data element \"Foreign.in.delegations\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reference);
    Result<ElementReference> r = catalogue.resolve(c.reference);
    if (c.code == StatusCode::kOk) {
      ASSERT_TRUE(r.is_ok()) << r.status().message();
      std::string got = r->element->code;
      if (r->option != nullptr) got += "|" + r->option->code;
      EXPECT_EQ(got, c.resolved);
      EXPECT_EQ(r->element, catalogue.element(r->element->code));  // points into the catalogue
    } else {
      ASSERT_FALSE(r.is_ok());
      EXPECT_EQ(r.status().code(), c.code);
      EXPECT_EQ(r.status().message(), c.message);
    }
  }
}

// The split alone, for checks of codes that would hide an option.
TEST(CatalogueResolve, AsOptionIgnoresTheWholeCode) {
  const Catalogue catalogue = test_catalogue();
  Result<ElementReference> hidden = catalogue.resolve_as_option("border.gate.trade.export");
  ASSERT_TRUE(hidden.is_ok()) << hidden.status().message();
  EXPECT_EQ(hidden->element->code, "border.gate.trade");
  EXPECT_EQ(hidden->option->code, "export");
  EXPECT_FALSE(catalogue.resolve_as_option("crime.ttxh.cases").is_ok());  // no element "crime.ttxh"
}

TEST(CatalogueResolve, OptionsCarryTheirStoreIds) {
  const Catalogue catalogue = test_catalogue();
  Result<ElementReference> r = catalogue.resolve("foreign.in.delegations.bac_lao");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->option->id, 12);
}

}  // namespace
}  // namespace qpan
