// The qpan command-line shell: each command is a thin function over the engine library.
// Commands return a Status; main() maps it to the exit code in one place.
#pragma once

#include <optional>
#include <string>

#include "qpan/status.h"

namespace qpan::cli {

struct UnitsTreeArgs {
  std::string db;
  std::string code;
  std::optional<int> depth;
  std::string at;  // ISO date; empty = today
};

struct UnitsFindArgs {
  std::string db;
  std::string text;
  std::string at;  // ISO date; empty = every version
  int limit = 50;
};

struct ValuesExportArgs {
  std::string db;
  std::string org_unit;
  std::string period;
  std::string output;  // empty = standard output
};

Status init_database(const std::string& db);
Status import_units_command(const std::string& db, const std::string& path);
Status units_tree(const UnitsTreeArgs& args);
Status units_find(const UnitsFindArgs& args);
Status import_elements_command(const std::string& db, const std::string& file);
Status list_elements(const std::string& db);
Status import_values_command(const std::string& db, const std::string& file, const std::string& user);
Status export_values_command(const ValuesExportArgs& args);

}  // namespace qpan::cli
