// The qpan command-line shell: each area adds its subcommands to the CLI11 app; a command's
// callback runs a thin function over the engine library and stores its outcome in
// `status`, which main() maps to the exit code in one place.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "qpan/aggregation.h"
#include "qpan/exchange.h"
#include "qpan/pack.h"
#include "qpan/status.h"
#include "qpan/store.h"

namespace CLI {
class App;
}

namespace qpan::cli {

// init, units, elements, values (database_commands.cc).
void add_database_commands(CLI::App& app, Status& status);
// pack load, pack check (pack_commands.cc).
void add_pack_commands(CLI::App& app, Status& status);
// analytics (analytics_command.cc).
void add_analytics_command(CLI::App& app, Status& status);
// explain: where a figure comes from (explain_command.cc).
void add_explain_command(CLI::App& app, Status& status);
// demo (demo_command.cc).
void add_demo_command(CLI::App& app, Status& status);
// evaluate (evaluate_command.cc).
void add_evaluate_command(CLI::App& app, Status& status);
// validate (validate_command.cc).
void add_validate_command(CLI::App& app, Status& status);
// form xlsx: a form as a workbook to fill offline (form_command.cc).
void add_form_command(CLI::App& app, Status& status);
// registry list, import, export, recount (registry_command.cc).
void add_registry_command(CLI::App& app, Status& status);
// users: accounts and API tokens (users_command.cc).
void add_users_command(CLI::App& app, Status& status);

// report, report list: review reports from the pack's templates (report_command.cc).
void add_report_command(CLI::App& app, Status& status);

// serve (serve_command.cc).
void add_serve_command(CLI::App& app, Status& status);

// Shared by the command files.
// The store `db` names: a "postgresql://" or "postgres://" URL opens PostgreSQL, anything else
// a SQLite file.
Result<std::unique_ptr<Store>> open_database(const std::string& db, const StoreOptions& options = {});
// open_database() for a command run by a person: its changes are recorded as the OS user's.
Result<std::unique_ptr<Store>> open_store(const std::string& db);

// A database opened for a command that evaluates the pack's expressions: the store, the pack
// as loaded (read_loaded_pack) and the aggregation engine built from the store. Compile the
// expressions against engine->catalogue(): its ids are the ones the engine answers by.
struct DatabaseWithPack {
  std::unique_ptr<Store> store;
  Pack pack;
  std::unique_ptr<AggregationEngine> engine;
};
// `as_of`: the --as-of option's text; empty: the figures as they are (qpan/as_of.h).
Result<DatabaseWithPack> open_with_pack(const std::string& db, const std::string& as_of = {});
// Prints the problems of a rejected input on stderr and returns the user error
// "<outcome>: N problems" (by default "nothing was imported").
Status rejected(const ImportProblems& problems, const char* outcome = "nothing was imported");
// Who runs the command ($USER, or "qpan").
std::string default_user();
// Seconds since the Unix epoch, from the system clock.
int64_t now_unix();

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
  std::string format;  // csv, adx; empty: by the output's name
};

}  // namespace qpan::cli
