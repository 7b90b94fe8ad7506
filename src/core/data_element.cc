// Value types, aggregation types and typed value parsing (see qpan/data_element.h).
#include "qpan/data_element.h"

#include "qpan/number_format.h"

#include <charconv>
#include <cmath>

namespace qpan {
namespace {

constexpr std::pair<ValueType, std::string_view> kValueTypeNames[] = {
    {ValueType::kCount, "count"},           {ValueType::kInteger, "integer"},
    {ValueType::kNumber, "number"},         {ValueType::kPercentage, "percentage"},
    {ValueType::kAmountVnd, "amount_vnd"},  {ValueType::kAmountUsd, "amount_usd"},
    {ValueType::kBoolean, "boolean"},       {ValueType::kText, "text"},
};

constexpr std::pair<AggregationType, std::string_view> kAggregationNames[] = {
    {AggregationType::kSum, "sum"},         {AggregationType::kLast, "last"},
    {AggregationType::kAverage, "average"}, {AggregationType::kCountTrue, "count_true"},
    {AggregationType::kMin, "min"},         {AggregationType::kMax, "max"},
    {AggregationType::kNone, "none"},
};

template <typename Enum, size_t N>
std::string joined_names(const std::pair<Enum, std::string_view> (&names)[N]) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) out += i + 1 == N ? " or " : ", ";
    out += names[i].second;
  }
  return out;
}

// Integers: optional '-', digits only (no '+', no grouping, no leading zeros beyond "0").
bool parse_integer_text(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  size_t digits_start = text[0] == '-' ? 1 : 0;
  if (digits_start == text.size()) return false;
  if (text.size() - digits_start > 1 && text[digits_start] == '0') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Decimals: integer part, optional '.' and fraction; no exponent, no grouping.
bool parse_decimal_text(std::string_view text, double& out) {
  if (text.empty()) return false;
  size_t i = text[0] == '-' ? 1 : 0;
  size_t int_digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++int_digits;
  if (int_digits == 0) return false;
  if (i < text.size()) {
    if (text[i] != '.') return false;
    ++i;
    size_t frac_digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++frac_digits;
    if (frac_digits == 0 || i != text.size()) return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(out);
}

Result<TypedValue> parse_number(std::string_view text, bool non_negative, double max_value,
                                const char* expected) {
  TypedValue v;
  int64_t integer = 0;
  if (parse_integer_text(text, integer)) {
    v.kind = TypedValue::Kind::kInteger;
    v.integer = integer;
    if ((non_negative && integer < 0) || static_cast<double>(integer) > max_value) {
      return Status::invalid_input(expected);
    }
    return v;
  }
  double real = 0;
  if (!parse_decimal_text(text, real) || (non_negative && real < 0) || real > max_value) {
    return Status::invalid_input(expected);
  }
  // "12.0" is the number 12: keep it exact and stored like "12".
  constexpr double kExactLimit = 9007199254740992.0;  // 2^53
  if (real == std::trunc(real) && std::fabs(real) < kExactLimit) {
    v.kind = TypedValue::Kind::kInteger;
    v.integer = static_cast<int64_t>(real);
    return v;
  }
  v.kind = TypedValue::Kind::kReal;
  v.real = real;
  return v;
}

}  // namespace

std::string_view value_type_name(ValueType type) {
  for (const auto& [t, name] : kValueTypeNames) {
    if (t == type) return name;
  }
  return "?";
}

Result<ValueType> parse_value_type(std::string_view name) {
  for (const auto& [t, n] : kValueTypeNames) {
    if (n == name) return t;
  }
  return Status::invalid_input("unknown value type \"" + std::string(name) + "\" (expected " +
                               joined_names(kValueTypeNames) + ")");
}

std::string_view aggregation_name(AggregationType type) {
  for (const auto& [t, name] : kAggregationNames) {
    if (t == type) return name;
  }
  return "?";
}

Result<AggregationType> parse_aggregation(std::string_view name) {
  for (const auto& [t, n] : kAggregationNames) {
    if (n == name) return t;
  }
  return Status::invalid_input("unknown aggregation \"" + std::string(name) + "\" (expected " +
                               joined_names(kAggregationNames) + ")");
}

const DisaggregationOption* Disaggregation::option(std::string_view option_code) const {
  for (const auto& o : options) {
    if (o.code == option_code) return &o;
  }
  return nullptr;
}

std::string TypedValue::to_string() const {
  switch (kind) {
    case Kind::kInteger: return std::to_string(integer);
    case Kind::kBoolean: return integer != 0 ? "true" : "false";
    case Kind::kText: return text;
    case Kind::kReal: return format_number_machine(real);  // 41.57 stays "41.57"
  }
  return {};
}

Result<TypedValue> parse_value(ValueType type, std::string_view text) {
  constexpr double kUnbounded = 1e300;
  switch (type) {
    case ValueType::kCount: {
      int64_t n = 0;
      if (!parse_integer_text(text, n) || n < 0) {
        return Status::invalid_input("expected a whole number >= 0");
      }
      return TypedValue{TypedValue::Kind::kInteger, n, 0, {}};
    }
    case ValueType::kInteger: {
      int64_t n = 0;
      if (!parse_integer_text(text, n)) return Status::invalid_input("expected a whole number");
      return TypedValue{TypedValue::Kind::kInteger, n, 0, {}};
    }
    case ValueType::kNumber:
      return parse_number(text, false, kUnbounded, "expected a number with '.' as decimal mark");
    case ValueType::kPercentage:
      return parse_number(text, true, 100, "expected a percentage between 0 and 100");
    case ValueType::kAmountVnd:
    case ValueType::kAmountUsd:
      return parse_number(text, true, kUnbounded, "expected an amount >= 0 with '.' as decimal mark");
    case ValueType::kBoolean:
      if (text == "true" || text == "1") return TypedValue{TypedValue::Kind::kBoolean, 1, 0, {}};
      if (text == "false" || text == "0") return TypedValue{TypedValue::Kind::kBoolean, 0, 0, {}};
      return Status::invalid_input("expected true or false");
    case ValueType::kText:
      return TypedValue{TypedValue::Kind::kText, 0, 0, std::string(text)};
  }
  return Status::internal("unknown value type");
}

}  // namespace qpan
