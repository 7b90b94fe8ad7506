// The demo generator: reads one dataset specification (JSON, see demo/README.md) and turns
// it into dataValueSets CSV rows. Generic: it knows unit groups, weights, seasonal
// profiles, unit sets and six kinds of series, nothing about crime or delegations.
#pragma once

#include <string>
#include <string_view>

#include "qpan/catalogue.h"
#include "qpan/demo.h"
#include "qpan/org_unit.h"
#include "qpan/status.h"

namespace qpan::demo {

// Generates from the specification's text; `file` names it in error messages
// ("demo/lai-chau.json: $.series[4].windows[0].total: …").
Result<GeneratedDataset> generate_from_text(std::string_view json_text, const std::string& file,
                                            const OrgUnitIndex& units, const Catalogue& catalogue);

}  // namespace qpan::demo
