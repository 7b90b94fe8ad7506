// Demo datasets: a database that makes qpan produce the figures of the source documents
// (shared/seeds) from commune-level monthly values, through the normal import path.
//
// What to generate is data, not code: a manifest (demo/demo.json) names the unit files, the
// pack and the dataset specifications; each specification (demo/lai-chau.json, …) lists
// unit groups, weight profiles, seasonal profiles, named unit sets and series of a few
// generic kinds (spread a total over units × periods, values by unit set, stock levels,
// ratios of another series, points in bands, explicit values). The generator is
// deterministic — the same specification and units give byte-identical CSV files — and
// writes dataValueSets CSV that is imported with import_value_file, exactly like
// `qpan values import`. The kinds and their keys are documented in demo/README.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/exchange.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/record_writer.h"
#include "qpan/status.h"
#include "qpan/store.h"
#include "qpan/value_writer.h"

namespace qpan {

// One dataset generated from its specification: dataValueSets CSV with a header.
// The records of one registry a dataset holds instead of typed totals: a CSV file as
// `qpan registry import` reads it (org_unit, then field codes).
struct GeneratedRegister {
  std::string registry;
  std::string csv;
  int64_t records = 0;
};

struct GeneratedDataset {
  std::string code;     // from the specification, e.g. "lai-chau"
  std::string name_vi;
  std::string csv;      // the rows, in series order, then period and unit order
  int64_t rows = 0;
  std::vector<GeneratedRegister> registers;  // by registry code
};

// Generates the dataset a specification file describes, against the units and the element
// catalogue it refers to. Errors name the file, the JSON path and the reason (also for
// plans that cannot be met, e.g. bounds that leave no room for a total). Pure: reads only
// the file, writes nothing.
Result<GeneratedDataset> generate_demo_dataset(const std::string& spec_path, const OrgUnitIndex& units,
                                               const Catalogue& catalogue);

struct DemoOptions {
  std::string manifest;  // demo/demo.json; empty: default_demo_manifest()
  std::string csv_dir;   // keep the generated CSV files here; empty: a temporary folder,
                         // removed afterwards
  std::string user = "qpan-demo";  // who imports (audit trail)
  int64_t now = 0;                 // Unix seconds, for the audit trail
};

struct DemoRegisterResult {
  std::string registry;
  std::string csv_file;       // where the generated records were written
  RecordWriteOutcome import;  // through the record writer, as `qpan registry import`
                              // (nothing created: kept from an earlier run)
};

struct DemoDatasetResult {
  std::string code;
  std::string name_vi;
  std::string csv_file;  // where the generated values were written
  WriteOutcome import;  // through the write path, as `qpan values import`
  std::vector<DemoRegisterResult> registers;
};

struct DemoResult {
  std::vector<std::string> unit_sources;  // what was imported, in order
  UnitImportSummary units;                // summed over the unit sources
  std::string pack;                       // folder of the loaded pack
  PackLoadSummary pack_summary;
  std::vector<DemoDatasetResult> datasets;
  // Non-empty: a step was rejected (units, pack or values); the steps before it are kept,
  // the step itself wrote nothing. `failed_step` says which.
  ImportProblems problems;
  std::string failed_step;
};

// Creates the demo in `store`: imports the manifest's unit sources, loads its pack
// (load_pack), then generates each dataset and imports its CSV (import_value_file). Each
// step is one transaction; running it again on the same database changes nothing.
Result<DemoResult> create_demo(Store& store, const DemoOptions& options);

// demo/demo.json of the current directory when there is one, else of the source tree qpan
// was built from.
std::string default_demo_manifest();

}  // namespace qpan
