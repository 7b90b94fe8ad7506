// Reading pack definitions: the JSON sections of packs/README.md turned into the typed Pack,
// with every problem named by file (or stored definition) and JSON path. The only reader of
// definition JSON: `qpan pack check|load` (pack folders), `qpan elements import`
// (disaggregations and elements only) and read_loaded_pack() (the definitions a database
// keeps, against its stored catalogue) all go through it.
#pragma once

#include <boost/json.hpp>

#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "qpan/expression.h"
#include "qpan/pack.h"

namespace qpan::pack_reader {

class Fields;  // the JSON field reader (pack_reader.cc)

// The sections a pack file may hold besides "pack" (pack.json's own), in reading order.
extern const std::set<std::string> kSections;
// The sections that hold definitions the store keeps as JSON text (all but the catalogue's).
extern const std::vector<std::string> kDefinitionKinds;

class PackReader {
 public:
  explicit PackReader(ImportProblems& problems) : problems_(problems) {}

  // Starts from a catalogue already known (a database's): the definitions read next may refer
  // to its elements and options, and take() gives it, with its store ids, as the pack's
  // catalogue. Call before reading anything.
  void start_from(const Catalogue& catalogue);

  // A text file of the pack folder that definitions refer to (a report template), by its
  // path inside the folder. Call before reading the definitions.
  void attach(std::string path, std::string text) { attachments_.emplace(std::move(path), std::move(text)); }

  // Parses one file. `label` names it in messages (its path inside the pack); only the
  // sections in `allowed` may appear.
  void read_file(const std::string& label, std::string_view text, const std::set<std::string>& allowed);

  // Reads one definition as the store keeps it (Store::pack_definitions()). Problems name it
  // `stored <kind> "<code>"`, with JSON paths from the definition itself ("$.left").
  void read_stored_definition(const PackDefinition& definition);

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
  // The JSON of one file or stored definition; nullopt (with a problem) when it is not JSON.
  std::optional<boost::json::value> parse(const std::string& label, std::string_view text);
  void read_info(const std::string& file, const boost::json::value& value);
  void read_section(const std::string& file, const std::string& name, const boost::json::value& value);
  // One item of section `kind` at `path`.
  void read_item(const std::string& file, const std::string& kind, const std::string& path,
                 const boost::json::value& v);
  void read_disaggregation(const std::string& file, const std::string& path, const boost::json::value& v);
  void read_element(const std::string& file, const std::string& path, const boost::json::value& v);
  // One definition of `kind`: the fields every definition has (code, names, description)
  // and `keys`, read by `read_rest`; kept in `list` (and as JSON text for the store) when its
  // code could be claimed.
  template <typename Definition>
  void read_definition(const std::string& kind, std::vector<Definition>& list, const std::string& file,
                       const std::string& path, const boost::json::value& v,
                       std::initializer_list<std::string_view> keys,
                       void (PackReader::*read_rest)(Fields&, Definition&));
  void read_data_set(Fields& f, DataSet& d);
  void read_indicator(Fields& f, Indicator& ind);
  void read_rule(Fields& f, ValidationRule& r);
  void read_evaluation_set(Fields& f, EvaluationSetDefinition& set);
  // One version of `set`, appended when its validity could be read.
  void read_evaluation_version(const std::string& file, const std::string& path, const boost::json::value& v,
                               EvaluationSetDefinition& set);
  void read_registry(Fields& f, RegistryDefinition& registry);
  // An element's `source` at `path`; appended to the pack (true) when it could be read. Its
  // references are checked by check_sources() once everything is read.
  bool read_source(const std::string& file, const std::string& path, const boost::json::value& v,
                   const std::string& element);
  // Each source compiled against the pack (qpan/registry.h RecordCounter::compile).
  void check_sources(const Catalogue& catalogue);
  void read_report_template(Fields& f, ReportTemplate& report);
  void read_area(Fields& f, SubjectArea& area);
  // Records `code` for `section`; false (with a problem) when it is malformed or repeated.
  bool claim_code(const std::string& section, const std::string& code, const std::string& file,
                  const std::string& path);
  // Queues an expression for check_references(); returns its index in expressions_.
  size_t expect_expression(std::string text, const std::string& file, std::string path,
                           std::optional<ExpressionType> type);

  ImportProblems& problems_;
  std::map<std::string, std::string> attachments_;  // path → text (attach())
  bool has_info_ = false;
  bool reading_stored_ = false;  // in read_stored_definition()
  // What is read so far: the definitions in place, the catalogue (built once at take()) in
  // the two lists below.
  Pack pack_;
  std::vector<Disaggregation> disaggregations_;
  std::vector<DataElement> elements_;
  std::vector<PendingExpression> expressions_;
  std::vector<PendingRule> rule_sides_;
  // Plain element codes listed by data sets, and disaggregation codes named by elements.
  std::vector<std::pair<std::string, Where>> element_refs_;
  std::vector<std::pair<std::string, Where>> disaggregation_refs_;
  std::vector<std::pair<std::string, Where>> area_refs_;
  // Where each of pack_.sources was read (same order).
  std::vector<std::pair<std::string, Where>> sources_;
  // Codes seen per section, for duplicates across files.
  std::map<std::string, std::map<std::string, Where>> codes_;
};

// True for codes like "crime.ttxh.cases": [a-z0-9_]+ joined by dots.
bool is_valid_code(std::string_view code);

// The `#{…}` references of an expression, in order.
std::vector<std::string> expression_references(std::string_view expression);

}  // namespace qpan::pack_reader
