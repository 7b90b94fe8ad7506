// `qpan demo`: the demo database (being written).
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace qpan::cli {

void add_demo_command(CLI::App&, Status&) {}

}  // namespace qpan::cli
