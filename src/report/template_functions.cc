// The function table of report templates (template_functions.h).
#include "report/template_functions.h"

#include <algorithm>
#include <cmath>

namespace qpan {
namespace {

using R = ArgumentRole;

const std::vector<TemplateFunction>& functions() {
  static const std::vector<TemplateFunction> kFunctions = {
      // Figures of elements and indicators.
      {"value", {R::kData}, {}, false, {"decimals", "scale", "pe", "zero"}, true},
      {"ratio", {R::kData, R::kData}, {}, false, {"pe", "scale"}, true},
      {"percent", {R::kData, R::kData}, {}, false, {"decimals", "pe"}, true},
      {"change", {R::kData}, {R::kText}, false, {"decimals", "scale", "pe", "against"}, true},
      {"change_percent", {R::kData}, {}, false, {"decimals", "pe", "against"}, true},
      {"top", {R::kData, R::kCount}, {R::kText}, false, {"decimals", "scale", "pe"}, false},
      // Counts of evaluated units.
      {"met", {R::kSet}, {}, true, {"pe"}, true},
      {"met_count", {R::kSet}, {}, true, {"pe", "zero"}, true},
      {"assessed", {R::kSet}, {}, true, {"pe", "zero"}, true},
      {"share_met", {R::kSet}, {}, true, {"decimals", "pe"}, true},
      {"change_met", {R::kSet}, {}, true, {"decimals", "pe"}, true},
      {"count_class", {R::kSet, R::kClass}, {}, false, {"pe", "zero"}, true},
      {"count_from_class", {R::kSet, R::kClass}, {}, false, {"pe", "zero"}, true},
      {"share_from_class", {R::kSet, R::kClass}, {}, false, {"decimals", "pe"}, true},
      {"transitions", {R::kSet, R::kOutcome, R::kOutcome}, {}, false, {"from", "to", "zero"}, true},
      // Names of the unit and period in scope (the report's, or a table row's).
      {"unit.name", {}, {}, false, {}, false},
      {"unit.short", {}, {}, false, {}, false},
      {"unit.lower", {}, {}, false, {}, false},
      {"unit.upper", {}, {}, false, {}, false},
      {"unit.short_upper", {}, {}, false, {}, false},
      {"period.label", {}, {}, false, {"pe"}, false},
      {"period.title", {}, {}, false, {"pe"}, false},
      {"period.upper", {}, {}, false, {"pe"}, false},
      {"period.year", {}, {}, false, {"pe"}, false},
  };
  return kFunctions;
}

std::string_view role_name(ArgumentRole role) {
  switch (role) {
    case R::kData: return "an element or indicator code";
    case R::kSet: return "an evaluation set code";
    case R::kClass: return "a class code";
    case R::kOutcome: return "an outcome code (met, not_met, no_data, not_applicable or a class)";
    case R::kCount: return "a whole number > 0";
    case R::kText: return "a \"text\"";
  }
  return "an argument";
}

bool fits(ArgumentRole role, const TemplateArgument& a) {
  switch (role) {
    case R::kText: return a.kind == TemplateArgument::Kind::kText;
    case R::kCount: return a.kind == TemplateArgument::Kind::kNumber && a.number >= 1 && a.number <= 100 &&
                           std::floor(a.number) == a.number;
    default: return a.kind == TemplateArgument::Kind::kWord;
  }
}

}  // namespace

const TemplateFunction* find_template_function(std::string_view name) {
  for (const TemplateFunction& f : functions()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string template_function_names() {
  std::string out;
  for (const TemplateFunction& f : functions()) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

std::optional<std::pair<TemplatePosition, std::string>> check_call_shape(const TemplateFunction& function,
                                                                         const TemplateCall& call) {
  const std::string name(function.name);
  std::vector<const TemplateArgument*> positional = call.positional();
  const size_t least = function.required.size();
  const size_t most = function.variadic ? SIZE_MAX : least + function.optional.size();
  if (positional.size() < least || positional.size() > most) {
    std::string wanted = function.variadic ? "at least " + std::to_string(least)
                         : least == most   ? std::to_string(least)
                                           : std::to_string(least) + " to " + std::to_string(most);
    return std::pair(call.at, name + " takes " + wanted + " argument" + (wanted == "1" ? "" : "s") + ", not " +
                                  std::to_string(positional.size()));
  }
  for (const auto& [argument, role] : argument_roles(function, call)) {
    if (!fits(role, *argument)) {
      return std::pair(argument->at, name + ": expected " + std::string(role_name(role)) + ", found \"" +
                                         argument->text + "\"");
    }
  }
  for (const TemplateArgument& a : call.arguments) {
    if (a.name.empty()) continue;
    if (std::find(function.options.begin(), function.options.end(), a.name) == function.options.end()) {
      std::string known;
      for (std::string_view o : function.options) known += (known.empty() ? "" : ", ") + std::string(o);
      return std::pair(a.at, name + ": unknown option \"" + a.name + "\"" +
                                 (known.empty() ? " (it takes none)" : " (known: " + known + ")"));
    }
    if (a.name == "decimals" &&
        (a.kind != TemplateArgument::Kind::kNumber || a.number < 0 || a.number > 6 || std::floor(a.number) != a.number)) {
      return std::pair(a.at, name + ": decimals is a whole number from 0 to 6");
    }
    if (a.name == "zero" && a.kind != TemplateArgument::Kind::kText) {
      return std::pair(a.at, name + ": zero is the \"text\" written for a figure of 0 (\"không có\")");
    }
    if (a.name == "scale" && (a.kind != TemplateArgument::Kind::kNumber || !(a.number > 0))) {
      return std::pair(a.at, name + ": scale is a number > 0 (1e9 for tỷ đồng)");
    }
    if (a.name == "against" && a.text != "previous" && a.text != "last_year_same") {
      return std::pair(a.at, name + ": against is previous (the period before) or last_year_same (the same period a year earlier)");
    }
    if (a.name == "pe" || a.name == "from" || a.name == "to") {
      const bool selector = std::find(std::begin(kPeriodSelectors), std::end(kPeriodSelectors), a.text) !=
                            std::end(kPeriodSelectors);
      if (!selector && !Period::parse(a.text)) {
        std::string known;
        for (std::string_view s : kPeriodSelectors) known += (known.empty() ? "" : ", ") + std::string(s);
        return std::pair(a.at, name + ": " + a.name + " is a period code (2021, 2022Q1) or one of " + known);
      }
    }
  }
  return std::nullopt;
}

std::vector<std::pair<const TemplateArgument*, ArgumentRole>> argument_roles(const TemplateFunction& function,
                                                                             const TemplateCall& call) {
  std::vector<std::pair<const TemplateArgument*, ArgumentRole>> out;
  std::vector<const TemplateArgument*> positional = call.positional();
  for (size_t i = 0; i < positional.size(); ++i) {
    ArgumentRole role;
    if (i < function.required.size()) {
      role = function.required[i];
    } else if (function.variadic) {
      role = function.required.back();
    } else if (i - function.required.size() < function.optional.size()) {
      role = function.optional[i - function.required.size()];
    } else {
      break;
    }
    out.emplace_back(positional[i], role);
  }
  return out;
}

}  // namespace qpan
