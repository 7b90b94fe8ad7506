// Evaluation reports as text for people (Vietnamese), CSV and JSON (see qpan/evaluation.h).
#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "qpan/text_table.h"
#include "qpan/evaluation.h"
#include "qpan/number_format.h"

namespace qpan {
namespace {

namespace json = boost::json;
using report_text::append_csv_field;
using report_text::change_vi;
using report_text::percent_vi;
using report_text::rounded;
using report_text::TextTable;

struct OutcomeNames {
  std::string vi, en;
};

OutcomeNames outcome_names(const EvaluationSet& set, const UnitEvaluation& r) {
  switch (r.outcome) {
    case UnitOutcome::kNotApplicable: return {"Không thuộc diện đánh giá", "Not applicable"};
    case UnitOutcome::kNoData: return {"Không có số liệu", "No data"};
    case UnitOutcome::kMet: return {"Đạt", "Met"};
    case UnitOutcome::kNotMet: return {"Không đạt", "Not met"};
    case UnitOutcome::kUnclassified: return {"Không xếp loại", "Unclassified"};
    case UnitOutcome::kClassified: {
      const EvaluationClass& c = set.versions[r.version].classes[r.class_index];
      return {c.name_vi, c.name_en};
    }
  }
  return {};
}

// The Vietnamese name of an outcome code within a group (for transitions).
std::string outcome_name_vi(const EvaluationGroup& group, const std::string& code) {
  for (const ClassInfo& c : group.classes) {
    if (c.code == code) return c.name_vi;
  }
  if (code == "met") return "Đạt";
  if (code == "not_met") return "Không đạt";
  if (code == "no_data") return "Không có số liệu";
  if (code == "not_applicable") return "Không thuộc diện đánh giá";
  if (code == "unclassified") return "Không xếp loại";
  return code;
}

std::string count_vi(size_t n) { return format_number_vi(static_cast<double>(n), 0); }

std::string group_code(const EvaluationReport& report, const EvaluationGroup& group) {
  std::string code;
  for (size_t s : group.sets) code += (code.empty() ? "" : "+") + report.sets[s].code;
  return code;
}

bool shown(const EvaluatedUnit& u, UnitRows rows) {
  if (rows == UnitRows::kAll) return true;
  if (rows == UnitRows::kNone) return false;
  return u.result.outcome == UnitOutcome::kNotMet || u.result.outcome == UnitOutcome::kNoData ||
         u.result.outcome == UnitOutcome::kUnclassified;
}

// The criteria a unit failed (and, apart, those without data), by code and Vietnamese name.
std::string criteria_vi(const EvaluationReport& report, const EvaluatedUnit& u) {
  const EvaluationSetVersion& v = report.sets[u.set].versions[u.result.version];
  std::string out;
  for (size_t i : u.result.failing) {
    out += (out.empty() ? "" : "; ") + v.criteria[i].code + " " + v.criteria[i].name_vi;
  }
  std::string missing;
  for (size_t i : u.result.without_data) {
    missing += (missing.empty() ? "" : "; ") + v.criteria[i].code + " " + v.criteria[i].name_vi;
  }
  if (!missing.empty()) out += (out.empty() ? "" : "; ") + std::string("thiếu số liệu: ") + missing;
  return out;
}

// Which regulation each set of a group applied, per period when it changed.
std::string regulations_vi(const EvaluationReport& report, const EvaluationGroup& group) {
  std::string out;
  for (size_t s : group.sets) {
    const EvaluationSet& set = report.sets[s];
    std::vector<size_t> used;
    for (const Period& p : report.periods) used.push_back(set.version_for(p).value_or(0));
    std::string line = group.sets.size() > 1 ? set.name_vi + ": " : "";
    if (std::all_of(used.begin(), used.end(), [&](size_t v) { return v == used.front(); })) {
      line += set.versions[used.front()].regulation;
    } else {
      for (size_t p = 0; p < used.size(); ++p) {
        line += (p == 0 ? "" : "; ") + report.periods[p].label_vi() + ": " + set.versions[used[p]].regulation;
      }
    }
    out += "Văn bản áp dụng: " + line + "\n";
  }
  return out;
}

std::string share_cell(size_t count, std::optional<double> share, std::optional<double> change,
                       bool several_periods, int decimals) {
  std::string cell = count_vi(count);
  if (!share) return cell;
  cell += " (" + percent_vi(*share, decimals);
  if (several_periods && change) cell += "; " + change_vi(*change, decimals);
  return cell + ")";
}

std::string summary_table(const EvaluationReport& report, const EvaluationGroup& group, int decimals) {
  const bool several = report.periods.size() > 1;
  bool any_unclassified = false, any_met = false;
  for (const EvaluationSummary& s : group.summaries) {
    any_unclassified |= s.counts.unclassified > 0;
    any_met |= s.counts.met + s.counts.not_met > 0;
  }
  std::vector<std::string> headers{"Đơn vị", "Kỳ"};
  if (group.all_criteria) {
    headers.insert(headers.end(), {"Đạt", "Tỷ lệ đạt"});
    if (several) headers.push_back("Thay đổi (điểm %)");
    headers.push_back("Không đạt");
  } else {
    headers.push_back("Được xếp loại");
    for (const ClassInfo& c : group.classes) headers.push_back(c.name_vi);
    for (size_t k = 1; k + 1 < group.classes.size(); ++k) headers.push_back(group.classes[k].name_vi + " trở lên");
    if (any_met) headers.insert(headers.end(), {"Đạt", "Không đạt"});
    if (any_unclassified) headers.push_back("Không xếp loại");
  }
  headers.insert(headers.end(), {"Không có số liệu", "Không thuộc diện"});
  std::vector<bool> right(headers.size(), true);
  right[0] = right[1] = false;
  TextTable table(headers, right);
  for (const EvaluationSummary& s : group.summaries) {
    const OutcomeCounts& c = s.counts;
    std::vector<std::string> row{s.unit == report.unit ? s.name : "  " + s.name,
                                 report.periods[s.period].label_vi()};
    if (group.all_criteria) {
      row.push_back(count_vi(c.met) + "/" + count_vi(c.assessed()));
      row.push_back(c.share_met() ? percent_vi(*c.share_met(), decimals) : "");
      if (several) row.push_back(s.change_met ? change_vi(*s.change_met, decimals) : "");
      row.push_back(count_vi(c.not_met));
    } else {
      row.push_back(count_vi(c.assessed()));
      for (size_t k = 0; k < group.classes.size(); ++k) {
        row.push_back(share_cell(c.classes[k], c.share_of_class(k), s.change_of_class[k], several, decimals));
      }
      for (size_t k = 1; k + 1 < group.classes.size(); ++k) {
        std::string cell = count_vi(c.count_from_class(k)) + "/" + count_vi(c.assessed());
        if (std::optional<double> share = c.share_from_class(k)) {
          cell += " (" + percent_vi(*share, decimals);
          if (several && s.change_from_class[k]) cell += "; " + change_vi(*s.change_from_class[k], decimals);
          cell += ")";
        }
        row.push_back(cell);
      }
      if (any_met) row.insert(row.end(), {count_vi(c.met), count_vi(c.not_met)});
      if (any_unclassified) row.push_back(count_vi(c.unclassified));
    }
    row.insert(row.end(), {count_vi(c.no_data), count_vi(c.not_applicable)});
    table.add_row(std::move(row));
  }
  return table.render();
}

std::string format_table(const EvaluationReport& report, const EvaluationFormatOptions& options) {
  std::string out;
  std::string periods;
  for (const Period& p : report.periods) periods += (periods.empty() ? "" : ", ") + p.label_vi();
  for (const EvaluationGroup& group : report.groups) {
    std::string names;
    for (size_t s : group.sets) names += (names.empty() ? "" : " + ") + report.sets[s].name_vi;
    if (!out.empty()) out += "\n";
    out += "Đánh giá: " + names + "\n";
    out += "Đơn vị: " + report.unit_name + " — kỳ: " + periods + "\n";
    out += regulations_vi(report, group);
    out += "\n" + summary_table(report, group, options.decimals);
    if (report.periods.size() > 1) {
      const std::string first = report.periods.front().label_vi(), last = report.periods.back().label_vi();
      out += "\nChuyển đổi từ " + first + " đến " + last + " (đơn vị được đánh giá ở cả hai kỳ):\n";
      TextTable moves({first, last, "Số đơn vị"}, {false, false, true});
      for (const OutcomeTransition& t : group.transitions) {
        moves.add_row({outcome_name_vi(group, t.from), outcome_name_vi(group, t.to), count_vi(t.count)});
      }
      out += moves.empty() ? "(không có đơn vị nào được đánh giá ở cả hai kỳ)\n" : moves.render();
    }
  }
  if (options.unit_rows != UnitRows::kNone) {
    std::vector<std::string> headers{"Đơn vị", "Mã", "Thuộc", "Kỳ"};
    if (report.sets.size() > 1) headers.push_back("Bộ tiêu chí");
    headers.insert(headers.end(), {"Kết quả", "Tiêu chí không đạt / thiếu số liệu"});
    TextTable table(headers);
    std::map<std::string, std::string> names;  // units directly under the report's unit
    for (const EvaluationGroup& g : report.groups) {
      for (const EvaluationSummary& s : g.summaries) names[s.unit] = s.name;
    }
    for (const EvaluatedUnit& u : report.units) {
      if (!shown(u, options.unit_rows)) continue;
      std::vector<std::string> row{u.name, u.code, u.under.empty() || u.under == u.code ? "" : names[u.under],
                                   report.periods[u.period].label_vi()};
      if (report.sets.size() > 1) row.push_back(report.sets[u.set].code);
      row.push_back(outcome_names(report.sets[u.set], u.result).vi);
      row.push_back(criteria_vi(report, u));
      table.add_row(std::move(row));
    }
    out += options.unit_rows == UnitRows::kAll ? "\nKết quả từng đơn vị:\n"
                                               : "\nĐơn vị không đạt, không xếp loại hoặc thiếu số liệu:\n";
    out += table.empty() ? "(không có)\n" : table.render();
  }
  return out;
}

// ---- CSV ----------------------------------------------------------------------------------

void csv_row(std::string& out, std::string_view record, std::string_view set, std::string_view ou,
             std::string_view pe, std::string_view item, std::string_view value) {
  const std::string_view fields[] = {record, set, ou, pe, item, value};
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (i > 0) out += ',';
    append_csv_field(out, fields[i]);
  }
  out += '\n';
}

std::string machine(double value, int decimals) { return format_number_machine(rounded(value, decimals)); }
std::string machine(size_t n) { return std::to_string(n); }

std::string format_csv(const EvaluationReport& report, const EvaluationFormatOptions& options) {
  const int d = options.decimals;
  std::string out = "record,set,ou,pe,item,value\n";
  for (const EvaluationGroup& group : report.groups) {
    const std::string set = group_code(report, group);
    for (const EvaluationSummary& s : group.summaries) {
      const OutcomeCounts& c = s.counts;
      const std::string pe = report.periods[s.period].code();
      auto row = [&](std::string_view item, const std::string& value) {
        csv_row(out, "summary", set, s.unit, pe, item, value);
      };
      row("units", machine(c.units));
      row("not_applicable", machine(c.not_applicable));
      row("no_data", machine(c.no_data));
      row("assessed", machine(c.assessed()));
      row("met", machine(c.met));
      row("not_met", machine(c.not_met));
      if (c.share_met()) row("share.met", machine(*c.share_met(), d));
      if (s.change_met) row("change.met", machine(*s.change_met, d));
      if (!group.all_criteria) row("unclassified", machine(c.unclassified));
      for (size_t k = 0; k < group.classes.size(); ++k) {
        const std::string& code = group.classes[k].code;
        row("class." + code, machine(c.classes[k]));
        if (c.share_of_class(k)) row("share." + code, machine(*c.share_of_class(k), d));
        if (s.change_of_class[k]) row("change." + code, machine(*s.change_of_class[k], d));
        row("count_from." + code, machine(c.count_from_class(k)));
        if (c.share_from_class(k)) row("share_from." + code, machine(*c.share_from_class(k), d));
        if (s.change_from_class[k]) row("change_from." + code, machine(*s.change_from_class[k], d));
      }
    }
    if (report.periods.size() > 1) {
      const std::string pe = report.periods.front().code() + ">" + report.periods.back().code();
      for (const OutcomeTransition& t : group.transitions) {
        csv_row(out, "transition", set, report.unit, pe, t.from + ">" + t.to, machine(t.count));
      }
    }
  }
  for (const EvaluatedUnit& u : report.units) {
    if (!shown(u, options.unit_rows)) continue;
    const EvaluationSet& set = report.sets[u.set];
    const EvaluationSetVersion& v = set.versions[u.result.version];
    std::string criteria;
    for (size_t i : u.result.failing) criteria += (criteria.empty() ? "" : " ") + v.criteria[i].code;
    if (u.result.outcome == UnitOutcome::kNoData) {
      for (size_t i : u.result.without_data) criteria += (criteria.empty() ? "" : " ") + v.criteria[i].code;
    }
    csv_row(out, "unit", set.code, u.code, report.periods[u.period].code(), outcome_code(set, u.result), criteria);
  }
  return out;
}

// ---- JSON ---------------------------------------------------------------------------------

json::value optional_number(std::optional<double> value, int decimals) {
  if (!value) return nullptr;
  return rounded(*value, decimals);
}

json::array criteria_json(const EvaluationSetVersion& v, const std::vector<size_t>& indices) {
  json::array out;
  for (size_t i : indices) {
    out.push_back(json::object{{"code", v.criteria[i].code},
                               {"name_vi", v.criteria[i].name_vi},
                               {"name_en", v.criteria[i].name_en}});
  }
  return out;
}

std::string format_json(const EvaluationReport& report, const EvaluationFormatOptions& options) {
  const int d = options.decimals;
  json::object root;
  root["ou"] = json::object{{"code", report.unit}, {"name", report.unit_name}};
  json::array periods;
  for (const Period& p : report.periods) {
    periods.push_back(json::object{{"code", p.code()}, {"name_vi", p.label_vi()}, {"name_en", p.label_en()}});
  }
  root["periods"] = std::move(periods);
  json::array sets;
  for (const EvaluationSet& set : report.sets) {
    json::array levels, versions;
    for (OrgUnitLevel l : set.levels) levels.emplace_back(level_name(l));
    for (const Period& p : report.periods) {
      const EvaluationSetVersion& v = set.versions[set.version_for(p).value_or(0)];
      versions.push_back(json::object{{"pe", p.code()},
                                      {"regulation", v.regulation},
                                      {"valid_from", format_date(v.valid_from)},
                                      {"valid_until", v.valid_until ? json::value(format_date(*v.valid_until))
                                                                    : json::value(nullptr)}});
    }
    sets.push_back(json::object{{"code", set.code},
                                {"name_vi", set.name_vi},
                                {"name_en", set.name_en},
                                {"kind", set.all_criteria() ? "all_criteria" : "classes"},
                                {"levels", std::move(levels)},
                                {"versions", std::move(versions)}});
  }
  root["sets"] = std::move(sets);

  json::array groups;
  for (const EvaluationGroup& group : report.groups) {
    json::array set_codes, classes, summaries, transitions;
    for (size_t s : group.sets) set_codes.emplace_back(report.sets[s].code);
    for (const ClassInfo& c : group.classes) {
      classes.push_back(json::object{{"code", c.code}, {"name_vi", c.name_vi}, {"name_en", c.name_en}});
    }
    for (const EvaluationSummary& s : group.summaries) {
      const OutcomeCounts& c = s.counts;
      json::object summary{{"ou", s.unit},
                           {"name", s.name},
                           {"pe", report.periods[s.period].code()},
                           {"units", c.units},
                           {"not_applicable", c.not_applicable},
                           {"no_data", c.no_data},
                           {"assessed", c.assessed()},
                           {"met", c.met},
                           {"not_met", c.not_met},
                           {"unclassified", c.unclassified},
                           {"share_met", optional_number(c.share_met(), d)},
                           {"change_met", optional_number(s.change_met, d)}};
      json::array class_counts;
      for (size_t k = 0; k < group.classes.size(); ++k) {
        class_counts.push_back(json::object{{"code", group.classes[k].code},
                                            {"count", c.classes[k]},
                                            {"share", optional_number(c.share_of_class(k), d)},
                                            {"change", optional_number(s.change_of_class[k], d)},
                                            {"count_from", c.count_from_class(k)},
                                            {"share_from", optional_number(c.share_from_class(k), d)},
                                            {"change_from", optional_number(s.change_from_class[k], d)}});
      }
      summary["classes"] = std::move(class_counts);
      summaries.push_back(std::move(summary));
    }
    for (const OutcomeTransition& t : group.transitions) {
      transitions.push_back(json::object{{"from", t.from}, {"to", t.to}, {"count", t.count}});
    }
    json::object g{{"sets", std::move(set_codes)},
                   {"kind", group.all_criteria ? "all_criteria" : "classes"},
                   {"classes", std::move(classes)},
                   {"summaries", std::move(summaries)}};
    if (report.periods.size() > 1) {
      g["transitions"] = json::object{{"from_pe", report.periods.front().code()},
                                      {"to_pe", report.periods.back().code()},
                                      {"rows", std::move(transitions)}};
    }
    groups.push_back(std::move(g));
  }
  root["groups"] = std::move(groups);

  json::array units;
  for (const EvaluatedUnit& u : report.units) {
    if (!shown(u, options.unit_rows)) continue;
    const EvaluationSet& set = report.sets[u.set];
    const EvaluationSetVersion& v = set.versions[u.result.version];
    const OutcomeNames names = outcome_names(set, u.result);
    units.push_back(json::object{{"set", set.code},
                                 {"ou", u.code},
                                 {"name", u.name},
                                 {"level", level_name(u.level)},
                                 {"under", u.under},
                                 {"pe", report.periods[u.period].code()},
                                 {"outcome", outcome_code(set, u.result)},
                                 {"outcome_vi", names.vi},
                                 {"outcome_en", names.en},
                                 {"regulation", v.regulation},
                                 {"failing", criteria_json(v, u.result.failing)},
                                 {"without_data", criteria_json(v, u.result.without_data)}});
  }
  root["units"] = std::move(units);
  return json::serialize(root) + "\n";
}

}  // namespace

std::string format_evaluation(const EvaluationReport& report, EvaluationFormat format,
                              const EvaluationFormatOptions& options) {
  switch (format) {
    case EvaluationFormat::kTable: return format_table(report, options);
    case EvaluationFormat::kCsv: return format_csv(report, options);
    case EvaluationFormat::kJson: return format_json(report, options);
  }
  return {};
}

}  // namespace qpan
