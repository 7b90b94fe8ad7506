// Entry point of the `qpan` executable: declares the commands and their options (CLI11)
// and maps every outcome to an exit code — 0 success, 1 user error, 2 internal error.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "cli/commands.h"

namespace {

int exit_code(const qpan::Status& status) {
  if (status.is_ok()) return 0;
  std::cerr << "qpan: " << status.message() << "\n";
  return status.is_user_error() ? 1 : 2;
}

std::string default_user() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "qpan";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"qpan — quốc phòng – an ninh reporting, evaluation and registries"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "qpan 0.1.0");
  std::string db;
  qpan::Status status;
  auto add_db = [&](CLI::App* cmd) {
    cmd->add_option("--db", db, "Database file (SQLite)")->required();
  };

  auto* init = app.add_subcommand("init", "Create a database (does nothing to an existing one)");
  add_db(init);
  init->callback([&] { status = qpan::cli::init_database(db); });

  auto* units = app.add_subcommand("units", "Administrative units: import, tree, find");
  units->require_subcommand(1);
  std::string units_path;
  auto* units_import = units->add_subcommand(
      "import", "Import a units file (vn-admin history layout), a lineage file, or a folder of them");
  add_db(units_import);
  units_import->add_option("PATH", units_path, "File or folder")->required();
  units_import->callback([&] { status = qpan::cli::import_units_command(db, units_path); });

  qpan::cli::UnitsTreeArgs tree_args;
  auto* tree = units->add_subcommand("tree", "Print a unit and the units under it at a date");
  add_db(tree);
  tree->add_option("CODE", tree_args.code, "Unit code (GSO)")->required();
  tree->add_option("--depth", tree_args.depth, "Levels below the unit to print (default: all)")
      ->check(CLI::Range(0, 16));
  tree->add_option("--at", tree_args.at, "Date YYYY-MM-DD (default: today)");
  tree->callback([&] {
    tree_args.db = db;
    status = qpan::cli::units_tree(tree_args);
  });

  qpan::cli::UnitsFindArgs find_args;
  auto* find = units->add_subcommand(
      "find", "Find units by name, ignoring accents and case (\"lai chau\" finds Lai Châu)");
  add_db(find);
  find->add_option("TEXT", find_args.text, "Part of a name")->required();
  find->add_option("--at", find_args.at, "Only units in force on this date (YYYY-MM-DD)");
  find->add_option("--limit", find_args.limit, "At most this many results (default 50)")
      ->check(CLI::PositiveNumber);
  find->callback([&] {
    find_args.db = db;
    status = qpan::cli::units_find(find_args);
  });

  auto* elements = app.add_subcommand("elements", "Data elements (chỉ tiêu): import, list");
  elements->require_subcommand(1);
  std::string elements_file;
  auto* elements_import = elements->add_subcommand("import", "Import an element file (JSON)");
  add_db(elements_import);
  elements_import->add_option("FILE", elements_file, "Element file")->required();
  elements_import->callback([&] { status = qpan::cli::import_elements_command(db, elements_file); });
  auto* elements_list = elements->add_subcommand("list", "List the data elements");
  add_db(elements_list);
  elements_list->callback([&] { status = qpan::cli::list_elements(db); });

  auto* values = app.add_subcommand("values", "Data values (số liệu): import, export");
  values->require_subcommand(1);
  std::string values_file;
  std::string user = default_user();
  auto* values_import = values->add_subcommand(
      "import", "Import a dataValueSets CSV; any bad row rejects the whole file");
  add_db(values_import);
  values_import->add_option("FILE", values_file, "CSV file")->required();
  values_import->add_option("--user", user, "Who imports (audit; storedby when a row has none)");
  values_import->callback([&] { status = qpan::cli::import_values_command(db, values_file, user); });

  qpan::cli::ValuesExportArgs export_args;
  auto* values_export = values->add_subcommand("export", "Export values as dataValueSets CSV");
  add_db(values_export);
  values_export->add_option("--ou", export_args.org_unit, "Only this unit and the units under it");
  values_export->add_option("--pe", export_args.period, "Only periods within this one (e.g. 2022, 201601..201806)");
  values_export->add_option("--output,-o", export_args.output, "Write to this file instead of standard output");
  values_export->callback([&] {
    export_args.db = db;
    status = qpan::cli::export_values_command(export_args);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "qpan: internal error: " << e.what() << "\n";
    return 2;
  }
  return exit_code(status);
}
