// `qpan demo`: creates a database with the demo data — Vietnam's units, the pack and the
// demo datasets generated from demo/*.json — through the normal import paths.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "qpan/demo.h"

namespace qpan::cli {
namespace {

struct DemoArgs {
  std::string db;
  std::string manifest;
  std::string csv_dir;
  std::string user = "qpan-demo";
};

Status run_demo(const DemoArgs& args) {
  Result<std::unique_ptr<Store>> store = open_database(args.db, {.create_if_missing = true});
  if (!store) return store.status();
  DemoOptions options;
  options.manifest = args.manifest;
  options.csv_dir = args.csv_dir;
  options.user = args.user;
  options.now = now_unix();
  Result<DemoResult> result = create_demo(**store, options);
  if (!result) return result.status();

  for (const std::string& source : result->unit_sources) std::cout << "units: " << source << "\n";
  const UnitImportSummary& u = result->units;
  if (!result->unit_sources.empty()) {
    std::cout << "unit versions: " << u.versions_added << " added, " << u.versions_updated << " updated, "
              << u.versions_unchanged << " unchanged; lineage edges: " << u.lineage_added << " added, "
              << u.lineage_updated << " updated, " << u.lineage_unchanged << " unchanged\n";
  }
  if (!result->pack.empty()) {
    const PackLoadSummary& p = result->pack_summary;
    std::cout << "pack: " << result->pack << " (elements: " << p.elements_added << " added, "
              << p.elements_updated << " updated, " << p.elements_removed << " removed)\n";
  }
  for (const DemoDatasetResult& d : result->datasets) {
    const ValueWriteSummary& s = d.import.summary;
    std::cout << "dataset " << d.code << " (" << d.name_vi << "): " << d.import.rows << " values — " << s.created
              << " created, " << s.updated << " updated, " << s.unchanged << " unchanged";
    if (!d.csv_file.empty()) std::cout << "; " << d.csv_file;
    std::cout << "\n";
  }
  if (!result->problems.empty()) {
    std::cerr << result->failed_step << " was rejected:\n";
    return rejected(result->problems);
  }
  std::cout << "demo database " << args.db << " is ready\n";
  return Status::ok();
}

}  // namespace

void add_demo_command(CLI::App& app, Status& status) {
  auto args = std::make_shared<DemoArgs>();
  auto* demo = app.add_subcommand(
      "demo", "Create a database with the demo data: units, the pack and the generated demo datasets");
  demo->add_option("--db", args->db, "Database: a SQLite file (created when missing), or a postgresql:// URL")->required();
  demo->add_option("--manifest", args->manifest,
                   "The demo manifest (default: demo/demo.json here, else in qpan's source tree)");
  demo->add_option("--csv-dir", args->csv_dir,
                   "Keep the generated dataValueSets CSV files in this folder (default: a temporary folder)");
  demo->add_option("--user", args->user, "Who imports (audit trail; default qpan-demo)");
  demo->callback([args, &status] { status = run_demo(*args); });
}

}  // namespace qpan::cli
