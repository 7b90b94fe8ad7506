// Where a figure comes from (see qpan/explain.h): the engine's walk of the values a figure
// combines, kept bounded, named, joined with the audit trail and the forms' approval states,
// and printed as a Vietnamese (or English) table or as JSON.
#include "qpan/explain.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <queue>
#include <tuple>
#include <unordered_map>

#include "qpan/number_format.h"
#include "qpan/text.h"
#include "qpan/text_table.h"

namespace qpan {
namespace {

namespace json = boost::json;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// The name of `code` in `period`: its last version in force then, else its latest.
std::string unit_name_in(const OrgUnitIndex& units, std::string_view code, const Period& period) {
  if (code == kCountryUnitCode && !units.knows(code)) return "Toàn quốc";
  const std::vector<const OrgUnitVersion*> during = units.during(code, period.dates());
  if (!during.empty()) return during.back()->name;
  const std::vector<const OrgUnitVersion*> history = units.history(code);
  return history.empty() ? std::string(code) : history.back()->name;
}

// The contribution of a value to a sum or a stock (nothing for an unallocated one).
double contribution(PartBasis basis, double value, double share) {
  switch (basis) {
    case PartBasis::kDirect:
    case PartBasis::kLineage: return value;
    case PartBasis::kShare: return value * share;
    case PartBasis::kUnallocated: return 0;
  }
  return 0;
}
double contribution(const FigurePart& p) { return contribution(p.basis, p.value, p.share); }

// How much a value weighs in the figure, for choosing which to list: the decisive values of
// min and max, the true ones of count_true, the largest contributions otherwise.
double weight(AggregationType aggregation, PartBasis basis, double value, double share) {
  switch (aggregation) {
    case AggregationType::kMin: return -value;
    case AggregationType::kMax: return value;
    case AggregationType::kCountTrue: return value != 0 ? 1 : 0;
    default: return std::abs(basis == PartBasis::kUnallocated ? value : contribution(basis, value, share));
  }
}

struct Ranked {
  double weight = 0;
  FigurePart part;
};

// Heavier first; ties by unit, period and option, so the choice does not depend on the walk.
bool heavier(const Ranked& a, const Ranked& b) {
  if (a.weight != b.weight) return a.weight > b.weight;
  return std::tuple(std::string_view(a.part.unit), a.part.period.key(), std::string_view(a.part.option)) <
         std::tuple(std::string_view(b.part.unit), b.part.period.key(), std::string_view(b.part.option));
}

// How parts are listed: by basis, then unit, period, option.
bool listed_before(const FigurePart& a, const FigurePart& b) {
  return std::tuple(a.basis, std::string_view(a.source), std::string_view(a.unit), a.period.dates().first,
                    a.period.key(), std::string_view(a.option)) <
         std::tuple(b.basis, std::string_view(b.source), std::string_view(b.unit), b.period.dates().first,
                    b.period.key(), std::string_view(b.option));
}

const std::string& option_code(const Catalogue& catalogue, const DataElement& element, int32_t option_id) {
  static const std::string kNone;
  if (option_id == 0) return kNone;
  if (const Disaggregation* d = catalogue.disaggregation_of(element)) {
    for (const DisaggregationOption& o : d->options) {
      if (o.id == option_id) return o.code;
    }
  }
  return kNone;
}

Result<SeriesBreakdown> breakdown(const AggregationEngine& engine, const Catalogue& catalogue,
                                  const OrgUnitIndex& units, const ElementReference& ref, std::string code,
                                  const UnitScope& scope, const Period& pe, size_t max_parts) {
  const DataElement& e = *ref.element;
  SeriesBreakdown out;
  out.code = std::move(code);
  out.name_vi = e.name_vi;
  out.name_en = e.name_en.empty() ? e.name_vi : e.name_en;
  if (ref.option != nullptr) {
    out.name_vi += " (" + ref.option->name_vi + ")";
    out.name_en += " (" + (ref.option->name_en.empty() ? ref.option->name_vi : ref.option->name_en) + ")";
  }
  out.value_type = e.value_type;
  out.aggregation = e.aggregation;
  const SeriesRef series{static_cast<int32_t>(e.id), ref.option == nullptr ? 0 : static_cast<int32_t>(ref.option->id)};
  Result<Aggregate> figure = engine.aggregate(series, scope, pe);
  if (!figure) return figure.status();
  out.value = figure->value;
  out.uses_shares = figure->uses_shares;
  out.unallocated = std::move(figure->unallocated);

  // The heaviest max_parts on a heap (lightest on top); the rest only counted.
  const size_t limit = std::max<size_t>(max_parts, 1);
  std::priority_queue<Ranked, std::vector<Ranked>, decltype(&heavier)> kept(&heavier);
  size_t count = 0;
  double omitted_total = 0;
  Status walked = engine.visit_counted(series, scope, pe, [&](const ContributingValue& c) {
    ++count;
    const double w = weight(e.aggregation, c.basis, c.value, c.share);
    if (kept.size() >= limit && w < kept.top().weight) {  // lighter than every listed one
      omitted_total += contribution(c.basis, c.value, c.share);
      return;
    }
    Ranked r;
    r.part.unit = std::string(c.unit);
    r.part.period = c.period;
    r.part.value = c.value;
    r.part.basis = c.basis;
    r.part.share = c.share;
    r.part.option = option_code(catalogue, e, c.series.option_id);
    if (c.basis != PartBasis::kDirect) r.part.source = std::string(c.source);
    if (c.basis == PartBasis::kShare || c.basis == PartBasis::kUnallocated) r.part.into = std::string(c.into);
    r.weight = w;
    kept.push(std::move(r));
    if (kept.size() > limit) {
      omitted_total += contribution(kept.top().part);
      kept.pop();
    }
  });
  if (!walked.is_ok()) return walked;
  out.part_count = count;
  out.omitted = count - kept.size();
  if (e.aggregation == AggregationType::kSum || e.aggregation == AggregationType::kLast) {
    out.omitted_total = omitted_total;
  }
  out.parts.reserve(kept.size());
  while (!kept.empty()) {
    out.parts.push_back(std::move(const_cast<Ranked&>(kept.top()).part));
    kept.pop();
  }
  std::sort(out.parts.begin(), out.parts.end(), listed_before);
  for (FigurePart& p : out.parts) {
    p.unit_name = unit_name_in(units, p.unit, p.period);
    if (!p.source.empty()) p.source_name = unit_name_in(units, p.source, p.period);
  }
  return out;
}

// The element (or element.option) `code` as analytics accepts it; errors name dx.
Result<ElementReference> resolve_element(const Catalogue& catalogue, std::string_view code) {
  Result<ElementReference> ref = catalogue.resolve(code);
  if (!ref) {
    // An unknown option of a known element keeps the catalogue's reason (it lists the options).
    const size_t dot = code.rfind('.');
    if (dot != std::string_view::npos && catalogue.element(code.substr(0, dot)) != nullptr) {
      return Status(ref.status().code(), "dx: " + ref.status().message());
    }
    return Status::invalid_input("dx: no element or indicator " + quoted(code));
  }
  const DataElement& e = *ref->element;
  if (e.aggregation == AggregationType::kNone || e.value_type == ValueType::kText) {
    return Status::invalid_input("dx: data element " + quoted(e.code) + " does not aggregate (value type " +
                                 std::string(value_type_name(e.value_type)) + ", aggregation " +
                                 std::string(aggregation_name(e.aggregation)) + ")");
  }
  return ref;
}

// ---- Formatting ------------------------------------------------------------------------------

struct Labels {
  bool en = false;
  const char* pick(const char* vi, const char* english) const { return en ? english : vi; }
};

std::string aggregation_label(AggregationType a, const Labels& l) {
  switch (a) {
    case AggregationType::kSum: return l.pick("cộng các số liệu", "sum of the values");
    case AggregationType::kLast: return l.pick("số mới nhất của mỗi đơn vị, cộng lại", "latest value per unit, summed");
    case AggregationType::kAverage: return l.pick("trung bình các số liệu", "mean of the values");
    case AggregationType::kCountTrue: return l.pick("số đơn vị có giá trị mới nhất là \"có\"", "units whose latest value is true");
    case AggregationType::kMin: return l.pick("số nhỏ nhất", "smallest value");
    case AggregationType::kMax: return l.pick("số lớn nhất", "largest value");
    case AggregationType::kNone: break;
  }
  return "?";
}

std::string number_text(double v, const Labels& l, int decimals) {
  return l.en ? format_number_machine(round_decimal(v, decimals)) : format_number_vi(v, decimals);
}

int decimals_of(ValueType t) { return t == ValueType::kNumber ? 4 : 2; }

std::string basis_text(const FigurePart& p, const Labels& l) {
  switch (p.basis) {
    case PartBasis::kDirect: return l.pick("trực tiếp", "direct");
    case PartBasis::kLineage: return std::string(l.pick("qua đơn vị cũ ", "via old unit ")) + p.source + " " + p.source_name;
    case PartBasis::kShare:
      return std::string(l.pick("tỷ lệ ", "share ")) + number_text(p.share, l, 6) + l.pick(" của đơn vị cũ ", " of old unit ") +
             p.source + " → " + p.into;
    case PartBasis::kUnallocated:
      return std::string(l.pick("chưa phân bổ: đơn vị cũ ", "unallocated: old unit ")) + p.source + " → " + p.into +
             l.pick(" (không cộng)", " (not added)");
  }
  return "";
}

std::string value_text(const std::string& v, const Labels& l) {
  if (v.empty()) return "—";
  if (l.en) return v;
  if (v == "true") return "có";
  if (v == "false") return "không";
  // Numbers in machine form → Vietnamese form.
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (end != nullptr && *end == '\0') return format_number_vi(d, 9);
  return v;
}

std::string change_text(const ValueChange& c, const Labels& l) {
  std::string out = format_timestamp(c.changed_at) + " " + (c.changed_by.empty() ? "?" : c.changed_by) + ": ";
  switch (c.action) {
    case AuditAction::kCreate: out += std::string(l.pick("nhập ", "created ")) + value_text(c.new_value, l); break;
    case AuditAction::kUpdate:
      out += std::string(l.pick("sửa ", "changed ")) + value_text(c.old_value, l) + " → " + value_text(c.new_value, l);
      break;
    case AuditAction::kDelete: out += std::string(l.pick("xóa ", "deleted ")) + value_text(c.old_value, l); break;
  }
  return out;
}

std::string form_text(const FormApproval& f, const Labels& l) {
  std::string out = std::string(l.pick("biểu ", "form ")) + f.data_set + " " + f.unit + " " +
                    (l.en ? f.period.label_en() : f.period.label_vi()) + ": " +
                    std::string(l.en ? approval_state_name(f.state) : approval_state_name_vi(f.state));
  if (!f.changed_by.empty()) out += " (" + f.changed_by + ", " + format_timestamp(f.changed_at) + ")";
  return out;
}

std::string format_table(const FigureExplanation& x, const Labels& l) {
  const int figure_decimals = x.indicator ? x.decimals : decimals_of(x.value_type);
  std::string out;
  out += std::string(l.pick(x.indicator ? "Chỉ số: " : "Chỉ tiêu: ", x.indicator ? "Indicator: " : "Data element: ")) +
         (l.en ? x.name_en : x.name_vi) + " (" + x.dx + ")\n";
  out += std::string(l.pick("Đơn vị: ", "Unit: ")) + x.unit_name + " (" + x.ou + ")";
  if (x.structure_at) out += std::string(l.pick(", theo cơ cấu ngày ", ", structure of ")) + format_date(*x.structure_at);
  out += "\n";
  out += std::string(l.pick("Kỳ: ", "Period: ")) + (l.en ? x.period.label_en() : x.period.label_vi()) + " (" +
         x.period.code() + ")\n";
  out += std::string(l.pick("Giá trị: ", "Value: ")) +
         (x.value ? number_text(*x.value, l, figure_decimals) : std::string(l.pick("không có số liệu", "no value"))) + "\n";
  if (x.indicator) out += std::string(l.pick("Công thức: ", "Formula: ")) + x.formula + "\n";
  for (const SeriesBreakdown& s : x.series) {
    const int decimals = decimals_of(s.value_type);
    out += "\n";
    out += (l.en ? s.name_en : s.name_vi) + " (" + s.code + "): " +
           (s.value ? number_text(*s.value, l, decimals) : std::string(l.pick("không có số liệu", "no value"))) + "\n";
    out += std::string(l.pick("Cách tổng hợp: ", "Aggregation: ")) + aggregation_label(s.aggregation, l) + "; " +
           std::to_string(s.part_count) + l.pick(" số liệu", " values") + "\n";
    if (s.parts.empty()) continue;
    report_text::TextTable table({l.pick("Mã", "Code"), l.pick("Đơn vị", "Unit"), l.pick("Kỳ", "Period"),
                                  l.pick("Phân tổ", "Option"), l.pick("Giá trị", "Value"), l.pick("Cách tính", "Counted")},
                                 {false, false, false, false, true, false});
    for (const FigurePart& p : s.parts) {
      table.add_row({p.unit, p.unit_name, l.en ? p.period.label_en() : p.period.label_vi(), p.option,
                     number_text(p.value, l, decimals), basis_text(p, l)});
    }
    out += table.render();
    if (s.omitted > 0) {
      out += std::string(l.pick("… và ", "… and ")) + std::to_string(s.omitted) + l.pick(" số liệu khác", " more values");
      if (s.aggregation == AggregationType::kSum || s.aggregation == AggregationType::kLast) {
        out += std::string(l.pick(", cộng ", ", adding ")) + number_text(s.omitted_total, l, decimals);
      }
      out += "\n";
    }
    for (const UnallocatedPart& u : s.unallocated) {
      out += std::string(l.pick("Chưa phân bổ (đơn vị cũ bị chia tách, chưa có tỷ lệ): ",
                                "Unallocated (old unit split without a share): ")) +
             u.unit + " → " + u.into + " " + number_text(u.value, l, decimals) + "\n";
    }
    if (!x.history_included) continue;
    out += std::string(l.pick("Lịch sử số liệu:", "History of the values:")) + "\n";
    for (const FigurePart& p : s.parts) {
      out += "  " + p.unit + " " + p.period.code() + (p.option.empty() ? "" : " " + p.option) + "\n";
      for (const ValueChange& c : p.history) out += "    " + change_text(c, l) + "\n";
      for (const FormApproval& f : p.forms) out += "    " + form_text(f, l) + "\n";
    }
  }
  return out;
}

json::value number_or_null(const std::optional<double>& v) {
  if (!v) return nullptr;
  return *v;
}

std::string_view action_name(AuditAction a) {
  switch (a) {
    case AuditAction::kCreate: return "create";
    case AuditAction::kUpdate: return "update";
    case AuditAction::kDelete: return "delete";
  }
  return "?";
}

std::string format_json(const FigureExplanation& x, const Labels& l) {
  json::array series;
  for (const SeriesBreakdown& s : x.series) {
    json::array parts;
    for (const FigurePart& p : s.parts) {
      json::object part{{"unit", p.unit},
                        {"unitName", p.unit_name},
                        {"period", p.period.code()},
                        {"periodName", l.en ? p.period.label_en() : p.period.label_vi()},
                        {"option", p.option},
                        {"value", p.value},
                        {"basis", part_basis_name(p.basis)}};
      if (p.basis != PartBasis::kDirect) {
        part["source"] = p.source;
        part["sourceName"] = p.source_name;
      }
      if (p.basis == PartBasis::kShare || p.basis == PartBasis::kUnallocated) part["into"] = p.into;
      if (p.basis == PartBasis::kShare) part["share"] = p.share;
      if (x.history_included) {
        json::array history;
        for (const ValueChange& c : p.history) {
          history.push_back(json::object{{"action", action_name(c.action)},
                                         {"oldValue", c.old_value},
                                         {"newValue", c.new_value},
                                         {"changedBy", c.changed_by},
                                         {"changedAt", format_timestamp(c.changed_at)}});
        }
        json::array forms;
        for (const FormApproval& f : p.forms) {
          json::object form{{"dataSet", f.data_set},
                            {"dataSetName", l.en ? f.data_set_name_en : f.data_set_name_vi},
                            {"unit", f.unit},
                            {"period", f.period.code()},
                            {"state", approval_state_name(f.state)},
                            {"stateName", l.en ? approval_state_name(f.state) : approval_state_name_vi(f.state)}};
          if (!f.changed_by.empty()) {
            form["changedBy"] = f.changed_by;
            form["changedAt"] = format_timestamp(f.changed_at);
          }
          forms.push_back(std::move(form));
        }
        part["history"] = std::move(history);
        part["forms"] = std::move(forms);
      }
      parts.push_back(std::move(part));
    }
    json::array unallocated;
    for (const UnallocatedPart& u : s.unallocated) {
      unallocated.push_back(json::object{{"unit", u.unit}, {"into", u.into}, {"value", u.value}});
    }
    series.push_back(json::object{{"code", s.code},
                                  {"name", l.en ? s.name_en : s.name_vi},
                                  {"valueType", value_type_name(s.value_type)},
                                  {"aggregation", aggregation_name(s.aggregation)},
                                  {"value", number_or_null(s.value)},
                                  {"usesShares", s.uses_shares},
                                  {"unallocated", std::move(unallocated)},
                                  {"partCount", s.part_count},
                                  {"omitted", s.omitted},
                                  {"omittedTotal", s.omitted_total},
                                  {"parts", std::move(parts)}});
  }
  json::object out{{"dx", x.dx},
                   {"ou", x.ou},
                   {"ouName", x.unit_name},
                   {"pe", x.period.code()},
                   {"peName", l.en ? x.period.label_en() : x.period.label_vi()},
                   {"name", l.en ? x.name_en : x.name_vi},
                   {"indicator", x.indicator},
                   {"valueType", x.indicator ? "number" : value_type_name(x.value_type)},
                   {"value", number_or_null(x.value)},
                   {"historyIncluded", x.history_included},
                   {"series", std::move(series)}};
  if (x.structure_at) out["structureAt"] = format_date(*x.structure_at);
  if (x.indicator) {
    out["formula"] = x.formula;
    out["decimals"] = x.decimals;
  }
  return json::serialize(out) + "\n";
}

}  // namespace

std::string_view part_basis_name(PartBasis basis) {
  switch (basis) {
    case PartBasis::kDirect: return "direct";
    case PartBasis::kLineage: return "lineage";
    case PartBasis::kShare: return "share";
    case PartBasis::kUnallocated: return "unallocated";
  }
  return "?";
}

Result<FigureExplanation> explain_figure(const AggregationEngine& engine, const std::vector<Indicator>& indicators,
                                         std::string_view dx, std::string_view ou, const Period& pe,
                                         const ExplainOptions& options) {
  if (dx.empty()) return Status::invalid_input("dx: give a data element or indicator");
  if (ou.empty()) return Status::invalid_input("ou: give an org unit");
  const std::shared_ptr<const Catalogue> catalogue = engine.catalogue();
  const std::shared_ptr<const OrgUnitIndex> units = engine.units();

  FigureExplanation x;
  x.dx = std::string(dx);
  x.ou = std::string(ou);
  x.period = pe;
  x.structure_at = options.structure_at;

  // ou: as analytics checks it.
  if (ou == kCountryUnitCode && !units->knows(ou)) {
    x.unit_name = "Toàn quốc";
  } else {
    const std::vector<const OrgUnitVersion*> history = units->history(ou);
    if (history.empty()) return Status::not_found("ou: no org unit " + quoted(ou));
    const OrgUnitVersion* named = nullptr;
    if (options.structure_at) {
      named = units->at(ou, *options.structure_at);
      if (named == nullptr) {
        return Status::not_found("ou: org unit " + quoted(ou) + " is not in force on " + format_date(*options.structure_at));
      }
    } else {
      for (auto v = history.rbegin(); v != history.rend() && named == nullptr; ++v) {
        if ((*v)->overlaps(pe.dates())) named = *v;
      }
      if (named == nullptr && units->predecessors(ou).empty()) {
        return Status::not_found("ou: org unit " + quoted(ou) + " is not in force during pe " + quoted(pe.code()) +
                                 " (" + pe.label_vi() + ")");
      }
      if (named == nullptr) named = history.back();
    }
    x.unit_name = named->name;
  }
  const UnitScope scope{x.ou, options.structure_at};

  const auto indicator = std::find_if(indicators.begin(), indicators.end(), [&](const Indicator& i) { return i.code == dx; });
  if (catalogue->element(dx) == nullptr && indicator != indicators.end()) {
    Result<CompiledExpression> compiled = CompiledExpression::compile(indicator->expression, *catalogue, ExpressionType::kNumber);
    if (!compiled) return Status::invalid_input("dx: indicator " + quoted(dx) + ": " + compiled.status().message());
    x.indicator = true;
    x.name_vi = indicator->name_vi;
    x.name_en = indicator->name_en.empty() ? indicator->name_vi : indicator->name_en;
    x.formula = indicator->expression;
    x.decimals = indicator->decimals;
    x.value_type = ValueType::kNumber;
    const EngineExpressionContext context(engine, options.structure_at);
    const ExpressionValue v = compiled->evaluate(context, x.ou, pe);
    if (v.is_number()) x.value = round_decimal(v.as_number(), x.decimals);
    for (const ElementRef& ref : compiled->references()) {
      Result<ElementReference> element = catalogue->resolve(ref.code());
      if (!element || ref.element_id == 0 || element->element->aggregation == AggregationType::kNone ||
          element->element->value_type == ValueType::kText) {
        continue;  // what the engine does not aggregate has no breakdown
      }
      Result<SeriesBreakdown> b = breakdown(engine, *catalogue, *units, *element, ref.code(), scope, pe, options.max_parts);
      if (!b) return b.status();
      x.series.push_back(std::move(*b));
    }
    return x;
  }

  Result<ElementReference> element = resolve_element(*catalogue, dx);
  if (!element) return element.status();
  Result<SeriesBreakdown> b = breakdown(engine, *catalogue, *units, *element, x.dx, scope, pe, options.max_parts);
  if (!b) return b.status();
  x.name_vi = b->name_vi;
  x.name_en = b->name_en;
  x.value_type = b->value_type;
  x.value = b->value;
  x.series.push_back(std::move(*b));
  return x;
}

Status add_value_history(FigureExplanation& x, Store& store, Workflow* workflow, const OrgUnitIndex& units,
                         const Catalogue& catalogue) {
  // The element of each breakdown (an option's parts are of its element).
  std::vector<const DataElement*> elements;
  for (const SeriesBreakdown& s : x.series) {
    Result<ElementReference> ref = catalogue.resolve(s.code);
    if (!ref) return ref.status();
    elements.push_back(ref->element);
  }
  // One read of the audit trail for every listed value: the filter is a product of units,
  // elements and periods, so it may bring a few more, left aside below.
  Result<std::unordered_map<std::string, int64_t>> ids = store.unit_ids();
  if (!ids) return ids.status();
  ValueFilter filter;
  {
    std::vector<int64_t> unit_ids, element_ids, period_keys;
    for (size_t i = 0; i < x.series.size(); ++i) {
      element_ids.push_back(elements[i]->id);
      for (const FigurePart& p : x.series[i].parts) {
        if (auto it = ids->find(p.unit); it != ids->end()) unit_ids.push_back(it->second);
        period_keys.push_back(p.period.key());
      }
    }
    for (auto* v : {&unit_ids, &element_ids, &period_keys}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    if (unit_ids.empty()) {
      x.history_included = true;
      return Status::ok();
    }
    filter.unit_ids = std::move(unit_ids);
    filter.element_ids = std::move(element_ids);
    for (int64_t k : period_keys) filter.period_key_ranges.emplace_back(k, k);
  }
  Result<std::vector<AuditEntry>> entries = store.audit_entries(filter);
  if (!entries) return entries.status();
  using Key = std::tuple<std::string, int64_t, std::string, std::string>;  // unit, period, element, option
  std::map<Key, std::vector<ValueChange>> changes;
  for (AuditEntry& e : *entries) {
    changes[Key{e.org_unit, e.period.key(), e.element, e.option}].push_back(
        {e.action, std::move(e.old_value), std::move(e.new_value), std::move(e.changed_by), e.changed_at});
  }
  // The forms: each data set listing the element, at the level of the value's unit.
  std::map<std::tuple<std::string, std::string, int64_t>, std::optional<FormApproval>> forms;
  for (size_t i = 0; i < x.series.size(); ++i) {
    const DataElement& element = *elements[i];
    for (FigurePart& p : x.series[i].parts) {
      if (auto it = changes.find(Key{p.unit, p.period.key(), element.code, p.option}); it != changes.end()) {
        p.history = it->second;
      }
      if (workflow == nullptr) continue;
      const std::vector<const OrgUnitVersion*> during = units.during(p.unit, p.period.dates());
      if (during.empty()) continue;
      for (const DataSet& ds : *workflow->data_sets()) {
        if (ds.level != during.back()->level ||
            std::find(ds.elements.begin(), ds.elements.end(), element.code) == ds.elements.end()) {
          continue;
        }
        const std::optional<Period> period = form_period(ds, p.period);
        if (!period) continue;
        auto [it, added] = forms.try_emplace({ds.code, p.unit, period->key()});
        if (added) {
          Result<ApprovalRecord> record = workflow->state(ds.code, p.unit, *period);
          if (!record) return record.status();
          it->second = FormApproval{ds.code, ds.name_vi, ds.name_en.empty() ? ds.name_vi : ds.name_en,
                                    p.unit, *period, record->state, record->changed_by, record->changed_at};
        }
        if (it->second) p.forms.push_back(*it->second);
      }
    }
  }
  x.history_included = true;
  return Status::ok();
}

std::string format_explanation(const FigureExplanation& explanation, ExplainFormat format, bool english) {
  const Labels labels{english};
  return format == ExplainFormat::kJson ? format_json(explanation, labels) : format_table(explanation, labels);
}

}  // namespace qpan
