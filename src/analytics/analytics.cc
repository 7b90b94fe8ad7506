// Analytics answered from the aggregation engine (see qpan/analytics.h): the query resolved
// (elements, options, indicators, units by lineage, periods), every cell asked of the engine,
// and the answer formatted as a table, CSV, DHIS2-shaped JSON or an XLSX workbook.
#include "qpan/analytics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "exchange/xlsx_workbook.h"
#include "qpan/text.h"
#include "qpan/text_table.h"

namespace qpan {
namespace {

// ---- Resolving the query -------------------------------------------------------------------

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string validity_text(const OrgUnitVersion& v) {
  std::string out = v.valid_from ? format_date(*v.valid_from) : "";
  out += "..";
  if (v.valid_until) out += format_date(add_days(*v.valid_until, -1));
  return out;
}

// An element (or one option of it) that analytics can aggregate.
Result<ElementReference> resolve_data_item(const Catalogue& catalogue, const std::string& item) {
  Result<ElementReference> ref = catalogue.resolve(item);
  if (!ref) return Status(ref.status().code(), "dx: " + ref.status().message());
  const DataElement& e = *ref->element;
  if (e.aggregation == AggregationType::kNone || e.value_type == ValueType::kText) {
    return Status::invalid_input("dx: data element " + quoted(e.code) + " does not aggregate (value type " +
                                 std::string(value_type_name(e.value_type)) + ", aggregation " +
                                 std::string(aggregation_name(e.aggregation)) + ")");
  }
  return ref;
}

// ---- Formatting ----------------------------------------------------------------------------

int table_decimals(ValueType type) { return type == ValueType::kNumber ? 4 : 2; }

// Split old units: which figures used shares and which were left out, and how much.
std::vector<std::string> split_unit_notes_vi(const AnalyticsResult& r) {
  std::vector<std::string> notes;
  for (const AnalyticsCell& c : r.cells) {
    if (!c.uses_shares && c.unallocated.empty()) continue;
    std::string note = "* " + r.dx[c.dx].name_vi + ", " + r.ou[c.ou].name_vi + ", " + r.pe[c.pe].name_vi + ": ";
    if (c.uses_shares) note += "có số liệu của đơn vị cũ bị chia tách, tính theo tỷ lệ đã đặt (số gần đúng)";
    if (!c.unallocated.empty()) {
      if (c.uses_shares) note += "; ";
      note += "chưa phân bổ (đơn vị cũ bị chia tách, chưa có tỷ lệ):";
      for (const UnallocatedPart& p : c.unallocated) {
        note += " " + p.unit + "→" + p.into + " " + format_number_vi(p.value, table_decimals(c.value_type)) + ";";
      }
      note.pop_back();
    }
    notes.push_back(std::move(note));
  }
  return notes;
}

std::string format_table(const AnalyticsResult& r) {
  report_text::TextTable table({"Chỉ tiêu", "Đơn vị", "Kỳ", "Giá trị"}, {false, false, false, true});
  for (const AnalyticsCell& c : r.cells) {
    table.add_row({r.dx[c.dx].name_vi, r.ou[c.ou].name_vi, r.pe[c.pe].name_vi,
                   format_number_vi(c.value, r.dx[c.dx].indicator ? r.dx[c.dx].decimals : table_decimals(c.value_type))});
  }
  std::string out = table.render();
  const bool rows_empty = table.empty();
  if (rows_empty) out += "(không có số liệu)\n";
  for (const std::string& note : split_unit_notes_vi(r)) out += note + '\n';
  return out;
}

// "shares" / "unallocated: 03397→03403 12; 03401→03403 5" for a cell with split units.
std::string cell_note(const AnalyticsCell& c) {
  std::string note;
  if (c.uses_shares) note = "shares";
  if (!c.unallocated.empty()) {
    note += note.empty() ? "unallocated: " : "; unallocated: ";
    for (size_t i = 0; i < c.unallocated.size(); ++i) {
      const UnallocatedPart& p = c.unallocated[i];
      if (i > 0) note += "; ";
      note += p.unit + "→" + p.into + " " + format_number_machine(p.value);
    }
  }
  return note;
}

bool has_notes(const AnalyticsResult& r) {
  return std::any_of(r.cells.begin(), r.cells.end(),
                     [](const AnalyticsCell& c) { return c.uses_shares || !c.unallocated.empty(); });
}

std::string format_csv(const AnalyticsResult& r) {
  const bool notes = has_notes(r);
  std::string out = notes ? "dx,ou,pe,value,note\n" : "dx,ou,pe,value\n";
  for (const AnalyticsCell& c : r.cells) {
    report_text::append_csv_field(out, r.dx[c.dx].code);
    out += ',';
    report_text::append_csv_field(out, r.ou[c.ou].code);
    out += ',';
    report_text::append_csv_field(out, r.pe[c.pe].code);
    out += ',';
    out += format_number_machine(c.value);
    if (notes) {
      out += ',';
      report_text::append_csv_field(out, cell_note(c));
    }
    out += '\n';
  }
  return out;
}

// ---- DHIS2-shaped JSON, written straight into the answer ------------------------------------
// A DOM first would cost more than the roll-up it prints (most answers are a few cells).

void append_json_number(std::string& out, double value) { out += format_number_machine(value); }

// The name an item is shown by in `layout`.
const std::string& display_name(const AnalyticsItem& item, const AnalyticsLayout& layout) {
  return layout.english && !item.name_en.empty() ? item.name_en : item.name_vi;
}

// What an item is called in rows and metaData.dimensions: its code (a period's as DHIS2
// asked for it), or its name.
std::string_view item_id(const AnalyticsResult& r, const AnalyticsLayout& layout, AnalyticsLayout::Dimension d,
                         size_t index) {
  using D = AnalyticsLayout::Dimension;
  const AnalyticsItem& item = d == D::kDx ? r.dx[index] : d == D::kOu ? r.ou[index] : r.pe[index];
  if (layout.names_as_ids) return display_name(item, layout);
  if (d == D::kPe && index < layout.period_codes.size() && !layout.period_codes[index].empty()) {
    return layout.period_codes[index];
  }
  return item.code;
}

// The metaData items: the dimensions' names, then each item's, every key once (an element
// may be coded like a unit or a period; the first name given stays).
void append_json_items(std::string& out, const AnalyticsResult& r, const AnalyticsLayout& layout) {
  using D = AnalyticsLayout::Dimension;
  out += R"({"dx":{"name":"Data"},"ou":{"name":"Organisation unit"},"pe":{"name":"Period"})";
  std::unordered_set<std::string_view> written{"dx", "ou", "pe"};
  auto add = [&](D d, size_t index, const AnalyticsItem& item) {
    const std::string_view id = item_id(r, layout, d, index);
    if (!written.insert(id).second) return;
    out += ',';
    append_json_string(out, id);
    out += R"(:{"name":)";
    append_json_string(out, display_name(item, layout));
    out += '}';
  };
  for (size_t i = 0; i < r.dx.size(); ++i) add(D::kDx, i, r.dx[i]);
  for (size_t i = 0; i < r.ou.size(); ++i) add(D::kOu, i, r.ou[i]);
  for (size_t i = 0; i < r.pe.size(); ++i) add(D::kPe, i, r.pe[i]);
  out += '}';
}

void append_json_ids(std::string& out, const AnalyticsResult& r, const AnalyticsLayout& layout,
                     AnalyticsLayout::Dimension d, size_t count) {
  out += '[';
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    append_json_string(out, item_id(r, layout, d, i));
  }
  out += ']';
}

void append_header(std::string& out, AnalyticsLayout::Dimension d) {
  using D = AnalyticsLayout::Dimension;
  out += d == D::kDx   ? R"({"name":"dx","column":"Data",)"
         : d == D::kOu ? R"({"name":"ou","column":"Organisation unit",)"
                       : R"({"name":"pe","column":"Period",)";
  out += R"("valueType":"TEXT","type":"java.lang.String","hidden":false,"meta":true},)";
}

// Cells that use shares or leave parts unallocated. Not part of DHIS2's shape: readers that
// do not know it ignore it.
void append_notes(std::string& out, const AnalyticsResult& r) {
  out += R"(,"qpanNotes":[)";
  bool first = true;
  for (const AnalyticsCell& c : r.cells) {
    if (!c.uses_shares && c.unallocated.empty()) continue;
    out += first ? "{\"dx\":" : ",{\"dx\":";
    first = false;
    append_json_string(out, r.dx[c.dx].code);
    out += R"(,"ou":)";
    append_json_string(out, r.ou[c.ou].code);
    out += R"(,"pe":)";
    append_json_string(out, r.pe[c.pe].code);
    out += c.uses_shares ? R"(,"usesShares":true,"unallocated":[)" : R"(,"usesShares":false,"unallocated":[)";
    for (size_t i = 0; i < c.unallocated.size(); ++i) {
      const UnallocatedPart& p = c.unallocated[i];
      out += i > 0 ? ",{\"unit\":" : "{\"unit\":";
      append_json_string(out, p.unit);
      out += R"(,"into":)";
      append_json_string(out, p.into);
      out += R"(,"value":)";
      append_json_number(out, p.value);
      out += '}';
    }
    out += "]}";
  }
  out += ']';
}

// Answers an indicator's references for the (unit, period) being computed from the values
// fetched with the query's elements in the same engine call; anything else (the previous
// period, child units, an element the engine does not aggregate) from the engine.
class PrefetchedContext final : public ExpressionContext {
 public:
  PrefetchedContext(const ExpressionContext& fallback, const std::vector<SeriesRef>& series)
      : fallback_(fallback), series_(series) {}

  void set(std::string_view unit, const Period& period, std::vector<Aggregate> values) {
    unit_ = unit;
    period_ = period;
    values_ = std::move(values);
  }
  void clear() { values_.clear(); }

  std::optional<double> value(const ElementRef& ref, std::string_view unit, const Period& period) const override {
    if (!values_.empty() && unit == unit_ && period == period_) {
      for (size_t k = 0; k < series_.size(); ++k) {
        if (series_[k].element_id == ref.element_id && series_[k].option_id == ref.option_id) return values_[k].value;
      }
    }
    return fallback_.value(ref, unit, period);
  }
  std::vector<std::string> children(std::string_view unit, const Period& period) const override {
    return fallback_.children(unit, period);
  }

 private:
  const ExpressionContext& fallback_;
  const std::vector<SeriesRef>& series_;
  std::string_view unit_;
  Period period_ = Period::year(2000);
  std::vector<Aggregate> values_;
};

}  // namespace

// ---- Public functions ------------------------------------------------------------------------

Result<AnalyticsQuery> parse_analytics_query(std::string_view dx, std::string_view ou,
                                             std::string_view pe) {
  AnalyticsQuery q;
  q.dx = split_list(dx);
  q.ou = split_list(ou);
  for (const std::string& item : split_list(pe)) {
    Result<Period> p = Period::parse(item);
    if (!p) {
      return Status::invalid_input("pe: malformed period \"" + item + "\": " + p.status().message());
    }
    q.pe.push_back(*p);
  }
  return q;
}

Result<AnalyticsResult> run_analytics(const AggregationEngine& engine, const AnalyticsQuery& query,
                                      const std::vector<Indicator>& indicators) {
  if (query.dx.empty()) return Status::invalid_input("dx: give at least one data element");
  if (query.ou.empty()) return Status::invalid_input("ou: give at least one org unit");
  if (query.pe.empty()) return Status::invalid_input("pe: give at least one period");

  AnalyticsResult result;
  const std::shared_ptr<const Catalogue> catalogue = engine.catalogue();
  const std::shared_ptr<const OrgUnitIndex> units = engine.units();

  // dx: elements (or one option of them) and indicators.
  struct DxItem {
    SeriesRef series;
    std::optional<CompiledExpression> indicator;
  };
  std::vector<DxItem> items;
  {
    std::unordered_set<std::string> seen;
    for (const std::string& code : query.dx) {
      if (!seen.insert(code).second) continue;
      AnalyticsDataItem d;
      d.code = code;
      auto indicator = std::find_if(indicators.begin(), indicators.end(),
                                    [&](const Indicator& i) { return i.code == code; });
      if (catalogue->element(code) == nullptr && indicator != indicators.end()) {
        Result<CompiledExpression> compiled =
            CompiledExpression::compile(indicator->expression, *catalogue, ExpressionType::kNumber);
        if (!compiled) {
          return Status::invalid_input("dx: indicator " + quoted(code) + ": " + compiled.status().message());
        }
        d.name_vi = indicator->name_vi;
        d.name_en = indicator->name_en;
        d.value_type = ValueType::kNumber;
        d.indicator = true;
        d.decimals = indicator->decimals;
        items.push_back({{}, std::move(*compiled)});
        result.dx.push_back(std::move(d));
        continue;
      }
      Result<ElementReference> ref = resolve_data_item(*catalogue, code);
      if (!ref) return ref.status();
      const DataElement& e = *ref->element;
      d.name_vi = e.name_vi;
      d.name_en = e.name_en;
      if (const DisaggregationOption* o = ref->option) {
        d.name_vi += " (" + o->name_vi + ")";
        d.name_en += " (" + o->name_en + ")";
      }
      d.value_type = e.value_type;
      d.aggregation = e.aggregation;
      Result<SeriesRef> series = engine.series(code);
      if (!series) return Status::not_found("dx: " + series.status().message());
      items.push_back({*series, std::nullopt});
      result.dx.push_back(std::move(d));
    }
  }

  // pe
  std::vector<Period> periods;
  for (const Period& p : query.pe) {
    if (std::find(periods.begin(), periods.end(), p) != periods.end()) continue;
    periods.push_back(p);
    result.pe.push_back({p.code(), p.label_vi(), p.label_en(), {}});
  }
  const Period* latest_period = &periods.front();
  for (const Period& p : periods) {
    if (p.dates().last > latest_period->dates().last) latest_period = &p;
  }

  // ou: a unit must be in force during each period, or have been formed (by lineage) from
  // units that were. A code listed twice counts once (found by sorting: queries list
  // hundreds of units).
  std::vector<bool> repeated(query.ou.size(), false);
  {
    std::vector<size_t> order(query.ou.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return query.ou[a] < query.ou[b]; });
    for (size_t k = 1; k < order.size(); ++k) repeated[order[k]] = query.ou[order[k]] == query.ou[order[k - 1]];
  }
  std::vector<std::string> ou_codes;
  ou_codes.reserve(query.ou.size());
  result.ou.reserve(query.ou.size());
  for (size_t k = 0; k < query.ou.size(); ++k) {
    if (repeated[k]) continue;
    const std::string& code = query.ou[k];
    if (code == kCountryUnitCode && !units->knows(code)) {
      result.ou.push_back({code, "Toàn quốc", "Viet Nam", {}});
      ou_codes.push_back(code);
      continue;
    }
    const std::vector<const OrgUnitVersion*> history = units->history(code);
    if (history.empty()) return Status::not_found("ou: unknown org unit " + quoted(code));
    const OrgUnitVersion* named = nullptr;
    if (query.structure_at) {
      named = units->at(code, *query.structure_at);
      if (named == nullptr) {
        return Status::not_found("ou: org unit " + quoted(code) + " is not in force on " +
                                 format_date(*query.structure_at));
      }
    }
    auto last_in_force = [&](const Period& p) -> const OrgUnitVersion* {
      for (auto v = history.rbegin(); v != history.rend(); ++v) {
        if ((*v)->overlaps(p.dates())) return *v;
      }
      return nullptr;
    };
    for (size_t i = 0; i < periods.size() && !query.structure_at; ++i) {
      if (last_in_force(periods[i]) != nullptr || !units->predecessors(code).empty()) continue;
      std::string versions;
      for (const OrgUnitVersion* v : history) versions += (versions.empty() ? "" : "; ") + v->name + " " + validity_text(*v);
      return Status::not_found("ou: org unit " + quoted(code) + " is not in force during pe " +
                               quoted(result.pe[i].code) + " (" + result.pe[i].name_vi +
                               "); it was in force: " + versions);
    }
    if (named == nullptr) named = last_in_force(*latest_period);
    if (named == nullptr) named = history.back();
    AnalyticsItem item{code, named->name, named->name, {}};
    // The day the unit was named on: its structure's, or the last day of the latest period
    // it was in force in.
    Date named_on = query.structure_at.value_or(latest_period->dates().last);
    if (!query.structure_at && named->valid_until && *named->valid_until <= named_on) {
      named_on = add_days(*named->valid_until, -1);
    }
    for (const OrgUnitVersion* above : units->ancestors(code, named_on)) item.ancestors.insert(item.ancestors.begin(), above->code);
    result.ou.push_back(std::move(item));
    ou_codes.push_back(code);
  }

  // Every series of a (ou, pe) in one engine call: the elements asked and what the
  // indicators read there; indicators on top of it.
  std::vector<SeriesRef> series;
  std::vector<size_t> element_series(items.size(), 0);  // index into `series` of each element item
  auto series_index = [&](SeriesRef ref) {
    for (size_t k = 0; k < series.size(); ++k) {
      if (series[k].element_id == ref.element_id && series[k].option_id == ref.option_id) return k;
    }
    series.push_back(ref);
    return series.size() - 1;
  };
  for (size_t d = 0; d < items.size(); ++d) {
    if (!items[d].indicator) element_series[d] = series_index(items[d].series);
  }
  for (const DxItem& item : items) {
    if (!item.indicator) continue;
    for (const ElementRef& ref : item.indicator->references()) {
      const DataElement* e = catalogue->element(ref.element);
      // What the engine cannot aggregate stays with the engine's own answer (no value).
      if (ref.element_id == 0 || e == nullptr || e->aggregation == AggregationType::kNone ||
          e->value_type == ValueType::kText) {
        continue;
      }
      series_index({static_cast<int32_t>(ref.element_id), static_cast<int32_t>(ref.option_id)});
    }
  }
  const size_t n_ou = ou_codes.size(), n_pe = periods.size();
  std::vector<std::optional<AnalyticsCell>> cells(items.size() * n_ou * n_pe);
  auto cell_at = [&](size_t d, size_t j, size_t i) -> std::optional<AnalyticsCell>& {
    return cells[(d * n_ou + j) * n_pe + i];
  };
  const EngineExpressionContext engine_context(engine, query.structure_at);
  PrefetchedContext context(engine_context, series);
  for (size_t j = 0; j < n_ou; ++j) {
    for (size_t i = 0; i < n_pe; ++i) {
      if (series.empty()) {
        context.clear();
      } else {
        Result<std::vector<Aggregate>> all = engine.aggregate(series, {ou_codes[j], query.structure_at}, periods[i]);
        if (!all) return all.status();
        for (size_t d = 0; d < items.size(); ++d) {
          if (items[d].indicator) continue;
          Aggregate& a = (*all)[element_series[d]];
          if (!a.value && a.unallocated.empty()) continue;
          AnalyticsCell c;
          c.dx = d;
          c.ou = j;
          c.pe = i;
          c.value_type = result.dx[c.dx].value_type;
          c.value = a.value.value_or(0);
          c.uses_shares = a.uses_shares;
          c.unallocated = std::move(a.unallocated);  // the context reads values only
          cell_at(c.dx, j, i) = std::move(c);
        }
        context.set(ou_codes[j], periods[i], std::move(*all));
      }
      for (size_t d = 0; d < items.size(); ++d) {
        if (!items[d].indicator) continue;
        const ExpressionValue v = items[d].indicator->evaluate(context, ou_codes[j], periods[i]);
        if (!v.is_number()) continue;
        AnalyticsCell c;
        c.dx = d;
        c.ou = j;
        c.pe = i;
        c.value_type = ValueType::kNumber;
        c.value = round_decimal(v.as_number(), result.dx[d].decimals);
        cell_at(d, j, i) = std::move(c);
      }
    }
  }
  for (std::optional<AnalyticsCell>& c : cells) {
    if (c) result.cells.push_back(std::move(*c));
  }
  return result;
}

Result<AnalyticsResult> run_analytics(Store& store, const AnalyticsQuery& query) {
  Result<Pack> pack = read_loaded_pack(store);
  if (!pack) return pack.status();
  Result<std::unique_ptr<AggregationEngine>> engine = AggregationEngine::build(store);
  if (!engine) return engine.status();
  return run_analytics(**engine, query, pack->indicators);
}

Result<std::string> analytics_workbook(const AnalyticsResult& r) {
  XlsxSheet sheet;
  sheet.name = "Số liệu";
  sheet.title = "Tổng hợp số liệu (qpan)";
  sheet.header = {"Chỉ tiêu", "Mã chỉ tiêu", "Đơn vị", "Mã đơn vị"};
  constexpr size_t kFirstPeriodColumn = 4;
  for (size_t p = 0; p < r.pe.size(); ++p) {
    sheet.header.push_back(r.pe[p].name_vi);
    sheet.numeric_columns.push_back(kFirstPeriodColumn + p);
  }
  // Cells are ordered by dx, then ou, then pe: one row per run of the same (dx, ou).
  for (size_t i = 0; i < r.cells.size();) {
    const AnalyticsCell& first = r.cells[i];
    const AnalyticsDataItem& dx = r.dx[first.dx];
    std::vector<XlsxCell> row = {XlsxCell::of_text(dx.name_vi), XlsxCell::of_text(dx.code),
                                 XlsxCell::of_text(r.ou[first.ou].name_vi), XlsxCell::of_text(r.ou[first.ou].code)};
    row.resize(kFirstPeriodColumn + r.pe.size());
    for (; i < r.cells.size() && r.cells[i].dx == first.dx && r.cells[i].ou == first.ou; ++i) {
      const AnalyticsCell& c = r.cells[i];
      const int max_decimals = dx.indicator ? dx.decimals : table_decimals(c.value_type);
      row[kFirstPeriodColumn + c.pe] = XlsxCell::of_number(c.value, decimals_needed(c.value, max_decimals));
    }
    sheet.rows.push_back(std::move(row));
  }
  if (sheet.rows.empty()) sheet.notes.push_back("(không có số liệu)");
  for (std::string& note : split_unit_notes_vi(r)) sheet.notes.push_back(std::move(note));
  return write_xlsx_workbook({sheet}, sheet.title);
}

std::string format_analytics_json(const AnalyticsResult& r, const AnalyticsLayout& layout) {
  using D = AnalyticsLayout::Dimension;
  std::string out;
  out.reserve(1024 + 64 * (r.dx.size() + r.ou.size() + r.pe.size()) + 48 * r.cells.size());
  out += R"({"headers":[)";
  for (D d : layout.columns) append_header(out, d);
  out += R"({"name":"value","column":"Value","valueType":"NUMBER","type":"java.lang.Double","hidden":false,"meta":false}])";
  if (!layout.skip_meta) {
    out += R"(,"metaData":{"items":)";
    append_json_items(out, r, layout);
    out += R"(,"dimensions":{"dx":)";
    append_json_ids(out, r, layout, D::kDx, r.dx.size());
    out += R"(,"ou":)";
    append_json_ids(out, r, layout, D::kOu, r.ou.size());
    out += R"(,"pe":)";
    append_json_ids(out, r, layout, D::kPe, r.pe.size());
    out += R"(,"co":[]})";
    if (layout.hierarchy_meta) {
      out += R"(,"ouHierarchy":{)";
      for (size_t i = 0; i < r.ou.size(); ++i) {
        if (i > 0) out += ',';
        append_json_string(out, item_id(r, layout, D::kOu, i));
        out += ':';
        std::string path;
        for (const std::string& code : r.ou[i].ancestors) path += (path.empty() ? "" : "/") + code;
        append_json_string(out, path);
      }
      out += '}';
    }
    out += '}';
  }
  out += R"(,"rows":[)";
  const size_t height = layout.skip_data ? 0 : r.cells.size();
  for (size_t i = 0; i < height; ++i) {
    const AnalyticsCell& c = r.cells[i];
    out += i > 0 ? ",[" : "[";
    for (D d : layout.columns) {
      append_json_string(out, item_id(r, layout, d, d == D::kDx ? c.dx : d == D::kOu ? c.ou : c.pe));
      out += ',';
    }
    out += '"';
    append_json_number(out, c.value);  // DHIS2 gives values as strings
    out += "\"]";
  }
  const std::string width = std::to_string(layout.columns.size() + 1);
  out += R"(],"height":)";
  out += std::to_string(height);
  out += R"(,"width":)" + width + R"(,"headerWidth":)" + width;
  if (has_notes(r) && !layout.skip_data) append_notes(out, r);
  out += "}\n";
  return out;
}

void keep_cells_meeting(AnalyticsResult& result, const std::vector<MeasureCriterion>& criteria) {
  using Op = MeasureCriterion::Operator;
  std::erase_if(result.cells, [&](const AnalyticsCell& c) {
    return !std::all_of(criteria.begin(), criteria.end(), [&](const MeasureCriterion& m) {
      switch (m.op) {
        case Op::kEq: return c.value == m.value;
        case Op::kGt: return c.value > m.value;
        case Op::kGe: return c.value >= m.value;
        case Op::kLt: return c.value < m.value;
        case Op::kLe: return c.value <= m.value;
      }
      return false;
    });
  });
}

std::string format_analytics(const AnalyticsResult& result, AnalyticsFormat format) {
  switch (format) {
    case AnalyticsFormat::kTable: return format_table(result);
    case AnalyticsFormat::kCsv: return format_csv(result);
    case AnalyticsFormat::kJson: return format_analytics_json(result, AnalyticsLayout{});
  }
  return {};
}

}  // namespace qpan
