// Analytics over the store: a straightforward roll-up of the values a scan returns (see
// qpan/analytics.h). The aggregation engine of DESIGN.md will answer the same queries from
// aggregates kept up to date on write; this interface stays.
#include "qpan/analytics.h"

#include <boost/json.hpp>

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

namespace qpan {
namespace {

// ---- Exact sums ----------------------------------------------------------------------------

// Sums numbers given in machine form ("12", "-0.5", "41570000.25") exactly, as an integer
// count of 10^-scale, so that 0.1 + 0.2 is 0.3 and large đồng amounts with decimals do not
// drift. Falls back to a double sum for what does not fit (more than 18 decimals, or more
// than about 36 digits).
class ExactSum {
 public:
  void add(std::string_view text, double value) {
    approx_ += value;
    if (!exact_) return;
    bool negative = false;
    size_t i = 0;
    if (i < text.size() && text[i] == '-') negative = true, ++i;
    __int128 mantissa = 0;
    int scale = 0;
    bool dot = false;
    size_t digits = 0;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '.' && !dot) {
        dot = true;
        continue;
      }
      if (c < '0' || c > '9' || ++digits > kMaxDigits) {
        exact_ = false;
        return;
      }
      mantissa = mantissa * 10 + (c - '0');
      if (dot) ++scale;
    }
    if (digits == 0 || scale > kMaxScale) {
      exact_ = false;
      return;
    }
    if (negative) mantissa = -mantissa;
    while (scale_ < scale) {
      if (magnitude_exceeds(units_)) {
        exact_ = false;
        return;
      }
      units_ *= 10;
      ++scale_;
    }
    for (int s = scale; s < scale_; ++s) {
      if (magnitude_exceeds(mantissa)) {
        exact_ = false;
        return;
      }
      mantissa *= 10;
    }
    if (magnitude_exceeds(units_) || magnitude_exceeds(mantissa)) {
      exact_ = false;
      return;
    }
    units_ += mantissa;
  }

  // The sum, correctly rounded to a double when it was kept exactly.
  double value() const {
    if (!exact_) return approx_;
    __int128 u = units_;
    const bool negative = u < 0;
    if (negative) u = -u;
    std::string digits;
    do {
      digits += static_cast<char>('0' + static_cast<int>(u % 10));
      u /= 10;
    } while (u != 0);
    while (digits.size() <= static_cast<size_t>(scale_)) digits += '0';
    std::reverse(digits.begin(), digits.end());
    if (scale_ > 0) digits.insert(digits.size() - static_cast<size_t>(scale_), 1, '.');
    double out = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return negative ? -out : out;
  }

 private:
  static constexpr size_t kMaxDigits = 36;
  static constexpr int kMaxScale = 18;
  // Keeps every intermediate below 10^37 (an __int128 holds about 1.7 * 10^38).
  static bool magnitude_exceeds(__int128 v) {
    constexpr __int128 kLimit = static_cast<__int128>(1000000000000000000LL) * 1000000000000000000LL;
    return v > kLimit || v < -kLimit;
  }

  __int128 units_ = 0;
  int scale_ = 0;
  bool exact_ = true;
  double approx_ = 0;
};

// Rounds to 10 decimal places (for means: 220.32 / 3 is 73.44, not 73.44000000000001).
double round_decimals(double v) {
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 10);
  if (ec != std::errc()) return v;
  double out = v;
  std::from_chars(buf, end, out);
  return out;
}

// ---- Resolving the query -------------------------------------------------------------------

struct DataSpec {
  const DataElement* element = nullptr;
  std::optional<std::string> option;  // empty: the total over options
};

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string validity_text(const OrgUnitVersion& v) {
  std::string out = v.valid_from ? format_date(*v.valid_from) : "";
  out += "..";
  if (v.valid_until) out += format_date(add_days(*v.valid_until, -1));
  return out;
}

Result<DataSpec> resolve_data_item(const Catalogue& catalogue, const std::string& item) {
  DataSpec spec;
  spec.element = catalogue.element(item);
  // Element codes may hold dots themselves ("foreign.in.delegations"): the option is what
  // follows the last dot that leaves a known element before it.
  for (size_t dot = item.rfind('.'); spec.element == nullptr && dot != std::string::npos && dot > 0;
       dot = item.rfind('.', dot - 1)) {
    if (const DataElement* e = catalogue.element(std::string_view(item).substr(0, dot))) {
      spec.element = e;
      spec.option = item.substr(dot + 1);
    }
  }
  if (spec.element == nullptr) return Status::not_found("dx: unknown data element " + quoted(item));
  const DataElement& e = *spec.element;
  if (spec.option) {
    const Disaggregation* d = catalogue.disaggregation_of(e);
    if (d == nullptr) {
      return Status::invalid_input("dx: " + quoted(item) + ": data element " + quoted(e.code) +
                                   " has no disaggregation, so no option " + quoted(*spec.option));
    }
    if (d->option(*spec.option) == nullptr) {
      std::string known;
      for (const DisaggregationOption& o : d->options) known += (known.empty() ? "" : ", ") + o.code;
      return Status::not_found("dx: " + quoted(item) + ": data element " + quoted(e.code) +
                               " has no option " + quoted(*spec.option) + " (its options: " + known + ")");
    }
  }
  if (e.aggregation == AggregationType::kNone || e.value_type == ValueType::kText) {
    return Status::invalid_input("dx: data element " + quoted(e.code) + " does not aggregate (value type " +
                                 std::string(value_type_name(e.value_type)) + ", aggregation " +
                                 std::string(aggregation_name(e.aggregation)) + ")");
  }
  return spec;
}

// ---- Aggregation ---------------------------------------------------------------------------

// A value as a number: booleans are 1 and 0.
struct Number {
  double value = 0;
  std::string_view text;  // machine form, for exact sums
};

std::optional<Number> to_number(const std::string& text) {
  if (text == "true") return Number{1, "1"};
  if (text == "false") return Number{0, "0"};
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return Number{v, text};
}

// The latest value of one series (a unit and option) within a period.
struct Latest {
  int32_t last_day = 0;   // the value's period: last day, then first day (the shorter
  int32_t first_day = 0;  // period wins when two end on the same day)
  double value = 0;
  std::string text;
};

// The aggregation state of one cell.
struct CellState {
  int64_t count = 0;
  ExactSum sum;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::map<std::pair<int32_t, int32_t>, Latest> latest;  // (unit id, option id) → latest value

  void add(AggregationType aggregation, const Number& n, const ValueKey& key, const DateRange& days) {
    ++count;
    switch (aggregation) {
      case AggregationType::kSum:
      case AggregationType::kAverage:
        sum.add(n.text, n.value);
        break;
      case AggregationType::kMin:
        min = std::min(min, n.value);
        break;
      case AggregationType::kMax:
        max = std::max(max, n.value);
        break;
      case AggregationType::kLast:
      case AggregationType::kCountTrue: {
        const int32_t last_day = to_days(days.last), first_day = to_days(days.first);
        auto [it, inserted] = latest.try_emplace({key.unit_id, key.option_id});
        Latest& l = it->second;
        if (inserted || std::pair(last_day, first_day) > std::pair(l.last_day, l.first_day)) {
          l = {last_day, first_day, n.value, std::string(n.text)};
        }
        break;
      }
      case AggregationType::kNone:
        break;
    }
  }

  double result(AggregationType aggregation) const {
    switch (aggregation) {
      case AggregationType::kSum: return sum.value();
      case AggregationType::kAverage: return round_decimals(sum.value() / static_cast<double>(count));
      case AggregationType::kMin: return min;
      case AggregationType::kMax: return max;
      case AggregationType::kLast: {
        ExactSum total;
        for (const auto& [series, l] : latest) total.add(l.text, l.value);
        return total.value();
      }
      case AggregationType::kCountTrue: {
        int64_t n = 0;
        for (const auto& [series, l] : latest) n += l.value != 0 ? 1 : 0;
        return static_cast<double>(n);
      }
      case AggregationType::kNone: break;
    }
    return 0;
  }
};

// ---- Formatting ----------------------------------------------------------------------------

// Display width of UTF-8 text in a terminal: code points, leaving out combining marks
// (U+0300–U+036F; NFC Vietnamese has none, but decomposed input might).
size_t display_width(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;
    if (c == 0xCC || (c == 0xCD && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xB0)) {
      continue;  // U+0300–U+036F are CC 80 – CD AF
    }
    ++width;
  }
  return width;
}

void pad_to(std::string& out, std::string_view text, size_t width, bool right_align) {
  const size_t w = display_width(text);
  if (right_align) out.append(width > w ? width - w : 0, ' ');
  out += text;
  if (!right_align) out.append(width > w ? width - w : 0, ' ');
}

int table_decimals(ValueType type) { return type == ValueType::kNumber ? 4 : 2; }

std::string format_table(const AnalyticsResult& r) {
  const std::string_view headers[4] = {"Chỉ tiêu", "Đơn vị", "Kỳ", "Giá trị"};
  std::vector<std::array<std::string, 4>> rows;
  rows.reserve(r.cells.size());
  for (const AnalyticsCell& c : r.cells) {
    rows.push_back({r.dx[c.dx].name_vi, r.ou[c.ou].name_vi, r.pe[c.pe].name_vi,
                    format_number_vi(c.value, table_decimals(c.value_type))});
  }
  size_t widths[4];
  for (size_t k = 0; k < 4; ++k) {
    widths[k] = display_width(headers[k]);
    for (const auto& row : rows) widths[k] = std::max(widths[k], display_width(row[k]));
  }
  std::string out;
  auto line = [&](const std::string_view (&cols)[4]) {
    for (size_t k = 0; k < 4; ++k) {
      if (k > 0) out += "  ";
      pad_to(out, cols[k], widths[k], k == 3);
    }
    out += '\n';
  };
  line(headers);
  for (size_t k = 0; k < 4; ++k) {
    if (k > 0) out += "  ";
    out.append(widths[k], '-');
  }
  out += '\n';
  for (const auto& row : rows) {
    const std::string_view cols[4] = {row[0], row[1], row[2], row[3]};
    line(cols);
  }
  if (rows.empty()) out += "(không có số liệu)\n";
  return out;
}

void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string format_csv(const AnalyticsResult& r) {
  std::string out = "dx,ou,pe,value\n";
  for (const AnalyticsCell& c : r.cells) {
    append_csv_field(out, r.dx[c.dx].code);
    out += ',';
    append_csv_field(out, r.ou[c.ou].code);
    out += ',';
    append_csv_field(out, r.pe[c.pe].code);
    out += ',';
    out += format_number_machine(c.value);
    out += '\n';
  }
  return out;
}

boost::json::object json_header(std::string_view name, std::string_view column, bool meta) {
  return {{"name", name},
          {"column", column},
          {"valueType", meta ? "TEXT" : "NUMBER"},
          {"type", meta ? "java.lang.String" : "java.lang.Double"},
          {"hidden", false},
          {"meta", meta}};
}

std::string format_json(const AnalyticsResult& r) {
  namespace json = boost::json;
  json::array headers{json_header("dx", "Data", true), json_header("ou", "Organisation unit", true),
                      json_header("pe", "Period", true), json_header("value", "Value", false)};
  json::object items;
  items["dx"] = json::object{{"name", "Data"}};
  items["ou"] = json::object{{"name", "Organisation unit"}};
  items["pe"] = json::object{{"name", "Period"}};
  json::object dimensions;
  auto dimension = [&](std::string_view name, const auto& list) {
    json::array codes;
    for (const AnalyticsItem& item : list) {
      items[item.code] = json::object{{"name", item.name_vi}};
      codes.emplace_back(item.code);
    }
    dimensions[name] = std::move(codes);
  };
  dimension("dx", r.dx);
  dimension("ou", r.ou);
  dimension("pe", r.pe);
  json::array rows;
  for (const AnalyticsCell& c : r.cells) {
    rows.emplace_back(json::array{json::string(r.dx[c.dx].code), json::string(r.ou[c.ou].code),
                                  json::string(r.pe[c.pe].code),
                                  json::string(format_number_machine(c.value))});
  }
  const auto height = static_cast<int64_t>(rows.size());
  json::object response;
  response["headers"] = std::move(headers);
  response["metaData"] = json::object{{"items", std::move(items)}, {"dimensions", std::move(dimensions)}};
  response["rows"] = std::move(rows);
  response["height"] = height;
  response["width"] = 4;
  response["headerWidth"] = 4;
  return json::serialize(response) + "\n";
}

std::vector<std::string_view> split_list(std::string_view list) {
  std::vector<std::string_view> items;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) items.push_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace

// ---- Public functions ------------------------------------------------------------------------

Result<AnalyticsQuery> parse_analytics_query(std::string_view dx, std::string_view ou,
                                             std::string_view pe) {
  AnalyticsQuery q;
  for (std::string_view item : split_list(dx)) q.dx.emplace_back(item);
  for (std::string_view item : split_list(ou)) q.ou.emplace_back(item);
  for (std::string_view item : split_list(pe)) {
    Result<Period> p = Period::parse(item);
    if (!p) {
      return Status::invalid_input("pe: malformed period \"" + std::string(item) + "\": " +
                                   p.status().message());
    }
    q.pe.push_back(*p);
  }
  return q;
}

Result<AnalyticsResult> run_analytics(Store& store, const AnalyticsQuery& query) {
  if (query.dx.empty()) return Status::invalid_input("dx: give at least one data element");
  if (query.ou.empty()) return Status::invalid_input("ou: give at least one org unit");
  if (query.pe.empty()) return Status::invalid_input("pe: give at least one period");

  AnalyticsResult result;

  // dx
  Result<Catalogue> catalogue = store.load_catalogue();
  if (!catalogue) return catalogue.status();
  std::vector<DataSpec> specs;
  std::unordered_map<int64_t, std::vector<size_t>> dx_by_element;  // element id → dx indices
  {
    std::unordered_set<std::string> seen;
    for (const std::string& item : query.dx) {
      if (!seen.insert(item).second) continue;
      Result<DataSpec> spec = resolve_data_item(*catalogue, item);
      if (!spec) return spec.status();
      const DataElement& e = *spec->element;
      AnalyticsDataItem d;
      d.code = item;
      d.name_vi = e.name_vi;
      d.name_en = e.name_en;
      if (spec->option) {
        const DisaggregationOption* o = catalogue->disaggregation_of(e)->option(*spec->option);
        d.name_vi += " (" + o->name_vi + ")";
        d.name_en += " (" + o->name_en + ")";
      }
      d.value_type = e.value_type;
      d.aggregation = e.aggregation;
      dx_by_element[e.id].push_back(specs.size());
      specs.push_back(std::move(*spec));
      result.dx.push_back(std::move(d));
    }
  }

  // pe
  std::vector<Period> periods;
  for (const Period& p : query.pe) {
    if (std::find(periods.begin(), periods.end(), p) != periods.end()) continue;
    periods.push_back(p);
    result.pe.push_back({p.code(), p.label_vi(), p.label_en()});
  }
  const Period* latest_period = &periods.front();
  for (const Period& p : periods) {
    if (p.dates().last > latest_period->dates().last) latest_period = &p;
  }

  // ou
  Result<OrgUnitIndex> units = store.load_org_units();
  if (!units) return units.status();
  std::vector<std::string> ou_codes;
  for (const std::string& code : query.ou) {
    if (std::find(ou_codes.begin(), ou_codes.end(), code) != ou_codes.end()) continue;
    if (!units->knows(code)) return Status::not_found("ou: unknown org unit " + quoted(code));
    for (size_t i = 0; i < periods.size(); ++i) {
      if (!units->during(code, periods[i].dates()).empty()) continue;
      std::string versions;
      for (const OrgUnitVersion* v : units->history(code)) {
        versions += (versions.empty() ? "" : "; ") + v->name + " " + validity_text(*v);
      }
      return Status::not_found("ou: org unit " + quoted(code) + " is not in force during pe " +
                               quoted(result.pe[i].code) + " (" + result.pe[i].name_vi +
                               "); it was in force: " + versions);
    }
    const OrgUnitVersion* v = units->during(code, latest_period->dates()).back();
    result.ou.push_back({code, v->name, v->name});
    ou_codes.push_back(code);
  }

  // The values that may count: periods within any pe, units ever under any ou.
  ValueFilter filter;
  for (const Period& p : periods) {
    for (const auto& range : contained_key_ranges(p)) filter.period_key_ranges.push_back(range);
  }
  {
    Result<std::unordered_map<std::string, int64_t>> ids = store.unit_ids();
    if (!ids) return ids.status();
    std::unordered_set<int64_t> unit_ids;
    for (const std::string& code : ou_codes) {
      for (const std::string& c : units->codes_ever_within(code)) {
        auto it = ids->find(c);
        if (it != ids->end()) unit_ids.insert(it->second);
      }
    }
    // Beyond a few thousand ids an IN list costs more than it saves (and SQLite limits the
    // number of parameters): read every unit and filter below.
    constexpr size_t kMaxUnitFilter = 5000;
    if (unit_ids.size() <= kMaxUnitFilter) {
      filter.unit_ids.assign(unit_ids.begin(), unit_ids.end());
      std::sort(filter.unit_ids.begin(), filter.unit_ids.end());
    }
  }

  const size_t n_ou = ou_codes.size(), n_pe = periods.size();
  std::map<size_t, CellState> cells;  // (dx * n_ou + ou) * n_pe + pe → state

  // Values come in key order (period, unit, ...): memoise which pe hold the period and which
  // ou hold the unit in that period.
  int64_t last_period = -1;
  DateRange last_days{};
  std::vector<size_t> pe_hit;
  std::pair<int64_t, int64_t> last_place{-1, -1};
  std::vector<size_t> ou_hit;
  Status bad_value;
  Status status = store.scan_values(filter, [&](const ValueKey& key, const DataValue& v) {
    auto dx_it = dx_by_element.find(key.element_id);
    if (dx_it == dx_by_element.end() || !bad_value.is_ok()) return;
    if (key.period != last_period) {
      last_period = key.period;
      last_days = v.period.dates();
      pe_hit.clear();
      for (size_t i = 0; i < n_pe; ++i) {
        if (periods[i].contains(v.period)) pe_hit.push_back(i);
      }
    }
    if (pe_hit.empty()) return;
    const std::pair<int64_t, int64_t> place{key.unit_id, key.period};
    if (place != last_place) {
      last_place = place;
      ou_hit.clear();
      for (size_t j = 0; j < n_ou; ++j) {
        if (units->is_within(v.org_unit, ou_codes[j], last_days)) ou_hit.push_back(j);
      }
    }
    if (ou_hit.empty()) return;
    std::optional<Number> number;
    for (size_t d : dx_it->second) {
      if (specs[d].option && v.option != *specs[d].option) continue;
      if (!number) {
        number = to_number(v.value);
        if (!number) {
          bad_value = Status::internal("stored value " + quoted(v.value) + " of " + quoted(v.element) +
                                       " is not a number");
          return;
        }
      }
      const AggregationType aggregation = specs[d].element->aggregation;
      for (size_t j : ou_hit) {
        for (size_t i : pe_hit) cells[(d * n_ou + j) * n_pe + i].add(aggregation, *number, key, last_days);
      }
    }
  });
  if (!status) return status;
  if (!bad_value) return bad_value;

  result.cells.reserve(cells.size());
  for (const auto& [index, state] : cells) {
    AnalyticsCell c;
    c.pe = index % n_pe;
    c.ou = index / n_pe % n_ou;
    c.dx = index / n_pe / n_ou;
    c.value_type = specs[c.dx].element->value_type;
    c.value = state.result(specs[c.dx].element->aggregation);
    result.cells.push_back(c);
  }
  return result;
}

std::string format_analytics(const AnalyticsResult& result, AnalyticsFormat format) {
  switch (format) {
    case AnalyticsFormat::kTable: return format_table(result);
    case AnalyticsFormat::kCsv: return format_csv(result);
    case AnalyticsFormat::kJson: return format_json(result);
  }
  return {};
}

}  // namespace qpan
