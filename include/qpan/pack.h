// Packs (bộ chỉ tiêu): the domain catalogue as a folder of versioned JSON files —
// disaggregations, data elements, data sets, indicators, validation rules, evaluation rule
// sets, registry record types, report templates (format: packs/README.md). Reading a pack
// checks it completely, naming file, JSON path and reason for every problem; loading it
// into a database happens in one transaction and keeps all data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/import_problem.h"
#include "qpan/org_unit.h"
#include "qpan/period.h"
#include "qpan/status.h"

namespace qpan {

class Store;

struct PackInfo {
  std::string code;
  std::string version;  // MAJOR.MINOR.PATCH
  std::string name_vi;
  std::string name_en;
  std::string description;
};

struct DataSet {
  std::string code, name_vi, name_en;
  PeriodType period_type = PeriodType::kMonth;
  Calendar calendar = Calendar::kGregorian;
  OrgUnitLevel level = OrgUnitLevel::kCommune;
  int deadline_days = 0;
  std::vector<OrgUnitLevel> approval;
  std::vector<std::string> elements;
};

struct Indicator {
  std::string code, name_vi, name_en;
  std::string expression;
  int decimals = 1;
  std::string unit;
  std::string description;
};

struct ValidationRule {
  std::string code, name_vi, name_en;
  std::string left, op, right;
  std::string importance;
};

// A definition as its JSON text, the way the store keeps every pack definition; evaluation
// sets, registries and report templates are interpreted by the subsystems that use them.
struct PackDefinition {
  std::string kind;  // "data_sets", "indicators", "validation_rules", "evaluation_sets", …
  std::string code;
  std::string json;
};

struct Pack {
  PackInfo info;
  Catalogue catalogue;  // disaggregations and elements
  std::vector<DataSet> data_sets;
  std::vector<Indicator> indicators;
  std::vector<ValidationRule> validation_rules;
  std::vector<PackDefinition> definitions;  // every definition except elements, by kind
};

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

// The data sets of the loaded pack, as stored (every field).
Result<std::vector<DataSet>> load_data_sets(Store& store);

// Reads, checks and loads (or upgrades) a pack into the store in one transaction.
// Refused with problems: an older version than the loaded one; removing an element that
// has values; changing the value type of an element that has values.
Result<PackLoadResult> load_pack(Store& store, const std::string& dir);

}  // namespace qpan
