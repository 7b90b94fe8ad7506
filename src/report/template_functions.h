// The functions a report template's placeholders call: their arguments, options and whether
// they give a figure (usable in @if and chart series) or only text. One table, read by the
// parser (arity, options), the pack check (codes) and the report builder (dispatch), so the
// three cannot disagree; packs/README.md documents the same list.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/template_parser.h"

namespace qpan {

// What a positional argument names.
enum class ArgumentRole : uint8_t {
  kData,     // an element, "element.option" or indicator code
  kSet,      // an evaluation set code
  kClass,    // a class code of the preceding set
  kOutcome,  // an outcome code of the preceding set: met, not_met, no_data, a class…
  kCount,    // a whole number > 0
  kText,     // a quoted text ("vụ")
};

struct TemplateFunction {
  std::string_view name;
  std::vector<ArgumentRole> required;     // positional, in order
  std::vector<ArgumentRole> optional;     // after the required ones
  bool variadic = false;                  // the last required role repeats (met(set, set…))
  std::vector<std::string_view> options;  // named: decimals, scale, pe, against, from, to
  bool numeric = false;                   // gives a figure (not only text)
};

// The function named `name`, or nullptr.
const TemplateFunction* find_template_function(std::string_view name);
// "value, ratio, percent, …" for messages.
std::string template_function_names();

// The first thing wrong with the call's arguments for `function` (position and reason):
// too few or too many, a role given the wrong kind of value, an unknown option, an option
// value of the wrong kind (decimals 0–6, scale > 0, pe a selector or period code).
std::optional<std::pair<TemplatePosition, std::string>> check_call_shape(const TemplateFunction& function,
                                                                         const TemplateCall& call);

// The role of each positional argument of a call already checked by check_call_shape.
std::vector<std::pair<const TemplateArgument*, ArgumentRole>> argument_roles(const TemplateFunction& function,
                                                                             const TemplateCall& call);

// The period selectors of `pe=`, `from=`, `to=` besides a period's code.
// report: the period in scope; previous: the period of the same length before it;
// last_year_same: the same period a year earlier; first_year, last_year: the first and last
// calendar year it touches; year_before: the year before it starts; before_last_year: the year
// before its last (2019 for 2016–2020); next_quarter: the quarter after it ends (a review
// conference's awards).
inline constexpr std::string_view kPeriodSelectors[] = {"report",      "previous",         "last_year_same",
                                                        "first_year",  "last_year",        "year_before",
                                                        "before_last_year", "next_quarter"};

}  // namespace qpan
