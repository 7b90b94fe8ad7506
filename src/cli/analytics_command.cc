// `qpan analytics`: roll-ups of elements over units and periods (being written).
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace qpan::cli {

void add_analytics_command(CLI::App&, Status&) {}

}  // namespace qpan::cli
