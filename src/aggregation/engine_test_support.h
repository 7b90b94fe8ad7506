// Shared by the engine's tests: data elements built in one line.
#pragma once

#include <string>
#include <utility>

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

}  // namespace qpan::testing
