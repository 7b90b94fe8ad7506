// Shared by the engine's tests: data elements built in one line, and the catalogue they use.
#pragma once

#include <string>
#include <utility>

#include "qpan/catalogue.h"
#include "qpan/data_element.h"

namespace qpan::testing {

inline DataElement element(std::string code, ValueType type, AggregationType aggregation,
                           std::string disaggregation = "") {
  DataElement e;
  e.code = std::move(code);
  e.name_vi = e.code;
  e.value_type = type;
  e.aggregation = aggregation;
  e.disaggregation = std::move(disaggregation);
  return e;
}

// Every aggregation type, an element disaggregated by partner and a text element.
inline Catalogue engine_catalogue() {
  using enum ValueType;
  using enum AggregationType;
  std::vector<Disaggregation> disaggregations{
      {.code = "partner",
       .name_vi = "Đối tác",
       .name_en = "Partner",
       .options = {{.code = "van_nam", .name_vi = "Vân Nam", .name_en = "Yunnan"},
                   {.code = "bac_lao", .name_vi = "Bắc Lào", .name_en = "Northern Laos"}}}};
  return Catalogue(std::move(disaggregations),
                   {element("cases", kCount, kSum), element("solved", kCount, kSum), element("teams", kCount, kLast),
                    element("safe", kBoolean, kCountTrue), element("rate", kPercentage, kAverage),
                    element("fastest", kNumber, kMin), element("slowest", kNumber, kMax),
                    element("delegations", kCount, kSum, "partner"), element("note", kText, kNone)});
}

}  // namespace qpan::testing
