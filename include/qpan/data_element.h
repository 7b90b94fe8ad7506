// Data elements (chỉ tiêu): what is counted or measured, its value type, how it
// aggregates over units and time, and an optional disaggregation (e.g. partner country).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/status.h"

namespace qpan {

enum class ValueType : uint8_t {
  kCount = 1,       // integer >= 0: cases, persons, delegations
  kInteger = 2,     // any integer
  kNumber = 3,      // decimal
  kPercentage = 4,  // decimal in 0..100
  kAmountVnd = 5,   // decimal >= 0, đồng
  kAmountUsd = 6,   // decimal >= 0, US dollars
  kBoolean = 7,     // true / false
  kText = 8,
};

// How values combine over org units and over time.
enum class AggregationType : uint8_t {
  kSum = 1,        // flows: cases, persons (sum over units and months)
  kLast = 2,       // stocks: number of teams (last value in time, summed over units)
  kAverage = 3,
  kCountTrue = 4,  // number of units where a boolean holds
  kMin = 5,
  kMax = 6,
  kNone = 7,       // text and other values that do not aggregate
};

std::string_view value_type_name(ValueType type);  // "count", "integer", ...
Result<ValueType> parse_value_type(std::string_view name);
std::string_view aggregation_name(AggregationType type);  // "sum", "last", ...
Result<AggregationType> parse_aggregation(std::string_view name);

// A disaggregation option (e.g. partner "van_nam" = Vân Nam, Trung Quốc).
struct DisaggregationOption {
  int64_t id = 0;  // store id; 0 is reserved for "total" (no disaggregation)
  std::string code;
  std::string name_vi;
  std::string name_en;
};

struct Disaggregation {
  int64_t id = 0;
  std::string code;
  std::string name_vi;
  std::string name_en;
  std::vector<DisaggregationOption> options;

  const DisaggregationOption* option(std::string_view code) const;
};

struct DataElement {
  int64_t id = 0;
  std::string code;  // public interface: "crime.ttxh.cases"
  std::string name_vi;
  std::string name_en;
  ValueType value_type = ValueType::kCount;
  AggregationType aggregation = AggregationType::kSum;
  std::string disaggregation;  // code of its Disaggregation; empty when none
  std::string description;
  std::string area;            // subject area for grouping ("crime", "foreign", …); may be empty
};

// A value parsed and checked against its element's type. Numbers keep an exact integer
// when the text is one, so counts and đồng amounts never go through floating point.
struct TypedValue {
  enum class Kind : uint8_t { kInteger, kReal, kBoolean, kText } kind = Kind::kInteger;
  int64_t integer = 0;  // kInteger, kBoolean (0/1)
  double real = 0;      // kReal
  std::string text;     // kText

  // Machine form: "12", "41.57", "true", text as is.
  std::string to_string() const;
  bool operator==(const TypedValue&) const = default;
};

// Parses `text` (machine form: '.' decimal mark, no grouping) as a value of `type`.
// The error message says what was expected ("expected a whole number >= 0").
Result<TypedValue> parse_value(ValueType type, std::string_view text);

}  // namespace qpan
