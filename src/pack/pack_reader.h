// Reading pack files: the JSON sections of packs/README.md turned into the Pack model, with
// every problem named by file and JSON path. Shared by `qpan pack check|load` (all
// sections) and `qpan elements import` (disaggregations and elements only).
#pragma once

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "qpan/expression.h"
#include "qpan/pack.h"

namespace qpan::pack_reader {

class PackReader {
 public:
  explicit PackReader(ImportProblems& problems) : problems_(problems) {}

  // Parses one file. `label` names it in messages (its path inside the pack); only the
  // sections in `allowed` may appear.
  void read_file(const std::string& label, std::string_view text, const std::set<std::string>& allowed);

  // Checks what spans files: references from data sets, indicators, rules and evaluation
  // sets to elements and options (Catalogue::resolve), element codes that would hide an
  // option in references, and that every expression compiles against the pack's catalogue
  // with the type its use needs (indicators and rule sides numbers, criteria, class
  // conditions and applies_when booleans).
  void check_references();

  bool has_info() const { return has_info_; }
  Pack take();

 private:
  struct Where {
    std::string file;
    std::string path;
  };
  // An expression to check once every element is known. `type` is what its use needs;
  // nullopt for a validation rule's side, whose type must match the other side's.
  struct PendingExpression {
    std::string text;
    Where where;
    std::optional<ExpressionType> type;
  };
  // The two sides of a validation rule, checked together (same type; ordering needs numbers).
  struct PendingRule {
    size_t left = 0, right = 0;  // indices into expressions_
    std::string op;
    Where where;
  };

  void problem(const std::string& file, std::string path, std::string reason);
  void read_info(const std::string& file, const boost::json::value& value);
  void read_section(const std::string& file, const std::string& name, const boost::json::value& value);
  void read_disaggregation(const std::string& file, const std::string& path, const boost::json::value& v);
  void read_element(const std::string& file, const std::string& path, const boost::json::value& v);
  void read_data_set(const std::string& file, const std::string& path, const boost::json::value& v);
  void read_indicator(const std::string& file, const std::string& path, const boost::json::value& v);
  void read_rule(const std::string& file, const std::string& path, const boost::json::value& v);
  void read_evaluation_set(const std::string& file, const std::string& path, const boost::json::value& v);
  void read_registry(const std::string& file, const std::string& path, const boost::json::value& v);
  void read_report_template(const std::string& file, const std::string& path, const boost::json::value& v);
  // Records `code` for `section`; false (with a problem) when it is malformed or repeated.
  bool claim_code(const std::string& section, const std::string& code, const std::string& file,
                  const std::string& path);

  ImportProblems& problems_;
  bool has_info_ = false;
  PackInfo info_;
  std::vector<Disaggregation> disaggregations_;
  std::vector<DataElement> elements_;
  std::vector<DataSet> data_sets_;
  std::vector<Indicator> indicators_;
  std::vector<ValidationRule> rules_;
  std::vector<PackDefinition> definitions_;
  std::vector<PendingExpression> expressions_;
  std::vector<PendingRule> rule_sides_;
  std::vector<std::pair<std::string, Where>> element_refs_;
  // Codes seen per section, for duplicates across files.
  std::map<std::string, std::map<std::string, Where>> codes_;

};

// True for codes like "crime.ttxh.cases": [a-z0-9_]+ joined by dots.
bool is_valid_code(std::string_view code);

// The `#{…}` references of an expression, in order.
std::vector<std::string> expression_references(std::string_view expression);

}  // namespace qpan::pack_reader
