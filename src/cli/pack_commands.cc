// `qpan pack load` and `qpan pack check` (being written).
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace qpan::cli {

void add_pack_commands(CLI::App&, Status&) {}

}  // namespace qpan::cli
