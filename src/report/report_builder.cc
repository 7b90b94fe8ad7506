// Filling a report template in (qpan/report.h): the template's header and blocks become a
// ReportDocument, each placeholder asked of ReportData for the unit and period in scope (the
// report's, or a table row's), written in Vietnamese number form and marked with the
// question that produced it.
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "qpan/number_format.h"
#include "qpan/report.h"
#include "report/template_functions.h"
#include "report/template_parser.h"

namespace qpan {

// ---- Filling in --------------------------------------------------------------------------

namespace {

std::string at_text(const std::string& file, TemplatePosition at) {
  return file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

// Upper or lower case by Vietnamese rules (ICU): "Tỉnh" ↔ "TỈNH".
std::string vietnamese_case(std::string_view text, bool to_upper) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (to_upper) u.toUpper(icu::Locale("vi"));
  else u.toLower(icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string upper(std::string_view text) { return vietnamese_case(text, true); }

std::string capitalized(std::string_view text) {
  if (text.empty()) return {};
  size_t first = 1;
  while (first < text.size() && (static_cast<unsigned char>(text[first]) & 0xC0) == 0x80) ++first;
  return upper(text.substr(0, first)) + std::string(text.substr(first));
}

// The types unit names begin with ("Tỉnh Lai Châu").
constexpr std::string_view kUnitTypes[] = {"Thành phố ", "Thị trấn ", "Thị xã ", "Đặc khu ", "Phường ",
                                           "Huyện ",     "Quận ",     "Tỉnh ",   "Xã "};

// "Tỉnh Lai Châu" → "Lai Châu": the name without its type, as place lines and lists write it.
std::string short_name(const std::string& name) {
  for (std::string_view type : kUnitTypes) {
    if (name.starts_with(type)) return name.substr(type.size());
  }
  return name;
}

// "Tỉnh Lai Châu" → "tỉnh Lai Châu": the name inside a sentence.
std::string name_in_text(const std::string& name) {
  for (std::string_view type : kUnitTypes) {
    if (name.starts_with(type)) return vietnamese_case(type, false) + name.substr(type.size());
  }
  return name;
}

// A month range that is exactly a year, half-year, quarter or month, as that period (its
// label then reads "năm 2016", not "từ tháng 1/2016 đến tháng 12/2016").
Period canonical(MonthIndex first, MonthIndex last) {
  const int year = year_of(first);
  const int count = last - first + 1;
  if (count == 1) return Period::month(year, month_of(first));
  if (year_of(last) == year) {
    if (count == 12) return Period::year(year);
    if (count == 6 && (month_of(first) - 1) % 6 == 0) return Period::six_month(year, (month_of(first) - 1) / 6 + 1);
    if (count == 3 && (month_of(first) - 1) % 3 == 0) return Period::quarter(year, (month_of(first) - 1) / 3 + 1);
  }
  return Period::month_range(first, last);
}

// The periods the rows of a table or chart run over: the years, quarters or months of `pe`
// (a part of a year at either end of the range as that part).
std::vector<Period> periods_by(RowsBy by, const Period& pe) {
  const int step = by == RowsBy::kYears ? 12 : by == RowsBy::kQuarters ? 3 : 1;
  std::vector<Period> out;
  for (MonthIndex m = pe.first_month(); m <= pe.last_month();) {
    const MonthIndex block_end = m - (m % step) + step - 1;
    const MonthIndex last = std::min(block_end, pe.last_month());
    out.push_back(canonical(m, last));
    m = last + 1;
  }
  return out;
}

// A failure while filling in, with the template position it belongs to.
struct BuildError {
  Status status;
};

struct Scope {
  ReportUnit unit;
  Period pe;
};

// What one placeholder gave.
struct Filled {
  std::string text;
  std::optional<double> number;  // the figure (a count for evaluations, the difference of a change)
  std::optional<double> shown;   // the number as written (scaled, rounded) when the text is one number
  int decimals = 0;
  std::optional<FigureSource> source;
  bool missing = false;  // no data: the text is a blank to fill in
};

class Builder {
 public:
  Builder(const CompiledTemplate& t, const ReportRequest& request, ReportData& data)
      : t_(t), request_(request), data_(data) {}

  ReportDocument build(const ReportUnit& unit) {
    const Scope scope{unit, request_.pe};
    ReportDocument d;
    d.language = request_.language;
    d.header.kind = plain(t_.kind, scope);
    d.header.title = plain(t_.title, scope);
    d.header.subtitle = plain(t_.subtitle, scope);
    d.header.governing_body = plain(t_.governing_body, scope);
    d.header.issuing_body = plain(t_.issuing_body, scope);
    d.header.number = plain(t_.number, scope);
    d.header.place = plain(t_.place, scope);
    d.header.date = request_.issued;
    for (const InlineText& r : t_.recipients) d.recipients.push_back(plain(r, scope));
    for (const InlineText& a : t_.authority) d.signature.authority.push_back(plain(a, scope));
    d.signature.position = plain(t_.position, scope);
    d.signature.name = plain(t_.signer, scope);
    blocks(t_.body, scope, d.body);
    return d;
  }

 private:
  [[noreturn]] void fail(TemplatePosition at, const Status& status) const {
    throw BuildError{Status(status.code(), at_text(t_.file, at) + ": " + status.message())};
  }

  template <typename T>
  T must(Result<T> result, TemplatePosition at) const {
    if (!result) fail(at, result.status());
    return std::move(*result);
  }

  Period select(const TemplateCall& call, std::string_view option, const Period& pe, std::string_view fallback) const {
    const TemplateArgument* a = call.option(option);
    const std::string_view selector = a == nullptr ? fallback : std::string_view(a->text);
    if (selector == "report") return pe;
    if (selector == "previous") return pe.previous();
    if (selector == "last_year_same") return pe.same_period_last_year();
    if (selector == "first_year") return Period::year(year_of(pe.first_month()));
    if (selector == "last_year") return Period::year(year_of(pe.last_month()));
    if (selector == "year_before") return Period::year(year_of(pe.first_month()) - 1);
    if (selector == "before_last_year") return Period::year(year_of(pe.last_month()) - 1);
    if (selector == "next_quarter") {
      const MonthIndex next = pe.last_month() + 1;
      return Period::quarter(year_of(next), (month_of(next) - 1) / 3 + 1);
    }
    return must(Period::parse(selector), a->at);  // checked when parsed
  }

  static double option_number(const TemplateCall& call, std::string_view name, double fallback) {
    const TemplateArgument* a = call.option(name);
    return a == nullptr ? fallback : a->number;
  }

  std::optional<double> figure(const TemplateArgument& dx, const std::string& ou, const Period& pe) {
    return must(data_.figure(dx.text, ou, pe), dx.at);
  }

  const EvaluationSummary* summary(const TemplateCall& call, const std::vector<std::string>& sets, const Scope& scope,
                                   const std::vector<Period>& periods, size_t period, const EvaluationGroup** group_out) {
    const EvaluationGroup* group = group_of(evaluation(call, sets, scope, periods), sets.front());
    if (group == nullptr) return nullptr;
    if (group_out != nullptr) *group_out = group;
    for (const EvaluationSummary& s : group->summaries) {
      if (s.unit == scope.unit.code && s.period == period) return &s;
    }
    return nullptr;
  }

  // The group of results the set adds up in (the all-criteria sets asked together are one).
  static const EvaluationGroup* group_of(const EvaluationReport& report, const std::string& set) {
    for (const EvaluationGroup& group : report.groups) {
      for (size_t s : group.sets) {
        if (report.sets[s].code == set) return &group;
      }
    }
    return nullptr;
  }

  const EvaluationReport& evaluation(const TemplateCall& call, const std::vector<std::string>& sets, const Scope& scope,
                                     const std::vector<Period>& periods) {
    std::string key = scope.unit.code;
    for (const std::string& s : sets) key += "|" + s;
    for (const Period& p : periods) key += "|" + p.code();
    auto cached = evaluations_.find(key);
    if (cached != evaluations_.end()) return cached->second;
    return evaluations_.emplace(key, must(data_.evaluate(sets, scope.unit.code, periods), call.at)).first->second;
  }

  static size_t class_index(const EvaluationGroup& group, const std::string& code) {
    for (size_t k = 0; k < group.classes.size(); ++k) {
      if (group.classes[k].code == code) return k;
    }
    return SIZE_MAX;
  }

  // "tăng 12 vụ", "giảm 3,5%", "không thay đổi".
  static std::string change_text(double difference, int decimals, std::string_view unit, bool percent) {
    const double rounded = round_decimal(difference, decimals);
    if (rounded == 0) return "không thay đổi";
    std::string out = rounded > 0 ? "tăng " : "giảm ";
    out += format_number_vi(std::fabs(rounded), decimals);
    if (percent) out += "%";
    if (!unit.empty()) out += " " + std::string(unit);
    return out;
  }

  // A placeholder filled in; a figure of 0 written as the call's `zero` text when it has one
  // ("không có đơn vị xếp loại yếu").
  Filled fill(const TemplateCall& call, const Scope& scope) {
    Filled filled = fill_call(call, scope);
    const TemplateArgument* zero = call.option("zero");
    if (zero != nullptr && !filled.missing && filled.number && *filled.number == 0) filled.text = zero->text;
    return filled;
  }

  Filled fill_call(const TemplateCall& call, const Scope& scope) {
    const std::string& f = call.function;
    std::vector<const TemplateArgument*> args = call.positional();
    Filled out;
    auto missing = [&]() -> Filled {
      out.missing = true;
      out.text = "…";
      out.number.reset();
      out.shown.reset();
      return out;
    };
    // Names of the scope.
    if (f == "unit.name") return {scope.unit.name, {}, {}, 0, {}, false};
    if (f == "unit.short") return {short_name(scope.unit.name), {}, {}, 0, {}, false};
    if (f == "unit.lower") return {name_in_text(scope.unit.name), {}, {}, 0, {}, false};
    if (f == "unit.upper") return {upper(scope.unit.name), {}, {}, 0, {}, false};
    if (f == "unit.short_upper") return {upper(short_name(scope.unit.name)), {}, {}, 0, {}, false};
    if (f.starts_with("period.")) {
      const Period pe = select(call, "pe", scope.pe, "report");
      const std::string label = request_.language == "en" ? pe.label_en() : pe.label_vi();
      if (f == "period.label") return {label, {}, {}, 0, {}, false};
      if (f == "period.title") return {capitalized(label), {}, {}, 0, {}, false};
      if (f == "period.upper") return {upper(label), {}, {}, 0, {}, false};
      if (f == "period.year") return {std::to_string(year_of(pe.last_month())), {}, {}, 0, {}, false};
    }

    const std::string& ou = scope.unit.code;
    // Figures of elements and indicators.
    if (f == "value" || f == "ratio" || f == "percent" || f == "change" || f == "change_percent") {
      const Period pe = select(call, "pe", scope.pe, "report");
      const double scale = option_number(call, "scale", 1);
      const int decimals = static_cast<int>(option_number(
          call, "decimals", f == "percent" || f == "change_percent" ? 1 : (scale != 1 ? 2 : data_.decimals(args[0]->text))));
      out.decimals = decimals;
      out.source = FigureSource{args[0]->text, ou, pe.code()};
      const std::optional<double> a = figure(*args[0], ou, pe);
      if (f == "value") {
        if (!a) return missing();
        out.number = *a;
        out.shown = round_decimal(*a / scale, decimals);
        out.text = format_number_vi(*a / scale, decimals);
        return out;
      }
      if (f == "ratio" || f == "percent") {
        const std::optional<double> b = figure(*args[1], ou, pe);
        out.source->dx += "," + args[1]->text;
        if (!a || !b) return missing();
        if (f == "ratio") {
          out.number = *b == 0 ? std::optional<double>() : std::optional<double>(*a / *b);
          const int da = call.option("decimals") ? decimals : (scale != 1 ? 2 : data_.decimals(args[0]->text));
          const int db = call.option("decimals") ? decimals : (scale != 1 ? 2 : data_.decimals(args[1]->text));
          out.text = format_number_vi(*a / scale, da) + "/" + format_number_vi(*b / scale, db);
          return out;
        }
        if (*b == 0) return missing();
        out.number = *a / *b * 100;
        out.shown = round_decimal(*out.number, decimals);
        out.text = format_number_vi(*out.number, decimals) + "%";
        return out;
      }
      // Changes against the period before, or the same period a year earlier.
      const TemplateArgument* against = call.option("against");
      const Period before = against != nullptr && against->text == "last_year_same" ? pe.same_period_last_year()
                                                                                     : pe.previous();
      const std::optional<double> b = figure(*args[0], ou, before);
      out.source->pe = before.code() + "," + pe.code();
      if (!a || !b) return missing();
      if (f == "change") {
        out.number = *a - *b;
        out.text = change_text((*a - *b) / scale, decimals, args.size() > 1 ? args[1]->text : "", false);
        return out;
      }
      if (*b == 0) return missing();
      out.number = (*a - *b) / *b * 100;
      out.text = change_text(*out.number, decimals, "", true);
      return out;
    }
    if (f == "top") {
      const Period pe = select(call, "pe", scope.pe, "report");
      const double scale = option_number(call, "scale", 1);
      const int decimals = static_cast<int>(option_number(call, "decimals", scale != 1 ? 2 : data_.decimals(args[0]->text)));
      const size_t n = static_cast<size_t>(args[1]->number);
      std::vector<ReportUnit> units = must(data_.children(ou, pe.dates().last), call.at);
      std::vector<std::pair<double, const ReportUnit*>> ranked;
      std::string codes;
      for (const ReportUnit& u : units) {
        codes += (codes.empty() ? "" : ",") + u.code;
        if (std::optional<double> v = figure(*args[0], u.code, pe); v && *v > 0) ranked.emplace_back(*v, &u);
      }
      std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
      if (ranked.size() > n) ranked.resize(n);
      out.source = FigureSource{args[0]->text, codes, pe.code()};
      if (ranked.empty()) return missing();
      const std::string unit = args.size() > 2 ? " " + args[2]->text : "";
      for (size_t i = 0; i < ranked.size(); ++i) {
        if (i > 0) out.text += i + 1 == ranked.size() ? " và " : ", ";
        out.text += short_name(ranked[i].second->name) + " (" + format_number_vi(ranked[i].first / scale, decimals) + unit + ")";
      }
      out.number = ranked.front().first;
      return out;
    }

    // Counts of evaluated units.
    std::vector<std::string> sets;
    if (f == "count_class" || f == "count_from_class" || f == "share_from_class" || f == "transitions") {
      sets = {args[0]->text};
    } else {
      for (const TemplateArgument* a : args) sets.push_back(a->text);
    }
    std::string joined;
    for (const std::string& s : sets) joined += (joined.empty() ? "" : ",") + s;
    const int decimals = static_cast<int>(option_number(call, "decimals", 1));
    out.decimals = decimals;
    if (f == "transitions") {
      const Period from = select(call, "from", scope.pe, "first_year");
      const Period to = select(call, "to", scope.pe, "last_year");
      out.source = FigureSource{joined, ou, from.code() + "," + to.code(), true};
      const EvaluationGroup* group = group_of(evaluation(call, sets, scope, {from, to}), sets.front());
      if (group == nullptr) return missing();
      size_t count = 0;
      for (const OutcomeTransition& tr : group->transitions) {
        if (tr.from == args[1]->text && tr.to == args[2]->text) count += tr.count;
      }
      out.number = static_cast<double>(count);
      out.shown = out.number;
      out.text = format_number_vi(*out.number, 0);
      return out;
    }
    const Period pe = select(call, "pe", scope.pe, "report");
    const bool change = f == "change_met";
    std::vector<Period> periods = change ? std::vector<Period>{pe.previous(), pe} : std::vector<Period>{pe};
    out.source = FigureSource{joined, ou, change ? pe.previous().code() + "," + pe.code() : pe.code(), true};
    const EvaluationGroup* group = nullptr;
    const EvaluationSummary* s = summary(call, sets, scope, periods, periods.size() - 1, &group);
    if (s == nullptr) return missing();
    const OutcomeCounts& c = s->counts;
    auto count = [&](double v) {
      out.number = v;
      out.shown = v;
      out.text = format_number_vi(v, 0);
      return out;
    };
    auto share = [&](std::optional<double> v) {
      if (!v) return missing();
      out.number = *v;
      out.shown = round_decimal(*v, decimals);
      out.text = format_number_vi(*v, decimals) + "%";
      return out;
    };
    if (f == "met") {
      if (c.assessed() == 0) return missing();
      out.number = static_cast<double>(c.met);
      out.text = format_number_vi(static_cast<double>(c.met), 0) + "/" + format_number_vi(static_cast<double>(c.assessed()), 0);
      return out;
    }
    if (f == "met_count") return count(static_cast<double>(c.met));
    if (f == "assessed") return count(static_cast<double>(c.assessed()));
    if (f == "share_met") return share(c.share_met());
    if (f == "change_met") {
      if (!s->change_met) return missing();
      out.number = *s->change_met;
      out.text = change_text(*s->change_met, decimals, "", true);
      return out;
    }
    const size_t k = class_index(*group, args[1]->text);
    if (k == SIZE_MAX) fail(args[1]->at, Status::invalid_input("set " + sets.front() + " has no class \"" + args[1]->text + "\""));
    if (f == "count_class") return count(static_cast<double>(k < c.classes.size() ? c.classes[k] : 0));
    if (f == "count_from_class") return count(static_cast<double>(c.count_from_class(k)));
    if (f == "share_from_class") return share(c.share_from_class(k));
    fail(call.at, Status::internal("no filler for function " + f));
  }

  // Appends the runs of `text`; false when a figure in it (outside optional groups) had no data.
  bool runs(const InlineText& text, const Scope& scope, std::vector<TextRun>& out) {
    bool complete = true;
    for (const InlinePart& part : text) {
      switch (part.kind) {
        case InlinePart::Kind::kText:
          if (!out.empty() && !out.back().figure) out.back().text += part.text;
          else out.push_back({part.text, false, false, std::nullopt});
          break;
        case InlinePart::Kind::kCall: {
          Filled filled = fill(part.call, scope);
          complete = complete && !filled.missing;
          if (filled.source) out.push_back({filled.text, false, false, filled.source});
          else if (!out.empty() && !out.back().figure) out.back().text += filled.text;
          else out.push_back({filled.text, false, false, std::nullopt});
          break;
        }
        case InlinePart::Kind::kOptional: {
          std::vector<TextRun> group;
          if (runs(part.parts, scope, group)) {
            for (TextRun& r : group) {
              if (!r.figure && !out.empty() && !out.back().figure) out.back().text += r.text;
              else out.push_back(std::move(r));
            }
          }
          break;
        }
      }
    }
    return complete;
  }

  std::string plain(const InlineText& text, const Scope& scope) {
    std::vector<TextRun> parts;
    runs(text, scope, parts);
    std::string out;
    for (const TextRun& r : parts) out += r.text;
    return out;
  }

  // The rows' scopes of a table or chart, with their labels.
  std::vector<std::pair<Scope, std::string>> rows(const TemplateBlock& b, const Scope& scope) {
    std::vector<std::pair<Scope, std::string>> out;
    if (b.by == RowsBy::kChildren) {
      for (ReportUnit& u : must(data_.children(scope.unit.code, scope.pe.dates().last), b.at)) {
        std::string label = short_name(u.name);
        out.push_back({Scope{std::move(u), scope.pe}, std::move(label)});
      }
      return out;
    }
    for (const Period& p : periods_by(b.by, scope.pe)) {
      out.push_back({Scope{scope.unit, p}, request_.language == "en" ? p.label_en() : capitalized(p.label_vi())});
    }
    return out;
  }

  TableCell cell(const InlineText& text, const Scope& scope) {
    TableCell c;
    if (text.size() == 1 && text.front().kind == InlinePart::Kind::kCall) {
      Filled filled = fill(text.front().call, scope);
      c.text = filled.missing ? "" : filled.text;
      c.number = filled.shown;
      c.decimals = filled.decimals;
      c.figure = filled.source;
      return c;
    }
    c.text = plain(text, scope);
    return c;
  }

  void blocks(const std::vector<TemplateBlock>& in, const Scope& scope, std::vector<ReportBlock>& out) {
    for (const TemplateBlock& b : in) {
      switch (b.kind) {
        case TemplateBlock::Kind::kHeading:
          out.push_back(Heading{b.level, plain(b.text, scope)});
          break;
        case TemplateBlock::Kind::kParagraph: {
          Paragraph p;
          runs(b.text, scope, p.runs);
          if (!p.runs.empty()) out.push_back(std::move(p));
          break;
        }
        case TemplateBlock::Kind::kIf: {
          Filled filled = fill(b.condition.call, scope);
          bool holds = false;
          if (filled.number) {
            const double v = *filled.number, n = b.condition.number;
            const std::string& op = b.condition.op;
            holds = op.empty() ? v != 0
                    : op == "<"  ? v < n
                    : op == "<=" ? v <= n
                    : op == "==" ? v == n
                    : op == "!=" ? v != n
                    : op == ">=" ? v >= n
                                 : v > n;
          }
          blocks(holds ? b.then_blocks : b.else_blocks, scope, out);
          break;
        }
        case TemplateBlock::Kind::kTable: {
          Table table;
          table.caption = b.caption;
          table.name = b.name.empty() ? b.caption : b.name;
          for (const InlineText& h : b.header) table.header.push_back(plain(h, scope));
          for (const auto& [row_scope, label] : rows(b, scope)) {
            std::vector<TableCell> row;
            for (const InlineText& c : b.cells) row.push_back(cell(c, row_scope));
            table.rows.push_back(std::move(row));
          }
          if (!b.total.empty()) {
            std::vector<TableCell> row;
            for (const InlineText& c : b.cells) row.push_back(cell(c, scope));
            if (!row.empty()) row.front() = TableCell{b.total, std::nullopt, 0, std::nullopt};
            table.rows.push_back(std::move(row));
          }
          out.push_back(std::move(table));
          break;
        }
        case TemplateBlock::Kind::kChart: {
          Chart chart;
          chart.kind = b.chart_kind;
          chart.caption = b.caption;
          chart.unit = b.unit;
          std::vector<std::pair<Scope, std::string>> points = rows(b, scope);
          for (const auto& [point, label] : points) chart.labels.push_back(label);
          for (const TemplateSeries& s : b.series) {
            ChartSeries series{s.name, {}};
            for (const auto& [point, label] : points) {
              Filled filled = fill(s.call, point);
              series.values.push_back(filled.missing ? std::nullopt : (filled.shown ? filled.shown : filled.number));
            }
            chart.series.push_back(std::move(series));
          }
          out.push_back(std::move(chart));
          break;
        }
      }
    }
  }

  const CompiledTemplate& t_;
  const ReportRequest& request_;
  ReportData& data_;
  std::map<std::string, EvaluationReport> evaluations_;
};

std::string period_type_list(const std::vector<PeriodType>& types) {
  std::string out;
  for (PeriodType t : types) out += (out.empty() ? "" : ", ") + std::string(period_type_name(t));
  return out;
}

}  // namespace

Result<ReportDocument> build_report(const ReportTemplateProgram& program, const ReportRequest& request,
                                    ReportData& data) {
  const std::vector<PeriodType>& types = program.period_types();
  if (std::find(types.begin(), types.end(), request.pe.type()) == types.end()) {
    return Status::invalid_input("pe: report " + program.code() + " is written for periods of type " +
                                 period_type_list(types) + "; " + request.pe.code() + " is a " +
                                 std::string(period_type_name(request.pe.type())));
  }
  Result<ReportUnit> unit = data.unit(request.ou, request.pe.dates().last);
  if (!unit) return unit.status();
  try {
    return Builder(program.compiled(), request, data).build(*unit);
  } catch (const BuildError& e) {
    return e.status;
  }
}

}  // namespace qpan
