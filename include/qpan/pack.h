// Packs (bộ chỉ tiêu): the domain catalogue as a folder of versioned JSON files —
// disaggregations, data elements, data sets, indicators, validation rules, evaluation rule
// sets, registry record types, report templates (format: packs/README.md). Reading a pack
// checks it completely, naming file, JSON path and reason for every problem, and gives the
// typed Pack; loading it into a database happens in one transaction and keeps all data. The
// pack reader is the only reader of definition JSON: a database's pack is read back through
// the same checks (read_loaded_pack), so what the checker refuses is never used.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/date.h"
#include "qpan/import_problem.h"
#include "qpan/org_unit.h"
#include "qpan/period.h"
#include "qpan/status.h"

namespace qpan {

class Store;

// What every definition has: a code (unique within its kind, a public interface: never
// renamed), names in Vietnamese and English, and an optional description for people.
struct DefinitionNames {
  std::string code, name_vi, name_en;
  std::string description;
};

struct PackInfo : DefinitionNames {
  std::string version;  // MAJOR.MINOR.PATCH
};

struct DataSet : DefinitionNames {
  PeriodType period_type = PeriodType::kMonth;
  Calendar calendar = Calendar::kGregorian;
  OrgUnitLevel level = OrgUnitLevel::kCommune;
  int deadline_days = 0;
  std::vector<OrgUnitLevel> approval;
  std::vector<std::string> elements;
};

// Expressions are kept as text here: each use compiles them against the catalogue whose ids
// its context answers by (an engine's), see compile_validation_rules() and
// compile_evaluation_sets(). The pack reader has compiled each against the pack's catalogue.
struct Indicator : DefinitionNames {
  std::string expression;  // a number
  int decimals = 1;
  std::string unit;
};

struct ValidationRule : DefinitionNames {
  std::string left, op, right;  // op: <, <=, ==, !=, >=, >
  std::string importance;       // high, medium, low
};

enum class EvaluationOutcomeKind : uint8_t {
  kAllCriteria,  // met when every criterion holds
  kClasses,      // the first class (best first) whose condition holds
};

// "all_criteria" / "classes", as in pack files.
std::string_view outcome_kind_name(EvaluationOutcomeKind kind);

struct EvaluationCriterionDefinition : DefinitionNames {
  std::string expression;  // a boolean
};

struct EvaluationClassDefinition : DefinitionNames {
  std::string condition;  // a boolean
};

struct EvaluationVersionDefinition {
  Date valid_from;
  std::optional<Date> valid_until;  // first day no longer in force; empty: still in force
  std::string regulation;
  std::string applies_when;  // a boolean; empty: every unit at the set's levels
  std::vector<EvaluationCriterionDefinition> criteria;
  EvaluationOutcomeKind outcome = EvaluationOutcomeKind::kAllCriteria;
  std::vector<EvaluationClassDefinition> classes;  // kClasses: best first
};

struct EvaluationSetDefinition : DefinitionNames {
  std::vector<OrgUnitLevel> levels;
  PeriodType period_type = PeriodType::kYear;
  std::vector<EvaluationVersionDefinition> versions;  // as declared; they do not overlap
};

enum class RegistryFieldType : uint8_t { kText, kDate, kInteger, kNumber, kBoolean, kCode, kUnit };

// "text", "date", "integer", "number", "boolean", "code", "unit", as in pack files.
std::string_view registry_field_type_name(RegistryFieldType type);
Result<RegistryFieldType> parse_registry_field_type(std::string_view text);

struct RegistryField : DefinitionNames {
  RegistryFieldType type = RegistryFieldType::kText;
  bool required = false;
  std::string options;  // kCode: the disaggregation whose option codes the field takes
};

// The dates between which a record is in force (a team from its establishment until its
// dissolution): `to` empty on a record means still in force.
struct RegistryLifecycle {
  std::string from;  // a required date field
  std::string to;    // an optional date field
};

// A registry's record type (sổ theo dõi): the fields each record of it has. A record also
// has its owner unit, outside the fields.
struct RegistryDefinition : DefinitionNames {
  std::vector<RegistryField> fields;
  std::optional<RegistryLifecycle> lifecycle;

  const RegistryField* field(std::string_view code) const;
};

enum class SourceMeasure : uint8_t { kCount, kSum };

// How an element's figures are counted from a registry's records instead of being reported
// (the element's "source" in pack files): the records of each unit are counted (or a field
// summed) in each period of the element's data set, by the data set's calendar — those
// whose `date_field` falls in the period, or, without a date field, those in force on the
// period's last day.
struct ElementSource {
  std::string element;
  std::string registry;
  SourceMeasure measure = SourceMeasure::kCount;
  std::string sum_field;   // kSum: an integer or number field
  std::string date_field;  // empty: in force (the registry's lifecycle)
  std::string by;          // a code field giving the option of the element's disaggregation
  std::string where;       // a record filter (qpan/registry.h); empty: every record

  bool in_force() const { return date_field.empty(); }
};

// A review report's template (qpan/report.h): `file`, the template's path inside the pack
// folder, which messages name; `text`, its content, kept with the definition in the store.
struct ReportTemplate : DefinitionNames {
  std::string file;
  std::string text;
};

// A subject area that elements belong to (DataElement::area): the sections of a form, the
// headings of a catalogue ("crime" → "Tội phạm" / "Crime").
struct SubjectArea : DefinitionNames {};

// A definition as its JSON text, the way the store keeps every pack definition (and the
// only form it keeps them in: read them back typed with read_loaded_pack()).
struct PackDefinition {
  std::string kind;  // "data_sets", "indicators", "validation_rules", "evaluation_sets", …
  std::string code;
  std::string json;
};

// A pack, checked and typed. Every list is in the order read: file order for a folder, code
// order for read_loaded_pack().
struct Pack {
  PackInfo info;
  Catalogue catalogue;  // disaggregations and elements
  std::vector<DataSet> data_sets;
  std::vector<Indicator> indicators;
  std::vector<ValidationRule> validation_rules;
  std::vector<EvaluationSetDefinition> evaluation_sets;
  std::vector<RegistryDefinition> registries;
  std::vector<ElementSource> sources;  // elements counted from registries, by element
  std::vector<ReportTemplate> report_templates;
  std::vector<SubjectArea> areas;
  // Every definition above except the catalogue's, as JSON text: what Store::save_pack()
  // keeps. Code reads the typed lists instead.
  std::vector<PackDefinition> definitions;
};

// The area of that code, or nullptr.
const SubjectArea* find_area(const Pack& pack, std::string_view code);
// The registry of that code, or nullptr.
const RegistryDefinition* find_registry(const Pack& pack, std::string_view code);
// How that element is counted from records, or nullptr (a reported element).
const ElementSource* find_source(const Pack& pack, std::string_view element);
// The data set a counted element's periods come from: the first data set listing it
// (the pack check makes every data set listing it agree on period type and calendar), or
// nullptr.
const DataSet* counting_data_set(const Pack& pack, std::string_view element);

struct PackReadResult {
  std::optional<Pack> pack;  // set when there are no problems
  ImportProblems problems;
};

// Reads and checks a pack folder (no database needed).
Result<PackReadResult> read_pack(const std::string& dir);

struct PackLoadSummary {
  std::string previous_version;  // empty when the pack was not loaded before
  size_t elements_added = 0, elements_updated = 0, elements_unchanged = 0, elements_removed = 0;
  size_t definitions = 0;
};

struct PackLoadResult {
  PackLoadSummary summary;
  ImportProblems problems;  // non-empty: nothing was written
};

struct ElementImportResult {
  size_t elements = 0;
  size_t disaggregations = 0;
  ImportProblems problems;  // non-empty: nothing was written
};

// Imports the "disaggregations" and "elements" sections of one JSON file (the pack format)
// — for catalogues kept outside a pack.
Result<ElementImportResult> import_elements(Store& store, const std::string& path);

// The pack as loaded in a database, typed: the stored catalogue (the loaded packs' elements
// and those imported on their own, with their store ids) and every stored definition, read
// back through the same checks as `qpan pack check`. A definition the checks refuse (stored
// by an older qpan, or edited in the database) refuses the whole read, naming kind, code,
// JSON path and reason, instead of being half read. `info` stays empty: a database may hold
// several packs. Nothing loaded: an empty pack with the catalogue.
Result<Pack> read_loaded_pack(Store& store);

// Reads, checks and loads (or upgrades) a pack into the store in one transaction.
// Refused with problems: an older version than the loaded one; removing an element that
// has values; changing the value type of an element that has values.
Result<PackLoadResult> load_pack(Store& store, const std::string& dir);

}  // namespace qpan
