// Entry point of the `qpan` executable: declares the commands and their options (CLI11)
// and maps every outcome to an exit code — 0 success, 1 user error, 2 internal error.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "cli/commands.h"

namespace {

int exit_code(const qpan::Status& status) {
  if (status.is_ok()) return 0;
  std::cerr << "qpan: " << status.message() << "\n";
  return status.is_user_error() ? 1 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"qpan — quốc phòng – an ninh reporting, analytics and evaluation"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "qpan 0.1.0");
  qpan::Status status;
  qpan::cli::add_database_commands(app, status);
  qpan::cli::add_pack_commands(app, status);
  qpan::cli::add_analytics_command(app, status);
  qpan::cli::add_explain_command(app, status);
  qpan::cli::add_demo_command(app, status);
  qpan::cli::add_evaluate_command(app, status);
  qpan::cli::add_validate_command(app, status);
  qpan::cli::add_form_command(app, status);
  qpan::cli::add_registry_command(app, status);
  qpan::cli::add_report_command(app, status);
  qpan::cli::add_users_command(app, status);
  qpan::cli::add_serve_command(app, status);

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
